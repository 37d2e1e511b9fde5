/**
 * The last health check of each profile, kept as `<home>/status/<profileId>.json` (mode 0600,
 * replaced atomically) so the home screen shows it without a network call. Never a secret: the
 * report holds at most a token's last four, and passes the redaction sink before it is written.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { redactDeep } from '../redact.js';
import { readTextIfExists, safeFileStem, writeFileAtomic } from '../store/files.js';
import type { StatusReport } from './model.js';

const fileSchema = z.object({
  version: z.literal(1),
  report: z
    .object({
      profileId: z.string(),
      checkedAt: z.string(),
      ok: z.boolean(),
      items: z.array(z.object({ id: z.string(), status: z.string() }).loose()),
    })
    .loose(),
});

export class StatusStore {
  constructor(private readonly dir: string) {}

  /** `<home>/status`. */
  static under(home: string): StatusStore {
    return new StatusStore(join(home, 'status'));
  }

  path(profileId: string): string {
    return join(this.dir, `${safeFileStem(profileId)}.json`);
  }

  /** The last saved report, or undefined (none yet, or unreadable). */
  async load(profileId: string): Promise<StatusReport | undefined> {
    const text = await readTextIfExists(this.path(profileId));
    if (text === undefined) {
      return undefined;
    }
    try {
      const parsed = fileSchema.safeParse(JSON.parse(text));
      // Written by `save` below from a StatusReport; the schema guards against a damaged file.
      return parsed.success ? (parsed.data.report as unknown as StatusReport) : undefined;
    } catch {
      return undefined;
    }
  }

  async save(report: StatusReport): Promise<void> {
    await writeFileAtomic(
      this.path(report.profileId),
      `${JSON.stringify({ version: 1, report: redactDeep(report) }, null, 2)}\n`,
    );
  }
}
