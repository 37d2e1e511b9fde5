/**
 * Local servers for the HTTP client tests: everything listens on 127.0.0.1 with a random port.
 */
import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AddressInfo } from 'node:net';
import { WizardError } from '../../../../electron/core/errors.js';

export interface Seen {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type Route = (req: IncomingMessage, res: ServerResponse, body: string) => void;

/** A node:http server whose answer per path is set by each test; it records what it saw. */
export class TestServer {
  readonly seen: Seen[] = [];
  private readonly routes = new Map<string, Route>();
  private server: Server | HttpsServer | undefined;

  constructor(private readonly make: (handler: Route) => Server | HttpsServer = defaultMake) {}

  async start(): Promise<this> {
    const server = this.make((req, res, body) => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      this.seen.push({ method: req.method ?? '', path, headers: req.headers, body });
      const route = this.routes.get(path);
      if (route) {
        route(req, res, body);
      } else {
        res.writeHead(599).end();
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    this.server = server;
    return this;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  url(path: string, scheme: 'http' | 'https' = 'http'): string {
    return `${scheme}://127.0.0.1:${this.port}${path}`;
  }

  on(path: string, route: Route): void {
    this.routes.set(path, route);
  }

  hits(path: string): number {
    return this.seen.filter((s) => s.path === path).length;
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

function defaultMake(handler: Route): Server {
  return createServer((req, res) => {
    collect(req, (body) => {
      handler(req, res, body);
    });
  });
}

/** Reads a request body, then calls `done`. */
export function collect(req: IncomingMessage, done: (body: string) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    done(Buffer.concat(chunks).toString('utf8'));
  });
}

/** A JSON answer. */
export function json(status: number, value: unknown, headers: Record<string, string> = {}): Route {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(value));
  };
}

/** A port nothing listens on: listen, note the port, close. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

/**
 * A resolver for made-up host names, so no query ever leaves the machine: names ending in
 * `.invalid` fail like the OS resolver does (ENOTFOUND), every other name is 127.0.0.1.
 * `asked` records every name looked up.
 */
export function fakeLookup(): { lookup: LookupFunction; asked: string[] } {
  const asked: string[] = [];
  const lookup = ((hostname: string, options: unknown, callback: unknown) => {
    asked.push(hostname);
    const cb = (typeof options === 'function' ? options : callback) as (
      err: NodeJS.ErrnoException | null,
      address?: string | { address: string; family: number }[],
      family?: number,
    ) => void;
    const all = typeof options === 'object' && options !== null && 'all' in options && options.all;
    setImmediate(() => {
      if (hostname.endsWith('.invalid')) {
        const err: NodeJS.ErrnoException & { hostname?: string } = new Error(
          `getaddrinfo ENOTFOUND ${hostname}`,
        );
        err.code = 'ENOTFOUND';
        err.syscall = 'getaddrinfo';
        err.hostname = hostname;
        cb(err);
      } else if (all) {
        cb(null, [{ address: '127.0.0.1', family: 4 }]);
      } else {
        cb(null, '127.0.0.1', 4);
      }
    });
  }) as LookupFunction;
  return { lookup, asked };
}

/** Runs `fn` and returns the WizardError it throws (fails the test if it resolves or throws something else). */
export async function caught(fn: () => Promise<unknown>): Promise<WizardError> {
  try {
    await fn();
  } catch (e) {
    if (e instanceof WizardError) {
      return e;
    }
    throw new Error(`expected a WizardError, got ${String(e)}`, { cause: e });
  }
  throw new Error('expected the call to fail, but it succeeded');
}
