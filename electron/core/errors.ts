/**
 * Typed errors: every failure the wizard reports carries a `code` and a remediation sentence
 * a person can act on. Faces map codes to exit codes (CLI) or to `{ok:false,error}` (IPC).
 */
import type { ErrorInfo } from './model.js';
import { redact } from './redact.js';

export const ERROR_CODES = [
  // bad input: nothing was sent
  'bad_input',
  // the remote refused who we are
  'auth_failed',
  'permission_denied',
  'ip_restricted',
  // the remote answered, but not as hoped
  'not_found',
  'conflict',
  'rate_limited',
  'server_error',
  'html_response',
  'invalid_response',
  'redirected',
  // the network
  'network_dns',
  'network_refused',
  'network_reset',
  'network_timeout',
  'tls',
  'proxy',
  'proxy_auth',
  // local
  'secret_storage_unavailable',
  'cancelled',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface WizardErrorOptions {
  /** What to do about it, one or two sentences. */
  readonly remediation: string;
  /** Whether trying the same thing again later may succeed. */
  readonly retryable?: boolean;
  /** The HTTP status, when the error comes from a response. */
  readonly status?: number;
  readonly cause?: unknown;
}

export class WizardError extends Error {
  override readonly name = 'WizardError';
  readonly code: ErrorCode;
  readonly remediation: string;
  readonly retryable: boolean;
  readonly status: number | undefined;

  constructor(code: ErrorCode, message: string, options: WizardErrorOptions) {
    super(message, { cause: options.cause });
    this.code = code;
    this.remediation = options.remediation;
    this.retryable = options.retryable ?? false;
    this.status = options.status;
  }

  /** The redacted form that may leave the process: what happened, then what to do. */
  toInfo(): ErrorInfo {
    return { code: this.code, message: redact(`${this.message} ${this.remediation}`.trim()) };
  }
}

/** Bad input, found before anything was sent. */
export function badInput(message: string, remediation: string): WizardError {
  return new WizardError('bad_input', message, { remediation });
}

export function isWizardError(e: unknown): e is WizardError {
  return e instanceof WizardError;
}

export function isAbortError(e: unknown): boolean {
  return (
    (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) ||
    (e instanceof WizardError && e.code === 'cancelled')
  );
}

export function cancelled(): WizardError {
  return new WizardError('cancelled', 'The operation was cancelled.', {
    remediation:
      'Run it again when you are ready; nothing was left half-done that a re-run does not fix.',
    retryable: true,
  });
}

/**
 * Any thrown value, as a typed error. Unknown errors keep no detail beyond a redacted message, so a
 * stack trace or a secret inside a library's message never reaches a person or a log.
 */
export function toWizardError(e: unknown): WizardError {
  if (e instanceof WizardError) {
    return e;
  }
  if (isAbortError(e)) {
    return cancelled();
  }
  const message = e instanceof Error ? e.message : String(e);
  return new WizardError('internal', `Unexpected error: ${redact(message)}.`, {
    remediation: 'Try again; if it happens again, copy the redacted diagnostic and report it.',
    cause: e,
  });
}

/** The redacted `{code, message}` of any thrown value. */
export function errorInfo(e: unknown): ErrorInfo {
  return toWizardError(e).toInfo();
}

/** Rebuilds a typed error from its `{code, message}` form (the message already holds the remediation). */
export function fromErrorInfo(info: ErrorInfo): WizardError {
  const code = (ERROR_CODES as readonly string[]).includes(info.code)
    ? (info.code as ErrorCode)
    : 'internal';
  return new WizardError(code, info.message, { remediation: '' });
}
