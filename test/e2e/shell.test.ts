/**
 * The wizard shell in real Chromium against the production renderer build and the test bridge
 * (the same handler table as Electron main): first run, the rail, keyboard, themes, axe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { MemoryKeyEncryptor } from '../helpers/encryptor.js';
import { launchBrowser, openWizard, screenshot, seriousA11yViolations } from './harness.js';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser.close();
});

describe('the wizard shell', () => {
  it('walks first run → rail → steps by keyboard, and persists progress per profile', async () => {
    const s = await openWizard(browser, { encryptor: new MemoryKeyEncryptor('gnome_libsecret') });
    try {
      const { page } = s;
      await page.getByRole('heading', { name: /Set up SCIM/i }).waitFor();
      await screenshot(page, 'shell-01-first-run-light');
      expect(await seriousA11yViolations(page)).toEqual([]);

      // Creating without a name is refused in the page, before any call.
      await page.getByRole('button', { name: /create/i }).click();
      await page.getByText(/give the profile a name/i).waitFor();

      await page.getByLabel('Profile name').fill('Acme Analytics (prod)');
      await page.getByRole('radio', { name: /Okta/ }).check();
      await page.getByRole('button', { name: /create/i }).click();

      const rail = page.getByRole('navigation', { name: 'Setup steps' });
      await rail.waitFor();
      const items = rail.getByRole('link').or(rail.getByRole('button'));
      // The Overview, then the six steps.
      expect(await items.count()).toBe(7);
      await expect
        .poll(() => rail.locator('[aria-current="step"]').getAttribute('aria-label'))
        .toMatch(/^Prerequisites/);
      await screenshot(page, 'shell-02-prerequisites');
      expect(await seriousA11yViolations(page)).toEqual([]);

      // Keyboard: focus the current step, move down twice, open it.
      await rail.locator('[aria-current="step"]').focus();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await expect
        .poll(() => rail.locator('[aria-current="step"]').getAttribute('aria-label'))
        .toMatch(/^Identity provider/);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await screenshot(page, 'shell-03-idp-okta');

      // The bridge served the real services: the profile and its current step are on disk.
      const saved = await s.bridge.services.profiles.list();
      expect(saved.profiles).toHaveLength(1);
      expect(saved.profiles[0]).toMatchObject({
        name: 'Acme Analytics (prod)',
        idp: 'okta',
        currentStep: 'idp',
      });

      // A reload resumes where the admin was.
      await page.reload();
      await expect
        .poll(() => rail.locator('[aria-current="step"]').getAttribute('aria-label'))
        .toMatch(/^Identity provider/);
    } finally {
      await s.close();
    }
  });

  it('is calm and accessible in the dark theme, and warns when tokens can only be kept in memory', async () => {
    const s = await openWizard(browser, { colorScheme: 'dark' });
    try {
      const { page } = s;
      await page.getByLabel('Profile name').fill('Contoso');
      await page.getByRole('radio', { name: /Entra/ }).check();
      await page.getByRole('button', { name: /create/i }).click();
      await page.getByRole('navigation', { name: 'Setup steps' }).waitFor();
      await page
        .getByText(/kept in memory only/i)
        .first()
        .waitFor();
      await screenshot(page, 'shell-04-dark-entra');
      expect(await seriousA11yViolations(page)).toEqual([]);
      const bg = await page.evaluate<string>('getComputedStyle(document.body).backgroundColor');
      // A dark background: each channel well under half.
      const [r, g, b] = (bg.match(/\d+/g) ?? []).map(Number);
      expect(Math.max(r ?? 255, g ?? 255, b ?? 255)).toBeLessThan(80);
    } finally {
      await s.close();
    }
  });

  it('refuses calls from another origin at the bridge (the sender check of the test face)', async () => {
    const s = await openWizard(browser);
    try {
      const res = await fetch(`${s.bridge.url}__bridge/invoke/profiles:list`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: 'http://evil.example' },
        body: '{}',
      });
      expect(res.status).toBe(403);
    } finally {
      await s.close();
    }
  });
});
