import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDbtAdmin } from '../../../../electron/adapters/dbt/admin.js';
import type { DbtAdminPort } from '../../../../electron/core/dbt/ports.js';
import { startFakeDbt, type FakeDbt, type FakeDbtOptions } from '../../../fakes/dbt.js';
import { caught, testClient, type TestClient } from './helpers.js';

let fake: FakeDbt;
let client: TestClient;

async function start(options: FakeDbtOptions = {}): Promise<DbtAdminPort> {
  await fake.close();
  fake = await startFakeDbt(options);
  return adminFor(fake);
}

function adminFor(
  f: FakeDbt,
  overrides: { token?: string; accountId?: number } = {},
): DbtAdminPort {
  return createDbtAdmin({
    http: client.http,
    apiUrl: f.apiUrl,
    accountId: overrides.accountId ?? f.accountId,
    token: overrides.token ?? f.adminToken,
  });
}

beforeEach(async () => {
  fake = await startFakeDbt();
  client = testClient();
});

afterEach(async () => {
  await client.http.close();
  await fake.close();
  expect(client.lookups).toEqual([]);
});

function adminRequests() {
  return fake.requests.filter((r) => r.api === 'admin');
}

describe('account', () => {
  it('reads the account: id, name, plan and SSO method', async () => {
    const account = await adminFor(fake).getAccount();
    expect(account).toEqual({
      id: 12345,
      name: 'Acme Analytics',
      plan: 'enterprise',
      ssoMethod: 'okta',
      locked: false,
    });
    const [req] = adminRequests();
    expect(req).toMatchObject({
      method: 'GET',
      path: '/api/v2/accounts/12345/',
      authScheme: 'Token',
    });
  });

  it('lower-cases the plan and reports an empty SSO method as null', async () => {
    const admin = await start({ accountId: 777, plan: 'Enterprise_Plus', sso: '', locked: true });
    expect(await admin.getAccount()).toEqual({
      id: 777,
      name: 'Acme Analytics',
      plan: 'enterprise_plus',
      ssoMethod: null,
      locked: true,
    });
    fake.state.account.enterprise_authentication_method = null;
    fake.state.account.plan = 'team';
    expect(await admin.getAccount()).toMatchObject({ plan: 'team', ssoMethod: null });
  });

  it('accepts the token under its services name, apiToken', async () => {
    const admin = createDbtAdmin({
      http: client.http,
      apiUrl: fake.apiUrl,
      accountId: fake.accountId,
      apiToken: fake.adminToken,
    });
    expect((await admin.getAccount()).id).toBe(12345);
  });
});

describe('scim-config', () => {
  it('reads and writes the three switches (round trip)', async () => {
    const admin = adminFor(fake);
    expect(await admin.getScimConfig()).toEqual({
      enabled: false,
      manualUpdatesAllowed: false,
      scimControlledLicenseType: false,
    });
    const written = await admin.setScimConfig({
      enabled: true,
      manualUpdatesAllowed: true,
      scimControlledLicenseType: false,
    });
    expect(written).toEqual({
      enabled: true,
      manualUpdatesAllowed: true,
      scimControlledLicenseType: false,
    });
    expect(await admin.getScimConfig()).toEqual(written);
    expect(fake.state.scimConfig).toEqual({
      enabled: true,
      manual_updates_allowed: true,
      scim_controlled_license_type: false,
    });
    const post = adminRequests().find((r) => r.method === 'POST');
    expect(post?.body).toEqual({
      enabled: true,
      manual_updates_allowed: true,
      scim_controlled_license_type: false,
    });
  });
});

describe('SCIM tokens', () => {
  it('creates a token whose value comes once; list and get never carry it; delete removes it', async () => {
    const admin = adminFor(fake);
    const { token, value } = await admin.createScimToken('okta-2026-11-29');
    expect(value).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(token).toMatchObject({ name: 'okta-2026-11-29', lastUsed: null });
    expect(typeof token.id).toBe('number');
    expect(Number.isNaN(Date.parse(token.createdAt))).toBe(false);
    expect(fake.state.scimTokens.get(token.id)?.value).toBe(value);

    expect(await admin.listScimTokens()).toEqual([token]);
    expect(await admin.getScimToken(token.id)).toEqual(token);

    // The raw answers of list and get do not hold the value either.
    for (const path of ['scim-config/tokens/', `scim-config/tokens/${token.id}/`]) {
      const raw = await client.http.request({
        method: 'GET',
        url: `${fake.apiUrl}/api/v3/accounts/12345/${path}`,
        headers: { authorization: `Token ${fake.adminToken}` },
        expect: 'text',
      });
      expect(raw.text).not.toContain(value);
      expect(raw.text).not.toContain('token_string');
    }

    await admin.deleteScimToken(token.id);
    expect(await admin.getScimToken(token.id)).toBeUndefined();
    expect(await admin.listScimTokens()).toEqual([]);
    // Deleting what is already gone converges.
    await expect(admin.deleteScimToken(token.id)).resolves.toBeUndefined();
  });

  it('reports last_used as the IdP uses a token', async () => {
    const admin = adminFor(fake);
    const value = fake.createScimToken('in-use');
    const id = [...fake.state.scimTokens.values()].find((t) => t.value === value)!.id;
    fake.state.scimTokens.get(id)!.last_used = '2026-11-28T09:00:00.000Z';
    expect(await admin.getScimToken(id)).toMatchObject({
      id,
      lastUsed: '2026-11-28T09:00:00.000Z',
    });
  });

  it('returns undefined when dbt offers no list of tokens (404 or 405)', async () => {
    const admin = adminFor(fake);
    fake.failNext({ method: 'GET', path: /\/scim-config\/tokens\/$/ }, 404);
    expect(await admin.listScimTokens()).toBeUndefined();
    fake.failNext({ method: 'GET', path: /\/scim-config\/tokens\/$/ }, 405);
    expect(await admin.listScimTokens()).toBeUndefined();
    expect(await admin.listScimTokens()).toEqual([]);
  });

  it('surfaces dbt’s message when the name is refused (400)', async () => {
    const e = await caught(() => adminFor(fake).createScimToken(''));
    expect(e.code).toBe('bad_input');
    expect(e.status).toBe(400);
    expect(e.message).toContain('name: This field may not be blank.');
  });

  it('never re-sends the create after the connection was reset', async () => {
    fake.failNext({ method: 'POST', path: /\/scim-config\/tokens\/$/ }, 'reset');
    const e = await caught(() => adminFor(fake).createScimToken('once'));
    expect(e.code).toBe('network_reset');
    expect(adminRequests().filter((r) => r.method === 'POST')).toHaveLength(1);
  });
});

describe('IP restrictions', () => {
  it('creates an allow rule (type 1, cidrs as {cidr}) and lists rules with their type', async () => {
    const admin = adminFor(fake);
    fake.state.ipRules.push({
      id: 9,
      name: 'Block a range',
      type: 2,
      description: '',
      cidrs: ['198.51.100.0/24', '2001:db8::/32'],
      rule_set_enabled: true,
      created_at: '2026-11-01T00:00:00.000Z',
    });
    const created = await admin.createIpRule({
      name: 'SCIM provisioning (Okta)',
      description: 'Allows Okta SCIM provisioning.',
      type: 'allow',
      cidrs: ['203.0.113.0/24', '192.0.2.10/32'],
      ruleSetEnabled: true,
    });
    expect(created).toMatchObject({
      name: 'SCIM provisioning (Okta)',
      type: 'allow',
      cidrs: ['203.0.113.0/24', '192.0.2.10/32'],
      ruleSetEnabled: true,
    });
    const post = adminRequests().find((r) => r.method === 'POST');
    expect(post?.body).toEqual({
      name: 'SCIM provisioning (Okta)',
      description: 'Allows Okta SCIM provisioning.',
      type: 1,
      cidrs: [{ cidr: '203.0.113.0/24' }, { cidr: '192.0.2.10/32' }],
      rule_set_enabled: true,
    });
    const rules = await admin.listIpRules();
    expect(rules).toEqual([
      {
        id: 9,
        name: 'Block a range',
        type: 'deny',
        cidrs: ['198.51.100.0/24', '2001:db8::/32'],
        ruleSetEnabled: true,
      },
      created,
    ]);
    expect(fake.state.ipRules[1]?.type).toBe(1);
  });

  it('quotes dbt’s message for an invalid range (400)', async () => {
    const e = await caught(() =>
      adminFor(fake).createIpRule({
        name: 'bad',
        description: '',
        type: 'allow',
        cidrs: ['10.0.0.0/99'],
        ruleSetEnabled: true,
      }),
    );
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('Enter a valid CIDR range: 10.0.0.0/99');
    expect(e.message).toContain('HTTP 400');
  });
});

describe('groups', () => {
  it('pages through more than 100 groups, 100 at a time', async () => {
    for (let i = 0; i < 247; i++) {
      fake.addGroup(`team-${i}`);
    }
    const groups = await adminFor(fake).listGroups();
    expect(groups).toHaveLength(250);
    expect(groups.slice(0, 3).map((g) => g.name)).toEqual([
      'Everyone',
      'Analysts',
      'dbt_developers',
    ]);
    expect(new Set(groups.map((g) => g.id)).size).toBe(250);
    const pages = adminRequests().map((r) => r.query);
    expect(pages).toEqual([
      { offset: '0', limit: '100' },
      { offset: '100', limit: '100' },
      { offset: '200', limit: '100' },
    ]);
  });

  it('stops at total_count when the last page is exactly full', async () => {
    for (let i = 0; i < 97; i++) {
      fake.addGroup(`team-${i}`);
    }
    expect(await adminFor(fake).listGroups()).toHaveLength(100);
    expect(adminRequests()).toHaveLength(1);
  });
});

describe('errors name the dbt cause and what to do', () => {
  it('401: the token is wrong, revoked or for another host', async () => {
    const e = await caught(() =>
      adminFor(fake, { token: 'dbtc_not-the-right-token-at-all' }).getAccount(),
    );
    expect(e.code).toBe('auth_failed');
    expect(e.status).toBe(401);
    expect(e.message).toMatch(/refused the API token/);
    expect(e.remediation).toMatch(/Account settings → API tokens → Service tokens/);
  });

  it('403 for a member token: the Account Admin permission set is needed', async () => {
    const admin = await start({ adminTokenPermission: 'member' });
    await expect(admin.getAccount()).resolves.toMatchObject({ id: 12345 });
    const e = await caught(() => admin.getScimConfig());
    expect(e.code).toBe('permission_denied');
    expect(e.remediation).toMatch(/Account Admin/);
    expect(e.message).toContain('does not have proper permissions');
  });

  it('403 from IP restrictions: add this computer or run from an allowed network', async () => {
    fake.set({ ipRestricted: true });
    const e = await caught(() => adminFor(fake).listIpRules());
    expect(e.code).toBe('ip_restricted');
    expect(e.message).toContain('Request blocked by IP restrictions');
    expect(e.remediation).toMatch(/allow rule|allowed network/);
  });

  it('404 on the account: check the id and the host (region/cell)', async () => {
    const e = await caught(() => adminFor(fake, { accountId: 99999 }).getAccount());
    expect(e.code).toBe('not_found');
    expect(e.message).toContain('account 99999 was not found on 127.0.0.1:');
    expect(e.remediation).toMatch(/region or cell/);
  });

  it('404 elsewhere names the resource', async () => {
    fake.failNext({ path: /\/scim-config\/$/ }, 404);
    const e = await caught(() => adminFor(fake).getScimConfig());
    expect(e.code).toBe('not_found');
    expect(e.message).toContain('SCIM configuration');
  });

  it('an answer of an unexpected shape is invalid_response, not a crash', async () => {
    fake.set({ corruptNext: true });
    const e = await caught(() => adminFor(fake).getAccount());
    expect(e.code).toBe('invalid_response');
    expect(e.message).toMatch(/unexpected shape .*; the API may have changed/);
    expect(e.message).toContain('data.');
    fake.set({ corruptNext: true });
    expect((await caught(() => adminFor(fake).listGroups())).code).toBe('invalid_response');
  });

  it('a web page instead of JSON is html_response', async () => {
    fake.failNext({ path: /scim-config/ }, 'html');
    const e = await caught(() => adminFor(fake).getScimConfig());
    expect(e.code).toBe('html_response');
    expect(e.remediation).toMatch(/API host only/);
  });

  it('a 500 is a retryable server_error', async () => {
    fake.failNext({ path: /ip-restrictions/ }, 500);
    const e = await caught(() => adminFor(fake).listIpRules());
    expect(e.code).toBe('server_error');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('HTTP 500');
  });

  it('a network failure comes typed from the client', async () => {
    const port = Number(new URL(fake.apiUrl).port);
    await fake.close();
    const admin = createDbtAdmin({
      http: client.http,
      apiUrl: `http://127.0.0.1:${port}`,
      accountId: 1,
      token: 'dbtc_whatever-token-value',
    });
    expect((await caught(() => admin.getAccount())).code).toBe('network_refused');
    fake = await startFakeDbt();
  });
});

describe('wire discipline', () => {
  it('sends Token auth and a trailing slash on every path', async () => {
    const admin = adminFor(fake);
    await admin.getAccount();
    await admin.getScimConfig();
    await admin.setScimConfig({
      enabled: true,
      manualUpdatesAllowed: false,
      scimControlledLicenseType: false,
    });
    const { token } = await admin.createScimToken('t');
    await admin.listScimTokens();
    await admin.getScimToken(token.id);
    await admin.deleteScimToken(token.id);
    await admin.listIpRules();
    await admin.createIpRule({
      name: 'r',
      description: '',
      type: 'allow',
      cidrs: ['192.0.2.0/24'],
      ruleSetEnabled: false,
    });
    await admin.listGroups();
    const seen = adminRequests();
    expect(seen).toHaveLength(10);
    for (const r of seen) {
      expect(r.path.endsWith('/'), r.path).toBe(true);
      expect(r.authScheme).toBe('Token');
      expect(r.status).toBeLessThan(300);
    }
  });

  it('waits out a 429 as Retry-After asks, then succeeds', async () => {
    fake.rateLimitNext(1, 7);
    const account = await adminFor(fake).getAccount();
    expect(account.id).toBe(12345);
    expect(client.clock.sleeps).toEqual([7000]);
    expect(adminRequests().map((r) => r.status)).toEqual([429, 200]);
  });

  it('gives up as rate_limited when dbt keeps refusing', async () => {
    fake.rateLimitNext(10, 1);
    const e = await caught(() => adminFor(fake).getAccount());
    expect(e.code).toBe('rate_limited');
    expect(adminRequests()).toHaveLength(4);
  });

  it('keeps every token out of messages and logs', async () => {
    const admin = adminFor(fake);
    const { value } = await admin.createScimToken('secret-check');
    const errors = [
      await caught(() => adminFor(fake, { token: 'dbtc_PLANTED_admin_token_abcdef' }).getAccount()),
      await caught(() => adminFor(fake, { accountId: 4242 }).getScimConfig()),
    ];
    const text = JSON.stringify({
      records: client.records,
      errors: errors.map((e) => `${e.message} ${e.remediation}`),
      requests: fake.requests,
    });
    for (const secret of [fake.adminToken, value, 'dbtc_PLANTED_admin_token_abcdef']) {
      expect(text).not.toContain(secret);
    }
    expect(client.records.length).toBeGreaterThan(0);
  });
});
