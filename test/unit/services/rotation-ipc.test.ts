/**
 * The Rotation screen's channels through the handler table (what main, the bridge and the CLI
 * share), with the real services in a temporary home and the fake dbt on loopback: an Okta
 * rotation that waits for the paste, the new token copied to the clipboard by main (the reply has
 * only its last four), the state and history without any token value, and the copy refused when
 * no Okta rotation waits.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../electron/adapters/http/client.js';
import { memoryLogger } from '../../../electron/core/logger.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { dispatch } from '../../../electron/services/dispatch.js';
import { SECRET_DBT_API, SECRET_DBT_SCIM } from '../../../electron/services/dbt.js';
import { CLIPBOARD_CLEAR_MS } from '../../../electron/services/okta.js';
import { SECRET_DBT_SCIM_NEXT } from '../../../electron/services/rotation.js';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { MemoryClipboard } from '../../helpers/clipboard.js';
import { MemoryKeyEncryptor } from '../../helpers/encryptor.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';

const OLD_VALUE = 'PLANTEDoldRotationIpcToken0123456789abcdef';

let dbt: FakeDbt;
let tick = 0;
let home: string;
let cleanup: () => Promise<void>;
let clock: FakeClock;
let clipboard: MemoryClipboard;
let services: Services;
let profileId: string;
let oldId: number;

async function call<T = unknown>(channel: string, input: unknown): Promise<T> {
  const r = await dispatch(services.handlers, channel, input, memoryLogger().logger);
  if (!r.ok) {
    throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  }
  return r.value as T;
}

async function fails(channel: string, input: unknown): Promise<{ code: string; message: string }> {
  const r = await dispatch(services.handlers, channel, input, memoryLogger().logger);
  if (r.ok) {
    throw new Error(`${channel} succeeded`);
  }
  return r.error;
}

const live = () => [...dbt.state.scimTokens.values()].filter((t) => !t.deleted);

/** Every token value the fake dbt ever made, and the admin token. */
const allValues = () => [...[...dbt.state.scimTokens.values()].map((t) => t.value), dbt.adminToken];

function expectNoSecret(reply: unknown): void {
  const text = JSON.stringify(reply);
  for (const value of allValues()) {
    expect(text).not.toContain(value);
  }
}

interface RunReply {
  phase: string;
  outcome: string;
  stage?: string;
  checks: { id: string; status: string }[];
  instructions: string[];
}

interface StateReply {
  inProgress: { stage: string; idp: string; oldTokenName?: string; newTokenName?: string } | null;
  history: { outcome: string; oldTokenName?: string; newTokenName?: string; idp: string }[];
  due: { intervalDays: number; since: string | null; dueAt: string | null; state: string };
}

beforeAll(async () => {
  // dbt's clock moves one second per reading, so each use of a token moves its last_used.
  dbt = await startFakeDbt({
    scimConfig: { enabled: true },
    now: () => new Date(Date.parse('2026-11-29T10:00:00Z') + 1000 * tick++),
  });
});

afterAll(async () => {
  await dbt.close();
});

beforeEach(async () => {
  ({ dir: home, cleanup } = await tempDir('scim-rotation-ipc-'));
  for (const t of dbt.state.scimTokens.values()) {
    t.deleted = true;
  }
  dbt.createScimToken('scim-okta-old', OLD_VALUE);
  const old = live()[0];
  if (!old) {
    throw new Error('no old token');
  }
  oldId = old.id;
  old.last_used = '2026-11-20T00:00:00.000Z';
  clock = new FakeClock();
  clipboard = new MemoryClipboard();
  const { logger } = memoryLogger();
  services = createServices({
    home,
    face: 'bridge',
    version: '0.0.0-test',
    log: logger,
    encryptor: new MemoryKeyEncryptor(),
    clock,
    clipboard,
    http: createHttpClient({ log: logger, clock, retry: { attempts: 1 } }),
  });
  const p = await services.profiles.create({ name: 'Acme', idp: 'okta' });
  profileId = p.id;
  await services.profiles.update(profileId, {
    dbt: {
      apiUrl: dbt.apiUrl,
      accountId: dbt.accountId,
      scimUrl: dbt.scimUrl,
      scimTokenId: oldId,
      scimTokenName: 'scim-okta-old',
    },
  });
  await services.secrets.set(profileId, SECRET_DBT_API, dbt.adminToken);
  await services.secrets.set(profileId, SECRET_DBT_SCIM, OLD_VALUE);
});

afterEach(async () => {
  await cleanup();
});

/** The admin pastes the new token into Okta and tests the connector (Okta calls dbt with it). */
async function pasteAndTest(value: string): Promise<void> {
  const res = await fetch(`${dbt.scimUrl}/Users?count=1`, {
    headers: { authorization: `Bearer ${value}` },
  });
  expect(res.status).toBe(200);
}

describe('rotation:* channels', () => {
  it('state: nothing in progress and no history before a rotation; the copy is refused', async () => {
    // The token was saved at the clock's start: the default 90 days count from then.
    expect(await call<StateReply>('rotation:state', { profileId })).toEqual({
      inProgress: null,
      history: [],
      due: {
        intervalDays: 90,
        since: '2026-11-29T10:00:00.000Z',
        dueAt: '2027-02-27T10:00:00.000Z',
        state: 'ok',
        daysLeft: 90,
        message: 'The next SCIM token rotation is due on 2027-02-27 (every 90 days).',
      },
    });
    const e = await fails('rotation:copyNewToken', { profileId });
    expect(e.code).toBe('bad_input');
    expect(clipboard.writes).toEqual([]);
  });

  it('run waits for Okta’s paste; copyNewToken writes the new token to the clipboard and replies only its last four', async () => {
    const run = await call<RunReply>('rotation:run', { profileId });
    expect(run).toMatchObject({ outcome: 'pending', stage: 'installed' });
    expect(run.instructions.length).toBeGreaterThan(0);
    expect(run.checks.map((c) => [c.id, c.status])).toEqual([
      ['rotation.created', 'pass'],
      ['rotation.checked', 'pass'],
      ['rotation.installed', 'pending'],
      ['rotation.proven', 'pending'],
      ['rotation.old-deleted', 'pending'],
      ['rotation.old-refused', 'pending'],
    ]);
    expectNoSecret(run);

    const next = await services.secrets.get(profileId, SECRET_DBT_SCIM_NEXT);
    expect(next).toBeDefined();
    expect(live().map((t) => t.value)).toContain(next);

    const start = clock.now().getTime();
    const copied = await call<{ last4: string; clearsAt: string }>('rotation:copyNewToken', {
      profileId,
    });
    expect(clipboard.writes[0]).toBe(next);
    expect(copied).toEqual({
      last4: next?.slice(-4),
      clearsAt: new Date(start + CLIPBOARD_CLEAR_MS).toISOString(),
    });
    // The fake clock's sleep resolves at once: the clearing a minute later runs now.
    await new Promise((ok) => setImmediate(ok));
    expect(clipboard.text).toBe('');
    expect(Object.keys(copied).sort()).toEqual(['clearsAt', 'last4']);
    expectNoSecret(copied);

    const state = await call<StateReply>('rotation:state', { profileId });
    expect(state.inProgress).toMatchObject({
      stage: 'installed',
      idp: 'okta',
      oldTokenName: 'scim-okta-old',
    });
    expect(state.history).toMatchObject([{ outcome: 'pending', oldTokenName: 'scim-okta-old' }]);
    expectNoSecret(state);
  });

  it('check again after the paste finishes; then the copy is refused and the history says done, newest first', async () => {
    await call<RunReply>('rotation:run', { profileId });
    const next = await services.secrets.get(profileId, SECRET_DBT_SCIM_NEXT);
    if (!next) {
      throw new Error('no new token kept');
    }
    await pasteAndTest(next);
    const done = await call<RunReply>('rotation:run', { profileId });
    expect(done).toMatchObject({ outcome: 'done', phase: 'verified', stage: 'done' });
    expect(done.checks.every((c) => c.status === 'pass')).toBe(true);
    expectNoSecret(done);
    expect(live().map((t) => t.value)).toEqual([next]);

    const e = await fails('rotation:copyNewToken', { profileId });
    expect(e.code).toBe('bad_input');
    expect(clipboard.writes).toEqual([]);

    // A second rotation: it waits for the paste again, and is listed first.
    await call<RunReply>('rotation:run', { profileId, keepOld: true });
    const state = await call<StateReply>('rotation:state', { profileId });
    expect(state.history.map((h) => h.outcome)).toEqual(['pending', 'done']);
    expect(state.history[1]?.newTokenName).toBe(state.history[0]?.oldTokenName);
    expectNoSecret(state);
  });

  it('setPolicy changes the interval; the due date follows the clock and restarts after a rotation', async () => {
    const profile = await call<{ rotation?: { intervalDays: number } }>('rotation:setPolicy', {
      profileId,
      intervalDays: 30,
    });
    expect(profile.rotation).toEqual({ intervalDays: 30 });
    clock.advance(31 * 24 * 60 * 60 * 1000);
    let state = await call<StateReply>('rotation:state', { profileId });
    expect(state.due).toMatchObject({
      intervalDays: 30,
      dueAt: '2026-12-29T10:00:00.000Z',
      state: 'overdue',
      daysLeft: -1,
    });

    await call<RunReply>('rotation:run', { profileId });
    const next = await services.secrets.get(profileId, SECRET_DBT_SCIM_NEXT);
    if (!next) {
      throw new Error('no new token kept');
    }
    await pasteAndTest(next);
    expect(await call<RunReply>('rotation:run', { profileId })).toMatchObject({ outcome: 'done' });
    state = await call<StateReply>('rotation:state', { profileId });
    expect(state.due).toMatchObject({
      since: '2026-12-30T10:00:00.000Z',
      dueAt: '2027-01-29T10:00:00.000Z',
      state: 'ok',
    });
    expect((await services.profiles.get(profileId)).dbt.scimTokenCreatedAt).toBe(
      '2026-12-30T10:00:00.000Z',
    );

    for (const bad of [0, 6, 731]) {
      const e = await fails('rotation:setPolicy', { profileId, intervalDays: bad });
      expect(e.code).toBe('bad_input');
      expect(e.message).toMatch(/whole number of days from 7 to 730/);
    }
    expect((await fails('rotation:setPolicy', { profileId, intervalDays: 30.5 })).code).toBe(
      'bad_input',
    );
    expect((await services.profiles.get(profileId)).rotation).toEqual({ intervalDays: 30 });
  });

  it('inputs are strict', async () => {
    expect((await fails('rotation:run', { profileId, token: 'x' })).code).toBe('bad_input');
    expect((await fails('rotation:copyNewToken', { profileId: 'no such/id' })).code).toBe(
      'bad_input',
    );
  });
});
