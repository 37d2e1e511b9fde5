import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../../electron/core/logger.js';
import { oktaCellRanges, OKTA_CELLS } from '../../../../electron/core/dbt/ranges.js';
import { createServices, type Services } from '../../../../electron/services/container.js';
import { dispatch } from '../../../../electron/services/dispatch.js';
import { startFakeOktaRanges } from '../../../fakes/okta-ranges.js';
import { FakeClock } from '../../../helpers/fake-clock.js';
import { tempDir } from '../../../helpers/temp.js';

let fake: Awaited<ReturnType<typeof startFakeOktaRanges>>;
let services: Services;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  fake = await startFakeOktaRanges();
  const t = await tempDir();
  cleanup = t.cleanup;
  services = createServices({
    home: t.dir,
    face: 'bridge',
    version: 't',
    log: memoryLogger().logger,
    clock: new FakeClock(),
    oktaRangesUrl: fake.url,
  });
});
afterAll(async () => {
  await fake.close();
  await cleanup();
});

describe("the IdP's published ranges", () => {
  it('lists Okta cells without fetching, then fetches the chosen cell’s ranges', async () => {
    const p = await services.profiles.create({ name: 'A', idp: 'okta' });
    const list = await dispatch(services.handlers, 'dbt:idpRanges', { profileId: p.id });
    expect(list).toMatchObject({ ok: true, value: { idp: 'okta', ranges: [] } });
    expect(fake.hits()).toBe(0);
    const r = await dispatch(services.handlers, 'dbt:idpRanges', {
      profileId: p.id,
      cell: 'us_cell_7',
    });
    expect(r).toMatchObject({
      ok: true,
      value: {
        cell: 'us_cell_7',
        ranges: ['198.51.100.0/25', '198.51.100.128/27', '2001:db8:7::/48'],
      },
    });
    expect(fake.hits()).toBe(1);
  });

  it('names an unknown cell and refuses a malformed one before sending', async () => {
    const p = await services.profiles.create({ name: 'B', idp: 'okta' });
    expect(
      await dispatch(services.handlers, 'dbt:idpRanges', { profileId: p.id, cell: 'us_cell_99' }),
    ).toMatchObject({ ok: false, error: { code: 'not_found' } });
    const before = fake.hits();
    expect(
      await dispatch(services.handlers, 'dbt:idpRanges', { profileId: p.id, cell: '../etc' }),
    ).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect(fake.hits()).toBe(before);
  });

  it('points Entra admins to Microsoft’s published service tag', async () => {
    const p = await services.profiles.create({ name: 'C', idp: 'entra' });
    const r = await dispatch(services.handlers, 'dbt:idpRanges', { profileId: p.id });
    expect(r).toMatchObject({ ok: true, value: { idp: 'entra', cells: [], ranges: [] } });
    expect(JSON.stringify(r)).toContain('AzureActiveDirectory');
  });

  it('knows the cells by their console names and rejects a file of another shape', () => {
    expect(OKTA_CELLS.find((c) => c.id === 'us_cell_7')?.label).toBe('OK7 (us_cell_7)');
    expect(() => oktaCellRanges({ us_cell_1: 'nope' }, 'us_cell_1')).toThrow(/expected shape/);
  });
});
