/**
 * The one application window. `buildWebPreferences` is pure so tests can assert every flag.
 */
import {
  BrowserWindow,
  nativeTheme,
  type BrowserWindowConstructorOptions,
  type WebPreferences,
} from 'electron';
import type { Logger } from '../core/ports.js';

export const WINDOW_TITLE = 'dbt SCIM Wizard';

/** Mantine's body colours (light: white, dark: dark-7), so the first frame does not flash. */
export const BACKGROUND = { light: '#ffffff', dark: '#242424' } as const;

/** `devTools` is on in development only (the caller passes `!app.isPackaged`). */
export function buildWebPreferences(preloadPath: string, devTools = false): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
    devTools,
  };
}

export function buildWindowOptions(
  preloadPath: string,
  dark: boolean,
  devTools = false,
): BrowserWindowConstructorOptions {
  return {
    title: WINDOW_TITLE,
    width: 1200,
    height: 820,
    minWidth: 900,
    minHeight: 600,
    show: false,
    backgroundColor: dark ? BACKGROUND.dark : BACKGROUND.light,
    autoHideMenuBar: true,
    webPreferences: buildWebPreferences(preloadPath, devTools),
  };
}

export interface MainWindowOptions {
  readonly preloadPath: string;
  /** app://wizard/index.html, or the dev server URL in development. */
  readonly url: string;
  readonly devTools?: boolean;
  readonly log?: Logger;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow(
    buildWindowOptions(
      options.preloadPath,
      nativeTheme.shouldUseDarkColors,
      options.devTools ?? false,
    ),
  );
  win.once('ready-to-show', () => {
    win.show();
  });
  win.loadURL(options.url).catch((e: unknown) => {
    options.log?.error('the window could not load the app', {
      error: e instanceof Error ? e.message : String(e),
    });
  });
  return win;
}
