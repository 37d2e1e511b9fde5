import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

const fake = vi.hoisted(() => {
  const appListeners = new Map<string, Listener[]>();
  const app = {
    isPackaged: true,
    setPath: vi.fn(),
    requestSingleInstanceLock: vi.fn(() => true),
    quit: vi.fn(),
    exit: vi.fn(),
    enableSandbox: vi.fn(),
    whenReady: vi.fn(() => Promise.resolve()),
    isReady: vi.fn(() => true),
    getVersion: vi.fn(() => '1.2.3'),
    on: vi.fn((event: string, l: Listener) => {
      appListeners.set(event, [...(appListeners.get(event) ?? []), l]);
      return app;
    }),
  };
  const emitApp = (event: string, ...args: unknown[]) => {
    for (const l of appListeners.get(event) ?? []) {
      l(...args);
    }
  };

  let nextId = 1;
  class FakeBrowserWindow {
    static instances: FakeBrowserWindow[] = [];
    readonly options: { webPreferences: Record<string, unknown> };
    readonly listeners = new Map<string, Listener>();
    readonly contentsListeners = new Map<string, Listener[]>();
    url = '';
    minimized = false;
    readonly webContents: Record<string, unknown>;
    readonly loadURL = vi.fn((url: string) => {
      this.url = url;
      return Promise.resolve();
    });
    readonly show = vi.fn();
    readonly focus = vi.fn();
    readonly restore = vi.fn(() => {
      this.minimized = false;
    });
    constructor(options: { webPreferences: Record<string, unknown> }) {
      this.options = options;
      const id = nextId++;
      const mainFrame = {
        get url() {
          return win.url;
        },
        parent: null,
        processId: 1,
        routingId: id,
      };
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const win = this;
      this.webContents = {
        id,
        mainFrame,
        send: vi.fn(),
        isDestroyed: () => false,
        getURL: () => this.url,
        once: (event: string, l: Listener) => {
          this.contentsListeners.set(event, [...(this.contentsListeners.get(event) ?? []), l]);
        },
      };
      FakeBrowserWindow.instances.push(this);
    }
    once(event: string, l: Listener) {
      this.listeners.set(event, l);
    }
    on(event: string, l: Listener) {
      this.listeners.set(event, l);
    }
    isMinimized() {
      return this.minimized;
    }
    close() {
      for (const l of this.contentsListeners.get('destroyed') ?? []) {
        l();
      }
      this.listeners.get('closed')?.();
    }
  }

  const defaultSession = {
    setPermissionRequestHandler: vi.fn(),
    setPermissionCheckHandler: vi.fn(),
    setDevicePermissionHandler: vi.fn(),
    webRequest: { onHeadersReceived: vi.fn() },
  };
  const ipcHandlers = new Map<string, Listener>();
  return {
    app,
    appListeners,
    emitApp,
    FakeBrowserWindow,
    defaultSession,
    ipcHandlers,
    protocol: { registerSchemesAsPrivileged: vi.fn(), handle: vi.fn() },
    clipboard: (() => {
      let text = '';
      return {
        writeText: vi.fn((t: string) => {
          text = t;
          return Promise.resolve();
        }),
        readText: vi.fn(() => Promise.resolve(text)),
      };
    })(),
    ipcMain: {
      handle: vi.fn((channel: string, l: Listener) => {
        ipcHandlers.set(channel, l);
      }),
      removeHandler: vi.fn(),
    },
  };
});

vi.mock('electron', () => ({
  app: fake.app,
  BrowserWindow: fake.FakeBrowserWindow,
  ipcMain: fake.ipcMain,
  protocol: fake.protocol,
  session: { defaultSession: fake.defaultSession },
  nativeTheme: { shouldUseDarkColors: false },
  shell: { openExternal: vi.fn(() => Promise.resolve()) },
  clipboard: fake.clipboard,
  safeStorage: {
    isAsyncEncryptionAvailable: () => Promise.resolve(false),
    getSelectedStorageBackend: () => 'unknown',
  },
}));

import { CHANNELS } from '../../../electron/ipc/channels.js';
import { start, type StartDeps } from '../../../electron/main/app.js';
import { ElectronNotifier } from '../../../electron/main/notifier.js';
import { ShellOpener } from '../../../electron/main/opener.js';
import { SafeStorageEncryptor } from '../../../electron/main/secret-store.js';
import { createServices, type ServicesOptions } from '../../../electron/services/container.js';
import { tempDir } from '../../helpers/temp.js';

let home: string;
let cleanup: () => Promise<void>;
let servicesOptions: ServicesOptions | undefined;

function deps(overrides: Partial<StartDeps> = {}, env: Record<string, string> = {}): StartDeps {
  return {
    createServices: (options) => {
      servicesOptions = options;
      return createServices(options);
    },
    env: { DBT_SCIM_WIZARD_HOME: home, ...env },
    platform: 'linux',
    preloadPath: '/opt/app/out/preload/index.cjs',
    rendererDir: '/opt/app/out/renderer',
    ...overrides,
  };
}

beforeEach(async () => {
  ({ dir: home, cleanup } = await tempDir());
  vi.clearAllMocks();
  fake.appListeners.clear();
  fake.ipcHandlers.clear();
  fake.FakeBrowserWindow.instances.length = 0;
  fake.app.isPackaged = true;
  fake.app.requestSingleInstanceLock.mockReturnValue(true);
  servicesOptions = undefined;
});
afterEach(async () => {
  await cleanup();
});

describe('start: single instance', () => {
  it('quits at once, touching nothing else, when another instance holds the lock', async () => {
    fake.app.requestSingleInstanceLock.mockReturnValue(false);
    const started = start(deps());
    await started.ready;
    expect(started.primary).toBe(false);
    expect(fake.app.requestSingleInstanceLock).toHaveBeenCalledOnce();
    expect(fake.app.quit).toHaveBeenCalledOnce();
    expect(fake.app.enableSandbox).not.toHaveBeenCalled();
    expect(fake.protocol.registerSchemesAsPrivileged).not.toHaveBeenCalled();
    expect(fake.app.whenReady).not.toHaveBeenCalled();
    expect(fake.ipcMain.handle).not.toHaveBeenCalled();
    expect(fake.FakeBrowserWindow.instances).toHaveLength(0);
  });

  it('requests the lock after moving Chromium data beside an overridden home', () => {
    start(deps());
    expect(fake.app.setPath).toHaveBeenCalledWith('userData', join(home, 'chromium'));
    expect(fake.app.setPath.mock.invocationCallOrder[0]!).toBeLessThan(
      fake.app.requestSingleInstanceLock.mock.invocationCallOrder[0]!,
    );
  });

  it('focuses (and restores) the window when a second instance starts', async () => {
    await start(deps()).ready;
    const win = fake.FakeBrowserWindow.instances[0]!;
    win.minimized = true;
    fake.emitApp('second-instance');
    expect(win.restore).toHaveBeenCalledOnce();
    expect(win.focus).toHaveBeenCalledOnce();
  });
});

describe('start: before ready', () => {
  it('enables the sandbox, registers app: as privileged and hardens every web contents, before ready', () => {
    const started = start(deps());
    expect(started.primary).toBe(true);
    expect(fake.app.enableSandbox).toHaveBeenCalledOnce();
    expect(fake.protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    const readyOrder = fake.app.whenReady.mock.invocationCallOrder[0]!;
    expect(fake.app.enableSandbox.mock.invocationCallOrder[0]!).toBeLessThan(readyOrder);
    expect(fake.protocol.registerSchemesAsPrivileged.mock.invocationCallOrder[0]!).toBeLessThan(
      readyOrder,
    );
    expect(fake.appListeners.has('web-contents-created')).toBe(true);
  });
});

describe('start: on ready', () => {
  it('wires services with the Electron face, safeStorage and the shell opener', async () => {
    await start(deps()).ready;
    expect(servicesOptions).toMatchObject({ home, face: 'electron', version: '1.2.3' });
    expect(servicesOptions?.encryptor).toBeInstanceOf(SafeStorageEncryptor);
    expect(servicesOptions?.opener).toBeInstanceOf(ShellOpener);
    // The clipboard is the system's, written from main (a secret never crosses IPC).
    await servicesOptions?.clipboard?.writeText('copied in main');
    expect(fake.clipboard.writeText).toHaveBeenCalledWith('copied in main');
    expect(await servicesOptions?.clipboard?.readText()).toBe('copied in main');
    // Rotation reminders go out as OS notifications, and stop with the app.
    expect(servicesOptions?.notifier).toBeInstanceOf(ElectronNotifier);
    // The setup report is saved through the system's Save dialog (and printed to PDF) in main.
    expect(typeof servicesOptions?.reportSaver?.save).toBe('function');
    expect(fake.appListeners.get('quit')?.length).toBe(2);
    expect(fake.app.exit).not.toHaveBeenCalled();
  });

  it('serves app: from the renderer folder and denies permissions on the default session', async () => {
    await start(deps()).ready;
    expect(fake.protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    expect(fake.defaultSession.setPermissionRequestHandler).toHaveBeenCalledOnce();
    expect(fake.defaultSession.setPermissionCheckHandler).toHaveBeenCalledOnce();
    const handler = fake.defaultSession.setPermissionRequestHandler.mock.calls[0]![0] as Listener;
    const callback = vi.fn();
    handler({}, 'media', callback, { requestingUrl: 'app://wizard/index.html', isMainFrame: true });
    expect(callback).toHaveBeenCalledWith(false);
    // no dev server in a packaged app
    expect(fake.defaultSession.webRequest.onHeadersReceived).not.toHaveBeenCalled();
  });

  it('opens one hardened window on app://wizard/index.html', async () => {
    await start(deps()).ready;
    expect(fake.FakeBrowserWindow.instances).toHaveLength(1);
    const win = fake.FakeBrowserWindow.instances[0]!;
    expect(win.options.webPreferences).toMatchObject({
      preload: '/opt/app/out/preload/index.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webviewTag: false,
      devTools: false,
    });
    expect(win.loadURL).toHaveBeenCalledWith('app://wizard/index.html');
  });

  it('binds every channel, and answers the window but not a foreign page', async () => {
    await start(deps()).ready;
    expect([...fake.ipcHandlers.keys()].sort()).toEqual([...CHANNELS].sort());
    const win = fake.FakeBrowserWindow.instances[0]!;
    const contents = win.webContents as { id: number; mainFrame: { url: string } };
    const good = { sender: contents, senderFrame: contents.mainFrame };
    await expect(fake.ipcHandlers.get('app:info')!(good)).resolves.toMatchObject({
      ok: true,
      value: { face: 'electron', version: '1.2.3' },
    });
    win.url = 'https://evil.example.com/';
    await expect(fake.ipcHandlers.get('app:info')!(good)).resolves.toMatchObject({
      ok: false,
      error: { code: 'permission_denied' },
    });
  });

  it('stops trusting a window once it is closed', async () => {
    await start(deps()).ready;
    const win = fake.FakeBrowserWindow.instances[0]!;
    const contents = win.webContents as { id: number; mainFrame: { url: string } };
    win.close();
    await expect(
      fake.ipcHandlers.get('app:info')!({ sender: contents, senderFrame: contents.mainFrame }),
    ).resolves.toMatchObject({ ok: false, error: { code: 'permission_denied' } });
  });

  it('logs JSON lines to <home>/logs/main.log, readable by the owner only', async () => {
    await start(deps()).ready;
    const path = join(home, 'logs', 'main.log');
    expect(existsSync(path)).toBe(true);
    const first = JSON.parse((await readFile(path, 'utf8')).split('\n')[0]!) as { message: string };
    expect(first.message).toBe('starting');
    if (process.platform !== 'win32') {
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    }
  });

  it('exits with status 1 when start-up fails', async () => {
    await start(
      deps({
        createServices: () => {
          throw new Error('disk on fire');
        },
      }),
    ).ready;
    expect(fake.app.exit).toHaveBeenCalledWith(1);
    expect(fake.FakeBrowserWindow.instances).toHaveLength(0);
  });
});

describe('start: window lifecycle', () => {
  it('quits when the last window closes, except on macOS', async () => {
    await start(deps()).ready;
    fake.emitApp('window-all-closed');
    expect(fake.app.quit).toHaveBeenCalledOnce();

    vi.clearAllMocks();
    fake.appListeners.clear();
    await start(deps({ platform: 'darwin' })).ready;
    fake.emitApp('window-all-closed');
    expect(fake.app.quit).not.toHaveBeenCalled();
  });

  it('recreates the window on activate once it was closed, and not before', async () => {
    await start(deps()).ready;
    fake.emitApp('activate');
    expect(fake.FakeBrowserWindow.instances).toHaveLength(1);
    fake.FakeBrowserWindow.instances[0]!.close();
    fake.emitApp('activate');
    expect(fake.FakeBrowserWindow.instances).toHaveLength(2);
  });
});

describe('start: development', () => {
  it('loads the dev server and adds the CSP to its responses when unpackaged', async () => {
    fake.app.isPackaged = false;
    await start(deps({}, { ELECTRON_RENDERER_URL: 'http://localhost:5173' })).ready;
    const win = fake.FakeBrowserWindow.instances[0]!;
    expect(win.loadURL).toHaveBeenCalledWith('http://localhost:5173/');
    expect(win.options.webPreferences.devTools).toBe(true);
    expect(fake.defaultSession.webRequest.onHeadersReceived).toHaveBeenCalledOnce();
  });

  it('ignores ELECTRON_RENDERER_URL in a packaged app', async () => {
    fake.app.isPackaged = true;
    await start(deps({}, { ELECTRON_RENDERER_URL: 'http://localhost:5173' })).ready;
    expect(fake.FakeBrowserWindow.instances[0]!.loadURL).toHaveBeenCalledWith(
      'app://wizard/index.html',
    );
    expect(fake.defaultSession.webRequest.onHeadersReceived).not.toHaveBeenCalled();
  });
});
