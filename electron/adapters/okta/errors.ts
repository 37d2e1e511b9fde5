/**
 * Okta answers that are not what we hoped, as typed errors with remediation an admin can act on.
 *
 * Okta's error body is `{errorCode, errorSummary, errorLink, errorId, errorCauses:[{errorSummary}]}`.
 * Messages may quote its summary and causes (whitespace collapsed, at most 200 characters, redacted)
 * and always keep its `errorId`, which Okta support asks for. They never carry a raw body, a header
 * value other than the scope names of a `WWW-Authenticate` challenge, or a token.
 */
import { WizardError, type ErrorCode } from '../../core/errors.js';
import type { HttpResponse } from '../../core/ports.js';
import { oauthErrorSchema, oktaErrorSchema } from './schemas.js';
import { quote, tryJson, unexpectedShapeOf } from '../http/answers.js';

export { firstIssuePath, quote, tryJson } from '../http/answers.js';

/** Okta answered in a shape the wizard does not know. */
export function unexpectedShape(what: string, where: string): WizardError {
  return unexpectedShapeOf('Okta', what, where);
}

/** What Okta said about a failure. */
export interface OktaErrorBody {
  /** `E0000011`, … (or an OAuth error such as `invalid_client`). */
  readonly code: string | null;
  readonly summary: string;
  readonly causes: readonly string[];
  /** What Okta support asks for. */
  readonly errorId: string | null;
}

export function oktaErrorBody(text: string): OktaErrorBody {
  const json = tryJson(text);
  const okta = oktaErrorSchema.safeParse(json);
  if (okta.success && (okta.data.errorCode || okta.data.errorSummary)) {
    const causes = (okta.data.errorCauses ?? [])
      .map((c) => c.errorSummary?.trim() ?? '')
      .filter((c) => c !== '');
    return {
      code: nonEmpty(okta.data.errorCode),
      summary: okta.data.errorSummary?.trim() ?? '',
      causes,
      errorId: nonEmpty(okta.data.errorId),
    };
  }
  const oauth = oauthErrorSchema.safeParse(json);
  if (oauth.success) {
    return {
      code: nonEmpty(oauth.data.error),
      summary: oauth.data.error_description?.trim() ?? '',
      causes: [],
      errorId: null,
    };
  }
  return { code: null, summary: '', causes: [], errorId: null };
}

function nonEmpty(text: string | null | undefined): string | null {
  const trimmed = text?.trim() ?? '';
  return trimmed === '' ? null : trimmed;
}

/** A typed error from Okta, with Okta's error code and errorId kept for diagnostics. */
export class OktaError extends WizardError {
  /** Okta's `errorCode`, e.g. `E0000006`. */
  readonly oktaCode: string | null;
  /** Okta's `errorId`: what Okta support asks for. */
  readonly errorId: string | null;

  constructor(
    code: ErrorCode,
    message: string,
    options: {
      remediation: string;
      status?: number;
      retryable?: boolean;
      oktaCode?: string | null;
      errorId?: string | null;
    },
  ) {
    super(code, message, {
      remediation: options.remediation,
      ...(options.status === undefined ? {} : { status: options.status }),
      retryable: options.retryable ?? false,
    });
    this.oktaCode = options.oktaCode ?? null;
    this.errorId = options.errorId ?? null;
  }
}

/** How the wizard authenticates: the remediation of a refusal depends on it. */
export type AuthKind = 'ssws' | 'bearer' | 'client';

/** What an error may say about the call that failed. */
export interface FailedCall {
  /** What was asked for, in words, e.g. `the app 0oa1…`. */
  readonly what: string;
  readonly auth: AuthKind;
  /** The org URL the wizard uses (an origin, e.g. `https://acme.okta.com`). */
  readonly orgUrl: string;
  /** For the rate-limit message ("resets in about 30 s"). */
  readonly now: Date;
}

// ---------------------------------------------------------------------------------------------
// Remediation sentences

/** The roles that can do every step the wizard takes (okta.md §5). */
const ROLES = 'the Super Administrator or Org Administrator role';

function refusedTokenRemediation(auth: AuthKind): string {
  switch (auth) {
    case 'ssws':
      return 'Create a new API token in this org’s Okta admin console (Security → API → Tokens → Create token) and enter it again; check that the org URL is the org the token belongs to.';
    case 'bearer':
      return 'Sign in to Okta again, and check that the org URL is the org you sign in to.';
    case 'client':
      return 'Check the service app’s client ID and key, and that the org URL is the org the app belongs to; then connect again.';
  }
}

function roleRemediation(auth: AuthKind): string {
  switch (auth) {
    case 'ssws':
      return `An API token acts with the role of the admin who created it: create the token as an admin with ${ROLES}.`;
    case 'bearer':
      return `Sign in as an Okta admin with ${ROLES}.`;
    case 'client':
      return `Assign ${ROLES} to the service app (Okta admin console → Applications → the app → Admin roles).`;
  }
}

function scopeRemediation(scopes: readonly string[], auth: AuthKind): string {
  const which = scopes.length > 0 ? scopes.join(' and ') : 'the scope this step needs';
  const after =
    auth === 'client'
      ? 'then connect again, so the next token carries it.'
      : 'then sign in again, so the new token carries it.';
  return `In the Okta admin console open Applications → Applications → the wizard’s app → Okta API Scopes and Grant ${which} (only a Super Administrator can grant scopes); ${after}`;
}

/** The org URL hint for answers that come from the wrong host (a web page, a redirect). */
export function orgUrlHint(orgUrl: string): string {
  let suggestion = 'e.g. https://acme.okta.com';
  try {
    const url = new URL(orgUrl);
    const fixed = url.hostname.replace(
      /-admin(\.(?:okta|oktapreview|okta-emea|okta-gov)\.)/i,
      '$1',
    );
    if (fixed !== url.hostname) {
      suggestion = `here https://${fixed}`;
    }
  } catch {
    // Keep the example.
  }
  return `Use your Okta org URL (${suggestion}), not the admin console address (…-admin.okta.com) or a custom sign-in domain, and check that no proxy answers instead.`;
}

// ---------------------------------------------------------------------------------------------
// WWW-Authenticate

/** The parameters of a `WWW-Authenticate` challenge, e.g. `Bearer error="insufficient_scope", scope="okta.apps.read"`. */
export function challengeParams(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) {
    return out;
  }
  const re = /([A-Za-z_][A-Za-z0-9_-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (let m = re.exec(header); m; m = re.exec(header)) {
    const name = (m[1] ?? '').toLowerCase();
    const value = m[2] ?? m[3] ?? '';
    out[name] ??= value.replace(/\\(.)/g, '$1');
  }
  return out;
}

/** The scopes a 403 `insufficient_scope` challenge names (only scope-shaped words), or undefined. */
export function missingScopes(res: Pick<HttpResponse, 'headers'>): string[] | undefined {
  const params = challengeParams(res.headers['www-authenticate']);
  if (params.error !== 'insufficient_scope') {
    return undefined;
  }
  return (params.scope ?? '')
    .split(/[\s,]+/)
    .filter((s) => /^okta\.[A-Za-z0-9._-]+$/.test(s))
    .slice(0, 10);
}

// ---------------------------------------------------------------------------------------------
// Answers

export function looksLikeHtml(res: Pick<HttpResponse, 'headers' | 'text'>): boolean {
  const type = res.headers['content-type'] ?? '';
  return (
    /\b(?:text\/html|application\/xhtml\+xml)\b/i.test(type) || res.text.trimStart().startsWith('<')
  );
}

/** A web page where JSON was expected: the org URL is probably the admin console or a custom domain. */
export function htmlAnswerError(status: number, call: FailedCall): OktaError {
  return new OktaError(
    'html_response',
    `Okta answered the request for ${call.what} with a web page instead of data (HTTP ${status}).`,
    { remediation: orgUrlHint(call.orgUrl), status },
  );
}

/** A 2xx body that is neither JSON nor HTML. */
export function notJsonError(status: number, call: FailedCall): OktaError {
  return new OktaError(
    'invalid_response',
    `Okta answered the request for ${call.what} with something that is not JSON (HTTP ${status}).`,
    {
      remediation: `${orgUrlHint(call.orgUrl)} If the URL is right, Okta may be having trouble: try again later.`,
      status,
      retryable: true,
    },
  );
}

function formatWait(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s < 120 ? `${s} s` : `${Math.ceil(s / 60)} min`;
}

/** When Okta's rate-limit window resets (`X-Rate-Limit-Reset`, epoch seconds), in words. */
export function resetNote(res: Pick<HttpResponse, 'headers'>, now: Date): string | undefined {
  const raw = res.headers['x-rate-limit-reset'];
  if (raw == null || !/^\s*\d+\s*$/.test(raw)) {
    return undefined;
  }
  const at = new Date(Number(raw.trim()) * 1000);
  const wait = at.getTime() - now.getTime();
  return wait > 0
    ? `the limit resets at ${at.toISOString()} (in about ${formatWait(wait)})`
    : `the limit reset at ${at.toISOString()}`;
}

/** A non-2xx Okta answer (after the HTTP client's retries) as a typed error naming cause and fix. */
export function oktaStatusError(res: HttpResponse, call: FailedCall): OktaError {
  const { status } = res;
  if (status >= 300 && status < 400) {
    let where = 'elsewhere';
    try {
      const location = res.headers.location;
      if (location) {
        where = `to ${new URL(location, call.orgUrl).host}`;
      }
    } catch {
      // Keep "elsewhere".
    }
    return new OktaError(
      'redirected',
      `Okta redirected the request for ${call.what} ${where} (HTTP ${status}).`,
      { remediation: orgUrlHint(call.orgUrl), status },
    );
  }
  if (looksLikeHtml(res)) {
    return htmlAnswerError(status, call);
  }

  const body = oktaErrorBody(res.text);
  const code = body.code ? `, ${quote(body.code, 40)}` : '';
  const causes =
    body.causes.length > 0 ? ` (${body.causes.map((c) => quote(c, 120)).join('; ')})` : '';
  const said = body.summary
    ? ` Okta said: “${quote(body.summary)}”${causes}.`
    : causes
      ? ` Okta said:${causes}.`
      : '';
  const ids = body.errorId ? ` (errorId ${quote(body.errorId, 60)})` : '';
  const error = (
    errorCode: ErrorCode,
    summary: string,
    remediation: string,
    retryable = false,
  ): OktaError =>
    new OktaError(errorCode, `${summary}${said}${ids}`, {
      remediation,
      status,
      retryable,
      oktaCode: body.code,
      errorId: body.errorId,
    });

  if (status === 401) {
    return error(
      'auth_failed',
      `The Okta token was refused (expired, revoked, or for another org) when asking for ${call.what} (HTTP 401${code}).`,
      refusedTokenRemediation(call.auth),
    );
  }
  if (status === 403) {
    const scopes = missingScopes(res);
    if (scopes) {
      const named = scopes.length > 0 ? `the scope ${scopes.join(', ')}` : 'a scope it needs';
      return error(
        'permission_denied',
        `Okta refused the request for ${call.what}: the token lacks ${named} (HTTP 403${code}).`,
        scopeRemediation(scopes, call.auth),
      );
    }
    if (body.code === 'E0000015') {
      return error(
        'permission_denied',
        `Okta refused the request for ${call.what}: the feature is not available in this org (HTTP 403${code}).`,
        'Check that the feature is enabled for this org (Okta admin console → Settings → Features) and that the app has provisioning turned on; then try again.',
      );
    }
    return error(
      'permission_denied',
      `Okta refused the request for ${call.what}: the admin behind the token is not allowed to do this (HTTP 403${code}).`,
      roleRemediation(call.auth),
    );
  }
  if (status === 404 || status === 410) {
    return error(
      'not_found',
      `Okta found no ${call.what.replace(/^the /, '')} (HTTP ${status}${code}).`,
      'Check the org URL, and that the object was not deleted in the meantime; refresh and choose it again.',
    );
  }
  if (status === 409) {
    return error(
      'conflict',
      `Okta refused the change to ${call.what}: it conflicts with what is there (HTTP 409${code}).`,
      'Refresh to see the current state, then run the step again: it adopts what already exists.',
      true,
    );
  }
  if (status === 429) {
    const reset = resetNote(res, call.now);
    return error(
      'rate_limited',
      `Okta is limiting how fast requests may come (HTTP 429${code}) and kept refusing the request for ${call.what}${reset ? `; ${reset}` : ''}.`,
      reset
        ? 'Wait until then and try again; other tools using the same token or app share its limit.'
        : 'Wait a minute and try again; other tools using the same token or app share its limit.',
      true,
    );
  }
  if (status === 400 || status === 422) {
    return error(
      'bad_input',
      `Okta rejected the request for ${call.what} as invalid (HTTP ${status}${code}).`,
      'Fix what Okta names above; if it names nothing you entered, copy the redacted diagnostic and report it.',
    );
  }
  if (status >= 500) {
    return error(
      'server_error',
      `Okta had a server error answering the request for ${call.what} (HTTP ${status}${code}).`,
      'This is usually temporary: try again in a few minutes, and check https://status.okta.com if it persists.',
      true,
    );
  }
  return error(
    'invalid_response',
    `Okta answered the request for ${call.what} with an unexpected HTTP ${status}${code}.`,
    'Try again; if it persists, copy the redacted diagnostic and report it.',
  );
}

// ---------------------------------------------------------------------------------------------
// Shapes
