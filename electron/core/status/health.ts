/**
 * The health check's judgement, without I/O: what the services observed (the token in use, the
 * rotation policy, each side's verify, the Entra job, dbt's SSO provider) becomes one list of
 * items, each with its area, the wizard step that fixes it and what to do. A side that could not
 * be checked (no credentials) is a `skip` item saying what is needed; an error is a `fail` item.
 */
import type { Check, ErrorInfo, Idp, StepId } from '../model.js';
import type { DbtAuthProvider, ScimTokenInfo } from '../dbt/ports.js';
import type { SyncJob } from '../entra/ports.js';
import { explainQuarantine } from '../entra/quarantine.js';
import { describeRotationDue, type RotationDue } from '../rotation/policy.js';
import type {
  HealthArea,
  HealthItem,
  JobHealth,
  JobState,
  SsoHealth,
  StatusReport,
  TokenHealth,
} from './model.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** A certificate expiring within this many days is called out (still a pass). */
export const CERT_WARN_DAYS = 30;

/** Why a side was not checked, and what would let it be. */
export interface Unchecked {
  readonly unchecked: string;
  readonly remediation: string;
}

/** One side's verify, or why it did not run. */
export type SideObservation =
  | { readonly checks: readonly Check[]; readonly error?: ErrorInfo }
  | Unchecked
  | { readonly error: ErrorInfo };

export interface TokenObservation {
  /** The token as dbt describes it; undefined when dbt no longer has it or it is unknown. */
  readonly info?: ScimTokenInfo;
  /** The dbt id the setup expects (the saved one), when known. */
  readonly expectedId?: number;
  readonly expectedName?: string;
  readonly last4?: string;
  /** When the wizard saved the value (no Admin API to ask dbt). */
  readonly savedAt?: string;
}

export interface StatusObservations {
  readonly profileId: string;
  readonly profileName: string;
  readonly idp: Idp | null;
  readonly now: Date;
  readonly token: TokenObservation | Unchecked | { readonly error: ErrorInfo };
  readonly rotation: RotationDue;
  /** dbt's SCIM settings (the dbt step's verify). */
  readonly dbtConfig: SideObservation;
  /** The SCIM API with the token in use (the connection check). */
  readonly dbtConnection: SideObservation;
  /** The identity provider's verify (absent: no identity provider chosen). */
  readonly idpSide?: SideObservation;
  /** Entra's provisioning job as Graph shows it. */
  readonly job?: { readonly job: SyncJob | undefined } | Unchecked | { readonly error: ErrorInfo };
  /** The License step's verify, when that step was started. */
  readonly license?: SideObservation;
  readonly sso:
    | { readonly method: string | null; readonly provider: DbtAuthProvider | undefined }
    | Unchecked
    | { readonly error: ErrorInfo };
}

function isUnchecked(x: object): x is Unchecked {
  return 'unchecked' in x;
}

const FIX: Readonly<Record<HealthArea, StepId>> = {
  token: 'dbt',
  rotation: 'rotation',
  dbt: 'dbt',
  okta: 'idp',
  entra: 'idp',
  job: 'idp',
  sso: 'prerequisites',
  license: 'license',
};

const REMEDIATION: Readonly<Record<HealthArea, string>> = {
  token:
    'Open the dbt step to create or paste the SCIM token the identity provider uses (CLI: `dbt tokens list`).',
  rotation: 'Rotate the SCIM token on the Rotation step (CLI: `rotate --idp okta|entra`).',
  dbt: 'Open the dbt step and apply it again (CLI: `dbt enable`), then check again.',
  okta: 'Open the Identity provider step and apply it again, or do the console step it names (CLI: `okta apply`, `okta verify`).',
  entra:
    'Open the Identity provider step and apply it again (CLI: `entra apply`), then check again.',
  job: 'Open the Identity provider step: fix the credentials or mappings it names, then restart provisioning (CLI: `entra apply`).',
  sso: 'Renew the signing certificate in your identity provider and upload it in dbt (Account settings → SSO & SCIM).',
  license: 'Open the License step and apply it again, or do the step it names.',
};

function item(
  area: HealthArea,
  id: string,
  status: HealthItem['status'],
  message: string,
  at: string,
  extra: { remediation?: string; fixStep?: StepId } = {},
): HealthItem {
  const bad = status === 'fail' || status === 'pending';
  const remediation = extra.remediation ?? (bad ? REMEDIATION[area] : undefined);
  const fixStep = extra.fixStep ?? (bad ? FIX[area] : undefined);
  return {
    id,
    area,
    status,
    message,
    ...(remediation ? { remediation } : {}),
    ...(fixStep ? { fixStep } : {}),
    at,
  };
}

/** The area and fix of an identity provider's check (Entra's job checks belong to the job). */
function idpArea(idp: Idp, id: string): { area: HealthArea; id: string; fixStep?: StepId } {
  if (idp === 'entra' && id.startsWith('job.')) {
    return { area: 'job', id, ...(id === 'job.last-cycle' ? { fixStep: 'test' as const } : {}) };
  }
  if (id.startsWith('okta.license')) {
    return { area: 'okta', id, fixStep: 'license' };
  }
  return { area: idp, id: id.startsWith(`${idp}.`) ? id : `${idp}.${id}` };
}

function sideItems(
  area: HealthArea,
  /** The id prefix of this side's own skip and error items, e.g. `dbt.connection`. */
  key: string,
  side: SideObservation,
  at: string,
  map: (id: string) => { area: HealthArea; id: string; fixStep?: StepId } = (id) => ({
    area,
    id: id.startsWith(`${area}.`) ? id : `${area}.${id}`,
  }),
): HealthItem[] {
  if (isUnchecked(side)) {
    return [
      item(area, `${key}.unchecked`, 'skip', `Not checked: ${side.unchecked}`, at, {
        remediation: side.remediation,
      }),
    ];
  }
  const out: HealthItem[] = [];
  if ('checks' in side) {
    for (const c of side.checks) {
      const m = map(c.id);
      out.push(
        item(m.area, m.id, c.status, c.message, c.at, m.fixStep ? { fixStep: m.fixStep } : {}),
      );
    }
  }
  if (side.error) {
    out.push(item(area, `${key}.error`, 'fail', side.error.message, at));
  }
  return out;
}

function days(fromMs: number, toMs: number): number {
  return Math.floor((toMs - fromMs) / DAY_MS);
}

function tokenPart(
  obs: StatusObservations['token'],
  now: Date,
  at: string,
): { token: TokenHealth | null; items: HealthItem[] } {
  if (isUnchecked(obs)) {
    return {
      token: null,
      items: [
        item('token', 'token.in-use', 'skip', `Not checked: ${obs.unchecked}`, at, {
          remediation: obs.remediation,
        }),
      ],
    };
  }
  if ('error' in obs) {
    return { token: null, items: [item('token', 'token.in-use', 'fail', obs.error.message, at)] };
  }
  const info = obs.info;
  if (!info) {
    const which =
      obs.expectedId !== undefined
        ? `the token "${obs.expectedName ?? '?'}" (id ${obs.expectedId})`
        : 'a SCIM token';
    return {
      token: {
        ...(obs.expectedId !== undefined ? { id: obs.expectedId } : {}),
        ...(obs.expectedName ? { name: obs.expectedName } : {}),
        ...(obs.last4 ? { last4: obs.last4 } : {}),
      },
      items: [
        item(
          'token',
          'token.in-use',
          'fail',
          obs.expectedId !== undefined
            ? `dbt no longer has ${which}: the identity provider cannot provision with it.`
            : 'dbt has no SCIM token: the identity provider cannot provision.',
          at,
        ),
      ],
    };
  }
  const createdMs = Date.parse(info.createdAt);
  const ageDays = Number.isFinite(createdMs) ? days(createdMs, now.getTime()) : undefined;
  const token: TokenHealth = {
    id: info.id,
    name: info.name,
    ...(obs.last4 ? { last4: obs.last4 } : {}),
    createdAt: info.createdAt,
    lastUsed: info.lastUsed,
    ...(ageDays !== undefined ? { ageDays } : {}),
  };
  const used = info.lastUsed
    ? `last used ${info.lastUsed}`
    : 'never used yet (the identity provider has not called dbt with it)';
  return {
    token,
    items: [
      item(
        'token',
        'token.in-use',
        'pass',
        `The SCIM token "${info.name}" (id ${info.id}${obs.last4 ? `, ending ${obs.last4}` : ''}) is ${ageDays ?? '?'} ${ageDays === 1 ? 'day' : 'days'} old, ${used}.`,
        at,
      ),
    ],
  };
}

function rotationItem(due: RotationDue, at: string): HealthItem {
  const message = describeRotationDue(due);
  if (due.state === 'unknown') {
    return item('rotation', 'rotation.due', 'skip', message, at);
  }
  return item('rotation', 'rotation.due', due.state === 'overdue' ? 'fail' : 'pass', message, at);
}

const JOB_STATES: Readonly<Record<string, JobState>> = {
  Active: 'running',
  Paused: 'paused',
  Quarantine: 'quarantine',
  NotRun: 'not_started',
  NotConfigured: 'not_configured',
};

/** The job as the dashboard shows it, from Graph's answer. */
export function jobHealth(job: SyncJob): JobHealth {
  const last = job.lastExecution;
  const lastCycleAt = last?.timeEnded ?? last?.timeBegan ?? undefined;
  const reason = job.quarantine
    ? (job.quarantine.error?.message ?? job.quarantine.reason)
    : undefined;
  return {
    state: JOB_STATES[job.statusCode] ?? 'unknown',
    statusCode: job.statusCode,
    ...(reason ? { quarantineReason: reason } : {}),
    ...(lastCycleAt ? { lastCycleAt } : {}),
    ...(last?.state ? { lastCycleState: last.state } : {}),
    ...(last?.counts && Object.keys(last.counts).length > 0
      ? { lastCycleCounts: { ...last.counts } }
      : {}),
    ...(last?.error?.message ? { lastError: last.error.message } : {}),
  };
}

function jobPart(
  obs: NonNullable<StatusObservations['job']>,
  present: readonly HealthItem[],
  at: string,
): { job: JobHealth | null; items: HealthItem[] } {
  if (isUnchecked(obs)) {
    const already = present.some((i) => i.area === 'job' || i.id === 'entra.unchecked');
    return {
      job: null,
      items: already
        ? []
        : [
            item('job', 'job.unchecked', 'skip', `Not checked: ${obs.unchecked}`, at, {
              remediation: obs.remediation,
            }),
          ],
    };
  }
  if ('error' in obs) {
    return { job: null, items: [item('job', 'job.error', 'fail', obs.error.message, at)] };
  }
  if (!obs.job) {
    return { job: { state: 'unknown', statusCode: 'Unknown' }, items: [] };
  }
  const job = jobHealth(obs.job);
  const items: HealthItem[] = [];
  const has = (id: string) => present.some((i) => i.id === id);
  if (job.state === 'quarantine' && !has('job.quarantine')) {
    items.push(item('job', 'job.quarantine', 'fail', explainQuarantine(obs.job), at));
  }
  const failedCycle = job.lastCycleState?.toLowerCase() === 'failed';
  if (job.state !== 'quarantine' && failedCycle && !has('job.last-cycle')) {
    items.push(
      item(
        'job',
        'job.last-cycle',
        'fail',
        `The last provisioning cycle${job.lastCycleAt ? ` (${job.lastCycleAt})` : ''} failed${job.lastError ? `: ${job.lastError}` : '.'}`,
        at,
        { fixStep: 'test' },
      ),
    );
  }
  return { job, items };
}

function ssoPart(
  obs: StatusObservations['sso'],
  now: Date,
  at: string,
): { sso: SsoHealth | null; items: HealthItem[] } {
  if (isUnchecked(obs)) {
    return {
      sso: null,
      items: [
        item('sso', 'sso.certificate', 'skip', `Not checked: ${obs.unchecked}`, at, {
          remediation: obs.remediation,
        }),
      ],
    };
  }
  if ('error' in obs) {
    // Only informative: the other items already name a refused token or a network failure.
    return {
      sso: null,
      items: [
        item(
          'sso',
          'sso.certificate',
          'skip',
          `Not checked: dbt's SSO settings could not be read (${obs.error.message})`,
          at,
        ),
      ],
    };
  }
  const expires = obs.provider?.certExpiresAt ?? null;
  const sso: SsoHealth = {
    method: obs.method ?? obs.provider?.type ?? null,
    certificateExpiresAt: expires,
  };
  if (expires === null) {
    return {
      sso,
      items: [
        item(
          'sso',
          'sso.certificate',
          'skip',
          sso.method === null
            ? 'dbt shows no SSO configuration.'
            : 'dbt does not show when the SSO signing certificate expires.',
          at,
        ),
      ],
    };
  }
  const left = days(now.getTime(), Date.parse(expires));
  const on = expires.slice(0, 10);
  if (Date.parse(expires) <= now.getTime()) {
    return {
      sso,
      items: [
        item(
          'sso',
          'sso.certificate',
          'fail',
          `The SSO signing certificate expired on ${on}: people cannot sign in to dbt with SSO.`,
          at,
        ),
      ],
    };
  }
  const message =
    left <= CERT_WARN_DAYS
      ? `Warning: the SSO signing certificate expires in ${left} ${left === 1 ? 'day' : 'days'}, on ${on}; renew it before then.`
      : `The SSO signing certificate is valid until ${on}.`;
  return {
    sso,
    items: [
      item(
        'sso',
        'sso.certificate',
        'pass',
        message,
        at,
        left <= CERT_WARN_DAYS ? { remediation: REMEDIATION.sso } : {},
      ),
    ],
  };
}

/** The report: every item, and `ok` when none failed and none is pending. */
export function buildStatusReport(obs: StatusObservations): StatusReport {
  const at = obs.now.toISOString();
  const token = tokenPart(obs.token, obs.now, at);
  const items: HealthItem[] = [...token.items, rotationItem(obs.rotation, at)];
  items.push(...sideItems('dbt', 'dbt.config', obs.dbtConfig, at));
  items.push(...sideItems('dbt', 'dbt.connection', obs.dbtConnection, at));
  const idp = obs.idp;
  if (idp && obs.idpSide) {
    items.push(...sideItems(idp, idp, obs.idpSide, at, (id) => idpArea(idp, id)));
  }
  let job: JobHealth | null = null;
  if (obs.job) {
    const part = jobPart(obs.job, items, at);
    job = part.job;
    items.push(...part.items);
  }
  if (obs.license) {
    items.push(...sideItems('license', 'license', obs.license, at));
  }
  const sso = ssoPart(obs.sso, obs.now, at);
  items.push(...sso.items);
  return {
    profileId: obs.profileId,
    profileName: obs.profileName,
    idp,
    checkedAt: at,
    ok: items.every((i) => i.status === 'pass' || i.status === 'skip'),
    token: token.token,
    rotation: obs.rotation,
    job,
    sso: sso.sso,
    items,
  };
}
