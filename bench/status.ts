/**
 * `npm run bench:status`: the health check and the setup report.
 *  - `status` (the CLI, in process, real clock and HTTP client) on an Entra setup against the fake
 *    Graph and the fake dbt, each answering after a fixed latency: requests to each, wall time,
 *    for a first run and a second one;
 *  - the report built from a long journal (a year of daily checks and applies): time and size.
 * Figures, not assertions.
 */
import { performance } from 'node:perf_hooks';
import { runCli } from '../electron/cli/run.js';
import type { CliIO } from '../electron/cli/spec.js';
import type { JournalEntry } from '../electron/core/ports.js';
import { buildReport } from '../electron/core/report/build.js';
import { startFakeDbt } from '../test/fakes/dbt.js';
import { startFakeGraph } from '../test/fakes/graph.js';
import { tempDir } from '../test/helpers/temp.js';
import { sampleInput, sampleJournal } from '../test/unit/report/fixture.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const SCIM_TOKEN = 'benchStatusScimToken0123456789abcdef';

const dbt = await startFakeDbt({ scimConfig: { enabled: true }, sso: 'azure_active_directory' });
dbt.createScimToken('bench', SCIM_TOKEN);
const graph = await startFakeGraph();
const { dir, cleanup } = await tempDir('scim-bench-status-');

async function cli(args: string[]): Promise<{ code: number; ms: number; out: string }> {
  let out = '';
  const io: CliIO = {
    env: {
      DBT_SCIM_WIZARD_HOME: dir,
      GRAPH_ACCESS_TOKEN: graph.token,
      DBT_SCIM_TOKEN: SCIM_TOKEN,
      DBT_API_TOKEN: dbt.adminToken,
    },
    stdout: (t) => (out += t),
    stderr: (t) => (out += t),
    isTTY: false,
  };
  const started = performance.now();
  const code = await runCli(args, io, { version: 'bench' });
  return { code, ms: performance.now() - started, out };
}

const rows: string[][] = [];
try {
  const setup = await cli([
    'entra',
    'apply',
    '--graph-url',
    graph.graphUrl,
    '--dbt-scim-url',
    dbt.scimUrl,
    '--yes',
    '--json',
  ]);
  if (setup.code !== 0) {
    throw new Error(`entra apply exited ${setup.code}: ${setup.out}`);
  }
  graph.set({ latencyMs: LATENCY_MS });
  dbt.set({ latencyMs: LATENCY_MS });
  for (const name of ['status, first run', 'status, second run']) {
    graph.clearRequests();
    dbt.clearRequests();
    const r = await cli([
      'status',
      '--graph-url',
      graph.graphUrl,
      '--dbt-scim-url',
      dbt.scimUrl,
      '--dbt-api-url',
      dbt.apiUrl,
      '--dbt-account-id',
      String(dbt.accountId),
      '--json',
    ]);
    if (r.code > 1) {
      throw new Error(`status exited ${r.code}: ${r.out}`);
    }
    rows.push([
      name,
      `exit ${r.code}`,
      String(graph.requests.length),
      String(dbt.requests.length),
      `${Math.round(r.ms)} ms`,
    ]);
  }
} finally {
  await graph.close();
  await dbt.close();
  await cleanup();
}

const header = ['run', 'result', 'Graph requests', 'dbt requests', 'wall'];
const table = (head: string[], body: string[][]) => {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  console.log(line(head));
  for (const r of body) {
    console.log(line(r));
  }
};
console.log(
  `status on an Entra setup, ${LATENCY_MS} ms before every Graph and dbt answer, real clock`,
);
table(header, rows);

// The report from a long journal: a year of daily runs (each run: the sample's entries).
const reportRows: string[][] = [];
for (const days of [1, 30, 365]) {
  const journal: JournalEntry[] = [];
  for (let d = 0; d < days; d++) {
    for (const e of sampleJournal()) {
      journal.push({ ...e, runId: `${e.runId}-${d}` });
    }
  }
  const input = sampleInput({ journal });
  buildReport(input); // warm up
  const started = performance.now();
  const built = buildReport(input);
  const ms = performance.now() - started;
  reportRows.push([
    `${days} ${days === 1 ? 'day' : 'days'}`,
    String(journal.length),
    `${Math.round(ms)} ms`,
    `${Math.round(built.markdown.length / 1024)} KiB`,
    `${Math.round(built.html.length / 1024)} KiB`,
  ]);
}
console.log('\nThe setup report from a journal of daily runs (build: Markdown, HTML, JSON, scans)');
table(['journal', 'entries', 'build', 'Markdown', 'HTML'], reportRows);
