/**
 * The fake dbt behaves like dbt where the wizard can tell: envelopes, APPEND_SLASH, token rules,
 * SCIM over SCIMMY with per-instance stores, and the quirks other suites switch on.
 * Plain fetch on 127.0.0.1 (no redirects followed).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDbt, type FakeDbt } from '../../../fakes/dbt.js';

let fake: FakeDbt;

beforeEach(async () => {
  fake = await startFakeDbt();
});

afterEach(async () => {
  await fake.close();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

async function call(
  method: string,
  path: string,
  options: { auth?: string; body?: unknown; type?: string } = {},
): Promise<Answer> {
  const res = await fetch(`${fake.apiUrl}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(options.auth ? { authorization: options.auth } : {}),
      ...(options.body !== undefined ? { 'content-type': options.type ?? 'application/json' } : {}),
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
  return { status: res.status, headers: res.headers, text, json };
}

const admin = (): string => `Token ${fake.adminToken}`;
const v3 = '/api/v3/accounts/12345';

describe('Admin API', () => {
  it('wraps every answer, errors included, in the dbt envelope', async () => {
    const good = await call('GET', '/api/v2/accounts/12345/', { auth: admin() });
    expect(good.status).toBe(200);
    expect(good.json).toMatchObject({
      status: { code: 200, is_success: true },
      data: {
        id: 12345,
        name: 'Acme Analytics',
        plan: 'enterprise',
        enterprise_authentication_method: 'okta',
        locked: false,
      },
    });
    const none = await call('GET', '/api/v2/accounts/12345/');
    expect(none.status).toBe(401);
    expect(none.json).toEqual({
      status: {
        code: 401,
        is_success: false,
        user_message: 'Authentication credentials were not provided.',
        developer_message: '',
      },
      data: null,
    });
    expect((await call('GET', '/api/v2/accounts/12345/', { auth: 'Token nope' })).status).toBe(401);
    expect(
      (await call('GET', '/api/v2/accounts/12345/', { auth: `Bearer ${fake.adminToken}` })).status,
    ).toBe(401);
    expect((await call('GET', '/api/v2/accounts/999/', { auth: admin() })).status).toBe(404);
    expect((await call('GET', '/api/v3/nothing-here/', { auth: admin() })).json).toMatchObject({
      status: { code: 404 },
    });
    expect((await call('PUT', `${v3}/scim-config/`, { auth: admin(), body: {} })).status).toBe(405);
  });

  it('behaves like APPEND_SLASH: GET → 301 to the slashed URL, POST → 500 page', async () => {
    const get = await call('GET', `${v3}/groups?offset=0&limit=100`, { auth: admin() });
    expect(get.status).toBe(301);
    expect(get.headers.get('location')).toBe(`${v3}/groups/?offset=0&limit=100`);
    const post = await call('POST', `${v3}/scim-config`, {
      auth: admin(),
      body: { enabled: true, manual_updates_allowed: false, scim_controlled_license_type: false },
    });
    expect(post.status).toBe(500);
    expect(post.headers.get('content-type')).toMatch(/text\/html/);
    expect(fake.state.scimConfig.enabled).toBe(false);
    // A path that would not exist with a slash either is a plain 404.
    expect((await call('GET', `${v3}/ServiceProviderConfig`, { auth: admin() })).status).toBe(404);
  });

  it('validates bodies as dbt does (400 with the problem)', async () => {
    const extra = await call('POST', `${v3}/scim-config/`, {
      auth: admin(),
      body: {
        enabled: true,
        manual_updates_allowed: false,
        scim_controlled_license_type: false,
        other: 1,
      },
    });
    expect(extra.status).toBe(400);
    const missing = await call('POST', `${v3}/scim-config/`, {
      auth: admin(),
      body: { enabled: true },
    });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({
      status: {
        is_success: false,
        user_message: expect.stringContaining('manual_updates_allowed') as unknown,
      },
    });
    expect(
      (
        await call('POST', `${v3}/scim-config/tokens/`, {
          auth: admin(),
          body: { name: 'x'.repeat(256) },
        })
      ).status,
    ).toBe(400);
    const rule = { name: 'r', type: 1, cidrs: [{ cidr: '192.0.2.0/24' }], rule_set_enabled: true };
    expect(
      (await call('POST', `${v3}/ip-restrictions/`, { auth: admin(), body: { ...rule, type: 3 } }))
        .status,
    ).toBe(400);
    expect(
      (
        await call('POST', `${v3}/ip-restrictions/`, {
          auth: admin(),
          body: { ...rule, cidrs: [{ cidr: '300.1.1.1/8' }] },
        })
      ).status,
    ).toBe(400);
    expect(
      (await call('POST', `${v3}/ip-restrictions/`, { auth: admin(), body: rule })).status,
    ).toBe(201);
    // rule_set_enabled must agree across rules.
    const mixed = await call('POST', `${v3}/ip-restrictions/`, {
      auth: admin(),
      body: { ...rule, rule_set_enabled: false },
    });
    expect(mixed.status).toBe(400);
    expect(mixed.text).toContain('rule_set_enabled must be the same');
    const broken = await fetch(`${fake.apiUrl}${v3}/scim-config/`, {
      method: 'POST',
      headers: { authorization: admin(), 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ status: { code: 400, is_success: false } });
  });

  it('gives the token value once, on create; list and get never do', async () => {
    const created = await call('POST', `${v3}/scim-config/tokens/`, {
      auth: admin(),
      body: { name: 'okta' },
    });
    expect(created.status).toBe(201);
    const data = (created.json as { data: { id: number; token_string: string; last_used: null } })
      .data;
    expect(data.token_string).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(data.last_used).toBeNull();
    const list = await call('GET', `${v3}/scim-config/tokens/`, { auth: admin() });
    const one = await call('GET', `${v3}/scim-config/tokens/${data.id}/`, { auth: admin() });
    for (const answer of [list, one]) {
      expect(answer.status).toBe(200);
      expect(answer.text).not.toContain(data.token_string);
      expect(answer.text).not.toContain('token_string');
    }
    expect(
      (await call('DELETE', `${v3}/scim-config/tokens/${data.id}/`, { auth: admin() })).status,
    ).toBe(200);
    expect(
      (await call('GET', `${v3}/scim-config/tokens/${data.id}/`, { auth: admin() })).status,
    ).toBe(404);
    expect(fake.state.scimTokens.get(data.id)?.deleted).toBe(true);
  });

  it('pages groups with offset/limit and a total_count', async () => {
    for (let i = 0; i < 120; i++) {
      fake.addGroup(`g${i}`);
    }
    const page = await call('GET', `${v3}/groups/?offset=100&limit=500`, { auth: admin() });
    expect(page.json).toMatchObject({ extra: { pagination: { count: 23, total_count: 123 } } });
    expect((page.json as { data: unknown[] }).data).toHaveLength(23);
  });

  it('lets a member token read the account and nothing else', async () => {
    await fake.close();
    fake = await startFakeDbt({
      adminTokenPermission: 'member',
      adminToken: 'dbtc_member_token_for_tests',
    });
    expect(fake.adminToken).toBe('dbtc_member_token_for_tests');
    expect((await call('GET', '/api/v2/accounts/12345/', { auth: admin() })).status).toBe(200);
    const denied = await call('GET', `${v3}/ip-restrictions/`, { auth: admin() });
    expect(denied.status).toBe(403);
    expect(denied.text).toContain('does not have proper permissions');
  });
});

describe('SCIM API', () => {
  async function scim(
    method: string,
    path: string,
    token: string,
    body?: unknown,
  ): Promise<Answer> {
    return call(method, `/api/scim/v2/accounts/12345${path}`, {
      auth: `Bearer ${token}`,
      ...(body !== undefined ? { body, type: 'application/scim+json' } : {}),
    });
  }

  it('needs a live token and SCIM enabled, and records last_used', async () => {
    const token = fake.createScimToken('okta');
    expect((await scim('GET', '/Users', token)).status).toBe(401);
    fake.state.scimConfig.enabled = true;
    const ok = await scim('GET', '/Users', token);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/application\/scim\+json/);
    const record = [...fake.state.scimTokens.values()][0]!;
    expect(record.last_used).not.toBeNull();
    record.deleted = true;
    const refused = await scim('GET', '/Users', token);
    expect(refused.status).toBe(401);
    expect(refused.json).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
    });
    expect(
      (await call('GET', '/api/scim/v2/accounts/1/Users', { auth: `Bearer ${token}` })).status,
    ).toBe(404);
  });

  it('creates, filters, pages, patches and deletes users; dbt’s rules apply', async () => {
    fake.state.scimConfig.enabled = true;
    const token = fake.createScimToken('okta');
    const user = (userName: string) => ({
      schemas: [
        'urn:ietf:params:scim:schemas:core:2.0:User',
        'urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User',
      ],
      userName,
      name: { givenName: 'Grace', familyName: 'Hopper' },
      emails: [{ value: userName, type: 'work', primary: true }],
      active: true,
      'urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User': { licenseType: 'developer' },
    });
    const created = await scim('POST', '/Users', token, user('grace@example.com'));
    expect(created.status).toBe(201);
    const id = (created.json as { id: string }).id;
    expect(created.json).toMatchObject({
      userName: 'grace@example.com',
      'urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User': { licenseType: 'developer' },
      meta: { location: `${fake.scimUrl}/Users/${id}` },
    });
    expect((await scim('POST', '/Users', token, user('GRACE@example.com'))).status).toBe(409);
    const internalId = await scim('POST', '/Users', token, user('00u1abcd2EFGH3ijk4x7'));
    expect(internalId.status).toBe(400);
    expect(internalId.text).toContain('email');
    expect((await scim('POST', '/Users', token, user('linus@example.com'))).status).toBe(201);

    const found = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "grace@example.com"')}`,
      token,
    );
    expect(found.json).toMatchObject({ totalResults: 1, Resources: [{ id }] });
    const none = await scim(
      'GET',
      `/Users?filter=${encodeURIComponent('userName eq "nobody@example.invalid"')}`,
      token,
    );
    expect(none.json).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
    });
    const paged = await scim('GET', '/Users?startIndex=2&count=1', token);
    expect(paged.json).toMatchObject({ totalResults: 2, startIndex: 2, itemsPerPage: 1 });
    expect(
      (paged.json as { Resources: { userName: string }[] }).Resources.map((u) => u.userName),
    ).toEqual(['linus@example.com']);

    const patched = await scim('PATCH', `/Users/${id}`, token, {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op: 'replace', path: 'active', value: false }],
    });
    expect(patched.status).toBe(200);
    expect(fake.state.users.get(id)?.active).toBe(false);
    expect((await scim('DELETE', `/Users/${id}`, token)).status).toBe(204);
    expect((await scim('GET', `/Users/${id}`, token)).status).toBe(404);
  });

  it('shares groups with the Admin API; pushing a group with an unknown member fails as dbt does', async () => {
    fake.state.scimConfig.enabled = true;
    const token = fake.createScimToken('okta');
    const u = await scim('POST', '/Users', token, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'ada@example.com',
    });
    const userId = (u.json as { id: string }).id;
    const group = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'scim-admins',
      members: [{ value: userId }],
    };
    expect((await scim('POST', '/Groups', token, group)).status).toBe(201);
    const bad = await scim('POST', '/Groups', token, {
      ...group,
      displayName: 'other',
      members: [{ value: '424242' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('All users must have licenses on the account');
    const listed = await call('GET', `${v3}/groups/`, { auth: admin() });
    expect(
      (listed.json as { data: { name: string; scim_managed: boolean }[] }).data.at(-1),
    ).toMatchObject({
      name: 'scim-admins',
      scim_managed: true,
    });
    const scimGroups = await scim('GET', '/Groups?startIndex=1&count=10', token);
    expect(scimGroups.json).toMatchObject({ totalResults: 4 });
  });

  it('offers ServiceProviderConfig, Schemas and ResourceTypes', async () => {
    fake.state.scimConfig.enabled = true;
    const token = fake.createScimToken('okta');
    expect((await scim('GET', '/ServiceProviderConfig', token)).json).toMatchObject({
      patch: { supported: true },
      filter: { supported: true },
    });
    const schemas = await scim('GET', '/Schemas', token);
    expect(schemas.text).toContain('urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User');
    expect((await scim('GET', '/ResourceTypes', token)).status).toBe(200);
  });

  it('keeps each instance’s data: a second fake after close() starts empty', async () => {
    fake.state.scimConfig.enabled = true;
    const token = fake.createScimToken('okta');
    await scim('POST', '/Users', token, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'ada@example.com',
    });
    expect(fake.state.users.size).toBe(1);
    await fake.close();
    fake = await startFakeDbt({ scimConfig: { enabled: true } });
    const again = fake.createScimToken('okta');
    const list = await scim('GET', '/Users', again);
    expect(list.json).toMatchObject({ totalResults: 0 });
  });
});

describe('browser pages and quirks', () => {
  it('sends a browser to sign in', async () => {
    const root = await call('GET', '/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/login');
    expect((await call('GET', '/login')).headers.get('content-type')).toMatch(/text\/html/);
    expect((await call('GET', '/settings/accounts/12345/pages/sso')).status).toBe(200);
    expect((await call('GET', '/ServiceProviderConfig')).headers.get('location')).toMatch(
      /^\/login\?next=/,
    );
  });

  it('IP restrictions, injected failures, rate limits and latency', async () => {
    fake.set({ ipRestricted: true });
    const blocked = await call('GET', '/api/v2/accounts/12345/', { auth: admin() });
    expect(blocked.status).toBe(403);
    expect(blocked.json).toMatchObject({
      status: { user_message: 'Request blocked by IP restrictions' },
    });
    const scimBlocked = await call('GET', '/api/scim/v2/accounts/12345/Users', {
      auth: 'Bearer x',
    });
    expect(scimBlocked.status).toBe(403);
    expect(scimBlocked.text).toContain('IP restrictions');
    fake.set({ ipRestricted: false });

    fake.failNext({ method: 'GET', path: /\/scim-config\/$/ }, 502, 2);
    expect((await call('GET', `${v3}/scim-config/`, { auth: admin() })).status).toBe(502);
    expect((await call('GET', `${v3}/scim-config/`, { auth: admin() })).status).toBe(502);
    expect((await call('GET', `${v3}/scim-config/`, { auth: admin() })).status).toBe(200);

    fake.failNext({ path: /^\/api\/v2\// }, 'html');
    const page = await call('GET', '/api/v2/accounts/12345/', { auth: admin() });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/^<!doctype html>/);

    fake.failNext({ path: /^\/api\/v2\// }, 'reset');
    await expect(call('GET', '/api/v2/accounts/12345/', { auth: admin() })).rejects.toThrow();

    fake.rateLimitNext(1, 3);
    const limited = await call('GET', '/api/v2/accounts/12345/', { auth: admin() });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');

    fake.set({ latencyMs: 60 });
    const started = performance.now();
    await call('GET', '/api/v2/accounts/12345/', { auth: admin() });
    expect(performance.now() - started).toBeGreaterThanOrEqual(50);
  });

  it('records requests without any token value', async () => {
    fake.state.scimConfig.enabled = true;
    const token = fake.createScimToken('okta');
    await call('GET', '/api/v2/accounts/12345/?x=1', { auth: admin() });
    await call('GET', '/api/scim/v2/accounts/12345/Users', { auth: `Bearer ${token}` });
    await call('POST', `${v3}/scim-config/tokens/`, { auth: admin(), body: { name: 'n' } });
    expect(fake.requests.map((r) => [r.api, r.authScheme, r.status])).toEqual([
      ['admin', 'Token', 200],
      ['scim', 'Bearer', 200],
      ['admin', 'Token', 201],
    ]);
    expect(fake.requests[0]?.query).toEqual({ x: '1' });
    expect(fake.requests[2]).toMatchObject({ body: { name: 'n' }, bodyKeys: ['name'] });
    const text = JSON.stringify(fake.requests);
    expect(text).not.toContain(token);
    expect(text).not.toContain(fake.adminToken);
    fake.clearRequests();
    expect(fake.requests).toHaveLength(0);
  });
});
