import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

import {
  CONTENT_SECURITY_POLICY,
  devContentSecurityPolicy,
  installDevCsp,
  withCspHeader,
} from '../../../electron/main/csp.js';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name, ...sources] = part.trim().split(/\s+/);
      return [name!, sources];
    }),
  );
}

describe('CONTENT_SECURITY_POLICY', () => {
  it('is exactly the agreed policy', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "font-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; " +
        "frame-ancestors 'none'; object-src 'none'",
    );
  });

  const d = directives(CONTENT_SECURITY_POLICY);

  it.each([
    ['default-src', ["'none'"]],
    ['script-src', ["'self'"]],
    ['style-src', ["'self'", "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:']],
    ['font-src', ["'self'", 'data:']],
    ['connect-src', ["'self'"]],
    ['base-uri', ["'none'"]],
    ['form-action', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['object-src', ["'none'"]],
  ])('has %s %j', (name, sources) => {
    expect(d.get(name)).toEqual(sources);
  });

  it('never allows eval, inline scripts, remote hosts or wildcards', () => {
    expect(CONTENT_SECURITY_POLICY).not.toContain("'unsafe-eval'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("'wasm-unsafe-eval'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/\*|https?:/);
    expect(d.get('script-src')).not.toContain("'unsafe-inline'");
  });
});

describe('devContentSecurityPolicy', () => {
  it('loosens only what Vite needs (inline refresh preamble, HMR websocket), never eval', () => {
    const dev = directives(devContentSecurityPolicy('http://localhost:5173'));
    expect(dev.get('script-src')).toEqual(["'self'", "'unsafe-inline'"]);
    expect(dev.get('connect-src')).toEqual(["'self'", 'ws://localhost:5173']);
    expect(devContentSecurityPolicy('http://localhost:5173')).not.toContain("'unsafe-eval'");
    for (const name of [
      'default-src',
      'object-src',
      'base-uri',
      'form-action',
      'frame-ancestors',
    ]) {
      expect(dev.get(name)).toEqual(["'none'"]);
    }
  });
});

describe('withCspHeader', () => {
  it('replaces any CSP the server sent, whatever its case, and adds nosniff', () => {
    const out = withCspHeader(
      {
        'content-security-policy': ['default-src *'],
        'Content-Security-Policy-Report-Only': ['x'],
        'Content-Type': ['text/html'],
      },
      'P',
    );
    expect(out).toEqual({
      'Content-Type': ['text/html'],
      'Content-Security-Policy': ['P'],
      'X-Content-Type-Options': ['nosniff'],
    });
  });
});

describe('installDevCsp', () => {
  it('adds the dev policy to the dev server responses only', () => {
    let listener:
      | ((
          details: { url: string; responseHeaders?: Record<string, string[]> },
          cb: (r: unknown) => void,
        ) => void)
      | undefined;
    const session = {
      webRequest: {
        onHeadersReceived: vi.fn((l: typeof listener) => {
          listener = l;
        }),
      },
    };
    installDevCsp(session as never, 'http://localhost:5173/');
    expect(listener).toBeDefined();

    const cb = vi.fn();
    listener!({ url: 'http://localhost:5173/src/main.tsx', responseHeaders: {} }, cb);
    expect(cb).toHaveBeenCalledWith({
      responseHeaders: expect.objectContaining({
        'Content-Security-Policy': [devContentSecurityPolicy('http://localhost:5173')],
      }) as unknown,
    });

    const other = vi.fn();
    listener!({ url: 'https://cloud.getdbt.com/', responseHeaders: {} }, other);
    expect(other).toHaveBeenCalledWith({});
  });
});
