/**
 * View state of the Overview, per profile: the last health check (saved by the engine), whether it
 * was read, which call is running, and the error of each.
 *
 * Opening the Overview shows the saved result at once, then, when it is missing or older than an
 * hour and the profile has a dbt connection, checks again by itself, once per window. The engine
 * owns the data; nothing here is persisted, and no secret reaches it (a token shows its last four).
 */
import { create } from 'zustand';
import type { HealthItemDto, StatusDto } from '../../../electron/ipc/contract.js';
import { client } from '../api/client.js';
import type { ProfileDto } from '../model.js';
import { ageMs } from '../util/time.js';
import { perProfileViews, profileOf, without } from './per-profile.js';
import type { ErrorInfo } from './wizard.js';

export type { HealthItemDto, StatusDto };

/** A saved result older than this is checked again when the Overview opens. */
export const STALE_AFTER_MS = 60 * 60 * 1000;

/** One key per call: reading the saved result, and a full check. */
export type StatusOpKey = 'load' | 'check';

export interface StatusView {
  /** The last health check; null when there is none (or it was not read yet). */
  readonly status: StatusDto | null;
  /** True once the saved result was read (then a null status means "never checked"). */
  readonly loaded: boolean;
  /** True once this window checked by itself (it does so at most once per profile). */
  readonly autoChecked: boolean;
  readonly busy: Partial<Record<StatusOpKey, 'run'>>;
  readonly errors: Partial<Record<StatusOpKey, ErrorInfo>>;
}

export const EMPTY_STATUS_VIEW: StatusView = {
  status: null,
  loaded: false,
  autoChecked: false,
  busy: {},
  errors: {},
};

/** The profile can be checked: the wizard holds a dbt connection for it. */
export function hasDbtConnection(profile: ProfileDto | undefined): boolean {
  return Boolean(profile?.dbt.apiUrl && profile.dbt.accountId !== undefined);
}

/** Whether opening the Overview should check by itself. */
export function needsAutoCheck(
  view: StatusView,
  profile: ProfileDto | undefined,
  now: Date = new Date(),
): boolean {
  if (view.autoChecked || !view.loaded || view.busy.check || !hasDbtConnection(profile)) {
    return false;
  }
  return view.status === null || ageMs(view.status.checkedAt, now) > STALE_AFTER_MS;
}

/** The overall verdict, in words for the summary and the rail. */
export type Health = 'healthy' | 'attention' | 'unchecked';

export const HEALTH_LABELS: Readonly<Record<Health, string>> = {
  healthy: 'Healthy',
  attention: 'Needs attention',
  unchecked: 'Not checked yet',
};

export function healthOf(status: StatusDto | null): Health {
  if (!status) {
    return 'unchecked';
  }
  return status.ok ? 'healthy' : 'attention';
}

/** The items to act on (failed or waiting for the admin), failures first. */
export function problemsOf(status: StatusDto | null): HealthItemDto[] {
  const items = status?.items ?? [];
  return [
    ...items.filter((i) => i.status === 'fail'),
    ...items.filter((i) => i.status === 'pending'),
  ];
}

interface StatusActions {
  /** Reads the saved result; then checks by itself when it is missing or old (once). */
  open: (profileId: string) => Promise<void>;
  /** Runs every check again now (this takes a few seconds). */
  check: (profileId: string) => Promise<void>;
  clearError: (profileId: string, key: StatusOpKey) => void;
}

export type StatusStoreState = { views: Record<string, StatusView> } & StatusActions;

export const useStatusStore = create<StatusStoreState>()((set, get) => {
  const { view, patch, op } = perProfileViews<StatusView, StatusOpKey, 'run'>(
    set,
    get,
    EMPTY_STATUS_VIEW,
  );

  async function check(profileId: string): Promise<void> {
    await op(profileId, 'check', 'run', async () => {
      const status = await client.status.get({ profileId, refresh: true });
      patch(profileId, { status, loaded: true });
    });
  }

  return {
    views: {},

    async open(profileId) {
      if (view(profileId).busy.load) {
        return;
      }
      await op(profileId, 'load', 'run', async () => {
        const status = await client.status.get({ profileId, refresh: false });
        patch(profileId, (v) => ({
          loaded: true,
          // A check that finished meanwhile is newer than the saved result.
          ...(v.busy.check ? {} : { status }),
        }));
      });
      if (needsAutoCheck(view(profileId), profileOf(profileId))) {
        patch(profileId, { autoChecked: true });
        await check(profileId);
      }
    },

    check,

    clearError(profileId, key) {
      patch(profileId, (v) => ({ errors: without(v.errors, key) }));
    },
  };
});

/** The view of one profile (a stable empty view when there is none yet). */
export function useStatusView(profileId: string): StatusView {
  return useStatusStore((s) => s.views[profileId] ?? EMPTY_STATUS_VIEW);
}

/** Back to nothing (tests, or a full reload). */
export function resetStatusStore(): void {
  useStatusStore.setState({ views: {} });
}
