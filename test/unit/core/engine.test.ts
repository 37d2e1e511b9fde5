import { describe, expect, it } from 'vitest';
import { Engine, findInterrupted, type EngineEvent } from '../../../electron/core/engine.js';
import { WizardError } from '../../../electron/core/errors.js';
import { memoryLogger } from '../../../electron/core/logger.js';
import type { Check } from '../../../electron/core/model.js';
import { registerSecret } from '../../../electron/core/redact.js';
import type { StepContext, StepDefinition, StepPlan } from '../../../electron/core/steps.js';
import { MemoryJournalStore } from '../../../electron/core/store/journal-file.js';
import { FakeClock } from '../../helpers/fake-clock.js';

/** A toy remote: a set of flags the step makes true, with failure injection. */
function flagStep(
  remote: Set<string>,
  desired: string[],
  opts: { failOnApply?: string; secret?: string } = {},
) {
  const calls: string[] = [];
  const step: StepDefinition<'test.flags'> = {
    kind: 'test.flags',
    stepId: 'dbt',
    title: 'Flags',
    plan(): Promise<StepPlan> {
      calls.push('plan');
      return Promise.resolve({
        changes: desired
          .filter((f) => !remote.has(f))
          .map((f) => ({
            id: f,
            action: 'add' as const,
            target: `flag ${f}`,
            detail: `turn ${f} on`,
          })),
      });
    },
    async apply(plan: StepPlan, ctx: StepContext) {
      calls.push('apply');
      for (const c of plan.changes) {
        if (opts.failOnApply === c.id) {
          throw new WizardError(
            'server_error',
            `the server failed on ${c.id} ${opts.secret ?? ''}`,
            {
              remediation: 'Retry.',
              retryable: true,
            },
          );
        }
        ctx.progress(`turning ${c.id} on`);
        remote.add(c.id);
        await ctx.remember({ [`done_${c.id}`]: true });
      }
    },
    verify(ctx: StepContext): Promise<Check[]> {
      calls.push('verify');
      return Promise.resolve(
        desired.map((f) => ({
          id: f,
          status: remote.has(f) ? ('pass' as const) : ('fail' as const),
          message: f,
          at: ctx.clock.now().toISOString(),
        })),
      );
    },
  };
  return { step, calls };
}

function setup() {
  const journal = new MemoryJournalStore();
  const events: EngineEvent[] = [];
  const { logger, records } = memoryLogger();
  const engine = new Engine({
    journal,
    clock: new FakeClock(),
    log: logger,
    emit: (e) => events.push(e),
  });
  return { journal, events, engine, records };
}

describe('Engine', () => {
  it('plans without changing anything', async () => {
    const { engine, journal } = setup();
    const remote = new Set<string>(['a']);
    const { step, calls } = flagStep(remote, ['a', 'b']);
    const r = await engine.run(step, { profileId: 'p1', mode: 'plan' });
    expect(r.phase).toBe('planned');
    expect(r.changes.map((c) => c.id)).toEqual(['b']);
    expect(calls).toEqual(['plan']);
    expect([...remote]).toEqual(['a']);
    expect(journal.entries.map((e) => e.phase)).toEqual(['planning', 'planned']);
  });

  it('applies then verifies, emitting phases and progress in order', async () => {
    const { engine, events } = setup();
    const remote = new Set<string>();
    const { step } = flagStep(remote, ['a', 'b']);
    const r = await engine.run(step, { profileId: 'p1', mode: 'apply' });
    expect(r.phase).toBe('verified');
    expect(r.checks.every((c) => c.status === 'pass')).toBe(true);
    const phases = events.flatMap((e) => (e.type === 'phase' ? [e.phase] : []));
    expect(phases).toEqual([
      'planning',
      'planned',
      'applying',
      'applying',
      'applying',
      'applied',
      'verifying',
      'verified',
    ]);
    const progress = events.flatMap((e) => (e.type === 'progress' ? [e.message] : []));
    expect(progress).toEqual(['turning a on', 'turning b on']);
  });

  it('stops after planning when the admin does not confirm', async () => {
    const { engine } = setup();
    const remote = new Set<string>();
    const { step, calls } = flagStep(remote, ['a']);
    const r = await engine.run(step, {
      profileId: 'p1',
      mode: 'apply',
      confirm: () => Promise.resolve(false),
    });
    expect(r.phase).toBe('planned');
    expect(calls).toEqual(['plan']);
    expect(remote.size).toBe(0);
  });

  it('records a failure with a redacted typed error, and a re-run resumes the same run and converges', async () => {
    const { engine, journal } = setup();
    registerSecret('engine-planted-secret-31337');
    const remote = new Set<string>();
    const first = flagStep(remote, ['a', 'b', 'c'], {
      failOnApply: 'b',
      secret: 'engine-planted-secret-31337',
    });
    const r1 = await engine.run(first.step, { profileId: 'p1', mode: 'apply' });
    expect(r1.phase).toBe('failed');
    expect(r1.error?.code).toBe('server_error');
    expect(JSON.stringify(journal.entries)).not.toContain('engine-planted-secret-31337');
    expect([...remote]).toEqual(['a']);

    // A failed run is terminal; nothing is interrupted.
    expect(findInterrupted(await journal.read('p1'))).toEqual([]);

    const second = flagStep(remote, ['a', 'b', 'c']);
    const r2 = await engine.run(second.step, { profileId: 'p1', mode: 'apply' });
    expect(r2.phase).toBe('verified');
    expect([...remote].sort()).toEqual(['a', 'b', 'c']);
  });

  it('finds a run interrupted mid-apply and resumes it with its remembered data', async () => {
    const { engine, journal } = setup();
    // Simulate a crash: the journal ends in "applying" with resume data.
    await journal.append({
      runId: 'r-old',
      profileId: 'p1',
      step: 'dbt',
      phase: 'planning',
      at: 't',
      data: { kind: 'test.flags' },
    });
    await journal.append({
      runId: 'r-old',
      profileId: 'p1',
      step: 'dbt',
      phase: 'applying',
      at: 't',
      data: { kind: 'test.flags', done_a: true },
    });
    const interrupted = findInterrupted(await journal.read('p1'));
    expect(interrupted).toHaveLength(1);
    expect(interrupted[0]).toMatchObject({ runId: 'r-old', phase: 'applying', kind: 'test.flags' });

    let seenResume: Record<string, unknown> = {};
    const remote = new Set<string>(['a']);
    const { step } = flagStep(remote, ['a', 'b']);
    const wrapped: StepDefinition<'test.flags'> = {
      ...step,
      apply: (plan, ctx) => {
        seenResume = { ...ctx.resume };
        return step.apply(plan, ctx);
      },
    };
    const r = await engine.run(wrapped, { profileId: 'p1', mode: 'apply' });
    expect(r.resumed).toBe(true);
    expect(r.runId).toBe('r-old');
    expect(seenResume.done_a).toBe(true);
    expect(findInterrupted(await journal.read('p1'))).toEqual([]);
  });

  it('honours an AbortSignal before applying', async () => {
    const { engine } = setup();
    const remote = new Set<string>();
    const { step, calls } = flagStep(remote, ['a']);
    const ac = new AbortController();
    ac.abort();
    const r = await engine.run(step, { profileId: 'p1', mode: 'apply', signal: ac.signal });
    expect(r.phase).toBe('cancelled');
    expect(calls).toEqual([]);
  });

  it('reports failed checks as a failed verification', async () => {
    const { engine } = setup();
    const remote = new Set<string>(['a']);
    const { step } = flagStep(remote, ['a', 'b']);
    const r = await engine.run(step, { profileId: 'p1', mode: 'verify' });
    expect(r.phase).toBe('failed');
    expect(r.checks.find((c) => c.id === 'b')?.status).toBe('fail');
  });
});
