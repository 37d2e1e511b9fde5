/**
 * The journal as one JSON-lines file per profile under `<home>/journal/`. Lines are redacted
 * again on the way in: the journal never holds a secret even if a step recorded one by mistake.
 */
import { join } from 'node:path';
import type { JournalEntry, JournalStore } from '../ports.js';
import { redactDeep } from '../redact.js';
import { appendLine, readTextIfExists, safeFileStem } from './files.js';

export class FileJournalStore implements JournalStore {
  constructor(private readonly dir: string) {}

  private path(profileId: string): string {
    return join(this.dir, `${safeFileStem(profileId)}.jsonl`);
  }

  async append(entry: JournalEntry): Promise<void> {
    await appendLine(this.path(entry.profileId), JSON.stringify(redactDeep(entry)));
  }

  async read(profileId: string): Promise<JournalEntry[]> {
    const text = await readTextIfExists(this.path(profileId));
    if (text === undefined) {
      return [];
    }
    const out: JournalEntry[] = [];
    for (const line of text.split('\n')) {
      if (line.trim() === '') {
        continue;
      }
      try {
        out.push(JSON.parse(line) as JournalEntry);
      } catch {
        // A torn last line (crash mid-write) is skipped; every earlier line still counts.
      }
    }
    return out;
  }
}

export class MemoryJournalStore implements JournalStore {
  readonly entries: JournalEntry[] = [];

  append(entry: JournalEntry): Promise<void> {
    this.entries.push(redactDeep(entry));
    return Promise.resolve();
  }

  read(profileId: string): Promise<JournalEntry[]> {
    return Promise.resolve(this.entries.filter((e) => e.profileId === profileId));
  }
}
