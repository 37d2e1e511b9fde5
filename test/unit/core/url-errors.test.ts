import { describe, expect, it } from 'vitest';
import { WizardError, errorInfo, toWizardError } from '../../../electron/core/errors.js';
import { registerSecret } from '../../../electron/core/redact.js';
import { isLoopbackHost, parseServiceUrl } from '../../../electron/core/url.js';

describe('parseServiceUrl', () => {
  it.each([
    'https://cloud.getdbt.com',
    '  https://ab123.us1.dbt.com/api/scim/v2/  ',
    'http://127.0.0.1:8080/scim',
    'http://localhost:1/x',
    'http://[::1]:3000/',
  ])('accepts %s', (u) => {
    expect(parseServiceUrl(u, 'The URL')).toBeInstanceOf(URL);
  });

  it.each([
    ['', 'is empty'],
    ['cloud.getdbt.com', 'is not a URL'],
    ['http://cloud.getdbt.com', 'must use https'],
    ['ftp://example.com', 'must use https'],
    ['http://10.0.0.1/', 'must use https'],
    ['https://user:pw@cloud.getdbt.com', 'user name or password'],
  ])('refuses %j with a typed bad_input error', (u, text) => {
    let caught: unknown;
    try {
      parseServiceUrl(u, 'The URL');
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(WizardError);
    expect((caught as WizardError).code).toBe('bad_input');
    expect((caught as WizardError).message).toContain(text);
    expect((caught as WizardError).remediation.length).toBeGreaterThan(10);
  });

  it('knows loopback hosts', () => {
    expect(isLoopbackHost('127.4.5.6')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('localhost')).toBe(true);
    expect(isLoopbackHost('127.example.com')).toBe(false);
    expect(isLoopbackHost('192.168.1.1')).toBe(false);
  });
});

describe('errors', () => {
  it('turns unknown errors into internal ones without leaking registered secrets', () => {
    registerSecret('error-planted-secret-777');
    const info = errorInfo(new Error('boom with error-planted-secret-777 inside'));
    expect(info.code).toBe('internal');
    expect(info.message).not.toContain('error-planted-secret-777');
  });

  it('maps aborts to cancelled', () => {
    expect(toWizardError(new DOMException('x', 'AbortError')).code).toBe('cancelled');
  });

  it('joins the message and the remediation', () => {
    const e = new WizardError('auth_failed', 'dbt refused the token.', {
      remediation: 'Create a new token.',
    });
    expect(e.toInfo()).toEqual({
      code: 'auth_failed',
      message: 'dbt refused the token. Create a new token.',
    });
  });
});
