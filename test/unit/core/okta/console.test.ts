/**
 * The console steps' live checks: each item from pending to pass (or fail) as Okta shows the
 * change, the prerequisites named, the dbt token's `last_used` and the System Log for the
 * connection test, and every item fitting the IPC contract's `oktaConsoleItemSchema` exactly.
 */
import { describe, expect, it } from 'vitest';
import { WizardError } from '../../../../electron/core/errors.js';
import {
  checkConsole,
  OKTA_CONSOLE_IDS,
  OKTA_EVENTS,
  type CheckConsoleOptions,
  type OktaConsoleItem,
} from '../../../../electron/core/okta/console.js';
import { OKTA_FEATURES } from '../../../../electron/core/okta/ports.js';
import { oktaConsoleItemSchema } from '../../../../electron/ipc/contract.js';
import {
  ALL_ON,
  INTEGRATION_SAVED,
  MemoryOkta,
  OKTA_ID_TEMPLATE,
  SCIM_ON,
  type MemoryApp,
} from '../../../helpers/memory-okta.js';

const ADMIN = 'https://acme-admin.okta.example';
const SCIM_URL = 'https://cloud.getdbt.com/api/scim/v2/accounts/1';
const NOW = new Date('2026-11-29T10:10:00.000Z');
const SHOWN = '2026-11-29T10:00:00.000Z';
const shownAt = Object.fromEntries(OKTA_CONSOLE_IDS.map((id) => [id, SHOWN]));

function setup(app: Partial<MemoryApp> = {}) {
  const okta = new MemoryOkta(() => NOW);
  const created = okta.addApp({ name: 'acme_dbtcloud_1', ...app });
  const check = async (more: Partial<CheckConsoleOptions> = {}): Promise<OktaConsoleItem[]> => {
    const items = await checkConsole({
      okta,
      app: (await okta.getApp(created.id)) ?? created,
      adminUrl: ADMIN,
      scimUrl: SCIM_URL,
      shownAt,
      verifiedAt: {},
      now: NOW,
      ...more,
    });
    for (const item of items) {
      // Exactly the DTO: no field more, none missing.
      expect(oktaConsoleItemSchema.strict().parse(item)).toEqual(item);
    }
    return items;
  };
  const byId = (items: readonly OktaConsoleItem[], id: string): OktaConsoleItem => {
    const found = items.find((i) => i.id === id);
    if (!found) {
      throw new Error(`no item ${id}: ${items.map((i) => i.id).join(', ')}`);
    }
    return found;
  };
  return { okta, app: created, check, byId };
}

const lastUsed = (value: string | null | undefined) => ({
  getLastUsed: () => Promise.resolve(value),
});

describe('a fresh app (SCIM off)', () => {
  it('lists the steps in the admin’s order, the first waiting and the others naming it', async () => {
    const s = setup();
    const items = await s.check();
    expect(items.map((i) => [i.id, i.status])).toEqual([
      ['okta.console.enable-scim', 'pending'],
      ['okta.console.integration', 'pending'],
      ['okta.console.test-connector', 'pending'],
      ['okta.console.to-app', 'pending'],
      ['okta.console.import', 'skip'],
    ]);
    expect(s.byId(items, 'okta.console.enable-scim').message).toBe(
      'Waiting for Okta: SCIM provisioning not shown yet (the app’s features have no SCIM_PROVISIONING).',
    );
    for (const id of [
      'okta.console.integration',
      'okta.console.test-connector',
      'okta.console.to-app',
    ]) {
      expect(s.byId(items, id).message).toMatch(/turn on SCIM provisioning first/);
    }
    // No calls beyond what SCIM off needs: no System Log, no groups.
    expect(s.okta.calls).toEqual(['getApp']);
  });

  it('opens the exact console pages on the admin origin', async () => {
    const s = setup();
    const items = await s.check();
    const base = `${ADMIN}/admin/app/acme_dbtcloud_1/instance/${s.app.id}/`;
    expect(s.byId(items, 'okta.console.enable-scim').link?.url).toBe(`${base}#tab-general`);
    expect(s.byId(items, 'okta.console.integration').link?.url).toBe(`${base}#tab-provisioning`);
    expect(s.byId(items, 'okta.console.to-app').link?.url).toBe(`${base}#tab-provisioning`);
    expect(s.byId(items, 'okta.console.import').link?.url).toBe(`${base}#tab-import`);
  });

  it('gives the console’s labels, one action a line, and the values to copy (never the token)', async () => {
    const s = setup();
    const items = await s.check();
    const integration = s.byId(items, 'okta.console.integration');
    expect(integration.instructions).toEqual([
      'Open the app’s "Provisioning" tab and choose "Integration".',
      'Click "Edit".',
      '"SCIM connector base URL": paste the SCIM base URL from dbt.',
      '"Unique identifier field for users": type userName.',
      '"Supported provisioning actions": tick "Push New Users".',
      '"Supported provisioning actions": tick "Push Profile Updates".',
      '"Supported provisioning actions": tick "Push Groups".',
      '"Authentication Mode": choose "HTTP Header".',
      '"Bearer": paste the dbt SCIM token (copy it with the wizard’s "Copy the SCIM token": it is copied once and cleared from the clipboard after a minute).',
      'Click "Test Connector Configuration".',
      'Click "Save".',
    ]);
    expect(integration.values).toEqual([
      { label: 'SCIM connector base URL', value: SCIM_URL },
      { label: 'Unique identifier field for users', value: 'userName' },
      { label: 'Authentication Mode', value: 'HTTP Header' },
    ]);
    expect(integration.needsToken).toBe(true);
    expect(s.byId(items, 'okta.console.to-app').instructions).toEqual([
      'Open the app’s "Provisioning" tab and choose "To App".',
      'Click "Edit".',
      'Enable "Create Users".',
      'Enable "Update User Attributes".',
      'Enable "Deactivate Users".',
      'Click "Save".',
    ]);
    expect(s.byId(items, 'okta.console.enable-scim').instructions).toContain(
      'In "App Settings", click "Edit".',
    );
    expect(s.byId(items, 'okta.console.import').instructions).toContain(
      'Review the matches and click "Confirm Assignments".',
    );
    expect(items.filter((i) => i.needsToken).map((i) => i.id)).toEqual([
      'okta.console.integration',
    ]);
  });

  it('asks existing integrations to tick the import actions too', async () => {
    const s = setup();
    const items = await s.check({ existingIntegration: true });
    expect(s.byId(items, 'okta.console.integration').instructions).toContain(
      '"Supported provisioning actions": tick "Import Groups".',
    );
    const imp = s.byId(items, 'okta.console.import');
    expect(imp).toMatchObject({ status: 'pending', optional: true });
    expect(imp.message).toMatch(/turn on SCIM provisioning first/);
  });
});

describe('enable-scim and integration', () => {
  it('pass once Okta shows the features, echoing when they were first seen', async () => {
    const s = setup({ features: SCIM_ON });
    let items = await s.check({ verifiedAt: { 'okta.console.enable-scim': SHOWN } });
    expect(s.byId(items, 'okta.console.enable-scim')).toMatchObject({
      status: 'pass',
      verifiedAt: SHOWN,
      message: 'Okta shows SCIM provisioning on (SCIM_PROVISIONING in the app’s features).',
    });
    const integration = s.byId(items, 'okta.console.integration');
    expect(integration.status).toBe('pending');
    expect(integration.message).toMatch(
      /^Waiting for Okta: "Push Groups" not shown yet\. Okta shows it \(GROUP_PUSH in the app’s features\) once the Integration settings are saved/,
    );

    s.okta.setFeatures(s.app.id, INTEGRATION_SAVED);
    items = await s.check();
    expect(s.byId(items, 'okta.console.integration')).toMatchObject({ status: 'pass' });
    expect(s.byId(items, 'okta.console.integration').message).toMatch(/^Okta shows "Push Groups"/);
    // Not passing: no verifiedAt echoed even when the caller had one.
    s.okta.setFeatures(s.app.id, []);
    items = await s.check({ verifiedAt: { 'okta.console.enable-scim': SHOWN } });
    expect(s.byId(items, 'okta.console.enable-scim').verifiedAt).toBeUndefined();
  });
});

describe('username (only the console, once SCIM is on)', () => {
  it('is not listed while SCIM is off, nor when the format is already Email', async () => {
    expect(
      (await setup({ userNameTemplate: OKTA_ID_TEMPLATE }).check()).map((i) => i.id),
    ).not.toContain('okta.console.username');
    expect((await setup({ features: SCIM_ON }).check()).map((i) => i.id)).not.toContain(
      'okta.console.username',
    );
  });

  it('waits for Email after SCIM is on, then passes (kept listed once verified)', async () => {
    const s = setup({ features: SCIM_ON, userNameTemplate: OKTA_ID_TEMPLATE });
    let items = await s.check();
    expect(items.map((i) => i.id).slice(0, 3)).toEqual([
      'okta.console.enable-scim',
      'okta.console.username',
      'okta.console.integration',
    ]);
    const item = s.byId(items, 'okta.console.username');
    expect(item.status).toBe('pending');
    expect(item.message).toMatch(
      /^Waiting for Okta: application username format Email not shown yet \(now: the Okta internal id\)/,
    );
    expect(item.link?.url).toMatch(/#tab-signon$/);
    expect(item.values).toEqual([{ label: 'Application username format', value: 'Email' }]);

    s.app.userNameTemplate = { template: '${source.email}', type: 'BUILT_IN' };
    items = await s.check({ verifiedAt: { 'okta.console.username': NOW.toISOString() } });
    expect(s.byId(items, 'okta.console.username')).toMatchObject({
      status: 'pass',
      verifiedAt: NOW.toISOString(),
    });
  });
});

describe('test-connector', () => {
  const on = { features: INTEGRATION_SAVED };

  it('waits until the dbt token is used after the step was shown, then passes', async () => {
    const s = setup(on);
    let item = s.byId(
      await s.check({ dbtToken: lastUsed('2026-11-29T09:59:00Z') }),
      'okta.console.test-connector',
    );
    expect(item.status).toBe('pending');
    expect(item.message).toMatch(
      /^Waiting for Okta: a call to dbt with the SCIM token not shown yet \(dbt shows it last used at 2026-11-29T09:59:00Z\)/,
    );
    item = s.byId(await s.check({ dbtToken: lastUsed(null) }), 'okta.console.test-connector');
    expect(item.message).toMatch(/never used/);

    item = s.byId(
      await s.check({ dbtToken: lastUsed('2026-11-29T10:05:00.123456Z') }),
      'okta.console.test-connector',
    );
    expect(item.status).toBe('pass');
    expect(item.message).toMatch(/Okta reached dbt.*10:05:00/);
  });

  it('never passes before the step was shown (an old use of the token does not count)', async () => {
    const s = setup(on);
    const items = await s.check({ dbtToken: lastUsed('2026-11-29T10:05:00Z'), shownAt: {} });
    expect(s.byId(items, 'okta.console.test-connector').status).toBe('pending');
  });

  it('fails on an authentication failure in the System Log since the step was shown, and says what to do', async () => {
    const s = setup(on);
    s.okta.addEvent(s.app.id, OKTA_EVENTS.authFailure, '2026-11-29T09:00:00Z');
    let item = s.byId(await s.check({ dbtToken: lastUsed(null) }), 'okta.console.test-connector');
    expect(item.status).toBe('pending'); // a failure from before the step was shown

    s.okta.addEvent(s.app.id, OKTA_EVENTS.authFailure, '2026-11-29T10:02:00Z', {
      reason: 'HTTP 401 Unauthorized',
    });
    item = s.byId(await s.check({ dbtToken: lastUsed(null) }), 'okta.console.test-connector');
    expect(item.status).toBe('fail');
    expect(item.message).toMatch(/Okta could not authenticate to dbt with the token in "Bearer"/);
    expect(item.message).toMatch(/Copy the dbt SCIM token again/);
    expect(item.message).toMatch(/"SCIM connector base URL"/);
    expect(item.message).toMatch(/IP restrictions/);
    expect(item.message).toContain('HTTP 401 Unauthorized');
  });

  it('passes once a later successful use follows a failure, and fails when the failure is the latest', async () => {
    const s = setup(on);
    s.okta.addEvent(s.app.id, OKTA_EVENTS.authFailure, '2026-11-29T10:02:00Z');
    expect(
      s.byId(
        await s.check({ dbtToken: lastUsed('2026-11-29T10:03:00Z') }),
        'okta.console.test-connector',
      ).status,
    ).toBe('pass');
    s.okta.addEvent(s.app.id, OKTA_EVENTS.authFailure, '2026-11-29T10:04:00Z');
    expect(
      s.byId(
        await s.check({ dbtToken: lastUsed('2026-11-29T10:03:00Z') }),
        'okta.console.test-connector',
      ).status,
    ).toBe('fail');
  });

  it('without the dbt Admin API relies on the System Log alone and says the check is weaker', async () => {
    const s = setup({ features: SCIM_ON });
    let item = s.byId(await s.check(), 'okta.console.test-connector');
    expect(item.status).toBe('pending');
    expect(item.message).toMatch(/weaker/);
    s.okta.setFeatures(s.app.id, INTEGRATION_SAVED);
    item = s.byId(await s.check(), 'okta.console.test-connector');
    expect(item.status).toBe('pass');
    expect(item.message).toMatch(/no authentication failure.*weaker/);
    s.okta.addEvent(s.app.id, OKTA_EVENTS.authFailure, '2026-11-29T10:01:00Z');
    expect(s.byId(await s.check(), 'okta.console.test-connector').status).toBe('fail');
    // getLastUsed answering undefined (dbt cannot tell) is the same weaker check.
    expect(
      s.byId(await s.check({ dbtToken: lastUsed(undefined) }), 'okta.console.test-connector')
        .status,
    ).toBe('fail');
  });

  it('says so when the System Log may not be read', async () => {
    const s = setup(on);
    s.okta.failNext(
      'listAppLogEvents',
      new WizardError('permission_denied', 'You do not have permission.', { remediation: '' }),
    );
    const item = s.byId(await s.check({ dbtToken: lastUsed(null) }), 'okta.console.test-connector');
    expect(item.status).toBe('pending');
    expect(item.message).toMatch(/okta\.logs\.read/);
  });
});

describe('to-app', () => {
  it('names each missing toggle by its console label', async () => {
    const s = setup({ features: SCIM_ON });
    expect(s.byId(await s.check(), 'okta.console.to-app').message).toMatch(
      /save the Integration settings first/,
    );
    s.okta.setFeatures(s.app.id, [...INTEGRATION_SAVED, OKTA_FEATURES.pushNewUsers]);
    const item = s.byId(await s.check(), 'okta.console.to-app');
    expect(item.status).toBe('pending');
    expect(item.message).toBe(
      'Waiting for Okta: "Update User Attributes" and "Deactivate Users" not shown yet (no PUSH_PROFILE_UPDATES, PUSH_USER_DEACTIVATION in the app’s features).',
    );
    s.okta.setFeatures(s.app.id, ALL_ON);
    const done = s.byId(await s.check(), 'okta.console.to-app');
    expect(done.status).toBe('pass');
    expect(done.message).toMatch(
      /^Okta shows "Create Users", "Update User Attributes" and "Deactivate Users" on \(PUSH_NEW_USERS, PUSH_PROFILE_UPDATES, PUSH_USER_DEACTIVATION in the app’s features\)/,
    );
  });
});

describe('import (optional)', () => {
  it('is skipped for a new integration, pending for an existing one, until Okta shows an import', async () => {
    const s = setup({ features: ALL_ON });
    expect(s.byId(await s.check(), 'okta.console.import')).toMatchObject({
      status: 'skip',
      optional: true,
    });
    const pending = s.byId(await s.check({ existingIntegration: true }), 'okta.console.import');
    expect(pending.status).toBe('pending');
    expect(pending.message).toMatch(/^Waiting for Okta: an import from dbt not shown yet/);

    s.okta.addGroup('Analysts', { type: 'APP_GROUP', sourceId: s.app.id });
    const passed = s.byId(await s.check({ existingIntegration: true }), 'okta.console.import');
    expect(passed).toMatchObject({
      status: 'pass',
      message: 'Okta shows 1 group imported from dbt.',
    });
  });

  it('passes on an import in the System Log, and not on groups imported from another app', async () => {
    const s = setup({ features: ALL_ON });
    s.okta.addGroup('Other', { type: 'APP_GROUP', sourceId: '0oaOTHER0000000000000' });
    expect(s.byId(await s.check({ existingIntegration: true }), 'okta.console.import').status).toBe(
      'pending',
    );
    s.okta.addEvent(s.app.id, OKTA_EVENTS.importSuccess, '2026-11-28T10:00:00Z', {
      outcome: 'SUCCESS',
    });
    const item = s.byId(await s.check({ existingIntegration: true }), 'okta.console.import');
    expect(item.status).toBe('pass');
    expect(item.message).toMatch(/System Log shows an import from dbt at 2026-11-28T10:00:00Z/);
  });
});
