/**
 * The Entra provisioning job's schema, changed the way dbt's setup page asks, as pure functions
 * over the raw JSON that Graph returns (it is PUT back whole, so nothing is parsed into models
 * that could drop a field).
 *
 * Everything is found by structure, never by display name: the directory names and the mapping
 * names differ between template versions ("Azure Active Directory" / "Microsoft Entra ID").
 *  - rule:       the synchronization rule whose target directory is not its source directory and
 *                which maps the source object `User`;
 *  - userMap:    that rule's object mapping with `sourceObjectName` `User`;
 *  - targetDir:  the directory named by the rule's `targetDirectoryName` (`customappsso`);
 *  - targetUser: the object of targetDir named by userMap's `targetObjectName`.
 *
 * `planSchema` returns the desired schema (a deep copy: the input is never touched) and the
 * changes in an admin's words; planning the desired schema again yields no change.
 * `verifySchema` reads a schema back as one check per required item.
 */
import { WizardError } from '../errors.js';
import type { Change, Check } from '../model.js';
import type { JsonObject } from './ports.js';

export const PRIMARY_EMAIL = 'emails[type eq "work"].primary';
export const WORK_EMAIL = 'emails[type eq "work"].value';

/** dbt step 6: "Mark all of the fields listed in Step 10 as Required". */
export const REQUIRED_ATTRIBUTES = [
  'userName',
  'active',
  WORK_EMAIL,
  'name.givenName',
  'name.familyName',
  'externalId',
] as const;

/** The expression of the `active` mapping (dbt's page and Entra's default custom-app mapping). */
export const ACTIVE_EXPRESSION = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")';

/** The constant source of the primary-email flag (dbt: default value True, applied Always). */
export const TRUE_CONSTANT: JsonObject = {
  expression: '"True"',
  name: 'True',
  type: 'Constant',
  parameters: [],
};

/** The attribute definition added to the target user object (the schema editor's shape). */
export function primaryEmailAttribute(): JsonObject {
  return {
    anchor: false,
    caseExact: false,
    defaultValue: null,
    flowNullValues: false,
    multivalued: false,
    mutability: 'ReadWrite',
    name: PRIMARY_EMAIL,
    required: true,
    type: 'Boolean',
    apiExpressions: [],
    metadata: [],
    referencedObjects: [],
  };
}

type SourceSpec =
  | { readonly kind: 'attribute'; readonly name: string }
  | { readonly kind: 'active' }
  | { readonly kind: 'constant-true' };

export interface MappingSpec {
  readonly target: string;
  readonly source: SourceSpec;
  /** The matching attribute ("Match objects using this attribute", precedence 1). */
  readonly matching?: boolean;
  /** Must be applied Always ("Apply this mapping: Always"). */
  readonly always?: boolean;
}

/** The seven user mappings dbt's page keeps ("Make sure the following mappings are in place and delete any others"). */
export const USER_MAPPINGS: readonly MappingSpec[] = [
  { target: 'userName', source: { kind: 'attribute', name: 'userPrincipalName' }, matching: true },
  { target: 'active', source: { kind: 'active' } },
  { target: WORK_EMAIL, source: { kind: 'attribute', name: 'userPrincipalName' } },
  { target: 'name.givenName', source: { kind: 'attribute', name: 'givenName' } },
  { target: 'name.familyName', source: { kind: 'attribute', name: 'surname' } },
  { target: 'externalId', source: { kind: 'attribute', name: 'mailNickname' } },
  { target: PRIMARY_EMAIL, source: { kind: 'constant-true' }, always: true },
];

// -------------------------------------------------------------------------------------------
// Small JSON helpers

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function objects(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function shapeError(what: string): WizardError {
  return new WizardError(
    'invalid_response',
    `The provisioning job's schema has no ${what}, so the attribute mappings cannot be set.`,
    {
      remediation:
        'Check that the app was created from the non-gallery template and its job from the "scim" template; if the schema was edited by hand, restore the default mappings in the Entra admin center and run again.',
    },
  );
}

// -------------------------------------------------------------------------------------------
// Finding things by structure

export interface SchemaParts {
  readonly rule: JsonObject;
  readonly userMap: JsonObject;
  readonly groupMap: JsonObject | undefined;
  readonly targetDir: JsonObject;
  readonly targetUser: JsonObject;
  /** The Entra side's directory name (differs between template versions). */
  readonly sourceDirectoryName: string;
}

function userMapOf(rule: JsonObject): JsonObject | undefined {
  const maps = objects(rule.objectMappings).filter((m) => text(m.sourceObjectName) === 'User');
  return maps.find((m) => m.enabled !== false) ?? maps[0];
}

/** Whether a directory looks like Entra's: its `User` object has `userPrincipalName`. */
function looksLikeEntra(dir: JsonObject | undefined): boolean {
  const user = objects(dir?.objects).find((o) => text(o.name) === 'User');
  return objects(user?.attributes).some((a) => same(text(a.name), 'userPrincipalName'));
}

/** Locates the parts of a schema that dbt's page edits. Throws a typed error when one is missing. */
export function locateSchema(schema: JsonObject): SchemaParts {
  const dirs = objects(schema.directories);
  const dirNamed = (name: string): JsonObject | undefined =>
    dirs.find((d) => text(d.name) === name);
  const candidates = objects(schema.synchronizationRules).filter((r) => {
    const target = text(r.targetDirectoryName);
    return target !== '' && target !== text(r.sourceDirectoryName) && userMapOf(r) !== undefined;
  });
  // Outbound rules (Entra → app) first; among those, the one whose target directory exists.
  const ranked = [...candidates].sort((a, b) => {
    const score = (r: JsonObject): number =>
      (looksLikeEntra(dirNamed(text(r.sourceDirectoryName))) ? 2 : 0) +
      (dirNamed(text(r.targetDirectoryName)) ? 1 : 0);
    return score(b) - score(a);
  });
  const rule = ranked[0];
  if (!rule) {
    throw shapeError('synchronization rule that provisions users from Entra');
  }
  const userMap = userMapOf(rule);
  if (!userMap) {
    throw shapeError('user mapping');
  }
  const targetDir = dirNamed(text(rule.targetDirectoryName));
  if (!targetDir) {
    throw shapeError(`target directory "${text(rule.targetDirectoryName)}"`);
  }
  const targetUser = objects(targetDir.objects).find(
    (o) => text(o.name) === text(userMap.targetObjectName),
  );
  if (!targetUser || !Array.isArray(targetUser.attributes)) {
    throw shapeError(`target user object "${text(userMap.targetObjectName)}"`);
  }
  if (!Array.isArray(userMap.attributeMappings)) {
    throw shapeError('list of user attribute mappings');
  }
  const groupMap = objects(rule.objectMappings).find((m) => text(m.sourceObjectName) === 'Group');
  return {
    rule,
    userMap,
    groupMap,
    targetDir,
    targetUser,
    sourceDirectoryName: text(rule.sourceDirectoryName),
  };
}

/** The id of the rule provisionOnDemand needs (may look like `<guid>#V2`: not validated). */
export function provisioningRuleId(schema: JsonObject): string {
  const id = text(locateSchema(schema).rule.id);
  if (id === '') {
    throw shapeError('rule id');
  }
  return id;
}

// -------------------------------------------------------------------------------------------
// Sources

function attributeSource(name: string): JsonObject {
  return { expression: `[${name}]`, name, type: 'Attribute', parameters: [] };
}

function compact(expression: string): string {
  return expression.replace(/\s+/g, '');
}

/** Whether a mapping source is `Switch([IsSoftDeleted], , "False", "True", "True", "False")`. */
export function isActiveSwitch(source: unknown): boolean {
  if (!isObject(source) || text(source.type) !== 'Function' || !same(text(source.name), 'Switch')) {
    return false;
  }
  if (compact(text(source.expression)) === compact(ACTIVE_EXPRESSION)) {
    return true;
  }
  const values = objects(source.parameters).map((p) => (isObject(p.value) ? p.value : {}));
  const [first, ...rest] = values;
  if (!first || text(first.type) !== 'Attribute' || !same(text(first.name), 'IsSoftDeleted')) {
    return false;
  }
  const constants = rest.map((v) => text(v.name)).filter((n) => n !== '');
  return constants.join(',') === 'False,True,True,False';
}

function isTrueConstant(source: unknown): boolean {
  if (!isObject(source) || text(source.type) !== 'Constant') {
    return false;
  }
  return same(text(source.name), 'True') || same(text(source.expression), '"True"');
}

function sourceMatches(spec: SourceSpec, source: unknown): boolean {
  switch (spec.kind) {
    case 'attribute':
      return (
        isObject(source) && text(source.type) === 'Attribute' && same(text(source.name), spec.name)
      );
    case 'active':
      return isActiveSwitch(source);
    case 'constant-true':
      return isTrueConstant(source);
  }
}

/** A source in an admin's words: the source attribute's name, a constant's value, an expression. */
export function describeSource(source: unknown, defaultValue?: unknown): string {
  if (!isObject(source)) {
    const d = text(defaultValue);
    return d === '' ? '(nothing)' : `(default "${d}")`;
  }
  switch (text(source.type)) {
    case 'Attribute':
      return text(source.name) || text(source.expression) || '(an attribute)';
    case 'Constant':
      return text(source.name) || text(source.expression) || '(empty constant)';
    default:
      return text(source.expression) || `${text(source.name)}(…)`;
  }
}

function describeSpec(spec: SourceSpec): string {
  switch (spec.kind) {
    case 'attribute':
      return spec.name;
    case 'active':
      return ACTIVE_EXPRESSION;
    case 'constant-true':
      return 'True';
  }
}

// -------------------------------------------------------------------------------------------
// Plan

export interface PlanSchemaOptions {
  /**
   * The parsed `active` expression (from `parseExpression`), used only when the schema's own
   * `active` mapping is not already the Switch expression (see `needsActiveExpression`).
   */
  readonly activeSource?: JsonObject;
}

export interface SchemaPlan {
  readonly desired: JsonObject;
  readonly changes: Change[];
}

function mappingsOf(userMap: JsonObject): JsonObject[] {
  return objects(userMap.attributeMappings);
}

function targetOf(mapping: JsonObject): string {
  return text(mapping.targetAttributeName);
}

/** Whether planning needs the parsed `active` expression (the template's is not the Switch). */
export function needsActiveExpression(schema: JsonObject): boolean {
  const { userMap } = locateSchema(schema);
  const active = mappingsOf(userMap).find((m) => same(targetOf(m), 'active'));
  return !active || !isActiveSwitch(active.source);
}

function newMapping(target: string, source: JsonObject, spec: MappingSpec): JsonObject {
  return {
    defaultValue: '',
    exportMissingReferences: false,
    flowBehavior: 'FlowWhenChanged',
    flowType: 'Always',
    matchingPriority: spec.matching ? 1 : 0,
    source,
    targetAttributeName: target,
  };
}

export function planSchema(raw: JsonObject, opts: PlanSchemaOptions = {}): SchemaPlan {
  const desired = structuredClone(raw);
  const { userMap, targetUser } = locateSchema(desired);
  const changes: Change[] = [];
  const attributes = targetUser.attributes as unknown[];
  const attributeNamed = (name: string): JsonObject | undefined =>
    objects(attributes).find((a) => same(text(a.name), name));

  // 1. The attribute list ("Edit attribute list for customappsso").
  const primary = attributeNamed(PRIMARY_EMAIL);
  if (!primary) {
    attributes.push(primaryEmailAttribute());
    changes.push({
      id: `schema.attribute.add:${PRIMARY_EMAIL}`,
      action: 'add',
      target: `attribute ${PRIMARY_EMAIL}`,
      detail: `add attribute ${PRIMARY_EMAIL} (Boolean, required)`,
    });
  } else {
    if (text(primary.type) !== 'Boolean') {
      changes.push({
        id: `schema.attribute.type:${PRIMARY_EMAIL}`,
        action: 'change',
        target: `attribute ${PRIMARY_EMAIL}`,
        detail: `change the type of ${PRIMARY_EMAIL} from ${text(primary.type) || 'none'} to Boolean`,
      });
      primary.type = 'Boolean';
    }
    if (primary.required !== true) {
      changes.push({
        id: `schema.required:${PRIMARY_EMAIL}`,
        action: 'change',
        target: `attribute ${PRIMARY_EMAIL}`,
        detail: `mark ${PRIMARY_EMAIL} as required`,
      });
      primary.required = true;
    }
  }
  for (const name of REQUIRED_ATTRIBUTES) {
    const attr = attributeNamed(name);
    if (!attr) {
      const type = name === 'active' ? 'Boolean' : 'String';
      attributes.push({ ...primaryEmailAttribute(), name, type });
      changes.push({
        id: `schema.attribute.add:${name}`,
        action: 'add',
        target: `attribute ${name}`,
        detail: `add attribute ${name} (${type}, required)`,
      });
    } else if (attr.required !== true) {
      attr.required = true;
      changes.push({
        id: `schema.required:${name}`,
        action: 'change',
        target: `attribute ${text(attr.name)}`,
        detail: `mark ${text(attr.name)} as required`,
      });
    }
  }

  // 2. The user mappings: the seven of dbt's page, every other one removed.
  const kept: JsonObject[] = [];
  const seen = new Set<MappingSpec>();
  for (const mapping of mappingsOf(userMap)) {
    const target = targetOf(mapping);
    const spec = USER_MAPPINGS.find((s) => same(s.target, target));
    if (!spec || seen.has(spec)) {
      changes.push({
        id: `schema.mapping.remove:${target}${spec ? ':duplicate' : ''}`,
        action: 'remove',
        target: `mapping ${target} ← ${describeSource(mapping.source, mapping.defaultValue)}`,
        detail: `remove ${spec ? 'duplicate ' : ''}mapping ${target} ← ${describeSource(mapping.source, mapping.defaultValue)}`,
      });
      continue;
    }
    seen.add(spec);
    kept.push(fixMapping(mapping, spec, opts, changes));
  }
  for (const spec of USER_MAPPINGS) {
    if (seen.has(spec)) {
      continue;
    }
    const target = text(attributeNamed(spec.target)?.name) || spec.target;
    kept.push(newMapping(target, sourceFor(spec, opts), spec));
    changes.push({
      id: `schema.mapping.add:${spec.target}`,
      action: 'add',
      target: `mapping ${target} ← ${describeSpec(spec.source)}`,
      detail:
        spec.source.kind === 'constant-true'
          ? `add mapping ${target} ← True (constant, applied Always)`
          : `add mapping ${target} ← ${describeSpec(spec.source)}`,
    });
  }
  if (changes.some((c) => c.id.startsWith('schema.mapping.'))) {
    userMap.attributeMappings = kept;
  }
  return { desired, changes };
}

function sourceFor(spec: MappingSpec, opts: PlanSchemaOptions): JsonObject {
  switch (spec.source.kind) {
    case 'attribute':
      return attributeSource(spec.source.name);
    case 'constant-true':
      return { ...TRUE_CONSTANT, parameters: [] };
    case 'active':
      if (!opts.activeSource) {
        throw new WizardError(
          'internal',
          'The active mapping needs the parsed Switch expression, and none was given.',
          { remediation: 'Run the plan again; if it happens again, report it.' },
        );
      }
      return structuredClone(opts.activeSource);
  }
}

/** An existing mapping for a wanted target, returned as is when right, else corrected. */
function fixMapping(
  mapping: JsonObject,
  spec: MappingSpec,
  opts: PlanSchemaOptions,
  changes: Change[],
): JsonObject {
  const target = targetOf(mapping);
  let out = mapping;
  const edit = (patch: JsonObject): void => {
    out = { ...out, ...patch };
  };
  if (!sourceMatches(spec.source, mapping.source)) {
    const from = describeSource(mapping.source, mapping.defaultValue);
    edit({ source: sourceFor(spec, opts) });
    changes.push({
      id: `schema.mapping.source:${spec.target}`,
      action: 'change',
      target: `mapping ${target}`,
      detail: `change ${target} from ${from} to ${describeSpec(spec.source)}`,
    });
  }
  if (spec.always && text(mapping.flowType) !== 'Always') {
    edit({ flowType: 'Always' });
    changes.push({
      id: `schema.mapping.flow:${spec.target}`,
      action: 'change',
      target: `mapping ${target}`,
      detail: `apply ${target} Always (it is ${text(mapping.flowType) || 'unset'})`,
    });
  }
  const priority = typeof mapping.matchingPriority === 'number' ? mapping.matchingPriority : 0;
  if (spec.matching && priority !== 1) {
    edit({ matchingPriority: 1 });
    changes.push({
      id: `schema.mapping.match:${spec.target}`,
      action: 'change',
      target: `mapping ${target}`,
      detail: `match users on ${target} (matching precedence 1)`,
    });
  } else if (!spec.matching && priority > 0) {
    edit({ matchingPriority: 0 });
    changes.push({
      id: `schema.mapping.match:${spec.target}`,
      action: 'change',
      target: `mapping ${target}`,
      detail: `stop matching users on ${target} (dbt matches on userName)`,
    });
  }
  return out;
}

// -------------------------------------------------------------------------------------------
// Verify

export function verifySchema(raw: JsonObject, at: string = new Date().toISOString()): Check[] {
  const checks: Check[] = [];
  const check = (id: string, ok: boolean, pass: string, fail: string): void => {
    checks.push({ id, status: ok ? 'pass' : 'fail', message: ok ? pass : fail, at });
  };
  let parts: SchemaParts;
  try {
    parts = locateSchema(raw);
  } catch (e) {
    checks.push({
      id: 'schema.shape',
      status: 'fail',
      message: e instanceof Error ? e.message : 'The schema could not be read.',
      at,
    });
    return checks;
  }
  const { userMap, targetUser, groupMap } = parts;
  const attrs = objects(targetUser.attributes);
  const attributeNamed = (name: string): JsonObject | undefined =>
    attrs.find((a) => same(text(a.name), name));

  const primary = attributeNamed(PRIMARY_EMAIL);
  check(
    'schema.attribute.primary',
    primary !== undefined && text(primary.type) === 'Boolean' && primary.required === true,
    `The attribute list has ${PRIMARY_EMAIL} (Boolean, required).`,
    primary === undefined
      ? `The attribute list has no ${PRIMARY_EMAIL}.`
      : `${PRIMARY_EMAIL} is ${text(primary.type) || 'untyped'}${primary.required === true ? ', required' : ', not required'}; dbt needs Boolean, required.`,
  );
  for (const name of REQUIRED_ATTRIBUTES) {
    const attr = attributeNamed(name);
    check(
      `schema.required.${name}`,
      attr?.required === true,
      `${name} is marked required.`,
      attr ? `${name} is not marked required.` : `The attribute list has no ${name}.`,
    );
  }

  const mappings = mappingsOf(userMap);
  for (const spec of USER_MAPPINGS) {
    const found = mappings.filter((m) => same(targetOf(m), spec.target));
    const m = found[0];
    const wanted = `${spec.target} ← ${spec.source.kind === 'constant-true' ? 'True (constant)' : describeSpec(spec.source)}`;
    let problem: string | undefined;
    if (!m) {
      problem = `There is no mapping for ${spec.target}; dbt needs ${wanted}.`;
    } else if (!sourceMatches(spec.source, m.source)) {
      problem = `${spec.target} ← ${describeSource(m.source, m.defaultValue)}; dbt needs ${describeSpec(spec.source)}.`;
    } else if (spec.always && text(m.flowType) !== 'Always') {
      problem = `${spec.target} is applied ${text(m.flowType) || 'unset'}; dbt needs Always.`;
    } else if (spec.matching && m.matchingPriority !== 1) {
      problem = `Users are not matched on ${spec.target} (matching precedence 1).`;
    } else if (found.length > 1) {
      problem = `${spec.target} is mapped ${found.length} times.`;
    }
    check(
      `schema.mapping.${spec.target}`,
      problem === undefined,
      `Mapping ${wanted}.`,
      problem ?? '',
    );
  }
  const extra = mappings.filter((m) => !USER_MAPPINGS.some((s) => same(s.target, targetOf(m))));
  check(
    'schema.mapping.extra',
    extra.length === 0,
    'No other user mappings.',
    `Other user mappings remain: ${extra
      .map((m) => `${targetOf(m)} ← ${describeSource(m.source, m.defaultValue)}`)
      .join(', ')}.`,
  );
  check(
    'schema.group-mapping',
    groupMap !== undefined,
    `The group mapping is in place${text(groupMap?.name) ? ` ("${text(groupMap?.name)}")` : ''}.`,
    'The group mapping is missing: dbt supports group provisioning, and the wizard never removes it. Restore the default mappings in the Entra admin center.',
  );
  return checks;
}
