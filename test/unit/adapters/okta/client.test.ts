/**
 * The Okta adapter (`createOktaPort`) against a loopback stub: what each port method sends (method,
 * path, query, body, Authorization) and how it maps the answer; pagination; SSWS and Bearer; the raw
 * paths (username template, app user schema); retries, cancellation, redirection attempts; secrets.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import oktaSdk, { type UserSchema } from '@okta/okta-sdk-nodejs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOktaPort } from '../../../../electron/adapters/okta/client.js';
import { EMAIL_USERNAME_TEMPLATE, LICENSE_TYPES } from '../../../../electron/core/okta/ports.js';
import { tempDir } from '../../../helpers/temp.js';
import { SSWS_TOKEN, StubOkta, caught, link, okta, startHarness, type Harness } from './stub.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await h.close();
});

const ME = {
  id: '00uAdmin1',
  status: 'ACTIVE',
  profile: { login: 'admin@acme.com', email: 'admin@acme.com', firstName: 'Ada' },
};

/** A custom SAML app as Okta answers for it, with fields no SDK model knows. */
const RICH_APP = {
  id: '0oaSaml1',
  name: 'acme_dbtcloud_1',
  label: 'dbt Cloud',
  status: 'ACTIVE',
  signOnMode: 'SAML_2_0',
  created: '2026-01-01T00:00:00.000Z',
  lastUpdated: '2026-11-01T08:00:00.000Z',
  accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
  visibility: {
    autoSubmitToolbar: false,
    hide: { iOS: false, web: false },
    appLinks: { acme_dbtcloud_1_link: true },
  },
  features: ['IMPORT_NEW_USERS'],
  licensing: { seatCount: 0 },
  credentials: {
    userNameTemplate: { template: '${source.login}', type: 'BUILT_IN', pushStatus: 'DONT_PUSH' },
    signing: { kid: 'kidAbc123' },
  },
  settings: {
    app: {},
    notifications: { vpn: { network: { connection: 'DISABLED' }, message: null, helpUrl: null } },
    manualProvisioning: false,
    implicitAssignment: false,
    signOn: {
      defaultRelayState: '',
      ssoAcsUrl: 'https://cloud.getdbt.com/complete/okta',
      idpIssuer: 'http://www.okta.com/${org.externalKey}',
      audience: 'https://cloud.getdbt.com/',
      subjectNameIdTemplate: '${user.userName}',
      subjectNameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      responseSigned: true,
      assertionSigned: true,
      signatureAlgorithm: 'RSA_SHA256',
      digestAlgorithm: 'SHA256',
      attributeStatements: [
        { type: 'EXPRESSION', name: 'email', namespace: 'unspecified', values: ['user.email'] },
      ],
      inlineHooks: [],
      futureSetting: { nested: [1, 2, { deep: true }], empty: null },
    },
  },
  profile: { customNote: 'kept' },
  someFutureTopLevel: { x: null },
  _links: { self: { href: 'https://acme.okta.com/api/v1/apps/0oaSaml1' } },
};

const LICENSE_SCHEMA_BODY = {
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
          externalNamespace: 'urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User',
          enum: LICENSE_TYPES.map((l) => l.value),
          oneOf: LICENSE_TYPES.map((l) => ({ const: l.value, title: l.title })),
          scope: 'SELF',
          required: false,
        },
      },
    },
  },
};

const app = (id: string, label: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: `acme_${id}`,
  label,
  status: 'ACTIVE',
  signOnMode: 'SAML_2_0',
  features: [],
  lastUpdated: '2026-11-01T08:00:00.000Z',
  credentials: { userNameTemplate: { template: '${source.email}', type: 'BUILT_IN' } },
  ...extra,
});

// ---------------------------------------------------------------------------------------------

describe('who, roles and credentials', () => {
  it('whoAmI reads /api/v1/users/me with the SSWS token', async () => {
    h.stub.on('GET /api/v1/users/me', { json: ME });
    await expect(h.port.whoAmI()).resolves.toEqual({
      kind: 'user',
      id: '00uAdmin1',
      login: 'admin@acme.com',
    });
    const [seen] = h.stub.hits('GET /api/v1/users/me');
    expect(seen?.headers.authorization).toBe(`SSWS ${SSWS_TOKEN}`);
    expect(seen?.headers.accept).toBe('application/json');
    // Nothing of the SDK's own default headers reaches the wire.
    expect(seen?.headers['user-agent'] ?? '').not.toContain('okta-sdk');
  });

  it('a service app (Bearer with clientId) is the client, without a call', async () => {
    const port = h.portWith({
      kind: 'bearer',
      clientId: '0oaService1',
      getToken: () => Promise.resolve('eyJservice.token.value'),
    });
    await expect(port.whoAmI()).resolves.toEqual({ kind: 'client', clientId: '0oaService1' });
    expect(h.stub.seen).toHaveLength(0);
  });

  it('Bearer asks getToken for every request, so a renewed token is used', async () => {
    const tokens = ['bearerTokenNumberOne_abcdefghijkl', 'bearerTokenNumberTwo_abcdefghijkl'];
    let calls = 0;
    const port = h.portWith({
      kind: 'bearer',
      getToken: () => Promise.resolve(tokens[calls++] ?? 'none'),
    });
    h.stub.on('GET /api/v1/users/me', { json: ME });
    h.stub.on('GET /api/v1/apps/0oa1', { json: app('0oa1', 'dbt') });
    await port.whoAmI();
    await port.getApp('0oa1');
    expect(calls).toBe(2);
    expect(h.stub.seen.map((s) => s.headers.authorization)).toEqual([
      `Bearer ${tokens[0] ?? ''}`,
      `Bearer ${tokens[1] ?? ''}`,
    ]);
  });

  it('a failing getToken is auth_failed and sends nothing', async () => {
    const port = h.portWith({
      kind: 'bearer',
      getToken: () => Promise.reject(new Error('refresh token expired')),
    });
    const e = await caught(() => port.getApp('0oa1'));
    expect(e.code).toBe('auth_failed');
    expect(h.stub.seen).toHaveLength(0);
  });

  it('listRoles: a user’s roles, a client’s roles, and undefined on 403', async () => {
    h.stub.on('GET /api/v1/users/00uAdmin1/roles', {
      json: [
        { id: 'ra1', type: 'SUPER_ADMIN', label: 'Super Administrator', status: 'ACTIVE' },
        { id: 'ra2', type: 'CUSTOM', label: 'dbt helpers', role: 'cr0abc' },
      ],
    });
    h.stub.on('GET /oauth2/v1/clients/0oaService1/roles', {
      json: [{ id: 'ra3', type: 'ORG_ADMIN', label: 'Organization Administrator' }],
    });
    await expect(
      h.port.listRoles({ kind: 'user', id: '00uAdmin1', login: 'admin@acme.com' }),
    ).resolves.toEqual([
      { id: 'ra1', type: 'SUPER_ADMIN', label: 'Super Administrator' },
      { id: 'ra2', type: 'CUSTOM', label: 'dbt helpers' },
    ]);
    await expect(h.port.listRoles({ kind: 'client', clientId: '0oaService1' })).resolves.toEqual([
      { id: 'ra3', type: 'ORG_ADMIN', label: 'Organization Administrator' },
    ]);

    h.stub.on('GET /api/v1/users/00uAdmin1/roles', {
      status: 403,
      json: okta('E0000006', 'You do not have permission to perform the requested action'),
    });
    await expect(
      h.port.listRoles({ kind: 'user', id: '00uAdmin1', login: 'admin@acme.com' }),
    ).resolves.toBeUndefined();
  });

  it('listRoles still fails on a refused token (401 is not "cannot tell")', async () => {
    h.stub.on('GET /api/v1/users/00uAdmin1/roles', {
      status: 401,
      json: okta('E0000011', 'Invalid token provided'),
    });
    const e = await caught(() =>
      h.port.listRoles({ kind: 'user', id: '00uAdmin1', login: 'admin@acme.com' }),
    );
    expect(e.code).toBe('auth_failed');
  });
});

// ---------------------------------------------------------------------------------------------

describe('apps', () => {
  it('listApps sends q and follows Link rel="next" through every page', async () => {
    h.stub.on('GET /api/v1/apps', (seen, stub) =>
      seen.query.get('after') === 'page2'
        ? {
            json: [app('0oa3', 'dbt Cloud EU')],
            headers: link(stub, '/api/v1/apps?after=page2&limit=200&q=dbt'),
          }
        : {
            json: [app('0oa1', 'dbt Cloud'), app('0oa2', 'dbt Cloud (old)')],
            headers: link(
              stub,
              '/api/v1/apps?limit=200&q=dbt',
              '/api/v1/apps?after=page2&limit=200&q=dbt',
            ),
          },
    );
    const apps = await h.port.listApps(' dbt ');
    expect(apps.map((a) => a.id)).toEqual(['0oa1', '0oa2', '0oa3']);
    const pages = h.stub.hits('GET /api/v1/apps');
    expect(pages).toHaveLength(2);
    expect(pages[0]?.query.get('q')).toBe('dbt');
    expect(pages[0]?.query.get('limit')).toBe('200');
    expect(pages[1]?.query.get('after')).toBe('page2');
    expect(pages.every((p) => p.headers.authorization === `SSWS ${SSWS_TOKEN}`)).toBe(true);
  });

  it('listApps without a query sends no q', async () => {
    h.stub.on('GET /api/v1/apps', { json: [] });
    await expect(h.port.listApps('')).resolves.toEqual([]);
    expect(h.stub.hits('GET /api/v1/apps')[0]?.query.has('q')).toBe(false);
  });

  it('getApp maps the app; undefined on 404', async () => {
    h.stub.on('GET /api/v1/apps/0oaSaml1', { json: RICH_APP });
    await expect(h.port.getApp('0oaSaml1')).resolves.toEqual({
      id: '0oaSaml1',
      label: 'dbt Cloud',
      name: 'acme_dbtcloud_1',
      signOnMode: 'SAML_2_0',
      status: 'ACTIVE',
      features: ['IMPORT_NEW_USERS'],
      userNameTemplate: { template: '${source.login}', type: 'BUILT_IN' },
      lastUpdated: '2026-11-01T08:00:00.000Z',
    });
    h.stub.on('GET /api/v1/apps/0oaGone', {
      status: 404,
      json: okta('E0000007', 'Not found: Resource not found: 0oaGone (AppInstance)'),
    });
    await expect(h.port.getApp('0oaGone')).resolves.toBeUndefined();
  });

  it('reads are never served from a cache: a poll sees what changed', async () => {
    let features: string[] = [];
    // `_links.self` is what the SDK's default cache keys on.
    h.stub.on('GET /api/v1/apps/0oa1', (_seen, stub) => ({
      json: app('0oa1', 'dbt', {
        features,
        _links: { self: { href: `${stub.url}/api/v1/apps/0oa1` } },
      }),
    }));
    expect((await h.port.getApp('0oa1'))?.features).toEqual([]);
    features = ['SCIM_PROVISIONING'];
    expect((await h.port.getApp('0oa1'))?.features).toEqual(['SCIM_PROVISIONING']);
    expect(h.stub.hits('GET /api/v1/apps/0oa1')).toHaveLength(2);
  });

  it('an answer in the wrong shape is invalid_response naming where', async () => {
    h.stub.on('GET /api/v1/apps/0oa1', { json: { ...app('0oa1', 'x'), features: 'SCIM' } });
    const e = await caught(() => h.port.getApp('0oa1'));
    expect(e.code).toBe('invalid_response');
    expect(e.message).toContain('features');
    h.stub.on('GET /api/v1/apps', { json: [{ label: 'no id' }] });
    const l = await caught(() => h.port.listApps('x'));
    expect(l.code).toBe('invalid_response');
    expect(l.message).toContain('0.id');
  });

  it('a web page instead of JSON is html_response with the org URL hint', async () => {
    h.stub.on('GET /api/v1/apps/0oa1', {
      text: '<!DOCTYPE html><html><body>Sign in</body></html>',
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
    const e = await caught(() => h.port.getApp('0oa1'));
    expect(e.code).toBe('html_response');
    expect(e.remediation).toContain('org URL');
  });

  it('getDefaultConnection maps the probe; undefined on 400 and 404', async () => {
    h.stub.on('GET /api/v1/apps/0oa1/connections/default', {
      json: {
        authScheme: 'TOKEN',
        baseUrl: 'https://cloud.getdbt.com/api/scim/v2',
        profile: { authScheme: 'UNKNOWN' },
        status: 'UNKNOWN',
      },
    });
    await expect(h.port.getDefaultConnection('0oa1')).resolves.toEqual({
      status: 'UNKNOWN',
      authScheme: 'UNKNOWN',
      baseUrl: 'https://cloud.getdbt.com/api/scim/v2',
    });
    h.stub.on('GET /api/v1/apps/0oa2/connections/default', {
      status: 400,
      json: okta('E0000001', 'Api validation failed: Provisioning is not enabled'),
    });
    h.stub.on('GET /api/v1/apps/0oa3/connections/default', {
      status: 404,
      json: okta('E0000007', 'Not found'),
    });
    await expect(h.port.getDefaultConnection('0oa2')).resolves.toBeUndefined();
    await expect(h.port.getDefaultConnection('0oa3')).resolves.toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------

describe('setUserNameTemplate (raw GET → change the template only → raw PUT)', () => {
  const email = { template: EMAIL_USERNAME_TEMPLATE, type: 'BUILT_IN' };

  it('round-trips every field of the app it read', async () => {
    h.stub.on('GET /api/v1/apps/0oaSaml1', { json: RICH_APP });
    h.stub.on('PUT /api/v1/apps/0oaSaml1', (seen) => ({
      json: { ...(JSON.parse(seen.body) as object), lastUpdated: '2026-11-29T10:00:00.000Z' },
    }));
    const saved = await h.port.setUserNameTemplate('0oaSaml1', email);
    const [put] = h.stub.hits('PUT /api/v1/apps/0oaSaml1');
    expect(put?.headers.authorization).toBe(`SSWS ${SSWS_TOKEN}`);
    expect(put?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(put?.body ?? '')).toEqual({
      ...RICH_APP,
      credentials: {
        ...RICH_APP.credentials,
        userNameTemplate: {
          template: '${source.email}',
          type: 'BUILT_IN',
          pushStatus: 'DONT_PUSH',
        },
      },
    });
    expect(saved.userNameTemplate).toEqual(email);
    expect(saved.lastUpdated).toBe('2026-11-29T10:00:00.000Z');
  });

  it('refuses with conflict when SCIM provisioning is on, and sends no PUT', async () => {
    h.stub.on('GET /api/v1/apps/0oaSaml1', {
      json: { ...RICH_APP, features: ['SCIM_PROVISIONING', 'PUSH_NEW_USERS'] },
    });
    h.stub.on('PUT /api/v1/apps/0oaSaml1', { json: RICH_APP });
    const e = await caught(() => h.port.setUserNameTemplate('0oaSaml1', email));
    expect(e.code).toBe('conflict');
    expect(e.remediation).toContain('Application username format');
    expect(h.stub.hits('PUT /api/v1/apps/0oaSaml1')).toHaveLength(0);
  });

  it('sends nothing when the template is already the one asked for', async () => {
    h.stub.on('GET /api/v1/apps/0oa1', { json: app('0oa1', 'dbt') });
    const same = await h.port.setUserNameTemplate('0oa1', email);
    expect(same.userNameTemplate).toEqual(email);
    expect(h.stub.seen.map((s) => s.method)).toEqual(['GET']);
  });

  it('a missing app is not_found, not a PUT', async () => {
    const e = await caught(() => h.port.setUserNameTemplate('0oaGone', email));
    expect(e.code).toBe('not_found');
    expect(h.stub.seen.map((s) => s.method)).toEqual(['GET']);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the app user schema (raw JSON both ways)', () => {
  it('updateAppUserSchema puts enum and oneOf[].const on the wire, in order', async () => {
    h.stub.on('POST /api/v1/meta/schemas/apps/0oa1/default', (seen) => ({
      json: JSON.parse(seen.body) as unknown,
    }));
    const back = await h.port.updateAppUserSchema('0oa1', LICENSE_SCHEMA_BODY);
    const [post] = h.stub.hits('POST /api/v1/meta/schemas/apps/0oa1/default');
    const wire = JSON.parse(post?.body ?? '') as typeof LICENSE_SCHEMA_BODY;
    const prop = wire.definitions.custom.properties.licenseType;
    expect(prop.enum).toEqual(['it', 'analyst', 'developer', 'read_only']);
    expect(prop.oneOf).toEqual([
      { const: 'it', title: 'IT' },
      { const: 'analyst', title: 'Analyst' },
      { const: 'developer', title: 'Developer' },
      { const: 'read_only', title: 'Read Only' },
    ]);
    expect(post?.body).not.toContain('_enum');
    expect(post?.body).not.toContain('_const');
    expect(wire).toEqual(LICENSE_SCHEMA_BODY);
    expect(back).toEqual(LICENSE_SCHEMA_BODY);
  });

  it('getAppUserSchema returns the JSON as Okta sent it (enum, const, unknown keywords)', async () => {
    const schema = {
      id: 'https://acme.okta.com/meta/schemas/apps/0oa1/default',
      $schema: 'http://json-schema.org/draft-04/schema#',
      definitions: {
        base: { id: '#base', properties: { userName: { type: 'string', required: true } } },
        custom: {
          id: '#custom',
          properties: {
            licenseType: {
              ...LICENSE_SCHEMA_BODY.definitions.custom.properties.licenseType,
              master: { type: 'PROFILE_MASTER' },
              mutability: 'READ_WRITE',
              someFutureKeyword: [1, { a: null }],
            },
          },
        },
      },
    };
    h.stub.on('GET /api/v1/meta/schemas/apps/0oa1/default', { json: schema });
    await expect(h.port.getAppUserSchema('0oa1')).resolves.toEqual(schema);
  });

  it('a schema answer that is not an object is invalid_response', async () => {
    h.stub.on('GET /api/v1/meta/schemas/apps/0oa1/default', { json: ['not', 'an', 'object'] });
    const e = await caught(() => h.port.getAppUserSchema('0oa1'));
    expect(e.code).toBe('invalid_response');
  });
});

/**
 * Why the adapter does not use the SDK for these calls: what SDK 8.1.0 itself does. Nothing is sent:
 * the SDK's API classes get an HTTP library that records and answers locally. If an SDK upgrade fixes
 * one of these, its test fails, and the raw path can be reconsidered.
 */
describe('SDK 8.1.0 behaviour the raw paths avoid', () => {
  function offlineSdk(answer: string) {
    const bodies: string[] = [];
    const configuration = oktaSdk.createConfiguration({
      baseServer: new oktaSdk.ServerConfiguration('https://acme.okta.com', {}),
      httpApi: oktaSdk.wrapHttpLibrary({
        send: (request) => {
          const body = request.getBody();
          bodies.push(typeof body === 'string' ? body : '');
          return Promise.resolve(
            new oktaSdk.ResponseContext(
              200,
              { 'content-type': 'application/json' },
              {
                text: () => Promise.resolve(answer),
                binary: () => Promise.resolve(Buffer.from(answer)),
              },
            ),
          );
        },
      }),
    });
    return {
      bodies,
      sdk: {
        schemaApi: new oktaSdk.SchemaApi(configuration),
        applicationApi: new oktaSdk.ApplicationApi(configuration),
        groupApi: new oktaSdk.GroupApi(configuration),
      },
    };
  }

  it('a plain schema body loses enum and oneOf[].const in the SDK serializer', async () => {
    const { sdk, bodies } = offlineSdk('{}');
    await sdk.schemaApi.updateApplicationUserProfile({
      appInstanceId: '0oa1',
      body: LICENSE_SCHEMA_BODY as unknown as UserSchema,
    });
    const sent = JSON.parse(bodies[0] ?? '') as typeof LICENSE_SCHEMA_BODY;
    const prop: Record<string, unknown> = sent.definitions.custom.properties.licenseType;
    expect(prop.enum).toBeUndefined();
    expect(prop.oneOf).toEqual(LICENSE_TYPES.map((l) => ({ title: l.title })));
  });

  it('the SDK decodes a read schema’s enum values as objects of characters', async () => {
    const { sdk } = offlineSdk(JSON.stringify(LICENSE_SCHEMA_BODY));
    const read = await sdk.schemaApi.getApplicationUserSchema({ appInstanceId: '0oa1' });
    const prop = read.definitions?.custom?.properties?.licenseType as Record<string, unknown>;
    expect(prop.enum).toBeUndefined();
    const decoded = prop._enum as unknown[];
    expect(decoded).toHaveLength(4);
    expect(decoded[0]).toEqual({ '0': 'i', '1': 't' });
  });

  it('a full replace through the SDK model drops fields it does not know', async () => {
    const { sdk, bodies } = offlineSdk(JSON.stringify(RICH_APP));
    const read = await sdk.applicationApi.getApplication({ appId: '0oaSaml1' });
    await sdk.applicationApi.replaceApplication({ appId: '0oaSaml1', application: read });
    const sent = JSON.parse(bodies[1] ?? '') as Record<string, unknown>;
    expect(sent.someFutureTopLevel).toBeUndefined();
    expect(JSON.stringify(sent)).not.toContain('futureSetting');
  });

  it('the SDK’s Group model drops an APP_GROUP’s source', async () => {
    const { sdk } = offlineSdk(
      JSON.stringify([
        { id: '00g1', type: 'APP_GROUP', profile: { name: 'x' }, source: { id: '0oa1' } },
      ]),
    );
    const groups = await sdk.groupApi.listGroups({});
    const first = (await groups.next()).value as unknown as Record<string, unknown>;
    expect(first.source).toBeUndefined();
  });
});

// ---------------------------------------------------------------------------------------------

describe('groups and group push', () => {
  it('listGroups searches by name prefix and maps the source app', async () => {
    h.stub.on('GET /api/v1/groups', {
      json: [
        { id: '00g1', type: 'OKTA_GROUP', profile: { name: 'dbt developers' } },
        {
          id: '00g2',
          type: 'APP_GROUP',
          profile: { name: 'dbt "analysts"' },
          _links: { source: { href: 'https://acme.okta.com/api/v1/apps/0oaSaml1' } },
        },
        { id: '00g3', type: 'APP_GROUP', profile: { name: 'dbt it' }, source: { id: '0oaOther' } },
      ],
    });
    await expect(h.port.listGroups('dbt "x')).resolves.toEqual([
      { id: '00g1', name: 'dbt developers', type: 'OKTA_GROUP', sourceId: null },
      { id: '00g2', name: 'dbt "analysts"', type: 'APP_GROUP', sourceId: '0oaSaml1' },
      { id: '00g3', name: 'dbt it', type: 'APP_GROUP', sourceId: '0oaOther' },
    ]);
    const [seen] = h.stub.hits('GET /api/v1/groups');
    expect(seen?.query.get('search')).toBe('profile.name sw "dbt \\"x"');
    expect(seen?.query.get('limit')).toBe('200');
    expect(seen?.query.has('q')).toBe(false);
  });

  it('listAppGroups searches source.id and pages', async () => {
    h.stub.on('GET /api/v1/groups', (seen, stub) =>
      seen.query.get('after') === 'g2'
        ? { json: [{ id: '00g2', type: 'APP_GROUP', profile: { name: 'b' } }] }
        : {
            json: [{ id: '00g1', type: 'APP_GROUP', profile: { name: 'a' } }],
            headers: link(
              stub,
              '/api/v1/groups',
              `/api/v1/groups?after=g2&search=${encodeURIComponent('source.id eq "0oaSaml1"')}`,
            ),
          },
    );
    await expect(h.port.listAppGroups('0oaSaml1')).resolves.toEqual([
      { id: '00g1', name: 'a', type: 'APP_GROUP', sourceId: '0oaSaml1' },
      { id: '00g2', name: 'b', type: 'APP_GROUP', sourceId: '0oaSaml1' },
    ]);
    const pages = h.stub.hits('GET /api/v1/groups');
    expect(pages[0]?.query.get('search')).toBe('source.id eq "0oaSaml1"');
    expect(pages).toHaveLength(2);
  });

  it('lists and creates group push mappings', async () => {
    const mapping = {
      id: 'gpm1',
      sourceGroupId: '00g1',
      targetGroupId: '123',
      status: 'ERROR',
      errorSummary: 'Failed to push: group exists',
      lastPush: '2026-11-28T09:00:00.000Z',
      created: '2026-11-28T08:00:00.000Z',
    };
    h.stub.on('GET /api/v1/apps/0oa1/group-push/mappings', { json: [mapping] });
    await expect(h.port.listGroupPushMappings('0oa1')).resolves.toEqual([
      {
        id: 'gpm1',
        sourceGroupId: '00g1',
        targetGroupId: '123',
        status: 'ERROR',
        errorSummary: 'Failed to push: group exists',
        lastPush: '2026-11-28T09:00:00.000Z',
      },
    ]);
    expect(h.stub.hits('GET /api/v1/apps/0oa1/group-push/mappings')[0]?.query.get('limit')).toBe(
      '1000',
    );

    h.stub.on('POST /api/v1/apps/0oa1/group-push/mappings', (seen) => {
      const body = JSON.parse(seen.body) as Record<string, unknown>;
      return {
        status: 201,
        json: { id: 'gpm2', targetGroupId: null, errorSummary: null, lastPush: null, ...body },
      };
    });
    await expect(
      h.port.createGroupPushMapping('0oa1', { sourceGroupId: '00g1', targetGroupName: 'dbt devs' }),
    ).resolves.toMatchObject({ id: 'gpm2', sourceGroupId: '00g1', status: 'ACTIVE' });
    await h.port.createGroupPushMapping('0oa1', { sourceGroupId: '00g2', targetGroupId: '00gT' });
    const bodies = h.stub
      .hits('POST /api/v1/apps/0oa1/group-push/mappings')
      .map((s) => JSON.parse(s.body) as unknown);
    expect(bodies).toEqual([
      { sourceGroupId: '00g1', status: 'ACTIVE', targetGroupName: 'dbt devs' },
      { sourceGroupId: '00g2', status: 'ACTIVE', targetGroupId: '00gT' },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('users and assignments', () => {
  it('searchUsers sends the search expression; getUser by login, undefined on 404', async () => {
    h.stub.on('GET /api/v1/users', {
      json: [{ id: '00u1', status: 'ACTIVE', profile: { login: 'a@b.com', email: 'a@b.com' } }],
    });
    await expect(h.port.searchUsers('profile.email eq "a@b.com"')).resolves.toEqual([
      { id: '00u1', login: 'a@b.com', email: 'a@b.com', status: 'ACTIVE' },
    ]);
    expect(h.stub.hits('GET /api/v1/users')[0]?.query.get('search')).toBe(
      'profile.email eq "a@b.com"',
    );

    h.stub.on('GET /api/v1/users/a.b%2Bc%40acme.com', {
      json: { id: '00u2', status: 'STAGED', profile: { login: 'a.b+c@acme.com', email: null } },
    });
    await expect(h.port.getUser('a.b+c@acme.com')).resolves.toEqual({
      id: '00u2',
      login: 'a.b+c@acme.com',
      email: null,
      status: 'STAGED',
    });
    // The login is one percent-encoded path segment.
    expect(h.stub.seen.at(-1)?.path).toBe('/api/v1/users/a.b%2Bc%40acme.com');
    await expect(h.port.getUser('nobody@acme.com')).resolves.toBeUndefined();
  });

  const appUser = (id: string, extra: Record<string, unknown> = {}) => ({
    id,
    scope: 'USER',
    status: 'PROVISIONED',
    syncState: 'SYNCHRONIZED',
    credentials: { userName: `${id}@acme.com` },
    profile: { licenseType: 'developer', email: `${id}@acme.com` },
    ...extra,
  });

  it('listAppUsers pages and maps; getAppUser undefined on 404', async () => {
    h.stub.on('GET /api/v1/apps/0oa1/users', (seen, stub) =>
      seen.query.get('after') === 'u2'
        ? { json: [appUser('00u2', { syncState: 'ERROR', profile: {} })] }
        : {
            json: [appUser('00u1')],
            headers: link(
              stub,
              '/api/v1/apps/0oa1/users',
              '/api/v1/apps/0oa1/users?after=u2&limit=500',
            ),
          },
    );
    await expect(h.port.listAppUsers('0oa1')).resolves.toEqual([
      {
        id: '00u1',
        scope: 'USER',
        status: 'PROVISIONED',
        syncState: 'SYNCHRONIZED',
        userName: '00u1@acme.com',
        licenseType: 'developer',
      },
      {
        id: '00u2',
        scope: 'USER',
        status: 'PROVISIONED',
        syncState: 'ERROR',
        userName: '00u2@acme.com',
        licenseType: null,
      },
    ]);
    expect(h.stub.hits('GET /api/v1/apps/0oa1/users')[0]?.query.get('limit')).toBe('500');
    await expect(h.port.getAppUser('0oa1', '00u9')).resolves.toBeUndefined();
  });

  it('assignUser assigns a new user directly (scope USER) with the profile', async () => {
    h.stub.on('POST /api/v1/apps/0oa1/users', (seen) => {
      const body = JSON.parse(seen.body) as { id: string; profile: Record<string, string> };
      return { json: appUser(body.id, { profile: body.profile }) };
    });
    const saved = await h.port.assignUser('0oa1', '00u1', { licenseType: 'analyst' });
    expect(saved).toMatchObject({ id: '00u1', scope: 'USER', licenseType: 'analyst' });
    expect(h.stub.seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'GET /api/v1/apps/0oa1/users/00u1',
      'POST /api/v1/apps/0oa1/users',
    ]);
    expect(JSON.parse(h.stub.seen[1]?.body ?? '')).toEqual({
      id: '00u1',
      scope: 'USER',
      profile: { licenseType: 'analyst' },
    });
  });

  it('assignUser updates the profile of a user already assigned', async () => {
    h.stub.on('GET /api/v1/apps/0oa1/users/00u1', { json: appUser('00u1', { scope: 'GROUP' }) });
    h.stub.on('POST /api/v1/apps/0oa1/users/00u1', (seen) => {
      const body = JSON.parse(seen.body) as { profile: Record<string, string> };
      return { json: appUser('00u1', { scope: 'GROUP', profile: body.profile }) };
    });
    const saved = await h.port.assignUser('0oa1', '00u1', { licenseType: 'it' });
    expect(saved).toMatchObject({ scope: 'GROUP', licenseType: 'it' });
    expect(h.stub.hits('POST /api/v1/apps/0oa1/users')).toHaveLength(0);
    expect(JSON.parse(h.stub.hits('POST /api/v1/apps/0oa1/users/00u1')[0]?.body ?? '')).toEqual({
      profile: { licenseType: 'it' },
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('System Log', () => {
  const event = (n: number) => ({
    uuid: `ev${n}`,
    eventType: 'application.provision.user.push',
    published: `2026-11-29T09:0${n}:00.000Z`,
    displayMessage: 'Push user to app',
    outcome: { result: n === 2 ? 'FAILURE' : 'SUCCESS', reason: n === 2 ? 'Bad token' : null },
    target: [{ id: '0oa1', type: 'AppInstance' }],
  });

  it('builds the filter, sorts ascending and stops at the limit', async () => {
    h.stub.on('GET /api/v1/logs', (seen, stub) => {
      const after = seen.query.get('after');
      if (after === 'p3') {
        return { json: [event(5)] };
      }
      return after === 'p2'
        ? {
            json: [event(3), event(4)],
            headers: link(stub, '/api/v1/logs', '/api/v1/logs?after=p3'),
          }
        : {
            json: [event(1), event(2)],
            headers: link(stub, '/api/v1/logs', '/api/v1/logs?after=p2'),
          };
    });
    const events = await h.port.listAppLogEvents('0oa1', '2026-11-29T09:00:00.000Z', {
      eventTypes: [
        'application.provision.user.push',
        'application.integration.authentication_failure',
      ],
      limit: 3,
    });
    expect(events.map((e) => e.uuid)).toEqual(['ev1', 'ev2', 'ev3']);
    expect(events[1]).toEqual({
      uuid: 'ev2',
      eventType: 'application.provision.user.push',
      published: '2026-11-29T09:02:00.000Z',
      displayMessage: 'Push user to app',
      outcome: 'FAILURE',
      reason: 'Bad token',
    });
    const pages = h.stub.hits('GET /api/v1/logs');
    // Page 3 was never asked for: the limit was reached with page 2.
    expect(pages.map((p) => p.query.get('after'))).toEqual([null, 'p2']);
    const first = pages[0]?.query;
    expect(first?.get('filter')).toBe(
      'target.id eq "0oa1" and (eventType eq "application.provision.user.push" or eventType eq "application.integration.authentication_failure")',
    );
    expect(first?.get('sortOrder')).toBe('ASCENDING');
    expect(first?.get('since')).toBe('2026-11-29T09:00:00.000Z');
    expect(first?.get('limit')).toBe('3');
  });

  it('without event types the filter names the app only; an empty page ends a polling query', async () => {
    h.stub.on('GET /api/v1/logs', (seen, stub) =>
      seen.query.get('after') === 'p2'
        ? { json: [], headers: link(stub, '/api/v1/logs', '/api/v1/logs?after=p3') }
        : { json: [event(1)], headers: link(stub, '/api/v1/logs', '/api/v1/logs?after=p2') },
    );
    const events = await h.port.listAppLogEvents('0oa1', '2026-11-29T09:00:00.000Z');
    expect(events.map((e) => e.uuid)).toEqual(['ev1']);
    const pages = h.stub.hits('GET /api/v1/logs');
    expect(pages).toHaveLength(2);
    expect(pages[0]?.query.get('filter')).toBe('target.id eq "0oa1"');
    expect(pages[0]?.query.get('limit')).toBe('1000');
  });
});

// ---------------------------------------------------------------------------------------------

describe('the wire: retries, cancellation, hosts', () => {
  const rateLimited = (resetInS: number) => ({
    status: 429,
    json: okta('E0000047', 'API call exceeded rate limit due to too many requests.'),
    headers: {
      'x-rate-limit-limit': '600',
      'x-rate-limit-remaining': '0',
      'x-rate-limit-reset': String(Math.floor(h.client.clock.now().getTime() / 1000) + resetInS),
    },
  });

  it('retries a 429 after X-Rate-Limit-Reset (on the fake clock)', async () => {
    let n = 0;
    h.stub.on('GET /api/v1/apps/0oa1', () =>
      ++n === 1 ? rateLimited(30) : { json: app('0oa1', 'dbt') },
    );
    await expect(h.port.getApp('0oa1')).resolves.toMatchObject({ id: '0oa1' });
    expect(h.client.clock.sleeps).toEqual([30_000]);
    expect(h.stub.hits('GET /api/v1/apps/0oa1')).toHaveLength(2);
  });

  it('a 429 that persists is rate_limited and says when the limit resets', async () => {
    h.stub.on('GET /api/v1/apps/0oa1', () => rateLimited(10));
    const e = await caught(() => h.port.getApp('0oa1'));
    expect(e.code).toBe('rate_limited');
    expect(e.retryable).toBe(true);
    expect(h.stub.hits('GET /api/v1/apps/0oa1')).toHaveLength(4);
    expect(e.message).toMatch(/resets at \d{4}-\d\d-\d\dT[\d:.]+Z \(in about 10 s\)/);
    expect(e.message).toContain('E0000047');
  });

  it('concurrent calls keep their answers apart', async () => {
    h.stub.on('GET /api/v1/apps/0oa1', { json: app('0oa1', 'one') });
    h.stub.on('GET /api/v1/apps', { json: [app('0oa2', 'two'), app('0oa3', 'three')] });
    h.stub.on('GET /api/v1/users/me', { json: ME });
    const [one, list, me] = await Promise.all([
      h.port.getApp('0oa1'),
      h.port.listApps('t'),
      h.port.whoAmI(),
    ]);
    expect(one?.label).toBe('one');
    expect(list.map((a) => a.label)).toEqual(['two', 'three']);
    expect(me).toMatchObject({ id: '00uAdmin1' });
  });

  it('the caller’s AbortSignal cancels a request in flight', async () => {
    h.stub.on('GET /api/v1/apps/0oa1', { hang: true });
    const controller = new AbortController();
    const arrived = h.stub.nextRequest();
    const pending = caught(() => h.port.getApp('0oa1', controller.signal));
    await arrived;
    controller.abort();
    const e = await pending;
    expect(e.code).toBe('cancelled');
  });

  it('an aborted signal sends nothing (SDK and raw paths)', async () => {
    const controller = new AbortController();
    controller.abort();
    expect((await caught(() => h.port.listApps('dbt', controller.signal))).code).toBe('cancelled');
    expect((await caught(() => h.port.getAppUserSchema('0oa1', controller.signal))).code).toBe(
      'cancelled',
    );
    expect(h.stub.seen).toHaveLength(0);
  });

  it('a next link to another host is refused and the token stays home', async () => {
    const decoy = await new StubOkta().start();
    try {
      decoy.on('GET /api/v1/apps', { json: [] });
      h.stub.on('GET /api/v1/apps', {
        json: [app('0oa1', 'dbt')],
        headers: link(h.stub, '/api/v1/apps', `${decoy.url}/api/v1/apps?after=x`),
      });
      const e = await caught(() => h.port.listApps('dbt'));
      expect(e.code).toBe('invalid_response');
      expect(e.message).toContain('another host');
      expect(decoy.seen).toHaveLength(0);
    } finally {
      await decoy.close();
    }
  });

  /** Runs `fn` with HOME, the working directory and OKTA_CLIENT_* set up, then restores them. */
  async function inOktaEnvironment(
    files: { home?: string; cwd?: string },
    env: Record<string, string>,
    fn: () => Promise<void>,
  ): Promise<void> {
    const home = await tempDir('okta-home-');
    const cwd = await tempDir('okta-cwd-');
    const saved = { ...process.env };
    const savedCwd = process.cwd();
    try {
      if (files.home !== undefined) {
        await mkdir(join(home.dir, '.okta'));
        await writeFile(join(home.dir, '.okta', 'okta.yaml'), files.home);
      }
      if (files.cwd !== undefined) {
        await writeFile(join(cwd.dir, 'okta.yaml'), files.cwd);
      }
      process.env.HOME = home.dir;
      Object.assign(process.env, env);
      process.chdir(cwd.dir);
      await fn();
    } finally {
      process.chdir(savedCwd);
      for (const key of Object.keys(process.env)) {
        if (!(key in saved)) {
          Reflect.deleteProperty(process.env, key);
        }
      }
      Object.assign(process.env, saved);
      await home.cleanup();
      await cwd.cleanup();
    }
  }

  it('OKTA_CLIENT_* variables and okta.yaml files cannot redirect requests or change the token', async () => {
    const decoy = await new StubOkta().start();
    const yaml = (token: string) =>
      [
        'okta:',
        '  client:',
        `    orgUrl: "${decoy.url}"`,
        `    token: "${token}"`,
        '    authorizationMode: "SSWS"',
        '    userAgent: "yaml-agent"',
        '',
      ].join('\n');
    try {
      decoy.on('GET /api/v1/users/me', { json: ME });
      h.stub.on('GET /api/v1/users/me', { json: ME });
      await inOktaEnvironment(
        {
          home: yaml('yamlHomeToken_abcdefghijklmnop'),
          cwd: yaml('yamlCwdToken_abcdefghijklmnopq'),
        },
        {
          OKTA_CLIENT_ORGURL: decoy.url,
          OKTA_CLIENT_TOKEN: 'envToken_abcdefghijklmnopqrstu',
          OKTA_CLIENT_AUTHORIZATIONMODE: 'PrivateKey',
          HTTPS_PROXY: decoy.url,
        },
        async () => {
          const port = createOktaPort({
            http: h.client.http,
            orgUrl: h.stub.url,
            auth: { kind: 'ssws', token: SSWS_TOKEN },
          });
          await expect(port.whoAmI()).resolves.toMatchObject({ kind: 'user', id: '00uAdmin1' });
        },
      );
      expect(decoy.seen).toHaveLength(0);
      const [seen] = h.stub.hits('GET /api/v1/users/me');
      expect(seen?.headers.authorization).toBe(`SSWS ${SSWS_TOKEN}`);
      expect(seen?.headers['user-agent'] ?? '').not.toContain('yaml-agent');
    } finally {
      await decoy.close();
    }
  });

  it('an empty or malformed okta.yaml (which breaks the SDK’s Client) does not matter', async () => {
    h.stub.on('GET /api/v1/users/me', { json: ME });
    await inOktaEnvironment({ home: 'okta: [unclosed', cwd: '' }, {}, async () => {
      // What the adapter avoids: the SDK's Client reads these files in its constructor and throws.
      expect(
        () => new oktaSdk.Client({ orgUrl: h.stub.url, token: 'unused', cacheMiddleware: null }),
      ).toThrow();
      await expect(h.port.whoAmI()).resolves.toMatchObject({ kind: 'user' });
    });
  });
});

// ---------------------------------------------------------------------------------------------

describe('secrets', () => {
  it('a planted token never appears in a thrown error, even when Okta echoes it', async () => {
    const bearerToken = 'plantedBearerToken_0123456789abcdefghij';
    const bearer = h.portWith({ kind: 'bearer', getToken: () => Promise.resolve(bearerToken) });
    h.stub.on('GET /api/v1/apps/e401', {
      status: 401,
      json: okta('E0000011', `Invalid token provided: SSWS ${SSWS_TOKEN} / ${bearerToken}`),
    });
    h.stub.on('GET /api/v1/apps/e400', {
      status: 400,
      json: okta('E0000001', 'Api validation failed: credentials', {
        causes: [`token: ${SSWS_TOKEN}`, `bearer: ${bearerToken}`],
      }),
    });
    h.stub.on('GET /api/v1/apps/e403', {
      status: 403,
      json: okta('E0000006', `denied for ${SSWS_TOKEN}`),
      headers: {
        'www-authenticate': `Bearer error="insufficient_scope", scope="okta.apps.read", token="${bearerToken}"`,
      },
    });
    h.stub.on('GET /api/v1/apps/e500', {
      status: 500,
      text: `internal error ${SSWS_TOKEN} ${bearerToken}`,
      headers: { 'content-type': 'text/plain' },
    });
    h.stub.on('GET /api/v1/apps/html', {
      text: `<html>${SSWS_TOKEN} ${bearerToken}</html>`,
      headers: { 'content-type': 'text/html' },
    });
    // Each port must keep its own token out of what it throws (a token it never held is not its
    // secret to know, though the SSWS one is registered from the start).
    const errors = [];
    const ownToken: string[] = [];
    for (const [port, token] of [
      [h.port, SSWS_TOKEN],
      [bearer, bearerToken],
    ] as const) {
      for (const id of ['e401', 'e400', 'e403', 'e500', 'html']) {
        errors.push(await caught(() => port.getApp(id)));
        ownToken.push(token);
      }
    }
    expect(errors.map((e) => e.code)).toEqual([
      'auth_failed',
      'bad_input',
      'permission_denied',
      'server_error',
      'html_response',
      'auth_failed',
      'bad_input',
      'permission_denied',
      'server_error',
      'html_response',
    ]);
    errors.forEach((e, i) => {
      const shown = `${e.message} ${e.remediation} ${JSON.stringify(e.toInfo())}`;
      expect(shown).not.toContain(ownToken[i]);
      expect(shown).not.toContain(SSWS_TOKEN);
    });
    // The 401 still says what happened, with Okta's errorId.
    expect(errors[0]?.message).toContain('The Okta token was refused');
    expect(errors[0]?.message).toContain('oaeStub0000000000000');
    const logged = JSON.stringify(h.client.records);
    expect(logged).not.toContain(SSWS_TOKEN);
    expect(logged).not.toContain(bearerToken);
  });

  it('an empty API token is refused before anything is sent', () => {
    expect(() =>
      createOktaPort({
        http: h.client.http,
        orgUrl: h.stub.url,
        auth: { kind: 'ssws', token: ' ' },
      }),
    ).toThrow(/empty/);
    expect(h.stub.seen).toHaveLength(0);
  });

  it('a plain-http org URL that is not loopback is refused', () => {
    expect(() =>
      createOktaPort({
        http: h.client.http,
        orgUrl: 'http://acme.okta.com',
        auth: { kind: 'ssws', token: SSWS_TOKEN },
      }),
    ).toThrow(/https/);
  });
});
