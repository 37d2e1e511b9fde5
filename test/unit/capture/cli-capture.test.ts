/**
 * `capture` through the real CLI runner against the loopback fakes (dbt, Okta, Graph): it sends
 * only GET requests, writes the redacted folder and exits 0; a second run into the same folder
 * exits 2 and sends nothing; sides without their inputs are skipped with a line. The recording
 * client refuses anything but GET before it is sent.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CaptureIndex } from '../../../electron/core/capture/folder.js';
import type { CapturedExchange } from '../../../electron/core/capture/exchange.js';
import type { HttpClient, HttpRequest, HttpResponse } from '../../../electron/core/ports.js';
import {
  CaptureWriteRefusedError,
  createRecordingClient,
} from '../../../electron/services/capture.js';
import { ProfileStore } from '../../../electron/core/store/profiles.js';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { startFakeGraph, type FakeGraph } from '../../fakes/graph.js';
import { startFakeOkta, type FakeOkta } from '../../fakes/okta.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';

const SCIM_TOKEN = 'PLANTEDcaptureScimToken7c1e9a3b5d';
const GRAPH_TOKEN = 'PLANTEDcaptureGraph.eyJ0eXAiOiJKV1Qi.sig98765432101234';

let dbt: FakeDbt;
let okta: FakeOkta;
let graph: FakeGraph;
let home: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  dbt = await startFakeDbt({ scimConfig: { enabled: true } });
  dbt.createScimToken('scim-okta', SCIM_TOKEN);
  okta = await startFakeOkta({ scimTarget: { url: dbt.scimUrl, token: SCIM_TOKEN } });
  graph = await startFakeGraph({ token: GRAPH_TOKEN });
  ({ dir: home, cleanup } = await tempDir('scim-capture-cli-'));
});
afterEach(async () => {
  await okta.close().catch(() => undefined);
  await graph.close();
  await dbt.close();
  await cleanup();
});

function env(extra: Record<string, string | undefined> = {}) {
  return {
    DBT_SCIM_WIZARD_HOME: home,
    DBT_SCIM_TOKEN: SCIM_TOKEN,
    DBT_API_TOKEN: dbt.adminToken,
    OKTA_API_TOKEN: okta.apiToken,
    GRAPH_ACCESS_TOKEN: GRAPH_TOKEN,
    ...extra,
  };
}

const everyFlag = (out: string, ...extra: string[]) => [
  'capture',
  '--out',
  out,
  '--dbt-scim-url',
  dbt.scimUrl,
  '--dbt-api-url',
  dbt.apiUrl,
  '--dbt-account-id',
  String(dbt.accountId),
  '--okta-org',
  okta.url,
  '--okta-app',
  'dbt Cloud',
  '--graph-url',
  graph.graphUrl,
  ...extra,
];

async function folder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of await readdir(dir)) {
    files.set(name, await readFile(join(dir, name), 'utf8'));
  }
  return files;
}

function writesSeen(): number {
  return (
    dbt.requests.filter((r) => r.method !== 'GET').length +
    okta.requests.filter((r) => r.method !== 'GET').length +
    graph.requests.filter((r) => r.method !== 'GET').length
  );
}

describe('capture (CLI)', () => {
  it('records every side with GET only, writes the redacted folder and exits 0', async () => {
    // An Entra app to read: set up by the CLI itself, then forget its requests.
    const setup = await cli(
      ['entra', 'apply', '--yes', '--graph-url', graph.graphUrl, '--dbt-scim-url', dbt.scimUrl],
      env(),
    );
    expect(setup.code).toBe(0);
    dbt.clearRequests();
    okta.clearRequests();
    graph.clearRequests();

    const out = join(home, 'capture');
    const r = await cli(everyFlag(out, '--json'), env());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(writesSeen()).toBe(0);
    expect(r.json?.ok).toBe(true);
    expect(r.json?.checks).toEqual([
      { id: 'capture.dbt-scim', status: 'pass', message: expect.any(String) as string },
      { id: 'capture.dbt-admin', status: 'pass', message: expect.any(String) as string },
      { id: 'capture.okta', status: 'pass', message: expect.any(String) as string },
      { id: 'capture.entra', status: 'pass', message: expect.any(String) as string },
    ]);

    const files = await folder(out);
    const index = JSON.parse(files.get('index.json') ?? '') as CaptureIndex;
    expect(files.has('README.txt')).toBe(true);
    // The version the services report (the test helper builds them as version 'test').
    expect(index.version).toBe('test');
    expect(index.sides.map((s) => [s.id, s.status])).toEqual([
      ['dbt-scim', 'captured'],
      ['dbt-admin', 'captured'],
      ['okta', 'captured'],
      ['entra', 'captured'],
    ]);
    expect(files.size).toBe(index.exchanges.length + 2);
    const paths = index.exchanges.map((e) => new URL(e.url).pathname);
    // The reads of each side: the SCIM probe, the Admin API, Okta's app and schema, Entra's job.
    expect(paths.some((p) => p.endsWith('/Users'))).toBe(true);
    expect(paths.some((p) => p.endsWith('/scim-config/tokens/'))).toBe(true);
    expect(paths.some((p) => p.endsWith('/license-maps/'))).toBe(true);
    // (Okta ids are numbered in the order they are first seen, which follows the org's own ids.)
    expect(
      paths.some((p) => /^\/api\/v1\/meta\/schemas\/apps\/0oaPLACEHOLDER\d{4}\/default$/.test(p)),
    ).toBe(true);
    expect(paths.some((p) => p.endsWith('/synchronization/secrets'))).toBe(true);
    expect(paths.some((p) => /\/synchronization\/jobs\/[^/]+\/schema$/.test(p))).toBe(true);
    // Entra's saved credentials come out as <secret>.
    const secretsFile = index.exchanges.find((e) => e.url.endsWith('/synchronization/secrets'));
    const secrets = JSON.parse(files.get(secretsFile?.file ?? '') ?? '') as CapturedExchange;
    const pairs = (secrets.body as { value: { key: string; value: string }[] }).value;
    expect(pairs.length).toBeGreaterThan(0);
    expect(pairs.every((p) => p.value === '<secret>')).toBe(true);
    // The account id of the fake becomes the first numeric placeholder.
    expect(paths.some((p) => p.includes('/accounts/1000001/'))).toBe(true);

    for (const [name, text] of files) {
      for (const secret of [SCIM_TOKEN, dbt.adminToken, okta.apiToken, GRAPH_TOKEN, 'PLANTED']) {
        expect(text, name).not.toContain(secret);
      }
      expect(text).not.toContain(`/accounts/${dbt.accountId}/`);
      expect(text.toLowerCase()).not.toContain('authorization');
      for (const email of text.match(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g) ?? []) {
        expect(email).toMatch(/^user(?:\d+|N)@example\.test$/);
      }
      if (name !== 'README.txt') {
        // Every file still parses: a fixture.
        expect(() => JSON.parse(text) as unknown).not.toThrow();
      }
      if (/^\d{3}-/.test(name)) {
        expect(name).toMatch(/^\d{3}-get-[a-z0-9-]+\.json$/);
      }
    }
    expect(r.stdout).not.toContain(SCIM_TOKEN);

    // A second run into the same folder: bad input, nothing sent, nothing changed.
    dbt.clearRequests();
    okta.clearRequests();
    graph.clearRequests();
    const again = await cli(everyFlag(out), env());
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is not empty');
    expect(dbt.requests.length + okta.requests.length + graph.requests.length).toBe(0);
    expect((await folder(out)).size).toBe(files.size);
  });

  it('skips the sides without their inputs, each with a line', async () => {
    const out = join(home, 'dbt-only');
    const r = await cli(
      ['capture', '--out', out, '--dbt-scim-url', dbt.scimUrl],
      env({ DBT_API_TOKEN: undefined, OKTA_API_TOKEN: undefined, GRAPH_ACCESS_TOKEN: undefined }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('PASS    dbt SCIM API: ');
    expect(r.stdout).toContain(
      'SKIP    dbt Admin API: skipped (needs --dbt-api-url, --dbt-account-id and DBT_API_TOKEN).',
    );
    expect(r.stdout).toContain(
      'SKIP    Okta: skipped (needs --okta-org, --okta-app and OKTA_API_TOKEN or OKTA_ACCESS_TOKEN).',
    );
    expect(r.stdout).toContain('SKIP    Microsoft Entra ID: skipped (needs GRAPH_ACCESS_TOKEN).');
    expect(okta.requests.length + graph.requests.length).toBe(0);
    expect((await folder(out)).has('index.json')).toBe(true);
  });

  it('takes the URLs and the account id from --profile (by name), the tokens from the environment', async () => {
    const store = new ProfileStore(home, () => new Date('2026-11-29T10:00:00Z'));
    const profile = await store.create({ name: 'Acme dbt', idp: 'okta' });
    await store.update(profile.id, {
      dbt: { apiUrl: dbt.apiUrl, accountId: dbt.accountId, scimUrl: dbt.scimUrl },
    });
    const out = join(home, 'from-profile');
    const r = await cli(
      ['capture', '--out', out, '--profile', 'acme DBT', '--json'],
      env({ OKTA_API_TOKEN: undefined, GRAPH_ACCESS_TOKEN: undefined }),
    );
    expect(r.code).toBe(0);
    const status = Object.fromEntries(
      (r.json?.checks as { id: string; status: string }[]).map((c) => [c.id, c.status]),
    );
    expect(status).toEqual({
      'capture.dbt-scim': 'pass',
      'capture.dbt-admin': 'pass',
      'capture.okta': 'skip',
      'capture.entra': 'skip',
    });
    expect(dbt.requests.length).toBeGreaterThan(0);
    expect(dbt.requests.every((q) => q.method === 'GET')).toBe(true);

    const unknown = await cli(['capture', '--out', join(home, 'x'), '--profile', 'nope'], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('There is no saved profile "nope"');
  });

  it('is bad input (exit 2, nothing sent) without --out, or when no side has its inputs', async () => {
    const noOut = await cli(['capture', '--dbt-scim-url', dbt.scimUrl], env());
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--out is missing.');
    const nothing = await cli(['capture', '--out', join(home, 'empty')], {
      DBT_SCIM_WIZARD_HOME: home,
    });
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain('Nothing to capture');
    expect(dbt.requests.length + okta.requests.length + graph.requests.length).toBe(0);
    await expect(readdir(join(home, 'empty'))).rejects.toThrow();
  });
});

describe('the recording client', () => {
  const answer: HttpResponse = {
    status: 200,
    headers: { 'content-type': 'application/json' },
    url: 'http://127.0.0.1:9/api/thing',
    text: '{"a":1}',
    json: { a: 1 },
  };

  it('refuses every method but GET before it reaches the network, with a typed error', async () => {
    const sent: HttpRequest[] = [];
    const inner: HttpClient = {
      request: (req) => {
        sent.push(req);
        return Promise.resolve(answer);
      },
    };
    const rec = createRecordingClient(inner);
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      const err = await rec
        .request({ method, url: 'http://127.0.0.1:9/api/thing', json: { x: 1 } })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CaptureWriteRefusedError);
      expect(err).toMatchObject({ code: 'internal' });
      expect((err as Error).message).toContain(`a ${method} request`);
    }
    expect(sent).toEqual([]);
    expect(rec.exchanges).toEqual([]);
  });

  it('passes GET through and records the exchange, failures included', async () => {
    let fail = false;
    const inner: HttpClient = {
      request: () => (fail ? Promise.reject(new Error('socket hang up')) : Promise.resolve(answer)),
    };
    const rec = createRecordingClient(inner);
    const res = await rec.request({
      method: 'GET',
      url: 'http://127.0.0.1:9/api/thing',
      headers: { Authorization: 'Bearer x' },
      label: 'thing',
    });
    expect(res).toBe(answer);
    fail = true;
    await expect(
      rec.request({ method: 'GET', url: 'http://127.0.0.1:9/api/other' }),
    ).rejects.toThrow('socket hang up');
    expect(rec.exchanges).toEqual([
      {
        method: 'GET',
        url: 'http://127.0.0.1:9/api/thing',
        status: 200,
        requestHeaders: { Authorization: 'Bearer x' },
        responseHeaders: { 'content-type': 'application/json' },
        body: { a: 1 },
        label: 'thing',
      },
      {
        method: 'GET',
        url: 'http://127.0.0.1:9/api/other',
        status: 0,
        requestHeaders: {},
        responseHeaders: {},
        body: null,
        error: { code: 'internal', message: expect.any(String) as string },
      },
    ]);
  });
});
