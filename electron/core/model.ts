/**
 * The wizard's plain data model, shared by core, the IPC contract and the faces.
 *
 * This file imports nothing, so the renderer's type-check can read it without Node types.
 */

/** The wizard's steps, in rail order. */
export const STEP_IDS = ['prerequisites', 'dbt', 'idp', 'license', 'test', 'rotation'] as const;
export type StepId = (typeof STEP_IDS)[number];

/** Where a step stands for one profile. */
export const STEP_STATUSES = [
  'not_started',
  'in_progress',
  'needs_you',
  'verified',
  'failed',
] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

/** The identity providers we provision from. */
export const IDPS = ['okta', 'entra'] as const;
export type Idp = (typeof IDPS)[number];

/** One line of a plan: what apply would change, in the admin's words. */
export interface Change {
  readonly id: string;
  readonly action: 'add' | 'change' | 'remove';
  /** The object changed, e.g. `dbt scim-config` or `attribute emails[type eq "work"].primary`. */
  readonly target: string;
  /** The sentence an admin reads, e.g. `turn SCIM on`. */
  readonly detail: string;
}

export type CheckStatus = 'pass' | 'fail' | 'pending' | 'skip';

/** One read-back result of a verify, with the time it was taken. */
export interface Check {
  readonly id: string;
  readonly status: CheckStatus;
  readonly message: string;
  /** ISO 8601 time of the observation. */
  readonly at: string;
}

/** A run's phases, in the order the engine walks them. */
export const RUN_PHASES = [
  'planning',
  'planned',
  'applying',
  'applied',
  'verifying',
  'verified',
  'failed',
  'cancelled',
] as const;
export type RunPhase = (typeof RUN_PHASES)[number];

/** What an error looks like once it leaves the engine: a code and one redacted sentence. */
export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
}
