/**
 * The app's origins, as plain values: the `app://wizard` origin the production window loads,
 * and (in development only) the electron-vite dev server. Node's URL gives the origin of a
 * non-special scheme as "null", so origins are computed here the way Chromium does for a
 * scheme registered as standard.
 */

export const APP_SCHEME = 'app';
export const APP_HOST = 'wizard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `scheme://host[:port]` of a URL, or null when it has none (file:, data:, about:, junk). */
export function originOf(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol === 'file:' || url.host === '') {
    return null;
  }
  return `${url.protocol}//${url.host}`.toLowerCase();
}

/**
 * The dev server URL electron-vite passes in `ELECTRON_RENDERER_URL`, when it is an http URL on
 * loopback and the app is not packaged; anything else is ignored.
 */
export function devServerUrl(
  env: Readonly<Record<string, string | undefined>>,
  isPackaged: boolean,
): string | undefined {
  const raw = env.ELECTRON_RENDERER_URL?.trim();
  if (isPackaged || !raw) {
    return undefined;
  }
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)
      ? url.toString()
      : undefined;
  } catch {
    return undefined;
  }
}

/** The origins whose pages may talk to main: the app origin, plus the dev server in development. */
export function trustedOrigins(devUrl?: string): ReadonlySet<string> {
  const origins = new Set([APP_ORIGIN]);
  const dev = devUrl ? originOf(devUrl) : null;
  if (dev) {
    origins.add(dev);
  }
  return origins;
}
