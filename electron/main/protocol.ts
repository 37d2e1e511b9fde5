/**
 * The `app://wizard/` protocol: serves the built renderer (out/renderer) and nothing else,
 * with the CSP header on every response. It replaces file://, which would give the page
 * access to the whole disk.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, relative, resolve } from 'node:path';
import type { Protocol } from 'electron';
import type { Logger } from '../core/ports.js';
import { CONTENT_SECURITY_POLICY } from './csp.js';
import { APP_HOST, APP_SCHEME } from './origin.js';

/** Must run before `app` is ready. */
export function registerAppScheme(protocol: Pick<Protocol, 'registerSchemesAsPrivileged'>): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

const MIME_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeTypeFor(filePath: string): string {
  return MIME_TYPES[extname(filePath).toLowerCase()] ?? 'application/octet-stream';
}

function isInside(root: string, filePath: string): boolean {
  const rel = relative(root, filePath);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * The file under `rootDir` that an `app://wizard/...` URL names, or null for anything that is
 * not one: another scheme or host, a path that leaves the root (`..`, `%2e%2e`, `%2f`, `\`),
 * a NUL byte, a bad escape. `/` is index.html.
 */
export function resolveAppPath(rootDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.hostname !== APP_HOST || url.port !== '') {
    return null;
  }
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) {
    return null;
  }
  const segments = pathname.split('/').filter((s) => s !== '');
  if (segments.some((s) => s === '.' || s === '..' || s.includes(':'))) {
    return null;
  }
  const rel =
    segments.length === 0 || pathname.endsWith('/') ? [...segments, 'index.html'] : segments;
  const root = resolve(rootDir);
  const filePath = resolve(root, ...rel);
  return isInside(root, filePath) ? filePath : null;
}

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cache-Control': 'no-cache',
};

function notFound(): Response {
  return new Response('Not found', {
    status: 404,
    headers: { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' },
  });
}

/** Answers one app:// request from `rootDir`. Plain Node (Request/Response), so it is testable. */
export async function serveAppRequest(
  rootDir: string,
  request: Request,
  log?: Logger,
): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return new Response('Method not allowed', {
      status: 405,
      headers: {
        ...SECURITY_HEADERS,
        Allow: 'GET, HEAD',
        'Content-Type': 'text/plain; charset=utf-8',
      },
    });
  }
  const filePath = resolveAppPath(rootDir, request.url);
  if (!filePath) {
    log?.warn('app:// request refused', { url: request.url.slice(0, 200) });
    return notFound();
  }
  try {
    // Follow symlinks and check again, so a link inside the root cannot point outside it.
    const [realRoot, realFile] = await Promise.all([
      realpath(resolve(rootDir)),
      realpath(filePath),
    ]);
    if (!isInside(realRoot, realFile) || !(await stat(realFile)).isFile()) {
      return notFound();
    }
    const body = request.method === 'HEAD' ? null : await readFile(realFile);
    return new Response(body, {
      status: 200,
      headers: { ...SECURITY_HEADERS, 'Content-Type': mimeTypeFor(realFile) },
    });
  } catch {
    return notFound();
  }
}

/** Serves out/renderer on app://wizard/. Call once, after `app` is ready. */
export function handleAppProtocol(
  protocol: Pick<Protocol, 'handle'>,
  rootDir: string,
  log?: Logger,
): void {
  protocol.handle(APP_SCHEME, (request) => serveAppRequest(rootDir, request, log));
}
