/**
 * `ScimProbePort.findUser` (the Entra test user's read-back) against the fake dbt SCIM API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../electron/adapters/http/client.js';
import { createScimProbe } from '../../../electron/adapters/dbt/scim-probe.js';
import { silentLogger } from '../../../electron/core/logger.js';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { FakeClock } from '../../helpers/fake-clock.js';

const TOKEN = 'PLANTEDfindUserScimToken3a8b7c6d5e';
let dbt: FakeDbt;
const http = createHttpClient({ log: silentLogger, clock: new FakeClock() });
const probe = createScimProbe({ http });

beforeAll(async () => {
  dbt = await startFakeDbt({
    scimConfig: { enabled: true },
    users: [{ userName: 'ada@acme.example', givenName: 'Ada', familyName: 'Lovelace' }],
  });
  dbt.createScimToken('find', TOKEN);
});
afterAll(async () => {
  await dbt.close();
  await http.close();
});

describe('findUser', () => {
  it('finds a user by userName', async () => {
    const u = await probe.findUser(dbt.scimUrl, TOKEN, 'ada@acme.example');
    expect(u).toMatchObject({
      userName: 'ada@acme.example',
      givenName: 'Ada',
      familyName: 'Lovelace',
    });
    expect(typeof u?.id).toBe('string');
  });

  it('answers undefined for a user dbt does not have', async () => {
    expect(await probe.findUser(dbt.scimUrl, TOKEN, 'nobody@acme.example')).toBeUndefined();
  });

  it('throws a typed error naming a refused token, without the token', async () => {
    const e = await probe
      .findUser(dbt.scimUrl, 'wrongTokenValue000000000000', 'ada@acme.example')
      .catch((x: unknown) => x);
    expect(e).toMatchObject({ code: 'auth_failed' });
    expect((e as Error).message).not.toContain('wrongTokenValue');
  });
});
