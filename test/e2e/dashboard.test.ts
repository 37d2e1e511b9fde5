/**
 * The Overview (home dashboard) in real Chromium, against the production renderer build, the test
 * bridge (the real services, the real status check) and fake dbt and Microsoft Graph hosts on
 * loopback: an Entra profile set up through the services, then the Overview checks by itself,
 * "Check now" runs again and shows its progress, a healthy setup reads calmly; then dbt and Entra
 * drift (manual updates turned on in dbt, the job in quarantine) and the problems come first, each
 * with a button to its step. Axe in light and dark; screenshots of both states.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { SECRET_DBT_SCIM } from '../../electron/services/dbt.js';
import { startFakeDbt, type FakeDbt } from '../fakes/dbt.js';
import { startFakeGraph, type FakeGraph } from '../fakes/graph.js';
import { MemoryKeyEncryptor } from '../helpers/encryptor.js';
import {
  fakeGraphToken,
  launchBrowser,
  openWizard,
  screenshot,
  seriousA11yViolations,
  type Session,
} from './harness.js';

const GRAPH_TOKEN = fakeGraphToken();
const SCIM_TOKEN = `dbtc_PLANTEDdashboard${randomUUID().replaceAll('-', '')}`;
/** Entra's replication waits and a full check against the fakes take a while. */
const SLOW = 120_000;

let browser: Browser;
let fakeDbt: FakeDbt;
let fakeGraph: FakeGraph;

beforeAll(async () => {
  browser = await launchBrowser();
  fakeDbt = await startFakeDbt({
    accountName: 'Contoso Data',
    sso: 'azure_active_directory',
    scimConfig: { enabled: true },
  });
  fakeGraph = await startFakeGraph({ token: GRAPH_TOKEN });
});

afterAll(async () => {
  await browser.close();
  await fakeGraph.close();
  await fakeDbt.close();
});

function rail(page: Page): Locator {
  return page.getByRole('navigation', { name: 'Setup steps' });
}

/**
 * A new Entra profile set up through the services (the step screens have their own e2e): dbt
 * connected, the SCIM token saved, the wizard signed in to Entra, the app and its job applied.
 */
async function entraProfileSetUp(s: Session, name: string): Promise<string> {
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
  fakeDbt.createScimToken('dbt-scim-wizard-entra', SCIM_TOKEN);
  await services.secrets.set(profileId, SECRET_DBT_SCIM, SCIM_TOKEN);
  const tokenId = [...fakeDbt.state.scimTokens.values()].find(
    (t) => t.name === 'dbt-scim-wizard-entra',
  )?.id;
  await services.profiles.update(profileId, {
    dbt: { scimTokenId: tokenId, scimTokenName: 'dbt-scim-wizard-entra' },
  });
  await services.dbt.checkProfile(profileId);
  await services.entraSignIn.useToken(profileId, GRAPH_TOKEN);
  await services.entra.connect({ profileId, graphUrl: fakeGraph.graphUrl, appName: 'dbt SCIM' });
  const applied = await services.entra.run(profileId, 'apply');
  expect(applied.phase).toBe('verified');
  return profileId;
}

async function noSecretsInPage(page: Page): Promise<void> {
  const html = await page.content();
  for (const secret of [SCIM_TOKEN, GRAPH_TOKEN, fakeDbt.adminToken, 'PLANTED']) {
    expect(html).not.toContain(secret);
  }
}

async function darkToo(page: Page, name: string): Promise<void> {
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

/** Puts every provisioning job of the fake tenant in quarantine, as Entra does after failures. */
function quarantineJobs(): void {
  for (const jobs of fakeGraph.state.jobs.values()) {
    for (const j of jobs) {
      const at = new Date().toISOString();
      j.statusCode = 'Quarantine';
      j.quarantine = {
        currentBegan: at,
        nextAttempt: new Date(Date.now() + 6 * 3600_000).toISOString(),
        reason: 'EncounteredQuarantineException',
        seriesBegan: at,
        seriesCount: 1,
        error: {
          code: 'SystemForCrossDomainIdentityManagementCredentialValidationUnavailable',
          message: 'The SCIM endpoint refused the credentials.',
          tenantActionable: true,
        },
      };
    }
  }
}

describe('the Overview', () => {
  it(
    'checks the setup, shows it healthy, then puts the drift first with a way to fix it',
    async () => {
      const s = await openWizard(browser, {
        encryptor: new MemoryKeyEncryptor('gnome_libsecret'),
      });
      try {
        const { page } = s;
        const profileId = await entraProfileSetUp(s, 'Contoso Data (Entra)');
        // The setup is complete once the test step is verified too: the app then opens on the
        // Overview, which, with no saved result, checks by itself once.
        await s.bridge.services.profiles.setStepStatus(profileId, 'test', 'verified');
        await page.reload();
        const heading = page.getByRole('heading', { level: 1, name: 'Overview' });
        await heading.waitFor();
        const overviewEntry = rail(page).getByRole('button', { name: /^Overview,/ });
        expect(await overviewEntry.getAttribute('aria-current')).toBe('page');
        const health = page.getByRole('region', { name: 'Health' });
        await health.getByText(/^Check finished: /).waitFor({ timeout: SLOW });

        // Check now: the progress shows while it runs, in a live region.
        await health.getByRole('button', { name: 'Check now' }).click();
        await health
          .getByRole('status')
          .getByText('Checking dbt, Entra ID and the SCIM token… this takes a few seconds.')
          .waitFor();
        await health.getByText('Check finished: Healthy.').waitFor({ timeout: SLOW });

        await health.getByText(/^All \d+ checks passed\.$/).waitFor();
        await health.getByText(/^Last full check: .+ \(just now\)\.$/).waitFor();
        expect(await overviewEntry.getAttribute('aria-label')).toBe('Overview, healthy');

        const token = page.getByRole('region', { name: 'SCIM token' });
        expect(await token.textContent()).toContain('dbt-scim-wizard-entra');
        expect(await token.textContent()).toContain(`ending in ${SCIM_TOKEN.slice(-4)}`);
        await token.getByText('On schedule').waitFor();
        const job = page.getByRole('region', { name: 'Provisioning in Entra ID' });
        await job.getByText('Running', { exact: true }).waitFor();
        await page.getByRole('region', { name: 'Single sign-on certificate' }).waitFor();
        expect(await page.getByRole('region', { name: 'What needs attention' }).count()).toBe(0);
        await page.getByText(/^\d+ checks passed/).waitFor();
        await noSecretsInPage(page);
        await screenshot(page, 'dashboard-healthy');
        expect(await seriousA11yViolations(page)).toEqual([]);
        await darkToo(page, 'dashboard-healthy');

        // Drift: "Allow manual updates" turned on in dbt, the job put in quarantine by Entra.
        fakeDbt.state.scimConfig.manual_updates_allowed = true;
        quarantineJobs();
        await health.getByRole('button', { name: 'Check now' }).click();
        await health.getByText('Check finished: Needs attention.').waitFor({ timeout: SLOW });
        expect(await overviewEntry.getAttribute('aria-label')).toBe('Overview, needs attention');
        await job.getByText('In quarantine', { exact: true }).waitFor();

        const problems = page.getByRole('region', { name: 'What needs attention' });
        const rows = problems.getByRole('list', { name: 'Items to look at' }).getByRole('listitem');
        expect(await rows.count()).toBeGreaterThanOrEqual(2);
        const text = (await problems.textContent()) ?? '';
        expect(text).toMatch(/manual updates/i);
        expect(text).toMatch(/quarantine/i);
        // The failures come before what waits for the admin.
        const statuses: (string | null)[] = [];
        for (let i = 0; i < (await rows.count()); i++) {
          statuses.push(await rows.nth(i).getAttribute('data-status'));
        }
        const firstPending = statuses.indexOf('pending');
        if (firstPending >= 0) {
          expect(statuses.slice(firstPending)).not.toContain('fail');
        }
        await noSecretsInPage(page);
        await screenshot(page, 'dashboard-problems');
        expect(await seriousA11yViolations(page)).toEqual([]);
        await darkToo(page, 'dashboard-problems');

        // A problem's button opens the step that fixes it, and its heading takes focus.
        await problems.getByRole('button', { name: 'Open dbt' }).first().click();
        const dbtHeading = page.getByRole('heading', { level: 1, name: 'dbt' });
        await dbtHeading.waitFor();
        await page.locator('h1:focus', { hasText: 'dbt' }).waitFor();
        expect(
          await rail(page).locator('[aria-current="step"]').getAttribute('aria-label'),
        ).toMatch(/^dbt,/);
        expect(await overviewEntry.getAttribute('aria-current')).toBeNull();
      } finally {
        fakeDbt.state.scimConfig.manual_updates_allowed = false;
        await s.close();
      }
    },
    SLOW * 2,
  );
});
