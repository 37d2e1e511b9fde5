/**
 * A fake Microsoft identity platform (v2.0 endpoints) on 127.0.0.1, serving what MSAL Node calls for a
 * public client. MSAL refuses an http authority, so the app is configured with the https authority
 * `https://login.test/<tenant>` (`knownAuthorities: ['login.test']`) and `networkClientFor(fake)`,
 * which rewrites `https://login.test` to this server and records every URL MSAL asked for.
 *
 *   GET  /{tenant}/v2.0/.well-known/openid-configuration   endpoints on https://login.test (the authority's origin)
 *   GET  /{tenant}/oauth2/v2.0/authorize    records the request; answers the code (or an error) to
 *        redirect_uri: response_mode=form_post (what MSAL 7 asks for) → an auto-submitting HTML form, as
 *        Entra does; response_mode=query → 302 to `redirect_uri?code=…&state=…`. An unknown client id
 *        (AADSTS700016) or an unregistered redirect URI (AADSTS50011) gets an HTML error page and no
 *        redirect, as Entra does: the person sees it in the browser and the app never hears of it.
 *   POST /{tenant}/oauth2/v2.0/devicecode   user_code, device_code, verification_uri, interval, message
 *   POST /{tenant}/oauth2/v2.0/token        grant_type authorization_code (PKCE S256 checked against the
 *        recorded code_challenge; redirect_uri must equal the authorize one; codes are single-use),
 *        device_code (`authorization_pending` until `approveDeviceCode()`), refresh_token (rotates the RT).
 *
 * Token answers carry access_token, refresh_token, expires_in, ext_expires_in, scope, token_type,
 * client_info (base64url of {uid, utid}) and an unsigned id_token (aud = client id, iss, tid, oid, sub,
 * preferred_username, name, and the authorize request's nonce when it sent one: MSAL rejects an
 * id_token nonce it did not ask for). Scopes: the answer lists the requested resource scopes in the
 * form requested; any requested resource scope not in `consentedScopes` answers invalid_grant
 * AADSTS65001 (Entra would show "Need admin approval" on the authorize page for an interactive
 * sign-in; here the refusal comes at the token endpoint, where MSAL can see it).
 *
 * Switchable errors: `failNextToken`, `failNextAuthorize`, `failNextDeviceCode`; settings at run time
 * with `set(...)`. Inspection: `requests` (method, path, grant type: never a token or a code),
 * `authorizeRequests` (the query of each authorize request), `issued` (every secret handed out, so a
 * test can assert none of them leaked into a log or a message).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';

export const FAKE_AUTHORITY_ORIGIN = 'https://login.test';
export const FAKE_AUTHORITY_HOST = 'login.test';
export const FAKE_GRAPH_RESOURCE = 'https://graph.microsoft.com';

const DEFAULT_SCOPES = [
  'Application.ReadWrite.All',
  'Synchronization.ReadWrite.All',
  'AppRoleAssignment.ReadWrite.All',
  'User.ReadBasic.All',
];

/** Scopes every token request may carry that are not a resource's. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

export interface FakeEntraUser {
  oid: string;
  username: string;
  name: string;
}

export interface FakeEntraLoginOptions {
  /** The registered public client's id. */
  clientId?: string;
  /** The directory (tenant) id the user belongs to. */
  tenantId?: string;
  user?: Partial<FakeEntraUser>;
  /** The resource whose scopes are handed out (default https://graph.microsoft.com). */
  resource?: string;
  /** Delegated scopes an administrator consented to (short names), default all four the wizard asks for. */
  consentedScopes?: string[];
  /** Registered redirect URIs; for `http://localhost` any port matches (RFC 8252 §7.3). */
  redirectUris?: string[];
  /** "Allow public client flows"; off → device code polling answers AADSTS7000218. Default on. */
  publicClientFlows?: boolean;
  accessTokenLifetimeSeconds?: number;
  /** The device code `interval`; MSAL waits this long between polls (fractions allowed). */
  deviceCodeIntervalSeconds?: number;
  deviceCodeLifetimeSeconds?: number;
}

interface Settings {
  clientId: string;
  tenantId: string;
  user: FakeEntraUser;
  resource: string;
  consentedScopes: string[];
  redirectUris: string[];
  publicClientFlows: boolean;
  accessTokenLifetimeSeconds: number;
  deviceCodeIntervalSeconds: number;
  deviceCodeLifetimeSeconds: number;
}

export interface FakeLoginRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly grantType?: string;
  /** Header names (lower case), never their values. */
  readonly headerNames: readonly string[];
}

/** An error answer of the identity platform. */
export interface FakeAadError {
  error: string;
  error_description: string;
  /** Defaults to the number after AADSTS in the description, when there is one. */
  error_codes?: number[];
  suberror?: string;
  /** HTTP status of a token/devicecode answer; default 400. */
  status?: number;
}

export interface FakeIssued {
  readonly accessTokens: string[];
  readonly refreshTokens: string[];
  readonly idTokens: string[];
  readonly codes: string[];
  readonly deviceCodes: string[];
  /** PKCE verifiers the token endpoint received. */
  readonly codeVerifiers: string[];
}

export interface FakeEntraLogin {
  /** http://127.0.0.1:PORT */
  readonly origin: string;
  /** https://login.test: what MSAL is configured with. */
  readonly authorityOrigin: string;
  readonly authorityHost: string;
  readonly clientId: string;
  readonly tenantId: string;
  readonly user: FakeEntraUser;
  readonly resource: string;
  /** `https://login.test/<tenant>` (default `organizations`). */
  authority(tenant?: string): string;
  readonly requests: FakeLoginRequest[];
  readonly authorizeRequests: Record<string, string>[];
  /** Grant types the token endpoint answered, in order (pending polls included). */
  readonly tokenGrants: string[];
  readonly issued: FakeIssued;
  /** The next token request (any grant) answers this error. */
  failNextToken(error: FakeAadError): void;
  /** The next authorize request redirects this error to the redirect URI (with the state). */
  failNextAuthorize(error: Omit<FakeAadError, 'status'>): void;
  /** The next devicecode request answers this error. */
  failNextDeviceCode(error: FakeAadError): void;
  /** The person entered the user code and signed in: the next poll gets tokens. */
  approveDeviceCode(): void;
  /** The person declined: the next poll gets `authorization_declined`. */
  declineDeviceCode(): void;
  /** How many device codes are waiting (for tests that wait for the poll to start). */
  pendingDeviceCodes(): number;
  set(changes: Partial<Omit<Settings, 'user'>>): void;
  /** Forgets every refresh token (as a revocation or an expiry would). */
  revokeRefreshTokens(): void;
  close(): Promise<void>;
}

interface CodeGrant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  codeChallengeMethod: string;
  nonce: string | undefined;
  scopes: string[];
}

interface DeviceGrant {
  clientId: string;
  scopes: string[];
  state: 'pending' | 'approved' | 'declined';
  expiresAt: number;
}

function randomToken(prefix: string, bytes = 32): string {
  return `${prefix}${randomBytes(bytes).toString('base64url')}`;
}

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function codesOf(error: FakeAadError | Omit<FakeAadError, 'status'>): number[] {
  if (error.error_codes) {
    return error.error_codes;
  }
  const m = /AADSTS(\d+)/.exec(error.error_description);
  return m ? [Number(m[1])] : [];
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Whether `uri` matches a registered redirect URI (for http://localhost, any port). */
function redirectRegistered(uri: string, registered: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return false;
  }
  return registered.some((r) => {
    const reg = new URL(r);
    if (
      reg.protocol === 'http:' &&
      (reg.hostname === 'localhost' || reg.hostname === '127.0.0.1')
    ) {
      return (
        u.protocol === 'http:' &&
        u.hostname === reg.hostname &&
        (u.pathname === reg.pathname || (reg.pathname === '/' && u.pathname === '/'))
      );
    }
    return u.href === reg.href;
  });
}

export async function startFakeEntraLogin(
  options: FakeEntraLoginOptions = {},
): Promise<FakeEntraLogin> {
  const settings: Settings = {
    clientId: options.clientId ?? '11111111-2222-4333-8444-555555555555',
    tenantId: options.tenantId ?? '99999999-8888-4777-8666-555555555555',
    user: {
      oid: options.user?.oid ?? '00000000-aaaa-4bbb-8ccc-dddddddddddd',
      username: options.user?.username ?? 'admin@contoso.example',
      name: options.user?.name ?? 'Ada Admin',
    },
    resource: options.resource ?? FAKE_GRAPH_RESOURCE,
    consentedScopes: options.consentedScopes ?? [...DEFAULT_SCOPES],
    redirectUris: options.redirectUris ?? ['http://localhost'],
    publicClientFlows: options.publicClientFlows ?? true,
    accessTokenLifetimeSeconds: options.accessTokenLifetimeSeconds ?? 3600,
    deviceCodeIntervalSeconds: options.deviceCodeIntervalSeconds ?? 1,
    deviceCodeLifetimeSeconds: options.deviceCodeLifetimeSeconds ?? 900,
  };
  const requests: FakeLoginRequest[] = [];
  const authorizeRequests: Record<string, string>[] = [];
  const tokenGrants: string[] = [];
  const issued = {
    accessTokens: [] as string[],
    refreshTokens: [] as string[],
    idTokens: [] as string[],
    codes: [] as string[],
    deviceCodes: [] as string[],
    codeVerifiers: [] as string[],
  };
  const codes = new Map<string, CodeGrant>();
  const devices = new Map<string, DeviceGrant>();
  const refreshTokens = new Map<string, { clientId: string; scopes: string[] }>();
  let nextTokenError: FakeAadError | undefined;
  let nextAuthorizeError: Omit<FakeAadError, 'status'> | undefined;
  let nextDeviceCodeError: FakeAadError | undefined;

  const issuerFor = (tenant: string): string => `${FAKE_AUTHORITY_ORIGIN}/${tenant}/v2.0`;

  /** Resource scopes in `requested`, as [form requested, short name]. */
  const resourceScopes = (requested: string[]): { asked: string; short: string }[] => {
    const prefix = `${settings.resource.toLowerCase()}/`;
    return requested
      .filter((s) => !OIDC_SCOPES.has(s.toLowerCase()))
      .map((s) => ({
        asked: s,
        short: s.toLowerCase().startsWith(prefix) ? s.slice(prefix.length) : s,
      }));
  };

  const unconsented = (requested: string[]): string[] => {
    const consented = new Set(settings.consentedScopes.map((s) => s.toLowerCase()));
    return resourceScopes(requested)
      .filter((s) => !consented.has(s.short.toLowerCase()))
      .map((s) => s.short);
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(JSON.stringify(body));
  };

  const aadError = (res: ServerResponse, e: FakeAadError): void => {
    sendJson(res, e.status ?? 400, {
      error: e.error,
      error_description: `${e.error_description}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${randomUUID()}\r\nTimestamp: ${new Date().toISOString()}`,
      error_codes: codesOf(e),
      timestamp: new Date().toISOString(),
      trace_id: randomUUID(),
      correlation_id: randomUUID(),
      ...(e.suberror ? { suberror: e.suberror } : {}),
    });
  };

  const errorPage = (res: ServerResponse, code: string, text: string): void => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html><body><h1>Sign in</h1><p>Sorry, but we’re having trouble signing you in.</p><p>${escapeHtml(`${code}: ${text}`)}</p></body></html>`,
    );
  };

  const tokens = (
    res: ServerResponse,
    grant: { clientId: string; scopes: string[]; nonce?: string | undefined },
  ): void => {
    const now = Math.floor(Date.now() / 1000);
    const accessToken = randomToken('fake-at.');
    const refreshToken = randomToken('fake-rt.');
    const idToken = [
      b64url({ typ: 'JWT', alg: 'none' }),
      b64url({
        aud: grant.clientId,
        iss: issuerFor(settings.tenantId),
        iat: now,
        nbf: now,
        exp: now + 3600,
        tid: settings.tenantId,
        oid: settings.user.oid,
        sub: `sub-${settings.user.oid}`,
        preferred_username: settings.user.username,
        name: settings.user.name,
        ver: '2.0',
        ...(grant.nonce ? { nonce: grant.nonce } : {}),
      }),
      'fake-signature',
    ].join('.');
    issued.accessTokens.push(accessToken);
    issued.refreshTokens.push(refreshToken);
    issued.idTokens.push(idToken);
    refreshTokens.set(refreshToken, { clientId: grant.clientId, scopes: grant.scopes });
    sendJson(res, 200, {
      token_type: 'Bearer',
      scope: resourceScopes(grant.scopes)
        .map((s) => s.asked)
        .join(' '),
      expires_in: settings.accessTokenLifetimeSeconds,
      ext_expires_in: settings.accessTokenLifetimeSeconds,
      access_token: accessToken,
      refresh_token: refreshToken,
      id_token: idToken,
      client_info: b64url({ uid: settings.user.oid, utid: settings.tenantId }),
    });
  };

  const unknownClient = (clientId: string): FakeAadError => ({
    error: 'unauthorized_client',
    error_description: `AADSTS700016: Application with identifier '${clientId}' was not found in the directory '${settings.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
  });

  const handleAuthorize = (res: ServerResponse, q: URLSearchParams): void => {
    const params = Object.fromEntries(q.entries());
    authorizeRequests.push(params);
    const clientId = q.get('client_id') ?? '';
    const redirectUri = q.get('redirect_uri') ?? '';
    if (clientId !== settings.clientId) {
      errorPage(res, 'AADSTS700016', unknownClient(clientId).error_description);
      return;
    }
    if (!redirectRegistered(redirectUri, settings.redirectUris)) {
      errorPage(
        res,
        'AADSTS50011',
        `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'.`,
      );
      return;
    }
    const state = q.get('state') ?? '';
    let answer: Record<string, string>;
    if (nextAuthorizeError) {
      const e = nextAuthorizeError;
      nextAuthorizeError = undefined;
      answer = {
        error: e.error,
        error_description: e.error_description,
        ...(e.suberror ? { error_subcode: e.suberror } : {}),
        state,
      };
    } else {
      const code = randomToken('fake-code.', 48);
      issued.codes.push(code);
      codes.set(code, {
        clientId,
        redirectUri,
        codeChallenge: q.get('code_challenge') ?? '',
        codeChallengeMethod: q.get('code_challenge_method') ?? '',
        nonce: q.get('nonce') ?? undefined,
        scopes: (q.get('scope') ?? '').split(' ').filter(Boolean),
      });
      answer = {
        code,
        state,
        ...(q.get('client_info') === '1'
          ? { client_info: b64url({ uid: settings.user.oid, utid: settings.tenantId }) }
          : {}),
        session_state: randomUUID(),
      };
    }
    if (q.get('response_mode') === 'form_post') {
      const inputs = Object.entries(answer)
        .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}" />`)
        .join('');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!doctype html><html><head><title>Working...</title></head><body><form method="POST" name="hiddenform" action="${escapeHtml(redirectUri)}">${inputs}<noscript><p>Script is disabled. Click Submit to continue.</p><input type="submit" value="Submit" /></noscript></form><script>document.forms[0].submit();</script></body></html>`,
      );
      return;
    }
    const location = new URL(redirectUri);
    for (const [k, v] of Object.entries(answer)) {
      location.searchParams.set(k, v);
    }
    res.writeHead(302, { location: location.href });
    res.end();
  };

  const handleDeviceCode = (res: ServerResponse, form: URLSearchParams): void => {
    if (nextDeviceCodeError) {
      const e = nextDeviceCodeError;
      nextDeviceCodeError = undefined;
      aadError(res, e);
      return;
    }
    const clientId = form.get('client_id') ?? '';
    if (clientId !== settings.clientId) {
      aadError(res, unknownClient(clientId));
      return;
    }
    const deviceCode = randomToken('fake-device-code.', 48);
    const userCode = randomBytes(6)
      .toString('base64')
      .replace(/[^A-Z]/gi, 'X')
      .toUpperCase()
      .slice(0, 8)
      .padEnd(9, 'Q');
    issued.deviceCodes.push(deviceCode);
    devices.set(deviceCode, {
      clientId,
      scopes: (form.get('scope') ?? '').split(' ').filter(Boolean),
      state: 'pending',
      expiresAt: Date.now() + settings.deviceCodeLifetimeSeconds * 1000,
    });
    const verificationUri = `${FAKE_AUTHORITY_ORIGIN}/devicelogin`;
    sendJson(res, 200, {
      user_code: userCode,
      device_code: deviceCode,
      verification_uri: verificationUri,
      expires_in: settings.deviceCodeLifetimeSeconds,
      interval: settings.deviceCodeIntervalSeconds,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    });
  };

  const handleToken = (res: ServerResponse, form: URLSearchParams): void => {
    const grantType = form.get('grant_type') ?? '';
    tokenGrants.push(grantType);
    const verifier = form.get('code_verifier');
    if (verifier) {
      issued.codeVerifiers.push(verifier);
    }
    if (nextTokenError) {
      const e = nextTokenError;
      nextTokenError = undefined;
      aadError(res, e);
      return;
    }
    const clientId = form.get('client_id') ?? '';
    if (clientId !== settings.clientId) {
      aadError(res, unknownClient(clientId));
      return;
    }
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const consentNeeded = (): boolean => {
      const missing = unconsented(scopes);
      if (missing.length === 0) {
        return false;
      }
      aadError(res, {
        error: 'invalid_grant',
        error_description: `AADSTS65001: The user or administrator has not consented to use the application with ID '${clientId}'. Send an interactive authorization request for this user and resource.`,
        suberror: 'consent_required',
      });
      return true;
    };

    switch (grantType) {
      case 'authorization_code': {
        const code = form.get('code') ?? '';
        const grant = codes.get(code);
        if (!grant) {
          aadError(res, {
            error: 'invalid_grant',
            error_description:
              'AADSTS54005: OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.',
          });
          return;
        }
        codes.delete(code);
        if (form.get('redirect_uri') !== grant.redirectUri) {
          aadError(res, {
            error: 'invalid_request',
            error_description: `AADSTS50011: The redirect URI '${form.get('redirect_uri') ?? ''}' specified in the request does not match the redirect URI of the authorization request.`,
          });
          return;
        }
        const challenge = createHash('sha256')
          .update(verifier ?? '')
          .digest('base64url');
        if (
          grant.codeChallengeMethod !== 'S256' ||
          !verifier ||
          challenge !== grant.codeChallenge
        ) {
          aadError(res, {
            error: 'invalid_grant',
            error_description:
              'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.',
          });
          return;
        }
        if (consentNeeded()) {
          return;
        }
        tokens(res, { clientId, scopes, nonce: grant.nonce });
        return;
      }
      case 'device_code':
      case 'urn:ietf:params:oauth:grant-type:device_code': {
        if (!settings.publicClientFlows) {
          aadError(res, {
            error: 'invalid_client',
            error_description:
              "AADSTS7000218: The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
            status: 401,
          });
          return;
        }
        const device = devices.get(form.get('device_code') ?? '');
        if (!device || device.expiresAt < Date.now()) {
          aadError(res, {
            error: 'expired_token',
            error_description:
              'AADSTS70020: The provided value for the input parameter device_code is not valid. This device code has expired.',
          });
          return;
        }
        if (device.state === 'pending') {
          aadError(res, {
            error: 'authorization_pending',
            error_description:
              'AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.',
          });
          return;
        }
        devices.delete(form.get('device_code') ?? '');
        if (device.state === 'declined') {
          aadError(res, {
            error: 'authorization_declined',
            error_description: 'AADSTS70000: The user declined the sign-in request.',
          });
          return;
        }
        if (consentNeeded()) {
          return;
        }
        tokens(res, { clientId, scopes });
        return;
      }
      case 'refresh_token': {
        const rt = form.get('refresh_token') ?? '';
        const known = refreshTokens.get(rt);
        if (!known) {
          aadError(res, {
            error: 'invalid_grant',
            error_description:
              'AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2020-01-01T00:00:00Z and was inactive for 90.00:00:00.',
          });
          return;
        }
        refreshTokens.delete(rt);
        if (consentNeeded()) {
          return;
        }
        tokens(res, { clientId, scopes });
        return;
      }
      default:
        aadError(res, {
          error: 'unsupported_grant_type',
          error_description: `AADSTS70003: The app requested an unsupported grant type '${grantType}'.`,
        });
    }
  };

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) {
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const body = method === 'POST' ? await readBody(req) : '';
    const form = new URLSearchParams(body);
    const grantType = form.get('grant_type') ?? undefined;
    requests.push({
      method,
      path: url.pathname,
      ...(grantType ? { grantType } : {}),
      headerNames: Object.keys(req.headers),
    });

    const m =
      /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/(authorize|token|devicecode))$/.exec(
        url.pathname,
      );
    if (!m) {
      sendJson(res, 404, { error: 'not_found', error_description: 'No such endpoint.' });
      return;
    }
    const tenant = decodeURIComponent(m[1]!);
    const what = m[3] ?? 'openid-configuration';
    if (what === 'openid-configuration' && method === 'GET') {
      const base = `${FAKE_AUTHORITY_ORIGIN}/${tenant}`;
      sendJson(res, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: issuerFor(
          tenant === 'organizations' || tenant === 'common' ? '{tenantid}' : tenant,
        ),
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${base}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: [
          'sub',
          'iss',
          'aud',
          'exp',
          'iat',
          'nonce',
          'preferred_username',
          'name',
          'tid',
          'ver',
          'oid',
        ],
        kerberos_endpoint: `${base}/kerberos`,
        tenant_region_scope: 'EU',
        cloud_instance_name: 'login.test',
        cloud_graph_host_name: 'graph.windows.net',
        msgraph_host: 'graph.microsoft.com',
        rbac_url: 'https://pas.windows.net',
      });
      return;
    }
    if (what === 'authorize' && method === 'GET') {
      handleAuthorize(res, url.searchParams);
      return;
    }
    if (what === 'devicecode' && method === 'POST') {
      handleDeviceCode(res, form);
      return;
    }
    if (what === 'token' && method === 'POST') {
      handleToken(res, form);
      return;
    }
    sendJson(res, 405, { error: 'invalid_request', error_description: 'Method not allowed.' });
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, { error: 'server_error', error_description: String(e) });
      } else {
        res.end();
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;

  return {
    origin,
    authorityOrigin: FAKE_AUTHORITY_ORIGIN,
    authorityHost: FAKE_AUTHORITY_HOST,
    get clientId() {
      return settings.clientId;
    },
    get tenantId() {
      return settings.tenantId;
    },
    get user() {
      return settings.user;
    },
    get resource() {
      return settings.resource;
    },
    authority: (tenant = 'organizations') => `${FAKE_AUTHORITY_ORIGIN}/${tenant}`,
    requests,
    authorizeRequests,
    tokenGrants,
    issued,
    failNextToken: (e) => {
      nextTokenError = e;
    },
    failNextAuthorize: (e) => {
      nextAuthorizeError = e;
    },
    failNextDeviceCode: (e) => {
      nextDeviceCodeError = e;
    },
    approveDeviceCode: () => {
      for (const d of devices.values()) {
        d.state = 'approved';
      }
    },
    declineDeviceCode: () => {
      for (const d of devices.values()) {
        d.state = 'declined';
      }
    },
    pendingDeviceCodes: () => [...devices.values()].filter((d) => d.state === 'pending').length,
    set: (changes) => {
      Object.assign(settings, changes);
    },
    revokeRefreshTokens: () => {
      refreshTokens.clear();
    },
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// MSAL's network module, rewritten to the fake

export interface RecordingNetworkModule extends INetworkModule {
  /** Every URL MSAL asked for, as MSAL wrote it (https://login.test/...), in order. */
  readonly urls: string[];
  readonly calls: { method: 'GET' | 'POST'; url: string }[];
}

/**
 * An INetworkModule that sends what MSAL asks for `https://login.test/...` to the fake (node's fetch)
 * and records every URL. Anything not on the fake authority's origin is refused, never sent.
 */
export function networkClientFor(
  fake: Pick<FakeEntraLogin, 'origin' | 'authorityOrigin'>,
): RecordingNetworkModule {
  const calls: { method: 'GET' | 'POST'; url: string }[] = [];
  const urls: string[] = [];
  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> => {
    calls.push({ method, url });
    urls.push(url);
    if (!url.startsWith(`${fake.authorityOrigin}/`)) {
      throw new Error(
        `The test network module refuses ${new URL(url).origin}: only ${fake.authorityOrigin} is faked.`,
      );
    }
    const target = `${fake.origin}${url.slice(fake.authorityOrigin.length)}`;
    const res = await fetch(target, {
      method,
      headers: options?.headers ?? {},
      ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
      redirect: 'manual',
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    return { status: res.status, headers, body: (await res.json()) as T };
  };
  return {
    calls,
    urls,
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) =>
      send<T>('GET', url, options),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) =>
      send<T>('POST', url, options),
  };
}

// ---------------------------------------------------------------------------------------------
// The person's browser

export interface FakeBrowserVisit {
  /** The authorize URL MSAL asked to open (as MSAL wrote it: https://login.test/...). */
  readonly url: string;
  /** What the browser ended up showing: the loopback page, or the identity platform's error page. */
  readonly finalStatus: number;
  readonly finalBody: string;
  /** Where the answer was delivered (the redirect URI), when it was. */
  readonly deliveredTo?: string;
}

export interface FakeBrowser {
  /** Pass as `openBrowser`. */
  open(url: string): Promise<void>;
  readonly visits: FakeBrowserVisit[];
  /** Resolves with the next visit once it is complete. */
  nextVisit(): Promise<FakeBrowserVisit>;
}

/**
 * Plays the system browser: loads the authorize URL from the fake and delivers the answer to the
 * redirect URI as a browser would (the auto-submitted form_post, or the 302's Location), which is
 * MSAL's loopback listener. `localhost` in the redirect URI is dialled as 127.0.0.1 (MSAL listens
 * there), so nothing resolves a name.
 */
export function fakeBrowser(
  fake: Pick<FakeEntraLogin, 'origin' | 'authorityOrigin'>,
  options: { deliver?: boolean } = {},
): FakeBrowser {
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
  const loopback = (uri: string): string => {
    const u = new URL(uri);
    if (u.hostname !== 'localhost' && u.hostname !== '127.0.0.1') {
      throw new Error(`The fake browser only delivers to the loopback, not ${u.host}.`);
    }
    u.hostname = '127.0.0.1';
    return u.href;
  };
  const visit = async (url: string): Promise<void> => {
    if (!url.startsWith(`${fake.authorityOrigin}/`)) {
      throw new Error(`The fake browser only opens ${fake.authorityOrigin}, not ${url}`);
    }
    const page = await fetch(`${fake.origin}${url.slice(fake.authorityOrigin.length)}`, {
      redirect: 'manual',
    });
    const html = await page.text();
    if (options.deliver === false) {
      done({ url, finalStatus: page.status, finalBody: html });
      return;
    }
    if (page.status === 302) {
      const location = page.headers.get('location') ?? '';
      const answer = await fetch(loopback(location), { redirect: 'manual' });
      done({
        url,
        finalStatus: answer.status,
        finalBody: await answer.text(),
        deliveredTo: location,
      });
      return;
    }
    const form = /<form method="POST" name="hiddenform" action="([^"]+)">([\s\S]*?)<\/form>/.exec(
      html,
    );
    if (!form) {
      // The identity platform's own error page: the person reads it; nothing reaches the app.
      done({ url, finalStatus: page.status, finalBody: html });
      return;
    }
    const unescape = (s: string): string =>
      s
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    const action = unescape(form[1]!);
    const fields = new URLSearchParams();
    for (const input of form[2]!.matchAll(
      /<input type="hidden" name="([^"]+)" value="([^"]*)" \/>/g,
    )) {
      fields.append(unescape(input[1]!), unescape(input[2]!));
    }
    const answer = await fetch(loopback(action), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
      redirect: 'manual',
    });
    done({ url, finalStatus: answer.status, finalBody: await answer.text(), deliveredTo: action });
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
