import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProfileStore } from '../../../electron/core/store/profiles.js';
import { COMMANDS } from '../../../electron/cli/commands/index.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';

let home: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: home, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

describe('CLI framework', () => {
  it('--help lists exactly the commands that exist, and the secrets and exit codes', async () => {
    const r = await cli(['--help'], { DBT_SCIM_WIZARD_HOME: home });
    expect(r.code).toBe(0);
    for (const c of COMMANDS) {
      expect(r.stdout).toContain(c.path.join(' '));
    }
    const section = r.stdout.split('Commands:\n')[1]?.split('\n\n')[0] ?? '';
    const listed = section.split('\n').map((l) => l.trim().split(/\s{2,}/)[0]);
    expect(listed.sort()).toEqual(COMMANDS.map((c) => c.path.join(' ')).sort());
    expect(r.stdout).toContain('DBT_SCIM_TOKEN');
    expect(r.stdout).toContain('Exit codes');
  });

  it('no arguments prints help and exits 2', async () => {
    const r = await cli([], { DBT_SCIM_WIZARD_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Usage:');
  });

  it('a command has its own --help', async () => {
    const r = await cli(['profiles', 'list', '--help'], { DBT_SCIM_WIZARD_HOME: home });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: dbt-scim-wizard profiles list');
    expect(r.stdout).toContain('--dbt-scim-url');
  });

  it('an unknown flag is bad input (exit 2), as one JSON document with --json', async () => {
    const r = await cli(['profiles', 'list', '--json', '--bogus'], { DBT_SCIM_WIZARD_HOME: home });
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({
      ok: false,
      command: 'profiles list',
      checks: [],
      changes: [],
      error: { code: 'bad_input' },
    });
    expect((r.json?.error as { message: string }).message).toContain('--bogus');
  });

  it('an unknown command is bad input (exit 2)', async () => {
    const r = await cli(['frobnicate'], { DBT_SCIM_WIZARD_HOME: home });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown command "frobnicate"');
  });

  it('rejects unexpected positional arguments', async () => {
    const r = await cli(['profiles', 'list', 'extra', '--json'], { DBT_SCIM_WIZARD_HOME: home });
    expect(r.code).toBe(2);
  });

  it('--version prints the version', async () => {
    const r = await cli(['--version'], {});
    expect(r.stdout.trim()).toBe('9.9.9-test');
  });
});

describe('profiles list', () => {
  it('reads profiles from DBT_SCIM_WIZARD_HOME', async () => {
    const store = new ProfileStore(home);
    const p = await store.create({ name: 'Acme prod', idp: 'okta' });
    await store.setStepStatus(p.id, 'dbt', 'verified');
    const r = await cli(['profiles', 'list', '--json'], { DBT_SCIM_WIZARD_HOME: home });
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({
      ok: true,
      command: 'profiles list',
      data: { activeProfileId: p.id },
    });
    const human = await cli(['profiles', 'list'], { DBT_SCIM_WIZARD_HOME: home });
    expect(human.stdout).toContain('Acme prod  (okta, 1/6 steps verified');
  });

  it('says so when there are none', async () => {
    const r = await cli(['profiles', 'list'], { DBT_SCIM_WIZARD_HOME: home });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('No profiles yet');
  });
});

describe('the real process', () => {
  it('exits with the contract code and prints only JSON on stdout', () => {
    const root = resolve(import.meta.dirname, '../../..');
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        resolve(root, 'electron/cli/index.ts'),
        'profiles',
        'list',
        '--json',
        '--nope',
      ],
      {
        cwd: root,
        env: { ...process.env, DBT_SCIM_WIZARD_HOME: home },
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: 'bad_input' } });
  });
});
