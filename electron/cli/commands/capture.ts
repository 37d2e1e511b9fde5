/**
 * `capture --out DIR [--profile ID_OR_NAME]`: records the answers of the read-only checks (GET
 * only) into a new folder, every secret, person, e-mail, id and org host replaced by stable
 * placeholders, for a bug report or a test fixture. Each side is captured when its inputs are
 * present (flags, or the profile; secrets from the environment, or the profile's secret store for
 * the dbt tokens) and skipped with a line otherwise. Never prompts: a capture runs unattended.
 */
import { badInput } from '../../core/errors.js';
import { cleanApiUrl, cleanScimUrl, parseAccountId } from '../../core/dbt/hosts.js';
import { ENTRA_CLOUDS } from '../../core/entra/ports.js';
import { cleanAppName, cleanGraphUrl, DEFAULT_GRAPH_URL } from '../../core/entra/inputs.js';
import { cleanOktaAppRef, cleanOktaOrgUrl, type OktaAppRef } from '../../core/okta/inputs.js';
import type { Profile } from '../../core/store/profiles.js';
import type { CaptureSide } from '../../core/capture/folder.js';
import type { OktaAuth } from '../../adapters/okta/client.js';
import {
  assertCaptureTarget,
  captureToFolder,
  type CaptureInputs,
} from '../../services/capture.js';
import { SECRET_DBT_API, SECRET_DBT_SCIM } from '../../services/dbt.js';
import { staticTokenProvider } from '../../services/entra.js';
import { cleanEnvSecret, profileByRef, stringFlag } from '../inputs.js';
import type { CliCheck, CommandReport } from '../output.js';
import type { CommandContext, CommandSpec } from '../spec.js';

const has = (v: string | undefined): v is string => v !== undefined && v.trim() !== '';

function skipped(id: CaptureSide['id'], what: string, needs: string): CaptureSide {
  return { id, status: 'skipped', message: `${what}: skipped (needs ${needs}).` };
}

/** Every input, checked before anything is sent; the sides without inputs are listed as skipped. */
async function readInputs(ctx: CommandContext, profile: Profile | undefined) {
  const env = ctx.io.env;
  const secrets = ctx.services().secrets;
  const stored = async (name: string): Promise<string | undefined> =>
    profile ? secrets.get(profile.id, name) : undefined;
  const skips: CaptureSide[] = [];
  const extraSecrets: string[] = [];
  const warnings: string[] = [];
  let inputs: Omit<CaptureInputs, 'skipped' | 'secrets'> = {};

  // dbt SCIM API
  const rawScim = stringFlag(ctx, 'dbt-scim-url') ?? profile?.dbt.scimUrl;
  const rawApi = stringFlag(ctx, 'dbt-api-url') ?? profile?.dbt.apiUrl;
  const scimToken = has(env.DBT_SCIM_TOKEN)
    ? cleanEnvSecret('DBT_SCIM_TOKEN', env.DBT_SCIM_TOKEN, 'dbt-scim')
    : await stored(SECRET_DBT_SCIM);
  if (has(rawScim) && has(scimToken)) {
    const scim = cleanScimUrl(rawScim, rawApi);
    warnings.push(...scim.warnings);
    inputs = { ...inputs, dbtScim: { scimUrl: scim.url, token: scimToken } };
  } else {
    skips.push(skipped('dbt-scim', 'dbt SCIM API', '--dbt-scim-url and DBT_SCIM_TOKEN'));
  }

  // dbt Admin API
  const rawAccount = stringFlag(ctx, 'dbt-account-id') ?? profile?.dbt.accountId;
  const apiToken = has(env.DBT_API_TOKEN)
    ? cleanEnvSecret('DBT_API_TOKEN', env.DBT_API_TOKEN, 'dbt-api')
    : await stored(SECRET_DBT_API);
  if (has(rawApi) && rawAccount !== undefined && has(apiToken)) {
    const api = cleanApiUrl(rawApi);
    warnings.push(...api.warnings);
    inputs = {
      ...inputs,
      dbtAdmin: { apiUrl: api.url, accountId: parseAccountId(rawAccount), apiToken },
    };
  } else {
    skips.push(
      skipped('dbt-admin', 'dbt Admin API', '--dbt-api-url, --dbt-account-id and DBT_API_TOKEN'),
    );
  }

  // Okta
  const rawOrg = stringFlag(ctx, 'okta-org') ?? profile?.okta?.orgUrl;
  const rawApp = stringFlag(ctx, 'okta-app');
  const appRef: OktaAppRef | undefined = has(rawApp)
    ? cleanOktaAppRef(rawApp)
    : profile?.okta?.appId
      ? { kind: 'id', id: profile.okta.appId }
      : undefined;
  if (has(env.OKTA_ACCESS_TOKEN) && has(env.OKTA_API_TOKEN)) {
    throw badInput(
      'Both OKTA_ACCESS_TOKEN and OKTA_API_TOKEN are set.',
      'Set only one: an OAuth access token or an API token.',
    );
  }
  let auth: OktaAuth | undefined;
  if (has(env.OKTA_ACCESS_TOKEN)) {
    const value = cleanEnvSecret('OKTA_ACCESS_TOKEN', env.OKTA_ACCESS_TOKEN, 'bearer');
    extraSecrets.push(value);
    auth = { kind: 'bearer', getToken: () => Promise.resolve(value) };
  } else if (has(env.OKTA_API_TOKEN)) {
    auth = {
      kind: 'ssws',
      token: cleanEnvSecret('OKTA_API_TOKEN', env.OKTA_API_TOKEN, 'okta-api'),
    };
  }
  if (has(rawOrg) && appRef && auth) {
    const org = cleanOktaOrgUrl(rawOrg);
    warnings.push(...org.warnings);
    inputs = { ...inputs, okta: { orgUrl: org.url, appRef, auth } };
  } else {
    skips.push(
      skipped('okta', 'Okta', '--okta-org, --okta-app and OKTA_API_TOKEN or OKTA_ACCESS_TOKEN'),
    );
  }

  // Microsoft Entra ID
  if (has(env.GRAPH_ACCESS_TOKEN)) {
    const value = cleanEnvSecret('GRAPH_ACCESS_TOKEN', env.GRAPH_ACCESS_TOKEN, 'bearer');
    extraSecrets.push(value);
    const saved = profile?.entra;
    const graph = cleanGraphUrl(
      stringFlag(ctx, 'graph-url') ??
        saved?.graphUrl ??
        (saved ? ENTRA_CLOUDS[saved.cloud].graph : DEFAULT_GRAPH_URL),
    );
    warnings.push(...graph.warnings);
    const appName = cleanAppName(stringFlag(ctx, 'entra-app-name') ?? saved?.appName);
    const spId = saved?.appName === appName ? saved.spId : undefined;
    inputs = {
      ...inputs,
      entra: {
        graphUrl: graph.url,
        appName,
        token: staticTokenProvider(value),
        ...(spId ? { chosenId: spId } : {}),
      },
    };
  } else {
    skips.push(skipped('entra', 'Microsoft Entra ID', 'GRAPH_ACCESS_TOKEN'));
  }
  return { inputs: { ...inputs, skipped: skips, secrets: extraSecrets }, warnings };
}

const CHECK_STATUS: Record<CaptureSide['status'], CliCheck['status']> = {
  captured: 'pass',
  failed: 'fail',
  skipped: 'skip',
};

export const capture: CommandSpec = {
  path: ['capture'],
  summary: 'record the read-only answers of dbt, Okta and Entra into a redacted folder',
  description:
    'Sends the read-only requests of the checks (GET only: nothing is ever changed) and writes each answer to a new folder, with every token, secret, person name, e-mail, id and org host replaced by stable placeholders, for a bug report or a test fixture. Each side runs when its inputs are given (flags or --profile; DBT_SCIM_TOKEN, DBT_API_TOKEN, OKTA_API_TOKEN or OKTA_ACCESS_TOKEN, GRAPH_ACCESS_TOKEN) and is skipped otherwise. Refuses a folder that is not empty.',
  flags: {
    out: {
      type: 'string',
      valueName: 'DIR',
      description: 'the folder to write (new, or empty)',
    },
    profile: {
      type: 'string',
      valueName: 'ID_OR_NAME',
      description: 'take the URLs, ids and saved dbt tokens from this saved profile',
    },
  },
  async run(ctx): Promise<CommandReport> {
    const out = stringFlag(ctx, 'out');
    if (!has(out)) {
      throw badInput('--out is missing.', 'Give a new folder to write the capture to: --out DIR.');
    }
    await assertCaptureTarget(out);
    const rawProfile = stringFlag(ctx, 'profile');
    const profile = has(rawProfile)
      ? profileByRef((await ctx.services().profiles.list()).profiles, rawProfile)
      : undefined;
    const { inputs, warnings } = await readInputs(ctx, profile);
    if (!inputs.dbtScim && !inputs.dbtAdmin && !inputs.okta && !inputs.entra) {
      throw badInput(
        'Nothing to capture: no side has its inputs.',
        `Give the flags and variables of at least one side (${inputs.skipped.map((s) => s.message.replace(/^[^(]*\(needs /, '').replace(/\)\.$/, '')).join('; or ')}).`,
      );
    }
    const services = ctx.services();
    const info = await services.handlers['app:info']();
    const result = await captureToFolder(out, inputs, {
      http: services.http,
      clock: services.clock,
      version: info.version,
    });
    return {
      lines: [
        ...warnings.map((w) => `Warning: ${w}`),
        `Captured ${result.exchanges} read-only answer${result.exchanges === 1 ? '' : 's'} into ${result.dir} (redacted; see README.txt there).`,
      ],
      checks: result.sides.map((s) => ({
        id: `capture.${s.id}`,
        status: CHECK_STATUS[s.status],
        message: s.message,
      })),
      data: { dir: result.dir, files: result.files, sides: result.sides },
    };
  },
};
