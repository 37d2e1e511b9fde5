/**
 * `entra plan`, `entra apply`, `entra verify` (CLI.md): the Entra ID side over Microsoft Graph with
 * GRAPH_ACCESS_TOKEN, the dbt end from --dbt-scim-url and DBT_SCIM_TOKEN. Every input is checked
 * before anything is sent; the journal is kept under an id of the tenant and app name.
 */
import { WizardError, badInput, fromErrorInfo } from '../../core/errors.js';
import type { Change } from '../../core/model.js';
import { cleanScimUrl } from '../../core/dbt/hosts.js';
import { cleanSecret } from '../../core/dbt/secret-input.js';
import {
  cleanAppName,
  cleanEntraId,
  cleanGraphUrl,
  cleanTestUser,
  DEFAULT_GRAPH_URL,
} from '../../core/entra/inputs.js';
import {
  entraCliJournalId,
  staticTokenProvider,
  type EntraMode,
  type EntraRunResult,
  type EntraTarget,
} from '../../services/entra.js';
import { secretFromEnv, stringFlag } from '../inputs.js';
import { EXIT, type CliChange, type CommandReport } from '../output.js';
import type { CommandContext, CommandSpec, FlagSpec } from '../spec.js';

const FLAGS: Readonly<Record<string, FlagSpec>> = {
  'entra-app-id': {
    type: 'string',
    valueName: 'ID',
    description:
      'the service principal id or app id of the app to use when several share the name (then saved)',
  },
};

/** GRAPH_ACCESS_TOKEN, cleaned; a typed bad-input error (exit 2) when it is missing. */
function graphTokenFromEnv(ctx: CommandContext): string {
  const raw = ctx.io.env.GRAPH_ACCESS_TOKEN;
  if (raw === undefined || raw.trim() === '') {
    throw badInput(
      'GRAPH_ACCESS_TOKEN is not set.',
      'Set GRAPH_ACCESS_TOKEN to a Microsoft Graph access token (for example from `az account get-access-token --resource-type ms-graph`) with Application.ReadWrite.All and Synchronization.ReadWrite.All; signing in from the CLI through MSAL comes in a later version.',
    );
  }
  try {
    return cleanSecret(raw, 'bearer').value;
  } catch (e) {
    if (e instanceof Error) {
      e.message = `GRAPH_ACCESS_TOKEN: ${e.message}`;
    }
    throw e;
  }
}

interface Inputs {
  readonly target: EntraTarget;
  readonly warnings: readonly string[];
}

/** Every flag and secret, checked before anything is sent. */
async function readInputs(ctx: CommandContext): Promise<Inputs> {
  const graph = cleanGraphUrl(stringFlag(ctx, 'graph-url') ?? DEFAULT_GRAPH_URL);
  const appName = cleanAppName(stringFlag(ctx, 'entra-app-name'));
  const rawId = stringFlag(ctx, 'entra-app-id');
  const chosenId = rawId === undefined ? undefined : cleanEntraId(rawId);
  const rawUser = stringFlag(ctx, 'test-user');
  const testUser = rawUser === undefined ? undefined : cleanTestUser(rawUser);
  const rawScim = stringFlag(ctx, 'dbt-scim-url');
  if (rawScim === undefined || rawScim.trim() === '') {
    throw badInput(
      '--dbt-scim-url is missing.',
      'Copy the SCIM base URL from dbt (Account settings → SSO & SCIM) and pass it with --dbt-scim-url: Entra saves it as the Tenant URL.',
    );
  }
  const scim = cleanScimUrl(rawScim, stringFlag(ctx, 'dbt-api-url'));
  const graphToken = graphTokenFromEnv(ctx);
  const dbtToken = await secretFromEnv(ctx, 'DBT_SCIM_TOKEN');
  const journalId = entraCliJournalId(graph.url, appName);
  const store = ctx.services().entra.journalStateStore(journalId);
  return {
    target: {
      graphUrl: graph.url,
      cloud: graph.cloud,
      appName,
      token: staticTokenProvider(graphToken),
      store,
      journalId,
      dbt: { scimUrl: scim.url, token: dbtToken },
      ...(chosenId ? { chosenId } : {}),
      ...(testUser ? { testUser } : {}),
    },
    warnings: [...graph.warnings, ...scim.warnings],
  };
}

const SIGN: Record<Change['action'], string> = { add: '+', change: '~', remove: '-' };

function cliChanges(changes: readonly Change[]): CliChange[] {
  return changes.map((c) => ({ id: c.id, action: c.action, target: c.target, detail: c.detail }));
}

function header(target: EntraTarget): string {
  return `Microsoft Entra ID at ${target.graphUrl}, enterprise app "${target.appName}"${target.chosenId ? ` (id ${target.chosenId})` : ''}`;
}

/** Progress of long waits on stderr ("Waiting for Entra to finish creating the app… 12 s"). */
function watchProgress(ctx: CommandContext): () => void {
  if (ctx.flags.json) {
    return () => undefined;
  }
  return ctx.services().onEvent((e) => {
    if (e.type === 'progress' && e.kind.startsWith('entra.')) {
      ctx.io.stderr(`… ${e.message}\n`);
    }
  });
}

function report(
  ctx: CommandContext,
  inputs: Inputs,
  result: EntraRunResult,
  lines: string[],
): CommandReport {
  const json = Boolean(ctx.flags.json);
  const data = {
    graphUrl: inputs.target.graphUrl,
    cloud: inputs.target.cloud,
    appName: inputs.target.appName,
    phase: result.phase,
    app: result.saved.spId
      ? { servicePrincipalId: result.saved.spId, appId: result.saved.appId ?? null }
      : null,
    jobId: result.saved.jobId ?? null,
    warnings: inputs.warnings,
  };
  return {
    lines: [header(inputs.target), ...inputs.warnings.map((w) => `Warning: ${w}`), ...lines],
    // People read the change sentences in `lines`; JSON consumers get them here.
    ...(json ? { changes: cliChanges(result.changes) } : {}),
    checks: result.checks.map(({ id, status, message }) => ({ id, status, message })),
    data,
    ...(result.error ? { error: fromErrorInfo(result.error) } : {}),
  };
}

function planLines(changes: readonly Change[]): string[] {
  if (changes.length === 0) {
    return ['Nothing to change: Entra already matches what dbt needs.'];
  }
  return [
    `Plan (${changes.length} change${changes.length === 1 ? '' : 's'}):`,
    ...changes.map((c) => `  ${SIGN[c.action]} ${c.detail}`),
  ];
}

const LICENSE_LINE =
  'License types: dbt does not take the license type from Entra ID over SCIM; map licenses with dbt’s SSO license mappings (the License step).';

async function run(ctx: CommandContext, mode: EntraMode): Promise<CommandReport> {
  if (mode === 'apply' && !ctx.flags.yes && !ctx.io.confirm) {
    throw badInput(
      'Nothing was changed: apply needs a confirmation, and there is no terminal to ask on.',
      'Review the changes with `entra plan`, then run `entra apply --yes`.',
    );
  }
  const inputs = await readInputs(ctx);
  const services = ctx.services();
  const stop = watchProgress(ctx);
  try {
    if (mode === 'plan') {
      const result = await services.entra.runSetup(inputs.target, 'plan');
      return report(ctx, inputs, result, planLines(result.changes));
    }
    if (mode === 'verify') {
      const result = await services.entra.runSetup(inputs.target, 'verify');
      const failed = result.checks.filter((c) => c.status === 'fail').length;
      return report(ctx, inputs, result, [
        failed === 0 && !result.error
          ? 'Everything dbt’s setup page asks for is in place in Entra.'
          : `${failed} item${failed === 1 ? '' : 's'} differ${failed === 1 ? 's' : ''} from what dbt needs: run \`entra apply\` to fix them.`,
      ]);
    }
    const asked = { declined: false };
    const result = await services.entra.runSetup(inputs.target, 'apply', {
      confirm: async (changes) => {
        if (ctx.flags.yes) {
          return true;
        }
        ctx.io.stderr(`${planLines(changes).join('\n')}\n`);
        const ok = (await ctx.io.confirm?.('Apply these changes to Entra?')) ?? false;
        asked.declined = !ok;
        return ok;
      },
    });
    if (asked.declined) {
      return {
        ...report(ctx, inputs, result, ['Nothing was changed.']),
        exitCode: EXIT.failed,
      };
    }
    const lines =
      result.changes.length === 0
        ? ['Nothing to change: Entra already matches what dbt needs.']
        : [
            `${result.phase === 'verified' ? 'Applied' : 'Attempted'} (${result.changes.length} change${result.changes.length === 1 ? '' : 's'}):`,
            ...result.changes.map((c) => `  ${SIGN[c.action]} ${c.detail}`),
          ];
    if (result.phase === 'verified') {
      lines.push(LICENSE_LINE);
    }
    if (result.phase === 'planned') {
      throw new WizardError('conflict', 'Entra changed while the plan was being confirmed.', {
        remediation: 'Run the command again to see the new plan.',
      });
    }
    return report(ctx, inputs, result, lines);
  } finally {
    stop();
  }
}

const COMMON =
  'Needs GRAPH_ACCESS_TOKEN (a Microsoft Graph access token of an Application Administrator or Cloud Application Administrator) and DBT_SCIM_TOKEN, with --dbt-scim-url. The app is found by its saved id, then by display name and the non-gallery template; when several apps share the name, choose one with --entra-app-id.';

export const entraPlan: CommandSpec = {
  path: ['entra', 'plan'],
  summary: 'list every change `entra apply` would make in Entra ID (changes nothing)',
  description: `Reads the enterprise app, its provisioning job, credentials and attribute mappings and lists every change that apply would make, in the words of dbt's setup page. ${COMMON}`,
  flags: FLAGS,
  run: (ctx) => run(ctx, 'plan'),
};

export const entraApply: CommandSpec = {
  path: ['entra', 'apply'],
  summary: 'create and configure SCIM provisioning in Entra ID, then verify it',
  description: `Creates the enterprise app (non-gallery) and its provisioning job, tests the connection to dbt and saves the credentials, sets the attribute list and the seven mappings of dbt's page, optionally provisions --test-user on demand and reads it back from dbt, starts provisioning, then verifies everything. Idempotent: a re-run after any failure converges and never creates a second app or job. Asks for confirmation on a terminal; --yes otherwise. ${COMMON}`,
  flags: FLAGS,
  run: (ctx) => run(ctx, 'apply'),
};

export const entraVerify: CommandSpec = {
  path: ['entra', 'verify'],
  summary: 'read the Entra ID setup back and list each item as pass or fail',
  description: `Reads back the app, the job, the credentials (and tests the connection), the attribute list and mappings, and the job's state (explaining a quarantine); with --test-user, that the user is assigned and exists in dbt. Exits 1 when anything differs. ${COMMON}`,
  flags: FLAGS,
  run: (ctx) => run(ctx, 'verify'),
};
