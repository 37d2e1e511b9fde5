import { beforeAll, describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => {
  const exposed = new Map<string, unknown>();
  return {
    exposed,
    contextBridge: {
      exposeInMainWorld: vi.fn((key: string, value: unknown) => {
        exposed.set(key, value);
      }),
    },
    ipcRenderer: {
      invoke: vi.fn<(channel: string, input?: unknown) => Promise<unknown>>(() =>
        Promise.resolve({ ok: true, value: 'answer' }),
      ),
      on: vi.fn(),
      removeListener: vi.fn(),
    },
  };
});

vi.mock('electron', () => ({
  contextBridge: electron.contextBridge,
  ipcRenderer: electron.ipcRenderer,
}));

import { apiPaths } from '../../../electron/ipc/api.js';

type Api = Record<string, Record<string, (...args: unknown[]) => unknown>>;

function flatten(value: unknown, prefix = ''): string[] {
  if (typeof value === 'function') {
    return [prefix];
  }
  if (value !== null && typeof value === 'object') {
    return Object.keys(value).flatMap((k) =>
      flatten((value as Record<string, unknown>)[k], prefix ? `${prefix}.${k}` : k),
    );
  }
  return [`${prefix}:<${typeof value}>`];
}

let api: Api;

beforeAll(async () => {
  await import('../../../electron/preload/index.js');
  api = electron.exposed.get('api') as Api;
});

describe('preload', () => {
  it('exposes one object, window.api, and nothing else', () => {
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledOnce();
    expect([...electron.exposed.keys()]).toEqual(['api']);
  });

  it('exposes exactly the contract methods (functions only, nothing generic)', () => {
    expect(flatten(api).sort()).toEqual(apiPaths());
    expect(flatten(api)).not.toContain('invoke');
    expect(JSON.stringify(flatten(api))).not.toMatch(/ipcRenderer|send|invoke/);
  });

  it('invokes the right channel with the input', async () => {
    const input = { name: 'Acme', idp: 'okta' };
    await expect(api.profiles!.create!(input)).resolves.toEqual({ ok: true, value: 'answer' });
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith('profiles:create', input);
    await api.app!.info!();
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith('app:info', undefined);
    await api.shell!.openExternal!({ url: 'https://cloud.getdbt.com/' });
    expect(electron.ipcRenderer.invoke).toHaveBeenLastCalledWith('shell:openExternal', {
      url: 'https://cloud.getdbt.com/',
    });
  });

  it('subscribes to engine events, strips the IpcRendererEvent, and unsubscribes', () => {
    const listener = vi.fn();
    const unsubscribe = api.events!.onEngine!(listener) as () => void;
    expect(electron.ipcRenderer.on).toHaveBeenCalledOnce();
    const [channel, handler] = electron.ipcRenderer.on.mock.calls[0] as unknown as [
      string,
      (event: unknown, payload: unknown) => void,
    ];
    expect(channel).toBe('event:engine');

    const ipcEvent = { sender: { send: vi.fn() }, ports: [], senderId: 0 };
    const payload = { type: 'progress', message: 'working' };
    handler(ipcEvent, payload);
    expect(listener).toHaveBeenCalledExactlyOnceWith(payload);

    unsubscribe();
    expect(electron.ipcRenderer.removeListener).toHaveBeenCalledExactlyOnceWith(
      'event:engine',
      handler,
    );
  });
});
