/**
 * `npm run bench`: figures for the foundation's hot paths, printed side by side.
 *  - the redaction sink, which every log line, error, journal entry and reply passes;
 *  - the dispatcher (zod in, handler, zod out, redaction) behind every IPC call;
 *  - the CLI's cold start, built (the installed `bin`) and from source through tsx.
 * Figures, not assertions: compare runs by eye or in a table.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../electron/core/logger.js';
import { Redactor } from '../electron/core/redact.js';
import { createServices } from '../electron/services/container.js';
import { dispatch } from '../electron/services/dispatch.js';
import { tempDir } from '../test/helpers/temp.js';

const ROOT = resolve(import.meta.dirname, '..');

function perSecond(fn: () => void, ms = 400): number {
  for (let i = 0; i < 200; i++) {
    fn();
  }
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    fn();
    n++;
  }
  return Math.round((n * 1000) / (performance.now() - start));
}

async function perSecondAsync(fn: () => Promise<unknown>, ms = 400): Promise<number> {
  for (let i = 0; i < 50; i++) {
    await fn();
  }
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await fn();
    n++;
  }
  return Math.round((n * 1000) / (performance.now() - start));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

const rows: [string, string][] = [];

// 1. Redaction
const line = JSON.stringify({
  at: '2026-11-29T10:00:00.000Z',
  level: 'debug',
  scope: 'http',
  message: 'GET https://cloud.getdbt.com/api/v3/accounts/12345/scim-config/ 200 143 ms (attempt 1)',
  fields: { label: 'dbt scim-config', status: 200 },
});
for (const secrets of [0, 10, 100]) {
  const r = new Redactor();
  for (let i = 0; i < secrets; i++) {
    r.registerSecret(`secret-value-${i}-abcdefghijklmnopqrstuvwxyz`);
  }
  rows.push([
    `redact a 250-byte log line, ${secrets} secrets registered`,
    `${perSecond(() => r.redact(line)).toLocaleString('en')} lines/s`,
  ]);
}

// 2. Dispatch
const { dir, cleanup } = await tempDir('scim-bench-');
const services = createServices({ home: dir, face: 'bridge', version: 'bench', log: silentLogger });
for (let i = 0; i < 5; i++) {
  await services.profiles.create({ name: `Account ${i}`, idp: 'okta' });
}
rows.push([
  'dispatch app:info (validate in and out, redact)',
  `${(await perSecondAsync(() => dispatch(services.handlers, 'app:info', undefined))).toLocaleString('en')} calls/s`,
]);
rows.push([
  'dispatch profiles:list (5 profiles, file read)',
  `${(await perSecondAsync(() => dispatch(services.handlers, 'profiles:list', undefined))).toLocaleString('en')} calls/s`,
]);
rows.push([
  'dispatch bad input (rejected by the schema)',
  `${(await perSecondAsync(() => dispatch(services.handlers, 'profiles:select', { id: '../x' }))).toLocaleString('en')} calls/s`,
]);
await cleanup();

// 3. CLI cold start
const built = resolve(ROOT, 'out/cli/index.js');
const time = (cmd: string, args: string[]): number => {
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8' });
    xs.push(performance.now() - t);
  }
  return Math.round(median(xs));
};
if (existsSync(built)) {
  rows.push([
    'CLI cold start, built (`dbt-scim-wizard --help`)',
    `${time(process.execPath, [built, '--help'])} ms (median of 5)`,
  ]);
} else {
  rows.push(['CLI cold start, built', 'skipped: run `npm run build` first']);
}
rows.push([
  'CLI cold start, from source (`npm run cli` uses tsx)',
  `${time(process.execPath, ['--import', 'tsx', resolve(ROOT, 'electron/cli/index.ts'), '--help'])} ms (median of 5)`,
]);

const width = Math.max(...rows.map(([k]) => k.length));
console.log(
  `dbt SCIM Wizard benchmarks (node ${process.version}, ${process.platform}/${process.arch})`,
);
for (const [k, v] of rows) {
  console.log(`${k.padEnd(width)}  ${v}`);
}
