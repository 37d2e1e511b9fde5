/**
 * The engine runs steps: plan → (confirm) → apply → verify. It emits typed progress events,
 * honours an AbortSignal, and writes a journal line after every transition so that an interrupted
 * run can be found and resumed. Journal lines and events carry no secret: they pass the redaction
 * sink like everything else.
 */
import { randomUUID } from 'node:crypto';
import { cancelled, errorInfo, isAbortError } from './errors.js';
import type { Change, Check, ErrorInfo, RunPhase, StepId } from './model.js';
import type { Clock, JournalEntry, JournalStore, Logger } from './ports.js';
import { redact, redactDeep } from './redact.js';
import type { Step, StepContext, StepPlan } from './steps.js';

export type EngineEvent =
  | {
      readonly type: 'phase';
      readonly runId: string;
      readonly profileId: string;
      readonly step: StepId;
      readonly kind: string;
      readonly phase: RunPhase;
      readonly at: string;
      readonly changes?: readonly Change[];
      readonly checks?: readonly Check[];
      readonly error?: ErrorInfo;
    }
  | {
      readonly type: 'progress';
      readonly runId: string;
      readonly profileId: string;
      readonly step: StepId;
      readonly kind: string;
      readonly message: string;
      readonly elapsedMs: number;
      readonly at: string;
    }
  | {
      /** Asks the window to show a profile's step (e.g. a rotation reminder was clicked). */
      readonly type: 'open';
      readonly profileId: string;
      readonly step: StepId;
      readonly at: string;
    };

export type RunMode = 'plan' | 'apply' | 'verify';

export interface RunOptions {
  readonly profileId: string;
  readonly mode: RunMode;
  readonly signal?: AbortSignal;
  /** Asked with the plan before anything changes; returning false stops after `planned`. */
  readonly confirm?: (plan: StepPlan) => Promise<boolean>;
}

export interface RunResult {
  readonly runId: string;
  readonly kind: string;
  readonly phase: RunPhase;
  readonly changes: readonly Change[];
  readonly checks: readonly Check[];
  readonly error?: ErrorInfo;
  /** True when this run picked up an interrupted one. */
  readonly resumed: boolean;
}

export interface EngineDeps {
  readonly journal: JournalStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly emit: (event: EngineEvent) => void;
}

const TERMINAL: ReadonlySet<RunPhase> = new Set(['verified', 'failed', 'cancelled', 'planned']);

/** The last run of a step kind that stopped before reaching a terminal phase, if any. */
export interface InterruptedRun {
  readonly runId: string;
  readonly kind: string;
  readonly step: StepId;
  readonly phase: RunPhase;
  readonly at: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export function findInterrupted(entries: readonly JournalEntry[], kind?: string): InterruptedRun[] {
  const runs = new Map<
    string,
    { last: JournalEntry; data: Record<string, unknown>; kind: string }
  >();
  for (const e of entries) {
    const k = typeof e.data?.kind === 'string' ? e.data.kind : '';
    const prev = runs.get(e.runId);
    const data = { ...(prev?.data ?? {}), ...(e.data ?? {}) };
    runs.set(e.runId, { last: e, data, kind: prev?.kind ?? k });
  }
  const out: InterruptedRun[] = [];
  for (const [runId, r] of runs) {
    if (TERMINAL.has(r.last.phase) || (kind !== undefined && r.kind !== kind)) {
      continue;
    }
    out.push({
      runId,
      kind: r.kind,
      step: r.last.step,
      phase: r.last.phase,
      at: r.last.at,
      data: r.data,
    });
  }
  return out;
}

export class Engine {
  constructor(private readonly deps: EngineDeps) {}

  async run(step: Step, options: RunOptions): Promise<RunResult> {
    const { journal, clock, log } = this.deps;
    const signal = options.signal ?? new AbortController().signal;
    const interrupted =
      options.mode === 'apply'
        ? findInterrupted(await journal.read(options.profileId), step.kind).at(-1)
        : undefined;
    const runId = interrupted?.runId ?? randomUUID();
    const started = clock.now().getTime();
    const resume: Record<string, unknown> = { ...(interrupted?.data ?? {}) };
    let changes: readonly Change[] = [];
    let checks: readonly Check[] = [];

    const record = async (
      phase: RunPhase,
      extra: Partial<Pick<JournalEntry, 'changes' | 'checks' | 'error' | 'data'>> = {},
    ): Promise<void> => {
      const at = clock.now().toISOString();
      const entry: JournalEntry = redactDeep({
        runId,
        profileId: options.profileId,
        step: step.stepId,
        phase,
        at,
        ...extra,
        data: { kind: step.kind, ...(extra.data ?? {}) },
      });
      await journal.append(entry);
      this.deps.emit({
        type: 'phase',
        runId,
        profileId: options.profileId,
        step: step.stepId,
        kind: step.kind,
        phase,
        at,
        ...(entry.changes ? { changes: entry.changes } : {}),
        ...(entry.checks ? { checks: entry.checks } : {}),
        ...(entry.error ? { error: entry.error } : {}),
      });
    };

    const ctx: StepContext = {
      profileId: options.profileId,
      runId,
      signal,
      clock,
      log: log.child(step.kind),
      resume,
      progress: (message) => {
        this.deps.emit({
          type: 'progress',
          runId,
          profileId: options.profileId,
          step: step.stepId,
          kind: step.kind,
          message: redact(message),
          elapsedMs: clock.now().getTime() - started,
          at: clock.now().toISOString(),
        });
      },
      remember: async (data) => {
        Object.assign(resume, data);
        await record('applying', { data });
      },
    };

    const result = (phase: RunPhase, error?: ErrorInfo): RunResult => ({
      runId,
      kind: step.kind,
      phase,
      changes,
      checks,
      resumed: interrupted !== undefined,
      ...(error ? { error } : {}),
    });

    const checkAbort = (): void => {
      if (signal.aborted) {
        throw cancelled();
      }
    };

    try {
      checkAbort();
      if (options.mode === 'verify') {
        await record('verifying');
        checks = await step.verify(ctx);
        return await this.finishVerify(record, result, checks);
      }

      await record('planning');
      const plan = await step.plan(ctx);
      changes = plan.changes;
      checkAbort();
      await record('planned', { changes, ...(plan.manual ? { checks: plan.manual } : {}) });
      if (options.mode === 'plan') {
        checks = plan.manual ?? [];
        return result('planned');
      }
      if (options.confirm && !(await options.confirm(plan))) {
        return result('planned');
      }

      checkAbort();
      await record('applying', { changes });
      await step.apply(plan, ctx);
      checkAbort();
      await record('applied');

      await record('verifying');
      checks = await step.verify(ctx);
      return await this.finishVerify(record, result, checks);
    } catch (e) {
      const info = errorInfo(e);
      const phase: RunPhase = isAbortError(e) ? 'cancelled' : 'failed';
      log.warn(`step ${step.kind} ${phase}`, { code: info.code, message: info.message });
      await record(phase, { error: info });
      return result(phase, info);
    }
  }

  private async finishVerify(
    record: (
      phase: RunPhase,
      extra?: Partial<Pick<JournalEntry, 'checks' | 'error'>>,
    ) => Promise<void>,
    result: (phase: RunPhase, error?: ErrorInfo) => RunResult,
    checks: readonly Check[],
  ): Promise<RunResult> {
    const ok = checks.every((c) => c.status === 'pass' || c.status === 'skip');
    const phase: RunPhase = ok ? 'verified' : 'failed';
    await record(phase, { checks });
    return result(phase);
  }
}
