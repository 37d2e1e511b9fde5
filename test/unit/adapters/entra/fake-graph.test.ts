/**
 * The fake Graph behaves like Graph where the wizard can tell: bearer auth, the error envelope, the
 * OpenAPI check on every POST/PUT body, the PATCH-schema 404, OData filters and $select, the default
 * schema's shape. Plain fetch on 127.0.0.1.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ACTIVE_EXPRESSION,
  attributeSource,
  defaultScimSchema,
  evaluate,
  parseExpression,
  schemaProblem,
} from '../../../fakes/graph-schema.js';
import { parseFilter, startFakeGraph, type FakeGraph } from '../../../fakes/graph.js';
import { NON_GALLERY } from './helpers.js';

let fake: FakeGraph;

beforeEach(async () => {
  fake = await startFakeGraph();
});

afterEach(async () => {
  await fake.close();
});

interface Answer {
  status: number;
  headers: Headers;
  json: unknown;
}

async function call(
  method: string,
  path: string,
  options: { auth?: string | null; body?: unknown } = {},
): Promise<Answer> {
  const auth = options.auth === undefined ? `Bearer ${fake.token}` : options.auth;
  const res = await fetch(`${fake.graphUrl}${path}`, {
    method,
    headers: {
      ...(auth ? { authorization: auth } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json };
}

async function appAndJob(): Promise<{ spId: string; jobId: string }> {
  const created = await call('POST', `/applicationTemplates/${NON_GALLERY}/instantiate`, {
    body: { displayName: 'dbt Cloud SCIM' },
  });
  const spId = (created.json as { servicePrincipal: { id: string } }).servicePrincipal.id;
  const job = await call('POST', `/servicePrincipals/${spId}/synchronization/jobs`, {
    body: { templateId: 'scim' },
  });
  return { spId, jobId: (job.json as { id: string }).id };
}

const ENVELOPE = {
  error: {
    code: expect.any(String) as unknown,
    message: expect.any(String) as unknown,
    innerError: {
      date: expect.any(String) as unknown,
      'request-id': expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
      'client-request-id': expect.any(String) as unknown,
    },
  },
};

describe('auth and errors', () => {
  it('answers 401 in Graph’s envelope without a bearer token, or with a wrong one', async () => {
    const none = await call('GET', '/servicePrincipals', { auth: null });
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject(ENVELOPE);
    expect(none.json).toMatchObject({ error: { code: 'InvalidAuthenticationToken' } });
    const wrong = await call('GET', '/servicePrincipals', { auth: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    const basic = await call('GET', '/servicePrincipals', { auth: `Basic ${fake.token}` });
    expect(basic.status).toBe(401);
    expect(fake.requests.every((r) => !JSON.stringify(r).includes(fake.token))).toBe(true);
  });

  it('failNext answers the envelope of the status (403 Authorization_RequestDenied), or resets', async () => {
    fake.failNext({ method: 'GET', path: /servicePrincipals/ }, 403);
    const denied = await call('GET', '/servicePrincipals');
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ error: { code: 'Authorization_RequestDenied' } });
    expect(denied.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
    fake.failNext({ path: /users/ }, 'reset');
    await expect(call('GET', '/users/x')).rejects.toThrow();
    expect((await call('GET', '/servicePrincipals')).status).toBe(200);
  });

  it('answers unknown segments 400 and unknown methods 405', async () => {
    expect((await call('GET', '/nothingHere')).status).toBe(400);
    expect((await call('DELETE', '/servicePrincipals')).status).toBe(405);
  });
});

describe('OpenAPI checks', () => {
  it('a malformed body gets a violation and a 400', async () => {
    const { spId } = await appAndJob();
    expect(fake.specViolations).toEqual([]);
    const bad = await call('POST', `/servicePrincipals/${spId}/synchronization/jobs`, {
      body: { templateId: 5 },
    });
    expect(bad.status).toBe(400);
    expect(fake.specViolations).toHaveLength(1);
    expect(fake.specViolations[0]).toContain(
      'POST /servicePrincipals/{servicePrincipal-id}/synchronization/jobs',
    );
    expect(fake.specViolations[0]).toContain('templateId');
    expect(fake.state.jobs.get(spId)).toHaveLength(1);
  });

  it('catches the secrets body written with `credentials` (the doc table’s name) instead of `value`', async () => {
    const { spId } = await appAndJob();
    const res = await call('PUT', `/servicePrincipals/${spId}/synchronization/secrets`, {
      body: { credentials: [{ key: 'BaseAddress', value: 'http://127.0.0.1:1/scim' }] },
    });
    expect(res.status).toBe(400);
    expect(fake.specViolations.join()).toContain('credentials');
    expect(fake.state.secrets.get(spId)).toBeUndefined();
  });

  it('checks enum values (secret keys) and GUID patterns (appRoleId)', async () => {
    const { spId, jobId } = await appAndJob();
    const badKey = await call(
      'POST',
      `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/validateCredentials`,
      { body: { useSavedCredentials: false, credentials: [{ key: 'Token', value: 'x' }] } },
    );
    expect(badKey.status).toBe(400);
    const badRole = await call('POST', `/servicePrincipals/${spId}/appRoleAssignedTo`, {
      body: { principalId: fake.state.users[0]!.id, resourceId: spId, appRoleId: 'User' },
    });
    expect(badRole.status).toBe(400);
    expect(fake.specViolations).toHaveLength(2);
  });

  it('accepts the OpenAPI action form microsoft.graph.instantiate', async () => {
    const res = await call(
      'POST',
      `/applicationTemplates/${NON_GALLERY}/microsoft.graph.instantiate`,
      { body: { displayName: 'x' } },
    );
    expect(res.status).toBe(201);
    expect(fake.specViolations).toEqual([]);
  });

  it('PATCH on the schema answers 404 like syncfabric (the spec’s bug), PUT passes the check', async () => {
    const { spId, jobId } = await appAndJob();
    const path = `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema`;
    const schema = (await call('GET', path)).json;
    const patched = await call('PATCH', path, { body: schema });
    expect(patched.status).toBe(404);
    expect(JSON.stringify(patched.json)).toContain(
      'No HTTP resource was found that matches the request URI',
    );
    expect(JSON.stringify(patched.json)).toContain('syncfabric.windowsazure.com');
    expect((await call('PUT', path, { body: schema })).status).toBe(204);
    expect(fake.specViolations).toEqual([]);

    const broken = await call('PUT', path, {
      body: { ...(schema as object), synchronizationRules: 'none' },
    });
    expect(broken.status).toBe(400);
    expect(fake.specViolations.join()).toContain('synchronizationRules');
  });
});

describe('directory objects', () => {
  it('filters with OData eq/and, doubled quotes, and honours $select', async () => {
    expect(parseFilter("displayName eq 'O''Brien' and appId eq 'x'")).toEqual([
      { prop: 'displayName', value: "O'Brien" },
      { prop: 'appId', value: 'x' },
    ]);
    expect(typeof parseFilter("displayName eq 'open")).toBe('string');
    await call('POST', `/applicationTemplates/${NON_GALLERY}/instantiate`, {
      body: { displayName: "O'Brien" },
    });
    const found = await call(
      'GET',
      `/servicePrincipals?$filter=${encodeURIComponent("displayName eq 'O''Brien'")}&$select=id,displayName`,
    );
    const value = (found.json as { value: Record<string, unknown>[] }).value;
    expect(value).toHaveLength(1);
    expect(Object.keys(value[0]!)).toEqual(['id', 'displayName']);
    const unknown = await call('GET', '/servicePrincipals?$select=id,nope');
    expect(unknown.status).toBe(400);
    const junk = await call(
      'GET',
      `/servicePrincipals?$filter=${encodeURIComponent('displayName ne 1')}`,
    );
    expect(junk.status).toBe(400);
  });

  it('instantiate gives the SP the User and msiam_access roles; unknown templates are 404', async () => {
    const res = await call('POST', `/applicationTemplates/${NON_GALLERY}/instantiate`, {
      body: { displayName: 'x' },
    });
    const sp = (res.json as { servicePrincipal: { appRoles: { displayName: string }[] } })
      .servicePrincipal;
    expect(sp.appRoles.map((r) => r.displayName)).toEqual(['User', 'msiam_access']);
    const other = await call(
      'POST',
      '/applicationTemplates/00000000-0000-0000-0000-00000000abcd/instantiate',
      { body: { displayName: 'x' } },
    );
    expect(other.status).toBe(404);
  });
});

describe('the default schema', () => {
  it('every attribute definition and mapping has the full shape', () => {
    for (const variant of ['entra', 'azure-ad'] as const) {
      const schema = defaultScimSchema(variant);
      expect(schemaProblem(schema)).toBeUndefined();
      const dirs = schema.directories as { objects: { attributes: object[] }[] }[];
      for (const d of dirs) {
        for (const o of d.objects) {
          for (const a of o.attributes) {
            expect(Object.keys(a)).toEqual([
              'anchor',
              'apiExpressions',
              'caseExact',
              'defaultValue',
              'flowNullValues',
              'metadata',
              'multivalued',
              'mutability',
              'name',
              'referencedObjects',
              'required',
              'type',
            ]);
          }
        }
      }
      const rule = (
        schema.synchronizationRules as { objectMappings: { attributeMappings: object[] }[] }[]
      )[0]!;
      for (const m of rule.objectMappings) {
        for (const am of m.attributeMappings) {
          expect(Object.keys(am)).toEqual([
            'defaultValue',
            'exportMissingReferences',
            'flowBehavior',
            'flowType',
            'matchingPriority',
            'source',
            'targetAttributeName',
          ]);
        }
      }
    }
  });

  it('maps the SCIM user the way a custom SCIM app does by default', () => {
    const schema = defaultScimSchema('entra');
    const rule = (
      schema.synchronizationRules as {
        objectMappings: {
          name: string;
          attributeMappings: {
            targetAttributeName: string;
            matchingPriority: number;
            source: { expression: string };
          }[];
        }[];
      }[]
    )[0]!;
    const users = rule.objectMappings[0]!;
    const by = new Map(users.attributeMappings.map((m) => [m.targetAttributeName, m]));
    expect(by.get('userName')).toMatchObject({
      matchingPriority: 1,
      source: { expression: '[userPrincipalName]' },
    });
    expect(by.get('active')?.source.expression).toBe(ACTIVE_EXPRESSION);
    expect(by.get('emails[type eq "work"].value')?.source.expression).toBe('[mail]');
    expect(by.get('externalId')?.source.expression).toBe('[mailNickname]');
    expect(by.has('emails[type eq "work"].primary')).toBe(false);
    expect(rule.objectMappings[1]!.name).toBe('Provision Microsoft Entra ID Groups');
  });
});

describe('expressions', () => {
  it('parses Switch with an empty default into the documented tree', () => {
    const tree = parseExpression(ACTIVE_EXPRESSION);
    expect(tree).toEqual({
      expression: ACTIVE_EXPRESSION,
      name: 'Switch',
      type: 'Function',
      parameters: [
        { key: 'source', value: attributeSource('IsSoftDeleted') },
        {
          key: 'defaultValue',
          value: { expression: '""', name: '', parameters: [], type: 'Constant' },
        },
        {
          key: 'key',
          value: { expression: '"False"', name: 'False', parameters: [], type: 'Constant' },
        },
        {
          key: 'value',
          value: { expression: '"True"', name: 'True', parameters: [], type: 'Constant' },
        },
        {
          key: 'key',
          value: { expression: '"True"', name: 'True', parameters: [], type: 'Constant' },
        },
        {
          key: 'value',
          value: { expression: '"False"', name: 'False', parameters: [], type: 'Constant' },
        },
      ],
    });
    expect(evaluate(tree, { IsSoftDeleted: 'False' })).toBe('True');
    expect(evaluate(tree, { IsSoftDeleted: 'True' })).toBe('False');
    expect(
      evaluate(parseExpression('Join(" ", [givenName], [surname])'), {
        givenName: 'Ada',
        surname: 'L',
      }),
    ).toBe('Ada L');
  });

  it('answers parsingSucceeded:false for junk', async () => {
    const { spId, jobId } = await appAndJob();
    for (const junk of ['Switch([IsSoftDeleted],', 'Nope([x])', 'hello', '[unclosed']) {
      const res = await call(
        'POST',
        `/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema/parseExpression`,
        { body: { expression: junk, targetAttributeDefinition: null, testInputObject: null } },
      );
      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({
        parsingSucceeded: false,
        parsedExpression: null,
        error: { message: expect.any(String) as unknown },
      });
    }
    expect(fake.specViolations).toEqual([]);
  });
});
