/**
 * The Entra rotation end to end over loopback: the services, the engine, the state machine, the
 * real dbt and Graph adapters and HTTP client (no retries, so every injected failure lands),
 * against the fake dbt (Admin API + SCIM) and the fake Graph (whose validateCredentials really
 * calls the fake dbt). A FakeClock makes every wait instant.
 *
 * Fault injection: a clean rotation is recorded; then for every request index i of it, and for
 * each of a 500, a reset socket, a 429, and an answer lost after the server acted, a fresh rotation
 * fails exactly at request i. After the failure, Entra's saved SecretToken must be a token the fake
 * dbt accepts; a re-run (a new process: the new value is gone) must finish with exactly one token
 * left, the one Entra holds, the old one deleted and refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../electron/adapters/http/client.js';
import { WizardError } from '../../../electron/core/errors.js';
import { memoryLogger } from '../../../electron/core/logger.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../electron/core/ports.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { SECRET_DBT_API, SECRET_DBT_SCIM } from '../../../electron/services/dbt.js';
import { entraCliJournalId, staticTokenProvider } from '../../../electron/services/entra.js';
import { SECRET_DBT_SCIM_NEXT } from '../../../electron/services/rotation.js';
import type { RotateCliTarget } from '../../../electron/services/rotation.js';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { startFakeGraph, type FakeGraph } from '../../fakes/graph.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';

let dbt: FakeDbt;
let graph: FakeGraph;
let spId = '';
const homes: (() => Promise<void>)[] = [];
let tick = 0;
let oldCount = 0;

type Answer = 500 | 429 | 'reset' | 'lost';

/** Arms one failure at request `failAt` (counted over both fakes), or none. */
interface Plan {
  failAt?: number;
  answer?: Answer;
  seen: string[];
}

function faulty(inner: HttpClient, plan: Plan): HttpClient {
  return {
    async request(req: HttpRequest): Promise<HttpResponse> {
      const n = plan.seen.length;
      const url = new URL(req.url);
      plan.seen.push(`${req.method} ${url.pathname}`);
      const hit = n === plan.failAt ? plan.answer : undefined;
      const exact = new RegExp(`^${url.pathname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);
      if (hit !== undefined && hit !== 'lost') {
        const target = url.origin === dbt.apiUrl ? dbt : graph;
        if (hit === 429) {
          if (target === dbt) {
            dbt.rateLimitNext(1, 1);
          } else {
            graph.set({ rateLimitNext: { count: 1, retryAfterSeconds: 1 } });
          }
        } else {
          const match = { method: req.method, path: exact };
          if (target === dbt) {
            dbt.failNext(match, hit);
          } else {
            graph.failNext(match, hit);
          }
        }
      }
      const res = await inner.request(req);
      if (hit === 'lost') {
        throw new WizardError('network_reset', 'The connection was reset (injected).', {
          remediation: 'Try again.',
          retryable: true,
        });
      }
      return res;
    },
  };
}

function services(home: string, plan: Plan, face: 'cli' | 'bridge' = 'cli'): Services {
  const clock = new FakeClock();
  const { logger } = memoryLogger();
  const real = createHttpClient({ log: logger, clock, retry: { attempts: 1 } });
  return createServices({
    home,
    face,
    version: 'test',
    log: logger,
    clock,
    http: faulty(real, plan),
    graphToken: () => staticTokenProvider(graph.token),
  });
}

const secretToken = (): string | undefined =>
  graph.state.secrets.get(spId)?.find((s) => s.key === 'SecretToken')?.value;

const live = () => [...dbt.state.scimTokens.values()].filter((t) => !t.deleted);

/** A fresh start: one old token, which Entra holds. */
function reset(): { oldValue: string; oldId: number } {
  for (const t of dbt.state.scimTokens.values()) {
    t.deleted = true;
  }
  oldCount += 1;
  const oldValue = `PLANTEDoldScimToken${String(oldCount).padStart(4, '0')}abcdef0123456789`;
  dbt.createScimToken(`scim-entra-old-${oldCount}`, oldValue);
  const old = live()[0];
  if (!old) {
    throw new Error('no old token');
  }
  old.last_used = new Date(Date.parse('2026-11-20T00:00:00Z') + oldCount).toISOString();
  const saved = (graph.state.secrets.get(spId) ?? []).filter((s) => s.key !== 'SecretToken');
  graph.state.secrets.set(spId, [...saved, { key: 'SecretToken', value: oldValue }]);
  return { oldValue, oldId: old.id };
}

function target(oldValue: string, idp: 'entra' | 'okta' = 'entra'): RotateCliTarget {
  if (idp === 'okta') {
    return {
      idp,
      dbt: { apiUrl: dbt.apiUrl, accountId: dbt.accountId, apiToken: dbt.adminToken },
      scimUrl: dbt.scimUrl,
      oldValue,
    };
  }
  return {
    idp: 'entra',
    dbt: { apiUrl: dbt.apiUrl, accountId: dbt.accountId, apiToken: dbt.adminToken },
    scimUrl: dbt.scimUrl,
    oldValue,
    entra: {
      graphUrl: graph.graphUrl,
      appName: 'dbt SCIM',
      token: staticTokenProvider(graph.token),
    },
  };
}

async function newHome(): Promise<string> {
  const { dir, cleanup } = await tempDir('scim-rotate-');
  homes.push(cleanup);
  return dir;
}

async function refused(value: string): Promise<boolean> {
  const res = await fetch(`${dbt.scimUrl}/Users?count=1`, {
    headers: { authorization: `Bearer ${value}` },
  });
  return res.status === 401;
}

beforeAll(async () => {
  // dbt's clock moves one second per reading, so each use of a token moves its last_used.
  dbt = await startFakeDbt({
    scimConfig: { enabled: true },
    now: () => new Date(Date.parse('2026-11-29T10:00:00Z') + 1000 * tick++),
  });
  graph = await startFakeGraph();
  // Entra set up once, with a first token.
  const home = await newHome();
  const s = services(home, { seen: [] });
  dbt.createScimToken('scim-entra-setup', 'PLANTEDsetupScimToken0123456789abcdef');
  const jid = entraCliJournalId(graph.graphUrl, 'dbt SCIM');
  const r = await s.entra.runSetup(
    {
      graphUrl: graph.graphUrl,
      cloud: 'global',
      appName: 'dbt SCIM',
      token: staticTokenProvider(graph.token),
      store: s.entra.journalStateStore(jid),
      journalId: jid,
      dbt: { scimUrl: dbt.scimUrl, token: 'PLANTEDsetupScimToken0123456789abcdef' },
    },
    'apply',
  );
  expect(r.phase).toBe('verified');
  spId = r.saved.spId ?? '';
}, 60_000);

afterAll(async () => {
  await graph.close();
  await dbt.close();
  for (const c of homes) {
    await c();
  }
});

async function cleanRequests(): Promise<string[]> {
  const { oldValue } = reset();
  const plan: Plan = { seen: [] };
  const r = await services(await newHome(), plan).rotation.rotateCli(target(oldValue));
  expect(r.outcome).toBe('done');
  return plan.seen;
}

describe('Entra rotation over loopback', () => {
  it('rotates: one new token, in Entra, the old one deleted and refused', async () => {
    const { oldValue, oldId } = reset();
    const home = await newHome();
    const r = await services(home, { seen: [] }).rotation.rotateCli(target(oldValue));
    expect(r.outcome, r.error?.message).toBe('done');
    expect(live()).toHaveLength(1);
    expect(live()[0]?.value).toBe(secretToken());
    expect(live()[0]?.id).not.toBe(oldId);
    expect(await refused(oldValue)).toBe(true);
    expect(graph.specViolations).toEqual([]);
    // Entra really tested the new token against dbt before it was saved.
    expect(r.checks.every((c) => c.status === 'pass')).toBe(true);
    expect(r.chosen).toMatch(/the one in DBT_SCIM_TOKEN/);
  });

  const answers: Answer[] = [500, 'reset', 429, 'lost'];
  for (const answer of answers) {
    it(`keeps the invariant with a ${String(answer)} at every request, and a re-run finishes`, async () => {
      const clean = await cleanRequests();
      expect(clean.length).toBeGreaterThan(8);
      let failed = 0;
      for (let i = 0; i < clean.length; i++) {
        const { oldValue, oldId } = reset();
        const home = await newHome();
        const plan: Plan = { seen: [], failAt: i, answer };
        const where = `${String(answer)} at request ${i} (${clean[i] ?? '?'})`;
        const first = await services(home, plan)
          .rotation.rotateCli(target(oldValue))
          .catch((e: unknown) => ({ outcome: 'thrown' as const, error: e }));
        // The invariant, right after the failure: Entra holds a token dbt accepts.
        const held = secretToken();
        expect(
          live().some((t) => t.value === held),
          where,
        ).toBe(true);
        if (first.outcome !== 'done') {
          failed += 1;
          // A new process (the new token's value is gone) finishes the rotation.
          const again = await services(home, { seen: [] }).rotation.rotateCli(target(oldValue));
          expect(again.outcome, `${where}: ${again.error?.message ?? ''}`).toBe('done');
        }
        expect(live(), where).toHaveLength(1);
        expect(live()[0]?.value, where).toBe(secretToken());
        expect(dbt.state.scimTokens.get(oldId)?.deleted, where).toBe(true);
        expect(await refused(oldValue), where).toBe(true);
      }
      // Every failure landed, except where the SCIM probe's own second attempt overcame it.
      const probes = clean.filter((q) => q.startsWith('GET /api/scim/')).length;
      expect(failed).toBeGreaterThanOrEqual(clean.length - probes);
      expect(graph.specViolations).toEqual([]);
    }, 120_000);
  }
});

describe('Okta rotation over loopback', () => {
  /** What Okta holds: the old token until the admin pastes the new one. */
  let holds = '';
  /** The admin pastes the new token and clicks "Test Connector Configuration". */
  async function pasteAndTest(oldId: number): Promise<void> {
    const fresh = live().find((t) => t.id !== oldId);
    if (!fresh) {
      throw new Error('no new token');
    }
    holds = fresh.value;
    const res = await fetch(`${dbt.scimUrl}/Users?count=1`, {
      headers: { authorization: `Bearer ${holds}` },
    });
    expect(res.status).toBe(200);
  }

  async function rotation(home: string, plan: Plan, oldValue: string) {
    return services(home, plan)
      .rotation.rotateCli(target(oldValue, 'okta'))
      .catch((e: unknown) => ({ outcome: 'thrown' as const, error: e }));
  }

  it('keeps the invariant with a failure at every request of both runs, and finishes', async () => {
    // A clean rotation: pending at the paste, then done once Okta used the new token.
    const c = reset();
    holds = c.oldValue;
    const cleanHome = await newHome();
    const firstSeen: Plan = { seen: [] };
    expect((await rotation(cleanHome, firstSeen, c.oldValue)).outcome).toBe('pending');
    await pasteAndTest(c.oldId);
    const secondSeen: Plan = { seen: [] };
    expect((await rotation(cleanHome, secondSeen, c.oldValue)).outcome).toBe('done');
    const runs = [firstSeen.seen.length, secondSeen.seen.length];

    for (const answer of [500, 'reset', 429, 'lost'] as const) {
      for (const [run, count] of runs.entries()) {
        for (let i = 0; i < count; i++) {
          const { oldValue, oldId } = reset();
          holds = oldValue;
          const home = await newHome();
          const where = `${String(answer)} at request ${i} of run ${run + 1}`;
          const fault: Plan = { seen: [], failAt: i, answer };
          if (run === 0) {
            const first = await rotation(home, fault, oldValue);
            expect(
              live().some((t) => t.value === holds),
              where,
            ).toBe(true);
            expect(dbt.state.scimTokens.get(oldId)?.deleted, where).toBe(false);
            if (first.outcome !== 'pending') {
              expect((await rotation(home, { seen: [] }, oldValue)).outcome, where).toBe('pending');
            }
            await pasteAndTest(oldId);
            expect((await rotation(home, { seen: [] }, oldValue)).outcome, where).toBe('done');
          } else {
            expect((await rotation(home, { seen: [] }, oldValue)).outcome, where).toBe('pending');
            await pasteAndTest(oldId);
            const second = await rotation(home, fault, oldValue);
            expect(
              live().some((t) => t.value === holds),
              where,
            ).toBe(true);
            if (second.outcome !== 'done') {
              expect((await rotation(home, { seen: [] }, oldValue)).outcome, where).toBe('done');
            }
          }
          expect(
            live().map((t) => t.value),
            where,
          ).toEqual([holds]);
          expect(await refused(oldValue), where).toBe(true);
        }
      }
    }
  }, 120_000);
});

describe('the wizard’s rotation (per profile)', () => {
  it('rotates Entra, then the saved token, its id and Entra’s fingerprint are the new ones', async () => {
    const { oldValue, oldId } = reset();
    const s = services(await newHome(), { seen: [] }, 'bridge');
    const p = await s.profiles.create({ name: 'Acme', idp: 'entra' });
    await s.profiles.update(p.id, {
      dbt: {
        apiUrl: dbt.apiUrl,
        accountId: dbt.accountId,
        scimUrl: dbt.scimUrl,
        scimTokenId: oldId,
        scimTokenName: 'old',
      },
      entra: { cloud: 'global', graphUrl: graph.graphUrl, appName: 'dbt SCIM' },
    });
    await s.secrets.set(p.id, SECRET_DBT_API, dbt.adminToken);
    await s.secrets.set(p.id, SECRET_DBT_SCIM, oldValue);
    const r = await s.rotation.rotate(p.id);
    expect(r.outcome, r.error?.message).toBe('done');
    const fresh = live()[0];
    expect(live()).toHaveLength(1);
    expect(await s.secrets.get(p.id, SECRET_DBT_SCIM)).toBe(fresh?.value);
    expect(await s.secrets.get(p.id, SECRET_DBT_SCIM_NEXT)).toBeUndefined();
    const after = await s.profiles.get(p.id);
    expect(after.dbt).toMatchObject({ scimTokenId: fresh?.id, scimTokenName: fresh?.name });
    expect(after.steps.rotation.status).toBe('verified');
    // Entra's own verify agrees: it holds the saved (new) token.
    const verify = await s.entra.run(p.id, 'verify');
    const saved = verify.checks.find((c) => c.id === 'credentials.saved');
    expect(saved?.status, saved?.message).toBe('pass');
    expect(await s.rotation.history(p.id)).toMatchObject([
      { outcome: 'done', oldTokenId: oldId, newTokenId: fresh?.id },
    ]);
  });
});
