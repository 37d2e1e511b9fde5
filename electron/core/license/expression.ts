/**
 * The optional group-based `licenseType` value for Okta: an Okta Expression Language expression for
 * the app's profile mapping (Okta user → dbt app user), built from `{ group name → license type }`
 * rules and a default, e.g.
 *
 *   isMemberOfGroupName("dbt_developers") ? "developer" : (isMemberOfGroupName("dbt_it") ? "it" : "read_only")
 *
 * Okta Expression Language: `isMemberOfGroupName("…")` and the ternary `a ? b : c` (okta.md §2.5);
 * dbt's older `IIF(isMemberOf(…), …)` is not Okta Expression Language. String literals are
 * double-quoted; Okta EL follows Spring EL there, where a quote inside a literal is written twice
 * (`"a""b"` is `a"b`) and a backslash is an ordinary character. Line breaks and other control
 * characters are refused rather than quoted: a group name never needs one.
 *
 * Okta's caveat (Okta Expression Language reference, group functions): when an expression uses
 * group functions, the app user's profile attributes "aren't updated or reapplied when the user's
 * group membership changes" — only when the profile changes or the user is assigned again.
 */
import { badInput } from '../errors.js';
import { LICENSE_TYPES, type LicenseType } from '../okta/ports.js';

export interface LicenseRule {
  /** The Okta group name, exactly (isMemberOfGroupName compares names). */
  readonly groupName: string;
  readonly licenseType: LicenseType;
}

export interface LicenseExpressionInput {
  /** First match wins: put the license that should win first (dbt: Developer over others). */
  readonly rules: readonly LicenseRule[];
  /** For people in none of the groups. */
  readonly defaultLicenseType: LicenseType;
}

/** What the plan and the verify say about Okta's behaviour. */
export const NOT_REAPPLIED_CAVEAT =
  'Okta does not reapply this value when someone’s group membership changes: it is computed when the person is assigned to the app or their Okta profile changes. After moving people between these groups, update their profile or assign them again (or set License Type on the assignment).';

/** C0 controls, DEL and the Unicode line separators. */
function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f || c === 0x2028 || c === 0x2029) {
      return true;
    }
  }
  return false;
}

/** A double-quoted Okta EL string literal: `"` doubled, control characters refused. */
export function elString(value: string): string {
  if (hasControl(value)) {
    throw badInput(
      `The group name ${JSON.stringify(value)} holds a line break or another control character.`,
      'Use the group’s name exactly as Okta shows it (Directory → Groups).',
    );
  }
  return `"${value.replace(/"/g, '""')}"`;
}

function isLicenseType(v: string): v is LicenseType {
  return LICENSE_TYPES.some((t) => t.value === v);
}

/** Checks the rules: known license types, non-empty unique group names. Returns them trimmed. */
export function cleanRules(input: LicenseExpressionInput): LicenseExpressionInput {
  if (!isLicenseType(input.defaultLicenseType)) {
    throw badInput(
      `"${String(input.defaultLicenseType)}" is not a dbt license type.`,
      `Choose one of ${LICENSE_TYPES.map((t) => t.value).join(', ')}.`,
    );
  }
  const seen = new Set<string>();
  const rules: LicenseRule[] = [];
  for (const r of input.rules) {
    const groupName = r.groupName.trim();
    if (groupName === '') {
      throw badInput('A rule has no group name.', 'Give each rule the Okta group it is for.');
    }
    if (!isLicenseType(r.licenseType)) {
      throw badInput(
        `"${String(r.licenseType)}" is not a dbt license type (group "${groupName}").`,
        `Choose one of ${LICENSE_TYPES.map((t) => t.value).join(', ')}.`,
      );
    }
    if (seen.has(groupName)) {
      throw badInput(
        `The group "${groupName}" has two rules.`,
        'Keep one license type per group: the first matching rule wins anyway.',
      );
    }
    seen.add(groupName);
    rules.push({ groupName, licenseType: r.licenseType });
  }
  return { rules, defaultLicenseType: input.defaultLicenseType };
}

/** The expression, nested ternaries in rule order, ending with the default. */
export function buildLicenseExpression(input: LicenseExpressionInput): string {
  const { rules, defaultLicenseType } = cleanRules(input);
  let expression = elString(defaultLicenseType);
  for (let i = rules.length - 1; i >= 0; i--) {
    const rule = rules[i];
    if (!rule) {
      continue;
    }
    const rest = i === rules.length - 1 ? expression : `(${expression})`;
    expression = `isMemberOfGroupName(${elString(rule.groupName)}) ? ${elString(rule.licenseType)} : ${rest}`;
  }
  return expression;
}

/** The rules in the admin's words: `dbt_developers → Developer; everyone else → Read Only`. */
export function describeLicenseRules(input: LicenseExpressionInput): string {
  const title = (v: LicenseType): string => LICENSE_TYPES.find((t) => t.value === v)?.title ?? v;
  const parts = input.rules.map((r) => `members of "${r.groupName}" → ${title(r.licenseType)}`);
  parts.push(
    `${input.rules.length > 0 ? 'everyone else' : 'everyone'} → ${title(input.defaultLicenseType)}`,
  );
  return parts.join('; ');
}
