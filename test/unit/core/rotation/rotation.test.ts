/**
 * The rotation state machine over in-memory ports: the invariant (the identity provider always
 * holds a token dbt accepts) after a failure at every port call, before or after its effect; a
 * re-run finishing from the journal with exactly one new token; the old token never deleted before
 * the new one is proven; Entra's rollback; Okta's pending paste and its proof.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../../../electron/core/engine.js';
import { WizardError } from '../../../../electron/core/errors.js';
import { memoryLogger } from '../../../../electron/core/logger.js';
import type { ScimProbePort, ScimProbeResult } from '../../../../electron/core/dbt/ports.js';
import type { GraphPort, SyncJob } from '../../../../electron/core/entra/ports.js';
import {
  chooseOldToken,
  rotationFromJournal,
  rotationStep,
  type NewTokenKeeper,
} from '../../../../electron/core/rotation/rotation.js';
import { entraSink, oktaSink } from '../../../../electron/core/rotation/sinks.js';
import { MemoryJournalStore } from '../../../../electron/core/store/journal-file.js';
import { FakeClock } from '../../../helpers/fake-clock.js';
import { MemoryDbtAdmin } from '../../../helpers/memory-dbt.js';

const OLD = 'oldScimTokenValue0123456789abcdef';
const SCIM_URL = 'https://cloud.getdbt.com/api/scim/v2/accounts/1';

/** Fails the n-th port call (counting every call of every wrapped port), before or after its effect. */
class Faults {
  calls: string[] = [];
  failAt: number | undefined;
  mode: 'before' | 'after' = 'before';

  wrap<T extends object>(name: string, obj: T): T {
    return new Proxy(obj, {
      get: (target, prop, receiver) => {
        const v: unknown = Reflect.get(target, prop, receiver);
        if (typeof v !== 'function') {
          return v;
        }
        const fn = v as (...args: unknown[]) => Promise<unknown>;
        return async (...args: unknown[]): Promise<unknown> => {
          const n = this.calls.length;
          this.calls.push(`${name}.${String(prop)}`);
          const fail = n === this.failAt;
          if (fail && this.mode === 'before') {
            throw new WizardError('network_reset', `injected failure at ${name}.${String(prop)}`, {
              remediation: 'retry',
              retryable: true,
            });
          }
          const r = await fn.apply(target, args);
          if (fail) {
            throw new WizardError('network_reset', `answer lost at ${name}.${String(prop)}`, {
              remediation: 'retry',
              retryable: true,
            });
          }
          return r;
        };
      },
    });
  }
}

/** dbt (Admin API + SCIM), an Entra app holding a token, a journal and a clock. */
function world() {
  const clock = new FakeClock();
  const admin = new MemoryDbtAdmin();
  admin.tokens.set(1, {
    id: 1,
    name: 'scim-old',
    createdAt: '2026-01-01T00:00:00Z',
    lastUsed: '2026-11-28T00:00:00.000Z',
    value: OLD,
  });
  const accepts = (token: string): boolean =>
    [...admin.tokens.values()].some((t) => t.value === token);
  /** Every SCIM call moves the token's last use (one second later each time). */
  const use = (token: string): boolean => {
    const t = [...admin.tokens.values()].find((x) => x.value === token);
    if (!t) {
      return false;
    }
    clock.advance(1000);
    admin.tokens.set(t.id, { ...t, lastUsed: clock.now().toISOString() });
    return true;
  };
  const probe: ScimProbePort = {
    probe: ({ token }): Promise<ScimProbeResult> => {
      const ok = use(token);
      const at = clock.now().toISOString();
      return Promise.resolve(
        ok
          ? { checks: [{ id: 'scim.users.list', status: 'pass', message: 'ok', at }] }
          : {
              checks: [{ id: 'scim.users.list', status: 'fail', message: 'dbt said 401', at }],
              failure: { code: 'auth_failed', checkId: 'scim.users.list' },
            },
      );
    },
    findUser: () => Promise.resolve(undefined),
    listUsers: () => Promise.resolve([]),
  };
  const entra = { secret: OLD, quarantine: false, puts: 0 };
  const job = (): SyncJob => ({
    id: 'job1',
    templateId: 'scim',
    scheduleState: 'Active',
    statusCode: entra.quarantine ? 'Quarantine' : 'Active',
    quarantine: entra.quarantine
      ? {
          reason: 'EncounteredQuarantineException',
          currentBegan: null,
          nextAttempt: null,
          seriesBegan: null,
          seriesCount: 1,
          error: { code: 'Unauthorized', message: '401 from dbt' },
        }
      : null,
    lastExecution: null,
    lastSuccessfulExecution: null,
    steadyStateFirstAchievedTime: null,
  });
  const graph = {
    validateCredentials: (
      _sp: string,
      _job: string,
      creds: { baseAddress: string; secretToken: string },
    ): Promise<void> =>
      use(creds.secretToken)
        ? Promise.resolve()
        : Promise.reject(
            new WizardError('invalid_response', 'Entra: invalid credentials', {
              remediation: 'x',
            }),
          ),
    putSecrets: (
      _sp: string,
      secrets: readonly { key: string; value: string }[],
    ): Promise<void> => {
      entra.puts += 1;
      const t = secrets.find((s) => s.key === 'SecretToken');
      if (t) {
        entra.secret = t.value;
      }
      return Promise.resolve();
    },
    getJob: (): Promise<SyncJob> => Promise.resolve(job()),
  } as unknown as GraphPort;
  const journal = new MemoryJournalStore();
  const engine = new Engine({ journal, clock, log: memoryLogger().logger, emit: () => undefined });
  return { clock, admin, probe, graph, entra, journal, engine, accepts, use };
}
type World = ReturnType<typeof world>;

function memoryKeeper(): NewTokenKeeper & { value: string | undefined } {
  const k = {
    value: undefined as string | undefined,
    get: () => Promise.resolve(k.value),
    set: (v: string) => {
      k.value = v;
      return Promise.resolve();
    },
    clear: () => {
      k.value = undefined;
      return Promise.resolve();
    },
  };
  return k;
}

interface RunOptions {
  readonly faults?: Faults;
  readonly keeper?: NewTokenKeeper;
  readonly oldValue?: string | null;
  readonly idp?: 'entra' | 'okta';
  readonly keepOld?: boolean;
}

/** One run of the rotation through the engine, as a fresh process would do it. */
async function runOnce(w: World, o: RunOptions = {}) {
  const faults = o.faults ?? new Faults();
  const admin = faults.wrap('admin', w.admin);
  const probe = faults.wrap('probe', w.probe);
  const sink =
    o.idp === 'okta'
      ? oktaSink({ admin, handOver: () => Promise.resolve(false) })
      : entraSink({
          graph: faults.wrap('graph', w.graph),
          spId: 'sp1',
          jobId: 'job1',
          scimUrl: SCIM_URL,
        });
  const step = rotationStep({
    admin,
    probe,
    scimUrl: SCIM_URL,
    sink,
    keeper: o.keeper ?? memoryKeeper(),
    current: rotationFromJournal(await w.journal.read('p')),
    ...(o.oldValue === null ? {} : { oldValue: o.oldValue ?? OLD }),
    ...(o.keepOld ? { keepOld: true } : {}),
  });
  const result = await w.engine.run(step, { profileId: 'p', mode: 'apply' });
  return { result, step, calls: faults.calls };
}

/** The old token may only go once the identity provider holds the new one (and dbt accepts it). */
function guardOldDeletion(w: World, idpHolds: () => string | undefined): void {
  const original = w.admin.deleteScimToken.bind(w.admin);
  w.admin.deleteScimToken = (id: number) => {
    if (id === 1) {
      const held = idpHolds();
      expect(held).toBeDefined();
      expect(held).not.toBe(OLD);
      expect(w.accepts(held ?? '')).toBe(true);
    }
    return original(id);
  };
}

/** Port calls of a clean Entra rotation. */
const total = (await runOnce(world())).calls.length;

const liveIds = (w: World): number[] => [...w.admin.tokens.keys()].sort((a, b) => a - b);

describe('Entra rotation', () => {
  it('runs every stage in order and ends with only the new token, which Entra holds', async () => {
    const w = world();
    guardOldDeletion(w, () => w.entra.secret);
    const { result, step, calls } = await runOnce(w);
    expect(result.phase).toBe('verified');
    expect(step.state()?.stage).toBe('done');
    expect(liveIds(w)).toHaveLength(1);
    const [id] = liveIds(w);
    expect(id).not.toBe(1);
    expect(w.entra.secret).toBe(w.admin.tokens.get(id ?? 0)?.value);
    expect(calls.indexOf('admin.createScimToken')).toBeLessThan(
      calls.indexOf('graph.validateCredentials'),
    );
    expect(calls.indexOf('graph.putSecrets')).toBeLessThan(calls.indexOf('graph.getJob'));
    expect(calls.lastIndexOf('admin.deleteScimToken')).toBeGreaterThan(
      calls.indexOf('graph.getJob'),
    );
    expect(result.checks.map((c) => [c.id, c.status])).toEqual([
      ['rotation.created', 'pass'],
      ['rotation.checked', 'pass'],
      ['rotation.installed', 'pass'],
      ['rotation.proven', 'pass'],
      ['rotation.old-deleted', 'pass'],
      ['rotation.old-refused', 'pass'],
    ]);
    // The journal has ids and names, never a value.
    const text = JSON.stringify(await w.journal.read('p'));
    expect(text).not.toContain(OLD);
    expect(text).not.toContain(w.entra.secret);
    expect(text).toContain('"newTokenId"');
  });

  it('keeps the old token with keepOld, and says it still works', async () => {
    const w = world();
    const { result } = await runOnce(w, { keepOld: true });
    expect(result.phase).toBe('verified');
    expect(liveIds(w)).toHaveLength(2);
    expect(w.admin.tokens.has(1)).toBe(true);
    expect(result.checks.find((c) => c.id === 'rotation.old-deleted')).toMatchObject({
      status: 'skip',
      message: expect.stringContaining('still works') as unknown,
    });
  });

  for (const mode of ['before', 'after'] as const) {
    it(`survives a failure ${mode} each of the ${total} port calls, and a re-run finishes`, async () => {
      for (let k = 0; k < total; k++) {
        const w = world();
        guardOldDeletion(w, () => w.entra.secret);
        const faults = new Faults();
        faults.failAt = k;
        faults.mode = mode;
        const first = await runOnce(w, { faults });
        const where = `${mode} call ${k} (${faults.calls[k] ?? '?'})`;
        // The invariant, right after the failure.
        expect(w.accepts(w.entra.secret), where).toBe(true);
        if (first.result.phase !== 'verified') {
          expect(first.result.error, where).toBeDefined();
          // Before the deletion stage, the old token is still there and works.
          if (!w.admin.tokens.has(1)) {
            expect(w.entra.secret, where).not.toBe(OLD);
          }
          // A re-run in a new process (the new value is lost) finishes.
          const again = await runOnce(w);
          expect(again.result.phase, `${where}: ${again.result.error?.message ?? ''}`).toBe(
            'verified',
          );
        }
        expect(w.accepts(w.entra.secret), where).toBe(true);
        expect(liveIds(w), where).toHaveLength(1);
        expect(w.admin.tokens.has(1), where).toBe(false);
        expect(w.entra.secret, where).toBe(w.admin.tokens.get(liveIds(w)[0] ?? 0)?.value);
      }
    });
  }

  it('honours keepOld given on the re-run, before the old token is deleted', async () => {
    const w = world();
    const faults = new Faults();
    const calls = (await runOnce(world())).calls;
    faults.failAt = calls.lastIndexOf('admin.deleteScimToken');
    const first = await runOnce(w, { faults });
    expect(first.step.state()?.stage).toBe('proven');
    const again = await runOnce(w, { keepOld: true });
    expect(again.result.phase).toBe('verified');
    expect(w.admin.tokens.has(1)).toBe(true);
    expect(again.step.state()?.keepOld).toBe(true);
  });

  it('puts the old secret back when saving the new one fails after Entra applied it', async () => {
    const w = world();
    const faults = new Faults();
    // Count to the first putSecrets of a clean run.
    faults.failAt = (await runOnce(world())).calls.indexOf('graph.putSecrets');
    faults.mode = 'after';
    const keeper = memoryKeeper();
    const { result, step } = await runOnce(w, { faults, keeper });
    expect(result.phase).toBe('failed');
    expect(result.error?.message).toMatch(/given its old token back/);
    expect(w.entra.secret).toBe(OLD);
    expect(w.entra.puts).toBe(2);
    expect(step.state()).toMatchObject({ stage: 'checked', rolledBack: true, newInIdp: false });
    // The wizard keeps the value: the re-run installs the same new token.
    const newId = step.state()?.newTokenId;
    const again = await runOnce(w, { keeper });
    expect(again.result.phase).toBe('verified');
    expect(liveIds(w)).toEqual([newId]);
  });

  it('without the old value, a failed update that may have landed is not undone blindly', async () => {
    const w = world();
    const faults = new Faults();
    faults.failAt = (await runOnce(world(), { oldValue: null })).calls.indexOf('graph.putSecrets');
    faults.mode = 'after';
    const first = await runOnce(w, { faults, oldValue: null });
    expect(first.result.error?.message).toMatch(/holds the old token or the new one/);
    expect(w.accepts(w.entra.secret)).toBe(true);
    // A new process has neither value: it refuses to delete the token Entra may hold.
    const second = await runOnce(w, { oldValue: null });
    expect(second.result.error?.code).toBe('conflict');
    expect(w.accepts(w.entra.secret)).toBe(true);
    expect(liveIds(w)).toHaveLength(2);
    // Given the old value, it puts it back, starts over and finishes.
    const third = await runOnce(w);
    expect(third.result.phase).toBe('verified');
    expect(liveIds(w)).toHaveLength(1);
    expect(w.entra.secret).toBe(w.admin.tokens.get(liveIds(w)[0] ?? 0)?.value);
  });

  it('rolls back when the job is in quarantine after the update', async () => {
    const w = world();
    const original = w.graph.putSecrets.bind(w.graph);
    w.graph.putSecrets = async (sp, secrets, signal) => {
      await original(sp, secrets, signal);
      w.entra.quarantine = w.entra.secret !== OLD;
    };
    const { result } = await runOnce(w);
    expect(result.phase).toBe('failed');
    expect(result.error?.message).toMatch(/quarantine/);
    expect(w.entra.secret).toBe(OLD);
    expect(w.admin.tokens.has(1)).toBe(true);
  });

  it('never deletes the old token when the new one is refused by dbt', async () => {
    const w = world();
    const original = w.probe.probe.bind(w.probe);
    let first = true;
    w.probe.probe = (o) => {
      if (o.token !== OLD && first) {
        first = false;
        return Promise.resolve({
          checks: [{ id: 'scim.users.list', status: 'fail', message: 'dbt said 401', at: 'x' }],
          failure: { code: 'auth_failed', checkId: 'scim.users.list' },
        });
      }
      return original(o);
    };
    const { result, calls } = await runOnce(w);
    expect(result.error?.code).toBe('auth_failed');
    expect(result.error?.message).toMatch(/old token stays in place/);
    expect(calls).not.toContain('graph.putSecrets');
    expect(w.entra.secret).toBe(OLD);
    expect(w.admin.tokens.has(1)).toBe(true);
  });
});

describe('Okta rotation', () => {
  it('stops pending at the paste, then finishes once dbt sees Okta use the new token', async () => {
    const w = world();
    const okta: { holds?: string } = {};
    guardOldDeletion(w, () => okta.holds);
    const first = await runOnce(w, { idp: 'okta' });
    expect(first.result.phase).toBe('failed');
    expect(first.result.error).toBeUndefined();
    expect(first.result.checks.find((c) => c.id === 'rotation.proven')?.status).toBe('pending');
    expect(first.result.checks.find((c) => c.id === 'rotation.installed')?.status).toBe('pending');
    expect(w.admin.tokens.has(1)).toBe(true);
    // A re-run without Okta's call stays pending and deletes nothing it should not.
    const newId = first.step.state()?.newTokenId ?? 0;
    const stillValue = w.admin.tokens.get(newId)?.value ?? '';
    // The admin pastes (the value reached them another way) and tests the connector.
    okta.holds = stillValue;
    w.use(stillValue);
    const second = await runOnce(w, { idp: 'okta' });
    expect(second.result.phase).toBe('verified');
    expect(liveIds(w)).toEqual([newId]);
  });

  it('remakes a new token whose value never left this computer, never a second one', async () => {
    const w = world();
    const first = await runOnce(w, { idp: 'okta' });
    const firstId = first.step.state()?.newTokenId;
    const second = await runOnce(w, { idp: 'okta' });
    const secondId = second.step.state()?.newTokenId;
    expect(secondId).not.toBe(firstId);
    expect(liveIds(w)).toEqual([1, secondId]);
    expect(second.result.checks.find((c) => c.id === 'rotation.proven')?.status).toBe('pending');
  });

  it('never deletes a new token that was handed over, while waiting for the proof', async () => {
    const w = world();
    const admin = w.admin;
    const keeper = memoryKeeper();
    const step = rotationStep({
      admin,
      probe: w.probe,
      scimUrl: SCIM_URL,
      sink: oktaSink({ admin, handOver: () => Promise.resolve(true) }),
      keeper,
      current: undefined,
      oldValue: OLD,
    });
    await w.engine.run(step, { profileId: 'p', mode: 'apply' });
    const id = step.state()?.newTokenId;
    const again = await runOnce(w, { idp: 'okta' });
    expect(again.step.state()?.newTokenId).toBe(id);
    expect(liveIds(w)).toEqual([1, id]);
  });
});

describe('choosing the old token', () => {
  const at = new Date('2026-11-29T10:00:00Z');
  const t = (id: number, lastUsed: string | null) => ({
    id,
    name: `t${id}`,
    createdAt: '2026-01-01T00:00:00Z',
    lastUsed,
  });

  it('takes the most recently used one and says so', () => {
    const r = chooseOldToken([t(1, '2026-10-01T00:00:00Z'), t(2, '2026-11-29T09:00:00Z')], at);
    expect(r.token.id).toBe(2);
    expect(r.reason).toMatch(/most recently used/);
  });

  it('refuses when none was used, or several are in use', () => {
    expect(() => chooseOldToken([t(1, null)], at)).toThrow(/ever used/);
    expect(() =>
      chooseOldToken([t(1, '2026-11-28T00:00:00Z'), t(2, '2026-11-29T09:00:00Z')], at),
    ).toThrow(/More than one/);
  });

  it('takes the one given by id, or refuses an unknown id', () => {
    expect(chooseOldToken([t(1, null), t(2, null)], at, 1).token.id).toBe(1);
    expect(() => chooseOldToken([t(1, null)], at, 9)).toThrow(/no SCIM token with id 9/);
  });
});
