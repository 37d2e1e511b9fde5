/**
 * The renderer's view of the wizard model: types taken from the IPC contract, the rail order and
 * the words shown for ids. The compile-time checks below fail if the contract gains a step, a
 * status or an IdP that the renderer does not know about.
 */
import type { EngineEventDto, ProfileDto } from '../../electron/ipc/contract.js';
import type { InterruptedRun } from './api/client.js';

export type StepId = ProfileDto['currentStep'];
export type StepStatus = ProfileDto['steps'][StepId]['status'];
export type Idp = NonNullable<ProfileDto['idp']>;
export type RunPhase = InterruptedRun['phase'];
export type { EngineEventDto, ProfileDto };

/** The steps in rail order (same as core's STEP_IDS). */
export const STEP_ORDER = ['prerequisites', 'dbt', 'idp', 'license', 'test', 'rotation'] as const;

export const IDP_NAMES: Readonly<Record<Idp, string>> = {
  okta: 'Okta',
  entra: 'Microsoft Entra ID',
};

/** The short name used where space is tight (the rail). */
export const IDP_SHORT_NAMES: Readonly<Record<Idp, string>> = {
  okta: 'Okta',
  entra: 'Entra ID',
};

export const STATUS_LABELS: Readonly<Record<StepStatus, string>> = {
  not_started: 'Not started',
  in_progress: 'In progress',
  needs_you: 'Needs you',
  verified: 'Verified',
  failed: 'Failed',
};

/** A phase as a noun phrase: "interrupted during the apply phase". */
export const PHASE_NOUNS: Readonly<Record<RunPhase, string>> = {
  planning: 'the planning phase',
  planned: 'the planning phase',
  applying: 'the apply phase',
  applied: 'the apply phase',
  verifying: 'the verification phase',
  verified: 'the verification phase',
  failed: 'a failed phase',
  cancelled: 'a cancelled phase',
};

/** A phase as a status line: "dbt: applying changes". */
export const PHASE_STATUS: Readonly<Record<RunPhase, string>> = {
  planning: 'working out the changes',
  planned: 'plan ready to review',
  applying: 'applying changes',
  applied: 'changes applied',
  verifying: 'checking the result by reading it back',
  verified: 'verified',
  failed: 'failed',
  cancelled: 'cancelled',
};

export function statusOf(profile: ProfileDto, step: StepId): StepStatus {
  const steps: Partial<ProfileDto['steps']> = profile.steps;
  return steps[step]?.status ?? 'not_started';
}

// Compile-time: STEP_ORDER lists exactly the contract's step ids.
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
export type StepOrderMatchesContract = Assert<Exact<(typeof STEP_ORDER)[number], StepId>>;
