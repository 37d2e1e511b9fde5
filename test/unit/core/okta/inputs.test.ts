/**
 * The Okta inputs: org URLs (good and bad, the admin console host, custom domains, loopback),
 * app references, logins, license types, group names and the username template's format.
 */
import { describe, expect, it } from 'vitest';
import { WizardError } from '../../../../electron/core/errors.js';
import {
  cleanGroupName,
  cleanLicenseType,
  cleanOktaAppRef,
  cleanOktaLogin,
  cleanOktaOrgUrl,
  userNameFormat,
} from '../../../../electron/core/okta/inputs.js';

function badInputOf(fn: () => unknown): WizardError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WizardError) {
      return e;
    }
    throw e;
  }
  throw new Error('expected a bad_input error');
}

describe('cleanOktaOrgUrl', () => {
  it.each([
    ['https://acme.okta.com', 'https://acme.okta.com', 'https://acme-admin.okta.com'],
    ['  https://acme.okta.com/  ', 'https://acme.okta.com', 'https://acme-admin.okta.com'],
    ['acme.okta.com', 'https://acme.okta.com', 'https://acme-admin.okta.com'],
    ['HTTPS://ACME.OKTA.COM', 'https://acme.okta.com', 'https://acme-admin.okta.com'],
    ['https://acme-admin.okta.com', 'https://acme.okta.com', 'https://acme-admin.okta.com'],
    [
      'https://dev-123456-admin.okta.com/admin/dashboard',
      'https://dev-123456.okta.com',
      'https://dev-123456-admin.okta.com',
    ],
    [
      'https://acme-admin.oktapreview.com',
      'https://acme.oktapreview.com',
      'https://acme-admin.oktapreview.com',
    ],
    [
      'https://acme-admin.okta-emea.com',
      'https://acme.okta-emea.com',
      'https://acme-admin.okta-emea.com',
    ],
    ['https://acme.okta-gov.com', 'https://acme.okta-gov.com', 'https://acme-admin.okta-gov.com'],
    ['https://acme-admin.okta.mil', 'https://acme.okta.mil', 'https://acme-admin.okta.mil'],
    [
      'https://acme-admin.trexcloud.com',
      'https://acme.trexcloud.com',
      'https://acme-admin.trexcloud.com',
    ],
    ['<https://acme.okta.com>', 'https://acme.okta.com', 'https://acme-admin.okta.com'],
    ['http://127.0.0.1:8443', 'http://127.0.0.1:8443', 'http://127.0.0.1:8443'],
    ['http://localhost:9000/', 'http://localhost:9000', 'http://localhost:9000'],
    ['http://[::1]:9000', 'http://[::1]:9000', 'http://[::1]:9000'],
  ])('%s → %s (console %s)', (raw, url, adminUrl) => {
    const clean = cleanOktaOrgUrl(raw);
    expect(clean.url).toBe(url);
    expect(clean.adminUrl).toBe(adminUrl);
  });

  it('says when it took the admin console host for the org', () => {
    const { warnings } = cleanOktaOrgUrl('https://acme-admin.okta.com');
    expect(warnings.join(' ')).toContain('https://acme.okta.com');
    expect(cleanOktaOrgUrl('https://acme.okta.com').warnings).toEqual([]);
  });

  it('drops an authorization server path with a warning', () => {
    const clean = cleanOktaOrgUrl('https://acme.okta.com/oauth2/default');
    expect(clean.url).toBe('https://acme.okta.com');
    expect(clean.warnings.join(' ')).toMatch(/\/oauth2\/default.*authorization server/);
  });

  it('drops a page path, a query and a fragment with a warning', () => {
    const clean = cleanOktaOrgUrl('https://acme.okta.com/app/UserHome?fromLogin=true#x');
    expect(clean.url).toBe('https://acme.okta.com');
    expect(clean.warnings).toHaveLength(1);
  });

  it('takes a custom domain as it is, warning about console links', () => {
    const clean = cleanOktaOrgUrl('https://login.acme.example');
    expect(clean.url).toBe('https://login.acme.example');
    expect(clean.adminUrl).toBe('https://login.acme.example');
    expect(clean.warnings.join(' ')).toMatch(/custom domain.*-admin/);
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['http://acme.okta.com', /https/],
    ['ftp://acme.okta.com', /https/],
    ['https://user:pass@acme.okta.com', /user name or password/],
    ['https://acme okta.com', /spaces/],
    ['https://cloud.getdbt.com/api/scim/v2/accounts/1', /dbt address, not an Okta org/],
    ['https://emea.dbt.com', /dbt address, not an Okta org/],
    ['https://login.microsoftonline.com/contoso', /Microsoft address, not an Okta org/],
    ['https://entra.microsoft.com', /Microsoft address, not an Okta org/],
    ['https://portal.azure.com', /Microsoft address, not an Okta org/],
    ['https://www.okta.com', /Okta's own site/],
    ['https://okta.com', /Okta's own site/],
    ['https://developer.okta.com/docs', /Okta's own site/],
    ['https://a.b.okta.com', /one name before okta\.com/],
  ])('refuses %j', (raw, message) => {
    const e = badInputOf(() => cleanOktaOrgUrl(raw));
    expect(e.code).toBe('bad_input');
    expect(e.message).toMatch(message);
    expect(e.remediation).not.toBe('');
  });
});

describe('cleanOktaAppRef', () => {
  it('reads an app id, also from a console address', () => {
    expect(cleanOktaAppRef(' 0oa1b2c3d4e5f6g7h8i9 ')).toEqual({
      kind: 'id',
      id: '0oa1b2c3d4e5f6g7h8i9',
    });
    expect(
      cleanOktaAppRef(
        'https://acme-admin.okta.com/admin/app/acme_dbt_1/instance/0oa1b2c3d4e5f6g7h8i9/#tab-general',
      ),
    ).toEqual({ kind: 'id', id: '0oa1b2c3d4e5f6g7h8i9' });
  });

  it('takes anything else as a label', () => {
    expect(cleanOktaAppRef(' dbt Cloud ')).toEqual({ kind: 'label', label: 'dbt Cloud' });
    expect(cleanOktaAppRef('0oa123')).toEqual({ kind: 'label', label: '0oa123' });
  });

  it('refuses empty, overlong, control characters and addresses without an id', () => {
    expect(badInputOf(() => cleanOktaAppRef('  ')).code).toBe('bad_input');
    expect(badInputOf(() => cleanOktaAppRef('x'.repeat(101))).code).toBe('bad_input');
    expect(badInputOf(() => cleanOktaAppRef('dbt\u0007')).code).toBe('bad_input');
    expect(badInputOf(() => cleanOktaAppRef('https://acme.okta.com/app/x')).message).toMatch(
      /does not name an Okta app/,
    );
  });
});

describe('cleanOktaLogin, cleanLicenseType, cleanGroupName', () => {
  it('checks a login', () => {
    expect(cleanOktaLogin(' ada@acme.example ')).toBe('ada@acme.example');
    expect(cleanOktaLogin('00u1b2c3d4e5f6g7h8i9')).toBe('00u1b2c3d4e5f6g7h8i9');
    for (const bad of ['', 'ada lovelace', 'a"b@x.io', 'a\\b@x.io', `${'a'.repeat(100)}@x.io`]) {
      expect(badInputOf(() => cleanOktaLogin(bad)).code).toBe('bad_input');
    }
  });

  it('reads a license type by value or display name', () => {
    expect(cleanLicenseType('developer')).toBe('developer');
    expect(cleanLicenseType(' Read Only ')).toBe('read_only');
    expect(cleanLicenseType('read-only')).toBe('read_only');
    expect(cleanLicenseType('READONLY')).toBe('read_only');
    expect(cleanLicenseType('IT')).toBe('it');
    expect(badInputOf(() => cleanLicenseType('admin')).remediation).toContain(
      'it, analyst, developer, read_only',
    );
  });

  it('checks a group name', () => {
    expect(cleanGroupName('  Analysts ')).toBe('Analysts');
    expect(badInputOf(() => cleanGroupName(' ')).code).toBe('bad_input');
    expect(badInputOf(() => cleanGroupName('x'.repeat(256))).code).toBe('bad_input');
    expect(badInputOf(() => cleanGroupName('a\nb')).code).toBe('bad_input');
  });
});

describe('userNameFormat', () => {
  it.each([
    [{ template: '${source.email}', type: 'BUILT_IN' }, 'email'],
    [{ template: '${user.email}', type: 'CUSTOM' }, 'email'],
    [{ template: ' ${ source.email } ', type: 'BUILT_IN' }, 'email'],
    [{ template: '${user.getInternalProperty("id")}', type: 'CUSTOM' }, 'okta_id'],
    [{ template: "user.getInternalProperty('id')", type: 'CUSTOM' }, 'okta_id'],
    [{ template: '${source.id}', type: 'CUSTOM' }, 'okta_id'],
    [{ template: '${source.login}', type: 'BUILT_IN' }, 'other'],
    [{ template: 'String.substringBefore(user.email, "@")', type: 'CUSTOM' }, 'other'],
  ])('%j → %s', (template, format) => {
    expect(userNameFormat(template)).toBe(format);
  });

  it('reads no template as other', () => {
    expect(userNameFormat(null)).toBe('other');
  });
});
