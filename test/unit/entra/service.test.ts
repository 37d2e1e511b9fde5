/**
 * The wizard's Entra channels through the real dispatcher (contract in, handler, contract out):
 * connect a profile, plan / apply with the reviewed change ids, verify, test a user, status.
 * Ids and the credentials fingerprint land in the profile; no secret crosses the boundary.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../electron/core/logger.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { dispatch } from '../../../electron/services/dispatch.js';
import { SECRET_DBT_SCIM } from '../../../electron/services/dbt.js';
import { staticTokenProvider } from '../../../electron/services/entra.js';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { startFakeGraph, type FakeGraph } from '../../fakes/graph.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';

const DBT_TOKEN = 'PLANTEDwizardEntraScim7d3e1f9a2b4c';
let dbt: FakeDbt;
let graph: FakeGraph;
let services: Services;
let signedIn: boolean;
let cleanup: () => Promise<void>;
let profileId: string;

beforeAll(async () => {
  dbt = await startFakeDbt({ scimConfig: { enabled: true } });
  dbt.createScimToken('scim-entra', DBT_TOKEN);
});
afterAll(async () => {
  await dbt.close();
});
beforeEach(async () => {
  graph = await startFakeGraph();
  const t = await tempDir();
  cleanup = t.cleanup;
  signedIn = true;
  services = createServices({
    home: t.dir,
    face: 'bridge',
    version: 'test',
    log: silentLogger,
    clock: new FakeClock(),
    graphToken: () => (signedIn ? staticTokenProvider(graph.token) : undefined),
  });
  const p = await services.profiles.create({ name: 'Acme', idp: 'entra' });
  profileId = p.id;
  await services.profiles.update(p.id, { dbt: { scimUrl: dbt.scimUrl } });
  await services.secrets.set(p.id, SECRET_DBT_SCIM, DBT_TOKEN);
});
afterEach(async () => {
  await graph.close();
  await cleanup();
});

async function call(channel: string, input: unknown) {
  const r = await dispatch(services.handlers, channel, input);
  expect(JSON.stringify(r)).not.toContain(DBT_TOKEN);
  expect(JSON.stringify(r)).not.toContain(graph.token);
  return r;
}

function ok(r: Awaited<ReturnType<typeof call>>): unknown {
  if (!r.ok) {
    throw new Error(`${r.error.code}: ${r.error.message}`);
  }
  return r.value;
}

describe('entra channels', () => {
  it('connects a profile: cloud, Graph root and app name, checked', async () => {
    const r = ok(
      await call('entra:connect', {
        profileId,
        graphUrl: graph.graphUrl,
        appName: ' dbt SCIM (prod) ',
      }),
    ) as { profile: { entra: unknown } };
    expect(r.profile.entra).toEqual({
      cloud: 'global',
      graphUrl: graph.graphUrl,
      appName: 'dbt SCIM (prod)',
    });
    const bad = await call('entra:connect', { profileId, graphUrl: 'https://example.com/v1.0' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    const gov = ok(await call('entra:connect', { profileId, cloud: 'usgov' })) as {
      profile: { entra: { cloud: string } };
    };
    expect(gov.profile.entra.cloud).toBe('usgov');
    const extra = await call('entra:connect', { profileId, token: 'x' });
    expect(extra).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });

  it('says to sign in first when there is no Graph token', async () => {
    await call('entra:connect', { profileId, graphUrl: graph.graphUrl });
    signedIn = false;
    const r = await call('entra:plan', { profileId });
    expect(r).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    expect(graph.requests).toEqual([]);
  });

  it('plans, applies only what was reviewed, verifies, and keeps ids in the profile', async () => {
    await call('entra:connect', { profileId, graphUrl: graph.graphUrl });
    const plan = ok(await call('entra:plan', { profileId })) as {
      phase: string;
      changes: { id: string }[];
    };
    expect(plan.phase).toBe('planned');
    expect(plan.changes.map((c) => c.id)).toEqual(['app.create', 'then']);

    // Reviewed ids that no longer match: nothing is changed, the new plan comes back.
    const stale = ok(
      await call('entra:apply', { profileId, expectedChangeIds: ['app.create'] }),
    ) as { phase: string };
    expect(stale.phase).toBe('planned');
    expect(graph.state.applications).toEqual([]);

    const applied = ok(
      await call('entra:apply', { profileId, expectedChangeIds: plan.changes.map((c) => c.id) }),
    ) as { phase: string; saved: { spId: string; jobId: string } };
    expect(applied.phase).toBe('verified');
    const profile = await services.profiles.get(profileId);
    expect(profile.entra).toMatchObject({
      spId: graph.state.servicePrincipals[0]?.id,
      jobId: [...graph.state.jobs.values()].flat()[0]?.id,
      credentialsFingerprint: `${dbt.scimUrl} token …${DBT_TOKEN.slice(-4)}`,
    });
    expect(JSON.stringify(profile)).not.toContain(DBT_TOKEN);
    expect(profile.steps.idp.status).toBe('verified');

    const verify = ok(await call('entra:verify', { profileId })) as { phase: string };
    expect(verify.phase).toBe('verified');
    const again = ok(await call('entra:plan', { profileId })) as { changes: unknown[] };
    expect(again.changes).toEqual([]);

    const status = ok(await call('entra:status', { profileId })) as {
      checks: { id: string; status: string }[];
    };
    expect(status.checks.find((c) => c.id === 'job.quarantine')?.status).toBe('pass');

    const tested = ok(
      await call('entra:testUser', {
        profileId,
        userPrincipalName: 'ada.lovelace@contoso.example',
      }),
    ) as { phase: string; checks: { id: string; status: string }[] };
    expect(tested.phase).toBe('verified');
    expect(tested.checks.find((c) => c.id === 'test-user.in-dbt')?.status).toBe('pass');
    expect((await services.profiles.get(profileId)).steps.test.status).toBe('verified');
  });

  it('refuses a bad test user before sending anything', async () => {
    await call('entra:connect', { profileId, graphUrl: graph.graphUrl });
    const r = await call('entra:testUser', { profileId, userPrincipalName: 'not a user' });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(graph.requests).toEqual([]);
  });

  it('a profile without the Entra connection says so', async () => {
    const r = await call('entra:plan', { profileId });
    expect(r).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });
});
