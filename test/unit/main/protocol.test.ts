import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

import { CONTENT_SECURITY_POLICY } from '../../../electron/main/csp.js';
import {
  handleAppProtocol,
  mimeTypeFor,
  registerAppScheme,
  resolveAppPath,
  serveAppRequest,
} from '../../../electron/main/protocol.js';
import { tempDir } from '../../helpers/temp.js';

const ROOT = resolve('/srv/out/renderer');

describe('resolveAppPath', () => {
  it('serves index.html for / and for the bare origin', () => {
    expect(resolveAppPath(ROOT, 'app://wizard/')).toBe(join(ROOT, 'index.html'));
    expect(resolveAppPath(ROOT, 'app://wizard')).toBe(join(ROOT, 'index.html'));
    expect(resolveAppPath(ROOT, 'app://wizard/index.html')).toBe(join(ROOT, 'index.html'));
  });

  it('maps asset paths under the root, ignoring query and fragment', () => {
    expect(resolveAppPath(ROOT, 'app://wizard/assets/index-abc.js?v=1#x')).toBe(
      join(ROOT, 'assets', 'index-abc.js'),
    );
    expect(resolveAppPath(ROOT, 'app://wizard/assets/a%20b.css')).toBe(
      join(ROOT, 'assets', 'a b.css'),
    );
  });

  it.each([
    'app://wizard/..%2f..%2fetc%2fpasswd',
    'app://wizard/%2e%2e%2f%2e%2e%2fetc/passwd',
    'app://wizard/assets/..%2F..%2F..%2Fetc%2Fpasswd',
    'app://wizard/assets/..%5c..%5cwindows%5cwin.ini',
    'app://wizard/%2e%2e%5cx',
    'app://wizard/a%00b.html',
    'app://wizard/C:/Windows/win.ini',
    'app://wizard/%E0%A4%A',
    'app://other-host/index.html',
    'app://wizard:8080/index.html',
    'file:///etc/passwd',
    'https://wizard/index.html',
    'not a url',
  ])('refuses %s', (url) => {
    expect(resolveAppPath(ROOT, url)).toBeNull();
  });

  it.each([
    'app://wizard/../../etc/passwd',
    'app://wizard/%2e%2e/%2e%2e/etc/passwd',
    'app://wizard/assets/%2E%2E/%2E%2E/%2E%2E/etc/passwd',
    'app://wizard/%252e%252e/x',
  ])('never resolves %s outside the root (the URL parser folds the dots first)', (url) => {
    const path = resolveAppPath(ROOT, url);
    if (path !== null) {
      expect(path.startsWith(ROOT + sep)).toBe(true);
    }
  });
});

describe('mimeTypeFor', () => {
  it.each([
    ['index.html', 'text/html; charset=utf-8'],
    ['a.js', 'text/javascript; charset=utf-8'],
    ['a.mjs', 'text/javascript; charset=utf-8'],
    ['a.css', 'text/css; charset=utf-8'],
    ['a.svg', 'image/svg+xml'],
    ['a.png', 'image/png'],
    ['a.woff2', 'font/woff2'],
    ['a.unknown', 'application/octet-stream'],
  ])('%s is %s', (file, type) => {
    expect(mimeTypeFor(file)).toBe(type);
  });
});

describe('serveAppRequest', () => {
  let root: string;
  let outside: string;
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    root = join(t.dir, 'renderer');
    outside = join(t.dir, 'secret.txt');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>x</title>');
    await writeFile(join(root, 'assets', 'app.js'), 'export {};');
    await writeFile(outside, 'do not serve');
    await symlink(outside, join(root, 'assets', 'link.txt'));
  });
  afterAll(async () => {
    await cleanup();
  });

  const get = (url: string, method = 'GET') => serveAppRequest(root, new Request(url, { method }));

  it('serves index.html with the CSP, nosniff and the right type', async () => {
    const res = await get('app://wizard/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>x</title>');
  });

  it('serves a script as JavaScript', async () => {
    const res = await get('app://wizard/assets/app.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it.each([
    'app://wizard/missing.js',
    'app://wizard/assets/',
    'app://wizard/..%2fsecret.txt',
    'app://wizard/assets/..%2f..%2fsecret.txt',
    'app://wizard/assets/link.txt',
  ])('answers 404 (with the CSP) for %s', async (url) => {
    const res = await get(url);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await res.text()).not.toContain('do not serve');
  });

  it('refuses other methods', async () => {
    const res = await get('app://wizard/index.html', 'POST');
    expect(res.status).toBe(405);
  });

  it('answers HEAD without a body', async () => {
    const res = await get('app://wizard/index.html', 'HEAD');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
  });
});

describe('registration', () => {
  it('registers app: as a privileged standard, secure scheme with fetch', () => {
    const protocol = { registerSchemesAsPrivileged: vi.fn() };
    registerAppScheme(protocol);
    expect(protocol.registerSchemesAsPrivileged).toHaveBeenCalledWith([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
  });

  it('handles app: with the renderer folder', async () => {
    const protocol = { handle: vi.fn() };
    handleAppProtocol(protocol, ROOT);
    expect(protocol.handle).toHaveBeenCalledWith('app', expect.any(Function));
    const handler = protocol.handle.mock.calls[0]![1] as (r: Request) => Promise<Response>;
    const res = await handler(new Request('app://wizard/..%2f..%2fetc%2fpasswd'));
    expect(res.status).toBe(404);
  });
});
