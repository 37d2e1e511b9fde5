/**
 * The Entra steps over an in-memory Graph: the whole setup, idempotency, resume, and each of
 * Entra's traps (instantiate 404 after creating, replication, 403/409 on new objects, duplicate
 * names, quarantine, provisionOnDemand's verdicts and its rate limit).
 */
import { describe, expect, it } from 'vitest';
import { Engine, type EngineEvent, type RunResult } from '../../../../electron/core/engine.js';
import { WizardError } from '../../../../electron/core/errors.js';
import { memoryLogger } from '../../../../electron/core/logger.js';
import type { Step } from '../../../../electron/core/steps.js';
import { MemoryJournalStore } from '../../../../electron/core/store/journal-file.js';
import {
  collapseDeferred,
  createEntraSteps,
  credentialsFingerprint,
  MemoryEntraStateStore,
  type EntraSetupOptions,
} from '../../../../electron/core/entra/steps.js';
import { explainQuarantine, explainVerdict } from '../../../../electron/core/entra/quarantine.js';
import type { SyncJob } from '../../../../electron/core/entra/ports.js';
import { FakeClock } from '../../../helpers/fake-clock.js';
import { MemoryGraph, NON_GALLERY, type MemoryGraphKnobs } from '../../../helpers/memory-graph.js';

const NAME = 'dbt SCIM';
const DBT = {
  scimUrl: 'https://cloud.getdbt.com/api/scim/v2/accounts/1',
  token: 'scimTokenValue0123456789abcd',
};

function world(knobs: MemoryGraphKnobs = {}, opts: Partial<EntraSetupOptions> = {}) {
  const clock = new FakeClock();
  const graph = new MemoryGraph(clock);
  graph.knobs = knobs;
  const store = new MemoryEntraStateStore();
  const journal = new MemoryJournalStore();
  const events: EngineEvent[] = [];
  const engine = new Engine({
    journal,
    clock,
    log: memoryLogger().logger,
    emit: (e) => events.push(e),
  });
  const make = (more: Partial<EntraSetupOptions> = {}) =>
    createEntraSteps({
      graph,
      store,
      appName: NAME,
      templateId: NON_GALLERY,
      dbt: DBT,
      probe: graph.probe(),
      ...opts,
      ...more,
    });
  const progress = () => events.flatMap((e) => (e.type === 'progress' ? [e.message] : []));
  async function run(
    mode: 'plan' | 'apply' | 'verify',
    more: Partial<EntraSetupOptions> = {},
  ): Promise<RunResult[]> {
    const out: RunResult[] = [];
    for (const step of make(more).all) {
      const r = await engine.run(step, { profileId: 'p1', mode });
      out.push(r);
      if (mode === 'apply' && r.phase !== 'verified') {
        break;
      }
    }
    return out;
  }
  return { clock, graph, store, journal, engine, events, make, run, progress };
}

const changesOf = (runs: RunResult[]) => runs.flatMap((r) => r.changes);
const checksOf = (runs: RunResult[]) => runs.flatMap((r) => r.checks);
const writes = (calls: string[]) =>
  calls.filter((c) =>
    [
      'instantiate',
      'createJob',
      'putSecrets',
      'putSchema',
      'startJob',
      'assignUser',
      'validateCredentials',
    ].includes(c),
  );

describe('a fresh tenant', () => {
  it('plans the app and describes the later steps in one line', async () => {
    const w = world();
    const runs = await w.run('plan');
    expect(runs.every((r) => r.phase === 'planned')).toBe(true);
    const changes = collapseDeferred(changesOf(runs));
    expect(changes.map((c) => c.detail)).toEqual([
      'create the enterprise app "dbt SCIM" from the non-gallery template ("Integrate any other application you don\'t find in the gallery")',
      'then: create the provisioning job, test the connection, save the credentials, set the attribute mappings (the exact list is shown once the app exists), start provisioning',
    ]);
    expect(writes(w.graph.calls)).toEqual([]);
  });

  it('applies everything in order, verifies, and a second run plans nothing', async () => {
    const w = world();
    const runs = await w.run('apply');
    expect(runs.map((r) => [r.kind, r.phase])).toEqual([
      ['entra.app', 'verified'],
      ['entra.job', 'verified'],
      ['entra.credentials', 'verified'],
      ['entra.schema', 'verified'],
      ['entra.start', 'verified'],
    ]);
    expect(w.graph.apps).toHaveLength(1);
    const app = w.graph.apps[0];
    expect(app?.jobs).toHaveLength(1);
    expect(app?.jobs[0]?.templateId).toBe('scim');
    expect(Object.fromEntries(app?.secrets ?? [])).toEqual({
      BaseAddress: DBT.scimUrl,
      SecretToken: DBT.token,
      SyncAll: 'false',
    });
    expect(app?.jobs[0]?.scheduleState).toBe('Active');
    expect(checksOf(runs).filter((c) => c.status === 'fail')).toEqual([]);
    expect(checksOf(runs).find((c) => c.id === 'entra.license')).toMatchObject({
      status: 'skip',
      message: expect.stringContaining('License step') as string,
    });
    expect(w.store.saved).toEqual({
      spId: app?.sp.id,
      appId: app?.sp.appId,
      jobId: app?.jobs[0]?.id,
      credentialsFingerprint: credentialsFingerprint(DBT),
    });
    // The plan of the schema step named the seed's changes in words.
    const schemaChanges = runs.find((r) => r.kind === 'entra.schema')?.changes ?? [];
    expect(schemaChanges.map((c) => c.detail)).toContain(
      'add attribute emails[type eq "work"].primary (Boolean, required)',
    );
    // The journal never holds the token.
    expect(JSON.stringify(w.journal.entries)).not.toContain(DBT.token);

    w.graph.calls.length = 0;
    const sleptBefore = w.clock.sleeps.length;
    const waitedBefore = w.progress().length;
    const again = await w.run('plan');
    expect(changesOf(again)).toEqual([]);
    expect(writes(w.graph.calls)).toEqual([]);
    const reapply = await w.run('apply');
    expect(reapply.every((r) => r.phase === 'verified')).toBe(true);
    expect(w.graph.calls).not.toContain('instantiate');
    expect(w.graph.calls).not.toContain('putSchema');
    expect(w.graph.calls).not.toContain('putSecrets');
    expect(w.graph.calls).not.toContain('startJob');
    // An app found (not created) in this run is not waited for.
    expect(w.clock.sleeps.length).toBe(sleptBefore);
    expect(
      w
        .progress()
        .slice(waitedBefore)
        .some((m) => m.startsWith('Waiting for Entra')),
    ).toBe(false);
  });

  it('works the same with the older "Azure Active Directory" template', async () => {
    const w = world();
    w.graph.variant = 'azure-ad';
    const runs = await w.run('apply');
    expect(runs.every((r) => r.phase === 'verified')).toBe(true);
    expect(changesOf(await w.run('plan'))).toEqual([]);
  });
});

describe('finding the app', () => {
  it('uses the saved ids first, even when the name is not unique', async () => {
    const w = world();
    const mine = w.graph.addApp(NAME);
    w.graph.addApp(NAME);
    await w.store.save({ spId: mine.sp.id });
    const runs = await w.run('apply');
    expect(runs.every((r) => r.phase === 'verified')).toBe(true);
    expect(mine.jobs).toHaveLength(1);
    expect(w.graph.calls).not.toContain('instantiate');
  });

  it('asks when several apps share the name: a typed conflict listing their ids', async () => {
    const w = world();
    const a = w.graph.addApp(NAME);
    const b = w.graph.addApp(NAME);
    const [app] = await w.run('plan');
    expect(app?.phase).toBe('failed');
    expect(app?.error?.code).toBe('conflict');
    expect(app?.error?.message).toContain(a.sp.id);
    expect(app?.error?.message).toContain(b.sp.id);
    expect(app?.error?.message).toContain('--entra-app-id');
    // The admin chooses one (by service principal id or app id); it is saved and wins from then on.
    const chosen = await w.run('apply', { chosenId: b.sp.appId });
    expect(chosen.every((r) => r.phase === 'verified')).toBe(true);
    expect(b.jobs).toHaveLength(1);
    expect(a.jobs).toHaveLength(0);
    expect(w.store.saved.spId).toBe(b.sp.id);
    expect(changesOf(await w.run('plan'))).toEqual([]);
  });

  it('ignores a same-named app of another template (a gallery app)', async () => {
    const w = world();
    w.graph.addApp(NAME, 'some-gallery-template');
    const [app] = await w.run('plan');
    expect(app?.changes.map((c) => c.id)).toEqual(['app.create']);
  });

  it('says plainly when a chosen id does not exist', async () => {
    const w = world();
    const [app] = await w.run('plan', { chosenId: '11111111-2222-3333-4444-555555555555' });
    expect(app?.error).toMatchObject({ code: 'not_found' });
  });

  it('falls back to the name when a saved app was deleted', async () => {
    const w = world();
    await w.store.save({ spId: 's-deleted', appId: 'a-deleted' });
    const runs = await w.run('apply');
    expect(runs.every((r) => r.phase === 'verified')).toBe(true);
    expect(w.graph.apps).toHaveLength(1);
    expect(w.store.saved.spId).toBe(w.graph.apps[0]?.sp.id);
  });
});

describe('Entra’s traps', () => {
  it('instantiate answering 404 although it created the app: found, never created twice', async () => {
    const w = world({ instantiate404AfterCreate: true });
    const runs = await w.run('apply');
    expect(runs.every((r) => r.phase === 'verified')).toBe(true);
    expect(w.graph.apps).toHaveLength(1);
    expect(w.graph.calls.filter((c) => c === 'instantiate')).toHaveLength(1);
    expect(w.progress().some((m) => m.startsWith('Entra did not confirm the new app'))).toBe(true);
  });

  it('instantiate lost on the network: fails clearly, and the re-run creates exactly one app', async () => {
    const w = world({ instantiateResetBeforeCreate: true });
    const [first] = await w.run('apply');
    expect(first?.phase).toBe('failed');
    expect(first?.error?.message).toMatch(/did not confirm that it created the app "dbt SCIM"/);
    expect(first?.error?.message).toMatch(/never makes a second/);
    expect(w.graph.apps).toHaveLength(0);
    const second = await w.run('apply');
    expect(second.every((r) => r.phase === 'verified')).toBe(true);
    expect(w.graph.apps).toHaveLength(1);
  });

  it('new objects answering 404 for a while: waits until it reads back three times in a row', async () => {
    const w = world({ notFoundReads: 4 });
    const runs = await w.run('apply');
    expect(runs.every((r) => r.phase === 'verified')).toBe(true);
    expect(w.progress()).toContain('Waiting for Entra to finish creating the app… 0 s');
    expect(
      w
        .progress()
        .some((m) => /^Waiting for Entra to finish creating the app… [1-9]\d* s$/.test(m)),
    ).toBe(true);
    expect(w.clock.sleeps.filter((ms) => ms === 2_000).length).toBeGreaterThanOrEqual(4);
    expect(w.graph.apps).toHaveLength(1);
  });

  it('gives up on replication after about three minutes with a clear error', async () => {
    const w = world({ notFoundReads: 1_000_000 });
    const [app] = await w.run('apply');
    expect(app?.phase).toBe('failed');
    expect(app?.error?.code).toBe('server_error');
    expect(app?.error?.message).toMatch(
      /has not finished creating the app "dbt SCIM" after 18\d s/,
    );
    expect(app?.error?.message).toMatch(/picks up this app instead of creating another/);
    expect(w.graph.calls.filter((c) => c === 'instantiate')).toHaveLength(1);
  });

  it('403 and 409 right after creation are waited out', async () => {
    const w = world({ forbiddenSyncCalls: 2, conflictSyncCalls: 2 });
    const runs = await w.run('apply');
    expect(runs.every((r) => r.phase === 'verified')).toBe(true);
    expect(
      w.progress().some((m) => m.startsWith('Waiting for Entra to make the new app ready')),
    ).toBe(true);
    expect(w.graph.apps[0]?.jobs).toHaveLength(1);
  });

  it('a 403 on an old app is not waited out: it is a missing permission', async () => {
    const w = world();
    await w.run('apply');
    w.graph.failOnce.set(
      'listJobs',
      new WizardError('permission_denied', 'Forbidden', { remediation: 'r', status: 403 }),
    );
    const runs = await w.run('plan');
    expect(runs.find((r) => r.kind === 'entra.job')?.error?.code).toBe('permission_denied');
  });

  it('resumes an interrupted apply from the journal: adopts the app it created', async () => {
    const w = world();
    const created = w.graph.addApp(NAME);
    // A run that stopped right after creating the app (the process died: no terminal phase).
    await w.journal.append({
      runId: 'r-crashed',
      profileId: 'p1',
      step: 'idp',
      phase: 'applying',
      at: '2026-11-29T09:59:00.000Z',
      data: { kind: 'entra.app', spId: created.sp.id, appId: created.sp.appId },
    });
    // Same-named twin that a name look-up would trip over: the resume data wins.
    w.graph.addApp(NAME);
    const steps = w.make();
    const r = await w.engine.run(steps.app, { profileId: 'p1', mode: 'apply' });
    expect(r.resumed).toBe(true);
    expect(r.runId).toBe('r-crashed');
    expect(r.phase).toBe('verified');
    expect(w.graph.calls).not.toContain('instantiate');
    expect(w.store.saved.spId).toBe(created.sp.id);
  });

  it('a lost job creation is looked up, never created twice', async () => {
    const w = world();
    await w.run('apply', {});
    const app = w.graph.apps[0];
    app?.jobs.splice(0); // the job vanished; the next createJob "fails" after creating
    const original = w.graph.createJob.bind(w.graph);
    w.graph.createJob = async (spId, templateId) => {
      await original(spId, templateId);
      throw new WizardError('network_timeout', 'timed out', { remediation: 'r' });
    };
    await w.store.save({ jobId: undefined });
    const runs = await w.run('apply');
    expect(runs.find((r) => r.kind === 'entra.job')?.phase).toBe('verified');
    expect(app?.jobs).toHaveLength(1);
  });
});

describe('credentials', () => {
  it('cannot read the token back: a fingerprint decides "no change", a new token is a change', async () => {
    const w = world();
    await w.run('apply');
    expect(changesOf(await w.run('plan'))).toEqual([]);
    const rotated = { ...DBT, token: 'anotherScimTokenValue9876543210' };
    const plan = await w.run('plan', { dbt: rotated });
    expect(changesOf(plan).map((c) => c.id)).toEqual(['credentials.test', 'credentials.save']);
    expect(changesOf(plan)[1]?.detail).toContain('the saved Secret Token is another one');
    expect(JSON.stringify(plan)).not.toContain(rotated.token);
    // verify with the other token reports drift.
    const verify = await w.run('verify', { dbt: rotated });
    expect(checksOf(verify).find((c) => c.id === 'credentials.saved')?.status).toBe('fail');
    const applied = await w.run('apply', { dbt: rotated });
    expect(applied.every((r) => r.phase === 'verified')).toBe(true);
    expect(w.graph.apps[0]?.secrets.get('SecretToken')).toBe(rotated.token);
  });

  it('a refused connection test stops before saving anything', async () => {
    const w = world({ refuseCredentials: 'dbt refused: 401 Unauthorized' });
    const runs = await w.run('apply');
    const cred = runs.find((r) => r.kind === 'entra.credentials');
    expect(cred?.phase).toBe('failed');
    expect(w.graph.calls).not.toContain('putSecrets');
    expect(runs.map((r) => r.kind)).not.toContain('entra.schema');
  });

  it('without the dbt URL and token, says what to give', async () => {
    const w = world({}, { dbt: undefined });
    const runs = await w.run('plan');
    expect(runs.find((r) => r.kind === 'entra.credentials')?.error).toMatchObject({
      code: 'bad_input',
      message: expect.stringContaining('--dbt-scim-url') as string,
    });
  });
});

describe('start and quarantine', () => {
  it('explains a quarantine caused by a refused token, with what to do', async () => {
    const w = world({
      quarantineOnStart: {
        reason: 'EncounteredQuarantineException',
        message: 'The SCIM endpoint answered 401 Unauthorized for the bearer token.',
      },
    });
    const runs = await w.run('apply');
    const start = runs.find((r) => r.kind === 'entra.start');
    expect(start?.phase).toBe('failed');
    const q = start?.checks.find((c) => c.id === 'job.quarantine');
    expect(q?.status).toBe('fail');
    expect(q?.message).toContain('dbt refused the SCIM token');
    expect(q?.message).toContain('2026-11-29T22:00:00Z');
  });

  const job = (reason: string, message: string): SyncJob => ({
    id: 'scim.x',
    templateId: 'scim',
    scheduleState: 'Active',
    statusCode: 'Quarantine',
    quarantine: {
      reason,
      currentBegan: null,
      nextAttempt: null,
      seriesBegan: null,
      seriesCount: 3,
      error: { code: null, message },
    },
    lastExecution: null,
    lastSuccessfulExecution: null,
    steadyStateFirstAchievedTime: null,
  });

  it('names an unreachable endpoint, too many errors, and mass deletions', () => {
    expect(
      explainQuarantine(job('EncounteredQuarantineException', 'Could not resolve host name')),
    ).toContain('Entra cannot reach the Tenant URL');
    expect(explainQuarantine(job('EncounteredBaseEscrowThreshold', 'Bad request'))).toContain(
      'too many errors',
    );
    expect(explainQuarantine(job('TooManyDeletes', ''))).toContain('accidental-deletion');
  });
});

describe('the test user', () => {
  const opts = { testUser: 'ada@acme.example' };

  it('assigns the user, provisions on demand and reads the user back from dbt', async () => {
    const w = world({}, opts);
    const plan = await w.run('plan');
    expect(collapseDeferred(changesOf(plan)).at(-1)?.detail).toContain(
      'provision ada@acme.example on demand and read it back from dbt',
    );
    const runs = await w.run('apply');
    expect(runs.map((r) => r.kind)).toEqual([
      'entra.app',
      'entra.job',
      'entra.credentials',
      'entra.schema',
      'entra.test-user',
      'entra.start',
    ]);
    expect(runs.every((r) => r.phase === 'verified')).toBe(true);
    const test = runs.find((r) => r.kind === 'entra.test-user');
    expect(test?.changes.map((c) => c.id)).toEqual(['test-user.assign', 'test-user.provision']);
    expect(test?.checks.map((c) => [c.id, c.status])).toEqual([
      ['test-user.assigned', 'pass'],
      ['test-user.provision', 'pass'],
      ['test-user.in-dbt', 'pass'],
    ]);
    // The "User" role, not msiam_access.
    const sp = w.graph.apps[0]?.sp;
    expect(w.graph.apps[0]?.assignments[0]?.appRoleId).toBe(
      sp?.appRoles.find((r) => r.displayName === 'User')?.id,
    );
  });

  it('explains Skipped / NotEffectivelyEntitled as "not assigned"', async () => {
    const w = world(
      {
        verdict: {
          result: 'Skipped',
          errorCode: null,
          errorMessage: null,
          reason: 'NotEffectivelyEntitled',
          steps: [],
        },
      },
      opts,
    );
    const runs = await w.run('apply');
    const test = runs.find((r) => r.kind === 'entra.test-user');
    expect(test?.phase).toBe('failed');
    expect(test?.checks.find((c) => c.id === 'test-user.provision')?.message).toContain(
      'the user is not assigned to the app',
    );
    // Retried while the fresh assignment replicates, paced.
    expect(w.graph.calls.filter((c) => c === 'provisionOnDemand').length).toBe(4);
  });

  it('explains a Failure with Entra’s error', () => {
    const out = explainVerdict('ada@acme.example', {
      result: 'Failure',
      errorCode: 'SystemForCrossDomainIdentityManagementBadResponse',
      errorMessage: 'The SCIM endpoint answered 400: userName must be an email',
      reason: null,
      steps: [{ name: 'EntryExport', status: 'Failed', description: 'Export failed' }],
    });
    expect(out.ok).toBe(false);
    expect(out.message).toContain('userName must be an email');
    expect(out.message).toContain('SystemForCrossDomainIdentityManagementBadResponse');
    expect(
      explainVerdict('x', {
        result: 'Skipped',
        errorCode: null,
        errorMessage: null,
        reason: 'RedundantExport',
        steps: [],
      }).ok,
    ).toBe(true);
  });

  it('keeps provisionOnDemand at 5 calls per 10 s', async () => {
    const w = world({}, opts);
    await w.run('apply');
    const steps = w.make();
    for (let i = 0; i < 7; i++) {
      const r = await w.engine.run(steps.testUser as Step, { profileId: 'p1', mode: 'apply' });
      expect(r.phase).toBe('verified');
    }
    const t = w.graph.provisionTimes;
    expect(t.length).toBe(8);
    for (let i = 5; i < t.length; i++) {
      expect((t[i] ?? 0) - (t[i - 5] ?? 0)).toBeGreaterThanOrEqual(10_000);
    }
    expect(w.progress().some((m) => m.includes('5 on-demand provisionings per 10 s'))).toBe(true);
  });

  it('an unknown user is named', async () => {
    const w = world({}, { testUser: 'nobody@acme.example' });
    await w.run('apply', { testUser: undefined });
    const runs = await w.run('plan');
    expect(runs.find((r) => r.kind === 'entra.test-user')?.error).toMatchObject({
      code: 'not_found',
      message: expect.stringContaining('nobody@acme.example') as string,
    });
  });
});
