/**
 * The Okta services through the handler table (what main, the bridge and the CLI share), with the
 * real profile store, secret store and engine in a temporary home and an in-memory Okta: the org
 * and app choice, the console checks read at most every 5 s, "Verified at" kept, the SCIM token
 * copied from main and cleared a minute later, the rail statuses after apply and verify, and the
 * connector check never passed by the wizard's own use of the token.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../electron/core/logger.js';
import type { JournalEntry } from '../../../electron/core/ports.js';
import { MemoryJournalStore } from '../../../electron/core/store/journal-file.js';
import { OKTA_FEATURES } from '../../../electron/core/okta/ports.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { dispatch } from '../../../electron/services/dispatch.js';
import { SECRET_DBT_SCIM } from '../../../electron/services/dbt.js';
import {
  CLIPBOARD_CLEAR_MS,
  CONSOLE_POLL_MS,
  cliConsoleTimes,
  createOktaService,
} from '../../../electron/services/okta.js';
import { MemoryClipboard } from '../../helpers/clipboard.js';
import { MemoryKeyEncryptor } from '../../helpers/encryptor.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import {
  ALL_ON,
  INTEGRATION_SAVED,
  MemoryOkta,
  OKTA_ID_TEMPLATE,
} from '../../helpers/memory-okta.js';
import { tempDir } from '../../helpers/temp.js';

const SCIM_TOKEN = 'dbtc_PLANTEDscimTOKENfor0kta_services_9z8y7x';
const SCIM_URL = 'https://cloud.getdbt.com/api/scim/v2/accounts/12345';

let home: string;
let cleanup: () => Promise<void>;
let clock: FakeClock;
let okta: MemoryOkta;
let clipboard: MemoryClipboard;
let services: Services;
let profileId: string;

async function call<T = unknown>(channel: string, input: unknown): Promise<T> {
  const r = await dispatch(services.handlers, channel, input, memoryLogger().logger);
  if (!r.ok) {
    throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  }
  return r.value as T;
}

async function fails(channel: string, input: unknown): Promise<{ code: string; message: string }> {
  const r = await dispatch(services.handlers, channel, input, memoryLogger().logger);
  if (r.ok) {
    throw new Error(`${channel} succeeded`);
  }
  return r.error;
}

beforeEach(async () => {
  ({ dir: home, cleanup } = await tempDir());
  clock = new FakeClock();
  okta = new MemoryOkta(() => clock.now());
  clipboard = new MemoryClipboard();
  services = createServices({
    home,
    face: 'bridge',
    version: '0.0.0-test',
    log: memoryLogger().logger,
    encryptor: new MemoryKeyEncryptor(),
    clock,
    clipboard,
    oktaPort: () => okta,
    oktaAuth: () => ({ kind: 'ssws', token: '00PLANTEDokta-ssws-token-for-services-1234' }),
  });
  const p = await services.profiles.create({ name: 'Acme', idp: 'okta' });
  profileId = p.id;
  await services.profiles.update(profileId, {
    dbt: { scimUrl: SCIM_URL },
  });
  await services.secrets.set(profileId, SECRET_DBT_SCIM, SCIM_TOKEN);
});
afterEach(async () => {
  await cleanup();
});

async function connectWithApp(features: readonly string[] = []) {
  const app = okta.addApp({ label: 'dbt Cloud', features: [...features] });
  await call('okta:connect', { profileId, orgUrl: 'https://acme-admin.okta.com/admin/dashboard' });
  await call('okta:chooseApp', { profileId, appId: app.id });
  return app;
}

describe('okta:connect and the app', () => {
  it('normalises an -admin URL, saves the sign-in settings, and forgets the app for another org', async () => {
    const r = await call<{ profile: { okta: Record<string, unknown> } }>('okta:connect', {
      profileId,
      orgUrl: 'https://acme-admin.okta.com/admin/dashboard',
      signInMethod: 'pkce',
      clientId: '0oa1nativeclient0001',
    });
    expect(r.profile.okta).toMatchObject({
      orgUrl: 'https://acme.okta.com',
      signIn: { method: 'pkce', clientId: '0oa1nativeclient0001' },
    });
    const app = okta.addApp({ label: 'dbt Cloud' });
    await call('okta:chooseApp', { profileId, appId: app.id });
    expect((await services.profiles.get(profileId)).okta?.appId).toBe(app.id);

    await call('okta:connect', { profileId, orgUrl: 'https://acme.okta.com' });
    expect((await services.profiles.get(profileId)).okta?.appId).toBe(app.id);
    await call('okta:connect', { profileId, orgUrl: 'https://other.okta.com' });
    const after = (await services.profiles.get(profileId)).okta;
    expect(after?.appId).toBeUndefined();
    expect(after?.signIn?.clientId).toBeUndefined();
  });

  it('refuses a URL that is not an Okta org before anything is sent', async () => {
    const e = await fails('okta:connect', { profileId, orgUrl: 'http://acme.okta.com' });
    expect(e.code).toBe('bad_input');
    expect(okta.calls).toHaveLength(0);
  });

  it('lists SAML apps first and says why an app cannot be the dbt SSO app', async () => {
    await call('okta:connect', { profileId, orgUrl: 'https://acme.okta.com' });
    okta.addApp({ label: 'Another OIDC', signOnMode: 'OPENID_CONNECT' });
    okta.addApp({ label: 'dbt Cloud', userNameTemplate: OKTA_ID_TEMPLATE });
    okta.addApp({ label: 'Old dbt', status: 'INACTIVE' });
    const r = await call<{
      apps: { label: string; userNameFormat: string; unsuitable?: string }[];
    }>('okta:findApps', { profileId });
    expect(r.apps.map((a) => a.label)).toEqual(['dbt Cloud', 'Old dbt', 'Another OIDC']);
    expect(r.apps[0]).toMatchObject({ userNameFormat: 'okta_id' });
    expect(r.apps[0]?.unsuitable).toBeUndefined();
    expect(r.apps[1]?.unsuitable).toMatch(/inactive/);
    expect(r.apps[2]?.unsuitable).toMatch(/not SAML 2\.0/);
  });
});

describe('okta:console', () => {
  it('reads Okta at most every 5 s, records when a step was shown, and keeps "Verified at"', async () => {
    const app = await connectWithApp();
    type Reply = {
      items: { id: string; status: string; verifiedAt?: string }[];
      nextCheckAt: string;
    };
    const first = await call<Reply>('okta:console', {
      profileId,
      shown: 'okta.console.enable-scim',
    });
    expect(first.items.find((i) => i.id === 'okta.console.enable-scim')?.status).toBe('pending');
    const shownAt = (await services.profiles.get(profileId)).okta?.consoleShownAt;
    expect(shownAt?.['okta.console.enable-scim']).toBe(clock.now().toISOString());

    // The admin turns SCIM on; a poll 2 s later gets the last answer, without asking Okta.
    okta.setFeatures(app.id, [OKTA_FEATURES.scim]);
    const reads = okta.calls.filter((c) => c === 'getApp').length;
    clock.advance(2_000);
    const cached = await call<Reply>('okta:console', { profileId });
    expect(okta.calls.filter((c) => c === 'getApp').length).toBe(reads);
    expect(cached.items.find((i) => i.id === 'okta.console.enable-scim')?.status).toBe('pending');
    expect(Date.parse(cached.nextCheckAt) - Date.parse(first.nextCheckAt)).toBe(0);

    clock.advance(CONSOLE_POLL_MS);
    const fresh = await call<Reply>('okta:console', { profileId });
    const item = fresh.items.find((i) => i.id === 'okta.console.enable-scim');
    expect(item?.status).toBe('pass');
    const verifiedAt = item?.verifiedAt;
    expect(verifiedAt).toBe(clock.now().toISOString());

    // Later checks keep the first time; undoing the change forgets it.
    clock.advance(CONSOLE_POLL_MS);
    const again = await call<Reply>('okta:console', { profileId });
    expect(again.items.find((i) => i.id === 'okta.console.enable-scim')?.verifiedAt).toBe(
      verifiedAt,
    );
    okta.setFeatures(app.id, []);
    clock.advance(CONSOLE_POLL_MS);
    const undone = await call<Reply>('okta:console', { profileId });
    const back = undone.items.find((i) => i.id === 'okta.console.enable-scim');
    expect(back?.status).toBe('pending');
    expect(back?.verifiedAt).toBeUndefined();
  });

  it('keeps the last answer and backs off when Okta rate-limits', async () => {
    await connectWithApp();
    type Reply = { items: unknown[]; nextCheckAt: string; error?: { code: string } };
    const first = await call<Reply>('okta:console', { profileId });
    clock.advance(CONSOLE_POLL_MS);
    const { WizardError } = await import('../../../electron/core/errors.js');
    okta.failNext(
      'getApp',
      new WizardError('rate_limited', 'Okta asked to slow down.', { remediation: '' }),
    );
    const limited = await call<Reply>('okta:console', { profileId });
    expect(limited.error?.code).toBe('rate_limited');
    expect(limited.items).toEqual(first.items);
    expect(Date.parse(limited.nextCheckAt) - clock.now().getTime()).toBeGreaterThan(
      CONSOLE_POLL_MS,
    );
  });
});

describe('okta:copyScimToken', () => {
  it('copies the token from main, never returns it, and clears the clipboard after a minute', async () => {
    await connectWithApp();
    const start = clock.now().getTime();
    const r = await call<{ last4: string; clearsAt: string }>('okta:copyScimToken', {
      profileId,
    });
    expect(JSON.stringify(r)).not.toContain(SCIM_TOKEN);
    expect(r.last4).toBe(SCIM_TOKEN.slice(-4));
    expect(Date.parse(r.clearsAt) - start).toBe(CLIPBOARD_CLEAR_MS);
    expect(clipboard.writes[0]).toBe(SCIM_TOKEN);
    // The fake clock's sleep resolves at once: let the clearing run.
    await new Promise((ok) => setImmediate(ok));
    expect(clipboard.text).toBe('');
  });

  it('leaves the clipboard alone when the admin copied something else meanwhile', async () => {
    await connectWithApp();
    let release: () => void = () => undefined;
    clock.sleep = () =>
      new Promise<void>((ok) => {
        release = ok;
      });
    await call('okta:copyScimToken', { profileId });
    await clipboard.writeText('something else');
    release();
    await new Promise((ok) => setImmediate(ok));
    expect(clipboard.text).toBe('something else');
  });

  it('says what to do when no SCIM token is saved', async () => {
    await connectWithApp();
    await services.secrets.delete(profileId, SECRET_DBT_SCIM);
    const e = await fails('okta:copyScimToken', { profileId });
    expect(e.code).toBe('bad_input');
    expect(e.message).toMatch(/dbt step/);
    expect(clipboard.writes).toHaveLength(0);
  });
});

describe('okta:plan, apply and verify', () => {
  it('adds the licenseType attribute once SCIM is on and sets the rail from the checks', async () => {
    await connectWithApp(INTEGRATION_SAVED);
    type Run = {
      phase: string;
      changes: { id: string; detail: string }[];
      checks: { id: string; status: string }[];
      console: { id: string; status: string }[];
    };
    const plan = await call<Run>('okta:plan', { profileId });
    expect(plan.changes.map((c) => c.id)).toContain('okta.license.add');
    expect(okta.writes()).toEqual([]);

    const applied = await call<Run>('okta:apply', {
      profileId,
      expectedChangeIds: plan.changes.map((c) => c.id),
    });
    expect(applied.checks.find((c) => c.id === 'okta.license')?.status).toBe('pass');
    // The To App toggles are not on yet: the IdP step needs the admin, the license step is done.
    const profile = await services.profiles.get(profileId);
    expect(profile.steps.license.status).toBe('verified');
    expect(profile.steps.idp.status).toBe('needs_you');
    expect(applied.console.find((i) => i.id === 'okta.console.to-app')?.status).toBe('pending');
  });

  it('changes nothing when the plan the admin reviewed is not the plan now', async () => {
    await connectWithApp(INTEGRATION_SAVED);
    const r = await call<{ phase: string }>('okta:apply', {
      profileId,
      expectedChangeIds: ['something.else'],
    });
    expect(r.phase).toBe('planned');
    expect(okta.writes()).toEqual([]);
  });

  it('verifies everything once the console steps and the API part are done', async () => {
    const app = await connectWithApp(ALL_ON);
    app.userNameTemplate = { template: '${source.email}', type: 'BUILT_IN' };
    await call('okta:apply', { profileId });
    const v = await call<{
      phase: string;
      checks: { id: string; status: string; message: string }[];
    }>('okta:verify', { profileId });
    const open = v.checks.filter((c) => c.status === 'fail' || c.status === 'pending');
    // Without the dbt Admin API the connector test leans on the System Log alone, and passes.
    expect(open).toEqual([]);
    expect(v.phase).toBe('verified');
    expect((await services.profiles.get(profileId)).steps.idp.status).toBe('verified');
  });
});

describe('okta:pickGroups and okta:existing', () => {
  it('refuses the same Okta group twice', async () => {
    await connectWithApp();
    const e = await fails('okta:pickGroups', {
      profileId,
      picks: [
        { oktaGroupId: '00g1', oktaGroupName: 'dbt_developers', targetGroupName: 'Developers' },
        { oktaGroupId: '00g1', oktaGroupName: 'dbt_developers', targetGroupName: 'Dev' },
      ],
    });
    expect(e.code).toBe('bad_input');
  });

  it("restarts the connector check's window after the wizard itself used the SCIM token", async () => {
    await connectWithApp([OKTA_FEATURES.scim]);
    await call('okta:console', { profileId, shown: 'okta.console.test-connector' });
    const shown = async () =>
      (await services.profiles.get(profileId)).okta?.consoleShownAt?.[
        'okta.console.test-connector'
      ];
    const before = await shown();
    expect(before).toBeDefined();
    const used: string[] = [];
    const service = createOktaService({
      http: services.http,
      clock,
      engine: services.engine,
      journal: services.journal,
      profiles: services.profiles,
      secrets: services.secrets,
      log: memoryLogger().logger,
      auth: () => ({ kind: 'ssws', token: '00PLANTEDokta-ssws-token-for-services-1234' }),
      port: () => okta,
      probe: {
        probe: () => Promise.reject(new Error('not used')),
        findUser: () => Promise.reject(new Error('not used')),
        listUsers: (_url, token) => {
          used.push(token);
          return Promise.resolve([
            { id: 'u1', userName: 'ada@acme.com', active: true, givenName: null, familyName: null },
          ]);
        },
      },
    });
    okta.addUser('Ada@acme.com', { email: 'Ada@acme.com' });
    clock.advance(60_000);
    const r = await service.existing(profileId);
    expect(used).toEqual([SCIM_TOKEN]);
    expect(r).toMatchObject({ dbtUsers: 1, checked: 1 });
    expect(r.unmatched).toEqual([
      { userName: 'ada@acme.com', reason: 'case', oktaLogin: 'Ada@acme.com' },
    ]);
    // Our own use of the token happened now: the window for Okta's call starts after it.
    expect(await shown()).toBe(clock.now().toISOString());
    expect(Date.parse((await shown()) ?? '')).toBeGreaterThan(Date.parse(before ?? ''));
  });
});

describe('cliConsoleTimes', () => {
  const ids = ['okta.console.enable-scim', 'okta.console.test-connector'];
  const entry = (at: string, extra: Partial<JournalEntry>): JournalEntry => ({
    runId: 'r',
    profileId: 'cli-okta-x',
    step: 'idp',
    phase: 'verified',
    at,
    ...extra,
  });

  it('counts each step shown at the first run and verified at the first pass', async () => {
    const journal = new MemoryJournalStore();
    await journal.append(entry('2026-11-01T10:00:00.000Z', { phase: 'planning' }));
    await journal.append(
      entry('2026-11-02T10:00:00.000Z', {
        checks: [
          {
            id: 'okta.console.enable-scim',
            status: 'pass',
            message: '',
            at: '2026-11-02T10:00:00.000Z',
          },
        ],
      }),
    );
    const t = await cliConsoleTimes(journal, 'cli-okta-x', ids, new Date('2026-11-03T00:00:00Z'));
    expect(t.shownAt).toEqual({
      'okta.console.enable-scim': '2026-11-01T10:00:00.000Z',
      'okta.console.test-connector': '2026-11-01T10:00:00.000Z',
    });
    expect(t.verifiedAt).toEqual({ 'okta.console.enable-scim': '2026-11-02T10:00:00.000Z' });
  });

  it("restarts the connector's window after a test-user run, unless it had passed already", async () => {
    const journal = new MemoryJournalStore();
    await journal.append(entry('2026-11-01T10:00:00.000Z', { phase: 'planning' }));
    await journal.append(
      entry('2026-11-02T10:00:00.000Z', {
        phase: 'applying',
        step: 'test',
        data: { kind: 'okta.test-user' },
      }),
    );
    const now = new Date('2026-11-03T00:00:00Z');
    const open = await cliConsoleTimes(journal, 'cli-okta-x', ids, now);
    expect(open.shownAt['okta.console.test-connector']).toBe('2026-11-02T10:00:00.000Z');
    expect(open.shownAt['okta.console.enable-scim']).toBe('2026-11-01T10:00:00.000Z');

    await journal.append(
      entry('2026-11-01T12:00:00.000Z', {
        checks: [
          {
            id: 'okta.console.test-connector',
            status: 'pass',
            message: '',
            at: '2026-11-01T12:00:00.000Z',
          },
        ],
      }),
    );
    const passed = await cliConsoleTimes(journal, 'cli-okta-x', ids, now);
    expect(passed.shownAt['okta.console.test-connector']).toBe('2026-11-01T10:00:00.000Z');
    expect(passed.verifiedAt['okta.console.test-connector']).toBe('2026-11-01T12:00:00.000Z');
  });
});
