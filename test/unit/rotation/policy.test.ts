import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ROTATION_DAYS,
  cleanIntervalDays,
  describeRotationDue,
  newestTime,
  rotationDue,
} from '../../../electron/core/rotation/policy.js';

const since = '2026-09-01T10:00:00.000Z';
const day = 24 * 60 * 60 * 1000;
const at = (days: number) => new Date(Date.parse(since) + days * day);

describe('rotationDue', () => {
  it('counts the default 90 days from when the token in use was created', () => {
    const due = rotationDue({ since, now: at(10) });
    expect(due).toEqual({
      intervalDays: DEFAULT_ROTATION_DAYS,
      since,
      dueAt: '2026-11-30T10:00:00.000Z',
      state: 'ok',
      daysLeft: 80,
      message: 'The next SCIM token rotation is due on 2026-11-30 (every 90 days).',
    });
    expect(describeRotationDue(due)).toBe(
      'The next SCIM token rotation is due on 2026-11-30 (every 90 days).',
    );
  });

  it('is due within seven days of the due date, and overdue after it', () => {
    expect(rotationDue({ since, intervalDays: 30, now: at(22.9) }).state).toBe('ok');
    const soon = rotationDue({ since, intervalDays: 30, now: at(23) });
    expect(soon.state).toBe('due');
    expect(describeRotationDue(soon)).toBe(
      'The SCIM token rotation is due in 7 days, on 2026-10-01.',
    );
    const today = rotationDue({ since, intervalDays: 30, now: at(29.5) });
    expect(describeRotationDue(today)).toBe('The SCIM token rotation is due today (2026-10-01).');
    const justLate = rotationDue({ since, intervalDays: 30, now: at(30.2) });
    expect(justLate.state).toBe('overdue');
    expect(describeRotationDue(justLate)).toBe(
      'The SCIM token rotation is overdue since 2026-10-01 (every 30 days).',
    );
    const late = rotationDue({ since, intervalDays: 30, now: at(33.5) });
    expect(late.daysLeft).toBe(-4);
    expect(describeRotationDue(late)).toBe(
      'The SCIM token rotation is overdue by 3 days (due 2026-10-01, every 30 days).',
    );
  });

  it('is unknown without a token in use', () => {
    const due = rotationDue({ since: null, now: at(0) });
    expect(due).toMatchObject({ state: 'unknown', dueAt: null, daysLeft: null });
    expect(describeRotationDue(due)).toMatch(/no rotation is scheduled/);
    expect(rotationDue({ since: 'not a date', now: at(0) }).state).toBe('unknown');
  });
});

describe('cleanIntervalDays', () => {
  it('accepts whole days in range and refuses the rest with what to enter', () => {
    expect(cleanIntervalDays(90)).toBe(90);
    expect(cleanIntervalDays(7)).toBe(7);
    for (const bad of [6, 731, 30.5, Number.NaN]) {
      expect(() => cleanIntervalDays(bad)).toThrow(/whole number of days from 7 to 730/);
    }
  });
});

describe('newestTime', () => {
  it('picks the newest valid time', () => {
    expect(newestTime(undefined, since, null, '2026-10-01T00:00:00Z', 'junk')).toBe(
      '2026-10-01T00:00:00.000Z',
    );
    expect(newestTime(undefined, null)).toBeNull();
  });
});
