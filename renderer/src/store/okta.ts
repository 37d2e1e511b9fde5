/**
 * View state of the Okta screens, per profile: who is signed in to Okta, the apps found and the
 * one chosen, the console steps and their live checks, the plan under review and the last apply
 * and verification, the groups to push, what the existing-users check found, the last test user,
 * which call is running, and the error of each.
 *
 * The engine owns the data: profiles it answers go to the wizard store, and nothing here is
 * persisted. Secrets (the API token, the private key) only pass through an action's argument to
 * the engine; no state here ever holds one, and the SCIM token never reaches the renderer at all
 * (`okta:copyScimToken` writes the clipboard in the main process).
 */
import { create } from 'zustand';
import type { Input, Output } from '../../../electron/ipc/contract.js';
import { client, toErrorInfo } from '../api/client.js';
import type { ProfileDto } from '../model.js';
import {
  perProfileViews,
  without,
  receiveProfile as receive,
  refreshProfiles as refresh,
  profileOf,
} from './per-profile.js';
import type { ErrorInfo } from './wizard.js';

export type OktaSignInState = Output<'okta:account'>;
export type OktaSignInMethod = NonNullable<Input<'okta:connect'>['signInMethod']>;
export type OktaAppList = Output<'okta:findApps'>;
export type OktaApp = OktaAppList['apps'][number];
export type OktaRun = Output<'okta:apply'>;
export type OktaConsole = Output<'okta:console'>;
export type OktaConsoleItem = OktaConsole['items'][number];
export type OktaCopiedToken = Output<'okta:copyScimToken'>;
export type OktaGroups = Output<'okta:groups'>;
export type OktaGroupPick = Input<'okta:pickGroups'>['picks'][number];
export type OktaExisting = Output<'okta:existing'>;
export type OktaTestResult = Output<'okta:testUser'>;
export type OktaLicenseType = Input<'okta:testUser'>['licenseType'];

/** One key per button (or group of buttons) that calls the engine. */
export type OktaOpKey =
  | 'account'
  | 'connect'
  | 'signIn'
  | 'serviceKey'
  | 'token'
  | 'signOut'
  | 'apps'
  | 'choose'
  | 'confirm'
  | 'setup'
  | 'verify'
  | 'console'
  | 'copy'
  | 'groups'
  | 'pick'
  | 'integration'
  | 'existing'
  | 'test';

/** `wait`: the engine waits for the admin (the browser sign-in). */
export type OktaBusy = 'plan' | 'apply' | 'run' | 'wait';

export interface OktaView {
  /** Who is signed in to Okta, with the registration guide; null until read. */
  readonly account: OktaSignInState | null;
  /** What the engine noted when it saved the org (an `-admin` URL it normalised, say). */
  readonly connectWarnings: readonly string[];
  /** The last app search, with the chosen app's id. */
  readonly apps: OktaAppList | null;
  /** The plan the admin is reviewing. */
  readonly plan: OktaRun | null;
  /** The last apply, with the read-back that followed it. */
  readonly result: OktaRun | null;
  /** The last verification asked for on its own ("Check again"). */
  readonly checked: OktaRun | null;
  /** The last apply stopped because Okta changed since the review: `plan` is the new plan. */
  readonly replanned: boolean;
  /** The last read of the console steps. */
  readonly console: OktaConsole | null;
  /** The last SCIM token copy: its last four characters and when the clipboard is cleared. */
  readonly copied: OktaCopiedToken | null;
  readonly groups: OktaGroups | null;
  readonly existing: OktaExisting | null;
  readonly test: OktaTestResult | null;
  /** The login the last test was for. */
  readonly testedUser: string | null;
  /** When the running apply or test began: the engine's progress lines since then are its own. */
  readonly progressSince: string | null;
  readonly busy: Partial<Record<OktaOpKey, OktaBusy>>;
  readonly errors: Partial<Record<OktaOpKey, ErrorInfo>>;
}

export const EMPTY_OKTA_VIEW: OktaView = {
  account: null,
  connectWarnings: [],
  apps: null,
  plan: null,
  result: null,
  checked: null,
  replanned: false,
  console: null,
  copied: null,
  groups: null,
  existing: null,
  test: null,
  testedUser: null,
  progressSince: null,
  busy: {},
  errors: {},
};

/** What the admin typed in "Connect and sign in" (never a secret). */
export interface OktaConnectInput {
  readonly orgUrl: string;
  readonly method: OktaSignInMethod;
  /** The Native app's (pkce) or the service app's (service) client id; empty: none. */
  readonly clientId: string;
  /** The service app's key id; empty: none. */
  readonly keyId: string;
}

interface OktaActions {
  loadAccount: (profileId: string) => Promise<void>;
  /** Saves the org and the sign-in method (when they changed); true when saved. */
  connect: (profileId: string, input: OktaConnectInput) => Promise<boolean>;
  /** Saves the connection, then opens the browser and waits until the admin signed in. */
  signIn: (profileId: string, input: OktaConnectInput) => Promise<void>;
  /** Saves the connection, then hands the private key to the engine once; it is not kept here. */
  useServiceKey: (
    profileId: string,
    input: OktaConnectInput,
    privateKey: string,
  ) => Promise<boolean>;
  /** Saves the connection, then hands the API token to the engine once; it is not kept here. */
  useToken: (profileId: string, input: OktaConnectInput, apiToken: string) => Promise<boolean>;
  signOut: (profileId: string) => Promise<void>;
  /** Says whether dbt already has users and groups (they become SCIM-managed). */
  setExistingIntegration: (profileId: string, existing: boolean) => Promise<void>;
  findApps: (profileId: string, query: string) => Promise<void>;
  chooseApp: (profileId: string, appId: string) => Promise<boolean>;
  /** Confirms (or withdraws) changing the app username format to Email. */
  confirmUserNameChange: (profileId: string, confirm: boolean) => Promise<boolean>;
  plan: (profileId: string) => Promise<void>;
  /** Applies exactly the reviewed plan's changes, then reads everything back. */
  apply: (profileId: string) => Promise<void>;
  verify: (profileId: string) => Promise<void>;
  discardPlan: (profileId: string) => void;
  /** One read of the console steps; `shown` names a step the admin sees for the first time. */
  pollConsole: (profileId: string, shown?: string) => Promise<OktaConsole | undefined>;
  copyScimToken: (profileId: string) => Promise<void>;
  /** Forgets the copy notice once the clipboard was cleared. */
  clearCopied: (profileId: string) => void;
  findGroups: (profileId: string, query: string) => Promise<void>;
  pickGroups: (
    profileId: string,
    picks: readonly OktaGroupPick[],
    query: string,
  ) => Promise<boolean>;
  checkExisting: (profileId: string) => Promise<void>;
  testUser: (profileId: string, login: string, licenseType: OktaLicenseType) => Promise<void>;
  clearError: (profileId: string, key: OktaOpKey) => void;
}

interface OktaData {
  views: Record<string, OktaView>;
}

export type OktaState = OktaData & OktaActions;

function clean(value: string): string | undefined {
  const v = value.trim();
  return v === '' ? undefined : v;
}

/** Whether the typed connection differs from what the profile holds. */
function connectionChanged(profile: ProfileDto | undefined, input: OktaConnectInput): boolean {
  const okta = profile?.okta;
  if (!okta) {
    return true;
  }
  const signIn = okta.signIn;
  if (!signIn) {
    return true;
  }
  const typedUrl = input.orgUrl.trim().replace(/\/+$/, '').toLowerCase();
  return (
    typedUrl !== okta.orgUrl.toLowerCase() ||
    signIn.method !== input.method ||
    (clean(input.clientId) ?? '') !== (signIn.clientId ?? '') ||
    (clean(input.keyId) ?? '') !== (signIn.keyId ?? '')
  );
}

export const useOktaStore = create<OktaState>()((set, get) => {
  const { view, patch, op } = perProfileViews<OktaView, OktaOpKey, OktaBusy>(
    set,
    get,
    EMPTY_OKTA_VIEW,
  );
  /** The last app search per profile, to list the apps again after apply. */
  const appQueries = new Map<string, string>();

  async function readAccount(profileId: string): Promise<void> {
    const account = await client.okta.account({ profileId });
    patch(profileId, { account });
  }

  /** `okta:connect` with what was typed; keeps the existing-integration answer. */
  async function saveConnection(profileId: string, input: OktaConnectInput): Promise<void> {
    const before = profileOf(profileId);
    if (!connectionChanged(before, input)) {
      return;
    }
    const clientId = input.method === 'token' ? undefined : clean(input.clientId);
    const keyId = input.method === 'service' ? clean(input.keyId) : undefined;
    const existing = before?.okta?.existingIntegration;
    const out = await client.okta.connect({
      profileId,
      orgUrl: input.orgUrl.trim(),
      signInMethod: input.method,
      ...(clientId !== undefined ? { clientId } : {}),
      ...(keyId !== undefined ? { keyId } : {}),
      ...(existing !== undefined ? { existingIntegration: existing } : {}),
    });
    receive(out.profile);
    const appChanged = before?.okta?.orgUrl !== out.profile.okta?.orgUrl;
    patch(profileId, {
      connectWarnings: out.warnings,
      ...(appChanged
        ? {
            apps: null,
            plan: null,
            result: null,
            checked: null,
            replanned: false,
            console: null,
            groups: null,
            existing: null,
          }
        : {}),
    });
    // A new org or method can end the old sign-in: read who is signed in now.
    await readAccount(profileId);
  }

  async function planNow(profileId: string): Promise<void> {
    patch(profileId, { plan: null, result: null, replanned: false });
    await op(profileId, 'setup', 'plan', async () => {
      const plan = await client.okta.plan({ profileId });
      patch(profileId, { plan, result: null, replanned: false });
    });
  }

  async function readGroups(profileId: string, query: string): Promise<void> {
    const q = query.trim();
    const groups = await client.okta.groups({ profileId, ...(q !== '' ? { query: q } : {}) });
    patch(profileId, { groups });
  }

  return {
    views: {},

    async loadAccount(profileId) {
      await op(profileId, 'account', 'run', () => readAccount(profileId));
    },

    async connect(profileId, input) {
      const done = await op(profileId, 'connect', 'run', async () => {
        await saveConnection(profileId, input);
        return true;
      });
      return done === true;
    },

    async signIn(profileId, input) {
      const saved = await op(profileId, 'connect', 'run', async () => {
        await saveConnection(profileId, input);
        return true;
      });
      if (!saved) {
        return;
      }
      await op(profileId, 'signIn', 'wait', async () => {
        const account = await client.okta.signIn({ profileId });
        patch(profileId, { account });
        await refresh();
      });
    },

    async useServiceKey(profileId, input, privateKey) {
      const saved = await op(profileId, 'connect', 'run', async () => {
        await saveConnection(profileId, input);
        return true;
      });
      if (!saved) {
        return false;
      }
      const done = await op(profileId, 'serviceKey', 'run', async () => {
        const account = await client.okta.useServiceKey({ profileId, privateKey });
        patch(profileId, { account });
        await refresh();
        return true;
      });
      return done === true;
    },

    async useToken(profileId, input, apiToken) {
      const saved = await op(profileId, 'connect', 'run', async () => {
        await saveConnection(profileId, input);
        return true;
      });
      if (!saved) {
        return false;
      }
      const done = await op(profileId, 'token', 'run', async () => {
        const account = await client.okta.useToken({ profileId, apiToken });
        patch(profileId, { account });
        await refresh();
        return true;
      });
      return done === true;
    },

    async signOut(profileId) {
      await op(profileId, 'signOut', 'run', async () => {
        await client.okta.signOut({ profileId });
        await readAccount(profileId);
        await refresh();
      });
    },

    async setExistingIntegration(profileId, existing) {
      await op(profileId, 'integration', 'run', async () => {
        const okta = profileOf(profileId)?.okta;
        if (!okta) {
          return;
        }
        const out = await client.okta.connect({
          profileId,
          orgUrl: okta.orgUrl,
          ...(okta.signIn ? { signInMethod: okta.signIn.method } : {}),
          ...(okta.signIn?.clientId ? { clientId: okta.signIn.clientId } : {}),
          ...(okta.signIn?.keyId ? { keyId: okta.signIn.keyId } : {}),
          existingIntegration: existing,
        });
        receive(out.profile);
      });
    },

    async findApps(profileId, query) {
      await op(profileId, 'apps', 'run', async () => {
        const q = query.trim();
        appQueries.set(profileId, q);
        const apps = await client.okta.findApps({ profileId, ...(q !== '' ? { query: q } : {}) });
        patch(profileId, { apps });
      });
    },

    async chooseApp(profileId, appId) {
      const done = await op(profileId, 'choose', 'run', async () => {
        const profile = await client.okta.chooseApp({ profileId, appId });
        receive(profile);
        patch(profileId, (v) => ({
          apps: v.apps ? { ...v.apps, chosenId: appId } : v.apps,
          plan: null,
          result: null,
          checked: null,
          replanned: false,
          console: null,
          groups: null,
          existing: null,
        }));
        return true;
      });
      return done === true;
    },

    async confirmUserNameChange(profileId, confirm) {
      const done = await op(profileId, 'confirm', 'run', async () => {
        receive(await client.okta.confirmUserNameChange({ profileId, confirm }));
        // The plan changes with the answer: review it again.
        patch(profileId, { plan: null, replanned: false });
        return true;
      });
      return done === true;
    },

    plan: planNow,

    async apply(profileId) {
      const reviewed = view(profileId).plan;
      if (!reviewed) {
        return;
      }
      patch(profileId, { progressSince: new Date().toISOString() });
      await op(profileId, 'setup', 'apply', async () => {
        const result = await client.okta.apply({
          profileId,
          expectedChangeIds: reviewed.changes.map((c) => c.id),
        });
        if (result.phase === 'planned') {
          // Okta changed since the review: show the new plan instead of applying it unseen.
          patch(profileId, { plan: result, replanned: true });
          return;
        }
        patch(profileId, { plan: null, result, checked: null, replanned: false });
        if (result.phase !== 'failed') {
          // The read-back: every change and every console step, as Okta shows them now.
          const verified = await client.okta.verify({ profileId });
          patch(profileId, { result: verified });
        }
        // The app list shows the username format, which apply may have changed.
        const q = appQueries.get(profileId);
        if (q !== undefined && view(profileId).apps) {
          const apps = await client.okta.findApps({ profileId, ...(q !== '' ? { query: q } : {}) });
          patch(profileId, { apps });
        }
        await refresh();
      });
    },

    async verify(profileId) {
      await op(profileId, 'verify', 'run', async () => {
        const checked = await client.okta.verify({ profileId });
        patch(profileId, { checked });
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

    async pollConsole(profileId, shown) {
      // Not through `op`: a poll is quiet (no busy line every 5 s), but its failure is shown.
      try {
        const out = await client.okta.console({
          profileId,
          ...(shown !== undefined ? { shown } : {}),
        });
        patch(profileId, (v) => ({ console: out, errors: without(v.errors, 'console') }));
        return out;
      } catch (e) {
        patch(profileId, (v) => ({ errors: { ...v.errors, console: toErrorInfo(e) } }));
        return undefined;
      }
    },

    async copyScimToken(profileId) {
      patch(profileId, { copied: null });
      await op(profileId, 'copy', 'run', async () => {
        const copied = await client.okta.copyScimToken({ profileId });
        patch(profileId, { copied });
      });
    },

    clearCopied(profileId) {
      patch(profileId, { copied: null });
    },

    async findGroups(profileId, query) {
      await op(profileId, 'groups', 'run', () => readGroups(profileId, query));
    },

    async pickGroups(profileId, picks, query) {
      const done = await op(profileId, 'pick', 'run', async () => {
        receive(
          await client.okta.pickGroups({
            profileId,
            picks: picks.map((p) => ({
              oktaGroupId: p.oktaGroupId,
              oktaGroupName: p.oktaGroupName,
              targetGroupName: p.targetGroupName.trim(),
            })),
          }),
        );
        // The saved picks come back with the engine's alignment; the plan changes with them.
        patch(profileId, { plan: null, replanned: false });
        await readGroups(profileId, query);
        return true;
      });
      return done === true;
    },

    async checkExisting(profileId) {
      await op(profileId, 'existing', 'run', async () => {
        const existing = await client.okta.existing({ profileId });
        patch(profileId, { existing });
      });
    },

    async testUser(profileId, login, licenseType) {
      patch(profileId, {
        test: null,
        testedUser: login,
        progressSince: new Date().toISOString(),
      });
      await op(profileId, 'test', 'run', async () => {
        const test = await client.okta.testUser({ profileId, login, licenseType });
        patch(profileId, { test });
        await refresh();
      });
    },

    clearError(profileId, key) {
      patch(profileId, (v) => ({ errors: without(v.errors, key) }));
    },
  };
});

/** The view of one profile (a stable empty view when there is none yet). */
export function useOktaView(profileId: string): OktaView {
  return useOktaStore((s) => s.views[profileId] ?? EMPTY_OKTA_VIEW);
}

/** Back to nothing (tests, or a full reload). */
export function resetOktaStore(): void {
  useOktaStore.setState({ views: {} });
}
