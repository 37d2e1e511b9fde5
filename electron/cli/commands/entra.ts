/**
 * `entra plan`, `entra apply`, `entra verify` (CLI.md): the Entra ID side over Microsoft Graph with
 * GRAPH_ACCESS_TOKEN, the dbt end from --dbt-scim-url and DBT_SCIM_TOKEN. Every input is checked
 * before anything is sent; the journal is kept under an id of the tenant and app name.
 */
import { WizardError, badInput, fromErrorInfo } from '../../core/errors.js';
import type { Change } from '../../core/model.js';
import { cleanScimUrl } from '../../core/dbt/hosts.js';
import { cleanSecret } from '../../core/dbt/secret-input.js';
import { ENTRA_CLOUDS, type EntraCloud } from '../../core/entra/ports.js';
import { createEntraSignIn } from '../../adapters/entra/signin.js';
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
  type GraphTokenProvider,
  type EntraRunResult,
  type EntraTarget,
} from '../../services/entra.js';
import { nameVariable, secretFromEnv, stringFlag } from '../inputs.js';
import { EXIT, type CliChange, type CommandReport } from '../output.js';
import type { CommandContext, CommandSpec, FlagSpec } from '../spec.js';

const FLAGS: Readonly<Record<string, FlagSpec>> = {
  'entra-client-id': {
    type: 'string',
    valueName: 'GUID',
    description:
      'without GRAPH_ACCESS_TOKEN: your app registration, to sign in with a device code (a terminal only)',
  },
  'entra-tenant': {
    type: 'string',
    valueName: 'ID',
    description:
      'with --entra-client-id: the tenant id or domain to sign in to (default: any work account)',
  },
  'entra-app-id': {
    type: 'string',
    valueName: 'ID',
    description:
      'the service principal id or app id of the app to use when several share the name (then saved)',
  },
};

/**
 * The Graph token: GRAPH_ACCESS_TOKEN when set; otherwise, on a terminal with --entra-client-id,
 * a device-code sign-in through MSAL (its cache stays in memory: the CLI writes no secret to
 * disk). A typed bad-input error (exit 2) when neither is possible.
 */
function graphTokenSource(
  ctx: CommandContext,
  cloud: EntraCloud,
  includeTestUserScopes: boolean,
): GraphTokenProvider {
  const raw = ctx.io.env.GRAPH_ACCESS_TOKEN;
  if (raw !== undefined && raw.trim() !== '') {
    try {
      return staticTokenProvider(cleanSecret(raw, 'bearer').value);
    } catch (e) {
      if (e instanceof Error) {
        nameVariable(e, 'GRAPH_ACCESS_TOKEN');
      }
      throw e;
    }
  }
  const clientId = stringFlag(ctx, 'entra-client-id')?.trim();
  if (!clientId || !ctx.io.isTTY) {
    throw badInput(
      'GRAPH_ACCESS_TOKEN is not set.',
      'Set GRAPH_ACCESS_TOKEN to a Microsoft Graph access token (for example from `az account get-access-token --resource-type ms-graph`) with Application.ReadWrite.All and Synchronization.ReadWrite.All, or run on a terminal with --entra-client-id to sign in with a device code.',
    );
  }
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(clientId)) {
    throw badInput(
      '--entra-client-id must be a GUID.',
      'Copy the Application (client) ID of your app registration.',
    );
  }
  const tenant = stringFlag(ctx, 'entra-tenant')?.trim();
  let cache: string | undefined;
  const signIn = createEntraSignIn({
    clientId,
    loginHost: ENTRA_CLOUDS[cloud].login,
    graphResource: new URL(ENTRA_CLOUDS[cloud].graph).origin,
    ...(tenant ? { tenant } : {}),
    log: ctx.log.child('msal'),
    openBrowser: () => Promise.reject(new Error('the CLI signs in with a device code')),
    cache: {
      load: () => Promise.resolve(cache),
      save: (serialized) => {
        cache = serialized;
        return Promise.resolve();
      },
      clear: () => {
        cache = undefined;
        return Promise.resolve();
      },
    },
  });
  let signedIn: Promise<unknown> | undefined;
  return {
    getToken: async () => {
      signedIn ??= signIn.signInWithDeviceCode({
        includeTestUserScopes,
        onCode: (c) => {
          ctx.io.stderr(`${c.message}\n`);
        },
      });
      await signedIn;
      return signIn.getToken();
    },
  };
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
  const token = graphTokenSource(ctx, graph.cloud, testUser !== undefined);
  const dbtToken = await secretFromEnv(ctx, 'DBT_SCIM_TOKEN');
  const journalId = entraCliJournalId(graph.url, appName);
  const store = ctx.services().entra.journalStateStore(journalId);
  return {
    target: {
      graphUrl: graph.url,
      cloud: graph.cloud,
      appName,
      token,
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
  'Needs GRAPH_ACCESS_TOKEN (a Microsoft Graph access token of an Application Administrator or Cloud Application Administrator; or, on a terminal, --entra-client-id to sign in with a device code) and DBT_SCIM_TOKEN, with --dbt-scim-url. The app is found by its saved id, then by display name and the non-gallery template; when several apps share the name, choose one with --entra-app-id.';

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
