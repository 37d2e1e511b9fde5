/**
 * The step model. Every piece of work the wizard does on a remote system is a step with
 *  - `plan`: reads the remote state and returns the diff of desired vs observed (no writes);
 *  - `apply`: makes the plan true; idempotent, so a re-run after any failure converges and never
 *    creates a second app, job or token;
 *  - `verify`: reads everything back and reports each item as pass, fail or pending;
 *  - `rollback` (optional): undoes what `apply` did, where undoing makes sense.
 *
 * Concrete steps are values of the `Step` union, discriminated by `kind`. Later capabilities add
 * their kinds to `StepKind`.
 */
import type { Change, Check, StepId } from './model.js';
import type { Clock, Logger } from './ports.js';

export interface StepContext {
  readonly profileId: string;
  readonly runId: string;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly clock: Clock;
  /** Tells the admin what is happening now ("Waiting for Entra to finish creating the app…"). */
  progress(message: string): void;
  /** Resume data an interrupted apply of this step recorded (ids of objects it created). */
  readonly resume: Readonly<Record<string, unknown>>;
  /** Records resume data at once in the journal; never pass a secret. */
  remember(data: Record<string, unknown>): Promise<void>;
}

export interface StepPlan {
  /** Every change `apply` would make; empty when the remote already matches. */
  readonly changes: readonly Change[];
  /** Console-only items `apply` cannot do (reported as pending until verified). */
  readonly manual?: readonly Check[];
}

export interface StepDefinition<K extends string = string> {
  readonly kind: K;
  /** The rail step this work belongs to. */
  readonly stepId: StepId;
  readonly title: string;
  plan(ctx: StepContext): Promise<StepPlan>;
  apply(plan: StepPlan, ctx: StepContext): Promise<void>;
  verify(ctx: StepContext): Promise<Check[]>;
  rollback?(ctx: StepContext): Promise<void>;
}

/** Kinds of step. Each capability adds its own. */
export type StepKind = string;

export type Step = StepDefinition;

/** For exhaustive switches over discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
}
