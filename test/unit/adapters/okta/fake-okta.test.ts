/**
 * The fake Okta behaves like Okta where the wizard can tell: SSWS and scoped Bearer auth, Okta's
 * error body, the OpenAPI check of every request, paging by Link headers, the full-replace PUT and
 * its SCIM reset, the app user schema's partial update, group push mappings, assignments pushed to
 * a SCIM server, the System Log, rate-limit headers. Plain fetch on 127.0.0.1; the spec is parsed
 * once for the whole file (process-wide).
 */
import { readFile } from 'node:fs/promises';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDbt, type FakeDbt } from '../../../fakes/dbt.js';
import {
  DBT_LICENSE_NAMESPACE,
  INTERNAL_ID_TEMPLATE,
  evaluateOktaExpression,
  parseOktaExpression,
  startFakeOkta,
  type FakeOkta,
  type FakeOktaOptions,
} from '../../../fakes/okta.js';
import {
  OKTA_SPEC_FILE,
  OKTA_SPEC_SHA256,
  loadOktaSpec,
  type OktaSpec,
} from '../../../fakes/okta-spec.js';

type Json = Record<string, unknown>;

let spec: OktaSpec;
let fake: FakeOkta;
const others: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  spec = await loadOktaSpec();
});

beforeEach(async () => {
  fake = await startFakeOkta();
});

afterEach(async () => {
  await fake.close();
  for (const o of others.splice(0)) {
    await o.close();
  }
});

async function start(options: FakeOktaOptions): Promise<FakeOkta> {
  await fake.close();
  fake = await startFakeOkta(options);
  return fake;
}

interface Answer {
  status: number;
  headers: Headers;
  json: unknown;
}

async function call(
  method: string,
  pathOrUrl: string,
  options: { auth?: string | null; body?: unknown; raw?: string } = {},
): Promise<Answer> {
  const auth = options.auth === undefined ? `SSWS ${fake.apiToken}` : options.auth;
  const text =
    options.raw ?? (options.body !== undefined ? JSON.stringify(options.body) : undefined);
  const res = await fetch(pathOrUrl.startsWith('http') ? pathOrUrl : `${fake.url}${pathOrUrl}`, {
    method,
    headers: {
      accept: 'application/json',
      ...(auth ? { authorization: auth } : {}),
      ...(text !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(text !== undefined ? { body: text } : {}),
  });
  const body = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json };
}

const obj = (v: unknown): Json => v as Json;
const list = (v: unknown): Json[] => v as Json[];

/** Every page of a list, following `Link: <…>; rel="next"` as Okta asks clients to. */
async function allPages(path: string): Promise<{ items: Json[]; pages: number }> {
  const items: Json[] = [];
  let next: string | undefined = path;
  let pages = 0;
  while (next !== undefined && pages < 50) {
    const answer = await call('GET', next);
    expect(answer.status).toBe(200);
    items.push(...list(answer.json));
    pages++;
    const link = answer.headers.get('link') ?? '';
    next = /<([^>]+)>;\s*rel="next"/.exec(link)?.[1];
  }
  return { items, pages };
}

function oktaError(code: string, summary: string | RegExp, causes?: (string | RegExp)[]): unknown {
  return {
    errorCode: code,
    errorSummary:
      typeof summary === 'string' ? summary : (expect.stringMatching(summary) as unknown),
    errorLink: code,
    errorId: expect.stringMatching(/^oae[A-Za-z0-9]{22}$/) as unknown,
    errorCauses: causes
      ? causes.map((c) => ({
          errorSummary: typeof c === 'string' ? c : (expect.stringMatching(c) as unknown),
        }))
      : (expect.any(Array) as unknown),
  };
}

const LICENSE_BODY = {
  definitions: {
    custom: {
      id: '#custom',
      type: 'object',
      properties: {
        licenseType: {
          title: 'License Type',
          description: 'dbt platform license type',
          type: 'string',
          externalName: 'licenseType',
          externalNamespace: DBT_LICENSE_NAMESPACE,
          enum: ['it', 'analyst', 'developer', 'read_only'],
          oneOf: [
            { const: 'it', title: 'IT' },
            { const: 'analyst', title: 'Analyst' },
            { const: 'developer', title: 'Developer' },
            { const: 'read_only', title: 'Read Only' },
          ],
          scope: 'SELF',
          required: false,
        },
      },
    },
  },
};

const schemaPath = (): string => `/api/v1/meta/schemas/apps/${fake.ids.dbtApp}/default`;
const customOf = (schema: unknown): Json =>
  obj(obj(obj(obj(schema).definitions).custom).properties);

function attribute(name: string, definition: unknown): Json {
  return {
    definitions: { custom: { id: '#custom', type: 'object', properties: { [name]: definition } } },
  };
}

/** Turns SCIM on with every push action, as an admin does in the console. */
function provision(
  target: { url: string; token: string },
  extra: { importUsers?: boolean } = {},
): void {
  fake.console.enableScim(fake.ids.dbtApp);
  fake.console.saveIntegration(fake.ids.dbtApp, {
    baseUrl: target.url,
    token: target.token,
    pushNewUsers: true,
    pushProfileUpdates: true,
    pushGroups: true,
    ...extra,
  });
  fake.console.toApp(fake.ids.dbtApp, { create: true, update: true, deactivate: true });
}

// ---------------------------------------------------------------------------------------------

describe('the spec checker', () => {
  it('reads the unmodified official file once per process, from a parse cache after the first time', async () => {
    expect(spec.sha256).toBe(OKTA_SPEC_SHA256);
    const sources = await readFile(
      new URL('../../../fixtures/specs/SOURCES-okta.md', import.meta.url),
      'utf8',
    );
    expect(sources).toContain(OKTA_SPEC_SHA256);
    expect(OKTA_SPEC_FILE).toMatch(/okta-management\.yaml$/);
    expect(await loadOktaSpec()).toBe(spec);
    // A cache read is JSON; a cold YAML parse takes about a second on this machine.
    expect(spec.loadMs).toBeLessThan(spec.fromCache ? 2_000 : 20_000);
  });

  it("accepts Okta's own request examples for the operations the wizard uses", () => {
    const ops: [string, string, string][] = [
      ['POST', '/api/v1/apps/{appId}/group-push/mappings', '/api/v1/apps/0oa1/group-push/mappings'],
      [
        'PATCH',
        '/api/v1/apps/{appId}/group-push/mappings/{mappingId}',
        '/api/v1/apps/0oa1/group-push/mappings/gPm1',
      ],
      [
        'POST',
        '/api/v1/meta/schemas/apps/{appId}/default',
        '/api/v1/meta/schemas/apps/0oa1/default',
      ],
      ['POST', '/api/v1/apps/{appId}/users', '/api/v1/apps/0oa1/users'],
    ];
    let seen = 0;
    for (const [method, template, path] of ops) {
      for (const [name, body] of Object.entries(spec.requestExamples(method, template))) {
        expect({ name, problems: spec.check({ method, path, body }).problems }).toEqual({
          name,
          problems: [],
        });
        seen++;
      }
    }
    expect(seen).toBeGreaterThanOrEqual(7);
    // A SAML app as Okta returns it can be sent back as a full replace (adjustments 5, 6, 8).
    for (const name of [
      'Saml2.0PutEx',
      'Saml2.0ResponseEx',
      'Saml2.0PutResponseEx',
      'OpenidConnectResponseEx',
    ]) {
      const body = spec.example(name);
      expect(body).toBeDefined();
      expect({
        name,
        problems: spec.check({ method: 'PUT', path: '/api/v1/apps/0oa1', body }).problems,
      }).toEqual({
        name,
        problems: [],
      });
    }
  });

  it("sides with the schema where Okta's abridged example leaves out required properties", () => {
    const problems = spec.check({
      method: 'PUT',
      path: '/api/v1/apps/0oa1',
      body: spec.example('OpenidConnectPutEx'),
    }).problems;
    expect(problems).toEqual([
      'PUT /api/v1/apps/{appId}: body misses the required property "settings"',
      'PUT /api/v1/apps/{appId}: body misses the required property "credentials"',
    ]);
  });

  it('catches unknown properties, wrong enums, missing required fields and undeclared query parameters', () => {
    const push = (body: unknown) =>
      spec.check({ method: 'POST', path: '/api/v1/apps/0oa1/group-push/mappings', body }).problems;
    expect(push({ sourceGroupId: '00g1', targetGroupName: 'x', groupName: 'typo' })).toEqual([
      'POST /api/v1/apps/{appId}/group-push/mappings: body has a property the description does not name: "groupName"',
    ]);
    expect(push({ targetGroupName: 'x' })).toEqual([
      'POST /api/v1/apps/{appId}/group-push/mappings: body misses the required property "sourceGroupId"',
    ]);
    expect(push({ sourceGroupId: '00g1', targetGroupName: 'x', status: 'ERROR' })[0]).toContain(
      'body/status must be one of "ACTIVE", "INACTIVE"',
    );
    expect(push({ sourceGroupId: '00g1', targetGroupName: null })).toEqual([]);

    // The SDK's `_enum` spelling sent as-is is not Okta's field (okta.md §2.3).
    const schemaProblems = spec.check({
      method: 'POST',
      path: '/api/v1/meta/schemas/apps/0oa1/default',
      body: attribute('licenseType', { title: 'L', type: 'string', _enum: ['a'] }),
    }).problems;
    expect(schemaProblems).toEqual([
      'POST /api/v1/meta/schemas/apps/{appId}/default: body/definitions/custom/properties/licenseType has a property the description does not name: "_enum"',
    ]);
    // null removes an attribute (x-okta-allow-null-property-value-for-updates).
    expect(
      spec.check({
        method: 'POST',
        path: '/api/v1/meta/schemas/apps/0oa1/default',
        body: attribute('old', null),
      }).problems,
    ).toEqual([]);

    const saml = structuredClone(spec.example('Saml2.0PutEx')) as Json;
    const signOn = obj(obj(saml.settings).signOn);
    delete signOn.assertionSigned;
    signOn.subjectNameIdFormat = 'email';
    const samlProblems = spec.check({
      method: 'PUT',
      path: '/api/v1/apps/0oa1',
      body: saml,
    }).problems;
    expect(samlProblems).toContain(
      'PUT /api/v1/apps/{appId}: body/settings/signOn misses the required property "assertionSigned"',
    );
    expect(
      samlProblems.some((p) =>
        p.includes('body/settings/signOn/subjectNameIdFormat must be one of'),
      ),
    ).toBe(true);

    const users = spec.check({
      method: 'GET',
      path: '/api/v1/users',
      query: new URLSearchParams('search=x&limit=ten&page=2'),
    });
    expect(users.problems).toEqual([
      'GET /api/v1/users: query parameter "limit" must be an integer, got "ten"',
      'GET /api/v1/users: query parameter "page" is not declared',
    ]);
    expect(
      spec.check({ method: 'DELETE', path: '/api/v1/apps/0oa1/group-push/mappings/gPm1' }).problems,
    ).toEqual([
      'DELETE /api/v1/apps/{appId}/group-push/mappings/{mappingId}: the required query parameter "deleteTargetGroup" is missing',
    ]);
    expect(spec.check({ method: 'GET', path: '/api/v1/nothing/here' }).missing).toBe('path');
    expect(spec.check({ method: 'PATCH', path: '/api/v1/apps/0oa1' }).missing).toBe('method');
  });

  it("gives each operation's OAuth scopes and path parameters", () => {
    expect(spec.check({ method: 'GET', path: '/api/v1/apps' }).scopes).toEqual(['okta.apps.read']);
    const create = spec.check({
      method: 'POST',
      path: '/api/v1/apps/0oa1/group-push/mappings',
      body: { sourceGroupId: '00g1', targetGroupName: 'x' },
    });
    expect(create).toMatchObject({
      operation: 'POST /api/v1/apps/{appId}/group-push/mappings',
      operationId: 'createGroupPushMapping',
      pathParams: { appId: '0oa1' },
      scopes: ['okta.apps.manage', 'okta.groups.manage'],
      problems: [],
    });
    expect(spec.check({ method: 'GET', path: '/api/v1/users/me' })).toMatchObject({
      operation: 'GET /api/v1/users/{id}',
      scopes: ['okta.users.read'],
    });
    expect(
      spec.check({ method: 'POST', path: '/api/v1/meta/schemas/apps/0oa1/default' }).scopes,
    ).toEqual(['okta.schemas.manage']);
  });
});

describe('auth', () => {
  it('takes the SSWS token as the admin and answers anything else 401 E0000011', async () => {
    const me = await call('GET', '/api/v1/users/me');
    expect(me.status).toBe(200);
    expect(obj(me.json)).toMatchObject({
      id: fake.ids.admin,
      status: 'ACTIVE',
      profile: { login: 'ada.admin@acme.example' },
    });
    for (const auth of [`SSWS wrong`, null, `Basic abc`, `Bearer not-registered`, 'SSWS']) {
      const answer = await call('GET', '/api/v1/users/me', { auth });
      expect(answer.status).toBe(401);
      expect(answer.json).toEqual(oktaError('E0000011', 'Invalid token provided', []));
    }
    expect(fake.requests.map((r) => r.authScheme)).toEqual([
      'SSWS',
      'SSWS',
      null,
      null,
      'Bearer',
      'SSWS',
    ]);
    expect(JSON.stringify(fake.requests)).not.toContain(fake.apiToken);
    const bearer = await call('GET', '/api/v1/users/me', { auth: 'Bearer not-registered' });
    expect(bearer.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(bearer.headers.get('www-authenticate')).toContain('scope="okta.users.read"');
  });

  it("enforces the operation scopes of a Bearer token, with Okta's insufficient_scope header", async () => {
    fake.registerAccessToken('at-read', {
      scopes: ['okta.apps.read'],
      principal: { kind: 'user', userId: fake.ids.admin },
    });
    const read = await call('GET', '/api/v1/apps', { auth: 'Bearer at-read' });
    expect(read.status).toBe(200);
    const app = await call('GET', `/api/v1/apps/${fake.ids.dbtApp}`, { auth: 'Bearer at-read' });
    const put = await call('PUT', `/api/v1/apps/${fake.ids.dbtApp}`, {
      auth: 'Bearer at-read',
      body: app.json,
    });
    expect(put.status).toBe(403);
    expect(put.json).toEqual(
      oktaError('E0000006', 'You do not have permission to perform the requested action', []),
    );
    expect(put.headers.get('www-authenticate')).toBe(
      `Bearer authorization_uri="${fake.url}/oauth2/v1/authorize", realm="IdpRealm", scope="okta.apps.manage", ` +
        'error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", ' +
        `resource="/api/v1/apps/${fake.ids.dbtApp}"`,
    );
    expect(fake.state.fullUpdates).toEqual([]);

    // Group push needs both scopes of its requirement.
    fake.console.enableScim(fake.ids.dbtApp);
    fake.registerAccessToken('at-apps', {
      scopes: ['okta.apps.manage'],
      principal: { kind: 'user', userId: fake.ids.admin },
    });
    const push = await call('POST', `/api/v1/apps/${fake.ids.dbtApp}/group-push/mappings`, {
      auth: 'Bearer at-apps',
      body: { sourceGroupId: fake.ids.developers, targetGroupName: 'dbt_developers' },
    });
    expect(push.status).toBe(403);
    expect(push.headers.get('www-authenticate')).toContain(
      'scope="okta.apps.manage okta.groups.manage"',
    );
  });

  it('lets manage imply read, and okta.users.read.self read only the signed-in user', async () => {
    const grace = fake.state.users.find((u) => u.profile.login.startsWith('grace'));
    expect(grace).toBeDefined();
    fake.registerAccessToken('at-user', {
      scopes: ['okta.apps.manage', 'okta.users.read.self'],
      principal: { kind: 'user', userId: grace?.id ?? '' },
    });
    expect(
      (await call('GET', `/api/v1/apps/${fake.ids.dbtApp}`, { auth: 'Bearer at-user' })).status,
    ).toBe(200);
    const me = await call('GET', '/api/v1/users/me', { auth: 'Bearer at-user' });
    expect(me.status).toBe(200);
    expect(obj(me.json).id).toBe(grace?.id);
    const others = await call('GET', '/api/v1/users', { auth: 'Bearer at-user' });
    expect(others.status).toBe(403);
    expect(others.headers.get('www-authenticate')).toContain('scope="okta.users.read"');
  });

  it('acts as a service app for a client token: no /users/me, its own roles', async () => {
    await start({ clientRoles: { '0oaservice0000000001': ['APP_ADMIN'] } });
    fake.registerAccessToken('at-client', {
      scopes: ['okta.users.read', 'okta.roles.read'],
      principal: { kind: 'client', clientId: '0oaservice0000000001' },
    });
    const me = await call('GET', '/api/v1/users/me', { auth: 'Bearer at-client' });
    expect(me.status).toBe(404);
    expect(me.json).toEqual(oktaError('E0000007', 'Not found: Resource not found: me (User)', []));
    const roles = await call('GET', '/oauth2/v1/clients/0oaservice0000000001/roles', {
      auth: 'Bearer at-client',
    });
    expect(roles.status).toBe(200);
    expect(list(roles.json)).toEqual([
      expect.objectContaining({
        type: 'APP_ADMIN',
        label: 'Application Administrator',
        status: 'ACTIVE',
        assignmentType: 'CLIENT',
      }),
    ]);
  });
});

describe('users and roles', () => {
  it('finds a user by id, login (any case) or login shortname, else 404 (User)', async () => {
    const grace = fake.state.users.find((u) => u.profile.login === 'grace.hopper@acme.example');
    for (const key of [grace?.id ?? '', 'GRACE.HOPPER@acme.example', 'grace.hopper']) {
      const answer = await call('GET', `/api/v1/users/${encodeURIComponent(key)}`);
      expect(answer.status).toBe(200);
      expect(obj(answer.json).id).toBe(grace?.id);
    }
    expect(grace?.id).toMatch(/^00u[A-Za-z0-9]{17}$/);
    const missing = await call('GET', '/api/v1/users/nobody@acme.example');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual(
      oktaError('E0000007', 'Not found: Resource not found: nobody@acme.example (User)', []),
    );
  });

  it('searches profile.login / profile.email joined by or, case-insensitively', async () => {
    const search =
      'profile.login eq "GRACE.hopper@acme.example" or profile.email eq "alan.turing@ACME.example"';
    const answer = await call('GET', `/api/v1/users?search=${encodeURIComponent(search)}`);
    expect(answer.status).toBe(200);
    expect(list(answer.json).map((u) => obj(u.profile).login)).toEqual([
      'grace.hopper@acme.example',
      'alan.turing@acme.example',
    ]);
    const bad = await call('GET', `/api/v1/users?search=${encodeURIComponent('profile.login eq')}`);
    expect(bad.status).toBe(400);
    expect(obj(bad.json).errorCode).toBe('E0000031');
  });

  it('pages users with limit and Link rel="next"', async () => {
    const first = await call('GET', '/api/v1/users?limit=5');
    expect(list(first.json)).toHaveLength(5);
    expect(first.headers.get('link')).toMatch(
      /<http:\/\/127\.0\.0\.1:\d+\/api\/v1\/users\?limit=5&after=00u[A-Za-z0-9]{17}>; rel="next"/,
    );
    const { items, pages } = await allPages('/api/v1/users?limit=5');
    expect(pages).toBe(3);
    expect(items).toHaveLength(13);
    expect(new Set(items.map((u) => u.id)).size).toBe(13);
  });

  it("lists the admin's roles, or 403 E0000006 for an admin who may not read them", async () => {
    const roles = await call('GET', `/api/v1/users/${fake.ids.admin}/roles`);
    expect(list(roles.json)).toEqual([
      expect.objectContaining({
        type: 'SUPER_ADMIN',
        label: 'Super Administrator',
        assignmentType: 'USER',
      }),
    ]);
    const again = await call('GET', `/api/v1/users/${fake.ids.admin}/roles`);
    expect(list(again.json)[0]?.id).toBe(list(roles.json)[0]?.id);
    await start({ rolesForbidden: true, adminRoles: ['APP_ADMIN'] });
    for (const path of [
      `/api/v1/users/${fake.ids.admin}/roles`,
      '/oauth2/v1/clients/0oaabc/roles',
    ]) {
      const denied = await call('GET', path);
      expect(denied.status).toBe(403);
      expect(denied.json).toEqual(
        oktaError('E0000006', 'You do not have permission to perform the requested action', []),
      );
    }
  });
});

describe('apps', () => {
  it("seeds dbt's custom SAML app as dbt's SSO guide builds it", async () => {
    const answer = await call('GET', `/api/v1/apps/${fake.ids.dbtApp}`);
    expect(answer.status).toBe(200);
    const app = obj(answer.json);
    expect(app).toMatchObject({
      id: expect.stringMatching(/^0oa[A-Za-z0-9]{17}$/) as unknown,
      name: 'acme_dbtcloud_1',
      label: 'dbt Cloud',
      status: 'ACTIVE',
      signOnMode: 'SAML_2_0',
      features: [],
      credentials: {
        userNameTemplate: { template: INTERNAL_ID_TEMPLATE, type: 'CUSTOM' },
        signing: { kid: expect.any(String) as unknown },
      },
      settings: {
        signOn: {
          ssoAcsUrl: expect.any(String) as unknown,
          audience: expect.any(String) as unknown,
        },
      },
    });
    expect(obj(app._links).users).toEqual({
      href: `${fake.url}/api/v1/apps/${fake.ids.dbtApp}/users`,
    });
  });

  it('finds apps by q (startsWith on name or label, any case) and filter, paging by Link', async () => {
    await start({
      extraApps: [{ label: 'dbt Cloud' }, { label: 'Salesforce', status: 'INACTIVE' }],
    });
    const dbt = await call('GET', '/api/v1/apps?q=DBT');
    expect(list(dbt.json).map((a) => [a.label, a.name])).toEqual([
      ['dbt Cloud', 'acme_dbtcloud_1'],
      ['dbt SCIM Wizard', 'oidc_client'],
      ['dbt Cloud', 'acme_dbtcloud_2'],
    ]);
    const byName = await call('GET', '/api/v1/apps?q=acme_dbt');
    expect(list(byName.json)).toHaveLength(2);
    const active = await call(
      'GET',
      `/api/v1/apps?filter=${encodeURIComponent('status eq "ACTIVE"')}`,
    );
    expect(list(active.json).map((a) => a.label)).not.toContain('Salesforce');
    const { items, pages } = await allPages('/api/v1/apps?q=dbt&limit=1');
    expect(pages).toBe(3);
    expect(items.map((a) => a.id)).toEqual(list(dbt.json).map((a) => a.id));
    const missing = await call('GET', '/api/v1/apps/0oanothere0000000000');
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual(
      oktaError(
        'E0000007',
        'Not found: Resource not found: 0oanothere0000000000 (AppInstance)',
        [],
      ),
    );
  });

  it('takes back a full PUT of what GET gave, replacing the username template', async () => {
    const got = obj((await call('GET', `/api/v1/apps/${fake.ids.dbtApp}`)).json);
    const before = structuredClone(got);
    got.credentials = {
      ...obj(got.credentials),
      userNameTemplate: { template: '${source.email}', type: 'BUILT_IN' },
    };
    const put = await call('PUT', `/api/v1/apps/${fake.ids.dbtApp}`, { body: got });
    expect(put.status).toBe(200);
    expect(fake.specProblems).toEqual([]);
    const after = obj(put.json);
    expect(obj(after.credentials).userNameTemplate).toEqual({
      template: '${source.email}',
      type: 'BUILT_IN',
    });
    expect(obj(after.settings).signOn).toEqual(obj(before.settings).signOn);
    expect(after.visibility).toEqual(before.visibility);
    expect(fake.state.fullUpdates).toEqual([
      { appId: fake.ids.dbtApp, at: expect.any(String) as unknown, scimWasOn: false },
    ]);

    // A full replace really replaces: what the body leaves out is gone.
    const signOn = { ...obj(obj(after.settings).signOn) };
    delete signOn.attributeStatements;
    const trimmed = { ...after, settings: { ...obj(after.settings), signOn } };
    const lossy = await call('PUT', `/api/v1/apps/${fake.ids.dbtApp}`, { body: trimmed });
    expect(lossy.status).toBe(200);
    expect(obj(obj(obj(lossy.json).settings).signOn).attributeStatements).toBeUndefined();
  });

  it('resets SCIM provisioning on a PUT once SCIM is on (the reported quirk)', async () => {
    provision({ url: 'http://127.0.0.1:9/scim/v2', token: 'dbt-scim-token' });
    const got = obj((await call('GET', `/api/v1/apps/${fake.ids.dbtApp}`)).json);
    expect(got.features).toEqual(
      expect.arrayContaining([
        'SCIM_PROVISIONING',
        'GROUP_PUSH',
        'PUSH_NEW_USERS',
        'PUSH_PROFILE_UPDATES',
        'PUSH_USER_DEACTIVATION',
      ]),
    );
    const put = await call('PUT', `/api/v1/apps/${fake.ids.dbtApp}`, { body: got });
    expect(put.status).toBe(200);
    expect(obj(put.json).features).toEqual([]);
    expect(fake.state.integrations.has(fake.ids.dbtApp)).toBe(false);
    expect(fake.console.integrationToken(fake.ids.dbtApp)).toBeUndefined();
    expect(fake.state.fullUpdates).toEqual([
      { appId: fake.ids.dbtApp, at: expect.any(String) as unknown, scimWasOn: true },
    ]);
    expect(
      fake.state.logs.filter((e) => e.eventType === 'application.lifecycle.update').length,
    ).toBeGreaterThanOrEqual(4);
  });

  it('refuses a PUT that changes the sign-on mode, blanks the ACS URL or names an unknown BUILT_IN template', async () => {
    const got = obj((await call('GET', `/api/v1/apps/${fake.ids.dbtApp}`)).json);
    const bad = structuredClone(got);
    bad.credentials = {
      ...obj(got.credentials),
      userNameTemplate: { template: '${source.mail}', type: 'BUILT_IN' },
    };
    const answer = await call('PUT', `/api/v1/apps/${fake.ids.dbtApp}`, { body: bad });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(
      oktaError('E0000001', `Api validation failed: app`, [
        'credentials.userNameTemplate.template: Invalid template for BUILT_IN type.',
      ]),
    );
    const oidc = await call('PUT', `/api/v1/apps/${fake.ids.dbtApp}`, {
      body: { ...got, signOnMode: 'BOOKMARK', settings: { app: { url: 'https://x' } } },
    });
    expect(oidc.status).toBe(400);
    expect(fake.state.fullUpdates).toEqual([]);
  });

  it('answers the provisioning-connection probe UNKNOWN and the Features API 400 for a custom app', async () => {
    const connection = await call('GET', `/api/v1/apps/${fake.ids.dbtApp}/connections/default`);
    expect(connection.status).toBe(200);
    expect(connection.json).toEqual({
      authScheme: 'UNKNOWN',
      status: 'UNKNOWN',
      profile: { authScheme: 'UNKNOWN' },
      _links: {},
    });
    const features = await call('GET', `/api/v1/apps/${fake.ids.dbtApp}/features`);
    expect(features.status).toBe(400);
    expect(features.json).toEqual(
      oktaError('E0000001', 'Api validation failed: feature', [
        'Provisioning is not enabled for the app instance.',
      ]),
    );
  });
});

describe('app user schema', () => {
  it("adds licenseType by partial update, storing what was sent plus Okta's defaults", async () => {
    const before = obj((await call('GET', schemaPath())).json);
    expect(obj(obj(obj(before.definitions).base).properties).userName).toMatchObject({
      type: 'string',
      required: true,
    });
    expect(customOf(before)).toEqual({});
    const answer = await call('POST', schemaPath(), { body: LICENSE_BODY });
    expect(answer.status).toBe(200);
    expect(customOf(answer.json).licenseType).toEqual({
      ...LICENSE_BODY.definitions.custom.properties.licenseType,
      master: { type: 'PROFILE_MASTER' },
      mutability: 'READ_WRITE',
      permissions: [{ principal: 'SELF', action: 'READ_ONLY' }],
    });
    // Partial: another attribute leaves licenseType alone.
    const other = await call('POST', schemaPath(), {
      body: attribute('costCenter', { title: 'Cost center', type: 'string' }),
    });
    expect(Object.keys(customOf(other.json))).toEqual(['licenseType', 'costCenter']);
    expect(customOf(other.json).costCenter).toMatchObject({ scope: 'NONE' });
    expect(fake.specProblems).toEqual([]);
  });

  it('removes an attribute set to null; re-adding the name fails until the deletion settles', async () => {
    let clock = Date.parse('2026-07-01T10:00:00Z');
    await start({ schemaDeleteSettleMs: 30_000, now: () => new Date(clock) });
    expect((await call('POST', schemaPath(), { body: LICENSE_BODY })).status).toBe(200);
    const assigned = await call('POST', `/api/v1/apps/${fake.ids.dbtApp}/users`, {
      body: { id: fake.ids.admin, scope: 'USER', profile: { licenseType: 'developer' } },
    });
    expect(assigned.status).toBe(200);
    const removed = await call('POST', schemaPath(), { body: attribute('licenseType', null) });
    expect(removed.status).toBe(200);
    expect(customOf(removed.json)).toEqual({});
    expect(fake.state.appUsers.get(fake.ids.dbtApp)?.[0]?.profile).toEqual({});
    clock += 10_000;
    const early = await call('POST', schemaPath(), { body: LICENSE_BODY });
    expect(early.status).toBe(400);
    expect(early.json).toEqual(
      oktaError('E0000001', /^Api validation failed/, [
        /deletion process for an attribute with the same variable name is incomplete/,
      ]),
    );
    clock += 25_000;
    expect((await call('POST', schemaPath(), { body: LICENSE_BODY })).status).toBe(200);
  });

  it('validates oneOf against enum and keeps scope immutable', async () => {
    const license = LICENSE_BODY.definitions.custom.properties.licenseType;
    const noEnum = await call('POST', schemaPath(), {
      body: attribute('licenseType', { ...license, enum: undefined }),
    });
    expect(noEnum.status).toBe(400);
    expect(obj(noEnum.json).errorCode).toBe('E0000001');
    expect(JSON.stringify(noEnum.json)).toContain('only supported together with enum');
    const reordered = await call('POST', schemaPath(), {
      body: attribute('licenseType', { ...license, oneOf: [...license.oneOf].reverse() }),
    });
    expect(reordered.status).toBe(400);
    expect(JSON.stringify(reordered.json)).toContain('must match the enum values and their order');
    expect((await call('POST', schemaPath(), { body: LICENSE_BODY })).status).toBe(200);
    const rescoped = await call('POST', schemaPath(), {
      body: attribute('licenseType', { ...license, scope: 'NONE' }),
    });
    expect(rescoped.status).toBe(400);
    expect(JSON.stringify(rescoped.json)).toContain(
      'scope of an existing property cannot be changed',
    );
    const clash = await call('POST', schemaPath(), {
      body: attribute('LicenseType', { title: 'x', type: 'string' }),
    });
    expect(clash.status).toBe(400);
  });

  it('answers a body that does not fit the description 400 E0000003 and records it', async () => {
    const answer = await call('POST', schemaPath(), {
      body: attribute('licenseType', { title: 'L', type: 'string', _enum: ['it'] }),
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(
      oktaError('E0000003', 'The request body was not well-formed.', [/"_enum"/]),
    );
    expect(fake.specProblems).toHaveLength(1);
    expect(customOf((await call('GET', schemaPath())).json)).toEqual({});
    const broken = await call('POST', schemaPath(), { raw: '{"definitions":' });
    expect(broken.status).toBe(400);
    expect(obj(broken.json).errorCode).toBe('E0000003');
  });
});

describe('groups and group push mappings', () => {
  const mappings = (): string => `/api/v1/apps/${fake.ids.dbtApp}/group-push/mappings`;

  it('lists groups by q, search and type, paging by Link', async () => {
    const dbt = await call('GET', '/api/v1/groups?q=dbt_');
    expect(list(dbt.json).map((g) => obj(g.profile).name)).toEqual([
      'dbt_developers',
      'dbt_analysts',
    ]);
    const builtIn = await call(
      'GET',
      `/api/v1/groups?search=${encodeURIComponent('type eq "BUILT_IN"')}`,
    );
    expect(list(builtIn.json)).toEqual([
      expect.objectContaining({ id: fake.ids.everyone, type: 'BUILT_IN' }),
    ]);
    const { items, pages } = await allPages('/api/v1/groups?limit=4');
    expect(pages).toBe(3);
    expect(items).toHaveLength(9);
  });

  it('refuses a mapping before Push Groups is on (no GROUP_PUSH feature)', async () => {
    const answer = await call('POST', mappings(), {
      body: { sourceGroupId: fake.ids.developers, targetGroupName: 'dbt_developers' },
    });
    expect(answer.status).toBe(400);
    expect(answer.json).toEqual(
      oktaError('E0000001', /^Api validation failed/, [
        'Provisioning is not enabled for the app instance.',
      ]),
    );
  });

  it('creates, refuses duplicates and bad targets, reports errors, and deletes when inactive', async () => {
    provision({ url: 'http://127.0.0.1:9/scim/v2', token: 't' });
    const created = await call('POST', mappings(), {
      body: { sourceGroupId: fake.ids.developers, targetGroupName: 'dbt_developers' },
    });
    expect(created.status).toBe(201);
    const mapping = obj(created.json);
    expect(mapping).toEqual({
      id: expect.stringMatching(/^gPm[A-Za-z0-9]{17}$/) as unknown,
      sourceGroupId: fake.ids.developers,
      targetGroupId: expect.stringMatching(/^00g[A-Za-z0-9]{17}$/) as unknown,
      status: 'ACTIVE',
      created: expect.any(String) as unknown,
      lastUpdated: expect.any(String) as unknown,
      lastPush: null,
      errorSummary: null,
      _links: {
        app: { href: `${fake.url}/api/v1/apps/${fake.ids.dbtApp}` },
        sourceGroup: { href: `${fake.url}/api/v1/groups/${fake.ids.developers}` },
        targetGroup: { href: `${fake.url}/api/v1/groups/${String(mapping.targetGroupId)}` },
      },
    });
    // The pushed group shows up as an APP_GROUP of the app.
    const appGroups = await call(
      'GET',
      `/api/v1/groups?search=${encodeURIComponent(`source.id eq "${fake.ids.dbtApp}" and type eq "APP_GROUP"`)}`,
    );
    expect(list(appGroups.json).map((g) => [g.id, obj(g.source).id])).toEqual([
      [mapping.targetGroupId, fake.ids.dbtApp],
    ]);

    const duplicate = await call('POST', mappings(), {
      body: { sourceGroupId: fake.ids.developers, targetGroupName: 'other' },
    });
    expect(duplicate.status).toBe(400);
    expect(obj(duplicate.json).errorCode).toBe('E0000001');
    for (const body of [
      { sourceGroupId: fake.ids.analysts },
      {
        sourceGroupId: fake.ids.analysts,
        targetGroupName: 'a',
        targetGroupId: String(mapping.targetGroupId),
      },
    ]) {
      const answer = await call('POST', mappings(), { body });
      expect(answer.status).toBe(400);
      expect(answer.json).toEqual(
        oktaError('E0000001', /^Api validation failed/, [
          'Either targetGroupId or targetGroupName must be provided, but not both.',
        ]),
      );
    }
    const notAppGroup = await call('POST', mappings(), {
      body: { sourceGroupId: fake.ids.analysts, targetGroupId: fake.ids.everyone },
    });
    expect(notAppGroup.status).toBe(400);
    const unknownSource = await call('POST', mappings(), {
      body: { sourceGroupId: '00gmissing00000000000', targetGroupName: 'x' },
    });
    expect(unknownSource.status).toBe(404);

    const bySource = await call('GET', `${mappings()}?sourceGroupId=${fake.ids.developers}`);
    expect(list(bySource.json).map((m) => m.id)).toEqual([mapping.id]);
    expect(
      list((await call('GET', `${mappings()}?sourceGroupId=${fake.ids.analysts}`)).json),
    ).toEqual([]);

    fake.setMappingError(String(mapping.id), 'All users must have licenses on the account.');
    const errored = obj((await call('GET', `${mappings()}/${String(mapping.id)}`)).json);
    expect(errored).toMatchObject({
      status: 'ERROR',
      errorSummary: 'All users must have licenses on the account.',
    });

    const stillActive = await call(
      'DELETE',
      `${mappings()}/${String(mapping.id)}?deleteTargetGroup=false`,
    );
    expect(stillActive.status).toBe(400);
    const inactive = await call('PATCH', `${mappings()}/${String(mapping.id)}`, {
      body: { status: 'INACTIVE' },
    });
    expect(obj(inactive.json)).toMatchObject({ status: 'INACTIVE' });
    const deleted = await call(
      'DELETE',
      `${mappings()}/${String(mapping.id)}?deleteTargetGroup=true`,
    );
    expect(deleted.status).toBe(204);
    expect(fake.state.groups.some((g) => g.id === mapping.targetGroupId)).toBe(false);
    expect((await call('GET', `${mappings()}/${String(mapping.id)}`)).status).toBe(404);
    expect(fake.specProblems).toEqual([]);
  });

  it('links an imported APP_GROUP by targetGroupId', async () => {
    provision({ url: 'http://127.0.0.1:9/scim/v2', token: 't' });
    const imported = fake.addGroup({
      name: 'Analysts',
      type: 'APP_GROUP',
      sourceAppId: fake.ids.dbtApp,
    });
    const answer = await call('POST', mappings(), {
      body: { sourceGroupId: fake.ids.analysts, targetGroupId: imported.id, status: 'ACTIVE' },
    });
    expect(answer.status).toBe(201);
    expect(obj(answer.json).targetGroupId).toBe(imported.id);
  });

  it('answers a mapping body with an unknown property 400 E0000003 and records the spec problem', async () => {
    provision({ url: 'http://127.0.0.1:9/scim/v2', token: 't' });
    const answer = await call('POST', mappings(), {
      body: {
        sourceGroupId: fake.ids.developers,
        targetGroupName: 'dbt_developers',
        pushExisting: true,
      },
    });
    expect(answer.status).toBe(400);
    expect(obj(answer.json).errorCode).toBe('E0000003');
    expect(fake.specProblems).toEqual([
      'POST /api/v1/apps/{appId}/group-push/mappings: body has a property the description does not name: "pushExisting"',
    ]);
    expect(fake.state.groupPushMappings).toEqual([]);
  });
});

describe('assignments and pushes', () => {
  const users = (): string => `/api/v1/apps/${fake.ids.dbtApp}/users`;
  const grace = (): string =>
    fake.state.users.find((u) => u.profile.login.startsWith('grace'))?.id ?? '';

  it('validates the app profile against the app user schema', async () => {
    await call('POST', schemaPath(), { body: LICENSE_BODY });
    const unknown = await call('POST', users(), {
      body: { id: grace(), scope: 'USER', profile: { license: 'developer' } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json).toEqual(
      oktaError('E0000001', 'Api validation failed: profile', [/license/]),
    );
    const wrong = await call('POST', users(), {
      body: { id: grace(), scope: 'USER', profile: { licenseType: 'owner' } },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.json).toEqual(
      oktaError('E0000001', 'Api validation failed: profile', [
        'licenseType: Does not match required enum values',
      ]),
    );
    const missingUser = await call('POST', users(), {
      body: { id: '00umissing00000000000', scope: 'USER' },
    });
    expect(missingUser.status).toBe(404);
    const noId = await call('POST', users(), { body: { scope: 'USER' } });
    expect(noId.status).toBe(400);
    expect(obj(noId.json).errorCode).toBe('E0000003');
  });

  it('assigns without provisioning: ACTIVE, DISABLED, the username from the template; re-assigning updates', async () => {
    await call('POST', schemaPath(), { body: LICENSE_BODY });
    const first = await call('POST', users(), {
      body: { id: grace(), scope: 'USER', profile: { licenseType: 'developer' } },
    });
    expect(first.status).toBe(200);
    expect(obj(first.json)).toMatchObject({
      id: grace(),
      scope: 'USER',
      status: 'ACTIVE',
      syncState: 'DISABLED',
      credentials: { userName: grace() },
      profile: { licenseType: 'developer' },
    });
    const again = await call('POST', users(), {
      body: { id: grace(), scope: 'USER', profile: { licenseType: 'analyst' } },
    });
    expect(obj(again.json).profile).toEqual({ licenseType: 'analyst' });
    const listed = await call('GET', users());
    expect(list(listed.json)).toHaveLength(1);
    const one = await call('GET', `${users()}/${grace()}`);
    expect(obj(one.json).profile).toEqual({ licenseType: 'analyst' });
    expect((await call('GET', `${users()}/${fake.ids.admin}`)).status).toBe(404);

    fake.console.setUserNameTemplate(fake.ids.dbtApp, {
      template: '${source.email}',
      type: 'BUILT_IN',
    });
    const admin = await call('POST', users(), { body: { id: fake.ids.admin, scope: 'USER' } });
    expect(obj(obj(admin.json).credentials).userName).toBe('ada.admin@acme.example');
  });

  describe('into the fake dbt', () => {
    let dbt: FakeDbt;
    let token: string;

    beforeEach(async () => {
      dbt = await startFakeDbt({
        scimConfig: { enabled: true },
        users: [{ userName: 'alan.turing@acme.example' }],
      });
      others.push(dbt);
      token = dbt.createScimToken('okta');
      await start({ scimTarget: { url: dbt.scimUrl, token } });
    });

    it('pushes an assigned user with the dbt license extension, then pushes a profile update', async () => {
      provision({ url: dbt.scimUrl, token });
      fake.console.setUserNameTemplate(fake.ids.dbtApp, {
        template: '${source.email}',
        type: 'BUILT_IN',
      });
      await call('POST', schemaPath(), { body: LICENSE_BODY });
      const assigned = await call('POST', users(), {
        body: { id: grace(), scope: 'USER', profile: { licenseType: 'developer' } },
      });
      expect(obj(assigned.json)).toMatchObject({ status: 'STAGED', syncState: 'SYNCING' });
      await fake.settled();
      const appUser = obj((await call('GET', `${users()}/${grace()}`)).json);
      expect(appUser).toMatchObject({
        status: 'PROVISIONED',
        syncState: 'SYNCHRONIZED',
        externalId: expect.any(String) as unknown,
      });
      const pushed = dbt.state.users.get(String(appUser.externalId));
      expect(pushed).toMatchObject({
        userName: 'grace.hopper@acme.example',
        name: { givenName: 'Grace', familyName: 'Hopper' },
        [DBT_LICENSE_NAMESPACE]: { licenseType: 'developer' },
      });
      expect([...dbt.state.scimTokens.values()][0]?.last_used).not.toBeNull();
      expect(fake.state.logs.map((e) => [e.eventType, e.outcome.result])).toEqual(
        expect.arrayContaining([
          ['application.provision.user.push', 'SUCCESS'],
          ['app.user_management.push_new_user_success', 'SUCCESS'],
        ]),
      );

      await call('POST', users(), {
        body: { id: grace(), scope: 'USER', profile: { licenseType: 'analyst' } },
      });
      await fake.settled();
      expect(dbt.state.users.get(String(appUser.externalId))).toMatchObject({
        [DBT_LICENSE_NAMESPACE]: { licenseType: 'analyst' },
      });
      expect(
        fake.state.logs.some((e) => e.eventType === 'application.provision.user.push_profile'),
      ).toBe(true);
    });

    it('links a user dbt already has instead of creating it', async () => {
      provision({ url: dbt.scimUrl, token });
      fake.console.setUserNameTemplate(fake.ids.dbtApp, {
        template: '${source.login}',
        type: 'BUILT_IN',
      });
      const alan = fake.state.users.find((u) => u.profile.login.startsWith('alan'))?.id ?? '';
      await call('POST', users(), { body: { id: alan, scope: 'USER' } });
      await fake.settled();
      expect(dbt.state.users.size).toBe(1);
      expect(fake.state.appUsers.get(fake.ids.dbtApp)?.[0]?.externalId).toBe(
        [...dbt.state.users.keys()][0],
      );
    });

    it("fails the push with dbt's error when the username is Okta's internal id", async () => {
      provision({ url: dbt.scimUrl, token });
      await call('POST', users(), { body: { id: grace(), scope: 'USER' } });
      await fake.settled();
      expect(fake.state.appUsers.get(fake.ids.dbtApp)?.[0]).toMatchObject({
        syncState: 'ERROR',
        externalId: null,
      });
      const failure = fake.state.logs.find(
        (e) => e.eventType === 'application.provision.user.push',
      );
      expect(failure?.outcome).toEqual({
        result: 'FAILURE',
        reason: expect.stringContaining('userName') as unknown,
      });
      expect(dbt.state.users.size).toBe(1);
    });

    it('tests the connector with the saved token, logging an authentication failure for a bad one', async () => {
      provision({ url: dbt.scimUrl, token });
      const good = await fake.console.testConnector(fake.ids.dbtApp);
      expect(good).toEqual({ ok: true, status: 200, message: 'Connector configured successfully' });
      expect([...dbt.state.scimTokens.values()][0]?.last_used).not.toBeNull();
      expect(dbt.requests.at(-1)).toMatchObject({
        method: 'GET',
        query: {
          filter: expect.stringMatching(/^userName eq ".+"$/) as unknown,
          startIndex: '1',
          count: '100',
        },
        authScheme: 'Bearer',
      });
      fake.console.saveIntegration(fake.ids.dbtApp, {
        baseUrl: dbt.scimUrl,
        token: 'wrong',
        pushNewUsers: true,
        pushProfileUpdates: true,
        pushGroups: true,
      });
      const bad = await fake.console.testConnector(fake.ids.dbtApp);
      expect(bad).toMatchObject({ ok: false, status: 401 });
      const failure = fake.state.logs.find(
        (e) => e.eventType === 'application.integration.authentication_failure',
      );
      expect(failure).toMatchObject({
        outcome: { result: 'FAILURE' },
        target: [{ id: fake.ids.dbtApp, type: 'AppInstance' }],
      });
    });

    it('imports users and groups from the SCIM server as app users and APP_GROUPs', async () => {
      const dev = dbt.state.groups.find((g) => g.name === 'dbt_developers');
      const alanScim = [...dbt.state.users.values()][0];
      if (dev && alanScim) {
        dev.members.push(alanScim.id);
      }
      provision({ url: dbt.scimUrl, token }, { importUsers: true });
      const result = await fake.console.importUsers(fake.ids.dbtApp);
      expect(result).toEqual({ users: 1, matched: 1, unmatched: 0, groups: 3 });
      const appUsers = list((await call('GET', users())).json);
      expect(appUsers).toEqual([
        expect.objectContaining({
          externalId: alanScim?.id,
          credentials: { userName: 'alan.turing@acme.example' },
        }),
      ]);
      const groups = await call(
        'GET',
        `/api/v1/groups?search=${encodeURIComponent(`source.id eq "${fake.ids.dbtApp}"`)}`,
      );
      expect(list(groups.json).map((g) => obj(g.profile).name)).toEqual([
        'Everyone',
        'Analysts',
        'dbt_developers',
      ]);
      expect(
        fake.state.logs.filter(
          (e) => e.eventType === 'app.user_management.user_group_import.upsert_success',
        ),
      ).toHaveLength(3);
    });
  });

  it('keeps the console steps in the order the console allows', () => {
    expect(() => {
      fake.console.enableScim(fake.ids.oidcApp);
    }).toThrow(/not available for OIDC/);
    const integration = {
      baseUrl: 'http://127.0.0.1:9/scim/v2',
      token: 't',
      pushNewUsers: false,
      pushProfileUpdates: false,
      pushGroups: false,
    };
    expect(() => {
      fake.console.saveIntegration(fake.ids.dbtApp, integration);
    }).toThrow(/turn on SCIM/);
    fake.console.enableScim(fake.ids.dbtApp);
    expect(() => {
      fake.console.toApp(fake.ids.dbtApp, { create: true, update: false, deactivate: false });
    }).toThrow(/save the Integration/);
    fake.console.saveIntegration(fake.ids.dbtApp, integration);
    expect(() => {
      fake.console.toApp(fake.ids.dbtApp, { create: true, update: false, deactivate: false });
    }).toThrow(/Push New Users/);
    expect(fake.state.integrations.get(fake.ids.dbtApp)).toMatchObject({
      baseUrl: integration.baseUrl,
      hasToken: true,
    });
    expect(JSON.stringify(fake.state)).not.toContain('"t"');
    expect(fake.console.integrationToken(fake.ids.dbtApp)).toBe('t');
    expect(fake.state.apps.find((a) => a.id === fake.ids.dbtApp)?.features).toEqual([
      'SCIM_PROVISIONING',
    ]);
  });

  it('never sends a push beyond 127.0.0.1', async () => {
    await start({ scimTarget: { url: 'http://localhost:1/scim/v2', token: 't' } });
    fake.console.enableScim(fake.ids.dbtApp);
    fake.console.saveIntegration(fake.ids.dbtApp, {
      baseUrl: 'http://localhost:1/scim/v2',
      token: 't',
      pushNewUsers: true,
      pushProfileUpdates: false,
      pushGroups: false,
    });
    fake.console.toApp(fake.ids.dbtApp, { create: true, update: false, deactivate: false });
    await call('POST', users(), { body: { id: grace(), scope: 'USER' } });
    await fake.settled();
    const failure = fake.state.logs.find((e) => e.eventType === 'application.provision.user.push');
    expect(failure?.outcome).toEqual({
      result: 'FAILURE',
      reason: 'Could not connect to localhost:1',
    });
  });
});

describe('System Log', () => {
  it('filters by target.id and eventType with and/or and parentheses, within since/until, paging', async () => {
    let clock = Date.parse('2026-07-01T12:00:00Z');
    await start({ now: () => new Date(clock) });
    const app = fake.ids.dbtApp;
    const target = [{ id: app, type: 'AppInstance', displayName: 'dbt Cloud' }];
    fake.addLogEvent({
      eventType: 'application.lifecycle.update',
      target,
      published: '2026-06-01T00:00:00.000Z',
    });
    fake.addLogEvent({
      eventType: 'application.lifecycle.update',
      target,
      published: '2026-07-01T11:00:00.000Z',
    });
    fake.addLogEvent({
      eventType: 'application.integration.authentication_failure',
      outcome: 'FAILURE',
      reason: 'HTTP 401',
      target,
      published: '2026-07-01T11:10:00.000Z',
    });
    fake.addLogEvent({
      eventType: 'application.lifecycle.update',
      target: [{ id: fake.ids.oidcApp, type: 'AppInstance', displayName: 'x' }],
      published: '2026-07-01T11:20:00.000Z',
    });
    fake.addLogEvent({
      eventType: 'user.session.start',
      target,
      published: '2026-07-01T11:30:00.000Z',
    });
    const filter = `target.id eq "${app}" and (eventType eq "application.lifecycle.update" or eventType eq "application.integration.authentication_failure")`;
    const since = '2026-07-01T10:00:00.000Z';
    const answer = await call(
      'GET',
      `/api/v1/logs?since=${since}&until=2026-07-01T12:00:00.000Z&filter=${encodeURIComponent(filter)}`,
    );
    expect(answer.status).toBe(200);
    const events = list(answer.json);
    expect(events.map((e) => e.eventType)).toEqual([
      'application.lifecycle.update',
      'application.integration.authentication_failure',
    ]);
    expect(events[1]).toMatchObject({
      uuid: expect.any(String) as unknown,
      published: '2026-07-01T11:10:00.000Z',
      displayMessage: expect.any(String) as unknown,
      outcome: { result: 'FAILURE', reason: 'HTTP 401' },
      target: [{ id: app, type: 'AppInstance', displayName: 'dbt Cloud' }],
      actor: { id: fake.ids.admin, type: 'User' },
    });
    expect(answer.headers.get('link')).not.toContain('rel="next"');
    const descending = await call(
      'GET',
      `/api/v1/logs?since=${since}&until=2026-07-01T12:00:00.000Z&sortOrder=DESCENDING&limit=2`,
    );
    expect(list(descending.json).map((e) => e.published)).toEqual([
      '2026-07-01T11:30:00.000Z',
      '2026-07-01T11:20:00.000Z',
    ]);
    expect(descending.headers.get('link')).toContain('rel="next"');

    // Polling (since, no until, ascending): Okta always gives a next link, even for an empty page.
    const poll = await allPagesBounded(`/api/v1/logs?since=${since}&limit=2`, 4);
    expect(poll.items).toHaveLength(4);
    expect(poll.lastPageEmpty).toBe(true);
    expect(poll.nextOnLastPage).toBe(true);
    clock += 1;

    const bad = await call('GET', `/api/v1/logs?filter=${encodeURIComponent('eventType eq')}`);
    expect(bad.status).toBe(400);
  });
});

/** Follows next links at most `max` pages (System Log polling never ends by itself). */
async function allPagesBounded(path: string, max: number) {
  const items: Json[] = [];
  let next: string | undefined = path;
  let lastPageEmpty = false;
  let nextOnLastPage = false;
  for (let i = 0; i < max && next !== undefined; i++) {
    const answer = await call('GET', next);
    const page = list(answer.json);
    items.push(...page);
    lastPageEmpty = page.length === 0;
    next = /<([^>]+)>;\s*rel="next"/.exec(answer.headers.get('link') ?? '')?.[1];
    nextOnLastPage = next !== undefined;
    if (lastPageEmpty) {
      break;
    }
  }
  return { items, lastPageEmpty, nextOnLastPage };
}

describe('rate limits, faults and the rest of the plumbing', () => {
  it('sends the rate-limit headers on every answer and 429 E0000047 when limited', async () => {
    const clock = Date.parse('2026-07-01T12:00:00.250Z');
    await start({ now: () => new Date(clock) });
    const ok = await call('GET', '/api/v1/apps');
    expect(ok.headers.get('x-rate-limit-limit')).toBe('600');
    expect(ok.headers.get('x-rate-limit-remaining')).toBe('599');
    expect(ok.headers.get('x-rate-limit-reset')).toBe(String(Math.ceil((clock + 60_000) / 1000)));
    fake.rateLimit({ pathPrefix: '/api/v1/apps', times: 1, resetInSeconds: 30 });
    const limited = await call('GET', '/api/v1/apps');
    expect(limited.status).toBe(429);
    expect(limited.json).toEqual(
      oktaError('E0000047', 'API call exceeded rate limit due to too many requests.', []),
    );
    expect(limited.headers.get('x-rate-limit-remaining')).toBe('0');
    expect(limited.headers.get('x-rate-limit-reset')).toBe(String(Math.ceil(clock / 1000) + 30));
    expect((await call('GET', '/api/v1/users/me')).status).toBe(200);
    expect((await call('GET', '/api/v1/apps')).status).toBe(200);
  });

  it('injects failures and socket resets', async () => {
    fake.failNext({ pathPrefix: '/api/v1/apps', status: 503 });
    const failed = await call('GET', '/api/v1/apps');
    expect(failed.status).toBe(503);
    expect(obj(failed.json).errorCode).toBe('E0000010');
    fake.failNext({ method: 'GET', reset: true });
    await expect(call('GET', '/api/v1/users/me')).rejects.toThrow();
    expect((await call('GET', '/api/v1/users/me')).status).toBe(200);
  });

  it('answers unknown paths 404, missing methods 405 and unmodelled operations 501, recording them', async () => {
    const unknown = await call('GET', '/api/v1/nothing');
    expect(unknown.status).toBe(404);
    const method = await call('PATCH', `/api/v1/apps/${fake.ids.dbtApp}`, { body: {} });
    expect(method.status).toBe(405);
    expect(method.json).toEqual(
      oktaError('E0000022', 'The endpoint does not support the provided HTTP method', []),
    );
    expect(fake.specProblems).toHaveLength(2);
    const unmodelled = await call('GET', '/api/v1/authorizationServers');
    expect(unmodelled.status).toBe(501);
    expect(fake.unmodelled).toEqual(['GET /api/v1/authorizationServers']);
    const query = await call('GET', '/api/v1/apps?search=x');
    expect(query.status).toBe(400);
    expect(fake.specProblems.at(-1)).toBe(
      'GET /api/v1/apps: query parameter "search" is not declared',
    );
  });

  it('lets an extra handler take requests on the same origin', async () => {
    await start({
      extraHandler: (req, res, raw) => {
        if (req.url !== '/oauth2/v1/token') {
          return Promise.resolve(false);
        }
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ got: raw }));
        return Promise.resolve(true);
      },
    });
    const token = await call('POST', '/oauth2/v1/token', { auth: null, raw: 'grant_type=x' });
    expect(token.json).toEqual({ got: 'grant_type=x' });
    expect(fake.requests).toEqual([]);
    expect((await call('GET', '/api/v1/users/me')).status).toBe(200);
  });

  it('parses and evaluates the search subset', () => {
    const expr = parseOktaExpression('(a eq "X" or b sw "pre") and c.d pr');
    expect(typeof expr).not.toBe('string');
    if (typeof expr !== 'string') {
      expect(evaluateOktaExpression(expr, { a: 'x', c: { d: 1 } }, true)).toBe(true);
      expect(evaluateOktaExpression(expr, { a: 'x', c: { d: 1 } }, false)).toBe(false);
      expect(evaluateOktaExpression(expr, { b: 'prefix', c: [{ d: null }, { d: 2 }] }, false)).toBe(
        true,
      );
    }
    expect(parseOktaExpression('a eq x')).toBe('values must be quoted: x');
    expect(parseOktaExpression('(a eq "x"')).toBe('missing ")"');
  });
});
