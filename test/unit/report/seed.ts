/**
 * A saved setup in a temporary home, as the app leaves it: a profile (through ProfileStore), its
 * journal (the file journal), its rotation history, with the planted tokens in free text.
 */
import { homeLayout } from '../../../electron/core/home.js';
import { RotationHistory } from '../../../electron/core/rotation/history.js';
import { FileJournalStore } from '../../../electron/core/store/journal-file.js';
import { ProfileStore } from '../../../electron/core/store/profiles.js';
import type { Profile } from '../../../electron/core/store/profiles.js';
import { sampleHistory, sampleJournal, sampleProfile } from './fixture.js';

export async function seedHome(home: string, name = 'Acme prod'): Promise<Profile> {
  const store = new ProfileStore(home);
  const created = await store.create({ name, idp: 'okta' });
  const s = sampleProfile();
  await store.update(created.id, {
    dbt: s.dbt,
    okta: s.okta ?? { orgUrl: 'https://acme.okta.com' },
    entra: s.entra ?? { cloud: 'global', appName: 'dbt SCIM' },
    rotation: s.rotation,
    license: { okta: s.license?.okta ?? null, entraMaps: s.license?.entraMaps ?? null },
    manual: { 'entra.console.assign-users': true },
  });
  const journal = new FileJournalStore(homeLayout(home).journal);
  for (const e of sampleJournal(created.id)) {
    await journal.append(e);
  }
  const history = RotationHistory.under(home);
  for (const h of sampleHistory()) {
    await history.record(created.id, h);
  }
  return store.get(created.id);
}
