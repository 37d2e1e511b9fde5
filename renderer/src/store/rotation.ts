/**
 * View state of the Rotation screen, per profile: the rotation in progress and the history, the
 * last run's stages, the last copy of the new token, which call is running, and the error of each.
 *
 * The engine owns the data; nothing here is persisted. The new token's value never reaches the
 * renderer: `rotation:copyNewToken` writes the clipboard in the main process and answers only the
 * last four characters.
 */
import { create } from 'zustand';
import type { Output } from '../../../electron/ipc/contract.js';
import { client } from '../api/client.js';
import { perProfileViews, receiveProfile, refreshProfiles, without } from './per-profile.js';
import type { ErrorInfo } from './wizard.js';

export type RotationStateDto = Output<'rotation:state'>;
export type RotationRun = Output<'rotation:run'>;
export type RotationCopied = Output<'rotation:copyNewToken'>;
export type RotationHistoryItem = RotationStateDto['history'][number];

/** One key per button (or read) that calls the engine. */
export type RotationOpKey = 'state' | 'run' | 'copy' | 'policy';

export interface RotationView {
  /** The rotation in progress and the history; null until read. */
  readonly state: RotationStateDto | null;
  /** The last run (start, or "Check again"). */
  readonly result: RotationRun | null;
  /** The last copy of the new token: its last four characters and when the clipboard is cleared. */
  readonly copied: RotationCopied | null;
  readonly busy: Partial<Record<RotationOpKey, 'run'>>;
  readonly errors: Partial<Record<RotationOpKey, ErrorInfo>>;
}

export const EMPTY_ROTATION_VIEW: RotationView = {
  state: null,
  result: null,
  copied: null,
  busy: {},
  errors: {},
};

interface RotationActions {
  load: (profileId: string) => Promise<void>;
  /** Starts a rotation or continues the one in progress, then reads the history again. */
  run: (profileId: string, keepOld: boolean) => Promise<void>;
  copyNewToken: (profileId: string) => Promise<void>;
  /** Sets how often the token should be rotated; the due date is read again. */
  setPolicy: (profileId: string, intervalDays: number) => Promise<boolean>;
  clearError: (profileId: string, key: RotationOpKey) => void;
}

export type RotationStoreState = { views: Record<string, RotationView> } & RotationActions;

export const useRotationStore = create<RotationStoreState>()((set, get) => {
  const { patch, op } = perProfileViews<RotationView, RotationOpKey, 'run'>(
    set,
    get,
    EMPTY_ROTATION_VIEW,
  );

  async function readState(profileId: string): Promise<void> {
    await op(profileId, 'state', 'run', async () => {
      const state = await client.rotation.state({ profileId });
      patch(profileId, { state });
    });
  }

  return {
    views: {},

    load: readState,

    async run(profileId, keepOld) {
      await op(profileId, 'run', 'run', async () => {
        const result = await client.rotation.run({
          profileId,
          ...(keepOld ? { keepOld: true } : {}),
        });
        patch(profileId, {
          result,
          ...(result.outcome === 'pending' ? {} : { copied: null }),
        });
      });
      await readState(profileId);
      // The step's status changed on the engine's side (the rail shows it).
      await refreshProfiles();
    },

    async copyNewToken(profileId) {
      patch(profileId, { copied: null });
      await op(profileId, 'copy', 'run', async () => {
        const copied = await client.rotation.copyNewToken({ profileId });
        patch(profileId, { copied });
      });
    },

    async setPolicy(profileId, intervalDays) {
      const outcome = { saved: false };
      await op(profileId, 'policy', 'run', async () => {
        receiveProfile(await client.rotation.setPolicy({ profileId, intervalDays }));
        outcome.saved = true;
      });
      if (outcome.saved) {
        await readState(profileId);
      }
      return outcome.saved;
    },

    clearError(profileId, key) {
      patch(profileId, (v) => ({ errors: without(v.errors, key) }));
    },
  };
});

/** The view of one profile (a stable empty view when there is none yet). */
export function useRotationView(profileId: string): RotationView {
  return useRotationStore((s) => s.views[profileId] ?? EMPTY_ROTATION_VIEW);
}

/** Back to nothing (tests, or a full reload). */
export function resetRotationStore(): void {
  useRotationStore.setState({ views: {} });
}
