import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createHttpClient,
  type HttpClientOptions,
  type UndiciHttpClient,
} from '../../../../electron/adapters/http/client.js';
import { memoryLogger } from '../../../../electron/core/logger.js';
import type { LogRecord } from '../../../../electron/core/ports.js';
import { FakeClock } from '../../../helpers/fake-clock.js';
import { TestServer, caught, fakeLookup, freePort, json } from './helpers.js';

const server = new TestServer();
const clients: UndiciHttpClient[] = [];
let clock: FakeClock;
let records: LogRecord[];

beforeAll(async () => {
  await server.start();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await server.close();
});

beforeEach(() => {
  clock = new FakeClock();
});

function client(options: Partial<HttpClientOptions> = {}): UndiciHttpClient {
  const mem = memoryLogger('http');
  records = mem.records;
  // The fake resolver maps every made-up name to 127.0.0.1: even a regression cannot leave the machine.
  const c = createHttpClient({
    log: mem.logger,
    clock,
    random: () => 0,
    lookup: fakeLookup().lookup,
    ...options,
  });
  clients.push(c);
  return c;
}

describe('answers', () => {
  it('parses a JSON answer and returns lower-cased headers', async () => {
    server.on('/ok', json(200, { id: 7, name: 'scim' }, { 'X-Request-Id': 'abc' }));
    const res = await client().request({ method: 'GET', url: server.url('/ok?x=1') });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ id: 7, name: 'scim' });
    expect(res.headers['x-request-id']).toBe('abc');
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.url).toBe(server.url('/ok?x=1'));
    const seen = server.seen.at(-1)!;
    expect(seen.headers.accept).toBe('application/json');
  });

  it('serialises a json body with content-type application/json and sends the user agent', async () => {
    server.on('/echo', (_req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json' }).end(body);
    });
    const res = await client({ userAgent: 'dbt-scim-wizard/0.1.0' }).request({
      method: 'POST',
      url: server.url('/echo'),
      json: { active: true, n: [1, 2] },
    });
    expect(res.status).toBe(201);
    expect(res.json).toEqual({ active: true, n: [1, 2] });
    const seen = server.seen.at(-1)!;
    expect(seen.headers['content-type']).toBe('application/json');
    expect(seen.headers['user-agent']).toBe('dbt-scim-wizard/0.1.0');
    expect(seen.body).toBe('{"active":true,"n":[1,2]}');
  });

  it("leaves json undefined for expect 'text' and ignores the body for 'none'", async () => {
    server.on('/text', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('hello');
    });
    const c = client();
    const text = await c.request({ method: 'GET', url: server.url('/text'), expect: 'text' });
    expect(text.text).toBe('hello');
    expect(text.json).toBeUndefined();
    const none = await c.request({ method: 'DELETE', url: server.url('/text'), expect: 'none' });
    expect(none.status).toBe(200);
    expect(none.text).toBe('');
  });

  it('reports an HTML page where JSON was expected as html_response', async () => {
    server.on('/login', (_req, res) => {
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
        .end('<!doctype html><p>Sign in');
    });
    server.on('/html-as-json', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('  <html><body>proxy</body>');
    });
    const c = client();
    for (const path of ['/login', '/html-as-json']) {
      const e = await caught(() =>
        c.request({ method: 'GET', url: server.url(path), label: 'dbt accounts' }),
      );
      expect(e.code).toBe('html_response');
      expect(e.status).toBe(200);
      expect(e.message).toContain('dbt accounts');
      expect(e.remediation).toContain('sign-in page');
    }
  });

  it('reports a body that is not JSON as invalid_response', async () => {
    server.on('/garbage', (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"half": ');
    });
    const e = await caught(() => client().request({ method: 'GET', url: server.url('/garbage') }));
    expect(e.code).toBe('invalid_response');
    expect(e.message).toContain(server.url('/garbage'));
  });
});

describe('status mapping', () => {
  it.each([
    [401, 'auth_failed'],
    [403, 'permission_denied'],
    [404, 'not_found'],
    [409, 'conflict'],
    [500, 'server_error'],
    [502, 'server_error'],
  ] as const)(
    '%i → %s, once, naming the label and the path without the query',
    async (status, code) => {
      const path = `/status-${status}`;
      server.on(path, json(status, { detail: 'server-side-detail-text' }));
      const e = await caught(() =>
        client().request({
          method: 'GET',
          url: `${server.url(path)}?filter=userName%20eq%20%22someone%22`,
          label: 'dbt scim-config',
        }),
      );
      expect(e.code).toBe(code);
      expect(e.status).toBe(status);
      expect(e.message).toContain('dbt scim-config');
      expect(e.message).toContain(server.url(path));
      expect(e.message).not.toContain('filter');
      expect(e.message).not.toContain('server-side-detail-text');
      expect(e.remediation.length).toBeGreaterThan(30);
      expect(server.hits(path)).toBe(1);
      if (status >= 500) {
        expect(e.retryable).toBe(true);
      }
    },
  );

  it('returns the answer instead of throwing when throwOnError is false', async () => {
    server.on('/probe-404', json(404, { errors: ['nope'] }));
    const res = await client().request({
      method: 'GET',
      url: server.url('/probe-404'),
      throwOnError: false,
    });
    expect(res.status).toBe(404);
    expect(res.json).toEqual({ errors: ['nope'] });
  });
});

describe('retries', () => {
  function thenOk(path: string, first: (n: number) => Record<string, string>, status = 429): void {
    let n = 0;
    server.on(path, (req, res) => {
      n += 1;
      if (n === 1) {
        res.writeHead(status, first(n)).end();
      } else {
        json(200, { ok: true, method: req.method })(req, res, '');
      }
    });
  }

  it('waits Retry-After seconds on 429, then succeeds', async () => {
    thenOk('/ra-seconds', () => ({ 'retry-after': '7' }));
    const res = await client().request({ method: 'GET', url: server.url('/ra-seconds') });
    expect(res.json).toEqual({ ok: true, method: 'GET' });
    expect(clock.sleeps).toEqual([7000]);
    expect(server.hits('/ra-seconds')).toBe(2);
  });

  it('waits until a Retry-After HTTP-date', async () => {
    const at = new Date(clock.now().getTime() + 30_000).toUTCString();
    thenOk('/ra-date', () => ({ 'retry-after': at }));
    await client().request({ method: 'GET', url: server.url('/ra-date') });
    expect(clock.sleeps).toEqual([30_000]);
  });

  it("waits until Okta's X-Rate-Limit-Reset", async () => {
    const reset = String(Math.floor(clock.now().getTime() / 1000) + 12);
    thenOk('/okta-reset', () => ({ 'x-rate-limit-reset': reset, 'x-rate-limit-remaining': '0' }));
    await client().request({ method: 'GET', url: server.url('/okta-reset') });
    expect(clock.sleeps).toEqual([12_000]);
  });

  it('retries a POST on 429 (the server refused it) and on 503', async () => {
    thenOk('/post-429', () => ({ 'retry-after': '1' }));
    thenOk('/post-503', () => ({}), 503);
    const c = client();
    const a = await c.request({ method: 'POST', url: server.url('/post-429'), json: {} });
    const b = await c.request({ method: 'POST', url: server.url('/post-503'), json: {} });
    expect(a.json).toEqual({ ok: true, method: 'POST' });
    expect(b.json).toEqual({ ok: true, method: 'POST' });
    expect(server.hits('/post-429')).toBe(2);
    expect(server.hits('/post-503')).toBe(2);
  });

  it('fails at once with rate_limited when the asked wait exceeds maxDelayMs, saying when to retry', async () => {
    server.on('/ra-long', (_req, res) => {
      res.writeHead(429, { 'retry-after': '3600' }).end();
    });
    const e = await caught(() =>
      client().request({ method: 'GET', url: server.url('/ra-long'), label: 'okta users' }),
    );
    expect(e.code).toBe('rate_limited');
    expect(e.status).toBe(429);
    expect(e.message).toContain('2026-11-29T11:00:00.000Z');
    expect(e.remediation).toContain('Try again after 2026-11-29T11:00:00.000Z');
    expect(clock.sleeps).toEqual([]);
    expect(server.hits('/ra-long')).toBe(1);
  });

  it('gives server_error naming the attempts once 503 retries are exhausted', async () => {
    server.on('/always-503', (_req, res) => {
      res.writeHead(503).end();
    });
    const e = await caught(() =>
      client({ retry: { attempts: 3 } }).request({ method: 'GET', url: server.url('/always-503') }),
    );
    expect(e.code).toBe('server_error');
    expect(e.retryable).toBe(true);
    expect(e.status).toBe(503);
    expect(e.message).toContain('after 3 attempts');
    expect(server.hits('/always-503')).toBe(3);
    // random() = 0: equal jitter gives half the exponential delay (500, 1000 → 250, 500).
    expect(clock.sleeps).toEqual([250, 500]);
  });

  it('gives rate_limited once 429 retries are exhausted; a request can lower the attempts', async () => {
    server.on('/always-429', (_req, res) => {
      res.writeHead(429).end();
    });
    const e = await caught(() =>
      client().request({ method: 'GET', url: server.url('/always-429'), retry: { attempts: 2 } }),
    );
    expect(e.code).toBe('rate_limited');
    expect(e.message).toContain('after 2 attempts');
    expect(server.hits('/always-429')).toBe(2);
  });

  it('does not retry a POST after a connection reset, but retries a GET', async () => {
    server.on('/reset', (req) => {
      req.socket.destroy();
    });
    const c = client();
    const post = await caught(() =>
      c.request({ method: 'POST', url: server.url('/reset'), json: { create: 'app' } }),
    );
    expect(post.code).toBe('network_reset');
    expect(server.hits('/reset')).toBe(1);
    expect(clock.sleeps).toEqual([]);

    const get = await caught(() => c.request({ method: 'GET', url: server.url('/reset') }));
    expect(get.code).toBe('network_reset');
    expect(server.hits('/reset')).toBe(1 + 4);
    expect(clock.sleeps).toHaveLength(3);
  });
});

describe('redirects', () => {
  it('never follows a redirect: redirected, naming the Location host', async () => {
    server.on('/moved', (_req, res) => {
      res.writeHead(302, { location: 'https://login.example.test/sso?state=abc' }).end();
    });
    const c = client();
    const e = await caught(() => c.request({ method: 'GET', url: server.url('/moved') }));
    expect(e.code).toBe('redirected');
    expect(e.status).toBe(302);
    expect(e.message).toContain('login.example.test');
    expect(e.message).not.toContain('state=abc');

    const res = await c.request({ method: 'GET', url: server.url('/moved'), throwOnError: false });
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('https://login.example.test/sso?state=abc');
  });
});

describe('time and cancellation', () => {
  beforeAll(() => {
    server.on('/hang', () => {
      // never answers
    });
  });

  it('times out with network_timeout', async () => {
    const started = Date.now();
    const e = await caught(() =>
      client().request({
        method: 'GET',
        url: server.url('/hang'),
        timeoutMs: 200,
        retry: { attempts: 1 },
      }),
    );
    expect(e.code).toBe('network_timeout');
    expect(e.message).toContain('0.2 s');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('does not send a POST again after a timeout', async () => {
    const before = server.hits('/hang');
    const e = await caught(() =>
      client().request({ method: 'POST', url: server.url('/hang'), json: {}, timeoutMs: 150 }),
    );
    expect(e.code).toBe('network_timeout');
    expect(server.hits('/hang') - before).toBe(1);
  });

  it('gives cancelled when the signal aborts mid-request', async () => {
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
    }, 100);
    const e = await caught(() =>
      client().request({ method: 'GET', url: server.url('/hang'), signal: controller.signal }),
    );
    expect(e.code).toBe('cancelled');
  });

  it('gives cancelled without sending when the signal is already aborted', async () => {
    const before = server.seen.length;
    const e = await caught(() =>
      client().request({ method: 'GET', url: server.url('/ok'), signal: AbortSignal.abort() }),
    );
    expect(e.code).toBe('cancelled');
    expect(server.seen.length).toBe(before);
  });

  it('gives cancelled when the signal aborts during a backoff wait', async () => {
    server.on('/cancel-503', (_req, res) => {
      res.writeHead(503).end();
    });
    const controller = new AbortController();
    clock.sleep = (ms, signal) => {
      clock.sleeps.push(ms);
      controller.abort();
      return Promise.reject(signal?.reason as Error);
    };
    const e = await caught(() =>
      client().request({
        method: 'GET',
        url: server.url('/cancel-503'),
        signal: controller.signal,
      }),
    );
    expect(e.code).toBe('cancelled');
    expect(server.hits('/cancel-503')).toBe(1);
  });
});

describe('network failures', () => {
  it('maps a refused connection to network_refused', async () => {
    const port = await freePort();
    const e = await caught(() =>
      client().request({
        method: 'GET',
        url: `http://127.0.0.1:${port}/api`,
        retry: { attempts: 1 },
        label: 'local test',
      }),
    );
    expect(e.code).toBe('network_refused');
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(e.message).toContain('refused');
  });

  it('maps an unknown host to network_dns (resolved by a fake resolver: no query leaves the machine)', async () => {
    const { lookup, asked } = fakeLookup();
    const e = await caught(() =>
      client({ lookup }).request({
        method: 'GET',
        url: 'https://acme-does-not-exist.invalid/api/v3/',
        timeoutMs: 3000,
      }),
    );
    expect(e.code).toBe('network_dns');
    expect(e.message).toContain('acme-does-not-exist.invalid');
    expect(e.remediation).toContain('host name');
    // ENOTFOUND is not worth another attempt.
    expect(asked).toEqual(['acme-does-not-exist.invalid']);
  });
});

describe('refusals before sending', () => {
  it('refuses plain http to a non-loopback host with bad_input, sending nothing', async () => {
    // The fake resolver would send any lookup to our server on 127.0.0.1: nothing may arrive.
    const { lookup, asked } = fakeLookup();
    const before = server.seen.length;
    const e = await caught(() =>
      client({ lookup }).request({
        method: 'GET',
        url: `http://scim.example.test:${server.port}/ok`,
      }),
    );
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('https');
    expect(asked).toEqual([]);
    expect(server.seen.length).toBe(before);
    expect(records).toEqual([]);
  });

  it('refuses a GET with a body', async () => {
    const e = await caught(() =>
      client().request({ method: 'GET', url: server.url('/ok'), json: { a: 1 } }),
    );
    expect(e.code).toBe('bad_input');
  });
});

describe('logging and secrets', () => {
  const SSWS = 'SSWS planted-http-token-9f8e7d6c5b4a';
  const BEARER = 'Bearer planted-bearer-token-1a2b3c4d5e6f';
  // Shapes the redaction sink does not know: only the client's discipline keeps them out.
  const PLAIN_HEADER = 'plain-header-value-77aa88bb';
  const QUERY_VALUE = 'plain-query-value-5544cc';

  it('logs one redacted line per attempt, with no header, body or query', async () => {
    let n = 0;
    server.on('/logged', (_req, res) => {
      n += 1;
      if (n === 1) {
        res.writeHead(503).end();
      } else {
        json(200, { secret_echo: PLAIN_HEADER })(_req, res, '');
      }
    });
    await client().request({
      method: 'PUT',
      url: `${server.url('/logged')}?q=${QUERY_VALUE}`,
      headers: { Authorization: SSWS, 'X-Api-Key': PLAIN_HEADER },
      json: { value: PLAIN_HEADER },
      label: 'okta app',
    });
    expect(records).toHaveLength(2);
    expect(records.map((r) => r.level)).toEqual(['debug', 'debug']);
    expect(records[0]!.fields).toMatchObject({
      method: 'PUT',
      url: server.url('/logged'),
      status: 503,
      attempt: 1,
      label: 'okta app',
    });
    expect(records[1]!.fields).toMatchObject({ status: 200, attempt: 2 });
    expect(typeof records[1]!.fields?.ms).toBe('number');
    const all = JSON.stringify(records);
    for (const planted of ['planted-http-token-9f8e7d6c5b4a', PLAIN_HEADER, QUERY_VALUE]) {
      expect(all).not.toContain(planted);
    }
    // The token did reach the server, so the test would notice a header that was never sent.
    expect(server.seen.at(-1)!.headers.authorization).toBe(SSWS);
  });

  it('keeps the Authorization out of a 401 error and its log line', async () => {
    server.on('/denied', (req, res) => {
      // A server that echoes the credential back must not leak it either.
      json(401, { error: `invalid token ${req.headers.authorization ?? ''}` })(req, res, '');
    });
    for (const auth of [SSWS, BEARER]) {
      const e = await caught(() =>
        client().request({
          method: 'GET',
          url: server.url('/denied'),
          headers: { authorization: auth, 'x-api-key': PLAIN_HEADER },
          label: 'okta users',
        }),
      );
      expect(e.code).toBe('auth_failed');
      const token = auth.split(' ')[1]!;
      const text = `${e.message} ${e.remediation} ${JSON.stringify(e.toInfo())}`;
      expect(text).not.toContain(token);
      expect(text).not.toContain(PLAIN_HEADER);
      expect(JSON.stringify(records)).not.toContain(token);
    }
  });
});
