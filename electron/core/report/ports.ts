/** Where a finished report goes: the app asks the admin for a place (and prints PDFs); the CLI and the bridge write files. */
import type { ReportFormat } from './build.js';

export interface ReportSaveRequest {
  /** The suggested file name (the saver sets the extension for the format). */
  readonly fileName: string;
  readonly format: ReportFormat;
  readonly markdown: string;
  /** The self-contained HTML, which a PDF is printed from. */
  readonly html: string;
}

export interface ReportSaveResult {
  /** False when the admin cancelled. */
  readonly saved: boolean;
  readonly path?: string;
}

export interface ReportSaver {
  save(request: ReportSaveRequest): Promise<ReportSaveResult>;
}
