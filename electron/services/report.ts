/**
 * The setup report as a service: reads what the wizard saved for a profile (the profile, its
 * journal, its rotation history and due date, the credentials' last four, the last health check)
 * and builds the report; `report:save` hands it to a saver (the app's Save dialog and PDF printer,
 * or a directory for the bridge and the CLI).
 */
import { basename, join } from 'node:path';
import { WizardError, badInput } from '../core/errors.js';
import type { Clock, JournalStore, SecretMeta, SecretStore } from '../core/ports.js';
import { buildReport, fileNameFor, type ReportFormat } from '../core/report/build.js';
import type { BuiltReport, ReportCredential } from '../core/report/model.js';
import type { ReportSaveRequest, ReportSaveResult, ReportSaver } from '../core/report/ports.js';
import { RotationHistory } from '../core/rotation/history.js';
import type { StatusReport } from '../core/status/model.js';
import { writeFileAtomic } from '../core/store/files.js';
import type { ProfileStore } from '../core/store/profiles.js';
import { SECRET_DBT_API, SECRET_DBT_SCIM } from './dbt.js';
import type { HandlerTable } from './dispatch.js';
import { SECRET_OKTA_PRIVATE_KEY, SECRET_OKTA_REFRESH_TOKEN } from './okta-signin.js';
import { SECRET_MSAL_CACHE } from './entra-signin.js';
import { SECRET_DBT_SCIM_NEXT, profileRotationDue } from './rotation.js';

export interface ReportServiceDeps {
  readonly profiles: ProfileStore;
  readonly journal: JournalStore;
  readonly secrets: SecretStore;
  readonly clock: Clock;
  /** The data directory (the rotation history lives under it). */
  readonly home: string;
  /** The app's version, printed in the report. */
  readonly version: string;
  /** The last saved health check of a profile (the status service keeps it), or null. */
  readonly lastStatus: (profileId: string) => Promise<StatusReport | null>;
  /** Where `report:save` puts the report; without one, saving is refused. */
  readonly saver?: ReportSaver;
}

/**
 * How each stored credential is named in the report, and whether its last four may be shown (a
 * token's last four identify it in dbt's list; a key's or a sign-in cache's mean nothing).
 */
const CREDENTIALS: Readonly<Record<string, { label: string; showLast4: boolean }>> = {
  [SECRET_DBT_SCIM]: { label: 'dbt SCIM token (the identity provider’s)', showLast4: true },
  [SECRET_DBT_SCIM_NEXT]: {
    label: 'dbt SCIM token of a rotation in progress',
    showLast4: true,
  },
  [SECRET_DBT_API]: { label: 'dbt Admin API service token', showLast4: true },
  [SECRET_OKTA_REFRESH_TOKEN]: { label: 'Okta sign-in (refresh token)', showLast4: false },
  [SECRET_OKTA_PRIVATE_KEY]: { label: 'Okta service app private key', showLast4: false },
  [SECRET_MSAL_CACHE]: { label: 'Microsoft sign-in cache', showLast4: false },
};

function credential(meta: SecretMeta): ReportCredential {
  const known = CREDENTIALS[meta.name];
  return {
    label: known?.label ?? meta.name,
    last4: known?.showLast4 ? meta.last4 : '',
    savedAt: meta.createdAt,
    ...(meta.lastVerifiedAt !== undefined ? { lastVerifiedAt: meta.lastVerifiedAt } : {}),
  };
}

export function createReportService(deps: ReportServiceDeps) {
  const history = RotationHistory.under(deps.home);

  async function build(profileId: string): Promise<BuiltReport> {
    const profile = await deps.profiles.get(profileId);
    const [journal, rotations, due, metas, lastStatus] = await Promise.all([
      deps.journal.read(profileId),
      history.list(profileId),
      profileRotationDue(deps, profileId),
      deps.secrets.list(profileId),
      deps.lastStatus(profileId),
    ]);
    return buildReport({
      profile,
      journal,
      history: rotations,
      due,
      lastStatus,
      credentials: metas.map(credential),
      generatedAt: deps.clock.now().toISOString(),
      appVersion: deps.version,
    });
  }

  async function save(profileId: string, format: ReportFormat): Promise<ReportSaveResult> {
    if (!deps.saver) {
      throw new WizardError('internal', 'Saving the report is not available here.', {
        remediation: 'Use the CLI’s `report --out FILE`, or save it from the desktop app.',
      });
    }
    const report = await build(profileId);
    return deps.saver.save({
      fileName: report.fileName,
      format,
      markdown: report.markdown,
      html: report.html,
    });
  }

  const handlers: Pick<HandlerTable, 'report:build' | 'report:save'> = {
    'report:build': async (input) => {
      const r = await build(input.profileId);
      return { markdown: r.markdown, fileName: r.fileName };
    },
    'report:save': (input) => save(input.profileId, input.format),
  };

  return { build, save, handlers };
}

export type ReportService = ReturnType<typeof createReportService>;

/** A PDF is printed by the app's own Chromium: the bridge and the CLI have none. */
export function pdfNeedsDesktop(): WizardError {
  return badInput(
    'A PDF of the report can only be printed by the desktop app.',
    'Save the report as Markdown here, or open the profile in the app and save it as PDF.',
  );
}

/**
 * The plain-Node saver (the test bridge, the CLI): writes the Markdown into `dir` (mode 0600) under
 * the suggested name; refuses a PDF.
 */
export function directoryReportSaver(dir: string): ReportSaver {
  return {
    async save(request: ReportSaveRequest): Promise<ReportSaveResult> {
      if (request.format === 'pdf') {
        throw pdfNeedsDesktop();
      }
      const name = fileNameFor(basename(request.fileName), 'markdown');
      const path = join(dir, name);
      await writeFileAtomic(path, request.markdown);
      return { saved: true, path };
    },
  };
}
