import { describe, expect, it } from 'vitest';
import { WizardError } from '../../../../electron/core/errors.js';
import {
  accountIdInUrl,
  classifyDbtHost,
  cleanApiUrl,
  cleanScimUrl,
  parseAccountId,
} from '../../../../electron/core/dbt/hosts.js';
import { cleanSecret } from '../../../../electron/core/dbt/secret-input.js';
import { redact } from '../../../../electron/core/redact.js';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof WizardError ? e.code : 'other';
  }
  return 'none';
}

describe('dbt hosts', () => {
  it('classifies host families', () => {
    expect(classifyDbtHost('cloud.getdbt.com').kind).toBe('multi-tenant');
    expect(classifyDbtHost('EMEA.dbt.com').kind).toBe('multi-tenant');
    expect(classifyDbtHost('ab123.us1.dbt.com')).toMatchObject({
      kind: 'cell',
      prefix: 'ab123',
      cell: 'us1',
    });
    expect(classifyDbtHost('xy9.eu2.dbt.com')).toMatchObject({ kind: 'cell', cell: 'eu2' });
    expect(classifyDbtHost('127.0.0.1').kind).toBe('loopback');
    expect(classifyDbtHost('dbt.example.com').kind).toBe('unknown');
  });

  it('normalises the SCIM URL: whitespace and trailing slashes', () => {
    expect(cleanScimUrl('  https://cloud.getdbt.com/api/scim/v2/accounts/12/ \n').url).toBe(
      'https://cloud.getdbt.com/api/scim/v2/accounts/12',
    );
  });

  it('warns, without blocking, on an unknown host and on a host different from the API', () => {
    const r = cleanScimUrl('https://scim.example.com/scim/v2', 'https://cloud.getdbt.com');
    expect(r.warnings.join(' ')).toContain('not a dbt host we know');
    expect(r.warnings.join(' ')).toContain('Admin API URL is on cloud.getdbt.com');
    expect(
      cleanScimUrl('https://ab1.us1.dbt.com/api/scim/v2', 'https://ab1.us1.dbt.com').warnings,
    ).toEqual([]);
  });

  it('cleans the API URL to its origin', () => {
    expect(cleanApiUrl('https://cloud.getdbt.com/api/v2/').url).toBe('https://cloud.getdbt.com');
    expect(cleanApiUrl('https://cloud.getdbt.com/deploy/1').warnings[0]).toContain('dropped');
  });

  it('parses account ids and finds the one in a URL', () => {
    expect(parseAccountId(' 12345 ')).toBe(12345);
    expect(accountIdInUrl('https://x/api/scim/v2/accounts/77/')).toBe(77);
    expect(accountIdInUrl('https://x/api/scim/v2')).toBeUndefined();
  });
});

describe('pasted secrets', () => {
  it('trims whitespace and newlines and removes a Bearer/Token/SSWS prefix, saying so', () => {
    const r = cleanSecret('  Bearer abcdefghijklmnopqrstuvwx\r\n', 'dbt-scim');
    expect(r.value).toBe('abcdefghijklmnopqrstuvwx');
    expect(r.notes[0]).toContain('Bearer');
    expect(cleanSecret('Token dbtc_abcdefghijklmnopqrst', 'dbt-api').value).toBe(
      'dbtc_abcdefghijklmnopqrst',
    );
  });

  it('registers the cleaned value with the redaction sink', () => {
    cleanSecret('registered-by-cleaning-0123456789', 'dbt-scim');
    expect(redact('x registered-by-cleaning-0123456789 y')).not.toContain('registered-by-cleaning');
  });

  it('gives each wrong paste its own typed error', () => {
    expect(codeOf(() => cleanSecret('', 'dbt-scim'))).toBe('bad_input');
    expect(codeOf(() => cleanSecret('https://cloud.getdbt.com/api/scim/v2', 'dbt-scim'))).toBe(
      'bad_input',
    );
    expect(codeOf(() => cleanSecret('dbtc_abcdefghijklmnopqrstuvwx', 'dbt-scim'))).toBe(
      'bad_input',
    );
    expect(
      codeOf(() => cleanSecret('Authorization: Bearer abcdefghijklmnopqrstuv', 'dbt-scim')),
    ).toBe('bad_input');
  });
});
