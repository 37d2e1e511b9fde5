/**
 * The test bridge: serves the production renderer build and the very handler table that
 * Electron main binds to IPC, over HTTP on loopback. Real Chromium (e2e tests, `npm run demo`)
 * then drives the real wizard against the real services and the fake remote services.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { AddressInfo } from 'node:net';
import { build } from 'vite';
import type { Logger } from '../../electron/core/ports.js';
import type { ClipboardPort, Encryptor } from '../../electron/core/ports.js';
import { MemoryClipboard } from '../helpers/clipboard.js';
import { dispatch } from '../../electron/services/dispatch.js';
import { createServices, type Services } from '../../electron/services/container.js';
import { directoryReportSaver } from '../../electron/services/report.js';
import { EVENTS } from '../../electron/ipc/channels.js';
import { CONTENT_SECURITY_POLICY } from '../../electron/main/csp.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

let clientBundle: Promise<string> | undefined;

/** Bundles client.ts for the browser once per process. */
function bundleClient(): Promise<string> {
  clientBundle ??= (async () => {
    const out = await build({
      configFile: false,
      logLevel: 'silent',
      build: {
        write: false,
        minify: false,
        lib: {
          entry: join(import.meta.dirname, 'client.ts'),
          formats: ['iife'],
          name: 'scimWizardBridge',
        },
      },
    });
    const result = Array.isArray(out) ? out[0] : out;
    const chunk = (result as { output: { type: string; code?: string }[] }).output.find(
      (o) => o.type === 'chunk',
    );
    if (!chunk?.code) {
      throw new Error('The bridge client did not bundle.');
    }
    return chunk.code;
  })();
  return clientBundle;
}

export interface BridgeOptions {
  readonly home: string;
  readonly log: Logger;
  readonly encryptor?: Encryptor;
  readonly port?: number;
  /** Defaults to out/renderer (run `npm run build` first). */
  readonly staticDir?: string;
  /** Ready-made services, e.g. with adapters pointed at fake servers. */
  readonly services?: Services;
  /** Where Okta's published IP ranges are fetched from (a loopback fake in tests and the demo). */
  readonly oktaRangesUrl?: string;
  /** Called with each URL the wizard opens in the "system browser" (e.g. to follow a sign-in). */
  readonly onOpen?: (url: string) => void;
  /** The clipboard the services write (default: a recorder, exposed as `clipboard`). */
  readonly clipboard?: ClipboardPort;
}

export interface Bridge {
  readonly url: string;
  readonly services: Services;
  /** Every URL the wizard asked to open in the system browser. */
  readonly opened: string[];
  /** What the wizard put on the clipboard (when the bridge made the services). */
  readonly clipboard: ClipboardPort;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 1_000_000) {
      throw new Error('body too large');
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export async function startBridge(options: BridgeOptions): Promise<Bridge> {
  const opened: string[] = [];
  const clipboard = options.clipboard ?? new MemoryClipboard();
  const services =
    options.services ??
    createServices({
      home: options.home,
      face: 'bridge',
      version: '0.0.0-bridge',
      log: options.log,
      ...(options.encryptor ? { encryptor: options.encryptor } : {}),
      ...(options.oktaRangesUrl ? { oktaRangesUrl: options.oktaRangesUrl } : {}),
      clipboard,
      // Markdown reports land in the data folder (PDF needs the desktop app's printer).
      reportSaver: directoryReportSaver(join(options.home, 'reports')),
      opener: {
        open: (url) => {
          opened.push(url);
          options.onOpen?.(url);
          return Promise.resolve();
        },
      },
    });
  const staticDir = resolve(options.staticDir ?? join(ROOT, 'out/renderer'));
  const indexHtml = await readFile(join(staticDir, 'index.html'), 'utf8').catch(() => {
    throw new Error(`No renderer build in ${staticDir}: run "npm run build" first.`);
  });
  const injected = indexHtml.replace(
    '<head>',
    '<head>\n    <script src="/__bridge/api.js"></script>',
  );
  const client = await bundleClient();
  const sseClients = new Set<ServerResponse>();
  const unsubscribe = services.onEvent((event) => {
    const data = JSON.stringify({ channel: EVENTS.engine, payload: event });
    for (const res of sseClients) {
      res.write(`data: ${data}\n\n`);
    }
  });

  let origin = '';
  const securityHeaders = {
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    if (req.method === 'POST' && url.pathname.startsWith('/__bridge/invoke/')) {
      // Only the page the bridge served may call it (a cross-site form or fetch carries another Origin).
      if (req.headers.origin !== origin) {
        res.writeHead(403).end();
        return;
      }
      const channel = decodeURIComponent(url.pathname.slice('/__bridge/invoke/'.length));
      const body = JSON.parse((await readBody(req)) || '{}') as { input?: unknown };
      const result = await dispatch(services.handlers, channel, body.input, options.log);
      res
        .writeHead(200, { 'content-type': 'application/json', ...securityHeaders })
        .end(JSON.stringify(result));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/__bridge/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive',
      });
      res.write(': connected\n\n');
      sseClients.add(res);
      req.on('close', () => sseClients.delete(res));
      return;
    }
    if (req.method === 'GET' && url.pathname === '/__bridge/api.js') {
      res.writeHead(200, { 'content-type': MIME['.js'], ...securityHeaders }).end(client);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    const rel =
      url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '');
    const file = normalize(join(staticDir, rel));
    if (!file.startsWith(staticDir + sep)) {
      res.writeHead(404).end();
      return;
    }
    if (rel === 'index.html') {
      res.writeHead(200, { 'content-type': MIME['.html'], ...securityHeaders }).end(injected);
      return;
    }
    try {
      const data = await readFile(file);
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        ...securityHeaders,
      });
      res.end(data);
    } catch {
      res.writeHead(404).end();
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      options.log.error('bridge request failed', {
        error: e instanceof Error ? e.message : String(e),
      });
      if (!res.headersSent) {
        res.writeHead(500);
      }
      res.end();
    });
  });
  await new Promise<void>((ok) => server.listen(options.port ?? 0, '127.0.0.1', ok));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url: `${origin}/`,
    services,
    opened,
    clipboard,
    close: async () => {
      unsubscribe();
      for (const res of sseClients) {
        res.end();
      }
      server.closeAllConnections();
      await new Promise<void>((ok) => {
        server.close(() => {
          ok();
        });
      });
    },
  };
}
