/**
 * The License step end to end: the license service, the engine, the steps, the real dbt adapters
 * (Admin API and SCIM) and the real Okta adapter, against the fake dbt and the fake Okta over
 * loopback (the fake Okta checks every request against Okta's API description, and pushes to the
 * fake dbt's SCIM API as Okta would).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../electron/adapters/http/client.js';
import { createDbtAdmin } from '../../../electron/adapters/dbt/admin.js';
import { memoryLogger } from '../../../electron/core/logger.js';
import { isWizardError } from '../../../electron/core/errors.js';
import { licenseSchemaBody } from '../../../electron/core/okta/license.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { dispatch } from '../../../electron/services/dispatch.js';
import { startFakeDbt, type FakeDbt, type FakeDbtOptions } from '../../fakes/dbt.js';
import { DBT_USER_EXTENSION } from '../../fakes/dbt-scim.js';
import { startFakeOkta, type FakeOkta } from '../../fakes/okta.js';
import { MemoryKeyEncryptor } from '../../helpers/encryptor.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';

const SCIM_TOKEN = 'PLANTEDlicenseIntegrationScim4b2d8e';

const cleanups: (() => Promise<void>)[] = [];
const orgs: FakeOkta[] = [];

afterEach(async () => {
  try {
    for (const okta of orgs) {
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

/** A FakeClock whose waits let the fake Okta finish the pushes it queued (as Okta's run meanwhile). */
class PushingClock extends FakeClock {
  settle: () => Promise<void> = () => Promise.resolve();

  override async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    await this.settle();
    return super.sleep(ms, signal);
  }
}

interface World {
  readonly clock: PushingClock;
  readonly dbt: FakeDbt;
  readonly okta: FakeOkta | undefined;
  readonly services: Services;
  readonly profileId: string;
}

async function world(options: { idp: 'okta' | 'entra'; dbt?: FakeDbtOptions }): Promise<World> {
  const clock = new PushingClock();
  const now = () => clock.now();
  const dbt = await startFakeDbt({
    scimConfig: { enabled: true, scim_controlled_license_type: false },
    sso: options.idp === 'okta' ? 'okta' : 'azure_single_tenant',
    now,
    ...options.dbt,
  });
  cleanups.push(() => dbt.close());
  dbt.createScimToken('scim-license', SCIM_TOKEN);

  let okta: FakeOkta | undefined;
  if (options.idp === 'okta') {
    okta = await startFakeOkta({ scimTarget: { url: dbt.scimUrl, token: SCIM_TOKEN }, now });
    orgs.push(okta);
    const org = okta;
    cleanups.push(() => org.close());
    clock.settle = () => org.settled();
  }

  const { dir: home, cleanup } = await tempDir('scim-license-');
  cleanups.push(cleanup);
  const { logger } = memoryLogger();
  const http = createHttpClient({ log: logger.child('http'), clock });
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
  const call = async (channel: string, input: unknown) => {
    const r = await dispatch(services.handlers, channel, input, logger);
    if (!r.ok) {
      throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
    }
    return r.value;
  };
  const profile = await services.profiles.create({ name: 'Acme', idp: options.idp });
  await call('dbt:connect', {
    profileId: profile.id,
    apiUrl: dbt.apiUrl,
    accountId: dbt.accountId,
    apiToken: dbt.adminToken,
  });
  await call('dbt:setScimUrl', { profileId: profile.id, scimUrl: dbt.scimUrl });
  await call('dbt:pasteToken', { profileId: profile.id, value: SCIM_TOKEN });
  if (okta) {
    await services.okta.connect({ profileId: profile.id, orgUrl: okta.url, signInMethod: 'token' });
    await services.okta.chooseApp(profile.id, okta.ids.dbtApp);
  }
  return { clock, dbt, okta, services, profileId: profile.id };
}

const byId = (checks: readonly { id: string; status: string }[]) =>
  Object.fromEntries(checks.map((c) => [c.id, c.status]));

describe('the Okta path', () => {
  it('guides the migration: the mapping, the test user read back from dbt, then the toggle', async () => {
    const w = await world({ idp: 'okta' });
    const okta = w.okta!;
    const appId = okta.ids.dbtApp;
    const license = w.services.license;

    // The admin's console work: Email usernames, SCIM on, the Integration, Create Users.
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

    // Nothing else yet: the toggle is refused, naming steps 2 and 3; dbt is untouched.
    const refused = await license.runOkta(w.profileId, 'apply');
    expect(refused.error?.code).toBe('conflict');
    expect(refused.error?.message).toMatch(/2\. Add the licenseType attribute/);
    expect(refused.error?.message).toMatch(/3\. Test/);
    expect(w.dbt.state.scimConfig.scim_controlled_license_type).toBe(false);

    // Step 2: the attribute (the Okta step adds it; here through the real adapter).
    const port = w.services.okta.port(okta.url, { kind: 'ssws', token: okta.apiToken });
    await port.updateAppUserSchema(appId, licenseSchemaBody());

    // Optional: licenseType from groups, through Okta's profile mapping, without the toggle yet.
    const oktaMapping = {
      rules: [{ groupName: 'dbt_developers', licenseType: 'developer' as const }],
      defaultLicenseType: 'read_only' as const,
    };
    const planned = await license.runOkta(w.profileId, 'plan', { oktaMapping, toggle: false });
    expect(planned.error).toBeUndefined();
    expect(planned.changes.map((c) => c.id)).toEqual(['license.okta-mapping']);
    expect(planned.changes[0]?.detail).toMatch(/does not reapply/);
    const mapped = await license.runOkta(w.profileId, 'apply', { oktaMapping, toggle: false });
    expect(mapped.runs[0]?.phase).toBe('verified');
    const mapping = okta.state.profileMappings.find(
      (m) => m.target.id === appId && m.source.type === 'user',
    );
    expect(mapping?.properties.licenseType).toEqual({
      expression: 'isMemberOfGroupName("dbt_developers") ? "developer" : "read_only"',
      pushStatus: 'PUSH',
    });
    // The checklist: 1 and 2 pass, 3 waits for a test user, 4 for 1–3.
    expect(byId(mapped.checks)).toMatchObject({
      'license.checklist.scim': 'pass',
      'license.checklist.attribute': 'pass',
      'license.checklist.test-user': 'pending',
      'license.checklist.toggle': 'pending',
    });

    // Step 3: a person in dbt_developers is assigned without a License Type: the mapping gives it,
    // Okta pushes the person, and dbt reads the license type.
    const grace = okta.state.users.find((u) => u.profile.login === 'grace.hopper@acme.example')!;
    const assigned = await port.assignUser(appId, grace.id, {});
    expect(assigned.licenseType).toBe('developer');
    await okta.settled();
    const inDbt = [...w.dbt.state.users.values()].find(
      (u) => u.userName === 'grace.hopper@acme.example',
    );
    expect(inDbt?.[DBT_USER_EXTENSION]).toEqual({ licenseType: 'developer' });

    // The Test step's person (assigned with a License Type, pushed, read back): the checklist
    // finds it in the journal without being told.
    const tested = await w.services.okta.testUser(
      w.profileId,
      'alan.turing@acme.example',
      'developer',
    );
    expect(tested.phase).toBe('verified');

    // Step 4: the toggle, keeping the other settings; then everything verifies.
    const done = await license.runOkta(w.profileId, 'apply');
    expect(done.error).toBeUndefined();
    expect(done.changes.map((c) => c.detail)).toEqual([
      'turn on "SCIM-managed license types" (existing license mappings in dbt are then ignored)',
    ]);
    expect(done.phase).toBe('verified');
    expect(w.dbt.state.scimConfig).toEqual({
      enabled: true,
      manual_updates_allowed: false,
      scim_controlled_license_type: true,
    });
    expect(done.checks.find((c) => c.id === 'license.checklist.test-user')?.message).toMatch(
      /dbt reads alan\.turing@acme\.example over SCIM with the license type developer, as Okta assigns it/,
    );
    const verified = await license.runOkta(w.profileId, 'verify', {
      testUserName: 'grace.hopper@acme.example',
    });
    expect(verified.phase).toBe('verified');
    expect((await w.services.profiles.get(w.profileId)).steps.license.status).toBe('verified');

    // Okta's caveat, as the fake models it: a membership change does not recompute the value.
    const developers = okta.state.groups.find((g) => g.profile.name === 'dbt_developers')!;
    developers.members = developers.members.filter((id) => id !== grace.id);
    expect((await port.getAppUser(appId, grace.id))?.licenseType).toBe('developer');
  });
});

describe('the Entra path', () => {
  it('creates license maps, verifies them with the toggle off, and leaves unrelated maps alone', async () => {
    const w = await world({
      idp: 'entra',
      dbt: {
        licenseMaps: [{ license_type: 'it', sso_license_mapping_groups: ['Security Admins'] }],
      },
    });
    const license = w.services.license;
    const entraMaps = {
      developer: ['Data Engineers'],
      read_only: ['Analytics Viewers', 'Finance'],
    };

    const planned = await license.runEntra(w.profileId, 'plan', { entraMaps });
    expect(planned.changes.map((c) => [c.id, c.action])).toEqual([
      ['license.map.developer', 'add'],
      ['license.map.read_only', 'add'],
    ]);
    const applied = await license.runEntra(w.profileId, 'apply', {
      entraMaps,
      expectedChangeIds: planned.changes.map((c) => c.id),
    });
    expect(applied.phase).toBe('verified');
    expect(byId(applied.checks)).toEqual({
      'license.map.developer': 'pass',
      'license.map.read_only': 'pass',
      'license.entra.scim-toggle': 'pass',
    });
    expect(
      w.dbt.state.licenseMaps.map((m) => [m.license_type, m.sso_license_mapping_groups]),
    ).toEqual([
      ['it', ['Security Admins']],
      ['developer', ['Data Engineers']],
      ['read_only', ['Analytics Viewers', 'Finance']],
    ]);
    expect(w.dbt.state.scimConfig.scim_controlled_license_type).toBe(false);

    // Idempotent; and a later run knows (from the journal) which maps the wizard made.
    expect((await license.runEntra(w.profileId, 'plan', { entraMaps })).changes).toEqual([]);
    const fewer = await license.runEntra(w.profileId, 'apply', {
      entraMaps: { developer: ['Data Engineers'] },
    });
    expect(fewer.changes.map((c) => c.action)).toEqual(['remove']);
    expect(fewer.phase).toBe('verified');
    expect(w.dbt.state.licenseMaps.map((m) => m.license_type)).toEqual(['it', 'developer']);

    // With the toggle on, dbt would ignore the maps: verify fails and says why.
    w.dbt.state.scimConfig.scim_controlled_license_type = true;
    const ignored = await license.runEntra(w.profileId, 'verify', {
      entraMaps: { developer: ['Data Engineers'] },
    });
    expect(ignored.phase).toBe('failed');
    expect(ignored.checks.find((c) => c.id === 'license.entra.scim-toggle')?.message).toMatch(
      /dbt ignores these license maps/,
    );
    expect((await w.services.profiles.get(w.profileId)).steps.license.status).toBe('failed');
  });

  it('the fake dbt validates license maps as dbt does, and the adapter names the refusal', async () => {
    const w = await world({ idp: 'entra', dbt: { plan: 'team' } });
    const http = createHttpClient({ log: memoryLogger().logger, clock: w.clock });
    cleanups.push(() => http.close());
    const admin = createDbtAdmin({
      http,
      apiUrl: w.dbt.apiUrl,
      accountId: w.dbt.accountId,
      apiToken: w.dbt.adminToken,
    });
    const refusal = async (p: Promise<unknown>) => {
      try {
        await p;
      } catch (e) {
        return isWizardError(e) ? `${e.code}: ${e.message}` : String(e);
      }
      return 'accepted';
    };
    expect(await refusal(admin.createLicenseMap({ licenseType: 'admin', groups: ['X'] }))).toMatch(
      /^bad_input: .*"admin" is not a valid choice/,
    );
    expect(
      await refusal(admin.createLicenseMap({ licenseType: 'analyst', groups: ['X'] })),
    ).toMatch(/^bad_input: .*not available on this plan/);
    const made = await admin.createLicenseMap({ licenseType: 'developer', groups: ['Devs'] });
    expect(
      await admin.updateLicenseMap(made.id, { licenseType: 'developer', groups: ['A', 'B'] }),
    ).toEqual({ id: made.id, licenseType: 'developer', groups: ['A', 'B'] });
    expect(await admin.listLicenseMaps()).toEqual([
      { id: made.id, licenseType: 'developer', groups: ['A', 'B'] },
    ]);
    await admin.deleteLicenseMap(made.id);
    await admin.deleteLicenseMap(made.id); // already gone: converges
    expect(await admin.listLicenseMaps()).toEqual([]);
    // All pages are read (dbt pages by offset, 100 at a time).
    for (let i = 0; i < 205; i++) {
      w.dbt.state.licenseMaps.push({
        id: 50_000 + i,
        license_type: 'read_only',
        sso_license_mapping_groups: [`group ${i}`],
      });
    }
    w.dbt.clearRequests();
    const all = await admin.listLicenseMaps();
    expect(all).toHaveLength(205);
    expect(all.at(-1)).toEqual({ id: 50_204, licenseType: 'read_only', groups: ['group 204'] });
    expect(w.dbt.requests.map((r) => r.query.offset)).toEqual(['0', '100', '200']);
    // The step refuses Analyst on this plan before sending anything.
    const r = await w.services.license.runEntra(w.profileId, 'plan', {
      entraMaps: { analyst: ['BI'] },
    });
    expect(r.error?.code).toBe('bad_input');
    expect(r.error?.message).toMatch(/Enterprise plans/);
  });
});
