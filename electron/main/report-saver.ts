/**
 * The app's report saver: the system Save dialog, then Markdown written as is, or a PDF printed by
 * a hidden window of our own Chromium. That window is locked down: no JavaScript, sandboxed, no
 * Node, its own in-memory session that refuses every request but the report page itself (a data:
 * URL) and every permission, no navigation, no pop-up; it is destroyed once the PDF is printed,
 * or printing failed.
 */
import { basename } from 'node:path';
import {
  BrowserWindow,
  dialog,
  session,
  type SaveDialogOptions,
  type Session,
  type WebPreferences,
} from 'electron';
import { fileNameFor } from '../core/report/build.js';
import type { ReportSaveRequest, ReportSaveResult, ReportSaver } from '../core/report/ports.js';
import { writeFileAtomic } from '../core/store/files.js';

/** What the print session lets through: the report page, a data: URL (never network or disk). */
export function isReportPageUrl(url: string): boolean {
  return url.startsWith('data:');
}

/** An in-memory partition (no `persist:`): nothing of the print is kept on disk. */
export const REPORT_PARTITION = 'report-print';

/** The hidden print window's preferences: no script, no Node, no way out. */
export function printWebPreferences(ses: Session): WebPreferences {
  return {
    session: ses,
    javascript: false,
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
    devTools: false,
    navigateOnDragDrop: false,
  };
}

/** The report page as a data: URL (no file, no server). */
export function reportDataUrl(html: string): string {
  return `data:text/html;charset=utf-8;base64,${Buffer.from(html, 'utf8').toString('base64')}`;
}

const lockedSessions = new WeakSet<Session>();

function lockDown(ses: Session): void {
  if (lockedSessions.has(ses)) {
    return;
  }
  lockedSessions.add(ses);
  // The page is a data: URL; anything else it might ask for (http, https, file, ws…) is refused,
  // so printing never reaches the network or the disk.
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isReportPageUrl(details.url) });
  });
  ses.setPermissionRequestHandler((_contents, _permission, callback) => {
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}

/** Prints self-contained HTML to an A4 PDF in a hidden, locked-down window. */
export async function printHtmlToPdf(html: string): Promise<Buffer> {
  const ses = session.fromPartition(REPORT_PARTITION, { cache: false });
  lockDown(ses);
  const url = reportDataUrl(html);
  const win = new BrowserWindow({
    show: false,
    width: 794,
    height: 1123,
    webPreferences: printWebPreferences(ses),
  });
  try {
    win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
    win.webContents.on('will-navigate', (event) => {
      event.preventDefault();
    });
    await win.loadURL(url);
    return await win.webContents.printToPDF({ pageSize: 'A4', printBackground: true });
  } finally {
    if (!win.isDestroyed()) {
      win.destroy();
    }
  }
}

export interface ElectronReportSaverOptions {
  /** The window the Save dialog belongs to (modal to it), when there is one. */
  readonly parent?: () => BrowserWindow | null | undefined;
  /** Tests: the printer. */
  readonly print?: (html: string) => Promise<Buffer>;
}

export function createElectronReportSaver(options: ElectronReportSaverOptions = {}): ReportSaver {
  const print = options.print ?? printHtmlToPdf;
  return {
    async save(request: ReportSaveRequest): Promise<ReportSaveResult> {
      const pdf = request.format === 'pdf';
      const dialogOptions: SaveDialogOptions = {
        title: pdf ? 'Save the setup report as PDF' : 'Save the setup report as Markdown',
        defaultPath: fileNameFor(basename(request.fileName), request.format),
        filters: pdf
          ? [{ name: 'PDF', extensions: ['pdf'] }]
          : [{ name: 'Markdown', extensions: ['md'] }],
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      };
      const parent = options.parent?.();
      const chosen = parent
        ? await dialog.showSaveDialog(parent, dialogOptions)
        : await dialog.showSaveDialog(dialogOptions);
      if (chosen.canceled || !chosen.filePath) {
        return { saved: false };
      }
      const path = chosen.filePath;
      await writeFileAtomic(path, pdf ? await print(request.html) : request.markdown);
      return { saved: true, path };
    },
  };
}
