/**
 * The synchronization schema of the fake Graph: what `GET …/jobs/{id}/schema` answers for a new
 * non-gallery SCIM job (template `scim`), plus the small expression language the service speaks.
 *
 *  - `defaultScimSchema(variant)`: directories (the Entra source, named "Azure Active Directory" in
 *    older templates and "Microsoft Entra ID" in newer ones, and the SCIM target `customappsso`) and
 *    one rule with the default User and Group mappings of a custom SCIM app (graph.md §5; the
 *    defaults follow Microsoft's "customize application attributes" pages and the active ←
 *    Switch([IsSoftDeleted]…) example [S17]). Every attributeDefinition and attributeMapping has
 *    the full shape of the OpenAPI/CSDL types, so a round trip through a typed model that drops
 *    fields would show.
 *  - `parseExpression(text)`: a tiny parser for function calls, `[attribute]` references and
 *    `"string"` constants, producing the attributeMappingSource tree the service returns; the
 *    default schema is built with it, so both agree by construction.
 *  - `evaluate(source, attributes)`: enough of the functions to compute SCIM values on demand.
 *  - `schemaProblem(schema)`: the structural checks a schema PUT must pass.
 *  - `scimUserFromMappings(…)`: the SCIM resource a User mapping produces for one user.
 *
 * Modelled, not copied: rule and directory ids, metadata values and the exact default attribute
 * list are plausible stand-ins, not a capture of a real tenant's schema.
 */
export type JsonObject = Record<string, unknown>;
export type TemplateVariant = 'azure-ad' | 'entra';

export const TARGET_DIRECTORY = 'customappsso';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const SCIM_CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const SCIM_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
/** The rule id of the fake's schema (real ones vary: plain names or `<guid>#V2`). */
export const DEFAULT_RULE_ID = 'AD2SCIMUser';

export function sourceDirectoryName(variant: TemplateVariant): string {
  return variant === 'entra' ? 'Microsoft Entra ID' : 'Azure Active Directory';
}

export function userMappingName(variant: TemplateVariant): string {
  return `Provision ${sourceDirectoryName(variant)} Users`;
}

export function groupMappingName(variant: TemplateVariant): string {
  return `Provision ${sourceDirectoryName(variant)} Groups`;
}

// ---------------------------------------------------------------------------------------------
// Expressions

/** An attributeMappingSource, as the service serialises it (key order as in the docs). */
export interface MappingSource {
  expression: string;
  name: string;
  parameters: { key: string; value: MappingSource }[];
  type: 'Attribute' | 'Constant' | 'Function';
}

/** Parameter names per function (as the function catalogue names them), by position. */
const FUNCTION_PARAMETERS: Readonly<Record<string, (index: number) => string | undefined>> = {
  Switch: (i) => (i === 0 ? 'source' : i === 1 ? 'defaultValue' : i % 2 === 0 ? 'key' : 'value'),
  Join: (i) => (i === 0 ? 'separator' : 'source'),
  Coalesce: () => 'source',
  Append: (i) => ['source', 'suffix'][i],
  ToLower: (i) => ['source', 'culture'][i],
  ToUpper: (i) => ['source', 'culture'][i],
  Not: (i) => ['source'][i],
  StripSpaces: (i) => ['source'][i],
  Mid: (i) => ['source', 'start', 'length'][i],
  IIF: (i) => ['condition', 'valueIfTrue', 'valueIfFalse'][i],
  SingleAppRoleAssignment: (i) => ['source'][i],
};

export function attributeSource(name: string): MappingSource {
  return { expression: `[${name}]`, name, parameters: [], type: 'Attribute' };
}

export function constantSource(value: string): MappingSource {
  return {
    expression: `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`,
    name: value,
    parameters: [],
    type: 'Constant',
  };
}

export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

/** Parses an expression, or throws ExpressionError naming where it went wrong. */
export function parseExpression(text: string): MappingSource {
  let i = 0;
  const src = text;
  const skip = (): void => {
    while (i < src.length && /\s/.test(src.charAt(i))) {
      i++;
    }
  };
  const fail = (what: string): never => {
    throw new ExpressionError(`${what} at position ${i + 1}.`, i);
  };

  const parseValue = (): MappingSource => {
    skip();
    const c = src.charAt(i);
    if (c === '[') {
      const end = src.indexOf(']', i);
      if (end < 0) {
        fail('Unclosed attribute reference');
      }
      const name = src.slice(i + 1, end).trim();
      if (name === '') {
        fail('Empty attribute reference');
      }
      i = end + 1;
      return attributeSource(name);
    }
    if (c === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= src.length) {
          fail('Unclosed string constant');
        }
        const ch = src.charAt(i);
        if (ch === '\\' && i + 1 < src.length) {
          value += src.charAt(i + 1);
          i += 2;
          continue;
        }
        if (ch === '"') {
          i++;
          break;
        }
        value += ch;
        i++;
      }
      return constantSource(value);
    }
    const m = /^[A-Za-z][A-Za-z0-9]*/.exec(src.slice(i));
    if (!m) {
      return fail(c === '' ? 'Unexpected end of expression' : `Unexpected character '${c}'`);
    }
    const name = m[0];
    const start = i;
    i += name.length;
    skip();
    if (src.charAt(i) !== '(') {
      fail(`Expected '(' after ${name}`);
    }
    const keys = FUNCTION_PARAMETERS[name];
    if (!keys) {
      i = start;
      return fail(`Unknown function '${name}'`);
    }
    i++;
    const args: MappingSource[] = [];
    skip();
    if (src.charAt(i) === ')') {
      i++;
    } else {
      for (;;) {
        skip();
        // An empty argument (`Switch([x], , …)`) is an empty constant.
        if (src.charAt(i) === ',' || src.charAt(i) === ')') {
          args.push(constantSource(''));
        } else {
          args.push(parseValue());
        }
        skip();
        const sep = src.charAt(i);
        if (sep === ',') {
          i++;
          continue;
        }
        if (sep === ')') {
          i++;
          break;
        }
        fail(sep === '' ? 'Unexpected end of expression' : `Expected ',' or ')'`);
      }
    }
    const parameters = args.map((value, index) => {
      const key = keys(index);
      if (key === undefined) {
        i = start;
        return fail(`Too many arguments for ${name}`);
      }
      return { key, value };
    });
    return {
      expression: src.slice(start, i).trim(),
      name,
      parameters,
      type: 'Function',
    };
  };

  const tree = parseValue();
  skip();
  if (i < src.length) {
    fail(`Unexpected '${src.charAt(i)}'`);
  }
  // The root keeps the text as written (trimmed), like the service.
  return tree.type === 'Function' ? { ...tree, expression: text.trim() } : tree;
}

/** Source attribute values of one object, by name (case-insensitive lookups). */
export type SourceValues = Readonly<Record<string, string | null | undefined>>;

function lookup(values: SourceValues, name: string): string | null {
  const key = Object.keys(values).find((k) => k.toLowerCase() === name.toLowerCase());
  const v = key === undefined ? undefined : values[key];
  return v ?? null;
}

/** Evaluates a mapping source; null means "no value" (the service does not provision nulls). */
export function evaluate(source: unknown, values: SourceValues): string | null {
  if (!isObject(source)) {
    return null;
  }
  const name = typeof source.name === 'string' ? source.name : '';
  const params = Array.isArray(source.parameters)
    ? source.parameters.filter(isObject).map((p) => p.value)
    : [];
  const arg = (n: number): string | null => evaluate(params[n], values);
  switch (source.type) {
    case 'Attribute':
      return lookup(values, name);
    case 'Constant':
      return name;
    case 'Function':
      break;
    default:
      return null;
  }
  switch (name) {
    case 'Switch': {
      const input = arg(0);
      for (let k = 2; k + 1 < params.length; k += 2) {
        if (arg(k) === input) {
          return arg(k + 1);
        }
      }
      const fallback = arg(1);
      return fallback === '' ? null : fallback;
    }
    case 'Join': {
      const sep = arg(0) ?? '';
      const parts = params
        .slice(1)
        .map((_, k) => arg(k + 1))
        .filter((v): v is string => v != null && v !== '');
      return parts.length === 0 ? null : parts.join(sep);
    }
    case 'Coalesce':
      return params.map((_, k) => arg(k)).find((v): v is string => v != null && v !== '') ?? null;
    case 'Append': {
      const a = arg(0);
      return a == null ? null : `${a}${arg(1) ?? ''}`;
    }
    case 'ToLower':
      return arg(0)?.toLowerCase() ?? null;
    case 'ToUpper':
      return arg(0)?.toUpperCase() ?? null;
    case 'StripSpaces':
      return arg(0)?.replace(/\s+/g, '') ?? null;
    case 'Not': {
      const a = arg(0)?.toLowerCase();
      return a === 'true' ? 'False' : a === 'false' ? 'True' : null;
    }
    case 'Mid': {
      const a = arg(0);
      const start = Number(arg(1) ?? '1');
      const length = Number(arg(2) ?? '0');
      const from = Math.max(0, start - 1);
      return a == null ? null : a.slice(from, from + Math.max(0, length));
    }
    case 'SingleAppRoleAssignment':
      return arg(0);
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------------
// The default schema

type AttributeType = 'String' | 'Integer' | 'Reference' | 'Binary' | 'Boolean' | 'DateTime';

interface AttributeOptions {
  anchor?: boolean;
  caseExact?: boolean;
  flowNullValues?: boolean;
  multivalued?: boolean;
  mutability?: 'ReadWrite' | 'ReadOnly' | 'Immutable' | 'WriteOnly';
  required?: boolean;
  referencedObjects?: { referencedObjectName: string; referencedProperty: string | null }[];
  metadata?: { key: string; value: string }[];
}

/** A full attributeDefinition (every property of the type, in the docs' order). */
export function attributeDefinition(
  name: string,
  type: AttributeType = 'String',
  o: AttributeOptions = {},
): JsonObject {
  return {
    anchor: o.anchor ?? false,
    apiExpressions: [],
    caseExact: o.caseExact ?? false,
    defaultValue: null,
    flowNullValues: o.flowNullValues ?? false,
    metadata: o.metadata ?? [],
    multivalued: o.multivalued ?? false,
    mutability: o.mutability ?? 'ReadWrite',
    name,
    referencedObjects: o.referencedObjects ?? [],
    required: o.required ?? false,
    type,
  };
}

/** A full attributeMapping. */
export function attributeMapping(
  targetAttributeName: string,
  source: MappingSource,
  o: { matchingPriority?: number; flowType?: string; defaultValue?: string | null } = {},
): JsonObject {
  return {
    defaultValue: o.defaultValue ?? null,
    exportMissingReferences: false,
    flowBehavior: 'FlowWhenChanged',
    flowType: o.flowType ?? 'Always',
    matchingPriority: o.matchingPriority ?? 0,
    source,
    targetAttributeName,
  };
}

export const ACTIVE_EXPRESSION = 'Switch([IsSoftDeleted], , "False", "True", "True", "False")';
const FORMATTED_NAME_EXPRESSION = 'Join(" ", [givenName], [surname])';

const work = (attr: string): string => `addresses[type eq "work"].${attr}`;
const enterprise = (attr: string): string => `${ENTERPRISE_USER}:${attr}`;

function sourceUserObject(): JsonObject {
  const s = (name: string, o?: AttributeOptions): JsonObject =>
    attributeDefinition(name, 'String', o);
  return {
    attributes: [
      attributeDefinition('accountEnabled', 'Boolean'),
      s('appRoleAssignments', { multivalued: true }),
      s('city'),
      s('companyName'),
      s('country'),
      s('department'),
      s('displayName'),
      s('employeeId'),
      s('facsimileTelephoneNumber'),
      s('givenName'),
      attributeDefinition('IsSoftDeleted', 'Boolean'),
      s('jobTitle'),
      s('mail'),
      s('mailNickname'),
      attributeDefinition('manager', 'Reference', {
        referencedObjects: [{ referencedObjectName: 'User', referencedProperty: null }],
      }),
      s('mobile'),
      s('objectId', { anchor: true, mutability: 'ReadOnly' }),
      s('physicalDeliveryOfficeName'),
      s('postalCode'),
      s('preferredLanguage'),
      s('proxyAddresses', { multivalued: true }),
      s('state'),
      s('streetAddress'),
      s('surname'),
      s('telephoneNumber'),
      s('usageLocation'),
      s('userPrincipalName'),
    ],
    metadata: [
      { key: 'PropertyNameAccountEnabled', value: 'accountEnabled' },
      { key: 'PropertyNameSoftDeleted', value: 'IsSoftDeleted' },
      { key: 'IsSoftDeletionSupported', value: 'true' },
      { key: 'IsSynchronizeAllSupported', value: 'true' },
    ],
    name: 'User',
    supportedApis: [],
  };
}

function sourceGroupObject(): JsonObject {
  const s = (name: string, o?: AttributeOptions): JsonObject =>
    attributeDefinition(name, 'String', o);
  return {
    attributes: [
      s('description'),
      s('displayName'),
      attributeDefinition('IsSoftDeleted', 'Boolean'),
      s('mail'),
      attributeDefinition('mailEnabled', 'Boolean'),
      s('mailNickname'),
      attributeDefinition('members', 'Reference', {
        multivalued: true,
        referencedObjects: [
          { referencedObjectName: 'User', referencedProperty: null },
          { referencedObjectName: 'Group', referencedProperty: null },
        ],
      }),
      s('objectId', { anchor: true, mutability: 'ReadOnly' }),
      attributeDefinition('securityEnabled', 'Boolean'),
    ],
    metadata: [
      { key: 'PropertyNameSoftDeleted', value: 'IsSoftDeleted' },
      { key: 'IsSoftDeletionSupported', value: 'true' },
    ],
    name: 'Group',
    supportedApis: [],
  };
}

function targetUserObject(): JsonObject {
  const s = (name: string, o?: AttributeOptions): JsonObject =>
    attributeDefinition(name, 'String', o);
  return {
    attributes: [
      s('userName', { required: true }),
      attributeDefinition('active', 'Boolean'),
      s('displayName'),
      s('title'),
      s('emails[type eq "work"].value'),
      s('preferredLanguage'),
      s('name.givenName'),
      s('name.familyName'),
      s('name.formatted'),
      s(work('formatted')),
      s(work('streetAddress')),
      s(work('locality')),
      s(work('region')),
      s(work('postalCode')),
      s(work('country')),
      s('phoneNumbers[type eq "work"].value'),
      s('phoneNumbers[type eq "mobile"].value'),
      s('phoneNumbers[type eq "fax"].value'),
      s('externalId'),
      s(enterprise('employeeNumber')),
      s(enterprise('department')),
      attributeDefinition(enterprise('manager'), 'Reference', {
        referencedObjects: [{ referencedObjectName: ENTERPRISE_USER, referencedProperty: null }],
      }),
    ],
    metadata: [],
    name: ENTERPRISE_USER,
    supportedApis: [],
  };
}

function targetGroupObject(): JsonObject {
  return {
    attributes: [
      attributeDefinition('displayName', 'String', { required: true }),
      attributeDefinition('externalId'),
      attributeDefinition('members', 'Reference', {
        multivalued: true,
        referencedObjects: [{ referencedObjectName: ENTERPRISE_USER, referencedProperty: null }],
      }),
    ],
    metadata: [],
    name: SCIM_GROUP,
    supportedApis: [],
  };
}

function userMappings(): JsonObject[] {
  const a = attributeSource;
  return [
    attributeMapping('userName', a('userPrincipalName'), { matchingPriority: 1 }),
    attributeMapping('active', parseExpression(ACTIVE_EXPRESSION)),
    attributeMapping('displayName', a('displayName')),
    attributeMapping('title', a('jobTitle')),
    attributeMapping('emails[type eq "work"].value', a('mail')),
    attributeMapping('preferredLanguage', a('preferredLanguage')),
    attributeMapping('name.givenName', a('givenName')),
    attributeMapping('name.familyName', a('surname')),
    attributeMapping('name.formatted', parseExpression(FORMATTED_NAME_EXPRESSION)),
    attributeMapping(work('formatted'), a('physicalDeliveryOfficeName')),
    attributeMapping(work('streetAddress'), a('streetAddress')),
    attributeMapping(work('locality'), a('city')),
    attributeMapping(work('region'), a('state')),
    attributeMapping(work('postalCode'), a('postalCode')),
    attributeMapping(work('country'), a('country')),
    attributeMapping('phoneNumbers[type eq "work"].value', a('telephoneNumber')),
    attributeMapping('phoneNumbers[type eq "mobile"].value', a('mobile')),
    attributeMapping('phoneNumbers[type eq "fax"].value', a('facsimileTelephoneNumber')),
    attributeMapping('externalId', a('mailNickname')),
    attributeMapping(enterprise('employeeNumber'), a('employeeId')),
    attributeMapping(enterprise('department'), a('department')),
    attributeMapping(enterprise('manager'), a('manager')),
  ];
}

function groupMappings(): JsonObject[] {
  return [
    attributeMapping('displayName', attributeSource('displayName'), { matchingPriority: 1 }),
    attributeMapping('externalId', attributeSource('objectId')),
    attributeMapping('members', attributeSource('members')),
  ];
}

/** The default schema of a new `scim` job, for one template variant. */
export function defaultScimSchema(variant: TemplateVariant, id = 'scim'): JsonObject {
  const source = sourceDirectoryName(variant);
  return {
    id,
    version: 'Date:2026-11-01T00:00:00Z~###SecondaryVersion###Date:2026-11-01T00:00:00Z',
    directories: [
      {
        id: '5a3d8a34-1c1e-4a7e-9b4f-6f4ac1d0e001',
        name: source,
        discoverabilities: 'None',
        discoveryDateTime: null,
        readOnly: true,
        version: null,
        objects: [sourceUserObject(), sourceGroupObject()],
      },
      {
        id: '5a3d8a34-1c1e-4a7e-9b4f-6f4ac1d0e002',
        name: TARGET_DIRECTORY,
        discoverabilities: 'AttributeNames, AttributeDataTypes',
        discoveryDateTime: null,
        readOnly: false,
        version: null,
        objects: [targetUserObject(), targetGroupObject()],
      },
    ],
    synchronizationRules: [
      {
        containerFilter: { includedContainers: [] },
        editable: true,
        groupFilter: { includedGroups: [] },
        id: DEFAULT_RULE_ID,
        metadata: [
          { key: 'defaultSourceObjectMappings', value: 'true' },
          { key: 'supportsProvisionOnDemand', value: 'true' },
        ],
        name: 'USER_OUTBOUND_SCIM',
        objectMappings: [
          {
            attributeMappings: userMappings(),
            enabled: true,
            flowTypes: 'Add, Update, Delete',
            metadata: [],
            name: userMappingName(variant),
            scope: null,
            sourceObjectName: 'User',
            targetObjectName: ENTERPRISE_USER,
          },
          {
            attributeMappings: groupMappings(),
            enabled: true,
            flowTypes: 'Add, Update, Delete',
            metadata: [],
            name: groupMappingName(variant),
            scope: null,
            sourceObjectName: 'Group',
            targetObjectName: SCIM_GROUP,
          },
        ],
        priority: 1,
        sourceDirectoryName: source,
        targetDirectoryName: TARGET_DIRECTORY,
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Structural checks on a PUT schema

export function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function objectsOf(directory: JsonObject): JsonObject[] {
  return Array.isArray(directory.objects) ? directory.objects.filter(isObject) : [];
}

function attributeNames(object: JsonObject | undefined): Set<string> {
  const attrs = object && Array.isArray(object.attributes) ? object.attributes : [];
  return new Set(attrs.filter(isObject).map((a) => String(a.name)));
}

/** Attribute names a source refers to (recursively through function parameters). */
function referencedAttributes(source: unknown, out: string[] = []): string[] {
  if (!isObject(source)) {
    return out;
  }
  if (source.type === 'Attribute' && typeof source.name === 'string') {
    out.push(source.name);
  }
  if (Array.isArray(source.parameters)) {
    for (const p of source.parameters) {
      if (isObject(p)) {
        referencedAttributes(p.value, out);
      }
    }
  }
  return out;
}

/**
 * Why the service would refuse this schema, or undefined when it is acceptable. Checks what the
 * engine needs to run: directories and rules present and consistent, unique attribute names, and
 * mappings that name attributes their objects define. A rule without a Group mapping is accepted.
 */
export function schemaProblem(schema: unknown): string | undefined {
  if (!isObject(schema)) {
    return 'The schema must be a JSON object.';
  }
  const { directories, synchronizationRules: rules } = schema;
  if (!Array.isArray(directories) || directories.length === 0) {
    return 'The schema must contain at least one directory definition.';
  }
  if (!Array.isArray(rules) || rules.length === 0) {
    return 'The schema must contain at least one synchronization rule.';
  }
  const dirs = new Map<string, JsonObject>();
  for (const d of directories) {
    if (!isObject(d) || typeof d.name !== 'string' || d.name === '') {
      return 'Every directory definition must have a name.';
    }
    if (dirs.has(d.name)) {
      return `Directory name '${d.name}' must be unique within the schema.`;
    }
    dirs.set(d.name, d);
    for (const o of objectsOf(d)) {
      const names = Array.isArray(o.attributes) ? o.attributes.filter(isObject) : [];
      const seen = new Set<string>();
      for (const a of names) {
        if (typeof a.name !== 'string' || a.name === '') {
          return `An attribute of object '${String(o.name)}' has no name.`;
        }
        if (seen.has(a.name)) {
          return `Attribute '${a.name}' is defined twice on object '${String(o.name)}'.`;
        }
        seen.add(a.name);
      }
    }
  }
  for (const r of rules) {
    if (!isObject(r)) {
      return 'Every synchronization rule must be an object.';
    }
    const source = dirs.get(String(r.sourceDirectoryName));
    const target = dirs.get(String(r.targetDirectoryName));
    if (!source || !target) {
      return `Rule '${String(r.id)}' refers to a directory that the schema does not define.`;
    }
    if (!Array.isArray(r.objectMappings)) {
      return `Rule '${String(r.id)}' has no objectMappings.`;
    }
    for (const m of r.objectMappings) {
      if (!isObject(m)) {
        return `Rule '${String(r.id)}' has an object mapping that is not an object.`;
      }
      const so = objectsOf(source).find((o) => o.name === m.sourceObjectName);
      const to = objectsOf(target).find((o) => o.name === m.targetObjectName);
      if (!so || !to) {
        return `Object mapping '${String(m.name)}' refers to an object that its directories do not define.`;
      }
      const sourceNames = attributeNames(so);
      const targetNames = attributeNames(to);
      const mappings = Array.isArray(m.attributeMappings) ? m.attributeMappings : [];
      for (const am of mappings) {
        if (!isObject(am) || typeof am.targetAttributeName !== 'string') {
          return `Object mapping '${String(m.name)}' has an attribute mapping without targetAttributeName.`;
        }
        if (!targetNames.has(am.targetAttributeName)) {
          return `Target attribute '${am.targetAttributeName}' is not defined on object '${String(to.name)}'.`;
        }
        for (const ref of referencedAttributes(am.source)) {
          if (!sourceNames.has(ref)) {
            return `Source attribute '${ref}' is not defined on object '${String(so.name)}'.`;
          }
        }
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// From a User mapping to a SCIM resource

/** The User object mapping of a rule and its target object definition, if the schema has them. */
export function userMappingOf(
  schema: JsonObject,
  ruleId: string,
): { mapping: JsonObject; target: JsonObject | undefined } | undefined {
  const rules = Array.isArray(schema.synchronizationRules)
    ? schema.synchronizationRules.filter(isObject)
    : [];
  const rule = rules.find((r) => r.id === ruleId);
  if (!rule || !Array.isArray(rule.objectMappings)) {
    return undefined;
  }
  const mapping = rule.objectMappings
    .filter(isObject)
    .find((m) => m.sourceObjectName === 'User' && m.enabled !== false);
  if (!mapping) {
    return undefined;
  }
  const directories = Array.isArray(schema.directories) ? schema.directories.filter(isObject) : [];
  const targetDir = directories.find((d) => d.name === rule.targetDirectoryName);
  const target = targetDir
    ? objectsOf(targetDir).find((o) => o.name === mapping.targetObjectName)
    : undefined;
  return { mapping, target };
}

const MULTI = /^(\w+)\[type eq "([^"]+)"\]\.(\w+)$/;

/**
 * The SCIM resource a User mapping produces: each mapping evaluated against the user's values,
 * typed by the target attribute definition, nulls left out (the service never sends them), the
 * target attribute's default used when a value is missing. `missingRequired` lists required target
 * attributes that ended up without a value.
 */
export function scimUserFromMappings(
  mapping: JsonObject,
  target: JsonObject | undefined,
  values: SourceValues,
): { resource: JsonObject; missingRequired: string[] } {
  const definitions = new Map<string, JsonObject>();
  for (const a of target && Array.isArray(target.attributes) ? target.attributes : []) {
    if (isObject(a) && typeof a.name === 'string') {
      definitions.set(a.name, a);
    }
  }
  const resource: JsonObject = { schemas: [SCIM_CORE_USER] };
  const extensions = new Map<string, JsonObject>();
  const got = new Set<string>();
  const mappings = Array.isArray(mapping.attributeMappings)
    ? mapping.attributeMappings.filter(isObject)
    : [];

  for (const am of mappings) {
    const name = String(am.targetAttributeName);
    const definition = definitions.get(name);
    if (definition?.type === 'Reference') {
      continue; // references (manager, members) need the target's ids: not modelled
    }
    let raw = evaluate(am.source, values);
    if ((raw == null || raw === '') && typeof am.defaultValue === 'string' && am.defaultValue) {
      raw = am.defaultValue;
    }
    if (raw == null || raw === '') {
      continue;
    }
    const value: unknown =
      definition?.type === 'Boolean'
        ? raw.toLowerCase() === 'true'
        : definition?.type === 'Integer'
          ? Number(raw)
          : raw;
    got.add(name);
    setScimValue(resource, extensions, name, value);
  }
  for (const [urn, ext] of extensions) {
    resource[urn] = ext;
    (resource.schemas as string[]).push(urn);
  }
  const missingRequired = [...definitions.values()]
    .filter((d) => d.required === true && !got.has(String(d.name)))
    .map((d) => String(d.name));
  return { resource, missingRequired };
}

function setScimValue(
  resource: JsonObject,
  extensions: Map<string, JsonObject>,
  name: string,
  value: unknown,
): void {
  if (name.startsWith('urn:')) {
    const cut = name.lastIndexOf(':');
    const urn = name.slice(0, cut);
    const ext = extensions.get(urn) ?? {};
    ext[name.slice(cut + 1)] = value;
    extensions.set(urn, ext);
    return;
  }
  const multi = MULTI.exec(name);
  if (multi) {
    const [, attr = '', type = '', sub = ''] = multi;
    const list = Array.isArray(resource[attr]) ? (resource[attr] as JsonObject[]) : [];
    let entry = list.find((e) => e.type === type);
    if (!entry) {
      entry = { type };
      list.push(entry);
    }
    entry[sub] = value;
    resource[attr] = list;
    return;
  }
  const dot = name.indexOf('.');
  if (dot > 0) {
    const parent = name.slice(0, dot);
    const child = isObject(resource[parent]) ? resource[parent] : {};
    child[name.slice(dot + 1)] = value;
    resource[parent] = child;
    return;
  }
  resource[name] = value;
}
