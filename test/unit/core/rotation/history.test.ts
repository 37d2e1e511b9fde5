/**
 * The rotation history: one entry per rotation, updated by each run, kept private (0600), never a
 * secret, and an unreadable file reads as empty rather than failing a rotation.
 */
import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HISTORY_LIMIT,
  RotationHistory,
  type RotationHistoryEntry,
} from '../../../../electron/core/rotation/history.js';
import { registerSecret } from '../../../../electron/core/redact.js';
import { tempDir } from '../../../helpers/temp.js';

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: home, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

const entry = (id: string, outcome: RotationHistoryEntry['outcome']): RotationHistoryEntry => ({
  id,
  at: '2026-11-29T10:00:00.000Z',
  startedAt: '2026-11-29T09:59:00.000Z',
  idp: 'okta',
  oldTokenId: 1,
  oldTokenName: 'scim-old',
  newTokenId: 2,
  newTokenName: 'scim-okta-2026-11-29',
  outcome,
  stage: outcome === 'done' ? 'done' : 'installed',
  message: 'm',
});

describe('rotation history', () => {
  it('keeps one entry per rotation, updated in place, in a private file', async () => {
    const h = RotationHistory.under(home);
    await h.record('p1', entry('r1', 'pending'));
    await h.record('p1', entry('r1', 'done'));
    await h.record('p1', entry('r2', 'failed'));
    expect((await h.list('p1')).map((e) => [e.id, e.outcome])).toEqual([
      ['r1', 'done'],
      ['r2', 'failed'],
    ]);
    expect((await stat(join(home, 'rotation', 'p1.json'))).mode & 0o777).toBe(0o600);
    expect(await h.list('other')).toEqual([]);
  });

  it('never writes a registered secret, and keeps at most the last entries', async () => {
    const secret = 'PLANTEDhistorySecret0123456789abcdef';
    registerSecret(secret);
    const h = RotationHistory.under(home);
    for (let i = 0; i < HISTORY_LIMIT + 3; i++) {
      await h.record('p1', { ...entry(`r${i}`, 'failed'), message: `failed with ${secret}` });
    }
    const list = await h.list('p1');
    expect(list).toHaveLength(HISTORY_LIMIT);
    expect(list[0]?.id).toBe('r3');
    expect(await readFile(join(home, 'rotation', 'p1.json'), 'utf8')).not.toContain(secret);
  });

  it('reads a damaged file as empty, and refuses ids that are not file-safe', async () => {
    await mkdir(join(home, 'rotation'), { recursive: true });
    await writeFile(join(home, 'rotation', 'p1.json'), '{not json');
    const h = RotationHistory.under(home);
    expect(await h.list('p1')).toEqual([]);
    await expect(h.record('../x', entry('r1', 'done'))).rejects.toThrow(/Invalid/);
  });
});
