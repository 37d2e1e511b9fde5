/**
 * The rotation policy of a profile: how often the SCIM token should be replaced (default 90 days,
 * as dbt advises regular rotation), and from it, when the next rotation is due. The due date is
 * counted from when the token in use was created (dbt's `created_at` when known, else when the
 * wizard saved it), so a rotation resets it.
 */
import { WizardError } from '../errors.js';

export const DEFAULT_ROTATION_DAYS = 90;
/** The shortest and longest intervals offered. */
export const MIN_ROTATION_DAYS = 7;
export const MAX_ROTATION_DAYS = 730;
/** A rotation is "due" this many days before the due date, "overdue" after it. */
export const DUE_SOON_DAYS = 7;

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * - `unknown`: no token in use is known (nothing to rotate yet);
 * - `ok`: more than DUE_SOON_DAYS before the due date;
 * - `due`: within DUE_SOON_DAYS of the due date;
 * - `overdue`: past the due date.
 */
export type RotationDueState = 'unknown' | 'ok' | 'due' | 'overdue';

export interface RotationDue {
  readonly intervalDays: number;
  /** When the token in use was created (the count starts there), or null when unknown. */
  readonly since: string | null;
  readonly dueAt: string | null;
  readonly state: RotationDueState;
  /** Whole days until the due date (negative when overdue), or null when unknown. */
  readonly daysLeft: number | null;
  /** The same in one sentence, for the screens, the notification and the CLI. */
  readonly message: string;
}

/** Checks an interval typed by an admin (whole days, within the offered range). */
export function cleanIntervalDays(value: number): number {
  if (!Number.isInteger(value) || value < MIN_ROTATION_DAYS || value > MAX_ROTATION_DAYS) {
    throw new WizardError(
      'bad_input',
      `A rotation interval must be a whole number of days from ${MIN_ROTATION_DAYS} to ${MAX_ROTATION_DAYS}.`,
      { remediation: `Enter a number of days such as ${DEFAULT_ROTATION_DAYS}.` },
    );
  }
  return value;
}

/** When the next rotation is due, from when the token in use was created. */
export function rotationDue(input: {
  readonly intervalDays?: number | undefined;
  readonly since?: string | null | undefined;
  readonly now: Date;
}): RotationDue {
  const intervalDays = input.intervalDays ?? DEFAULT_ROTATION_DAYS;
  const sinceMs = input.since ? Date.parse(input.since) : NaN;
  if (!Number.isFinite(sinceMs)) {
    return withMessage({
      intervalDays,
      since: null,
      dueAt: null,
      state: 'unknown',
      daysLeft: null,
    });
  }
  const dueMs = sinceMs + intervalDays * DAY_MS;
  const leftMs = dueMs - input.now.getTime();
  const daysLeft = Math.floor(leftMs / DAY_MS);
  const state: RotationDueState =
    leftMs < 0 ? 'overdue' : leftMs <= DUE_SOON_DAYS * DAY_MS ? 'due' : 'ok';
  return withMessage({
    intervalDays,
    since: new Date(sinceMs).toISOString(),
    dueAt: new Date(dueMs).toISOString(),
    state,
    daysLeft,
  });
}

function withMessage(due: Omit<RotationDue, 'message'>): RotationDue {
  return { ...due, message: describeRotationDue(due) };
}

/** The newest of several candidate start times (ISO strings), or null. */
export function newestTime(...times: readonly (string | null | undefined)[]): string | null {
  let best: number | undefined;
  for (const t of times) {
    const ms = t ? Date.parse(t) : NaN;
    if (Number.isFinite(ms) && (best === undefined || ms > best)) {
      best = ms;
    }
  }
  return best === undefined ? null : new Date(best).toISOString();
}

/** One line for the home screen, a notification or the CLI. */
export function describeRotationDue(due: Omit<RotationDue, 'message'>): string {
  if (due.state === 'unknown' || due.dueAt === null || due.daysLeft === null) {
    return 'No SCIM token in use is known yet, so no rotation is scheduled.';
  }
  const on = due.dueAt.slice(0, 10);
  if (due.state === 'overdue') {
    const late = -due.daysLeft - 1;
    return late <= 0
      ? `The SCIM token rotation is overdue since ${on} (every ${due.intervalDays} days).`
      : `The SCIM token rotation is overdue by ${late} ${late === 1 ? 'day' : 'days'} (due ${on}, every ${due.intervalDays} days).`;
  }
  if (due.state === 'due') {
    return due.daysLeft === 0
      ? `The SCIM token rotation is due today (${on}).`
      : `The SCIM token rotation is due in ${due.daysLeft} ${due.daysLeft === 1 ? 'day' : 'days'}, on ${on}.`;
  }
  return `The next SCIM token rotation is due on ${on} (every ${due.intervalDays} days).`;
}
