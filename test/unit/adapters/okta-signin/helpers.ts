/**
 * Shared harness of the Okta sign-in adapter tests: a fake org authorization server, a fake
 * browser, our HTTP client, and a watch on every socket (nothing but the loopback, no name lookups).
 */
import dc from 'node:diagnostics_channel';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import {
  createHttpClient,
  type UndiciHttpClient,
} from '../../../../electron/adapters/http/client.js';
import {
  createOktaSignIn,
  oktaRedirectUri,
  type OktaSignIn,
  type OktaSignInOptions,
} from '../../../../electron/adapters/okta/signin.js';
import { WizardError } from '../../../../electron/core/errors.js';
import { memoryLogger } from '../../../../electron/core/logger.js';
import type { LogRecord } from '../../../../electron/core/ports.js';
import {
  fakeOktaBrowser,
  startFakeOktaLogin,
  type FakeOktaBrowser,
  type FakeOktaLogin,
  type FakeOktaLoginOptions,
} from '../../../fakes/okta-login.js';
import { FakeClock } from '../../../helpers/fake-clock.js';

const lookups: string[] = [];
const remoteAddresses: string[] = [];
const onSocket = (message: unknown): void => {
  const socket = (message as { socket: Socket }).socket;
  socket.on('lookup', (_err: Error | null, _address: string, _family: unknown, host: string) => {
    lookups.push(host);
  });
  socket.on('connect', () => {
    remoteAddresses.push(socket.remoteAddress ?? '?');
  });
};

const open: { close(): Promise<void> }[] = [];

/** Installs the socket watch and the cleanup in the calling test file. */
export function watchSockets(): void {
  dc.subscribe('net.client.socket', onSocket);
  afterAll(() => {
    dc.unsubscribe('net.client.socket', onSocket);
  });
  beforeEach(() => {
    lookups.length = 0;
    remoteAddresses.length = 0;
  });
  afterEach(async () => {
    for (const o of open.splice(0)) {
      await o.close();
    }
    expect(lookups).toEqual([]);
    expect(remoteAddresses.every((a) => a === '127.0.0.1')).toBe(true);
  });
}

/** A port nothing listens on right now (the fixed redirect port of a test). */
export async function freePort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address() as AddressInfo;
  s.close();
  await once(s, 'close');
  return port;
}

/** Whether something still listens on the loopback port. */
export async function listening(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/`).then(
    () => true,
    () => false,
  );
}

export interface Harness {
  readonly fake: FakeOktaLogin;
  readonly port: number;
  readonly clock: FakeClock;
  readonly http: UndiciHttpClient;
  readonly browser: FakeOktaBrowser;
  readonly records: LogRecord[];
  readonly signIn: OktaSignIn;
  make(overrides?: Partial<OktaSignInOptions>): OktaSignIn;
}

export async function setup(
  fakeOptions: FakeOktaLoginOptions = {},
  overrides: Partial<OktaSignInOptions> = {},
): Promise<Harness> {
  const port = await freePort();
  const clock = new FakeClock();
  const fake = await startFakeOktaLogin({
    nativeApps: [{ redirectUris: [oktaRedirectUri(port)] }],
    now: () => clock.now(),
    ...fakeOptions,
  });
  open.push(fake);
  const { logger, records } = memoryLogger('okta-signin-test');
  const http = createHttpClient({ log: logger, clock, retry: { attempts: 1 } });
  open.push(http);
  const browser = fakeOktaBrowser();
  const make = (o: Partial<OktaSignInOptions> = {}): OktaSignIn =>
    createOktaSignIn({
      http,
      orgUrl: fake.url,
      openBrowser: (url) => browser.open(url),
      now: () => clock.now(),
      redirectPort: port,
      log: logger,
      ...overrides,
      ...o,
    });
  return { fake, port, clock, http, browser, records, signIn: make(), make };
}

/** Every message a test saw, for the "no secret in any message" checks. */
export const messages: string[] = [];

export async function caught(work: Promise<unknown>): Promise<WizardError> {
  try {
    await work;
  } catch (e) {
    if (e instanceof WizardError) {
      messages.push(e.message, e.remediation, JSON.stringify(e.toInfo()));
      return e;
    }
    throw new Error(`expected a WizardError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected the call to fail, but it succeeded');
}

/** Every secret the fake handed out or received. */
export function secretsOf(f: FakeOktaLogin): string[] {
  const i = f.state.issued;
  return [
    ...i.accessTokens,
    ...i.refreshTokens,
    ...i.idTokens,
    ...i.codes,
    ...i.codeVerifiers,
    ...i.assertions,
  ].filter((s) => s.length > 0);
}
