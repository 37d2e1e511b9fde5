/**
 * dbt answers that are not what we hoped, as typed errors with remediation an admin can act on.
 *
 * Messages may quote dbt's own `user_message` (trimmed to ~200 characters and redacted), never a
 * raw body, a header or a token.
 */
import type { ZodError } from 'zod';
import { WizardError } from '../../core/errors.js';
import { redact } from '../../core/redact.js';
import { errorEnvelopeSchema } from './schemas.js';

const QUOTE_LIMIT = 200;

/** Collapses whitespace, trims to the limit and redacts: safe to show and log. */
export function quote(text: string, limit = QUOTE_LIMIT): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const cut = flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
  return redact(cut);
}

/** Parses a body as JSON, or undefined. */
export function tryJson(text: string): unknown {
  if (text.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** dbt's `user_message` (or `developer_message`) from an error envelope, quoted; '' when none. */
export function dbtMessage(body: string): string {
  const parsed = errorEnvelopeSchema.safeParse(tryJson(body));
  if (!parsed.success) {
    return '';
  }
  const { user_message: user, developer_message: dev } = parsed.data.status;
  const text = user?.trim() ? user : (dev ?? '');
  return text.trim() === '' ? '' : quote(text);
}

/** Whether a body looks like an HTML page. */
export function looksLikeHtml(headers: Readonly<Record<string, string>>, text: string): boolean {
  const type = headers['content-type'] ?? '';
  return (
    /\b(?:text\/html|application\/xhtml\+xml)\b/i.test(type) || text.trimStart().startsWith('<')
  );
}

/** Where a redirect points, as host + path (no query: it may carry anything). */
export function redirectTarget(location: string | undefined, from: string): string | undefined {
  if (!location) {
    return undefined;
  }
  try {
    const url = new URL(location, from);
    return `${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

/** The first place a value differed from the schema, as a dotted path (never the value). */
export function firstIssuePath(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) {
    return '';
  }
  return issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.');
}

export const CREATE_SERVICE_TOKEN =
  'Create an account-admin service token in dbt → Account settings → API tokens → Service tokens (permission set “Account Admin”), then enter it again.';

export function unexpectedShape(what: string, where: string): WizardError {
  return new WizardError(
    'invalid_response',
    `dbt answered the request for ${what} in an unexpected shape${where ? ` (first difference at ${where})` : ''}; the API may have changed.`,
    {
      remediation:
        'Update the wizard if a newer version exists; otherwise copy the redacted diagnostic and report it.',
    },
  );
}
