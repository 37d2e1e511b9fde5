import { runCli } from '../../electron/cli/run.js';
import type { CliIO } from '../../electron/cli/spec.js';
import { cliServicesWithFakeClock } from './cli-services.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The parsed JSON document, when --json was given. */
  json: Record<string, unknown> | undefined;
}

/** Runs the CLI in-process with captured output and the given environment (no TTY). */
export async function cli(
  args: string[],
  env: Record<string, string | undefined>,
  io: Partial<CliIO> = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(
    args,
    {
      env,
      stdout: (t) => (stdout += t),
      stderr: (t) => (stderr += t),
      isTTY: false,
      ...io,
    },
    { version: '9.9.9-test', createServices: cliServicesWithFakeClock() },
  );
  return {
    code,
    stdout,
    stderr,
    json: args.includes('--json') ? (JSON.parse(stdout) as Record<string, unknown>) : undefined,
  };
}
