/**
 * The Content-Security-Policy of the renderer, sent as a response header with every app://
 * response (and, in development, added to the dev server's responses).
 *
 * Mantine writes `style` attributes and injects a `<style>` tag of CSS variables at run time,
 * hence 'unsafe-inline' for styles only. Scripts stay 'self': no inline script, no eval.
 */
import type { Session } from 'electron';
import { originOf } from './origin.js';

export const CSP_DIRECTIVES: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
};

function serialize(directives: Readonly<Record<string, readonly string[]>>): string {
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}

/** The production policy (renderer/index.html's `<meta>` tag must say the same). */
export const CONTENT_SECURITY_POLICY = serialize(CSP_DIRECTIVES);

/**
 * The policy for the electron-vite dev server only (never used when packaged): React Fast
 * Refresh injects one inline module script, and Vite's HMR client talks over a websocket to the
 * dev server. Everything else is the production policy.
 */
export function devContentSecurityPolicy(devOrigin: string): string {
  const ws = devOrigin.replace(/^http/, 'ws');
  return serialize({
    ...CSP_DIRECTIVES,
    'script-src': ["'self'", "'unsafe-inline'"],
    'connect-src': ["'self'", ws],
  });
}

/** The response headers with any CSP the server sent replaced by ours. */
export function withCspHeader(
  headers: Readonly<Record<string, string | string[]>> | undefined,
  policy: string,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower !== 'content-security-policy' && lower !== 'content-security-policy-report-only') {
      out[name] = value;
    }
  }
  out['Content-Security-Policy'] = [policy];
  out['X-Content-Type-Options'] = ['nosniff'];
  return out;
}

/** Development only: adds the dev policy to every response of the dev server's origin. */
export function installDevCsp(session: Pick<Session, 'webRequest'>, devUrl: string): void {
  const devOrigin = originOf(devUrl);
  if (!devOrigin) {
    return;
  }
  const policy = devContentSecurityPolicy(devOrigin);
  session.webRequest.onHeadersReceived((details, callback) => {
    if (originOf(details.url) === devOrigin) {
      callback({ responseHeaders: withCspHeader(details.responseHeaders, policy) });
    } else {
      callback({});
    }
  });
}
