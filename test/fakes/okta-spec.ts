/**
 * Request checks for the fake Okta against Okta's own published API description
 * (`test/fixtures/specs/okta-management.yaml`, an unmodified copy; see SOURCES-okta.md). Each
 * request is matched to its operation (method + path template), its query parameter names and
 * values are checked against the operation's declared parameters, and a JSON body is validated
 * with ajv against the operation's requestBody schema. The operation's OAuth scopes (its
 * `security: - oauth2: [...]`) come back with the answer so the fake can enforce them.
 *
 * Loading: the YAML is 3.4 MB and takes about a second to parse. It is parsed once per process;
 * the parsed document is also kept as JSON under `node_modules/.cache/okta-spec/`, named by the
 * file's sha256 (a changed file never reads a stale cache), which brings a later load (another
 * vitest worker) to about 0.1 s (measured: cold 1.1–1.6 s, cached 75–150 ms on the 2-core machine).
 * Schemas are converted and compiled lazily, once each (the app PUT's `Application`, with all nine
 * sign-on-mode subtypes, is the largest: about 0.4 s the first time).
 *
 * The description is written for documentation and code generators; to validate requests with it,
 * these adjustments are made (each documented, none lets a body hold more than listed here):
 *  1. Closed objects. Okta's object schemas leave `additionalProperties` unset, which JSON Schema
 *     reads as "anything else goes". An object schema that names its properties and says nothing
 *     about `additionalProperties` is closed here: a property the description does not name is a
 *     problem (a typo or a made-up field is caught). Objects that do declare
 *     `additionalProperties` (`profile`, `AppUserProfile`, `visibility.appLinks`…) keep it.
 *  2. `allOf` of object schemas is merged into one object before closing (else every member would
 *     reject the others' properties). A property named by two members must fit both.
 *  3. Discriminated bases (`Application`: `discriminator.mapping` on `signOnMode`, subtypes are
 *     `allOf: [Application, …]`): a reference to the base validates against the subtype the
 *     discriminator value names (`SAML_2_0` → `SamlApplication`); an unmapped value against the
 *     base alone. Inside a subtype's `allOf` the base contributes its own properties only.
 *  4. `anyOf`/`oneOf` next to own properties (`SamlAttributeStatement`): every alternative is
 *     merged with the parent's properties; with a `discriminator.mapping` the alternative is
 *     chosen by the discriminator value, as OpenAPI specifies.
 *  5. Read-only properties in a request are accepted with any value: Okta ignores them ("You can't
 *     modify system-assigned properties, such as id, name, status, created, and lastUpdated. The
 *     values for these properties in the PUT request body are ignored", replaceApplication), and a
 *     full replace sends back what it read (`features`, `_links`, `orn`…).
 *  6. A property that is not `required` may be `null`: Okta answers `null` for unset optional
 *     properties (its own Saml2.0PutResponseEx: `accessibility.errorRedirectUrl`,
 *     `settings.notes.admin`, `signOn.defaultRelayState`) and takes them back on a full replace.
 *  7. `x-okta-allow-null-property-value-for-updates: true` (UserSchemaAttribute) makes the schema
 *     itself nullable: that is how a custom attribute is removed ("You must set properties
 *     explicitly to null to remove them", updateApplicationUserProfile).
 *  8. Three properties Okta returns on every SAML app (Saml2.0ResponseEx, Saml2.0PutResponseEx) but
 *     that the schemas do not name are added, so a GET can be sent back as a PUT:
 *     `SamlApplicationSettings.app` (object), `SamlApplicationSettings.manualProvisioning`
 *     (boolean), `SamlApplicationSettingsSignOn.samlSignedRequestEnabled` (boolean); and the same
 *     two settings on `OpenIdConnectApplicationSettings` (OpenidConnectResponseEx).
 *  9. `$ref` siblings are ignored (OpenAPI 3.0); `nullable` is honoured; `format`s are not checked
 *     (Okta writes prose there: "ISO 8601 compliant timestamp"); query `minimum`/`maximum` are not
 *     checked (Okta caps a too-large `limit` instead of refusing it).
 * 10. `ProfileMappingRequest` is corrected to what the description's own examples send
 *     (`AddMappingBody`, `UpdateMappingBody`, `RemoveMappingBody`, and okta.md §2.5): `properties`
 *     is a map of property name → `ProfileMappingProperty` (the description gives it the shape of
 *     one property, beside a `$ref`), and only `properties` is required (the description also
 *     lists `expression` and `pushStatus`, which belong to each property).
 * Scopes: `scopes` is exactly the operation's oauth2 requirement (all of them are needed). The fake
 * adds two documented rules of Okta's on top (see okta.ts): `manage` implies `read` for the same
 * resource, and `okta.users.read.self` also reads `GET /api/v1/users/me`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

export const OKTA_SPEC_FILE = fileURLToPath(
  new URL('../fixtures/specs/okta-management.yaml', import.meta.url),
);
/** sha256 of the unmodified official file (SOURCES-okta.md). */
export const OKTA_SPEC_SHA256 = '291293032a071bc368f139fea20442cc72e30fe1adfcff3b9753a2b9ddfece52';

const CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/okta-spec/', import.meta.url));
const BASE_ID = 'https://okta.fake.invalid/schemas/';
const LOCAL_REF = '#/components/schemas/';

type Json = Record<string, unknown>;

export interface OktaSpecRequest {
  readonly method: string;
  /** The path without the query string, as sent (`/api/v1/apps/0oa…`). */
  readonly path: string;
  readonly query?: URLSearchParams | Readonly<Record<string, string>>;
  /** The parsed JSON body; undefined when none was sent. */
  readonly body?: unknown;
}

export interface OktaSpecCheck {
  /** The operation found, as the description names it, e.g. `GET /api/v1/apps/{appId}`. */
  readonly operation: string | undefined;
  readonly operationId: string | undefined;
  /** Values of the template's `{parameters}` (decoded). */
  readonly pathParams: Readonly<Record<string, string>>;
  /** The OAuth scopes the operation requires (all of them), from its `security`. */
  readonly scopes: readonly string[];
  /** `path`: no such path; `method`: the path has no operation for this method. */
  readonly missing: 'path' | 'method' | undefined;
  /** Problems with the query parameters. */
  readonly queryProblems: readonly string[];
  /** Problems with the body. */
  readonly bodyProblems: readonly string[];
  /** Everything that did not fit (empty when the request fits the description). */
  readonly problems: readonly string[];
}

export interface OktaSpec {
  check(request: OktaSpecRequest): OktaSpecCheck;
  /** Validates a value against a named component schema, as a request body (the adjustments apply). */
  validate(schemaName: string, value: unknown): string[];
  /** A named example's `value` (`components.examples`). */
  example(name: string): unknown;
  /** The request examples the description gives for an operation, by example name. */
  requestExamples(method: string, template: string): Readonly<Record<string, unknown>>;
  /** Milliseconds the first load took (read + parse + index), and whether it came from the cache. */
  readonly loadMs: number;
  readonly fromCache: boolean;
  readonly sha256: string;
}

let loading: Promise<OktaSpec> | undefined;

/** The process-wide checker (the description is parsed once per process). */
export function loadOktaSpec(): Promise<OktaSpec> {
  loading ??= build();
  return loading;
}

function isJson(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

async function loadDocument(): Promise<{ doc: unknown; fromCache: boolean; sha256: string }> {
  const bytes = await readFile(OKTA_SPEC_FILE);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const cacheFile = join(CACHE_DIR, `okta-management-${sha256}.json`);
  try {
    return {
      doc: JSON.parse(await readFile(cacheFile, 'utf8')) as unknown,
      fromCache: true,
      sha256,
    };
  } catch {
    // No cache yet (or unreadable): parse the YAML.
  }
  const doc: unknown = parse(bytes.toString('utf8'), { maxAliasCount: -1 });
  try {
    await mkdir(CACHE_DIR, { recursive: true });
    const tmp = `${cacheFile}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify(doc));
    await rename(tmp, cacheFile);
  } catch {
    // A read-only tree only costs the parse next time.
  }
  return { doc, fromCache: false, sha256 };
}

/** The properties Okta returns on apps that the schemas do not name (adjustment 8). */
const UNDOCUMENTED_PROPERTIES: Readonly<Record<string, Json>> = {
  SamlApplicationSettings: {
    app: { type: 'object', additionalProperties: true },
    manualProvisioning: { type: 'boolean' },
  },
  SamlApplicationSettingsSignOn: { samlSignedRequestEnabled: { type: 'boolean' } },
  OpenIdConnectApplicationSettings: {
    app: { type: 'object', additionalProperties: true },
    manualProvisioning: { type: 'boolean' },
  },
};

/** Schemas replaced by what the description's own examples show (adjustment 10). */
const CORRECTED_SCHEMAS: Readonly<Record<string, Json>> = {
  ProfileMappingRequest: {
    type: 'object',
    properties: {
      properties: {
        type: 'object',
        additionalProperties: { $ref: '#/components/schemas/ProfileMappingProperty' },
      },
    },
    required: ['properties'],
  },
};

/** An object schema's parts, with `allOf` merged. */
interface Parts {
  /** Each property's raw schemas (more than one when several members name it). */
  readonly properties: Map<string, unknown[]>;
  readonly required: Set<string>;
  /** undefined: not declared (closed by adjustment 1). */
  additional: unknown;
  variants:
    { kind: 'anyOf' | 'oneOf'; list: unknown[]; discriminator: Json | undefined } | undefined;
  /** Whether any member is an object schema (type object, properties or additionalProperties). */
  objecty: boolean;
  nullable: boolean;
}

const ANNOTATIONS = new Set(['description', 'example', 'examples', 'title', 'externalDocs']);

const KEEP_KEYWORDS = new Set([
  'type',
  'enum',
  'const',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'minProperties',
  'maxProperties',
  'nullable',
]);

async function build(): Promise<OktaSpec> {
  const started = performance.now();
  const { doc, fromCache, sha256 } = await loadDocument();
  if (!isJson(doc) || !isJson(doc.paths) || !isJson(doc.components)) {
    throw new Error('okta-spec: the OpenAPI description has no paths or components');
  }
  const components = doc.components;
  const schemas = isJson(components.schemas) ? components.schemas : {};
  const parameters = isJson(components.parameters) ? components.parameters : {};
  const requestBodies = isJson(components.requestBodies) ? components.requestBodies : {};
  const examples = isJson(components.examples) ? components.examples : {};
  const globalSecurity = Array.isArray(doc.security) ? doc.security : [];

  interface PathEntry {
    readonly template: string;
    /** Literal segments, or undefined for a `{parameter}`. */
    readonly segments: readonly (string | undefined)[];
    readonly names: readonly (string | undefined)[];
    readonly item: Json;
  }
  const byLength = new Map<number, PathEntry[]>();
  for (const [template, item] of Object.entries(doc.paths)) {
    if (!isJson(item)) {
      continue;
    }
    const parts = template.split('/').filter((s) => s !== '');
    const entry: PathEntry = {
      template,
      segments: parts.map((s) => (/^\{.*\}$/.test(s) ? undefined : s)),
      names: parts.map((s) => (/^\{.*\}$/.test(s) ? s.slice(1, -1) : undefined)),
      item,
    };
    const list = byLength.get(parts.length) ?? [];
    list.push(entry);
    byLength.set(parts.length, list);
  }

  // -------------------------------------------------------------------------------------------
  // Schema conversion (the adjustments at the top of the file)

  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
    validateSchema: false,
    logger: false,
  });
  const registered = new Set<string>();

  const refName = (s: unknown): string | undefined =>
    isJson(s) && typeof s.$ref === 'string' && s.$ref.startsWith(LOCAL_REF)
      ? s.$ref.slice(LOCAL_REF.length)
      : undefined;

  const raw = (name: string): Json => {
    const s = CORRECTED_SCHEMAS[name] ?? schemas[name];
    return isJson(s) ? s : {};
  };

  /** The raw schema a `$ref` names (one level), else the schema itself. */
  const deref = (s: unknown): unknown => {
    const name = refName(s);
    return name === undefined ? s : raw(name);
  };

  const isReadOnly = (s: unknown, depth = 0): boolean => {
    if (!isJson(s) || depth > 8) {
      return false;
    }
    if (s.readOnly === true) {
      return true;
    }
    const name = refName(s);
    if (name !== undefined) {
      return isReadOnly(raw(name), depth + 1);
    }
    return Array.isArray(s.allOf) && s.allOf.some((m) => isReadOnly(m, depth + 1));
  };

  const allowsNull = (s: Json): boolean =>
    s.nullable === true || s['x-okta-allow-null-property-value-for-updates'] === true;

  /** The object parts of a raw schema with its allOf merged; undefined when not an object schema. */
  const partsOf = (schema: unknown, seen: ReadonlySet<string> = new Set()): Parts | undefined => {
    const name = refName(schema);
    if (name !== undefined && seen.has(name)) {
      return undefined;
    }
    const nextSeen = name === undefined ? seen : new Set([...seen, name]);
    const s = deref(schema);
    if (!isJson(s) || (s.type !== undefined && s.type !== 'object')) {
      return undefined;
    }
    const parts: Parts = {
      properties: new Map(),
      required: new Set(),
      additional: undefined,
      variants: undefined,
      objecty: s.type === 'object' || isJson(s.properties) || s.additionalProperties !== undefined,
      nullable: allowsNull(s),
    };
    if (Array.isArray(s.allOf)) {
      for (const member of s.allOf) {
        const m = partsOf(member, nextSeen);
        if (!m) {
          return undefined;
        }
        if (!mergeInto(parts, m)) {
          return undefined;
        }
      }
    }
    if (isJson(s.properties)) {
      for (const [prop, sub] of Object.entries(s.properties)) {
        parts.properties.set(prop, [...(parts.properties.get(prop) ?? []), sub]);
      }
    }
    const extra = name !== undefined ? UNDOCUMENTED_PROPERTIES[name] : undefined;
    if (extra) {
      for (const [prop, sub] of Object.entries(extra)) {
        if (!parts.properties.has(prop)) {
          parts.properties.set(prop, [sub]);
        }
      }
    }
    if (Array.isArray(s.required)) {
      for (const r of s.required) {
        if (typeof r === 'string') {
          parts.required.add(r);
        }
      }
    }
    if (s.additionalProperties !== undefined) {
      parts.additional = s.additionalProperties;
    }
    for (const kind of ['anyOf', 'oneOf'] as const) {
      const list = s[kind];
      if (Array.isArray(list)) {
        if (parts.variants) {
          return undefined;
        }
        parts.variants = {
          kind,
          list,
          discriminator: isJson(s.discriminator) ? s.discriminator : undefined,
        };
        parts.objecty ||= list.every((v) => partsOf(v, nextSeen)?.objecty === true);
      }
    }
    return parts;
  };

  function mergeInto(into: Parts, from: Parts): boolean {
    for (const [prop, list] of from.properties) {
      into.properties.set(prop, [...(into.properties.get(prop) ?? []), ...list]);
    }
    for (const r of from.required) {
      into.required.add(r);
    }
    if (from.additional !== undefined) {
      into.additional = from.additional;
    }
    if (from.variants) {
      if (into.variants) {
        return false;
      }
      into.variants = from.variants;
    }
    into.objecty ||= from.objecty;
    into.nullable ||= from.nullable;
    return true;
  }

  const withNull = (t: Json): Json => {
    if (Object.keys(t).length === 0) {
      return t;
    }
    if (typeof t.type === 'string' && t.$ref === undefined) {
      return { ...t, nullable: true };
    }
    return { anyOf: [t, { type: 'null' }] };
  };

  /** A converted property: one raw schema, or several that must all fit (merged when objects). */
  const convertProperty = (list: unknown[]): Json => {
    if (list.length === 1) {
      return convert(list[0]);
    }
    const objectParts = list.map((s) => partsOf(s));
    if (objectParts.every((p): p is Parts => p?.objecty === true)) {
      const merged = objectParts
        .slice(1)
        .reduce<Parts | undefined>(
          (acc, p) => (acc && mergeInto(acc, p) ? acc : undefined),
          objectParts[0],
        );
      if (merged) {
        return objectSchema(merged);
      }
    }
    return { allOf: list.map((s) => convert(s)) };
  };

  function closedObject(parts: Parts): Json {
    const properties: Json = {};
    for (const [prop, list] of parts.properties) {
      if (list.some((s) => isReadOnly(s))) {
        properties[prop] = {};
        continue;
      }
      const t = convertProperty(list);
      properties[prop] = parts.required.has(prop) ? t : withNull(t);
    }
    const additional =
      parts.additional === undefined || parts.additional === false
        ? false
        : parts.additional === true
          ? true
          : convert(parts.additional);
    const out: Json = {
      type: 'object',
      properties,
      additionalProperties: additional,
      ...(parts.required.size > 0 ? { required: [...parts.required] } : {}),
    };
    return parts.nullable ? { ...out, nullable: true } : out;
  }

  /** Dispatch on a discriminator: `if prop = v then branch` chain, `otherwise` at the end. */
  const dispatch = (prop: string, branches: [string, Json][], otherwise: Json): Json => {
    let schema = otherwise;
    for (const [value, branch] of [...branches].reverse()) {
      schema = {
        if: { type: 'object', properties: { [prop]: { const: value } }, required: [prop] },
        then: branch,
        else: schema,
      };
    }
    return schema;
  };

  function objectSchema(parts: Parts): Json {
    const variants = parts.variants;
    if (!variants) {
      return closedObject(parts);
    }
    const own: Parts = { ...parts, properties: new Map(parts.properties), variants: undefined };
    const alternatives = variants.list.map((v) => {
      const p = partsOf(v);
      const merged: Parts = {
        ...own,
        properties: new Map(own.properties),
        required: new Set(own.required),
      };
      return p && mergeInto(merged, p) ? closedObject(merged) : convert(v);
    });
    const d = variants.discriminator;
    if (d && typeof d.propertyName === 'string' && isJson(d.mapping)) {
      const branches: [string, Json][] = [];
      for (const [value, ref] of Object.entries(d.mapping)) {
        const index = variants.list.findIndex((v) => isJson(v) && v.$ref === ref);
        const alt = alternatives[index];
        if (alt) {
          branches.push([value, alt]);
        }
      }
      return dispatch(d.propertyName, branches, { [variants.kind]: alternatives });
    }
    return { [variants.kind]: alternatives };
  }

  /** A named component, registered once in ajv; a discriminated base dispatches (adjustment 3). */
  const refTo = (name: string): Json => {
    const id = `${BASE_ID}${name}`;
    if (!registered.has(name)) {
      registered.add(name);
      const s = raw(name);
      const d = isJson(s.discriminator) ? s.discriminator : undefined;
      let schema: Json;
      if (
        d &&
        typeof d.propertyName === 'string' &&
        isJson(d.mapping) &&
        s.anyOf === undefined &&
        s.oneOf === undefined
      ) {
        const base = partsOf(s);
        const branches: [string, Json][] = [];
        for (const [value, ref] of Object.entries(d.mapping)) {
          const target = refName({ $ref: ref });
          if (target !== undefined && target !== name) {
            branches.push([value, refTo(target)]);
          }
        }
        schema = dispatch(d.propertyName, branches, base ? objectSchema(base) : convert(s, true));
      } else {
        schema = convert({ $ref: `${LOCAL_REF}${name}` }, true);
      }
      ajv.addSchema({ ...schema, $id: id });
    }
    return { $ref: id };
  };

  /** Converts a raw schema (a `$ref` becomes a reference unless `expand`). */
  function convert(schema: unknown, expand = false): Json {
    if (!isJson(schema)) {
      return {};
    }
    const name = refName(schema);
    if (name !== undefined && !expand) {
      return refTo(name);
    }
    const s = name !== undefined ? raw(name) : schema;
    // `allOf: [one $ref]` with only annotations beside it is that schema (shared, compiled once).
    const allOf: unknown[] | undefined = Array.isArray(s.allOf) ? s.allOf : undefined;
    const only = allOf?.length === 1 ? allOf[0] : undefined;
    if (
      only !== undefined &&
      refName(only) !== undefined &&
      Object.keys(s).every((k) => ANNOTATIONS.has(k) || k === 'allOf' || k.startsWith('x-'))
    ) {
      return convert(only);
    }
    const objectLike =
      s.type === 'object' ||
      isJson(s.properties) ||
      Array.isArray(s.allOf) ||
      ((Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) && isJson(s.properties));
    if (objectLike) {
      const parts = partsOf(name !== undefined ? { $ref: `${LOCAL_REF}${name}` } : s);
      if (parts?.objecty) {
        return objectSchema(parts);
      }
    }
    const out: Json = {};
    for (const [key, value] of Object.entries(s)) {
      if (KEEP_KEYWORDS.has(key)) {
        out[key] = value;
      } else if (key === 'items' || key === 'not') {
        out[key] = convert(value);
      } else if ((key === 'allOf' || key === 'anyOf' || key === 'oneOf') && Array.isArray(value)) {
        out[key] = value.map((v) => convert(v));
      } else if (key === 'additionalProperties') {
        out[key] = typeof value === 'boolean' ? value : convert(value);
      }
    }
    if (allowsNull(s)) {
      if (typeof out.type === 'string') {
        out.nullable = true;
      } else {
        delete out.nullable;
        return { anyOf: [out, { type: 'null' }] };
      }
    } else {
      delete out.nullable;
    }
    return out;
  }

  const compiled = new Map<string, ValidateFunction | null>();
  const validatorFor = (key: string, schema: () => unknown): ValidateFunction | null => {
    if (!compiled.has(key)) {
      const s = schema();
      compiled.set(key, s === undefined ? null : ajv.compile(convert(s)));
    }
    return compiled.get(key) ?? null;
  };

  const describe = (errors: readonly ErrorObject[]): string[] => {
    const real = errors.filter(
      (e) =>
        e.keyword !== 'if' &&
        e.keyword !== 'anyOf' &&
        !(e.keyword === 'type' && e.params.type === 'null'),
    );
    const chosen = real.length > 0 ? real : errors;
    const out = new Set<string>();
    for (const e of chosen) {
      const where = `body${e.instancePath}`;
      if (e.keyword === 'additionalProperties') {
        out.add(
          `${where} has a property the description does not name: "${String(e.params.additionalProperty)}"`,
        );
      } else if (e.keyword === 'required') {
        out.add(`${where} misses the required property "${String(e.params.missingProperty)}"`);
      } else if (e.keyword === 'enum') {
        const allowed = Array.isArray(e.params.allowedValues) ? e.params.allowedValues : [];
        out.add(`${where} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`);
      } else {
        out.add(`${where} ${e.message ?? e.keyword}`);
      }
    }
    return [...out];
  };

  // -------------------------------------------------------------------------------------------
  // Operations

  const derefParameter = (p: unknown): Json | undefined => {
    if (isJson(p) && typeof p.$ref === 'string') {
      const n = p.$ref.replace('#/components/parameters/', '');
      const target = parameters[n];
      return isJson(target) ? target : undefined;
    }
    return isJson(p) ? p : undefined;
  };

  const find = (path: string): { entry: PathEntry; params: Record<string, string> } | undefined => {
    const segments = path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => {
        try {
          return decodeURIComponent(s);
        } catch {
          return s;
        }
      });
    let best: PathEntry | undefined;
    let bestLiterals = -1;
    for (const entry of byLength.get(segments.length) ?? []) {
      let literals = 0;
      let fits = true;
      for (let k = 0; k < segments.length; k++) {
        const want = entry.segments[k];
        if (want === undefined) {
          continue;
        }
        if (want !== segments[k]) {
          fits = false;
          break;
        }
        literals++;
      }
      if (fits && literals > bestLiterals) {
        best = entry;
        bestLiterals = literals;
      }
    }
    if (!best) {
      return undefined;
    }
    const params: Record<string, string> = {};
    best.names.forEach((n, k) => {
      if (n !== undefined) {
        params[n] = segments[k] ?? '';
      }
    });
    return { entry: best, params };
  };

  const scopesOf = (op: Json): string[] => {
    const security = Array.isArray(op.security) ? op.security : globalSecurity;
    for (const requirement of security) {
      if (isJson(requirement) && Array.isArray(requirement.oauth2)) {
        return requirement.oauth2.filter((s): s is string => typeof s === 'string');
      }
    }
    return [];
  };

  const queryValueProblem = (name: string, value: string, schema: unknown): string | undefined => {
    const s = deref(schema);
    if (!isJson(s)) {
      return undefined;
    }
    if (s.type === 'integer' && !/^-?\d+$/.test(value)) {
      return `query parameter "${name}" must be an integer, got "${value}"`;
    }
    if (s.type === 'number' && !Number.isFinite(Number(value))) {
      return `query parameter "${name}" must be a number, got "${value}"`;
    }
    if (s.type === 'boolean' && value !== 'true' && value !== 'false') {
      return `query parameter "${name}" must be true or false, got "${value}"`;
    }
    if (Array.isArray(s.enum) && !s.enum.includes(value)) {
      return `query parameter "${name}" must be one of ${s.enum.map(String).join(', ')}, got "${value}"`;
    }
    return undefined;
  };

  const requestBodyOf = (op: Json): Json | undefined => {
    let body = op.requestBody;
    if (isJson(body) && typeof body.$ref === 'string') {
      body = requestBodies[body.$ref.replace('#/components/requestBodies/', '')];
    }
    return isJson(body) ? body : undefined;
  };

  const jsonSchemaOf = (body: Json | undefined): unknown => {
    const content = body && isJson(body.content) ? body.content : undefined;
    const media =
      content && isJson(content['application/json']) ? content['application/json'] : undefined;
    return media?.schema;
  };

  const loadMs = Math.round(performance.now() - started);

  return {
    loadMs,
    fromCache,
    sha256,
    check(request) {
      const verb = request.method.toLowerCase();
      const found = find(request.path);
      const empty = { scopes: [], queryProblems: [], bodyProblems: [] };
      if (!found) {
        const problem = `${request.method.toUpperCase()} ${request.path}: no such path in the OpenAPI description`;
        return {
          ...empty,
          operation: undefined,
          operationId: undefined,
          pathParams: {},
          missing: 'path',
          problems: [problem],
        };
      }
      const { entry, params } = found;
      const operation = `${request.method.toUpperCase()} ${entry.template}`;
      const op = entry.item[verb];
      if (!isJson(op)) {
        return {
          ...empty,
          operation,
          operationId: undefined,
          pathParams: params,
          missing: 'method',
          problems: [
            `${operation}: the OpenAPI description has no ${request.method.toUpperCase()} here`,
          ],
        };
      }
      const pathLevel: unknown[] = Array.isArray(entry.item.parameters)
        ? entry.item.parameters
        : [];
      const opLevel: unknown[] = Array.isArray(op.parameters) ? op.parameters : [];
      const declared = [...pathLevel, ...opLevel]
        .map(derefParameter)
        .filter((p): p is Json => p?.in === 'query' && typeof p.name === 'string');
      const queryProblems: string[] = [];
      const query =
        request.query instanceof URLSearchParams
          ? [...request.query.entries()]
          : Object.entries(request.query ?? {});
      for (const [key, value] of query) {
        const p = declared.find((d) => d.name === key);
        if (!p) {
          queryProblems.push(`${operation}: query parameter "${key}" is not declared`);
          continue;
        }
        const problem = queryValueProblem(key, value, p.schema);
        if (problem) {
          queryProblems.push(`${operation}: ${problem}`);
        }
      }
      for (const p of declared) {
        if (p.required === true && !query.some(([k]) => k === p.name)) {
          queryProblems.push(
            `${operation}: the required query parameter "${String(p.name)}" is missing`,
          );
        }
      }
      const bodyProblems: string[] = [];
      const requestBody = requestBodyOf(op);
      if (request.body === undefined) {
        if (requestBody?.required === true) {
          bodyProblems.push(`${operation}: the request body is required`);
        }
      } else if (!requestBody) {
        bodyProblems.push(`${operation}: this operation takes no request body`);
      } else {
        const key = `${verb} ${entry.template}`;
        const validate = validatorFor(key, () => jsonSchemaOf(requestBody));
        if (validate && !validate(request.body)) {
          for (const p of describe(validate.errors ?? [])) {
            bodyProblems.push(`${operation}: ${p}`);
          }
        }
      }
      return {
        operation,
        operationId: typeof op.operationId === 'string' ? op.operationId : undefined,
        pathParams: params,
        scopes: scopesOf(op),
        missing: undefined,
        queryProblems,
        bodyProblems,
        problems: [...queryProblems, ...bodyProblems],
      };
    },
    validate(schemaName, value) {
      const validate = validatorFor(`#${schemaName}`, () => ({
        $ref: `${LOCAL_REF}${schemaName}`,
      }));
      if (!validate || validate(value)) {
        return [];
      }
      return describe(validate.errors ?? []);
    },
    example(name) {
      const e = examples[name];
      return isJson(e) ? e.value : undefined;
    },
    requestExamples(method, template) {
      const item = (doc.paths as Json)[template];
      const op = isJson(item) ? item[method.toLowerCase()] : undefined;
      const body = isJson(op) ? requestBodyOf(op) : undefined;
      const content = body && isJson(body.content) ? body.content : undefined;
      const media =
        content && isJson(content['application/json']) ? content['application/json'] : undefined;
      const out: Record<string, unknown> = {};
      if (media && isJson(media.examples)) {
        for (const [exampleName, e] of Object.entries(media.examples)) {
          const target =
            isJson(e) && typeof e.$ref === 'string'
              ? examples[e.$ref.replace('#/components/examples/', '')]
              : e;
          if (isJson(target)) {
            out[exampleName] = target.value;
          }
        }
      }
      return out;
    },
  };
}
