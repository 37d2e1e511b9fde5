/**
 * The License steps against in-memory ports: each checklist item pending / pass / fail, the toggle
 * refused until items 1–3 pass, the optional Okta mapping, and Entra's license maps.
 */
import { describe, expect, it } from 'vitest';
import { Engine, type RunResult } from '../../../../electron/core/engine.js';
import { memoryLogger } from '../../../../electron/core/logger.js';
import { MemoryJournalStore } from '../../../../electron/core/store/journal-file.js';
import type { Step } from '../../../../electron/core/steps.js';
import type { ScimProbePort, ScimUserSummary } from '../../../../electron/core/dbt/ports.js';
import { desiredLicenseAttribute } from '../../../../electron/core/okta/license.js';
import {
  CHECKLIST_IDS,
  MemoryLicenseStateStore,
  createLicenseSteps,
  type LicenseSetupOptions,
} from '../../../../electron/core/license/steps.js';
import { NOT_REAPPLIED_CAVEAT } from '../../../../electron/core/license/expression.js';
import { FakeClock } from '../../../helpers/fake-clock.js';
import { MemoryDbtAdmin } from '../../../helpers/memory-dbt.js';
import { MemoryOkta } from '../../../helpers/memory-okta.js';

const SCIM_URL = 'https://cloud.getdbt.example/api/scim/v2/accounts/1';

class MemoryProbe implements ScimProbePort {
  users = new Map<string, ScimUserSummary>();
  probe() {
    return Promise.resolve({ checks: [] });
  }
  findUser(_url: string, _token: string, userName: string) {
    return Promise.resolve(this.users.get(userName));
  }
  listUsers() {
    return Promise.resolve([...this.users.values()]);
  }
}

function world() {
  const clock = new FakeClock();
  const engine = new Engine({
    journal: new MemoryJournalStore(),
    clock,
    log: memoryLogger().logger,
    emit: () => undefined,
  });
  const admin = new MemoryDbtAdmin();
  admin.config = { enabled: true, manualUpdatesAllowed: false, scimControlledLicenseType: false };
  const okta = new MemoryOkta(() => clock.now());
  const app = okta.addApp();
  const probe = new MemoryProbe();
  const store = new MemoryLicenseStateStore();
  const make = (more: Partial<LicenseSetupOptions> = {}) =>
    createLicenseSteps({
      admin,
      okta: { port: okta, appId: app.id, mappings: okta },
      scim: { port: probe, scimUrl: SCIM_URL, token: 'scim-token-value' },
      store,
      ...more,
    });
  const run = async (step: Step, mode: 'plan' | 'apply' | 'verify'): Promise<RunResult> =>
    engine.run(step, { profileId: 'p1', mode });
  const addAttribute = () => {
    okta.setAttribute(app.id, 'licenseType', desiredLicenseAttribute());
  };
  const pushTestUser = (licenseType: string | null = 'developer') => {
    probe.users.set('ada@acme.example', {
      id: 'u1',
      userName: 'ada@acme.example',
      active: true,
      givenName: 'Ada',
      familyName: 'L',
      licenseType,
    });
  };
  return { clock, admin, okta, app, probe, store, make, run, addAttribute, pushTestUser };
}

const item = (r: RunResult, id: string) => r.checks.find((c) => c.id === id);

describe('license.checklist', () => {
  it('is pending on every item while nothing is done', async () => {
    const w = world();
    w.admin.config = { ...w.admin.config, enabled: false };
    const r = await w.run(w.make().checklist, 'verify');
    expect(r.checks.map((c) => [c.id, c.status])).toEqual([
      [CHECKLIST_IDS.scim, 'pending'],
      [CHECKLIST_IDS.attribute, 'pending'],
      [CHECKLIST_IDS.testUser, 'pending'],
      [CHECKLIST_IDS.toggle, 'pending'],
    ]);
    expect(item(r, CHECKLIST_IDS.testUser)?.message).toMatch(/Run the Test step/);
    expect(item(r, CHECKLIST_IDS.toggle)?.message).toMatch(/waits for steps 1–3/);
    expect(r.phase).toBe('failed');
    expect(w.admin.calls).not.toContain('setScimConfig');
  });

  it('passes 1–3 once SCIM is on with the toggle off, the attribute is in place and dbt reads the user', async () => {
    const w = world();
    w.addAttribute();
    w.pushTestUser('developer');
    w.okta.addUser('ada@acme.example');
    const r = await w.run(w.make({ testUserName: 'ada@acme.example' }).checklist, 'verify');
    expect(item(r, CHECKLIST_IDS.scim)).toMatchObject({ status: 'pass' });
    expect(item(r, CHECKLIST_IDS.scim)?.message).toMatch(/existing license mappings keep working/);
    expect(item(r, CHECKLIST_IDS.attribute)).toMatchObject({ status: 'pass' });
    expect(item(r, CHECKLIST_IDS.testUser)).toMatchObject({ status: 'pass' });
    expect(item(r, CHECKLIST_IDS.testUser)?.message).toMatch(/license type developer/);
    expect(item(r, CHECKLIST_IDS.toggle)).toMatchObject({ status: 'pending' });
    expect(item(r, CHECKLIST_IDS.toggle)?.message).toMatch(/steps 1–3 pass/);
  });

  it('fails the attribute item when it differs, naming the difference', async () => {
    const w = world();
    w.okta.setAttribute(w.app.id, 'licenseType', {
      ...desiredLicenseAttribute(),
      title: 'Licence',
    });
    const r = await w.run(w.make().checklist, 'verify');
    expect(item(r, CHECKLIST_IDS.attribute)).toMatchObject({ status: 'fail' });
    expect(item(r, CHECKLIST_IDS.attribute)?.message).toContain('"Display name" is "Licence"');
  });

  it('keeps the test-user item pending when dbt shows no license type, and fails it when Okta and dbt disagree', async () => {
    const w = world();
    w.addAttribute();
    w.pushTestUser(null);
    const pending = await w.run(w.make({ testUserName: 'ada@acme.example' }).checklist, 'verify');
    expect(item(pending, CHECKLIST_IDS.testUser)).toMatchObject({ status: 'pending' });
    expect(item(pending, CHECKLIST_IDS.testUser)?.message).toMatch(/shows no license type/);

    const user = w.okta.addUser('ada@acme.example');
    await w.okta.assignUser(w.app.id, user.id, { licenseType: 'analyst' });
    w.pushTestUser('read_only');
    const r = await w.run(w.make({ testUserName: 'ada@acme.example' }).checklist, 'verify');
    expect(item(r, CHECKLIST_IDS.testUser)).toMatchObject({ status: 'fail' });
    expect(item(r, CHECKLIST_IDS.testUser)?.message).toMatch(/"Analyst", but dbt shows read_only/);
  });

  it('says the attribute waits for Okta when Okta is not connected', async () => {
    const w = world();
    const r = await w.run(w.make({ okta: undefined }).checklist, 'verify');
    expect(item(r, CHECKLIST_IDS.attribute)).toMatchObject({ status: 'pending' });
    expect(item(r, CHECKLIST_IDS.attribute)?.message).toMatch(/Okta is not connected/);
  });

  it('passes item 1 with a note when the toggle is already on', async () => {
    const w = world();
    w.admin.config = { ...w.admin.config, scimControlledLicenseType: true };
    const r = await w.run(w.make().checklist, 'verify');
    expect(item(r, CHECKLIST_IDS.scim)).toMatchObject({ status: 'pass' });
    expect(item(r, CHECKLIST_IDS.scim)?.message).toMatch(/already on/);
    expect(item(r, CHECKLIST_IDS.toggle)).toMatchObject({ status: 'pass' });
  });
});

describe('license.scim-toggle', () => {
  it('refuses with a typed error naming the missing steps until 1–3 pass', async () => {
    const w = world();
    w.addAttribute();
    const r = await w.run(w.make().toggle, 'apply');
    expect(r.phase).toBe('failed');
    expect(r.error?.code).toBe('conflict');
    expect(r.error?.message).toMatch(/stays off until steps 1–3 pass: 3\. Test/);
    expect(r.error?.message).not.toMatch(/2\. Add the licenseType/);
    expect(w.admin.calls).not.toContain('setScimConfig');
    expect(w.admin.config.scimControlledLicenseType).toBe(false);
  });

  it('plans the change with the warning, applies it keeping the other settings, and verifies', async () => {
    const w = world();
    w.addAttribute();
    w.pushTestUser('developer');
    const steps = w.make({ testUserName: 'ada@acme.example' });
    const planned = await w.run(steps.toggle, 'plan');
    expect(planned.changes).toEqual([
      expect.objectContaining({
        id: 'license.scim-toggle',
        detail:
          'turn on "SCIM-managed license types" (existing license mappings in dbt are then ignored)',
      }),
    ]);
    const applied = await w.run(steps.toggle, 'apply');
    expect(applied.phase).toBe('verified');
    expect(w.admin.config).toEqual({
      enabled: true,
      manualUpdatesAllowed: false,
      scimControlledLicenseType: true,
    });
    // Idempotent: nothing more to do; the checklist's item 4 now passes.
    expect((await w.run(steps.toggle, 'plan')).changes).toEqual([]);
    const checklist = await w.run(steps.checklist, 'verify');
    expect(checklist.phase).toBe('verified');
  });
});

describe('license.okta-mapping', () => {
  const rules = {
    rules: [{ groupName: 'dbt_developers', licenseType: 'developer' as const }],
    defaultLicenseType: 'read_only' as const,
  };

  it('refuses while the licenseType attribute is missing', async () => {
    const w = world();
    const r = await w.run(w.make({ oktaMapping: rules }).oktaMapping!, 'plan');
    expect(r.error?.code).toBe('conflict');
    expect(w.okta.calls).not.toContain('updateProfileMapping');
  });

  it('plans the expression with the caveat, applies it, verifies, and converges', async () => {
    const w = world();
    w.addAttribute();
    const step = w.make({ oktaMapping: rules }).oktaMapping!;
    const planned = await w.run(step, 'plan');
    expect(planned.changes).toHaveLength(1);
    expect(planned.changes[0]?.detail).toContain(
      'isMemberOfGroupName("dbt_developers") ? "developer" : "read_only"',
    );
    expect(planned.changes[0]?.detail).toContain(NOT_REAPPLIED_CAVEAT);
    const applied = await w.run(step, 'apply');
    expect(applied.phase).toBe('verified');
    expect(w.okta.profileMappings.get(w.app.id)?.properties.licenseType).toEqual({
      expression: 'isMemberOfGroupName("dbt_developers") ? "developer" : "read_only"',
      pushStatus: 'PUSH',
    });
    expect(applied.checks[0]?.message).toContain('not reapply');
    expect((await w.run(step, 'plan')).changes).toEqual([]);
  });

  it('fails verify when someone changed the expression', async () => {
    const w = world();
    w.addAttribute();
    const step = w.make({ oktaMapping: rules }).oktaMapping!;
    await w.run(step, 'apply');
    const m = w.okta.profileMappings.get(w.app.id)!;
    w.okta.profileMappings.set(w.app.id, {
      ...m,
      properties: { licenseType: { expression: '"developer"', pushStatus: 'DONT_PUSH' } },
    });
    const r = await w.run(step, 'verify');
    expect(r.checks[0]).toMatchObject({ status: 'fail' });
    expect(r.checks[0]?.message).toMatch(/on create only/);
  });
});

describe('license.entra-maps', () => {
  const desired = { developer: ['Data Engineers'], read_only: ['Analytics Viewers', 'Finance'] };

  it('adds maps, verifies them with the toggle off, and converges', async () => {
    const w = world();
    const steps = w.make({ entraMaps: desired });
    const planned = await w.run(steps.entraMaps, 'plan');
    expect(planned.changes.map((c) => [c.id, c.action])).toEqual([
      ['license.map.developer', 'add'],
      ['license.map.read_only', 'add'],
    ]);
    const applied = await w.run(steps.entraMaps, 'apply');
    expect(applied.phase).toBe('verified');
    expect(w.admin.licenseMaps.map((m) => [m.licenseType, m.groups])).toEqual([
      ['developer', ['Data Engineers']],
      ['read_only', ['Analytics Viewers', 'Finance']],
    ]);
    expect(w.store.saved.licenseMapIds).toHaveLength(2);
    expect(applied.checks.find((c) => c.id === 'license.entra.scim-toggle')).toMatchObject({
      status: 'pass',
    });
    expect((await w.run(w.make({ entraMaps: desired }).entraMaps, 'plan')).changes).toEqual([]);
  });

  it('never touches an unrelated map; changes a matching one only as planned, and removes only its own', async () => {
    const w = world();
    w.admin.licenseMaps = [
      { id: 1, licenseType: 'it', groups: ['Security'] },
      { id: 2, licenseType: 'developer', groups: ['Old Devs'] },
    ];
    const first = await w.run(w.make({ entraMaps: desired }).entraMaps, 'apply');
    expect(first.changes.map((c) => [c.id, c.action])).toEqual([
      ['license.map.developer', 'change'],
      ['license.map.read_only', 'add'],
    ]);
    expect(first.changes[0]?.detail).toContain('(made outside the wizard)');
    expect(first.changes[0]?.detail).toContain('remove "Old Devs"');
    expect(w.admin.licenseMaps.find((m) => m.id === 1)).toEqual({
      id: 1,
      licenseType: 'it',
      groups: ['Security'],
    });
    // The wizard's read_only map is no longer wished for: its removal is listed, the IT map stays.
    const next = w.make({ entraMaps: { developer: ['Data Engineers'] } }).entraMaps;
    const plan = await w.run(next, 'plan');
    expect(plan.changes.map((c) => c.action)).toEqual(['remove']);
    expect(plan.changes[0]?.detail).toMatch(/the wizard made it/);
    await w.run(next, 'apply');
    expect(w.admin.licenseMaps.map((m) => m.id).sort()).toEqual([1, 2]);
  });

  it('fails the toggle check when dbt would ignore the maps', async () => {
    const w = world();
    w.admin.config = { ...w.admin.config, scimControlledLicenseType: true };
    const r = await w.run(w.make({ entraMaps: desired }).entraMaps, 'apply');
    expect(r.phase).toBe('failed');
    const c = r.checks.find((x) => x.id === 'license.entra.scim-toggle');
    expect(c?.status).toBe('fail');
    expect(c?.message).toMatch(/dbt ignores these license maps/);
  });

  it('refuses Analyst on a plan without it, and a group mapped twice', async () => {
    const w = world();
    w.admin.account = { ...w.admin.account, plan: 'team' };
    const r = await w.run(w.make({ entraMaps: { analyst: ['BI'] } }).entraMaps, 'plan');
    expect(r.error?.code).toBe('bad_input');
    expect(r.error?.message).toMatch(/Enterprise plans/);
    const twice = await w.run(
      w.make({ entraMaps: { developer: ['X'], it: ['X'] } }).entraMaps,
      'plan',
    );
    expect(twice.error?.message).toMatch(/mapped to both/);
    expect(w.admin.calls).not.toContain('createLicenseMap');
  });

  it('a re-run after a failure right after creating converges without a second map', async () => {
    const w = world();
    w.admin.failOn = { call: 'createLicenseMap', after: true };
    const failed = await w.run(
      w.make({ entraMaps: { developer: ['Data Engineers'] } }).entraMaps,
      'apply',
    );
    expect(failed.phase).toBe('failed');
    const again = await w.run(
      w.make({ entraMaps: { developer: ['Data Engineers'] } }).entraMaps,
      'apply',
    );
    expect(again.phase).toBe('verified');
    expect(w.admin.licenseMaps).toHaveLength(1);
  });
});

describe('plan awareness in the Okta mapping', () => {
  it('refuses Analyst in the rules when the plan has none, before writing', async () => {
    const w = world();
    w.addAttribute();
    w.admin.account = { ...w.admin.account, plan: 'team' };
    const step = w.make({
      oktaMapping: {
        rules: [{ groupName: 'BI', licenseType: 'analyst' }],
        defaultLicenseType: 'developer',
      },
    }).oktaMapping!;
    const r = await w.run(step, 'apply');
    expect(r.error?.code).toBe('bad_input');
    expect(r.error?.message).toMatch(/Analyst licenses exist only on dbt's Enterprise plans/);
    expect(w.okta.calls).not.toContain('updateProfileMapping');
  });
});
