/**
 * `npm run bench:entra`: `entra apply` (the CLI, in process, real clock and HTTP client) against
 * the fake Graph and the fake dbt, with a fixed latency injected before every Graph answer.
 * Prints the requests made, the wall time, the lower bound (the calls that must run one after
 * another × the latency, plus Entra's replication wait) and the ratio, for a fresh tenant and
 * for a second, idempotent apply. Figures, not assertions.
 */
import { performance } from 'node:perf_hooks';
import { runCli } from '../electron/cli/run.js';
import type { CliIO } from '../electron/cli/spec.js';
import { DEFAULT_TIMING } from '../electron/core/entra/steps.js';
import { startFakeDbt } from '../test/fakes/dbt.js';
import { startFakeGraph } from '../test/fakes/graph.js';
import { tempDir } from '../test/helpers/temp.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const DBT_TOKEN = 'benchEntraScimToken0123456789abcdef';

/**
 * The dependency chain of a fresh tenant's apply: each call needs the answer of the one before
 * (calls that could go side by side count once).
 */
const FRESH_CHAIN = [
  'look the app up by name (service principals and applications side by side)',
  'instantiate the non-gallery template',
  ...Array.from(
    { length: DEFAULT_TIMING.replicationSuccesses },
    (_, i) => `replication read ${i + 1}`,
  ),
  'list the jobs (and the templates side by side)',
  'create the job',
  'validateCredentials (Test connection)',
  'PUT secrets',
  'GET schema',
  'PUT schema',
  'GET schema (compare)',
  'start the job',
  'GET job (watch)',
  'verify (every read side by side)',
];
const FRESH_WAIT_MS =
  (DEFAULT_TIMING.replicationSuccesses - 1) * DEFAULT_TIMING.replicationIntervalMs;

const SECOND_CHAIN = [
  'read the saved service principal',
  'list the jobs',
  'read secrets, schema and job side by side (plan)',
  'verify (every read side by side)',
];

const dbt = await startFakeDbt({ scimConfig: { enabled: true } });
dbt.createScimToken('bench', DBT_TOKEN);
const graph = await startFakeGraph();
graph.set({ latencyMs: LATENCY_MS });
const { dir, cleanup } = await tempDir('scim-bench-entra-');

async function apply(): Promise<{ code: number; ms: number; requests: number }> {
  graph.clearRequests();
  let stdout = '';
  const io: CliIO = {
    env: { DBT_SCIM_WIZARD_HOME: dir, GRAPH_ACCESS_TOKEN: graph.token, DBT_SCIM_TOKEN: DBT_TOKEN },
    stdout: (t) => (stdout += t),
    stderr: () => undefined,
    isTTY: false,
  };
  const started = performance.now();
  const code = await runCli(
    [
      'entra',
      'apply',
      '--graph-url',
      graph.graphUrl,
      '--dbt-scim-url',
      dbt.scimUrl,
      '--yes',
      '--json',
    ],
    io,
    { version: 'bench' },
  );
  const ms = performance.now() - started;
  if (code !== 0) {
    console.error(stdout);
    throw new Error(`entra apply exited ${code}`);
  }
  return { code, ms, requests: graph.requests.length };
}

const rows: string[][] = [];
const add = (name: string, r: { ms: number; requests: number }, chain: number, waitMs: number) => {
  const bound = chain * LATENCY_MS + waitMs;
  rows.push([
    name,
    String(r.requests),
    `${Math.round(r.ms)} ms`,
    `${chain} × ${LATENCY_MS} ms${waitMs ? ` + ${waitMs} ms` : ''} = ${bound} ms`,
    (r.ms / bound).toFixed(2),
  ]);
};

try {
  add('entra apply, fresh tenant', await apply(), FRESH_CHAIN.length, FRESH_WAIT_MS);
  add('entra apply, nothing to change', await apply(), SECOND_CHAIN.length, 0);
} finally {
  await graph.close();
  await dbt.close();
  await cleanup();
}

const header = ['run', 'requests', 'wall', 'lower bound', 'ratio'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
console.log(
  `entra apply against the fake Graph, ${LATENCY_MS} ms before every Graph answer, real clock`,
);
console.log(line(header));
for (const r of rows) {
  console.log(line(r));
}
console.log(
  `\nLower bound, fresh tenant: ${FRESH_CHAIN.length} calls that must follow one another (${FRESH_CHAIN.join('; ')}), plus ${FRESH_WAIT_MS} ms of replication wait (${DEFAULT_TIMING.replicationSuccesses} reads in a row, ${DEFAULT_TIMING.replicationIntervalMs} ms apart).`,
);
console.log(`Lower bound, nothing to change: ${SECOND_CHAIN.join('; ')}.`);
