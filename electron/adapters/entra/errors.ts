/**
 * Microsoft Graph answers that are not what we hoped, as typed errors with remediation an admin can
 * act on.
 *
 * Messages may quote Graph's own `error.message` (whitespace collapsed, at most 200 characters,
 * redacted) and always keep its `request-id` (and date), which Microsoft support asks for. They never
 * carry a raw body, a header or a token.
 */
import { WizardError, type ErrorCode } from '../../core/errors.js';
import type { HttpResponse } from '../../core/ports.js';
import { graphErrorEnvelopeSchema, nestedMessageSchema } from './schemas.js';
import { quote, tryJson, unexpectedShapeOf } from '../http/answers.js';

export { firstIssuePath, quote, tryJson } from '../http/answers.js';

/** Microsoft Graph answered in a shape the wizard does not know. */
export function unexpectedShape(what: string, where: string): WizardError {
  return unexpectedShapeOf('Microsoft Graph', what, where);
}

/** What Graph said about a failure: its code, its whole message (unquoted) and its ids. */
export interface GraphErrorBody {
  readonly code: string | null;
  /** The full message, not yet quoted: callers match words in it, then quote it. */
  readonly message: string;
  readonly requestId: string | null;
  readonly date: string | null;
}

/** Reads Graph's error envelope; a message that is itself JSON (syncfabric's) is unwrapped. */
export function graphErrorBody(text: string): GraphErrorBody {
  const parsed = graphErrorEnvelopeSchema.safeParse(tryJson(text));
  if (!parsed.success) {
    return { code: null, message: '', requestId: null, date: null };
  }
  const { code, message, innerError } = parsed.data.error;
  let said = message ?? '';
  const nested = nestedMessageSchema.safeParse(tryJson(said));
  if (nested.success) {
    said = nested.data.Message ?? nested.data.message ?? said;
  }
  return {
    code: code?.trim() ? code.trim() : null,
    message: said.trim(),
    requestId: innerError?.['request-id'] ?? null,
    date: innerError?.date ?? null,
  };
}

/** A typed error from Graph, with Graph's error code and request-id kept for diagnostics. */
export class GraphError extends WizardError {
  /** Graph's `error.code`, e.g. `Authorization_RequestDenied`. */
  readonly graphCode: string | null;
  /** `innerError.request-id`: what Microsoft support asks for. */
  readonly requestId: string | null;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      remediation: string;
      status?: number;
      retryable?: boolean;
      graphCode?: string | null;
      requestId?: string | null;
    },
  ) {
    super(code, message, {
      remediation: options.remediation,
      ...(options.status === undefined ? {} : { status: options.status }),
      retryable: options.retryable ?? false,
    });
    this.graphCode = options.graphCode ?? null;
    this.requestId = options.requestId ?? null;
  }
}

export const ROLES_AND_SCOPES =
  'Sign in as a user holding the Application Administrator or Cloud Application Administrator role (Global Administrator also works), and make sure an administrator granted consent to the wizard’s permissions Application.ReadWrite.All and Synchronization.ReadWrite.All (and AppRoleAssignment.ReadWrite.All to assign the test user).';

const SIGN_IN_AGAIN =
  'Sign in to Microsoft again; if it keeps happening, check that the account belongs to the tenant you are setting up.';

/** What an error may say about the call that failed. */
export interface FailedCall {
  /** What was asked for, in words, e.g. `the service principal`. */
  readonly what: string;
  /** Calls whose 400 answers have a special meaning. */
  readonly op?: 'validateCredentials' | 'provisionOnDemand' | 'assignUser';
}

/** Words of a failed connection test: the SCIM endpoint answered 401/403 … */
const REFUSED_WORDS = /\b40[13]\b|unauthori[sz]ed|forbidden/i;
/** … could not be reached at all … */
const UNREACHABLE_WORDS =
  /unreachable|could not connect|unable to connect|cannot connect|connection refused|resolve|timed? ?out|not reachable/i;
/** … or refused the credentials in other words. */
const CREDENTIAL_WORDS = /invalid credentials|credential|token/i;

/** A non-2xx Graph answer as a typed error naming the cause and what to do. */
export function graphStatusError(res: HttpResponse, call: FailedCall): GraphError {
  const { status } = res;
  const body = graphErrorBody(res.text);
  const said = body.message ? ` Graph said: “${quote(body.message)}”` : '';
  const ids = body.requestId
    ? ` (request-id ${quote(body.requestId, 60)}${body.date ? `, ${quote(body.date, 40)}` : ''})`
    : '';
  const error = (
    code: ErrorCode,
    summary: string,
    remediation: string,
    retryable = false,
  ): GraphError =>
    new GraphError(code, `${summary}${said}${ids}`, {
      remediation,
      status,
      retryable,
      graphCode: body.code,
      requestId: body.requestId,
    });

  if (status === 400 && call.op === 'validateCredentials') {
    const refused = REFUSED_WORDS.test(body.message);
    const unreachable = !refused && UNREACHABLE_WORDS.test(body.message);
    if (refused || (!unreachable && CREDENTIAL_WORDS.test(body.message))) {
      return error(
        'auth_failed',
        'Entra’s connection test failed: dbt refused the SCIM token.',
        'Create a new SCIM token in dbt (Account settings → SSO & SCIM), paste it whole, and check that the SCIM base URL belongs to the same dbt account.',
      );
    }
    if (unreachable) {
      return error(
        'bad_input',
        'Entra’s connection test failed: Entra could not reach the SCIM base URL.',
        'Copy the SCIM base URL again from dbt (Account settings → SSO & SCIM); it must be reachable from the internet, not only from your network.',
      );
    }
    return error(
      'bad_input',
      'Entra’s connection test failed.',
      'Check the SCIM base URL and token from dbt, then test the connection again.',
    );
  }
  if (status === 400 && call.op === 'assignUser' && /already exists/i.test(body.message)) {
    return error(
      'conflict',
      `The user already has this role on the application (HTTP 400).`,
      'Nothing to do: the assignment exists. Refresh to see it.',
    );
  }
  if (status === 400 || status === 422) {
    return error(
      'bad_input',
      `Microsoft Graph rejected the request for ${call.what} (HTTP ${status}).`,
      'Check the values entered; if they look right, the API may have changed: copy the redacted diagnostic and report it.',
    );
  }
  if (status === 401) {
    return error(
      'auth_failed',
      'Microsoft Graph refused the sign-in (HTTP 401): the session expired or was revoked.',
      SIGN_IN_AGAIN,
    );
  }
  if (status === 403) {
    const denied = body.code === 'Authorization_RequestDenied';
    return error(
      'permission_denied',
      denied
        ? `Microsoft Graph refused the request for ${call.what} (HTTP 403, Authorization_RequestDenied): the signed-in user lacks the role or the wizard lacks consent.`
        : `Microsoft Graph refused the request for ${call.what} (HTTP 403).`,
      ROLES_AND_SCOPES,
    );
  }
  if (status === 404 || status === 410) {
    return error(
      'not_found',
      `Microsoft Graph found no ${call.what.replace(/^the /, '')} (HTTP ${status}).`,
      'A new application can take a few minutes to appear everywhere in Entra: wait a minute and run the step again. If it persists, it may have been deleted.',
      true,
    );
  }
  if (status === 409) {
    return error(
      'conflict',
      `Microsoft Graph refused the change to ${call.what} (HTTP 409).`,
      'Entra is probably still setting up the new application: wait a minute and run the step again.',
      true,
    );
  }
  if (status === 429) {
    const after = res.headers['retry-after'];
    return error(
      'rate_limited',
      `Microsoft Graph is limiting how fast requests may come (HTTP 429)${after ? `; it asked to wait ${quote(after, 40)} seconds` : ''}${call.op === 'provisionOnDemand' ? ' (provision on demand allows 5 calls per 10 seconds)' : ''}.`,
      'Wait a minute, then try again.',
      true,
    );
  }
  if (status >= 500) {
    return error(
      'server_error',
      `Microsoft Graph had a server error answering the request for ${call.what} (HTTP ${status}).`,
      'This is usually temporary: try again in a few minutes, and check https://status.cloud.microsoft if it persists.',
      true,
    );
  }
  return error(
    'invalid_response',
    `Microsoft Graph answered the request for ${call.what} with an unexpected HTTP ${status}.`,
    'Try again; if it persists, copy the redacted diagnostic and report it.',
  );
}
