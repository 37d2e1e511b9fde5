/**
 * The main process, wired: single instance, sandbox, app:// protocol, hardening, the file
 * logger, services, IPC and the window. `start` takes what differs between the app and its
 * tests (the services factory, environment, paths); index.ts calls it once.
 */
import { join } from 'node:path';
import { app, ipcMain, protocol, session, type BrowserWindow } from 'electron';
import { homeLayout, resolveHome } from '../core/home.js';
import { createLogger, formatLogLine, type LogTransport } from '../core/logger.js';
import type { Services, ServicesOptions } from '../services/container.js';
import { installDevCsp } from './csp.js';
import { bindIpc, createSenderCheck, forwardEvents } from './ipc.js';
import { openLogFile } from './log-file.js';
import { ShellOpener } from './opener.js';
import { SystemClipboard } from './clipboard.js';
import { ElectronNotifier } from './notifier.js';
import { createElectronReportSaver } from './report-saver.js';
import { APP_ENTRY_URL, devServerUrl, trustedOrigins } from './origin.js';
import { handleAppProtocol, registerAppScheme } from './protocol.js';
import { SafeStorageEncryptor } from './secret-store.js';
import { hardenSession, installHardening } from './security.js';
import { createMainWindow } from './window.js';

export interface StartDeps {
  readonly createServices: (options: ServicesOptions) => Services;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly platform: NodeJS.Platform;
  /** out/preload/index.cjs, beside the main bundle. */
  readonly preloadPath: string;
  /** out/renderer, the only folder app:// serves. */
  readonly rendererDir: string;
}

export interface Started {
  /** False when another instance holds the lock (this one quits). */
  readonly primary: boolean;
  /** Settles once the window is created (or start-up failed and the app exits). */
  readonly ready: Promise<void>;
}

export function start(deps: StartDeps): Started {
  const devUrl = devServerUrl(deps.env, app.isPackaged);
  const home = resolveHome(deps.env, deps.platform);
  if (deps.env.DBT_SCIM_WIZARD_HOME?.trim()) {
    // Chromium's own data (and the single-instance lock) follows an overridden home, so
    // parallel test runs with their own homes do not collide.
    app.setPath('userData', join(home, 'chromium'));
  }
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return { primary: false, ready: Promise.resolve() };
  }
  app.enableSandbox();
  registerAppScheme(protocol);

  // One logger for the whole process: stderr until the log file is open, then the file.
  let sink: LogTransport = (record) => {
    process.stderr.write(`${formatLogLine(record)}\n`);
  };
  const log = createLogger('main', {
    transport: (record) => {
      sink(record);
    },
  });

  const origins = trustedOrigins(devUrl);
  const trustedIds = new Set<number>();
  const opener = new ShellOpener();
  installHardening(app, { allowedOrigins: origins, opener, log: log.child('security') });

  let mainWindow: BrowserWindow | null = null;
  app.on('second-instance', () => {
    if (mainWindow) {
      if (mainWindow.isMinimized()) {
        mainWindow.restore();
      }
      mainWindow.focus();
    }
  });
  app.on('window-all-closed', () => {
    if (deps.platform !== 'darwin') {
      app.quit();
    }
  });

  const ready = app
    .whenReady()
    .then(() => {
      const file = openLogFile(join(homeLayout(home).logs, 'main.log'));
      sink = file.transport;
      app.on('quit', () => {
        file.close();
      });
      log.info('starting', {
        version: app.getVersion(),
        packaged: app.isPackaged,
        dev: devUrl !== undefined,
      });

      const services = deps.createServices({
        home,
        face: 'electron',
        version: app.getVersion(),
        log,
        encryptor: new SafeStorageEncryptor(),
        opener,
        clipboard: new SystemClipboard(),
        notifier: new ElectronNotifier(() => mainWindow, log.child('notifier')),
        reportSaver: createElectronReportSaver({ parent: () => mainWindow }),
        platform: deps.platform,
        // Remote calls follow the system's proxy settings, as Chromium resolves them (PAC included).
        resolveProxy: (url) => session.defaultSession.resolveProxy(url),
      });

      hardenSession(session.defaultSession, {
        allowedOrigins: origins,
        opener,
        log: log.child('security'),
      });
      handleAppProtocol(protocol, deps.rendererDir, log.child('protocol'));
      if (devUrl) {
        installDevCsp(session.defaultSession, devUrl);
      }
      bindIpc(ipcMain, services.handlers, {
        isTrustedSender: createSenderCheck({ origins, trustedIds }),
        log: log.child('ipc'),
      });

      const openWindow = (): void => {
        const win = createMainWindow({
          preloadPath: deps.preloadPath,
          url: devUrl ?? APP_ENTRY_URL,
          devTools: !app.isPackaged,
          log,
        });
        const id = win.webContents.id;
        trustedIds.add(id);
        win.webContents.once('destroyed', () => {
          trustedIds.delete(id);
        });
        forwardEvents((listener) => services.onEvent(listener), win.webContents, {
          origins,
          trustedIds,
          log: log.child('events'),
        });
        win.on('closed', () => {
          if (mainWindow === win) {
            mainWindow = null;
          }
        });
        mainWindow = win;
      };
      openWindow();
      // Rotation reminders: now, then every few hours while the app runs.
      const stopReminders = services.reminders.start();
      app.on('quit', stopReminders);
      app.on('activate', () => {
        if (mainWindow === null) {
          openWindow();
        }
      });
    })
    .catch((e: unknown) => {
      log.error('the app could not start', { error: e instanceof Error ? e.message : String(e) });
      app.exit(1);
    });

  return { primary: true, ready };
}
