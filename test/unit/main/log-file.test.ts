import { readFile, stat, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => ({}));

import { createLogger } from '../../../electron/core/logger.js';
import { openLogFile } from '../../../electron/main/log-file.js';
import { tempDir } from '../../helpers/temp.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

describe('openLogFile', () => {
  it('writes redacted JSON lines to a file only its owner can read', async () => {
    const path = join(dir, 'logs', 'main.log');
    const file = openLogFile(path);
    const log = createLogger('main', { transport: file.transport });
    log.info('hello', { token: 'dbtc_PLANTEDsecretValue0123456789' });
    log.warn('Authorization: Bearer dbtc_PLANTEDsecretValue0123456789');
    file.close();
    file.transport({ at: 'x', level: 'info', scope: 's', message: 'after close' });

    const text = await readFile(path, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(() => JSON.parse(line) as unknown).not.toThrow();
    }
    expect(text).not.toContain('PLANTEDsecretValue');
    if (process.platform !== 'win32') {
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, 'logs'))).mode & 0o077).toBe(0);
    }
  });

  it('tightens an existing, too-open log file to 0600 and appends to it', async () => {
    await mkdir(join(dir, 'logs'));
    const path = join(dir, 'logs', 'main.log');
    await writeFile(path, 'old\n', { mode: 0o644 });
    const file = openLogFile(path);
    file.transport({ at: 'x', level: 'info', scope: 's', message: 'new' });
    file.close();
    const text = await readFile(path, 'utf8');
    expect(text.startsWith('old\n')).toBe(true);
    expect(text).toContain('"new"');
    if (process.platform !== 'win32') {
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    }
  });

  it('rolls an oversized log over to main.log.1', async () => {
    await mkdir(join(dir, 'logs'));
    const path = join(dir, 'logs', 'main.log');
    await writeFile(path, 'x'.repeat(100));
    const file = openLogFile(path, 10);
    file.transport({ at: 'x', level: 'info', scope: 's', message: 'fresh' });
    file.close();
    expect(await readFile(`${path}.1`, 'utf8')).toBe('x'.repeat(100));
    expect(await readFile(path, 'utf8')).toContain('fresh');
  });
});
