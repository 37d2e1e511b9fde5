import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createScimProbe } from '../../../../electron/adapters/dbt/scim-probe.js';
import type { ScimProbeResult } from '../../../../electron/core/dbt/ports.js';
import { WizardError, cancelled } from '../../../../electron/core/errors.js';
import type { HttpClient, HttpRequest } from '../../../../electron/core/ports.js';
import { startFakeDbt, type FakeDbt } from '../../../fakes/dbt.js';
import { testClient, type TestClient } from './helpers.js';

/** A distinctive value: it must show up in no check, no error and no log record. */
const PLANTED = 'PLANTED-scim-token-1a2b3c4d5e6f7a8b9c0d';
const AT = new Date('2026-11-29T10:00:00.000Z');

let fake: FakeDbt;
let client: TestClient;
let fakeNow: Date;
const results: ScimProbeResult[] = [];

beforeEach(async () => {
  fakeNow = new Date('2026-11-29T09:00:00.000Z');
  fake = await startFakeDbt({
    scimConfig: { enabled: true },
    now: () => fakeNow,
    users: [
      { userName: 'ada@example.com', givenName: 'Ada', familyName: 'Lovelace' },
      { userName: 'alan@example.com', givenName: 'Alan', familyName: 'Turing' },
    ],
  });
  fake.createScimToken('okta', PLANTED);
  client = testClient();
});

afterEach(async () => {
  // No result, log record or request record of any test holds the token (redacted or not).
  const text = JSON.stringify({ results, records: client.records, requests: fake.requests });
  expect(text).not.toContain(PLANTED);
  expect(text).not.toContain('[REDACTED]');
  expect(client.lookups).toEqual([]);
  results.length = 0;
  await client.http.close();
  await fake.close();
});

async function probe(scimUrl = fake.scimUrl, token = PLANTED): Promise<ScimProbeResult> {
  const result = await createScimProbe({ http: client.http, now: () => AT }).probe({
    scimUrl,
    token,
  });
  results.push(result);
  return result;
}

function statuses(result: ScimProbeResult): Record<string, string> {
  return Object.fromEntries(result.checks.map((c) => [c.id, c.status]));
}

function message(result: ScimProbeResult, id: string): string {
  return result.checks.find((c) => c.id === id)?.message ?? '';
}

const ALL_SKIPPED_AFTER_FIRST = {
  'scim.service-provider-config': 'fail',
  'scim.users.list': 'skip',
  'scim.users.filter': 'skip',
  'scim.groups.list': 'skip',
};

describe('a good token on the SCIM base URL', () => {
  it('passes every check, fills supports and moves last_used', async () => {
    const result = await probe();
    expect(result.failure).toBeUndefined();
    expect(statuses(result)).toEqual({
      'scim.service-provider-config': 'pass',
      'scim.users.list': 'pass',
      'scim.users.filter': 'pass',
      'scim.groups.list': 'pass',
    });
    expect(result.supports).toEqual({ patch: true, filter: true, bulk: true });
    expect(message(result, 'scim.users.list')).toBe('SCIM answers: 2 users.');
    expect(message(result, 'scim.users.filter')).toMatch(
      /filter by userName works, as Okta’s and Entra’s matching needs/i,
    );
    expect(message(result, 'scim.groups.list')).toBe('SCIM answers for groups: 3 groups.');
    expect(result.checks.every((c) => c.at === AT.toISOString())).toBe(true);

    const token = [...fake.state.scimTokens.values()].find((t) => t.name === 'okta')!;
    expect(token.last_used).toBe('2026-11-29T09:00:00.000Z');
    fakeNow = new Date('2026-11-29T09:30:00.000Z');
    await probe();
    expect(token.last_used).toBe('2026-11-29T09:30:00.000Z');
  });

  it('asks what an IdP asks, with Bearer auth, and the base URL as given', async () => {
    await probe(`${fake.scimUrl}/`);
    const scim = fake.requests.filter((r) => r.api === 'scim');
    expect(scim.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /api/scim/v2/accounts/12345/ServiceProviderConfig',
      'GET /api/scim/v2/accounts/12345/Users',
      'GET /api/scim/v2/accounts/12345/Users',
      'GET /api/scim/v2/accounts/12345/Groups',
    ]);
    expect(scim.map((r) => r.query)).toEqual([
      {},
      { startIndex: '1', count: '1' },
      { filter: 'userName eq "scim-wizard-probe@example.invalid"' },
      { startIndex: '1', count: '1' },
    ]);
    expect(scim.every((r) => r.authScheme === 'Bearer')).toBe(true);
    expect(fake.requests.some((r) => r.api === 'admin')).toBe(false);
  });

  it('skips ServiceProviderConfig when it is not offered; the rest still pass', async () => {
    fake.failNext({ path: /\/ServiceProviderConfig$/ }, 404);
    const result = await probe();
    expect(result.failure).toBeUndefined();
    expect(statuses(result)['scim.service-provider-config']).toBe('skip');
    expect(message(result, 'scim.service-provider-config')).toMatch(/not offered; it is optional/);
    expect(result.supports).toBeUndefined();
    expect(statuses(result)['scim.groups.list']).toBe('pass');
  });

  it('rides out one 503 (the client retries it)', async () => {
    fake.failNext({ path: /\/Users$/ }, 503);
    const result = await probe();
    expect(result.failure).toBeUndefined();
    expect(client.clock.sleeps).toHaveLength(1);
  });
});

describe('each failure names its cause', () => {
  it('a wrong token: auth_failed, and the later checks are not run', async () => {
    const result = await probe(fake.scimUrl, 'not-the-token-but-long-enough');
    expect(result.failure).toEqual({
      code: 'auth_failed',
      checkId: 'scim.service-provider-config',
    });
    expect(statuses(result)).toEqual(ALL_SKIPPED_AFTER_FIRST);
    expect(message(result, 'scim.service-provider-config')).toMatch(
      /dbt refused the SCIM token .*wrong, was deleted, or belongs to another account/,
    );
    expect(message(result, 'scim.users.list')).toBe('Not run: the SCIM token was refused.');
    expect(fake.requests.filter((r) => r.api === 'scim')).toHaveLength(1);
  });

  it('a deleted token: auth_failed', async () => {
    for (const t of fake.state.scimTokens.values()) {
      t.deleted = true;
    }
    expect((await probe()).failure?.code).toBe('auth_failed');
  });

  it('SCIM turned off in dbt: auth_failed', async () => {
    fake.state.scimConfig.enabled = false;
    expect((await probe()).failure?.code).toBe('auth_failed');
  });

  it('IP restrictions: ip_restricted, with the ranges to allow', async () => {
    fake.set({ ipRestricted: true });
    const result = await probe();
    expect(result.failure).toEqual({
      code: 'ip_restricted',
      checkId: 'scim.service-provider-config',
    });
    expect(statuses(result)).toEqual(ALL_SKIPPED_AFTER_FIRST);
    expect(message(result, 'scim.service-provider-config')).toMatch(
      /IP restrictions are probably on.*provisioning ranges.*this computer/,
    );
  });

  it('a wrong account id in the URL: not_found', async () => {
    const result = await probe(fake.scimUrl.replace('/12345', '/99999'));
    expect(result.failure).toEqual({ code: 'not_found', checkId: 'scim.users.list' });
    expect(statuses(result)).toEqual({
      'scim.service-provider-config': 'skip',
      'scim.users.list': 'fail',
      'scim.users.filter': 'skip',
      'scim.groups.list': 'skip',
    });
    expect(message(result, 'scim.users.list')).toMatch(
      /no SCIM API at this URL.*account id.*SCIM base URL field/,
    );
  });

  it('a browser URL: redirected, naming where it goes', async () => {
    const result = await probe(`${fake.apiUrl}/`);
    expect(result.failure).toEqual({ code: 'redirected', checkId: 'scim.service-provider-config' });
    const text = message(result, 'scim.service-provider-config');
    expect(text).toContain(`redirects to ${new URL(fake.apiUrl).host}/login`);
    expect(text).toMatch(/browser URL \(a sign-in page\), not the SCIM base URL/);
  });

  it('a sign-in page: html_response', async () => {
    const result = await probe(`${fake.apiUrl}/login`);
    expect(result.failure).toEqual({
      code: 'html_response',
      checkId: 'scim.service-provider-config',
    });
    expect(message(result, 'scim.service-provider-config')).toMatch(
      /web page answered.*not the browser address/,
    );
  });

  it('an Admin API URL (JSON, not SCIM): invalid_response', async () => {
    const result = await probe(`${fake.apiUrl}/api/v2/accounts/12345`);
    expect(result.failure).toEqual({ code: 'invalid_response', checkId: 'scim.users.list' });
    expect(message(result, 'scim.users.list')).toMatch(/JSON that is not SCIM/);
    expect(statuses(result)['scim.groups.list']).toBe('skip');
  });

  it('a closed port: network_refused, nothing else run', async () => {
    const url = fake.scimUrl;
    await fake.close();
    const result = await probe(url);
    expect(result.failure).toEqual({
      code: 'network_refused',
      checkId: 'scim.service-provider-config',
    });
    expect(statuses(result)).toEqual(ALL_SKIPPED_AFTER_FIRST);
    expect(message(result, 'scim.service-provider-config')).toMatch(/refused the connection/);
    fake = await startFakeDbt();
  });

  it('a 500: server_error on that check; the others still run', async () => {
    fake.failNext({ method: 'GET', path: /\/Users$/ }, 500);
    const result = await probe();
    expect(result.failure).toEqual({ code: 'server_error', checkId: 'scim.users.list' });
    expect(statuses(result)).toEqual({
      'scim.service-provider-config': 'pass',
      'scim.users.list': 'fail',
      'scim.users.filter': 'pass',
      'scim.groups.list': 'pass',
    });
  });

  it('a 429 that does not clear: rate_limited', async () => {
    fake.rateLimitNext(2, 1);
    const result = await probe();
    expect(result.failure).toEqual({
      code: 'rate_limited',
      checkId: 'scim.service-provider-config',
    });
    expect(statuses(result)['scim.users.list']).toBe('pass');
  });
});

describe('causes only a stub can produce', () => {
  function stub(fail: (req: HttpRequest) => never): HttpClient {
    return { request: (req) => Promise.resolve().then(() => fail(req)) };
  }
  const error = (code: 'network_dns' | 'tls' | 'network_timeout' | 'proxy_auth') => () => {
    throw new WizardError(code, `GET https://scim.example.invalid failed (${code}).`, {
      remediation: 'x',
    });
  };

  it.each([
    ['network_dns', /does not resolve: check the URL, or your DNS\/VPN/],
    ['tls', /corporate proxy.*root certificate.*NODE_EXTRA_CA_CERTS/],
    ['network_timeout', /did not answer within 15 seconds/],
    ['proxy_auth', /proxy asked for credentials/],
  ] as const)('%s', async (code, pattern) => {
    const result = await createScimProbe({ http: stub(error(code)) }).probe({
      scimUrl: 'https://scim.example.invalid/api/scim/v2/accounts/1',
      token: PLANTED,
    });
    expect(result.failure).toEqual({ code, checkId: 'scim.service-provider-config' });
    expect(message(result, 'scim.service-provider-config')).toMatch(pattern);
    expect(result.checks.slice(1).every((c) => c.status === 'skip')).toBe(true);
    results.push(result);
  });

  it('sends the 15 s timeout, 2 attempts, text expectation and no throwing', async () => {
    const seen: HttpRequest[] = [];
    const http: HttpClient = {
      request: (req) => {
        seen.push(req);
        return Promise.resolve({
          status: 404,
          headers: {},
          url: req.url,
          text: '',
          json: undefined,
        });
      },
    };
    results.push(
      await createScimProbe({ http }).probe({
        scimUrl: 'https://h.example.invalid/scim',
        token: PLANTED,
      }),
    );
    expect(seen[0]).toMatchObject({
      method: 'GET',
      url: 'https://h.example.invalid/scim/ServiceProviderConfig',
      expect: 'text',
      throwOnError: false,
      timeoutMs: 15_000,
      retry: { attempts: 2 },
      headers: {
        authorization: `Bearer ${PLANTED}`,
        accept: 'application/scim+json, application/json',
      },
    });
  });

  it('a 200 with JSON that is not SCIM: invalid_response; SCIM without totalResults too', async () => {
    const answer = (text: string): HttpClient => ({
      request: (req) =>
        Promise.resolve({
          status: 200,
          headers: { 'content-type': 'application/json' },
          url: req.url,
          text,
          json: undefined,
        }),
    });
    const envelope = await createScimProbe({
      http: answer('{"status":{"code":200,"is_success":true},"data":[]}'),
    }).probe({
      scimUrl: 'https://h.example.invalid/api/v2/accounts/1',
      token: PLANTED,
    });
    expect(envelope.failure).toEqual({
      code: 'invalid_response',
      checkId: 'scim.service-provider-config',
    });
    expect(message(envelope, 'scim.service-provider-config')).toMatch(/JSON that is not SCIM/);
    const odd = await createScimProbe({
      http: answer(
        '{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"Resources":[]}',
      ),
    }).probe({ scimUrl: 'https://h.example.invalid/scim', token: PLANTED });
    expect(odd.failure).toEqual({
      code: 'invalid_response',
      checkId: 'scim.service-provider-config',
    });
    expect(statuses(odd)['scim.users.list']).toBe('fail');
    expect(message(odd, 'scim.users.list')).toMatch(
      /answered in SCIM, but not with a ListResponse and its totalResults/,
    );
    const notJson = await createScimProbe({ http: answer('hello') }).probe({
      scimUrl: 'https://h.example.invalid/scim',
      token: PLANTED,
    });
    expect(message(notJson, 'scim.service-provider-config')).toMatch(/not JSON/);
    results.push(envelope, odd, notJson);
  });

  it('a cancellation is thrown, not reported as a check', async () => {
    const http = stub(() => {
      throw cancelled();
    });
    await expect(
      createScimProbe({ http }).probe({
        scimUrl: 'https://h.example.invalid/scim',
        token: PLANTED,
      }),
    ).rejects.toMatchObject({
      code: 'cancelled',
    });
  });
});
