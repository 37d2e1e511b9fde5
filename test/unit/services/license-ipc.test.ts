/**
 * The License screen's channels through the handler table (what main, the bridge and the CLI
 * share), with the real services in a temporary home, the fake dbt and the fake Okta on loopback:
 * the plan-aware state, the saved rules and their bad input, Entra's maps reviewed → applied (only
 * the reviewed plan) → checked, and Okta's group rules and the toggle; no reply holds a secret.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../electron/adapters/http/client.js';
import { memoryLogger } from '../../../electron/core/logger.js';
import { licenseSchemaBody } from '../../../electron/core/okta/license.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { dispatch, type HandlerTable } from '../../../electron/services/dispatch.js';
import { startFakeDbt, type FakeDbt, type FakeDbtOptions } from '../../fakes/dbt.js';
import { startFakeOkta, type FakeOkta } from '../../fakes/okta.js';
import { MemoryKeyEncryptor } from '../../helpers/encryptor.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';

const SCIM_TOKEN = 'PLANTEDlicenseIpcScim7f3a9c2e51d0';
const ADMIN_TOKEN = 'dbtc_PLANTEDlicenseIpcAdmin4e8b1d6a';

const cleanups: (() => Promise<void>)[] = [];
const replies: unknown[] = [];

afterEach(async () => {
  while (cleanups.length > 0) {
    await cleanups.pop()?.();
  }
  replies.length = 0;
});

/** A FakeClock whose waits let the fake Okta finish the pushes it queued. */
class PushingClock extends FakeClock {
  settle: () => Promise<void> = () => Promise.resolve();

  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await this.settle();
    return super.sleep(ms, signal);
  }
}

interface World {
  readonly dbt: FakeDbt;
  readonly okta: FakeOkta | undefined;
  readonly services: Services;
  readonly profileId: string;
  call<T = unknown>(channel: string, input: unknown): Promise<T>;
  fails(channel: string, input: unknown): Promise<{ code: string; message: string }>;
}

async function world(options: {
  idp: 'okta' | 'entra';
  dbt?: FakeDbtOptions;
  connectDbt?: boolean;
}): Promise<World> {
  const clock = new PushingClock();
  const now = () => clock.now();
  const dbt = await startFakeDbt({
    scimConfig: { enabled: true, scim_controlled_license_type: false },
    sso: options.idp === 'okta' ? 'okta' : 'azure_single_tenant',
    adminToken: ADMIN_TOKEN,
    now,
    ...options.dbt,
  });
  cleanups.push(() => dbt.close());
  dbt.createScimToken('scim-license', SCIM_TOKEN);

  let okta: FakeOkta | undefined;
  if (options.idp === 'okta') {
    okta = await startFakeOkta({ scimTarget: { url: dbt.scimUrl, token: SCIM_TOKEN }, now });
    const org = okta;
    cleanups.push(() => org.close());
    clock.settle = () => org.settled();
  }

  const { dir: home, cleanup } = await tempDir('scim-license-ipc-');
  cleanups.push(cleanup);
  const { logger } = memoryLogger();
  const http = createHttpClient({ log: logger.child('http'), clock, retry: { attempts: 1 } });
  cleanups.push(() => http.close());
  const token = okta?.apiToken;
  const services = createServices({
    home,
    face: 'bridge',
    version: '0.0.0-test',
    log: logger,
    encryptor: new MemoryKeyEncryptor(),
    clock,
    http,
    ...(token ? { oktaAuth: () => ({ kind: 'ssws' as const, token }) } : {}),
  });
  // The license channels as the composition root will list them.
  const table = { ...services.handlers, ...services.license.handlers } as HandlerTable;
  const call = async <T = unknown>(channel: string, input: unknown): Promise<T> => {
    const r = await dispatch(table, channel, input, logger);
    replies.push(r);
    if (!r.ok) {
      throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
    }
    return r.value as T;
  };
  const fails = async (channel: string, input: unknown) => {
    const r = await dispatch(table, channel, input, logger);
    replies.push(r);
    if (r.ok) {
      throw new Error(`${channel} succeeded`);
    }
    return r.error;
  };
  const profile = await services.profiles.create({ name: 'Acme', idp: options.idp });
  if (options.connectDbt !== false) {
    await call('dbt:connect', {
      profileId: profile.id,
      apiUrl: dbt.apiUrl,
      accountId: dbt.accountId,
      apiToken: dbt.adminToken,
    });
    await call('dbt:setScimUrl', { profileId: profile.id, scimUrl: dbt.scimUrl });
    await call('dbt:pasteToken', { profileId: profile.id, value: SCIM_TOKEN });
  }
  if (okta) {
    await services.okta.connect({ profileId: profile.id, orgUrl: okta.url, signInMethod: 'token' });
    await services.okta.chooseApp(profile.id, okta.ids.dbtApp);
  }
  return { dbt, okta, services, profileId: profile.id, call, fails };
}

interface StateReply {
  accountPlan: string | null;
  planKnown: boolean;
  offered: string[];
  notOffered: Record<string, string>;
  scimControlledLicenseType: boolean | null;
  testUserName: string | null;
  error?: { code: string; message: string };
}

interface RunReply {
  phase: string;
  changes: { id: string; action: string; detail: string }[];
  checks: { id: string; status: string; message: string }[];
  error?: { code: string; message: string };
}

interface ProfileReply {
  license?: {
    okta?: { rules: { groupName: string; licenseType: string }[]; defaultLicenseType: string };
    entraMaps?: Record<string, string[]>;
  };
}

const byId = (checks: readonly { id: string; status: string }[]) =>
  Object.fromEntries(checks.map((c) => [c.id, c.status]));

function expectNoSecretInReplies(extra: readonly string[] = []): void {
  const text = JSON.stringify(replies);
  for (const secret of [SCIM_TOKEN, ADMIN_TOKEN, ...extra]) {
    expect(text).not.toContain(secret);
  }
}

describe('license:state', () => {
  it('reads the plan, the types it offers and the toggle; Analyst only on Enterprise', async () => {
    const w = await world({ idp: 'entra' });
    const enterprise = await w.call<StateReply>('license:state', { profileId: w.profileId });
    expect(enterprise).toEqual({
      accountPlan: 'enterprise',
      planKnown: true,
      offered: ['it', 'analyst', 'developer', 'read_only'],
      notOffered: {},
      scimControlledLicenseType: false,
      testUserName: null,
    });

    w.dbt.state.account.plan = 'team';
    w.dbt.state.scimConfig.scim_controlled_license_type = true;
    const team = await w.call<StateReply>('license:state', { profileId: w.profileId });
    expect(team.offered).toEqual(['it', 'developer', 'read_only']);
    expect(team.notOffered.analyst).toMatch(/only on dbt's Enterprise plans/);
    expect(team.scimControlledLicenseType).toBe(true);
    expectNoSecretInReplies();
  });

  it('answers an error instead of throwing when dbt is not connected or fails', async () => {
    const w = await world({ idp: 'entra', connectDbt: false });
    const unconnected = await w.call<StateReply>('license:state', { profileId: w.profileId });
    expect(unconnected.error?.code).toBe('bad_input');
    expect(unconnected.error?.message).toMatch(/dbt is not connected/);
    expect(unconnected.accountPlan).toBeNull();
    expect(unconnected.planKnown).toBe(false);
    expect(unconnected.scimControlledLicenseType).toBeNull();

    const v = await world({ idp: 'entra' });
    v.dbt.failNext({ path: /scim-config/ }, 500);
    const broken = await v.call<StateReply>('license:state', { profileId: v.profileId });
    expect(broken.accountPlan).toBe('enterprise');
    expect(broken.scimControlledLicenseType).toBeNull();
    expect(broken.error).toBeDefined();

    // An unknown profile is still an error.
    expect((await v.fails('license:state', { profileId: 'nope' })).code).toBe('not_found');
    expectNoSecretInReplies();
  });
});

describe('license:setRules', () => {
  it.each([
    [
      'a group under two license types',
      { entraMaps: { developer: ['Data'], read_only: [' Data '] } },
      /"Data" is listed under both Developer and Read Only/,
    ],
    ['only blank group names', { entraMaps: { developer: [' '] } }, /Invalid input/],
    ['no group at all', { entraMaps: { developer: [] } }, /No Entra group is named/],
    ['an unknown license type', { entraMaps: { admin: ['X'] } }, /Invalid input/],
    ['nothing to save', {}, /no license rules to save/],
    [
      'two rules for one Okta group',
      {
        okta: {
          rules: [
            { groupName: 'dbt_devs', licenseType: 'developer' },
            { groupName: 'dbt_devs ', licenseType: 'it' },
          ],
          defaultLicenseType: 'read_only',
        },
      },
      /The group "dbt_devs" has two rules/,
    ],
    [
      'Okta rules without a rule',
      { okta: { rules: [], defaultLicenseType: 'read_only' } },
      /no group rule/,
    ],
    [
      'an unknown field',
      { entraMaps: { developer: ['Data'] }, extra: true },
      /Invalid input for license:setRules/,
    ],
  ])('refuses %s, saying what to do, and saves nothing', async (_name, patch, message) => {
    const w = await world({ idp: 'entra' });
    const error = await w.fails('license:setRules', { profileId: w.profileId, ...patch });
    expect(error.code).toBe('bad_input');
    expect(error.message).toMatch(message);
    expect((await w.services.profiles.get(w.profileId)).license).toBeUndefined();
  });

  it('refuses a license type the plan does not offer, naming the plan', async () => {
    const w = await world({ idp: 'entra', dbt: { plan: 'team' } });
    const error = await w.fails('license:setRules', {
      profileId: w.profileId,
      entraMaps: { analyst: ['Analysts'] },
    });
    expect(error.code).toBe('bad_input');
    expect(error.message).toMatch(/Analyst licenses exist only on dbt's Enterprise plans/);
    expect(error.message).toMatch(/license types the plan offers/);
  });

  it('saves cleaned rules in the profile; null removes one side', async () => {
    const w = await world({ idp: 'entra' });
    const saved = await w.call<ProfileReply>('license:setRules', {
      profileId: w.profileId,
      entraMaps: { developer: [' Data Engineers ', 'Data Engineers'], read_only: ['Finance'] },
      okta: {
        rules: [{ groupName: ' dbt_devs ', licenseType: 'developer' }],
        defaultLicenseType: 'read_only',
      },
    });
    expect(saved.license).toEqual({
      entraMaps: { developer: ['Data Engineers'], read_only: ['Finance'] },
      okta: {
        rules: [{ groupName: 'dbt_devs', licenseType: 'developer' }],
        defaultLicenseType: 'read_only',
      },
    });
    const after = await w.call<ProfileReply>('license:setRules', {
      profileId: w.profileId,
      okta: null,
    });
    expect(after.license).toEqual({
      entraMaps: { developer: ['Data Engineers'], read_only: ['Finance'] },
    });
    expect((await w.services.profiles.get(w.profileId)).license).toEqual(after.license);
  });
});

describe('license:plan / apply / verify for Entra ID', () => {
  it('asks for maps first, applies only the reviewed plan, then checks it', async () => {
    const w = await world({ idp: 'entra' });
    const id = { profileId: w.profileId };

    const none = await w.fails('license:plan', id);
    expect(none.code).toBe('bad_input');
    expect(none.message).toMatch(/No Entra groups are mapped.*save them/);

    await w.call('license:setRules', {
      ...id,
      entraMaps: { developer: ['Data Engineers'], read_only: ['Finance'] },
    });
    const plan = await w.call<RunReply>('license:plan', id);
    expect(plan.phase).toBe('planned');
    expect(plan.changes.map((c) => [c.id, c.action])).toEqual([
      ['license.map.developer', 'add'],
      ['license.map.read_only', 'add'],
    ]);
    expect(w.dbt.state.licenseMaps).toEqual([]);

    // Apply needs the reviewed plan; a different one changes nothing.
    const unreviewed = await w.fails('license:apply', id);
    expect(unreviewed.code).toBe('bad_input');
    expect(unreviewed.message).toMatch(/Review the changes first/);
    const stale = await w.call<RunReply>('license:apply', {
      ...id,
      expectedChangeIds: ['license.map.developer'],
    });
    expect(stale.phase).toBe('planned');
    expect(w.dbt.state.licenseMaps).toEqual([]);

    const applied = await w.call<RunReply>('license:apply', {
      ...id,
      expectedChangeIds: plan.changes.map((c) => c.id),
    });
    expect(applied.phase).toBe('verified');
    expect(
      w.dbt.state.licenseMaps.map((m) => [m.license_type, m.sso_license_mapping_groups]),
    ).toEqual([
      ['developer', ['Data Engineers']],
      ['read_only', ['Finance']],
    ]);
    expect(w.dbt.state.scimConfig.scim_controlled_license_type).toBe(false);

    const checked = await w.call<RunReply>('license:verify', id);
    expect(checked.phase).toBe('verified');
    expect(byId(checked.checks)).toEqual({
      'license.map.developer': 'pass',
      'license.map.read_only': 'pass',
      'license.entra.scim-toggle': 'pass',
    });
    expect((await w.services.profiles.get(w.profileId)).steps.license.status).toBe('verified');
    expect((await w.call<RunReply>('license:plan', id)).changes).toEqual([]);

    // A plan the account refuses (Analyst saved, then the plan changed) is a typed error.
    await w.call('license:setRules', { ...id, entraMaps: { analyst: ['Analysts'] } });
    w.dbt.state.account.plan = 'team';
    const refused = await w.call<RunReply>('license:plan', id);
    expect(refused.phase).toBe('failed');
    expect(refused.error?.code).toBe('bad_input');
    expect(refused.error?.message).toMatch(/Analyst/);
    expectNoSecretInReplies();
  });

  it('refuses input outside the contract', async () => {
    const w = await world({ idp: 'entra' });
    for (const input of [
      {},
      { profileId: '../etc' },
      { profileId: w.profileId, expectedChangeIds: 'license.map.developer' },
      { profileId: w.profileId, mode: 'apply' },
    ]) {
      const error = await w.fails('license:apply', input);
      expect(error.code).toBe('bad_input');
      expect(error.message).toMatch(/^Invalid input for license:apply/);
    }
  });
});

describe('license:plan / apply / verify for Okta', () => {
  it('plans the saved group rules, shows the checklist, then turns the toggle on', async () => {
    const w = await world({ idp: 'okta' });
    const okta = w.okta!;
    const appId = okta.ids.dbtApp;
    const id = { profileId: w.profileId };

    okta.console.setUserNameTemplate(appId, { template: '${source.email}', type: 'BUILT_IN' });
    okta.console.enableScim(appId);
    okta.console.saveIntegration(appId, {
      baseUrl: w.dbt.scimUrl,
      token: SCIM_TOKEN,
      pushNewUsers: true,
      pushProfileUpdates: true,
      pushGroups: false,
    });
    okta.console.toApp(appId, { create: true, update: true, deactivate: true });
    const port = w.services.okta.port(okta.url, { kind: 'ssws', token: okta.apiToken });
    await port.updateAppUserSchema(appId, licenseSchemaBody());

    // The checklist before the test: 1 and 2 pass, 3 and 4 wait; the toggle's plan is refused.
    const before = await w.call<RunReply>('license:verify', { ...id, toggle: false });
    expect(byId(before.checks)).toEqual({
      'license.checklist.scim': 'pass',
      'license.checklist.attribute': 'pass',
      'license.checklist.test-user': 'pending',
      'license.checklist.toggle': 'pending',
    });
    const early = await w.call<RunReply>('license:plan', { ...id, toggle: true });
    expect(early.phase).toBe('failed');
    expect(early.error?.code).toBe('conflict');
    expect(early.error?.message).toMatch(/3\. Test/);

    // Group rules: saved, planned as Okta Expression Language with the caveat, applied.
    await w.call('license:setRules', {
      ...id,
      okta: {
        rules: [{ groupName: 'dbt_developers', licenseType: 'developer' }],
        defaultLicenseType: 'read_only',
      },
    });
    const mapping = await w.call<RunReply>('license:plan', { ...id, toggle: false });
    expect(mapping.changes.map((c) => c.id)).toEqual(['license.okta-mapping']);
    expect(mapping.changes[0]?.detail).toContain(
      'isMemberOfGroupName("dbt_developers") ? "developer" : "read_only"',
    );
    expect(mapping.changes[0]?.detail).toMatch(/does not reapply/);
    const mapped = await w.call<RunReply>('license:apply', {
      ...id,
      toggle: false,
      expectedChangeIds: ['license.okta-mapping'],
    });
    expect(mapped.error).toBeUndefined();
    expect(
      okta.state.profileMappings.find((m) => m.target.id === appId && m.source.type === 'user')
        ?.properties.licenseType?.expression,
    ).toBe('isMemberOfGroupName("dbt_developers") ? "developer" : "read_only"');

    // The Test step's person: the state names them, and check 3 passes.
    expect(
      (await w.services.okta.testUser(w.profileId, 'alan.turing@acme.example', 'developer')).phase,
    ).toBe('verified');
    const state = await w.call<StateReply>('license:state', id);
    expect(state.testUserName).toBe('alan.turing@acme.example');
    expect(state.scimControlledLicenseType).toBe(false);

    const toggle = await w.call<RunReply>('license:plan', { ...id, toggle: true });
    expect(toggle.error).toBeUndefined();
    expect(toggle.changes.map((c) => c.id)).toEqual(['license.scim-toggle']);
    expect(w.dbt.state.scimConfig.scim_controlled_license_type).toBe(false);
    const on = await w.call<RunReply>('license:apply', {
      ...id,
      toggle: true,
      expectedChangeIds: ['license.scim-toggle'],
    });
    expect(on.phase).toBe('verified');
    expect(w.dbt.state.scimConfig.scim_controlled_license_type).toBe(true);
    const after = await w.call<RunReply>('license:verify', { ...id, toggle: false });
    expect(byId(after.checks)['license.checklist.toggle']).toBe('pass');
    expect((await w.services.profiles.get(w.profileId)).steps.license.status).toBe('verified');
    expectNoSecretInReplies([okta.apiToken]);
  });
});
