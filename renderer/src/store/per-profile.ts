/**
 * The view-state helpers both step stores use: one view per profile, patched immutably, and a
 * call runner that marks a call busy, clears its old error, and keeps its new error if it fails.
 */
import { toErrorInfo } from '../api/client.js';
import type { ProfileDto } from '../model.js';
import { useWizardStore, type ErrorInfo } from './wizard.js';

/** Hands a profile the engine returned to the wizard store (rail, header). */
export function receiveProfile(profile: ProfileDto): void {
  useWizardStore.getState().receiveProfile(profile);
}

/** Reads every profile again (step statuses change on the engine's side). */
export function refreshProfiles(): Promise<void> {
  return useWizardStore.getState().refreshProfiles();
}

/** The wizard store's copy of a profile. */
export function profileOf(profileId: string): ProfileDto | undefined {
  return useWizardStore.getState().profiles.find((p) => p.id === profileId);
}

/** A copy of a small keyed record without one key. */
export function without<K extends string, V>(
  record: Partial<Record<K, V>>,
  key: K,
): Partial<Record<K, V>> {
  const next = { ...record };
  // eslint-disable-next-line @typescript-eslint/no-dynamic-delete -- a small keyed record
  delete next[key];
  return next;
}

interface CallView<K extends string, B> {
  readonly busy: Partial<Record<K, B>>;
  readonly errors: Partial<Record<K, ErrorInfo>>;
}

export function perProfileViews<V extends CallView<K, B>, K extends string, B>(
  set: (fn: (s: { views: Record<string, V> }) => { views: Record<string, V> }) => void,
  get: () => { views: Record<string, V> },
  empty: V,
) {
  function view(profileId: string): V {
    return get().views[profileId] ?? empty;
  }

  function patch(profileId: string, change: Partial<V> | ((v: V) => Partial<V>)): void {
    set((s) => {
      const current = s.views[profileId] ?? empty;
      const next = typeof change === 'function' ? change(current) : change;
      return { views: { ...s.views, [profileId]: { ...current, ...next } } };
    });
  }

  async function op<T>(
    profileId: string,
    key: K,
    busy: B,
    run: () => Promise<T>,
  ): Promise<T | undefined> {
    patch(
      profileId,
      (v) => ({ busy: { ...v.busy, [key]: busy }, errors: without(v.errors, key) }) as Partial<V>,
    );
    try {
      return await run();
    } catch (e) {
      patch(profileId, (v) => ({ errors: { ...v.errors, [key]: toErrorInfo(e) } }) as Partial<V>);
      return undefined;
    } finally {
      patch(profileId, (v) => ({ busy: without(v.busy, key) }) as Partial<V>);
    }
  }

  return { view, patch, op };
}
