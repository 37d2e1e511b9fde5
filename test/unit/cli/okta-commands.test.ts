/**
 * `okta plan|apply|verify` exactly as CLI.md says, through the real CLI runner against the fake
 * Okta org and the fake dbt: flags, variables, one JSON document, exit codes; the console steps
 * listed with their links and named while pending; bad input sends nothing; no secret printed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { DBT_USER_EXTENSION } from '../../fakes/dbt-scim.js';
import { INTERNAL_ID_TEMPLATE, startFakeOkta, type FakeOkta } from '../../fakes/okta.js';
import { ALL_OKTA_SCOPES } from '../../fakes/okta-login.js';
import { cli, type CliRun } from '../../helpers/cli.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';

const SCIM_TOKEN = 'PLANTEDcliOktaScimToken3f9b1d7e5a2c';
const ACCESS_TOKEN = 'eyJraWQiOiJQTEFOVEVEIn0.PLANTEDoktaAccess.c2lnbmF0dXJlMDEyMzQ1Njc4OQ';
/** Every CLI run starts its own FakeClock here (test/helpers/cli-services.ts). */
const CLI_START = Date.parse('2026-11-29T10:00:00Z');

let okta: FakeOkta;
let dbt: FakeDbt;
/** The fake dbt's clock: before the CLI's runs, moved on when Okta calls dbt. */
let dbtClock: FakeClock;
let home: string;
let cleanup: () => Promise<void>;
let appId: string;

beforeEach(async () => {
  dbtClock = new FakeClock(CLI_START - 3_600_000);
  dbt = await startFakeDbt({
    scimConfig: { enabled: true, scim_controlled_license_type: true },
    now: () => dbtClock.now(),
  });
  dbt.createScimToken('scim-okta', SCIM_TOKEN);
  okta = await startFakeOkta({
    scimTarget: { url: dbt.scimUrl, token: 'unusedTargetToken000000' },
  });
  appId = okta.ids.dbtApp;
  ({ dir: home, cleanup } = await tempDir('scim-okta-cli-'));
});
afterEach(async () => {
  // Never a full replace of the app once SCIM was on; nothing outside Okta's API description.
  expect(okta.state.fullUpdates.filter((u) => u.scimWasOn)).toEqual([]);
  expect(okta.specProblems).toEqual([]);
  expect(okta.unmodelled).toEqual([]);
  await okta.close().catch(() => undefined);
  await dbt.close();
  await cleanup();
});

function env(extra: Record<string, string | undefined> = {}) {
  return {
    DBT_SCIM_WIZARD_HOME: home,
    OKTA_API_TOKEN: okta.apiToken,
    DBT_SCIM_TOKEN: SCIM_TOKEN,
    DBT_API_TOKEN: dbt.adminToken,
    ...extra,
  };
}
const args = (command: string, ...extra: string[]) => [
  'okta',
  command,
  '--okta-org',
  okta.url,
  '--okta-app',
  'dbt Cloud',
  '--dbt-scim-url',
  dbt.scimUrl,
  '--dbt-api-url',
  dbt.apiUrl,
  '--dbt-account-id',
  String(dbt.accountId),
  ...extra,
];

type Check = { id: string; status: string; message: string };
type Change = { id: string; action: string; target: string; detail: string };
type ConsoleRow = { id: string; title: string; status: string; link: string | null };
const checks = (r: CliRun) => r.json?.checks as Check[];
const changes = (r: CliRun) => r.json?.changes as Change[];
const consoleRows = (r: CliRun) => (r.json?.data as { console: ConsoleRow[] }).console;
const statusOf = (list: readonly Check[]) => Object.fromEntries(list.map((c) => [c.id, c.status]));
const writes = () => okta.requests.filter((q) => q.method !== 'GET');

function noSecrets(r: CliRun): void {
  const out = r.stdout + r.stderr;
  for (const secret of [okta.apiToken, SCIM_TOKEN, dbt.adminToken, ACCESS_TOKEN]) {
    expect(out).not.toContain(secret);
  }
}

/** What the admin does in the console: SCIM on, Integration (with the token), the test, To App. */
async function console(options: { toApp?: boolean; test?: boolean } = {}): Promise<void> {
  okta.console.enableScim(appId);
  okta.console.saveIntegration(appId, {
    baseUrl: dbt.scimUrl,
    token: SCIM_TOKEN,
    pushNewUsers: true,
    pushProfileUpdates: true,
    pushGroups: true,
  });
  if (options.test !== false) {
    // Okta calls dbt after the CLI first showed the step (its first run).
    dbtClock.advance(90 * 60_000);
    expect((await okta.console.testConnector(appId)).ok).toBe(true);
  }
  if (options.toApp !== false) {
    okta.console.toApp(appId, { create: true, update: true, deactivate: true });
  }
}

const PENDING_TITLES = [
  'Turn on SCIM provisioning',
  'Connect Okta to dbt’s SCIM API',
  'Test the connection to dbt',
  'Turn on "Create Users", "Update User Attributes" and "Deactivate Users"',
];

describe('okta plan', () => {
  it('lists the changes and the console steps with their links, and changes nothing', async () => {
    const r = await cli(args('plan', '--json', '--username-email'), env());
    expect(r.code).toBe(0);
    expect(Object.keys(r.json ?? {}).sort()).toEqual([
      'changes',
      'checks',
      'command',
      'data',
      'ok',
    ]);
    expect(r.json).toMatchObject({ ok: true, command: 'okta plan', checks: [] });
    expect(changes(r).map((c) => c.id)).toEqual(['okta.username']);
    expect(changes(r)[0]?.detail).toContain('"Application username format" to Email');
    const rows = consoleRows(r);
    expect(rows.find((i) => i.id === 'okta.console.enable-scim')).toMatchObject({
      status: 'pending',
      link: `${okta.url}/admin/app/acme_dbtcloud_1/instance/${appId}/#tab-general`,
    });
    expect(rows.filter((i) => i.status === 'pending').map((i) => i.title)).toEqual(PENDING_TITLES);
    expect(writes()).toEqual([]);
    expect(okta.requests.every((q) => q.authScheme === 'SSWS')).toBe(true);
    expect(okta.state.fullUpdates).toEqual([]);
    noSecrets(r);

    // In sentences: the plan, then each console step to do with its page, values and instructions.
    const human = await cli(args('plan', '--username-email'), env());
    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`Okta org ${okta.url}, app "dbt Cloud" (${appId})`);
    expect(human.stdout).toContain('Plan (1 change):');
    expect(human.stdout).toContain(
      `  PENDING Turn on SCIM provisioning: ${okta.url}/admin/app/acme_dbtcloud_1/instance/${appId}/#tab-general`,
    );
    expect(human.stdout).toContain(`      SCIM connector base URL: ${dbt.scimUrl}`);
    expect(human.stdout).toContain(
      '      Bearer: the dbt SCIM token (the one in DBT_SCIM_TOKEN; never printed here)',
    );
    expect(writes()).toEqual([]);
    noSecrets(human);
  });

  it('once SCIM is on, lists the licenseType attribute and the group pushes', async () => {
    await console();
    const r = await cli(
      args('plan', '--json', '--push-groups', 'dbt_developers,dbt_analysts'),
      env(),
    );
    expect(r.code).toBe(0);
    expect(changes(r).map((c) => c.id)).toEqual([
      'okta.license.add',
      `okta.group-push.${okta.ids.developers}`,
      `okta.group-push.${okta.ids.analysts}`,
    ]);
    // dbt has the group dbt_developers; "dbt_analysts" would be new.
    expect(changes(r)[1]?.detail).toContain('dbt already has the group "dbt_developers"');
    expect(changes(r)[2]?.detail).toContain('dbt has no group of that name: Okta creates it');
    expect(writes()).toEqual([]);
    expect(okta.state.groupPushMappings).toEqual([]);
  });
});

describe('okta apply', () => {
  it('needs --yes without a terminal: exit 2 and nothing sent', async () => {
    const r = await cli(args('apply', '--json'), env());
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect((r.json?.error as { message: string }).message).toContain('--yes');
    expect(okta.requests).toEqual([]);
    expect(dbt.requests).toEqual([]);
  });

  it('does the API part, lists the console steps still to do, and exits 1 while one is pending', async () => {
    okta.console.setUserNameTemplate(appId, { template: '${source.email}', type: 'BUILT_IN' });
    await console({ toApp: false, test: false });
    const r = await cli(args('apply', '--yes', '--json', '--push-groups', 'dbt_developers'), env());
    expect(r.code).toBe(1);
    expect(r.json?.ok).toBe(false);
    expect(r.json?.error).toBeUndefined();
    expect(changes(r).map((c) => c.id)).toEqual([
      'okta.license.add',
      `okta.group-push.${okta.ids.developers}`,
    ]);
    expect(Object.keys(okta.state.appSchemas.get(appId)?.custom ?? {})).toEqual(['licenseType']);
    expect(okta.state.groupPushMappings.map((m) => m.sourceGroupId)).toEqual([okta.ids.developers]);
    const status = statusOf(checks(r));
    expect(status).toMatchObject({
      'okta.license': 'pass',
      [`okta.group-push.${okta.ids.developers}`]: 'pass',
      'okta.console.enable-scim': 'pass',
      'okta.console.integration': 'pass',
      'okta.console.test-connector': 'pending',
      'okta.console.to-app': 'pending',
    });
    expect(
      consoleRows(r)
        .filter((i) => i.status === 'pending')
        .map((i) => i.title),
    ).toEqual(PENDING_TITLES.slice(2));
    noSecrets(r);

    // Idempotent: a second apply changes nothing.
    okta.clearRequests();
    const again = await cli(
      args('apply', '--yes', '--json', '--push-groups', 'dbt_developers'),
      env(),
    );
    expect(again.code, again.stdout).toBe(1);
    expect(changes(again)).toEqual([]);
    expect(writes()).toEqual([]);
  });

  it('--username-email sets the username format only while SCIM is off', async () => {
    const r = await cli(args('apply', '--yes', '--json', '--username-email'), env());
    expect(changes(r).map((c) => c.id)).toEqual(['okta.username']);
    expect(statusOf(checks(r))['okta.username']).toBe('pass');
    expect(okta.state.apps.find((a) => a.id === appId)?.credentials.userNameTemplate).toMatchObject(
      {
        template: '${source.email}',
      },
    );
    expect(okta.state.fullUpdates).toEqual([expect.objectContaining({ scimWasOn: false })]);
    // Console steps are still to do: exit 1.
    expect(r.code).toBe(1);
  });

  it('--username-email leaves the app alone once SCIM is on, and verify names the console step', async () => {
    okta.console.enableScim(appId);
    const r = await cli(args('apply', '--yes', '--json', '--username-email'), env());
    expect(r.code).toBe(1);
    expect(changes(r).map((c) => c.id)).not.toContain('okta.username');
    expect(okta.requests.filter((q) => q.method === 'PUT')).toEqual([]);
    expect(okta.state.fullUpdates).toEqual([]);
    expect(okta.state.apps.find((a) => a.id === appId)?.credentials.userNameTemplate).toEqual({
      template: INTERNAL_ID_TEMPLATE,
      type: 'CUSTOM',
    });
    const username = checks(r).find((c) => c.id === 'okta.username');
    expect(username?.status).toBe('fail');
    expect(username?.message).toContain('only the console may change it');
    expect(statusOf(checks(r))['okta.console.username']).toBe('pending');
  });

  it('--push-groups naming a group Okta does not have: exit 2, nothing changed', async () => {
    await console();
    const r = await cli(args('apply', '--yes', '--json', '--push-groups', 'no_such_group'), env());
    expect(r.code).toBe(2);
    expect(r.json?.error).toMatchObject({ code: 'bad_input' });
    expect((r.json?.error as { message: string }).message).toContain(
      'Okta has no group named no_such_group',
    );
    expect(writes()).toEqual([]);
  });
});

describe('okta verify', () => {
  it('exits 1 naming each console step still pending', async () => {
    const r = await cli(args('verify'), env());
    expect(r.code).toBe(1);
    for (const title of PENDING_TITLES) {
      expect(r.stdout).toContain(`  PENDING ${title}: ${okta.url}/admin/app/acme_dbtcloud_1/`);
    }
    expect(r.stdout).toMatch(
      /^PENDING Turn on SCIM provisioning: Waiting for Okta: SCIM provisioning not shown yet/m,
    );
    expect(r.stdout).toMatch(/\d+ pending \(console steps not done yet\)\./);
    expect(writes()).toEqual([]);
    noSecrets(r);
  });

  it('exits 0 once the console steps are done and apply ran; --json is one document', async () => {
    // Before SCIM: the username format by API (the admin agreed with --username-email).
    expect((await cli(args('apply', '--yes', '--username-email'), env())).code).toBe(1);
    await console();
    const applied = await cli(
      args(
        'apply',
        '--yes',
        '--json',
        '--push-groups',
        'dbt_developers',
        '--test-user',
        'katherine.johnson@acme.example',
        '--license-type',
        'developer',
      ),
      env(),
    );
    expect(applied.code, applied.stdout).toBe(0);
    expect(changes(applied).map((c) => c.id)).toEqual([
      'okta.license.add',
      `okta.group-push.${okta.ids.developers}`,
      'okta.test-user.assign',
      'okta.test-user.push',
    ]);
    expect(statusOf(checks(applied))).toMatchObject({
      'okta.test-user.assigned': 'pass',
      'okta.test-user.in-dbt': 'pass',
    });
    // Okta pushed the test user to dbt, with the license type.
    await okta.settled();
    const user = [...dbt.state.users.values()].find(
      (u) => u.userName === 'katherine.johnson@acme.example',
    );
    expect(user).toMatchObject({ [DBT_USER_EXTENSION]: { licenseType: 'developer' } });

    const r = await cli(args('verify', '--json', '--push-groups', 'dbt_developers'), env());
    expect(r.code, r.stdout).toBe(0);
    // Exactly one JSON document on stdout, nothing else.
    expect(() => JSON.parse(r.stdout) as unknown).not.toThrow();
    expect(r.stdout.trim().startsWith('{')).toBe(true);
    expect(r.stdout.trim().endsWith('}')).toBe(true);
    expect(r.json).toMatchObject({ ok: true, command: 'okta verify', changes: [] });
    for (const c of checks(r)) {
      expect(Object.keys(c).sort()).toEqual(['id', 'message', 'status']);
      expect(['pass', 'fail', 'pending', 'skip']).toContain(c.status);
    }
    expect(statusOf(checks(r))).toMatchObject({
      'okta.app': 'pass',
      'okta.username': 'pass',
      'okta.console.enable-scim': 'pass',
      'okta.console.integration': 'pass',
      'okta.console.test-connector': 'pass',
      'okta.console.to-app': 'pass',
      'okta.console.import': 'skip',
      'okta.license': 'pass',
      [`okta.group-push.${okta.ids.developers}`]: 'pass',
    });
    noSecrets(r);

    // The same with an OAuth access token (Bearer) instead of the API token.
    okta.registerAccessToken(ACCESS_TOKEN, {
      scopes: ALL_OKTA_SCOPES,
      principal: { kind: 'user', userId: okta.ids.admin },
    });
    okta.clearRequests();
    const bearer = await cli(
      args('verify', '--json', '--push-groups', 'dbt_developers'),
      env({ OKTA_API_TOKEN: undefined, OKTA_ACCESS_TOKEN: ACCESS_TOKEN }),
    );
    expect(bearer.code, bearer.stdout).toBe(0);
    expect(okta.requests.length).toBeGreaterThan(0);
    expect(okta.requests.every((q) => q.authScheme === 'Bearer')).toBe(true);
    noSecrets(bearer);
  });
});

describe('existing integrations (--existing-integration)', () => {
  it('waits for the import, then links the push to the group imported from dbt', async () => {
    okta.console.setUserNameTemplate(appId, { template: '${source.email}', type: 'BUILT_IN' });
    okta.console.enableScim(appId);
    okta.console.saveIntegration(appId, {
      baseUrl: dbt.scimUrl,
      token: SCIM_TOKEN,
      pushNewUsers: true,
      pushProfileUpdates: true,
      pushGroups: true,
      importUsers: true,
    });
    dbtClock.advance(90 * 60_000);
    expect((await okta.console.testConnector(appId)).ok).toBe(true);
    okta.console.toApp(appId, { create: true, update: true, deactivate: true });
    // The app by its id this time.
    const byId = (command: string, ...extra: string[]) =>
      args(command, ...extra).map((a) => (a === 'dbt Cloud' ? appId : a));

    const before = await cli(byId('verify', '--existing-integration'), env());
    expect(before.code).toBe(1);
    expect(before.stdout).toContain(
      `  PENDING Import dbt’s existing users and groups: ${okta.url}/admin/app/acme_dbtcloud_1/instance/${appId}/#tab-import`,
    );

    // Import Now: dbt's groups come into Okta as app groups, dbt_developers among them.
    const imported = await okta.console.importUsers(appId);
    expect(imported.groups).toBe(3);
    const importedGroup = okta.state.groups.find(
      (g) => g.type === 'APP_GROUP' && g.profile.name === 'dbt_developers',
    );
    const plan = await cli(
      byId('plan', '--json', '--existing-integration', '--push-groups', 'dbt_developers'),
      env(),
    );
    expect(plan.code).toBe(0);
    expect(changes(plan)[1]?.detail).toBe(
      'push the Okta group "dbt_developers" to the dbt group "dbt_developers" imported from dbt (links to it; no new group)',
    );
    const applied = await cli(
      byId('apply', '--yes', '--json', '--existing-integration', '--push-groups', 'dbt_developers'),
      env(),
    );
    expect(applied.code, applied.stdout).toBe(0);
    expect(okta.state.groupPushMappings).toEqual([
      expect.objectContaining({
        sourceGroupId: okta.ids.developers,
        targetGroupId: importedGroup?.id,
      }),
    ]);
    expect(okta.state.groups.filter((g) => g.profile.name === 'dbt_developers')).toHaveLength(2);
    expect(statusOf(checks(applied))['okta.console.import']).toBe('pass');
  });
});

describe('refusals and failures', () => {
  it('a refused API token: exit 3', async () => {
    const r = await cli(
      args('plan', '--json'),
      env({ OKTA_API_TOKEN: '00NotTheRightTokenForThisOrg0000000000000' }),
    );
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    expect(r.stdout).not.toContain('00NotTheRightTokenForThisOrg');
  });

  it('an access token without the scopes: exit 3, naming the scope', async () => {
    okta.registerAccessToken(ACCESS_TOKEN, {
      scopes: ['okta.users.read.self'],
      principal: { kind: 'user', userId: okta.ids.admin },
    });
    const r = await cli(
      args('verify', '--json'),
      env({ OKTA_API_TOKEN: undefined, OKTA_ACCESS_TOKEN: ACCESS_TOKEN }),
    );
    expect(r.code).toBe(3);
    expect(r.json?.error).toMatchObject({ code: 'permission_denied' });
    expect((r.json?.error as { message: string }).message).toContain('okta.apps.read');
    noSecrets(r);
  });

  it('Okta cannot be reached: exit 4', async () => {
    const url = okta.url;
    await okta.close();
    const r = await cli(
      ['okta', 'plan', '--okta-org', url, '--okta-app', 'dbt Cloud', '--json'],
      env(),
    );
    expect(r.code).toBe(4);
    expect((r.json?.error as { code: string }).code).toMatch(/^network_/);
  });
});

describe('help', () => {
  it('lists the okta commands and their own flags', async () => {
    const top = await cli(['--help'], env());
    expect(top.stdout).toMatch(/okta plan\s+list every change/);
    expect(top.stdout).toMatch(/okta apply\s+do the API part/);
    expect(top.stdout).toMatch(/okta verify\s+read the Okta setup back/);
    const apply = await cli(['okta', 'apply', '--help'], env());
    expect(apply.code).toBe(0);
    for (const flag of [
      '--okta-org URL',
      '--okta-app ID_OR_LABEL',
      '--push-groups NAMES',
      '--license-type it|analyst|developer|read_only',
      '--username-email',
      '--existing-integration',
    ]) {
      expect(apply.stdout).toContain(flag);
    }
    expect(okta.requests).toEqual([]);
  });
});
