import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveHome } from '../../../electron/core/home.js';
import { FileJournalStore } from '../../../electron/core/store/journal-file.js';
import { ProfileStore } from '../../../electron/core/store/profiles.js';
import {
  EncryptedFileSecretStore,
  MemorySecretStore,
} from '../../../electron/core/store/secrets.js';
import { MemoryKeyEncryptor } from '../../helpers/encryptor.js';
import { tempDir } from '../../helpers/temp.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => {
  await cleanup();
});

const PLANTED = 'dbtc_PLANTEDsecretValue0123456789';

describe('EncryptedFileSecretStore', () => {
  function store(encryptor = new MemoryKeyEncryptor(), accepted = false) {
    return new EncryptedFileSecretStore({
      dir,
      encryptor,
      weakBackendAccepted: () => Promise.resolve(accepted),
    });
  }

  it('round-trips a value, writes a 0600 versioned envelope, and never the plain value', async () => {
    const s = store();
    const meta = await s.set('p1', 'dbt.scim-token', PLANTED);
    expect(meta).toMatchObject({ name: 'dbt.scim-token', last4: '6789' });
    expect(await s.get('p1', 'dbt.scim-token')).toBe(PLANTED);
    const path = join(dir, 'p1.json');
    const text = await readFile(path, 'utf8');
    expect(text).not.toContain(PLANTED);
    expect(JSON.parse(text)).toMatchObject({
      format: 'dbt-scim-wizard/secrets',
      version: 1,
      backend: 'test_keyring',
    });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('lists metadata only, marks verification, deletes and clears', async () => {
    const s = store();
    await s.set('p1', 'a', 'value-aaaaaaaaa1');
    await s.set('p1', 'b', 'value-bbbbbbbbb2');
    await s.markVerified('p1', 'a', new Date('2026-11-29T11:00:00Z'));
    const list = await s.list('p1');
    expect(list.map((m) => m.name).sort()).toEqual(['a', 'b']);
    expect(JSON.stringify(list)).not.toContain('value-');
    expect(list.find((m) => m.name === 'a')?.lastVerifiedAt).toBe('2026-11-29T11:00:00.000Z');
    await s.delete('p1', 'a');
    expect(await s.get('p1', 'a')).toBeUndefined();
    await s.clear('p1');
    expect(await s.list('p1')).toEqual([]);
  });

  it('refuses to persist when encryption is unavailable', async () => {
    const s = store(new MemoryKeyEncryptor('gnome_libsecret', false));
    await expect(s.set('p1', 'a', 'value-123456')).rejects.toMatchObject({
      code: 'secret_storage_unavailable',
    });
  });

  it('refuses the basic_text backend unless the admin accepted the risk', async () => {
    await expect(
      store(new MemoryKeyEncryptor('basic_text')).set('p1', 'a', 'value-123456'),
    ).rejects.toMatchObject({
      code: 'secret_storage_unavailable',
    });
    const meta = await store(new MemoryKeyEncryptor('basic_text'), true).set(
      'p1',
      'a',
      'value-123456',
    );
    expect(meta.name).toBe('a');
  });

  it('rejects bad names and unsafe profile ids', async () => {
    const s = store();
    await expect(s.set('p1', 'Bad Name', 'value-123456')).rejects.toMatchObject({
      code: 'bad_input',
    });
    await expect(s.set('../etc', 'a', 'value-123456')).rejects.toThrow('Invalid profile id');
  });

  it('reports a damaged file as a typed error', async () => {
    await writeFile(join(dir, 'p1.json'), JSON.stringify({ format: 'other' }));
    await expect(store().list('p1')).rejects.toMatchObject({ code: 'secret_storage_unavailable' });
  });
});

describe('MemorySecretStore', () => {
  it('keeps values per profile', async () => {
    const s = new MemorySecretStore();
    await s.set('p1', 'x', 'value-1111111');
    expect(await s.get('p1', 'x')).toBe('value-1111111');
    expect(await s.get('p2', 'x')).toBeUndefined();
  });
});

describe('ProfileStore', () => {
  it('creates, updates, tracks step progress and selects profiles, persisting with mode 0600', async () => {
    const s = new ProfileStore(dir);
    const a = await s.create({ name: ' Acme prod ', idp: 'okta' });
    expect(a.name).toBe('Acme prod');
    expect(a.currentStep).toBe('prerequisites');
    expect(Object.values(a.steps).every((x) => x.status === 'not_started')).toBe(true);
    const b = await s.create({ name: 'Acme dev', idp: null });
    expect((await s.list()).activeProfileId).toBe(b.id);
    await s.update(a.id, { currentStep: 'idp', idp: 'entra' });
    await s.setStepStatus(a.id, 'dbt', 'verified', 'SCIM on');
    const reread = await new ProfileStore(dir).get(a.id);
    expect(reread).toMatchObject({
      currentStep: 'idp',
      idp: 'entra',
      steps: { dbt: { status: 'verified', summary: 'SCIM on' } },
    });
    await s.select(a.id);
    await s.delete(a.id);
    expect((await s.list()).activeProfileId).toBe(b.id);
    expect((await stat(s.path)).mode & 0o777).toBe(0o600);
  });

  it('loses no update when writes race', async () => {
    const s = new ProfileStore(dir);
    await Promise.all(Array.from({ length: 10 }, (_, i) => s.create({ name: `p${i}`, idp: null })));
    expect((await s.list()).profiles).toHaveLength(10);
  });

  it('keeps the rotation interval and the license choices: a side given replaces it, null removes it', async () => {
    const s = new ProfileStore(dir);
    const p = await s.create({ name: 'Acme', idp: 'okta' });
    await s.update(p.id, {
      rotation: { intervalDays: 30 },
      license: {
        okta: {
          rules: [{ groupName: 'dbt_developers', licenseType: 'developer' }],
          defaultLicenseType: 'read_only',
        },
        entraMaps: { it: ['IT admins'] },
      },
    });
    await s.update(p.id, { license: { entraMaps: { developer: ['Engineers'] } } });
    let got = await new ProfileStore(dir).get(p.id);
    expect(got.rotation).toEqual({ intervalDays: 30 });
    expect(got.license).toEqual({
      okta: {
        rules: [{ groupName: 'dbt_developers', licenseType: 'developer' }],
        defaultLicenseType: 'read_only',
      },
      entraMaps: { developer: ['Engineers'] },
    });
    await s.update(p.id, { license: { okta: null } });
    got = await s.get(p.id);
    expect(got.license).toEqual({ entraMaps: { developer: ['Engineers'] } });
    // A value the file could not be read back with is refused, and nothing is written.
    await expect(s.update(p.id, { rotation: { intervalDays: 3 } })).rejects.toMatchObject({
      code: 'bad_input',
      message: 'The profile change was refused: rotation.intervalDays is not valid.',
    });
    expect((await new ProfileStore(dir).get(p.id)).rotation).toEqual({ intervalDays: 30 });
  });

  it('answers not_found for an unknown id', async () => {
    await expect(new ProfileStore(dir).get('nope')).rejects.toMatchObject({ code: 'not_found' });
  });
});

describe('FileJournalStore', () => {
  it('appends redacted lines and skips a torn last line', async () => {
    const j = new FileJournalStore(join(dir, 'journal'));
    await j.append({
      runId: 'r',
      profileId: 'p1',
      step: 'dbt',
      phase: 'applying',
      at: 't',
      data: { note: `Bearer ${PLANTED}` },
    });
    await writeFile(
      join(dir, 'journal', 'p1.jsonl'),
      (await readFile(join(dir, 'journal', 'p1.jsonl'), 'utf8')) + '{"torn',
    );
    const entries = await j.read('p1');
    expect(entries).toHaveLength(1);
    expect(JSON.stringify(entries)).not.toContain(PLANTED);
  });
});

describe('resolveHome', () => {
  it('honours DBT_SCIM_WIZARD_HOME, else the platform directory', () => {
    expect(resolveHome({ DBT_SCIM_WIZARD_HOME: '/x/y' }, 'linux', '/home/a')).toBe('/x/y');
    expect(resolveHome({}, 'linux', '/home/a')).toBe('/home/a/.config/dbt-scim-wizard');
    expect(resolveHome({ XDG_CONFIG_HOME: '/cfg' }, 'linux', '/home/a')).toBe(
      '/cfg/dbt-scim-wizard',
    );
    expect(resolveHome({}, 'darwin', '/Users/a')).toBe(
      '/Users/a/Library/Application Support/dbt-scim-wizard',
    );
    expect(
      resolveHome({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a'),
    ).toContain('dbt-scim-wizard');
  });
});
