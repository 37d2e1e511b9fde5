/**
 * `report [--profile ID_OR_NAME] [--format markdown|json] [--out FILE]`: the setup report of a saved
 * profile, for an auditor — what was configured, where, when and by which step, every verification
 * with its time, the last health check, the rotation policy and history, the license choices. No
 * secret; a token shows at most its last four. Markdown on stdout by default; `--out` writes the
 * file (mode 0600) and prints its path; `--json` adds the report under `data.report`.
 */
import { resolve } from 'node:path';
import { badInput } from '../../core/errors.js';
import type { StatusReport } from '../../core/status/model.js';
import { writeFileAtomic } from '../../core/store/files.js';
import type { Profile } from '../../core/store/profiles.js';
import type { HandlerTable } from '../../services/dispatch.js';
import type { Services } from '../../services/container.js';
import { createReportService } from '../../services/report.js';
import { profileByRef, stringFlag } from '../inputs.js';
import type { CommandContext, CommandSpec } from '../spec.js';

/**
 * The profile a command works on: `--profile` (an id, else a name, case-insensitive), or the
 * active one. Bad input (exit 2) when there is none, or a name matches several.
 */
export async function selectProfile(ctx: CommandContext): Promise<Profile> {
  const { profiles, activeProfileId } = await ctx.services().profiles.list();
  const wanted = stringFlag(ctx, 'profile')?.trim();
  if (wanted !== undefined && wanted !== '') {
    return profileByRef(profiles, wanted);
  }
  const active = profiles.find((p) => p.id === activeProfileId);
  if (!active) {
    throw badInput(
      profiles.length === 0 ? 'There is no saved profile yet.' : 'No profile is active.',
      profiles.length === 0
        ? 'Set up a profile in the app first (the report describes a saved setup).'
        : 'Choose one with --profile ID_OR_NAME (see `profiles list`).',
    );
  }
  return active;
}

/** The last saved health check, through the status channel when this build has one. */
function lastStatusOf(services: Services): (profileId: string) => Promise<StatusReport | null> {
  const statusGet = (services.handlers as Partial<HandlerTable>)['status:get'];
  return async (profileId) => (statusGet ? statusGet({ profileId, refresh: false }) : null);
}

export const report: CommandSpec = {
  path: ['report'],
  summary: 'the setup report of a saved profile, for an audit (Markdown or JSON; no secret)',
  description:
    'Prints the setup report of a saved profile: what was configured on each side, every change the wizard made (when, by which step), every verification with its result and time, the last health check, the token rotation policy, due date and history, and the license choices. No secret is included; a token shows at most its last four characters. Markdown by default; --format json for the report as JSON. --out FILE writes it to FILE (readable by you only) and prints the path. The PDF is saved from the desktop app.',
  flags: {
    profile: {
      type: 'string',
      valueName: 'ID_OR_NAME',
      description: 'the saved profile (default: the active one)',
    },
    format: {
      type: 'string',
      choices: ['markdown', 'json'],
      description: 'Markdown (default) or the report as JSON',
    },
    out: { type: 'string', valueName: 'FILE', description: 'write the report to FILE (mode 0600)' },
  },
  async run(ctx) {
    const profile = await selectProfile(ctx);
    const services = ctx.services();
    const info = await services.handlers['app:info'](undefined);
    const built = await createReportService({
      profiles: services.profiles,
      journal: services.journal,
      secrets: services.secrets,
      clock: services.clock,
      home: services.home,
      version: info.version,
      lastStatus: lastStatusOf(services),
    }).build(profile.id);
    const text =
      stringFlag(ctx, 'format') === 'json'
        ? `${JSON.stringify(built.json, null, 2)}\n`
        : built.markdown;
    const out = stringFlag(ctx, 'out');
    let path: string | undefined;
    if (out !== undefined) {
      if (out.trim() === '') {
        throw badInput('--out is empty.', 'Give the file to write, e.g. --out report.md.');
      }
      path = resolve(out);
      await writeFileAtomic(path, text);
    }
    return {
      lines: [path ?? text.replace(/\n$/, '')],
      data: {
        profileId: profile.id,
        fileName: built.fileName,
        ...(path !== undefined ? { path } : {}),
        report: built.json,
      },
    };
  },
};
