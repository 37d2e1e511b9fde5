/**
 * The app's report saver with electron mocked: the Save dialog (cancel saves nothing), Markdown
 * written as is, and a PDF printed from the report's HTML in a hidden, locked-down window that is
 * destroyed whether printing works or not.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../../helpers/temp.js';

const fake = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => void;
  class FakeWebContents {
    readonly listeners = new Map<string, Listener>();
    windowOpenHandler: (() => unknown) | undefined;
    readonly printToPDF = vi.fn<(options: unknown) => Promise<Buffer>>(() =>
      Promise.resolve(Buffer.from('%PDF-1.7 fake')),
    );
    on(event: string, listener: Listener): this {
      this.listeners.set(event, listener);
      return this;
    }
    setWindowOpenHandler(handler: () => unknown): void {
      this.windowOpenHandler = handler;
    }
  }
  class FakeBrowserWindow {
    static instances: FakeBrowserWindow[] = [];
    /** Makes the next window's load or print fail. */
    static failNext: { load?: Error; print?: Error } = {};
    readonly options: { show?: boolean; webPreferences?: Record<string, unknown> };
    readonly webContents = new FakeWebContents();
    destroyed = false;
    readonly loadURL = vi.fn<(url: string) => Promise<void>>(() => Promise.resolve());
    readonly destroy = vi.fn(() => {
      this.destroyed = true;
    });
    constructor(options: FakeBrowserWindow['options']) {
      this.options = options;
      const { load, print } = FakeBrowserWindow.failNext;
      FakeBrowserWindow.failNext = {};
      if (load) {
        this.loadURL.mockRejectedValueOnce(load);
      }
      if (print) {
        this.webContents.printToPDF.mockRejectedValueOnce(print);
      }
      FakeBrowserWindow.instances.push(this);
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
  }
  const session = {
    beforeRequest: undefined as
      ((details: { url: string }, callback: (r: { cancel: boolean }) => void) => void) | undefined,
    permissionRequest: undefined as
      ((c: unknown, p: string, callback: (ok: boolean) => void) => void) | undefined,
    permissionCheck: undefined as (() => boolean) | undefined,
    deviceCheck: undefined as (() => boolean) | undefined,
    webRequest: {
      onBeforeRequest: vi.fn((listener: typeof session.beforeRequest) => {
        session.beforeRequest = listener;
      }),
    },
    setPermissionRequestHandler: vi.fn((h: typeof session.permissionRequest) => {
      session.permissionRequest = h;
    }),
    setPermissionCheckHandler: vi.fn((h: () => boolean) => {
      session.permissionCheck = h;
    }),
    setDevicePermissionHandler: vi.fn((h: () => boolean) => {
      session.deviceCheck = h;
    }),
  };
  const dialog = {
    showSaveDialog: vi.fn<
      (...args: unknown[]) => Promise<{ canceled: boolean; filePath?: string }>
    >(() => Promise.resolve({ canceled: true })),
  };
  const fromPartition = vi.fn<(partition: string, options?: unknown) => typeof session>(
    () => session,
  );
  return { FakeBrowserWindow, session, dialog, fromPartition };
});

vi.mock('electron', () => ({
  BrowserWindow: fake.FakeBrowserWindow,
  dialog: fake.dialog,
  session: { fromPartition: fake.fromPartition },
}));

import {
  REPORT_PARTITION,
  createElectronReportSaver,
  isReportPageUrl,
  printHtmlToPdf,
  reportDataUrl,
} from '../../../electron/main/report-saver.js';

const HTML = '<!DOCTYPE html><html><body><h1>Report ✓ &amp; more</h1></body></html>';
const REQUEST = {
  fileName: 'dbt-scim-report-acme-2026-11-29.md',
  markdown: '# Report\n',
  html: HTML,
};

let dir: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  ({ dir, cleanup } = await tempDir('report-saver-'));
  fake.FakeBrowserWindow.instances.length = 0;
  fake.dialog.showSaveDialog.mockClear();
});

afterEach(async () => {
  await cleanup();
});

function decodeDataUrl(url: string): string {
  const prefix = 'data:text/html;charset=utf-8;base64,';
  expect(url.startsWith(prefix)).toBe(true);
  return Buffer.from(url.slice(prefix.length), 'base64').toString('utf8');
}

describe('the Save dialog', () => {
  it('saves nothing when the admin cancels', async () => {
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: true });
    const r = await createElectronReportSaver().save({ ...REQUEST, format: 'pdf' });
    expect(r).toEqual({ saved: false });
    expect(fake.FakeBrowserWindow.instances).toHaveLength(0);
  });

  it('suggests the file name and a filter for the format, modal to the parent window', async () => {
    const parent = { id: 'parent' };
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: true });
    await createElectronReportSaver({ parent: () => parent as never }).save({
      ...REQUEST,
      format: 'pdf',
    });
    const [owner, options] = fake.dialog.showSaveDialog.mock.calls[0] ?? [];
    expect(owner).toBe(parent);
    expect(options).toMatchObject({
      defaultPath: 'dbt-scim-report-acme-2026-11-29.pdf',
      filters: [{ name: 'PDF', extensions: ['pdf'] }],
    });

    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: true });
    await createElectronReportSaver().save({ ...REQUEST, format: 'markdown' });
    const [only] = fake.dialog.showSaveDialog.mock.calls[1] ?? [];
    expect(only).toMatchObject({
      defaultPath: 'dbt-scim-report-acme-2026-11-29.md',
      filters: [{ name: 'Markdown', extensions: ['md'] }],
    });
  });
});

describe('Markdown', () => {
  it('writes the Markdown where the admin chose (0600), without printing anything', async () => {
    const path = join(dir, 'chosen.md');
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: path });
    const r = await createElectronReportSaver().save({ ...REQUEST, format: 'markdown' });
    expect(r).toEqual({ saved: true, path });
    expect(await readFile(path, 'utf8')).toBe('# Report\n');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(fake.FakeBrowserWindow.instances).toHaveLength(0);
  });
});

describe('PDF', () => {
  it('prints the report HTML in a hidden window to an A4 PDF, writes it, and destroys the window', async () => {
    const path = join(dir, 'chosen.pdf');
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: path });
    const r = await createElectronReportSaver().save({ ...REQUEST, format: 'pdf' });
    expect(r).toEqual({ saved: true, path });
    expect(await readFile(path, 'utf8')).toBe('%PDF-1.7 fake');

    const [win] = fake.FakeBrowserWindow.instances;
    expect(fake.FakeBrowserWindow.instances).toHaveLength(1);
    expect(win?.options.show).toBe(false);
    expect(win?.loadURL).toHaveBeenCalledTimes(1);
    expect(decodeDataUrl(win?.loadURL.mock.calls[0]?.[0] ?? '')).toBe(HTML);
    expect(win?.webContents.printToPDF).toHaveBeenCalledWith({
      pageSize: 'A4',
      printBackground: true,
    });
    expect(win?.destroy).toHaveBeenCalledTimes(1);
  });

  it('locks the print window down: no script, sandbox, no Node, its own in-memory session', async () => {
    await printHtmlToPdf(HTML);
    const [win] = fake.FakeBrowserWindow.instances;
    expect(win?.options.webPreferences).toMatchObject({
      javascript: false,
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      webviewTag: false,
      devTools: false,
      session: fake.session,
    });
    expect(fake.fromPartition).toHaveBeenCalledWith(REPORT_PARTITION, { cache: false });
    expect(REPORT_PARTITION.startsWith('persist:')).toBe(false);
    // No pop-up, no navigation.
    expect(win?.webContents.windowOpenHandler?.()).toEqual({ action: 'deny' });
    const event = { preventDefault: vi.fn() };
    win?.webContents.listeners.get('will-navigate')?.(event, 'https://example.test/');
    expect(event.preventDefault).toHaveBeenCalled();
  });

  it('lets the session load the report page only: every other request and permission is refused', async () => {
    await printHtmlToPdf(HTML);
    const decide = (url: string): boolean | undefined => {
      let cancel: boolean | undefined;
      fake.session.beforeRequest?.({ url }, (r) => {
        cancel = r.cancel;
      });
      return cancel;
    };
    expect(decide(reportDataUrl(HTML))).toBe(false);
    for (const url of [
      'https://example.test/logo.png',
      'http://127.0.0.1:9/x',
      'file:///etc/passwd',
      'wss://127.0.0.1:9/',
      'app://wizard/index.html',
    ]) {
      expect(decide(url), url).toBe(true);
      expect(isReportPageUrl(url)).toBe(false);
    }
    let granted: boolean | undefined;
    fake.session.permissionRequest?.(undefined, 'media', (ok) => {
      granted = ok;
    });
    expect(granted).toBe(false);
    expect(fake.session.permissionCheck?.()).toBe(false);
    expect(fake.session.deviceCheck?.()).toBe(false);
  });

  it('destroys the window and writes nothing when printing fails', async () => {
    const path = join(dir, 'broken.pdf');
    fake.dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: path });
    fake.FakeBrowserWindow.failNext = { print: new Error('printing failed') };
    await expect(createElectronReportSaver().save({ ...REQUEST, format: 'pdf' })).rejects.toThrow(
      'printing failed',
    );
    const [win] = fake.FakeBrowserWindow.instances;
    expect(win?.webContents.printToPDF).toHaveBeenCalledTimes(1);
    expect(win?.destroy).toHaveBeenCalledTimes(1);
    await expect(stat(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('destroys the window, and prints nothing, when the page does not load', async () => {
    fake.FakeBrowserWindow.failNext = { load: new Error('ERR_BLOCKED_BY_CLIENT') };
    await expect(printHtmlToPdf(HTML)).rejects.toThrow('ERR_BLOCKED_BY_CLIENT');
    const [win] = fake.FakeBrowserWindow.instances;
    expect(win?.destroy).toHaveBeenCalledTimes(1);
    expect(win?.webContents.printToPDF).not.toHaveBeenCalled();
  });
});
