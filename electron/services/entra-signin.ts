/**
 * Signing in to Microsoft for a profile: the system browser (PKCE, loopback redirect), a device
 * code, or an access token pasted from elsewhere (kept in memory only). The MSAL token cache is
 * kept encrypted in the secret store, so a restart signs in silently. The Entra service asks this
 * module for a profile's Graph token.
 */
import { badInput, WizardError } from '../core/errors.js';
import { cleanSecret } from '../core/dbt/secret-input.js';
import { ENTRA_CLOUDS } from '../core/entra/ports.js';
import type { ExternalOpener, Logger, SecretStore } from '../core/ports.js';
import type { ProfileStore } from '../core/store/profiles.js';
import {
  createEntraSignIn,
  missingScopes,
  REGISTRATION_GUIDE,
  type DeviceCodePrompt,
  type EntraAccount,
  type EntraSignIn,
  type EntraSignInOptions,
} from '../adapters/entra/signin.js';
import type { GraphTokenProvider } from './entra.js';

export const SECRET_MSAL_CACHE = 'entra.msal-cache';

type Session =
  | {
      readonly via: 'browser' | 'device';
      readonly signIn: EntraSignIn;
      readonly account: EntraAccount;
    }
  | {
      readonly via: 'token';
      readonly token: string;
      readonly username?: string;
      readonly tenantId?: string;
      readonly scopes: readonly string[];
    };

export interface SignInState {
  readonly signedIn: boolean;
  readonly via: 'browser' | 'device' | 'token' | null;
  readonly username?: string;
  readonly tenantId?: string;
  readonly grantedScopes: readonly string[];
  readonly missingScopes: readonly string[];
  readonly registration: {
    readonly steps: readonly { title: string; detail: string }[];
    readonly permissions: readonly { scope: string; why: string }[];
    readonly signInRoles: string;
    readonly restrictedTenantNote: string;
  };
}

const REGISTRATION: SignInState['registration'] = {
  steps: REGISTRATION_GUIDE.steps.map((s) => ({ title: s.title, detail: s.detail })),
  permissions: REGISTRATION_GUIDE.permissions.map((p) => ({ scope: p.scope, why: p.why })),
  signInRoles: `${REGISTRATION_GUIDE.signInRoles.join(' or ')}. ${REGISTRATION_GUIDE.signInRolesNote}`,
  restrictedTenantNote: REGISTRATION_GUIDE.restrictedTenantNote,
};

/** The claims of a JWT access token, read (not verified) to show who it is for and what it allows. */
function jwtClaims(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return parsed !== null && typeof parsed === 'object'
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export interface EntraSignInServiceDeps {
  readonly profiles: ProfileStore;
  readonly secrets: SecretStore;
  readonly log: Logger;
  readonly opener?: ExternalOpener;
  readonly now: () => Date;
  /** Tests: builds the MSAL client (e.g. against a fake authority). */
  readonly makeSignIn?: (options: EntraSignInOptions) => EntraSignIn;
}

export function createEntraSignInService(deps: EntraSignInServiceDeps) {
  const { profiles, secrets, log } = deps;
  const sessions = new Map<string, Session>();
  const pendingDevice = new Map<string, Promise<EntraAccount>>();
  /** When the secret store cannot persist (no keyring), the cache lives for this session only. */
  const memoryCache = new Map<string, string>();

  async function signInFor(profileId: string): Promise<EntraSignIn> {
    const entra = (await profiles.get(profileId)).entra;
    if (!entra?.clientId) {
      throw badInput(
        'The Application (client) ID of your app registration is missing.',
        'Register the wizard in your tenant (see "How to register the wizard") and enter its client ID.',
      );
    }
    const cloud = ENTRA_CLOUDS[entra.cloud];
    return (deps.makeSignIn ?? createEntraSignIn)({
      clientId: entra.clientId,
      loginHost: cloud.login,
      graphResource: new URL(cloud.graph).origin,
      ...(entra.tenant ? { tenant: entra.tenant } : {}),
      log: log.child('msal'),
      openBrowser: async (url) => {
        if (!deps.opener) {
          throw new WizardError('internal', 'This face cannot open a browser.', {
            remediation: 'Use a device code instead.',
          });
        }
        await deps.opener.open(url);
      },
      cache: {
        load: async () =>
          memoryCache.get(profileId) ?? (await secrets.get(profileId, SECRET_MSAL_CACHE)),
        save: async (serialized) => {
          memoryCache.set(profileId, serialized);
          try {
            await secrets.set(profileId, SECRET_MSAL_CACHE, serialized);
          } catch (e) {
            log.warn('the Microsoft sign-in is kept for this session only', {
              reason: e instanceof Error ? e.message : String(e),
            });
          }
        },
        clear: async () => {
          memoryCache.delete(profileId);
          await secrets.delete(profileId, SECRET_MSAL_CACHE);
        },
      },
    });
  }

  function state(session: Session | undefined, includeTestUserScopes = false): SignInState {
    if (!session) {
      return {
        signedIn: false,
        via: null,
        grantedScopes: [],
        missingScopes: [],
        registration: REGISTRATION,
      };
    }
    const granted = session.via === 'token' ? session.scopes : session.account.grantedScopes;
    const username = session.via === 'token' ? session.username : session.account.username;
    const tenantId = session.via === 'token' ? session.tenantId : session.account.tenantId;
    return {
      signedIn: true,
      via: session.via,
      ...(username ? { username } : {}),
      ...(tenantId ? { tenantId } : {}),
      grantedScopes: [...granted],
      missingScopes: missingScopes(granted, includeTestUserScopes),
      registration: REGISTRATION,
    };
  }

  return {
    async settings(profileId: string, input: { clientId?: string; tenant?: string }) {
      const current = (await profiles.get(profileId)).entra;
      const changed =
        (input.clientId !== undefined && input.clientId.toLowerCase() !== current?.clientId) ||
        (input.tenant !== undefined && input.tenant !== current?.tenant);
      if (changed) {
        // A sign-in belongs to one app registration and tenant.
        sessions.delete(profileId);
      }
      return profiles.update(profileId, {
        entra: {
          cloud: current?.cloud ?? 'global',
          appName: current?.appName ?? 'dbt SCIM',
          ...(input.clientId !== undefined ? { clientId: input.clientId.toLowerCase() } : {}),
          ...(input.tenant !== undefined ? { tenant: input.tenant } : {}),
        },
      });
    },

    async signIn(profileId: string, includeTestUserScopes: boolean): Promise<SignInState> {
      const signIn = await signInFor(profileId);
      const account = await signIn.signInInteractive({ includeTestUserScopes });
      const session: Session = { via: 'browser', signIn, account };
      sessions.set(profileId, session);
      return state(session, includeTestUserScopes);
    },

    /** Starts a device-code sign-in and answers with the code; `deviceCodeWait` then waits for it. */
    async deviceCode(profileId: string, includeTestUserScopes: boolean): Promise<DeviceCodePrompt> {
      const signIn = await signInFor(profileId);
      return new Promise<DeviceCodePrompt>((resolve, reject) => {
        const pending = signIn.signInWithDeviceCode({ includeTestUserScopes, onCode: resolve });
        const settled = pending.then((account) => {
          sessions.set(profileId, { via: 'device', signIn, account });
          return account;
        });
        // The waiter sees any failure; until it asks, the rejection is observed here.
        settled.catch(() => undefined);
        pendingDevice.set(profileId, settled);
        // A failure before the code arrived (unknown client, network) answers this call.
        pending.catch(reject);
      });
    },

    async deviceCodeWait(profileId: string): Promise<SignInState> {
      const pending = pendingDevice.get(profileId);
      if (!pending) {
        throw badInput(
          'No device-code sign-in is waiting.',
          'Start the device-code sign-in first.',
        );
      }
      try {
        await pending;
      } finally {
        pendingDevice.delete(profileId);
      }
      return state(sessions.get(profileId));
    },

    /** An access token from elsewhere (e.g. the Azure CLI), kept in memory for this session only. */
    async useToken(profileId: string, raw: string): Promise<SignInState> {
      await profiles.get(profileId);
      const token = cleanSecret(raw, 'bearer').value;
      const claims = jwtClaims(token);
      const exp = typeof claims?.exp === 'number' ? claims.exp : undefined;
      if (exp !== undefined && exp * 1000 <= deps.now().getTime()) {
        throw badInput(
          'That access token has expired.',
          'Get a new one, or sign in with your browser.',
        );
      }
      const scp = typeof claims?.scp === 'string' ? claims.scp.split(' ').filter(Boolean) : [];
      const username =
        typeof claims?.upn === 'string'
          ? claims.upn
          : typeof claims?.preferred_username === 'string'
            ? claims.preferred_username
            : undefined;
      const session: Session = {
        via: 'token',
        token,
        scopes: scp,
        ...(username ? { username } : {}),
        ...(typeof claims?.tid === 'string' ? { tenantId: claims.tid } : {}),
      };
      sessions.set(profileId, session);
      return state(session);
    },

    async signOut(profileId: string): Promise<void> {
      const session = sessions.get(profileId);
      sessions.delete(profileId);
      pendingDevice.delete(profileId);
      if (session && session.via !== 'token') {
        await session.signIn.signOut();
      } else {
        memoryCache.delete(profileId);
        await secrets.delete(profileId, SECRET_MSAL_CACHE);
      }
    },

    /** Who is signed in; after a restart, the encrypted cache signs in silently. */
    async account(profileId: string): Promise<SignInState> {
      const session = sessions.get(profileId);
      if (session) {
        return state(session);
      }
      const profile = await profiles.get(profileId);
      const hasCache =
        memoryCache.has(profileId) ||
        (await secrets.list(profileId)).some((m) => m.name === SECRET_MSAL_CACHE);
      if (!profile.entra?.clientId || !hasCache) {
        return state(undefined);
      }
      const signIn = await signInFor(profileId);
      const account = await signIn.account();
      if (!account) {
        return state(undefined);
      }
      const restored: Session = { via: 'browser', signIn, account };
      sessions.set(profileId, restored);
      return state(restored);
    },

    /** The Graph token source the Entra service uses for a profile. */
    graphToken(profileId: string): GraphTokenProvider {
      return {
        getToken: async () => {
          const session =
            sessions.get(profileId) ?? (await this.account(profileId), sessions.get(profileId));
          if (!session) {
            throw new WizardError(
              'auth_failed',
              'The wizard is not signed in to Microsoft Entra ID.',
              {
                remediation: 'Sign in to Microsoft in the Identity provider step, then try again.',
              },
            );
          }
          return session.via === 'token' ? session.token : session.signIn.getToken();
        },
      };
    },
  };
}

export type EntraSignInService = ReturnType<typeof createEntraSignInService>;
