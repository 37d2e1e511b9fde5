/**
 * The health of a saved setup, as `status` (CLI) and the home dashboard show it: the SCIM token in
 * use, when its rotation is due, the result of re-running every verify item by item, the Entra
 * provisioning job, dbt's SSO certificate. Never a secret; a token shows at most its last four.
 */
import type { CheckStatus, Idp, StepId } from '../model.js';
import type { RotationDue } from '../rotation/policy.js';

export const HEALTH_AREAS = [
  'token',
  'rotation',
  'dbt',
  'okta',
  'entra',
  'job',
  'sso',
  'license',
] as const;
export type HealthArea = (typeof HEALTH_AREAS)[number];

/** One line of the health check. */
export interface HealthItem {
  readonly id: string;
  readonly area: HealthArea;
  readonly status: CheckStatus;
  readonly message: string;
  /** What to do about a fail or pending item. */
  readonly remediation?: string;
  /** The wizard step that fixes it. */
  readonly fixStep?: StepId;
  readonly at: string;
}

export interface TokenHealth {
  readonly id?: number;
  readonly name?: string;
  /** The last four characters of the token the wizard holds, when it holds one. */
  readonly last4?: string;
  readonly createdAt?: string;
  /** dbt's `last_used` (null: never used; absent: not known). */
  readonly lastUsed?: string | null;
  readonly ageDays?: number;
}

export const JOB_STATES = [
  'running',
  'paused',
  'quarantine',
  'not_started',
  'not_configured',
  'unknown',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/** Entra's provisioning job (Okta has no job to read). */
export interface JobHealth {
  readonly state: JobState;
  /** Graph's status code: `Active`, `Paused`, `Quarantine`, `NotRun`, `NotConfigured`. */
  readonly statusCode: string;
  readonly quarantineReason?: string;
  readonly lastCycleAt?: string;
  /** e.g. `Succeeded`, `Failed`, `Warning`. */
  readonly lastCycleState?: string;
  /** e.g. { users: 12, groups: 3 }, when Graph says. */
  readonly lastCycleCounts?: Readonly<Record<string, number>>;
  readonly lastError?: string;
}

export interface SsoHealth {
  /** dbt's SSO method (e.g. `okta`, `azure_single_tenant`), or null when SSO is not set up. */
  readonly method: string | null;
  /** The IdP signing certificate's expiry, where the Admin API shows it. */
  readonly certificateExpiresAt: string | null;
}

export interface StatusReport {
  readonly profileId: string;
  readonly profileName: string;
  readonly idp: Idp | null;
  readonly checkedAt: string;
  /** True when no item failed and none is pending. */
  readonly ok: boolean;
  readonly token: TokenHealth | null;
  readonly rotation: RotationDue;
  readonly job: JobHealth | null;
  readonly sso: SsoHealth | null;
  readonly items: readonly HealthItem[];
}
