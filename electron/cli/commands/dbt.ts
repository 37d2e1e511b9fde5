/**
 * `dbt check`, `dbt enable`, `dbt tokens list|create|delete` (CLI.md).
 */
import { WizardError, badInput, fromErrorInfo } from '../../core/errors.js';
import { cleanScimUrl } from '../../core/dbt/hosts.js';
import { scimConfigStep, tokensInUse } from '../../core/dbt/steps.js';
import { lastFour } from '../../core/redact.js';
import { refuseInUse } from '../../services/dbt.js';
import {
  cliJournalId,
  dbtCoordinates,
  dbtTarget,
  onOffFlag,
  secretFromEnv,
  stringFlag,
} from '../inputs.js';
import { checkExitCode, EXIT, type CommandReport } from '../output.js';
import type { CommandSpec } from '../spec.js';

export { checkExitCode } from '../output.js';

export const dbtCheck: CommandSpec = {
  path: ['dbt', 'check'],
  summary: 'probe the dbt SCIM API with DBT_SCIM_TOKEN and name the cause of any failure',
  description:
    'Probes what an identity provider will call: /ServiceProviderConfig (optional), /Users, a userName filter and /Groups, with DBT_SCIM_TOKEN as the Bearer token. Each failure names its cause (bad token, wrong URL, IP restriction, TLS, proxy, a sign-in page…) and what to do.',
  async run(ctx) {
    const raw = stringFlag(ctx, 'dbt-scim-url');
    if (raw === undefined) {
      throw badInput(
        '--dbt-scim-url is missing.',
        'Copy the SCIM base URL from dbt (Account settings → SSO & SCIM) and pass it with --dbt-scim-url.',
      );
    }
    const apiUrl = stringFlag(ctx, 'dbt-api-url');
    const url = cleanScimUrl(raw, apiUrl);
    const token = await secretFromEnv(ctx, 'DBT_SCIM_TOKEN');
    const result = await ctx.services().dbt.check(url.url, token);
    const failing = result.checks.find((c) => c.status === 'fail');
    return {
      lines: [`Checking ${url.url}`, ...url.warnings.map((w) => `Warning: ${w}`)],
      checks: result.checks.map(({ id, status, message }) => ({ id, status, message })),
      data: { scimUrl: url.url, warnings: url.warnings, supports: result.supports ?? null },
      ...(result.failure && failing
        ? {
            exitCode: checkExitCode(result.failure.code),
            errorInfo: { code: result.failure.code, message: failing.message },
          }
        : {}),
    };
  },
};

export const dbtEnable: CommandSpec = {
  path: ['dbt', 'enable'],
  summary: 'turn SCIM on (and its two toggles) through the Admin API with DBT_API_TOKEN',
  description:
    'Reads the SCIM settings, lists what will change, and after confirmation (or --yes) applies and reads them back. "Allow manual updates" defaults to off, as dbt recommends; "Manage user licenses with SCIM" is left as it is unless given.',
  flags: {
    'manual-updates': {
      type: 'string',
      choices: ['on', 'off'],
      description: 'the "Allow manual updates" toggle (default off)',
    },
    'license-by-scim': {
      type: 'string',
      choices: ['on', 'off'],
      description: 'the "Manage user licenses with SCIM" toggle (default: unchanged)',
    },
  },
  async run(ctx): Promise<CommandReport> {
    const target = await dbtTarget(ctx);
    const manual = onOffFlag(ctx, 'manual-updates');
    const license = onOffFlag(ctx, 'license-by-scim');
    const services = ctx.services();
    const step = scimConfigStep(services.dbt.admin(target), {
      ...(manual !== undefined ? { manualUpdatesAllowed: manual } : {}),
      ...(license !== undefined ? { scimControlledLicenseType: license } : {}),
    });
    const profileId = cliJournalId(target.accountId);
    const planned = await services.engine.run(step, { profileId, mode: 'plan' });
    if (planned.error) {
      throw fromErrorInfo(planned.error);
    }
    const changes = planned.changes.map((c) => ({
      id: c.id,
      action: c.action,
      target: c.target,
      detail: c.detail,
    }));
    const lines = [...target.warnings.map((w) => `Warning: ${w}`)];
    if (changes.length === 0) {
      lines.push('dbt already has these SCIM settings; nothing to change.');
    } else if (!ctx.flags.yes) {
      lines.push('Plan:', ...changes.map((c) => `  ~ ${c.detail}`));
      if (!ctx.io.confirm) {
        throw badInput(
          'Nothing was changed: confirmation is needed.',
          'Review the plan above and run again with --yes.',
        );
      }
      if (!(await ctx.io.confirm('Apply these changes to dbt?'))) {
        return { lines: [...lines, 'Nothing was changed.'], changes, exitCode: EXIT.failed };
      }
    }
    const ids = planned.changes.map((c) => c.id);
    const applied = await services.engine.run(step, {
      profileId,
      mode: 'apply',
      confirm: (plan) =>
        Promise.resolve(
          plan.changes.length === ids.length && plan.changes.every((c) => ids.includes(c.id)),
        ),
    });
    if (applied.error) {
      throw fromErrorInfo(applied.error);
    }
    if (applied.phase === 'planned') {
      throw new WizardError(
        'conflict',
        'dbt’s SCIM settings changed while the plan was being confirmed.',
        {
          remediation: 'Run the command again to see the new plan.',
        },
      );
    }
    return {
      lines: changes.length ? [...lines, ...changes.map((c) => `Applied: ${c.detail}`)] : lines,
      changes,
      checks: applied.checks.map(({ id, status, message }) => ({ id, status, message })),
    };
  },
};

export const dbtTokensList: CommandSpec = {
  path: ['dbt', 'tokens', 'list'],
  summary: 'list the SCIM tokens of the account (name, id, created, last used)',
  async run(ctx) {
    const target = await dbtTarget(ctx);
    const admin = ctx.services().dbt.admin(target);
    const tokens = await admin.listScimTokens();
    if (tokens === undefined) {
      throw new WizardError(
        'not_found',
        'dbt does not offer a list of SCIM tokens on this account.',
        {
          remediation: 'See the tokens in dbt: Account settings → SSO & SCIM.',
        },
      );
    }
    const inUse = tokensInUse(tokens, ctx.services().clock.now());
    return {
      lines:
        tokens.length === 0
          ? ['The account has no SCIM tokens.']
          : tokens.map(
              (t) =>
                `${String(t.id).padEnd(8)} ${t.name.padEnd(28)} created ${t.createdAt.slice(0, 10)}  last used ${t.lastUsed ?? 'never'}${inUse.has(t.id) ? '  (in use)' : ''}`,
            ),
      data: { tokens: tokens.map((t) => ({ ...t, inUse: inUse.has(t.id) })) },
    };
  },
};

export const dbtTokensCreate: CommandSpec = {
  path: ['dbt', 'tokens', 'create'],
  summary: 'create a named SCIM token (shown only with --reveal on a terminal)',
  positionals: [
    {
      name: 'NAME',
      description: 'a name that says where the token is used, e.g. scim-okta-2026-11',
    },
  ],
  flags: {
    reveal: {
      type: 'boolean',
      description: 'print the new token once (a terminal only; never with --json)',
    },
  },
  async run(ctx) {
    const name = (ctx.positionals[0] ?? '').trim();
    if (name === '' || name.length > 255) {
      throw badInput(
        'The token name must have 1 to 255 characters.',
        'Give a name such as scim-okta-2026-11.',
      );
    }
    if (ctx.flags.reveal && (!ctx.io.isTTY || ctx.flags.json)) {
      throw badInput(
        '--reveal needs a terminal and no --json.',
        'Run it interactively, or create the token without --reveal.',
      );
    }
    const target = await dbtTarget(ctx);
    const admin = ctx.services().dbt.admin(target);
    const existing = (await admin.listScimTokens())?.find((t) => t.name === name);
    if (existing) {
      throw badInput(
        `A SCIM token named "${name}" already exists (id ${existing.id}).`,
        'Choose another name, so that each token says where it is used.',
      );
    }
    const { token, value } = await admin.createScimToken(name);
    if (ctx.flags.reveal) {
      // The one place a token value is printed: asked for, on a terminal, straight to the screen.
      ctx.io.stdout(`\n${value}\n\nCopy it now: dbt will not show it again.\n\n`);
    }
    return {
      lines: [`Created SCIM token "${token.name}" (id ${token.id}, ending …${lastFour(value)}).`],
      changes: [{ id: 'token.create', action: 'add', target: `dbt SCIM token "${token.name}"` }],
      data: {
        token: {
          id: token.id,
          name: token.name,
          createdAt: token.createdAt,
          last4: lastFour(value),
        },
      },
    };
  },
};

export const dbtTokensDelete: CommandSpec = {
  path: ['dbt', 'tokens', 'delete'],
  summary: 'delete a SCIM token by id (refuses a token in use without --force)',
  positionals: [{ name: 'ID', description: 'the token id, from `dbt tokens list`' }],
  flags: {
    force: {
      type: 'boolean',
      description: 'delete even a token the identity provider seems to use',
    },
  },
  async run(ctx) {
    const raw = ctx.positionals[0] ?? '';
    if (!/^\d{1,12}$/.test(raw)) {
      throw badInput(
        `The token id must be a number (got "${raw.slice(0, 20)}").`,
        'Find it with `dbt tokens list`.',
      );
    }
    const id = Number(raw);
    const coords = dbtCoordinates(ctx);
    const target = await dbtTarget(ctx);
    const admin = ctx.services().dbt.admin(target);
    const tokens = (await admin.listScimTokens()) ?? [];
    const row = tokens.find((t) => t.id === id) ?? (await admin.getScimToken(id));
    if (!row) {
      throw new WizardError(
        'not_found',
        `Account ${coords.accountId} has no SCIM token with id ${id}.`,
        { remediation: 'Find the id with `dbt tokens list`.' },
      );
    }
    const inUse = tokensInUse(tokens.length ? tokens : [row], ctx.services().clock.now()).has(id);
    refuseInUse({ ...row, inUse }, Boolean(ctx.flags.force));
    if (
      !ctx.flags.yes &&
      ctx.io.confirm &&
      !(await ctx.io.confirm(`Delete the SCIM token "${row.name}" (id ${id})?`))
    ) {
      return { lines: ['Nothing was deleted.'], exitCode: EXIT.failed };
    }
    await admin.deleteScimToken(id);
    return {
      lines: [`Deleted SCIM token "${row.name}" (id ${id}).`],
      changes: [
        { id: 'token.delete', action: 'remove', target: `dbt SCIM token "${row.name}" (id ${id})` },
      ],
    };
  },
};
