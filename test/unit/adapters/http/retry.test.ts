import { describe, expect, it } from 'vitest';
import {
  DEFAULT_RETRY,
  backoffDelayMs,
  isIdempotent,
  isRetryableStatus,
  parseRateLimitReset,
  parseRetryAfter,
  resolvePolicy,
  serverAskedWaitMs,
} from '../../../../electron/adapters/http/retry.js';

const now = new Date('2026-11-29T10:00:00Z');

describe('parseRetryAfter', () => {
  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 3 ', 3000],
    ['1.5', 1500],
    ['Sun, 29 Nov 2026 10:00:45 GMT', 45_000],
    ['Sun, 29 Nov 2026 09:00:00 GMT', 0],
  ])('%j → %i ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });

  it.each([undefined, '', 'soon', '-5'])('%j → undefined', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('parseRateLimitReset', () => {
  it('reads epoch seconds relative to now', () => {
    const reset = String(now.getTime() / 1000 + 42);
    expect(parseRateLimitReset(reset, now)).toBe(42_000);
    expect(parseRateLimitReset(String(now.getTime() / 1000 - 5), now)).toBe(0);
    expect(parseRateLimitReset('abc', now)).toBeUndefined();
    expect(parseRateLimitReset(undefined, now)).toBeUndefined();
  });
});

describe('serverAskedWaitMs', () => {
  it('prefers Retry-After over X-Rate-Limit-Reset', () => {
    const reset = String(now.getTime() / 1000 + 60);
    expect(serverAskedWaitMs({ 'retry-after': '5', 'x-rate-limit-reset': reset }, now)).toBe(5000);
    expect(serverAskedWaitMs({ 'x-rate-limit-reset': reset }, now)).toBe(60_000);
    expect(serverAskedWaitMs({}, now)).toBeUndefined();
  });
});

describe('backoffDelayMs', () => {
  const policy = { attempts: 6, baseDelayMs: 500, maxDelayMs: 3000 };

  it('doubles each attempt, with jitter between half and the whole delay, capped', () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffDelayMs(a, policy, () => 1))).toEqual([
      500, 1000, 2000, 3000, 3000,
    ]);
    expect([1, 2, 3, 4].map((a) => backoffDelayMs(a, policy, () => 0))).toEqual([
      250, 500, 1000, 1500,
    ]);
    for (let i = 0; i < 50; i++) {
      const d = backoffDelayMs(2, policy);
      expect(d).toBeGreaterThanOrEqual(500);
      expect(d).toBeLessThanOrEqual(1000);
    }
  });
});

describe('policy and methods', () => {
  it('layers client and request policies over the defaults', () => {
    expect(resolvePolicy()).toEqual(DEFAULT_RETRY);
    expect(DEFAULT_RETRY).toEqual({ attempts: 4, baseDelayMs: 500, maxDelayMs: 60_000 });
    expect(resolvePolicy({ attempts: 2 }, { maxDelayMs: 10 })).toEqual({
      attempts: 2,
      baseDelayMs: 500,
      maxDelayMs: 10,
    });
    expect(resolvePolicy({ attempts: 2 }, { attempts: undefined })).toMatchObject({ attempts: 2 });
    expect(resolvePolicy({ attempts: 0 }).attempts).toBe(1);
  });

  it('retries 429 and 503 for every method, 504 only for idempotent ones', () => {
    expect(isRetryableStatus(429, 'POST')).toBe(true);
    expect(isRetryableStatus(503, 'PATCH')).toBe(true);
    expect(isRetryableStatus(504, 'GET')).toBe(true);
    expect(isRetryableStatus(504, 'POST')).toBe(false);
    expect(isRetryableStatus(500, 'GET')).toBe(false);
    expect(isRetryableStatus(502, 'GET')).toBe(false);
    expect(['GET', 'PUT', 'DELETE'].every((m) => isIdempotent(m as 'GET'))).toBe(true);
    expect(isIdempotent('POST') || isIdempotent('PATCH')).toBe(false);
  });
});
