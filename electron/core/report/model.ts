/**
 * The setup report's data: what the builder takes (plain data the services read: the profile, its
 * journal, its rotation history, the due date, the last health check) and the JSON it gives back.
 * Nothing here is a secret: a token shows at most its last four characters.
 */
import type { CheckStatus, Idp } from '../model.js';
import type { JournalEntry } from '../ports.js';
import type { RotationHistoryEntry } from '../rotation/history.js';
import type { RotationDue } from '../rotation/policy.js';
import type { StatusReport } from '../status/model.js';
import type { Profile } from '../store/profiles.js';

export interface ReportInput {
  readonly profile: Profile;
  /** The profile's journal, oldest first. */
  readonly journal: readonly JournalEntry[];
  /** The rotation history, oldest first. */
  readonly history: readonly RotationHistoryEntry[];
  readonly due: RotationDue;
  /** The last saved health check, or null when none was run. */
  readonly lastStatus: StatusReport | null;
  /** The credentials the app holds for the profile (labels and last four, never values). */
  readonly credentials: readonly ReportCredential[];
  /** ISO 8601. */
  readonly generatedAt: string;
  readonly appVersion: string;
}

/** A credential the app holds: what it is, its last four (or ''), when it was saved and checked. */
export interface ReportCredential {
  readonly label: string;
  readonly last4: string;
  readonly savedAt: string;
  readonly lastVerifiedAt?: string;
}

/** One line of a configuration table. */
export interface ReportSetting {
  readonly label: string;
  readonly value: string;
}

export interface ReportConfigSection {
  /** e.g. `dbt`, `Okta`, `Microsoft Entra ID`. */
  readonly title: string;
  readonly settings: readonly ReportSetting[];
}

export type ReportChangeOutcome = 'applied' | 'not_finished' | 'interrupted';

/** One change an apply made (or tried to make), from the journal. */
export interface ReportChange {
  /** When the apply finished (or stopped). */
  readonly at: string;
  /** The wizard step (rail) it belongs to. */
  readonly step: string;
  /** The engine's step kind, e.g. `dbt.scim-config`. */
  readonly kind: string;
  readonly runId: string;
  readonly action: string;
  readonly target: string;
  readonly detail: string;
  readonly outcome: ReportChangeOutcome;
  /** Why it did not finish. */
  readonly error?: string;
}

export type ReportVerificationSource = 'verify' | 'okta-console' | 'admin';

/** One verification with its result and the time it was observed. */
export interface ReportVerification {
  readonly at: string;
  readonly step: string;
  readonly kind: string;
  readonly id: string;
  readonly status: CheckStatus;
  readonly message: string;
  /** A verify read it back, Okta showed a console step done, or the admin ticked it. */
  readonly source: ReportVerificationSource;
}

export interface ReportHealthItem {
  readonly area: string;
  readonly id: string;
  readonly status: CheckStatus;
  readonly message: string;
  readonly remediation?: string;
  readonly at: string;
}

export interface ReportHealth {
  readonly checkedAt: string;
  readonly ok: boolean;
  readonly details: readonly ReportSetting[];
  readonly items: readonly ReportHealthItem[];
}

export interface ReportRotationRow {
  readonly startedAt: string;
  readonly at: string;
  readonly idp: Idp;
  readonly oldToken: string;
  readonly newToken: string;
  readonly outcome: string;
  readonly stage: string;
  readonly message: string;
}

export interface ReportRotation {
  readonly intervalDays: number;
  readonly since: string | null;
  readonly dueAt: string | null;
  readonly state: RotationDue['state'];
  readonly daysLeft: number | null;
  /** One sentence, e.g. "The next SCIM token rotation is due on 2027-02-27 (every 90 days)." */
  readonly summary: string;
  readonly history: readonly ReportRotationRow[];
}

export interface ReportLicense {
  /** Okta: group rules in order (first match wins), then the default. */
  readonly okta: {
    readonly rules: readonly { readonly groupName: string; readonly licenseType: string }[];
    readonly defaultLicenseType: string;
  } | null;
  /** Entra ID: each license type and the groups that get it. */
  readonly entraMaps: readonly {
    readonly licenseType: string;
    readonly groups: readonly string[];
  }[];
}

export interface ReportJson {
  readonly version: 1;
  readonly title: string;
  readonly generatedAt: string;
  readonly appVersion: string;
  readonly profile: { readonly id: string; readonly name: string; readonly idp: Idp | null };
  readonly summary: {
    /** Healthy at the last check; null when no check was saved. */
    readonly healthy: boolean | null;
    readonly checkedAt: string | null;
    readonly text: string;
  };
  readonly configuration: readonly ReportConfigSection[];
  readonly changes: readonly ReportChange[];
  readonly verifications: readonly ReportVerification[];
  readonly health: ReportHealth | null;
  readonly rotation: ReportRotation;
  readonly license: ReportLicense;
  /** What the report leaves out on purpose. */
  readonly notIncluded: readonly string[];
}

export interface BuiltReport {
  readonly markdown: string;
  readonly html: string;
  readonly json: ReportJson;
  /** e.g. `dbt-scim-report-acme-2026-11-29.md`. */
  readonly fileName: string;
}
