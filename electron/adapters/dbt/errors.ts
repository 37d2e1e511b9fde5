/**
 * dbt answers that are not what we hoped, as typed errors with remediation an admin can act on.
 *
 * Messages may quote dbt's own `user_message` (trimmed to ~200 characters and redacted), never a
 * raw body, a header or a token.
 */
import type { WizardError } from '../../core/errors.js';
import { errorEnvelopeSchema } from './schemas.js';
import { quote, tryJson, unexpectedShapeOf } from '../http/answers.js';

export { firstIssuePath, quote, tryJson } from '../http/answers.js';

/** dbt answered in a shape the wizard does not know. */
export function unexpectedShape(what: string, where: string): WizardError {
  return unexpectedShapeOf('dbt', what, where);
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

export const CREATE_SERVICE_TOKEN =
  'Create an account-admin service token in dbt → Account settings → API tokens → Service tokens (permission set “Account Admin”), then enter it again.';
