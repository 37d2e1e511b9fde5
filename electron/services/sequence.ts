/**
 * Plan / apply / verify over an ordered list of steps, each through the engine, as the IdP sides
 * run them: verify reads every step back; plan lists every step's changes; apply plans first,
 * changes nothing unless the plan is the one the admin reviewed (and confirmed), then applies step
 * by step (each plans again, now that the earlier ones made their objects).
 */
import type { Engine, RunResult } from '../core/engine.js';
import type { Change, ErrorInfo, RunPhase } from '../core/model.js';
import type { Step } from '../core/steps.js';
import type { Clock, HttpClient, JournalStore, SecretStore } from '../core/ports.js';
import type { ProfileStore } from '../core/store/profiles.js';

/** What every service that runs steps is built from (the composition root has them all). */
export interface StepServiceDeps {
  readonly http: HttpClient;
  readonly clock: Clock;
  readonly engine: Engine;
  readonly journal: JournalStore;
  readonly profiles: ProfileStore;
  readonly secrets: SecretStore;
}

export type SequenceMode = 'plan' | 'apply' | 'verify';

export interface SequenceOptions {
  readonly engine: Engine;
  /** The journal (profile id, or a CLI id) the engine writes to. */
  readonly journalId: string;
  /** apply: the change ids the admin reviewed; a different plan stops before changing anything. */
  readonly expectedChangeIds?: readonly string[];
  /** apply: asked with the plan before anything changes; false stops after planning. */
  readonly confirm?: (changes: readonly Change[]) => Promise<boolean>;
  readonly signal?: AbortSignal;
  /** How the planned changes read (e.g. deferred lines folded); default as planned. */
  readonly summarise?: (changes: Change[]) => Change[];
  /**
   * When apply stops: at the first step that does not verify (`unverified`), or only at an error
   * (`error`: a step may stay pending on a console step and later steps still run).
   */
  readonly stopApplyOn: 'unverified' | 'error';
}

export interface SequenceResult {
  /** `planned` (plan, or apply stopped before changing anything), `verified`, `failed`, `cancelled`. */
  readonly phase: RunPhase;
  /** plan: what apply would change; apply: what it changed (or would have). */
  readonly changes: Change[];
  readonly error?: ErrorInfo;
  /** Each step's run, in order (apply: the apply runs only). */
  readonly runs: RunResult[];
}

export async function runSequence(
  steps: readonly Step[],
  mode: SequenceMode,
  options: SequenceOptions,
): Promise<SequenceResult> {
  const runs: RunResult[] = [];
  const run = async (step: Step, m: SequenceMode): Promise<RunResult> => {
    const r = await options.engine.run(step, {
      profileId: options.journalId,
      mode: m,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    runs.push(r);
    return r;
  };
  const done = (phase: RunPhase, changes: Change[], error?: ErrorInfo): SequenceResult => ({
    phase,
    changes,
    runs,
    ...(error ? { error } : {}),
  });
  const allVerified = (): RunPhase =>
    runs.every((r) => r.phase === 'verified') ? 'verified' : 'failed';

  if (mode === 'verify') {
    for (const step of steps) {
      const r = await run(step, 'verify');
      if (r.error) {
        return done(r.phase, [], r.error);
      }
    }
    return done(allVerified(), []);
  }

  const summarise = options.summarise ?? ((c: Change[]) => c);
  const planned: Change[] = [];
  for (const step of steps) {
    const r = await run(step, 'plan');
    if (r.error) {
      return done(r.phase, summarise(planned), r.error);
    }
    planned.push(...r.changes);
  }
  const changes = summarise(planned);
  if (mode === 'plan') {
    return done('planned', changes);
  }
  const expected = options.expectedChangeIds;
  if (
    expected &&
    (expected.length !== changes.length || !changes.every((c) => expected.includes(c.id)))
  ) {
    return done('planned', changes);
  }
  if (changes.length > 0 && options.confirm && !(await options.confirm(changes))) {
    return done('planned', changes);
  }
  runs.length = 0;
  const applied: Change[] = [];
  for (const step of steps) {
    const r = await run(step, 'apply');
    applied.push(...r.changes);
    const stop = options.stopApplyOn === 'error' ? r.error !== undefined : r.phase !== 'verified';
    if (stop) {
      return done(r.phase, applied, r.error);
    }
  }
  return done(allVerified(), applied);
}

/**
 * A headless run's memory: string fields of one IdP's steps (ids of the objects they found or
 * made) folded from the journal entries of earlier runs, plus what this run learned.
 */
export function journalFoldedStore<T extends object>(
  journal: JournalStore,
  journalId: string,
  kindPrefix: string,
  pick: (data: Readonly<Record<string, unknown>> | undefined) => T,
): { load(): Promise<T>; save(patch: T): Promise<void> } {
  let overlay = {} as T;
  return {
    async load() {
      const folded: Record<string, unknown> = {};
      for (const e of await journal.read(journalId)) {
        const kind = e.data?.kind;
        if (typeof kind === 'string' && kind.startsWith(kindPrefix)) {
          Object.assign(folded, pick(e.data));
        }
      }
      return { ...(folded as T), ...overlay };
    },
    save(patch) {
      overlay = { ...overlay, ...patch };
      return Promise.resolve();
    },
  };
}
