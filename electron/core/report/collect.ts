/**
 * From plain data to the report's content (ReportJson): the configuration of each side, every
 * change an apply made (from the journal: the `applying` line's changes, done at `applied`), every
 * verification with its result and time, the last health check, the rotation policy and history,
 * the license choices. Every string is redacted and scrubbed of token-like runs first.
 */
import type { StepId } from '../model.js';
import { LICENSE_TYPES } from '../okta/ports.js';
import type { JournalEntry } from '../ports.js';
import { redactDeep } from '../redact.js';
import type { StatusReport } from '../status/model.js';
import type { Profile } from '../store/profiles.js';
import type {
  ReportChange,
  ReportConfigSection,
  ReportHealth,
  ReportInput,
  ReportJson,
  ReportLicense,
  ReportRotation,
  ReportSetting,
  ReportVerification,
} from './model.js';
import { scrubTokenLikeDeep } from './token-scan.js';

export const REPORT_TITLE = 'dbt SCIM provisioning: setup report';

/** The rail's names of the wizard's steps. */
export const STEP_TITLES: Readonly<Record<StepId, string>> = {
  prerequisites: 'Prerequisites',
  dbt: 'dbt',
  idp: 'Identity provider',
  license: 'License types',
  test: 'Test',
  rotation: 'Rotation',
};

export const IDP_TITLES = { okta: 'Okta', entra: 'Microsoft Entra ID' } as const;

export const NOT_INCLUDED: readonly string[] = [
  'No secret: no token, client secret, private key, password or sign-in session is in this report.',
  'A token is named by its dbt name and id; at most its last four characters are shown.',
  'Anything in a recorded message that looked like a token was replaced by [REDACTED] before this report was written.',
];

function step(id: string): string {
  return id in STEP_TITLES ? STEP_TITLES[id as StepId] : id;
}

function host(url: string | undefined): string | undefined {
  if (!url) {
    return undefined;
  }
  try {
    return new URL(url).host;
  } catch {
    return undefined;
  }
}

function licenseTitle(value: string): string {
  return LICENSE_TYPES.find((t) => t.value === value)?.title ?? value;
}

/** Settings with a value; absent values are left out. */
function settings(rows: readonly (readonly [string, string | number | boolean | undefined])[]) {
  const out: ReportSetting[] = [];
  for (const [label, value] of rows) {
    if (value !== undefined && value !== '') {
      out.push({
        label,
        value: typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value),
      });
    }
  }
  return out;
}

function configuration(input: ReportInput): ReportConfigSection[] {
  const { profile } = input;
  const d = profile.dbt;
  const sections: ReportConfigSection[] = [
    {
      title: 'dbt',
      settings: settings([
        ['Account id', d.accountId],
        ['Admin API host', host(d.apiUrl)],
        ['SCIM URL host', host(d.scimUrl)],
        ['SCIM base URL', d.scimUrl],
        [
          'SCIM token in use',
          d.scimTokenName !== undefined
            ? `${d.scimTokenName}${d.scimTokenId !== undefined ? ` (id ${d.scimTokenId})` : ''}`
            : d.scimTokenId !== undefined
              ? `id ${d.scimTokenId}`
              : undefined,
        ],
        ['SCIM token created', d.scimTokenCreatedAt],
        ['Identity provider', profile.idp ? IDP_TITLES[profile.idp] : 'not chosen'],
      ]),
    },
  ];
  const o = profile.okta;
  if (o) {
    sections.push({
      title: 'Okta',
      settings: settings([
        ['Org', o.orgUrl],
        ['Org host', host(o.orgUrl)],
        ['dbt app', o.appLabel],
        ['App id', o.appId],
        ['App name (Okta’s)', o.appName],
        ['Wizard signs in with', o.signIn?.method],
        ['Sign-in client id', o.signIn?.clientId],
        ['Service app key id', o.signIn?.keyId],
        [
          'Groups pushed',
          o.groupPushes?.length
            ? o.groupPushes
                .map((g) => `${g.oktaGroupName} → ${g.targetGroupName} (${g.oktaGroupId})`)
                .join('\n')
            : undefined,
        ],
        ['dbt already had users and groups', o.existingIntegration],
        ['Username format change confirmed', o.userNameChangeConfirmedAt],
      ]),
    });
  }
  const e = profile.entra;
  if (e) {
    sections.push({
      title: 'Microsoft Entra ID',
      settings: settings([
        ['Cloud', e.cloud],
        ['Graph host', host(e.graphUrl)],
        ['Tenant', e.tenant],
        ['Enterprise app', e.appName],
        ['Service principal id', e.spId],
        ['Application (app) id', e.appId],
        ['Provisioning job id', e.jobId],
        ['Credentials Entra holds', e.credentialsFingerprint],
        ['Sign-in client id', e.clientId],
      ]),
    });
  }
  if (input.credentials.length > 0) {
    sections.push({
      title: 'Credentials the app holds (encrypted; never in this report)',
      settings: input.credentials.map((c) => ({
        label: c.label,
        value: [
          c.last4 ? `ends in …${c.last4}` : 'value not shown',
          `saved ${c.savedAt}`,
          ...(c.lastVerifiedAt ? [`last verified ${c.lastVerifiedAt}`] : []),
        ].join('; '),
      })),
    });
  }
  return sections;
}

function kindOf(e: JournalEntry): string {
  const k = e.data?.kind;
  return typeof k === 'string' ? k : '';
}

/**
 * Changes from the journal: a run's `applying` line lists the changes; `applied` says they were
 * made. An apply that failed or was cancelled after it began is listed as not finished; one that
 * stopped without either is interrupted (it resumes on the next run).
 */
function changes(journal: readonly JournalEntry[]): ReportChange[] {
  const pending = new Map<string, { entry: JournalEntry; kind: string }>();
  const kinds = new Map<string, string>();
  const out: ReportChange[] = [];
  const emit = (
    p: { entry: JournalEntry; kind: string },
    at: string,
    outcome: ReportChange['outcome'],
    error?: string,
  ) => {
    for (const c of p.entry.changes ?? []) {
      out.push({
        at,
        step: step(p.entry.step),
        kind: p.kind,
        runId: p.entry.runId,
        action: c.action,
        target: c.target,
        detail: c.detail,
        outcome,
        ...(error !== undefined ? { error } : {}),
      });
    }
  };
  for (const e of journal) {
    const kind = kinds.get(e.runId) ?? kindOf(e);
    kinds.set(e.runId, kind);
    const p = pending.get(e.runId);
    if (e.phase === 'applying' && e.changes && e.changes.length > 0) {
      pending.set(e.runId, { entry: e, kind });
    } else if (p && e.phase === 'applied') {
      emit(p, e.at, 'applied');
      pending.delete(e.runId);
    } else if (p && (e.phase === 'failed' || e.phase === 'cancelled')) {
      emit(p, e.at, 'not_finished', e.error?.message ?? e.phase);
      pending.delete(e.runId);
    }
  }
  for (const p of pending.values()) {
    emit(
      p,
      p.entry.at,
      'interrupted',
      'The apply stopped before it finished; it resumes on the next run.',
    );
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

function verifications(input: ReportInput): ReportVerification[] {
  const out: ReportVerification[] = [];
  for (const e of input.journal) {
    if ((e.phase === 'verified' || e.phase === 'failed') && e.checks) {
      for (const c of e.checks) {
        out.push({
          at: c.at,
          step: step(e.step),
          kind: kindOf(e),
          id: c.id,
          status: c.status,
          message: c.message,
          source: 'verify',
        });
      }
    }
  }
  for (const [item, at] of Object.entries(input.profile.okta?.consoleVerifiedAt ?? {})) {
    out.push({
      at,
      step: step('idp'),
      kind: 'okta.console',
      id: item,
      status: 'pass',
      message: 'Okta showed this console step done.',
      source: 'okta-console',
    });
  }
  for (const [item, at] of Object.entries(input.profile.manual)) {
    out.push({
      at,
      step: '',
      kind: 'console checklist',
      id: item,
      status: 'pass',
      message: 'The admin ticked this console step as done.',
      source: 'admin',
    });
  }
  return out.sort((a, b) => a.at.localeCompare(b.at));
}

function health(status: StatusReport | null): ReportHealth | null {
  if (!status) {
    return null;
  }
  const t = status.token;
  const j = status.job;
  const details = settings([
    ['Identity provider', status.idp ? IDP_TITLES[status.idp] : undefined],
    [
      'SCIM token',
      t
        ? [
            t.name ?? 'unnamed',
            ...(t.id !== undefined ? [`id ${t.id}`] : []),
            ...(t.last4 ? [`ends in …${t.last4}`] : []),
          ].join(', ')
        : undefined,
    ],
    ['SCIM token created', t?.createdAt],
    ['SCIM token last used', t?.lastUsed === null ? 'never' : t?.lastUsed],
    ['SCIM token age (days)', t?.ageDays],
    ['Provisioning job', j ? `${j.state} (${j.statusCode})` : undefined],
    ['Quarantine reason', j?.quarantineReason],
    ['Last provisioning cycle', j?.lastCycleAt],
    ['Last cycle result', j?.lastCycleState],
    [
      'Last cycle counts',
      j?.lastCycleCounts
        ? Object.entries(j.lastCycleCounts)
            .map(([k, v]) => `${k}: ${v}`)
            .join(', ')
        : undefined,
    ],
    ['Last job error', j?.lastError],
    ['dbt SSO method', status.sso ? (status.sso.method ?? 'not set up') : undefined],
    ['SSO certificate expires', status.sso?.certificateExpiresAt ?? undefined],
  ]);
  return {
    checkedAt: status.checkedAt,
    ok: status.ok,
    details,
    items: status.items.map((i) => ({
      area: i.area,
      id: i.id,
      status: i.status,
      message: i.message,
      ...(i.remediation !== undefined ? { remediation: i.remediation } : {}),
      at: i.at,
    })),
  };
}

function rotation(input: ReportInput): ReportRotation {
  const tokenLabel = (name?: string, id?: number) =>
    name !== undefined
      ? `${name}${id !== undefined ? ` (id ${id})` : ''}`
      : id !== undefined
        ? `id ${id}`
        : '';
  return {
    intervalDays: input.due.intervalDays,
    since: input.due.since,
    dueAt: input.due.dueAt,
    state: input.due.state,
    daysLeft: input.due.daysLeft,
    summary: input.due.message,
    history: input.history.map((h) => ({
      startedAt: h.startedAt,
      at: h.at,
      idp: h.idp,
      oldToken: tokenLabel(h.oldTokenName, h.oldTokenId),
      newToken: tokenLabel(h.newTokenName, h.newTokenId),
      outcome: h.outcome,
      stage: h.stage,
      message: h.message,
    })),
  };
}

function license(profile: Profile): ReportLicense {
  const okta = profile.license?.okta;
  const maps = profile.license?.entraMaps ?? {};
  return {
    okta: okta
      ? {
          rules: okta.rules.map((r) => ({
            groupName: r.groupName,
            licenseType: licenseTitle(r.licenseType),
          })),
          defaultLicenseType: licenseTitle(okta.defaultLicenseType),
        }
      : null,
    entraMaps: LICENSE_TYPES.flatMap((t) => {
      const groups = maps[t.value];
      return groups ? [{ licenseType: t.title, groups: [...groups] }] : [];
    }),
  };
}

function summaryText(
  profile: Profile,
  status: StatusReport | null,
  counts: { changes: number; verifications: number },
): string {
  const idp = profile.idp ? IDP_TITLES[profile.idp] : 'an identity provider not yet chosen';
  const head = `SCIM provisioning from ${idp} into dbt for the profile "${profile.name}".`;
  const healthText = status
    ? status.ok
      ? `Healthy at the last check (${status.checkedAt}).`
      : `Not healthy at the last check (${status.checkedAt}): ${
          status.items.filter((i) => i.status === 'fail' || i.status === 'pending').length
        } item(s) need attention.`
    : 'No health check has been saved yet (open the app’s Overview and choose Check now, or run the status command).';
  return `${head} ${healthText} ${counts.changes} change(s) and ${counts.verifications} verification(s) recorded.`;
}

/** The report's content from plain data; every string is redacted and scrubbed first. */
export function collectReport(raw: ReportInput): ReportJson {
  const input = scrubTokenLikeDeep(redactDeep(raw));
  const changeList = changes(input.journal);
  const verificationList = verifications(input);
  return {
    version: 1,
    title: REPORT_TITLE,
    generatedAt: input.generatedAt,
    appVersion: input.appVersion,
    profile: { id: input.profile.id, name: input.profile.name, idp: input.profile.idp },
    summary: {
      healthy: input.lastStatus ? input.lastStatus.ok : null,
      checkedAt: input.lastStatus?.checkedAt ?? null,
      text: summaryText(input.profile, input.lastStatus, {
        changes: changeList.length,
        verifications: verificationList.length,
      }),
    },
    configuration: configuration(input),
    changes: changeList,
    verifications: verificationList,
    health: health(input.lastStatus),
    rotation: rotation(input),
    license: license(input.profile),
    notIncluded: NOT_INCLUDED,
  };
}
