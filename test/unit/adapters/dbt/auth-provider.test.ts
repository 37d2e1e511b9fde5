/**
 * `getAuthProvider` over `GET /api/v3/accounts/{id}/auth-provider/` against the fake dbt: the
 * provider's type and its certificate's expiry (a date becomes an ISO time); none (404) is
 * undefined, not an error; a refused token and an unexpected answer are typed errors.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDbtAdmin } from '../../../../electron/adapters/dbt/admin.js';
import type { DbtAdminPort } from '../../../../electron/core/dbt/ports.js';
import { startFakeDbt, type FakeDbt, type FakeDbtOptions } from '../../../fakes/dbt.js';
import { caught, testClient, type TestClient } from './helpers.js';

let fake: FakeDbt | undefined;
let client: TestClient;

async function start(options: FakeDbtOptions = {}, token?: string): Promise<DbtAdminPort> {
  fake = await startFakeDbt(options);
  return createDbtAdmin({
    http: client.http,
    apiUrl: fake.apiUrl,
    accountId: fake.accountId,
    token: token ?? fake.adminToken,
  });
}

beforeEach(() => {
  client = testClient();
});

afterEach(async () => {
  await client.http.close();
  await fake?.close();
  fake = undefined;
  expect(client.lookups).toEqual([]);
});

const calls = () =>
  (fake?.requests ?? []).filter((r) => r.api === 'admin').map((r) => `${r.method} ${r.path}`);

describe('getAuthProvider', () => {
  it('reads the provider’s type and when its certificate expires', async () => {
    const admin = await start({
      sso: 'azure_single_tenant',
      authProvider: { cert_expiry_date: '2027-03-01' },
    });
    expect(await admin.getAuthProvider()).toEqual({
      type: 'azure_single_tenant',
      certExpiresAt: '2027-03-01T00:00:00.000Z',
    });
    expect(calls()).toEqual([`GET /api/v3/accounts/${fake?.accountId}/auth-provider/`]);
    expect(fake?.requests[0]?.authScheme).toBe('Token');
  });

  it('gives a null expiry when dbt shows none', async () => {
    const admin = await start({ authProvider: { cert_expiry_date: null } });
    expect(await admin.getAuthProvider()).toEqual({ type: 'okta', certExpiresAt: null });
  });

  it('is undefined, not an error, when the account has no SSO (404)', async () => {
    const admin = await start({ sso: null });
    expect(await admin.getAuthProvider()).toBeUndefined();
    expect(fake?.requests.at(-1)?.status).toBe(404);
  });

  it('names a refused token (401) as auth_failed', async () => {
    const admin = await start({}, 'dbtc_PLANTEDwrongAdmin0123456789abcdef');
    const error = await caught(() => admin.getAuthProvider());
    expect(error.code).toBe('auth_failed');
    expect(error.message).not.toContain('PLANTED');
  });

  it('refuses an answer of an unexpected shape', async () => {
    const admin = await start();
    fake?.set({ corruptNext: true });
    const error = await caught(() => admin.getAuthProvider());
    expect(error.code).toBe('invalid_response');
  });
});
