import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createHttpClient,
  type HttpClientOptions,
  type UndiciHttpClient,
} from '../../../../electron/adapters/http/client.js';
import {
  envProxyFor,
  hasEnvProxy,
  parseProxyAnswer,
} from '../../../../electron/adapters/http/proxy.js';
import { memoryLogger } from '../../../../electron/core/logger.js';
import type { LogRecord } from '../../../../electron/core/ports.js';
import { FakeClock } from '../../../helpers/fake-clock.js';
import { TestServer, caught, fakeLookup, freePort, json } from './helpers.js';

describe('parseProxyAnswer', () => {
  it.each([
    [undefined, { kind: 'direct' }],
    ['', { kind: 'direct' }],
    ['DIRECT', { kind: 'direct' }],
    [
      'PROXY proxy.corp:8080',
      {
        kind: 'proxy',
        uri: 'http://proxy.corp:8080',
        info: { hostname: 'proxy.corp', port: 8080, display: 'proxy.corp:8080' },
      },
    ],
    [
      'HTTPS secure.corp:8443; DIRECT',
      {
        kind: 'proxy',
        uri: 'https://secure.corp:8443',
        info: { hostname: 'secure.corp', port: 8443, display: 'secure.corp:8443' },
      },
    ],
    ['PROXY p.corp', { kind: 'proxy', uri: 'http://p.corp:80' }],
    ['SOCKS5 s.corp:1080', { kind: 'proxy', uri: 'socks5://s.corp:1080' }],
    ['SOCKS old.corp:1080; PROXY p2.corp:3128', { kind: 'proxy', uri: 'http://p2.corp:3128' }],
    ['SOCKS old.corp:1080', { kind: 'unsupported', entries: 'SOCKS old.corp:1080' }],
    ['proxy lower.corp:3128', { kind: 'proxy', uri: 'http://lower.corp:3128' }],
    ['PROXY [::1]:3128', { kind: 'proxy', uri: 'http://[::1]:3128' }],
  ])('%j', (answer, expected) => {
    expect(parseProxyAnswer(answer)).toMatchObject(expected);
  });
});

describe('envProxyFor', () => {
  it('picks HTTPS_PROXY for https (falling back to HTTP_PROXY), HTTP_PROXY for http', () => {
    const env = { HTTPS_PROXY: 'http://user:pw@sec.corp:3128', HTTP_PROXY: 'http://plain.corp' };
    expect(envProxyFor(new URL('https://a.b/'), env)).toEqual({
      hostname: 'sec.corp',
      port: 3128,
      display: 'sec.corp:3128',
    });
    expect(envProxyFor(new URL('http://a.b/'), env)?.display).toBe('plain.corp:80');
    expect(envProxyFor(new URL('https://a.b/'), { http_proxy: 'http://p:1' })?.display).toBe('p:1');
    expect(envProxyFor(new URL('https://a.b/'), {})).toBeUndefined();
    expect(hasEnvProxy({ NO_PROXY: '*' })).toBe(false);
    expect(hasEnvProxy({ https_proxy: 'http://p:1' })).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// A forward proxy on 127.0.0.1 whose CONNECT answer each test sets. Targets are made-up names,
// so a request that skipped the proxy would fail on the fake resolver instead of leaving.

interface Connect {
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
}

const proxyConnects: Connect[] = [];
let connectAnswer =
  'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n';
let proxy: Server;
let proxyPort: number;
const target = new TestServer();
const clients: UndiciHttpClient[] = [];
let records: LogRecord[] = [];

beforeAll(async () => {
  proxy = createServer((_req, res) => {
    res.writeHead(500).end();
  });
  proxy.on('connect', (req, socket) => {
    proxyConnects.push({ target: req.url ?? '', headers: req.headers });
    socket.end(connectAnswer);
  });
  proxy.listen(0, '127.0.0.1');
  await once(proxy, 'listening');
  proxyPort = (proxy.address() as AddressInfo).port;
  await target.start();
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  proxy.closeAllConnections();
  await new Promise<void>((resolve) =>
    proxy.close(() => {
      resolve();
    }),
  );
  await target.close();
});

function client(options: Partial<HttpClientOptions>): UndiciHttpClient {
  const mem = memoryLogger('http');
  records = mem.records;
  const c = createHttpClient({
    log: mem.logger,
    clock: new FakeClock(),
    lookup: fakeLookup().lookup,
    ...options,
  });
  clients.push(c);
  return c;
}

describe('through a proxy', () => {
  it('maps a 407 to CONNECT (session proxy) to proxy_auth, naming the proxy', async () => {
    proxyConnects.length = 0;
    const resolveProxy = vi.fn(() => Promise.resolve(`PROXY 127.0.0.1:${proxyPort}`));
    const e = await caught(() =>
      client({ resolveProxy }).request({
        method: 'GET',
        url: 'https://acme.us1.dbt.example.test/api/v3/accounts/',
        label: 'dbt accounts',
      }),
    );
    expect(e.code).toBe('proxy_auth');
    expect(e.message).toContain(`127.0.0.1:${proxyPort}`);
    expect(e.message).toContain('dbt accounts');
    expect(resolveProxy).toHaveBeenCalledWith('https://acme.us1.dbt.example.test/api/v3/accounts/');
    expect(proxyConnects.map((c) => c.target)).toEqual(['acme.us1.dbt.example.test:443']);
    expect(records[0]?.fields).toMatchObject({
      error: 'proxy_auth',
      proxy: `127.0.0.1:${proxyPort}`,
    });
  });

  it('maps a 407 through HTTPS_PROXY to proxy_auth without repeating the proxy password', async () => {
    proxyConnects.length = 0;
    const env = { HTTPS_PROXY: `http://alice:planted-proxy-pw-31337@127.0.0.1:${proxyPort}` };
    const e = await caught(() =>
      client({ env }).request({ method: 'GET', url: 'https://graph.example.test/v1.0/me' }),
    );
    expect(e.code).toBe('proxy_auth');
    expect(proxyConnects).toHaveLength(1);
    // The credentials did go to the proxy, and nowhere else.
    expect(proxyConnects[0]!.headers['proxy-authorization']).toMatch(/^Basic /);
    const text = `${e.message} ${e.remediation} ${JSON.stringify(records)}`;
    expect(text).not.toContain('planted-proxy-pw-31337');
    expect(text).not.toContain(Buffer.from('alice:planted-proxy-pw-31337').toString('base64'));
  });

  it('maps any other CONNECT refusal to proxy', async () => {
    const before = connectAnswer;
    connectAnswer = 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n';
    try {
      const e = await caught(() =>
        client({ resolveProxy: () => Promise.resolve(`PROXY 127.0.0.1:${proxyPort}`) }).request({
          method: 'GET',
          url: 'https://blocked.example.test/x',
        }),
      );
      expect(e.code).toBe('proxy');
      expect(e.message).toContain('blocked.example.test');
    } finally {
      connectAnswer = before;
    }
  });

  it('maps a proxy that is not listening to proxy, not network_refused', async () => {
    const dead = await freePort();
    const e = await caught(() =>
      client({ resolveProxy: () => Promise.resolve(`PROXY 127.0.0.1:${dead}`) }).request({
        method: 'GET',
        url: 'https://okta.example.test/api/v1/apps',
        retry: { attempts: 1 },
      }),
    );
    expect(e.code).toBe('proxy');
    expect(e.message).toContain(`127.0.0.1:${dead}`);
  });
});

describe('direct routes', () => {
  it('sends loopback URLs direct without asking for a proxy', async () => {
    target.on('/direct', json(200, { direct: true }));
    const resolveProxy = vi.fn(() => Promise.resolve('PROXY 127.0.0.1:1'));
    const res = await client({
      resolveProxy,
      env: { HTTPS_PROXY: 'http://127.0.0.1:1', HTTP_PROXY: 'http://127.0.0.1:1' },
    }).request({ method: 'GET', url: target.url('/direct') });
    expect(res.json).toEqual({ direct: true });
    expect(resolveProxy).not.toHaveBeenCalled();
  });

  it('connects directly on DIRECT (and on a proxy kind it cannot use, with a warning)', async () => {
    const port = await freePort();
    for (const answer of ['DIRECT', 'SOCKS old.corp:1080']) {
      const { lookup, asked } = fakeLookup();
      const before = proxyConnects.length;
      const e = await caught(() =>
        client({ lookup, resolveProxy: () => Promise.resolve(answer) }).request({
          method: 'GET',
          url: `https://direct.example.test:${port}/x`,
          retry: { attempts: 1 },
        }),
      );
      // The fake resolver sent it to 127.0.0.1:<closed port>: proof it went direct.
      expect(e.code).toBe('network_refused');
      expect(asked).toEqual(['direct.example.test']);
      expect(proxyConnects.length).toBe(before);
      if (answer !== 'DIRECT') {
        expect(records.some((r) => r.level === 'warn' && r.message.includes('not supported'))).toBe(
          true,
        );
      }
    }
  });
});
