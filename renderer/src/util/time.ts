/** Times as people read them in the wizard: "10:42", and "29 Nov 2026, 10:42" for older ones. */

function parse(at: string): Date | undefined {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** "10:42" in local time ("" for a time that does not parse). */
export function clockTime(at: string): string {
  const d = parse(at);
  return d ? `${pad(d.getHours())}:${pad(d.getMinutes())}` : '';
}

/** "10:42" today, "29 Nov 2026, 10:42" on another day. */
export function dateTime(at: string, now: Date = new Date()): string {
  const d = parse(at);
  if (!d) {
    return '';
  }
  if (d.toDateString() === now.toDateString()) {
    return `today ${clockTime(at)}`;
  }
  const day = d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
  return `${day}, ${clockTime(at)}`;
}

/** "2026-11-29" in local time, for default names. */
export function isoDay(now: Date = new Date()): string {
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** "10:43:05" in local time ("" for a time that does not parse). */
export function clockSeconds(at: string): string {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) {
    return '';
  }
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** "1 day", "3 days". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** "29 Nov 2026" in local time ("" for a time that does not parse). */
export function calendarDay(at: string): string {
  const d = parse(at);
  return d
    ? d.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' })
    : '';
}

/**
 * How long ago (or how soon) a time is, as people say it: "just now", "12 minutes ago",
 * "3 hours ago", "yesterday", "5 days ago", "4 months ago"; "in 2 hours", "tomorrow",
 * "in 12 days" for the future ("" for a time that does not parse).
 */
export function relativeTime(at: string, now: Date = new Date()): string {
  const d = parse(at);
  if (!d) {
    return '';
  }
  const diff = now.getTime() - d.getTime();
  const past = diff >= 0;
  const ms = Math.abs(diff);
  const say = (amount: string): string => (past ? `${amount} ago` : `in ${amount}`);
  if (ms < MINUTE_MS) {
    return past ? 'just now' : 'in a moment';
  }
  if (ms < HOUR_MS) {
    return say(plural(Math.floor(ms / MINUTE_MS), 'minute'));
  }
  if (ms < DAY_MS) {
    return say(plural(Math.floor(ms / HOUR_MS), 'hour'));
  }
  const days = Math.floor(ms / DAY_MS);
  if (days === 1) {
    return past ? 'yesterday' : 'tomorrow';
  }
  if (days < 60) {
    return say(plural(days, 'day'));
  }
  if (days < 730) {
    return say(plural(Math.floor(days / 30), 'month'));
  }
  return say(plural(Math.floor(days / 365), 'year'));
}

/** Milliseconds since a time (Infinity for a time that does not parse). */
export function ageMs(at: string, now: Date = new Date()): number {
  const d = parse(at);
  return d ? now.getTime() - d.getTime() : Number.POSITIVE_INFINITY;
}
