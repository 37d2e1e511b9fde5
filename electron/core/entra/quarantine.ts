/**
 * Entra's provisioning job status in plain words: quarantine reasons, what caused them and what
 * to do, and provisionOnDemand's verdicts.
 */
import type { ProvisionVerdict, SyncJob, SyncQuarantine } from './ports.js';

const TOKEN_REFUSED =
  /unauthori[sz]ed|\b401\b|credential|secret ?token|bearer|authenticat|forbidden|\b403\b/i;
const UNREACHABLE =
  /unreachable|could not (be )?reach|resolve|\bdns\b|connect|timed? ?out|timeout|\b404\b|not ?found|endpoint|tenant ?url|base ?address|ssl|tls|certificate/i;

function errorText(q: SyncQuarantine, job: SyncJob): string {
  return [
    q.error?.code,
    q.error?.message,
    job.lastExecution?.error?.code,
    job.lastExecution?.error?.message,
  ]
    .filter((s): s is string => typeof s === 'string' && s.trim() !== '')
    .join(' ');
}

function quoteError(q: SyncQuarantine, job: SyncJob): string {
  const message = q.error?.message ?? job.lastExecution?.error?.message ?? '';
  const flat = message.replace(/\s+/g, ' ').trim();
  if (flat === '') {
    return '';
  }
  return ` Entra says: “${flat.length > 200 ? `${flat.slice(0, 199)}…` : flat}”`;
}

/** The cause of a quarantine, in a sentence, with what to do. */
export function explainQuarantine(job: SyncJob): string {
  const q = job.quarantine ?? {
    reason: 'Unknown',
    currentBegan: null,
    nextAttempt: null,
    seriesBegan: null,
    seriesCount: null,
    error: null,
  };
  const text = errorText(q, job);
  const retry = q.nextAttempt ? ` Entra tries again on its own at ${q.nextAttempt}.` : '';
  const restart =
    ' After fixing it, run `entra apply` again (or choose "Restart provisioning" in the Entra admin center) to leave quarantine.';
  let cause: string;
  if (q.reason === 'TooManyDeletes') {
    cause =
      'Entra stopped provisioning because the cycle would have deleted more users than its accidental-deletion threshold allows. Review the pending deletions under Provisioning in the Entra admin center and approve or fix them.';
  } else if (q.reason === 'QuarantinedOnDemand') {
    cause = 'An administrator put the provisioning job in quarantine.';
  } else if (TOKEN_REFUSED.test(text)) {
    cause =
      'dbt refused the SCIM token: it was deleted or rotated, or SCIM is turned off in dbt. Create a new SCIM token in dbt (Account settings → SSO & SCIM) and save it in Entra with `entra apply` (DBT_SCIM_TOKEN).';
  } else if (UNREACHABLE.test(text)) {
    cause =
      'Entra cannot reach the Tenant URL: the SCIM base URL is wrong, or dbt’s IP restrictions block Microsoft’s provisioning addresses. Check the SCIM base URL in dbt (Account settings → SSO & SCIM) and allow Microsoft Entra’s provisioning ranges in dbt’s IP restrictions.';
  } else if (
    q.reason === 'EncounteredBaseEscrowThreshold' ||
    q.reason === 'EncounteredTotalEscrowThreshold' ||
    q.reason === 'EncounteredEscrowProportionThreshold'
  ) {
    cause =
      'Entra stopped provisioning because too many errors happened in a row (most requests to dbt failed). Open the provisioning logs in the Entra admin center to see the first failures; the usual causes are a refused token, an unreachable URL or users without a valid email as userPrincipalName.';
  } else {
    cause =
      'Entra stopped provisioning after repeated failures. Open the provisioning logs in the Entra admin center to see why.';
  }
  return `The provisioning job is in quarantine (${q.reason}). ${cause}${quoteError(q, job)}${retry}${restart}`;
}

export type VerdictOutcome =
  | { readonly ok: true; readonly message: string }
  | { readonly ok: false; readonly notAssigned: boolean; readonly message: string };

function stepsSummary(v: ProvisionVerdict): string {
  const failed = v.steps.find((s) => /fail|skip|warn/i.test(s.status));
  return failed ? ` At the stage “${failed.name}”: ${failed.description}` : '';
}

/** provisionOnDemand's verdict for `who`, in plain words. */
export function explainVerdict(who: string, v: ProvisionVerdict): VerdictOutcome {
  const result = v.result.toLowerCase();
  const reason = v.reason ?? v.errorCode ?? '';
  if (result === 'success') {
    return { ok: true, message: `Entra provisioned ${who} to dbt on demand.` };
  }
  if (result === 'skipped' && /RedundantExport/i.test(reason)) {
    return {
      ok: true,
      message: `Entra had nothing to send for ${who}: dbt already has the user up to date.`,
    };
  }
  if (result === 'skipped' && /NotEffectivelyEntitled|NotInScope|scope/i.test(reason)) {
    return {
      ok: false,
      notAssigned: true,
      message: `Entra skipped ${who}: the user is not assigned to the app (${reason}). Assign the user (or a group they belong to) under Users and groups, wait a minute and test again.`,
    };
  }
  if (result === 'skipped') {
    return {
      ok: false,
      notAssigned: false,
      message: `Entra skipped ${who}${reason ? ` (${reason})` : ''}.${v.errorMessage ? ` ${v.errorMessage}` : ''}${stepsSummary(v)}`,
    };
  }
  return {
    ok: false,
    notAssigned: false,
    message: `Entra could not provision ${who}${v.errorCode ? ` (${v.errorCode})` : ''}: ${v.errorMessage ?? 'no reason given'}.${stepsSummary(v)} Check the SCIM token and base URL (the credentials step) and that the user has a givenName, surname and an email-shaped userPrincipalName.`,
  };
}
