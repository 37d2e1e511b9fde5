/**
 * `rotate --idp okta|entra [--old-token-id ID] [--keep-old]` (CLI.md): zero-downtime rotation of the
 * dbt SCIM token with DBT_API_TOKEN. A new token is created and checked, put in the identity
 * provider and proven in use; only then is the old one deleted, and (with DBT_SCIM_TOKEN, the token
 * in use now) proven refused. Entra runs headless with GRAPH_ACCESS_TOKEN; Okta stops (exit 1) at
 * the console step, and a later run resumes from the journal. The new token is never printed,
 * except once on a terminal with --reveal (for Okta's paste).
 */
import { badInput, fromErrorInfo } from '../../core/errors.js';
import { cleanScimUrl } from '../../core/dbt/hosts.js';
import { cleanSecret } from '../../core/dbt/secret-input.js';
import {
  cleanAppName,
  cleanEntraId,
  cleanGraphUrl,
  DEFAULT_GRAPH_URL,
} from '../../core/entra/inputs.js';
import { cleanOktaAppRef, cleanOktaOrgUrl } from '../../core/okta/inputs.js';
import type { Idp } from '../../core/model.js';
import { staticTokenProvider } from '../../services/entra.js';
import type { RotateCliTarget, RotationRunResult } from '../../services/rotation.js';
import { dbtTarget, nameVariable, secretFromEnv, stringFlag } from '../inputs.js';
import type { CommandReport } from '../output.js';
import type { CommandContext, CommandSpec } from '../spec.js';

interface Inputs {
  readonly target: RotateCliTarget;
  readonly warnings: readonly string[];
  readonly header: string;
}

function graphToken(ctx: CommandContext): string {
  const raw = ctx.io.env.GRAPH_ACCESS_TOKEN;
  if (raw === undefined || raw.trim() === '') {
    throw badInput(
      'GRAPH_ACCESS_TOKEN is not set.',
      'Set GRAPH_ACCESS_TOKEN to a Microsoft Graph access token with Application.ReadWrite.All and Synchronization.ReadWrite.All (for example from `az account get-access-token --resource-type ms-graph`).',
    );
  }
  try {
    return cleanSecret(raw, 'bearer').value;
  } catch (e) {
    if (e instanceof Error) {
      nameVariable(e, 'GRAPH_ACCESS_TOKEN');
    }
    throw e;
  }
}

/** Every flag and secret, checked before anything is sent. */
async function readInputs(ctx: CommandContext): Promise<Inputs> {
  const idp = stringFlag(ctx, 'idp') as Idp | undefined;
  if (idp === undefined) {
    throw badInput('--idp is missing.', 'Give the identity provider: --idp okta or --idp entra.');
  }
  const rawId = stringFlag(ctx, 'old-token-id');
  if (rawId !== undefined && !/^\d{1,12}$/.test(rawId.trim())) {
    throw badInput(
      `--old-token-id must be a number (got "${rawId.slice(0, 20)}").`,
      'Find the id of the token in use with `dbt tokens list`.',
    );
  }
  const oldTokenId = rawId === undefined ? undefined : Number(rawId.trim());
  if (ctx.flags.reveal && (idp !== 'okta' || !ctx.io.isTTY || ctx.flags.json)) {
    throw badInput(
      '--reveal is for Okta’s paste, on a terminal, without --json.',
      'Run `rotate --idp okta --reveal` interactively, or leave --reveal out.',
    );
  }
  // Entra holds the SCIM URL (its Tenant URL) and it is read from there when not given; Okta's
  // cannot be read, so Okta needs it.
  const rawScim = stringFlag(ctx, 'dbt-scim-url');
  if ((rawScim === undefined || rawScim.trim() === '') && idp === 'okta') {
    throw badInput(
      '--dbt-scim-url is missing.',
      'Copy the SCIM base URL from dbt (Account settings → SSO & SCIM) and pass it with --dbt-scim-url: the new token is checked against it.',
    );
  }
  const scim =
    rawScim === undefined || rawScim.trim() === ''
      ? undefined
      : cleanScimUrl(rawScim, stringFlag(ctx, 'dbt-api-url'));
  const warnings: string[] = [...(scim?.warnings ?? [])];
  let header: string;
  let entra: RotateCliTarget['entra'];
  let okta: RotateCliTarget['okta'];
  if (idp === 'entra') {
    const graph = cleanGraphUrl(stringFlag(ctx, 'graph-url') ?? DEFAULT_GRAPH_URL);
    const appName = cleanAppName(stringFlag(ctx, 'entra-app-name'));
    const rawApp = stringFlag(ctx, 'entra-app-id');
    const chosenId = rawApp === undefined ? undefined : cleanEntraId(rawApp);
    warnings.push(...graph.warnings);
    entra = {
      graphUrl: graph.url,
      appName,
      token: staticTokenProvider(graphToken(ctx)),
      ...(chosenId ? { chosenId } : {}),
    };
    header = `Rotating the SCIM token of Microsoft Entra ID at ${graph.url}, enterprise app "${appName}"`;
  } else {
    const rawOrg = stringFlag(ctx, 'okta-org');
    const rawApp = stringFlag(ctx, 'okta-app');
    const org = rawOrg === undefined ? undefined : cleanOktaOrgUrl(rawOrg);
    const app = rawApp === undefined ? undefined : cleanOktaAppRef(rawApp);
    if (org) {
      warnings.push(...org.warnings);
    }
    const appText = app ? (app.kind === 'id' ? app.id : app.label) : undefined;
    okta = {
      ...(org ? { consoleUrl: `${org.adminUrl}/admin/apps/active` } : {}),
      ...(ctx.flags.reveal && ctx.io.isTTY
        ? {
            handOver: (value: string) => {
              // The one place the new token is shown: asked for, on a terminal, straight to it.
              ctx.io.stdout(
                `\nThe new SCIM token, for Okta's "Bearer" field:\n\n${value}\n\nCopy it now: it is not shown again.\n\n`,
              );
              return Promise.resolve(true);
            },
          }
        : {}),
    };
    header = `Rotating the SCIM token of Okta${org ? ` (${org.url}${appText ? `, app ${appText}` : ''})` : ''}`;
  }
  const dbt = await dbtTarget(ctx);
  warnings.push(...dbt.warnings);
  const oldValue = ctx.io.env.DBT_SCIM_TOKEN?.trim()
    ? await secretFromEnv(ctx, 'DBT_SCIM_TOKEN')
    : undefined;
  return {
    header,
    warnings,
    target: {
      idp,
      dbt: { apiUrl: dbt.apiUrl, accountId: dbt.accountId, apiToken: dbt.apiToken },
      ...(scim ? { scimUrl: scim.url } : {}),
      ...(oldValue !== undefined ? { oldValue } : {}),
      ...(oldTokenId !== undefined ? { oldTokenId } : {}),
      ...(ctx.flags['keep-old'] ? { keepOld: true } : {}),
      ...(entra ? { entra } : {}),
      ...(okta ? { okta } : {}),
    },
  };
}

function lines(inputs: Inputs, r: RotationRunResult): string[] {
  const out = [inputs.header, ...inputs.warnings.map((w) => `Warning: ${w}`)];
  const s = r.state;
  if (r.resumedFrom && s) {
    out.push(`Resumed the rotation started at ${s.startedAt}, from the stage "${r.resumedFrom}".`);
  }
  if (r.chosen) {
    out.push(r.chosen);
  }
  if (s?.newTokenId !== undefined) {
    out.push(`New token: "${s.newTokenName}" (id ${s.newTokenId}); its value is not printed.`);
  }
  if (r.outcome === 'done') {
    out.push(
      s?.keepOld
        ? `Done. The old token "${s.oldTokenName}" (id ${s.oldTokenId}) was kept (--keep-old): it still works until you delete it.`
        : `Done. The old token "${s?.oldTokenName ?? ''}" (id ${s?.oldTokenId ?? '?'}) is deleted.`,
    );
    if (inputs.target.idp === 'entra') {
      out.push('Use the new token in DBT_SCIM_TOKEN from now on (e.g. for `entra verify`).');
    }
  } else if (r.outcome === 'pending') {
    out.push(
      'In the Okta admin console (no API can do this for a custom SAML app):',
      ...r.instructions.map((i) => `  - ${i}`),
      'Then run the same command again: it checks that Okta uses the new token, then deletes the old one. The old token keeps working until then.',
    );
    if (s && !s.newInIdp) {
      out.push(
        'The new token’s value was not shown (it is never printed): to see it once for the paste, run the command on a terminal with --reveal.',
      );
    }
  } else if (s && !s.newInIdp && s.stage !== 'old-deleted' && s.stage !== 'old-refused') {
    out.push(
      `The old token "${s.oldTokenName}" (id ${s.oldTokenId}) is still in place and working. Run the command again to finish.`,
    );
  }
  return out;
}

export const rotate: CommandSpec = {
  path: ['rotate'],
  summary:
    'rotate the dbt SCIM token without downtime (new token, into the IdP, proven, then the old one deleted)',
  description:
    'Creates a new SCIM token with DBT_API_TOKEN (--dbt-api-url, --dbt-account-id) and checks it against --dbt-scim-url; puts it in the identity provider (Entra: Test connection, then saving the Secret Token, then the job’s health, with GRAPH_ACCESS_TOKEN, --graph-url, --entra-app-name; Okta: a console step, proven when dbt sees Okta use the new token); only then deletes the old token and, with DBT_SCIM_TOKEN (the token in use now), proves that dbt refuses it. Without --old-token-id the old token is the one in DBT_SCIM_TOKEN, else the most recently used. A failure before the deletion leaves the old token working; a failed Entra update is rolled back. Interrupted runs resume from the journal. The new token is never printed (Okta: --reveal shows it once on a terminal). Exits 1 while the Okta console step is pending.',
  flags: {
    idp: {
      type: 'string',
      choices: ['okta', 'entra'],
      description: 'the identity provider that uses the token',
    },
    'old-token-id': {
      type: 'string',
      valueName: 'ID',
      description: 'the dbt id of the token in use now (default: the most recently used)',
    },
    'keep-old': {
      type: 'boolean',
      description: 'do not delete the old token (it keeps working)',
    },
    'entra-app-id': {
      type: 'string',
      valueName: 'ID',
      description: 'the service principal id or app id, when several Entra apps share the name',
    },
    reveal: {
      type: 'boolean',
      description: 'Okta on a terminal: show the new token once, for the paste into "Bearer"',
    },
  },
  async run(ctx): Promise<CommandReport> {
    const inputs = await readInputs(ctx);
    const services = ctx.services();
    const stop = ctx.flags.json
      ? () => undefined
      : services.onEvent((e) => {
          if (e.type === 'progress' && e.kind === services.rotation.kind) {
            ctx.io.stderr(`… ${e.message}\n`);
          }
        });
    try {
      let r = await services.rotation.rotateCli(inputs.target);
      if (r.outcome === 'pending' && ctx.io.confirm && !ctx.flags.json) {
        ctx.io.stderr(`${r.instructions.map((i) => `  - ${i}`).join('\n')}\n`);
        if (
          await ctx.io.confirm(
            'Done in Okta (pasted into "Bearer", "Test Connector Configuration" clicked, saved)?',
          )
        ) {
          r = await services.rotation.rotateCli(inputs.target);
        }
      }
      const s = r.state;
      return {
        lines: lines(inputs, r),
        checks: r.checks.map(({ id, status, message }) => ({ id, status, message })),
        // People read the stages in `checks`; JSON consumers get the planned changes here.
        ...(ctx.flags.json
          ? {
              changes: r.changes.map((c) => ({
                id: c.id,
                action: c.action,
                target: c.target,
                detail: c.detail,
              })),
            }
          : {}),
        data: {
          idp: inputs.target.idp,
          outcome: r.outcome,
          resumed: r.resumed,
          stage: s?.stage ?? null,
          oldToken: s ? { id: s.oldTokenId, name: s.oldTokenName } : null,
          newToken: s?.newTokenId !== undefined ? { id: s.newTokenId, name: s.newTokenName } : null,
          keptOld: s?.keepOld === true,
          chosen: r.chosen ?? null,
          warnings: inputs.warnings,
        },
        ...(r.error ? { error: fromErrorInfo(r.error) } : {}),
      };
    } finally {
      stop();
    }
  },
};
