/**
 * The HTTP client every adapter uses (the `HttpClient` port), over undici's fetch.
 *
 * One request = up to `attempts` attempts. Each attempt has its own timeout; the caller's signal
 * cancels everything. 429/503 (and 504 for idempotent methods) are retried after the server's
 * Retry-After / X-Rate-Limit-Reset or an exponential backoff; network failures are retried only when
 * the request certainly was not sent, or the method is idempotent. Redirects are never followed.
 */
import type { LookupFunction } from 'node:net';
import { fetch } from 'undici';
import { badInput, cancelled, toWizardError } from '../../core/errors.js';
import type {
  Clock,
  HttpClient,
  HttpRequest,
  HttpResponse,
  Logger,
  RetryPolicy,
} from '../../core/ports.js';
import { assertRequestableUrl } from '../../core/url.js';
import {
  htmlResponseError,
  invalidResponseError,
  networkError,
  originAndPath,
  redirectedError,
  statusError,
  timeoutError,
  waitTooLongError,
  type NetworkFailure,
  type RequestContext,
} from './errors.js';
import { createRouter } from './proxy.js';
import {
  backoffDelayMs,
  isIdempotent,
  isRetryableStatus,
  resolvePolicy,
  serverAskedWaitMs,
} from './retry.js';

export interface HttpClientOptions {
  log: Logger;
  clock: Clock;
  defaultTimeoutMs?: number; // default 30_000
  retry?: Partial<RetryPolicy>; // default attempts 4, baseDelayMs 500, maxDelayMs 60_000
  /** In the Electron app: resolves the proxy for a URL from the session (e.g. "PROXY host:port" / "DIRECT" as Electron's session.resolveProxy returns). When absent, HTTPS_PROXY/HTTP_PROXY/NO_PROXY env vars are honoured. */
  resolveProxy?: (url: string) => Promise<string | undefined>;
  userAgent?: string;
  /** The environment to read proxy variables from (tests); default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Jitter source for backoff (tests); default Math.random. */
  random?: () => number;
  /** DNS resolver override (tests); default the OS resolver. */
  lookup?: LookupFunction;
}

/** The port, plus `close()` to release pooled connections (tests, CLI exit). */
export interface UndiciHttpClient extends HttpClient {
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

interface Answer {
  readonly kind: 'answer';
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly text: string;
}
interface Failure {
  readonly kind: 'failure';
  readonly failure: NetworkFailure;
  /** The attempt ran out of its own time (timeoutMs). */
  readonly timedOut: boolean;
}

export function createHttpClient(options: HttpClientOptions): UndiciHttpClient {
  const { log, clock } = options;
  const defaultTimeoutMs = options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const random = options.random ?? Math.random;
  const router = createRouter({
    log,
    resolveProxy: options.resolveProxy,
    env: options.env,
    lookup: options.lookup,
  });

  const sleep = async (ms: number, signal: AbortSignal | undefined): Promise<void> => {
    try {
      await clock.sleep(ms, signal);
    } catch (e) {
      throw signal?.aborted ? cancelled() : toWizardError(e);
    }
  };

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const url = assertRequestableUrl(req.url);
    const method = req.method;
    const expect = req.expect ?? 'json';
    const throwOnError = req.throwOnError ?? true;
    const timeoutMs = req.timeoutMs ?? defaultTimeoutMs;
    const policy = resolvePolicy(options.retry, req.retry);
    const { headers, body } = buildRequest(req, expect, options.userAgent);
    const base: RequestContext = { method, url, label: req.label };

    for (let attempt = 1; ; attempt++) {
      if (req.signal?.aborted) {
        throw cancelled();
      }
      const route = await router.route(url);
      const ctx: RequestContext = { ...base, proxy: route.proxy };
      const started = performance.now();
      const outcome = await attemptOnce(ctx, req.signal, timeoutMs, (signal) =>
        fetch(url, {
          method,
          headers,
          body,
          redirect: 'manual',
          signal,
          dispatcher: route.dispatcher,
        }),
      );
      const ms = Math.round(performance.now() - started);
      const last = attempt >= policy.attempts;

      if (outcome.kind === 'failure') {
        const { error, retry } = outcome.failure;
        logAttempt(ctx, attempt, ms, { error: error.code });
        const mayRetry = retry === 'any' || (retry === 'idempotent' && isIdempotent(method));
        if (!mayRetry || last) {
          throw outcome.timedOut ? timeoutError(ctx, timeoutMs, attempt) : error;
        }
        await sleep(backoffDelayMs(attempt, policy, random), req.signal);
        continue;
      }

      const { status } = outcome;
      logAttempt(ctx, attempt, ms, { status });
      const response = (json: unknown): HttpResponse => ({
        status,
        headers: outcome.headers,
        url: url.href,
        text: expect === 'none' ? '' : outcome.text,
        json,
      });

      if (status >= 300 && status < 400) {
        if (!throwOnError) {
          return response(undefined);
        }
        throw redirectedError(status, ctx, outcome.headers.location);
      }

      if (isRetryableStatus(status, method)) {
        const now = clock.now();
        const asked = serverAskedWaitMs(outcome.headers, now);
        const retryAt = asked === undefined ? undefined : new Date(now.getTime() + asked);
        if (!last) {
          if (asked !== undefined && retryAt && asked > policy.maxDelayMs) {
            if (!throwOnError) {
              return response(bestEffortJson(outcome, expect));
            }
            throw waitTooLongError(status, ctx, asked, retryAt, policy.maxDelayMs);
          }
          await sleep(asked ?? backoffDelayMs(attempt, policy, random), req.signal);
          continue;
        }
        if (!throwOnError) {
          return response(bestEffortJson(outcome, expect));
        }
        throw statusError(status, ctx, { attempts: attempt, retryAt });
      }

      if (status < 200 || status >= 300) {
        if (!throwOnError) {
          return response(bestEffortJson(outcome, expect));
        }
        throw statusError(status, ctx, { attempts: attempt });
      }

      return response(expect === 'json' ? parseJson(outcome, ctx) : undefined);
    }
  }

  function logAttempt(
    ctx: RequestContext,
    attempt: number,
    ms: number,
    result: { status: number } | { error: string },
  ): void {
    const where = originAndPath(ctx.url);
    const what = 'status' in result ? String(result.status) : result.error;
    log.debug(`${ctx.method} ${where} ${what} ${ms}ms (attempt ${attempt})`, {
      method: ctx.method,
      url: where,
      ...result,
      ms,
      attempt,
      ...(ctx.label ? { label: ctx.label } : {}),
      ...(ctx.proxy ? { proxy: ctx.proxy.display } : {}),
    });
  }

  return { request, close: () => router.close() };
}

/** Headers (lower-cased, defaults filled in) and the body to send. */
function buildRequest(
  req: HttpRequest,
  expect: 'json' | 'text' | 'none',
  userAgent: string | undefined,
): { headers: Record<string, string>; body: string | undefined } {
  if (req.json !== undefined && req.body !== undefined) {
    throw badInput(
      `${req.label ?? 'The request'} has both a JSON and a raw body.`,
      'This is a bug in the wizard: copy the redacted diagnostic and report it.',
    );
  }
  if (req.method === 'GET' && (req.json !== undefined || req.body !== undefined)) {
    throw badInput(
      `${req.label ?? 'The request'} is a GET with a body.`,
      'This is a bug in the wizard: copy the redacted diagnostic and report it.',
    );
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers ?? {})) {
    headers[name.toLowerCase()] = value;
  }
  let body = req.body;
  if (req.json !== undefined) {
    body = JSON.stringify(req.json);
    setDefault(headers, 'content-type', 'application/json');
  }
  if (expect === 'json') {
    setDefault(headers, 'accept', 'application/json');
  }
  if (userAgent) {
    setDefault(headers, 'user-agent', userAgent);
  }
  return { headers, body };
}

function setDefault(headers: Record<string, string>, name: string, value: string): void {
  if (!(name in headers)) {
    headers[name] = value;
  }
}

/**
 * One attempt, with its own timeout; reads the whole body so the timeout covers it too.
 * Throws `cancelled` when the caller's signal aborts; any other failure is returned.
 */
async function attemptOnce(
  ctx: RequestContext,
  callerSignal: AbortSignal | undefined,
  timeoutMs: number,
  send: (signal: AbortSignal) => Promise<FetchResponse>,
): Promise<Answer | Failure> {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
  }, timeoutMs);
  const onAbort = (): void => {
    controller.abort();
  };
  callerSignal?.addEventListener('abort', onAbort, { once: true });
  try {
    const res = await send(controller.signal);
    const text = await res.text();
    return { kind: 'answer', status: res.status, headers: headerRecord(res.headers), text };
  } catch (e) {
    if (callerSignal?.aborted) {
      throw cancelled();
    }
    // Not the caller's signal, so our own timer aborted the attempt.
    if (controller.signal.aborted) {
      return {
        kind: 'failure',
        failure: { error: timeoutError(ctx, timeoutMs, 1), retry: 'idempotent' },
        timedOut: true,
      };
    }
    return { kind: 'failure', failure: networkError(e, ctx), timedOut: false };
  } finally {
    clearTimeout(timer);
    callerSignal?.removeEventListener('abort', onAbort);
  }
}

type FetchResponse = Awaited<ReturnType<typeof fetch>>;

/** Response headers as a plain record with lower-cased names; repeated headers joined by ", ". */
function headerRecord(headers: FetchResponse['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    const key = name.toLowerCase();
    out[key] = key in out ? `${out[key] ?? ''}, ${value}` : value;
  });
  return out;
}

function looksLikeHtml(answer: Answer): boolean {
  const type = answer.headers['content-type'] ?? '';
  return (
    /\b(?:text\/html|application\/xhtml\+xml)\b/i.test(type) ||
    answer.text.trimStart().startsWith('<')
  );
}

function parseJson(answer: Answer, ctx: RequestContext): unknown {
  if (looksLikeHtml(answer)) {
    throw htmlResponseError(ctx, answer.status);
  }
  if (answer.text.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    throw invalidResponseError(ctx, answer.status);
  }
}

/** For answers returned rather than thrown: the JSON when there is some, else undefined. */
function bestEffortJson(answer: Answer, expect: 'json' | 'text' | 'none'): unknown {
  if (expect !== 'json' || looksLikeHtml(answer) || answer.text.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(answer.text) as unknown;
  } catch {
    return undefined;
  }
}
