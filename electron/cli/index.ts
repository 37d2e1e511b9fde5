/**
 * The headless entry: `dbt-scim-wizard` (installed) or `npm run cli --` (from a checkout).
 * It never imports main or electron; it runs the same services as the app.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import pkg from '../../package.json' with { type: 'json' };
import { runCli } from './run.js';
import type { CliIO } from './spec.js';

function promptSecret(question: string): Promise<string> {
  // A muted output stream: what is typed is not echoed.
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (!muted) {
        process.stderr.write(chunk);
      }
      cb();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise((resolve) => {
    rl.question(`${question} [y/N] `, (answer) => {
      rl.close();
      resolve(/^y(es)?$/i.test(answer.trim()));
    });
  });
}

const isTTY = process.stdin.isTTY && process.stderr.isTTY;
const io: CliIO = {
  env: process.env,
  stdout: (t) => process.stdout.write(t),
  stderr: (t) => process.stderr.write(t),
  isTTY,
  ...(isTTY ? { promptSecret, confirm } : {}),
};

process.exitCode = await runCli(process.argv.slice(2), io, { version: pkg.version });
