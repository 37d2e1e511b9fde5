/**
 * `report` in-process over a temporary home: Markdown on stdout by default (the active profile),
 * --profile by id or name, --format json, --json with the report under data.report, --out writing
 * the file 0600 and printing its path, exit 2 without a profile; no planted token anywhere.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/run.js';
import { ProfileStore } from '../../../electron/core/store/profiles.js';
import { cli } from '../../helpers/cli.js';
import { cliServicesWithFakeClock } from '../../helpers/cli-services.js';
import { tempDir } from '../../helpers/temp.js';
import { plantedIn, sampleStatus } from './fixture.js';
import { seedHome } from './seed.js';

let home: string;
let cleanup: () => Promise<void>;
let env: Record<string, string>;

beforeEach(async () => {
  ({ dir: home, cleanup } = await tempDir('report-cli-'));
  env = { DBT_SCIM_WIZARD_HOME: home };
});

afterEach(async () => {
  await cleanup();
});

describe('report', () => {
  it('prints the Markdown report of the active profile, without any planted token', async () => {
    const p = await seedHome(home);
    const r = await cli(['report'], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.startsWith('# dbt SCIM provisioning: setup report\n')).toBe(true);
    expect(r.stdout).toContain(`| Profile | Acme prod (id ${p.id}) |`);
    expect(r.stdout).toContain(
      '| 2026-08-01T09:10:11.000Z | dbt (dbt.scim-config) | dbt.scim.enabled | Pass |',
    );
    expect(r.stdout).toContain('scim-okta-2026-08-01 (id 12)');
    expect(r.stdout).toContain('| Policy | rotate the SCIM token every 60 days |');
    expect(r.stdout).toContain('No health check has been saved yet');
    expect(r.stdout).toContain('dbt SCIM Wizard test');
    expect(plantedIn(r.stdout + r.stderr)).toEqual([]);
  });

  it('includes the last saved health check, read through status:get without a new check', async () => {
    const p = await seedHome(home);
    const asked: unknown[] = [];
    const make = cliServicesWithFakeClock();
    let stdout = '';
    const code = await runCli(
      ['report'],
      { env, stdout: (t) => (stdout += t), stderr: () => undefined, isTTY: false },
      {
        version: '9.9.9-test',
        createServices: (h, log) => {
          const services = make(h, log);
          return {
            ...services,
            handlers: {
              ...services.handlers,
              'status:get': (input) => {
                asked.push(input);
                return Promise.resolve({ ...sampleStatus(), profileId: input.profileId });
              },
            },
          };
        },
      },
    );
    expect(code).toBe(0);
    expect(asked).toEqual([{ profileId: p.id, refresh: false }]);
    expect(stdout).toContain('Not healthy at the last check, 2026-11-28T07:00:00.000Z.');
    expect(stdout).toContain('| Quarantine reason | EncounteredQuarantineException |');
    expect(stdout).toContain('okta.schema.licenseType | Fail');
    expect(plantedIn(stdout)).toEqual([]);
  });

  it('picks --profile by id or by name (any case)', async () => {
    const first = await seedHome(home, 'First setup');
    const second = await seedHome(home, 'Second setup');
    // The second is active now.
    const byDefault = await cli(['report'], env);
    expect(byDefault.stdout).toContain(`(id ${second.id})`);
    const byId = await cli(['report', '--profile', first.id], env);
    expect(byId.stdout).toContain(`(id ${first.id})`);
    const byName = await cli(['report', '--profile', 'first SETUP'], env);
    expect(byName.stdout).toContain(`(id ${first.id})`);
  });

  it('prints the report as JSON with --format json', async () => {
    await seedHome(home);
    const r = await cli(['report', '--format', 'json'], env);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as {
      version: number;
      changes: unknown[];
      rotation: { intervalDays: number };
    };
    expect(doc.version).toBe(1);
    expect(doc.changes).toHaveLength(3);
    expect(doc.rotation.intervalDays).toBe(60);
    expect(plantedIn(r.stdout)).toEqual([]);
  });

  it('with --json prints the CLI document, the report under data.report', async () => {
    const p = await seedHome(home);
    const r = await cli(['report', '--json'], env);
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, command: 'report', checks: [], changes: [] });
    const data = r.json?.data as {
      profileId: string;
      fileName: string;
      report: { profile: { id: string }; verifications: unknown[] };
    };
    expect(data.profileId).toBe(p.id);
    expect(data.fileName).toBe('dbt-scim-report-acme-prod-2026-11-29.md');
    expect(data.report.profile.id).toBe(p.id);
    expect(data.report.verifications).toHaveLength(5);
    expect(plantedIn(r.stdout)).toEqual([]);
  });

  it('writes --out FILE with mode 0600 and prints its path', async () => {
    await seedHome(home);
    const file = join(home, 'out', 'audit.md');
    const r = await cli(['report', '--out', file], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${file}\n`);
    const text = await readFile(file, 'utf8');
    expect(text.startsWith('# dbt SCIM provisioning: setup report')).toBe(true);
    expect(text).toContain('## What is not in this report');
    expect(plantedIn(text)).toEqual([]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const jsonFile = join(home, 'audit.json');
    const j = await cli(['report', '--format', 'json', '--out', jsonFile, '--json'], env);
    expect((j.json?.data as { path: string }).path).toBe(jsonFile);
    const saved = JSON.parse(await readFile(jsonFile, 'utf8')) as { title: string };
    expect(saved.title).toBe('dbt SCIM provisioning: setup report');
  });

  it('exits 2 with a clear error when there is no profile, or no such profile', async () => {
    const none = await cli(['report'], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('There is no saved profile yet.');
    expect(none.stdout).toBe('');

    await seedHome(home);
    const missing = await cli(['report', '--profile', 'nobody', '--json'], env);
    expect(missing.code).toBe(2);
    expect(missing.json).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect((missing.json?.error as { message: string }).message).toContain(
      'There is no saved profile "nobody".',
    );
  });

  it('exits 2 when a name matches several profiles', async () => {
    const store = new ProfileStore(home);
    await store.create({ name: 'Twin', idp: 'okta' });
    await store.create({ name: 'twin', idp: 'entra' });
    const twins = await cli(['report', '--profile', 'TWIN'], env);
    expect(twins.code).toBe(2);
    expect(twins.stderr).toContain('2 profiles are named "TWIN"');
  });

  it('refuses an unknown --format', async () => {
    const r = await cli(['report', '--format', 'pdf'], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--format must be one of markdown, json');
  });
});
