/**
 * The Identity provider step for Okta in real Chromium, against the production renderer build,
 * the test bridge (the real services) and fake dbt and Okta hosts on loopback: from the sign-in to
 * verified SCIM, as an admin does it — the dbt SSO app and its username format, the console steps
 * (done here through the fake's console controls) turning from "Waiting for Okta" to "Verified at",
 * the SCIM token copied from main, the licenseType attribute and a group push applied after a plan,
 * then a test user pushed by Okta into dbt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
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

/** The console checks poll every 5 s; pushes and read-backs take a few more. */
const CONSOLE_WAIT = 30_000;

let browser: Browser;
let fakeDbt: FakeDbt;
let fakeOkta: FakeOkta;
let scimToken = '';

beforeAll(async () => {
  browser = await launchBrowser();
  fakeDbt = await startFakeDbt({
    accountName: 'Acme Analytics',
    sso: 'okta',
    scimConfig: { enabled: true },
  });
  // Okta pushes to the fake dbt with the token the admin pasted into "Bearer".
  fakeOkta = await startFakeOkta({ scimTarget: { url: fakeDbt.scimUrl, token: '' } });
});

afterAll(async () => {
  await browser.close();
  await fakeOkta.close();
  await fakeDbt.close();
});

function railItem(page: Page, step: string): Locator {
  return page
    .getByRole('navigation', { name: 'Setup steps' })
    .getByRole('button', { name: new RegExp(`^${step},`) });
}

function region(page: Page, name: string): Locator {
  return page.getByRole('region', { name });
}

/** The console step item by its title, within section 3. */
function consoleItem(page: Page, title: RegExp): Locator {
  return region(page, '3. Console steps')
    .getByRole('listitem')
    .filter({
      has: page.getByRole('heading', { level: 3, name: title }),
    });
}

async function oktaProfileAtIdpStep(s: Session): Promise<string> {
  const { page } = s;
  await page.getByLabel('Profile name').fill('Acme (Okta)');
  await page.getByRole('radio', { name: /Okta/ }).check();
  await page.getByRole('button', { name: /create/i }).click();
  await page.getByRole('heading', { level: 1, name: 'Prerequisites' }).waitFor();

  const services = s.bridge.services;
  const profileId = (await services.profiles.list()).activeProfileId ?? '';
  await services.dbt.connect({
    profileId,
    apiUrl: fakeDbt.apiUrl,
    accountId: fakeDbt.accountId,
    apiToken: fakeDbt.adminToken,
  });
  await services.dbt.setScimUrl(profileId, fakeDbt.scimUrl);
  scimToken = fakeDbt.createScimToken('okta-scim');
  await services.dbt.pasteToken(profileId, scimToken);
  await services.dbt.checkProfile(profileId);

  await page.reload();
  await expect.poll(() => railItem(page, 'dbt').getAttribute('aria-label')).toBe('dbt, verified');
  await railItem(page, 'Identity provider: Okta').click();
  await page.getByRole('heading', { level: 1, name: 'Identity provider: Okta' }).waitFor();
  return profileId;
}

function userNameTemplateOf(appId: string): unknown {
  const app = fakeOkta.state.apps.find((a) => a.id === appId);
  const template = app?.credentials.userNameTemplate as { template?: string } | undefined;
  return template?.template;
}

async function noSecretsInPage(page: Page): Promise<void> {
  const html = await page.content();
  for (const secret of [scimToken, fakeOkta.apiToken, fakeDbt.adminToken]) {
    expect(html).not.toContain(secret);
  }
}

async function reviewAndApply(page: Page): Promise<Locator> {
  const section = region(page, '4. Review and apply');
  await section.getByRole('button', { name: 'Review changes' }).click();
  await section.getByRole('button', { name: 'Apply' }).click();
  return section;
}

describe('the Okta step', () => {
  it('goes from the sign-in to verified SCIM, the license attribute, a group push and a test user', async () => {
    const s = await openWizard(browser, { encryptor: new MemoryKeyEncryptor('gnome_libsecret') });
    try {
      const { page } = s;
      const profileId = await oktaProfileAtIdpStep(s);
      const appId = fakeOkta.ids.dbtApp;

      // 1. Connect with the -admin URL an admin copies from the console, and an API token.
      const signIn = region(page, '1. Connect and sign in');
      const adminStyle = `${fakeOkta.url}/admin/dashboard`;
      await signIn.getByRole('textbox', { name: 'Okta org URL' }).fill(adminStyle);
      await signIn.getByRole('radio', { name: 'API token' }).check();
      await signIn
        .getByText(/not scoped/i)
        .first()
        .waitFor();
      await signIn.getByLabel('Okta API token').fill(fakeOkta.apiToken);
      await signIn.getByRole('button', { name: 'Use this token' }).click();
      await signIn.getByText(/^Signed in as /).waitFor();
      await screenshot(page, 'okta-00-signed-in');
      expect(await seriousA11yViolations(page)).toEqual([]);

      // 2. The dbt SSO app, and its username format (dbt's SSO guide set the Okta internal id).
      const app = region(page, '2. The dbt SSO app');
      await app.getByRole('button', { name: 'Search' }).click();
      await app.getByRole('radio', { name: /dbt Cloud/ }).check();
      await app.getByRole('button', { name: 'Use this app' }).click();
      await app
        .getByText(/SAML subject/)
        .first()
        .waitFor();
      await app.getByRole('checkbox', { name: /I understand/ }).check();
      await app.getByRole('button', { name: 'Change the username format to Email' }).click();
      await screenshot(page, 'okta-01-app-and-username');

      // 4, first pass: only the username format can change before SCIM is on.
      let apply = await reviewAndApply(page);
      await expect
        .poll(() => userNameTemplateOf(appId), {
          timeout: CONSOLE_WAIT,
        })
        .toBe('${source.email}');
      expect(fakeOkta.state.fullUpdates).toHaveLength(1);

      // 3. The console steps: each turns green once Okta shows it.
      const enable = consoleItem(page, /Turn on SCIM provisioning/);
      await enable.getByText('Waiting for Okta (checking every 5 s)').waitFor();
      await screenshot(page, 'okta-02-console-waiting');
      expect(await seriousA11yViolations(page)).toEqual([]);
      fakeOkta.console.enableScim(appId);
      await enable.getByText(/^Verified at \d\d:\d\d/).waitFor({ timeout: CONSOLE_WAIT });

      // The token goes from main to the clipboard; the page never holds it.
      const integration = consoleItem(page, /Connect Okta to dbt/);
      await integration.getByRole('button', { name: 'Copy the SCIM token' }).click();
      await integration.getByText(new RegExp(`…${scimToken.slice(-4)}`)).waitFor();
      const pasted = await s.bridge.clipboard.readText();
      expect(pasted).toBe(scimToken);
      await noSecretsInPage(page);
      fakeOkta.console.saveIntegration(appId, {
        baseUrl: fakeDbt.scimUrl,
        token: pasted,
        pushNewUsers: true,
        pushProfileUpdates: true,
        pushGroups: true,
      });
      await integration.getByText(/^Verified at \d\d:\d\d/).waitFor({ timeout: CONSOLE_WAIT });

      // "Test Connector Configuration": dbt sees the token after the admin was shown the step.
      await expect
        .poll(
          async () =>
            (await s.bridge.services.profiles.get(profileId)).okta?.consoleShownAt?.[
              'okta.console.test-connector'
            ],
          { timeout: CONSOLE_WAIT },
        )
        .toBeDefined();
      await new Promise((ok) => setTimeout(ok, 1_100));
      expect((await fakeOkta.console.testConnector(appId)).ok).toBe(true);
      await consoleItem(page, /Test the connection to dbt/)
        .getByText(/^Verified at \d\d:\d\d/)
        .waitFor({ timeout: CONSOLE_WAIT });

      fakeOkta.console.toApp(appId, { create: true, update: true, deactivate: true });
      await consoleItem(page, /Turn on "Create Users"/)
        .getByText(/^Verified at \d\d:\d\d/)
        .waitFor({ timeout: CONSOLE_WAIT });
      await screenshot(page, 'okta-03-console-verified');

      // 5. A group to push, under its dbt name.
      const groups = region(page, '5. Groups to push');
      await groups.getByRole('button', { name: 'Search' }).click();
      await groups.getByRole('checkbox', { name: /^Push dbt_developers/ }).check();
      await groups.getByRole('button', { name: 'Save the groups to push' }).click();
      await expect
        .poll(async () => (await s.bridge.services.profiles.get(profileId)).okta?.groupPushes)
        .toHaveLength(1);

      // 4, second pass: the licenseType attribute and the group push mapping, read back.
      apply = region(page, '4. Review and apply');
      await apply.getByRole('button', { name: 'Review changes' }).click();
      const changes = apply.getByRole('list').first();
      await changes.waitFor();
      expect(await apply.textContent()).toMatch(/licenseType/);
      await screenshot(page, 'okta-04-plan');
      await apply.getByRole('button', { name: 'Apply' }).click();
      await expect
        .poll(() => railItem(page, 'Identity provider: Okta').getAttribute('aria-label'), {
          timeout: CONSOLE_WAIT,
        })
        .toBe('Identity provider: Okta, verified');
      expect(await apply.locator('li[data-status="fail"]').count()).toBe(0);
      const license = fakeOkta.state.appSchemas.get(appId)?.custom.licenseType as
        { enum?: string[] } | undefined;
      expect(license?.enum).toEqual(['it', 'analyst', 'developer', 'read_only']);
      expect(fakeOkta.state.groupPushMappings.filter((m) => m.appId === appId)).toHaveLength(1);
      // No full app update after SCIM was turned on (it can reset a SAML app's provisioning).
      expect(fakeOkta.state.fullUpdates.filter((u) => u.scimWasOn)).toEqual([]);
      expect(fakeOkta.specProblems).toEqual([]);
      await screenshot(page, 'okta-05-applied');
      expect(await seriousA11yViolations(page)).toEqual([]);
      // The same screen in the dark theme (it follows the system's).
      await page.emulateMedia({ colorScheme: 'dark' });
      await expect
        .poll(() => page.locator('html').getAttribute('data-mantine-color-scheme'))
        .toBe('dark');
      await screenshot(page, 'okta-05-applied-dark');
      expect(await seriousA11yViolations(page)).toEqual([]);
      await page.emulateMedia({ colorScheme: 'light' });

      // The Test step: Okta pushes one user, with a license type, and dbt has it.
      await railItem(page, 'Test').click();
      await page.getByRole('heading', { level: 1, name: /^Test/ }).waitFor();
      const test = region(page, '1. Test with one user');
      await test.getByRole('textbox', { name: 'Okta username' }).fill('grace.hopper@acme.example');
      await test.getByLabel('License type').click();
      await page.getByRole('option', { name: 'Analyst' }).click();
      await test.getByRole('button', { name: 'Test with this user' }).click();
      await expect
        .poll(() => [...fakeDbt.state.users.values()].map((u) => u.userName), {
          timeout: CONSOLE_WAIT,
        })
        .toContain('grace.hopper@acme.example');
      await expect
        .poll(() => railItem(page, 'Test').getAttribute('aria-label'), { timeout: CONSOLE_WAIT })
        .toBe('Test, verified');
      await screenshot(page, 'okta-06-test-user');
      await noSecretsInPage(page);
    } finally {
      await s.close();
    }
  }, 240_000);
});
