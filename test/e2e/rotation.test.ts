/**
 * The Rotation step in real Chromium, against the production renderer build, the test bridge (the
 * real services) and the fake dbt on loopback: an overdue Okta token is rotated with one guided
 * paste. The new token goes to the clipboard from the engine (the page never holds it), Okta's
 * connector test is played by calling dbt's SCIM API with it, and the old token is deleted only
 * once the new one is proven in use. Axe in light and dark, screenshots of each stage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Locator, Page } from 'playwright-core';
import { SECRET_DBT_API, SECRET_DBT_SCIM } from '../../electron/services/dbt.js';
import { entraCliJournalId, staticTokenProvider } from '../../electron/services/entra.js';
import { startFakeDbt, type FakeDbt } from '../fakes/dbt.js';
import { startFakeGraph, type FakeGraph } from '../fakes/graph.js';
import { MemoryKeyEncryptor } from '../helpers/encryptor.js';
import { launchBrowser, openWizard, screenshot, seriousA11yViolations } from './harness.js';

const OLD_VALUE = 'dbtc_PLANTEDe2eRotationOldToken0123456789';
const DAY = 24 * 60 * 60 * 1000;

let browser: Browser;
let fakeDbt: FakeDbt;
let fakeGraph: FakeGraph;

beforeAll(async () => {
  browser = await launchBrowser();
  fakeDbt = await startFakeDbt({ scimConfig: { enabled: true } });
  fakeGraph = await startFakeGraph();
});

afterAll(async () => {
  await browser.close();
  await fakeGraph.close();
  await fakeDbt.close();
});

function region(page: Page, name: RegExp | string): Locator {
  return page.getByRole('region', { name });
}

/** The data-status of each stage in the checklist, in order. */
async function statuses(list: Locator): Promise<(string | null)[]> {
  const items = await list.getByRole('listitem').all();
  return Promise.all(items.map((i) => i.getAttribute('data-status')));
}

const live = () => [...fakeDbt.state.scimTokens.values()].filter((t) => !t.deleted);

describe('the Rotation step', () => {
  it('shows the overdue token, rotates it with one paste into Okta, and deletes the old token last', async () => {
    const s = await openWizard(browser, { encryptor: new MemoryKeyEncryptor('gnome_libsecret') });
    try {
      const { page } = s;
      const services = s.bridge.services;

      // A finished Okta setup whose token was created 100 days ago (the default is every 90).
      fakeDbt.createScimToken('scim-okta-old', OLD_VALUE);
      const old = live().find((t) => t.name === 'scim-okta-old');
      if (!old) {
        throw new Error('no old token');
      }
      old.last_used = new Date(Date.now() - DAY).toISOString();
      const created = new Date(Date.now() - 100 * DAY).toISOString();
      const profile = await services.profiles.create({ name: 'Acme (Okta)', idp: 'okta' });
      await services.profiles.update(profile.id, {
        dbt: {
          apiUrl: fakeDbt.apiUrl,
          accountId: fakeDbt.accountId,
          scimUrl: fakeDbt.scimUrl,
          scimTokenId: old.id,
          scimTokenName: 'scim-okta-old',
          scimTokenCreatedAt: created,
        },
        currentStep: 'rotation',
      });
      await services.secrets.set(profile.id, SECRET_DBT_API, fakeDbt.adminToken);
      await services.secrets.set(profile.id, SECRET_DBT_SCIM, OLD_VALUE);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Rotation' }).waitFor();

      // The schedule says it is overdue, in words.
      const schedule = region(page, /Schedule/);
      await schedule.getByText(/The SCIM token rotation is overdue by 10 days/).waitFor();
      await expect.poll(() => schedule.textContent()).toContain('Overdue');
      await screenshot(page, 'rotation-01-overdue');
      expect(await seriousA11yViolations(page)).toEqual([]);

      // Start: dbt makes the new token, the wizard checks it, then waits for Okta's paste.
      const run = region(page, /Rotate the SCIM token/);
      await run.getByRole('button', { name: 'Rotate the SCIM token' }).click();
      await run
        .getByText('The rotation waits for you: do the step below, then check again.')
        .waitFor();
      const stages = run.getByRole('list', { name: 'Rotation stages' });
      await expect
        .poll(() => statuses(stages))
        .toEqual(['pass', 'pass', 'pending', 'pending', 'pending', 'pending']);
      expect(live()).toHaveLength(2);

      // The copy goes through the engine to the clipboard; the page shows the last four only.
      await run.getByRole('button', { name: 'Copy the new SCIM token' }).click();
      const copied = await s.bridge.clipboard.readText();
      expect(copied).not.toBe('');
      expect(copied).not.toBe(OLD_VALUE);
      await run
        .getByText(new RegExp(copied.slice(-4)))
        .first()
        .waitFor();
      expect(await page.content()).not.toContain(copied);
      await screenshot(page, 'rotation-02-waiting-for-paste');
      expect(await seriousA11yViolations(page)).toEqual([]);

      // "Check again" before the paste: still waiting, both tokens in place.
      await run.getByRole('button', { name: 'Check again' }).click();
      await run
        .getByText('The rotation waits for you: do the step below, then check again.')
        .waitFor();
      expect(live()).toHaveLength(2);

      // The admin pastes it and tests the connector: Okta calls dbt with the new token.
      const res = await fetch(`${fakeDbt.scimUrl}/Users?count=1`, {
        headers: { authorization: `Bearer ${copied}` },
      });
      expect(res.status).toBe(200);
      await run.getByRole('button', { name: 'Check again' }).click();
      await run
        .getByText('The rotation is done: the identity provider uses the new token.')
        .waitFor();
      await expect
        .poll(() => statuses(stages))
        .toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
      expect(live().map((t) => t.value)).toEqual([copied]);

      // The schedule starts again, and the history lists the rotation.
      await schedule.getByText(/The next SCIM token rotation is due on/).waitFor();
      const history = page.getByRole('table', { name: 'Rotation history' });
      await history.getByRole('cell', { name: 'Done' }).waitFor();
      expect(await history.textContent()).toContain('scim-okta-old →');
      await page
        .getByRole('navigation', { name: 'Setup steps' })
        .getByRole('button', { name: /^Rotation, verified/ })
        .waitFor();
      await screenshot(page, 'rotation-03-done');
      expect(await seriousA11yViolations(page)).toEqual([]);

      await page.emulateMedia({ colorScheme: 'dark' });
      await expect
        .poll(() => page.locator('html').getAttribute('data-mantine-color-scheme'))
        .toBe('dark');
      await screenshot(page, 'rotation-03-done-dark');
      expect(await seriousA11yViolations(page)).toEqual([]);

      const html = await page.content();
      for (const secret of [OLD_VALUE, copied, fakeDbt.adminToken]) {
        expect(html).not.toContain(secret);
      }
    } finally {
      await s.close();
    }
  }, 120_000);

  it('rotates an Entra token in one click: validated, saved in Entra, proven, the old one refused', async () => {
    const s = await openWizard(browser, { encryptor: new MemoryKeyEncryptor('gnome_libsecret') });
    try {
      const { page } = s;
      const services = s.bridge.services;
      for (const t of fakeDbt.state.scimTokens.values()) {
        t.deleted = true;
      }
      // Entra set up with a first token (as the Identity provider step leaves it).
      const first = fakeDbt.createScimToken('scim-entra-first');
      const jid = entraCliJournalId(fakeGraph.graphUrl, 'dbt SCIM');
      const setup = await services.entra.runSetup(
        {
          graphUrl: fakeGraph.graphUrl,
          cloud: 'global',
          appName: 'dbt SCIM',
          token: staticTokenProvider(fakeGraph.token),
          store: services.entra.journalStateStore(jid),
          journalId: jid,
          dbt: { scimUrl: fakeDbt.scimUrl, token: first },
        },
        'apply',
      );
      expect(setup.phase).toBe('verified');
      const old = live()[0];
      const profile = await services.profiles.create({ name: 'Contoso (Entra)', idp: 'entra' });
      await services.profiles.update(profile.id, {
        dbt: {
          apiUrl: fakeDbt.apiUrl,
          accountId: fakeDbt.accountId,
          scimUrl: fakeDbt.scimUrl,
          scimTokenId: old?.id,
          scimTokenName: old?.name,
        },
        entra: { cloud: 'global', graphUrl: fakeGraph.graphUrl, appName: 'dbt SCIM' },
        currentStep: 'rotation',
      });
      await services.secrets.set(profile.id, SECRET_DBT_API, fakeDbt.adminToken);
      await services.secrets.set(profile.id, SECRET_DBT_SCIM, first);
      await services.entraSignIn.useToken(profile.id, fakeGraph.token);
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Rotation' }).waitFor();
      await region(page, /Schedule/)
        .getByText(/The next SCIM token rotation is due on/)
        .waitFor();

      const run = region(page, /Rotate the SCIM token/);
      await run.getByRole('button', { name: 'Rotate the SCIM token' }).click();
      await run
        .getByText('The rotation is done: the identity provider uses the new token.')
        .waitFor({ timeout: 60_000 });
      const stages = run.getByRole('list', { name: 'Rotation stages' });
      expect(await statuses(stages)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'pass']);
      const now = live();
      expect(now).toHaveLength(1);
      expect(now[0]?.id).not.toBe(old?.id);
      // Entra holds the new token: its own read-back agrees.
      const verify = await services.entra.run(profile.id, 'verify');
      expect(verify.checks.find((c) => c.id === 'credentials.saved')?.status).toBe('pass');
      await screenshot(page, 'rotation-04-entra-done');
      expect(await seriousA11yViolations(page)).toEqual([]);
      const html = await page.content();
      for (const secret of [first, now[0]?.value ?? 'x', fakeDbt.adminToken, fakeGraph.token]) {
        expect(html).not.toContain(secret);
      }
    } finally {
      await s.close();
    }
  }, 120_000);
});
