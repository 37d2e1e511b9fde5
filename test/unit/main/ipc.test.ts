import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

import type { IpcMainInvokeEvent } from 'electron';
import type { EngineEvent } from '../../../electron/core/engine.js';
import { memoryLogger } from '../../../electron/core/logger.js';
import { CHANNELS, EVENTS, type Channel } from '../../../electron/ipc/channels.js';
import {
  PERMISSION_DENIED,
  bindIpc,
  createSenderCheck,
  forwardEvents,
  type SenderEvent,
} from '../../../electron/main/ipc.js';
import { APP_ORIGIN, trustedOrigins } from '../../../electron/main/origin.js';
import { createServices } from '../../../electron/services/container.js';
import type { HandlerTable } from '../../../electron/services/dispatch.js';
import { tempDir } from '../../helpers/temp.js';

const TRUSTED_ID = 7;
const origins = trustedOrigins();
const trustedIds = new Set([TRUSTED_ID]);
const check = createSenderCheck({ origins, trustedIds });

interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
  processId: number;
  routingId: number;
}

function frame(url: string, parent: FakeFrame | null = null, routingId = 1): FakeFrame {
  return { url, parent, processId: 3, routingId };
}

function event(
  options: { url?: string; id?: number; sub?: boolean; frameGone?: boolean } = {},
): SenderEvent {
  const main = frame(options.url ?? 'app://wizard/index.html');
  const senderFrame = options.frameGone ? null : options.sub ? frame(main.url, main, 2) : main;
  return { sender: { id: options.id ?? TRUSTED_ID, mainFrame: main }, senderFrame };
}

const FOREIGN: [string, SenderEvent][] = [
  ['another origin', event({ url: 'https://evil.example.com/' })],
  ['another app:// host', event({ url: 'app://evil/index.html' })],
  ['a file:// page', event({ url: 'file:///tmp/index.html' })],
  ['a data: page', event({ url: 'data:text/html,hi' })],
  ['about:blank', event({ url: 'about:blank' })],
  ['the dev server when not in development', event({ url: 'http://localhost:5173/' })],
  ['a subframe of the app page', event({ sub: true })],
  ['an unknown web contents', event({ id: 99 })],
  ['a frame that is gone', event({ frameGone: true })],
  [
    'a top frame that is not the sender main frame',
    {
      sender: { id: TRUSTED_ID, mainFrame: frame('app://wizard/index.html') },
      senderFrame: frame('app://wizard/index.html', null, 5),
    },
  ],
];

describe('createSenderCheck', () => {
  it('trusts the top frame of our window on app://wizard', () => {
    expect(check(event())).toBe(true);
    // The same frame object, as Electron gives it.
    const main = frame('app://wizard/index.html');
    expect(check({ sender: { id: TRUSTED_ID, mainFrame: main }, senderFrame: main })).toBe(true);
  });

  it.each(FOREIGN)('refuses %s', (_name, e) => {
    expect(check(e)).toBe(false);
  });

  it('trusts the dev server origin only when it is configured', () => {
    const dev = createSenderCheck({ origins: trustedOrigins('http://localhost:5173'), trustedIds });
    expect(dev(event({ url: 'http://localhost:5173/' }))).toBe(true);
    expect(dev(event({ url: 'http://localhost:5174/' }))).toBe(false);
  });
});

function fakeIpcMain() {
  const handlers = new Map<
    string,
    (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>
  >();
  return {
    handlers,
    handle: vi.fn(
      (channel: string, l: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>) => {
        handlers.set(channel, l);
      },
    ),
    removeHandler: vi.fn((channel: string) => {
      handlers.delete(channel);
    }),
    call(channel: Channel, e: SenderEvent, input?: unknown) {
      return handlers.get(channel)!(e as unknown as IpcMainInvokeEvent, input);
    },
  };
}

function fakeTable() {
  const table: Record<string, ReturnType<typeof vi.fn>> = {};
  for (const channel of CHANNELS) {
    table[channel] = vi.fn(() => Promise.resolve(null));
  }
  table['app:info'] = vi.fn(() =>
    Promise.resolve({ name: 'n', version: '1', platform: 'linux', face: 'electron' }),
  );
  return table;
}

describe('bindIpc with a fake handler table', () => {
  it('registers exactly one handler per channel, and unbinds them', () => {
    const ipc = fakeIpcMain();
    const unbind = bindIpc(ipc, fakeTable() as unknown as HandlerTable, {
      isTrustedSender: check,
      log: memoryLogger().logger,
    });
    expect([...ipc.handlers.keys()].sort()).toEqual([...CHANNELS].sort());
    unbind();
    expect(ipc.handlers.size).toBe(0);
  });

  it.each(FOREIGN)(
    'answers permission_denied to %s, logs a warning, and never runs the handler',
    async (_n, e) => {
      const ipc = fakeIpcMain();
      const table = fakeTable();
      const { logger, records } = memoryLogger();
      bindIpc(ipc, table as unknown as HandlerTable, { isTrustedSender: check, log: logger });
      for (const channel of ['app:info', 'secrets:set', 'shell:openExternal'] as const) {
        await expect(ipc.call(channel, e, { url: 'https://cloud.getdbt.com/' })).resolves.toEqual(
          PERMISSION_DENIED,
        );
        expect(table[channel]).not.toHaveBeenCalled();
      }
      expect(
        records.filter((r) => r.level === 'warn' && r.message.includes('foreign sender')),
      ).toHaveLength(3);
    },
  );

  it('answers permission_denied (never throws) when the check itself throws', async () => {
    const ipc = fakeIpcMain();
    const table = fakeTable();
    bindIpc(ipc, table as unknown as HandlerTable, {
      isTrustedSender: () => {
        throw new Error('boom');
      },
      log: memoryLogger().logger,
    });
    await expect(ipc.call('app:info', event())).resolves.toEqual(PERMISSION_DENIED);
    expect(table['app:info']).not.toHaveBeenCalled();
  });

  it.each([
    ['profiles:create', { name: '', idp: null }],
    ['profiles:create', { name: 'x', idp: 'google' }],
    ['profiles:create', 'a string'],
    ['profiles:select', { id: '../../etc' }],
    ['profiles:select', { id: 'ok', extra: 1 }],
    ['secrets:set', { profileId: 'p', name: 'Bad Name', value: 'v' }],
    ['secrets:set', { profileId: 'p', name: 'dbt.token', value: 'a\u0000b' }],
    ['shell:openExternal', { url: 'not a url' }],
    ['shell:openExternal', null],
    ['wizard:goto', { profileId: 'p', step: 'no-such-step' }],
  ] as [Channel, unknown][])(
    'answers bad_input to %s %j without running the handler',
    async (channel, input) => {
      const ipc = fakeIpcMain();
      const table = fakeTable();
      bindIpc(ipc, table as unknown as HandlerTable, {
        isTrustedSender: check,
        log: memoryLogger().logger,
      });
      const result = (await ipc.call(channel, event(), input)) as {
        ok: boolean;
        error?: { code: string };
      };
      expect(result.ok).toBe(false);
      expect(result.error?.code).toBe('bad_input');
      expect(table[channel]).not.toHaveBeenCalled();
    },
  );

  it('runs the handler for a trusted sender and returns {ok:true}', async () => {
    const ipc = fakeIpcMain();
    const table = fakeTable();
    bindIpc(ipc, table as unknown as HandlerTable, {
      isTrustedSender: check,
      log: memoryLogger().logger,
    });
    await expect(ipc.call('app:info', event())).resolves.toEqual({
      ok: true,
      value: { name: 'n', version: '1', platform: 'linux', face: 'electron' },
    });
    await expect(ipc.call('profiles:select', event(), { id: 'abc' })).resolves.toEqual({
      ok: true,
      value: null,
    });
    expect(table['profiles:select']).toHaveBeenCalledWith({ id: 'abc' });
  });
});

describe('bindIpc over the real services', () => {
  let home: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir: home, cleanup } = await tempDir());
  });
  afterEach(async () => {
    await cleanup();
  });

  it('creates a profile, lists it, and refuses malformed input and foreign senders', async () => {
    const { logger } = memoryLogger();
    const services = createServices({
      home,
      face: 'electron',
      version: '9.9.9',
      log: logger,
      platform: 'linux',
    });
    const ipc = fakeIpcMain();
    bindIpc(ipc, services.handlers, { isTrustedSender: check, log: logger });

    await expect(ipc.call('app:info', event())).resolves.toEqual({
      ok: true,
      value: { name: 'dbt SCIM Wizard', version: '9.9.9', platform: 'linux', face: 'electron' },
    });
    const created = (await ipc.call('profiles:create', event(), { name: 'Acme', idp: 'okta' })) as {
      ok: true;
      value: { id: string; name: string };
    };
    expect(created).toMatchObject({ ok: true, value: { name: 'Acme' } });
    const list = (await ipc.call('profiles:list', event())) as {
      ok: true;
      value: { profiles: unknown[] };
    };
    expect(list.value.profiles).toHaveLength(1);

    await expect(ipc.call('profiles:create', event(), { name: 42 })).resolves.toMatchObject({
      ok: false,
      error: { code: 'bad_input' },
    });
    await expect(
      ipc.call('profiles:create', event({ url: 'file:///x' }), { name: 'Evil', idp: null }),
    ).resolves.toEqual(PERMISSION_DENIED);
    const after = (await ipc.call('profiles:list', event())) as {
      ok: true;
      value: { profiles: unknown[] };
    };
    expect(after.value.profiles).toHaveLength(1);
  });
});

describe('forwardEvents', () => {
  const phase: EngineEvent = {
    type: 'phase',
    runId: 'r1',
    profileId: 'p1',
    step: 'dbt',
    kind: 'k',
    phase: 'planned',
    at: '2025-01-01T00:00:00.000Z',
  };

  function setup(options: { id?: number; url?: string } = {}) {
    const listeners = new Set<(e: EngineEvent) => void>();
    const onEvent = (l: (e: EngineEvent) => void) => {
      listeners.add(l);
      return () => {
        listeners.delete(l);
      };
    };
    let destroyed = false;
    let onDestroyed: (() => void) | undefined;
    const contents = {
      id: options.id ?? TRUSTED_ID,
      send: vi.fn(),
      isDestroyed: () => destroyed,
      getURL: () => options.url ?? `${APP_ORIGIN}/index.html`,
      once: vi.fn((_e: string, l: () => void) => {
        onDestroyed = l;
      }),
    };
    const unsubscribe = forwardEvents(onEvent, contents as never, {
      origins,
      trustedIds,
      log: memoryLogger().logger,
    });
    return {
      contents,
      unsubscribe,
      listeners,
      emit: (e: unknown) => {
        for (const l of listeners) {
          l(e as EngineEvent);
        }
      },
      destroy: () => {
        destroyed = true;
        onDestroyed?.();
      },
    };
  }

  it('sends contract-shaped events on event:engine, stripping unknown fields', () => {
    const s = setup();
    s.emit({ ...phase, token: 'dbtc_secret' });
    expect(s.contents.send).toHaveBeenCalledExactlyOnceWith(EVENTS.engine, phase);
  });

  it('drops events that do not match the contract', () => {
    const s = setup();
    s.emit({ type: 'bogus', secret: 'x' });
    expect(s.contents.send).not.toHaveBeenCalled();
  });

  it('sends nothing to an untrusted contents or a foreign page', () => {
    const a = setup({ id: 99 });
    a.emit({
      type: 'progress',
      runId: 'r',
      profileId: 'p',
      step: 'dbt',
      kind: 'k',
      message: 'm',
      elapsedMs: 1,
      at: 't',
    });
    expect(a.contents.send).not.toHaveBeenCalled();
    const b = setup({ url: 'https://evil.example.com/' });
    b.emit({
      type: 'progress',
      runId: 'r',
      profileId: 'p',
      step: 'dbt',
      kind: 'k',
      message: 'm',
      elapsedMs: 1,
      at: 't',
    });
    expect(b.contents.send).not.toHaveBeenCalled();
  });

  it('sends nothing once the contents is destroyed, and unsubscribes', () => {
    const s = setup();
    s.emit(phase);
    expect(s.contents.send).toHaveBeenCalledOnce();
    expect(s.listeners.size).toBe(1);
    s.destroy();
    s.emit(phase);
    expect(s.contents.send).toHaveBeenCalledOnce();
    expect(s.listeners.size).toBe(0);
  });
});
