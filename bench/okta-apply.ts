/**
 * `npm run bench:okta`: `okta apply` and `okta verify` (the CLI, in process, real clock and HTTP
 * client) against the fake Okta and the fake dbt, with a fixed latency injected before every Okta
 * answer. The console steps are done first through the fake's console controls, so apply has the
 * licenseType attribute and two group push mappings to make. Prints, per run, the Okta requests,
 * the wall time, the time those requests would take one after another, and the ratio (below 1:
 * reads that went side by side). Figures, not assertions.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../electron/cli/run.js';
import type { CliIO } from '../electron/cli/spec.js';
import { startFakeDbt } from '../test/fakes/dbt.js';
import { startFakeOkta } from '../test/fakes/okta.js';
import { tempDir } from '../test/helpers/temp.js';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const DBT_TOKEN = 'benchOktaScimToken0123456789abcdef';

const dbt = await startFakeDbt({ scimConfig: { enabled: true }, sso: 'okta' });
dbt.createScimToken('bench', DBT_TOKEN);
const okta = await startFakeOkta({
  scimTarget: { url: dbt.scimUrl, token: DBT_TOKEN },
  extraHandler: async () => {
    await sleep(LATENCY_MS);
    return false;
  },
});
const appId = okta.ids.dbtApp;
// The admin's console steps, done before the run (the username format first, as Okta requires).
okta.console.setUserNameTemplate(appId, { template: '${source.email}', type: 'BUILT_IN' });
okta.console.enableScim(appId);
okta.console.saveIntegration(appId, {
  baseUrl: dbt.scimUrl,
  token: DBT_TOKEN,
  pushNewUsers: true,
  pushProfileUpdates: true,
  pushGroups: true,
});
await okta.console.testConnector(appId);
okta.console.toApp(appId, { create: true, update: true, deactivate: true });

const { dir, cleanup } = await tempDir('scim-bench-okta-');

async function cli(command: 'apply' | 'verify'): Promise<{ ms: number; requests: number }> {
  okta.clearRequests();
  let stdout = '';
  const io: CliIO = {
    env: { DBT_SCIM_WIZARD_HOME: dir, OKTA_API_TOKEN: okta.apiToken, DBT_SCIM_TOKEN: DBT_TOKEN },
    stdout: (t) => (stdout += t),
    stderr: () => undefined,
    isTTY: false,
  };
  const started = performance.now();
  const code = await runCli(
    [
      'okta',
      command,
      '--okta-org',
      okta.url,
      '--okta-app',
      appId,
      '--dbt-scim-url',
      dbt.scimUrl,
      '--push-groups',
      'dbt_developers,dbt_analysts',
      ...(command === 'apply' ? ['--yes'] : []),
      '--json',
    ],
    io,
    { version: 'bench' },
  );
  const ms = performance.now() - started;
  if (code !== 0) {
    console.error(stdout);
    throw new Error(`okta ${command} exited ${code}`);
  }
  if (process.env.BENCH_DETAIL) {
    const counts = new Map<string, number>();
    for (const r of okta.requests) {
      const key = `${r.method} ${r.operation ?? r.path}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    console.log(`okta ${command}:`, Object.fromEntries(counts));
  }
  return { ms, requests: okta.requests.length };
}

const rows: string[][] = [];
const add = (name: string, r: { ms: number; requests: number }) => {
  const sequential = r.requests * LATENCY_MS;
  rows.push([
    name,
    String(r.requests),
    `${Math.round(r.ms)} ms`,
    `${r.requests} × ${LATENCY_MS} ms = ${sequential} ms`,
    (r.ms / sequential).toFixed(2),
  ]);
};

try {
  add('okta apply: attribute + 2 group pushes', await cli('apply'));
  add('okta apply: nothing to change', await cli('apply'));
  add('okta verify', await cli('verify'));
} finally {
  await okta.close();
  await dbt.close();
  await cleanup();
}

const header = ['run', 'requests', 'wall', 'one after another', 'ratio'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
console.log(
  `okta against the fake Okta, ${LATENCY_MS} ms before every Okta answer, real clock (console steps done beforehand)`,
);
console.log(line(header));
for (const r of rows) {
  console.log(line(r));
}
