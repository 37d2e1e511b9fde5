/**
 * The Prerequisites and dbt steps in real Chromium, against the production renderer build, the
 * test bridge (the real services) and a fake dbt host on loopback: the good path from an empty
 * profile to a verified SCIM connection, a refused admin token, and IP restrictions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startFakeDbt, type FakeDbt } from '../fakes/dbt.js';
import { startFakeOktaRanges } from '../fakes/okta-ranges.js';
import { MemoryKeyEncryptor } from '../helpers/encryptor.js';
import { launchBrowser, openWizard, screenshot, seriousA11yViolations } from './harness.js';

let browser: Browser;
let fake: FakeDbt;

beforeAll(async () => {
  browser = await launchBrowser();
  fake = await startFakeDbt({ accountName: 'Acme Analytics' });
});

afterAll(async () => {
  await browser.close();
  await fake.close();
});

async function createProfile(page: Page, name: string): Promise<void> {
  await page.getByLabel('Profile name').fill(name);
  await page.getByRole('radio', { name: /Okta/ }).check();
  await page.getByRole('button', { name: /create/i }).click();
  await page.getByRole('heading', { level: 1, name: 'Prerequisites' }).waitFor();
}

function railItem(page: Page, step: string) {
  return page
    .getByRole('navigation', { name: 'Setup steps' })
    .getByRole('button', { name: new RegExp(`^${step},`) });
}

async function typeAccount(page: Page, token: string): Promise<void> {
  await page.getByLabel('dbt API URL').fill(fake.apiUrl);
  await page.getByLabel('Account id').fill(String(fake.accountId));
  await page.getByLabel('Account-admin service token').fill(token);
  await page.getByRole('button', { name: 'Check prerequisites' }).click();
}

describe('the dbt steps', () => {
  it('connects, turns SCIM on, saves the URL, creates a token and verifies the connection', async () => {
    const s = await openWizard(browser, { encryptor: new MemoryKeyEncryptor('gnome_libsecret') });
    try {
      const { page } = s;
      await createProfile(page, 'Acme Analytics (prod)');

      // Prerequisites: every check passes against the fake account.
      await typeAccount(page, fake.adminToken);
      const checks = page.getByRole('list', { name: 'Prerequisites' });
      await checks.waitFor();
      await expect.poll(() => checks.getByRole('listitem').count()).toBe(3);
      expect(await checks.locator('[data-status="pass"]').count()).toBe(3);
      await expect
        .poll(() => railItem(page, 'Prerequisites').getAttribute('aria-label'))
        .toBe('Prerequisites, verified');
      await page.getByText(`Saved · ends …${fake.adminToken.slice(-4)}`).waitFor();
      expect(await page.locator('input[type="password"]').count()).toBe(0);
      await screenshot(page, 'dbt-01-prerequisites-verified');
      expect(await seriousA11yViolations(page)).toEqual([]);

      // dbt step, 1: review, then apply SCIM on.
      await page.getByRole('button', { name: 'Next: dbt' }).click();
      await page.getByRole('heading', { level: 1, name: 'dbt' }).waitFor();
      const scimOn = page.getByRole('region', { name: '1. Turn SCIM on' });
      await scimOn.getByRole('button', { name: 'Review changes' }).click();
      const plan = scimOn.getByRole('list', { name: 'Changes to dbt’s SCIM settings' });
      await plan.waitFor();
      expect(await plan.textContent()).toContain('Turn SCIM on');
      expect(fake.state.scimConfig.enabled).toBe(false);
      await scimOn.getByRole('button', { name: 'Apply' }).click();
      const verified = scimOn.getByRole('list', { name: 'Verification of dbt’s SCIM settings' });
      await verified.waitFor();
      expect(await verified.locator('[data-status="pass"]').count()).toBe(3);
      expect(fake.state.scimConfig.enabled).toBe(true);
      expect(fake.state.scimConfig.manual_updates_allowed).toBe(false);
      await screenshot(page, 'dbt-02-scim-on');
      expect(await seriousA11yViolations(page)).toEqual([]);

      // 2: the SCIM base URL.
      const url = page.getByRole('region', { name: '2. SCIM base URL' });
      await url.getByRole('textbox', { name: 'SCIM base URL' }).fill(fake.scimUrl);
      await url.getByRole('button', { name: 'Save' }).click();
      await url.getByText('Saved. The connection check below uses this URL.').waitFor();

      // 3: a token created by API, its value straight into the encrypted store.
      const token = page.getByRole('region', { name: '3. SCIM token' });
      await token.getByRole('button', { name: 'Review changes' }).click();
      await token.getByRole('list', { name: 'Changes to dbt’s SCIM tokens' }).waitFor();
      await token.getByRole('button', { name: 'Apply' }).click();
      const tokenChecks = token.getByRole('list', { name: 'Verification of dbt’s SCIM tokens' });
      await tokenChecks.waitFor();
      const live = [...fake.state.scimTokens.values()].filter((t) => !t.deleted);
      expect(live).toHaveLength(1);
      await token.getByText(`ends …${live[0]?.value.slice(-4) ?? ''}`).waitFor();
      const table = token.getByRole('table');
      await table.getByText(live[0]?.name ?? '', { exact: true }).waitFor();
      await table.getByText(`id ${live[0]?.id ?? ''}`, { exact: true }).waitFor();
      await token.getByText('This computer holds it').waitFor();

      // 4: the connection check.
      const check = page.getByRole('region', { name: '4. Check the connection' });
      await check.getByRole('button', { name: 'Check now' }).click();
      const connection = check.getByRole('list', { name: 'Connection checks' });
      await connection.waitFor();
      await expect.poll(() => connection.locator('[data-status="pass"]').count()).toBe(4);
      await expect
        .poll(() => railItem(page, 'dbt').getAttribute('aria-label'))
        .toBe('dbt, verified');
      await screenshot(page, 'dbt-03-connection-verified');
      expect(await seriousA11yViolations(page)).toEqual([]);

      // IP restrictions switched on in dbt: the failing check names them.
      fake.set({ ipRestricted: true });
      try {
        await check.getByRole('button', { name: 'Check now' }).click();
        const alert = check.getByRole('alert').filter({ hasText: 'The connection check failed' });
        await alert.waitFor();
        expect(await alert.textContent()).toMatch(/IP restrictions/);
        await expect
          .poll(() => railItem(page, 'dbt').getAttribute('aria-label'))
          .toBe('dbt, failed');
        await alert.scrollIntoViewIfNeeded();
        await screenshot(page, 'dbt-05-ip-restricted');
        expect(await seriousA11yViolations(page)).toEqual([]);
      } finally {
        fake.set({ ipRestricted: false });
      }

      // Retry after the restriction is lifted passes again.
      await check.getByRole('alert').getByRole('button', { name: 'Retry' }).click();
      await expect
        .poll(() => railItem(page, 'dbt').getAttribute('aria-label'))
        .toBe('dbt, verified');

      // No token value anywhere in the page.
      const html = await page.content();
      expect(html).not.toContain(fake.adminToken);
      for (const t of fake.state.scimTokens.values()) {
        expect(html).not.toContain(t.value);
      }
    } finally {
      await s.close();
    }
  });

  it('names the cause when dbt refuses the admin token, and saves nothing', async () => {
    const s = await openWizard(browser, { encryptor: new MemoryKeyEncryptor('gnome_libsecret') });
    try {
      const { page } = s;
      await createProfile(page, 'Acme Analytics (wrong token)');
      const wrong = 'dbtc_wrongwrongwrongwrongwrong';
      await typeAccount(page, wrong);
      const alert = page.getByRole('alert').filter({ hasText: 'Could not read the dbt account' });
      await alert.waitFor();
      expect(await alert.textContent()).toContain('dbt refused the API token');
      await expect
        .poll(() => railItem(page, 'Prerequisites').getAttribute('aria-label'))
        .toBe('Prerequisites, not started');
      await screenshot(page, 'dbt-04-bad-admin-token');
      expect(await seriousA11yViolations(page)).toEqual([]);

      // Nothing was saved, and the refused token is not in the page's HTML.
      const [profile] = (await s.bridge.services.profiles.list()).profiles;
      expect(await s.bridge.services.secrets.list(profile?.id ?? '')).toEqual([]);
      expect(await page.content()).not.toContain(wrong);
    } finally {
      await s.close();
    }
  });

  it('guides the console steps without an Admin API token, calm and accessible in the dark theme', async () => {
    const s = await openWizard(browser, { colorScheme: 'dark' });
    try {
      const { page } = s;
      await createProfile(page, 'Acme Analytics (console)');
      await page.getByLabel('dbt API URL').fill('https://ab123.us1.dbt.com');
      await page.getByLabel('Account id').fill('12345');
      await page.getByRole('button', { name: 'Check prerequisites' }).click();
      const guided = page.getByRole('region', { name: 'Check it yourself in dbt' });
      await guided.waitFor();
      await guided.getByRole('checkbox', { name: /Enterprise or Enterprise\+ plan/ }).click();
      await guided.getByText(/Ticked at \d\d:\d\d/).waitFor();
      expect(await seriousA11yViolations(page)).toEqual([]);

      // The settings link goes to the system browser through the engine's allowlist.
      await guided.getByRole('link', { name: /Open “SSO & SCIM” in dbt/ }).click();
      await expect
        .poll(() => s.bridge.opened)
        .toEqual(['https://ab123.us1.dbt.com/settings/accounts/12345/pages/sso']);

      await page.getByRole('button', { name: 'Next: dbt' }).click();
      const scimOn = page.getByRole('region', { name: '1. Turn SCIM on' });
      await scimOn.getByText('click “Enable SCIM”', { exact: false }).waitFor();
      await scimOn.getByRole('checkbox', { name: 'I turned SCIM on' }).click();
      await scimOn.getByText(/Done by you at/).waitFor();
      await screenshot(page, 'dbt-06-console-steps-dark');
      expect(await seriousA11yViolations(page)).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it('lets Okta through dbt’s IP restrictions: a cell’s ranges, the plan, apply, then a re-check', async () => {
    const ranges = await startFakeOktaRanges();
    const restricted = await startFakeDbt({ accountName: 'Contoso Data' });
    restricted.state.ipRules.push({
      id: 900,
      name: 'Office',
      type: 1,
      description: 'Office network',
      cidrs: ['10.0.0.0/8'],
      rule_set_enabled: true,
      created_at: new Date().toISOString(),
    });
    const s = await openWizard(browser, {
      encryptor: new MemoryKeyEncryptor('gnome_libsecret'),
      oktaRangesUrl: ranges.url,
    });
    try {
      const { page } = s;
      await createProfile(page, 'Contoso Data');
      await page.getByLabel('dbt API URL').fill(restricted.apiUrl);
      await page.getByLabel('Account id').fill(String(restricted.accountId));
      await page.getByLabel('Account-admin service token').fill(restricted.adminToken);
      await page.getByRole('button', { name: 'Check prerequisites' }).click();

      const panel = page.getByRole('region', { name: 'Allow Okta through dbt’s IP restrictions' });
      await panel.waitFor();
      await expect
        .poll(() => railItem(page, 'Prerequisites').getAttribute('aria-label'))
        .toBe('Prerequisites, needs you');
      const checks = page.getByRole('list', { name: 'Prerequisites' });
      expect(await checks.locator('[data-status="pending"]').textContent()).toMatch(
        /IP restrictions are on/,
      );

      // Okta's cell → its published ranges in the field.
      await panel.getByRole('combobox', { name: 'Okta cell' }).click();
      await page.getByRole('option', { name: 'OK7 (us_cell_7)' }).click();
      await panel.getByRole('button', { name: 'Fill in this cell’s ranges' }).click();
      const field = panel.getByLabel('Address ranges (CIDR, one per line)');
      await expect
        .poll(() => field.inputValue())
        .toBe('198.51.100.0/25\n198.51.100.128/27\n2001:db8:7::/48');

      await panel.getByRole('button', { name: 'Review changes' }).click();
      const plan = panel.getByRole('list', { name: 'Changes to dbt’s IP restriction rules' });
      await plan.waitFor();
      expect(await plan.textContent()).toContain('SCIM provisioning (Okta)');
      expect(restricted.state.ipRules).toHaveLength(1);
      await screenshot(page, 'dbt-07-ip-allow-plan');
      expect(await seriousA11yViolations(page)).toEqual([]);

      await panel.getByRole('button', { name: 'Apply' }).click();
      await panel
        .getByRole('list', { name: 'Verification of dbt’s IP restriction rules' })
        .waitFor();
      await expect
        .poll(() => railItem(page, 'Prerequisites').getAttribute('aria-label'))
        .toBe('Prerequisites, verified');
      const rule = restricted.state.ipRules.find((r) => r.name === 'SCIM provisioning (Okta)');
      expect(rule?.cidrs).toEqual(['198.51.100.0/25', '198.51.100.128/27', '2001:db8:7::/48']);
      expect(rule?.type).toBe(1);
      await expect.poll(() => checks.locator('[data-status="pass"]').count()).toBe(3);
    } finally {
      await s.close();
      await restricted.close();
      await ranges.close();
    }
  });
});
