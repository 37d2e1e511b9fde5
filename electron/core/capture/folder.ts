/**
 * What a capture folder holds, as files to write: one `NNN-<method>-<slug>.json` per exchange,
 * `index.json` (what was captured, when, by which version, the placeholder legend without the real
 * values) and `README.txt`. Pure: the service redacts, scans and writes.
 */
import type { CapturedExchange } from './exchange.js';
import { exchangeFileName } from './exchange.js';
import type { LegendEntry, RedactedCapture } from './redact.js';
import type { CaptureFile } from './scan.js';

/** One side of a capture and how it went (no secret, no value: a sentence). */
export interface CaptureSide {
  readonly id: 'dbt-scim' | 'dbt-admin' | 'okta' | 'entra';
  readonly status: 'captured' | 'skipped' | 'failed';
  readonly message: string;
}

export interface CaptureMeta {
  readonly app: string;
  readonly version: string;
  readonly capturedAt: string;
  readonly sides: readonly CaptureSide[];
}

export const CAPTURE_FORMAT = 'dbt-scim-wizard-capture/1';

export interface CaptureIndex {
  readonly format: typeof CAPTURE_FORMAT;
  readonly app: string;
  readonly version: string;
  readonly capturedAt: string;
  readonly sides: readonly CaptureSide[];
  readonly exchanges: readonly {
    readonly file: string;
    readonly method: string;
    readonly url: string;
    readonly status: number;
    readonly label?: string;
  }[];
  readonly legend: readonly LegendEntry[];
}

const README = (meta: CaptureMeta, count: number): string =>
  [
    `dbt SCIM Wizard capture (${meta.app} ${meta.version}), ${meta.capturedAt}`,
    '',
    `This folder holds the answers of ${count} read-only request${count === 1 ? '' : 's'} to dbt, Okta and/or`,
    'Microsoft Entra ID, one file per request, so that a bug can be reproduced without access to your',
    'tenant. Nothing was changed anywhere: the capture sends GET requests only.',
    '',
    'Before anything was written, every token and secret was replaced by <secret>, every e-mail by',
    'userN@example.test, every person name or login by "User N", every id by a placeholder of the same',
    'shape (00000000-0000-4000-8000-…, 0oaPLACEHOLDER…, 1000001…), and org or tenant host names by',
    'example.okta.com, tenant.example or acct.example.dbt.com. The same value has the same placeholder',
    'in every file. index.json lists the requests and the placeholders, never the real values.',
    '',
    'Please look through the files before you attach them to a report: group names, app labels and',
    'timestamps are kept as they are.',
    '',
    ...meta.sides.map((s) => `- ${s.id}: ${s.status}. ${s.message}`),
    '',
  ].join('\n');

export function captureFiles(redacted: RedactedCapture, meta: CaptureMeta): CaptureFile[] {
  const named = redacted.exchanges.map((ex, i) => ({ ex, file: exchangeFileName(i + 1, ex) }));
  const index: CaptureIndex = {
    format: CAPTURE_FORMAT,
    app: meta.app,
    version: meta.version,
    capturedAt: meta.capturedAt,
    sides: meta.sides,
    exchanges: named.map(({ ex, file }) => ({
      file,
      method: ex.method,
      url: ex.url,
      status: ex.status,
      ...(ex.label ? { label: ex.label } : {}),
    })),
    legend: redacted.legend,
  };
  return [
    ...named.map(({ ex, file }) => ({ name: file, text: `${JSON.stringify(ex, null, 2)}\n` })),
    { name: 'index.json', text: `${JSON.stringify(index, null, 2)}\n` },
    { name: 'README.txt', text: README(meta, named.length) },
  ];
}

/** Parses a written exchange file back (a fixture's loader). */
export function parseExchangeFile(text: string): CapturedExchange {
  return JSON.parse(text) as CapturedExchange;
}
