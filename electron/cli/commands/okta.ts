/**
 * `okta plan`, `okta apply`, `okta verify` (CLI.md): the Okta side on the admin's existing dbt SSO
 * app, with OKTA_API_TOKEN (SSWS) or OKTA_ACCESS_TOKEN (Bearer). `apply` does what Okta's API
 * allows (the licenseType attribute, group push mappings, the username format before SCIM is on,
 * a test user); `verify` reads everything back and names each console step still pending.
 * Every input is checked before anything is sent.
 */
import { WizardError, badInput, fromErrorInfo } from '../../core/errors.js';
import type { Change } from '../../core/model.js';
import { cleanScimUrl } from '../../core/dbt/hosts.js';
import { LICENSE_TYPES } from '../../core/okta/ports.js';
import {
  cleanGroupName,
  cleanLicenseType,
  cleanOktaAppRef,
  cleanOktaLogin,
  cleanOktaOrgUrl,
} from '../../core/okta/inputs.js';
import { OKTA_CONSOLE_IDS } from '../../core/okta/console.js';
import { createDbtAdmin } from '../../adapters/dbt/admin.js';
import type { OktaAuth } from '../../adapters/okta/client.js';
import {
  cliConsoleTimes,
  oktaCliJournalId,
  type GroupPushPick,
  type OktaMode,
  type OktaRunResult,
  type OktaTarget,
} from '../../services/okta.js';
import { cleanEnvSecret, dbtTarget, secretFromEnv, stringFlag } from '../inputs.js';
import { EXIT, type CliChange, type CommandReport } from '../output.js';
import type { CommandContext, CommandSpec, FlagSpec } from '../spec.js';

const FLAGS: Readonly<Record<string, FlagSpec>> = {
  'push-groups': {
    type: 'string',
    valueName: 'NAMES',
    description:
      'Okta groups to push to dbt, comma-separated; each becomes (or links to) the dbt group of the same name',
  },
  'license-type': {
    type: 'string',
    valueName: 'TYPE',
    choices: LICENSE_TYPES.map((l) => l.value),
    description: 'with --test-user: the license type to assign (default read_only)',
  },
  'username-email': {
    type: 'boolean',
    description:
      "apply may set the app's username format to Email (changes the SAML subject; refused once SCIM is on)",
  },
  'existing-integration': {
    type: 'boolean',
    description: 'dbt already has users and groups: the Import console step is required',
  },
};

/** OKTA_ACCESS_TOKEN (Bearer) or OKTA_API_TOKEN (SSWS); one of them, never a flag. */
async function oktaAuth(ctx: CommandContext): Promise<OktaAuth> {
  const access = ctx.io.env.OKTA_ACCESS_TOKEN;
  let api = ctx.io.env.OKTA_API_TOKEN;
  const has = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';
  if (has(access) && has(api)) {
    throw badInput(
      'Both OKTA_ACCESS_TOKEN and OKTA_API_TOKEN are set.',
      'Set only one: an OAuth access token (recommended) or an API token.',
    );
  }
  if (has(access)) {
    const value = cleanEnvSecret('OKTA_ACCESS_TOKEN', access, 'bearer');
    return { kind: 'bearer', getToken: () => Promise.resolve(value) };
  }
  if (!has(api) && ctx.io.promptSecret) {
    api = await ctx.io.promptSecret('OKTA_API_TOKEN (an Okta API token, not shown): ');
  }
  if (!has(api)) {
    throw badInput(
      'Neither OKTA_ACCESS_TOKEN nor OKTA_API_TOKEN is set.',
      'Set OKTA_ACCESS_TOKEN to an OAuth access token with the Okta API scopes the wizard needs (okta.apps.manage, okta.schemas.manage, okta.groups.manage, okta.users.read, okta.logs.read, okta.roles.read), or OKTA_API_TOKEN to an API token of a Super Administrator or Org Administrator; secrets are never read from flags.',
    );
  }
  return { kind: 'ssws', token: cleanEnvSecret('OKTA_API_TOKEN', api, 'okta-api') };
}

interface Inputs {
  readonly target: OktaTarget;
  readonly warnings: readonly string[];
  /** Okta group names to resolve to ids once signed in. */
  readonly groupNames: readonly string[];
}

async function readInputs(ctx: CommandContext): Promise<Inputs> {
  const rawOrg = stringFlag(ctx, 'okta-org');
  if (rawOrg === undefined || rawOrg.trim() === '') {
    throw badInput(
      '--okta-org is missing.',
      'Give your Okta org URL, e.g. --okta-org https://acme.okta.com.',
    );
  }
  const org = cleanOktaOrgUrl(rawOrg);
  const rawApp = stringFlag(ctx, 'okta-app');
  if (rawApp === undefined || rawApp.trim() === '') {
    throw badInput(
      '--okta-app is missing.',
      'Give the id (0oa…) or the label of the Okta app used for dbt SSO with --okta-app.',
    );
  }
  const appRef = cleanOktaAppRef(rawApp);
  const warnings: string[] = [...org.warnings];

  const rawUser = stringFlag(ctx, 'test-user');
  const rawLicense = stringFlag(ctx, 'license-type');
  if (rawLicense !== undefined && rawUser === undefined) {
    throw badInput(
      '--license-type needs --test-user.',
      'Give the test user with --test-user LOGIN.',
    );
  }
  const testUser =
    rawUser === undefined
      ? undefined
      : {
          login: cleanOktaLogin(rawUser),
          licenseType: rawLicense === undefined ? 'read_only' : cleanLicenseType(rawLicense),
        };

  const groupNames = (stringFlag(ctx, 'push-groups') ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '')
    .map((g) => cleanGroupName(g));
  if (new Set(groupNames.map((g) => g.toLowerCase())).size !== groupNames.length) {
    throw badInput('--push-groups names a group twice.', 'Name each Okta group once.');
  }

  let dbt: OktaTarget['dbt'];
  const rawScim = stringFlag(ctx, 'dbt-scim-url');
  if (rawScim !== undefined) {
    const scim = cleanScimUrl(rawScim, stringFlag(ctx, 'dbt-api-url'));
    warnings.push(...scim.warnings);
    const env = ctx.io.env.DBT_SCIM_TOKEN;
    const token =
      env !== undefined && env.trim() !== ''
        ? await secretFromEnv(ctx, 'DBT_SCIM_TOKEN')
        : undefined;
    dbt = { scimUrl: scim.url, ...(token ? { token } : {}) };
  }
  if (testUser && !dbt?.token) {
    throw badInput(
      '--test-user needs --dbt-scim-url and DBT_SCIM_TOKEN.',
      'The wizard reads the test user back from dbt over SCIM: give the SCIM URL and set DBT_SCIM_TOKEN.',
    );
  }

  let dbtAdmin: OktaTarget['dbtAdmin'];
  if (
    stringFlag(ctx, 'dbt-api-url') !== undefined ||
    stringFlag(ctx, 'dbt-account-id') !== undefined
  ) {
    const t = await dbtTarget(ctx);
    warnings.push(...t.warnings);
    dbtAdmin = createDbtAdmin({
      http: ctx.services().http,
      apiUrl: t.apiUrl,
      accountId: t.accountId,
      apiToken: t.apiToken,
    });
  }

  const auth = await oktaAuth(ctx);
  const journalId = oktaCliJournalId(org.url, appRef.kind === 'id' ? appRef.id : appRef.label);
  const services = ctx.services();
  const times = await cliConsoleTimes(
    services.journal,
    journalId,
    OKTA_CONSOLE_IDS,
    services.clock.now(),
  );
  return {
    target: {
      orgUrl: org.url,
      adminUrl: org.adminUrl,
      auth,
      appRef,
      store: services.okta.journalStateStore(journalId),
      journalId,
      consoleShownAt: times.shownAt,
      consoleVerifiedAt: times.verifiedAt,
      ...(dbt ? { dbt } : {}),
      ...(dbtAdmin ? { dbtAdmin } : {}),
      ...(ctx.flags['username-email'] ? { userNameChange: 'confirmed' as const } : {}),
      ...(ctx.flags['existing-integration'] ? { existingIntegration: true } : {}),
      ...(testUser ? { testUser } : {}),
    },
    warnings,
    groupNames,
  };
}

/** Resolves --push-groups to Okta group ids: exact name first, then a single case-insensitive match. */
async function resolveGroups(ctx: CommandContext, inputs: Inputs): Promise<GroupPushPick[]> {
  if (inputs.groupNames.length === 0) {
    return [];
  }
  const okta = ctx.services().okta.port(inputs.target.orgUrl, inputs.target.auth);
  const picks: GroupPushPick[] = [];
  for (const name of inputs.groupNames) {
    // Only Okta's own groups can be pushed: app groups (imported from dbt, or made by an earlier
    // push of this very group) share the name but are never a source.
    const found = (await okta.listGroups(name)).filter((g) => g.type !== 'APP_GROUP');
    const exact = found.filter((g) => g.name === name);
    const loose = found.filter((g) => g.name.toLowerCase() === name.toLowerCase());
    const group = exact.length === 1 ? exact[0] : loose.length === 1 ? loose[0] : undefined;
    if (!group) {
      throw badInput(
        loose.length > 1
          ? `Several Okta groups are named ${name} (in different cases).`
          : `Okta has no group named ${name}.`,
        'Check the name in the Okta admin console (Directory → Groups) and pass it exactly with --push-groups.',
      );
    }
    picks.push({ oktaGroupId: group.id, oktaGroupName: group.name, targetGroupName: group.name });
  }
  return picks;
}

const SIGN: Record<Change['action'], string> = { add: '+', change: '~', remove: '-' };

function cliChanges(changes: readonly Change[]): CliChange[] {
  return changes.map((c) => ({ id: c.id, action: c.action, target: c.target, detail: c.detail }));
}

function planLines(changes: readonly Change[]): string[] {
  if (changes.length === 0) {
    return ['Nothing to change by API: Okta already matches what dbt needs.'];
  }
  return [
    `Plan (${changes.length} change${changes.length === 1 ? '' : 's'}):`,
    ...changes.map((c) => `  ${SIGN[c.action]} ${c.detail}`),
  ];
}

/** The console steps still to do, each with its instructions and the page to open. */
function consoleLines(result: OktaRunResult): string[] {
  const open = result.console.filter((i) => i.status === 'pending' || i.status === 'fail');
  if (open.length === 0) {
    return [];
  }
  const lines = ['In the Okta admin console (no API can do these for a custom SAML app):'];
  for (const item of open) {
    lines.push(
      `  ${item.status === 'fail' ? 'FAILED ' : 'PENDING'} ${item.title}${item.link ? `: ${item.link.url}` : ''}`,
    );
    for (const step of item.instructions) {
      lines.push(`      - ${step}`);
    }
    for (const v of item.values) {
      lines.push(`      ${v.label}: ${v.value}`);
    }
    if (item.needsToken) {
      lines.push(
        '      Bearer: the dbt SCIM token (the one in DBT_SCIM_TOKEN; never printed here)',
      );
    }
  }
  return lines;
}

function report(
  ctx: CommandContext,
  inputs: Inputs,
  result: OktaRunResult,
  lines: string[],
): CommandReport {
  const json = Boolean(ctx.flags.json);
  const t = inputs.target;
  return {
    lines: [
      `Okta org ${t.orgUrl}, app ${result.saved.appLabel ? `"${result.saved.appLabel}" (${result.saved.appId ?? '?'})` : t.appRef?.kind === 'id' ? t.appRef.id : `"${t.appRef?.kind === 'label' ? t.appRef.label : ''}"`}`,
      ...inputs.warnings.map((w) => `Warning: ${w}`),
      ...lines,
    ],
    ...(json ? { changes: cliChanges(result.changes) } : {}),
    checks: result.checks.map(({ id, status, message }) => ({ id, status, message })),
    data: {
      orgUrl: t.orgUrl,
      phase: result.phase,
      app: result.saved.appId
        ? {
            id: result.saved.appId,
            label: result.saved.appLabel ?? null,
            name: result.saved.appName ?? null,
          }
        : null,
      console: result.console.map((i) => ({
        id: i.id,
        title: i.title,
        status: i.status,
        message: i.message,
        link: i.link?.url ?? null,
      })),
      warnings: inputs.warnings,
    },
    ...(result.error ? { error: fromErrorInfo(result.error) } : {}),
  };
}

function watchProgress(ctx: CommandContext): () => void {
  if (ctx.flags.json) {
    return () => undefined;
  }
  return ctx.services().onEvent((e) => {
    if (e.type === 'progress' && e.kind.startsWith('okta.')) {
      ctx.io.stderr(`… ${e.message}\n`);
    }
  });
}

async function run(ctx: CommandContext, mode: OktaMode): Promise<CommandReport> {
  if (mode === 'apply' && !ctx.flags.yes && !ctx.io.confirm) {
    throw badInput(
      'Nothing was changed: apply needs a confirmation, and there is no terminal to ask on.',
      'Review the changes with `okta plan`, then run `okta apply --yes`.',
    );
  }
  const inputs0 = await readInputs(ctx);
  const services = ctx.services();
  const stop = watchProgress(ctx);
  try {
    const groupPushes = await resolveGroups(ctx, inputs0);
    const inputs: Inputs = {
      ...inputs0,
      target: { ...inputs0.target, ...(groupPushes.length > 0 ? { groupPushes } : {}) },
    };
    if (mode === 'plan') {
      const result = await services.okta.runSetup(inputs.target, 'plan');
      return {
        ...report(ctx, inputs, result, [...planLines(result.changes), ...consoleLines(result)]),
        // A plan lists; it does not judge (verify does).
        checks: [],
      };
    }
    if (mode === 'verify') {
      const result = await services.okta.runSetup(inputs.target, 'verify');
      const failed = result.checks.filter((c) => c.status === 'fail').length;
      const pending = result.checks.filter((c) => c.status === 'pending').length;
      const summary =
        failed === 0 && pending === 0 && !result.error
          ? 'Everything dbt’s setup page asks for is in place in Okta.'
          : [
              failed > 0 ? `${failed} item${failed === 1 ? '' : 's'} failed` : '',
              pending > 0 ? `${pending} pending (console steps not done yet)` : '',
            ]
              .filter((s) => s !== '')
              .join('; ') + '.';
      return report(ctx, inputs, result, [summary, ...consoleLines(result)]);
    }
    const asked = { declined: false };
    const result = await services.okta.runSetup(inputs.target, 'apply', {
      confirm: async (changes) => {
        if (ctx.flags.yes) {
          return true;
        }
        ctx.io.stderr(`${planLines(changes).join('\n')}\n`);
        const ok = (await ctx.io.confirm?.('Apply these changes to Okta?')) ?? false;
        asked.declined = !ok;
        return ok;
      },
    });
    if (asked.declined) {
      return { ...report(ctx, inputs, result, ['Nothing was changed.']), exitCode: EXIT.failed };
    }
    if (result.phase === 'planned') {
      throw new WizardError('conflict', 'Okta changed while the plan was being confirmed.', {
        remediation: 'Run the command again to see the new plan.',
      });
    }
    const lines =
      result.changes.length === 0
        ? ['Nothing to change by API: Okta already matches what dbt needs.']
        : [
            `${result.error ? 'Attempted' : 'Applied'} (${result.changes.length} change${result.changes.length === 1 ? '' : 's'}):`,
            ...result.changes.map((c) => `  ${SIGN[c.action]} ${c.detail}`),
          ];
    return report(ctx, inputs, result, [...lines, ...consoleLines(result)]);
  } finally {
    stop();
  }
}

const COMMON =
  "Needs --okta-org and --okta-app (the id or label of the dbt SSO app), and OKTA_ACCESS_TOKEN (OAuth, recommended) or OKTA_API_TOKEN of a Super Administrator or Org Administrator. Optional: --dbt-scim-url (shown for the console steps; with DBT_SCIM_TOKEN, the test user is read back from dbt), --dbt-api-url with --dbt-account-id and DBT_API_TOKEN (confirms that Okta reached dbt through the token's last use, and checks group names against dbt's).";

export const oktaPlan: CommandSpec = {
  path: ['okta', 'plan'],
  summary:
    'list every change `okta apply` would make in Okta, and the console steps to do (changes nothing)',
  description: `Finds the dbt SSO app, reads its username format, its features (what the console has turned on), the app user schema and the group push mappings, and lists every change apply would make, then the console-only steps still to do. ${COMMON}`,
  flags: FLAGS,
  run: (ctx) => run(ctx, 'plan'),
};

export const oktaApply: CommandSpec = {
  path: ['okta', 'apply'],
  summary: 'do the API part of the Okta setup, then verify it',
  description: `Adds the licenseType attribute to the app user profile exactly as dbt's page says (once SCIM is on), creates the group push mappings for --push-groups (once "Push Groups" is on), sets the username format to Email with --username-email (only before SCIM is on), and with --test-user assigns that user with --license-type and waits for it in dbt. Idempotent. Console-only steps are listed as pending. Asks for confirmation on a terminal; --yes otherwise. ${COMMON}`,
  flags: FLAGS,
  run: (ctx) => run(ctx, 'apply'),
};

export const oktaVerify: CommandSpec = {
  path: ['okta', 'verify'],
  summary: 'read the Okta setup back: pass, fail or pending (a console step not done yet)',
  description: `Reads back the app, its username format, each console step (SCIM on, the Integration settings, the connector test, the To App actions, the import for existing integrations), the licenseType attribute and the group push mappings. Exits 1 when anything fails or a console step is still pending, naming each. ${COMMON}`,
  flags: FLAGS,
  run: (ctx) => run(ctx, 'verify'),
};
