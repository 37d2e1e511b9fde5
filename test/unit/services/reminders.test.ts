/**
 * Rotation reminders over the real services in a temporary home: which profiles are due or
 * overdue (none without a token), one notification per profile per day, and a click asks the
 * window to open that profile's Rotation step.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../electron/core/engine.js';
import { memoryLogger } from '../../../electron/core/logger.js';
import type { NotifierPort } from '../../../electron/core/ports.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { SECRET_DBT_SCIM } from '../../../electron/services/dbt.js';
import { MemoryKeyEncryptor } from '../../helpers/encryptor.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';

const DAY = 24 * 60 * 60 * 1000;

interface Shown {
  title: string;
  body: string;
  onClick: () => void;
}

let home: string;
let cleanup: () => Promise<void>;
let clock: FakeClock;
let shown: Shown[];
let events: EngineEvent[];
let services: Services;

beforeEach(async () => {
  ({ dir: home, cleanup } = await tempDir('scim-reminders-'));
  clock = new FakeClock();
  shown = [];
  events = [];
  const notifier: NotifierPort = {
    notify: (n) => {
      shown.push(n);
    },
  };
  services = createServices({
    home,
    face: 'electron',
    version: '0.0.0-test',
    log: memoryLogger().logger,
    encryptor: new MemoryKeyEncryptor(),
    clock,
    notifier,
  });
  services.onEvent((e) => events.push(e));
});

afterEach(async () => {
  await cleanup();
});

async function profileWithToken(name: string, createdDaysAgo: number, intervalDays?: number) {
  const p = await services.profiles.create({ name, idp: 'entra' });
  await services.secrets.set(p.id, SECRET_DBT_SCIM, `dbtc_PLANTEDreminder${name}0123456789`);
  await services.profiles.update(p.id, {
    dbt: {
      scimTokenId: 7,
      scimTokenName: 'scim',
      scimTokenCreatedAt: new Date(clock.now().getTime() - createdDaysAgo * DAY).toISOString(),
    },
    ...(intervalDays ? { rotation: { intervalDays } } : {}),
  });
  return p;
}

describe('rotation reminders', () => {
  it('lists the due and overdue profiles, most urgent first, and none without a token', async () => {
    await services.profiles.create({ name: 'No token yet', idp: 'okta' });
    await profileWithToken('Fresh', 10);
    const soon = await profileWithToken('Soon', 85);
    const late = await profileWithToken('Late', 40, 30);
    const pending = await services.reminders.pending();
    expect(pending.map((r) => [r.profileId, r.due.state])).toEqual([
      [late.id, 'overdue'],
      [soon.id, 'due'],
    ]);
    expect(pending[0]?.title).toBe('SCIM token rotation overdue: Late');
    expect(pending[0]?.body).toBe(
      'The SCIM token rotation is overdue by 9 days (due 2026-11-19, every 30 days). Open the Rotation step to replace it with no downtime.',
    );
    expect(pending[1]?.title).toBe('SCIM token rotation due soon: Soon');
    expect(JSON.stringify(pending)).not.toContain('PLANTED');
  });

  it('notifies each due profile once a day; a click opens its Rotation step', async () => {
    const late = await profileWithToken('Late', 100);
    expect((await services.reminders.check()).map((r) => r.profileId)).toEqual([late.id]);
    expect(shown).toHaveLength(1);
    expect(shown[0]?.title).toBe('SCIM token rotation overdue: Late');

    // The same day: nothing new; the next day: again.
    expect(await services.reminders.check()).toEqual([]);
    clock.advance(DAY);
    expect(await services.reminders.check()).toHaveLength(1);
    expect(shown).toHaveLength(2);

    shown[0]?.onClick();
    expect(events).toEqual([
      { type: 'open', profileId: late.id, step: 'rotation', at: clock.now().toISOString() },
    ]);
  });

  it('stops reminding once the token is rotated (a new token restarts the count)', async () => {
    const p = await profileWithToken('Late', 100);
    expect(await services.reminders.pending()).toHaveLength(1);
    await services.profiles.update(p.id, {
      dbt: { scimTokenCreatedAt: clock.now().toISOString() },
    });
    expect(await services.reminders.pending()).toEqual([]);
  });

  it('start checks at once, and the stop ends the timer', async () => {
    await profileWithToken('Late', 100);
    const stop = services.reminders.start(60_000);
    await expect.poll(() => shown.length).toBe(1);
    stop();
  });
});
