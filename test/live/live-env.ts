/**
 * The live suites' switches and inputs. A suite runs only when its `LIVE_X=1` is set, reads by
 * default, and writes (only objects it creates and deletes itself) when `LIVE_WRITE=1` too.
 * These suites are the one place that talks to real services; the default suites stay on loopback.
 */
import { randomBytes } from 'node:crypto';
import { createHttpClient, type UndiciHttpClient } from '../../electron/adapters/http/client.js';
import { systemClock } from '../../electron/core/clock.js';
import { createLogger } from '../../electron/core/logger.js';
import { registerSecret } from '../../electron/core/redact.js';

export type LiveSuite = 'LIVE_DBT' | 'LIVE_OKTA' | 'LIVE_ENTRA';

const NAMES: Record<LiveSuite, string> = {
  LIVE_DBT: 'dbt',
  LIVE_OKTA: 'Okta',
  LIVE_ENTRA: 'Entra',
};

export const env: Readonly<Record<string, string | undefined>> = process.env;

export function isOn(name: string): boolean {
  const v = env[name]?.trim().toLowerCase();
  return v === '1' || v === 'true' || v === 'yes';
}

/** Whether the suite runs; prints one line saying why not when it does not. */
export function liveSuite(suite: LiveSuite): boolean {
  const on = isOn(suite);
  if (!on) {
    console.log(
      `${suite} not set: skipping the ${NAMES[suite]} live suite (see README › Live suites)`,
    );
  }
  return on;
}

/** Writing tests run only with LIVE_WRITE=1, on objects they create and delete themselves. */
export const liveWrite = isOn('LIVE_WRITE');

/**
 * The suite's variables: throws, naming every missing one, when the suite is on but they are not
 * all set. Secrets are registered with the redaction sink so no log or error repeats them.
 */
export function requireVars<K extends string>(
  suite: LiveSuite,
  names: readonly K[],
  secrets: readonly K[] = [],
  /** How to name a missing variable, e.g. `OKTA_API_TOKEN or OKTA_ACCESS_TOKEN`. */
  labels: Partial<Record<K, string>> = {},
): Record<K, string> {
  const missing = names.filter((n) => (env[n] ?? '').trim() === '').map((n) => labels[n] ?? n);
  if (missing.length > 0) {
    throw new Error(
      `${suite}=1 but ${missing.length === 1 ? 'this variable is' : 'these variables are'} not set: ${missing.join(', ')} (see README › Live suites).`,
    );
  }
  const out = {} as Record<K, string>;
  for (const n of names) {
    out[n] = (env[n] ?? '').trim();
  }
  for (const s of secrets) {
    registerSecret(out[s]);
  }
  return out;
}

/** The production HTTP client (proxy variables honoured), logging warnings to stderr. */
export function liveHttp(): UndiciHttpClient {
  return createHttpClient({
    log: createLogger('live', {
      level: 'warn',
      transport: (r) => {
        console.error(`[${r.level}] ${r.message}`);
      },
    }),
    clock: systemClock,
    userAgent: 'dbt-scim-wizard-live-tests',
  });
}

/** A name for an object a writing test creates: `scim-wizard-live-<random>`. */
export function liveName(): string {
  return `scim-wizard-live-${randomBytes(4).toString('hex')}`;
}

/** Polls `check` until it returns true or `attempts` run out (real services settle eventually). */
export async function eventually(
  check: () => Promise<boolean>,
  { attempts = 10, delayMs = 3_000 } = {},
): Promise<boolean> {
  for (let i = 0; i < attempts; i++) {
    if (await check()) {
      return true;
    }
    await systemClock.sleep(delayMs);
  }
  return false;
}
