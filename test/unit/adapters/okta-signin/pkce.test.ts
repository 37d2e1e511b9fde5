/**
 * The browser sign-in (Authorization Code + PKCE, loopback redirect) against the fake Okta org
 * authorization server on 127.0.0.1; the test plays the browser.
 */
import { createServer } from 'node:http';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import {
  ERROR_PAGE,
  OKTA_REDIRECT_PORT,
  SUCCESS_PAGE,
  missingOktaScopes,
  oktaRedirectUri,
} from '../../../../electron/adapters/okta/signin.js';
import { OKTA_SCOPES } from '../../../../electron/core/okta/ports.js';
import {
  ALL_OKTA_SCOPES,
  FAKE_NATIVE_CLIENT_ID,
  fakeOktaBrowser,
} from '../../../fakes/okta-login.js';
import { caught, listening, messages, secretsOf, setup, watchSockets } from './helpers.js';

watchSockets();

const clientId = FAKE_NATIVE_CLIENT_ID;

describe('the fixed redirect URI', () => {
  it('is http://127.0.0.1:8839/okta/callback unless a port is given', () => {
    expect(OKTA_REDIRECT_PORT).toBe(8839);
    expect(oktaRedirectUri()).toBe('http://127.0.0.1:8839/okta/callback');
    expect(oktaRedirectUri(9000)).toBe('http://127.0.0.1:9000/okta/callback');
  });
});

describe('browser sign-in (PKCE, loopback)', () => {
  it('signs in end to end: PKCE verified by Okta, the loopback really hit, then closed', async () => {
    const h = await setup();
    const tokens = await h.signIn.signInWithBrowser({ clientId });

    // What Okta issued is what came back; the token lasts an hour from the (fake) clock.
    expect(tokens.accessToken).toBe(h.fake.state.issued.accessTokens[0]);
    expect(tokens.refreshToken).toBe(h.fake.state.issued.refreshTokens[0]);
    expect(tokens.grantedScopes).toEqual(ALL_OKTA_SCOPES);
    expect(tokens.expiresAt.getTime()).toBe(h.clock.now().getTime() + 3600_000);
    expect(tokens.subject).toBe('ada.admin@acme.example');

    // The authorize request: the org AS, PKCE S256, the fixed redirect URI, exactly these scopes.
    const q = h.fake.state.authorizeRequests[0]!;
    expect(q.client_id).toBe(clientId);
    expect(q.response_type).toBe('code');
    expect(q.code_challenge_method).toBe('S256');
    expect(q.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(q.state!.length).toBeGreaterThanOrEqual(32);
    expect(q.redirect_uri).toBe(oktaRedirectUri(h.port));
    expect(q.scope!.split(' ').sort()).toEqual(
      ['openid', 'offline_access', ...OKTA_SCOPES.map((s) => s.scope)].sort(),
    );
    expect(h.browser.visits[0]!.url.startsWith(`${h.fake.url}/oauth2/v1/authorize?`)).toBe(true);

    // The fake checked the verifier against that challenge and the exact redirect URI.
    expect(h.fake.state.tokenGrants).toEqual(['authorization_code']);
    expect(h.fake.state.issued.codeVerifiers).toHaveLength(1);

    // The browser was answered with our calm page, with nothing loaded from anywhere.
    const visit = h.browser.visits[0]!;
    expect(visit.deliveredTo).toBe(oktaRedirectUri(h.port));
    expect(visit.finalStatus).toBe(200);
    expect(visit.finalBody).toBe(SUCCESS_PAGE);
    expect(visit.finalBody).not.toMatch(/https?:\/\/|<link|<script|<img|@import/);

    // One callback, then the listener is gone.
    expect(await listening(h.port)).toBe(false);

    // No secret reached a log record.
    const logs = JSON.stringify(h.records);
    for (const secret of secretsOf(h.fake)) {
      expect(logs).not.toContain(secret);
    }
  });

  it('with port 0 listens on a random port and says which in the redirect URI', async () => {
    const h = await setup({ nativeApps: [{ redirectUris: [] }] });
    // The "admin" registers whatever redirect URI the request carries, just before it loads.
    const browser = fakeOktaBrowser({
      beforeLoad: (url) => {
        h.fake.state.nativeApps[0]!.redirectUris = [url.searchParams.get('redirect_uri')!];
      },
    });
    const signIn = h.make({ redirectPort: 0, openBrowser: (u) => browser.open(u) });
    await signIn.signInWithBrowser({ clientId });
    const redirect = new URL(h.fake.state.authorizeRequests[0]!.redirect_uri!);
    expect(redirect.hostname).toBe('127.0.0.1');
    expect(redirect.pathname).toBe('/okta/callback');
    expect(Number(redirect.port)).toBeGreaterThan(0);
    expect(await listening(Number(redirect.port))).toBe(false);
  });

  it('refuses an answer whose state does not match, without redeeming its code', async () => {
    const h = await setup();
    const browser = fakeOktaBrowser({
      rewrite: (location) => {
        location.searchParams.set('state', 'forged-state-from-another-tab');
        return location;
      },
    });
    const e = await caught(
      h.make({ openBrowser: (u) => browser.open(u) }).signInWithBrowser({ clientId }),
    );
    expect(e.code).toBe('auth_failed');
    expect(e.message).toContain('state does not match');
    expect(h.fake.state.tokenGrants).toEqual([]);
    expect(h.fake.state.requests.some((r) => r.path === '/oauth2/v1/token')).toBe(false);
    const visit = await browser.nextVisit();
    expect(visit.finalStatus).toBe(400);
    expect(visit.finalBody).toBe(ERROR_PAGE);
    expect(await listening(h.port)).toBe(false);
  });

  it('explains an unregistered redirect URI when Okta never comes back (timeout)', async () => {
    const h = await setup(
      { nativeApps: [{ redirectUris: ['http://localhost:8080/login/callback'] }] },
      { callbackTimeoutMs: 300 },
    );
    const e = await caught(h.signIn.signInWithBrowser({ clientId }));
    // Okta showed its own error page in the browser; nothing reached the loopback.
    const visit = await h.browser.nextVisit();
    expect(visit.finalStatus).toBe(400);
    expect(visit.finalBody).toContain("The 'redirect_uri' parameter must be a Login redirect URI");
    expect(visit.deliveredTo).toBeUndefined();
    expect(e.code).toBe('auth_failed');
    expect(e.remediation).toContain(
      `add exactly ${oktaRedirectUri(h.port)} to the Native app's "Sign-in redirect URIs"`,
    );
    expect(e.remediation).toContain("The 'redirect_uri' parameter must be a Login redirect URI");
    expect(await listening(h.port)).toBe(false);
  });

  it('explains access_denied (the admin is not assigned to the app)', async () => {
    const h = await setup({
      nativeApps: [{ redirectUris: [], assigned: false }],
    });
    h.fake.state.nativeApps[0]!.redirectUris = [`http://127.0.0.1:${h.port}/okta/callback`];
    const e = await caught(h.signIn.signInWithBrowser({ clientId }));
    expect(e.code).toBe('permission_denied');
    expect(e.message).toContain('access_denied: User is not assigned to the client application.');
    expect(e.remediation).toContain('"Assignments"');
    expect((await h.browser.nextVisit()).finalBody).toBe(ERROR_PAGE);
    expect(h.fake.state.tokenGrants).toEqual([]);
    expect(await listening(h.port)).toBe(false);
  });

  it('explains an access_denied the person chose in Okta', async () => {
    const h = await setup();
    h.fake.state.authorizeError = {
      error: 'access_denied',
      error_description: 'The resource owner or authorization server denied the request.',
    };
    const e = await caught(h.signIn.signInWithBrowser({ clientId }));
    expect(e.code).toBe('permission_denied');
    expect(e.message).toContain('denied the request');
  });

  it('reports the scopes Okta left out of the token', async () => {
    const granted = ALL_OKTA_SCOPES.filter(
      (s) => s !== 'okta.logs.read' && s !== 'okta.roles.read',
    );
    const h = await setup();
    h.fake.state.nativeApps[0]!.grantedScopes = granted;
    const tokens = await h.signIn.signInWithBrowser({ clientId });
    expect(tokens.grantedScopes).toEqual(granted);
    expect(missingOktaScopes(tokens.grantedScopes)).toEqual(['okta.logs.read', 'okta.roles.read']);
  });

  it('explains invalid_scope (scopes not granted, refused outright) with where to grant them', async () => {
    const h = await setup({ ungrantedScopes: 'refuse' });
    h.fake.state.nativeApps[0]!.grantedScopes = ['okta.apps.manage'];
    const e = await caught(h.signIn.signInWithBrowser({ clientId }));
    expect(e.code).toBe('permission_denied');
    expect(e.message).toContain('invalid_scope');
    expect(e.remediation).toContain('"Okta API Scopes"');
    expect(e.remediation).toContain('"Grant"');
    expect(e.remediation).toContain('Only a Super Administrator can grant');
    for (const s of OKTA_SCOPES) {
      expect(e.remediation).toContain(`${s.scope} (to ${s.why})`);
    }
  });

  it('explains a Native app without the Authorization Code grant', async () => {
    const h = await setup();
    h.fake.state.nativeApps[0]!.grantTypes = ['refresh_token'];
    const e = await caught(h.signIn.signInWithBrowser({ clientId }));
    expect(e.code).toBe('bad_input');
    expect(e.remediation).toContain('"Authorization Code"');
  });

  it('signs in without a refresh token when the app lacks the Refresh Token grant', async () => {
    const h = await setup();
    h.fake.state.nativeApps[0]!.grantTypes = ['authorization_code'];
    const tokens = await h.signIn.signInWithBrowser({ clientId });
    expect(tokens.refreshToken).toBeUndefined();
    expect(tokens.grantedScopes).toEqual(ALL_OKTA_SCOPES);
  });

  it('cancelling rejects as cancelled, frees the port, and a new sign-in works', async () => {
    const h = await setup();
    const urls: string[] = [];
    const controller = new AbortController();
    const work = h
      .make({
        openBrowser: (url) => {
          urls.push(url);
          return Promise.resolve();
        },
      })
      .signInWithBrowser({ clientId, signal: controller.signal });
    await expect.poll(() => urls.length).toBe(1);
    expect(await listening(h.port)).toBe(true);
    controller.abort();
    expect((await caught(work)).code).toBe('cancelled');
    expect(await listening(h.port)).toBe(false);
    // The port is free again.
    await h.signIn.signInWithBrowser({ clientId });
  });

  it('an already aborted signal sends nothing and opens nothing', async () => {
    const h = await setup();
    const controller = new AbortController();
    controller.abort();
    const e = await caught(h.signIn.signInWithBrowser({ clientId, signal: controller.signal }));
    expect(e.code).toBe('cancelled');
    expect(h.browser.visits).toEqual([]);
    expect(h.fake.state.requests).toEqual([]);
  });

  it('a browser that cannot be opened → a typed error, port freed', async () => {
    const h = await setup();
    const e = await caught(
      h
        .make({ openBrowser: () => Promise.reject(new Error('xdg-open: no method available')) })
        .signInWithBrowser({ clientId }),
    );
    expect(e.code).toBe('internal');
    expect(e.remediation).toContain('service app key or an API token');
    expect(await listening(h.port)).toBe(false);
  });

  it('says so when the redirect port is taken', async () => {
    const h = await setup();
    const other = createServer();
    other.listen(h.port, '127.0.0.1');
    await once(other, 'listening');
    try {
      const e = await caught(h.signIn.signInWithBrowser({ clientId }));
      expect(e.code).toBe('conflict');
      expect(e.message).toContain(`Port ${h.port}`);
      expect(h.browser.visits).toEqual([]);
    } finally {
      other.close();
      await once(other, 'close');
    }
  });

  it('answers other paths and a bare reload without ending the wait for the callback', async () => {
    const h = await setup();
    const urls: string[] = [];
    const work = h
      .make({
        openBrowser: (url) => {
          urls.push(url);
          return Promise.resolve();
        },
      })
      .signInWithBrowser({ clientId });
    await expect.poll(() => urls.length).toBe(1);
    expect((await fetch(`http://127.0.0.1:${h.port}/favicon.ico`)).status).toBe(404);
    // A reload of the bare callback address is no answer: refused, and the wait goes on.
    expect((await fetch(`http://127.0.0.1:${h.port}/okta/callback`)).status).toBe(400);
    expect(
      (await fetch(`http://127.0.0.1:${h.port}/okta/callback`, { method: 'POST' })).status,
    ).toBe(404);
    // Now the browser really loads the page.
    await h.browser.open(urls[0]!);
    const tokens = await work;
    expect(tokens.accessToken).toBe(h.fake.state.issued.accessTokens[0]);
  });

  it('a wrong client id is shown by Okta in the browser; the wait ends with the timeout', async () => {
    const h = await setup({}, { callbackTimeoutMs: 200 });
    const e = await caught(h.signIn.signInWithBrowser({ clientId: '0oaUNKNOWN00000000000' }));
    expect(e.code).toBe('auth_failed');
    expect((await h.browser.nextVisit()).finalBody).toContain('client_id is invalid');
  });
});

describe('renewal with the refresh token', () => {
  it('renews, rotating the refresh token; the old one then fails with "sign in again"', async () => {
    const h = await setup();
    const first = await h.signIn.signInWithBrowser({ clientId });
    h.clock.advance(56 * 60_000);
    const renewed = await h.signIn.refresh({ clientId, refreshToken: first.refreshToken! });
    expect(renewed.accessToken).toBe(h.fake.state.issued.accessTokens[1]);
    expect(renewed.accessToken).not.toBe(first.accessToken);
    expect(renewed.refreshToken).toBe(h.fake.state.issued.refreshTokens[1]);
    expect(renewed.expiresAt.getTime()).toBe(h.clock.now().getTime() + 3600_000);
    expect(renewed.grantedScopes).toEqual(ALL_OKTA_SCOPES);
    expect(h.fake.state.tokenGrants).toEqual(['authorization_code', 'refresh_token']);

    const e = await caught(h.signIn.refresh({ clientId, refreshToken: first.refreshToken! }));
    expect(e.code).toBe('auth_failed');
    expect(e.message).toContain('invalid_grant');
    expect(e.remediation).toBe('Sign in to Okta again.');
  });

  it('revoke makes the refresh token unusable', async () => {
    const h = await setup();
    const t = await h.signIn.signInWithBrowser({ clientId });
    await h.signIn.revoke({ clientId, token: t.refreshToken!, hint: 'refresh_token' });
    expect(h.fake.state.refreshTokens.size).toBe(0);
    expect((await caught(h.signIn.refresh({ clientId, refreshToken: t.refreshToken! }))).code).toBe(
      'auth_failed',
    );
  });

  it('no message carries a token, code or verifier', async () => {
    const h = await setup();
    await h.signIn.signInWithBrowser({ clientId });
    const all = messages.join('\n');
    for (const secret of secretsOf(h.fake)) {
      expect(all).not.toContain(secret);
    }
  });
});
