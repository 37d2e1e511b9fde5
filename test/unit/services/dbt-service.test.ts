import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../electron/core/logger.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { MemoryKeyEncryptor } from '../../helpers/encryptor.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';

let fake: FakeDbt;
let services: Services;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  fake = await startFakeDbt({ scimConfig: { enabled: true } });
  const t = await tempDir();
  cleanup = t.cleanup;
  services = createServices({
    home: t.dir,
    face: 'bridge',
    version: 't',
    log: memoryLogger().logger,
    clock: new FakeClock(),
    encryptor: new MemoryKeyEncryptor(),
  });
});
afterAll(async () => {
  await fake.close();
  await cleanup();
});

describe('a pasted SCIM token', () => {
  it('is matched to its dbt token by the last use one check moves', async () => {
    fake.createScimToken('scim-okta-older');
    const value = fake.createScimToken('scim-okta-console');
    const p = await services.profiles.create({ name: 'Acme', idp: 'okta' });
    await services.dbt.connect({
      profileId: p.id,
      apiUrl: fake.apiUrl,
      accountId: fake.accountId,
      apiToken: fake.adminToken,
    });
    await services.dbt.setScimUrl(p.id, fake.scimUrl);
    const r = await services.dbt.pasteToken(p.id, value);
    expect(r.notes.join(' ')).toContain('scim-okta-console');
    const id = [...fake.state.scimTokens.values()].find((t) => t.name === 'scim-okta-console')?.id;
    expect((await services.profiles.get(p.id)).dbt.scimTokenId).toBe(id);
    const rows = (await services.dbt.tokens(p.id)).tokens;
    expect(rows.find((t) => t.saved)?.name).toBe('scim-okta-console');
  });

  it('stays unmatched, and saved, when there is no SCIM URL to check it against', async () => {
    const value = fake.createScimToken('scim-okta-other');
    const p = await services.profiles.create({ name: 'Beta', idp: 'okta' });
    await services.dbt.connect({
      profileId: p.id,
      apiUrl: fake.apiUrl,
      accountId: fake.accountId,
      apiToken: fake.adminToken,
    });
    const r = await services.dbt.pasteToken(p.id, value);
    expect(r.secret.last4).toBe(value.slice(-4));
    expect((await services.profiles.get(p.id)).dbt.scimTokenId).toBeUndefined();
  });
});
