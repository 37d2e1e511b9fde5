/**
 * The rotation history of a profile (or of a CLI journal id): one entry per rotation, updated as
 * it goes, with dates, token names and ids and the outcome; never a token value. Kept as
 * `<home>/rotation/<id>.json` (mode 0600, replaced atomically).
 */
import { join } from 'node:path';
import { z } from 'zod';
import type { Idp } from '../model.js';
import { redactDeep } from '../redact.js';
import { readTextIfExists, safeFileStem, writeFileAtomic } from '../store/files.js';

export type RotationOutcomeKind = 'done' | 'failed' | 'pending';

export interface RotationHistoryEntry {
  /** The rotation's id (one entry per rotation, updated by each run). */
  readonly id: string;
  /** When this entry was last written. */
  readonly at: string;
  readonly startedAt: string;
  readonly idp: Idp;
  readonly oldTokenId?: number;
  readonly oldTokenName?: string;
  readonly newTokenId?: number;
  readonly newTokenName?: string;
  readonly outcome: RotationOutcomeKind;
  /** The stage reached. */
  readonly stage: string;
  readonly message: string;
}

const entrySchema = z.object({
  id: z.string(),
  at: z.string(),
  startedAt: z.string(),
  idp: z.enum(['okta', 'entra']),
  oldTokenId: z.number().int().optional(),
  oldTokenName: z.string().optional(),
  newTokenId: z.number().int().optional(),
  newTokenName: z.string().optional(),
  outcome: z.enum(['done', 'failed', 'pending']),
  stage: z.string(),
  message: z.string(),
});
const fileSchema = z.object({ version: z.literal(1), entries: z.array(entrySchema) });

/** The most entries kept per history (oldest dropped first). */
export const HISTORY_LIMIT = 200;

export class RotationHistory {
  constructor(private readonly dir: string) {}

  /** `<home>/rotation`. */
  static under(home: string): RotationHistory {
    return new RotationHistory(join(home, 'rotation'));
  }

  path(id: string): string {
    return join(this.dir, `${safeFileStem(id)}.json`);
  }

  /** Every entry, oldest first; an unreadable file reads as empty. */
  async list(id: string): Promise<RotationHistoryEntry[]> {
    const text = await readTextIfExists(this.path(id));
    if (text === undefined) {
      return [];
    }
    try {
      const parsed = fileSchema.safeParse(JSON.parse(text));
      return parsed.success ? parsed.data.entries : [];
    } catch {
      return [];
    }
  }

  /** Adds the entry, or replaces the one of the same rotation. */
  async record(id: string, entry: RotationHistoryEntry): Promise<RotationHistoryEntry[]> {
    const entries = (await this.list(id)).filter((e) => e.id !== entry.id);
    entries.push(redactDeep({ ...entry }));
    const kept = entries.slice(-HISTORY_LIMIT);
    await writeFileAtomic(
      this.path(id),
      `${JSON.stringify({ version: 1, entries: kept }, null, 2)}\n`,
    );
    return kept;
  }
}
