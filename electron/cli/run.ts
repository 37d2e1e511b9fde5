/**
 * The CLI runner: finds the command, parses its flags strictly (unknown flags are bad input,
 * exit 2), prints help, runs the command over the shared services, and prints one report.
 * `runCli` is in-process and returns the exit code, so tests drive it directly.
 */
import { parseArgs } from 'node:util';
import { badInput, toWizardError } from '../core/errors.js';
import { resolveHome } from '../core/home.js';
import { createLogger, formatLogLine } from '../core/logger.js';
import type { Logger } from '../core/ports.js';
import { createServices, type Services } from '../services/container.js';
import { COMMANDS } from './commands/index.js';
import {
  EXIT,
  exitCodeFor,
  formatHuman,
  reportExitCode,
  toJsonDocument,
  type CommandReport,
} from './output.js';
import { GLOBAL_FLAGS, type CliIO, type CommandSpec, type FlagSpec } from './spec.js';

export const BIN = 'dbt-scim-wizard';

export interface RunCliOptions {
  readonly version: string;
  /** Lets tests inject services (fake clock, HTTP) while keeping the rest real. */
  readonly createServices?: (home: string, log: Logger) => Services;
}

function findCommand(args: readonly string[]): {
  command?: CommandSpec;
  rest: string[];
  prefix: string[];
} {
  let best: CommandSpec | undefined;
  for (const c of COMMANDS) {
    if (c.path.every((p, i) => args[i] === p) && (!best || c.path.length > best.path.length)) {
      best = c;
    }
  }
  if (best) {
    return { command: best, rest: args.slice(best.path.length), prefix: [...best.path] };
  }
  const prefix: string[] = [];
  for (const a of args) {
    if (
      a.startsWith('-') ||
      !COMMANDS.some((c) => [...prefix, a].every((p, i) => c.path[i] === p))
    ) {
      break;
    }
    prefix.push(a);
  }
  return { rest: args.slice(prefix.length), prefix };
}

function flagLine(name: string, spec: FlagSpec): string {
  const value =
    spec.type === 'string'
      ? ` ${spec.choices ? spec.choices.join('|') : (spec.valueName ?? 'VALUE')}`
      : '';
  return `  --${name}${value}`.padEnd(34) + spec.description;
}

export function helpText(prefix: readonly string[], command?: CommandSpec): string {
  if (command) {
    const pos = (command.positionals ?? []).map((p) => ` <${p.name}>`).join('');
    const lines = [
      `Usage: ${BIN} ${command.path.join(' ')}${pos} [flags]`,
      '',
      command.description ?? command.summary,
      '',
    ];
    if (command.positionals?.length) {
      lines.push('Arguments:');
      for (const p of command.positionals) {
        lines.push(`  ${p.name}`.padEnd(34) + p.description);
      }
      lines.push('');
    }
    const own = Object.entries(command.flags ?? {});
    if (own.length) {
      lines.push('Flags:');
      for (const [n, s] of own) {
        lines.push(flagLine(n, s));
      }
      lines.push('');
    }
    lines.push('Global flags:');
    for (const [n, s] of Object.entries(GLOBAL_FLAGS)) {
      lines.push(flagLine(n, s));
    }
    lines.push('', SECRETS_HELP, '', EXIT_HELP);
    return lines.join('\n');
  }
  const shown = COMMANDS.filter((c) => prefix.every((p, i) => c.path[i] === p));
  const lines = [
    `Usage: ${BIN} <command> [flags]`,
    '',
    'Turns on and checks SCIM provisioning from Okta or Microsoft Entra ID into dbt.',
    '',
    'Commands:',
    ...shown.map((c) => `  ${c.path.join(' ')}`.padEnd(34) + c.summary),
    '',
    `Run '${BIN} <command> --help' for a command's flags.`,
    '',
    SECRETS_HELP,
    '',
    EXIT_HELP,
  ];
  return lines.join('\n');
}

const SECRETS_HELP = [
  'Secrets come only from environment variables (or a prompt on a terminal), never from flags:',
  '  DBT_SCIM_TOKEN, DBT_API_TOKEN, OKTA_API_TOKEN, OKTA_ACCESS_TOKEN, GRAPH_ACCESS_TOKEN',
  'DBT_SCIM_WIZARD_HOME overrides the data directory.',
].join('\n');

const EXIT_HELP =
  'Exit codes: 0 done; 1 a check failed or a step is pending; 2 bad input; 3 authentication or permission refused; 4 remote or network failure.';

function wantsJson(args: readonly string[]): boolean {
  return args.includes('--json');
}

export async function runCli(
  argv: readonly string[],
  io: CliIO,
  options: RunCliOptions,
): Promise<number> {
  const json = wantsJson(argv);
  const emit = (command: string, report: CommandReport | undefined, error?: unknown): number => {
    const code =
      error !== undefined ? exitCodeFor(toWizardError(error).code) : reportExitCode(report ?? {});
    if (json) {
      io.stdout(`${JSON.stringify(toJsonDocument(command, report, error), null, 2)}\n`);
    } else {
      const text = formatHuman(command, report, error);
      (code === EXIT.ok || code === EXIT.failed ? io.stdout : io.stderr)(`${text}\n`);
    }
    return code;
  };

  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
    io.stdout(`${options.version}\n`);
    return EXIT.ok;
  }

  const { command, rest, prefix } = findCommand(argv);
  if (!command) {
    const bare = rest.filter((a) => a !== '--json');
    if (bare.length === 0 || bare.includes('--help') || bare.includes('-h')) {
      if (json) {
        return emit(prefix.join(' ') || 'help', {
          data: { commands: COMMANDS.map((c) => c.path.join(' ')) },
        });
      }
      io.stdout(`${helpText(prefix)}\n`);
      return prefix.length === 0 && bare.length === 0 && argv.length === 0
        ? EXIT.badInput
        : EXIT.ok;
    }
    const unknown = [...prefix, bare[0]].join(' ');
    return emit(
      unknown,
      undefined,
      badInput(`Unknown command "${unknown}".`, `Run '${BIN} --help' to see the commands.`),
    );
  }

  const name = command.path.join(' ');
  const specs = { ...GLOBAL_FLAGS, ...(command.flags ?? {}) };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: Object.fromEntries(Object.entries(specs).map(([n, s]) => [n, { type: s.type }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    const message = e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e);
    return emit(
      name,
      undefined,
      badInput(`${message.replace(/\.$/, '')}.`, `Run '${BIN} ${name} --help' to see its flags.`),
    );
  }
  const flags = parsed.values as Record<string, string | boolean | undefined>;
  if (flags.help) {
    io.stdout(`${helpText(command.path, command)}\n`);
    return EXIT.ok;
  }
  for (const [n, s] of Object.entries(specs)) {
    const v = flags[n];
    if (s.choices && typeof v === 'string' && !s.choices.includes(v)) {
      return emit(
        name,
        undefined,
        badInput(`--${n} must be one of ${s.choices.join(', ')}.`, `Run '${BIN} ${name} --help'.`),
      );
    }
  }
  const wanted = command.positionals ?? [];
  if (parsed.positionals.length !== wanted.length) {
    const what = wanted.length ? wanted.map((p) => `<${p.name}>`).join(' ') : 'no arguments';
    return emit(
      name,
      undefined,
      badInput(`'${name}' takes ${what}.`, `Run '${BIN} ${name} --help'.`),
    );
  }

  const log = createLogger('cli', {
    level: flags.verbose ? 'debug' : 'warn',
    transport: (r) => {
      io.stderr(`${formatLogLine(r)}\n`);
    },
  });
  let services: Services | undefined;
  const home = resolveHome(io.env);
  const make =
    options.createServices ??
    ((h: string, l: Logger) =>
      createServices({ home: h, face: 'cli', version: options.version, log: l }));
  try {
    const report = await command.run({
      flags,
      positionals: parsed.positionals,
      io,
      log,
      services: () => (services ??= make(home, log)),
    });
    return emit(name, report);
  } catch (e) {
    return emit(name, undefined, e);
  }
}
