import { describe, expect, it } from 'vitest';
import {
  networkError,
  redirectedError,
  statusError,
  type RequestContext,
} from '../../../../electron/adapters/http/errors.js';

const ctx: RequestContext = {
  method: 'GET',
  url: new URL('https://acme.us1.dbt.com/api/v3/accounts/1/?token_hint=x'),
  label: 'dbt account',
};
const viaProxy: RequestContext = {
  ...ctx,
  proxy: { hostname: 'proxy.corp', port: 3128, display: 'proxy.corp:3128' },
};

/** What undici's fetch throws: TypeError('fetch failed') around the socket error. */
function fetchFailed(
  code: string,
  extra: Record<string, unknown> = {},
  message = 'lib says',
): Error {
  return new TypeError('fetch failed', {
    cause: Object.assign(new Error(message), { code, ...extra }),
  });
}

describe('networkError', () => {
  it.each([
    'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    'SELF_SIGNED_CERT_IN_CHAIN',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
    'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
    'CERT_HAS_EXPIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'ERR_SSL_WRONG_VERSION_NUMBER',
  ])('%s → tls with the corporate-proxy hint, never retried', (code) => {
    const { error, retry } = networkError(fetchFailed(code), ctx);
    expect(error.code).toBe('tls');
    expect(retry).toBe('never');
    expect(error.message).toContain('acme.us1.dbt.com');
    expect(error.remediation).toContain(
      'a proxy that inspects TLS must have its root certificate trusted; set NODE_EXTRA_CA_CERTS for the CLI',
    );
  });

  it('says which certificate problem it is', () => {
    expect(networkError(fetchFailed('CERT_HAS_EXPIRED'), ctx).error.message).toContain('expired');
    expect(networkError(fetchFailed('ERR_TLS_CERT_ALTNAME_INVALID'), ctx).error.message).toContain(
      'different host name',
    );
    expect(networkError(fetchFailed('SELF_SIGNED_CERT_IN_CHAIN'), ctx).error.message).toContain(
      'not trusted',
    );
  });

  it('maps DNS failures, retrying only the transient one', () => {
    const notFound = networkError(fetchFailed('ENOTFOUND', { hostname: 'acme.us1.dbt.com' }), ctx);
    expect(notFound.error.code).toBe('network_dns');
    expect(notFound.retry).toBe('never');
    const again = networkError(fetchFailed('EAI_AGAIN', { hostname: 'acme.us1.dbt.com' }), ctx);
    expect(again.error.code).toBe('network_dns');
    expect(again.retry).toBe('any');
  });

  it('maps refused, reset and timeouts with the right retry scope', () => {
    expect(networkError(fetchFailed('ECONNREFUSED'), ctx)).toMatchObject({
      error: { code: 'network_refused' },
      retry: 'any',
    });
    expect(networkError(fetchFailed('ECONNRESET'), ctx)).toMatchObject({
      error: { code: 'network_reset' },
      retry: 'idempotent',
    });
    expect(networkError(fetchFailed('UND_ERR_SOCKET'), ctx).error.code).toBe('network_reset');
    expect(networkError(fetchFailed('UND_ERR_CONNECT_TIMEOUT'), ctx)).toMatchObject({
      error: { code: 'network_timeout' },
      retry: 'any',
    });
    expect(networkError(fetchFailed('UND_ERR_HEADERS_TIMEOUT'), ctx)).toMatchObject({
      error: { code: 'network_timeout' },
      retry: 'idempotent',
    });
  });

  it("reads a proxy's refused CONNECT: 407 → proxy_auth, others → proxy", () => {
    const tunnel = (status: number): Error =>
      new TypeError('fetch failed', {
        cause: new Error('Request was cancelled.', {
          cause: Object.assign(
            new Error(`Proxy response (${status}) !== 200 when HTTP Tunneling`),
            {
              name: 'AbortError',
              code: 'UND_ERR_ABORTED',
            },
          ),
        }),
      });
    const auth = networkError(tunnel(407), viaProxy).error;
    expect(auth.code).toBe('proxy_auth');
    expect(auth.message).toContain('proxy.corp:3128');
    const blocked = networkError(tunnel(403), viaProxy).error;
    expect(blocked.code).toBe('proxy');
    expect(blocked.message).toContain('acme.us1.dbt.com');
  });

  it('blames the proxy when the proxy itself cannot be reached', () => {
    const refused = networkError(
      fetchFailed('ECONNREFUSED', { address: '10.0.0.5', port: 3128 }),
      viaProxy,
    ).error;
    expect(refused.code).toBe('proxy');
    expect(refused.message).toContain('proxy.corp:3128');
    const dns = networkError(fetchFailed('ENOTFOUND', { hostname: 'proxy.corp' }), viaProxy).error;
    expect(dns.code).toBe('proxy');
    // The target's own DNS failure (resolved by the proxy) is not the proxy's fault.
    const target = networkError(
      fetchFailed('ENOTFOUND', { hostname: 'acme.us1.dbt.com' }),
      viaProxy,
    );
    expect(target.error.code).toBe('network_dns');
  });

  it('keeps an unknown error opaque: the code, never the library message', () => {
    const { error, retry } = networkError(
      fetchFailed('EWEIRD', {}, 'with planted-lib-secret'),
      ctx,
    );
    expect(error.code).toBe('internal');
    expect(error.message).toContain('EWEIRD');
    expect(JSON.stringify(error.toInfo())).not.toContain('planted-lib-secret');
    expect(retry).toBe('never');
  });

  it('never puts the query string in a message', () => {
    for (const code of ['ECONNRESET', 'ENOTFOUND', 'CERT_HAS_EXPIRED', 'EWEIRD']) {
      expect(networkError(fetchFailed(code), ctx).error.message).not.toContain('token_hint');
    }
  });
});

describe('statusError', () => {
  it.each([
    [400, 'bad_input'],
    [407, 'proxy_auth'],
    [410, 'not_found'],
    [418, 'internal'],
    [422, 'bad_input'],
    [504, 'server_error'],
  ] as const)('%i → %s with the status', (status, code) => {
    const e = statusError(status, ctx);
    expect(e.code).toBe(code);
    expect(e.status).toBe(status);
    expect(e.message).toContain('https://acme.us1.dbt.com/api/v3/accounts/1/');
    expect(e.message).not.toContain('token_hint');
  });

  it('says when to come back on 429 when the server said so', () => {
    const e = statusError(429, ctx, { attempts: 4, retryAt: new Date('2026-11-29T10:05:00Z') });
    expect(e.message).toContain('after 4 attempts');
    expect(e.remediation).toBe('Try again after 2026-11-29T10:05:00.000Z.');
  });
});

describe('redirectedError', () => {
  it('names the Location host, resolving a relative Location against the request', () => {
    expect(redirectedError(301, ctx, 'https://sso.acme.com/login?x=1').message).toContain(
      'sso.acme.com',
    );
    expect(redirectedError(302, ctx, '/login').message).toContain('acme.us1.dbt.com');
    expect(redirectedError(307, ctx, undefined).message).toContain('redirected elsewhere');
  });
});
