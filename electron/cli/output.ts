/**
 * What a CLI command reports, and how it is printed: one JSON document with `--json`
 * (CLI.md's shape), readable lines otherwise. Everything printed passes the redaction sink.
 */
import type { ErrorCode } from '../core/errors.js';
import { fromErrorInfo, toWizardError, type WizardError } from '../core/errors.js';
import type { CheckStatus } from '../core/model.js';
import { redact, redactDeep } from '../core/redact.js';

export interface CliCheck {
  readonly id: string;
  readonly status: CheckStatus;
  readonly message: string;
}

export interface CliChange {
  readonly id: string;
  readonly action: string;
  readonly target: string;
  /** The sentence an admin reads (an addition to CLI.md's shape). */
  readonly detail?: string;
}

export interface CommandReport {
  readonly checks?: readonly CliCheck[];
  readonly changes?: readonly CliChange[];
  /** Lines for people, printed before the checks (never in --json mode). */
  readonly lines?: readonly string[];
  /** Extra data for --json consumers (kept under `data`). */
  readonly data?: unknown;
  /** An error the command decided on (e.g. the cause of a failed check). */
  readonly error?: WizardError;
  /** The cause of a failed check, reported as the document's `error` without being thrown. */
  readonly errorInfo?: { readonly code: string; readonly message: string };
  /** Overrides the exit code that the checks imply. */
  readonly exitCode?: number;
}

export interface JsonDocument {
  ok: boolean;
  command: string;
  checks: CliCheck[];
  changes: CliChange[];
  data?: unknown;
  error?: { code: string; message: string };
}

export const EXIT = { ok: 0, failed: 1, badInput: 2, auth: 3, remote: 4 } as const;

/** What kind of failure an error code is; exit codes derive from it. */
export type ErrorCategory = 'input' | 'auth' | 'network' | 'answer' | 'local';

export function errorCategory(code: ErrorCode): ErrorCategory {
  switch (code) {
    case 'bad_input':
      return 'input';
    case 'auth_failed':
    case 'permission_denied':
    case 'ip_restricted':
      return 'auth';
    case 'rate_limited':
    case 'server_error':
    case 'network_dns':
    case 'network_refused':
    case 'network_reset':
    case 'network_timeout':
    case 'tls':
    case 'proxy':
    case 'proxy_auth':
      return 'network';
    case 'not_found':
    case 'html_response':
    case 'invalid_response':
    case 'redirected':
      return 'answer';
    case 'conflict':
    case 'secret_storage_unavailable':
    case 'cancelled':
    case 'internal':
      return 'local';
  }
}

/** CLI.md's exit codes, by error code: a remote that answered wrongly counts as a remote failure. */
export function exitCodeFor(code: ErrorCode): number {
  const category = errorCategory(code);
  return {
    input: EXIT.badInput,
    auth: EXIT.auth,
    network: EXIT.remote,
    answer: EXIT.remote,
    local: EXIT.failed,
  }[category];
}

/**
 * The exit code of a failed check: as `exitCodeFor`, except that a wrong answer (a 404, a web page,
 * JSON that is not SCIM) means the check failed (1), not that the network did.
 */
export function checkExitCode(code: string | undefined): number {
  if (code === undefined) {
    return EXIT.ok;
  }
  const known = fromErrorInfo({ code, message: '' }).code;
  return errorCategory(known) === 'answer' ? EXIT.failed : exitCodeFor(known);
}

export function reportExitCode(report: CommandReport): number {
  if (report.exitCode !== undefined) {
    return report.exitCode;
  }
  if (report.error) {
    return exitCodeFor(report.error.code);
  }
  const bad = (report.checks ?? []).some((c) => c.status === 'fail' || c.status === 'pending');
  return bad ? EXIT.failed : EXIT.ok;
}

export function toJsonDocument(
  command: string,
  report: CommandReport | undefined,
  error?: unknown,
): JsonDocument {
  const err = error !== undefined ? toWizardError(error) : report?.error;
  const checks = [...(report?.checks ?? [])];
  const doc: JsonDocument = {
    ok: err === undefined && reportExitCode(report ?? {}) === EXIT.ok,
    command,
    checks,
    changes: [...(report?.changes ?? [])],
    ...(report?.data !== undefined ? { data: report.data } : {}),
    ...(err
      ? { error: err.toInfo() }
      : report?.errorInfo
        ? { error: { ...report.errorInfo } }
        : {}),
  };
  return redactDeep(doc);
}

const MARK: Record<CheckStatus, string> = {
  pass: 'PASS',
  fail: 'FAIL',
  pending: 'PENDING',
  skip: 'SKIP',
};

export function formatHuman(
  command: string,
  report: CommandReport | undefined,
  error?: unknown,
): string {
  const out: string[] = [];
  for (const line of report?.lines ?? []) {
    out.push(line);
  }
  if (report?.changes && report.changes.length > 0) {
    out.push('Changes:');
    for (const c of report.changes) {
      const sign = c.action === 'add' ? '+' : c.action === 'remove' ? '-' : '~';
      out.push(`  ${sign} ${c.target}`);
    }
  }
  for (const c of report?.checks ?? []) {
    out.push(`${MARK[c.status].padEnd(7)} ${c.message}`);
  }
  const err = error !== undefined ? toWizardError(error) : report?.error;
  if (err) {
    out.push(`Error (${err.code}): ${err.message}`);
    if (err.remediation) {
      out.push(`What to do: ${err.remediation}`);
    }
  }
  if (out.length === 0) {
    out.push(`${command}: done.`);
  }
  return redact(out.join('\n'));
}
