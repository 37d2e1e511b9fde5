/**
 * The Identity provider step for Microsoft Entra ID in real Chromium, against the production
 * renderer build, the test bridge (the real services) and fake dbt and Microsoft Graph hosts on
 * loopback: the good path from tenant settings to a provisioned test user, an app whose creation
 * Entra does not confirm, same-named apps, and the sign-in section in the dark theme.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { startFakeDbt, type FakeDbt } from '../fakes/dbt.js';
import { NON_GALLERY_TEMPLATES, startFakeGraph, type FakeGraph } from '../fakes/graph.js';
import { MemoryKeyEncryptor } from '../helpers/encryptor.js';
import {
  SCREENSHOT_DIR,
  fakeGraphToken,
  launchBrowser,
  openWizard,
  screenshot,
  seriousA11yViolations,
  type Session,
} from './harness.js';

const GRAPH_TOKEN = fakeGraphToken();
/** Entra's replication waits, the first provisioning cycle and the dbt read-back take a while. */
const SLOW = 180_000;

let browser: Browser;
let fakeDbt: FakeDbt;
let fakeGraph: FakeGraph;
const scimTokens: string[] = [];

beforeAll(async () => {
  browser = await launchBrowser();
  fakeDbt = await startFakeDbt({
    accountName: 'Contoso Data',
    sso: 'azure_active_directory',
    scimConfig: { enabled: true },
  });
  fakeGraph = await startFakeGraph({
    token: GRAPH_TOKEN,
    users: [
      {
        userPrincipalName: 'ada@contoso.example',
        givenName: 'Ada',
        surname: 'Lovelace',
        mailNickname: 'ada',
      },
    ],
  });
});

afterAll(async () => {
  await browser.close();
  await fakeGraph.close();
  await fakeDbt.close();
});

function railItem(page: Page, step: string): Locator {
  return page
    .getByRole('navigation', { name: 'Setup steps' })
    .getByRole('button', { name: new RegExp(`^${step},`) });
}

/**
 * A new Entra profile whose Prerequisites and dbt steps are done through the services (the dbt
 * screens have their own e2e), then the Identity provider step open in the window.
 */
async function entraProfileAtIdpStep(s: Session, name: string): Promise<string> {
  const { page } = s;
  await page.getByLabel('Profile name').fill(name);
  await page.getByRole('radio', { name: /Microsoft Entra ID/ }).check();
  await page.getByRole('button', { name: /create/i }).click();
  await page.getByRole('heading', { level: 1, name: 'Prerequisites' }).waitFor();

  const services = s.bridge.services;
  const { activeProfileId } = await services.profiles.list();
  const profileId = activeProfileId ?? '';
  await services.dbt.connect({
    profileId,
    apiUrl: fakeDbt.apiUrl,
    accountId: fakeDbt.accountId,
    apiToken: fakeDbt.adminToken,
  });
  await services.dbt.setScimUrl(profileId, fakeDbt.scimUrl);
  const scimToken = fakeDbt.createScimToken(`scim-entra-${scimTokens.length + 1}`);
  scimTokens.push(scimToken);
  await services.dbt.pasteToken(profileId, scimToken);
  await services.dbt.checkProfile(profileId);

  // The window reads the profiles the services changed.
  await page.reload();
  await expect.poll(() => railItem(page, 'dbt').getAttribute('aria-label')).toBe('dbt, verified');
  await railItem(page, 'Identity provider: Entra ID').click();
  await page.getByRole('heading', { level: 1, name: 'Identity provider: Entra ID' }).waitFor();
  return profileId;
}

/** Section 1 with the Graph URL pointing at the fake, and section 2 with the pasted token. */
async function settingsAndSignIn(page: Page, appName: string): Promise<void> {
  const tenant = page.getByRole('region', { name: '1. Microsoft Entra tenant' });
  const name = tenant.getByRole('textbox', { name: 'Enterprise app name' });
  await name.fill(appName);
  await tenant.getByRole('button', { name: 'Advanced: Graph URL' }).click();
  await tenant.getByRole('textbox', { name: 'Microsoft Graph URL' }).fill(fakeGraph.graphUrl);
  await tenant.getByRole('button', { name: 'Save' }).click();
  await tenant.getByText('Saved. Sign in to Microsoft below to continue.').waitFor();

  const signIn = page.getByRole('region', { name: '2. Sign in to Microsoft' });
  await signIn.getByRole('button', { name: 'Other ways to sign in' }).click();
  await signIn.getByLabel('Microsoft Graph access token').fill(GRAPH_TOKEN);
  await signIn.getByRole('button', { name: 'Use this token' }).click();
  await signIn.getByText(/^Signed in as admin@contoso\.example/).waitFor();
}

async function reviewAndApply(
  page: Page,
  whileApplying?: (section: Locator) => Promise<void>,
): Promise<Locator> {
  const section = page.getByRole('region', { name: '3. Review and apply' });
  await section.getByRole('button', { name: 'Review changes' }).click();
  await section
    .getByRole('list', { name: 'Changes to the Entra app and its provisioning' })
    .waitFor();
  await section.getByRole('button', { name: 'Apply' }).click();
  await section.getByText('Applying the changes in Entra…').waitFor();
  await whileApplying?.(section);
  await section.getByText(/^Checks: \d+ passed/).waitFor({ timeout: SLOW });
  return section;
}

function appsNamed(name: string) {
  return {
    applications: fakeGraph.state.applications.filter((a) => a.displayName === name),
    servicePrincipals: fakeGraph.state.servicePrincipals.filter((p) => p.displayName === name),
  };
}

async function noSecretsInPage(page: Page): Promise<void> {
  const html = await page.content();
  expect(html).not.toContain(GRAPH_TOKEN);
  expect(html).not.toContain(GRAPH_TOKEN.split('.')[2] ?? GRAPH_TOKEN);
  for (const t of scimTokens) {
    expect(html).not.toContain(t);
  }
  expect(html).not.toContain(fakeDbt.adminToken);
}

describe('the Entra ID step', () => {
  it(
    'creates the app, its job, credentials and mappings, then tests a user and reads the status',
    async () => {
      const s = await openWizard(browser, {
        encryptor: new MemoryKeyEncryptor('gnome_libsecret'),
      });
      try {
        const { page } = s;
        await entraProfileAtIdpStep(s, 'Contoso Data (Entra)');
        await settingsAndSignIn(page, 'dbt SCIM');

        const plan = page.getByRole('region', { name: '3. Review and apply' });
        await plan.getByRole('button', { name: 'Review changes' }).click();
        const changes = plan.getByRole('list', {
          name: 'Changes to the Entra app and its provisioning',
        });
        await changes.waitFor();
        expect(await changes.textContent()).toContain('Create the enterprise app "dbt SCIM"');
        expect(await changes.textContent()).toContain('Then: create the provisioning job');
        expect(fakeGraph.state.applications).toHaveLength(0);
        await screenshot(page, 'entra-00-plan');
        expect(await seriousA11yViolations(page)).toEqual([]);

        await plan.getByRole('button', { name: 'Apply' }).click();
        await plan.getByText('Applying the changes in Entra…').waitFor();
        await plan.getByText(/^Checks: \d+ passed/).waitFor({ timeout: SLOW });
        const checks = plan.locator('li[data-status]');
        expect(await checks.count()).toBeGreaterThan(10);
        expect(await plan.locator('li[data-status="fail"]').count()).toBe(0);
        await plan.getByText(/Verified at \d\d:\d\d/).waitFor();
        await expect
          .poll(() => railItem(page, 'Identity provider: Entra ID').getAttribute('aria-label'))
          .toBe('Identity provider: Entra ID, verified');

        // Exactly one app, one service principal, one job; the dbt URL and token saved in Entra.
        expect(fakeGraph.state.applications).toHaveLength(1);
        expect(fakeGraph.state.servicePrincipals).toHaveLength(1);
        const sp = fakeGraph.state.servicePrincipals[0]!;
        expect(fakeGraph.state.jobs.get(sp.id)).toHaveLength(1);
        const secrets = new Map(
          (fakeGraph.state.secrets.get(sp.id) ?? []).map((x) => [x.key, x.value]),
        );
        expect(secrets.get('BaseAddress')).toBe(fakeDbt.scimUrl);
        expect(secrets.get('SecretToken')).toBe(scimTokens[0]);
        expect(fakeGraph.specViolations).toEqual([]);

        // The deep links and the calm note about license types.
        await plan
          .getByRole('link', { name: /Open the app in the Microsoft Entra admin center/ })
          .click();
        await expect
          .poll(() => s.bridge.opened)
          .toEqual([
            `https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Overview/objectId/${sp.id}/appId/${sp.appId}`,
          ]);
        await plan.getByText('dbt does not take license types from Entra over SCIM').waitFor();
        await screenshot(page, 'entra-01-applied');
        expect(await seriousA11yViolations(page)).toEqual([]);

        // 4: one real user, provisioned on demand and read back from dbt.
        const test = page.getByRole('region', { name: '4. Test with a real user' });
        await test
          .getByRole('textbox', { name: 'User principal name' })
          .fill('ada@contoso.example');
        await test.getByRole('button', { name: 'Test with this user' }).click();
        const stages = test.getByRole('list', { name: 'Stages of the test' });
        await stages.waitFor({ timeout: SLOW });
        expect(await stages.locator('[data-status="pass"]').count()).toBe(
          await stages.getByRole('listitem').count(),
        );
        await test.getByText('ada@contoso.example went from Entra to dbt.').waitFor();
        const users = [...fakeDbt.state.users.values()];
        expect(users.map((u) => u.userName)).toContain('ada@contoso.example');
        await stages.scrollIntoViewIfNeeded();
        await screenshot(page, 'entra-02-test-user');
        expect(await seriousA11yViolations(page)).toEqual([]);

        // 5: where the provisioning job stands.
        const status = page.getByRole('region', { name: '5. Provisioning status' });
        await status.getByRole('button', { name: 'Check status' }).click();
        const job = status.getByRole('list', { name: 'Provisioning job' });
        await job.waitFor({ timeout: SLOW });
        expect(await job.locator('[data-status="pass"]').count()).toBeGreaterThanOrEqual(2);
        await status.getByText(/Running at \d\d:\d\d/).waitFor();
        await screenshot(page, 'entra-03-status');
        expect(await seriousA11yViolations(page)).toEqual([]);

        // Still one app after all of it; no token in the page.
        expect(fakeGraph.state.applications).toHaveLength(1);
        expect(fakeGraph.specViolations).toEqual([]);
        await noSecretsInPage(page);
      } finally {
        await s.close();
      }
    },
    SLOW * 2,
  );

  it(
    'ends with exactly one app when Entra answers 404 to a create that worked',
    async () => {
      const s = await openWizard(browser, {
        encryptor: new MemoryKeyEncryptor('gnome_libsecret'),
      });
      const name = 'dbt SCIM (staging)';
      fakeGraph.set({ instantiate404AfterCreate: true });
      try {
        const { page } = s;
        await entraProfileAtIdpStep(s, 'Contoso Data (staging)');
        await settingsAndSignIn(page, name);
        const section = await reviewAndApply(page, async (applying) => {
          // The engine says what it does while Entra has not confirmed the new app.
          await page
            .getByRole('region', { name: 'Activity' })
            .getByText(/Entra did not confirm the new app; looking for it/)
            .waitFor({ timeout: SLOW });
          await applying.getByText(/Waiting for Entra to finish creating the app/).waitFor();
          await applying.scrollIntoViewIfNeeded();
          await screenshot(page, 'entra-04-create-not-confirmed-waiting');
          expect(await seriousA11yViolations(page)).toEqual([]);
        });
        expect(await section.locator('li[data-status="fail"]').count()).toBe(0);
        const found = appsNamed(name);
        expect(found.applications).toHaveLength(1);
        expect(found.servicePrincipals).toHaveLength(1);
        expect(fakeGraph.specViolations).toEqual([]);
        await section
          .getByRole('heading', { level: 2, name: '3. Review and apply' })
          .scrollIntoViewIfNeeded();
        await screenshot(page, 'entra-04-create-not-confirmed-done');
        expect(await seriousA11yViolations(page)).toEqual([]);
        await noSecretsInPage(page);
      } finally {
        fakeGraph.set({ instantiate404AfterCreate: false });
        await s.close();
      }
    },
    SLOW * 2,
  );

  it(
    'lets the admin choose among same-named apps, then reviews again',
    async () => {
      const name = 'dbt SCIM (shared)';
      // Two non-gallery apps of that name already exist (made by hand in the admin center, say).
      const made = [0, 1].map(() => {
        const appId = randomUUID();
        const created = new Date().toISOString();
        const template = NON_GALLERY_TEMPLATES[0]!;
        fakeGraph.state.applications.push({
          id: randomUUID(),
          appId,
          displayName: name,
          applicationTemplateId: template,
          createdDateTime: created,
        });
        const sp = {
          id: randomUUID(),
          appId,
          displayName: name,
          applicationTemplateId: template,
          appRoles: [],
          createdDateTime: created,
        };
        fakeGraph.state.servicePrincipals.push(sp);
        return sp;
      });
      const s = await openWizard(browser, {
        encryptor: new MemoryKeyEncryptor('gnome_libsecret'),
      });
      try {
        const { page } = s;
        const profileId = await entraProfileAtIdpStep(s, 'Contoso Data (shared)');
        await settingsAndSignIn(page, name);
        const section = page.getByRole('region', { name: '3. Review and apply' });
        await section.getByRole('button', { name: 'Review changes' }).click();
        const chooser = section.getByRole('form', { name: 'Choose the app to use' });
        await chooser.waitFor({ timeout: SLOW });
        await chooser.getByText(`Entra has 2 enterprise apps named "${name}".`).waitFor();
        const sorted = [...made].sort((a, b) => a.id.localeCompare(b.id));
        const pick = sorted[1]!;
        await chooser
          .getByRole('radio', { name: `Service principal ${pick.id} · app id ${pick.appId}` })
          .check();
        await chooser.scrollIntoViewIfNeeded();
        await screenshot(page, 'entra-05-same-named-apps');
        expect(await seriousA11yViolations(page)).toEqual([]);

        await chooser.getByRole('button', { name: 'Use this app and review again' }).click();
        await section
          .getByRole('list', { name: 'Changes to the Entra app and its provisioning' })
          .waitFor({ timeout: SLOW });
        const profile = await s.bridge.services.profiles.get(profileId);
        expect(profile.entra?.spId).toBe(pick.id);
        // Nothing new was created: the plan works on the chosen app.
        expect(appsNamed(name).applications).toHaveLength(2);
        expect(await section.getByRole('list', { name: /Changes to/ }).textContent()).not.toContain(
          'Create the enterprise app',
        );
        await noSecretsInPage(page);
      } finally {
        await s.close();
      }
    },
    SLOW,
  );

  it('shows the sign-in calm and accessible in the dark theme', async () => {
    const s = await openWizard(browser, {
      colorScheme: 'dark',
      encryptor: new MemoryKeyEncryptor('gnome_libsecret'),
    });
    try {
      const { page } = s;
      await entraProfileAtIdpStep(s, 'Contoso Data (dark)');
      const tenant = page.getByRole('region', { name: '1. Microsoft Entra tenant' });
      await tenant
        .getByRole('textbox', { name: 'Application (client) ID' })
        .fill('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0');
      await tenant.getByRole('button', { name: 'Save' }).click();
      await tenant.getByText('Saved. Sign in to Microsoft below to continue.').waitFor();
      const signIn = page.getByRole('region', { name: '2. Sign in to Microsoft' });
      await signIn.getByRole('button', { name: 'Sign in with your browser' }).waitFor();
      expect(
        await signIn.getByRole('button', { name: 'Sign in with your browser' }).isEnabled(),
      ).toBe(true);
      await signIn.getByRole('button', { name: 'Other ways to sign in' }).click();
      await signIn.getByText('Kept in memory only').waitFor();
      await signIn.scrollIntoViewIfNeeded();
      await signIn.screenshot({ path: await screenshotPath('entra-06-sign-in-dark') });
      expect(await seriousA11yViolations(page)).toEqual([]);

      await tenant
        .getByRole('button', { name: 'How to register the wizard in your tenant' })
        .click();
      await tenant
        .getByRole('textbox', { name: 'Redirect URI (Mobile and desktop applications)' })
        .waitFor();
      await tenant.screenshot({ path: await screenshotPath('entra-07-registration-dark') });
      expect(await seriousA11yViolations(page)).toEqual([]);
    } finally {
      await s.close();
    }
  }, 60_000);
});

/** The path `screenshot()` would use, for screenshots of one region. */
async function screenshotPath(name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  return join(SCREENSHOT_DIR, `${name}.png`);
}
