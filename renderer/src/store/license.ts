/**
 * View state of the License types screen, per profile: the account's plan and dbt's license toggle,
 * the last reviewed plan and apply of each part (the group rules or maps; Okta's toggle), the last
 * check, which call is running, and the error of each.
 *
 * The engine owns the data: the rules live in the profile (`license:setRules` answers it, the
 * wizard store keeps it), apply sends the change ids of the plan the admin reviewed.
 */
import { create } from 'zustand';
import type { Input, Output } from '../../../electron/ipc/contract.js';
import { client } from '../api/client.js';
import { perProfileViews, receiveProfile, refreshProfiles, without } from './per-profile.js';
import type { ErrorInfo } from './wizard.js';

export type LicenseStateDto = Output<'license:state'>;
export type LicenseRun = Output<'license:plan'>;
export type LicenseRulesInput = Omit<Input<'license:setRules'>, 'profileId'>;
export type LicenseTypeValue = LicenseStateDto['offered'][number];

/** What a plan is about: the rules (Okta's group mapping, Entra's maps) or Okta's toggle. */
export type LicensePart = 'rules' | 'toggle';

/** One key per button (or read) that calls the engine. */
export type LicenseOpKey = 'state' | 'save' | 'verify' | `${'plan' | 'apply'}:${LicensePart}`;

export interface LicenseView {
  readonly state: LicenseStateDto | null;
  /** The last plan of each part (what apply sends the ids of). */
  readonly plans: Partial<Record<LicensePart, LicenseRun>>;
  /** The last apply of each part. */
  readonly applied: Partial<Record<LicensePart, LicenseRun>>;
  /** The last read-back of everything (the checklist, the maps). */
  readonly checked: LicenseRun | null;
  /** Set when apply found a plan other than the reviewed one (it then shows the new plan). */
  readonly planChanged: Partial<Record<LicensePart, boolean>>;
  readonly busy: Partial<Record<LicenseOpKey, 'run'>>;
  readonly errors: Partial<Record<LicenseOpKey, ErrorInfo>>;
}

export const EMPTY_LICENSE_VIEW: LicenseView = {
  state: null,
  plans: {},
  applied: {},
  checked: null,
  planChanged: {},
  busy: {},
  errors: {},
};

interface LicenseActions {
  load: (profileId: string) => Promise<void>;
  /** Saves the rules in the profile; the plans made before are dropped. */
  saveRules: (profileId: string, rules: LicenseRulesInput) => Promise<boolean>;
  plan: (profileId: string, part: LicensePart) => Promise<void>;
  /** Applies the reviewed plan of a part (its change ids), then reads the state again. */
  apply: (profileId: string, part: LicensePart) => Promise<void>;
  verify: (profileId: string) => Promise<void>;
  clearError: (profileId: string, key: LicenseOpKey) => void;
}

export type LicenseStoreState = { views: Record<string, LicenseView> } & LicenseActions;

/** The toggle flag sent with a part (Entra ignores it). */
const toggleOf = (part: LicensePart): boolean => part === 'toggle';

export const useLicenseStore = create<LicenseStoreState>()((set, get) => {
  const { view, patch, op } = perProfileViews<LicenseView, LicenseOpKey, 'run'>(
    set,
    get,
    EMPTY_LICENSE_VIEW,
  );

  async function readState(profileId: string): Promise<void> {
    await op(profileId, 'state', 'run', async () => {
      const state = await client.license.state({ profileId });
      patch(profileId, { state });
    });
  }

  return {
    views: {},

    load: readState,

    async saveRules(profileId, rules) {
      const saved = await op(profileId, 'save', 'run', async () => {
        const profile = await client.license.setRules({ profileId, ...rules });
        receiveProfile(profile);
        patch(profileId, (v) => ({
          plans: without(v.plans, 'rules'),
          applied: without(v.applied, 'rules'),
          planChanged: { ...v.planChanged, rules: false },
        }));
        return true;
      });
      return saved === true;
    },

    async plan(profileId, part) {
      await op(profileId, `plan:${part}`, 'run', async () => {
        const result = await client.license.plan({ profileId, toggle: toggleOf(part) });
        patch(profileId, (v) => ({
          plans: { ...v.plans, [part]: result },
          applied: without(v.applied, part),
          planChanged: { ...v.planChanged, [part]: false },
        }));
      });
    },

    async apply(profileId, part) {
      const reviewed = view(profileId).plans[part];
      if (!reviewed) {
        return;
      }
      await op(profileId, `apply:${part}`, 'run', async () => {
        const result = await client.license.apply({
          profileId,
          toggle: toggleOf(part),
          expectedChangeIds: reviewed.changes.map((c) => c.id),
        });
        if (result.phase === 'planned') {
          // The plan is not the one reviewed any more: nothing changed; show the new one.
          patch(profileId, (v) => ({
            plans: { ...v.plans, [part]: result },
            planChanged: { ...v.planChanged, [part]: true },
          }));
          return;
        }
        patch(profileId, (v) => ({
          applied: { ...v.applied, [part]: result },
          ...(result.checks.length > 0 ? { checked: result } : {}),
        }));
      });
      await readState(profileId);
      // The step's status changed on the engine's side (the rail shows it).
      await refreshProfiles();
    },

    async verify(profileId) {
      await op(profileId, 'verify', 'run', async () => {
        // The checklist and the rules; Okta's toggle is item 4 of the checklist.
        const checked = await client.license.verify({ profileId, toggle: false });
        patch(profileId, { checked });
      });
      await refreshProfiles();
    },

    clearError(profileId, key) {
      patch(profileId, (v) => ({ errors: without(v.errors, key) }));
    },
  };
});

/** The view of one profile (a stable empty view when there is none yet). */
export function useLicenseView(profileId: string): LicenseView {
  return useLicenseStore((s) => s.views[profileId] ?? EMPTY_LICENSE_VIEW);
}

/** Back to nothing (tests, or a full reload). */
export function resetLicenseStore(): void {
  useLicenseStore.setState({ views: {} });
}
