/**
 * From what went wrong on the wire to a typed WizardError that names the cause and says what to do.
 *
 * Messages name the request by its label and its origin+path only: never a query string, a header
 * value, a body or a library's own message (which may echo any of those).
 */
import { WizardError, type ErrorCode } from '../../core/errors.js';
import type { HttpMethod } from '../../core/ports.js';
import type { ProxyInfo } from './proxy.js';

/** What an error message may say about the request. */
export interface RequestContext {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly label?: string;
  /** The proxy this request went through, when one did. */
  readonly proxy?: ProxyInfo;
}

/** The URL without credentials, query string or fragment. */
export function originAndPath(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/** "dbt scim-config (GET https://host/path)", or "GET https://host/path" without a label. */
export function describeRequest(ctx: RequestContext): string {
  const target = `${ctx.method} ${originAndPath(ctx.url)}`;
  return ctx.label ? `${ctx.label} (${target})` : target;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  409: 'Conflict',
  410: 'Gone',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

function httpStatus(status: number): string {
  const text = STATUS_TEXT[status];
  return text ? `HTTP ${status} ${text}` : `HTTP ${status}`;
}

function attemptsNote(attempts: number): string {
  return attempts > 1 ? ` after ${attempts} attempts` : '';
}

function fail(
  code: ErrorCode,
  message: string,
  remediation: string,
  extra: { status?: number; retryable?: boolean; cause?: unknown } = {},
): WizardError {
  return new WizardError(code, message, { remediation, ...extra });
}

// ---------------------------------------------------------------------------------------------
// Answers

export interface StatusErrorOptions {
  /** Attempts made in all (named in the message for retried statuses). */
  readonly attempts?: number;
  /** When the server asked us to come back (429/503 with Retry-After), if known. */
  readonly retryAt?: Date;
}

const TRY_LATER =
  'This is usually temporary: try again in a few minutes, and if it persists check the service’s status page.';

/** A non-2xx, non-3xx answer as a typed error. */
export function statusError(
  status: number,
  ctx: RequestContext,
  options: StatusErrorOptions = {},
): WizardError {
  const who = describeRequest(ctx);
  const what = httpStatus(status);
  const tries = attemptsNote(options.attempts ?? 1);
  const comeBack = options.retryAt
    ? `Try again after ${options.retryAt.toISOString()}.`
    : undefined;
  switch (status) {
    case 401:
      return fail(
        'auth_failed',
        `${who} was refused: the token or credentials were not accepted (${what}).`,
        'Check that the token was pasted whole, has not expired or been revoked, and belongs to this account; then enter it again.',
        { status },
      );
    case 403:
      return fail(
        'permission_denied',
        `${who} was refused: the credentials are valid but not allowed to do this (${what}).`,
        'Use a token of an administrator with the permission this step needs, or ask one to grant it; an IP allowlist on the service can also cause this.',
        { status },
      );
    case 404:
    case 410:
      return fail(
        'not_found',
        `${who} found nothing at this address (${what}).`,
        'Check the account or tenant ID and the host name; the object may also have been deleted in the meantime.',
        { status },
      );
    case 407:
      return proxyAuthError(ctx, status);
    case 409:
      return fail(
        'conflict',
        `${who} conflicts with what is already there (${what}), for example an object with the same name.`,
        'Run the step again: it reads the current state first and adopts what already exists.',
        { status },
      );
    case 429:
      return fail(
        'rate_limited',
        `${who} was rate-limited by the service (${what})${tries}.`,
        comeBack ??
          'Wait a minute or two and try again; other tools using the same token share its limit.',
        { status, retryable: true },
      );
    case 400:
    case 422:
      return fail(
        'bad_input',
        `${who} was rejected as invalid by the service (${what}).`,
        'Check the values entered for this step; if they look right, copy the redacted diagnostic and report it.',
        { status },
      );
    default:
      break;
  }
  if (status >= 500) {
    return fail(
      'server_error',
      `${who} failed on the service’s side (${what})${tries}.`,
      comeBack ?? TRY_LATER,
      { status, retryable: true },
    );
  }
  return fail(
    'internal',
    `${who} got an answer the wizard does not expect (${what}).`,
    'Check the URL; if it is right, copy the redacted diagnostic and report it.',
    { status },
  );
}

/** The server asked for a longer wait than the policy allows: fail now, saying when to come back. */
export function waitTooLongError(
  status: number,
  ctx: RequestContext,
  waitMs: number,
  retryAt: Date,
  maxDelayMs: number,
): WizardError {
  const who = describeRequest(ctx);
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  const code: ErrorCode = status === 429 ? 'rate_limited' : 'server_error';
  const why = status === 429 ? 'was rate-limited by the service' : 'is unavailable for now';
  return fail(
    code,
    `${who} ${why} (${httpStatus(status)}); it asks to wait until ${retryAt.toISOString()} (about ${minutes} min), longer than the ${Math.round(maxDelayMs / 1000)} s the wizard waits on its own.`,
    `Try again after ${retryAt.toISOString()}.`,
    { status, retryable: true },
  );
}

/** A 3xx: the wizard never follows redirects; a pasted browser URL that bounces to a sign-in page lands here. */
export function redirectedError(
  status: number,
  ctx: RequestContext,
  location: string | undefined,
): WizardError {
  const who = describeRequest(ctx);
  let host: string | undefined;
  if (location) {
    try {
      host = new URL(location, ctx.url).host;
    } catch {
      host = undefined;
    }
  }
  const where = host ? `redirected to ${host}` : 'redirected elsewhere';
  return fail(
    'redirected',
    `${who} was ${where} (${httpStatus(status)}).`,
    'The URL probably is a browser address (they redirect to a sign-in page): use the service’s API address instead.',
    { status },
  );
}

export function htmlResponseError(ctx: RequestContext, status: number): WizardError {
  return fail(
    'html_response',
    `${describeRequest(ctx)} answered with a web page where data was expected.`,
    'This looks like a web page, e.g. a sign-in page: check the URL is the API address, not one copied from the browser, and that no proxy is answering instead.',
    { status },
  );
}

export function invalidResponseError(ctx: RequestContext, status: number): WizardError {
  return fail(
    'invalid_response',
    `${describeRequest(ctx)} answered with something that is not valid JSON.`,
    'Check that the URL points to the service’s API; if it does, the service may be having trouble, so try again later.',
    { status, retryable: true },
  );
}

export function timeoutError(
  ctx: RequestContext,
  timeoutMs: number,
  attempts: number,
): WizardError {
  return fail(
    'network_timeout',
    `${describeRequest(ctx)} got no answer within ${formatSeconds(timeoutMs)}${attemptsNote(attempts)}.`,
    'Check that this computer is online and that a VPN or proxy is not holding the connection; then try again.',
    { retryable: true },
  );
}

function formatSeconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

// ---------------------------------------------------------------------------------------------
// Network failures

const TLS_HINT =
  'If you are behind a corporate proxy, a proxy that inspects TLS must have its root certificate trusted; set NODE_EXTRA_CA_CERTS for the CLI.';

const CERT_UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_REVOKED',
  'CERT_CHAIN_TOO_LONG',
  'INVALID_CA',
  'INVALID_PURPOSE',
  'PATH_LENGTH_EXCEEDED',
]);
const CERT_DATES = new Set([
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
]);
const DNS = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);
const REFUSED = new Set(['ECONNREFUSED']);
const UNREACHABLE = new Set(['ENETUNREACH', 'EHOSTUNREACH', 'EHOSTDOWN', 'ENETDOWN']);
const RESET = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const TIMEOUT = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** When a failed request may be sent again. */
export type RetryScope =
  /** Certainly not sent (nothing connected): safe for any method. */
  | 'any'
  /** May have reached the server: only for idempotent methods. */
  | 'idempotent'
  | 'never';

export interface NetworkFailure {
  readonly error: WizardError;
  readonly retry: RetryScope;
}

interface Facts {
  readonly codes: string[];
  readonly hostname?: string;
  readonly address?: string;
  readonly port?: number;
  /** The status of a refused proxy CONNECT, read from undici's RequestAbortedError. */
  readonly proxyStatus?: number;
}

/** Walks `err`, `err.cause`, … (undici wraps the socket error in TypeError('fetch failed')). */
export function collectFacts(err: unknown): Facts {
  const codes: string[] = [];
  let hostname: string | undefined;
  let address: string | undefined;
  let port: number | undefined;
  let proxyStatus: number | undefined;
  let current: unknown = err;
  for (let depth = 0; depth < 8 && current != null && typeof current === 'object'; depth++) {
    const e = current as Record<string, unknown>;
    if (typeof e.code === 'string') {
      codes.push(e.code);
    }
    if (typeof e.hostname === 'string') {
      hostname ??= e.hostname;
    }
    if (typeof e.address === 'string') {
      address ??= e.address;
    }
    if (typeof e.port === 'number') {
      port ??= e.port;
    }
    if (typeof e.message === 'string') {
      const m = /^Proxy response \((\d{3})\)/.exec(e.message);
      if (m) {
        proxyStatus ??= Number(m[1]);
      }
    }
    // An AggregateError (happy eyeballs) holds the per-address errors.
    if (Array.isArray(e.errors) && e.errors.length > 0) {
      current = e.errors[0];
      continue;
    }
    current = e.cause;
  }
  return { codes, hostname, address, port, proxyStatus };
}

function defaultPort(url: URL): number {
  if (url.port) {
    return Number(url.port);
  }
  return url.protocol === 'https:' ? 443 : 80;
}

/** Whether a connection-level failure was the proxy's rather than the service's. */
function isProxyFailure(facts: Facts, ctx: RequestContext): boolean {
  const proxy = ctx.proxy;
  if (!proxy) {
    return false;
  }
  if (facts.hostname != null) {
    return facts.hostname.toLowerCase() === proxy.hostname.toLowerCase();
  }
  if (facts.port == null || facts.port !== proxy.port) {
    return false;
  }
  return facts.address === proxy.hostname || facts.port !== defaultPort(ctx.url);
}

export function proxyAuthError(ctx: RequestContext, status?: number): WizardError {
  const proxy = ctx.proxy ? `the proxy at ${ctx.proxy.display}` : 'a proxy';
  return fail(
    'proxy_auth',
    `${describeRequest(ctx)} was stopped by ${proxy}: it asks for a proxy sign-in (HTTP 407 Proxy Authentication Required).`,
    'Ask IT to allow this host through the proxy without sign-in, or for the CLI put the proxy credentials in HTTPS_PROXY (http://user:password@proxy:port).',
    { status },
  );
}

/** A failure with no HTTP answer (or a proxy's refusal), as a typed error plus when it may be retried. */
export function networkError(err: unknown, ctx: RequestContext): NetworkFailure {
  const facts = collectFacts(err);
  const who = describeRequest(ctx);
  const host = ctx.url.host;
  const has = (set: ReadonlySet<string>): string | undefined => facts.codes.find((c) => set.has(c));

  if (facts.proxyStatus != null) {
    if (facts.proxyStatus === 407) {
      return { error: proxyAuthError(ctx), retry: 'never' };
    }
    return {
      error: fail(
        'proxy',
        `${who} could not pass ${ctx.proxy ? `the proxy at ${ctx.proxy.display}` : 'the proxy'}: it refused to connect to ${host} (HTTP ${facts.proxyStatus}).`,
        'Ask IT to allow this host through the proxy, or check the proxy settings of this computer.',
        { retryable: facts.proxyStatus >= 500 },
      ),
      retry: 'never',
    };
  }

  if (facts.codes.includes('UND_ERR_PRX_TLS')) {
    return {
      error: fail(
        'tls',
        `${who} failed: the secure connection to the proxy${ctx.proxy ? ` at ${ctx.proxy.display}` : ''} could not be verified.`,
        `Check the proxy settings. ${TLS_HINT}`,
      ),
      retry: 'never',
    };
  }

  const tlsCode =
    has(CERT_UNTRUSTED) ??
    has(CERT_DATES) ??
    facts.codes.find(
      (c) => c === 'ERR_TLS_CERT_ALTNAME_INVALID' || /^ERR_(?:TLS|SSL)_|CERT/.test(c),
    );
  if (tlsCode != null) {
    let why = 'its certificate is not trusted (self-signed or issued by an unknown authority)';
    if (CERT_DATES.has(tlsCode)) {
      why = 'its certificate has expired or is not valid yet';
    } else if (tlsCode === 'ERR_TLS_CERT_ALTNAME_INVALID') {
      why = 'its certificate is for a different host name';
    } else if (!CERT_UNTRUSTED.has(tlsCode)) {
      why = `the TLS handshake failed (${tlsCode})`;
    }
    return {
      error: fail(
        'tls',
        `${who} failed: the secure connection to ${host} could not be verified, ${why}.`,
        `Check the host name and this computer’s date. ${TLS_HINT}`,
        { cause: err },
      ),
      retry: 'never',
    };
  }

  const dns = has(DNS);
  const refused = has(REFUSED) ?? has(UNREACHABLE);
  if ((dns != null || refused != null) && isProxyFailure(facts, ctx)) {
    const proxy = ctx.proxy?.display ?? 'the proxy';
    return {
      error: fail(
        'proxy',
        `${who} failed: the proxy at ${proxy} could not be reached (${dns != null ? 'its name was not found' : 'it refused the connection'}).`,
        'Check the proxy settings of this computer (or HTTPS_PROXY for the CLI) and that the proxy is running.',
        { retryable: true },
      ),
      retry: 'never',
    };
  }
  if (dns != null) {
    const transient = dns === 'EAI_AGAIN';
    return {
      error: fail(
        'network_dns',
        `${who} failed: the host name ${facts.hostname ?? ctx.url.hostname} could not be found.`,
        'Check the host name for typos and that this computer is online; on a corporate network, check the VPN or proxy settings.',
        { retryable: transient },
      ),
      retry: transient ? 'any' : 'never',
    };
  }
  if (refused != null) {
    const unreachable = UNREACHABLE.has(refused);
    return {
      error: fail(
        'network_refused',
        unreachable
          ? `${who} failed: ${host} cannot be reached from this network.`
          : `${who} failed: ${host} refused the connection.`,
        'Check the host name and port, that the service is up, and that a firewall or VPN is not blocking it.',
        { retryable: true },
      ),
      retry: 'any',
    };
  }

  const timeout = has(TIMEOUT);
  if (timeout != null) {
    return {
      error: fail(
        'network_timeout',
        `${who} got no answer in time from ${host}.`,
        'Check that this computer is online and that a VPN or proxy is not holding the connection; then try again.',
        { retryable: true },
      ),
      retry: timeout === 'UND_ERR_CONNECT_TIMEOUT' ? 'any' : 'idempotent',
    };
  }

  if (has(RESET) != null) {
    return {
      error: fail(
        'network_reset',
        `${who} failed: the connection to ${host} was closed before an answer arrived.`,
        'Try again; if it keeps happening, a firewall or proxy may be cutting the connection.',
        { retryable: true },
      ),
      retry: 'idempotent',
    };
  }

  const code = facts.codes.find((c) => /^[A-Z][A-Z0-9_]+$/.test(c));
  return {
    error: fail(
      'internal',
      `${who} failed with an unexpected network error${code ? ` (${code})` : ''}.`,
      'Try again; if it happens again, copy the redacted diagnostic and report it.',
      { cause: err },
    ),
    retry: 'never',
  };
}
