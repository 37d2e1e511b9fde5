/**
 * The Okta steps through the real engine over an in-memory Okta: finding the app (none, one,
 * several, not SAML, inactive), the username rules (never a full update of the app once SCIM is
 * on, even when it turns on between plan and apply), the console step, group pushes (idempotent
 * after a failure mid-way, linking to imported groups, ERROR explained) and the test user (Okta's
 * push polled with a fake clock).
 */
import { describe, expect, it } from 'vitest';
import { WizardError } from '../../../../electron/core/errors.js';
import type { ScimProbePort, ScimUserSummary } from '../../../../electron/core/dbt/ports.js';
import { OKTA_STEP_KINDS } from '../../../../electron/core/okta/steps.js';
import {
  ALL_ON,
  INTEGRATION_SAVED,
  OKTA_ID_TEMPLATE,
  SCIM_ON,
  oktaWorld,
  type OktaWorld,
} from '../../../helpers/memory-okta.js';

const DBT = {
  scimUrl: 'https://cloud.getdbt.com/api/scim/v2/accounts/1',
  token: 'scimTokenValue0123456789abcd',
};

describe('the step set', () => {
  it('has the six kinds, rail steps, and all without the test user', () => {
    const w = oktaWorld();
    const steps = w.make({ testUser: { login: 'ada@acme.example', licenseType: 'developer' } });
    expect(steps.all.map((s) => [s.kind, s.stepId])).toEqual([
      ['okta.app', 'idp'],
      ['okta.username', 'idp'],
      ['okta.console', 'idp'],
      ['okta.license', 'license'],
      ['okta.group-push', 'idp'],
    ]);
    expect(steps.testUser?.stepId).toBe('test');
    expect(OKTA_STEP_KINDS).toEqual([...steps.all.map((s) => s.kind), 'okta.test-user']);
    expect(w.make().testUser).toBeUndefined();
  });
});

describe('okta.app', () => {
  const appOnly = (s: ReturnType<OktaWorld['make']>) => [s.app];

  it('finds the app by id, saves and remembers its ids, and changes nothing', async () => {
    const w = oktaWorld();
    const [plan] = await w.run('plan', {}, appOnly);
    expect(plan?.changes).toEqual([]);
    const [apply] = await w.run('apply', {}, appOnly);
    expect(apply?.phase).toBe('verified');
    expect(apply?.checks.map((c) => [c.id, c.status])).toEqual([
      ['okta.app', 'pass'],
      ['okta.app.sign-on', 'pass'],
      ['okta.app.status', 'pass'],
    ]);
    expect(w.store.saved).toEqual({ appId: w.app.id, appLabel: 'dbt Cloud', appName: w.app.name });
    expect(w.journal.entries.some((e) => e.data?.appId === w.app.id)).toBe(true);
    expect(w.okta.writes()).toEqual([]);
  });

  it('finds the app by label (any case), preferring the active SAML app', async () => {
    const w = oktaWorld({ label: 'dbt Cloud' });
    w.okta.addApp({ label: 'DBT cloud', signOnMode: 'OPENID_CONNECT' });
    w.okta.addApp({ label: 'dbt Cloud', status: 'INACTIVE' });
    w.okta.addApp({ label: 'dbt Cloud dev' });
    const [r] = await w.run('apply', { appRef: { kind: 'label', label: 'DBT CLOUD' } }, appOnly);
    expect(r?.phase).toBe('verified');
    expect(w.store.saved.appId).toBe(w.app.id);
  });

  it('uses the saved app when no app is named, and says when it is gone', async () => {
    const w = oktaWorld();
    w.store.saved = { appId: w.app.id, appLabel: 'dbt Cloud' };
    const [ok] = await w.run('verify', { appRef: undefined }, appOnly);
    expect(ok?.phase).toBe('verified');
    w.okta.apps.delete(w.app.id);
    const [gone] = await w.run('verify', { appRef: undefined }, appOnly);
    expect(gone?.error?.code).toBe('not_found');
    expect(gone?.error?.message).toMatch(
      /"dbt Cloud".*no longer in Okta.*Choose the dbt SSO app again/,
    );
  });

  it('asks to choose when nothing is saved or named', async () => {
    const w = oktaWorld();
    const [r] = await w.run('plan', { appRef: undefined }, appOnly);
    expect(r?.error?.code).toBe('bad_input');
    expect(r?.error?.message).toMatch(/No Okta app is chosen yet/);
  });

  it('says what to do when no app has the label or the id', async () => {
    const w = oktaWorld();
    const [none] = await w.run('plan', { appRef: { kind: 'label', label: 'Snowflake' } }, appOnly);
    expect(none?.error?.code).toBe('not_found');
    expect(none?.error?.message).toMatch(/no app labelled "Snowflake".*--okta-app/);
    const [noId] = await w.run(
      'plan',
      { appRef: { kind: 'id', id: '0oa99999999999999999' } },
      appOnly,
    );
    expect(noId?.error?.code).toBe('not_found');
    expect(noId?.error?.message).toMatch(/no app with id 0oa99999999999999999/);
  });

  it('lists every candidate when several active SAML apps share the label', async () => {
    const w = oktaWorld({ label: 'dbt Cloud' });
    const other = w.okta.addApp({ label: 'dbt cloud' });
    const [r] = await w.run('plan', { appRef: { kind: 'label', label: 'dbt Cloud' } }, appOnly);
    expect(r?.error?.code).toBe('bad_input');
    expect(r?.error?.message).toContain(`${w.app.id} "dbt Cloud" (SAML 2.0, active)`);
    expect(r?.error?.message).toContain(`${other.id} "dbt cloud" (SAML 2.0, active)`);
    expect(r?.error?.message).toMatch(/--okta-app <id>.*app chooser/);
  });

  it('fails verify for an app that is not SAML 2.0 or not active, saying why', async () => {
    const w = oktaWorld({ signOnMode: 'OPENID_CONNECT', status: 'INACTIVE' });
    const [r] = await w.run('verify', {}, appOnly);
    expect(r?.phase).toBe('failed');
    const byId = Object.fromEntries(r?.checks.map((c) => [c.id, c]) ?? []);
    expect(byId['okta.app.sign-on']?.status).toBe('fail');
    expect(byId['okta.app.sign-on']?.message).toMatch(/OPENID_CONNECT, not SAML 2.0/);
    expect(byId['okta.app.status']?.status).toBe('fail');
    expect(byId['okta.app.status']?.message).toMatch(
      /inactive.*provisions only from an active app/,
    );
  });
});

describe('okta.username', () => {
  const only = (s: ReturnType<OktaWorld['make']>) => [s.username];

  it('does nothing when the format is Email', async () => {
    const w = oktaWorld();
    const [r] = await w.run('apply', { userNameChange: 'confirmed' }, only);
    expect(r?.changes).toEqual([]);
    expect(r?.checks).toMatchObject([{ id: 'okta.username', status: 'pass' }]);
    expect(w.okta.calls).not.toContain('setUserNameTemplate');
  });

  it('without confirmation plans nothing and explains the conflict', async () => {
    const w = oktaWorld({ userNameTemplate: OKTA_ID_TEMPLATE });
    const [r] = await w.run('apply', {}, only);
    expect(r?.changes).toEqual([]);
    expect(r?.checks).toMatchObject([{ id: 'okta.username', status: 'pending' }]);
    const message = r?.checks[0]?.message ?? '';
    expect(message).toMatch(/the Okta internal id/);
    expect(message).toMatch(/dbt’s SSO guide/);
    expect(message).toMatch(/dbt matches SCIM users by email/);
    expect(message).toMatch(/SAML subject/);
    expect(message).toMatch(/before SCIM provisioning is on/);
    expect(w.okta.calls).not.toContain('setUserNameTemplate');
  });

  it('with confirmation and SCIM off changes it to Email and verifies', async () => {
    const w = oktaWorld({ userNameTemplate: OKTA_ID_TEMPLATE });
    const [plan] = await w.run('plan', { userNameChange: 'confirmed' }, only);
    expect(plan?.changes).toEqual([
      {
        id: 'okta.username',
        action: 'change',
        target: 'app "dbt Cloud" "Sign On"',
        detail:
          'set "Application username format" to Email (now: the Okta internal id); dbt SSO then sees the email as the SAML subject',
      },
    ]);
    const [r] = await w.run('apply', { userNameChange: 'confirmed' }, only);
    expect(r?.phase).toBe('verified');
    expect(w.okta.app(w.app.id).userNameTemplate).toEqual({
      template: '${source.email}',
      type: 'BUILT_IN',
    });
    expect(w.okta.writes()).toEqual(['setUserNameTemplate']);
  });

  it('never updates the app once SCIM is on: verify fails pointing to the console step', async () => {
    const w = oktaWorld({ userNameTemplate: OKTA_ID_TEMPLATE, features: SCIM_ON });
    const [r] = await w.run('apply', { userNameChange: 'confirmed' }, only);
    expect(r?.changes).toEqual([]);
    expect(r?.phase).toBe('failed');
    expect(r?.checks[0]?.status).toBe('fail');
    expect(r?.checks[0]?.message).toMatch(
      /only the console may change it: see the console step "Set the application username format to Email"/,
    );
    expect(w.okta.calls).not.toContain('setUserNameTemplate');
  });

  it('never updates the app when SCIM turns on between plan and apply', async () => {
    const w = oktaWorld({ userNameTemplate: OKTA_ID_TEMPLATE });
    // The plan reads the app once; the admin turns SCIM on before apply reads it again.
    w.okta.hooks.push((method, count) => {
      if (method === 'getApp' && count === 2) {
        w.okta.setFeatures(w.app.id, SCIM_ON);
      }
    });
    const [r] = await w.run('apply', { userNameChange: 'confirmed' }, only);
    expect(r?.changes.map((c) => c.id)).toEqual(['okta.username']);
    expect(r?.phase).toBe('failed');
    expect(r?.error?.code).toBe('conflict');
    expect(r?.error?.message).toMatch(/SCIM provisioning was turned on in Okta since the plan/);
    expect(r?.error?.message).toMatch(/"Sign On" → "Edit" → "Application username format"/);
    expect(w.okta.calls).not.toContain('setUserNameTemplate');
    expect(w.okta.app(w.app.id).userNameTemplate).toEqual(OKTA_ID_TEMPLATE);
  });
});

describe('okta.console', () => {
  it('plans no change, lists the pending console steps as manual, and verifies them', async () => {
    const w = oktaWorld({ features: SCIM_ON });
    const [plan] = await w.run('plan', { consoleShownAt: {} }, (s) => [s.console]);
    expect(plan?.changes).toEqual([]);
    expect(plan?.checks.map((c) => [c.id, c.status])).toEqual([
      ['okta.console.integration', 'pending'],
      ['okta.console.test-connector', 'pending'],
      ['okta.console.to-app', 'pending'],
    ]);
    const [verify] = await w.run('verify', {}, (s) => [s.console]);
    expect(verify?.phase).toBe('failed');
    expect(verify?.checks.map((c) => [c.id, c.status])).toEqual([
      ['okta.console.enable-scim', 'pass'],
      ['okta.console.integration', 'pending'],
      ['okta.console.test-connector', 'pending'],
      ['okta.console.to-app', 'pending'],
      ['okta.console.import', 'skip'],
    ]);
    expect(verify?.checks.every((c) => c.at === w.clock.now().toISOString())).toBe(true);
  });

  it('verifies once every console step shows done', async () => {
    const w = oktaWorld({ features: ALL_ON });
    const shown = new Date(w.clock.now().getTime() - 60_000).toISOString();
    const used = new Date(w.clock.now().getTime() - 30_000).toISOString();
    const [verify] = await w.run(
      'verify',
      {
        consoleShownAt: { 'okta.console.test-connector': shown },
        dbtToken: { getLastUsed: () => Promise.resolve(used) },
      },
      (s) => [s.console],
    );
    expect(verify?.phase).toBe('verified');
    expect(w.okta.writes()).toEqual([]);
  });
});

describe('okta.group-push', () => {
  function groupWorld(features: readonly string[] = ALL_ON) {
    const w = oktaWorld({ features: [...features] });
    const analysts = w.okta.addGroup('Analysts');
    const devs = w.okta.addGroup('dbt_developers');
    const picks = [
      { oktaGroupId: analysts.id, oktaGroupName: 'Analysts', targetGroupName: 'Analysts' },
      { oktaGroupId: devs.id, oktaGroupName: 'dbt_developers', targetGroupName: 'Developers' },
    ];
    return { w, analysts, devs, picks };
  }
  const only = (s: ReturnType<OktaWorld['make']>) => [s.groupPush];

  it('does nothing without picks (a skip)', async () => {
    const w = oktaWorld({ features: ALL_ON });
    const [r] = await w.run('apply', {}, only);
    expect(r?.phase).toBe('verified');
    expect(r?.checks).toMatchObject([{ id: 'okta.group-push', status: 'skip' }]);
    expect(w.okta.calls).not.toContain('listGroupPushMappings');
  });

  it('waits for "Push Groups"', async () => {
    const { w, picks } = groupWorld(SCIM_ON);
    const [r] = await w.run('apply', { groupPushes: picks }, only);
    expect(r?.changes).toEqual([]);
    expect(r?.checks).toMatchObject([{ id: 'okta.group-push', status: 'pending' }]);
    expect(r?.checks[0]?.message).toMatch(/wait for "Push Groups" \(GROUP_PUSH/);
    expect(w.okta.writes()).toEqual([]);
  });

  it('plans each push with dbt’s names lined up, flags a case clash, and creates them', async () => {
    const { w, picks } = groupWorld();
    const dbtGroups = () =>
      Promise.resolve([
        { id: 1, name: 'Analysts' },
        { id: 2, name: 'developers' },
      ]);
    const [plan] = await w.run('plan', { groupPushes: picks, dbtGroups }, only);
    expect(plan?.changes.map((c) => c.detail)).toEqual([
      'push the Okta group "Analysts" to dbt as "Analysts" (dbt already has the group "Analysts": Okta takes it over and manages its members)',
      'push the Okta group "dbt_developers" to dbt as "Developers" (dbt has "developers", the same name in another case: pushing "Developers" would create a second dbt group; use dbt’s exact name instead)',
    ]);
    const [r] = await w.run('apply', { groupPushes: picks, dbtGroups }, only);
    expect(r?.phase).toBe('verified');
    expect(w.okta.mappingRequests).toEqual([
      { sourceGroupId: picks[0]?.oktaGroupId, targetGroupName: 'Analysts' },
      { sourceGroupId: picks[1]?.oktaGroupId, targetGroupName: 'Developers' },
    ]);
    expect(r?.checks.map((c) => c.status)).toEqual(['pass', 'pass']);
    // Remembered in the journal for a resumed run.
    const remembered = w.journal.entries.filter((e) =>
      Object.keys(e.data ?? {}).some((k) => k.startsWith('groupPush.')),
    );
    expect(remembered).toHaveLength(2);
    const [again] = await w.run('plan', { groupPushes: picks }, only);
    expect(again?.changes).toEqual([]);
  });

  it('never creates a second mapping when re-run after a failure mid-way', async () => {
    const { w, picks } = groupWorld();
    // The first push is made; the second create is refused (Okta had a moment).
    w.okta.hooks.push((method, count) => {
      if (method === 'createGroupPushMapping' && count === 2) {
        w.okta.failNext(
          'createGroupPushMapping',
          new WizardError('server_error', 'Okta had an internal error.', { remediation: '' }),
        );
      }
    });
    const [first] = await w.run('apply', { groupPushes: picks }, only);
    expect(first?.phase).toBe('failed');
    expect(first?.error?.code).toBe('server_error');
    expect(w.okta.mappings.get(w.app.id)).toHaveLength(1);

    const [second] = await w.run('apply', { groupPushes: picks }, only);
    expect(second?.phase).toBe('verified');
    const [third] = await w.run('apply', { groupPushes: picks }, only);
    expect(third?.phase).toBe('verified');
    const mappings = w.okta.mappings.get(w.app.id) ?? [];
    expect(mappings.map((m) => m.sourceGroupId).sort()).toEqual(
      picks.map((p) => p.oktaGroupId).sort(),
    );
    // Two refused or made the first time, one (the missing one) the second, none the third.
    expect(w.okta.calls.filter((c) => c === 'createGroupPushMapping')).toHaveLength(3);
  });

  it('never creates a second mapping when Okta made one but the answer was lost', async () => {
    const { w, picks } = groupWorld();
    w.okta.failNext(
      'createGroupPushMapping',
      new WizardError('network_reset', 'The connection was reset.', { remediation: '' }),
      { after: true },
    );
    const [first] = await w.run('apply', { groupPushes: picks }, only);
    expect(first?.error?.code).toBe('network_reset');
    expect(w.okta.mappings.get(w.app.id)).toHaveLength(1);
    const [second] = await w.run('apply', { groupPushes: picks }, only);
    expect(second?.phase).toBe('verified');
    expect(w.okta.mappings.get(w.app.id)).toHaveLength(2);
    // The re-run created only the missing one.
    expect(w.okta.mappingRequests).toHaveLength(2);
  });

  it('links to a group imported from this app by exact name instead of creating one', async () => {
    const { w, picks } = groupWorld();
    const imported = w.okta.addGroup('Analysts', { type: 'APP_GROUP', sourceId: w.app.id });
    w.okta.addGroup('Developers', { type: 'APP_GROUP', sourceId: '0oaOTHER0000000000000' });
    const [plan] = await w.run('plan', { groupPushes: picks }, only);
    expect(plan?.changes[0]?.detail).toBe(
      'push the Okta group "Analysts" to the dbt group "Analysts" imported from dbt (links to it; no new group)',
    );
    const [r] = await w.run('apply', { groupPushes: picks }, only);
    expect(r?.phase).toBe('verified');
    expect(w.okta.mappingRequests).toEqual([
      { sourceGroupId: picks[0]?.oktaGroupId, targetGroupId: imported.id },
      { sourceGroupId: picks[1]?.oktaGroupId, targetGroupName: 'Developers' },
    ]);
  });

  it('keeps an existing mapping and explains an ERROR from dbt about licenses', async () => {
    const { w, picks } = groupWorld();
    w.okta.mappingOutcome = (m) =>
      m.sourceGroupId === picks[1]?.oktaGroupId
        ? { status: 'ERROR', errorSummary: 'All users must have licenses on the account.' }
        : { status: 'ACTIVE', errorSummary: null };
    const [r] = await w.run('apply', { groupPushes: picks }, only);
    expect(r?.phase).toBe('failed');
    const failed = r?.checks.find((c) => c.status === 'fail');
    expect(failed?.id).toBe(`okta.group-push.${picks[1]?.oktaGroupId}`);
    expect(failed?.message).toMatch(/All users must have licenses on the account/);
    expect(failed?.message).toMatch(
      /give every member a License Type.*or set a default license in dbt/,
    );
    // A re-run keeps it (no second mapping) and reports the same.
    const [again] = await w.run('apply', { groupPushes: picks }, only);
    expect(again?.changes).toEqual([]);
    expect(w.okta.mappingRequests).toHaveLength(2);
  });

  it('explains other errors and inactive pushes', async () => {
    const { w, picks } = groupWorld();
    w.okta.mappingOutcome = (m) =>
      m.sourceGroupId === picks[0]?.oktaGroupId
        ? { status: 'ERROR', errorSummary: 'Something broke' }
        : { status: 'INACTIVE', errorSummary: null };
    const [r] = await w.run('apply', { groupPushes: picks }, only);
    expect(r?.checks[0]?.message).toMatch(
      /Okta could not push "Analysts" to dbt: “Something broke”.*System Log/,
    );
    expect(r?.checks[1]?.message).toMatch(/inactive.*"Push Groups" tab/);
  });
});

describe('okta.test-user', () => {
  /** A dbt SCIM read-back that sees the user after `after` looks. */
  function probeSeeing(
    after: number,
    license: string | null = 'developer',
  ): ScimProbePort & { looks: string[] } {
    const looks: string[] = [];
    return {
      looks,
      probe: () => Promise.reject(new Error('not used')),
      listUsers: () => Promise.resolve([]),
      findUser: (_url, token, userName) => {
        expect(token).toBe(DBT.token);
        looks.push(userName);
        const user: ScimUserSummary = {
          id: 'u1',
          userName,
          active: true,
          givenName: 'Ada',
          familyName: null,
          licenseType: license,
        };
        return Promise.resolve(looks.length > after ? user : undefined);
      },
    };
  }
  const only = (s: ReturnType<OktaWorld['make']>) => (s.testUser ? [s.testUser] : []);
  const testUser = { login: 'ada@acme.example', licenseType: 'developer' as const };

  it('waits for "Create Users"', async () => {
    const w = oktaWorld({ features: INTEGRATION_SAVED });
    w.okta.addUser('ada@acme.example');
    const [r] = await w.run('apply', { testUser, dbt: DBT, probe: probeSeeing(0) }, only);
    expect(r?.changes).toEqual([]);
    expect(r?.checks).toMatchObject([{ id: 'okta.test-user', status: 'pending' }]);
    expect(w.okta.writes()).toEqual([]);
  });

  it('says when Okta has no such person', async () => {
    const w = oktaWorld({ features: ALL_ON });
    const [r] = await w.run('plan', { testUser, dbt: DBT, probe: probeSeeing(0) }, only);
    expect(r?.error?.code).toBe('not_found');
    expect(r?.error?.message).toMatch(/no person with the username "ada@acme.example"/);
  });

  it('assigns the person with the license type and polls dbt until Okta’s push arrives', async () => {
    const w = oktaWorld({ features: ALL_ON });
    const ada = w.okta.addUser('ada@acme.example');
    const probe = probeSeeing(3);
    const [plan] = await w.run('plan', { testUser, dbt: DBT, probe }, only);
    expect(plan?.changes.map((c) => c.detail)).toEqual([
      'assign ada@acme.example to the app "dbt Cloud" with License Type "Developer"',
      'wait for Okta to push ada@acme.example to dbt and read the user back over SCIM',
    ]);
    const [r] = await w.run('apply', { testUser, dbt: DBT, probe }, only);
    expect(r?.phase).toBe('verified');
    expect(w.okta.appUsers.get(w.app.id)).toMatchObject([
      { id: ada.id, licenseType: 'developer', userName: 'ada@acme.example' },
    ]);
    expect(probe.looks).toEqual(Array(4).fill('ada@acme.example'));
    expect(w.clock.sleeps).toEqual([5_000, 5_000, 5_000]);
    expect(w.progress()).toContain('Waiting for Okta to push ada@acme.example to dbt… 10 s');
    expect(r?.checks.map((c) => [c.id, c.status])).toEqual([
      ['okta.test-user.assigned', 'pass'],
      ['okta.test-user.in-dbt', 'pass'],
    ]);
    expect(r?.checks[1]?.message).toMatch(/with the license type developer/);
  });

  it('fails with what to check when Okta does not push in time', async () => {
    const w = oktaWorld({ features: ALL_ON });
    w.okta.addUser('ada@acme.example');
    const probe = probeSeeing(1000);
    const [r] = await w.run(
      'apply',
      { testUser, dbt: DBT, probe, timing: { pushPolls: 4, pushPollIntervalMs: 10_000 } },
      only,
    );
    expect(r?.phase).toBe('failed');
    const inDbt = r?.checks.find((c) => c.id === 'okta.test-user.in-dbt');
    expect(inDbt?.status).toBe('fail');
    expect(inDbt?.message).toMatch(/has not pushed ada@acme.example to dbt after 30 s/);
    expect(inDbt?.message).toMatch(/"Create Users".*"Push New Users".*System Log/);
    expect(w.clock.sleeps).toEqual([10_000, 10_000, 10_000]);
  });

  it('stops early on a sync error, and explains a userName that is not an email', async () => {
    const w = oktaWorld({ features: ALL_ON });
    const ada = w.okta.addUser('ada@acme.example');
    w.okta.onAssign = () => {
      w.okta.hooks.push((method) => {
        if (method === 'getAppUser') {
          w.okta.patchAppUser(w.app.id, ada.id, { syncState: 'ERROR' });
        }
      });
    };
    const [r] = await w.run('apply', { testUser, dbt: DBT, probe: probeSeeing(1000) }, only);
    expect(r?.checks.find((c) => c.id === 'okta.test-user.in-dbt')?.message).toMatch(
      /could not push ada@acme.example.*"Assignments" tab/,
    );
    expect(w.clock.sleeps).toEqual([]);

    const v = oktaWorld({ features: ALL_ON, userNameTemplate: OKTA_ID_TEMPLATE });
    const bea = v.okta.addUser('bea@acme.example');
    const [s] = await v.run(
      'apply',
      { testUser: { ...testUser, login: 'bea@acme.example' }, dbt: DBT, probe: probeSeeing(0) },
      only,
    );
    expect(s?.checks.find((c) => c.id === 'okta.test-user.in-dbt')?.message).toContain(
      `Okta sends "${bea.id}" as the SCIM userName, not an email`,
    );
  });

  it('fails when dbt shows another license type, and passes when dbt does not show one', async () => {
    const w = oktaWorld({ features: ALL_ON });
    w.okta.addUser('ada@acme.example');
    const [wrong] = await w.run(
      'apply',
      { testUser, dbt: DBT, probe: probeSeeing(0, 'read_only') },
      only,
    );
    expect(wrong?.checks.find((c) => c.id === 'okta.test-user.in-dbt')).toMatchObject({
      status: 'fail',
    });
    expect(wrong?.checks.find((c) => c.id === 'okta.test-user.in-dbt')?.message).toMatch(
      /license type read_only, not developer/,
    );
    const [unknown] = await w.run(
      'apply',
      { testUser, dbt: DBT, probe: probeSeeing(0, null) },
      only,
    );
    expect(unknown?.phase).toBe('verified');
    expect(unknown?.checks[1]?.message).toMatch(/does not show the license type/);
  });

  it('needs the dbt SCIM URL and token to apply', async () => {
    const w = oktaWorld({ features: ALL_ON });
    w.okta.addUser('ada@acme.example');
    const [r] = await w.run('apply', { testUser, probe: probeSeeing(0) }, only);
    expect(r?.error?.code).toBe('bad_input');
    expect(r?.error?.message).toMatch(/DBT_SCIM_TOKEN/);
    expect(w.okta.writes()).toEqual([]);
  });

  it('stops waiting when cancelled', async () => {
    const w = oktaWorld({ features: ALL_ON });
    w.okta.addUser('ada@acme.example');
    const controller = new AbortController();
    const step = w.make({
      testUser,
      dbt: DBT,
      probe: {
        ...probeSeeing(1000),
        findUser: () => {
          controller.abort();
          return Promise.resolve(undefined);
        },
      },
    }).testUser;
    if (!step) {
      throw new Error('no test-user step');
    }
    const r = await w.engine.run(step, {
      profileId: 'p1',
      mode: 'apply',
      signal: controller.signal,
    });
    expect(r.phase).toBe('cancelled');
  });
});

describe('the whole Okta side', () => {
  it('walks from a fresh SSO app to verified as the admin finishes the console steps', async () => {
    const w = oktaWorld({ userNameTemplate: OKTA_ID_TEMPLATE });
    const analysts = w.okta.addGroup('Analysts');
    const picks = [
      { oktaGroupId: analysts.id, oktaGroupName: 'Analysts', targetGroupName: 'Analysts' },
    ];
    const shownAt = w.clock.now().toISOString();
    const used = { value: null as string | null };
    const opts = {
      userNameChange: 'confirmed' as const,
      groupPushes: picks,
      dbt: DBT,
      consoleShownAt: { 'okta.console.test-connector': shownAt },
      dbtToken: { getLastUsed: () => Promise.resolve(used.value) },
    };

    // 1. SCIM off: the username changes by API; the rest waits for the console.
    let runs = await w.run('apply', opts);
    expect(runs.map((r) => r.error)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(w.okta.writes()).toEqual(['setUserNameTemplate']);
    expect(runs.map((r) => [r.kind, r.phase])).toEqual([
      ['okta.app', 'verified'],
      ['okta.username', 'verified'],
      ['okta.console', 'failed'],
      ['okta.license', 'failed'],
      ['okta.group-push', 'failed'],
    ]);

    // 2. The admin finishes the console; Okta calls dbt.
    w.okta.setFeatures(w.app.id, ALL_ON);
    w.clock.advance(60_000);
    used.value = w.clock.now().toISOString();
    w.clock.advance(1_000);
    runs = await w.run('apply', opts);
    expect(runs.map((r) => [r.kind, r.phase])).toEqual([
      ['okta.app', 'verified'],
      ['okta.username', 'verified'],
      ['okta.console', 'verified'],
      ['okta.license', 'verified'],
      ['okta.group-push', 'verified'],
    ]);
    expect(w.okta.writes()).toEqual([
      'setUserNameTemplate',
      'updateAppUserSchema',
      'createGroupPushMapping',
    ]);

    // 3. Nothing more to do.
    runs = await w.run('plan', opts);
    expect(runs.flatMap((r) => r.changes)).toEqual([]);
    expect(w.store.saved).toEqual({ appId: w.app.id, appLabel: 'dbt Cloud', appName: w.app.name });
  });
});
