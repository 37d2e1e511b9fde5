/**
 * View state of the Identity provider screen for Microsoft Entra ID, per profile: who is signed in
 * to Microsoft, the device code while it waits, the plan under review and the last apply, the
 * last test-user run and the last status read, which call is running, and the error of each.
 * The engine owns the data: the profiles it answers go to the wizard store (the rail's status
 * is the one the engine set), and nothing here is persisted.
 */
import { create } from 'zustand';
import {
  client,
  type DeviceCodePrompt,
  type EntraCloud,
  type EntraRun,
  type EntraStatus,
  type EntraTestResult,
  type SignInState,
} from '../api/client.js';
import type { ProfileDto } from '../model.js';
import {
  perProfileViews,
  without,
  receiveProfile as receive,
  refreshProfiles as refresh,
  profileOf,
} from './per-profile.js';
import type { ErrorInfo } from './wizard.js';

/** One key per button (or group of buttons) that calls the engine. */
export type EntraOpKey =
  | 'account'
  | 'settings'
  | 'signIn'
  | 'device'
  | 'token'
  | 'signOut'
  | 'setup'
  | 'choose'
  | 'test'
  | 'status';

/** `wait`: the engine waits for the admin (browser, device code). */
export type EntraBusy = 'plan' | 'apply' | 'run' | 'wait';

export interface EntraView {
  /** Who is signed in to Microsoft, with the registration guide; null until read. */
  readonly account: SignInState | null;
  readonly settingsWarnings: readonly string[];
  /** The device code while the engine waits for it to be used. */
  readonly device: DeviceCodePrompt | null;
  /** The plan the admin is reviewing. */
  readonly plan: EntraRun | null;
  /** The last apply. */
  readonly result: EntraRun | null;
  /** The last apply stopped because Entra changed since the review: `plan` is the new plan. */
  readonly replanned: boolean;
  readonly test: EntraTestResult | null;
  /** The user principal name the last test was for. */
  readonly testedUser: string | null;
  readonly status: EntraStatus | null;
  /** When the running apply or test began: the engine's progress lines since then are its own. */
  readonly progressSince: string | null;
  readonly busy: Partial<Record<EntraOpKey, EntraBusy>>;
  readonly errors: Partial<Record<EntraOpKey, ErrorInfo>>;
}

export const EMPTY_ENTRA_VIEW: EntraView = {
  account: null,
  settingsWarnings: [],
  device: null,
  plan: null,
  result: null,
  replanned: false,
  test: null,
  testedUser: null,
  status: null,
  progressSince: null,
  busy: {},
  errors: {},
};

export interface EntraSettingsInput {
  readonly cloud: EntraCloud;
  readonly appName: string;
  /** Empty: keep none. */
  readonly clientId: string;
  /** Empty: `organizations`. */
  readonly tenant: string;
  /** Empty: the cloud's own Graph root. */
  readonly graphUrl: string;
}

interface EntraActions {
  loadAccount: (profileId: string) => Promise<void>;
  /** Saves the app registration (when it changed) and the tenant's cloud, Graph root and app name. */
  saveSettings: (profileId: string, input: EntraSettingsInput) => Promise<boolean>;
  signIn: (profileId: string, includeTestUserScopes: boolean) => Promise<void>;
  /** Asks for a device code, shows it, then waits until it was used. */
  deviceCode: (profileId: string, includeTestUserScopes: boolean) => Promise<void>;
  useToken: (profileId: string, accessToken: string) => Promise<boolean>;
  signOut: (profileId: string) => Promise<void>;
  plan: (profileId: string) => Promise<void>;
  /** Applies exactly the reviewed plan's changes. */
  apply: (profileId: string) => Promise<void>;
  discardPlan: (profileId: string) => void;
  /** Uses one of several same-named apps from now on, then reviews again. */
  chooseApp: (profileId: string, spId: string) => Promise<boolean>;
  testUser: (profileId: string, userPrincipalName: string) => Promise<void>;
  checkStatus: (profileId: string) => Promise<void>;
  clearError: (profileId: string, key: EntraOpKey) => void;
}

interface EntraData {
  views: Record<string, EntraView>;
}

export type EntraState = EntraData & EntraActions;

/** The `entra:connect` fields that keep what the profile has (connect drops an unsent Graph URL). */
function connectBase(profile: ProfileDto | undefined): {
  cloud?: EntraCloud;
  appName?: string;
  graphUrl?: string;
} {
  const entra = profile?.entra;
  if (!entra) {
    return {};
  }
  return {
    cloud: entra.cloud,
    appName: entra.appName,
    ...(entra.graphUrl ? { graphUrl: entra.graphUrl } : {}),
  };
}

export const useEntraStore = create<EntraState>()((set, get) => {
  const { view, patch, op } = perProfileViews<EntraView, EntraOpKey, EntraBusy>(
    set,
    get,
    EMPTY_ENTRA_VIEW,
  );

  async function readAccount(profileId: string): Promise<void> {
    const account = await client.entra.account({ profileId });
    patch(profileId, { account });
  }

  async function planNow(profileId: string): Promise<void> {
    patch(profileId, { plan: null, result: null, replanned: false });
    await op(profileId, 'setup', 'plan', async () => {
      const plan = await client.entra.plan({ profileId });
      patch(profileId, { plan, result: null, replanned: false });
    });
  }

  return {
    views: {},

    async loadAccount(profileId) {
      await op(profileId, 'account', 'run', () => readAccount(profileId));
    },

    async saveSettings(profileId, input) {
      const done = await op(profileId, 'settings', 'run', async () => {
        const before = profileOf(profileId)?.entra;
        const clientId = input.clientId.trim().toLowerCase();
        const tenant = input.tenant.trim() || 'organizations';
        const savedTenant = before?.tenant ?? 'organizations';
        const registrationChanged =
          (clientId !== '' && clientId !== (before?.clientId ?? '')) ||
          tenant.toLowerCase() !== savedTenant.toLowerCase();
        if (registrationChanged) {
          // The engine signs out of the old registration when it changes.
          receive(
            await client.entra.signInSettings({
              profileId,
              ...(clientId !== '' ? { clientId } : {}),
              tenant,
            }),
          );
        }
        const graphUrl = input.graphUrl.trim();
        const out = await client.entra.connect({
          profileId,
          cloud: input.cloud,
          appName: input.appName,
          ...(graphUrl !== '' ? { graphUrl } : {}),
        });
        receive(out.profile);
        const appChanged =
          before?.appName !== out.profile.entra?.appName ||
          before?.cloud !== out.profile.entra?.cloud ||
          before?.graphUrl !== out.profile.entra?.graphUrl;
        patch(profileId, {
          settingsWarnings: out.warnings,
          ...(appChanged ? { plan: null, result: null, replanned: false, status: null } : {}),
        });
        if (registrationChanged) {
          await readAccount(profileId);
        }
        return true;
      });
      return done === true;
    },

    async signIn(profileId, includeTestUserScopes) {
      await op(profileId, 'signIn', 'wait', async () => {
        const account = await client.entra.signIn({ profileId, includeTestUserScopes });
        patch(profileId, { account });
        await refresh();
      });
    },

    async deviceCode(profileId, includeTestUserScopes) {
      patch(profileId, { device: null });
      const prompt = await op(profileId, 'device', 'run', () =>
        client.entra.deviceCode({ profileId, includeTestUserScopes }),
      );
      if (!prompt) {
        return;
      }
      patch(profileId, { device: prompt });
      await op(profileId, 'device', 'wait', async () => {
        try {
          const account = await client.entra.deviceCodeWait({ profileId });
          patch(profileId, { account });
        } finally {
          patch(profileId, { device: null });
        }
        await refresh();
      });
    },

    async useToken(profileId, accessToken) {
      const done = await op(profileId, 'token', 'run', async () => {
        const account = await client.entra.useToken({ profileId, accessToken });
        patch(profileId, { account });
        await refresh();
        return true;
      });
      return done === true;
    },

    async signOut(profileId) {
      await op(profileId, 'signOut', 'run', async () => {
        await client.entra.signOut({ profileId });
        await readAccount(profileId);
        await refresh();
      });
    },

    plan: planNow,

    async apply(profileId) {
      const reviewed = view(profileId).plan;
      if (!reviewed) {
        return;
      }
      patch(profileId, { progressSince: new Date().toISOString() });
      await op(profileId, 'setup', 'apply', async () => {
        const result = await client.entra.apply({
          profileId,
          expectedChangeIds: reviewed.changes.map((c) => c.id),
        });
        if (result.phase === 'planned') {
          // Entra changed since the review: show the new plan instead of applying it unseen.
          patch(profileId, { plan: result, replanned: true });
          return;
        }
        patch(profileId, { plan: null, result, replanned: false });
        await refresh();
      });
    },

    discardPlan(profileId) {
      patch(profileId, (v) => ({
        plan: null,
        replanned: false,
        errors: without(v.errors, 'setup'),
      }));
    },

    async chooseApp(profileId, spId) {
      const done = await op(profileId, 'choose', 'run', async () => {
        const out = await client.entra.connect({
          profileId,
          ...connectBase(profileOf(profileId)),
          spId,
        });
        receive(out.profile);
        patch(profileId, { settingsWarnings: out.warnings });
        return true;
      });
      if (done) {
        await planNow(profileId);
      }
      return done === true;
    },

    async testUser(profileId, userPrincipalName) {
      patch(profileId, {
        test: null,
        testedUser: userPrincipalName,
        progressSince: new Date().toISOString(),
      });
      await op(profileId, 'test', 'run', async () => {
        const test = await client.entra.testUser({ profileId, userPrincipalName });
        patch(profileId, { test });
        await refresh();
      });
    },

    async checkStatus(profileId) {
      await op(profileId, 'status', 'run', async () => {
        const status = await client.entra.status({ profileId });
        patch(profileId, { status });
        await refresh();
      });
    },

    clearError(profileId, key) {
      patch(profileId, (v) => ({ errors: without(v.errors, key) }));
    },
  };
});

/** The view of one profile (a stable empty view when there is none yet). */
export function useEntraView(profileId: string): EntraView {
  return useEntraStore((s) => s.views[profileId] ?? EMPTY_ENTRA_VIEW);
}

/** Back to nothing (tests, or a full reload). */
export function resetEntraStore(): void {
  useEntraStore.setState({ views: {} });
}
