/**
 * `status` as CLI.md says, through the real CLI runner against the fake dbt and the fake Graph, in
 * each state: healthy (0), drifted (1, naming the item), a quarantined Entra job (1, with the
 * reason), the rotation overdue (1) or due soon (0, saying so), a missing variable (2, nothing
 * sent), refused credentials (3); never a secret on stdout, stderr, in the JSON or the saved file.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsFingerprint } from '../../../electron/core/entra/steps.js';
import { ProfileStore } from '../../../electron/core/store/profiles.js';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { startFakeGraph, type FakeGraph } from '../../fakes/graph.js';
import { startFakeOkta, type FakeOkta } from '../../fakes/okta.js';
import { cli, type CliRun } from '../../helpers/cli.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';

const SCIM_TOKEN = 'PLANTEDstatusScimToken7c1e9a3b5d2f4068';
const GRAPH_TOKEN = 'PLANTEDstatusGraph.eyJ0eXAiOiJKV1Qi.sig0123456789';
/** Every CLI run starts its own FakeClock at this time (test/helpers/cli-services.ts). */
const CLI_START = Date.parse('2026-11-29T10:00:00Z');
const DAY = 24 * 3600_000;

let dbt: FakeDbt;
let graph: FakeGraph | undefined;
let okta: FakeOkta | undefined;
let home: string;
let cleanup: () => Promise<void>;

/** A dbt whose SCIM token was created `ageDays` before the CLI's runs. */
async function setup(ageDays = 10): Promise<void> {
  const dbtClock = new FakeClock(CLI_START - ageDays * DAY);
  dbt = await startFakeDbt({ scimConfig: { enabled: true }, now: () => dbtClock.now() });
  dbt.createScimToken('scim-entra', SCIM_TOKEN);
  graph = await startFakeGraph({ token: GRAPH_TOKEN });
  ({ dir: home, cleanup } = await tempDir('scim-status-cli-'));
}

afterEach(async () => {
  await graph?.close();
  await okta?.close().catch(() => undefined);
  graph = undefined;
  okta = undefined;
  await dbt.close();
  await cleanup();
});

/** The fake Graph of an Entra test (each of those starts one). */
function g(): FakeGraph {
  if (!graph) {
    throw new Error('no fake Graph');
  }
  return graph;
}

function env(extra: Record<string, string | undefined> = {}) {
  return {
    DBT_SCIM_WIZARD_HOME: home,
    GRAPH_ACCESS_TOKEN: GRAPH_TOKEN,
    DBT_SCIM_TOKEN: SCIM_TOKEN,
    DBT_API_TOKEN: dbt.adminToken,
    ...extra,
  };
}
const accountFlags = () => [
  '--dbt-api-url',
  dbt.apiUrl,
  '--dbt-account-id',
  String(dbt.accountId),
  '--dbt-scim-url',
  dbt.scimUrl,
  '--graph-url',
  g().graphUrl,
];
const status = (...extra: string[]) => ['status', ...accountFlags(), ...extra];

type Check = { id: string; status: string; message: string };
const checks = (r: CliRun) => r.json?.checks as Check[];
const byId = (r: CliRun) => Object.fromEntries(checks(r).map((c) => [c.id, c]));

function noSecrets(text: string): void {
  for (const secret of [SCIM_TOKEN, GRAPH_TOKEN, dbt.adminToken, 'PLANTED']) {
    expect(text).not.toContain(secret);
  }
}

/** Entra set up by the CLI itself, as an admin would have done months ago. */
async function entraApplied(): Promise<void> {
  const r = await cli(
    ['entra', 'apply', '--yes', '--graph-url', g().graphUrl, '--dbt-scim-url', dbt.scimUrl],
    env(),
  );
  expect(r.code).toBe(0);
}

function theJob() {
  const job = [...g().state.jobs.values()].flat()[0];
  if (!job) {
    throw new Error('no job');
  }
  return job;
}

describe('status, healthy', () => {
  beforeEach(() => setup(10));

  it('exits 0 with every item passing or skipped, in CLI.md’s JSON shape', async () => {
    await entraApplied();
    const r = await cli(status('--json'), env());
    expect(r.code, r.stdout).toBe(0);
    expect(Object.keys(r.json ?? {}).sort()).toEqual([
      'changes',
      'checks',
      'command',
      'data',
      'ok',
    ]);
    expect(r.json).toMatchObject({ ok: true, command: 'status', changes: [] });
    for (const c of checks(r)) {
      expect(Object.keys(c).sort()).toEqual(['id', 'message', 'status']);
      expect(['pass', 'skip']).toContain(c.status);
    }
    const items = byId(r);
    expect(items['token.in-use']?.status).toBe('pass');
    expect(items['token.in-use']?.message).toMatch(
      /"scim-entra" \(id \d+, ending 4068\) is 10 days old/,
    );
    expect(items['rotation.due']).toMatchObject({ status: 'pass' });
    expect(items['rotation.due']?.message).toContain('2027-02-17');
    expect(items['dbt.scim.enabled']?.status).toBe('pass');
    expect(items['job.running']?.status).toBe('pass');
    expect(items['job.quarantine']?.status).toBe('pass');
    expect(items['sso.certificate']?.status).toBe('pass');
    const report = (r.json?.data as { status: { job: { state: string }; ok: boolean } }).status;
    expect(report.ok).toBe(true);
    expect(report.job.state).toBe('running');
    noSecrets(r.stdout + r.stderr);
  });

  it('prints a calm table with the token, rotation and job lines', async () => {
    await entraApplied();
    const r = await cli(status(), env());
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain(`Health of dbt account ${dbt.accountId}`);
    expect(r.stdout).toMatch(/SCIM token: "scim-entra" \(id \d+, ending 4068\), 10 days old/);
    expect(r.stdout).toContain('Rotation: The next SCIM token rotation is due on 2027-02-17');
    expect(r.stdout).toContain('Provisioning job: running (Active).');
    expect(r.stdout).toContain('All is well.');
    // Passes are folded per area; --json lists each.
    expect(r.stdout).toMatch(/^PASS {4}Microsoft Entra ID: the other \d+ checks pass\.$/m);
    expect(r.stdout).toMatch(/^PASS {4}Provisioning job: all 2 checks pass\.$/m);
    expect(r.stdout).toMatch(/^PASS {4}The SSO signing certificate is valid until 2027-11-19\.$/m);
    expect(r.stdout.split('\n').length).toBeLessThan(20);
    noSecrets(r.stdout + r.stderr);
  });

  it('skips the Entra side and says which variable it needs without GRAPH_ACCESS_TOKEN', async () => {
    const r = await cli(status('--json'), env({ GRAPH_ACCESS_TOKEN: undefined }));
    expect(r.code).toBe(0);
    const entra = byId(r)['entra.unchecked'];
    expect(entra).toMatchObject({ status: 'skip' });
    expect(entra?.message).toContain('GRAPH_ACCESS_TOKEN is not set');
    expect(g().requests).toEqual([]);
  });
});

describe('status, drifted', () => {
  beforeEach(() => setup(10));

  it('exits 1 naming the item when SCIM was turned off in dbt', async () => {
    await entraApplied();
    dbt.state.scimConfig.enabled = false;
    const r = await cli(status('--json'), env());
    expect(r.code).toBe(1);
    expect(r.json?.ok).toBe(false);
    expect(byId(r)['dbt.scim.enabled']).toMatchObject({
      status: 'fail',
      message: 'SCIM is still off in dbt.',
    });
    const human = await cli(status(), env());
    expect(human.code).toBe(1);
    expect(human.stdout).toContain('  - dbt.scim.enabled: Open the dbt step and apply it again');
    expect(human.stdout).toMatch(/^FAIL {4}SCIM is still off in dbt\./m);
    noSecrets(r.stdout + r.stderr + human.stdout + human.stderr);
  });

  it('exits 1 naming the attribute mappings when Entra’s schema was changed', async () => {
    await entraApplied();
    const { defaultScimSchema } = await import('../../fakes/graph-schema.js');
    g().state.schemas.set(theJob().id, defaultScimSchema('entra'));
    const r = await cli(status('--json'), env());
    expect(r.code).toBe(1);
    const failing = checks(r).filter((c) => c.status === 'fail');
    expect(failing.length).toBeGreaterThan(0);
    expect(failing.every((c) => c.id.startsWith('entra.'))).toBe(true);
    noSecrets(r.stdout + r.stderr);
  });
});

describe('status, quarantined Entra job', () => {
  beforeEach(() => setup(10));

  it('exits 1 with the quarantine’s reason', async () => {
    await entraApplied();
    const job = theJob();
    job.statusCode = 'Quarantine';
    job.quarantine = {
      currentBegan: new Date(CLI_START - DAY).toISOString(),
      nextAttempt: new Date(CLI_START + DAY).toISOString(),
      reason: 'EncounteredQuarantineException',
      seriesBegan: new Date(CLI_START - DAY).toISOString(),
      seriesCount: 3,
      error: {
        code: 'SystemForCrossDomainIdentityManagementCredentialValidationUnavailable',
        message: 'The secret token is not valid for the SCIM endpoint.',
        tenantActionable: true,
      },
    };
    const r = await cli(status('--json'), env());
    expect(r.code).toBe(1);
    expect(byId(r)['job.quarantine']?.status).toBe('fail');
    const report = (
      r.json?.data as { status: { job: { state: string; quarantineReason: string } } }
    ).status;
    expect(report.job).toMatchObject({
      state: 'quarantine',
      quarantineReason: 'The secret token is not valid for the SCIM endpoint.',
    });
    const human = await cli(status(), env());
    expect(human.code).toBe(1);
    expect(human.stdout).toContain(
      'Provisioning job: quarantine (Quarantine); reason: The secret token is not valid for the SCIM endpoint.',
    );
    noSecrets(r.stdout + human.stdout + human.stderr);
  });
});

describe('status, rotation', () => {
  it('exits 1 when the rotation is overdue (the token is older than the interval)', async () => {
    await setup(100);
    const r = await cli(status('--json'), env({ GRAPH_ACCESS_TOKEN: undefined }));
    expect(r.code).toBe(1);
    expect(byId(r)['rotation.due']).toMatchObject({
      status: 'fail',
      message: 'The SCIM token rotation is overdue by 9 days (due 2026-11-19, every 90 days).',
    });
    const others = checks(r).filter((c) => c.status === 'fail' && c.id !== 'rotation.due');
    expect(others).toEqual([]);
  });

  it('a longer --rotation-days makes the same token fine (exit 0)', async () => {
    await setup(100);
    const r = await cli(
      status('--json', '--rotation-days', '120'),
      env({ GRAPH_ACCESS_TOKEN: undefined }),
    );
    expect(r.code).toBe(0);
    expect(byId(r)['rotation.due']?.message).toBe(
      'The next SCIM token rotation is due on 2026-12-19 (every 120 days).',
    );
  });

  it('exits 0 when the rotation is only due soon, and says so', async () => {
    await setup(85);
    const r = await cli(status(), env({ GRAPH_ACCESS_TOKEN: undefined }));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'Rotation: The SCIM token rotation is due in 5 days, on 2026-12-04.',
    );
  });

  it('refuses a --rotation-days outside the offered range (exit 2, nothing sent)', async () => {
    await setup(10);
    const r = await cli(status('--rotation-days', '3'), env());
    expect(r.code).toBe(2);
    expect(dbt.requests).toEqual([]);
  });
});

describe('status, SSO certificate', () => {
  beforeEach(() => setup(10));
  const noGraph = () => env({ GRAPH_ACCESS_TOKEN: undefined });
  const cert = (date: string | null) => {
    if (!dbt.state.authProvider) {
      throw new Error('no auth provider');
    }
    dbt.state.authProvider.cert_expiry_date = date;
  };

  it('exits 1 naming the certificate once it has expired', async () => {
    cert('2026-11-20');
    const r = await cli(status('--json'), noGraph());
    expect(r.code).toBe(1);
    expect(byId(r)['sso.certificate']).toEqual({
      id: 'sso.certificate',
      status: 'fail',
      message:
        'The SSO signing certificate expired on 2026-11-20: people cannot sign in to dbt with SSO.',
    });
  });

  it('warns within 30 days but still passes (exit 0)', async () => {
    cert('2026-12-19');
    const r = await cli(status(), noGraph());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'PASS    Warning: the SSO signing certificate expires in 19 days, on 2026-12-19; renew it before then.',
    );
  });

  it('skips the item when dbt has no SSO configuration (404)', async () => {
    dbt.state.authProvider = null;
    const r = await cli(status('--json'), noGraph());
    expect(r.code).toBe(0);
    expect(byId(r)['sso.certificate']).toMatchObject({ status: 'skip' });
  });
});

describe('status, bad input and refused credentials', () => {
  beforeEach(() => setup(10));

  it('exits 2 without DBT_API_TOKEN, and sends nothing', async () => {
    dbt.clearRequests();
    const r = await cli(status('--json'), env({ DBT_API_TOKEN: undefined }));
    expect(r.code).toBe(2);
    expect(r.json?.error).toMatchObject({ code: 'bad_input' });
    expect((r.json?.error as { message: string }).message).toContain('DBT_API_TOKEN is not set');
    expect(dbt.requests).toEqual([]);
    expect(g().requests).toEqual([]);
  });

  it('exits 2 without a profile or account flags', async () => {
    const r = await cli(['status'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('There is no saved profile to check.');
    expect(dbt.requests).toEqual([]);
  });

  it('exits 3 when dbt refuses the Admin API token', async () => {
    const r = await cli(
      status('--json'),
      env({
        DBT_API_TOKEN: 'dbtc_PLANTEDwrongAdminToken0123456789',
        GRAPH_ACCESS_TOKEN: undefined,
      }),
    );
    expect(r.code).toBe(3);
    expect(r.json?.error).toMatchObject({ code: 'auth_failed' });
    noSecrets(r.stdout + r.stderr);
  });

  it('exits 4 when dbt cannot be reached after retries', async () => {
    dbt.failNext({ path: /scim-config\/tokens\/$/ }, 'reset', 20);
    const r = await cli(status('--json'), env({ GRAPH_ACCESS_TOKEN: undefined }));
    expect(r.code).toBe(4);
    expect(r.json?.error).toMatchObject({ code: 'network_reset' });
    expect(byId(r)['token.in-use']).toMatchObject({ status: 'fail' });
  });

  it('exits 3 when Microsoft Graph refuses the access token', async () => {
    await entraApplied();
    const r = await cli(
      status('--json'),
      env({ GRAPH_ACCESS_TOKEN: 'PLANTEDexpiredGraph.eyJhbGciOiJub25lIn0.c2ln' }),
    );
    expect(r.code).toBe(3);
    noSecrets(r.stdout + r.stderr);
  });
});

describe('status --profile', () => {
  beforeEach(() => setup(10));

  it('checks the saved setup, records the token’s creation time, saves the report without secrets', async () => {
    await entraApplied();
    const job = theJob();
    const sp = g().state.servicePrincipals[0];
    const store = new ProfileStore(home);
    const created = await store.create({ name: 'Acme prod', idp: 'entra' });
    const tokenId = [...dbt.state.scimTokens.values()][0]?.id;
    await store.update(created.id, {
      dbt: {
        apiUrl: dbt.apiUrl,
        accountId: dbt.accountId,
        scimUrl: dbt.scimUrl,
        scimTokenId: tokenId,
        scimTokenName: 'scim-entra',
      },
      entra: {
        cloud: 'global',
        graphUrl: g().graphUrl,
        appName: 'dbt SCIM',
        spId: sp?.id,
        jobId: job.id,
        // The wizard fingerprints the credentials it saved in Entra by the token's dbt id.
        credentialsFingerprint: credentialsFingerprint({
          scimUrl: dbt.scimUrl,
          token: SCIM_TOKEN,
          tokenId,
        }),
      },
    });
    const r = await cli(['status', '--profile', 'acme PROD', '--json'], env());
    expect(r.code, r.stdout).toBe(0);
    expect(r.json?.ok).toBe(true);
    const saved = await store.get(created.id);
    expect(saved.dbt.scimTokenCreatedAt).toBe(new Date(CLI_START - 10 * DAY).toISOString());
    const file = join(home, 'status', `${created.id}.json`);
    const text = await readFile(file, 'utf8');
    expect(((await stat(file)).mode & 0o777).toString(8)).toBe('600');
    expect(JSON.parse(text)).toMatchObject({
      version: 1,
      report: { profileId: created.id, profileName: 'Acme prod', ok: true },
    });
    noSecrets(text);
    noSecrets(r.stdout + r.stderr);

    // The active profile is the default when no account flags are given.
    await store.select(created.id);
    const again = await cli(['status'], env({ GRAPH_ACCESS_TOKEN: undefined }));
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Health of the profile "Acme prod"');
    expect(again.stdout).toMatch(/^SKIP {4}Not checked: GRAPH_ACCESS_TOKEN is not set/m);
  });

  it('reads the saved SSO license maps back once the License step was started, and names drift', async () => {
    await entraApplied();
    const store = new ProfileStore(home);
    const created = await store.create({ name: 'Licenses', idp: 'entra' });
    await store.update(created.id, {
      dbt: { apiUrl: dbt.apiUrl, accountId: dbt.accountId, scimUrl: dbt.scimUrl },
      entra: { cloud: 'global', graphUrl: g().graphUrl, appName: 'dbt SCIM' },
      license: { entraMaps: { developer: ['Engineers'] } },
    });
    dbt.state.licenseMaps.push({
      id: 501,
      license_type: 'developer',
      sso_license_mapping_groups: ['Engineers'],
    });
    // Not started: the maps are not read.
    let r = await cli(['status', '--profile', created.id, '--json'], env());
    expect(checks(r).some((c) => c.id.startsWith('license.'))).toBe(false);

    await store.setStepStatus(created.id, 'license', 'verified');
    r = await cli(['status', '--profile', created.id, '--json'], env());
    const license = checks(r).filter((c) => c.id.startsWith('license.'));
    expect(license.length).toBeGreaterThan(0);
    expect(license.every((c) => c.status === 'pass')).toBe(true);

    // Someone removes the map in dbt: the check names it and exits 1.
    dbt.state.licenseMaps.length = 0;
    r = await cli(['status', '--profile', created.id, '--json'], env());
    expect(r.code).toBe(1);
    const failed = checks(r).filter((c) => c.id.startsWith('license.') && c.status === 'fail');
    expect(failed.map((c) => c.message).join(' ')).toContain('dbt has no Developer license map');
    noSecrets(r.stdout + r.stderr);
  });

  it('asks Microsoft nothing for a profile that never reached Entra', async () => {
    const store = new ProfileStore(home);
    const created = await store.create({ name: 'New', idp: 'entra' });
    await store.update(created.id, { dbt: { apiUrl: dbt.apiUrl, accountId: dbt.accountId } });
    const r = await cli(['status', '--profile', created.id, '--json'], env());
    expect(r.code).toBe(0);
    expect(byId(r)['entra.unchecked']?.message).toBe(
      'Not checked: Microsoft Entra ID is not set up in this profile yet.',
    );
    expect(byId(r)['dbt.connection.unchecked']).toMatchObject({ status: 'skip' });
    expect(g().requests).toEqual([]);
  });

  it('names an unknown profile (exit 2)', async () => {
    const r = await cli(['status', '--profile', 'nope'], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('There is no saved profile "nope".');
  });
});

describe('status with Okta', () => {
  it('exits 0 on a finished setup, then 1 naming the console step when a feature is turned off', async () => {
    // The token was created an hour before the CLI's runs; Okta's connector test moves its last use.
    const dbtClock = new FakeClock(CLI_START - 3_600_000);
    dbt = await startFakeDbt({
      scimConfig: { enabled: true, scim_controlled_license_type: true },
      now: () => dbtClock.now(),
    });
    dbt.createScimToken('scim-okta', SCIM_TOKEN);
    const o = await startFakeOkta({
      scimTarget: { url: dbt.scimUrl, token: 'unusedTargetToken000000' },
    });
    okta = o;
    ({ dir: home, cleanup } = await tempDir('scim-status-okta-'));
    const oktaEnv = {
      DBT_SCIM_WIZARD_HOME: home,
      OKTA_API_TOKEN: o.apiToken,
      DBT_SCIM_TOKEN: SCIM_TOKEN,
      DBT_API_TOKEN: dbt.adminToken,
    };
    const flags = [
      '--okta-org',
      o.url,
      '--okta-app',
      'dbt Cloud',
      '--dbt-scim-url',
      dbt.scimUrl,
      '--dbt-api-url',
      dbt.apiUrl,
      '--dbt-account-id',
      String(dbt.accountId),
    ];
    // The setup, as `okta apply` and the console steps made it.
    const appId = o.ids.dbtApp;
    expect(
      (await cli(['okta', 'apply', '--yes', '--username-email', ...flags], oktaEnv)).code,
    ).toBe(1);
    o.console.enableScim(appId);
    o.console.saveIntegration(appId, {
      baseUrl: dbt.scimUrl,
      token: SCIM_TOKEN,
      pushNewUsers: true,
      pushProfileUpdates: true,
      pushGroups: true,
    });
    dbtClock.advance(90 * 60_000);
    expect((await o.console.testConnector(appId)).ok).toBe(true);
    o.console.toApp(appId, { create: true, update: true, deactivate: true });
    expect((await cli(['okta', 'apply', '--yes', ...flags], oktaEnv)).code).toBe(0);

    const healthy = await cli(['status', ...flags], oktaEnv);
    expect(healthy.code, healthy.stdout).toBe(0);
    expect(healthy.stdout).toContain('with Okta');
    expect(healthy.stdout).toContain('All is well.');
    expect(healthy.stdout).toMatch(/^PASS {4}Okta: the other \d+ checks pass\.$/m);

    // Someone turned "Update User Attributes" off in the console.
    o.console.toApp(appId, { create: true, update: false, deactivate: true });
    const drifted = await cli(['status', '--json', ...flags], oktaEnv);
    expect(drifted.code).toBe(1);
    expect(byId(drifted)['okta.console.to-app']).toMatchObject({ status: 'pending' });
    expect(byId(drifted)['okta.console.to-app']?.message).toContain('Update User Attributes');
    const report = (drifted.json?.data as { status: { items: { id: string; fixStep?: string }[] } })
      .status;
    expect(report.items.find((i) => i.id === 'okta.console.to-app')?.fixStep).toBe('idp');
    for (const r of [healthy, drifted]) {
      expect(r.stdout + r.stderr).not.toContain(o.apiToken);
      noSecrets(r.stdout + r.stderr);
    }
  });
});
