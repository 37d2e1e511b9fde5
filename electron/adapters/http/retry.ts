/**
 * Retry arithmetic for the HTTP client: pure functions, no I/O, no clock of their own.
 *  - which methods and statuses may be tried again;
 *  - how long a server asked us to wait (`Retry-After`, Okta's `X-Rate-Limit-Reset`);
 *  - exponential backoff with jitter.
 */
import type { HttpMethod, RetryPolicy } from '../../core/ports.js';

export const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 500, maxDelayMs: 60_000 };

/** The client's policy, overridden field by field by a request's; nonsense values fall back to sane ones. */
export function resolvePolicy(...layers: (Partial<RetryPolicy> | undefined)[]): RetryPolicy {
  let policy: RetryPolicy = DEFAULT_RETRY;
  for (const layer of layers) {
    if (layer) {
      policy = { ...policy, ...stripUndefined(layer) };
    }
  }
  return {
    attempts: Math.max(1, Math.floor(finiteOr(policy.attempts, DEFAULT_RETRY.attempts))),
    baseDelayMs: Math.max(0, finiteOr(policy.baseDelayMs, DEFAULT_RETRY.baseDelayMs)),
    maxDelayMs: Math.max(0, finiteOr(policy.maxDelayMs, DEFAULT_RETRY.maxDelayMs)),
  };
}

function stripUndefined(layer: Partial<RetryPolicy>): Partial<RetryPolicy> {
  const out: { -readonly [K in keyof RetryPolicy]?: number } = {};
  if (layer.attempts !== undefined) {
    out.attempts = layer.attempts;
  }
  if (layer.baseDelayMs !== undefined) {
    out.baseDelayMs = layer.baseDelayMs;
  }
  if (layer.maxDelayMs !== undefined) {
    out.maxDelayMs = layer.maxDelayMs;
  }
  return out;
}

function finiteOr(n: number, fallback: number): number {
  return Number.isFinite(n) ? n : fallback;
}

/** Methods that may be sent twice without changing the outcome (RFC 9110 §9.2.2). */
export function isIdempotent(method: HttpMethod): boolean {
  return method === 'GET' || method === 'PUT' || method === 'DELETE';
}

/**
 * Statuses worth another attempt. The server refused these without acting on them, so even a POST
 * may be sent again (429 and 503 by definition; 504 only for idempotent methods, since a gateway
 * timeout may hide a request the origin did process).
 */
export function isRetryableStatus(status: number, method: HttpMethod): boolean {
  if (status === 429 || status === 503) {
    return true;
  }
  return status === 504 && isIdempotent(method);
}

/**
 * `Retry-After` as milliseconds from `now`: either delay-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Undefined when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (value == null) {
    return undefined;
  }
  const text = value.trim();
  if (text === '') {
    return undefined;
  }
  if (/^\d+(?:\.\d+)?$/.test(text)) {
    return Math.round(Number(text) * 1000);
  }
  // An HTTP-date names a day or month ("Sun, 06 Nov 1994 08:49:37 GMT"); "-5" is not one.
  const at = /[A-Za-z]/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) {
    return undefined;
  }
  return Math.max(0, at - now.getTime());
}

/** Okta's `X-Rate-Limit-Reset` (epoch seconds when the window resets) as milliseconds from `now`. */
export function parseRateLimitReset(value: string | undefined, now: Date): number | undefined {
  if (value == null || !/^\s*\d+\s*$/.test(value)) {
    return undefined;
  }
  return Math.max(0, Number(value.trim()) * 1000 - now.getTime());
}

/** How long the server asked us to wait, from lower-cased response headers; `Retry-After` wins. */
export function serverAskedWaitMs(
  headers: Readonly<Record<string, string>>,
  now: Date,
): number | undefined {
  return (
    parseRetryAfter(headers['retry-after'], now) ??
    parseRateLimitReset(headers['x-rate-limit-reset'], now)
  );
}

/**
 * The wait before attempt `attempt + 1` (attempt counts from 1): base·2^(attempt−1), capped at
 * maxDelayMs, with "equal jitter" so it lies in [delay/2, delay]. `random` is injectable for tests.
 */
export function backoffDelayMs(
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(0, attempt - 1), 30);
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  const half = delay / 2;
  return Math.round(half + random() * half);
}
