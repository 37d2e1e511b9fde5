import { describe, expect, it, vi } from 'vitest';

const shell = vi.hoisted(() => ({
  openExternal: vi.fn<(url: string) => Promise<void>>(() => Promise.resolve()),
}));
vi.mock('electron', () => ({ shell }));

import type { ExternalOpener } from '../../../electron/core/ports.js';
import { ShellOpener } from '../../../electron/main/opener.js';
import {
  APP_ORIGIN,
  devServerUrl,
  originOf,
  trustedOrigins,
} from '../../../electron/main/origin.js';
import {
  hardenSession,
  hardenWebContents,
  installHardening,
  isAllowedNavigation,
  isExternalAdminUrl,
} from '../../../electron/main/security.js';

const ORIGINS = trustedOrigins();

type Listener = (...args: unknown[]) => void;

function fakeContents() {
  const listeners = new Map<string, Listener>();
  let openHandler: ((d: { url: string }) => { action: string }) | undefined;
  return {
    listeners,
    on: vi.fn((event: string, l: Listener) => {
      listeners.set(event, l);
    }),
    setWindowOpenHandler: vi.fn((h: typeof openHandler) => {
      openHandler = h;
    }),
    open: (url: string) => openHandler!({ url }),
    fire(event: string, url: string) {
      const e = { preventDefault: vi.fn() };
      listeners.get(event)!(e, url);
      return e.preventDefault;
    },
  };
}

function fakeOpener() {
  const open = vi.fn<ExternalOpener['open']>(() => Promise.resolve());
  return { open };
}

describe('origins', () => {
  it('computes app:// origins the way Chromium does for a standard scheme', () => {
    expect(originOf('app://wizard/index.html')).toBe(APP_ORIGIN);
    expect(originOf('http://localhost:5173/x')).toBe('http://localhost:5173');
    expect(originOf('file:///etc/passwd')).toBeNull();
    expect(originOf('about:blank')).toBeNull();
    expect(originOf('data:text/html,hi')).toBeNull();
    expect(originOf('nonsense')).toBeNull();
  });

  it('trusts the dev server only when unpackaged and on loopback http', () => {
    expect(devServerUrl({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, false)).toBe(
      'http://localhost:5173/',
    );
    expect(devServerUrl({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, true)).toBeUndefined();
    expect(
      devServerUrl({ ELECTRON_RENDERER_URL: 'http://evil.example:5173' }, false),
    ).toBeUndefined();
    expect(devServerUrl({ ELECTRON_RENDERER_URL: 'file:///tmp/x' }, false)).toBeUndefined();
    expect(devServerUrl({}, false)).toBeUndefined();
    expect([...trustedOrigins('http://127.0.0.1:5173/')]).toEqual([
      APP_ORIGIN,
      'http://127.0.0.1:5173',
    ]);
  });
});

describe('isAllowedNavigation', () => {
  it.each([
    ['app://wizard/index.html', true],
    ['app://wizard/other.html#x', true],
    ['app://evil/index.html', false],
    ['https://cloud.getdbt.com/', false],
    ['http://localhost:5173/', false],
    ['file:///etc/passwd', false],
    ['javascript:alert(1)', false],
    ['data:text/html,<script>x</script>', false],
    ['about:blank', false],
  ])('%s → %s', (url, allowed) => {
    expect(isAllowedNavigation(url, ORIGINS)).toBe(allowed);
    expect(isAllowedNavigation(url, APP_ORIGIN)).toBe(allowed);
  });

  it('allows the dev server only when it is one of the origins', () => {
    expect(
      isAllowedNavigation('http://localhost:5173/', trustedOrigins('http://localhost:5173')),
    ).toBe(true);
  });
});

describe('isExternalAdminUrl', () => {
  it.each([
    ['https://cloud.getdbt.com/settings/accounts/1', true],
    ['https://acme.okta.com/admin/apps', true],
    ['https://entra.microsoft.com/#home', true],
    ['http://cloud.getdbt.com/', false],
    ['https://evil.example.com/', false],
    ['https://cloud.getdbt.com.evil.example/', false],
    ['https://user:pw@cloud.getdbt.com/', false],
    ['file:///etc/passwd', false],
  ])('%s → %s', (url, ok) => {
    expect(isExternalAdminUrl(url)).toBe(ok);
  });
});

describe('hardenWebContents', () => {
  it('prevents navigation to another origin and lets same-origin navigation through', () => {
    const c = fakeContents();
    const opener = fakeOpener();
    hardenWebContents(c as never, { allowedOrigins: ORIGINS, opener });
    expect(c.fire('will-navigate', 'app://wizard/index.html')).not.toHaveBeenCalled();
    expect(c.fire('will-navigate', 'https://evil.example.com/')).toHaveBeenCalledOnce();
    expect(c.fire('will-navigate', 'file:///etc/passwd')).toHaveBeenCalledOnce();
    expect(opener.open).not.toHaveBeenCalled();
  });

  it('sends a blocked navigation to an allowlisted admin page to the system browser', () => {
    const c = fakeContents();
    const opener = fakeOpener();
    hardenWebContents(c as never, { allowedOrigins: ORIGINS, opener });
    expect(c.fire('will-navigate', 'https://cloud.getdbt.com/x')).toHaveBeenCalledOnce();
    expect(opener.open).toHaveBeenCalledWith('https://cloud.getdbt.com/x');
  });

  it('prevents redirects away from the app origin', () => {
    const c = fakeContents();
    hardenWebContents(c as never, { allowedOrigins: ORIGINS });
    expect(c.fire('will-redirect', 'https://evil.example.com/')).toHaveBeenCalledOnce();
    expect(c.fire('will-redirect', 'app://wizard/index.html')).not.toHaveBeenCalled();
  });

  it('denies every new window, opening only allowlisted https pages outside', () => {
    const c = fakeContents();
    const opener = fakeOpener();
    hardenWebContents(c as never, { allowedOrigins: ORIGINS, opener });
    expect(c.open('app://wizard/index.html')).toEqual({ action: 'deny' });
    expect(c.open('https://evil.example.com/')).toEqual({ action: 'deny' });
    expect(c.open('http://cloud.getdbt.com/')).toEqual({ action: 'deny' });
    expect(opener.open).not.toHaveBeenCalled();
    expect(c.open('https://cloud.getdbt.com/deploy/1/account-settings')).toEqual({
      action: 'deny',
    });
    expect(opener.open).toHaveBeenCalledExactlyOnceWith(
      'https://cloud.getdbt.com/deploy/1/account-settings',
    );
  });

  it('prevents attaching a <webview>', () => {
    const c = fakeContents();
    hardenWebContents(c as never, { allowedOrigins: ORIGINS });
    const e = { preventDefault: vi.fn() };
    c.listeners.get('will-attach-webview')!(e, {}, {});
    expect(e.preventDefault).toHaveBeenCalledOnce();
  });
});

function fakeSession() {
  const s = {
    request: undefined as undefined | ((...a: unknown[]) => void),
    check: undefined as undefined | ((...a: unknown[]) => boolean),
    device: undefined as undefined | ((...a: unknown[]) => boolean),
    setPermissionRequestHandler: vi.fn((h: (...a: unknown[]) => void) => {
      s.request = h;
    }),
    setPermissionCheckHandler: vi.fn((h: (...a: unknown[]) => boolean) => {
      s.check = h;
    }),
    setDevicePermissionHandler: vi.fn((h: (...a: unknown[]) => boolean) => {
      s.device = h;
    }),
  };
  return s;
}

describe('hardenSession', () => {
  const appPage = { requestingUrl: 'app://wizard/index.html', isMainFrame: true };

  it.each([
    'media',
    'geolocation',
    'notifications',
    'openExternal',
    'clipboard-read',
    'fullscreen',
    'pointerLock',
    'hid',
    'serial',
    'usb',
    'display-capture',
    'unknown',
  ])('denies the %s request (calls back false) and check', (permission) => {
    const s = fakeSession();
    hardenSession(s, { allowedOrigins: ORIGINS });
    const callback = vi.fn();
    s.request!({}, permission, callback, appPage);
    expect(callback).toHaveBeenCalledExactlyOnceWith(false);
    expect(s.check!({}, permission, APP_ORIGIN, appPage)).toBe(false);
  });

  it('grants clipboard writes (copy buttons) only to the top frame of an app page', () => {
    const s = fakeSession();
    hardenSession(s, { allowedOrigins: ORIGINS });
    const cases: [unknown, boolean][] = [
      [appPage, true],
      [{ requestingUrl: 'app://wizard/index.html', isMainFrame: false }, false],
      [{ requestingUrl: 'https://evil.example.com/', isMainFrame: true }, false],
      [{ requestingUrl: 'file:///x.html', isMainFrame: true }, false],
      [{ isMainFrame: true }, false],
    ];
    for (const [details, expected] of cases) {
      const callback = vi.fn();
      s.request!({}, 'clipboard-sanitized-write', callback, details);
      expect(callback).toHaveBeenCalledWith(expected);
      expect(s.check!({}, 'clipboard-sanitized-write', '', details)).toBe(expected);
    }
  });

  it('denies device access', () => {
    const s = fakeSession();
    hardenSession(s, { allowedOrigins: ORIGINS });
    expect(s.device!({})).toBe(false);
  });
});

describe('installHardening', () => {
  it('hardens every web contents created, and its session once', () => {
    let created: ((e: unknown, contents: unknown) => void) | undefined;
    const app = {
      on: vi.fn((event: string, l: typeof created) => {
        if (event === 'web-contents-created') {
          created = l;
        }
      }),
    };
    installHardening(app as never, { allowedOrigins: ORIGINS });
    const session = fakeSession();
    const a = { ...fakeContents(), session };
    const b = { ...fakeContents(), session };
    created!({}, a);
    created!({}, b);
    expect(a.setWindowOpenHandler).toHaveBeenCalledOnce();
    expect(b.setWindowOpenHandler).toHaveBeenCalledOnce();
    expect(a.on).toHaveBeenCalledWith('will-navigate', expect.any(Function));
    expect(b.on).toHaveBeenCalledWith('will-attach-webview', expect.any(Function));
    expect(session.setPermissionRequestHandler).toHaveBeenCalledOnce();
  });
});

describe('ShellOpener', () => {
  it.each([
    'http://cloud.getdbt.com/',
    'https://evil.example.com/',
    'https://cloud.getdbt.com.evil.example/',
    'https://user:pw@cloud.getdbt.com/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'not a url',
  ])('refuses %s and never calls shell.openExternal', async (url) => {
    shell.openExternal.mockClear();
    await expect(new ShellOpener().open(url)).rejects.toMatchObject({
      code: expect.stringMatching(/^(permission_denied|bad_input)$/) as unknown,
    });
    expect(shell.openExternal).not.toHaveBeenCalled();
  });

  it.each([
    'https://cloud.getdbt.com/settings/accounts/1/pages/scim',
    'https://acme.okta.com/admin/app/x/instance/y/#tab-provisioning',
    'https://entra.microsoft.com/#view/Microsoft_AAD_IAM',
  ])('opens %s through shell.openExternal', async (url) => {
    shell.openExternal.mockClear();
    await new ShellOpener().open(url);
    expect(shell.openExternal).toHaveBeenCalledExactlyOnceWith(new URL(url).toString());
  });
});
