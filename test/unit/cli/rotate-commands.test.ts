/**
 * `rotate --idp okta|entra` as CLI.md says: Entra headless (exit 0), Okta stopping at the console
 * step without a terminal (exit 1) and resuming from the journal once dbt sees Okta use the new
 * token; bad input exits 2 with nothing sent; the new token is never printed nor written to the
 * journal or the rotation history.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { startFakeGraph, type FakeGraph } from '../../fakes/graph.js';
import { cli, type CliRun } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';

const OLD = 'PLANTEDrotateOldScim7c1e4a9b2d5f8036';
let dbt: FakeDbt;
let graph: FakeGraph | undefined;
let home: string;
let cleanup: () => Promise<void>;
let tick = 0;

beforeEach(async () => {
  // dbt's clock moves one second per reading, so each use of a token moves its last_used.
  dbt = await startFakeDbt({
    scimConfig: { enabled: true },
    now: () => new Date(Date.parse('2026-11-29T10:00:00Z') + 1000 * tick++),
  });
  dbt.createScimToken('scim-current', OLD);
  const old = dbt.state.scimTokens.get(oldId());
  if (old) {
    old.last_used = '2026-11-28T08:00:00.000Z';
  }
  ({ dir: home, cleanup } = await tempDir());
});
afterEach(async () => {
  await dbt.close();
  await graph?.close();
  graph = undefined;
  await cleanup();
});

function oldId(): number {
  const t = [...dbt.state.scimTokens.values()].find((x) => x.value === OLD);
  return t?.id ?? -1;
}
const live = () => [...dbt.state.scimTokens.values()].filter((t) => !t.deleted);
const newToken = () => live().find((t) => t.value !== OLD);

function env(extra: Record<string, string | undefined> = {}) {
  return {
    DBT_SCIM_WIZARD_HOME: home,
    DBT_API_TOKEN: dbt.adminToken,
    DBT_SCIM_TOKEN: OLD,
    ...extra,
  };
}
const dbtArgs = () => [
  '--dbt-api-url',
  dbt.apiUrl,
  '--dbt-account-id',
  String(dbt.accountId),
  '--dbt-scim-url',
  dbt.scimUrl,
];
const oktaArgs = (...extra: string[]) => [
  'rotate',
  '--idp',
  'okta',
  ...dbtArgs(),
  '--okta-org',
  'https://acme.okta.com',
  '--okta-app',
  'dbt Cloud',
  ...extra,
];

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      out.push(...(await filesUnder(p)));
    } else {
      out.push(p);
    }
  }
  return out;
}

/** No token value in the output, the journal or the history (the admin token neither). */
async function noSecrets(...runs: CliRun[]): Promise<void> {
  const values = [...dbt.state.scimTokens.values()].map((t) => t.value);
  values.push(dbt.adminToken, ...(graph ? [graph.token] : []));
  const files = await filesUnder(home);
  const texts = [
    ...runs.map((r) => r.stdout + r.stderr),
    ...(await Promise.all(files.map((f) => readFile(f, 'utf8')))),
  ];
  for (const text of texts) {
    for (const v of values) {
      expect(text).not.toContain(v);
    }
  }
}

async function history(id: string) {
  const path = join(home, 'rotation', `${id}.json`);
  const mode = (await stat(path)).mode & 0o777;
  const doc = JSON.parse(await readFile(path, 'utf8')) as {
    entries: { outcome: string; newTokenId?: number; oldTokenId?: number; stage: string }[];
  };
  return { mode, entries: doc.entries };
}

describe('rotate --idp entra', () => {
  async function setUpEntra(): Promise<string[]> {
    graph = await startFakeGraph({ token: 'PLANTEDgraphRotate.eyJ0eXAiOiJKV1Qi.sig0123456789' });
    const r = await cli(
      ['entra', 'apply', '--yes', '--graph-url', graph.graphUrl, '--dbt-scim-url', dbt.scimUrl],
      { DBT_SCIM_WIZARD_HOME: home, GRAPH_ACCESS_TOKEN: graph.token, DBT_SCIM_TOKEN: OLD },
    );
    expect(r.code).toBe(0);
    return ['rotate', '--idp', 'entra', ...dbtArgs(), '--graph-url', graph.graphUrl];
  }
  const entraSecret = (): string | undefined =>
    [...(graph?.state.secrets.values() ?? [])].flat().find((s) => s.key === 'SecretToken')?.value;

  it('rotates headless: exit 0, one JSON document, the old token deleted and refused', async () => {
    const args = await setUpEntra();
    const old = oldId();
    const r = await cli([...args, '--json'], env({ GRAPH_ACCESS_TOKEN: graph?.token ?? '' }));
    expect(r.code, r.stdout).toBe(0);
    expect(r.json).toMatchObject({ ok: true, command: 'rotate' });
    const checks = r.json?.checks as { id: string; status: string }[];
    expect(checks.map((c) => [c.id, c.status])).toEqual([
      ['rotation.created', 'pass'],
      ['rotation.checked', 'pass'],
      ['rotation.installed', 'pass'],
      ['rotation.proven', 'pass'],
      ['rotation.old-deleted', 'pass'],
      ['rotation.old-refused', 'pass'],
    ]);
    const fresh = newToken();
    expect(live()).toEqual([fresh]);
    expect(entraSecret()).toBe(fresh?.value);
    expect(r.json?.data).toMatchObject({
      idp: 'entra',
      outcome: 'done',
      oldToken: { id: old, name: 'scim-current' },
      newToken: { id: fresh?.id, name: 'scim-entra-2026-11-29' },
    });
    const h = await history(`cli-rotate-entra-${dbt.accountId}`);
    expect(h.mode).toBe(0o600);
    expect(h.entries).toMatchObject([
      { outcome: 'done', stage: 'done', oldTokenId: old, newTokenId: fresh?.id },
    ]);
    // `entra verify` with the new token finds Entra's credentials as expected.
    const verify = await cli(
      ['entra', 'verify', '--graph-url', graph?.graphUrl ?? '', '--dbt-scim-url', dbt.scimUrl],
      {
        DBT_SCIM_WIZARD_HOME: home,
        GRAPH_ACCESS_TOKEN: graph?.token,
        DBT_SCIM_TOKEN: fresh?.value,
      },
    );
    expect(verify.code, verify.stdout).toBe(0);
    await noSecrets(r);
  });

  it('reads the SCIM URL Entra holds when --dbt-scim-url is not given (CLI.md’s flags only)', async () => {
    const full = await setUpEntra();
    const at = full.indexOf('--dbt-scim-url');
    const args = [...full.slice(0, at), ...full.slice(at + 2)];
    expect(args).not.toContain('--dbt-scim-url');
    const r = await cli([...args, '--json'], env({ GRAPH_ACCESS_TOKEN: graph?.token ?? '' }));
    expect(r.code, r.stdout).toBe(0);
    const fresh = newToken();
    expect(live()).toEqual([fresh]);
    expect(entraSecret()).toBe(fresh?.value);
  });

  it('keeps the old token with --keep-old and says it still works', async () => {
    const args = await setUpEntra();
    const r = await cli([...args, '--keep-old'], env({ GRAPH_ACCESS_TOKEN: graph?.token ?? '' }));
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('it still works until you delete it');
    expect(live()).toHaveLength(2);
    expect(entraSecret()).toBe(newToken()?.value);
    await noSecrets(r);
  });

  it('fails with exit 4 when Entra refuses the update, leaving the old token working', async () => {
    const args = await setUpEntra();
    graph?.failNext({ method: 'PUT', path: /synchronization\/secrets$/ }, 500);
    const r = await cli(args, env({ GRAPH_ACCESS_TOKEN: graph?.token ?? '' }));
    expect(r.code, r.stderr).toBe(4);
    expect(entraSecret()).toBe(OLD);
    expect(dbt.state.scimTokens.get(oldId())?.deleted).toBe(false);
    expect(r.stderr).toContain('is still in place and working');
    // The re-run finishes.
    const again = await cli(args, env({ GRAPH_ACCESS_TOKEN: graph?.token ?? '' }));
    expect(again.code, again.stdout).toBe(0);
    expect(live()).toHaveLength(1);
    await noSecrets(r, again);
  });
});

describe('rotate --idp okta', () => {
  it('stops at the console step (exit 1) and finishes once Okta used the new token', async () => {
    const first = await cli(oktaArgs('--json'), env());
    expect(first.code, first.stdout).toBe(1);
    expect(first.json).toMatchObject({
      ok: false,
      data: { idp: 'okta', outcome: 'pending', stage: 'installed' },
    });
    const checks = first.json?.checks as { id: string; status: string }[];
    expect(checks.find((c) => c.id === 'rotation.installed')?.status).toBe('pending');
    expect(checks.find((c) => c.id === 'rotation.proven')?.status).toBe('pending');
    expect(dbt.state.scimTokens.get(oldId())?.deleted).toBe(false);
    const unseen = newToken();
    expect(unseen).toBeDefined();
    expect(first.json?.data).toMatchObject({ newToken: { id: unseen?.id } });

    // Not yet: the value was never shown (no terminal), so nobody can have pasted it: a re-run
    // replaces that token with another (never a second one) and stays pending.
    const waiting = await cli(oktaArgs(), env());
    expect(waiting.code).toBe(1);
    expect(waiting.stdout).toContain('Test Connector Configuration');
    expect(waiting.stdout).toContain('--reveal');
    const fresh = newToken();
    expect(fresh?.id).not.toBe(unseen?.id);
    expect(live()).toHaveLength(2);

    // Okta's "Test Connector Configuration" with the pasted token.
    const res = await fetch(`${dbt.scimUrl}/Users?count=1`, {
      headers: { authorization: `Bearer ${fresh?.value ?? ''}` },
    });
    expect(res.status).toBe(200);

    const done = await cli(oktaArgs('--json'), env());
    expect(done.code, done.stdout).toBe(0);
    expect(done.json).toMatchObject({ ok: true, data: { outcome: 'done', resumed: true } });
    expect(live().map((t) => t.id)).toEqual([fresh?.id]);
    const refused = await fetch(`${dbt.scimUrl}/Users?count=1`, {
      headers: { authorization: `Bearer ${OLD}` },
    });
    expect(refused.status).toBe(401);
    const h = await history(`cli-rotate-okta-${dbt.accountId}`);
    expect(h.entries).toHaveLength(1);
    expect(h.entries[0]).toMatchObject({ outcome: 'done', newTokenId: fresh?.id });
    await noSecrets(first, waiting, done);
  });

  it('on a terminal with --reveal shows the new token once, then waits for it', async () => {
    const asked: string[] = [];
    const tty = {
      isTTY: true,
      confirm: (q: string) => {
        asked.push(q);
        return Promise.resolve(false);
      },
    };
    const first = await cli(oktaArgs('--reveal'), env(), tty);
    expect(first.code).toBe(1);
    const shown = newToken();
    expect(first.stdout.split(shown?.value ?? '?')).toHaveLength(2);
    expect(asked).toHaveLength(1);
    // Handed over: a later run never replaces it; it waits for Okta's call.
    const waiting = await cli(oktaArgs(), env());
    expect(waiting.code).toBe(1);
    expect(newToken()?.id).toBe(shown?.id);
    await fetch(`${dbt.scimUrl}/Users?count=1`, {
      headers: { authorization: `Bearer ${shown?.value ?? ''}` },
    });
    const done = await cli(oktaArgs(), env());
    expect(done.code, done.stdout).toBe(0);
    expect(live().map((t) => t.id)).toEqual([shown?.id]);
    await noSecrets(waiting, done);
  });

  it('chooses the most recently used token without DBT_SCIM_TOKEN, and says so', async () => {
    const r = await cli(oktaArgs(), env({ DBT_SCIM_TOKEN: undefined }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      `The old token is "scim-current" (id ${oldId()}), the most recently used one`,
    );
  });

  it('refuses with exit 2 when the old token is ambiguous, changing nothing', async () => {
    dbt.createScimToken('scim-other', 'PLANTEDotherScimToken0123456789abcdef');
    const other = live().find((t) => t.name === 'scim-other');
    if (other) {
      other.last_used = '2026-11-29T09:00:00.000Z';
    }
    const r = await cli(oktaArgs('--json'), env({ DBT_SCIM_TOKEN: undefined }));
    expect(r.code).toBe(2);
    expect(r.json?.error).toMatchObject({ code: 'bad_input' });
    expect(dbt.requests.every((q) => q.method === 'GET')).toBe(true);
    expect(live()).toHaveLength(2);
  });
});

describe('rotate: bad input', () => {
  const cases: [string, string[], Record<string, string | undefined>][] = [
    ['no --idp', ['rotate', ...['--dbt-api-url', 'x']], {}],
    ['an unknown --idp', ['rotate', '--idp', 'google'], {}],
    ['a bad --old-token-id', ['--old-token-id', 'abc'], {}],
    ['no DBT_API_TOKEN', [], { DBT_API_TOKEN: undefined }],
    ['no --dbt-scim-url', ['--dbt-scim-url', ''], {}],
    ['--reveal without a terminal', ['--reveal'], {}],
    ['an unknown flag', ['--force'], {}],
  ];
  for (const [what, extra, vars] of cases) {
    it(`exits 2 with nothing sent: ${what}`, async () => {
      const args = extra[0] === 'rotate' ? extra : oktaArgs(...extra);
      const r = await cli([...args, '--json'], env(vars));
      expect(r.code, r.stdout).toBe(2);
      expect(r.json).toMatchObject({ ok: false, error: { code: 'bad_input' } });
      expect(dbt.requests).toEqual([]);
    });
  }

  it('exits 2 for Entra without GRAPH_ACCESS_TOKEN, with nothing sent', async () => {
    const r = await cli(
      ['rotate', '--idp', 'entra', ...dbtArgs(), '--graph-url', 'http://127.0.0.1:9/v1.0'],
      env(),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('GRAPH_ACCESS_TOKEN is not set');
    expect(dbt.requests).toEqual([]);
  });
});
