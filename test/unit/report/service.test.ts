/**
 * The report service over the real stores in a temporary home: `report:build` through the dispatcher
 * (what main, the bridge and the CLI share), `report:save` with the directory saver (Markdown
 * written 0600, PDF refused as needing the desktop app) and without a saver; no planted token in any
 * reply or file.
 */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryLogger } from '../../../electron/core/logger.js';
import type { StatusReport } from '../../../electron/core/status/model.js';
import type { ReportSaveRequest, ReportSaver } from '../../../electron/core/report/ports.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { SECRET_DBT_API, SECRET_DBT_SCIM } from '../../../electron/services/dbt.js';
import { dispatch, type HandlerTable } from '../../../electron/services/dispatch.js';
import { createReportService, directoryReportSaver } from '../../../electron/services/report.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';
import { PLANTED, T, plantedIn, sampleStatus } from './fixture.js';
import { seedHome } from './seed.js';

let home: string;
let cleanup: () => Promise<void>;
let services: Services;
let profileId: string;
let clock: FakeClock;

const SCIM_VALUE = PLANTED.dbt; // ends in …fXYZ
const API_VALUE = 'dbtc_PLANTEDreportApiToken0123456789Q7r9';

function table(
  status: StatusReport | null,
  saver?: ReportSaver,
): { handlers: HandlerTable; asked: string[] } {
  const asked: string[] = [];
  const report = createReportService({
    profiles: services.profiles,
    journal: services.journal,
    secrets: services.secrets,
    clock: services.clock,
    home,
    version: '4.5.6',
    lastStatus: (id) => {
      asked.push(id);
      return Promise.resolve(status ? { ...status, profileId: id } : null);
    },
    ...(saver ? { saver } : {}),
  });
  return { handlers: { ...services.handlers, ...report.handlers }, asked };
}

async function call<T>(handlers: HandlerTable, channel: string, input: unknown): Promise<T> {
  const r = await dispatch(handlers, channel, input, memoryLogger().logger);
  if (!r.ok) {
    throw new Error(`${channel}: ${r.error.code}: ${r.error.message}`);
  }
  return r.value as T;
}

beforeEach(async () => {
  ({ dir: home, cleanup } = await tempDir('report-service-'));
  clock = new FakeClock(Date.parse(T.generated));
  services = createServices({
    home,
    face: 'bridge',
    version: '4.5.6',
    log: memoryLogger().logger,
    clock,
  });
  profileId = (await seedHome(home)).id;
  await services.secrets.set(profileId, SECRET_DBT_SCIM, SCIM_VALUE);
  await services.secrets.set(profileId, SECRET_DBT_API, API_VALUE);
});

afterEach(async () => {
  await cleanup();
});

describe('report:build', () => {
  it('builds the report of the saved setup, with the last check, and no secret', async () => {
    const { handlers, asked } = table(sampleStatus());
    const r = await call<{ markdown: string; fileName: string }>(handlers, 'report:build', {
      profileId,
    });
    expect(asked).toEqual([profileId]);
    expect(r.fileName).toBe('dbt-scim-report-acme-prod-2026-11-29.md');
    const md = r.markdown;
    // Saved configuration, journal, history, due date, license, last check.
    for (const item of [
      'https://ab123.us1.dbt.com/api/v2/accounts/4242/scim/v2',
      'scim-okta-2026-10-01 (id 77)',
      '| 2026-08-01T09:10:09.000Z | dbt (dbt.scim-config) | change dbt scim-config',
      '| 2026-08-01T09:10:11.000Z | dbt (dbt.scim-config) | dbt.scim.enabled | Pass |',
      'okta.feature.push-groups | Fail',
      'entra.console.assign-users | Pass | The admin ticked this console step as done.',
      'okta.console.provisioning | Pass | Okta showed this console step done.',
      'scim-okta-2026-08-01 (id 12)',
      '| Policy | rotate the SCIM token every 60 days |',
      'dbt-developers\\|eng | Developer',
      'okta.schema.licenseType | Fail',
      'Not healthy at the last check, 2026-11-28T07:00:00.000Z.',
      'dbt SCIM Wizard 4.5.6',
    ]) {
      expect(md).toContain(item);
    }
    // The due date: 60 days from the newest of the token's creation and the last done rotation.
    expect(md).toContain('| Due date | 2026-11-30T10:20:00.000Z |');
    // The stored tokens: their last four only.
    expect(md).toContain('ends in …fXYZ');
    expect(md).toContain('ends in …Q7r9');
    expect(plantedIn(md)).toEqual([]);
    expect(md).not.toContain(SCIM_VALUE);
    expect(md).not.toContain(API_VALUE);
    expect(md).not.toContain('PLANTEDreportApiToken');
  });

  it('says no check was saved when the status service has none', async () => {
    const { handlers } = table(null);
    const r = await call<{ markdown: string }>(handlers, 'report:build', { profileId });
    expect(r.markdown).toContain('No health check has been saved yet');
  });

  it('refuses an unknown profile as not found', async () => {
    const { handlers } = table(null);
    const r = await dispatch(handlers, 'report:build', { profileId: 'nope' });
    expect(r).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('report:save', () => {
  it('writes the Markdown with the directory saver (0600), the same report as report:build', async () => {
    const { dir, cleanup: done } = await tempDir('report-out-');
    try {
      const { handlers } = table(sampleStatus(), directoryReportSaver(dir));
      const saved = await call<{ saved: boolean; path?: string }>(handlers, 'report:save', {
        profileId,
        format: 'markdown',
      });
      expect(saved).toEqual({
        saved: true,
        path: join(dir, 'dbt-scim-report-acme-prod-2026-11-29.md'),
      });
      const text = await readFile(saved.path ?? '', 'utf8');
      const built = await call<{ markdown: string }>(handlers, 'report:build', { profileId });
      expect(text).toBe(built.markdown);
      expect(plantedIn(text)).toEqual([]);
      expect((await stat(saved.path ?? '')).mode & 0o777).toBe(0o600);
    } finally {
      await done();
    }
  });

  it('hands the saver the Markdown, the HTML, the name and the format', async () => {
    const requests: ReportSaveRequest[] = [];
    const saver: ReportSaver = {
      save: (request) => {
        requests.push(request);
        return Promise.resolve({ saved: false });
      },
    };
    const { handlers } = table(sampleStatus(), saver);
    expect(await call(handlers, 'report:save', { profileId, format: 'pdf' })).toEqual({
      saved: false,
    });
    expect(requests).toHaveLength(1);
    const [req] = requests;
    expect(req?.format).toBe('pdf');
    expect(req?.fileName).toBe('dbt-scim-report-acme-prod-2026-11-29.md');
    expect(req?.html).toContain('<h2>Token rotation</h2>');
    expect(req?.markdown).toContain('## Token rotation');
    expect(plantedIn(`${req?.html ?? ''}${req?.markdown ?? ''}`)).toEqual([]);
  });

  it('refuses a PDF with the directory saver: it needs the desktop app', async () => {
    const { dir, cleanup: done } = await tempDir('report-out-');
    try {
      const { handlers } = table(null, directoryReportSaver(dir));
      const r = await dispatch(handlers, 'report:save', { profileId, format: 'pdf' });
      expect(r).toMatchObject({ ok: false, error: { code: 'bad_input' } });
      expect(r.ok ? '' : r.error.message).toContain('only be printed by the desktop app');
    } finally {
      await done();
    }
  });

  it('refuses to save where no saver is wired', async () => {
    const { handlers } = table(null);
    const r = await dispatch(handlers, 'report:save', { profileId, format: 'markdown' });
    expect(r).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(r.ok ? '' : r.error.message).toContain('Saving the report is not available here');
  });

  it('keeps the directory saver inside its directory whatever the suggested name', async () => {
    const { dir, cleanup: done } = await tempDir('report-out-');
    try {
      const r = await directoryReportSaver(dir).save({
        fileName: '../../escape.md',
        format: 'markdown',
        markdown: '# x\n',
        html: '',
      });
      expect(r.path).toBe(join(dir, 'escape.md'));
      expect(await readFile(join(dir, 'escape.md'), 'utf8')).toBe('# x\n');
    } finally {
      await done();
    }
  });
});
