/**
 * The Entra side end to end: the CLI, the services, the engine, the steps, the real Graph adapter
 * and HTTP client, against the fake Graph (which checks every body against Microsoft's OpenAPI
 * description) and the fake dbt (whose SCIM API the fake Graph really calls). A FakeClock makes
 * every wait instant.
 *
 * Fault injection: a clean apply is recorded; then, for every request index i of it, a fresh
 * tenant gets a failure (500, then separately a reset socket) exactly at request i, apply runs
 * (it fails, or succeeds after the client's retry), apply runs again, and the final state must be
 * the clean run's: one application, one service principal, one job, the same schema, the secrets.
 */
import { afterAll, beforeAll, beforeEach, afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../electron/cli/run.js';
import type { CliIO } from '../../../electron/cli/spec.js';
import { createHttpClient } from '../../../electron/adapters/http/client.js';
import type { HttpClient, Logger } from '../../../electron/core/ports.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { startFakeGraph, type FakeGraph, type JsonObject } from '../../fakes/graph.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';

const DBT_TOKEN = 'PLANTEDentraScimToken4b7d2e9f1a0c';
const NON_GALLERY = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

let dbt: FakeDbt;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  dbt = await startFakeDbt({ scimConfig: { enabled: true } });
  dbt.createScimToken('scim-entra', DBT_TOKEN);
});
afterAll(async () => {
  await dbt.close();
});
afterEach(async () => {
  while (cleanups.length > 0) {
    await cleanups.pop()?.();
  }
});

interface Tenant {
  graph: FakeGraph;
  home: string;
}

async function tenant(options: Parameters<typeof startFakeGraph>[0] = {}): Promise<Tenant> {
  const graph = await startFakeGraph(options);
  const { dir, cleanup } = await tempDir('scim-entra-');
  cleanups.push(cleanup, () => graph.close());
  return { graph, home: dir };
}

interface Run {
  code: number;
  json: Record<string, unknown>;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with a fake clock; `wrap` may wrap the real HTTP client. */
async function entra(
  t: Tenant,
  command: 'plan' | 'apply' | 'verify',
  extra: string[] = [],
  opts: { wrap?: (http: HttpClient) => HttpClient; env?: Record<string, string> } = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const clock = new FakeClock();
  const io: CliIO = {
    env: {
      DBT_SCIM_WIZARD_HOME: t.home,
      GRAPH_ACCESS_TOKEN: t.graph.token,
      DBT_SCIM_TOKEN: DBT_TOKEN,
      ...opts.env,
    },
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    isTTY: false,
  };
  const make = (home: string, log: Logger): Services => {
    const real = createHttpClient({ log: log.child('http'), clock });
    cleanups.push(() => real.close());
    return createServices({
      home,
      face: 'cli',
      version: 'test',
      log,
      clock,
      http: opts.wrap ? opts.wrap(real) : real,
    });
  };
  const code = await runCli(
    [
      'entra',
      command,
      '--graph-url',
      t.graph.graphUrl,
      '--dbt-scim-url',
      dbt.scimUrl,
      '--json',
      ...(command === 'apply' ? ['--yes'] : []),
      ...extra,
    ],
    io,
    { version: 'test', createServices: make },
  );
  return { code, json: JSON.parse(stdout) as Record<string, unknown>, stdout, stderr };
}

type Check = { id: string; status: string; message: string };
type Change = { id: string; action: string; target: string; detail: string };
const checks = (r: Run) => r.json.checks as Check[];
const changes = (r: Run) => r.json.changes as Change[];

/** What must be the same after any faulted apply and its re-run. */
function finalState(g: FakeGraph) {
  const jobs = [...g.state.jobs.values()].flat();
  const job = jobs[0];
  return {
    applications: g.state.applications.map((a) => [a.displayName, a.applicationTemplateId]),
    servicePrincipals: g.state.servicePrincipals.length,
    jobs: jobs.map((j) => [j.templateId, j.scheduleState, j.statusCode]),
    secrets: [...g.state.secrets.values()].map((list) =>
      Object.fromEntries(list.map((s) => [s.key, s.value])),
    ),
    schema: job ? normalise(g.state.schemas.get(job.id)) : null,
  };
}

/** The schema without the ids that differ between tenants. */
function normalise(schema: JsonObject | undefined): unknown {
  return JSON.parse(JSON.stringify(schema ?? null)) as unknown;
}

describe('entra apply against the fake Graph', () => {
  it('creates everything, verifies it, and a second apply plans nothing', async () => {
    const t = await tenant();
    const first = await entra(t, 'apply');
    expect(first.code, first.stdout).toBe(0);
    expect(first.json.ok).toBe(true);
    expect(changes(first).map((c) => c.id)).toContain('app.create');
    expect(changes(first).map((c) => c.detail)).toContain(
      'add attribute emails[type eq "work"].primary (Boolean, required)',
    );
    expect(checks(first).filter((c) => c.status === 'fail')).toEqual([]);
    expect(checks(first).find((c) => c.id === 'entra.license')?.status).toBe('skip');

    // One app, one service principal, one scim job, Active; the secrets as dbt needs them.
    expect(t.graph.state.applications).toHaveLength(1);
    expect(t.graph.state.applications[0]).toMatchObject({
      displayName: 'dbt SCIM',
      applicationTemplateId: NON_GALLERY,
    });
    expect(t.graph.state.servicePrincipals).toHaveLength(1);
    const jobs = [...t.graph.state.jobs.values()].flat();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      templateId: 'scim',
      scheduleState: 'Active',
      statusCode: 'Active',
    });
    const secrets = Object.fromEntries(
      ([...t.graph.state.secrets.values()][0] ?? []).map((s) => [s.key, s.value]),
    );
    expect(secrets).toEqual({ BaseAddress: dbt.scimUrl, SecretToken: DBT_TOKEN, SyncAll: 'false' });

    // Requests as Microsoft describes them; the schema PUT whole, never PATCHed.
    expect(t.graph.specViolations).toEqual([]);
    expect(t.graph.requests.every((r) => r.hasAuth)).toBe(true);
    expect(t.graph.requests.some((r) => r.method === 'PATCH')).toBe(false);
    expect(
      t.graph.requests.filter((r) => r.method === 'PUT' && r.path.endsWith('/schema')),
    ).toHaveLength(1);
    expect(first.stdout + first.stderr).not.toContain(DBT_TOKEN);
    expect(first.stdout + first.stderr).not.toContain(t.graph.token);

    // verify: every item passes.
    const verified = await entra(t, 'verify');
    expect(verified.code).toBe(0);
    expect(checks(verified).length).toBeGreaterThan(20);
    expect(checks(verified).every((c) => c.status === 'pass' || c.status === 'skip')).toBe(true);

    // A second apply plans nothing and writes nothing.
    t.graph.clearRequests();
    const plan = await entra(t, 'plan');
    expect(plan.code).toBe(0);
    expect(changes(plan)).toEqual([]);
    const second = await entra(t, 'apply');
    expect(second.code).toBe(0);
    expect(changes(second)).toEqual([]);
    expect(
      t.graph.requests.filter(
        (r) => r.method !== 'GET' && !r.path.endsWith('/validateCredentials'),
      ),
    ).toEqual([]);
    expect(t.graph.state.applications).toHaveLength(1);
    expect(t.graph.specViolations).toEqual([]);
  });

  it('plans a fresh tenant without changing anything', async () => {
    const t = await tenant();
    const r = await entra(t, 'plan');
    expect(r.code).toBe(0);
    expect(changes(r).map((c) => c.detail)).toEqual([
      'create the enterprise app "dbt SCIM" from the non-gallery template ("Integrate any other application you don\'t find in the gallery")',
      'then: create the provisioning job, test the connection, save the credentials, set the attribute mappings (the exact list is shown once the app exists), start provisioning',
    ]);
    expect(t.graph.requests.every((q) => q.method === 'GET')).toBe(true);
    expect(t.graph.state.applications).toEqual([]);
  });

  it('verify on drift exits 1 and lists each item as pass or fail', async () => {
    const t = await tenant();
    expect((await entra(t, 'apply')).code).toBe(0);
    // Someone maps the work email back to mail and adds a title mapping in the portal.
    const [jobId, schema] = [...t.graph.state.schemas.entries()][0] ?? [];
    const rule = (schema?.synchronizationRules as JsonObject[])[0]!;
    const userMap = (rule.objectMappings as JsonObject[]).find(
      (m) => m.sourceObjectName === 'User',
    )!;
    const mappings = userMap.attributeMappings as JsonObject[];
    const email = mappings.find((m) => m.targetAttributeName === 'emails[type eq "work"].value')!;
    email.source = { expression: '[mail]', name: 'mail', type: 'Attribute', parameters: [] };
    mappings.push({
      ...email,
      targetAttributeName: 'title',
      source: { expression: '[jobTitle]', name: 'jobTitle', type: 'Attribute', parameters: [] },
    });
    expect(jobId).toBeDefined();
    const r = await entra(t, 'verify');
    expect(r.code).toBe(1);
    expect(r.json.ok).toBe(false);
    const failing = checks(r).filter((c) => c.status === 'fail');
    expect(failing.map((c) => c.id).sort()).toEqual([
      'schema.mapping.emails[type eq "work"].value',
      'schema.mapping.extra',
    ]);
    expect(failing.find((c) => c.id === 'schema.mapping.extra')?.message).toContain(
      'title ← jobTitle',
    );
    const plan = await entra(t, 'plan');
    expect(changes(plan).map((c) => c.detail)).toEqual([
      'change emails[type eq "work"].value from mail to userPrincipalName',
      'remove mapping title ← jobTitle',
    ]);
    const fixed = await entra(t, 'apply');
    expect(fixed.code).toBe(0);
    expect((await entra(t, 'verify')).code).toBe(0);
  });
});

describe('Entra’s traps, over the wire', () => {
  it('instantiate answering 404 although it created the app: one app only', async () => {
    const t = await tenant();
    t.graph.set({ instantiate404AfterCreate: true });
    const r = await entra(t, 'apply');
    expect(r.code, r.stdout).toBe(0);
    expect(t.graph.state.applications).toHaveLength(1);
    expect(t.graph.requests.filter((q) => q.path.endsWith('/instantiate'))).toHaveLength(1);
  });

  it('new objects answering 404, then 409/403, for a while', async () => {
    const t = await tenant();
    t.graph.set({ notFoundAfterCreate: 3, conflictAfterCreate: 4 });
    const r = await entra(t, 'apply');
    expect(r.code, r.stdout).toBe(0);
    expect(t.graph.state.servicePrincipals).toHaveLength(1);
    expect([...t.graph.state.jobs.values()].flat()).toHaveLength(1);
    expect(t.graph.requests.some((q) => q.status === 404)).toBe(true);
    expect(t.graph.requests.some((q) => q.status === 409)).toBe(true);
    expect(t.graph.specViolations).toEqual([]);
  });

  it('429 with Retry-After is waited out', async () => {
    const t = await tenant();
    t.graph.set({ rateLimitNext: { count: 2, retryAfterSeconds: 3 } });
    const r = await entra(t, 'apply');
    expect(r.code, r.stdout).toBe(0);
    expect(t.graph.requests.filter((q) => q.status === 429)).toHaveLength(2);
  });

  it('display names that are not unique: a conflict listing the ids, then --entra-app-id', async () => {
    const twin = await tenant();
    const a = await entra(twin, 'apply', ['--entra-app-name', 'twin']);
    expect(a.code).toBe(0);
    // Create a same-named app behind the wizard's back (as the portal would).
    const sp = twin.graph.state.servicePrincipals[0];
    const app = twin.graph.state.applications[0];
    if (!sp || !app) {
      throw new Error('no app');
    }
    twin.graph.state.applications.push({
      ...app,
      id: 'aaaaaaaa-0000-4000-8000-000000000001',
      appId: 'aaaaaaaa-0000-4000-8000-0000000000a1',
    });
    twin.graph.state.servicePrincipals.push({
      ...sp,
      id: 'aaaaaaaa-0000-4000-8000-0000000000b1',
      appId: 'aaaaaaaa-0000-4000-8000-0000000000a1',
    });
    // A fresh home has no saved ids: the name is ambiguous.
    const fresh = { graph: twin.graph, home: (await tempDir('scim-entra-')).dir };
    const r = await entra(fresh, 'plan', ['--entra-app-name', 'twin']);
    expect(r.code).toBe(1);
    expect(r.json.error).toMatchObject({ code: 'conflict' });
    const message = (r.json.error as { message: string }).message;
    expect(message).toContain(sp.id);
    expect(message).toContain('aaaaaaaa-0000-4000-8000-0000000000b1');
    expect(message).toContain('--entra-app-id');
    // Choosing one: it is used, and no new app is made (only the credentials, which this home
    // never saved, are to be saved again).
    const chosen = await entra(fresh, 'apply', [
      '--entra-app-name',
      'twin',
      '--entra-app-id',
      sp.id,
    ]);
    expect(chosen.code).toBe(0);
    expect(changes(chosen).map((c) => c.id)).toEqual(['credentials.test', 'credentials.save']);
    expect(twin.graph.state.applications).toHaveLength(2);
    // From then on the saved id wins over the ambiguous name.
    const again = await entra(fresh, 'plan', ['--entra-app-name', 'twin']);
    expect(again.code).toBe(0);
    expect(changes(again)).toEqual([]);
    // The home where the wizard created it has the saved ids: no question asked.
    expect((await entra(twin, 'verify', ['--entra-app-name', 'twin'])).code).toBe(0);
  });

  it.each(['azure-ad', 'entra'] as const)('the %s template variant', async (variant) => {
    const t = await tenant({ templateVariant: variant });
    const r = await entra(t, 'apply');
    expect(r.code, r.stdout).toBe(0);
    expect((await entra(t, 'verify')).code).toBe(0);
  });

  it('a refused dbt token stops at the connection test: exit 3, nothing saved', async () => {
    const t = await tenant();
    const r = await entra(t, 'apply', [], {
      env: { DBT_SCIM_TOKEN: 'wrongScimTokenValue00000000000' },
    });
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code: 'auth_failed' });
    expect(t.graph.state.secrets.size).toBe(0);
    expect([...t.graph.state.jobs.values()].flat()[0]?.scheduleState).toBe('Disabled');
  });

  it('a refused Graph token: exit 3', async () => {
    const t = await tenant();
    const r = await entra(t, 'plan', [], {
      env: { GRAPH_ACCESS_TOKEN: 'eyJhbGciOi.eyJzdWIiOi.wrongsignature' },
    });
    expect(r.code).toBe(3);
    expect(r.json.error).toMatchObject({ code: 'auth_failed' });
    expect(r.stdout).not.toContain('wrongsignature');
  });

  it('quarantine after start is explained: the token was deleted in dbt', async () => {
    const t = await tenant();
    const token = 'PLANTEDsoonDeletedToken8c1d5e7f2a9b';
    const id = [...dbt.state.scimTokens.values()].length;
    dbt.createScimToken('to-delete', token);
    expect(id).toBeGreaterThan(0);
    const first = await entra(t, 'apply', [], { env: { DBT_SCIM_TOKEN: token } });
    expect(first.code).toBe(0);
    // The token is deleted in dbt and the job restarted: Entra quarantines it.
    for (const tok of dbt.state.scimTokens.values()) {
      if (tok.value === token) {
        tok.deleted = true;
      }
    }
    const job = [...t.graph.state.jobs.values()].flat()[0];
    if (job) {
      job.scheduleState = 'Disabled';
    }
    const r = await entra(t, 'apply', [], { env: { DBT_SCIM_TOKEN: token } });
    // The connection test now fails first, with exit 3.
    expect(r.code).toBe(3);
    // Start it with the old (saved) credentials, as a scheduled cycle would.
    const j = [...t.graph.state.jobs.values()].flat()[0];
    const sp = t.graph.state.servicePrincipals[0];
    const res = await fetch(
      `${t.graph.graphUrl}/servicePrincipals/${sp?.id ?? ''}/synchronization/jobs/${j?.id ?? ''}/start`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${t.graph.token}` },
      },
    );
    expect(res.status).toBe(204);
    const v = await entra(t, 'verify', [], { env: { DBT_SCIM_TOKEN: DBT_TOKEN } });
    expect(v.code).toBe(1);
    const q = checks(v).find((c) => c.id === 'job.quarantine');
    expect(q?.status).toBe('fail');
    expect(q?.message).toContain('dbt refused the SCIM token');
  });
});

describe('the test user', () => {
  it('assigns, provisions on demand and reads the user back from dbt over SCIM', async () => {
    const t = await tenant({
      users: [
        {
          userPrincipalName: 'ada.lovelace@contoso.example',
          givenName: 'Ada',
          surname: 'Lovelace',
          mailNickname: 'ada',
        },
      ],
    });
    const r = await entra(t, 'apply', ['--test-user', 'ada.lovelace@contoso.example']);
    expect(r.code, r.stdout).toBe(0);
    expect(
      checks(r)
        .filter((c) => c.id.startsWith('test-user.'))
        .map((c) => [c.id, c.status]),
    ).toEqual([
      ['test-user.assigned', 'pass'],
      ['test-user.provision', 'pass'],
      ['test-user.in-dbt', 'pass'],
    ]);
    const user = [...dbt.state.users.values()].find(
      (u) => u.userName === 'ada.lovelace@contoso.example',
    );
    expect(user).toMatchObject({
      externalId: 'ada',
      name: { givenName: 'Ada', familyName: 'Lovelace' },
      active: true,
    });
    expect(user?.emails).toEqual([
      { value: 'ada.lovelace@contoso.example', type: 'work', primary: true },
    ]);
    expect(t.graph.specViolations).toEqual([]);
    const v = await entra(t, 'verify', ['--test-user', 'ada.lovelace@contoso.example']);
    expect(v.code).toBe(0);
  });

  it('an unassigned user (verify only) is named as not assigned', async () => {
    const t = await tenant();
    expect((await entra(t, 'apply')).code).toBe(0);
    const v = await entra(t, 'verify', ['--test-user', 'grace.hopper@contoso.example']);
    expect(v.code).toBe(1);
    expect(checks(v).find((c) => c.id === 'test-user.assigned')?.message).toContain('not assigned');
  });
});

describe('fault injection at every request of apply', () => {
  /** Counts the Graph requests of one run and injects a failure exactly at request `at`. */
  function injector(t: Tenant, at: number, answer: 500 | 'reset', seen: string[]) {
    return (inner: HttpClient): HttpClient => ({
      request(req) {
        if (req.url.startsWith(t.graph.graphUrl)) {
          const path = new URL(req.url).pathname;
          seen.push(`${req.method} ${path}`);
          if (seen.length === at) {
            const exact = new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
            t.graph.failNext({ method: req.method, path: exact }, answer, 1);
          }
        }
        return inner.request(req);
      },
    });
  }

  let clean: ReturnType<typeof finalState>;
  let sequence: string[] = [];

  beforeEach(async () => {
    if (sequence.length > 0) {
      return;
    }
    const t = await tenant();
    const seen: string[] = [];
    const r = await entra(t, 'apply', [], { wrap: injector(t, 0, 500, seen) });
    expect(r.code).toBe(0);
    sequence = seen;
    clean = finalState(t.graph);
  });

  it('records the clean sequence', () => {
    expect(sequence.length).toBeGreaterThan(15);
    expect(sequence.filter((s) => s.endsWith('/instantiate'))).toHaveLength(1);
  });

  /** One fault at request `i` on a fresh tenant, then a clean re-run; returns "i:exit code". */
  async function faultAt(i: number, answer: 500 | 'reset'): Promise<string> {
    const graph = await startFakeGraph();
    const { dir, cleanup } = await tempDir('scim-entra-');
    const t = { graph, home: dir };
    const where = `${answer} at ${i} (${sequence[i - 1] ?? ''})`;
    try {
      const seen: string[] = [];
      const first = await entra(t, 'apply', [], { wrap: injector(t, i, answer, seen) });
      expect([0, 1, 3, 4], where).toContain(first.code);
      const second = await entra(t, 'apply');
      expect(second.code, `re-run after ${where}: ${second.stdout}`).toBe(0);
      expect(finalState(t.graph), where).toEqual(clean);
      expect(t.graph.specViolations, where).toEqual([]);
      expect(
        t.graph.requests.filter((q) => q.path.endsWith('/instantiate')).length,
        where,
      ).toBeLessThanOrEqual(2);
      return `${i}:${first.code}`;
    } finally {
      await graph.close();
      await cleanup();
    }
  }

  async function everyIndex(answer: 500 | 'reset'): Promise<string[]> {
    const outcomes: string[] = [];
    const batch = 8;
    for (let i = 1; i <= sequence.length; i += batch) {
      const indices = Array.from(
        { length: Math.min(batch, sequence.length - i + 1) },
        (_, k) => i + k,
      );
      outcomes.push(...(await Promise.all(indices.map((n) => faultAt(n, answer)))));
    }
    return outcomes;
  }

  it(
    'converges after a 500 at any request (the first apply stops, the re-run finishes)',
    { timeout: 60_000 },
    async () => {
      const started = Date.now();
      const outcomes = await everyIndex(500);
      expect(outcomes).toHaveLength(sequence.length);
      // A 500 is not retried by the client: each stops its apply with a typed error (or a failed check).
      expect(outcomes.every((o) => !o.endsWith(':0'))).toBe(true);
      expect(Date.now() - started).toBeLessThan(30_000);
    },
  );

  it(
    'converges after a reset socket at any request (idempotent calls are retried)',
    { timeout: 60_000 },
    async () => {
      const started = Date.now();
      const outcomes = await everyIndex('reset');
      expect(outcomes).toHaveLength(sequence.length);
      // GET and PUT are retried after a reset and succeed; a lost POST stops the apply.
      expect(outcomes.some((o) => o.endsWith(':0'))).toBe(true);
      expect(outcomes.some((o) => o.endsWith(':4'))).toBe(true);
      const lostPosts = outcomes
        .filter((o) => !o.endsWith(':0'))
        .map((o) => sequence[Number(o.split(':')[0]) - 1]);
      expect(lostPosts.every((r) => r?.startsWith('POST '))).toBe(true);
      expect(Date.now() - started).toBeLessThan(30_000);
    },
  );
});
