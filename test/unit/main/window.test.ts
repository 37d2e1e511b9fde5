import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  class FakeBrowserWindow {
    static instances: FakeBrowserWindow[] = [];
    readonly options: unknown;
    readonly listeners = new Map<string, () => void>();
    readonly show = vi.fn();
    readonly loadURL = vi.fn(() => Promise.resolve());
    constructor(options: unknown) {
      this.options = options;
      FakeBrowserWindow.instances.push(this);
    }
    once(event: string, listener: () => void): void {
      this.listeners.set(event, listener);
    }
  }
  return { FakeBrowserWindow, nativeTheme: { shouldUseDarkColors: false } };
});

vi.mock('electron', () => ({
  BrowserWindow: fake.FakeBrowserWindow,
  nativeTheme: fake.nativeTheme,
}));

import {
  BACKGROUND,
  WINDOW_TITLE,
  buildWebPreferences,
  buildWindowOptions,
  createMainWindow,
} from '../../../electron/main/window.js';

beforeEach(() => {
  fake.FakeBrowserWindow.instances.length = 0;
});

describe('buildWebPreferences', () => {
  const prefs = buildWebPreferences('/app/out/preload/index.cjs');

  it.each([
    ['sandbox', true],
    ['contextIsolation', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['experimentalFeatures', false],
    ['webviewTag', false],
    ['spellcheck', false],
  ] as const)('sets %s to %s', (flag, value) => {
    expect(prefs[flag]).toBe(value);
  });

  it('points at the CommonJS preload and has no other surprises', () => {
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
    expect(Object.keys(prefs).sort()).toEqual(
      [
        'allowRunningInsecureContent',
        'contextIsolation',
        'devTools',
        'experimentalFeatures',
        'nodeIntegration',
        'nodeIntegrationInSubFrames',
        'nodeIntegrationInWorker',
        'preload',
        'sandbox',
        'spellcheck',
        'webSecurity',
        'webviewTag',
      ].sort(),
    );
  });

  it('keeps developer tools off unless asked for (development)', () => {
    expect(prefs.devTools).toBe(false);
    expect(buildWebPreferences('/p', true).devTools).toBe(true);
  });
});

describe('buildWindowOptions', () => {
  it('is hidden until ready, titled, sized, and coloured like the theme', () => {
    const light = buildWindowOptions('/p', false);
    expect(light).toMatchObject({
      title: WINDOW_TITLE,
      show: false,
      backgroundColor: BACKGROUND.light,
    });
    expect(light.minWidth).toBeGreaterThanOrEqual(800);
    expect(light.minHeight).toBeGreaterThanOrEqual(560);
    expect(light.width).toBeGreaterThanOrEqual(light.minWidth!);
    expect(light.height).toBeGreaterThanOrEqual(light.minHeight!);
    expect(buildWindowOptions('/p', true).backgroundColor).toBe(BACKGROUND.dark);
    expect(light.webPreferences).toEqual(buildWebPreferences('/p'));
  });
});

describe('createMainWindow', () => {
  it('creates one hidden window, loads the URL, and shows it on ready-to-show', () => {
    fake.nativeTheme.shouldUseDarkColors = true;
    createMainWindow({ preloadPath: '/p/index.cjs', url: 'app://wizard/index.html' });
    expect(fake.FakeBrowserWindow.instances).toHaveLength(1);
    const win = fake.FakeBrowserWindow.instances[0]!;
    expect(win.options).toMatchObject({
      show: false,
      title: 'dbt SCIM Wizard',
      backgroundColor: BACKGROUND.dark,
      webPreferences: {
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        preload: '/p/index.cjs',
      },
    });
    expect(win.loadURL).toHaveBeenCalledWith('app://wizard/index.html');
    expect(win.show).not.toHaveBeenCalled();
    win.listeners.get('ready-to-show')!();
    expect(win.show).toHaveBeenCalledOnce();
  });
});
