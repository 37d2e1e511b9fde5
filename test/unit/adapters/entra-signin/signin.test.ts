/**
 * The Microsoft sign-in (MSAL Node, public client) against the fake identity platform on 127.0.0.1.
 * MSAL is configured with the https authority https://login.test/<tenant> (knownAuthorities, so no
 * instance discovery) and a network module that rewrites it to the fake; the test plays the browser.
 */
import dc from 'node:diagnostics_channel';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  GRAPH_SCOPES,
  REGISTRATION_GUIDE,
  SUCCESS_PAGE,
  createEntraSignIn,
  fetchNetworkModule,
  missingScopes,
  requiredScopes,
  type EntraSignIn,
  type EntraSignInOptions,
} from '../../../../electron/adapters/entra/signin.js';
import { WizardError } from '../../../../electron/core/errors.js';
import { memoryLogger } from '../../../../electron/core/logger.js';
import { redact } from '../../../../electron/core/redact.js';
import type { LogRecord } from '../../../../electron/core/ports.js';
import {
  fakeBrowser,
  networkClientFor,
  startFakeEntraLogin,
  type FakeBrowser,
  type FakeEntraLogin,
  type FakeEntraLoginOptions,
  type RecordingNetworkModule,
} from '../../../fakes/entra-login.js';

// ---------------------------------------------------------------------------------------------
// Every socket this process opens, and every name it resolves (must stay empty)

const lookups: string[] = [];
const remoteAddresses: string[] = [];
const onSocket = (message: unknown): void => {
  const socket = (message as { socket: Socket }).socket;
  socket.on('lookup', (_err: Error | null, _address: string, _family: unknown, host: string) => {
    lookups.push(host);
  });
  socket.on('connect', () => {
    remoteAddresses.push(socket.remoteAddress ?? '?');
  });
};
dc.subscribe('net.client.socket', onSocket);
afterAll(() => {
  dc.unsubscribe('net.client.socket', onSocket);
});

// ---------------------------------------------------------------------------------------------
// Harness

interface MemoryCache {
  readonly store: EntraSignInOptions['cache'];
  value: string | undefined;
  saves: number;
  clears: number;
}

function memoryCache(): MemoryCache {
  const c: MemoryCache = {
    value: undefined,
    saves: 0,
    clears: 0,
    store: {
      load: () => Promise.resolve(c.value),
      save: (s) => {
        c.value = s;
        c.saves++;
        return Promise.resolve();
      },
      clear: () => {
        c.value = undefined;
        c.clears++;
        return Promise.resolve();
      },
    },
  };
  return c;
}

interface Harness {
  readonly fake: FakeEntraLogin;
  readonly net: RecordingNetworkModule;
  readonly browser: FakeBrowser;
  readonly cache: MemoryCache;
  readonly records: LogRecord[];
  readonly signIn: EntraSignIn;
  /** Another app instance (a restart) over the same cache store and fake. */
  another(overrides?: Partial<EntraSignInOptions>): EntraSignIn;
}

let fake: FakeEntraLogin | undefined;
const messages: string[] = [];

async function setup(
  fakeOptions: FakeEntraLoginOptions = {},
  overrides: Partial<EntraSignInOptions> & { tenant?: string } = {},
): Promise<Harness> {
  fake = await startFakeEntraLogin({ deviceCodeIntervalSeconds: 0.05, ...fakeOptions });
  const f = fake;
  const net = networkClientFor(f);
  const browser = fakeBrowser(f);
  const cache = memoryCache();
  const { logger, records } = memoryLogger('signin-test');
  const make = (o: Partial<EntraSignInOptions> = {}): EntraSignIn =>
    createEntraSignIn({
      clientId: f.clientId,
      loginHost: f.authorityOrigin,
      graphResource: f.resource,
      cache: cache.store,
      openBrowser: (url) => browser.open(url),
      log: logger,
      networkClient: net,
      knownAuthorities: [f.authorityHost],
      ...overrides,
      ...o,
    });
  return { fake: f, net, browser, cache, records, signIn: make(), another: make };
}

async function caught(work: Promise<unknown>): Promise<WizardError> {
  try {
    await work;
  } catch (e) {
    if (e instanceof WizardError) {
      messages.push(e.message, e.remediation, JSON.stringify(e.toInfo()));
      return e;
    }
    throw new Error(`expected a WizardError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Every secret the fake handed out or received. */
function secretsOf(f: FakeEntraLogin): string[] {
  return [
    ...f.issued.accessTokens,
    ...f.issued.refreshTokens,
    ...f.issued.idTokens,
    ...f.issued.codes,
    ...f.issued.deviceCodes,
    ...f.issued.codeVerifiers,
  ];
}

/** MSAL's own traffic as the fake saw it: everything but what the browser loaded. */
function msalTraffic(f: FakeEntraLogin): string[] {
  return f.requests.filter((r) => !r.path.endsWith('/authorize')).map((r) => r.path);
}

beforeEach(() => {
  lookups.length = 0;
  remoteAddresses.length = 0;
  messages.length = 0;
});

afterEach(async () => {
  await fake?.close();
  fake = undefined;
  // Nothing resolved a name and nothing connected anywhere but the loopback.
  expect(lookups).toEqual([]);
  expect(remoteAddresses.every((a) => a === '127.0.0.1')).toBe(true);
});

const ALWAYS = ['Application.ReadWrite.All', 'Synchronization.ReadWrite.All'];
const ALL = [...ALWAYS, 'AppRoleAssignment.ReadWrite.All', 'User.ReadBasic.All'];

// ---------------------------------------------------------------------------------------------

describe('interactive sign-in (system browser, loopback, PKCE)', () => {
  it('signs in end to end: PKCE verified, the loopback really hit, scopes granted', async () => {
    const h = await setup();
    const account = await h.signIn.signInInteractive({ includeTestUserScopes: true });

    expect(account).toEqual({
      username: h.fake.user.username,
      name: h.fake.user.name,
      tenantId: h.fake.tenantId,
      grantedScopes: ALL,
    });

    // The browser got the form_post answer and delivered it to MSAL's loopback, which showed our page.
    const visit = h.browser.visits[0]!;
    expect(visit.deliveredTo).toMatch(/^http:\/\/localhost:\d+$/);
    expect(visit.finalStatus).toBe(200);
    expect(visit.finalBody).toBe(SUCCESS_PAGE);
    expect(visit.finalBody).toContain(
      'You are signed in. You can close this tab and return to dbt SCIM Wizard.',
    );
    expect(visit.finalBody).not.toMatch(/https?:\/\/|<link|<script|<img/);

    // The authorize request: PKCE S256, loopback redirect, form_post, the Graph scopes.
    const q = h.fake.authorizeRequests[0]!;
    expect(q.client_id).toBe(h.fake.clientId);
    expect(q.code_challenge_method).toBe('S256');
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.response_mode).toBe('form_post');
    expect(q.redirect_uri).toBe(visit.deliveredTo);
    expect(q.scope!.split(' ')).toEqual(
      expect.arrayContaining(GRAPH_SCOPES.map((s) => `https://graph.microsoft.com/${s.scope}`)),
    );
    // The fake checked the verifier against that challenge before it issued the tokens.
    expect(h.fake.tokenGrants).toEqual(['authorization_code']);
    expect(h.fake.issued.codeVerifiers).toHaveLength(1);
    expect(h.fake.issued.accessTokens).toHaveLength(1);

    // The loopback listener is gone once the sign-in is over.
    const port = new URL(visit.deliveredTo!).port;
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();

    // The token is there silently, without another request.
    const before = h.fake.requests.length;
    expect(await h.signIn.getToken()).toBe(h.fake.issued.accessTokens[0]);
    expect(h.fake.requests.length).toBe(before);
  });

  it('asks only for the two always-needed scopes without the test user', async () => {
    const h = await setup();
    const account = await h.signIn.signInInteractive({ includeTestUserScopes: false });
    expect(account.grantedScopes).toEqual(ALWAYS);
    const asked = h.fake.authorizeRequests[0]!.scope!.split(' ');
    expect(asked).not.toContain('https://graph.microsoft.com/User.ReadBasic.All');
    expect(missingScopes(account.grantedScopes, true)).toEqual([
      'AppRoleAssignment.ReadWrite.All',
      'User.ReadBasic.All',
    ]);
  });

  it('routes every MSAL request through the network module, only to the authority', async () => {
    const h = await setup();
    await h.signIn.signInInteractive({ includeTestUserScopes: true });
    await h.signIn.getToken();

    expect(h.net.urls.length).toBeGreaterThan(0);
    expect(h.net.urls.every((u) => u.startsWith('https://login.test/organizations/'))).toBe(true);
    // Everything the fake received from MSAL went through the network module, in order.
    expect(h.net.urls.map((u) => new URL(u).pathname)).toEqual(msalTraffic(h.fake));
    // MSAL's telemetry headers were dropped before anything was sent.
    for (const r of h.fake.requests) {
      expect(r.headerNames).not.toContain('x-client-current-telemetry');
      expect(r.headerNames).not.toContain('x-client-last-telemetry');
    }
    // No instance discovery and no telemetry endpoint: only metadata and the token endpoint.
    expect(new Set(msalTraffic(h.fake))).toEqual(
      new Set([
        '/organizations/v2.0/.well-known/openid-configuration',
        '/organizations/oauth2/v2.0/token',
      ]),
    );
  });

  it('keeps the token cache only in the cache store, and a restart gets a token silently', async () => {
    const h = await setup();
    await h.signIn.signInInteractive({ includeTestUserScopes: false });
    expect(h.cache.saves).toBeGreaterThan(0);
    expect(h.cache.value).toContain(h.fake.issued.refreshTokens[0]);

    const restarted = h.another();
    expect(await restarted.account()).toEqual({
      username: h.fake.user.username,
      name: h.fake.user.name,
      tenantId: h.fake.tenantId,
      grantedScopes: ALWAYS,
    });
    const authorizeBefore = h.fake.authorizeRequests.length;
    const grantsBefore = h.fake.tokenGrants.length;
    expect(await restarted.getToken()).toBe(h.fake.issued.accessTokens[0]);
    expect(h.fake.authorizeRequests.length).toBe(authorizeBefore);
    expect(h.fake.tokenGrants.length).toBe(grantsBefore);
    expect(h.browser.visits).toHaveLength(1);
  });

  it('refreshes an expired access token with the refresh token', async () => {
    // Tokens that expire within MSAL's 5-minute margin count as expired.
    const h = await setup({ accessTokenLifetimeSeconds: 60 });
    await h.signIn.signInInteractive({ includeTestUserScopes: false });
    const first = h.fake.issued.accessTokens[0];

    const restarted = h.another();
    const token = await restarted.getToken();
    expect(h.fake.tokenGrants).toEqual(['authorization_code', 'refresh_token']);
    expect(token).toBe(h.fake.issued.accessTokens[1]);
    expect(token).not.toBe(first);
    // The rotated refresh token was saved.
    expect(h.cache.value).toContain(h.fake.issued.refreshTokens[1]);
    expect(h.fake.authorizeRequests).toHaveLength(1);
  });

  it('says "sign in again" when the refresh token no longer works', async () => {
    const h = await setup({ accessTokenLifetimeSeconds: 60 });
    await h.signIn.signInInteractive({ includeTestUserScopes: false });
    h.fake.revokeRefreshTokens();
    const e = await caught(h.signIn.getToken());
    expect(e.code).toBe('auth_failed');
    expect(e.remediation).toContain('Sign in to Microsoft again');
  });

  it('says "sign in again" when nothing is cached', async () => {
    const h = await setup();
    expect(await h.signIn.account()).toBeUndefined();
    const e = await caught(h.signIn.getToken());
    expect(e.code).toBe('auth_failed');
    expect(e.remediation).toContain('Sign in to Microsoft again');
    expect(h.net.urls).toEqual([]);
  });

  it('signs out: the account is gone and the store cleared', async () => {
    const h = await setup();
    await h.signIn.signInInteractive({ includeTestUserScopes: false });
    await h.signIn.signOut();
    expect(h.cache.clears).toBe(1);
    expect(h.cache.value).toBeUndefined();
    expect(await h.signIn.account()).toBeUndefined();
    expect(await h.another().account()).toBeUndefined();
    expect((await caught(h.signIn.getToken())).code).toBe('auth_failed');
  });

  it('keeps one account: a second sign-in as someone else replaces the first', async () => {
    const h = await setup();
    await h.signIn.signInInteractive({ includeTestUserScopes: false });
    h.fake.user.oid = '00000000-aaaa-4bbb-8ccc-eeeeeeeeeeee';
    h.fake.user.username = 'other@contoso.example';
    await h.signIn.signInInteractive({ includeTestUserScopes: false });
    expect((await h.another().account())?.username).toBe('other@contoso.example');
    const saved = JSON.parse(h.cache.value!) as { Account: Record<string, unknown> };
    expect(Object.keys(saved.Account)).toHaveLength(1);
    expect(JSON.stringify(Object.keys(saved.Account))).not.toContain('dddddddddddd');
  });

  it('aborting rejects at once as cancelled and closes the loopback listener', async () => {
    const h = await setup();
    // A browser that loads the page and then waits for the person, who never finishes.
    const urls: string[] = [];
    const signIn = h.another({
      openBrowser: (url) => {
        urls.push(url);
        return Promise.resolve();
      },
    });
    const controller = new AbortController();
    const work = signIn.signInInteractive({
      includeTestUserScopes: false,
      signal: controller.signal,
    });
    await expect.poll(() => urls.length).toBe(1);
    const port = new URL(new URL(urls[0]!).searchParams.get('redirect_uri')!).port;
    controller.abort();
    const e = await caught(work);
    expect(e.code).toBe('cancelled');
    await expect
      .poll(async () =>
        fetch(`http://127.0.0.1:${port}/`).then(
          () => 'open',
          () => 'closed',
        ),
      )
      .toBe('closed');
  });

  it('refuses, unsent, any origin but the authority (here: instance discovery without knownAuthorities)', async () => {
    const h = await setup({}, { knownAuthorities: undefined });
    const seen: string[] = [];
    const signIn = h.another({
      knownAuthorities: undefined,
      networkClient: {
        sendGetRequestAsync: (url, o) => {
          seen.push(url);
          return h.net.sendGetRequestAsync(url, o);
        },
        sendPostRequestAsync: (url, o) => {
          seen.push(url);
          return h.net.sendPostRequestAsync(url, o);
        },
      },
    });
    const e = await caught(signIn.signInInteractive({ includeTestUserScopes: false }));
    expect(e.message).toContain('https://login.microsoftonline.com');
    expect(e.message).toContain('was not sent');
    expect(seen).toEqual([]);
    expect(h.fake.requests).toEqual([]);
  });

  it('a browser that cannot be opened → a typed error suggesting the device code', async () => {
    const h = await setup();
    let redirect = '';
    const signIn = h.another({
      openBrowser: (url) => {
        redirect = new URL(url).searchParams.get('redirect_uri')!;
        return Promise.reject(new Error('xdg-open: no method available'));
      },
    });
    const e = await caught(signIn.signInInteractive({ includeTestUserScopes: false }));
    expect(e.code).toBe('internal');
    expect(e.remediation).toContain('device code');
    const port = new URL(redirect).port;
    await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
  });

  it('an already aborted signal sends nothing', async () => {
    const h = await setup();
    const controller = new AbortController();
    controller.abort();
    const e = await caught(
      h.signIn.signInInteractive({ includeTestUserScopes: false, signal: controller.signal }),
    );
    expect(e.code).toBe('cancelled');
    expect(h.fake.requests).toEqual([]);
  });

  it('shows the error page of an unregistered redirect URI in the browser; aborting ends the wait', async () => {
    const h = await setup({ redirectUris: ['https://example.invalid/callback'] });
    const controller = new AbortController();
    const work = h.signIn.signInInteractive({
      includeTestUserScopes: false,
      signal: controller.signal,
    });
    const visit = await h.browser.nextVisit();
    expect(visit.finalBody).toContain('AADSTS50011');
    expect(visit.deliveredTo).toBeUndefined();
    controller.abort();
    expect((await caught(work)).code).toBe('cancelled');
  });
});

// ---------------------------------------------------------------------------------------------

describe('device code sign-in', () => {
  it('shows the code, polls while pending, and signs in once approved', async () => {
    const h = await setup();
    const codes: {
      userCode: string;
      verificationUri: string;
      message: string;
      expiresInSeconds: number;
    }[] = [];
    const work = h.signIn.signInWithDeviceCode({
      includeTestUserScopes: true,
      onCode: (c) => codes.push(c),
    });
    await expect.poll(() => h.fake.tokenGrants.length).toBeGreaterThanOrEqual(2);
    expect(codes).toHaveLength(1);
    const code = codes[0]!;
    expect(code.userCode).toMatch(/^[A-Z]{9}$/);
    expect(code.message).toContain(code.userCode);
    expect(code.verificationUri).toBe('https://login.test/devicelogin');
    expect(code.expiresInSeconds).toBe(900);

    h.fake.approveDeviceCode();
    const account = await work;
    expect(account.username).toBe(h.fake.user.username);
    expect(account.grantedScopes).toEqual(ALL);
    expect(h.fake.tokenGrants.at(-1)).toBe('device_code');
    expect(h.fake.tokenGrants.slice(0, -1).every((g) => g === 'device_code')).toBe(true);
    expect(h.fake.requests.some((r) => r.path === '/organizations/oauth2/v2.0/devicecode')).toBe(
      true,
    );
    expect(h.net.urls.map((u) => new URL(u).pathname)).toEqual(msalTraffic(h.fake));

    expect(await h.another().getToken()).toBe(h.fake.issued.accessTokens[0]);
    // No secret (the device code included) is in the logs.
    const logs = JSON.stringify(h.records);
    for (const secret of secretsOf(h.fake)) {
      expect(logs).not.toContain(secret);
    }
  });

  it('aborting stops the polling (MSAL cancel flag) and rejects as cancelled', async () => {
    const h = await setup();
    const controller = new AbortController();
    const work = h.signIn.signInWithDeviceCode({
      includeTestUserScopes: false,
      onCode: () => undefined,
      signal: controller.signal,
    });
    await expect.poll(() => h.fake.tokenGrants.length).toBeGreaterThanOrEqual(1);
    controller.abort();
    expect((await caught(work)).code).toBe('cancelled');
    await new Promise((r) => setTimeout(r, 200));
    const polls = h.fake.tokenGrants.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(h.fake.tokenGrants.length).toBe(polls);
  });

  it('a declined sign-in is cancelled', async () => {
    const h = await setup();
    const work = h.signIn.signInWithDeviceCode({
      includeTestUserScopes: false,
      onCode: () => {
        h.fake.declineDeviceCode();
      },
    });
    expect((await caught(work)).code).toBe('cancelled');
  });
});

// ---------------------------------------------------------------------------------------------

describe('errors name the cause and what to do', () => {
  it('consent missing (AADSTS65001) → permission_denied listing the permissions and why', async () => {
    const h = await setup({ consentedScopes: ['Application.ReadWrite.All'] });
    const e = await caught(h.signIn.signInInteractive({ includeTestUserScopes: true }));
    expect(e.code).toBe('permission_denied');
    expect(e.message).toContain('An administrator has not consented to the permissions');
    for (const s of GRAPH_SCOPES) {
      expect(e.message).toContain(`${s.scope} (to ${s.why})`);
    }
    expect(e.remediation).toContain(
      'Ask a Global Administrator or Privileged Role Administrator to grant admin consent for your app registration',
    );
  });

  it('consent via failNextToken as Entra words it', async () => {
    const h = await setup();
    h.fake.failNextToken({
      error: 'invalid_grant',
      error_description:
        "AADSTS65001: The user or administrator has not consented to use the application with ID 'x'.",
    });
    const e = await caught(h.signIn.signInInteractive({ includeTestUserScopes: false }));
    expect(e.code).toBe('permission_denied');
    expect(e.message).not.toContain('User.ReadBasic.All');
  });

  it('unknown client id (AADSTS700016) → bad_input', async () => {
    const h = await setup({}, { clientId: 'aaaaaaaa-0000-4000-8000-000000000000' });
    const e = await caught(
      h.signIn.signInWithDeviceCode({ includeTestUserScopes: false, onCode: () => undefined }),
    );
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('AADSTS700016');
    expect(e.message).toContain('aaaaaaaa-0000-4000-8000-000000000000');
    expect(e.remediation).toContain('Application (client) ID');
  });

  it('unknown client id at the token endpoint of an interactive sign-in → bad_input', async () => {
    const h = await setup();
    h.fake.failNextToken({
      error: 'unauthorized_client',
      error_description:
        "AADSTS700016: Application with identifier 'x' was not found in the directory 'y'.",
    });
    const e = await caught(h.signIn.signInInteractive({ includeTestUserScopes: false }));
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('AADSTS700016');
  });

  it('redirect URI mismatch (AADSTS50011) → bad_input naming http://localhost', async () => {
    const h = await setup();
    h.fake.failNextToken({
      error: 'invalid_request',
      error_description:
        "AADSTS50011: The redirect URI 'http://localhost:1234' specified in the request does not match the redirect URIs configured for the application.",
    });
    const e = await caught(h.signIn.signInInteractive({ includeTestUserScopes: false }));
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('http://localhost');
    expect(e.remediation).toContain('Mobile and desktop applications');
  });

  it('public client flows off (AADSTS7000218 on device code) → bad_input', async () => {
    const h = await setup({ publicClientFlows: false });
    const e = await caught(
      h.signIn.signInWithDeviceCode({ includeTestUserScopes: false, onCode: () => undefined }),
    );
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('Allow public client flows');
    expect(e.message).toContain('AADSTS7000218');
  });

  it('invalid_client on device code without a number still names public client flows', async () => {
    const h = await setup();
    h.fake.failNextToken({
      error: 'invalid_client',
      error_description: 'Invalid client.',
      error_codes: [],
    });
    const e = await caught(
      h.signIn.signInWithDeviceCode({ includeTestUserScopes: false, onCode: () => undefined }),
    );
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('Allow public client flows');
  });

  it('the person cancels in the browser (access_denied) → cancelled', async () => {
    const h = await setup();
    h.fake.failNextAuthorize({
      error: 'access_denied',
      error_description: 'AADSTS65004: User declined to consent to access the app.',
    });
    const e = await caught(h.signIn.signInInteractive({ includeTestUserScopes: false }));
    expect(e.code).toBe('cancelled');
    const visit = await h.browser.nextVisit();
    expect(visit.finalBody).toContain('The sign-in did not finish');
  });

  it('user not assigned (AADSTS50105) → permission_denied', async () => {
    const h = await setup();
    h.fake.failNextToken({
      error: 'invalid_grant',
      error_description:
        "AADSTS50105: Your administrator has configured the application to block users unless they are specifically granted ('assigned') access.",
    });
    const e = await caught(h.signIn.signInInteractive({ includeTestUserScopes: false }));
    expect(e.code).toBe('permission_denied');
    expect(e.message).toContain('not assigned');
  });

  it.each([50076, 50079])(
    'MFA required (AADSTS%i) on renewal → auth_failed, use the browser',
    async (n) => {
      const h = await setup({ accessTokenLifetimeSeconds: 60 });
      await h.signIn.signInInteractive({ includeTestUserScopes: false });
      h.fake.failNextToken({
        error: 'invalid_grant',
        error_description: `AADSTS${n}: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication.`,
        suberror: 'basic_action',
      });
      const e = await caught(h.another().getToken());
      expect(e.code).toBe('auth_failed');
      expect(e.message).toContain('multi-factor');
      expect(e.remediation).toContain('browser sign-in');
    },
  );

  it('a network failure → the network code (refused), not a generic error', async () => {
    const h = await setup();
    await h.fake.close();
    const e = await caught(h.signIn.signInInteractive({ includeTestUserScopes: false }));
    expect(e.code).toBe('network_refused');
  });

  it('a 5xx from the token endpoint → server_error, retryable', async () => {
    const h = await setup();
    h.fake.failNextToken({
      error: 'temporarily_unavailable',
      error_description: 'AADSTS90033: A transient error has occurred. Please try again.',
      status: 503,
    });
    const e = await caught(h.signIn.signInInteractive({ includeTestUserScopes: false }));
    expect(e.code).toBe('server_error');
    expect(e.retryable).toBe(true);
  });

  it('no token, code, verifier or refresh token in logs or messages', async () => {
    const h = await setup({ accessTokenLifetimeSeconds: 60 });
    await h.signIn.signInInteractive({ includeTestUserScopes: true });
    await h.another().getToken();
    h.fake.failNextToken({
      error: 'invalid_grant',
      error_description: 'AADSTS65001: no consent.',
    });
    await caught(h.another().getToken());
    h.fake.revokeRefreshTokens();
    await caught(h.another().getToken());

    const secrets = secretsOf(h.fake);
    expect(secrets.length).toBeGreaterThanOrEqual(8);
    // Each one is registered with the redaction sink, so no later log line or message can carry it.
    for (const secret of secrets) {
      expect(redact(`x ${secret} y`)).toBe('x [REDACTED] y');
    }
    expect(h.records.length).toBeGreaterThan(0);
    const text = [JSON.stringify(h.records), ...messages].join('\n');
    for (const secret of secrets) {
      expect(text).not.toContain(secret);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('the default network module (node fetch)', () => {
  it('answers JSON with status and headers, error statuses included', async () => {
    const f = await startFakeEntraLogin();
    fake = f;
    const net = fetchNetworkModule();
    const ok = await net.sendGetRequestAsync<{ token_endpoint: string }>(
      `${f.origin}/organizations/v2.0/.well-known/openid-configuration`,
    );
    expect(ok.status).toBe(200);
    expect(ok.body.token_endpoint).toBe('https://login.test/organizations/oauth2/v2.0/token');
    expect(ok.headers['content-type']).toContain('application/json');
    const refused = await net.sendPostRequestAsync<{ error: string }>(
      `${f.origin}/organizations/oauth2/v2.0/token`,
      { body: 'grant_type=refresh_token&client_id=x' },
    );
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('unauthorized_client');
  });

  it('turns a web page into html_response, not a JSON parse error', async () => {
    const f = await startFakeEntraLogin();
    fake = f;
    const net = fetchNetworkModule();
    const e = await caught(
      net.sendGetRequestAsync(
        `${f.origin}/organizations/oauth2/v2.0/authorize?client_id=nobody&redirect_uri=x`,
      ),
    );
    expect(e.code).toBe('html_response');
  });

  it('times out as network_timeout', async () => {
    const server = createServer(() => undefined).listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const e = await caught(
        fetchNetworkModule(200).sendGetRequestAsync(`http://127.0.0.1:${port}/slow`),
      );
      expect(e.code).toBe('network_timeout');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('scopes and the registration guide', () => {
  it('missingScopes lists what is missing, short names or full URIs alike', () => {
    expect(missingScopes([], false)).toEqual(ALWAYS);
    expect(missingScopes([], true)).toEqual(ALL);
    expect(missingScopes(ALL, true)).toEqual([]);
    expect(
      missingScopes(
        ['https://graph.microsoft.com/application.readwrite.all', 'openid', 'profile'],
        false,
      ),
    ).toEqual(['Synchronization.ReadWrite.All']);
    expect(missingScopes(ALWAYS, true)).toEqual([
      'AppRoleAssignment.ReadWrite.All',
      'User.ReadBasic.All',
    ]);
    expect(missingScopes(ALWAYS, false)).toEqual([]);
    expect(requiredScopes(false).map((s) => s.scope)).toEqual(ALWAYS);
  });

  it('the guide carries what the wizard renders', () => {
    expect(REGISTRATION_GUIDE.appName).toBe('dbt SCIM Wizard');
    expect(REGISTRATION_GUIDE.redirectUri).toBe('http://localhost');
    expect(REGISTRATION_GUIDE.platform).toBe('Mobile and desktop applications');
    expect(REGISTRATION_GUIDE.supportedAccountTypes).toContain(
      'this organizational directory only',
    );
    const text = JSON.stringify(REGISTRATION_GUIDE);
    expect(text).toContain('Allow public client flows');
    expect(text).toContain('Grant admin consent');
    expect(REGISTRATION_GUIDE.permissions.map((p) => p.scope)).toEqual(ALL);
    for (const p of REGISTRATION_GUIDE.permissions) {
      expect(p).toMatchObject({ api: 'Microsoft Graph', type: 'Delegated' });
      expect(p.why.length).toBeGreaterThan(10);
    }
    expect(REGISTRATION_GUIDE.signInRoles).toEqual([
      'Application Administrator',
      'Cloud Application Administrator',
      'Global Administrator',
    ]);
    expect(REGISTRATION_GUIDE.restrictedTenantNote).toContain(
      'ask an administrator to register it once',
    );
  });
});
