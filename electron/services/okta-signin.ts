/**
 * Signing in to Okta for a profile (okta.md §4, §5), three ways:
 *  - `pkce`: the admin's own Native app, through the system browser; the refresh token is kept
 *    encrypted in the secret store (`okta.refresh-token`) so the sign-in survives a restart and
 *    renews itself before the one-hour access token runs out; the access token lives in memory only;
 *  - `service`: an OAuth service app with `private_key_jwt`; the private key is kept encrypted
 *    (`okta.private-key`), never returned, and signs a new assertion whenever a token is needed;
 *  - `token`: an Okta API token (SSWS), in memory only, never saved, with two warnings.
 *
 * After every sign-in it checks who the credentials act as and their admin roles: Super or Org
 * Administrator → `ok`; only other roles → `insufficient`, naming what is missing; roles unreadable →
 * harmless read probes decide `ok` or `unknown`. Missing Okta API scopes are reported separately.
 * The Okta service asks `auth(profileId)` for the credentials of its steps.
 */
import { badInput, isWizardError, toWizardError, WizardError } from '../core/errors.js';
import { cleanSecret } from '../core/dbt/secret-input.js';
import { silentLogger } from '../core/logger.js';
import { SUFFICIENT_ROLES, type OktaPort, type OktaPrincipal } from '../core/okta/ports.js';
import type { Clock, HttpClient, Logger, SecretStore } from '../core/ports.js';
import { registerSecret } from '../core/redact.js';
import type { Profile, ProfileStore } from '../core/store/profiles.js';
import type { OktaSignInStateDto } from '../ipc/contract.js';
import { createOktaPort } from '../adapters/okta/client.js';
import {
  createOktaSignIn,
  missingOktaScopes,
  OKTA_REDIRECT_PORT,
  oktaRedirectUri,
  parsePrivateKey,
  pkceRegistrationGuide,
  serviceRegistrationGuide,
  type OktaAuth,
  type OktaSignIn,
  type OktaSignInOptions,
  type OktaTokens,
  type ParsedPrivateKey,
} from '../adapters/okta/signin.js';

export const SECRET_OKTA_REFRESH_TOKEN = 'okta.refresh-token';
export const SECRET_OKTA_PRIVATE_KEY = 'okta.private-key';

/** Renew the access token when it has less than this left (Okta's tokens last one hour). */
export const RENEW_MARGIN_MS = 5 * 60_000;

export type OktaSignInState = OktaSignInStateDto;
export type OktaSignInMethod = 'pkce' | 'service' | 'token';
export type RoleVerdict = OktaSignInState['roleVerdict'];

export const API_TOKEN_WARNINGS: readonly string[] = [
  'An Okta API token is not scoped: it acts with every right of the administrator who created it, for as long as it is valid.',
  'Revoke the API token when you are done: Okta admin console → Security → API → "Tokens" → the token → "Revoke".',
];

// ---------------------------------------------------------------------------------------------
// The role and capability check (okta.md §5)

export interface RoleCheck {
  readonly verdict: RoleVerdict;
  readonly roles: string[];
  readonly message: string;
  readonly principal?: OktaPrincipal;
}

const ROLE_NAMES: Readonly<Record<string, string>> = {
  SUPER_ADMIN: 'Super Administrator',
  ORG_ADMIN: 'Organization Administrator',
  APP_ADMIN: 'Application Administrator',
  GROUP_MEMBERSHIP_ADMIN: 'Group Membership Administrator',
  USER_ADMIN: 'Group Administrator',
  HELP_DESK_ADMIN: 'Help Desk Administrator',
  READ_ONLY_ADMIN: 'Read-only Administrator',
  REPORT_ADMIN: 'Report Administrator',
  MOBILE_ADMIN: 'Mobile Administrator',
  API_ACCESS_MANAGEMENT_ADMIN: 'API Access Management Administrator',
  CUSTOM: 'a custom admin role',
};

function roleName(type: string): string {
  return ROLE_NAMES[type] ?? type;
}

/** Where a Super Administrator assigns the role, for a person or a service app. */
function assignRoleHint(principal: OktaPrincipal): string {
  return principal.kind === 'client'
    ? 'Ask a Super Administrator to assign "Super Administrator" or "Organization Administrator" to the service app (Applications → the app → "Admin roles" → "Edit assignments").'
    : 'Ask a Super Administrator to assign you "Super Administrator" or "Organization Administrator" (Security → Administrators → "Add administrator").';
}

/** A harmless read, run when the roles cannot be read. */
interface Probe {
  readonly what: string;
  run(): Promise<unknown>;
}

function failure(e: unknown): string {
  const error = toWizardError(e);
  return error.status !== undefined ? `${error.code}, HTTP ${error.status}` : error.code;
}

/**
 * Who the credentials act as and whether their admin role can do every step. `appId` (the chosen
 * dbt app, when there is one) makes the probes read that app. Throws only when Okta refuses the
 * credentials themselves (auth_failed).
 */
export async function checkOktaRoles(
  port: OktaPort,
  options: { appId?: string; signal?: AbortSignal } = {},
): Promise<RoleCheck> {
  const { signal } = options;
  let principal: OktaPrincipal | undefined;
  let whoFailed: string | undefined;
  try {
    principal = await port.whoAmI(signal);
  } catch (e) {
    if (isWizardError(e) && (e.code === 'auth_failed' || e.code === 'cancelled')) {
      throw e;
    }
    whoFailed = failure(e);
  }

  let roles: string[] | undefined;
  if (principal) {
    try {
      const listed = await port.listRoles(principal, signal);
      roles = listed?.map((r) => r.type);
    } catch (e) {
      if (isWizardError(e) && (e.code === 'auth_failed' || e.code === 'cancelled')) {
        throw e;
      }
      roles = undefined;
    }
  }

  if (roles !== undefined && principal) {
    const unique = [...new Set(roles)];
    const enough = unique.filter((r) => (SUFFICIENT_ROLES as readonly string[]).includes(r));
    if (enough.length > 0) {
      return {
        verdict: 'ok',
        roles: unique,
        principal,
        message: `The ${roleName(enough[0] ?? '')} role can do every step the wizard takes.`,
      };
    }
    const who = principal.kind === 'client' ? 'This service app' : 'You';
    const has =
      unique.length === 0
        ? `${who} ${principal.kind === 'client' ? 'has' : 'have'} no admin role.`
        : `${who} ${principal.kind === 'client' ? 'has' : 'have'} only ${unique.map(roleName).join(', ')}.`;
    const appAdmin = unique.includes('APP_ADMIN')
      ? " An Application Administrator may not manage the app's Profile Editor or its groups."
      : '';
    return {
      verdict: 'insufficient',
      roles: unique,
      principal,
      message: `${has} Adding the licenseType attribute to the dbt app's user profile and pushing groups need the Super Administrator or Organization Administrator role.${appAdmin} ${assignRoleHint(principal)}`,
    };
  }

  // The roles could not be read (reading them may itself need Super Administrator): probe.
  let chosenAppId = options.appId;
  const probes: Probe[] = [
    {
      what: 'apps',
      run: async () => {
        if (chosenAppId) {
          return port.getApp(chosenAppId, signal);
        }
        const apps = await port.listApps('dbt', signal);
        chosenAppId = apps[0]?.id;
        return apps;
      },
    },
    {
      what: "an app's user schema",
      run: async () => (chosenAppId ? port.getAppUserSchema(chosenAppId, signal) : undefined),
    },
    { what: 'groups', run: () => port.listGroups('Everyone', signal) },
  ];
  const failed: string[] = [];
  const skipped: string[] = [];
  for (const probe of probes) {
    if (probe.what === "an app's user schema" && !chosenAppId) {
      skipped.push(probe.what);
      continue;
    }
    try {
      await probe.run();
    } catch (e) {
      if (isWizardError(e) && (e.code === 'auth_failed' || e.code === 'cancelled')) {
        throw e;
      }
      failed.push(`${probe.what} (${failure(e)})`);
    }
  }
  const why = principal
    ? 'Okta would not show the admin roles (reading them needs the okta.roles.read scope and, for some roles, Super Administrator)'
    : `Okta would not say who the credentials act as (${whoFailed ?? 'unknown'})`;
  if (failed.length === 0 && skipped.length === 0) {
    return {
      verdict: 'ok',
      roles: [],
      ...(principal ? { principal } : {}),
      message: `${why}, but reading apps, an app's user schema and groups works.`,
    };
  }
  const parts = [
    ...(failed.length > 0 ? [`reading ${failed.join(', ')} failed`] : []),
    ...(skipped.length > 0
      ? [`${skipped.join(', ')} could not be tried (no dbt app found yet)`]
      : []),
  ];
  return {
    verdict: 'unknown',
    roles: [],
    ...(principal ? { principal } : {}),
    message: `${why}, and ${parts.join('; ')}. The wizard needs the Super Administrator or Organization Administrator role: check yours under Security → Administrators.`,
  };
}

// ---------------------------------------------------------------------------------------------
// Sessions

interface BaseSession {
  readonly orgUrl: string;
  subject?: string;
  roleCheck: RoleCheck;
  warnings: string[];
}

interface OAuthSession extends BaseSession {
  readonly method: 'pkce' | 'service';
  readonly clientId: string;
  readonly keyId?: string;
  readonly signIn: OktaSignIn;
  accessToken: string;
  expiresAt: Date;
  grantedScopes: string[];
  refreshToken?: string;
  privateKey?: ParsedPrivateKey;
  renewing?: Promise<string>;
}

interface TokenSession extends BaseSession {
  readonly method: 'token';
  readonly token: string;
}

type Session = OAuthSession | TokenSession;

// ---------------------------------------------------------------------------------------------

export interface OktaSignInServiceDeps {
  readonly http: HttpClient;
  readonly clock: Clock;
  readonly profiles: ProfileStore;
  readonly secrets: SecretStore;
  /** Opens the system browser; absent in faces that cannot (then only the key and token work). */
  readonly openBrowser?: (url: string) => Promise<void>;
  /** The Okta Management API for these credentials (the role check); default `createOktaPort`. */
  readonly port?: (orgUrl: string, auth: OktaAuth) => OktaPort;
  readonly log?: Logger;
  /** The loopback port of the browser sign-in (default OKTA_REDIRECT_PORT). */
  readonly redirectPort?: number;
  /** Tests: builds the sign-in (e.g. with a short callback timeout). */
  readonly makeSignIn?: (options: OktaSignInOptions) => OktaSignIn;
}

function notSignedIn(): WizardError {
  return new WizardError('auth_failed', 'The wizard is not signed in to Okta.', {
    remediation: 'Sign in to Okta in the Identity provider step, then try again.',
  });
}

/** Network trouble or a busy Okta: the sign-in itself may still be good. */
function isTransient(e: unknown): boolean {
  if (!isWizardError(e)) {
    return false;
  }
  return (
    e.retryable &&
    [
      'network_dns',
      'network_refused',
      'network_reset',
      'network_timeout',
      'rate_limited',
      'server_error',
      'proxy',
      'tls',
      'invalid_response',
      'cancelled',
    ].includes(e.code)
  );
}

export function createOktaSignInService(deps: OktaSignInServiceDeps) {
  const { profiles, secrets, clock } = deps;
  const log = (deps.log ?? silentLogger).child('okta-signin');
  const sessions = new Map<string, Session>();
  /** Why a profile was signed out by the wizard (a renewal that failed), for the state. */
  const signedOutWhy = new Map<string, string>();
  const pendingBrowser = new Map<string, { controller: AbortController; done: Promise<unknown> }>();
  const restoring = new Map<string, Promise<OktaSignInState>>();
  const redirectUri = oktaRedirectUri(deps.redirectPort ?? OKTA_REDIRECT_PORT);

  const makeSignIn = (orgUrl: string): OktaSignIn =>
    (deps.makeSignIn ?? createOktaSignIn)({
      http: deps.http,
      orgUrl,
      now: () => clock.now(),
      log,
      ...(deps.redirectPort !== undefined ? { redirectPort: deps.redirectPort } : {}),
      openBrowser: async (url) => {
        if (!deps.openBrowser) {
          throw new Error('no browser in this face');
        }
        await deps.openBrowser(url);
      },
    });

  const oktaOf = (profile: Profile): NonNullable<Profile['okta']> => {
    if (!profile.okta?.orgUrl) {
      throw badInput(
        'This profile is not connected to an Okta org yet.',
        'Enter your Okta org URL (such as https://acme.okta.com) first.',
      );
    }
    return profile.okta;
  };

  const registration = (method: OktaSignInMethod | undefined): OktaSignInState['registration'] => {
    const guide =
      method === 'service'
        ? serviceRegistrationGuide(redirectUri)
        : pkceRegistrationGuide(redirectUri);
    return {
      redirectUri: guide.redirectUri,
      steps: guide.steps.map((s) => ({ title: s.title, detail: s.detail })),
      scopes: guide.scopes.map((s) => ({ scope: s.scope, why: s.why })),
    };
  };

  const signedOutState = (
    profileId: string,
    method: OktaSignInMethod | undefined,
  ): OktaSignInState => {
    const why = signedOutWhy.get(profileId);
    return {
      signedIn: false,
      method: null,
      grantedScopes: [],
      missingScopes: [],
      roleVerdict: 'unknown',
      roles: [],
      roleMessage: 'Not signed in to Okta.',
      warnings: why ? [why] : [],
      registration: registration(method),
    };
  };

  const stateOf = (session: Session): OktaSignInState => {
    const granted = session.method === 'token' ? [] : session.grantedScopes;
    return {
      signedIn: true,
      method: session.method,
      ...(session.subject ? { subject: session.subject } : {}),
      ...(session.method !== 'token' ? { expiresAt: session.expiresAt.toISOString() } : {}),
      grantedScopes: [...granted],
      // An API token is not scoped: nothing can be missing.
      missingScopes: session.method === 'token' ? [] : missingOktaScopes(granted),
      roleVerdict: session.roleCheck.verdict,
      roles: [...session.roleCheck.roles],
      roleMessage: session.roleCheck.message,
      warnings: [...session.warnings],
      registration: registration(session.method),
    };
  };

  /** Saves a secret, or says (as a warning) that it lives for this session only. */
  const keep = async (
    profileId: string,
    name: string,
    value: string,
    what: string,
  ): Promise<string[]> => {
    try {
      await secrets.set(profileId, name, value);
      return [];
    } catch (e) {
      log.warn(`the ${what} is kept for this session only`, { reason: toWizardError(e).code });
      return [
        `The ${what} is kept for this session only: the system keyring is not available, so you sign in again after restarting the wizard.`,
      ];
    }
  };

  const forget = async (profileId: string, name: string): Promise<void> => {
    try {
      await secrets.delete(profileId, name);
    } catch (e) {
      log.warn('could not delete a saved Okta secret', { name, reason: toWizardError(e).code });
    }
  };

  /** A bearer; `clientId` only for a service app (it makes the client the principal). */
  const oauthAuth = (session: OAuthSession, getToken: () => Promise<string>): OktaAuth =>
    session.method === 'service'
      ? { kind: 'bearer', clientId: session.clientId, getToken }
      : { kind: 'bearer', getToken };

  const portFor = (orgUrl: string, auth: OktaAuth): OktaPort =>
    deps.port
      ? deps.port(orgUrl, auth)
      : createOktaPort({ http: deps.http, orgUrl, auth, now: () => clock.now() });

  /** Role check plus who; the session's subject falls back to what the token said. */
  const check = async (
    orgUrl: string,
    auth: OktaAuth,
    profile: Profile,
  ): Promise<{ roleCheck: RoleCheck; subject: string | undefined }> => {
    const roleCheck = await checkOktaRoles(portFor(orgUrl, auth), {
      ...(profile.okta?.appId ? { appId: profile.okta.appId } : {}),
    });
    const p = roleCheck.principal;
    const subject = p ? (p.kind === 'user' ? p.login : p.clientId) : undefined;
    log.info('Okta role check', { verdict: roleCheck.verdict, roles: roleCheck.roles });
    return { roleCheck, subject };
  };

  /** Builds and checks an OAuth session from fresh tokens; saves what must survive a restart. */
  const startOAuth = async (
    profileId: string,
    profile: Profile,
    input: {
      method: 'pkce' | 'service';
      orgUrl: string;
      clientId: string;
      keyId?: string;
      signIn: OktaSignIn;
      tokens: OktaTokens;
      privateKey?: ParsedPrivateKey;
      privateKeyText?: string;
    },
  ): Promise<OAuthSession> => {
    const { tokens } = input;
    registerSecret(tokens.accessToken);
    registerSecret(tokens.refreshToken);
    const session: OAuthSession = {
      method: input.method,
      orgUrl: input.orgUrl,
      clientId: input.clientId,
      ...(input.keyId ? { keyId: input.keyId } : {}),
      signIn: input.signIn,
      accessToken: tokens.accessToken,
      expiresAt: tokens.expiresAt,
      grantedScopes: tokens.grantedScopes,
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
      ...(input.privateKey ? { privateKey: input.privateKey } : {}),
      ...(tokens.subject ? { subject: tokens.subject } : {}),
      roleCheck: { verdict: 'unknown', roles: [], message: '' },
      warnings: [],
    };
    const current = session.accessToken;
    const { roleCheck, subject } = await check(
      input.orgUrl,
      oauthAuth(session, () => Promise.resolve(current)),
      profile,
    );
    session.roleCheck = roleCheck;
    session.subject = subject ?? session.subject;
    if (input.method === 'pkce') {
      if (tokens.refreshToken) {
        session.warnings.push(
          ...(await keep(
            profileId,
            SECRET_OKTA_REFRESH_TOKEN,
            tokens.refreshToken,
            'Okta sign-in',
          )),
        );
      } else {
        await forget(profileId, SECRET_OKTA_REFRESH_TOKEN);
        session.warnings.push(
          'Okta gave no refresh token, so the sign-in ends when the access token expires (one hour). To stay signed in, tick "Refresh Token" under "Grant type" on the Native app and sign in again.',
        );
      }
    } else if (input.privateKeyText !== undefined) {
      session.warnings.push(
        ...(await keep(
          profileId,
          SECRET_OKTA_PRIVATE_KEY,
          input.privateKeyText,
          'service app key',
        )),
      );
    }
    return session;
  };

  /** The settings of an OAuth method, or bad_input saying what to fill in. */
  const settingsFor = (
    profile: Profile,
    method: 'pkce' | 'service',
  ): { orgUrl: string; clientId: string; keyId?: string } => {
    const okta = oktaOf(profile);
    const s = okta.signIn;
    const clientId = s?.clientId?.trim();
    if (s?.method !== method || !clientId) {
      throw method === 'pkce'
        ? badInput(
            'The Client ID of your Okta Native app is missing.',
            'Choose "Sign in with Okta" and enter the Client ID of the Native app you registered (see "How to register the wizard in Okta").',
          )
        : badInput(
            'The Client ID of your Okta service app is missing.',
            'Choose "Service app key" and enter the Client ID (and key ID) of the API Services app you registered (see "How to register the wizard in Okta").',
          );
    }
    const keyId = s.keyId?.trim();
    return { orgUrl: okta.orgUrl, clientId, ...(keyId ? { keyId } : {}) };
  };

  /** Ends a session the wizard can no longer renew; remembers why. */
  const endSession = async (
    profileId: string,
    session: OAuthSession,
    why: string,
  ): Promise<void> => {
    if (sessions.get(profileId) === session) {
      sessions.delete(profileId);
    }
    signedOutWhy.set(profileId, why);
    await forget(
      profileId,
      session.method === 'pkce' ? SECRET_OKTA_REFRESH_TOKEN : SECRET_OKTA_PRIVATE_KEY,
    );
    log.warn('Signed out of Okta: the sign-in could not be renewed.');
  };

  /** A fresh access token for an OAuth session, renewed when it has less than RENEW_MARGIN_MS left. */
  const tokenOf = async (profileId: string, session: OAuthSession): Promise<string> => {
    if (sessions.get(profileId) !== session) {
      throw notSignedIn();
    }
    const left = session.expiresAt.getTime() - clock.now().getTime();
    if (left > RENEW_MARGIN_MS) {
      return session.accessToken;
    }
    session.renewing ??= (async () => {
      try {
        const tokens =
          session.method === 'pkce'
            ? await (async () => {
                if (!session.refreshToken) {
                  throw new WizardError(
                    'auth_failed',
                    'The Okta sign-in expired and there is no refresh token to renew it.',
                    {
                      remediation:
                        'Sign in to Okta again; tick "Refresh Token" on the Native app to stay signed in.',
                    },
                  );
                }
                return session.signIn.refresh({
                  clientId: session.clientId,
                  refreshToken: session.refreshToken,
                });
              })()
            : await (async () => {
                if (!session.privateKey) {
                  throw notSignedIn();
                }
                return session.signIn.serviceToken({
                  clientId: session.clientId,
                  ...(session.keyId ? { keyId: session.keyId } : {}),
                  privateKey: session.privateKey,
                });
              })();
        registerSecret(tokens.accessToken);
        session.accessToken = tokens.accessToken;
        session.expiresAt = tokens.expiresAt;
        session.grantedScopes = tokens.grantedScopes;
        if (tokens.refreshToken && tokens.refreshToken !== session.refreshToken) {
          registerSecret(tokens.refreshToken);
          session.refreshToken = tokens.refreshToken;
          // A rotated refresh token replaces the saved one (the old one no longer works).
          await keep(profileId, SECRET_OKTA_REFRESH_TOKEN, tokens.refreshToken, 'Okta sign-in');
        }
        return tokens.accessToken;
      } catch (e) {
        const error = toWizardError(e);
        if (isTransient(error) && session.expiresAt.getTime() > clock.now().getTime()) {
          // Okta is unreachable for now, but the current token still works.
          log.warn('Could not renew the Okta sign-in yet; using the current token.', {
            reason: error.code,
          });
          return session.accessToken;
        }
        if (isTransient(error)) {
          throw error;
        }
        const why = `Signed out of Okta: ${error.message} ${error.remediation}`.trim();
        await endSession(profileId, session, why);
        throw new WizardError('auth_failed', `The Okta sign-in ended: ${error.message}`, {
          remediation: error.remediation || 'Sign in to Okta again.',
          ...(error.status !== undefined ? { status: error.status } : {}),
        });
      } finally {
        session.renewing = undefined;
      }
    })();
    return session.renewing;
  };

  /** After a restart: the saved refresh token or key signs in again, silently. */
  const restore = async (profileId: string, profile: Profile): Promise<OktaSignInState> => {
    const method = profile.okta?.signIn?.method;
    if (
      !profile.okta ||
      (method !== 'pkce' && method !== 'service') ||
      !profile.okta.signIn?.clientId
    ) {
      return signedOutState(profileId, method);
    }
    const name = method === 'pkce' ? SECRET_OKTA_REFRESH_TOKEN : SECRET_OKTA_PRIVATE_KEY;
    let saved: string | undefined;
    try {
      saved = await secrets.get(profileId, name);
    } catch (e) {
      log.warn('could not read the saved Okta sign-in', { reason: toWizardError(e).code });
      return signedOutState(profileId, method);
    }
    if (!saved) {
      return signedOutState(profileId, method);
    }
    const settings = settingsFor(profile, method);
    const signIn = makeSignIn(settings.orgUrl);
    try {
      let session: OAuthSession;
      if (method === 'pkce') {
        const tokens = await signIn.refresh({ clientId: settings.clientId, refreshToken: saved });
        session = await startOAuth(profileId, profile, {
          method,
          ...settings,
          signIn,
          tokens: tokens.refreshToken ? tokens : { ...tokens, refreshToken: saved },
        });
      } else {
        const privateKey = parsePrivateKey(saved);
        const tokens = await signIn.serviceToken({
          clientId: settings.clientId,
          ...(settings.keyId ? { keyId: settings.keyId } : {}),
          privateKey,
        });
        session = await startOAuth(profileId, profile, {
          method,
          ...settings,
          signIn,
          tokens,
          privateKey,
        });
      }
      sessions.set(profileId, session);
      signedOutWhy.delete(profileId);
      log.info('Signed in to Okta again from the saved sign-in.', { method });
      return stateOf(session);
    } catch (e) {
      const error = toWizardError(e);
      if (!isTransient(error)) {
        await forget(profileId, name);
      }
      const why = isTransient(error)
        ? `The saved Okta sign-in could not be renewed just now: ${error.message} ${error.remediation}`
        : `Signed out of Okta: ${error.message} ${error.remediation}`;
      signedOutWhy.set(profileId, why.trim());
      return signedOutState(profileId, method);
    }
  };

  return {
    /** The browser sign-in (PKCE) with the Native app whose client id the profile holds. */
    async signIn(profileId: string): Promise<OktaSignInState> {
      const profile = await profiles.get(profileId);
      const settings = settingsFor(profile, 'pkce');
      if (!deps.openBrowser) {
        throw badInput(
          'This face cannot open a browser for the Okta sign-in.',
          'Use a service app key or an Okta API token instead.',
        );
      }
      // One browser sign-in per profile: a new one replaces a waiting one (same loopback port).
      const previous = pendingBrowser.get(profileId);
      if (previous) {
        previous.controller.abort();
        await previous.done.catch(() => undefined);
      }
      const controller = new AbortController();
      const signIn = makeSignIn(settings.orgUrl);
      const work = (async () => {
        const tokens = await signIn.signInWithBrowser({
          clientId: settings.clientId,
          signal: controller.signal,
        });
        return startOAuth(profileId, profile, { method: 'pkce', ...settings, signIn, tokens });
      })();
      pendingBrowser.set(profileId, { controller, done: work });
      try {
        const session = await work;
        sessions.set(profileId, session);
        signedOutWhy.delete(profileId);
        return stateOf(session);
      } finally {
        if (pendingBrowser.get(profileId)?.controller === controller) {
          pendingBrowser.delete(profileId);
        }
      }
    },

    /** The service app: the pasted private key signs the client assertion; kept encrypted. */
    async useServiceKey(profileId: string, privateKeyText: string): Promise<OktaSignInState> {
      const profile = await profiles.get(profileId);
      const settings = settingsFor(profile, 'service');
      const privateKey = parsePrivateKey(privateKeyText);
      const signIn = makeSignIn(settings.orgUrl);
      const tokens = await signIn.serviceToken({
        clientId: settings.clientId,
        ...(settings.keyId ? { keyId: settings.keyId } : {}),
        privateKey,
      });
      const session = await startOAuth(profileId, profile, {
        method: 'service',
        ...settings,
        signIn,
        tokens,
        privateKey,
        privateKeyText: privateKeyText.trim(),
      });
      sessions.set(profileId, session);
      signedOutWhy.delete(profileId);
      return stateOf(session);
    },

    /** An Okta API token (SSWS): in memory only, never saved. */
    async useToken(profileId: string, apiToken: string): Promise<OktaSignInState> {
      const profile = await profiles.get(profileId);
      const okta = oktaOf(profile);
      const token = cleanSecret(apiToken, 'okta-api').value;
      const auth: OktaAuth = { kind: 'ssws', token };
      const { roleCheck, subject } = await check(okta.orgUrl, auth, profile);
      const session: TokenSession = {
        method: 'token',
        orgUrl: okta.orgUrl,
        token,
        ...(subject ? { subject } : {}),
        roleCheck,
        warnings: [...API_TOKEN_WARNINGS],
      };
      sessions.set(profileId, session);
      signedOutWhy.delete(profileId);
      return stateOf(session);
    },

    /** Forgets the tokens in memory, deletes the saved refresh token and key, revokes at Okta. */
    async signOut(profileId: string): Promise<void> {
      const pending = pendingBrowser.get(profileId);
      pendingBrowser.delete(profileId);
      pending?.controller.abort();
      const session = sessions.get(profileId);
      sessions.delete(profileId);
      signedOutWhy.delete(profileId);
      await forget(profileId, SECRET_OKTA_REFRESH_TOKEN);
      await forget(profileId, SECRET_OKTA_PRIVATE_KEY);
      if (session?.method === 'pkce') {
        if (session.refreshToken) {
          await session.signIn.revoke({
            clientId: session.clientId,
            token: session.refreshToken,
            hint: 'refresh_token',
          });
        }
        await session.signIn.revoke({
          clientId: session.clientId,
          token: session.accessToken,
          hint: 'access_token',
        });
      }
      await pending?.done.catch(() => undefined);
      log.info('Signed out of Okta.');
    },

    /** Who is signed in and what they may do; after a restart the saved sign-in is renewed here. */
    async account(profileId: string): Promise<OktaSignInState> {
      const session = sessions.get(profileId);
      const profile = await profiles.get(profileId);
      if (session) {
        const settings = profile.okta?.signIn;
        const moved =
          session.orgUrl !== profile.okta?.orgUrl ||
          (session.method !== 'token' &&
            (settings?.method !== session.method ||
              settings.clientId?.trim() !== session.clientId));
        if (moved) {
          // The profile now points at another org or app: this sign-in does not belong to it.
          sessions.delete(profileId);
        } else {
          return stateOf(session);
        }
      }
      let running = restoring.get(profileId);
      if (!running) {
        running = restore(profileId, profile).finally(() => {
          restoring.delete(profileId);
        });
        restoring.set(profileId, running);
      }
      return running;
    },

    /** The credentials of the Okta steps, or undefined when not signed in. */
    auth(profileId: string): OktaAuth | undefined {
      const session = sessions.get(profileId);
      if (!session) {
        return undefined;
      }
      if (session.method === 'token') {
        return { kind: 'ssws', token: session.token };
      }
      return oauthAuth(session, () => tokenOf(profileId, session));
    },
  };
}

export type OktaSignInService = ReturnType<typeof createOktaSignInService>;

/** Fixed credentials (the CLI's OKTA_API_TOKEN / OKTA_ACCESS_TOKEN), cleaned and registered. */
export function staticOktaAuth(
  input: { readonly apiToken: string } | { readonly accessToken: string },
): OktaAuth {
  if ('apiToken' in input) {
    return { kind: 'ssws', token: cleanSecret(input.apiToken, 'okta-api').value };
  }
  const token = cleanSecret(input.accessToken, 'bearer').value;
  return { kind: 'bearer', getToken: () => Promise.resolve(token) };
}
