/**
 * `ScimProbePort.listUsers` (existing integrations: dbt's users to match with Okta) against the
 * fake dbt: every page read with startIndex/count, a limit, the license type from dbt's SCIM
 * extension, and typed errors that never hold the token.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScimProbe, LIST_PAGE_SIZE } from '../../../../electron/adapters/dbt/scim-probe.js';
import { startFakeDbt, type FakeDbt } from '../../../fakes/dbt.js';
import { caught, testClient, type TestClient } from './helpers.js';

const PLANTED = 'PLANTED-list-users-token-9f8e7d6c5b4a';
const EXTENSION = 'urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User';

let fake: FakeDbt;
let client: TestClient;

async function start(users: number): Promise<void> {
  fake = await startFakeDbt({
    scimConfig: { enabled: true },
    users: Array.from({ length: users }, (_, i) => ({
      userName: `user${String(i).padStart(3, '0')}@acme.example`,
      givenName: 'User',
      familyName: String(i),
    })),
  });
  fake.createScimToken('okta', PLANTED);
}

beforeEach(() => {
  client = testClient();
});

afterEach(async () => {
  const text = JSON.stringify({ records: client.records, requests: fake.requests });
  expect(text).not.toContain(PLANTED);
  expect(client.lookups).toEqual([]);
  await client.http.close();
  await fake.close();
});

const userPages = () =>
  fake.requests
    .filter((r) => r.api === 'scim' && r.path.endsWith('/Users'))
    .map((r) => [r.query.startIndex, r.query.count]);

describe('listUsers', () => {
  it('reads every page', async () => {
    await start(250);
    const users = await createScimProbe({ http: client.http }).listUsers(fake.scimUrl, PLANTED);
    expect(users).toHaveLength(250);
    expect(new Set(users.map((u) => u.userName)).size).toBe(250);
    expect(users[0]).toMatchObject({ userName: 'user000@acme.example', givenName: 'User' });
    expect(userPages()).toEqual([
      ['1', String(LIST_PAGE_SIZE)],
      ['101', String(LIST_PAGE_SIZE)],
      ['201', String(LIST_PAGE_SIZE)],
    ]);
    expect(fake.requests.every((r) => r.authScheme === 'Bearer')).toBe(true);
  });

  it('stops at the limit', async () => {
    await start(250);
    const users = await createScimProbe({ http: client.http }).listUsers(fake.scimUrl, PLANTED, {
      limit: 120,
    });
    expect(users).toHaveLength(120);
    expect(userPages()).toEqual([
      ['1', '100'],
      ['101', '20'],
    ]);
  });

  it('answers an empty list for an account without users', async () => {
    await start(0);
    expect(await createScimProbe({ http: client.http }).listUsers(fake.scimUrl, PLANTED)).toEqual(
      [],
    );
    expect(userPages()).toHaveLength(1);
  });

  it('reads the license type from dbt’s SCIM extension when dbt shows it', async () => {
    await start(2);
    const [first] = [...fake.state.users.values()];
    if (!first) {
      throw new Error('no user');
    }
    first[EXTENSION] = { licenseType: 'developer' };
    const probe = createScimProbe({ http: client.http });
    const users = await probe.listUsers(fake.scimUrl, PLANTED);
    expect(users.find((u) => u.userName === first.userName)?.licenseType).toBe('developer');
    expect(users.find((u) => u.userName !== first.userName)?.licenseType).toBeUndefined();
    expect((await probe.findUser(fake.scimUrl, PLANTED, first.userName))?.licenseType).toBe(
      'developer',
    );
  });

  it('throws a typed error for a refused token, without the token', async () => {
    await start(3);
    const e = await caught(() =>
      createScimProbe({ http: client.http }).listUsers(fake.scimUrl, 'wrongTokenValue00000000000'),
    );
    expect(e.code).toBe('auth_failed');
    expect(e.message).not.toContain('wrongTokenValue');
  });

  it('throws a typed error when the URL is not dbt’s SCIM API', async () => {
    await start(1);
    const e = await caught(() =>
      createScimProbe({ http: client.http }).listUsers(
        `${fake.apiUrl}/api/scim/v2/accounts/999`,
        PLANTED,
      ),
    );
    expect(e.code).toBe('not_found');
  });
});
