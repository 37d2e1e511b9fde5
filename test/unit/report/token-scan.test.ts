import { describe, expect, it } from 'vitest';
import {
  assertNoTokenLike,
  findTokenLike,
  scrubTokenLike,
  scrubTokenLikeDeep,
} from '../../../electron/core/report/token-scan.js';
import { WizardError } from '../../../electron/core/errors.js';
import { PLANTED } from './fixture.js';

describe('findTokenLike', () => {
  it.each([
    ['dbt token', PLANTED.dbt],
    ['dbt token', PLANTED.dbtUser],
    ['JSON Web Token', PLANTED.jwt],
    ['Okta API token', PLANTED.ssws],
    ['base64 run', PLANTED.base64],
    ['hex run', PLANTED.hex],
    ['authorization value', 'Authorization: Bearer abcdefghij0123456789'],
    ['private key', '-----BEGIN RSA PRIVATE KEY-----'],
  ])('finds a %s inside a sentence', (shape, token) => {
    const found = findTokenLike(`The value was ${token} (copied).`);
    expect(found.map((f) => f.shape)).toContain(shape);
    // Findings are positions, never the value.
    expect(JSON.stringify(found)).not.toContain(token);
  });

  it.each([
    ['a GUID', '5f2a7c1e-1111-4a2b-9c3d-000000000001'],
    [
      'an Entra job id',
      'customappsso.0123456789abcdef0123456789abcdef.6b1e6a4b-3333-4a2b-9c3d-000000000003',
    ],
    ['an Okta group id', '00g1abcdefghijklmno'],
    ['an Okta app id', '0oa1b2c3d4e5f6g7h8i9'],
    ['a SCIM URL', 'https://ab123.us1.dbt.com/api/v2/accounts/4242/scim/v2/Users?filter=userName'],
    [
      'an Okta console path',
      'https://acme-admin.okta.com/admin/app/dbtcloud/instance/0oa1B2c3D4e5F6g7H8i9/#tab-provisioning',
    ],
    ['a redacted header', 'Authorization: Bearer [REDACTED]'],
    ['a token name and time', 'scim-okta-2026-11-20 created 2026-11-20T10:00:00.000Z'],
    ['the last four', 'ends in …wxyz'],
    ['a long lower-case word run', 'provisioning-of-users-and-groups-into-dbt-cloud-accounts'],
  ])('lets %s through', (_what, text) => {
    expect(findTokenLike(text)).toEqual([]);
  });
});

describe('scrubTokenLike', () => {
  it('replaces each token-like run and keeps the rest of the sentence', () => {
    const text = `old ${PLANTED.ssws} and ${PLANTED.base64} kept 00g1abcdefghijklmno`;
    const out = scrubTokenLike(text);
    expect(out).toBe('old [REDACTED] and [REDACTED] kept 00g1abcdefghijklmno');
    expect(findTokenLike(out)).toEqual([]);
  });

  it('scrubs every string of nested data and leaves other values alone', () => {
    const out = scrubTokenLikeDeep({
      a: [PLANTED.hex, 3, null],
      b: { c: `x ${PLANTED.jwt}` },
      d: true,
    });
    expect(out).toEqual({ a: ['[REDACTED]', 3, null], b: { c: 'x [REDACTED]' }, d: true });
  });
});

describe('assertNoTokenLike', () => {
  it('passes clean text', () => {
    expect(() => {
      assertNoTokenLike('Healthy at the last check.', 'report');
    }).not.toThrow();
  });

  it('refuses text with a token, naming the kind and never the value', () => {
    let error: unknown;
    try {
      assertNoTokenLike(`x ${PLANTED.ssws} y ${PLANTED.dbt}`, 'setup report');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(WizardError);
    const w = error as WizardError;
    expect(w.message).toContain('setup report was not produced');
    expect(w.message).toContain('2 in all');
    expect(`${w.message} ${w.remediation}`).not.toContain('PLANTED');
  });
});
