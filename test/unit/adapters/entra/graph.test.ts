/**
 * The Graph adapter against the stateful fake Graph (and the fake dbt behind validateCredentials
 * and provisionOnDemand), through the real HTTP client: every call, every trap of graph.md.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GraphError } from '../../../../electron/adapters/entra/errors.js';
import { createGraph } from '../../../../electron/adapters/entra/graph.js';
import type { JsonObject } from '../../../../electron/core/entra/ports.js';
import { redact } from '../../../../electron/core/redact.js';
import { ACTIVE_EXPRESSION, defaultScimSchema } from '../../../fakes/graph-schema.js';
import { NON_GALLERY, appWithJob, caught, logText, startHarness, type Harness } from './helpers.js';

let h: Harness;

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  const violations = [...h.fake.specViolations];
  const records = logText(h);
  const token = h.fake.token;
  const lookups = [...h.client.lookups];
  await h.close();
  expect(violations).toEqual([]);
  expect(lookups).toEqual([]);
  expect(records).not.toContain(token);
});

async function restart(options: Parameters<typeof startHarness>[0]): Promise<void> {
  await h.close();
  h = await startHarness(options);
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('applications and service principals', () => {
  it('instantiates the non-gallery template: one application and one service principal', async () => {
    const { application, servicePrincipal } = await h.graph.instantiate(
      NON_GALLERY,
      'dbt Cloud SCIM',
    );
    expect(h.fake.state.applications).toHaveLength(1);
    expect(h.fake.state.servicePrincipals).toHaveLength(1);
    expect(application).toEqual({
      id: h.fake.state.applications[0]!.id,
      appId: servicePrincipal.appId,
      displayName: 'dbt Cloud SCIM',
      applicationTemplateId: NON_GALLERY,
    });
    expect(servicePrincipal.id).toMatch(GUID);
    expect(servicePrincipal.appRoles.map((r) => r.displayName).sort()).toEqual([
      'User',
      'msiam_access',
    ]);
    const [req] = h.fake.requests;
    expect(req).toMatchObject({
      method: 'POST',
      path: `/v1.0/applicationTemplates/${NON_GALLERY}/instantiate`,
      hasAuth: true,
      body: { displayName: 'dbt Cloud SCIM' },
      status: 201,
    });
  });

  it('finds every service principal and application of a name (names are not unique)', async () => {
    await h.graph.instantiate(NON_GALLERY, 'dbt Cloud SCIM');
    await h.graph.instantiate(NON_GALLERY, 'dbt Cloud SCIM');
    await h.graph.instantiate(NON_GALLERY, 'Something else');
    expect(h.fake.state.applications).toHaveLength(3);

    const sps = await h.graph.findServicePrincipalsByName('dbt Cloud SCIM');
    expect(sps).toHaveLength(2);
    expect(new Set(sps.map((s) => s.id)).size).toBe(2);
    expect(sps[0]!.appRoles).toHaveLength(2);
    const apps = await h.graph.findApplications(NON_GALLERY, 'dbt Cloud SCIM');
    expect(apps).toHaveLength(2);
    expect(await h.graph.findApplications(NON_GALLERY, 'nothing')).toEqual([]);

    const lookup = h.fake.requests.find((r) => r.path === '/v1.0/servicePrincipals');
    expect(lookup?.query).toEqual({
      $filter: "displayName eq 'dbt Cloud SCIM'",
      $select: 'id,appId,displayName,applicationTemplateId,appRoles',
    });
    const appLookup = h.fake.requests.find((r) => r.path === '/v1.0/applications');
    expect(appLookup?.query.$filter).toBe(
      `applicationTemplateId eq '${NON_GALLERY}' and displayName eq 'dbt Cloud SCIM'`,
    );
  });

  it('escapes single quotes in OData literals and encodes spaces as %20', async () => {
    await h.graph.instantiate(NON_GALLERY, "O'Brien's SCIM");
    const sps = await h.graph.findServicePrincipalsByName("O'Brien's SCIM");
    expect(sps.map((s) => s.displayName)).toEqual(["O'Brien's SCIM"]);
    const lookup = h.fake.requests.find((r) => r.path === '/v1.0/servicePrincipals');
    expect(lookup?.query.$filter).toBe("displayName eq 'O''Brien''s SCIM'");
  });

  it('reads a service principal by id and by appId', async () => {
    const { servicePrincipal } = await h.graph.instantiate(NON_GALLERY, 'dbt Cloud SCIM');
    expect(await h.graph.getServicePrincipal(servicePrincipal.id)).toEqual(servicePrincipal);
    expect(await h.graph.findServicePrincipalByAppId(servicePrincipal.appId)).toEqual(
      servicePrincipal,
    );
    expect(await h.graph.findServicePrincipalByAppId('00000000-0000-0000-0000-000000000001')).toBe(
      undefined,
    );
  });

  it('instantiate404AfterCreate: throws not_found, and the app is found by name afterwards', async () => {
    h.fake.set({ instantiate404AfterCreate: true });
    const e = await caught(() => h.graph.instantiate(NON_GALLERY, 'dbt SCIM tmp-1234'));
    expect(e.code).toBe('not_found');
    // Not retried: one POST only.
    expect(h.fake.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(h.client.clock.sleeps).toEqual([]);

    const [app] = await h.graph.findApplications(NON_GALLERY, 'dbt SCIM tmp-1234');
    expect(app).toBeDefined();
    const sp = await h.graph.findServicePrincipalByAppId(app!.appId);
    expect(sp?.displayName).toBe('dbt SCIM tmp-1234');
    expect(h.fake.state.servicePrincipals).toHaveLength(1);
  });

  it('notFoundAfterCreate: getServicePrincipal waits for replication (2, 4, 8 s)', async () => {
    h.fake.set({ notFoundAfterCreate: 3 });
    const { servicePrincipal } = await h.graph.instantiate(NON_GALLERY, 'dbt Cloud SCIM');
    const sp = await h.graph.getServicePrincipal(servicePrincipal.id);
    expect(sp?.id).toBe(servicePrincipal.id);
    expect(h.client.clock.sleeps).toEqual([2000, 4000, 8000]);
    const reads = h.fake.requests.filter((r) => r.path === `/v1.0/servicePrincipals/${sp?.id}`);
    expect(reads.map((r) => r.status)).toEqual([404, 404, 404, 200]);
  });

  it('getServicePrincipal returns undefined only after the retries are spent', async () => {
    const sp = await h.graph.getServicePrincipal('11111111-2222-3333-4444-555555555555');
    expect(sp).toBeUndefined();
    expect(h.client.clock.sleeps).toEqual([2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    expect(h.fake.requests).toHaveLength(8);

    h.client.clock.sleeps.length = 0;
    const quick = h.adapter({ consistency: { attempts: 2, delayMs: 10 } });
    expect(await quick.getServicePrincipal('11111111-2222-3333-4444-555555555555')).toBeUndefined();
    expect(h.client.clock.sleeps).toEqual([10]);
  });

  it('honours 429 Retry-After (the wait is recorded on the clock)', async () => {
    h.fake.set({ rateLimitNext: { count: 1, retryAfterSeconds: 7 } });
    expect(await h.graph.findServicePrincipalsByName('dbt Cloud SCIM')).toEqual([]);
    expect(h.client.clock.sleeps).toEqual([7000]);
    expect(h.fake.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it('asks for a token before every request, sends it to loopback too, and registers it', async () => {
    await h.graph.findServicePrincipalsByName('a');
    await h.graph.findServicePrincipalsByName('b');
    expect(h.tokenCalls()).toBe(2);
    expect(h.fake.requests.every((r) => r.hasAuth)).toBe(true);
    expect(redact(`token ${h.fake.token}`)).toBe('token [REDACTED]');
  });

  it('a token that cannot be had is auth_failed; nothing is sent', async () => {
    const graph = createGraph({
      http: h.client.http,
      clock: h.client.clock,
      graphUrl: h.fake.graphUrl,
      getToken: () => Promise.reject(new Error('interaction_required')),
    });
    const e = await caught(() => graph.findServicePrincipalsByName('x'));
    expect(e.code).toBe('auth_failed');
    expect(h.fake.requests).toEqual([]);
  });

  it('cancelling during a consistency wait rejects as cancelled', async () => {
    const controller = new AbortController();
    const graph = createGraph({
      http: h.client.http,
      clock: {
        now: () => h.client.clock.now(),
        sleep: () => {
          controller.abort();
          return Promise.reject(new DOMException('aborted', 'AbortError'));
        },
      },
      graphUrl: h.fake.graphUrl,
      getToken: () => Promise.resolve(h.fake.token),
    });
    const e = await caught(() => graph.getServicePrincipal('unknown-id', controller.signal));
    expect(e.code).toBe('cancelled');
    expect(h.fake.requests).toHaveLength(1);
  });
});

describe('errors', () => {
  it('403 Authorization_RequestDenied → permission_denied naming the roles and scopes', async () => {
    h.fake.failNext({ path: /servicePrincipals$/ }, 403);
    const e = await caught(() => h.graph.findServicePrincipalsByName('dbt Cloud SCIM'));
    expect(e.code).toBe('permission_denied');
    expect(e.status).toBe(403);
    expect(e.message).toContain('Authorization_RequestDenied');
    expect(e.message).toContain('Insufficient privileges');
    expect(e.remediation).toContain('Application Administrator');
    expect(e.remediation).toContain('Cloud Application Administrator');
    expect(e.remediation).toContain('Application.ReadWrite.All');
    expect(e.remediation).toContain('Synchronization.ReadWrite.All');
    expect(e.remediation).toContain('consent');
    if (!(e instanceof GraphError)) {
      throw new Error('expected a GraphError');
    }
    const g = e;
    expect(g.graphCode).toBe('Authorization_RequestDenied');
    expect(g.requestId).toMatch(GUID);
    expect(e.message).toContain(`request-id ${g.requestId ?? ''}`);
  });

  it('401 → auth_failed "sign in again", and the token is in no message or log', async () => {
    const wrong = `wrong-graph-token-${'z'.repeat(24)}`;
    const e = await caught(() => h.adapter({ token: wrong }).findServicePrincipalsByName('x'));
    expect(e.code).toBe('auth_failed');
    expect(e.remediation).toMatch(/sign in to microsoft again/i);
    const info = JSON.stringify(e.toInfo());
    expect(info).not.toContain(wrong);
    expect(e.message).not.toContain(wrong);
    expect(logText(h)).not.toContain(wrong);
  });

  it('400 → bad_input quoting Graph’s message', async () => {
    const e = await caught(() => h.graph.instantiate(NON_GALLERY, '   '));
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('The displayName parameter is required.');
  });

  it('409 after the retries → conflict; 404 on an unknown job → not_found', async () => {
    const { spId, jobId } = await appWithJob(h);
    const quick = h.adapter({ consistency: { attempts: 2, delayMs: 1 } });
    h.fake.failNext({ path: /\/start$/ }, 409, 2);
    const conflict = await caught(() => quick.startJob(spId, jobId));
    expect(conflict.code).toBe('conflict');
    const missing = await caught(() => quick.startJob(spId, 'scim.0.nope'));
    expect(missing.code).toBe('not_found');
    expect(await quick.getJob(spId, 'scim.0.nope')).toBeUndefined();
  });

  it('quotes Graph’s message at most 200 characters long', async () => {
    const e = await caught(() => h.graph.putSchema('nope', 'nope', {}));
    expect(e.code).toBe('not_found');
    const quoted = /Graph said: “([^”]*)”/.exec(e.message)?.[1] ?? '';
    expect(quoted.length).toBeGreaterThan(0);
    expect(quoted.length).toBeLessThanOrEqual(200);
  });
});

describe('synchronization jobs', () => {
  it('lists the templates and creates a disabled scim job', async () => {
    const { servicePrincipal } = await h.graph.instantiate(NON_GALLERY, 'dbt Cloud SCIM');
    expect(await h.graph.listSyncTemplates(servicePrincipal.id)).toEqual([
      { id: 'scim', factoryTag: 'scim' },
    ]);
    expect(await h.graph.listJobs(servicePrincipal.id)).toEqual([]);
    const job = await h.graph.createJob(servicePrincipal.id, 'scim');
    expect(job.id).toMatch(/^scim\.[0-9a-f]{32}\.[0-9a-f-]{36}$/);
    expect(job).toMatchObject({
      templateId: 'scim',
      scheduleState: 'Disabled',
      statusCode: 'NotRun',
      quarantine: null,
    });
    expect(await h.graph.listJobs(servicePrincipal.id)).toEqual([job]);
    expect(await h.graph.getJob(servicePrincipal.id, job.id)).toEqual(job);
    const post = h.fake.requests.find((r) => r.method === 'POST' && r.path.endsWith('/jobs'));
    expect(post?.body).toEqual({ templateId: 'scim' });
  });

  it('conflictAfterCreate: createJob succeeds after 409/403 answers', async () => {
    h.fake.set({ conflictAfterCreate: 3 });
    const { servicePrincipal } = await h.graph.instantiate(NON_GALLERY, 'dbt Cloud SCIM');
    const job = await h.graph.createJob(servicePrincipal.id, 'scim');
    expect(job.templateId).toBe('scim');
    const posts = h.fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/jobs'));
    expect(posts.map((r) => r.status)).toEqual([409, 403, 409, 201]);
    expect(h.client.clock.sleeps).toEqual([2000, 4000, 8000]);
    expect(h.fake.state.jobs.get(servicePrincipal.id)).toHaveLength(1);
  });

  it('notFoundAfterCreate also holds for a new job (getJob waits)', async () => {
    const { servicePrincipal } = await h.graph.instantiate(NON_GALLERY, 'dbt Cloud SCIM');
    h.fake.set({ notFoundAfterCreate: 2 });
    const job = await h.graph.createJob(servicePrincipal.id, 'scim');
    expect((await h.graph.getJob(servicePrincipal.id, job.id))?.id).toBe(job.id);
    expect(h.client.clock.sleeps).toEqual([2000, 4000]);
  });

  it('start → schedule and status Active', async () => {
    const { spId, jobId } = await appWithJob(h);
    await h.graph.putSecrets(spId, [
      { key: 'BaseAddress', value: h.dbt.scimUrl },
      { key: 'SecretToken', value: h.scimToken },
    ]);
    await h.graph.startJob(spId, jobId);
    const job = await h.graph.getJob(spId, jobId);
    expect(job).toMatchObject({ scheduleState: 'Active', statusCode: 'Active', quarantine: null });
    const start = h.fake.requests.find((r) => r.path.endsWith('/start'));
    expect(start).toMatchObject({ method: 'POST', status: 204 });
  });

  it('start without secrets → Quarantine with a reason', async () => {
    const { spId, jobId } = await appWithJob(h);
    await h.graph.startJob(spId, jobId);
    const job = await h.graph.getJob(spId, jobId);
    expect(job?.statusCode).toBe('Quarantine');
    expect(job?.quarantine?.reason).toBe('EncounteredQuarantineException');
    expect(job?.quarantine?.error?.code).toBe('ProvisioningCredentialsMissing');
    expect(job?.quarantine?.seriesCount).toBe(1);
  });

  it('reads the last cycle with its counts (only those Graph gives)', async () => {
    const { spId, jobId } = await appWithJob(h);
    const fakeJob = h.fake.state.jobs.get(spId)?.find((j) => j.id === jobId);
    if (!fakeJob) {
      throw new Error('no job');
    }
    fakeJob.lastExecution = {
      activityIdentifier: 'run-1',
      countImported: 12,
      countExported: 3,
      countEscrowed: 1,
      countEntitled: 12,
      error: null,
      state: 'Warning',
      timeBegan: '2026-11-29T09:00:00Z',
      timeEnded: '2026-11-29T09:02:00Z',
    };
    expect((await h.graph.getJob(spId, jobId))?.lastExecution).toEqual({
      state: 'Warning',
      timeBegan: '2026-11-29T09:00:00Z',
      timeEnded: '2026-11-29T09:02:00Z',
      error: null,
      counts: { imported: 12, exported: 3, escrowed: 1 },
    });
    fakeJob.lastExecution = { state: 'Succeeded', timeBegan: '2026-11-29T10:00:00Z' };
    const bare = (await h.graph.getJob(spId, jobId))?.lastExecution;
    expect(bare).toEqual({
      state: 'Succeeded',
      timeBegan: '2026-11-29T10:00:00Z',
      timeEnded: null,
      error: null,
    });
  });

  it('start with a token dbt refuses → Quarantine naming the credentials', async () => {
    const { spId, jobId } = await appWithJob(h);
    await h.graph.putSecrets(spId, [
      { key: 'BaseAddress', value: h.dbt.scimUrl },
      { key: 'SecretToken', value: 'revoked-token-0123456789' },
    ]);
    await h.graph.startJob(spId, jobId);
    const job = await h.graph.getJob(spId, jobId);
    expect(job?.statusCode).toBe('Quarantine');
    expect(job?.quarantine?.error?.message).toContain('invalid credentials');
  });
});

describe('schema', () => {
  it.each([
    ['entra', 'Microsoft Entra ID'],
    ['azure-ad', 'Azure Active Directory'],
  ] as const)('templateVariant %s names the source directory %s', async (variant, source) => {
    await restart({ templateVariant: variant });
    const { spId, jobId } = await appWithJob(h);
    const schema = await h.graph.getSchema(spId, jobId);
    const dirs = schema.directories as { name: string }[];
    expect(dirs.map((d) => d.name)).toEqual([source, 'customappsso']);
    const rule = (schema.synchronizationRules as JsonObject[])[0]!;
    expect(rule.sourceDirectoryName).toBe(source);
    const maps = rule.objectMappings as { name: string; sourceObjectName: string }[];
    expect(maps.map((m) => m.name)).toEqual([
      `Provision ${source} Users`,
      `Provision ${source} Groups`,
    ]);
    expect(schema).toEqual(defaultScimSchema(variant));
  });

  it('GET → PUT round trip keeps every field; PUT is used, never PATCH', async () => {
    const { spId, jobId } = await appWithJob(h);
    const before = structuredClone(h.fake.state.schemas.get(jobId));
    const schema = await h.graph.getSchema(spId, jobId);
    expect(Object.keys(schema).some((k) => k.startsWith('@'))).toBe(false);
    await h.graph.putSchema(spId, jobId, schema);
    expect(h.fake.state.schemas.get(jobId)).toEqual(before);
    expect(await h.graph.getSchema(spId, jobId)).toEqual(before);
    expect(h.fake.requests.some((r) => r.method === 'PATCH')).toBe(false);
    const put = h.fake.requests.find((r) => r.method === 'PUT');
    expect(put).toMatchObject({
      path: `/v1.0/servicePrincipals/${spId}/synchronization/jobs/${jobId}/schema`,
      status: 204,
    });
  });

  it('an edited schema (new attribute + mapping) is stored whole', async () => {
    const { spId, jobId } = await appWithJob(h);
    const schema = await h.graph.getSchema(spId, jobId);
    const target = (schema.directories as JsonObject[]).find((d) => d.name === 'customappsso')!;
    const user = (target.objects as JsonObject[])[0]!;
    (user.attributes as JsonObject[]).push({
      anchor: false,
      apiExpressions: [],
      caseExact: false,
      defaultValue: null,
      flowNullValues: false,
      metadata: [],
      multivalued: false,
      mutability: 'ReadWrite',
      name: 'emails[type eq "work"].primary',
      referencedObjects: [],
      required: true,
      type: 'Boolean',
    });
    const rule = (schema.synchronizationRules as JsonObject[])[0]!;
    const userMap = (rule.objectMappings as JsonObject[])[0]!;
    (userMap.attributeMappings as JsonObject[]).push({
      defaultValue: '',
      exportMissingReferences: false,
      flowBehavior: 'FlowWhenChanged',
      flowType: 'Always',
      matchingPriority: 0,
      source: { expression: '"True"', name: 'True', parameters: [], type: 'Constant' },
      targetAttributeName: 'emails[type eq "work"].primary',
    });
    await h.graph.putSchema(spId, jobId, schema);
    expect(await h.graph.getSchema(spId, jobId)).toEqual(schema);
  });

  it('a structurally invalid schema is refused (bad_input with the reason)', async () => {
    const { spId, jobId } = await appWithJob(h);
    const schema = await h.graph.getSchema(spId, jobId);
    const e = await caught(() =>
      h.graph.putSchema(spId, jobId, { ...schema, synchronizationRules: [] }),
    );
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('at least one synchronization rule');

    const rule = (schema.synchronizationRules as JsonObject[])[0]!;
    const userMap = (rule.objectMappings as JsonObject[])[0]!;
    (userMap.attributeMappings as JsonObject[]).push({
      defaultValue: null,
      exportMissingReferences: false,
      flowBehavior: 'FlowWhenChanged',
      flowType: 'Always',
      matchingPriority: 0,
      source: { expression: '[mail]', name: 'mail', parameters: [], type: 'Attribute' },
      targetAttributeName: 'notDefinedAnywhere',
    });
    const e2 = await caught(() => h.graph.putSchema(spId, jobId, schema));
    expect(e2.message).toContain('notDefinedAnywhere');
  });

  it('parseExpression returns the tree the default schema uses; junk is bad_input', async () => {
    const { spId, jobId } = await appWithJob(h);
    const tree = await h.graph.parseExpression(spId, jobId, ACTIVE_EXPRESSION);
    const schema = await h.graph.getSchema(spId, jobId);
    const userMap = (
      (schema.synchronizationRules as JsonObject[])[0]!.objectMappings as JsonObject[]
    )[0]!;
    const active = (userMap.attributeMappings as JsonObject[]).find(
      (m) => m.targetAttributeName === 'active',
    );
    expect(tree).toEqual(active?.source);
    expect(tree).toMatchObject({ type: 'Function', name: 'Switch', expression: ACTIVE_EXPRESSION });
    const req = h.fake.requests.find((r) => r.path.endsWith('/parseExpression'));
    expect(req?.body).toEqual({
      expression: ACTIVE_EXPRESSION,
      targetAttributeDefinition: null,
      testInputObject: null,
    });

    const e = await caught(() => h.graph.parseExpression(spId, jobId, 'Switch([IsSoftDeleted],'));
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('Unexpected end of expression');
  });
});

describe('credentials', () => {
  it('validateCredentials: a good token resolves (Entra really called dbt’s SCIM API)', async () => {
    const { spId, jobId } = await appWithJob(h);
    await h.graph.validateCredentials(spId, jobId, {
      baseAddress: h.dbt.scimUrl,
      secretToken: h.scimToken,
    });
    const scim = h.dbt.requests.filter((r) => r.api === 'scim');
    expect(scim).toHaveLength(1);
    expect(scim[0]).toMatchObject({ method: 'GET', authScheme: 'Bearer', status: 200 });
    expect(scim[0]!.path.endsWith('/Users')).toBe(true);
    const req = h.fake.requests.find((r) => r.path.endsWith('/validateCredentials'));
    expect(req?.body).toEqual({
      useSavedCredentials: false,
      credentials: [
        { key: 'BaseAddress', value: h.dbt.scimUrl },
        { key: 'SecretToken', value: `[masked ${h.scimToken.length} chars]` },
      ],
    });
  });

  it('validateCredentials: a wrong token → auth_failed naming dbt; the token is nowhere', async () => {
    const { spId, jobId } = await appWithJob(h);
    const wrong = `wrong_scim_token_${'q'.repeat(20)}`;
    const e = await caught(() =>
      h.graph.validateCredentials(spId, jobId, { baseAddress: h.dbt.scimUrl, secretToken: wrong }),
    );
    expect(e.code).toBe('auth_failed');
    expect(e.message).toContain('dbt refused the SCIM token');
    expect(e.message).toContain('invalid credentials');
    expect(e.remediation).toContain('SCIM token');
    expect(JSON.stringify(e.toInfo())).not.toContain(wrong);
    expect(logText(h)).not.toContain(wrong);
    // A 400 is an answer, not replication lag: not retried.
    expect(h.client.clock.sleeps).toEqual([]);
  });

  it('validateCredentials: an unreachable or non-loopback base URL → bad_input', async () => {
    const { spId, jobId } = await appWithJob(h);
    const closed = await caught(() =>
      h.graph.validateCredentials(spId, jobId, {
        baseAddress: 'http://127.0.0.1:1/api/scim/v2/accounts/1',
        secretToken: h.scimToken,
      }),
    );
    expect(closed.code).toBe('bad_input');
    expect(closed.message).toContain('could not reach');
    const elsewhere = await caught(() =>
      h.graph.validateCredentials(spId, jobId, {
        baseAddress: 'https://10.255.255.1/api/scim/v2/accounts/1',
        secretToken: h.scimToken,
      }),
    );
    expect(elsewhere.code).toBe('bad_input');
    expect(elsewhere.message).toContain('could not connect');
  });

  it('putSecrets upserts the keys sent; getSecrets answers them masked (BaseAddress readable)', async () => {
    const { spId } = await appWithJob(h);
    await h.graph.putSecrets(spId, [
      { key: 'BaseAddress', value: h.dbt.scimUrl },
      { key: 'SecretToken', value: h.scimToken },
      { key: 'SyncAll', value: 'false' },
      {
        key: 'SyncNotificationSettings',
        value: '{"Enabled":false,"DeleteThresholdEnabled":false}',
      },
    ]);
    expect(h.fake.state.secrets.get(spId)).toEqual([
      { key: 'BaseAddress', value: h.dbt.scimUrl },
      { key: 'SecretToken', value: h.scimToken },
      { key: 'SyncAll', value: 'false' },
      {
        key: 'SyncNotificationSettings',
        value: '{"Enabled":false,"DeleteThresholdEnabled":false}',
      },
    ]);
    const put = h.fake.requests.find((r) => r.method === 'PUT');
    expect(JSON.stringify(put?.body)).not.toContain(h.scimToken);
    expect(Object.keys(put?.body as object)).toEqual(['value']);

    await h.graph.putSecrets(spId, [{ key: 'SecretToken', value: 'rotated-token-abcdef' }]);
    expect(h.fake.state.secrets.get(spId)?.find((s) => s.key === 'SecretToken')?.value).toBe(
      'rotated-token-abcdef',
    );
    expect(await h.graph.getSecrets(spId)).toEqual([
      { key: 'BaseAddress', value: h.dbt.scimUrl },
      { key: 'SecretToken', value: '*' },
      { key: 'SyncAll', value: '*' },
      { key: 'SyncNotificationSettings', value: '*' },
    ]);
    expect(logText(h)).not.toContain('rotated-token-abcdef');
  });
});

describe('users and provisioning on demand', () => {
  async function ready(): Promise<{ spId: string; jobId: string; ruleId: string; userId: string }> {
    const ids = await appWithJob(h);
    await h.graph.putSecrets(ids.spId, [
      { key: 'BaseAddress', value: h.dbt.scimUrl },
      { key: 'SecretToken', value: h.scimToken },
    ]);
    const user = await h.graph.findUser('ada.lovelace@contoso.example');
    return { ...ids, userId: user!.id };
  }

  it('finds a user by UPN (URL-encoded) or id; an unknown one is undefined', async () => {
    await restart({
      users: [{ userPrincipalName: 'guest_x.io#EXT#@contoso.example', displayName: 'Guest X' }],
    });
    const user = await h.graph.findUser('guest_x.io#EXT#@contoso.example');
    expect(user).toEqual({
      id: h.fake.state.users[0]!.id,
      userPrincipalName: 'guest_x.io#EXT#@contoso.example',
      displayName: 'Guest X',
    });
    expect(h.fake.requests[0]?.path).toBe('/v1.0/users/guest_x.io%23EXT%23%40contoso.example');
    expect(h.fake.requests[0]?.query).toEqual({ $select: 'id,userPrincipalName,displayName' });
    expect(await h.graph.findUser(user!.id)).toEqual(user);
    expect(await h.graph.findUser('nobody@contoso.example')).toBeUndefined();
    expect(h.client.clock.sleeps).toEqual([]);
  });

  it('assigns a user with the SP’s User role; assigning twice is a conflict', async () => {
    const { spId, userId } = await ready();
    const sp = await h.graph.getServicePrincipal(spId);
    const role = sp!.appRoles.find((r) => r.displayName === 'User')!;
    const assignment = await h.graph.assignUser(spId, userId, role.id);
    expect(assignment).toMatchObject({ principalId: userId, appRoleId: role.id });
    expect(await h.graph.listAppRoleAssignedTo(spId)).toEqual([assignment]);
    const again = await caught(() => h.graph.assignUser(spId, userId, role.id));
    expect(again.code).toBe('conflict');
  });

  it('an unassigned user is Skipped / NotEffectivelyEntitled', async () => {
    const { spId, jobId, ruleId, userId } = await ready();
    const verdict = await h.graph.provisionOnDemand(spId, jobId, ruleId, userId);
    expect(verdict.result).toBe('Skipped');
    expect(verdict.reason).toBe('NotEffectivelyEntitled');
    expect(verdict.steps.map((s) => [s.name, s.status])).toEqual([
      ['EntryImport', 'Success'],
      ['EntrySynchronizationScoping', 'Skipped'],
    ]);
    expect(h.dbt.state.users.size).toBe(0);
    const req = h.fake.requests.find((r) => r.path.endsWith('/provisionOnDemand'));
    expect(req?.body).toEqual({
      parameters: [{ ruleId, subjects: [{ objectId: userId, objectTypeName: 'User' }] }],
    });
  });

  it('an assigned user is provisioned into dbt (Success), then updated', async () => {
    const { spId, jobId, ruleId, userId } = await ready();
    await h.graph.assignUser(spId, userId, '00000000-0000-0000-0000-000000000000');
    const verdict = await h.graph.provisionOnDemand(spId, jobId, ruleId, userId);
    expect(verdict).toMatchObject({ result: 'Success', errorCode: null, reason: null });
    expect(verdict.steps.at(-1)).toMatchObject({ name: 'EntryExportAdd', status: 'Success' });
    const users = [...h.dbt.state.users.values()];
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({
      userName: 'ada.lovelace@contoso.example',
      active: true,
      externalId: 'ada.lovelace',
      name: { givenName: 'Ada', familyName: 'Lovelace', formatted: 'Ada Lovelace' },
      emails: [{ type: 'work', value: 'ada.lovelace@contoso.example' }],
    });

    const again = await h.graph.provisionOnDemand(spId, jobId, ruleId, userId);
    expect(again.result).toBe('Success');
    expect(again.steps.at(-1)?.name).toBe('EntryExportUpdate');
    expect(h.dbt.state.users.size).toBe(1);
  });

  it('provisioning follows the current schema (emails primary from a Constant)', async () => {
    const { spId, jobId, ruleId, userId } = await ready();
    await h.graph.assignUser(spId, userId, '00000000-0000-0000-0000-000000000000');
    const schema = await h.graph.getSchema(spId, jobId);
    const target = (schema.directories as JsonObject[]).find((d) => d.name === 'customappsso')!;
    ((target.objects as JsonObject[])[0]!.attributes as JsonObject[]).push({
      anchor: false,
      apiExpressions: [],
      caseExact: false,
      defaultValue: null,
      flowNullValues: false,
      metadata: [],
      multivalued: false,
      mutability: 'ReadWrite',
      name: 'emails[type eq "work"].primary',
      referencedObjects: [],
      required: true,
      type: 'Boolean',
    });
    const userMap = (
      (schema.synchronizationRules as JsonObject[])[0]!.objectMappings as JsonObject[]
    )[0]!;
    const mappings = userMap.attributeMappings as JsonObject[];
    mappings.push({
      defaultValue: '',
      exportMissingReferences: false,
      flowBehavior: 'FlowWhenChanged',
      flowType: 'Always',
      matchingPriority: 0,
      source: { expression: '"True"', name: 'True', parameters: [], type: 'Constant' },
      targetAttributeName: 'emails[type eq "work"].primary',
    });
    const email = mappings.find((m) => m.targetAttributeName === 'emails[type eq "work"].value')!;
    email.source = {
      expression: '[userPrincipalName]',
      name: 'userPrincipalName',
      parameters: [],
      type: 'Attribute',
    };
    await h.graph.putSchema(spId, jobId, schema);

    const verdict = await h.graph.provisionOnDemand(spId, jobId, ruleId, userId);
    expect(verdict.result).toBe('Success');
    const [user] = [...h.dbt.state.users.values()];
    expect(user?.emails).toEqual([
      { type: 'work', value: 'ada.lovelace@contoso.example', primary: true },
    ]);
  });

  it('a SCIM failure is a Failure verdict with the endpoint’s error', async () => {
    const { spId, jobId, ruleId, userId } = await ready();
    await h.graph.assignUser(spId, userId, '00000000-0000-0000-0000-000000000000');
    h.dbt.state.scimConfig.enabled = false;
    const verdict = await h.graph.provisionOnDemand(spId, jobId, ruleId, userId);
    expect(verdict.result).toBe('Failure');
    expect(verdict.errorCode).toBe('SystemForCrossDomainIdentityManagementUnauthorized');
    expect(verdict.errorMessage).toContain('HTTP 401');
    expect(verdict.steps.at(-1)).toMatchObject({ name: 'EntryExportAdd', status: 'Failure' });
  });

  it('the 6th call in 10 s is rate-limited (rate_limited once the client gives up)', async () => {
    const { spId, jobId, ruleId, userId } = await ready();
    for (let i = 0; i < 5; i++) {
      expect((await h.graph.provisionOnDemand(spId, jobId, ruleId, userId)).result).toBe('Skipped');
    }
    const e = await caught(() => h.graph.provisionOnDemand(spId, jobId, ruleId, userId));
    expect(e.code).toBe('rate_limited');
    expect(e.retryable).toBe(true);
    expect(e.message).toContain('5 calls per 10 seconds');
    const calls = h.fake.requests.filter((r) => r.path.endsWith('/provisionOnDemand'));
    expect(calls.slice(5).every((r) => r.status === 429)).toBe(true);
  });

  it('the 6th call waits for the window when the service’s clock moves with ours', async () => {
    await restart({ shareClock: true });
    const { spId, jobId, ruleId, userId } = await ready();
    for (let i = 0; i < 5; i++) {
      await h.graph.provisionOnDemand(spId, jobId, ruleId, userId);
    }
    expect((await h.graph.provisionOnDemand(spId, jobId, ruleId, userId)).result).toBe('Skipped');
    expect(h.client.clock.sleeps).toEqual([10000]);
    const calls = h.fake.requests.filter((r) => r.path.endsWith('/provisionOnDemand'));
    expect(calls.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429, 200]);
  });
});
