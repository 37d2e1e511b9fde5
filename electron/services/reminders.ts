/**
 * Rotation reminders: when the app starts, and every few hours while it runs, each profile whose
 * SCIM token rotation is due (within a week) or overdue gets one OS notification (at most one per
 * profile per day). Clicking it asks the window to open that profile's Rotation step.
 */
import type { Clock, Logger, NotifierPort, SecretStore } from '../core/ports.js';
import { describeRotationDue, type RotationDue } from '../core/rotation/policy.js';
import type { ProfileStore } from '../core/store/profiles.js';
import { errorInfo } from '../core/errors.js';
import { profileRotationDue } from './rotation.js';

/** How often a running app looks again. */
export const REMINDER_EVERY_MS = 6 * 60 * 60 * 1000;

export interface Reminder {
  readonly profileId: string;
  readonly profileName: string;
  readonly due: RotationDue;
  readonly title: string;
  readonly body: string;
}

export interface RemindersDeps {
  readonly home: string;
  readonly profiles: ProfileStore;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  readonly log: Logger;
  readonly notifier?: NotifierPort;
  /** Asks the window to show the profile's Rotation step. */
  readonly open: (profileId: string) => void;
}

export function createReminders(deps: RemindersDeps) {
  /** profileId → the day (YYYY-MM-DD) it was last notified. */
  const shown = new Map<string, string>();

  /** The profiles whose rotation is due or overdue, most urgent first. */
  async function pending(): Promise<Reminder[]> {
    const { profiles } = await deps.profiles.list();
    const out: Reminder[] = [];
    for (const p of profiles) {
      const due = await profileRotationDue(deps, p.id);
      if (due.state !== 'due' && due.state !== 'overdue') {
        continue;
      }
      out.push({
        profileId: p.id,
        profileName: p.name,
        due,
        title:
          due.state === 'overdue'
            ? `SCIM token rotation overdue: ${p.name}`
            : `SCIM token rotation due soon: ${p.name}`,
        body: `${describeRotationDue(due)} Open the Rotation step to replace it with no downtime.`,
      });
    }
    return out.sort((a, b) => (a.due.daysLeft ?? 0) - (b.due.daysLeft ?? 0));
  }

  /** Notifies each due profile not yet notified today; returns the reminders shown. */
  async function check(): Promise<Reminder[]> {
    const notifier = deps.notifier;
    if (!notifier) {
      return [];
    }
    const today = deps.clock.now().toISOString().slice(0, 10);
    const shownNow: Reminder[] = [];
    for (const r of await pending()) {
      if (shown.get(r.profileId) === today) {
        continue;
      }
      shown.set(r.profileId, today);
      notifier.notify({
        title: r.title,
        body: r.body,
        onClick: () => {
          deps.open(r.profileId);
        },
      });
      shownNow.push(r);
    }
    return shownNow;
  }

  async function safeCheck(): Promise<void> {
    try {
      await check();
    } catch (e) {
      deps.log.warn('rotation reminders could not be checked', { code: errorInfo(e).code });
    }
  }

  return {
    pending,
    check,
    /** Checks now, then every REMINDER_EVERY_MS; returns the stop. */
    start(everyMs = REMINDER_EVERY_MS): () => void {
      void safeCheck();
      const timer = setInterval(() => void safeCheck(), everyMs);
      timer.unref();
      return () => {
        clearInterval(timer);
      };
    },
  };
}

export type Reminders = ReturnType<typeof createReminders>;
