/**
 * The Okta side end to end through the handler table (what main, the bridge and the CLI share):
 * the services, the engine, the steps, the real Okta adapter (the SDK over our HTTP client) and the
 * real dbt adapters, against the fake Okta org (which checks every request against Okta's OpenAPI
 * description, with its org authorization server mounted for the browser sign-in) and the fake dbt
 * (whose SCIM API the fake Okta really pushes to). A FakeClock drives every wait and both fakes.
 *
 * The traps are checked after every test: no full update of the app once SCIM was on, no request
 * outside Okta's API description, no operation the fake does not model.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../electron/adapters/http/client.js';
import { oktaRedirectUri } from '../../../electron/adapters/okta/signin.js';
import { memoryLogger } from '../../../electron/core/logger.js';
import { desiredLicenseAttribute } from '../../../electron/core/okta/license.js';
import { OKTA_FEATURES } from '../../../electron/core/okta/ports.js';
import type { HttpClient } from '../../../electron/core/ports.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { dispatch } from '../../../electron/services/dispatch.js';
import { CONSOLE_POLL_MS } from '../../../electron/services/okta.js';
import { API_TOKEN_WARNINGS } from '../../../electron/services/okta-signin.js';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { DBT_USER_EXTENSION } from '../../fakes/dbt-scim.js';
import {
  DBT_LICENSE_NAMESPACE,
  INTERNAL_ID_TEMPLATE,
  startFakeOkta,
  type FakeOkta,
  type FakeOktaOptions,
} from '../../fakes/okta.js';
import {
  ALL_OKTA_SCOPES,
  createFakeOktaLoginState,
  createOktaLoginHandler,
  FAKE_NATIVE_CLIENT_ID,
  fakeOktaBrowser,
  type FakeNativeApp,
  type FakeOktaBrowser,
  type FakeOktaLoginState,
} from '../../fakes/okta-login.js';
import { MemoryClipboard } from '../../helpers/clipboard.js';
import { MemoryKeyEncryptor } from '../../helpers/encryptor.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';
import { freePort } from '../adapters/okta-signin/helpers.js';

const SCIM_TOKEN = 'PLANTEDoktaIntegrationScim7c3e9a1b5d';

// ---------------------------------------------------------------------------------------------
// The world: a fake Okta org (with its login), a fake dbt account, the services, one profile

const cleanups: (() => Promise<void>)[] = [];
const orgs: FakeOkta[] = [];

afterEach(async () => {
  try {
    for (const okta of orgs) {
      // Never a full replace of the app once SCIM was on: it can reset provisioning.
      expect(okta.state.fullUpdates.filter((u) => u.scimWasOn)).toEqual([]);
      expect(okta.specProblems).toEqual([]);
      expect(okta.unmodelled).toEqual([]);
    }
  } finally {
    orgs.length = 0;
    while (cleanups.length > 0) {
      await cleanups.pop()?.();
    }
  }
});

interface World {
  readonly clock: PushingClock;
  readonly okta: FakeOkta;
  readonly login: FakeOktaLoginState;
  readonly dbt: FakeDbt;
  readonly services: Services;
  readonly clipboard: MemoryClipboard;
  readonly browser: FakeOktaBrowser;
  readonly profileId: string;
  /** The dbt SSO app's id in the fake. */
  readonly appId: string;
  /** Every reply of the handler table, as JSON. */
  readonly replies: string[];
  readonly call: <T = unknown>(channel: string, input?: unknown) => Promise<T>;
  readonly fails: (channel: string, input?: unknown) => Promise<{ code: string; message: string }>;
}

interface WorldOptions {
  readonly okta?: FakeOktaOptions;
  readonly nativeApp?: Partial<FakeNativeApp>;
  /** Wraps the real HTTP client (fault injection). */
  readonly wrap?: (http: HttpClient) => HttpClient;
}

/**
 * A FakeClock whose waits also let the fake Okta finish the pushes it queued: while the wizard
 * waits (e.g. 5 s between reads of the test user), Okta's provisioning runs.
 */
class PushingClock extends FakeClock {
  settle: () => Promise<void> = () => Promise.resolve();

  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await this.settle();
    return super.sleep(ms, signal);
  }
}

async function world(options: WorldOptions = {}): Promise<World> {
  const clock = new PushingClock();
  const now = () => clock.now();
  const dbt = await startFakeDbt({
    scimConfig: { enabled: true, scim_controlled_license_type: true },
    groups: ['Everyone', 'Analysts', 'dbt_developers'],
    users: [
      // Okta has grace.hopper@acme.example: only the case differs.
      { userName: 'Grace.Hopper@acme.example', givenName: 'Grace', familyName: 'Hopper' },
      { userName: 'nobody@elsewhere.example', givenName: 'No', familyName: 'Body' },
      { userName: 'alan.turing@acme.example', givenName: 'Alan', familyName: 'Turing' },
    ],
    now,
  });
  cleanups.push(() => dbt.close());
  dbt.createScimToken('scim-okta', SCIM_TOKEN);

  const redirectPort = await freePort();
  const login = createFakeOktaLoginState({
    now,
    nativeApps: [{ redirectUris: [oktaRedirectUri(redirectPort)], ...options.nativeApp }],
  });
  const okta = await startFakeOkta({
    extraHandler: createOktaLoginHandler(login),
    // Pushes go to the fake dbt, with the token the Integration tab saved (never this one).
    scimTarget: { url: dbt.scimUrl, token: 'notTheTokenTheConsoleSaved0000' },
    now,
    ...options.okta,
  });
  orgs.push(okta);
  cleanups.push(() => okta.close());
  clock.settle = () => okta.settled();
  const admin = okta.state.users.find((u) => u.id === okta.ids.admin);
  login.admin = { id: okta.ids.admin, login: admin?.profile.login ?? '' };
  login.onToken = (token, { scopes, principal }) => {
    okta.registerAccessToken(token, {
      scopes,
      principal: principal.kind === 'user' ? { kind: 'user', userId: principal.id } : principal,
    });
  };

  const { dir: home, cleanup } = await tempDir('scim-okta-');
  cleanups.push(cleanup);
  const { logger } = memoryLogger();
  const real = createHttpClient({ log: logger.child('http'), clock });
  cleanups.push(() => real.close());
  const browser = fakeOktaBrowser();
  const clipboard = new MemoryClipboard();
  const services = createServices({
    home,
    face: 'bridge',
    version: '0.0.0-test',
    log: logger,
    encryptor: new MemoryKeyEncryptor(),
    clock,
    http: options.wrap ? options.wrap(real) : real,
    clipboard,
    opener: { open: (url) => browser.open(url) },
    oktaRedirectPort: redirectPort,
  });

  const replies: string[] = [];
  const raw = async (channel: string, input?: unknown) => {
    const r = await dispatch(services.handlers, channel, input, logger);
    replies.push(JSON.stringify(r));
    return r;
  };
  const call = async <T = unknown>(channel: string, input?: unknown): Promise<T> => {
    const r = await raw(channel, input);
    if (!r.ok) {
      throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
    }
    return r.value as T;
  };
  const fails = async (channel: string, input?: unknown) => {
    const r = await raw(channel, input);
    if (r.ok) {
      throw new Error(`${channel} succeeded`);
    }
    return r.error;
  };

  const profile = await call<{ id: string }>('profiles:create', { name: 'Acme', idp: 'okta' });
  const profileId = profile.id;
  // dbt: the Admin API, the SCIM base URL, the SCIM token (recognised as dbt's "scim-okta").
  await call('dbt:connect', {
    profileId,
    apiUrl: dbt.apiUrl,
    accountId: dbt.accountId,
    apiToken: dbt.adminToken,
  });
  await call('dbt:setScimUrl', { profileId, scimUrl: dbt.scimUrl });
  await call('dbt:pasteToken', { profileId, value: SCIM_TOKEN });
  const saved = await services.profiles.get(profileId);
  expect(saved.dbt.scimTokenId).toBeDefined();

  return {
    clock,
    okta,
    login,
    dbt,
    services,
    clipboard,
    browser,
    profileId,
    appId: okta.ids.dbtApp,
    replies,
    call,
    fails,
  };
}

type Check = { id: string; status: string; message: string };
type Change = { id: string; action: string; target: string; detail?: string };
type ConsoleItem = {
  id: string;
  status: string;
  message: string;
  verifiedAt?: string;
  values: { label: string; value: string }[];
  link: { url: string } | null;
};
interface Run {
  phase: string;
  changes: Change[];
  checks: Check[];
  error?: { code: string; message: string };
  console: ConsoleItem[];
}
interface ConsoleReply {
  items: ConsoleItem[];
  nextCheckAt: string;
  error?: { code: string };
}

const item = (items: readonly ConsoleItem[], id: string) => {
  const found = items.find((i) => i.id === `okta.console.${id}`);
  if (!found) {
    throw new Error(`no console item ${id}: ${items.map((i) => i.id).join(', ')}`);
  }
  return found;
};
const statusOf = (checks: readonly Check[]) =>
  Object.fromEntries(checks.map((c) => [c.id, c.status]));

/** Signs in with the org's API token and chooses the dbt SSO app. */
async function signInWithToken(w: World): Promise<void> {
  await w.call('okta:connect', {
    profileId: w.profileId,
    orgUrl: w.okta.url,
    signInMethod: 'token',
  });
  await w.call('okta:useToken', { profileId: w.profileId, apiToken: w.okta.apiToken });
  await w.call('okta:chooseApp', { profileId: w.profileId, appId: w.appId });
}

/**
 * What the admin does in the console for a new integration: SCIM on, Integration, the connector
 * test (after the wizard showed that step), To App.
 */
async function consoleDone(w: World, options: { template?: boolean } = {}): Promise<void> {
  if (options.template !== false) {
    // Before SCIM: the console edit (no API call).
    w.okta.console.setUserNameTemplate(w.appId, { template: '${source.email}', type: 'BUILT_IN' });
  }
  w.okta.console.enableScim(w.appId);
  w.okta.console.saveIntegration(w.appId, {
    baseUrl: w.dbt.scimUrl,
    token: SCIM_TOKEN,
    pushNewUsers: true,
    pushProfileUpdates: true,
    pushGroups: true,
  });
  await w.call('okta:console', { profileId: w.profileId, shown: 'okta.console.test-connector' });
  w.clock.advance(1_000);
  expect((await w.okta.console.testConnector(w.appId)).ok).toBe(true);
  w.okta.console.toApp(w.appId, { create: true, update: true, deactivate: true });
  w.clock.advance(CONSOLE_POLL_MS);
}

function picks(w: World) {
  return [
    {
      oktaGroupId: w.okta.ids.developers,
      oktaGroupName: 'dbt_developers',
      targetGroupName: 'dbt_developers',
    },
    // dbt has "Analysts": the same name but for case.
    {
      oktaGroupId: w.okta.ids.analysts,
      oktaGroupName: 'dbt_analysts',
      targetGroupName: 'analysts',
    },
  ];
}

/** The Okta requests that change something. */
const writes = (okta: FakeOkta) => okta.requests.filter((r) => r.method !== 'GET');

// ---------------------------------------------------------------------------------------------

describe('the admin’s whole journey through the handler table', () => {
  it('connects, signs in two ways, finishes SCIM in the console and by API, and tests a person', async () => {
    // Okta pushes a moment after an assignment changes, as it does: never within the same answer.
    const w = await world({ okta: { pushDelayMs: 100 } });
    const { okta, dbt, clock, profileId, appId, call } = w;

    // --- The org: an admin-console address is turned into the org's (nothing sent).
    const admin = await call<{ profile: { okta: { orgUrl: string } }; warnings: string[] }>(
      'okta:connect',
      { profileId, orgUrl: 'https://acme-admin.okta.com/admin/dashboard' },
    );
    expect(admin.profile.okta.orgUrl).toBe('https://acme.okta.com');
    expect(admin.warnings.join(' ')).toContain('is the admin console');
    expect(okta.requests).toEqual([]);
    const local = await call<{ profile: { okta: { orgUrl: string } }; warnings: string[] }>(
      'okta:connect',
      { profileId, orgUrl: `${okta.url}/admin/dashboard`, signInMethod: 'token' },
    );
    expect(local.profile.okta.orgUrl).toBe(okta.url);
    expect(local.warnings.join(' ')).toContain('Dropped the page address');
    // Not signed in yet: the app list is refused, and nothing is sent.
    expect(await w.fails('okta:findApps', { profileId })).toMatchObject({ code: 'auth_failed' });
    expect(okta.requests).toEqual([]);

    // --- Signed in with an API token: its admin's roles, and the two warnings.
    const byToken = await call<Record<string, unknown>>('okta:useToken', {
      profileId,
      apiToken: ` SSWS ${okta.apiToken}\n`,
    });
    expect(byToken).toMatchObject({
      signedIn: true,
      method: 'token',
      subject: 'ada.admin@acme.example',
      roleVerdict: 'ok',
      roles: ['SUPER_ADMIN'],
      missingScopes: [],
      warnings: [...API_TOKEN_WARNINGS],
    });
    expect(okta.requests.every((r) => r.authScheme === 'SSWS')).toBe(true);

    // --- Then with the browser (PKCE) through the org authorization server.
    await call('okta:connect', {
      profileId,
      orgUrl: okta.url,
      signInMethod: 'pkce',
      clientId: FAKE_NATIVE_CLIENT_ID,
    });
    const signedIn = await call<Record<string, unknown>>('okta:signIn', { profileId });
    expect(signedIn).toMatchObject({ signedIn: true, method: 'pkce' });
    const visit = await w.browser.nextVisit();
    expect(visit.finalStatus).toBe(200);
    expect(new URL(visit.url).pathname).toBe('/oauth2/v1/authorize');
    const account = await call<{
      grantedScopes: string[];
      missingScopes: string[];
      roles: string[];
      roleVerdict: string;
      subject: string;
      method: string;
    }>('okta:account', { profileId });
    expect(account).toMatchObject({
      method: 'pkce',
      subject: 'ada.admin@acme.example',
      roleVerdict: 'ok',
      roles: ['SUPER_ADMIN'],
      missingScopes: [],
    });
    expect([...account.grantedScopes].sort()).toEqual(
      expect.arrayContaining([...ALL_OKTA_SCOPES].sort()),
    );
    okta.clearRequests();

    // --- The dbt SSO app, found and chosen.
    const found = await call<{
      apps: {
        id: string;
        label: string;
        signOnMode: string;
        userNameFormat: string;
        unsuitable?: string;
      }[];
    }>('okta:findApps', { profileId });
    expect(found.apps.map((a) => a.label)).toEqual(['dbt Cloud', 'dbt SCIM Wizard']);
    expect(found.apps[0]).toMatchObject({ id: appId, userNameFormat: 'okta_id' });
    expect(found.apps[1]?.unsuitable).toMatch(/not SAML 2\.0/);
    await call('okta:chooseApp', { profileId, appId });
    expect((await w.services.profiles.get(profileId)).okta).toMatchObject({
      appId,
      appLabel: 'dbt Cloud',
      appName: 'acme_dbtcloud_1',
    });

    // --- The username conflict: the internal-id template stays until the admin confirms.
    const before = await call<Run>('okta:verify', { profileId });
    const userCheck = before.checks.find((c) => c.id === 'okta.username');
    expect(userCheck?.status).toBe('pending');
    expect(userCheck?.message).toContain('SAML subject');
    const unconfirmed = await call<Run>('okta:plan', { profileId });
    expect(unconfirmed.changes).toEqual([]);
    await call('okta:confirmUserNameChange', { profileId, confirm: true });
    const plan1 = await call<Run>('okta:plan', { profileId });
    expect(plan1.changes.map((c) => c.id)).toEqual(['okta.username']);
    expect(plan1.changes[0]?.detail).toContain('the Okta internal id');
    expect(writes(okta)).toEqual([]);
    const appBefore = structuredClone(okta.state.apps.find((a) => a.id === appId));
    const applied1 = await call<Run>('okta:apply', {
      profileId,
      expectedChangeIds: plan1.changes.map((c) => c.id),
    });
    expect(applied1.error).toBeUndefined();
    expect(applied1.changes.map((c) => c.id)).toEqual(['okta.username']);
    expect(statusOf(applied1.checks)['okta.username']).toBe('pass');
    const appAfter = okta.state.apps.find((a) => a.id === appId);
    expect(appAfter?.credentials.userNameTemplate).toMatchObject({
      template: '${source.email}',
      type: 'BUILT_IN',
    });
    // One full update, before SCIM was on, that sent back every field it read.
    expect(okta.state.fullUpdates).toEqual([expect.objectContaining({ appId, scimWasOn: false })]);
    const strip = (a: typeof appBefore) => {
      const copy = structuredClone(a) as Record<string, unknown> & {
        credentials: Record<string, unknown>;
      };
      delete copy.lastUpdated;
      delete copy.credentials.userNameTemplate;
      return copy;
    };
    expect(strip(appAfter)).toEqual(strip(appBefore));

    // --- Console: SCIM on. Pending, then the admin's click, then pass with "Verified at".
    const c1 = await call<ConsoleReply>('okta:console', {
      profileId,
      shown: 'okta.console.enable-scim',
    });
    expect(item(c1.items, 'enable-scim').status).toBe('pending');
    expect(item(c1.items, 'enable-scim').link?.url).toBe(
      `${okta.url}/admin/app/acme_dbtcloud_1/instance/${appId}/#tab-general`,
    );
    expect(
      (await w.services.profiles.get(profileId)).okta?.consoleShownAt?.['okta.console.enable-scim'],
    ).toBe(clock.now().toISOString());
    okta.console.enableScim(appId);
    clock.advance(CONSOLE_POLL_MS);
    const c2 = await call<ConsoleReply>('okta:console', { profileId });
    expect(item(c2.items, 'enable-scim')).toMatchObject({
      status: 'pass',
      verifiedAt: clock.now().toISOString(),
    });
    expect(item(c2.items, 'integration').status).toBe('pending');

    // --- Integration: the wizard puts the token on the clipboard; the admin pastes it in Okta.
    const copied = await call<{ last4: string; clearsAt: string }>('okta:copyScimToken', {
      profileId,
    });
    expect(copied.last4).toBe(SCIM_TOKEN.slice(-4));
    expect(w.clipboard.writes[0]).toBe(SCIM_TOKEN);
    const pasted = w.clipboard.writes[0] ?? '';
    // Cleared a minute later (the fake clock's sleep resolves at once and moves the clock on).
    await new Promise((ok) => setImmediate(ok));
    expect(w.clipboard.text).toBe('');
    const values = Object.fromEntries(
      item(c2.items, 'integration').values.map((v) => [v.label, v.value]),
    );
    expect(values).toEqual({
      'SCIM connector base URL': dbt.scimUrl,
      'Unique identifier field for users': 'userName',
      'Authentication Mode': 'HTTP Header',
    });
    okta.console.saveIntegration(appId, {
      baseUrl: values['SCIM connector base URL'] ?? '',
      token: pasted,
      pushNewUsers: true,
      pushProfileUpdates: true,
      pushGroups: true,
    });
    clock.advance(CONSOLE_POLL_MS);
    const c3 = await call<ConsoleReply>('okta:console', {
      profileId,
      shown: 'okta.console.test-connector',
    });
    expect(item(c3.items, 'integration').status).toBe('pass');
    expect(item(c3.items, 'test-connector').status).toBe('pending');

    // --- Test Connector Configuration: Okta calls dbt, the token's last use moves.
    const tokenId = (await w.services.profiles.get(profileId)).dbt.scimTokenId ?? -1;
    const usedBefore = dbt.state.scimTokens.get(tokenId)?.last_used;
    clock.advance(1_000);
    const tested = await okta.console.testConnector(appId);
    expect(tested.ok).toBe(true);
    expect(dbt.state.scimTokens.get(tokenId)?.last_used).not.toBe(usedBefore);
    clock.advance(CONSOLE_POLL_MS);
    const c4 = await call<ConsoleReply>('okta:console', { profileId });
    expect(item(c4.items, 'test-connector').status).toBe('pass');
    expect(item(c4.items, 'test-connector').message).toContain('Okta reached dbt');
    expect(item(c4.items, 'to-app').status).toBe('pending');

    // --- To App.
    okta.console.toApp(appId, { create: true, update: true, deactivate: true });
    clock.advance(CONSOLE_POLL_MS);
    const c5 = await call<ConsoleReply>('okta:console', { profileId });
    expect(item(c5.items, 'to-app').status).toBe('pass');
    expect(item(c5.items, 'import').status).toBe('skip');

    // --- Group pushes: one target differs from a dbt group only in case, and is flagged.
    await call('okta:pickGroups', { profileId, picks: picks(w) });
    const groups = await call<{
      picks: { oktaGroupId: string; alignment: string; dbtName?: string }[];
      dbt: { name: string }[] | null;
    }>('okta:groups', { profileId });
    expect(groups.dbt?.map((g) => g.name)).toEqual(['Everyone', 'Analysts', 'dbt_developers']);
    expect(groups.picks.map((p) => [p.alignment, p.dbtName])).toEqual([
      ['match', 'dbt_developers'],
      ['case', 'Analysts'],
    ]);

    // --- The API part: plan lists the attribute and the pushes; apply; verify.
    okta.clearRequests();
    const plan2 = await call<Run>('okta:plan', { profileId });
    expect(writes(okta)).toEqual([]);
    expect(plan2.changes.map((c) => c.id)).toEqual([
      'okta.license.add',
      `okta.group-push.${okta.ids.developers}`,
      `okta.group-push.${okta.ids.analysts}`,
    ]);
    expect(plan2.changes[0]?.detail).toBe(
      'add attribute licenseType (string, Personal) "License Type": IT, Analyst, Developer, Read Only',
    );
    expect(plan2.changes[1]?.detail).toContain('dbt already has the group "dbt_developers"');
    expect(plan2.changes[2]?.detail).toContain('dbt has "Analysts", the same name in another case');
    const applied2 = await call<Run>('okta:apply', {
      profileId,
      expectedChangeIds: plan2.changes.map((c) => c.id),
    });
    expect(applied2.error).toBeUndefined();
    expect(applied2.phase).toBe('verified');
    expect(okta.state.groupPushMappings.map((m) => m.sourceGroupId)).toEqual([
      okta.ids.developers,
      okta.ids.analysts,
    ]);
    expect(Object.keys(okta.state.appSchemas.get(appId)?.custom ?? {})).toEqual(['licenseType']);

    const verified = await call<Run>('okta:verify', { profileId });
    expect(verified.phase).toBe('verified');
    expect(verified.checks.filter((c) => c.status !== 'pass' && c.status !== 'skip')).toEqual([]);
    expect(statusOf(verified.checks)).toMatchObject({
      'okta.app': 'pass',
      'okta.username': 'pass',
      'okta.console.enable-scim': 'pass',
      'okta.console.integration': 'pass',
      'okta.console.test-connector': 'pass',
      'okta.console.to-app': 'pass',
      'okta.console.import': 'skip',
      'okta.license': 'pass',
      [`okta.group-push.${okta.ids.developers}`]: 'pass',
      [`okta.group-push.${okta.ids.analysts}`]: 'pass',
    });
    const rail = (await w.services.profiles.get(profileId)).steps;
    expect(rail.idp.status).toBe('verified');
    expect(rail.license.status).toBe('verified');

    // --- The test: a person with a license type, pushed by Okta, read back from dbt.
    const person = 'katherine.johnson@acme.example';
    const tested1 = await call<{ phase: string; checks: Check[] }>('okta:testUser', {
      profileId,
      login: person,
      licenseType: 'developer',
    });
    expect(tested1.phase, JSON.stringify(tested1.checks)).toBe('verified');
    expect(statusOf(tested1.checks)).toEqual({
      'okta.test-user.assigned': 'pass',
      'okta.test-user.in-dbt': 'pass',
    });
    await okta.settled();
    const inDbt = () => [...dbt.state.users.values()].find((u) => u.userName === person);
    expect(inDbt()).toMatchObject({
      userName: person,
      active: true,
      [DBT_USER_EXTENSION]: { licenseType: 'developer' },
    });
    // Another license type for the same person: the assignment is updated in place and pushed.
    const tested2 = await call<{ phase: string; checks: Check[] }>('okta:testUser', {
      profileId,
      login: person,
      licenseType: 'analyst',
    });
    expect(tested2.phase, JSON.stringify(tested2.checks)).toBe('verified');
    await okta.settled();
    const katherine = okta.state.users.find((u) => u.profile.login === person);
    expect(
      okta.requests.filter(
        (r) =>
          r.method === 'POST' && r.path === `/api/v1/apps/${appId}/users/${katherine?.id ?? ''}`,
      ),
    ).toHaveLength(1);
    expect(inDbt()).toMatchObject({ [DBT_USER_EXTENSION]: { licenseType: 'analyst' } });
    expect([...dbt.state.users.values()].filter((u) => u.userName === person)).toHaveLength(1);
    expect((await w.services.profiles.get(profileId)).steps.test.status).toBe('verified');

    // --- Existing integrations: dbt users no Okta person matches (one differs only in case).
    const existing = await call<{
      dbtUsers: number;
      checked: number;
      unmatched: { userName: string; reason: string; oktaLogin?: string }[];
      appUsers: number;
      appGroups: number;
      checks: Check[];
    }>('okta:existing', { profileId });
    expect(existing.dbtUsers).toBe(4);
    expect(existing.checked).toBe(4);
    expect([...existing.unmatched].sort((a, b) => a.userName.localeCompare(b.userName))).toEqual([
      {
        userName: 'Grace.Hopper@acme.example',
        reason: 'case',
        oktaLogin: 'grace.hopper@acme.example',
      },
      { userName: 'nobody@elsewhere.example', reason: 'none' },
    ]);
    expect(existing.appUsers).toBe(1);
    expect(existing.appGroups).toBe(2);
    expect(statusOf(existing.checks)).toEqual({ 'okta.existing.users': 'fail' });

    // Everything after the browser sign-in went with its Bearer token; no secret in any reply.
    expect(okta.requests.every((r) => r.authScheme === 'Bearer')).toBe(true);
    const replies = w.replies.join('\n');
    expect(replies).not.toContain(SCIM_TOKEN);
    expect(replies).not.toContain(okta.apiToken);
    for (const t of w.login.issued.accessTokens) {
      expect(replies).not.toContain(t);
    }
    expect(okta.state.apps.find((a) => a.id === appId)?.features).toEqual(
      expect.arrayContaining([
        OKTA_FEATURES.scim,
        OKTA_FEATURES.groupPush,
        OKTA_FEATURES.pushNewUsers,
        OKTA_FEATURES.pushProfileUpdates,
        OKTA_FEATURES.pushUserDeactivation,
      ]),
    );
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------

describe('Okta’s traps, over the wire', () => {
  it('a confirmed username change is refused once SCIM turned on between plan and apply', async () => {
    const w = await world();
    await signInWithToken(w);
    await w.call('okta:confirmUserNameChange', { profileId: w.profileId, confirm: true });
    const plan = await w.call<Run>('okta:plan', { profileId: w.profileId });
    expect(plan.changes.map((c) => c.id)).toEqual(['okta.username']);

    // The admin turns SCIM on in the console before pressing Apply.
    w.okta.console.enableScim(w.appId);
    const applied = await w.call<Run>('okta:apply', {
      profileId: w.profileId,
      expectedChangeIds: plan.changes.map((c) => c.id),
    });
    // The plan the admin reviewed is not the plan now (it lists what SCIM allows now, and no
    // username change): nothing is changed, not even the new licenseType attribute.
    expect(applied.phase).toBe('planned');
    expect(applied.changes.map((c) => c.id)).toEqual(['okta.license.add']);
    expect(writes(w.okta)).toEqual([]);
    expect(w.okta.state.fullUpdates).toEqual([]);

    // Verify says only the console may change it now, and the console step says how.
    const verified = await w.call<Run>('okta:verify', { profileId: w.profileId });
    const check = verified.checks.find((c) => c.id === 'okta.username');
    expect(check?.status).toBe('fail');
    expect(check?.message).toContain('only the console may change it');
    expect(item(verified.console, 'username')).toMatchObject({ status: 'pending' });
    expect(item(verified.console, 'username').link?.url).toContain('#tab-signon');
  });

  it('…and when SCIM turns on while apply runs, the step itself refuses the full update', async () => {
    const w = await world();
    await signInWithToken(w);
    await w.call('okta:confirmUserNameChange', { profileId: w.profileId, confirm: true });
    // The moment the username step starts applying, the admin's SCIM click lands in Okta.
    const stop = w.services.onEvent((e) => {
      if (e.type === 'phase' && e.kind === 'okta.username' && e.phase === 'applying') {
        w.okta.console.enableScim(w.appId);
      }
    });
    const applied = await w.call<Run>('okta:apply', { profileId: w.profileId });
    stop();
    expect(applied.error?.code).toBe('conflict');
    expect(applied.error?.message).toContain('SCIM provisioning was turned on');
    expect(applied.error?.message).toContain('Application username format');
    expect(w.okta.requests.filter((r) => r.method === 'PUT')).toEqual([]);
    expect(w.okta.state.fullUpdates).toEqual([]);
    expect(w.okta.state.apps.find((a) => a.id === w.appId)?.credentials.userNameTemplate).toEqual({
      template: INTERNAL_ID_TEMPLATE,
      type: 'CUSTOM',
    });
  });

  it('sends the licenseType attribute with enum and oneOf[].const, and reads every field back', async () => {
    const w = await world();
    await signInWithToken(w);
    await consoleDone(w);
    const applied = await w.call<Run>('okta:apply', { profileId: w.profileId });
    expect(applied.error).toBeUndefined();
    expect(applied.changes.map((c) => c.id)).toEqual(['okta.license.add']);
    const posts = w.okta.requests.filter(
      (r) => r.method === 'POST' && r.path === `/api/v1/meta/schemas/apps/${w.appId}/default`,
    );
    expect(posts).toHaveLength(1);
    const desired = desiredLicenseAttribute();
    expect(posts[0]?.body).toEqual({
      definitions: {
        custom: { id: '#custom', type: 'object', properties: { licenseType: desired } },
      },
    });
    expect(desired).toMatchObject({
      enum: ['it', 'analyst', 'developer', 'read_only'],
      oneOf: [
        { const: 'it', title: 'IT' },
        { const: 'analyst', title: 'Analyst' },
        { const: 'developer', title: 'Developer' },
        { const: 'read_only', title: 'Read Only' },
      ],
      externalNamespace: DBT_LICENSE_NAMESPACE,
      scope: 'SELF',
    });
    // Read back over the wire, as Okta answers it: every field exactly as sent.
    const res = await fetch(`${w.okta.url}/api/v1/meta/schemas/apps/${w.appId}/default`, {
      headers: { authorization: `SSWS ${w.okta.apiToken}` },
    });
    const schema = (await res.json()) as {
      definitions: { custom: { properties: Record<string, Record<string, unknown>> } };
    };
    const got = schema.definitions.custom.properties.licenseType ?? {};
    for (const [key, value] of Object.entries(desired)) {
      expect(got[key], key).toEqual(value);
    }
    expect(statusOf(applied.checks)['okta.license']).toBe('pass');
  });

  it('a 429 on the schema POST is waited out (X-Rate-Limit-Reset) and the run converges', async () => {
    const w = await world();
    await signInWithToken(w);
    await consoleDone(w);
    const path = `/api/v1/meta/schemas/apps/${w.appId}/default`;
    w.okta.rateLimit({ method: 'POST', pathPrefix: path, resetInSeconds: 30 });
    const sleptBefore = w.clock.sleeps.length;
    const applied = await w.call<Run>('okta:apply', { profileId: w.profileId });
    expect(applied.error).toBeUndefined();
    expect(applied.phase).toBe('verified');
    const posts = w.okta.requests.filter((r) => r.method === 'POST' && r.path === path);
    expect(posts.map((r) => r.status)).toEqual([429, 200]);
    const waits = w.clock.sleeps.slice(sleptBefore);
    expect(waits.some((ms) => ms >= 29_000 && ms <= 31_000)).toBe(true);
    expect(Object.keys(w.okta.state.appSchemas.get(w.appId)?.custom ?? {})).toEqual([
      'licenseType',
    ]);
  });

  it('a 403 insufficient_scope names the missing scope to the admin', async () => {
    const w = await world({
      nativeApp: {
        grantedScopes: ALL_OKTA_SCOPES.filter((s) => s !== 'okta.schemas.manage'),
      },
    });
    await w.call('okta:connect', {
      profileId: w.profileId,
      orgUrl: w.okta.url,
      signInMethod: 'pkce',
      clientId: FAKE_NATIVE_CLIENT_ID,
    });
    const state = await w.call<{ missingScopes: string[] }>('okta:signIn', {
      profileId: w.profileId,
    });
    expect(state.missingScopes).toEqual(['okta.schemas.manage']);
    await w.call('okta:chooseApp', { profileId: w.profileId, appId: w.appId });
    await consoleDone(w);
    const r = await w.call<Run>('okta:apply', { profileId: w.profileId });
    expect(r.error?.code).toBe('permission_denied');
    expect(r.error?.message).toMatch(/the token lacks the scope okta\.schemas\.(read|manage)/);
    expect(r.error?.message).toMatch(/Grant okta\.schemas\.(read|manage)/);
    expect(w.okta.requests.some((q) => q.status === 403)).toBe(true);
    expect(w.okta.state.appSchemas.get(w.appId)?.custom).toEqual({});
  });
});

// ---------------------------------------------------------------------------------------------

describe('faults at each write of a clean apply', () => {
  type Fault = { kind: 500 | 'reset'; lostReply: boolean };

  /** Injects `fault` at the `at`-th write the services send to Okta (counting from 1). */
  function injector(getOkta: () => FakeOkta | undefined, at: number, fault: Fault, seen: string[]) {
    return (inner: HttpClient): HttpClient => ({
      request(req) {
        const okta = getOkta();
        if (okta && req.url.startsWith(okta.url) && req.method !== 'GET') {
          const path = new URL(req.url).pathname;
          seen.push(`${req.method} ${path}`);
          if (seen.length === at) {
            okta.failNext({
              method: req.method,
              pathPrefix: path,
              ...(fault.kind === 'reset' ? { reset: true } : { status: 500 }),
              lostReply: fault.lostReply,
            });
          }
        }
        return inner.request(req);
      },
    });
  }

  /** SCIM on with everything the console does, two groups picked, the app signed in. */
  async function ready(wrap?: (http: HttpClient) => HttpClient): Promise<World> {
    const w = await world(wrap ? { wrap } : {});
    await signInWithToken(w);
    await consoleDone(w);
    await w.call('okta:pickGroups', { profileId: w.profileId, picks: picks(w) });
    return w;
  }

  function finalState(okta: FakeOkta, appId: string) {
    return {
      custom: Object.keys(okta.state.appSchemas.get(appId)?.custom ?? {}),
      licenseType: okta.state.appSchemas.get(appId)?.custom.licenseType,
      mappings: okta.state.groupPushMappings.map((m) => [
        okta.state.groups.find((g) => g.id === m.sourceGroupId)?.profile.name,
        okta.state.groups.find((g) => g.id === m.targetGroupId)?.profile.name,
        m.status,
      ]),
    };
  }

  it('converges after a 500 or a reset socket at any write, lost answers included', async () => {
    const clean = await ready();
    expect(writes(clean.okta)).toEqual([]);
    const cleanRun = await clean.call<Run>('okta:apply', { profileId: clean.profileId });
    expect(cleanRun.phase).toBe('verified');
    const sequence = writes(clean.okta).map((r) => `${r.method} ${r.path}`);
    expect(sequence).toEqual([
      `POST /api/v1/meta/schemas/apps/${clean.appId}/default`,
      `POST /api/v1/apps/${clean.appId}/group-push/mappings`,
      `POST /api/v1/apps/${clean.appId}/group-push/mappings`,
    ]);
    const want = finalState(clean.okta, clean.appId);
    expect(want.custom).toEqual(['licenseType']);
    expect(want.mappings).toEqual([
      ['dbt_developers', 'dbt_developers', 'ACTIVE'],
      ['dbt_analysts', 'analysts', 'ACTIVE'],
    ]);

    const faults: Fault[] = [
      { kind: 500, lostReply: false },
      { kind: 'reset', lostReply: false },
      { kind: 500, lostReply: true },
      { kind: 'reset', lostReply: true },
    ];
    const outcomes: string[] = [];
    for (let i = 1; i <= sequence.length; i++) {
      for (const fault of faults) {
        const where = `${String(fault.kind)}${fault.lostReply ? ' (lost answer)' : ''} at ${sequence[i - 1] ?? ''} (#${i})`;
        const ref: { okta?: FakeOkta } = {};
        const faulted: string[] = [];
        const w = await ready(injector(() => ref.okta, i, fault, faulted));
        ref.okta = w.okta;
        const first = await w.call<Run>('okta:apply', { profileId: w.profileId });
        outcomes.push(`${i}:${first.error?.code ?? first.phase}`);
        const second = await w.call<Run>('okta:apply', { profileId: w.profileId });
        expect(second.error, where).toBeUndefined();
        expect(second.phase, where).toBe('verified');
        expect(finalState(w.okta, w.appId), where).toEqual(want);
        const verified = await w.call<Run>('okta:verify', { profileId: w.profileId });
        expect(verified.phase, where).toBe('verified');
      }
    }
    // A POST is never retried after a 500 or a reset: each first apply stopped with a typed error.
    expect(outcomes.every((o) => /:(server_error|network_reset)$/.test(o))).toBe(true);
  }, 60_000);

  it('converges after a fault at the username change (before SCIM), with one full update', async () => {
    for (const fault of [
      { kind: 500, lostReply: false },
      { kind: 'reset', lostReply: false },
      { kind: 500, lostReply: true },
      { kind: 'reset', lostReply: true },
    ] as const) {
      const ref: { okta?: FakeOkta } = {};
      const seen: string[] = [];
      const w = await world({
        wrap: injector(() => ref.okta, 1, fault, seen),
      });
      ref.okta = w.okta;
      await signInWithToken(w);
      await w.call('okta:confirmUserNameChange', { profileId: w.profileId, confirm: true });
      await w.call<Run>('okta:apply', { profileId: w.profileId });
      const again = await w.call<Run>('okta:apply', { profileId: w.profileId });
      const where = `${String(fault.kind)}${fault.lostReply ? ' (lost answer)' : ''}`;
      expect(again.error, where).toBeUndefined();
      expect(statusOf(again.checks)['okta.username'], where).toBe('pass');
      expect(
        w.okta.state.apps.find((a) => a.id === w.appId)?.credentials.userNameTemplate?.template,
        where,
      ).toBe('${source.email}');
      expect(w.okta.state.fullUpdates.length, where).toBeGreaterThanOrEqual(1);
      expect(
        w.okta.state.fullUpdates.every((u) => !u.scimWasOn),
        where,
      ).toBe(true);
    }
  }, 30_000);
});

// ---------------------------------------------------------------------------------------------

describe('the console checks', () => {
  it('read Okta at most once per 5 s however often they are asked, and record what was shown', async () => {
    const w = await world();
    await signInWithToken(w);
    w.okta.clearRequests();
    const ids = [
      'okta.console.enable-scim',
      'okta.console.integration',
      'okta.console.test-connector',
      'okta.console.to-app',
    ];
    const readsAt: number[] = [];
    const appPath = `/api/v1/apps/${w.appId}`;
    const started = w.clock.now().getTime();
    for (let tick = 0; tick < 30; tick++) {
      // As a renderer would: a poll every second, naming a newly shown step now and then.
      const shown = tick % 7 === 0 ? ids[tick / 7] : undefined;
      const before = w.okta.requests.length;
      const r = await w.call<ConsoleReply>('okta:console', {
        profileId: w.profileId,
        ...(shown ? { shown } : {}),
      });
      expect(r.items.length).toBeGreaterThan(0);
      const sent = w.okta.requests.slice(before);
      if (sent.some((q) => q.path === appPath)) {
        readsAt.push(w.clock.now().getTime() - started);
      } else {
        // Between reads the last answer is given without asking Okta anything.
        expect(sent, `tick ${tick}`).toEqual([]);
      }
      if (tick === 10) {
        w.okta.console.enableScim(w.appId);
      }
      w.clock.advance(1_000);
    }
    expect(readsAt).toEqual([0, 5_000, 10_000, 15_000, 20_000, 25_000]);
    expect(w.okta.requests.filter((q) => q.method !== 'GET')).toEqual([]);
    const shownAt = (await w.services.profiles.get(w.profileId)).okta?.consoleShownAt ?? {};
    expect(Object.keys(shownAt).sort()).toEqual([...ids].sort());
    expect(shownAt['okta.console.enable-scim']).toBe(new Date(started).toISOString());
    expect(shownAt['okta.console.to-app']).toBe(new Date(started + 21_000).toISOString());
    // The SCIM click at 10 s is seen within 5 s.
    const last = await w.call<ConsoleReply>('okta:console', { profileId: w.profileId });
    expect(item(last.items, 'enable-scim').status).toBe('pass');
  });
});
