/**
 * The real HTTP client, wired for tests against the fake dbt: a memory logger, a FakeClock (so
 * retries do not wait) and a resolver that refuses every name, so nothing can ever leave 127.0.0.1.
 */
import type { LookupFunction } from 'node:net';
import {
  createHttpClient,
  type UndiciHttpClient,
} from '../../../../electron/adapters/http/client.js';
import { WizardError } from '../../../../electron/core/errors.js';
import { memoryLogger } from '../../../../electron/core/logger.js';
import type { LogRecord } from '../../../../electron/core/ports.js';
import { FakeClock } from '../../../helpers/fake-clock.js';

export interface TestClient {
  readonly http: UndiciHttpClient;
  readonly clock: FakeClock;
  readonly records: LogRecord[];
  /** Host names anything tried to resolve (must stay empty: tests use IP literals). */
  readonly lookups: string[];
}

export function testClient(): TestClient {
  const { logger, records } = memoryLogger('http');
  const clock = new FakeClock();
  const lookups: string[] = [];
  const lookup = ((hostname: string, _options: unknown, callback: unknown) => {
    lookups.push(hostname);
    const cb = (typeof _options === 'function' ? _options : callback) as (
      err: NodeJS.ErrnoException,
    ) => void;
    const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    err.code = 'ENOTFOUND';
    err.syscall = 'getaddrinfo';
    setImmediate(() => {
      cb(err);
    });
  }) as LookupFunction;
  const http = createHttpClient({ log: logger, clock, random: () => 0, lookup, env: {} });
  return { http, clock, records, lookups };
}

/** Runs `fn` and returns the WizardError it throws (fails the test otherwise). */
export async function caught(fn: () => Promise<unknown>): Promise<WizardError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof WizardError) {
      return e;
    }
    throw new Error(`expected a WizardError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected the call to fail, but it succeeded');
}
