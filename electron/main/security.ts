/**
 * Hardening of every web contents and of the session: navigation stays on the app origin,
 * new windows are denied (an allowlisted admin-console link goes to the system browser),
 * <webview> is refused, and permission requests are denied.
 */
import type { App, Event, Session, WebContents } from 'electron';
import type { ExternalOpener, Logger } from '../core/ports.js';
import { isExternalHostAllowed } from '../services/external.js';
import { originOf } from './origin.js';

/** Whether the page may navigate to `url`: only within the origins the app serves. */
export function isAllowedNavigation(
  url: string,
  allowedOrigins: ReadonlySet<string> | string,
): boolean {
  const origin = originOf(url);
  if (origin === null) {
    return false;
  }
  return typeof allowedOrigins === 'string'
    ? origin === allowedOrigins
    : allowedOrigins.has(origin);
}

/** Whether a link the page tried to open should go to the system browser (https, allowlisted host). */
export function isExternalAdminUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (
      url.protocol === 'https:' &&
      !url.username &&
      !url.password &&
      isExternalHostAllowed(url.hostname)
    );
  } catch {
    return false;
  }
}

/**
 * The one permission granted: `clipboard-sanitized-write` (what `navigator.clipboard.writeText`
 * asks for, used by the copy buttons), and only for the top frame of an app page. Chromium still
 * requires a user gesture for it. Everything else (camera, notifications, clipboard read, ...) is denied.
 */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

export function isPermissionAllowed(
  permission: string,
  requestingUrl: string | undefined,
  isMainFrame: boolean | undefined,
  allowedOrigins: ReadonlySet<string>,
): boolean {
  return (
    GRANTED_PERMISSIONS.has(permission) &&
    isMainFrame === true &&
    requestingUrl !== undefined &&
    isAllowedNavigation(requestingUrl, allowedOrigins)
  );
}

export interface HardeningOptions {
  readonly allowedOrigins: ReadonlySet<string>;
  readonly opener?: ExternalOpener;
  readonly log?: Logger;
}

function openOutside(url: string, options: HardeningOptions): void {
  if (!options.opener || !isExternalAdminUrl(url)) {
    options.log?.warn('refused to open a link', { origin: originOf(url) ?? 'none' });
    return;
  }
  options.opener.open(url).catch((e: unknown) => {
    options.log?.warn('could not open a link in the browser', {
      error: e instanceof Error ? e.message : String(e),
    });
  });
}

type HardenableContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function hardenWebContents(contents: HardenableContents, options: HardeningOptions): void {
  const guard = (event: Event, url: string, kind: string): void => {
    if (isAllowedNavigation(url, options.allowedOrigins)) {
      return;
    }
    event.preventDefault();
    if (kind === 'navigate') {
      openOutside(url, options);
    } else {
      options.log?.warn(`blocked ${kind}`, { origin: originOf(url) ?? 'none' });
    }
  };
  contents.on('will-navigate', (event, url) => {
    guard(event, url, 'navigate');
  });
  contents.on('will-redirect', (event, url) => {
    guard(event, url, 'redirect');
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    options.log?.warn('blocked a <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    openOutside(url, options);
    return { action: 'deny' };
  });
}

type HardenableSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
>;

export function hardenSession(session: HardenableSession, options: HardeningOptions): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => {
    const allowed = isPermissionAllowed(
      permission,
      details.requestingUrl,
      details.isMainFrame,
      options.allowedOrigins,
    );
    if (!allowed) {
      options.log?.info('permission denied', { permission });
    }
    callback(allowed);
  });
  session.setPermissionCheckHandler((_contents, permission, _origin, details) =>
    isPermissionAllowed(
      permission,
      details.requestingUrl,
      details.isMainFrame,
      options.allowedOrigins,
    ),
  );
  session.setDevicePermissionHandler(() => false);
}

/** Hardens every web contents the app ever creates (windows, and anything else), and its session. */
export function installHardening(app: Pick<App, 'on'>, options: HardeningOptions): void {
  const sessions = new WeakSet<object>();
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, options);
    if (!sessions.has(contents.session)) {
      sessions.add(contents.session);
      hardenSession(contents.session, options);
    }
  });
}
