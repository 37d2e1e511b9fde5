/**
 * The health check as a service, with the real services in a temporary home, the fake dbt and the
 * fake Graph on loopback: `refresh: false` gives the last saved report (or null), `refresh: true`
 * checks everything again and saves it (0600, no secret); `status:get` through the dispatcher; a
 * side the admin is not signed in to is skipped and says so; the token's creation time recorded.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../electron/core/logger.js';
import type { StatusReport } from '../../../electron/core/status/model.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { dispatch } from '../../../electron/services/dispatch.js';
import { SECRET_DBT_SCIM } from '../../../electron/services/dbt.js';
import { staticTokenProvider } from '../../../electron/services/entra.js';
import { createStatusService, type StatusService } from '../../../electron/services/status.js';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { startFakeGraph, type FakeGraph } from '../../fakes/graph.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';

const SCIM_TOKEN = 'PLANTEDstatusServiceScim2b7d9f1a3c5e8064';
const GRAPH_TOKEN = 'PLANTEDstatusServiceGraph.eyJ0eXAiOiJKV1Qi.sig9876543210';
const START = Date.parse('2026-11-29T10:00:00Z');
const DAY = 24 * 3600_000;

let dbt: FakeDbt;
let graph: FakeGraph;
let home: string;
let cleanup: () => Promise<void>;
let clock: FakeClock;
let services: Services;
let status: StatusService;
let profileId: string;
let signedIn = true;

beforeEach(async () => {
  clock = new FakeClock(START);
  const dbtClock = new FakeClock(START - 30 * DAY);
  dbt = await startFakeDbt({ scimConfig: { enabled: true }, now: () => dbtClock.now() });
  dbt.createScimToken('scim-entra', SCIM_TOKEN);
  graph = await startFakeGraph({ token: GRAPH_TOKEN });
  ({ dir: home, cleanup } = await tempDir('scim-status-svc-'));
  const token = staticTokenProvider(GRAPH_TOKEN);
  services = createServices({
    home,
    face: 'cli',
    version: 'test',
    log: memoryLogger().logger,
    clock,
    graphToken: () => token,
  });
  signedIn = true;
  status = createStatusService({
    http: services.http,
    clock,
    engine: services.engine,
    journal: services.journal,
    profiles: services.profiles,
    secrets: services.secrets,
    home,
    dbt: services.dbt,
    entra: services.entra,
    okta: services.okta,
    license: services.license,
    graphToken: () => token,
    signedIn: { entra: () => Promise.resolve(signedIn) },
  });

  // The wizard's setup: dbt connected, the SCIM token saved, Entra applied.
  const p = await services.profiles.create({ name: 'Acme', idp: 'entra' });
  profileId = p.id;
  await services.dbt.connect({
    profileId,
    apiUrl: dbt.apiUrl,
    accountId: dbt.accountId,
    apiToken: dbt.adminToken,
  });
  await services.dbt.setScimUrl(profileId, dbt.scimUrl);
  await services.secrets.set(profileId, SECRET_DBT_SCIM, SCIM_TOKEN);
  const tokenId = [...dbt.state.scimTokens.values()][0]?.id;
  await services.profiles.update(profileId, {
    dbt: { scimTokenId: tokenId, scimTokenName: 'scim-entra' },
  });
  await services.entra.connect({ profileId, graphUrl: graph.graphUrl, appName: 'dbt SCIM' });
  const applied = await services.entra.run(profileId, 'apply');
  expect(applied.phase).toBe('verified');
});

afterEach(async () => {
  await graph.close();
  await dbt.close();
  await cleanup();
});

const table = () => ({ ...services.handlers, ...status.handlers });

async function statusGet(refresh: boolean): Promise<StatusReport | null> {
  const r = await dispatch(table(), 'status:get', { profileId, refresh }, memoryLogger().logger);
  if (!r.ok) {
    throw new Error(`status:get: ${r.error.code}: ${r.error.message}`);
  }
  return r.value as StatusReport | null;
}

function noSecrets(text: string): void {
  for (const secret of [SCIM_TOKEN, GRAPH_TOKEN, dbt.adminToken, 'PLANTED']) {
    expect(text).not.toContain(secret);
  }
}

describe('status service', () => {
  it('gives null before any check, then checks, saves and gives back the saved report', async () => {
    expect(await status.get(profileId, { refresh: false })).toBeNull();
    const fresh = await status.get(profileId, { refresh: true });
    expect(fresh?.ok, JSON.stringify(fresh?.items.filter((i) => i.status === 'fail'))).toBe(true);
    expect(fresh?.token).toMatchObject({ name: 'scim-entra', last4: '8064', ageDays: 30 });
    // The setup above waited on the fake clock (Entra's replication), so count from now.
    expect(fresh?.rotation).toMatchObject({
      state: 'ok',
      since: new Date(START - 30 * DAY).toISOString(),
      dueAt: new Date(START + 60 * DAY).toISOString(),
      daysLeft: Math.floor((START + 60 * DAY - clock.now().getTime()) / DAY),
    });
    expect(fresh?.job).toMatchObject({ state: 'running', statusCode: 'Active' });
    // The fake's certificate expires a year after it started (a date, read as midnight UTC).
    expect(fresh?.sso).toEqual({
      method: 'okta',
      certificateExpiresAt: '2027-10-30T00:00:00.000Z',
    });
    // dbt's creation time of the token in use is kept with the profile (the rotation counts from it).
    const profile = await services.profiles.get(profileId);
    expect(profile.dbt.scimTokenCreatedAt).toBe(new Date(START - 30 * DAY).toISOString());

    // Nothing is read again for the saved report.
    const before = dbt.requests.length + graph.requests.length;
    const saved = await status.get(profileId, { refresh: false });
    expect(saved).toEqual(fresh);
    expect(dbt.requests.length + graph.requests.length).toBe(before);

    const file = join(home, 'status', `${profileId}.json`);
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    noSecrets(await readFile(file, 'utf8'));
  });

  it('answers status:get through the dispatcher, in the contract’s shape, without secrets', async () => {
    expect(await statusGet(false)).toBeNull();
    const report = await statusGet(true);
    expect(report?.ok).toBe(true);
    expect(report?.items.map((i) => i.id)).toEqual(
      expect.arrayContaining([
        'token.in-use',
        'rotation.due',
        'dbt.scim.enabled',
        'entra.app',
        'job.running',
        'job.quarantine',
        'sso.certificate',
      ]),
    );
    noSecrets(JSON.stringify(report));
    const bad = await dispatch(
      table(),
      'status:get',
      { profileId, refresh: 'yes' },
      memoryLogger().logger,
    );
    expect(bad.ok).toBe(false);
  });

  it('reports a quarantined job with its reason, the Identity provider step to fix it', async () => {
    const job = [...graph.state.jobs.values()].flat()[0];
    if (!job) {
      throw new Error('no job');
    }
    job.statusCode = 'Quarantine';
    job.quarantine = {
      currentBegan: new Date(START - DAY).toISOString(),
      nextAttempt: new Date(START + DAY).toISOString(),
      reason: 'EncounteredQuarantineException',
      seriesBegan: new Date(START - DAY).toISOString(),
      seriesCount: 2,
      error: { code: 'X', message: 'dbt refused the token.', tenantActionable: true },
    };
    const report = await statusGet(true);
    expect(report?.ok).toBe(false);
    expect(report?.job).toMatchObject({
      state: 'quarantine',
      quarantineReason: 'dbt refused the token.',
    });
    const item = report?.items.find((i) => i.id === 'job.quarantine');
    expect(item).toMatchObject({ status: 'fail', area: 'job', fixStep: 'idp' });
    expect(item?.remediation).toBeTruthy();
  });

  it('skips Entra and its job, saying to sign in, when the admin is not signed in', async () => {
    signedIn = false;
    const before = graph.requests.length;
    const report = await status.get(profileId, { refresh: true });
    expect(report?.ok).toBe(true);
    const entra = report?.items.find((i) => i.id === 'entra.unchecked');
    expect(entra).toMatchObject({ status: 'skip', area: 'entra' });
    expect(entra?.message).toContain('not signed in to Microsoft Entra ID');
    expect(entra?.remediation).toContain('Sign in to Microsoft');
    expect(report?.items.some((i) => i.area === 'job')).toBe(false);
    expect(graph.requests.length).toBe(before);
  });

  it('fails the rotation item once the token is older than the profile’s interval', async () => {
    clock.advance(61 * DAY);
    const report = await status.get(profileId, { refresh: true });
    const item = report?.items.find((i) => i.id === 'rotation.due');
    expect(item).toMatchObject({ status: 'fail', area: 'rotation', fixStep: 'rotation' });
    expect(report?.ok).toBe(false);
  });

  it('fails the token item when dbt no longer has the saved token', async () => {
    for (const t of dbt.state.scimTokens.values()) {
      t.deleted = true;
    }
    const report = await status.get(profileId, { refresh: true });
    const item = report?.items.find((i) => i.id === 'token.in-use');
    expect(item).toMatchObject({ status: 'fail', fixStep: 'dbt' });
    expect(item?.message).toMatch(/^dbt no longer has the token "scim-entra" \(id \d+\)/);
  });
});
