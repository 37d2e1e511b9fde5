/**
 * Reading the CLI's inputs: flags are validated with the same core functions as the wizard,
 * and secrets come only from the environment (or a prompt on a terminal). Everything is checked
 * before anything is sent.
 */
import { badInput } from '../core/errors.js';
import { cleanApiUrl, parseAccountId } from '../core/dbt/hosts.js';
import { cleanSecret, type TokenKind } from '../core/dbt/secret-input.js';
import type { Profile } from '../core/store/profiles.js';
import type { DbtTarget } from '../services/dbt.js';
import type { CommandContext } from './spec.js';

export function stringFlag(ctx: CommandContext, name: string): string | undefined {
  const v = ctx.flags[name];
  return typeof v === 'string' ? v : undefined;
}

export function requireFlag(ctx: CommandContext, name: string, what: string): string {
  const v = stringFlag(ctx, name);
  if (v === undefined || v.trim() === '') {
    throw badInput(`--${name} is missing.`, `Give ${what} with --${name}.`);
  }
  return v;
}

const SECRET_VARS: Record<string, { kind: TokenKind; what: string }> = {
  DBT_SCIM_TOKEN: { kind: 'dbt-scim', what: 'the SCIM token the identity provider uses' },
  DBT_API_TOKEN: { kind: 'dbt-api', what: 'a dbt account-admin service token' },
};

/**
 * Says which variable a bad secret came from: "In DBT_API_TOKEN, the dbt API token …". (Not
 * "DBT_API_TOKEN: …", which reads like an assignment and which the redaction sink would blank.)
 */
export function nameVariable(e: Error, variable: string): void {
  e.message = `In ${variable}, ${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}`;
}

/** A secret from its environment variable, or a prompt on a terminal. Never from a flag. */
export async function secretFromEnv(
  ctx: CommandContext,
  variable: keyof typeof SECRET_VARS,
): Promise<string> {
  const spec = SECRET_VARS[variable];
  if (!spec) {
    throw new Error(`unknown secret variable ${variable}`);
  }
  let raw = ctx.io.env[variable];
  if ((raw === undefined || raw.trim() === '') && ctx.io.promptSecret) {
    raw = await ctx.io.promptSecret(`${variable} (${spec.what}, not shown): `);
  }
  if (raw === undefined || raw.trim() === '') {
    throw badInput(
      `${variable} is not set.`,
      `Set ${variable} to ${spec.what}; secrets are never read from flags.`,
    );
  }
  return cleanEnvSecret(variable, raw, spec.kind);
}

/** Cleans a secret read from `variable`; a bad one is refused naming the variable, never the value. */
export function cleanEnvSecret(variable: string, raw: string, kind: TokenKind): string {
  try {
    return cleanSecret(raw, kind).value;
  } catch (e) {
    if (e instanceof Error) {
      nameVariable(e, variable);
    }
    throw e;
  }
}

/** A secret from the environment when set (cleaned); undefined when not set. No prompt. */
export function optionalEnvSecret(
  ctx: CommandContext,
  variable: string,
  kind: TokenKind,
): string | undefined {
  const raw = ctx.io.env[variable];
  return raw === undefined || raw.trim() === '' ? undefined : cleanEnvSecret(variable, raw, kind);
}

/**
 * A saved profile by id, else by name (case-insensitive). Bad input (exit 2) when none matches, or
 * when a name matches several.
 */
export function profileByRef(profiles: readonly Profile[], ref: string): Profile {
  const wanted = ref.trim();
  const byId = profiles.find((p) => p.id === wanted);
  if (byId) {
    return byId;
  }
  const byName = profiles.filter((p) => p.name.toLowerCase() === wanted.toLowerCase());
  const [only] = byName;
  if (byName.length === 1 && only) {
    return only;
  }
  throw badInput(
    byName.length > 1
      ? `${byName.length} profiles are named "${wanted.slice(0, 80)}".`
      : `There is no saved profile "${wanted.slice(0, 80)}".`,
    byName.length > 1
      ? 'Give the profile’s id with --profile (see `profiles list`).'
      : 'See the saved profiles with `profiles list`, then give an id or a name with --profile.',
  );
}

export interface DbtCoordinates {
  readonly apiUrl: string;
  readonly accountId: number;
  readonly warnings: readonly string[];
}

export function dbtCoordinates(ctx: CommandContext): DbtCoordinates {
  const api = cleanApiUrl(
    requireFlag(ctx, 'dbt-api-url', 'the dbt API host, e.g. https://cloud.getdbt.com'),
  );
  const accountId = parseAccountId(requireFlag(ctx, 'dbt-account-id', 'the dbt account id'));
  return { apiUrl: api.url, accountId, warnings: api.warnings };
}

export async function dbtTarget(
  ctx: CommandContext,
): Promise<DbtTarget & { warnings: readonly string[] }> {
  const coords = dbtCoordinates(ctx);
  const apiToken = await secretFromEnv(ctx, 'DBT_API_TOKEN');
  return {
    apiUrl: coords.apiUrl,
    accountId: coords.accountId,
    apiToken,
    warnings: coords.warnings,
  };
}

/** The journal id of a headless run on an account (no profile needed). */
export function cliJournalId(accountId: number): string {
  return `cli-account-${accountId}`;
}

/** on|off flags as booleans; undefined when absent. */
export function onOffFlag(ctx: CommandContext, name: string): boolean | undefined {
  const v = stringFlag(ctx, name);
  return v === undefined ? undefined : v === 'on';
}
