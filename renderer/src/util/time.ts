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
