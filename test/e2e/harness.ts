/**
 * The end-to-end harness: a test bridge over a fresh data folder, and Debian's Chromium driven by
 * playwright-core. Screenshots go to test-results/screenshots/.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { memoryLogger } from '../../electron/core/logger.js';
import type { Encryptor } from '../../electron/core/ports.js';
import { startBridge, type Bridge } from '../bridge/server.js';
import { tempDir } from '../helpers/temp.js';

export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../test-results/screenshots');

const CANDIDATES = [
  process.env.CHROMIUM_PATH,
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
];

export function chromiumPath(): string {
  const found = CANDIDATES.find((p): p is string => Boolean(p && existsSync(p)));
  if (!found) {
    throw new Error(
      'Chromium not found: install Debian\'s "chromium" package or set CHROMIUM_PATH.',
    );
  }
  return found;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface Session {
  readonly bridge: Bridge;
  readonly context: BrowserContext;
  readonly page: Page;
  readonly home: string;
  readonly logs: ReturnType<typeof memoryLogger>['records'];
  close(): Promise<void>;
}

export async function openWizard(
  browser: Browser,
  options: {
    colorScheme?: 'light' | 'dark';
    encryptor?: Encryptor;
    home?: string;
    oktaRangesUrl?: string;
    /** Called with each URL the wizard opens in the "system browser". */
    onOpen?: (url: string) => void;
  } = {},
): Promise<Session> {
  const temp = options.home ? undefined : await tempDir('scim-e2e-');
  const home = options.home ?? temp!.dir;
  const { logger, records } = memoryLogger('bridge');
  const bridge = await startBridge({
    home,
    log: logger,
    ...(options.encryptor ? { encryptor: options.encryptor } : {}),
    ...(options.oktaRangesUrl ? { oktaRangesUrl: options.oktaRangesUrl } : {}),
    ...(options.onOpen ? { onOpen: options.onOpen } : {}),
  });
  const context = await browser.newContext({
    viewport: { width: 1280, height: 820 },
    colorScheme: options.colorScheme ?? 'light',
    reducedMotion: 'reduce',
  });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') {
      pageErrors.push(m.text());
    }
  });
  await page.goto(bridge.url);
  return {
    bridge,
    context,
    page,
    home,
    logs: records,
    close: async () => {
      await context.close();
      await bridge.close();
      await temp?.cleanup();
      if (pageErrors.length) {
        throw new Error(`The page reported errors:\n${pageErrors.join('\n')}`);
      }
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Axe violations of impact serious or critical, as readable lines. */
export async function seriousA11yViolations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join(', ')}`,
    );
}

/** A JWT-shaped access token as Entra would issue for the wizard (the fake Graph accepts only it). */
export function fakeGraphToken(): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return [
    part({ typ: 'JWT', alg: 'RS256', kid: 'fake' }),
    part({
      aud: 'https://graph.microsoft.com',
      scp: 'Application.ReadWrite.All Synchronization.ReadWrite.All AppRoleAssignment.ReadWrite.All User.ReadBasic.All',
      upn: 'admin@contoso.example',
      tid: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      exp: Math.floor(Date.now() / 1000) + 3600,
    }),
    Buffer.from(`signature-${randomUUID()}`).toString('base64url'),
  ].join('.');
}
