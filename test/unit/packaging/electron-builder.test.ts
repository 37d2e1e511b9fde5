import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = resolve(import.meta.dirname, '../../..');
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<
  string,
  unknown
>;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;

type Obj = Record<string, unknown>;
const mac = config.mac as Obj;
const win = config.win as Obj;
const linux = config.linux as Obj;
const fuses = config.electronFuses as Obj;

function targets(platform: Obj): string[] {
  const t = platform.target;
  const list = Array.isArray(t) ? t : [t];
  return list.map((x) => (typeof x === 'string' ? x : String((x as Obj).target)));
}

describe('electron-builder.yml', () => {
  it('names the app', () => {
    expect(config.appId).toBe('com.dbtscimwizard.app');
    expect(config.productName).toBe('dbt SCIM Wizard');
    expect(config.directories).toEqual({ output: 'release', buildResources: 'build' });
  });

  it.each([
    ['runAsNode', false],
    ['enableNodeOptionsEnvironmentVariable', false],
    ['enableNodeCliInspectArguments', false],
    ['enableEmbeddedAsarIntegrityValidation', true],
    ['onlyLoadAppFromAsar', true],
    ['enableCookieEncryption', true],
    ['grantFileProtocolExtraPrivileges', false],
    ['loadBrowserProcessSpecificV8Snapshot', false],
  ])('sets the %s fuse to %s', (fuse, value) => {
    expect(fuses[fuse]).toBe(value);
  });

  it('uses only fuse names electron-builder knows', () => {
    const scheme = JSON.parse(
      readFileSync(join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8'),
    ) as { definitions: Record<string, { properties: Obj }> };
    const known = Object.keys(scheme.definitions.FuseOptionsV1!.properties);
    for (const key of Object.keys(fuses)) {
      expect(known).toContain(key);
    }
  });

  it('packs the app into an asar', () => {
    expect(config.asar).toBe(true);
  });

  it('signs macOS with the hardened runtime and a minimal entitlements file', () => {
    expect(mac.hardenedRuntime).toBe(true);
    expect(mac.gatekeeperAssess).toBe(false);
    expect(mac.category).toBe('public.app-category.developer-tools');
    for (const key of ['entitlements', 'entitlementsInherit']) {
      const file = join(root, String(mac[key]));
      expect(existsSync(file)).toBe(true);
      const plist = readFileSync(file, 'utf8');
      expect(plist).toContain('<key>com.apple.security.cs.allow-jit</key>');
      // Neither is needed: no native modules signed by others, and V8 needs only allow-jit.
      expect(plist).not.toContain('disable-library-validation');
      expect(plist).not.toContain('allow-unsigned-executable-memory');
      expect(plist).not.toContain('allow-dyld-environment-variables');
      expect(plist).not.toContain('get-task-allow');
    }
  });

  it('builds dmg, nsis, AppImage and deb', () => {
    expect(targets(mac)).toEqual(['dmg']);
    expect(targets(win)).toEqual(['nsis']);
    expect(targets(linux).sort()).toEqual(['AppImage', 'deb']);
    expect(linux.category).toBe('Development');
  });

  it('ships the build output and package.json, never sources, tests or configs', () => {
    const files = config.files as string[];
    expect(files).toContain('out/**/*');
    expect(files).toContain('package.json');
    const included = files.filter((f) => !f.startsWith('!'));
    for (const pattern of included) {
      expect(pattern).toMatch(/^(out\/|package\.json$)/);
    }
    for (const forbidden of [
      'electron/',
      'renderer/',
      'test/',
      'src/',
      '.ts',
      'tsconfig',
      'vite.config',
      '**/*',
    ]) {
      expect(included.some((f) => f.startsWith(forbidden) || f === forbidden)).toBe(false);
    }
  });

  it('agrees with package.json on the entry file', () => {
    expect(pkg.main).toBe('out/main/index.js');
    expect(String((pkg.scripts as Obj).dist)).toContain('--config electron-builder.yml');
  });
});
