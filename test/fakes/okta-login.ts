/**
 * A fake Okta ORG authorization server (`/oauth2/v1/…`), for the three ways the wizard signs in.
 * Standalone on 127.0.0.1 (`startFakeOktaLogin()`), or mounted on the fake Okta Management API's
 * origin through its `extraHandler` (`createOktaLoginHandler(state)`): the issuer is then the same
 * origin as the API, as on a real org.
 *
 *   GET  /.well-known/openid-configuration, /.well-known/oauth-authorization-server
 *   GET  /oauth2/v1/authorize   client_id must be a registered Native app; redirect_uri registered
 *        EXACTLY (else Okta's HTML error page, 400, and nothing reaches the app); response_type=code;
 *        code_challenge with method S256 (a public client must use PKCE); scopes known. Then the
 *        configured admin "signs in" at once: 302 to redirect_uri with code and state, or with
 *        error=access_denied (`authorizeError`, or the admin not assigned to the app).
 *   POST /oauth2/v1/token       authorization_code (single use, exact redirect_uri, PKCE verified),
 *        refresh_token (rotated), client_credentials with private_key_jwt verified against the
 *        service app's registered public JWKs (alg, kid, signature, iss = sub = client id, aud =
 *        the token endpoint, exp ≤ 1 h ahead, jti never reused); `requireDpop` → invalid_dpop_proof.
 *   POST /oauth2/v1/revoke      forgets a refresh or access token.
 *
 * Answers are Okta's: `token_type: Bearer`, `expires_in: 3600`, `scope` (space-separated, what was
 * granted), errors as `{error, error_description}`. Scopes not granted to an app are left out of
 * the token (`ungrantedScopes: 'drop'`, default) or refused with invalid_scope (`'refuse'`).
 * `onToken(token, {scopes, principal})` tells the fake Okta Management API about each access token.
 */
import {
  createHash,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  verify,
  type JsonWebKey,
} from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OKTA_SCOPES, type OktaPrincipal } from '../../electron/core/okta/ports.js';

/** Every Okta API scope the wizard asks for. */
export const ALL_OKTA_SCOPES: readonly string[] = OKTA_SCOPES.map((s) => s.scope);

const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access', 'address', 'phone']);

export interface FakeOktaAdmin {
  id: string;
  login: string;
}

export interface FakeNativeApp {
  clientId: string;
  /** "Sign-in redirect URIs": matched exactly. */
  redirectUris: string[];
  /** Okta API scopes granted on the "Okta API Scopes" tab. */
  grantedScopes: string[];
  /** "Grant type": Authorization Code is needed; Refresh Token gives refresh tokens. */
  grantTypes: ('authorization_code' | 'refresh_token')[];
  /** Whether the admin is assigned to the app. */
  assigned: boolean;
}

export interface FakeServiceApp {
  clientId: string;
  /** The public keys added under "Public key / Private key" (JWKs with `kid`). */
  publicKeys: JsonWebKey[];
  grantedScopes: string[];
  /** "Require Demonstrating Proof of Possession (DPoP) header in token requests". */
  requireDpop: boolean;
}

export interface FakeLoginRequest {
  readonly method: string;
  readonly path: string;
  readonly grantType?: string;
}

export interface FakeOktaLoginIssued {
  readonly accessTokens: string[];
  readonly refreshTokens: string[];
  readonly idTokens: string[];
  readonly codes: string[];
  readonly codeVerifiers: string[];
  readonly assertions: string[];
}

/** The claims and header of each client assertion received, for tests to read. */
export interface ReceivedAssertion {
  readonly header: Record<string, unknown>;
  readonly claims: Record<string, unknown>;
}

export interface FakeOktaLoginOptions {
  admin?: Partial<FakeOktaAdmin>;
  nativeApps?: Partial<FakeNativeApp>[];
  serviceApps?: (Partial<FakeServiceApp> & { publicKeys: JsonWebKey[] })[];
  ungrantedScopes?: 'drop' | 'refuse';
  accessTokenLifetimeSeconds?: number;
  /** The fake's clock (default the real one). */
  now?: () => Date;
  onToken?: (token: string, info: { scopes: string[]; principal: OktaPrincipal }) => void;
}

export interface FakeOktaLoginState {
  admin: FakeOktaAdmin;
  nativeApps: FakeNativeApp[];
  serviceApps: FakeServiceApp[];
  /** The next authorize request comes back with this error (once). */
  authorizeError: { error: string; error_description: string } | undefined;
  /** The next token request answers this error (once). */
  tokenError: { status: number; error: string; error_description: string } | undefined;
  ungrantedScopes: 'drop' | 'refuse';
  accessTokenLifetimeSeconds: number;
  now: () => Date;
  onToken:
    ((token: string, info: { scopes: string[]; principal: OktaPrincipal }) => void) | undefined;
  readonly requests: FakeLoginRequest[];
  readonly authorizeRequests: Record<string, string>[];
  /** Grant types the token endpoint answered with tokens, in order. */
  readonly tokenGrants: string[];
  readonly assertionsReceived: ReceivedAssertion[];
  readonly issued: FakeOktaLoginIssued;
  /** Live access tokens → who and what (revocation removes them). */
  readonly accessTokens: Map<
    string,
    { scopes: string[]; principal: OktaPrincipal; expiresAt: number }
  >;
  readonly refreshTokens: Map<string, { clientId: string; scopes: string[] }>;
  readonly codes: Map<string, CodeGrant>;
  readonly usedJtis: Set<string>;
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  nonce: string | undefined;
  expiresAt: number;
}

export const FAKE_NATIVE_CLIENT_ID = '0oanative1234567890x7';
export const FAKE_SERVICE_CLIENT_ID = '0oaservice123456789x7';

export function createFakeOktaLoginState(options: FakeOktaLoginOptions = {}): FakeOktaLoginState {
  return {
    admin: {
      id: options.admin?.id ?? '00uadmin1234567890x7',
      login: options.admin?.login ?? 'ada.admin@acme.example',
    },
    nativeApps: (options.nativeApps ?? [{}]).map((a) => ({
      clientId: a.clientId ?? FAKE_NATIVE_CLIENT_ID,
      redirectUris: a.redirectUris ?? ['http://127.0.0.1:8839/okta/callback'],
      grantedScopes: a.grantedScopes ?? [...ALL_OKTA_SCOPES],
      grantTypes: a.grantTypes ?? ['authorization_code', 'refresh_token'],
      assigned: a.assigned ?? true,
    })),
    serviceApps: (options.serviceApps ?? []).map((a) => ({
      clientId: a.clientId ?? FAKE_SERVICE_CLIENT_ID,
      publicKeys: a.publicKeys,
      grantedScopes: a.grantedScopes ?? [...ALL_OKTA_SCOPES],
      requireDpop: a.requireDpop ?? false,
    })),
    authorizeError: undefined,
    tokenError: undefined,
    ungrantedScopes: options.ungrantedScopes ?? 'drop',
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    now: options.now ?? (() => new Date()),
    onToken: options.onToken,
    requests: [],
    authorizeRequests: [],
    tokenGrants: [],
    assertionsReceived: [],
    issued: {
      accessTokens: [],
      refreshTokens: [],
      idTokens: [],
      codes: [],
      codeVerifiers: [],
      assertions: [],
    },
    accessTokens: new Map(),
    refreshTokens: new Map(),
    codes: new Map(),
    usedJtis: new Set(),
  };
}

// ---------------------------------------------------------------------------------------------
// Keys for service apps (tests)

export interface ServiceKeyPair {
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  readonly privatePkcs8: string;
  /** PKCS#1 PEM for RSA (`-----BEGIN RSA PRIVATE KEY-----`), SEC1 for EC. */
  readonly privateTraditional: string;
  readonly privateJwk: JsonWebKey & { kid: string };
  /** What the admin adds to the service app. */
  readonly publicJwk: JsonWebKey & { kid: string };
  readonly publicPem: string;
}

export function makeServiceKeyPair(type: 'rsa' | 'ec', kid: string, bits = 2048): ServiceKeyPair {
  const { privateKey, publicKey } =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: bits })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    privatePkcs8: privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    privateTraditional: privateKey.export({
      format: 'pem',
      type: type === 'rsa' ? 'pkcs1' : 'sec1',
    }) as string,
    privateJwk: { ...privateKey.export({ format: 'jwk' }), kid },
    publicJwk: { ...publicKey.export({ format: 'jwk' }), kid },
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }) as string,
  };
}

// ---------------------------------------------------------------------------------------------
// The handler

function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function decodeJson(part: string | undefined): Record<string, unknown> | undefined {
  if (!part) {
    return undefined;
  }
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const ASSERTION_ALGS: Readonly<Record<string, { hash: string; kty: string; crv?: string }>> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  ES256: { hash: 'sha256', kty: 'EC', crv: 'P-256' },
  ES384: { hash: 'sha384', kty: 'EC', crv: 'P-384' },
  ES512: { hash: 'sha512', kty: 'EC', crv: 'P-521' },
};

export type OktaLoginHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  rawBody?: string | Buffer,
) => Promise<boolean>;

/** Handles the authorization server's paths; answers false (untouched) for any other path. */
export function createOktaLoginHandler(state: FakeOktaLoginState): OktaLoginHandler {
  const nowSeconds = (): number => Math.floor(state.now().getTime() / 1000);

  const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, {
      'content-type': 'application/json;charset=UTF-8',
      'cache-control': 'no-cache, no-store',
    });
    res.end(JSON.stringify(body));
  };
  const oauthError = (
    res: ServerResponse,
    status: number,
    error: string,
    description: string,
  ): void => {
    sendJson(res, status, { error, error_description: description });
  };
  const errorPage = (res: ServerResponse, text: string): void => {
    res.writeHead(400, { 'content-type': 'text/html;charset=UTF-8' });
    res.end(
      `<!doctype html><html><head><title>Error</title></head><body><h1>400 Bad Request</h1><p>${escapeHtml(text)}</p></body></html>`,
    );
  };
  const redirect = (res: ServerResponse, to: string, params: Record<string, string>): void => {
    const url = new URL(to);
    for (const [k, v] of Object.entries(params)) {
      url.searchParams.set(k, v);
    }
    res.writeHead(302, { location: url.href, 'cache-control': 'no-store' });
    res.end();
  };

  const issue = (
    res: ServerResponse,
    origin: string,
    grant: {
      grantType: string;
      clientId: string;
      scopes: string[];
      principal: OktaPrincipal;
      refresh: boolean;
      nonce?: string | undefined;
    },
  ): void => {
    const iat = nowSeconds();
    const exp = iat + state.accessTokenLifetimeSeconds;
    const apiScopes = grant.scopes.filter((s) => !OIDC_SCOPES.has(s));
    const accessToken = [
      b64url({ kid: 'fake-key', alg: 'RS256' }),
      b64url({
        ver: 1,
        jti: `AT.${randomToken(16)}`,
        iss: origin,
        aud: origin,
        iat,
        exp,
        cid: grant.clientId,
        ...(grant.principal.kind === 'user'
          ? { uid: grant.principal.id, sub: grant.principal.login }
          : { sub: grant.clientId }),
        scp: apiScopes,
      }),
      randomToken(64),
    ].join('.');
    state.issued.accessTokens.push(accessToken);
    state.accessTokens.set(accessToken, {
      scopes: apiScopes,
      principal: grant.principal,
      expiresAt: exp * 1000,
    });
    state.tokenGrants.push(grant.grantType);
    state.onToken?.(accessToken, { scopes: apiScopes, principal: grant.principal });
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      expires_in: state.accessTokenLifetimeSeconds,
      access_token: accessToken,
      scope: grant.scopes.join(' '),
    };
    if (grant.refresh) {
      const refreshToken = randomToken(32);
      state.issued.refreshTokens.push(refreshToken);
      state.refreshTokens.set(refreshToken, { clientId: grant.clientId, scopes: grant.scopes });
      body.refresh_token = refreshToken;
    }
    if (grant.scopes.includes('openid') && grant.principal.kind === 'user') {
      const idToken = [
        b64url({ kid: 'fake-key', alg: 'RS256' }),
        b64url({
          sub: grant.principal.id,
          ver: 1,
          iss: origin,
          aud: grant.clientId,
          iat,
          exp,
          preferred_username: grant.principal.login,
          ...(grant.nonce ? { nonce: grant.nonce } : {}),
        }),
        randomToken(64),
      ].join('.');
      state.issued.idTokens.push(idToken);
      body.id_token = idToken;
    }
    sendJson(res, 200, body);
  };

  /** The scopes an app may have from `requested`, or the ones it may not (when refusing). */
  const grantable = (
    requested: string[],
    granted: readonly string[],
  ): { scopes: string[]; refused: string[] } => {
    const ok = new Set(granted);
    const refused = requested.filter((s) => !OIDC_SCOPES.has(s) && !ok.has(s));
    return { scopes: requested.filter((s) => OIDC_SCOPES.has(s) || ok.has(s)), refused };
  };

  const unknownScopes = (requested: string[]): string[] =>
    requested.filter((s) => !OIDC_SCOPES.has(s) && !/^okta\.[A-Za-z]+\.[A-Za-z.]+$/.test(s));

  const handleAuthorize = (res: ServerResponse, q: URLSearchParams): void => {
    state.authorizeRequests.push(Object.fromEntries(q.entries()));
    const clientId = q.get('client_id') ?? '';
    const app = state.nativeApps.find((a) => a.clientId === clientId);
    if (!app) {
      errorPage(res, 'The client_id is invalid or the app is not an OIDC Native app.');
      return;
    }
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!app.redirectUris.includes(redirectUri)) {
      errorPage(
        res,
        `The 'redirect_uri' parameter must be a Login redirect URI in the client app settings: /admin/app/oidc_client/instance/${clientId}#tab-general`,
      );
      return;
    }
    const st = q.get('state') ?? '';
    const back = (error: string, description: string): void => {
      redirect(res, redirectUri, { state: st, error, error_description: description });
    };
    if (q.get('response_type') !== 'code') {
      back(
        'unsupported_response_type',
        'The response type is not supported by the authorization server. Configured response types: [code].',
      );
      return;
    }
    if (!app.grantTypes.includes('authorization_code')) {
      back(
        'unauthorized_client',
        'The client is not authorized to use the provided grant type. Configured grant types: [refresh_token].',
      );
      return;
    }
    const challenge = q.get('code_challenge') ?? '';
    if (!challenge || q.get('code_challenge_method') !== 'S256') {
      back(
        'invalid_request',
        "PKCE code challenge is required when the token endpoint authentication method is 'NONE'; code_challenge_method must be S256.",
      );
      return;
    }
    const requested = (q.get('scope') ?? '').split(' ').filter(Boolean);
    if (requested.length === 0 || unknownScopes(requested).length > 0) {
      back(
        'invalid_scope',
        'One or more scopes are not configured for the authorization server resource.',
      );
      return;
    }
    if (state.authorizeError) {
      const e = state.authorizeError;
      state.authorizeError = undefined;
      back(e.error, e.error_description);
      return;
    }
    if (!app.assigned) {
      back('access_denied', 'User is not assigned to the client application.');
      return;
    }
    const allowed = grantable(requested, app.grantedScopes);
    if (allowed.refused.length > 0 && state.ungrantedScopes === 'refuse') {
      back('invalid_scope', `The following scopes are not allowed: ${allowed.refused.join(' ')}`);
      return;
    }
    const scopes = app.grantTypes.includes('refresh_token')
      ? allowed.scopes
      : allowed.scopes.filter((s) => s !== 'offline_access');
    const code = randomToken(24);
    state.issued.codes.push(code);
    state.codes.set(code, {
      clientId,
      redirectUri,
      codeChallenge: challenge,
      scopes,
      nonce: q.get('nonce') ?? undefined,
      expiresAt: state.now().getTime() + 5 * 60_000,
    });
    redirect(res, redirectUri, { code, state: st });
  };

  const handleClientCredentials = (
    res: ServerResponse,
    origin: string,
    form: URLSearchParams,
    dpop: boolean,
  ): void => {
    if (
      form.get('client_assertion_type') !== 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'
    ) {
      oauthError(
        res,
        401,
        'invalid_client',
        'Client authentication failed. Either the client or the client credentials are invalid.',
      );
      return;
    }
    const assertion = form.get('client_assertion') ?? '';
    state.issued.assertions.push(assertion);
    const [h, c, s] = assertion.split('.');
    const header = decodeJson(h);
    const claims = decodeJson(c);
    if (!header || !claims || !s) {
      oauthError(res, 401, 'invalid_client', 'The client_assertion is not a valid JWT.');
      return;
    }
    state.assertionsReceived.push({ header, claims });
    const clientId = typeof claims.iss === 'string' ? claims.iss : '';
    const app = state.serviceApps.find((a) => a.clientId === clientId);
    if (!app) {
      oauthError(
        res,
        401,
        'invalid_client',
        'Client authentication failed. Either the client or the client credentials are invalid.',
      );
      return;
    }
    if (form.has('client_id') && form.get('client_id') !== clientId) {
      oauthError(
        res,
        400,
        'invalid_request',
        'The client_id does not match the client_assertion issuer.',
      );
      return;
    }
    if (app.requireDpop && !dpop) {
      oauthError(res, 400, 'invalid_dpop_proof', 'The DPoP proof JWT header is missing.');
      return;
    }
    const alg = typeof header.alg === 'string' ? ASSERTION_ALGS[header.alg] : undefined;
    if (!alg) {
      oauthError(
        res,
        401,
        'invalid_client',
        `The client_assertion signature algorithm is not supported: ${String(header.alg)}.`,
      );
      return;
    }
    const kid = typeof header.kid === 'string' ? header.kid : undefined;
    const candidates = app.publicKeys.filter(
      (k) =>
        (kid === undefined || k.kid === kid) &&
        k.kty === alg.kty &&
        (!alg.crv || k.crv === alg.crv),
    );
    const signingInput = Buffer.from(`${h}.${c}`);
    const signature = Buffer.from(s, 'base64url');
    const valid = candidates.some((jwk) => {
      const key = createPublicKey({ key: jwk, format: 'jwk' });
      return alg.kty === 'EC'
        ? verify(alg.hash, signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature)
        : verify(alg.hash, signingInput, key, signature);
    });
    if (!valid) {
      oauthError(
        res,
        401,
        'invalid_client',
        kid !== undefined && candidates.length === 0
          ? `The client_assertion kid ${kid} does not match a key of the client.`
          : 'The client_assertion signature is invalid.',
      );
      return;
    }
    const now = nowSeconds();
    const exp = typeof claims.exp === 'number' ? claims.exp : 0;
    if (claims.sub !== clientId) {
      oauthError(
        res,
        401,
        'invalid_client',
        "The client_assertion 'sub' claim must equal its 'iss' claim (the client id).",
      );
      return;
    }
    if (claims.aud !== `${origin}/oauth2/v1/token`) {
      oauthError(
        res,
        401,
        'invalid_client',
        'The audience claim for client_assertion must be the endpoint invoked for the request.',
      );
      return;
    }
    if (exp <= now) {
      oauthError(res, 401, 'invalid_client', 'The client_assertion token is expired.');
      return;
    }
    if (exp > now + 3600) {
      oauthError(
        res,
        401,
        'invalid_client',
        'The client_assertion token has an expiration too far into the future.',
      );
      return;
    }
    const jti = typeof claims.jti === 'string' ? claims.jti : '';
    if (!jti || state.usedJtis.has(jti)) {
      oauthError(
        res,
        401,
        'invalid_client',
        'The client_assertion token has already been used (jti).',
      );
      return;
    }
    state.usedJtis.add(jti);
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (requested.length === 0) {
      oauthError(
        res,
        400,
        'invalid_scope',
        "The authorization server resource does not have any configured default scopes, 'scope' must be provided.",
      );
      return;
    }
    if (requested.some((s) => OIDC_SCOPES.has(s)) || unknownScopes(requested).length > 0) {
      oauthError(
        res,
        400,
        'invalid_scope',
        'One or more scopes are not configured for the authorization server resource.',
      );
      return;
    }
    const { scopes, refused } = grantable(requested, app.grantedScopes);
    if (refused.length > 0 && state.ungrantedScopes === 'refuse') {
      oauthError(
        res,
        400,
        'invalid_scope',
        `The following scopes are not allowed: ${refused.join(' ')}`,
      );
      return;
    }
    if (scopes.length === 0) {
      oauthError(
        res,
        400,
        'invalid_scope',
        'None of the requested scopes are granted to the client.',
      );
      return;
    }
    issue(res, origin, {
      grantType: 'client_credentials',
      clientId,
      scopes,
      principal: { kind: 'client', clientId },
      refresh: false,
    });
  };

  const handleToken = (
    res: ServerResponse,
    origin: string,
    form: URLSearchParams,
    dpop: boolean,
  ): void => {
    if (state.tokenError) {
      const e = state.tokenError;
      state.tokenError = undefined;
      oauthError(res, e.status, e.error, e.error_description);
      return;
    }
    const grantType = form.get('grant_type') ?? '';
    if (grantType === 'client_credentials') {
      handleClientCredentials(res, origin, form, dpop);
      return;
    }
    const clientId = form.get('client_id') ?? '';
    const app = state.nativeApps.find((a) => a.clientId === clientId);
    if (!app) {
      oauthError(
        res,
        401,
        'invalid_client',
        'Client authentication failed. Either the client or the client credentials are invalid.',
      );
      return;
    }
    const admin: OktaPrincipal = { kind: 'user', id: state.admin.id, login: state.admin.login };
    if (grantType === 'authorization_code') {
      const code = form.get('code') ?? '';
      const grant = state.codes.get(code);
      state.codes.delete(code);
      const verifier = form.get('code_verifier') ?? '';
      state.issued.codeVerifiers.push(verifier);
      if (grant?.clientId !== clientId || grant.expiresAt < state.now().getTime()) {
        oauthError(res, 400, 'invalid_grant', 'The authorization code is invalid or has expired.');
        return;
      }
      if (form.get('redirect_uri') !== grant.redirectUri) {
        oauthError(
          res,
          400,
          'invalid_grant',
          "The 'redirect_uri' does not match the redirection URI used in the authorization request.",
        );
        return;
      }
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!verifier || challenge !== grant.codeChallenge) {
        oauthError(res, 400, 'invalid_grant', 'PKCE verification failed.');
        return;
      }
      issue(res, origin, {
        grantType,
        clientId,
        scopes: grant.scopes,
        principal: admin,
        refresh:
          grant.scopes.includes('offline_access') && app.grantTypes.includes('refresh_token'),
        nonce: grant.nonce,
      });
      return;
    }
    if (grantType === 'refresh_token') {
      if (!app.grantTypes.includes('refresh_token')) {
        oauthError(
          res,
          400,
          'unauthorized_client',
          'The client is not authorized to use the provided grant type. Configured grant types: [authorization_code].',
        );
        return;
      }
      const rt = form.get('refresh_token') ?? '';
      const known = state.refreshTokens.get(rt);
      if (known?.clientId !== clientId) {
        oauthError(res, 400, 'invalid_grant', 'The refresh token is invalid or expired.');
        return;
      }
      // Rotation: the used refresh token is gone.
      state.refreshTokens.delete(rt);
      const asked = (form.get('scope') ?? '').split(' ').filter(Boolean);
      const scopes =
        asked.length > 0 ? asked.filter((s) => known.scopes.includes(s)) : known.scopes;
      issue(res, origin, {
        grantType,
        clientId,
        scopes: grantable(scopes, app.grantedScopes).scopes,
        principal: admin,
        refresh: true,
      });
      return;
    }
    oauthError(
      res,
      400,
      'unsupported_grant_type',
      `The authorization grant type is not supported by the authorization server. '${grantType}'`,
    );
  };

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  };

  return async (req, res, rawBody) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    // Only the authorization server's own paths: `/oauth2/v1/clients/…` is the Management API's.
    const ours =
      path === '/.well-known/openid-configuration' ||
      path === '/.well-known/oauth-authorization-server' ||
      path === '/oauth2/v1/authorize' ||
      path === '/oauth2/v1/token' ||
      path === '/oauth2/v1/revoke';
    if (!ours) {
      return false;
    }
    const method = req.method ?? 'GET';
    const body =
      method === 'POST'
        ? rawBody === undefined
          ? await readBody(req)
          : typeof rawBody === 'string'
            ? rawBody
            : rawBody.toString('utf8')
        : '';
    const form = new URLSearchParams(body);
    const grantType = form.get('grant_type') ?? undefined;
    state.requests.push({ method, path, ...(grantType ? { grantType } : {}) });
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`;

    if (path.startsWith('/.well-known/') && method === 'GET') {
      sendJson(res, 200, {
        issuer: origin,
        authorization_endpoint: `${origin}/oauth2/v1/authorize`,
        token_endpoint: `${origin}/oauth2/v1/token`,
        revocation_endpoint: `${origin}/oauth2/v1/revoke`,
        jwks_uri: `${origin}/oauth2/v1/keys`,
        response_types_supported: ['code'],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['none', 'private_key_jwt'],
        token_endpoint_auth_signing_alg_values_supported: Object.keys(ASSERTION_ALGS),
        scopes_supported: ['openid', 'offline_access', ...ALL_OKTA_SCOPES],
        dpop_signing_alg_values_supported: ['RS256', 'ES256'],
      });
      return true;
    }
    if (path === '/oauth2/v1/authorize' && method === 'GET') {
      handleAuthorize(res, url.searchParams);
      return true;
    }
    if (path === '/oauth2/v1/token' && method === 'POST') {
      handleToken(res, origin, form, req.headers.dpop !== undefined);
      return true;
    }
    if (path === '/oauth2/v1/revoke' && method === 'POST') {
      const token = form.get('token') ?? '';
      state.refreshTokens.delete(token);
      state.accessTokens.delete(token);
      res.writeHead(200);
      res.end();
      return true;
    }
    oauthError(res, 405, 'invalid_request', 'Method not allowed.');
    return true;
  };
}

// ---------------------------------------------------------------------------------------------
// Standalone

export interface FakeOktaLogin {
  /** http://127.0.0.1:PORT: the org URL. */
  readonly url: string;
  readonly state: FakeOktaLoginState;
  /** Who a live access token belongs to (undefined when unknown, expired or revoked). */
  lookup(token: string): { scopes: string[]; principal: OktaPrincipal } | undefined;
  close(): Promise<void>;
}

export async function startFakeOktaLogin(
  options: FakeOktaLoginOptions = {},
): Promise<FakeOktaLogin> {
  const state = createFakeOktaLoginState(options);
  const handle = createOktaLoginHandler(state);
  const server: Server = createServer((req, res) => {
    handle(req, res).then(
      (handled) => {
        if (!handled) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({
              errorCode: 'E0000022',
              errorSummary: 'The endpoint does not support the provided HTTP method',
            }),
          );
        }
      },
      (e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: 'server_error', error_description: String(e) }));
        } else {
          res.end();
        }
      },
    );
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    lookup: (token) => {
      const t = state.accessTokens.get(token);
      return t && t.expiresAt > state.now().getTime()
        ? { scopes: t.scopes, principal: t.principal }
        : undefined;
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The person's browser

export interface FakeBrowserVisit {
  readonly url: string;
  /** Status and body of what the browser ended on (the loopback page, or Okta's error page). */
  readonly finalStatus: number;
  readonly finalBody: string;
  /** The redirect URI the answer was delivered to, when it was. */
  readonly deliveredTo?: string;
}

export interface FakeOktaBrowser {
  open(url: string): Promise<void>;
  readonly visits: FakeBrowserVisit[];
  nextVisit(): Promise<FakeBrowserVisit>;
}

/**
 * Plays the system browser: loads the authorize URL (`redirect: 'manual'`) and, on a 302, loads its
 * Location (the loopback listener). `rewrite` lets a test tamper with the answer before delivery.
 */
export function fakeOktaBrowser(
  options: { rewrite?: (location: URL) => URL; beforeLoad?: (url: URL) => void } = {},
): FakeOktaBrowser {
  const visits: FakeBrowserVisit[] = [];
  const waiters: ((v: FakeBrowserVisit) => void)[] = [];
  let handedOut = 0;
  const done = (v: FakeBrowserVisit): void => {
    visits.push(v);
    const waiter = waiters.shift();
    if (waiter) {
      handedOut++;
      waiter(v);
    }
  };
  const visit = async (url: string): Promise<void> => {
    const target = new URL(url);
    if (target.hostname !== '127.0.0.1') {
      throw new Error(`The fake browser only opens 127.0.0.1, not ${target.host}`);
    }
    options.beforeLoad?.(target);
    const page = await fetch(target, { redirect: 'manual' });
    const html = await page.text();
    if (page.status !== 302) {
      done({ url, finalStatus: page.status, finalBody: html });
      return;
    }
    let location = new URL(page.headers.get('location') ?? '');
    if (location.hostname !== '127.0.0.1') {
      throw new Error(`The fake browser only delivers to 127.0.0.1, not ${location.host}`);
    }
    if (options.rewrite) {
      location = options.rewrite(location);
    }
    const answer = await fetch(location, { redirect: 'manual' });
    done({
      url,
      finalStatus: answer.status,
      finalBody: await answer.text(),
      deliveredTo: `${location.origin}${location.pathname}`,
    });
  };
  return {
    visits,
    open: (url) => {
      // A browser opens and returns at once; the page loads on its own.
      visit(url).catch((e: unknown) => {
        done({ url, finalStatus: 0, finalBody: e instanceof Error ? e.message : String(e) });
      });
      return Promise.resolve();
    },
    nextVisit: () => {
      const ready = visits[handedOut];
      if (ready) {
        handedOut++;
        return Promise.resolve(ready);
      }
      return new Promise<FakeBrowserVisit>((resolve) => {
        waiters.push(resolve);
      });
    },
  };
}
