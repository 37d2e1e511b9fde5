/**
 * Which dbt license types an account's plan offers, as one table that is easy to correct.
 *
 * What dbt's documentation says (docs.getdbt.com, "Users and licenses", the license-types snippet,
 * 2025): Developer exists on every plan and is the default for new users; Read-Only and IT are
 * "available on Starter, Enterprise, and Enterprise+ plans only" (Starter was called Team before);
 * Analyst is "available on Enterprise and Enterprise+ plans only" and "requires developer seat
 * license purchase"; dbt's SCIM page adds that assigning a license type the plan lacks fails.
 *
 * What is not known for sure: the exact `plan` strings the Admin API returns for every plan (seen:
 * `enterprise`, `team`, `developer`; `enterprise_plus` and `starter` are assumed), and whether an
 * Enterprise account without bought Analyst seats refuses `analyst`. So the rule is conservative:
 * Analyst is offered only on the Enterprise plans, and an unknown plan gets Developer only (the
 * wizard then says the plan was not recognised rather than offering what dbt may refuse).
 */
import { LICENSE_TYPES, type LicenseType } from '../okta/ports.js';

/** Developer is dbt's default license type for new users. */
export const DEFAULT_LICENSE_TYPE: LicenseType = 'developer';

/** Plan (lower-cased, as `DbtAccount.plan`) → the license types it offers, in `LICENSE_TYPES` order. */
export const PLAN_LICENSE_TYPES: Readonly<Record<string, readonly LicenseType[]>> = {
  developer: ['developer'],
  team: ['it', 'developer', 'read_only'],
  starter: ['it', 'developer', 'read_only'],
  enterprise: ['it', 'analyst', 'developer', 'read_only'],
  enterprise_plus: ['it', 'analyst', 'developer', 'read_only'],
  'enterprise+': ['it', 'analyst', 'developer', 'read_only'],
  enterpriseplus: ['it', 'analyst', 'developer', 'read_only'],
};

export interface PlanLicenses {
  /** The license types to offer, in `LICENSE_TYPES` order. */
  readonly offered: readonly LicenseType[];
  /** Whether the plan is in the table (else only the default is offered). */
  readonly known: boolean;
  /** Why a type is missing, per type, in the admin's words (only for the types not offered). */
  readonly notOffered: Readonly<Partial<Record<LicenseType, string>>>;
}

function titleOf(type: LicenseType): string {
  return LICENSE_TYPES.find((t) => t.value === type)?.title ?? type;
}

/** The license types `plan` offers, and why each other one is not offered. */
export function licensesForPlan(plan: string): PlanLicenses {
  const key = plan.trim().toLowerCase();
  const row = PLAN_LICENSE_TYPES[key];
  const offered = row ?? [DEFAULT_LICENSE_TYPE];
  const notOffered: Partial<Record<LicenseType, string>> = {};
  for (const { value } of LICENSE_TYPES) {
    if (offered.includes(value)) {
      continue;
    }
    notOffered[value] = row
      ? value === 'analyst'
        ? `${titleOf(value)} licenses exist only on dbt's Enterprise plans (the account is on the ${key} plan).`
        : `${titleOf(value)} licenses are not part of dbt's ${key} plan.`
      : `The wizard does not recognise the plan "${plan || 'unknown'}", so it offers only ${titleOf(DEFAULT_LICENSE_TYPE)} (dbt's default) rather than a license type dbt may refuse.`;
  }
  return { offered, known: row !== undefined, notOffered };
}

/** Whether `plan` offers `type`. */
export function planOffers(plan: string, type: string): boolean {
  return (licensesForPlan(plan).offered as readonly string[]).includes(type);
}
