/**
 * View state of the wizard window: the profiles and which one is active, its current step, the
 * secret-storage status, app info, loading and error states, and a live log of engine events.
 *
 * The engine owns the data: every action calls the api client, and progress (the current step)
 * is saved by the engine through `wizard.goto`. Nothing here is persisted by the renderer.
 */
import { create } from 'zustand';
import type { SecretStatusDto } from '../../../electron/ipc/contract.js';
import { client, toErrorInfo, type AppInfo, type InterruptedRun } from '../api/client.js';
import type { EngineEventDto, Idp, ProfileDto, StepId } from '../model.js';
import { statusOf } from '../model.js';
import { describeEvent, LOG_LIMIT, type LogEntry } from './events.js';

export interface ErrorInfo {
  readonly code: string;
  readonly message: string;
}

/** A failed action, shown by an ErrorCallout with an optional retry. */
export interface ActionError {
  readonly title: string;
  readonly error: ErrorInfo;
  readonly retry?: () => void;
}

export type LoadStatus = 'idle' | 'loading' | 'ready' | 'error';

/** What the main area shows: the profile's Overview (its health) or its current step. */
export type WizardView = 'overview' | 'step';

/** The steps that make a setup complete: dbt, the identity provider, and the test. */
export const SETUP_STEPS: readonly StepId[] = ['dbt', 'idp', 'test'];

/** True once dbt, the identity provider and the test are verified. */
export function isSetupComplete(profile: ProfileDto): boolean {
  return SETUP_STEPS.every((step) => statusOf(profile, step) === 'verified');
}

/** A complete setup opens on its Overview; one still being set up opens on its current step. */
function openingView(profile: ProfileDto | undefined): WizardView {
  return profile && isSetupComplete(profile) ? 'overview' : 'step';
}

interface WizardData {
  load: LoadStatus;
  loadError: ErrorInfo | null;
  profiles: ProfileDto[];
  activeProfileId: string | null;
  /** UI state only (never saved): the Overview or the current step. */
  view: WizardView;
  appInfo: AppInfo | null;
  secretStatus: SecretStatusDto | null;
  /** Interrupted runs of the active profile, until dismissed. */
  interrupted: InterruptedRun[];
  /** Engine events per profile id, newest last. */
  log: Record<string, LogEntry[]>;
  /** The latest status line for the active profile, for the aria-live region. */
  announcement: string;
  actionError: ActionError | null;
}

interface WizardActions {
  loadAll: () => Promise<void>;
  /** Re-reads the profiles without the loading screen (after a run ends, say). */
  refreshProfiles: () => Promise<void>;
  /** Takes a profile the engine answered with (after a dbt call, say) in place of the old one. */
  receiveProfile: (profile: ProfileDto) => void;
  /** Actions started from a form or dialog answer `null` when done, or the error it shows. */
  createProfile: (input: { name: string; idp: Idp | null }) => Promise<ErrorInfo | null>;
  selectProfile: (id: string) => Promise<void>;
  updateProfile: (input: {
    id: string;
    name?: string;
    idp?: Idp | null;
  }) => Promise<ErrorInfo | null>;
  deleteProfile: (id: string) => Promise<ErrorInfo | null>;
  /** Opens a step (and leaves the Overview). */
  goto: (step: StepId) => Promise<boolean>;
  showOverview: () => void;
  acceptWeakBackend: (accepted: boolean) => Promise<ErrorInfo | null>;
  receiveEvent: (event: EngineEventDto) => void;
  dismissInterrupted: () => void;
  clearActionError: () => void;
}

export type WizardState = WizardData & WizardActions;

function initialData(): WizardData {
  return {
    load: 'idle',
    loadError: null,
    profiles: [],
    activeProfileId: null,
    view: 'step',
    appInfo: null,
    secretStatus: null,
    interrupted: [],
    log: {},
    announcement: '',
    actionError: null,
  };
}

const ENDING_PHASES: ReadonlySet<string> = new Set(['verified', 'failed', 'cancelled']);

function replaceProfile(list: ProfileDto[], next: ProfileDto): ProfileDto[] {
  return list.map((p) => (p.id === next.id ? next : p));
}

export const useWizardStore = create<WizardState>()((set, get) => {
  let eventSeq = 0;

  /** Reads the interrupted runs of a profile; quiet on failure (it is advice, not a blocker). */
  async function checkInterrupted(profileId: string | null): Promise<void> {
    set({ interrupted: [] });
    if (!profileId) {
      return;
    }
    try {
      const runs = await client.wizard.interrupted({ profileId });
      if (get().activeProfileId === profileId) {
        set({ interrupted: runs });
      }
    } catch {
      // The alert is only advice; the step screens stay usable without it.
    }
  }

  function fail(title: string, e: unknown, retry?: () => void): void {
    set({ actionError: { title, error: toErrorInfo(e), ...(retry ? { retry } : {}) } });
  }

  return {
    ...initialData(),

    async loadAll() {
      set({ load: 'loading', loadError: null });
      const [info, status, list] = await Promise.allSettled([
        client.app.info(),
        client.secrets.status(),
        client.profiles.list(),
      ]);
      if (list.status === 'rejected') {
        set({ load: 'error', loadError: toErrorInfo(list.reason) });
        return;
      }
      const { profiles, activeProfileId } = list.value;
      const active = profiles.some((p) => p.id === activeProfileId)
        ? activeProfileId
        : (profiles[0]?.id ?? null);
      set({
        load: 'ready',
        profiles,
        activeProfileId: active,
        view: openingView(profiles.find((p) => p.id === active)),
        appInfo: info.status === 'fulfilled' ? info.value : null,
        secretStatus: status.status === 'fulfilled' ? status.value : null,
      });
      await checkInterrupted(active);
    },

    async refreshProfiles() {
      try {
        const { profiles } = await client.profiles.list();
        set({ profiles });
      } catch {
        // The next action reports the problem; a background refresh stays quiet.
      }
    },

    receiveProfile(profile) {
      set((s) => ({ profiles: replaceProfile(s.profiles, profile) }));
    },

    async createProfile(input) {
      try {
        const profile = await client.profiles.create(input);
        set((s) => ({
          profiles: [...s.profiles.filter((p) => p.id !== profile.id), profile],
          activeProfileId: profile.id,
          view: 'step',
          interrupted: [],
          announcement: '',
          actionError: null,
        }));
        return null;
      } catch (e) {
        return toErrorInfo(e);
      }
    },

    async selectProfile(id) {
      const previous = get().activeProfileId;
      if (id === previous) {
        return;
      }
      const previousView = get().view;
      set({
        activeProfileId: id,
        view: openingView(get().profiles.find((p) => p.id === id)),
        announcement: '',
        actionError: null,
      });
      try {
        await client.profiles.select({ id });
      } catch (e) {
        set({ activeProfileId: previous, view: previousView });
        fail('Could not switch profile', e, () => void get().selectProfile(id));
        return;
      }
      await checkInterrupted(id);
    },

    async updateProfile(input) {
      try {
        const profile = await client.profiles.update(input);
        set((s) => ({ profiles: replaceProfile(s.profiles, profile) }));
        return null;
      } catch (e) {
        return toErrorInfo(e);
      }
    },

    async deleteProfile(id) {
      try {
        await client.profiles.delete({ id });
      } catch (e) {
        return toErrorInfo(e);
      }
      set((s) => ({
        log: Object.fromEntries(Object.entries(s.log).filter(([key]) => key !== id)),
        announcement: '',
        actionError: null,
      }));
      try {
        const { profiles, activeProfileId } = await client.profiles.list();
        const active = profiles.some((p) => p.id === activeProfileId)
          ? activeProfileId
          : (profiles[0]?.id ?? null);
        set({
          profiles,
          activeProfileId: active,
          view: openingView(profiles.find((p) => p.id === active)),
        });
        await checkInterrupted(active);
      } catch {
        const profiles = get().profiles.filter((p) => p.id !== id);
        set({
          profiles,
          activeProfileId: profiles[0]?.id ?? null,
          view: openingView(profiles[0]),
          interrupted: [],
        });
      }
      return null;
    },

    async goto(step) {
      const { activeProfileId: profileId, profiles } = get();
      const before = profiles.find((p) => p.id === profileId);
      if (!profileId || !before) {
        return false;
      }
      // Optimistic: the screen changes at once; the engine saves it and answers the profile.
      const beforeView = get().view;
      set({ profiles: replaceProfile(profiles, { ...before, currentStep: step }), view: 'step' });
      try {
        const saved = await client.wizard.goto({ profileId, step });
        set((s) => ({ profiles: replaceProfile(s.profiles, saved), actionError: null }));
        return true;
      } catch (e) {
        set((s) => {
          const now = s.profiles.find((p) => p.id === profileId);
          return now
            ? {
                profiles: replaceProfile(s.profiles, { ...now, currentStep: before.currentStep }),
                view: beforeView,
              }
            : {};
        });
        fail('Could not open that step', e, () => void get().goto(step));
        return false;
      }
    },

    showOverview() {
      set({ view: 'overview' });
    },

    async acceptWeakBackend(accepted) {
      try {
        const secretStatus = await client.secrets.acceptWeakBackend({ accepted });
        set({ secretStatus });
        return null;
      } catch (e) {
        return toErrorInfo(e);
      }
    },

    receiveEvent(event) {
      if (event.type === 'open') {
        // Main asks to show a step (a rotation reminder was clicked).
        void (async () => {
          if (get().activeProfileId !== event.profileId) {
            await get().selectProfile(event.profileId);
          }
          await get().goto(event.step);
        })();
        return;
      }
      const { profiles, activeProfileId } = get();
      const idp = profiles.find((p) => p.id === event.profileId)?.idp ?? null;
      eventSeq += 1;
      const entry: LogEntry = { key: `e${eventSeq}`, ...describeEvent(event, idp) };
      set((s) => ({
        log: {
          ...s.log,
          [event.profileId]: [...(s.log[event.profileId] ?? []), entry].slice(-LOG_LIMIT),
        },
        ...(event.profileId === activeProfileId ? { announcement: entry.text } : {}),
      }));
      if (event.type === 'phase' && ENDING_PHASES.has(event.phase)) {
        void get().refreshProfiles();
      }
    },

    dismissInterrupted() {
      set({ interrupted: [] });
    },

    clearActionError() {
      set({ actionError: null });
    },
  };
});

/** Back to the first-load state (tests, or a full reload). */
export function resetWizardStore(): void {
  useWizardStore.setState(initialData());
}

export function selectActiveProfile(s: WizardState): ProfileDto | null {
  return s.profiles.find((p) => p.id === s.activeProfileId) ?? null;
}
