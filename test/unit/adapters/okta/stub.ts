/**
 * A small loopback stub of the Okta Management API for the adapter's unit tests: each test sets the
 * answer per `METHOD /path`, the stub records every request (method, path, query, headers, body).
 * It listens on 127.0.0.1 only. The stateful fake Okta lives in test/fakes; this one knows nothing.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createOktaPort, type OktaAuth } from '../../../../electron/adapters/okta/client.js';
import type { OktaPort } from '../../../../electron/core/okta/ports.js';
import { testClient, type TestClient } from '../dbt/helpers.js';

export { caught } from '../dbt/helpers.js';

export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** The raw query string, `?…` or ''. */
  readonly search: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface Reply {
  readonly status?: number;
  /** Serialised as the body with `content-type: application/json`. */
  readonly json?: unknown;
  /** A raw body (with `headers` saying what it is). */
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Never answer (for cancellation tests). */
  readonly hang?: boolean;
}

export type Handler = (seen: Seen, stub: StubOkta) => Reply;

export class StubOkta {
  readonly seen: Seen[] = [];
  private readonly routes = new Map<string, Handler>();
  private server: Server | undefined;
  /** Resolvers waiting for the next request (see `nextRequest`). */
  private waiting: ((s: Seen) => void)[] = [];

  async start(): Promise<this> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1');
        const seen: Seen = {
          method: req.method ?? '',
          path: url.pathname,
          query: url.searchParams,
          search: url.search,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.seen.push(seen);
        const waiting = this.waiting;
        this.waiting = [];
        for (const resolve of waiting) {
          resolve(seen);
        }
        const handler = this.routes.get(`${seen.method} ${seen.path}`);
        const reply: Reply = handler
          ? handler(seen, this)
          : { status: 404, json: okta('E0000007', 'Not found: Resource not found: (Stub)') };
        if (reply.hang) {
          return;
        }
        const headers: Record<string, string> = { ...(reply.headers ?? {}) };
        let body = reply.text ?? '';
        if (reply.json !== undefined) {
          headers['content-type'] ??= 'application/json';
          body = JSON.stringify(reply.json);
        }
        res.writeHead(reply.status ?? 200, headers);
        res.end(body);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    return this;
  }

  /** The org URL, e.g. `http://127.0.0.1:4711`. */
  get url(): string {
    return `http://127.0.0.1:${(this.server?.address() as AddressInfo).port}`;
  }

  on(methodAndPath: string, handler: Handler | Reply): this {
    this.routes.set(methodAndPath, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  /** Requests to `METHOD /path`. */
  hits(methodAndPath: string): Seen[] {
    return this.seen.filter((s) => `${s.method} ${s.path}` === methodAndPath);
  }

  /** Resolves with the next request the stub receives. */
  nextRequest(): Promise<Seen> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) {
      return;
    }
    server.closeAllConnections();
    await new Promise<void>((resolve) =>
      server.close(() => {
        resolve();
      }),
    );
  }
}

/** Okta's error body. */
export function okta(
  errorCode: string,
  errorSummary: string,
  extra: { causes?: string[]; errorId?: string } = {},
): Record<string, unknown> {
  return {
    errorCode,
    errorSummary,
    errorLink: errorCode,
    errorId: extra.errorId ?? 'oaeStub0000000000000',
    errorCauses: (extra.causes ?? []).map((c) => ({ errorSummary: c })),
  };
}

/** A `Link` header with `self` and, when given, `next` (a path on the same stub, or a full URL). */
export function link(stub: StubOkta, self: string, next?: string): Record<string, string> {
  const abs = (p: string): string => (p.startsWith('http') ? p : `${stub.url}${p}`);
  const parts = [`<${abs(self)}>; rel="self"`];
  if (next !== undefined) {
    parts.push(`<${abs(next)}>; rel="next"`);
  }
  return { link: parts.join(', ') };
}

/** An API token long enough to be redacted by shape as well as by value. */
export const SSWS_TOKEN = '00PlantedSswsToken_abcdefghijklmnopqrstuvwxyz0123';

export interface Harness {
  readonly stub: StubOkta;
  readonly client: TestClient;
  /** The port with the SSWS token. */
  readonly port: OktaPort;
  /** A port with other credentials on the same stub and client. */
  readonly portWith: (auth: OktaAuth) => OktaPort;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const stub = await new StubOkta().start();
  const client = testClient();
  const portWith = (auth: OktaAuth): OktaPort =>
    createOktaPort({ http: client.http, orgUrl: stub.url, auth, now: () => client.clock.now() });
  return {
    stub,
    client,
    port: portWith({ kind: 'ssws', token: SSWS_TOKEN }),
    portWith,
    async close() {
      await client.http.close();
      await stub.close();
    },
  };
}
