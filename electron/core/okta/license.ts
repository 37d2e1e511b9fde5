/**
 * The `licenseType` attribute of the app user profile, exactly as dbt's page asks for it (Profile
 * Editor → "Add Attribute"), and the read-back that names each field that differs in the Profile
 * Editor's own words.
 */
import { DBT_LICENSE_NAMESPACE, LICENSE_TYPES, type JsonObject } from './ports.js';

export const LICENSE_ATTRIBUTE = 'licenseType';
export const LICENSE_TITLE = 'License Type';
export const LICENSE_DESCRIPTION = 'dbt platform license type';

/** "Attribute type: Personal" in the console is `scope: SELF`; "Group" is `NONE` (Okta's default). */
export const PERSONAL_SCOPE = 'SELF';

/** The attribute dbt needs (the seed: data type string, enum with display names, Personal). */
export function desiredLicenseAttribute(): JsonObject {
  return {
    title: LICENSE_TITLE,
    description: LICENSE_DESCRIPTION,
    type: 'string',
    externalName: LICENSE_ATTRIBUTE,
    externalNamespace: DBT_LICENSE_NAMESPACE,
    enum: LICENSE_TYPES.map((t) => t.value),
    oneOf: LICENSE_TYPES.map((t) => ({ const: t.value, title: t.title })),
    scope: PERSONAL_SCOPE,
    required: false,
  };
}

/** The body of the partial update (`POST /api/v1/meta/schemas/apps/{id}/default`). */
export function licenseSchemaBody(
  attribute: JsonObject | null = desiredLicenseAttribute(),
): JsonObject {
  return {
    definitions: {
      custom: {
        id: '#custom',
        type: 'object',
        properties: { [LICENSE_ATTRIBUTE]: attribute },
      },
    },
  };
}

/**
 * `absent`: no such attribute; `matches`; `differs`: a partial update fixes it; `wrong_scope`: it
 * differs in what Okta does not change in place ("Attribute type", "Data type"), so it must be
 * removed and added again.
 */
export type LicenseAttributeState = 'absent' | 'matches' | 'differs' | 'wrong_scope';

export interface LicenseAttributeDiff {
  readonly state: LicenseAttributeState;
  /** Each difference in the admin's words, e.g. `"Attribute type" is Group, not Personal`. */
  readonly differences: string[];
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `licenseType` property of an app user schema, if any. */
export function licenseAttributeOf(schema: JsonObject): JsonObject | undefined {
  const definitions = schema.definitions;
  const custom = isObject(definitions) ? definitions.custom : undefined;
  const properties = isObject(custom) ? custom.properties : undefined;
  const attribute = isObject(properties) ? properties[LICENSE_ATTRIBUTE] : undefined;
  return isObject(attribute) ? attribute : undefined;
}

function show(v: unknown): string {
  if (v === undefined || v === null || v === '') {
    return 'empty';
  }
  return typeof v === 'string' ? `"${v}"` : JSON.stringify(v);
}

const scopeName = (scope: unknown): string =>
  scope === PERSONAL_SCOPE
    ? 'Personal'
    : scope === undefined || scope === null || scope === 'NONE'
      ? 'Group'
      : show(scope);

/** Reads every field of the attribute back and names each difference from what dbt needs. */
export function diffLicenseAttribute(schema: JsonObject): LicenseAttributeDiff {
  const got = licenseAttributeOf(schema);
  if (!got) {
    return { state: 'absent', differences: [] };
  }
  const differences: string[] = [];
  let recreate = false;

  if (got.type !== 'string') {
    differences.push(`"Data type" is ${show(got.type)}, not string`);
    recreate = true;
  }
  if (got.title !== LICENSE_TITLE) {
    differences.push(`"Display name" is ${show(got.title)}, not "${LICENSE_TITLE}"`);
  }
  if (got.externalName !== LICENSE_ATTRIBUTE) {
    differences.push(`"External name" is ${show(got.externalName)}, not "${LICENSE_ATTRIBUTE}"`);
  }
  if (got.externalNamespace !== DBT_LICENSE_NAMESPACE) {
    differences.push(
      `"External namespace" is ${show(got.externalNamespace)}, not "${DBT_LICENSE_NAMESPACE}"`,
    );
  }

  const wantValues = LICENSE_TYPES.map((t) => t.value);
  const values = got.enum;
  if (!Array.isArray(values) || values.length === 0) {
    differences.push(
      `"Define enumerated list of values" is off: dbt needs ${wantValues.join(', ')}`,
    );
  } else if (values.length !== wantValues.length || values.some((v, i) => v !== wantValues[i])) {
    differences.push(
      `the enumerated values are ${values.map((v) => show(v)).join(', ')}; dbt needs ${wantValues.map((v) => `"${v}"`).join(', ')} in that order`,
    );
  }

  const members = got.oneOf;
  const wantMembers = LICENSE_TYPES.map((t) => `${t.title} = ${t.value}`);
  const memberText = (m: unknown): string =>
    isObject(m)
      ? `${typeof m.title === 'string' ? m.title : '(no display name)'} = ${typeof m.const === 'string' ? m.const : show(m.const)}`
      : show(m);
  if (!Array.isArray(members) || members.length === 0) {
    differences.push(
      `"Attribute members" (display name = value) are missing: dbt needs ${wantMembers.join(', ')}`,
    );
  } else if (
    members.length !== LICENSE_TYPES.length ||
    members.some(
      (m, i) =>
        !isObject(m) || m.const !== LICENSE_TYPES[i]?.value || m.title !== LICENSE_TYPES[i]?.title,
    )
  ) {
    differences.push(
      `"Attribute members" (display name = value) are ${members.map(memberText).join(', ')}; dbt needs ${wantMembers.join(', ')} in that order`,
    );
  }

  if (got.scope !== PERSONAL_SCOPE) {
    differences.push(`"Attribute type" is ${scopeName(got.scope)}, not Personal`);
    recreate = true;
  }
  if (got.required === true) {
    differences.push('it is required; dbt’s attribute is optional');
  }

  return {
    state: differences.length === 0 ? 'matches' : recreate ? 'wrong_scope' : 'differs',
    differences,
  };
}

/** The attribute as one line: `licenseType (string, Personal) "License Type": IT, Analyst, …`. */
export function describeLicenseAttribute(): string {
  return `${LICENSE_ATTRIBUTE} (string, Personal) "${LICENSE_TITLE}": ${LICENSE_TYPES.map((t) => t.title).join(', ')}`;
}

/** The current attribute as one line, for a remove line: `(string, Group)`. */
export function describeCurrentAttribute(schema: JsonObject): string {
  const got = licenseAttributeOf(schema);
  if (!got) {
    return 'absent';
  }
  return `${typeof got.type === 'string' ? got.type : show(got.type)}, ${scopeName(got.scope)}`;
}
