/**
 * Group push: how a target name lines up with dbt's groups, which imported group a push links to,
 * the plan lines, and what a mapping's status and error mean for the admin.
 */
import type { GroupPushMapping, OktaGroup } from './ports.js';

export type GroupAlignment = 'match' | 'case' | 'new';

export interface AlignedName {
  /** `match`: dbt has this exact name; `case`: dbt has it in another case; `new`: dbt has none. */
  readonly alignment: GroupAlignment;
  /** dbt's spelling, for `match` and `case`. */
  readonly dbtName?: string;
}

/** Lines the dbt group name a push would create up with the groups dbt already has. */
export function alignGroupName(
  target: string,
  dbtGroups: readonly { readonly id: number; readonly name: string }[],
): AlignedName {
  const name = target.trim();
  const exact = dbtGroups.find((g) => g.name === name);
  if (exact) {
    return { alignment: 'match', dbtName: exact.name };
  }
  const lower = name.toLowerCase();
  const loose = dbtGroups.find((g) => g.name.toLowerCase() === lower);
  if (loose) {
    return { alignment: 'case', dbtName: loose.name };
  }
  return { alignment: 'new' };
}

/** What an alignment means, in a sentence fragment for plans and the group picker. */
export function describeAlignment(target: string, aligned: AlignedName | undefined): string {
  if (!aligned) {
    return 'dbt’s groups were not checked (connect the dbt Admin API to compare names)';
  }
  switch (aligned.alignment) {
    case 'match':
      return `dbt already has the group "${aligned.dbtName ?? target}": Okta takes it over and manages its members`;
    case 'case':
      return `dbt has "${aligned.dbtName ?? ''}", the same name in another case: pushing "${target}" would create a second dbt group; use dbt’s exact name instead`;
    case 'new':
      return 'dbt has no group of that name: Okta creates it';
  }
}

/**
 * The group to link a push to: an APP_GROUP imported from this app whose name is exactly the
 * target (existing integrations: link to what dbt already has, never push a duplicate).
 */
export function importedTarget(
  appId: string,
  targetName: string,
  appGroups: readonly OktaGroup[],
): OktaGroup | undefined {
  return appGroups.find(
    (g) => g.type === 'APP_GROUP' && g.sourceId === appId && g.name === targetName,
  );
}

export interface GroupPushPick {
  readonly oktaGroupId: string;
  readonly oktaGroupName: string;
  readonly targetGroupName: string;
}

/** The plan line of a push to add. */
export function describeNewPush(
  pick: GroupPushPick,
  link: OktaGroup | undefined,
  aligned: AlignedName | undefined,
): string {
  if (link) {
    return `push the Okta group "${pick.oktaGroupName}" to the dbt group "${link.name}" imported from dbt (links to it; no new group)`;
  }
  return `push the Okta group "${pick.oktaGroupName}" to dbt as "${pick.targetGroupName}" (${describeAlignment(pick.targetGroupName, aligned)})`;
}

/** dbt's answer when a pushed group holds someone without a license on the account. */
const NO_LICENSE = /all users must have licenses/i;

/** A mapping's error, explained: what dbt or Okta said, why, and what to do. */
export function explainMappingError(pick: GroupPushPick, summary: string | null): string {
  const said = summary?.trim() ? `: “${summary.trim().slice(0, 300)}”` : '';
  if (summary && NO_LICENSE.test(summary)) {
    return `dbt refused the group "${pick.targetGroupName}"${said}. A member of "${pick.oktaGroupName}" has no dbt license: give every member a License Type ("licenseType" on their assignment to the app) or set a default license in dbt, then push again ("Push Groups" → the group → "Push Now").`;
  }
  if (summary && /already exists|uniqueness|409/i.test(summary)) {
    return `Okta could not push "${pick.oktaGroupName}"${said}. dbt already has a group of that name that SCIM manages: link to it instead (import groups first: "Import" → "Import Now"), or push under another name.`;
  }
  return `Okta could not push "${pick.oktaGroupName}" to dbt${said}. Open the app's "Push Groups" tab for the error and the System Log ("Reports" → "System Log") for details, fix the cause, then "Push Now".`;
}

/** A mapping's status as a check verdict and sentence. */
export function judgeMapping(
  pick: GroupPushPick,
  mapping: GroupPushMapping,
): { readonly ok: boolean; readonly message: string } {
  switch (mapping.status) {
    case 'ACTIVE':
      return {
        ok: true,
        message: `Okta pushes the group "${pick.oktaGroupName}" to dbt${mapping.lastPush ? ` (last push ${mapping.lastPush})` : ''}.`,
      };
    case 'ERROR':
      return { ok: false, message: explainMappingError(pick, mapping.errorSummary) };
    case 'INACTIVE':
      return {
        ok: false,
        message: `The push of "${pick.oktaGroupName}" is inactive, so Okta does not push it: activate it in the app's "Push Groups" tab.`,
      };
    default:
      return {
        ok: false,
        message: `The push of "${pick.oktaGroupName}" has the status ${mapping.status}.`,
      };
  }
}
