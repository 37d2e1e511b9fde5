import { describe, expect, it } from 'vitest';
import { REDACTED, Redactor, lastFour } from '../../../electron/core/redact.js';

describe('Redactor', () => {
  const cases: [string, string, string][] = [
    [
      'Okta API token',
      'Authorization: SSWS 00abcDEFghiJKLmnoPQRstuVWXyz0123456789',
      '00abcDEFghiJKLmnoPQRstuVWXyz0123456789',
    ],
    ['Bearer token', 'sent Bearer abc.def-ghi_jkl/mno+pqr=', 'abc.def-ghi_jkl/mno+pqr='],
    [
      'dbt Token scheme',
      'Authorization: Token dbtc_AbCdEfGhIjKlMnOpQrSt',
      'dbtc_AbCdEfGhIjKlMnOpQrSt',
    ],
    ['bare dbt service token', 'token is dbtc_zyxwvutsrqponmlk here', 'dbtc_zyxwvutsrqponmlk'],
    [
      'JWT',
      'got eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl ok',
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
    ],
    [
      'JSON token_string',
      '{"id":1,"token_string":"s3cr3t-value-from-dbt"}',
      's3cr3t-value-from-dbt',
    ],
    [
      'Graph SecretToken key',
      '{"key":"SecretToken","value":"x"} and secretToken=abcdefgh123',
      'abcdefgh123',
    ],
    [
      'client_secret form field',
      'grant_type=x&client_secret=very-secret-123&scope=y',
      'very-secret-123',
    ],
    ['URL userinfo', 'proxy http://alice:hunter22@proxy.corp:8080', 'hunter22'],
    ['private key', '-----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY-----', 'MIIEv'],
  ];

  it.each(cases)('removes %s', (_name, text, secret) => {
    const out = new Redactor().redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain(REDACTED);
  });

  it('removes registered secrets in raw, URL-encoded and JSON-escaped forms', () => {
    const r = new Redactor();
    const secret = 'pl4nted/"tok en"+value';
    r.registerSecret(`  ${secret}\n`);
    const texts = [secret, encodeURIComponent(secret), JSON.stringify({ v: secret })];
    for (const t of texts) {
      expect(r.redact(`x ${t} y`)).not.toContain('pl4nted');
    }
  });

  it('prefers the longest registered secret so no fragment is left', () => {
    const r = new Redactor();
    r.registerSecret('abcdef');
    r.registerSecret('abcdefghijkl');
    expect(r.redact('abcdefghijkl')).toBe(REDACTED);
  });

  it('ignores values too short to be secrets, so ordinary words survive', () => {
    const r = new Redactor();
    r.registerSecret('the');
    r.registerSecret('');
    r.registerSecret(undefined);
    expect(r.redact('the quick fox')).toBe('the quick fox');
    expect(r.size).toBe(0);
  });

  it('leaves sentences about tokens alone', () => {
    for (const text of [
      'Checking the token against dbt’s SCIM API…',
      'Token expired yesterday; Bearer tokens are accepted.',
      'Created SCIM token "scim-okta-2026-11-29" (id 42).',
    ]) {
      expect(new Redactor().redact(text)).toBe(text);
    }
  });

  it('leaves ordinary text alone', () => {
    const text =
      'Turned SCIM on for account 1234 at https://cloud.getdbt.com/api/v3/accounts/1234/scim-config/';
    expect(new Redactor().redact(text)).toBe(text);
  });

  it('redacts deeply and blanks secret-named keys', () => {
    const r = new Redactor();
    r.registerSecret('registered-secret-42');
    const out = r.redactDeep({
      a: ['x registered-secret-42 y', { token: 'zzzzzz', nested: { password: 'pw-123456' } }],
      n: 3,
      ok: true,
    });
    const json = JSON.stringify(out);
    expect(json).not.toContain('registered-secret-42');
    expect(json).not.toContain('zzzzzz');
    expect(json).not.toContain('pw-123456');
    expect(out.n).toBe(3);
  });

  it('shows at most the last four characters', () => {
    expect(lastFour('dbtc_abcdefghij1234')).toBe('1234');
    expect(lastFour('short')).toBe('');
  });
});
