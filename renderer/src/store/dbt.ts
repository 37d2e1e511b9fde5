/**
 * View state of the Prerequisites and dbt screens, per profile: the last answers of the dbt calls
 * (prerequisites, plans, results, tokens, the connection check), which call is running, and the
 * error of each. The engine owns the data; after every call the profile it answered (or a fresh
 * read of the profiles) goes to the wizard store, so the rail shows the status the engine set.
 */
import { create } from 'zustand';
import type { PrerequisitesDto, SecretMetaDto } from '../../../electron/ipc/contract.js';
import {
  client,
  type ConnectionCheck,
  type DbtStepParams,
  type IdpRanges,
  type RunResult,
  type TokenList,
} from '../api/client.js';
import type { Idp, ProfileDto } from '../model.js';
import {
  perProfileViews,
  without,
  receiveProfile as receive,
  refreshProfiles as refresh,
} from './per-profile.js';
import { useWizardStore, type ErrorInfo } from './wizard.js';

export const SECRET_API = 'dbt.api-token';
export const SECRET_SCIM = 'dbt.scim-token';

/** The three dbt changes that go through plan → apply. */
export type PlanKey = 'ip' | 'scim' | 'token';

/** One key per button (or group of buttons) that calls the engine. */
export type OpKey =
  | 'secrets'
  | 'connect'
  | 'recheck'
  | 'idp'
  | 'tick'
  | 'ranges'
  | 'url'
  | 'paste'
  | 'tokens'
  | 'delete'
  | 'check'
  | PlanKey;

export type Busy = 'plan' | 'apply' | 'run';

export interface DbtView {
  /** Metadata of the saved tokens; null until read. */
  readonly secrets: SecretMetaDto[] | null;
  readonly connectWarnings: readonly string[];
  readonly connectNotes: readonly string[];
  /** The IdP the server set on the profile from dbt's SSO at the last connect. */
  readonly idpAdopted: Idp | null;
  /** The last connect saved the address only: there is no API token. */
  readonly savedWithoutToken: boolean;
  readonly prerequisites: PrerequisitesDto | null;
  /** The plan the admin is reviewing, per change. */
  readonly plans: Partial<Record<PlanKey, RunResult>>;
  /** The last apply, per change. */
  readonly results: Partial<Record<PlanKey, RunResult>>;
  /** The last apply stopped because dbt changed since the review: `plans` holds the new plan. */
  readonly replanned: Partial<Record<PlanKey, boolean>>;
  readonly urlWarnings: readonly string[];
  readonly pasteNotes: readonly string[];
  readonly tokens: TokenList | null;
  readonly check: ConnectionCheck | null;
  readonly ranges: IdpRanges | null;
  readonly busy: Partial<Record<OpKey, Busy>>;
  readonly errors: Partial<Record<OpKey, ErrorInfo>>;
}

export const EMPTY_VIEW: DbtView = {
  secrets: null,
  connectWarnings: [],
  connectNotes: [],
  idpAdopted: null,
  savedWithoutToken: false,
  prerequisites: null,
  plans: {},
  results: {},
  replanned: {},
  urlWarnings: [],
  pasteNotes: [],
  tokens: null,
  check: null,
  ranges: null,
  busy: {},
  errors: {},
};

interface DbtActions {
  loadSecrets: (profileId: string) => Promise<void>;
  /** Saves the address (and the token, once dbt accepted it) and runs the prerequisites. */
  connect: (
    profileId: string,
    input: { apiUrl: string; accountId: string; apiToken?: string },
  ) => Promise<ProfileDto | null>;
  recheck: (profileId: string) => Promise<boolean>;
  /** Sets the profile's IdP (to the one dbt's SSO uses), then checks again. */
  adoptIdp: (profileId: string, idp: Idp) => Promise<void>;
  tick: (profileId: string, item: string, done: boolean) => Promise<void>;
  loadRanges: (profileId: string, cell?: string) => Promise<IdpRanges | undefined>;
  plan: (profileId: string, key: PlanKey, step: DbtStepParams) => Promise<void>;
  /** Applies exactly the reviewed plan's changes. */
  apply: (profileId: string, key: PlanKey, step: DbtStepParams) => Promise<void>;
  /** Forgets a plan (its inputs changed, or the admin dismissed it). */
  discardPlan: (profileId: string, key: PlanKey) => void;
  setScimUrl: (profileId: string, scimUrl: string) => Promise<boolean>;
  pasteToken: (profileId: string, value: string) => Promise<boolean>;
  loadTokens: (profileId: string) => Promise<void>;
  deleteToken: (profileId: string, tokenId: number, force: boolean) => Promise<boolean>;
  check: (profileId: string) => Promise<void>;
  clearError: (profileId: string, key: OpKey) => void;
}

interface DbtData {
  views: Record<string, DbtView>;
}

export type DbtState = DbtData & DbtActions;

export const useDbtStore = create<DbtState>()((set, get) => {
  const { view, patch, op } = perProfileViews<DbtView, OpKey, Busy>(set, get, EMPTY_VIEW);

  function hasSecret(profileId: string, name: string): boolean {
    return (view(profileId).secrets ?? []).some((m) => m.name === name);
  }

  async function readSecrets(profileId: string): Promise<void> {
    const secrets = await client.secrets.list({ profileId });
    patch(profileId, { secrets });
  }

  async function recheckNow(profileId: string): Promise<void> {
    const out = await client.dbt.recheck({ profileId });
    receive(out.profile);
    patch(profileId, { prerequisites: out.prerequisites });
  }

  return {
    views: {},

    async loadSecrets(profileId) {
      await op(profileId, 'secrets', 'run', () => readSecrets(profileId));
    },

    async connect(profileId, input) {
      const before = useWizardStore.getState().profiles.find((p) => p.id === profileId);
      const done = await op(profileId, 'connect', 'run', async () => {
        const out = await client.dbt.connect({
          profileId,
          apiUrl: input.apiUrl,
          accountId: input.accountId,
          ...(input.apiToken !== undefined ? { apiToken: input.apiToken } : {}),
        });
        receive(out.profile);
        patch(profileId, {
          connectWarnings: out.warnings,
          connectNotes: out.notes,
          idpAdopted: !before?.idp && out.profile.idp ? out.profile.idp : null,
          savedWithoutToken: false,
          ...(out.prerequisites ? { prerequisites: out.prerequisites } : {}),
        });
        await readSecrets(profileId);
        if (!out.prerequisites) {
          if (hasSecret(profileId, SECRET_API)) {
            await recheckNow(profileId);
          } else {
            patch(profileId, { savedWithoutToken: true, prerequisites: null });
          }
        }
        return out.profile;
      });
      return done ?? null;
    },

    async recheck(profileId) {
      const done = await op(profileId, 'recheck', 'run', async () => {
        await recheckNow(profileId);
        return true;
      });
      return done === true;
    },

    async adoptIdp(profileId, idp) {
      await op(profileId, 'idp', 'run', async () => {
        const profile = await client.profiles.update({ id: profileId, idp });
        receive(profile);
        patch(profileId, { idpAdopted: null });
        if (hasSecret(profileId, SECRET_API)) {
          await recheckNow(profileId);
        }
      });
    },

    async tick(profileId, item, done) {
      await op(profileId, 'tick', 'run', async () => {
        receive(await client.dbt.tick({ profileId, item, done }));
      });
    },

    async loadRanges(profileId, cell) {
      return op(profileId, 'ranges', 'run', async () => {
        const ranges = await client.dbt.idpRanges({ profileId, ...(cell ? { cell } : {}) });
        patch(profileId, { ranges });
        return ranges;
      });
    },

    async plan(profileId, key, step) {
      patch(profileId, (v) => ({
        plans: without(v.plans, key),
        results: without(v.results, key),
        replanned: without(v.replanned, key),
      }));
      await op(profileId, key, 'plan', async () => {
        const result = await client.dbt.plan({ profileId, step });
        patch(profileId, (v) => ({
          plans: { ...v.plans, [key]: result },
          results: without(v.results, key),
          replanned: without(v.replanned, key),
        }));
      });
    },

    async apply(profileId, key, step) {
      const reviewed = view(profileId).plans[key];
      if (!reviewed) {
        return;
      }
      await op(profileId, key, 'apply', async () => {
        const result = await client.dbt.apply({
          profileId,
          step,
          expectedChangeIds: reviewed.changes.map((c) => c.id),
        });
        if (result.phase === 'planned') {
          // dbt changed since the review: show the new plan instead of applying it unseen.
          patch(profileId, (v) => ({
            plans: { ...v.plans, [key]: result },
            replanned: { ...v.replanned, [key]: true },
          }));
          return;
        }
        patch(profileId, (v) => ({
          plans: without(v.plans, key),
          results: { ...v.results, [key]: result },
          replanned: without(v.replanned, key),
        }));
        await refresh();
        if (key === 'token') {
          await readSecrets(profileId);
          void get().loadTokens(profileId);
        }
        if (key === 'ip' && result.phase === 'verified') {
          await recheckNow(profileId);
        }
      });
    },

    discardPlan(profileId, key) {
      patch(profileId, (v) => ({
        plans: without(v.plans, key),
        replanned: without(v.replanned, key),
        errors: without(v.errors, key),
      }));
    },

    async setScimUrl(profileId, scimUrl) {
      const done = await op(profileId, 'url', 'run', async () => {
        const out = await client.dbt.setScimUrl({ profileId, scimUrl });
        receive(out.profile);
        patch(profileId, { urlWarnings: out.warnings });
        return true;
      });
      return done === true;
    },

    async pasteToken(profileId, value) {
      const done = await op(profileId, 'paste', 'run', async () => {
        const out = await client.dbt.pasteToken({ profileId, value });
        patch(profileId, { pasteNotes: out.notes });
        await readSecrets(profileId);
        await refresh();
        return true;
      });
      if (done && hasSecret(profileId, SECRET_API)) {
        void get().loadTokens(profileId);
      }
      return done === true;
    },

    async loadTokens(profileId) {
      await op(profileId, 'tokens', 'run', async () => {
        const tokens = await client.dbt.tokens({ profileId });
        patch(profileId, { tokens });
      });
    },

    async deleteToken(profileId, tokenId, force) {
      const done = await op(profileId, 'delete', 'run', async () => {
        const tokens = await client.dbt.deleteToken({ profileId, tokenId, force });
        patch(profileId, { tokens });
        await readSecrets(profileId);
        await refresh();
        return true;
      });
      return done === true;
    },

    async check(profileId) {
      await op(profileId, 'check', 'run', async () => {
        const result = await client.dbt.check({ profileId });
        patch(profileId, { check: result });
        await readSecrets(profileId);
        await refresh();
      });
    },

    clearError(profileId, key) {
      patch(profileId, (v) => ({ errors: without(v.errors, key) }));
    },
  };
});

/** The view of one profile (a stable empty view when there is none yet). */
export function useDbtView(profileId: string): DbtView {
  return useDbtStore((s) => s.views[profileId] ?? EMPTY_VIEW);
}

/** Back to nothing (tests, or a full reload). */
export function resetDbtStore(): void {
  useDbtStore.setState({ views: {} });
}

export function secretMeta(v: DbtView, name: string): SecretMetaDto | undefined {
  return (v.secrets ?? []).find((m) => m.name === name);
}
