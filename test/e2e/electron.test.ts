/**
 * The packaged-app checks that only the real Electron can answer, through Playwright's `_electron`.
 * They run where the Electron binary is installed, and are skipped, with a clear line, where it is
 * not (as on our CI machines, which cannot download it). The binary is located by hand: requiring
 * the `electron` package would start a download.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { _electron as electron } from 'playwright-core';
import { screenshot } from './harness.js';
import { tempDir } from '../helpers/temp.js';

const ROOT = resolve(import.meta.dirname, '../..');

/** The Electron executable, if installed, found the way node_modules/electron/index.js does, without downloading. */
export function electronBinary(): string | undefined {
  const pkg = join(ROOT, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  const candidate = override
    ? join(override, relative ?? 'electron')
    : relative
      ? join(pkg, 'dist', relative)
      : undefined;
  return candidate && existsSync(candidate) ? candidate : undefined;
}

const binary = electronBinary();
if (!binary) {
  console.log(
    'Electron suite skipped: the Electron binary is not installed here (node_modules/electron/path.txt and dist/ are absent). ' +
      'Run "npx install-electron" on a machine with internet access to enable it.',
  );
}

describe.skipIf(!binary)('the Electron app', () => {
  it('opens one hardened window from app:// and creates a profile through the preload', async () => {
    const { dir, cleanup } = await tempDir('scim-electron-');
    const app = await electron.launch({
      executablePath: binary!,
      args: [ROOT],
      env: { ...process.env, DBT_SCIM_WIZARD_HOME: dir, ELECTRON_RENDERER_URL: '' },
    });
    try {
      const page = await app.firstWindow();
      await page.waitForLoadState('domcontentloaded');
      expect(page.url()).toMatch(/^app:\/\/wizard\//);
      expect(await page.title()).toBe('dbt SCIM Wizard');
      // No Node in the page; only the contract's api.
      expect(await page.evaluate('typeof require')).toBe('undefined');
      expect(await page.evaluate('typeof process')).toBe('undefined');
      expect(await page.evaluate('Object.keys(window.api).sort().join(",")')).toContain('profiles');
      // Navigation away is refused.
      await page.evaluate('location.href = "https://example.com/"').catch(() => undefined);
      await page.waitForTimeout(500);
      expect(page.url()).toMatch(/^app:\/\/wizard\//);

      await page.getByLabel('Profile name').fill('Electron check');
      await page.getByRole('radio', { name: /Okta/ }).check();
      await page.getByRole('button', { name: /create/i }).click();
      await page.getByRole('navigation', { name: 'Setup steps' }).waitFor();
      await screenshot(page, 'electron-01-prerequisites');
      // One window only (the single-instance lock and no stray windows).
      expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(
        1,
      );
    } finally {
      await app.close();
      await cleanup();
    }
  });
});
