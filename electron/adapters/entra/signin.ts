/**
 * The Microsoft sign-in for Graph, with MSAL Node as a public client (RFC 8252):
 *  - the system browser with MSAL's own loopback listener and PKCE (`acquireTokenInteractive`);
 *  - the device code flow as the fallback (`acquireTokenByDeviceCode`);
 *  - silent renewal from MSAL's token cache (`acquireTokenSilent`, refresh token as needed).
 *
 * MSAL's token cache lives ONLY in `options.cache` (the encrypted secret store in the app), through an
 * ICachePlugin. Every request MSAL sends passes one guard (`guardNetwork`): it refuses any origin
 * but the authority's, drops MSAL's telemetry headers, registers every token, code, verifier and
 * refresh token it sees with the redaction sink, and remembers the last wire failure so that an
 * error can name its real cause (MSAL itself keeps only a generic `network_error`).
 *
 * Every failure becomes a typed WizardError that says what happened and what to do.
 */
import {
  AuthError,
  InteractionRequiredAuthError,
  LogLevel,
  PublicClientApplication,
  ServerError,
  type AccountInfo,
  type AuthenticationResult,
  type Configuration,
  type DeviceCodeRequest,
  type ICachePlugin,
  type INetworkModule,
  type NetworkRequestOptions,
  type NetworkResponse,
  type TokenCacheContext,
} from '@azure/msal-node';
import { WizardError, cancelled, isWizardError, toWizardError } from '../../core/errors.js';
import type { Logger } from '../../core/ports.js';
import { registerSecret } from '../../core/redact.js';
import {
  htmlResponseError,
  invalidResponseError,
  networkError,
  timeoutError,
  type RequestContext,
} from '../http/errors.js';

// ---------------------------------------------------------------------------------------------
// Scopes

export interface GraphScope {
  readonly scope: string;
  readonly why: string;
  readonly when: 'always' | 'test-user';
}

export const GRAPH_SCOPES: readonly GraphScope[] = [
  {
    scope: 'Application.ReadWrite.All',
    why: 'create the dbt enterprise app from the non-gallery template and read it back',
    when: 'always',
  },
  {
    scope: 'Synchronization.ReadWrite.All',
    why: 'create the provisioning job, test the connection, save the dbt URL and token, set the attribute mappings, start provisioning',
    when: 'always',
  },
  {
    scope: 'AppRoleAssignment.ReadWrite.All',
    why: 'assign the test user to the app before provisioning it on demand',
    when: 'test-user',
  },
  {
    scope: 'User.ReadBasic.All',
    why: 'find the test user by sign-in name',
    when: 'test-user',
  },
];

/** OpenID scopes MSAL adds to every request; not Graph permissions. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

/** The Graph scopes a sign-in asks for. */
export function requiredScopes(includeTestUserScopes: boolean): readonly GraphScope[] {
  return GRAPH_SCOPES.filter((s) => s.when === 'always' || includeTestUserScopes);
}

/** `https://graph.microsoft.com/User.ReadBasic.All` → `User.ReadBasic.All`. */
function shortScope(scope: string): string {
  const slash = scope.lastIndexOf('/');
  return slash >= 0 && /^[a-z][a-z0-9+.-]*:\/\//i.test(scope) ? scope.slice(slash + 1) : scope;
}

/**
 * The required scopes (short names, in GRAPH_SCOPES order) that `granted` lacks. `granted` may hold
 * short names or full URIs (`https://graph.microsoft.com/...`); case does not matter.
 */
export function missingScopes(
  granted: readonly string[],
  includeTestUserScopes: boolean,
): string[] {
  const have = new Set(granted.map((g) => shortScope(g.trim()).toLowerCase()));
  return requiredScopes(includeTestUserScopes)
    .filter((s) => !have.has(s.scope.toLowerCase()))
    .map((s) => s.scope);
}

/** "A (to do x); B (to do y)" for messages. */
export function describeScopes(scopes: readonly GraphScope[]): string {
  return scopes.map((s) => `${s.scope} (to ${s.why})`).join('; ');
}

// ---------------------------------------------------------------------------------------------
// The app registration the admin creates once

export interface RegistrationStep {
  readonly title: string;
  readonly detail: string;
}

export interface RegistrationGuide {
  readonly appName: string;
  readonly supportedAccountTypes: string;
  readonly platform: string;
  readonly redirectUri: string;
  readonly steps: readonly RegistrationStep[];
  /** Delegated Microsoft Graph permissions, with why the wizard needs each. */
  readonly permissions: readonly (GraphScope & {
    readonly api: 'Microsoft Graph';
    readonly type: 'Delegated';
  })[];
  /** Directory roles the person who signs in needs (any one). */
  readonly signInRoles: readonly string[];
  readonly signInRolesNote: string;
  /** Who can grant the admin consent. */
  readonly consentRoles: readonly string[];
  /** For tenants whose policy forbids users to register apps. */
  readonly restrictedTenantNote: string;
}

export const REGISTRATION_GUIDE: RegistrationGuide = {
  appName: 'dbt SCIM Wizard',
  supportedAccountTypes: 'Accounts in this organizational directory only (Single tenant)',
  platform: 'Mobile and desktop applications',
  redirectUri: 'http://localhost',
  steps: [
    {
      title: 'Start a new app registration',
      detail:
        'In the Microsoft Entra admin center, open Identity → Applications → App registrations and choose "New registration".',
    },
    {
      title: 'Name it "dbt SCIM Wizard"',
      detail: 'Any name works; this one tells other administrators what it is for.',
    },
    {
      title: 'Supported account types: this organizational directory only',
      detail: 'Choose "Accounts in this organizational directory only (Single tenant)".',
    },
    {
      title: 'Redirect URI: http://localhost for "Mobile and desktop applications"',
      detail:
        'Under Redirect URI pick "Public client/native (mobile & desktop)" and enter http://localhost (no port: the sign-in picks a free one). To add it later: Authentication → Add a platform → "Mobile and desktop applications".',
    },
    {
      title: 'Register, then copy two IDs into the wizard',
      detail:
        'From the Overview page copy the "Application (client) ID" (the client ID setting) and the "Directory (tenant) ID" (the tenant setting; a single-tenant app cannot sign in through "organizations").',
    },
    {
      title: 'Allow public client flows: Yes (only for device code sign-in)',
      detail:
        'Authentication → Advanced settings → "Allow public client flows" → Yes. Needed only if you sign in with a code on another device; the browser sign-in works without it.',
    },
    {
      title: 'Add the Microsoft Graph delegated permissions',
      detail:
        'API permissions → Add a permission → Microsoft Graph → Delegated permissions: Application.ReadWrite.All and Synchronization.ReadWrite.All; AppRoleAssignment.ReadWrite.All and User.ReadBasic.All too if you want to test with one user first.',
    },
    {
      title: 'Grant admin consent',
      detail:
        'API permissions → "Grant admin consent for <your organization>". This takes a Global Administrator or Privileged Role Administrator.',
    },
  ],
  permissions: GRAPH_SCOPES.map((s) => ({ ...s, api: 'Microsoft Graph', type: 'Delegated' })),
  signInRoles: [
    'Application Administrator',
    'Cloud Application Administrator',
    'Global Administrator',
  ],
  signInRolesNote:
    'The person who signs in in the wizard needs the Application Administrator or Cloud Application Administrator role (Global Administrator also works): delegated permissions never exceed what the signed-in person may do.',
  consentRoles: ['Global Administrator', 'Privileged Role Administrator'],
  restrictedTenantNote:
    'If your tenant does not let users register applications, ask an administrator to register it once with these steps; its Application (client) ID is then a setting everyone in your team enters.',
};

// ---------------------------------------------------------------------------------------------
// Options and results

/** What the app persists MSAL's token cache with (the encrypted secret store in the app). */
export interface EntraTokenCacheStore {
  load(): Promise<string | undefined>;
  save(serialized: string): Promise<void>;
  clear(): Promise<void>;
}

export interface EntraSignInOptions {
  /** The admin's own public client registration (a setting). */
  clientId: string;
  /** e.g. https://login.microsoftonline.com (ENTRA_CLOUDS in electron/core/entra/ports.ts). */
  loginHost: string;
  /** e.g. https://graph.microsoft.com: scopes are requested as `${graphResource}/${scope}`. */
  graphResource: string;
  /** Tenant id or domain; default 'organizations'. */
  tenant?: string;
  cache: EntraTokenCacheStore;
  /** Opens the system browser (RFC 8252). */
  openBrowser: (url: string) => Promise<void>;
  log: Logger;
  /** Tests: the network module MSAL uses (default: node's fetch, 30 s per request). */
  networkClient?: INetworkModule;
  /** Tests: hosts MSAL trusts without instance discovery (e.g. ['login.test']). */
  knownAuthorities?: string[];
}

export interface EntraAccount {
  username: string;
  name: string | null;
  tenantId: string;
  /** Graph scopes the last token carries (short names, e.g. `Application.ReadWrite.All`). */
  grantedScopes: string[];
}

export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  message: string;
  expiresInSeconds: number;
}

export interface EntraSignIn {
  signInInteractive(opts: {
    includeTestUserScopes: boolean;
    signal?: AbortSignal;
  }): Promise<EntraAccount>;
  signInWithDeviceCode(opts: {
    includeTestUserScopes: boolean;
    onCode: (c: DeviceCodePrompt) => void;
    signal?: AbortSignal;
  }): Promise<EntraAccount>;
  /** A Graph access token, silently (from the cache, refreshed as needed). */
  getToken(signal?: AbortSignal): Promise<string>;
  account(): Promise<EntraAccount | undefined>;
  /** Forgets the account and clears the persisted cache. */
  signOut(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Pages the browser shows after the redirect (no external resources)

const PAGE_STYLE =
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f7f7f8;color:#1f2328;display:flex;min-height:100vh;margin:0;align-items:center;justify-content:center}main{background:#fff;border:1px solid #e3e4e8;border-radius:12px;padding:32px 40px;max-width:460px}h1{font-size:20px;margin:0 0 12px}p{margin:0;line-height:1.5}';

function page(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><style>${PAGE_STYLE}</style></head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>`;
}

export const SUCCESS_PAGE = page(
  'You are signed in',
  'You are signed in. You can close this tab and return to dbt SCIM Wizard.',
);
export const ERROR_PAGE = page(
  'Sign-in did not finish',
  'The sign-in did not finish. You can close this tab; dbt SCIM Wizard says what happened and what to do next.',
);

// ---------------------------------------------------------------------------------------------
// The wire: one guard around whatever network module MSAL uses

interface ServerErrorFacts {
  readonly error: string;
  readonly codes: readonly number[];
  readonly suberror: string | undefined;
  readonly status: number;
}

/** What the guard saw last; reset at the start of each operation. */
interface WireState {
  lastServerError?: ServerErrorFacts;
  lastNetworkError?: WizardError;
}

/** Form fields and JSON members that carry a secret. */
const SECRET_FIELDS = [
  'code',
  'code_verifier',
  'refresh_token',
  'access_token',
  'id_token',
  'device_code',
  'client_secret',
  'client_assertion',
  'assertion',
  'password',
];

/** Request headers MSAL adds for Microsoft's telemetry: not sent. */
const TELEMETRY_HEADERS = new Set(['x-client-current-telemetry', 'x-client-last-telemetry']);

const WIRE_LABEL = 'Microsoft sign-in';

function registerSecretsOf(record: Record<string, unknown>): void {
  for (const field of SECRET_FIELDS) {
    const value = record[field];
    if (typeof value === 'string') {
      registerSecret(value);
    }
  }
}

/** MSAL's default-equivalent network module over node's fetch, with typed failures kept intact. */
export function fetchNetworkModule(timeoutMs = 30_000): INetworkModule {
  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    options?: NetworkRequestOptions,
  ): Promise<NetworkResponse<T>> => {
    const ctx: RequestContext = { method, url: new URL(url), label: WIRE_LABEL };
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: options?.headers ?? {},
        ...(method === 'POST' ? { body: options?.body ?? '' } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      if (e instanceof Error && e.name === 'TimeoutError') {
        throw timeoutError(ctx, timeoutMs, 1);
      }
      throw e;
    }
    const headers: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      headers[k] = v;
    });
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw /^\s*</.test(text)
        ? htmlResponseError(ctx, res.status)
        : invalidResponseError(ctx, res.status);
    }
    return { status: res.status, headers, body: body as T };
  };
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions) =>
      send<T>('GET', url, options),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) =>
      send<T>('POST', url, options),
  };
}

function guardNetwork(
  inner: INetworkModule,
  allowedOrigin: string,
  state: WireState,
  log: Logger,
): INetworkModule {
  const send = async <T>(
    method: 'GET' | 'POST',
    url: string,
    options: NetworkRequestOptions | undefined,
    timeout: number | undefined,
  ): Promise<NetworkResponse<T>> => {
    const target = new URL(url);
    if (target.origin !== allowedOrigin || target.protocol !== 'https:') {
      const refused = new WizardError(
        'internal',
        `The Microsoft sign-in tried to reach ${target.origin}, which is not the sign-in authority ${allowedOrigin}; the request was not sent.`,
        {
          remediation:
            'Check the cloud and tenant settings; if they are right, copy the redacted diagnostic and report it.',
        },
      );
      state.lastNetworkError = refused;
      throw refused;
    }
    if (options?.body) {
      registerSecretsOf(Object.fromEntries(new URLSearchParams(options.body)));
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(options?.headers ?? {})) {
      if (!TELEMETRY_HEADERS.has(k.toLowerCase())) {
        headers[k] = v;
      }
    }
    const sent: NetworkRequestOptions = { ...options, headers };
    log.debug(`${method} ${target.origin}${target.pathname}`);
    let response: NetworkResponse<T>;
    try {
      response =
        method === 'GET'
          ? await inner.sendGetRequestAsync<T>(url, sent, timeout)
          : await inner.sendPostRequestAsync<T>(url, sent);
    } catch (e) {
      if (isWizardError(e)) {
        state.lastNetworkError = e;
      } else if (!(e instanceof AuthError)) {
        state.lastNetworkError = networkError(e, {
          method,
          url: target,
          label: WIRE_LABEL,
        }).error;
      }
      throw e;
    }
    const body = response.body as unknown;
    if (body !== null && typeof body === 'object') {
      const record = body as Record<string, unknown>;
      registerSecretsOf(record);
      if (typeof record.error === 'string') {
        const codes = Array.isArray(record.error_codes)
          ? record.error_codes.filter((c): c is number => typeof c === 'number')
          : [];
        const description =
          typeof record.error_description === 'string' ? record.error_description : '';
        const fromText = /AADSTS(\d+)/.exec(description);
        state.lastServerError = {
          error: record.error,
          codes: codes.length > 0 ? codes : fromText ? [Number(fromText[1])] : [],
          suberror: typeof record.suberror === 'string' ? record.suberror : undefined,
          status: response.status,
        };
        if (record.error !== 'authorization_pending') {
          log.debug(`${WIRE_LABEL} answered ${record.error}`, {
            status: response.status,
            codes: state.lastServerError.codes,
          });
        }
      }
    }
    return response;
  };
  return {
    sendGetRequestAsync: <T>(url: string, options?: NetworkRequestOptions, timeout?: number) =>
      send<T>('GET', url, options, timeout),
    sendPostRequestAsync: <T>(url: string, options?: NetworkRequestOptions) =>
      send<T>('POST', url, options, undefined),
  };
}

// ---------------------------------------------------------------------------------------------
// The token cache, persisted only through options.cache

interface SerializedCache {
  AccessToken?: Record<string, { home_account_id?: string; target?: string; secret?: string }>;
  RefreshToken?: Record<string, { secret?: string }>;
  IdToken?: Record<string, { secret?: string }>;
}

function parseCache(serialized: string): SerializedCache | undefined {
  try {
    const parsed = JSON.parse(serialized) as unknown;
    return parsed !== null && typeof parsed === 'object' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Registers every credential in a serialized MSAL cache with the redaction sink. */
function registerCacheSecrets(cache: SerializedCache): void {
  for (const section of [cache.AccessToken, cache.RefreshToken, cache.IdToken]) {
    for (const entry of Object.values(section ?? {})) {
      registerSecret(entry.secret);
    }
  }
}

function cachePlugin(store: EntraTokenCacheStore, log: Logger): ICachePlugin {
  return {
    beforeCacheAccess: async (ctx: TokenCacheContext) => {
      const serialized = await store.load();
      if (serialized === undefined || serialized === '') {
        return;
      }
      const parsed = parseCache(serialized);
      if (!parsed) {
        log.warn(
          'The saved Microsoft sign-in could not be read; you will be asked to sign in again.',
        );
        return;
      }
      registerCacheSecrets(parsed);
      ctx.tokenCache.deserialize(serialized);
    },
    afterCacheAccess: async (ctx: TokenCacheContext) => {
      if (!ctx.cacheHasChanged) {
        return;
      }
      const serialized = ctx.tokenCache.serialize();
      const parsed = parseCache(serialized);
      if (parsed) {
        registerCacheSecrets(parsed);
      }
      await store.save(serialized);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Errors

type Flow = 'interactive' | 'device_code' | 'silent';

interface FailureContext {
  readonly flow: Flow;
  readonly scopes: readonly GraphScope[];
  readonly clientId: string;
  readonly wire: WireState;
}

interface AuthFacts {
  readonly errorCode: string;
  readonly subError: string;
  readonly aadsts: Set<number>;
  readonly status: number | undefined;
}

function factsOf(e: AuthError, wire: WireState): AuthFacts {
  const aadsts = new Set<number>();
  const texts = [e.errorMessage, e.message];
  if (e instanceof ServerError && e.errorNo) {
    aadsts.add(Number(e.errorNo));
  }
  for (const t of texts) {
    for (const m of t.matchAll(/AADSTS(\d+)/g)) {
      aadsts.add(Number(m[1]));
    }
  }
  const errorNo = (e as { errorNo?: unknown }).errorNo;
  if (typeof errorNo === 'string' && /^\d+$/.test(errorNo)) {
    aadsts.add(Number(errorNo));
  }
  // MSAL keeps only the error string of a failed device code poll: the wire kept the codes.
  const server = wire.lastServerError;
  const fromWire =
    server !== undefined &&
    (aadsts.size === 0 || e.errorCode === 'post_request_failed') &&
    (e.errorCode === server.error ||
      e.errorMessage.includes(server.error) ||
      e.errorCode === 'post_request_failed');
  if (fromWire) {
    for (const c of server.codes) {
      aadsts.add(c);
    }
  }
  const status = e instanceof ServerError ? e.status : fromWire ? server.status : undefined;
  return {
    errorCode: fromWire && e.errorCode === 'post_request_failed' ? server.error : e.errorCode,
    subError: e.subError || (fromWire ? (server.suberror ?? '') : ''),
    aadsts,
    status,
  };
}

function aadstsNote(facts: AuthFacts, code: number): string {
  return facts.aadsts.has(code) ? ` (AADSTS${code})` : '';
}

const SIGN_IN_AGAIN = 'Sign in to Microsoft again.';

function signInAgain(reason: string): WizardError {
  return new WizardError('auth_failed', `The Microsoft sign-in has ended: ${reason}.`, {
    remediation: `${SIGN_IN_AGAIN} Your settings are kept.`,
  });
}

function cancelledSignIn(): WizardError {
  return new WizardError('cancelled', 'The Microsoft sign-in was cancelled.', {
    remediation: 'Sign in again when you are ready.',
    retryable: true,
  });
}

const CANCEL_CODES = new Set([
  'access_denied',
  'user_cancelled',
  'authorization_declined',
  'device_code_polling_cancelled',
]);
const SIGN_IN_AGAIN_CODES = new Set([
  'interaction_required',
  'login_required',
  'consent_required',
  'bad_token',
  'invalid_grant',
  'no_tokens_found',
  'no_account_in_silent_request',
  'no_account_found',
  'refresh_token_expired',
  'token_refresh_required',
  'native_account_unavailable',
]);

/** A thrown value from MSAL (or the wire) as a typed error naming the cause and what to do. */
function mapSignInError(e: unknown, ctx: FailureContext): WizardError {
  if (isWizardError(e)) {
    return e;
  }
  if (!(e instanceof AuthError)) {
    return toWizardError(e);
  }
  const facts = factsOf(e, ctx.wire);
  const has = (...codes: number[]): boolean => codes.some((c) => facts.aadsts.has(c));
  const code = facts.errorCode;

  if (has(65001) || code === 'consent_required' || facts.subError === 'consent_required') {
    return new WizardError(
      'permission_denied',
      `An administrator has not consented to the permissions: ${describeScopes(ctx.scopes)}${aadstsNote(facts, 65001)}.`,
      {
        remediation:
          'Ask a Global Administrator or Privileged Role Administrator to grant admin consent for your app registration (App registrations → the app → API permissions → "Grant admin consent"), then sign in again.',
      },
    );
  }
  if (has(700016)) {
    return new WizardError(
      'bad_input',
      `Microsoft Entra ID found no application with the client ID ${ctx.clientId} in this tenant (AADSTS700016).`,
      {
        remediation:
          'Check the client ID setting: it is the "Application (client) ID" on the app registration’s Overview page, in the tenant you sign in to. If there is no registration yet, register the app with the steps shown.',
      },
    );
  }
  if (has(50011, 500113)) {
    return new WizardError(
      'bad_input',
      `The app registration does not allow the redirect URI http://localhost that this sign-in uses${aadstsNote(facts, 50011)}${aadstsNote(facts, 500113)}.`,
      {
        remediation:
          'In the app registration open Authentication → Add a platform → "Mobile and desktop applications" and add http://localhost, then sign in again.',
      },
    );
  }
  if (has(7000218) || (ctx.flow === 'device_code' && code === 'invalid_client')) {
    if (ctx.flow === 'device_code') {
      return new WizardError(
        'bad_input',
        `The app registration does not allow the device code sign-in: "Allow public client flows" is off${aadstsNote(facts, 7000218)}.`,
        {
          remediation:
            'In the app registration open Authentication → Advanced settings and set "Allow public client flows" to Yes; or use the browser sign-in.',
        },
      );
    }
    return new WizardError(
      'bad_input',
      `Microsoft Entra ID treats the app registration as a confidential client and asks for a secret${aadstsNote(facts, 7000218)}: http://localhost is probably registered under "Web" instead of "Mobile and desktop applications".`,
      {
        remediation:
          'In the app registration open Authentication: remove http://localhost from the "Web" platform and add it under "Mobile and desktop applications".',
      },
    );
  }
  if (has(50194)) {
    return new WizardError(
      'bad_input',
      'The app registration is single-tenant, so the sign-in must name your tenant rather than "organizations" (AADSTS50194).',
      {
        remediation:
          'Enter the "Directory (tenant) ID" from the app registration’s Overview page as the tenant setting, then sign in again.',
      },
    );
  }
  if (has(90002, 90072)) {
    return new WizardError(
      'bad_input',
      `The tenant setting does not name a directory your account can sign in to${aadstsNote(facts, 90002)}${aadstsNote(facts, 90072)}.`,
      {
        remediation:
          'Check the tenant setting: use the "Directory (tenant) ID" from the app registration’s Overview page, or your organization’s domain, and sign in with an account of that directory.',
      },
    );
  }
  if (has(50105)) {
    return new WizardError(
      'permission_denied',
      'Your account is not assigned to the app registration, and the app requires assignment (AADSTS50105).',
      {
        remediation:
          'Ask an administrator to assign you to the app (Enterprise applications → the app → Users and groups), or to set "Assignment required?" to No in its Properties.',
      },
    );
  }
  if (has(50076, 50079)) {
    return new WizardError(
      'auth_failed',
      `Your organization requires multi-factor authentication for this sign-in${aadstsNote(facts, 50076)}${aadstsNote(facts, 50079)}.`,
      {
        remediation:
          ctx.flow === 'interactive'
            ? 'Complete the multi-factor prompt in the browser, then try again.'
            : 'Use the browser sign-in, which can complete the multi-factor prompt.',
      },
    );
  }
  if (has(53003)) {
    return new WizardError(
      'permission_denied',
      'A Conditional Access policy of your organization blocked this sign-in (AADSTS53003).',
      {
        remediation:
          'Sign in from a device and network your organization allows, or ask an administrator which policy applies to this app.',
      },
    );
  }
  if (has(65004) || CANCEL_CODES.has(code)) {
    return cancelledSignIn();
  }
  if (
    code === 'device_code_expired' ||
    code === 'expired_token' ||
    code === 'user_timeout_reached'
  ) {
    return new WizardError(
      'auth_failed',
      'The device code expired before the sign-in was finished.',
      {
        remediation:
          'Start the device code sign-in again and enter the new code within the time shown.',
        retryable: true,
      },
    );
  }
  if (code === 'network_error') {
    return (
      ctx.wire.lastNetworkError ??
      new WizardError(
        'network_reset',
        'The Microsoft sign-in could not reach the sign-in service.',
        {
          remediation:
            'Check that this computer is online and that a VPN or proxy is not blocking login.microsoftonline.com; then try again.',
          retryable: true,
        },
      )
    );
  }
  if (code === 'endpoints_resolution_error' || code === 'openid_config_error') {
    return (
      ctx.wire.lastNetworkError ??
      new WizardError(
        'invalid_response',
        'The Microsoft sign-in service did not describe its endpoints.',
        {
          remediation:
            'Check the tenant setting (tenant ID or domain) and the cloud; then try again.',
        },
      )
    );
  }
  if (facts.status === 429 || code === 'throttled' || code === 'throttling') {
    return new WizardError('rate_limited', 'The Microsoft sign-in service asked to slow down.', {
      remediation: 'Wait a minute and try again.',
      retryable: true,
      status: 429,
    });
  }
  if (
    (facts.status !== undefined && facts.status >= 500) ||
    code === 'temporarily_unavailable' ||
    code === 'server_error'
  ) {
    return new WizardError('server_error', 'The Microsoft sign-in service failed on its side.', {
      remediation: 'This is usually temporary: try again in a few minutes.',
      retryable: true,
      ...(facts.status !== undefined ? { status: facts.status } : {}),
    });
  }
  if (code === 'untrusted_authority') {
    return (
      ctx.wire.lastNetworkError ??
      new WizardError('bad_input', 'The sign-in authority is not one MSAL trusts.', {
        remediation:
          'Check the cloud setting; if it is right, copy the redacted diagnostic and report it.',
      })
    );
  }
  if (
    ctx.flow === 'silent' &&
    (SIGN_IN_AGAIN_CODES.has(code) ||
      e instanceof ServerError ||
      e instanceof InteractionRequiredAuthError)
  ) {
    const detail = [...facts.aadsts].map((c) => `AADSTS${c}`).join(', ');
    return signInAgain(
      `Microsoft needs you to sign in interactively (${code}${detail ? `, ${detail}` : ''})`,
    );
  }
  const detail = [...facts.aadsts].map((c) => `AADSTS${c}`).join(', ');
  return new WizardError(
    'auth_failed',
    `The Microsoft sign-in failed (${code}${detail ? `, ${detail}` : ''}).`,
    {
      remediation:
        'Try again; if it fails the same way, check the app registration with the steps shown and copy the redacted diagnostic.',
    },
  );
}

// ---------------------------------------------------------------------------------------------
// Cancellation

/** Rejects with `cancelled` as soon as `signal` aborts; runs `onAbort` once. */
function raceAbort<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  onAbort: () => void,
  makeError: () => WizardError = cancelledSignIn,
): Promise<T> {
  if (!signal) {
    return work;
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort();
      reject(makeError());
    };
    if (signal.aborted) {
      // The work already started: let it settle quietly.
      work.catch(() => undefined);
      abort();
      return;
    }
    signal.addEventListener('abort', abort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', abort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/**
 * Ends MSAL's loopback listener the way the browser would end it: an OAuth error answer to the
 * redirect URI with the request's own state (MSAL has no other way to stop an interactive sign-in).
 */
async function endLoopback(authorizeUrl: string): Promise<void> {
  const url = new URL(authorizeUrl);
  const redirect = url.searchParams.get('redirect_uri');
  const state = url.searchParams.get('state');
  if (!redirect || !state) {
    return;
  }
  const target = new URL(redirect);
  if (
    target.protocol !== 'http:' ||
    (target.hostname !== 'localhost' && target.hostname !== '127.0.0.1')
  ) {
    return;
  }
  target.hostname = '127.0.0.1';
  target.pathname = '/';
  target.search = '';
  await fetch(target, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      error: 'user_cancelled',
      error_description: 'The sign-in was cancelled in dbt SCIM Wizard.',
      state,
    }).toString(),
    signal: AbortSignal.timeout(5_000),
  }).catch(() => undefined);
}

// ---------------------------------------------------------------------------------------------
// The sign-in

function toAccount(
  info: AccountInfo,
  scopes: readonly string[],
  graphResource: string,
): EntraAccount {
  const prefix = `${graphResource.replace(/\/+$/, '').toLowerCase()}/`;
  const granted = scopes
    .map((s) => (s.toLowerCase().startsWith(prefix) ? s.slice(prefix.length) : shortScope(s)))
    .filter((s) => s !== '' && !OIDC_SCOPES.has(s.toLowerCase()));
  return {
    username: info.username,
    name: info.name ?? null,
    tenantId: info.tenantId,
    grantedScopes: [...new Set(granted)],
  };
}

export function createEntraSignIn(options: EntraSignInOptions): EntraSignIn {
  const log = options.log.child('entra-signin');
  const loginOrigin = new URL(options.loginHost).origin;
  let tenant = options.tenant?.trim() ?? '';
  if (tenant === '') {
    tenant = 'organizations';
  }
  const authority = `${loginOrigin}/${encodeURIComponent(tenant)}`;
  const graphResource = options.graphResource.replace(/\/+$/, '');
  const wire: WireState = {};
  const network = guardNetwork(
    options.networkClient ?? fetchNetworkModule(),
    loginOrigin,
    wire,
    log,
  );

  const config: Configuration = {
    auth: {
      clientId: options.clientId,
      authority,
      ...(options.knownAuthorities ? { knownAuthorities: options.knownAuthorities } : {}),
    },
    cache: { cachePlugin: cachePlugin(options.cache, log) },
    system: {
      networkClient: network,
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (_level: LogLevel, message: string, containsPii: boolean) => {
          if (!containsPii) {
            log.debug(`msal: ${message}`);
          }
        },
      },
    },
  };
  const pca = new PublicClientApplication(config);

  const scopeUris = (scopes: readonly GraphScope[]): string[] =>
    scopes.map((s) => `${graphResource}/${s.scope}`);

  const fail = (e: unknown, flow: Flow, scopes: readonly GraphScope[]): WizardError => {
    const error = mapSignInError(e, { flow, scopes, clientId: options.clientId, wire });
    log.warn(`Microsoft sign-in failed: ${error.code}`, { flow, message: error.message });
    return error;
  };

  /** Keeps only the account just signed in (the wizard holds one Microsoft sign-in). */
  const keepOnly = async (account: AccountInfo): Promise<void> => {
    const cache = pca.getTokenCache();
    for (const other of await cache.getAllAccounts()) {
      if (other.homeAccountId !== account.homeAccountId) {
        await cache.removeAccount(other);
      }
    }
  };

  const finish = async (result: AuthenticationResult | null, flow: Flow): Promise<EntraAccount> => {
    if (!result?.account) {
      throw new WizardError('internal', 'The Microsoft sign-in ended without an account.', {
        remediation: 'Try again; if it happens again, copy the redacted diagnostic and report it.',
      });
    }
    registerSecret(result.accessToken);
    registerSecret(result.idToken);
    await keepOnly(result.account);
    const account = toAccount(result.account, result.scopes, graphResource);
    log.info(`Signed in to Microsoft as ${account.username}`, {
      flow,
      tenantId: account.tenantId,
      grantedScopes: account.grantedScopes,
    });
    return account;
  };

  const firstAccount = async (): Promise<AccountInfo | undefined> => {
    const accounts = await pca.getTokenCache().getAllAccounts();
    return accounts[0];
  };

  const silentScopes = scopeUris(requiredScopes(false));

  return {
    async signInInteractive({ includeTestUserScopes, signal }) {
      const scopes = requiredScopes(includeTestUserScopes);
      if (signal?.aborted) {
        throw cancelledSignIn();
      }
      delete wire.lastServerError;
      delete wire.lastNetworkError;
      let authorizeUrl: string | undefined;
      let aborted = false;
      const work = pca.acquireTokenInteractive({
        scopes: scopeUris(scopes),
        successTemplate: SUCCESS_PAGE,
        errorTemplate: ERROR_PAGE,
        openBrowser: async (url: string) => {
          authorizeUrl = url;
          if (aborted) {
            await endLoopback(url);
            return;
          }
          log.info('Opening the system browser for the Microsoft sign-in.');
          try {
            await options.openBrowser(url);
          } catch (e) {
            throw new WizardError(
              'internal',
              'The system browser could not be opened for the Microsoft sign-in.',
              {
                remediation:
                  'Open a default browser on this computer, or use the device code sign-in instead.',
                cause: e,
              },
            );
          }
        },
      });
      try {
        const result = await raceAbort(work, signal, () => {
          aborted = true;
          work.catch(() => undefined);
          if (authorizeUrl) {
            void endLoopback(authorizeUrl);
          }
        });
        return await finish(result, 'interactive');
      } catch (e) {
        throw fail(e, 'interactive', scopes);
      }
    },

    async signInWithDeviceCode({ includeTestUserScopes, onCode, signal }) {
      const scopes = requiredScopes(includeTestUserScopes);
      if (signal?.aborted) {
        throw cancelledSignIn();
      }
      delete wire.lastServerError;
      delete wire.lastNetworkError;
      const request: DeviceCodeRequest = {
        scopes: scopeUris(scopes),
        deviceCodeCallback: (response) => {
          // MSAL does not check the devicecode answer: a refusal arrives here without a code.
          const userCode = response.userCode as string | undefined;
          if (!userCode) {
            const server = wire.lastServerError;
            throw new ServerError(
              server?.error ?? 'invalid_response',
              '',
              server
                ? server.codes.map((c) => `AADSTS${c}`).join(' ')
                : 'No device code in the answer.',
              server?.suberror,
              server?.codes[0] !== undefined ? String(server.codes[0]) : undefined,
              server?.status,
            );
          }
          registerSecret(response.deviceCode);
          log.info('Waiting for the device code sign-in.', {
            expiresInSeconds: response.expiresIn,
          });
          onCode({
            userCode,
            verificationUri: response.verificationUri,
            message: response.message,
            expiresInSeconds: response.expiresIn,
          });
        },
      };
      const work = pca.acquireTokenByDeviceCode(request);
      try {
        const result = await raceAbort(work, signal, () => {
          // MSAL stops polling at its next turn.
          request.cancel = true;
          work.catch(() => undefined);
        });
        return await finish(result, 'device_code');
      } catch (e) {
        throw fail(e, 'device_code', scopes);
      }
    },

    async getToken(signal) {
      if (signal?.aborted) {
        throw cancelled();
      }
      const scopes = requiredScopes(false);
      try {
        const account = await firstAccount();
        if (!account) {
          throw signInAgain('there is no saved sign-in');
        }
        delete wire.lastServerError;
        delete wire.lastNetworkError;
        const work = pca.acquireTokenSilent({ account, scopes: silentScopes });
        const result = await raceAbort(
          work,
          signal,
          () => {
            work.catch(() => undefined);
          },
          cancelled,
        );
        registerSecret(result.accessToken);
        if (!result.accessToken) {
          throw signInAgain('no access token was returned');
        }
        return result.accessToken;
      } catch (e) {
        throw fail(e, 'silent', scopes);
      }
    },

    async account() {
      const info = await firstAccount();
      if (!info) {
        return undefined;
      }
      const parsed = parseCache(pca.getTokenCache().serialize());
      const scopes = Object.values(parsed?.AccessToken ?? {})
        .filter((at) => at.home_account_id === info.homeAccountId)
        .flatMap((at) => (at.target ?? '').split(' '))
        .filter(Boolean);
      return toAccount(info, scopes, graphResource);
    },

    async signOut() {
      const cache = pca.getTokenCache();
      for (const account of await cache.getAllAccounts()) {
        await cache.removeAccount(account);
      }
      await options.cache.clear();
      log.info('Signed out of Microsoft.');
    },
  };
}
