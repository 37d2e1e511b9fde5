/**
 * Request checks for the fake Graph against Microsoft's own OpenAPI description of the
 * Applications module (`test/fixtures/specs/graph-v1.0-Applications.yml`, an unmodified copy; see
 * SOURCES-graph.md). Every POST/PUT the fake receives is matched to its operation and its JSON body
 * validated with ajv against the operation's requestBody schema, so the wizard cannot drift from the
 * published contract without a test noticing.
 *
 * The file is read once per process (it is 1.3 MB) and schemas compile lazily, once per operation.
 *
 * Faithful to the service, where the generated OpenAPI is known to be lossy (each a documented
 * adjustment, never a relaxation of what a body may contain):
 *  - Paths: `/applicationTemplates/{id}/instantiate` and `/…/microsoft.graph.instantiate` are the
 *    same OData action; segments are compared without the `microsoft.graph.` prefix.
 *  - The schema update is declared as PATCH (msgraph-metadata #676/#759); the service takes PUT and
 *    answers PATCH with 404. A PUT on `…/jobs/{id}/schema` is validated with the PATCH's body schema.
 *  - `allOf: [base, own]` is flattened into one object schema before validation. The generator puts
 *    `additionalProperties: {type: object}` on every member, which, checked member by member, would
 *    reject every derived property (`templateId` is "additional" to `entity`). After flattening,
 *    the rule applies to the whole type: unknown properties must still be objects, as the
 *    description says; OData instance annotations (`@odata.type`…) are allowed as the protocol does.
 *  - A property that is only a `$ref` may be null: CSDL properties and action parameters are
 *    nullable unless declared `Nullable="false"` (e.g. parseExpression's `testInputObject`, CSDL
 *    L26030), a fact the generator drops for references.
 *  - Enums marked `x-ms-enum-flags: isFlags` accept comma-separated combinations
 *    (`flowTypes: "Add, Update, Delete"`), as the service serialises them.
 *  - Formats are not checked (`uuid`, `int64`…); the description's regex `pattern`s are.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

export const GRAPH_SPEC_FILE = fileURLToPath(
  new URL('../fixtures/specs/graph-v1.0-Applications.yml', import.meta.url),
);

type Json = Record<string, unknown>;

const BASE_ID = 'https://graph.fake.invalid/openapi/components';
const LOCAL_REF = '#/components/schemas/';

export interface SpecCheck {
  /** The operation found, as the description names its path, e.g. `POST /servicePrincipals/{servicePrincipal-id}/…`. */
  readonly operation: string | undefined;
  /** What did not match (empty when the request fits the description). */
  readonly problems: readonly string[];
}

export interface GraphSpec {
  /**
   * Checks a POST/PUT: `path` is the request path under the version root (`/servicePrincipals/…`),
   * `body` the parsed JSON (undefined when none was sent).
   */
  check(method: string, path: string, body: unknown): SpecCheck;
}

interface PathEntry {
  readonly template: string;
  /** Literal segments (without `microsoft.graph.`), or undefined for a `{parameter}`. */
  readonly segments: readonly (string | undefined)[];
  readonly operations: Json;
}

let loading: Promise<GraphSpec> | undefined;

/** The process-wide validator (the description is parsed once). */
export function loadGraphSpec(): Promise<GraphSpec> {
  loading ??= build();
  return loading;
}

function isJson(v: unknown): v is Json {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function normaliseSegment(segment: string): string {
  return segment.replace(/^microsoft\.graph\./, '');
}

async function build(): Promise<GraphSpec> {
  const doc: unknown = parse(await readFile(GRAPH_SPEC_FILE, 'utf8'));
  if (!isJson(doc) || !isJson(doc.paths) || !isJson(doc.components)) {
    throw new Error('graph-spec: the OpenAPI description has no paths or components');
  }
  const rawSchemas = isJson(doc.components.schemas) ? doc.components.schemas : {};
  const paths: PathEntry[] = Object.entries(doc.paths)
    .filter((entry): entry is [string, Json] => isJson(entry[1]))
    .map(([template, operations]) => ({
      template,
      segments: template
        .split('/')
        .filter((s) => s !== '')
        .map((s) => (/^\{.*\}$/.test(s) ? undefined : normaliseSegment(s))),
      operations,
    }));

  const flattened = new Map<string, unknown>();
  const flattenNamed = (name: string, seen: Set<string>): unknown => {
    const done = flattened.get(name);
    if (done !== undefined) {
      return done;
    }
    const out = transform(rawSchemas[name], seen.add(name));
    flattened.set(name, out);
    return out;
  };

  /** The object members of an allOf, merged; undefined when a member is not an object schema. */
  const mergeAllOf = (members: unknown[], seen: Set<string>): Json | undefined => {
    const properties: Json = {};
    const required: string[] = [];
    let additional: unknown = undefined;
    for (const member of members) {
      let m: unknown = member;
      if (isJson(m) && typeof m.$ref === 'string' && m.$ref.startsWith(LOCAL_REF)) {
        const name = m.$ref.slice(LOCAL_REF.length);
        if (seen.has(name)) {
          return undefined;
        }
        m = flattenNamed(name, new Set(seen));
      } else {
        m = transform(m, seen);
      }
      if (!isJson(m) || (m.type !== undefined && m.type !== 'object') || m.allOf !== undefined) {
        return undefined;
      }
      if (isJson(m.properties)) {
        Object.assign(properties, m.properties);
      }
      if (Array.isArray(m.required)) {
        required.push(...m.required.filter((r): r is string => typeof r === 'string'));
      }
      if (m.additionalProperties !== undefined) {
        additional = m.additionalProperties;
      }
    }
    return {
      type: 'object',
      properties,
      ...(required.length > 0 ? { required } : {}),
      ...(additional !== undefined ? { additionalProperties: additional } : {}),
      ...(additional !== undefined ? { patternProperties: { '^@': {} } } : {}),
    };
  };

  /** The adjustments listed at the top of this file, applied to one schema (deep copy). */
  function transform(schema: unknown, seen: Set<string>): unknown {
    if (Array.isArray(schema)) {
      return schema.map((s) => transform(s, seen));
    }
    if (!isJson(schema)) {
      return schema;
    }
    if (Array.isArray(schema.allOf)) {
      const merged = mergeAllOf(schema.allOf, seen);
      if (merged) {
        return merged;
      }
    }
    const out: Json = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith(LOCAL_REF)) {
        out.$ref = `${BASE_ID}${value}`;
      } else if (key === 'properties' && isJson(value)) {
        const props: Json = {};
        for (const [name, prop] of Object.entries(value)) {
          const t = transform(prop, seen);
          const bareRef = isJson(t) && typeof t.$ref === 'string' && Object.keys(t).length === 1;
          props[name] = bareRef ? { anyOf: [t, { type: 'null' }] } : t;
        }
        out.properties = props;
      } else if (key === 'description' || key === 'externalDocs' || key === 'example') {
        // Not needed to validate; keeps the compiled schemas small.
      } else {
        out[key] = transform(value, seen);
      }
    }
    const flags = schema['x-ms-enum-flags'];
    if (Array.isArray(out.enum) && isJson(flags) && flags.isFlags === true) {
      const names = out.enum
        .filter((e): e is string => typeof e === 'string')
        .map((e) => e.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('|');
      delete out.enum;
      out.pattern = `^(?:${names})(?:\\s*,\\s*(?:${names}))*$`;
    }
    if (
      isJson(out.additionalProperties) &&
      out.additionalProperties.type === 'object' &&
      !isJson(out.patternProperties)
    ) {
      out.patternProperties = { '^@': {} };
    }
    if (out.nullable === true && out.type === undefined) {
      delete out.nullable;
      return { anyOf: [out, { type: 'null' }] };
    }
    return out;
  }

  const components: Json = {};
  for (const name of Object.keys(rawSchemas)) {
    components[name] = flattenNamed(name, new Set());
  }

  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
    validateSchema: false,
    logger: false,
  });
  ajv.addSchema({ $id: BASE_ID, components: { schemas: components } });

  const compiled = new Map<string, ValidateFunction | null>();
  const validatorFor = (key: string, op: Json): ValidateFunction | null => {
    if (compiled.has(key)) {
      return compiled.get(key) ?? null;
    }
    const body = isJson(op.requestBody) ? op.requestBody : undefined;
    const content = body && isJson(body.content) ? body.content : undefined;
    const media = content && isJson(content['application/json']) ? content['application/json'] : {};
    const validate = isJson(media.schema)
      ? ajv.compile(transform(media.schema, new Set()) as Json)
      : null;
    compiled.set(key, validate);
    return validate;
  };

  const find = (path: string): PathEntry | undefined => {
    const segments = path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => normaliseSegment(decodeURIComponent(s)));
    let best: PathEntry | undefined;
    let bestLiterals = -1;
    for (const entry of paths) {
      if (entry.segments.length !== segments.length) {
        continue;
      }
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
    return best;
  };

  return {
    check(method, path, body) {
      const verb = method.toLowerCase();
      const entry = find(path);
      if (!entry) {
        return {
          operation: undefined,
          problems: [`${method} ${path}: no such path in the OpenAPI description`],
        };
      }
      let op = entry.operations[verb];
      let opVerb = verb;
      // The description's PATCH on the job schema is the service's PUT (see the top of the file).
      if (op === undefined && verb === 'put' && /\/jobs\/\{[^}]+\}\/schema$/.test(entry.template)) {
        op = entry.operations.patch;
        opVerb = 'patch';
      }
      const operation = `${method.toUpperCase()} ${entry.template}`;
      if (!isJson(op)) {
        return {
          operation,
          problems: [`${operation}: the OpenAPI description has no ${method.toUpperCase()} here`],
        };
      }
      const requestBody = isJson(op.requestBody) ? op.requestBody : undefined;
      if (body === undefined) {
        return {
          operation,
          problems:
            requestBody?.required === true ? [`${operation}: the request body is required`] : [],
        };
      }
      const validate = validatorFor(`${opVerb} ${entry.template}`, op);
      if (!validate) {
        return { operation, problems: [] };
      }
      if (validate(body)) {
        return { operation, problems: [] };
      }
      // The null alternative of a nullable `$ref` (see the top of the file) adds "must be null" and
      // "must match a schema in anyOf" to every real error below it: keep only the real ones.
      const all = validate.errors ?? [];
      const real = all.filter(
        (e) => e.keyword !== 'anyOf' && !(e.keyword === 'type' && e.params.type === 'null'),
      );
      const text = ajv.errorsText(real.length > 0 ? real : all, {
        dataVar: 'body',
        separator: '; ',
      });
      return { operation, problems: [`${operation}: ${text}`] };
    },
  };
}
