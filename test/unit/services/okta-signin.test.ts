/**
 * Signing in to Okta for a profile, the three ways, against the fake org authorization server on
 * 127.0.0.1, with the real profile store and the encrypted secret store in a temporary home:
 * the browser sign-in renewing itself on a fake clock and surviving a restart, the service key,
 * the API token in memory only, sign-out, the role verdicts, and planted secrets nowhere.
 * The Okta Management API is a small stub port that accepts only tokens the fake really issued.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../electron/adapters/http/client.js';
import { oktaRedirectUri, type OktaAuth } from '../../../electron/adapters/okta/signin.js';
import { WizardError } from '../../../electron/core/errors.js';
import { memoryLogger } from '../../../electron/core/logger.js';
import type {
  OktaApp,
  OktaPort,
  OktaPrincipal,
  OktaRole,
} from '../../../electron/core/okta/ports.js';
import { OKTA_SCOPES } from '../../../electron/core/okta/ports.js';
import { ProfileStore } from '../../../electron/core/store/profiles.js';
import { EncryptedFileSecretStore } from '../../../electron/core/store/secrets.js';
import {
  API_TOKEN_WARNINGS,
  checkOktaRoles,
  createOktaSignInService,
  SECRET_OKTA_PRIVATE_KEY,
  SECRET_OKTA_REFRESH_TOKEN,
  staticOktaAuth,
  type OktaSignInState,
} from '../../../electron/services/okta-signin.js';
import { startFakeOkta } from '../../fakes/okta.js';
import {
  ALL_OKTA_SCOPES,
  createFakeOktaLoginState,
  createOktaLoginHandler,
  FAKE_NATIVE_CLIENT_ID,
  FAKE_SERVICE_CLIENT_ID,
  fakeOktaBrowser,
  makeServiceKeyPair,
  startFakeOktaLogin,
  type FakeOktaLogin,
} from '../../fakes/okta-login.js';
import { MemoryKeyEncryptor } from '../../helpers/encryptor.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';
import { freePort } from '../adapters/okta-signin/helpers.js';

const PLANTED_API_TOKEN = '00PLANTEDoktaAPItoken-9f8e7d6c5b4a3210zz';
const rsa = makeServiceKeyPair('rsa', 'kid-svc-1');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) {
    await c();
  }
});

// ---------------------------------------------------------------------------------------------
// A stub Okta Management API: who the credentials are (only tokens the fake issued, or the planted
// API token), their roles as the test sets them, and probes that can be made to fail.

interface StubOkta {
  roles: Map<string, OktaRole[] | undefined>;
  failing: Set<'apps' | 'schema' | 'groups' | 'whoAmI'>;
  readonly seen: string[];
  readonly calls: string[];
  port(orgUrl: string, auth: OktaAuth): OktaPort;
}

const role = (type: string): OktaRole => ({ id: `ra-${type}`, type, label: type });

function refused(status: number): WizardError {
  return new WizardError(status === 401 ? 'auth_failed' : 'permission_denied', `HTTP ${status}`, {
    remediation: 'n/a',
    status,
  });
}

function stubOkta(fake: FakeOktaLogin): StubOkta {
  const stub: StubOkta = {
    roles: new Map(),
    failing: new Set(),
    seen: [],
    calls: [],
    port: (orgUrl, auth) => {
      expect(orgUrl).toBe(fake.url);
      const principalOf = async (): Promise<OktaPrincipal> => {
        if (auth.kind === 'ssws') {
          stub.seen.push(auth.token);
          if (auth.token !== PLANTED_API_TOKEN) {
            throw refused(401);
          }
          return { kind: 'user', id: '00uadmin1234567890x7', login: 'ada.admin@acme.example' };
        }
        const token = await auth.getToken();
        stub.seen.push(token);
        const info = fake.lookup(token);
        if (!info) {
          throw refused(401);
        }
        return info.principal;
      };
      const call = async <T>(
        name: string,
        probe: StubOkta['failing'] extends Set<infer P> ? P | undefined : never,
        value: T,
      ): Promise<T> => {
        stub.calls.push(name);
        await principalOf();
        if (probe && stub.failing.has(probe)) {
          throw refused(403);
        }
        return value;
      };
      const app: OktaApp = {
        id: '0oadbt',
        label: 'dbt Cloud',
        name: 'acme_dbtcloud_1',
        signOnMode: 'SAML_2_0',
        status: 'ACTIVE',
        features: [],
        userNameTemplate: null,
        lastUpdated: null,
      };
      const nope = (): Promise<never> => Promise.reject(new Error('not used by the sign-in'));
      return {
        whoAmI: async () => {
          stub.calls.push('whoAmI');
          const p = await principalOf();
          if (stub.failing.has('whoAmI')) {
            throw refused(403);
          }
          return p;
        },
        listRoles: async (principal) => {
          stub.calls.push('listRoles');
          await principalOf();
          const key = principal.kind === 'user' ? principal.id : principal.clientId;
          return stub.roles.has(key) ? stub.roles.get(key) : [role('SUPER_ADMIN')];
        },
        listApps: (q) => call(`listApps(${q})`, 'apps', [app]),
        getApp: (id) => call(`getApp(${id})`, 'apps', app),
        getAppUserSchema: (id) => call(`getAppUserSchema(${id})`, 'schema', {}),
        listGroups: (q) => call(`listGroups(${q})`, 'groups', []),
        setUserNameTemplate: nope,
        updateAppUserSchema: nope,
        listAppGroups: nope,
        listGroupPushMappings: nope,
        createGroupPushMapping: nope,
        searchUsers: nope,
        getUser: nope,
        listAppUsers: nope,
        getAppUser: nope,
        assignUser: nope,
        listAppLogEvents: nope,
        getDefaultConnection: nope,
      };
    },
  };
  return stub;
}

// ---------------------------------------------------------------------------------------------
// The world: a temp home, the real stores, the fake authorization server, our HTTP client.

async function world(shared?: {
  home: string;
  encryptor: MemoryKeyEncryptor;
  fake: FakeOktaLogin;
  clock: FakeClock;
  port: number;
}) {
  const clock = shared?.clock ?? new FakeClock();
  const port = shared?.port ?? (await freePort());
  let fake = shared?.fake;
  if (!fake) {
    const started = await startFakeOktaLogin({
      now: () => clock.now(),
      nativeApps: [{ redirectUris: [oktaRedirectUri(port)] }],
      serviceApps: [{ clientId: FAKE_SERVICE_CLIENT_ID, publicKeys: [rsa.publicJwk] }],
    });
    fake = started;
    cleanups.push(() => started.close());
  }
  let home = shared?.home;
  if (!home) {
    const t = await tempDir();
    home = t.dir;
    cleanups.push(t.cleanup);
  }
  const encryptor = shared?.encryptor ?? new MemoryKeyEncryptor();
  const profiles = new ProfileStore(home, () => clock.now());
  const secrets = new EncryptedFileSecretStore({
    dir: join(home, 'secrets'),
    encryptor,
    weakBackendAccepted: () => Promise.resolve(false),
    now: () => clock.now(),
  });
  const { logger, records } = memoryLogger('okta-signin-service');
  const http = createHttpClient({ log: logger.child('http'), clock, retry: { attempts: 1 } });
  cleanups.push(() => http.close());
  const browser = fakeOktaBrowser();
  const stub = stubOkta(fake);
  const service = createOktaSignInService({
    http,
    clock,
    profiles,
    secrets,
    openBrowser: (url) => browser.open(url),
    port: (org, auth) => stub.port(org, auth),
    log: logger,
    redirectPort: port,
  });
  const f = fake;
  return {
    clock,
    port,
    fake: f,
    home,
    encryptor,
    profiles,
    secrets,
    records,
    browser,
    stub,
    service,
    again: () => world({ home: home, encryptor, fake: f, clock, port }),
  };
}

type World = Awaited<ReturnType<typeof world>>;

async function oktaProfile(
  w: World,
  signIn?: { method: 'pkce' | 'service' | 'token'; clientId?: string; keyId?: string },
): Promise<string> {
  const p = await w.profiles.create({ name: 'Acme', idp: 'okta' });
  await w.profiles.update(p.id, {
    okta: { orgUrl: w.fake.url, ...(signIn ? { signIn } : {}) },
  });
  return p.id;
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      out.push(...(await filesUnder(p)));
    } else {
      out.push(p);
    }
  }
  return out;
}

async function homeText(home: string): Promise<string> {
  let all = '';
  for (const f of await filesUnder(home)) {
    all += await readFile(f, 'latin1');
  }
  return all;
}

async function caught(work: Promise<unknown>): Promise<WizardError> {
  try {
    await work;
  } catch (e) {
    if (e instanceof WizardError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected the call to fail');
}

const pkce = { method: 'pkce' as const, clientId: FAKE_NATIVE_CLIENT_ID };
const service = {
  method: 'service' as const,
  clientId: FAKE_SERVICE_CLIENT_ID,
  keyId: 'kid-svc-1',
};

// ---------------------------------------------------------------------------------------------

describe('browser sign-in (pkce) for a profile', () => {
  it('signs in, checks the role, keeps the refresh token encrypted and the access token in memory', async () => {
    const w = await world();
    const id = await oktaProfile(w, pkce);
    expect(await w.service.account(id)).toMatchObject({ signedIn: false, method: null });

    const state = await w.service.signIn(id);
    expect(state).toMatchObject({
      signedIn: true,
      method: 'pkce',
      subject: 'ada.admin@acme.example',
      expiresAt: new Date(w.clock.now().getTime() + 3600_000).toISOString(),
      grantedScopes: ALL_OKTA_SCOPES,
      missingScopes: [],
      roleVerdict: 'ok',
      roles: ['SUPER_ADMIN'],
      warnings: [],
    });
    expect(state.roleMessage).toContain('Super Administrator');
    expect(state.registration.redirectUri).toBe(oktaRedirectUri(w.port));
    expect(state.registration.scopes).toEqual(
      OKTA_SCOPES.map((s) => ({ scope: s.scope, why: s.why })),
    );

    // The Okta steps get a bearer that hands out the token Okta issued.
    const auth = w.service.auth(id);
    expect(auth?.kind).toBe('bearer');
    // No clientId: the Okta adapter would take the principal for a service app.
    expect(auth && 'clientId' in auth).toBe(false);
    const token = await (auth as Extract<OktaAuth, { kind: 'bearer' }>).getToken();
    expect(token).toBe(w.fake.state.issued.accessTokens[0]);
    expect(w.stub.seen).toContain(token);

    // The refresh token is in the secret store (encrypted on disk); the access token is nowhere on disk.
    expect(await w.secrets.get(id, SECRET_OKTA_REFRESH_TOKEN)).toBe(
      w.fake.state.issued.refreshTokens[0],
    );
    const disk = await homeText(w.home);
    expect(disk).not.toContain(w.fake.state.issued.refreshTokens[0]);
    expect(disk).not.toContain(token);
  });

  it('says what to fill in when settings are missing', async () => {
    const w = await world();
    const bare = (await w.profiles.create({ name: 'Bare', idp: 'okta' })).id;
    expect((await caught(w.service.signIn(bare))).message).toContain(
      'not connected to an Okta org',
    );
    const noClient = await oktaProfile(w);
    const e = await caught(w.service.signIn(noClient));
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('Client ID of your Okta Native app');
    const serviceProfile = await oktaProfile(w, { method: 'service' });
    expect(
      (await caught(w.service.useServiceKey(serviceProfile, rsa.privatePkcs8))).message,
    ).toContain('Client ID of your Okta service app');
    expect(w.fake.state.requests).toEqual([]);
  });

  it('reports missing scopes separately from the role', async () => {
    const w = await world();
    w.fake.state.nativeApps[0]!.grantedScopes = ALL_OKTA_SCOPES.filter(
      (s) => s !== 'okta.groups.manage',
    );
    const id = await oktaProfile(w, pkce);
    const state = await w.service.signIn(id);
    expect(state.missingScopes).toEqual(['okta.groups.manage']);
    expect(state.roleVerdict).toBe('ok');
  });

  it('renews before expiry on the fake clock, saving the rotated refresh token', async () => {
    const w = await world();
    const id = await oktaProfile(w, pkce);
    await w.service.signIn(id);
    const auth = w.service.auth(id) as Extract<OktaAuth, { kind: 'bearer' }>;

    w.clock.advance(54 * 60_000);
    expect(await auth.getToken()).toBe(w.fake.state.issued.accessTokens[0]);
    expect(w.fake.state.tokenGrants).toEqual(['authorization_code']);

    // Under five minutes left: renewed (once, even when asked twice at the same time).
    w.clock.advance(2 * 60_000);
    const [a, b] = await Promise.all([auth.getToken(), auth.getToken()]);
    expect(a).toBe(w.fake.state.issued.accessTokens[1]);
    expect(b).toBe(a);
    expect(w.fake.state.tokenGrants).toEqual(['authorization_code', 'refresh_token']);
    expect(await w.secrets.get(id, SECRET_OKTA_REFRESH_TOKEN)).toBe(
      w.fake.state.issued.refreshTokens[1],
    );
    expect((await w.service.account(id)).expiresAt).toBe(
      new Date(w.clock.now().getTime() + 3600_000).toISOString(),
    );
  });

  it('when renewal fails: signed out, saying why, and the dead refresh token deleted', async () => {
    const w = await world();
    const id = await oktaProfile(w, pkce);
    await w.service.signIn(id);
    const auth = w.service.auth(id) as Extract<OktaAuth, { kind: 'bearer' }>;
    w.fake.state.refreshTokens.clear();
    w.clock.advance(58 * 60_000);
    const e = await caught(auth.getToken());
    expect(e.code).toBe('auth_failed');
    expect(e.message).toContain('The Okta sign-in ended');
    expect(e.remediation).toContain('Sign in to Okta again');

    const state = await w.service.account(id);
    expect(state.signedIn).toBe(false);
    expect(state.warnings).toHaveLength(1);
    expect(state.warnings[0]).toContain('Signed out of Okta');
    expect(state.warnings[0]).toContain('invalid_grant');
    expect(w.service.auth(id)).toBeUndefined();
    expect(await w.secrets.get(id, SECRET_OKTA_REFRESH_TOKEN)).toBeUndefined();
  });

  it('signs in again silently after a restart, from the saved refresh token', async () => {
    const w = await world();
    const id = await oktaProfile(w, pkce);
    await w.service.signIn(id);
    const restarted = await w.again();
    expect(restarted.service.auth(id)).toBeUndefined();
    const state = await restarted.service.account(id);
    expect(state).toMatchObject({ signedIn: true, method: 'pkce', roleVerdict: 'ok' });
    expect(w.fake.state.tokenGrants).toEqual(['authorization_code', 'refresh_token']);
    expect(w.fake.state.authorizeRequests).toHaveLength(1);
    const auth = restarted.service.auth(id) as Extract<OktaAuth, { kind: 'bearer' }>;
    expect(await auth.getToken()).toBe(w.fake.state.issued.accessTokens[1]);
  });

  it('a restart whose saved sign-in Okta refuses: signed out, saying why', async () => {
    const w = await world();
    const id = await oktaProfile(w, pkce);
    await w.service.signIn(id);
    w.fake.state.refreshTokens.clear();
    const restarted = await w.again();
    const state = await restarted.service.account(id);
    expect(state.signedIn).toBe(false);
    expect(state.warnings[0]).toContain('invalid_grant');
    expect(await restarted.secrets.get(id, SECRET_OKTA_REFRESH_TOKEN)).toBeUndefined();
  });

  it('without a refresh token: signed in, with a warning saying how to stay signed in', async () => {
    const w = await world();
    w.fake.state.nativeApps[0]!.grantTypes = ['authorization_code'];
    const id = await oktaProfile(w, pkce);
    const state = await w.service.signIn(id);
    expect(state.signedIn).toBe(true);
    expect(state.warnings.join(' ')).toContain('"Refresh Token"');
    expect(await w.secrets.get(id, SECRET_OKTA_REFRESH_TOKEN)).toBeUndefined();
  });

  it('signs out: memory forgotten, refresh token deleted and revoked at Okta', async () => {
    const w = await world();
    const id = await oktaProfile(w, pkce);
    await w.service.signIn(id);
    const rt = w.fake.state.issued.refreshTokens[0]!;
    expect(w.fake.state.refreshTokens.has(rt)).toBe(true);
    await w.service.signOut(id);
    expect(w.service.auth(id)).toBeUndefined();
    expect(await w.secrets.get(id, SECRET_OKTA_REFRESH_TOKEN)).toBeUndefined();
    expect(w.fake.state.refreshTokens.has(rt)).toBe(false);
    expect(w.fake.lookup(w.fake.state.issued.accessTokens[0]!)).toBeUndefined();
    expect(await w.service.account(id)).toMatchObject({ signedIn: false, warnings: [] });
  });
  it('signing out while the browser sign-in waits cancels it and frees the port; a new one replaces a waiting one', async () => {
    const w = await world();
    const id = await oktaProfile(w, pkce);
    const opened: string[] = [];
    const http = createHttpClient({ log: memoryLogger().logger, clock: w.clock });
    cleanups.push(() => http.close());
    const quiet = createOktaSignInService({
      http,
      clock: w.clock,
      profiles: w.profiles,
      secrets: w.secrets,
      openBrowser: (url) => {
        opened.push(url);
        return Promise.resolve();
      },
      port: (org, auth) => w.stub.port(org, auth),
      redirectPort: w.port,
    });
    const first = quiet.signIn(id);
    first.catch(() => undefined);
    await expect.poll(() => opened.length).toBe(1);
    // A second sign-in replaces the waiting one (same fixed port).
    const second = quiet.signIn(id);
    second.catch(() => undefined);
    expect((await caught(first)).code).toBe('cancelled');
    await expect.poll(() => opened.length).toBe(2);
    await quiet.signOut(id);
    expect((await caught(second)).code).toBe('cancelled');
    const free = await fetch(`http://127.0.0.1:${w.port}/`).then(
      () => false,
      () => true,
    );
    expect(free).toBe(true);
    expect(w.fake.state.tokenGrants).toEqual([]);
    expect(quiet.auth(id)).toBeUndefined();
  });
});

describe('service app key for a profile', () => {
  it('signs in with the key, keeps it encrypted (never returned), renews by signing a new assertion', async () => {
    const w = await world();
    w.stub.roles.set(FAKE_SERVICE_CLIENT_ID, [role('ORG_ADMIN')]);
    const id = await oktaProfile(w, service);
    const state = await w.service.useServiceKey(id, rsa.privatePkcs8);
    expect(state).toMatchObject({
      signedIn: true,
      method: 'service',
      subject: FAKE_SERVICE_CLIENT_ID,
      roleVerdict: 'ok',
      roles: ['ORG_ADMIN'],
      grantedScopes: ALL_OKTA_SCOPES,
    });
    expect(state.registration.steps.map((s) => s.title)).toContain('Give the app an admin role');
    expect(w.fake.state.assertionsReceived[0]!.header.kid).toBe('kid-svc-1');
    expect(await w.secrets.get(id, SECRET_OKTA_PRIVATE_KEY)).toBe(rsa.privatePkcs8.trim());

    w.clock.advance(56 * 60_000);
    const auth = w.service.auth(id) as Extract<OktaAuth, { kind: 'bearer' }>;
    expect(auth.clientId).toBe(FAKE_SERVICE_CLIENT_ID);
    expect(await auth.getToken()).toBe(w.fake.state.issued.accessTokens[1]);
    expect(w.fake.state.tokenGrants).toEqual(['client_credentials', 'client_credentials']);

    // A restart signs in with the saved key.
    const restarted = await w.again();
    expect(await restarted.service.account(id)).toMatchObject({
      signedIn: true,
      method: 'service',
    });

    await restarted.service.signOut(id);
    expect(await restarted.secrets.get(id, SECRET_OKTA_PRIVATE_KEY)).toBeUndefined();
  });

  it('refuses bad key text before anything is sent or saved, without echoing it', async () => {
    const w = await world();
    const id = await oktaProfile(w, service);
    const e = await caught(w.service.useServiceKey(id, rsa.publicPem));
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('public key');
    for (const line of rsa.publicPem
      .split('\n')
      .filter((l) => l.length > 20 && !l.startsWith('-'))) {
      expect(`${e.message} ${e.remediation}`).not.toContain(line);
    }
    expect(w.fake.state.requests).toEqual([]);
    expect(await w.secrets.list(id)).toEqual([]);
  });

  it('a key Okta refuses is not saved', async () => {
    const w = await world();
    const id = await oktaProfile(w, service);
    const stranger = makeServiceKeyPair('ec', 'kid-svc-1');
    const e = await caught(w.service.useServiceKey(id, stranger.privatePkcs8));
    expect(e.code).toBe('auth_failed');
    expect(await w.secrets.list(id)).toEqual([]);
    expect(w.service.auth(id)).toBeUndefined();
  });
});

describe('Okta API token for a profile', () => {
  it('is kept in memory only: not in the secret store, not in any file; two warnings', async () => {
    const w = await world();
    const id = await oktaProfile(w, { method: 'token' });
    const state = await w.service.useToken(id, `SSWS ${PLANTED_API_TOKEN}\n`);
    expect(state).toMatchObject({
      signedIn: true,
      method: 'token',
      subject: 'ada.admin@acme.example',
      roleVerdict: 'ok',
      grantedScopes: [],
      missingScopes: [],
    });
    expect(state.expiresAt).toBeUndefined();
    expect(state.warnings).toEqual(API_TOKEN_WARNINGS);
    expect(state.warnings[0]).toContain('not scoped');
    expect(state.warnings[1]).toContain('Security → API → "Tokens"');
    expect(w.service.auth(id)).toEqual({ kind: 'ssws', token: PLANTED_API_TOKEN });

    expect(await w.secrets.list(id)).toEqual([]);
    const profileFile = await readFile(w.profiles.path, 'utf8');
    expect(profileFile).not.toContain(PLANTED_API_TOKEN);
    expect(await homeText(w.home)).not.toContain(PLANTED_API_TOKEN);
    // Gone after a restart.
    const restarted = await w.again();
    expect(await restarted.service.account(id)).toMatchObject({ signedIn: false });
    expect(restarted.service.auth(id)).toBeUndefined();
  });

  it('a token Okta refuses is not kept', async () => {
    const w = await world();
    const id = await oktaProfile(w, { method: 'token' });
    const e = await caught(w.service.useToken(id, '00WRONGtoken-abcdefghijklmnopqrstuv'));
    expect(e.code).toBe('auth_failed');
    expect(w.service.auth(id)).toBeUndefined();
  });

  it('staticOktaAuth cleans what the CLI passes', async () => {
    expect(staticOktaAuth({ apiToken: ` SSWS ${PLANTED_API_TOKEN} ` })).toEqual({
      kind: 'ssws',
      token: PLANTED_API_TOKEN,
    });
    const bearer = staticOktaAuth({ accessToken: 'Bearer eyJhbGciOi.eyJzdWIiOiJ4In0.c2ln' });
    expect(bearer.kind === 'bearer' && (await bearer.getToken())).toBe(
      'eyJhbGciOi.eyJzdWIiOiJ4In0.c2ln',
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('role and capability verdicts (okta.md §5)', () => {
  const user: OktaPrincipal = { kind: 'user', id: '00u1', login: 'ann@acme.example' };

  function port(options: {
    roles: OktaRole[] | undefined;
    failing?: string[];
    apps?: OktaApp[];
    who?: () => Promise<OktaPrincipal>;
  }): OktaPort & { calls: string[] } {
    const calls: string[] = [];
    const run = <T>(name: string, what: string, value: T): Promise<T> => {
      calls.push(name);
      return options.failing?.includes(what)
        ? Promise.reject(refused(403))
        : Promise.resolve(value);
    };
    const nope = (): Promise<never> => Promise.reject(new Error('unused'));
    return {
      calls,
      whoAmI: () => (options.who ? options.who() : Promise.resolve(user)),
      listRoles: () => run('listRoles', 'roles', options.roles),
      listApps: (q) => run(`listApps(${q})`, 'apps', options.apps ?? []),
      getApp: (id) => run(`getApp(${id})`, 'apps', undefined),
      getAppUserSchema: (id) => run(`getAppUserSchema(${id})`, 'schema', {}),
      listGroups: (q) => run(`listGroups(${q})`, 'groups', []),
      setUserNameTemplate: nope,
      updateAppUserSchema: nope,
      listAppGroups: nope,
      listGroupPushMappings: nope,
      createGroupPushMapping: nope,
      searchUsers: nope,
      getUser: nope,
      listAppUsers: nope,
      getAppUser: nope,
      assignUser: nope,
      listAppLogEvents: nope,
      getDefaultConnection: nope,
    };
  }

  it('SUPER_ADMIN or ORG_ADMIN → ok, without probing', async () => {
    for (const type of ['SUPER_ADMIN', 'ORG_ADMIN']) {
      const p = port({ roles: [role('APP_ADMIN'), role(type)] });
      const r = await checkOktaRoles(p);
      expect(r.verdict).toBe('ok');
      expect(r.roles).toEqual(['APP_ADMIN', type]);
      expect(p.calls).toEqual(['listRoles']);
    }
  });

  it('only APP_ADMIN → insufficient, naming what is missing and who can grant it', async () => {
    const r = await checkOktaRoles(port({ roles: [role('APP_ADMIN')] }));
    expect(r.verdict).toBe('insufficient');
    expect(r.roles).toEqual(['APP_ADMIN']);
    expect(r.message).toContain('only Application Administrator');
    expect(r.message).toContain('licenseType attribute');
    expect(r.message).toContain('pushing groups');
    expect(r.message).toContain('Super Administrator or Organization Administrator');
    expect(r.message).toContain('Profile Editor or its groups');
    expect(r.message).toContain('Security → Administrators');
  });

  it('no role at all (a service app) → insufficient, saying where to assign one', async () => {
    const r = await checkOktaRoles({
      ...port({ roles: [] }),
      whoAmI: () => Promise.resolve({ kind: 'client', clientId: '0oasvc' }),
    });
    expect(r.verdict).toBe('insufficient');
    expect(r.message).toContain('This service app has no admin role');
    expect(r.message).toContain('"Admin roles"');
  });

  it('roles unreadable → probes with harmless reads: all work → ok', async () => {
    const app: OktaApp = {
      id: '0oa1',
      label: 'dbt',
      name: 'x',
      signOnMode: 'SAML_2_0',
      status: 'ACTIVE',
      features: [],
      userNameTemplate: null,
      lastUpdated: null,
    };
    const p = port({ roles: undefined, apps: [app] });
    const r = await checkOktaRoles(p);
    expect(r.verdict).toBe('ok');
    expect(r.message).toContain('would not show the admin roles');
    expect(p.calls).toEqual([
      'listRoles',
      'listApps(dbt)',
      'getAppUserSchema(0oa1)',
      'listGroups(Everyone)',
    ]);

    const chosen = port({ roles: undefined });
    expect((await checkOktaRoles(chosen, { appId: '0oaCHOSEN' })).verdict).toBe('ok');
    expect(chosen.calls).toContain('getApp(0oaCHOSEN)');
    expect(chosen.calls).toContain('getAppUserSchema(0oaCHOSEN)');
  });

  it('roles unreadable and a probe fails → unknown, saying what failed', async () => {
    const r = await checkOktaRoles(port({ roles: undefined, failing: ['groups'] }), {
      appId: '0oa1',
    });
    expect(r.verdict).toBe('unknown');
    expect(r.message).toContain('reading groups (permission_denied, HTTP 403) failed');
    // A roles read that is refused outright counts as unreadable too.
    const refusedRoles = await checkOktaRoles(port({ roles: [], failing: ['roles', 'apps'] }));
    expect(refusedRoles.verdict).toBe('unknown');
    expect(refusedRoles.message).toContain('reading apps');
  });

  it('no app to read the schema of → unknown, saying it could not be tried', async () => {
    const r = await checkOktaRoles(port({ roles: undefined, apps: [] }));
    expect(r.verdict).toBe('unknown');
    expect(r.message).toContain("an app's user schema could not be tried");
  });

  it('credentials refused outright → the error, not a verdict', async () => {
    const e = await caught(
      checkOktaRoles(port({ roles: [], who: () => Promise.reject(refused(401)) })),
    );
    expect(e.code).toBe('auth_failed');
  });

  it('through the service: the verdict and the roles are in the state', async () => {
    const w = await world();
    w.stub.roles.set('00uadmin1234567890x7', [role('APP_ADMIN')]);
    const id = await oktaProfile(w, pkce);
    const state = await w.service.signIn(id);
    expect(state).toMatchObject({
      signedIn: true,
      roleVerdict: 'insufficient',
      roles: ['APP_ADMIN'],
    });

    w.stub.roles.set('00uadmin1234567890x7', undefined);
    w.stub.failing.add('schema');
    await w.profiles.update(id, { okta: { appId: '0oadbt' } });
    const probed = await w.service.useToken(id, PLANTED_API_TOKEN);
    expect(probed.roleVerdict).toBe('unknown');
    expect(probed.roleMessage).toContain("reading an app's user schema");
    expect(w.stub.calls).toContain('getAppUserSchema(0oadbt)');
  });
});

// ---------------------------------------------------------------------------------------------

describe('planted secrets', () => {
  it('never appear in a state, an error, a log record or a file under the home directory', async () => {
    const w = await world();
    w.fake.state.serviceApps.push({
      clientId: '0oaother00000000000x7',
      publicKeys: [makeServiceKeyPair('rsa', 'k').publicJwk],
      grantedScopes: [...ALL_OKTA_SCOPES],
      requireDpop: false,
    });
    const corpus: string[] = [];
    const record = (s: OktaSignInState): void => {
      corpus.push(JSON.stringify(s));
    };
    const failing = async (work: Promise<unknown>): Promise<void> => {
      const e = await caught(work);
      corpus.push(e.message, e.remediation, JSON.stringify(e.toInfo()));
    };

    const a = await oktaProfile(w, pkce);
    record(await w.service.signIn(a));
    w.clock.advance(56 * 60_000);
    await (w.service.auth(a) as Extract<OktaAuth, { kind: 'bearer' }>).getToken();
    record(await w.service.account(a));
    w.fake.state.refreshTokens.clear();
    w.clock.advance(58 * 60_000);
    await failing((w.service.auth(a) as Extract<OktaAuth, { kind: 'bearer' }>).getToken());
    record(await w.service.account(a));

    const b = await oktaProfile(w, service);
    record(await w.service.useServiceKey(b, JSON.stringify(rsa.privateJwk)));
    await failing(w.service.useServiceKey(b, rsa.privatePkcs8.replace('PRIVATE', 'PUBLIC')));
    await w.profiles.update(b, {
      okta: { signIn: { ...service, clientId: '0oaother00000000000x7' } },
    });
    await failing(w.service.useServiceKey(b, rsa.privateTraditional));

    const c = await oktaProfile(w, { method: 'token' });
    record(await w.service.useToken(c, PLANTED_API_TOKEN));
    await w.service.signOut(c);
    record(await w.service.account(c));

    const planted = [
      PLANTED_API_TOKEN,
      ...w.fake.state.issued.accessTokens,
      ...w.fake.state.issued.refreshTokens,
      ...w.fake.state.issued.idTokens,
      ...w.fake.state.issued.codes,
      ...w.fake.state.issued.codeVerifiers,
      ...w.fake.state.issued.assertions,
      ...(rsa.privatePkcs8.match(/[A-Za-z0-9+/]{40,}/g) ?? []),
      ...(rsa.privateTraditional.match(/[A-Za-z0-9+/]{40,}/g) ?? []),
      String(rsa.privateJwk.d),
      String(rsa.privateJwk.p),
    ];
    expect(planted.length).toBeGreaterThan(20);
    const everywhere = [corpus.join('\n'), JSON.stringify(w.records), await homeText(w.home)].join(
      '\n',
    );
    for (const secret of planted) {
      expect(everywhere).not.toContain(secret);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('with the real Okta adapter: the login server mounted on the fake Okta org', () => {
  it('the role check reads the signed-in admin, then the service app, with the tokens issued', async () => {
    const clock = new FakeClock();
    const redirectPort = await freePort();
    const login = createFakeOktaLoginState({
      now: () => clock.now(),
      nativeApps: [{ redirectUris: [oktaRedirectUri(redirectPort)] }],
      serviceApps: [{ clientId: FAKE_SERVICE_CLIENT_ID, publicKeys: [rsa.publicJwk] }],
    });
    const okta = await startFakeOkta({
      extraHandler: createOktaLoginHandler(login),
      clientRoles: { [FAKE_SERVICE_CLIENT_ID]: ['APP_ADMIN'] },
      now: () => clock.now(),
    });
    cleanups.push(() => okta.close());
    const admin = okta.state.users.find((u) => u.id === okta.ids.admin)!;
    login.admin = { id: admin.id, login: admin.profile.login };
    login.onToken = (token, { scopes, principal }) => {
      okta.registerAccessToken(token, {
        scopes,
        principal: principal.kind === 'user' ? { kind: 'user', userId: principal.id } : principal,
      });
    };
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const profiles = new ProfileStore(t.dir, () => clock.now());
    const secrets = new EncryptedFileSecretStore({
      dir: join(t.dir, 'secrets'),
      encryptor: new MemoryKeyEncryptor(),
      weakBackendAccepted: () => Promise.resolve(false),
    });
    const http = createHttpClient({ log: memoryLogger().logger, clock, retry: { attempts: 1 } });
    cleanups.push(() => http.close());
    const browser = fakeOktaBrowser();
    const signInService = createOktaSignInService({
      http,
      clock,
      profiles,
      secrets,
      openBrowser: (url) => browser.open(url),
      redirectPort,
    });
    const p = await profiles.create({ name: 'Acme', idp: 'okta' });
    await profiles.update(p.id, { okta: { orgUrl: okta.url, signIn: pkce } });

    const state = await signInService.signIn(p.id);
    expect(state).toMatchObject({
      signedIn: true,
      method: 'pkce',
      subject: admin.profile.login,
      roleVerdict: 'ok',
      roles: ['SUPER_ADMIN'],
      missingScopes: [],
    });
    const bearers = okta.requests.filter((r) => r.path.startsWith('/api/v1/users/'));
    expect(bearers.map((r) => r.path)).toEqual([
      '/api/v1/users/me',
      `/api/v1/users/${admin.id}/roles`,
    ]);

    await profiles.update(p.id, { okta: { signIn: service } });
    const svc = await signInService.useServiceKey(p.id, rsa.privatePkcs8);
    expect(svc).toMatchObject({
      signedIn: true,
      method: 'service',
      subject: FAKE_SERVICE_CLIENT_ID,
      roleVerdict: 'insufficient',
      roles: ['APP_ADMIN'],
    });
    expect(
      okta.requests.some((r) => r.path === `/oauth2/v1/clients/${FAKE_SERVICE_CLIENT_ID}/roles`),
    ).toBe(true);
    expect(okta.specProblems).toEqual([]);
  });
});
