/**
 * The License types step in real Chromium, against the production renderer build, the test bridge
 * (the real services) and fake dbt and Okta hosts on loopback:
 *  - Entra ID: Entra groups mapped to license types, saved, reviewed, applied with the reviewed
 *    ids, and checked; the fake dbt then holds the license maps and the SCIM license toggle is off;
 *  - Okta: the migration checklist, the toggle button disabled until steps 1–3 pass (a test user's
 *    license type read back over SCIM), then "Manage user licenses with SCIM" turned on in dbt.
 * Each screen is checked with axe in the light and the dark theme, with screenshots.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { licenseSchemaBody } from '../../electron/core/okta/license.js';
import { startFakeDbt, type FakeDbt } from '../fakes/dbt.js';
import { startFakeOkta, type FakeOkta } from '../fakes/okta.js';
import { MemoryKeyEncryptor } from '../helpers/encryptor.js';
import {
  launchBrowser,
  openWizard,
  screenshot,
  seriousA11yViolations,
  type Session,
} from './harness.js';

/** The Okta push and the read-back from dbt take a few seconds. */
const SLOW = 30_000;

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser.close();
});

function railItem(page: Page, step: string): Locator {
  return page
    .getByRole('navigation', { name: 'Setup steps' })
    .getByRole('button', { name: new RegExp(`^${step},`) });
}

function region(page: Page, name: string): Locator {
  return page.getByRole('region', { name });
}

/** Axe in the light theme, then the same screen in the dark theme, with a screenshot of each. */
async function lightAndDark(page: Page, name: string): Promise<void> {
  await screenshot(page, name);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect
    .poll(() => page.locator('html').getAttribute('data-mantine-color-scheme'))
    .toBe('dark');
  await screenshot(page, `${name}-dark`);
  expect(await seriousA11yViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: 'light' });
  await expect
    .poll(() => page.locator('html').getAttribute('data-mantine-color-scheme'))
    .toBe('light');
}

async function noSecretsInPage(page: Page, secrets: readonly string[]): Promise<void> {
  const html = await page.content();
  for (const secret of secrets) {
    expect(html).not.toContain(secret);
  }
}

/**
 * A new profile whose dbt side is connected through the services (the dbt screens have their own
 * e2e); `prepare` then sets up the IdP side; the License types step is opened in the window.
 */
async function profileAtLicenseStep(
  s: Session,
  dbt: FakeDbt,
  idp: 'okta' | 'entra',
  name: string,
  prepare: (profileId: string, scimToken: string) => Promise<void> = () => Promise.resolve(),
): Promise<{ profileId: string; scimToken: string }> {
  const { page } = s;
  await page.getByLabel('Profile name').fill(name);
  await page.getByRole('radio', { name: idp === 'okta' ? /Okta/ : /Microsoft Entra ID/ }).check();
  await page.getByRole('button', { name: /create/i }).click();
  await page.getByRole('heading', { level: 1, name: 'Prerequisites' }).waitFor();

  const services = s.bridge.services;
  const profileId = (await services.profiles.list()).activeProfileId ?? '';
  await services.dbt.connect({
    profileId,
    apiUrl: dbt.apiUrl,
    accountId: dbt.accountId,
    apiToken: dbt.adminToken,
  });
  await services.dbt.setScimUrl(profileId, dbt.scimUrl);
  const scimToken = dbt.createScimToken(`scim-${idp}-license`);
  await services.dbt.pasteToken(profileId, scimToken);
  await prepare(profileId, scimToken);

  await page.reload();
  await railItem(page, 'License types').click();
  await page.getByRole('heading', { level: 1, name: 'License types' }).waitFor();
  return { profileId, scimToken };
}

describe('the License types step', () => {
  it('Entra ID: maps groups to license types in dbt, reviewed, applied and checked', async () => {
    const fakeDbt = await startFakeDbt({
      accountName: 'Contoso Data',
      sso: 'azure_active_directory',
      scimConfig: { enabled: true },
      licenseMaps: [{ license_type: 'it', sso_license_mapping_groups: ['Security Admins'] }],
    });
    const s = await openWizard(browser, { encryptor: new MemoryKeyEncryptor('gnome_libsecret') });
    try {
      const { page } = s;
      const { scimToken } = await profileAtLicenseStep(s, fakeDbt, 'entra', 'Contoso (licenses)');
      const maps = region(page, '1. Entra groups for each license type');
      await maps.getByText(/The dbt account is on the/).waitFor();
      await expect.poll(() => maps.textContent()).toContain('does not take a license type');

      const add = async (type: string, group: string): Promise<void> => {
        await maps.getByRole('textbox', { name: `Entra group for ${type}` }).fill(group);
        await maps.getByRole('button', { name: `Add to ${type}` }).click();
        await maps
          .getByRole('list', { name: `Entra groups for ${type}` })
          .getByText(group)
          .waitFor();
      };
      await add('Developer', 'Data Engineers');
      await add('Read Only', 'Finance');
      await add('Read Only', 'Analytics Viewers');
      await maps.getByRole('button', { name: 'Save the groups' }).click();
      await maps.getByText('Saved', { exact: true }).waitFor();
      await lightAndDark(page, 'license-01-entra-groups');

      const apply = region(page, '2. Review, apply and check');
      await apply.getByRole('button', { name: 'Review the license maps' }).click();
      const plan = apply.getByRole('list', { name: 'Changes to dbt’s license maps' });
      await plan.waitFor();
      expect(await plan.getByRole('listitem').count()).toBe(2);
      expect(fakeDbt.state.licenseMaps).toHaveLength(1);
      await screenshot(page, 'license-02-entra-plan');

      await apply.getByRole('button', { name: 'Apply' }).click();
      await apply.getByText('dbt’s license maps now match the groups above.').waitFor();
      expect(
        fakeDbt.state.licenseMaps.map((m) => [m.license_type, m.sso_license_mapping_groups]),
      ).toEqual([
        ['it', ['Security Admins']],
        ['developer', ['Data Engineers']],
        ['read_only', ['Finance', 'Analytics Viewers']],
      ]);
      expect(fakeDbt.state.scimConfig.scim_controlled_license_type).toBe(false);

      await apply.getByRole('button', { name: 'Check the license maps' }).click();
      const checks = apply.getByRole('list', { name: 'Verification of the license maps' });
      await checks.waitFor();
      await expect.poll(() => checks.locator('li[data-status="pass"]').count()).toBe(3);
      expect(await checks.locator('li:not([data-status="pass"])').count()).toBe(0);
      await expect
        .poll(() => railItem(page, 'License types').getAttribute('aria-label'))
        .toBe('License types, verified');
      await noSecretsInPage(page, [scimToken, fakeDbt.adminToken]);
      await lightAndDark(page, 'license-03-entra-checked');
    } finally {
      await s.close();
      await fakeDbt.close();
    }
  });

  it('Okta: the checklist gates the toggle until 1–3 pass, then turns it on in dbt', async () => {
    const fakeDbt = await startFakeDbt({
      accountName: 'Acme Analytics',
      sso: 'okta',
      scimConfig: { enabled: true },
    });
    // Okta pushes to the fake dbt with the token the Integration tab holds.
    const fakeOkta: FakeOkta = await startFakeOkta({
      scimTarget: { url: fakeDbt.scimUrl, token: '' },
    });
    const appId = fakeOkta.ids.dbtApp;
    const s = await openWizard(browser, { encryptor: new MemoryKeyEncryptor('gnome_libsecret') });
    try {
      const { page } = s;
      const services = s.bridge.services;
      const { profileId, scimToken } = await profileAtLicenseStep(
        s,
        fakeDbt,
        'okta',
        'Acme (licenses)',
        async (id, token) => {
          // The Okta step, done: signed in, the app chosen, SCIM on, the attribute in place.
          await services.okta.connect({
            profileId: id,
            orgUrl: fakeOkta.url,
            signInMethod: 'token',
          });
          await services.oktaSignIn.useToken(id, fakeOkta.apiToken);
          await services.okta.chooseApp(id, appId);
          fakeOkta.console.setUserNameTemplate(appId, {
            template: '${source.email}',
            type: 'BUILT_IN',
          });
          fakeOkta.console.enableScim(appId);
          fakeOkta.console.saveIntegration(appId, {
            baseUrl: fakeDbt.scimUrl,
            token,
            pushNewUsers: true,
            pushProfileUpdates: true,
            pushGroups: false,
          });
          fakeOkta.console.toApp(appId, { create: true, update: true, deactivate: true });
          const port = services.okta.port(fakeOkta.url, {
            kind: 'ssws',
            token: fakeOkta.apiToken,
          });
          await port.updateAppUserSchema(appId, licenseSchemaBody());
        },
      );

      // Section 1 stays as it was; sections 2 and 3 follow.
      await region(page, '1. The licenseType attribute').waitFor();
      await region(page, '2. Group-based license types (optional)').waitFor();
      const checklist = region(page, '3. The migration checklist');
      const turnOn = checklist.getByRole('button', {
        name: 'Turn on “Manage user licenses with SCIM”…',
      });
      expect(await turnOn.isDisabled()).toBe(true);

      await checklist.getByRole('button', { name: 'Check the four steps' }).click();
      const items = checklist.getByRole('list', { name: 'The migration checklist' });
      await items.waitFor({ timeout: SLOW });
      await expect.poll(() => items.getByRole('listitem').count()).toBe(4);
      const statuses = async (): Promise<(string | null)[]> =>
        Promise.all(
          (await items.getByRole('listitem').all()).map((li) => li.getAttribute('data-status')),
        );
      expect(await statuses()).toEqual(['pass', 'pass', 'pending', 'pending']);
      expect(await turnOn.isDisabled()).toBe(true);
      await checklist.getByText('Waits until steps 1–3 of the checklist pass.').waitFor();
      await lightAndDark(page, 'license-04-okta-checklist-waiting');

      // Optional: License Type from Okta groups, saved, reviewed as Okta Expression Language.
      const groups = region(page, '2. Group-based license types (optional)');
      await groups.getByRole('button', { name: 'Add a rule' }).click();
      await groups.getByRole('textbox', { name: 'Okta group (rule 1)' }).fill('dbt_developers');
      await groups
        .getByRole('combobox', { name: 'License type (rule 1)' })
        .selectOption('developer');
      await groups.getByRole('combobox', { name: 'Everyone else gets' }).selectOption('read_only');
      await groups.getByRole('button', { name: 'Save the rules' }).click();
      await groups.getByText('Saved, not applied yet').waitFor();
      await groups.getByRole('button', { name: 'Review the Okta mapping' }).click();
      const expression = 'isMemberOfGroupName("dbt_developers") ? "developer" : "read_only"';
      await groups.getByText(expression, { exact: true }).waitFor({ timeout: SLOW });
      await lightAndDark(page, 'license-05-okta-group-rules');
      await groups.getByRole('button', { name: 'Apply' }).click();
      await groups.getByText('Okta now sets License Type from these groups.').waitFor({
        timeout: SLOW,
      });
      const mapping = fakeOkta.state.profileMappings.find(
        (m) => m.target.id === appId && m.source.type === 'user',
      );
      expect(mapping?.properties.licenseType).toEqual({ expression, pushStatus: 'PUSH' });

      // The Test step's person: Okta pushes them with a License Type, dbt reads it.
      const tested = await services.okta.testUser(
        profileId,
        'alan.turing@acme.example',
        'developer',
      );
      expect(tested.phase).toBe('verified');
      expect(fakeDbt.state.scimConfig.scim_controlled_license_type).toBe(false);

      await checklist.getByRole('button', { name: 'Check the four steps' }).click();
      await expect.poll(statuses, { timeout: SLOW }).toEqual(['pass', 'pass', 'pass', 'pending']);
      await expect.poll(() => turnOn.isEnabled()).toBe(true);
      await turnOn.click();
      const plan = checklist.getByRole('list', { name: 'Change to dbt’s SCIM settings' });
      await plan.waitFor({ timeout: SLOW });
      expect(await plan.textContent()).toContain(
        'existing license mappings in dbt are then ignored',
      );
      expect(fakeDbt.state.scimConfig.scim_controlled_license_type).toBe(false);
      await screenshot(page, 'license-06-okta-toggle-plan');

      await checklist.getByRole('button', { name: 'Turn it on' }).click();
      await checklist
        .getByText('“Manage user licenses with SCIM” is on: dbt takes license types from Okta.')
        .waitFor({ timeout: SLOW });
      expect(fakeDbt.state.scimConfig).toEqual({
        enabled: true,
        manual_updates_allowed: false,
        scim_controlled_license_type: true,
      });
      await expect.poll(statuses).toEqual(['pass', 'pass', 'pass', 'pass']);
      await expect
        .poll(() => railItem(page, 'License types').getAttribute('aria-label'))
        .toBe('License types, verified');
      await noSecretsInPage(page, [scimToken, fakeDbt.adminToken, fakeOkta.apiToken]);
      await lightAndDark(page, 'license-07-okta-toggle-on');
      expect(fakeOkta.specProblems).toEqual([]);
    } finally {
      await s.close();
      await fakeOkta.close();
      await fakeDbt.close();
    }
  });
});
