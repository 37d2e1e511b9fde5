/**
 * TLS failures against a real https server with a self-signed certificate made at test time by the
 * openssl CLI. Skipped (with the reason) when openssl is not installed.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createHttpClient,
  type UndiciHttpClient,
} from '../../../../electron/adapters/http/client.js';
import { memoryLogger } from '../../../../electron/core/logger.js';
import { FakeClock } from '../../../helpers/fake-clock.js';
import { tempDir } from '../../../helpers/temp.js';
import { TestServer, caught, collect, fakeLookup, json } from './helpers.js';

const hasOpenssl = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;
if (!hasOpenssl) {
  console.warn(
    'tls.test.ts skipped: the openssl CLI is not installed, so no test certificate can be made.',
  );
}

describe.skipIf(!hasOpenssl)('TLS (self-signed certificate made by openssl)', () => {
  let cleanup: (() => Promise<void>) | undefined;
  let server: TestServer;
  let inspector: Server;
  let inspectorPort: number;
  const clients: UndiciHttpClient[] = [];

  beforeAll(async () => {
    const tmp = await tempDir('http-tls-');
    cleanup = tmp.cleanup;
    const key = join(tmp.dir, 'key.pem');
    const cert = join(tmp.dir, 'cert.pem');
    const made = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'pipe' },
    );
    expect(made.status, made.stderr.toString()).toBe(0);
    const tls = { key: readFileSync(key), cert: readFileSync(cert) };
    server = await new TestServer((handler) =>
      createHttpsServer(tls, (req, res) => {
        collect(req, (body) => {
          handler(req, res, body);
        });
      }),
    ).start();
    server.on('/secure', json(200, { ok: true }));

    // A "TLS-inspecting" corporate proxy: it opens every tunnel to the self-signed server.
    inspector = createHttpServer();
    inspector.on('connect', (_req, socket) => {
      const upstream = connect(server.port, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(socket).pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    inspector.listen(0, '127.0.0.1');
    await once(inspector, 'listening');
    inspectorPort = (inspector.address() as AddressInfo).port;
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    inspector.closeAllConnections();
    await new Promise<void>((resolve) =>
      inspector.close(() => {
        resolve();
      }),
    );
    await server.close();
    await cleanup?.();
  });

  function client(resolveProxy?: (url: string) => Promise<string>): UndiciHttpClient {
    const c = createHttpClient({
      log: memoryLogger().logger,
      clock: new FakeClock(),
      lookup: fakeLookup().lookup,
      resolveProxy,
    });
    clients.push(c);
    return c;
  }

  it('refuses an untrusted certificate with code tls and the proxy/certificate hint', async () => {
    const e = await caught(() =>
      client().request({ method: 'GET', url: server.url('/secure', 'https'), label: 'okta org' }),
    );
    expect(e.code).toBe('tls');
    expect(e.message).toContain('certificate');
    const info = e.toInfo().message;
    expect(info).toContain('proxy');
    expect(info).toContain('NODE_EXTRA_CA_CERTS');
    // Refused in the handshake: no request ever reached the server.
    expect(server.hits('/secure')).toBe(0);
  });

  it('reports tls behind a TLS-inspecting proxy', async () => {
    const e = await caught(() =>
      client(() => Promise.resolve(`PROXY 127.0.0.1:${inspectorPort}`)).request({
        method: 'GET',
        url: 'https://login.example.test/api/v1/org',
      }),
    );
    expect(e.code).toBe('tls');
    expect(e.remediation).toContain('root certificate trusted');
    expect(server.hits('/api/v1/org')).toBe(0);
  });
});
