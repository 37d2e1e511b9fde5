/**
 * The CLI's command model: each command declares its path, flags and a `run` that returns a
 * report. Parsing, help, output and exit codes are shared (run.ts), so commands stay small.
 */
import type { Services } from '../services/container.js';
import type { Logger } from '../core/ports.js';
import type { CommandReport } from './output.js';

export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  /** Allowed values of a string flag. */
  readonly choices?: readonly string[];
  readonly valueName?: string;
}

export interface PositionalSpec {
  readonly name: string;
  readonly description: string;
}

export interface CliIO {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Whether standard input and output are a terminal (prompts and --reveal need one). */
  readonly isTTY: boolean;
  /** Reads a secret from the terminal without echo; absent when there is no TTY. */
  readonly promptSecret?: (question: string) => Promise<string>;
  /** Asks yes/no on the terminal; absent when there is no TTY. */
  readonly confirm?: (question: string) => Promise<boolean>;
}

export interface CommandContext {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  readonly io: CliIO;
  readonly log: Logger;
  /** The composition root, created on first use. */
  services(): Services;
}

export interface CommandSpec {
  /** e.g. ['dbt', 'check'] */
  readonly path: readonly string[];
  readonly summary: string;
  readonly description?: string;
  readonly positionals?: readonly PositionalSpec[];
  /** Flags of this command, in addition to the global ones. */
  readonly flags?: Readonly<Record<string, FlagSpec>>;
  run(ctx: CommandContext): Promise<CommandReport>;
}

/** Flags every command accepts (CLI.md "Inputs" and the output switches). */
export const GLOBAL_FLAGS: Readonly<Record<string, FlagSpec>> = {
  'dbt-scim-url': {
    type: 'string',
    valueName: 'URL',
    description: 'the SCIM base URL copied from dbt (Account settings → SSO & SCIM)',
  },
  'dbt-api-url': {
    type: 'string',
    valueName: 'URL',
    description: 'the dbt API host of the account, e.g. https://cloud.getdbt.com',
  },
  'dbt-account-id': { type: 'string', valueName: 'N', description: 'the dbt account id' },
  'okta-org': {
    type: 'string',
    valueName: 'URL',
    description: 'the Okta org, e.g. https://acme.okta.com',
  },
  'okta-app': {
    type: 'string',
    valueName: 'ID_OR_LABEL',
    description: 'the Okta app integration used for dbt SSO',
  },
  'graph-url': {
    type: 'string',
    valueName: 'URL',
    description: 'Microsoft Graph root (default https://graph.microsoft.com/v1.0)',
  },
  'entra-app-name': {
    type: 'string',
    valueName: 'NAME',
    description: 'display name of the Entra enterprise app (default "dbt SCIM")',
  },
  'test-user': {
    type: 'string',
    valueName: 'LOGIN',
    description: 'a user to provision on demand as an end-to-end test',
  },
  json: { type: 'boolean', description: 'print exactly one JSON document on stdout' },
  yes: { type: 'boolean', description: 'apply without the interactive confirmation' },
  verbose: { type: 'boolean', description: 'write redacted diagnostic logs to stderr' },
  help: { type: 'boolean', description: 'show help' },
};
