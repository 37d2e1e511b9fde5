/**
 * `status` (CLI.md): the health of a setup — the SCIM token in use (age, last use), when its
 * rotation is due, dbt's SCIM settings and connection, the identity provider's setup read back item
 * by item, Entra's provisioning job and dbt's SSO certificate. With --profile (or the active
 * profile when no account flags are given) the saved non-secret setup is used and the report is
 * saved with it; otherwise the flags describe the setup. Secrets come only from the environment.
 * Exits 0 when all is well, 1 when anything failed, drifted, is pending or the rotation is overdue.
 */
import { badInput, fromErrorInfo } from '../../core/errors.js';
import type { ErrorInfo, Idp } from '../../core/model.js';
import { cleanApiUrl, cleanScimUrl, parseAccountId } from '../../core/dbt/hosts.js';
import { ENTRA_CLOUDS, type GraphPort } from '../../core/entra/ports.js';
import {
  cleanAppName,
  cleanEntraId,
  cleanGraphUrl,
  DEFAULT_GRAPH_URL,
} from '../../core/entra/inputs.js';
import type { EntraSaved } from '../../core/entra/steps.js';
import { OKTA_CONSOLE_IDS } from '../../core/okta/console.js';
import { cleanOktaAppRef, cleanOktaOrgUrl } from '../../core/okta/inputs.js';
import type { OktaSaved } from '../../core/okta/steps.js';
import { cleanIntervalDays, describeRotationDue, rotationDue } from '../../core/rotation/policy.js';
import { lastFour } from '../../core/redact.js';
import type { Unchecked } from '../../core/status/health.js';
import type { HealthArea, StatusReport } from '../../core/status/model.js';
import type { Profile } from '../../core/store/profiles.js';
import { createDbtAdmin } from '../../adapters/dbt/admin.js';
import type { OktaAuth } from '../../adapters/okta/client.js';
import { createGraph } from '../../adapters/entra/graph.js';
import type { Services } from '../../services/container.js';
import { entraCliJournalId, staticTokenProvider } from '../../services/entra.js';
import { cliConsoleTimes, oktaCliJournalId } from '../../services/okta.js';
import {
  createStatusService,
  type Runner,
  type StatusService,
  type StatusTarget,
} from '../../services/status.js';
import {
  cliJournalId,
  optionalEnvSecret,
  profileByRef,
  requireFlag,
  secretFromEnv,
  stringFlag,
} from '../inputs.js';
import { errorCategory, type CliCheck, type CommandReport } from '../output.js';
import type { CommandContext, CommandSpec } from '../spec.js';

/** Flags that describe a setup without a profile. */
const SETUP_FLAGS = [
  'dbt-api-url',
  'dbt-account-id',
  'dbt-scim-url',
  'okta-org',
  'okta-app',
  'graph-url',
  'entra-app-name',
] as const;

function has(v: string | undefined): v is string {
  return v !== undefined && v.trim() !== '';
}

async function findProfile(ctx: CommandContext): Promise<Profile | undefined> {
  const wanted = stringFlag(ctx, 'profile');
  const { profiles, activeProfileId } = await ctx.services().profiles.list();
  if (wanted !== undefined) {
    return profileByRef(profiles, wanted);
  }
  if (SETUP_FLAGS.some((f) => stringFlag(ctx, f) !== undefined)) {
    return undefined;
  }
  const active = profiles.find((p) => p.id === activeProfileId);
  if (!active) {
    throw badInput(
      'There is no saved profile to check.',
      'Give --profile ID_OR_NAME, or describe the setup with --dbt-api-url and --dbt-account-id (and the identity provider flags).',
    );
  }
  return active;
}

/** An in-memory store of ids, seeded from the profile (the CLI never rewrites the IdP ids). */
function seededStore<T extends object>(
  initial: T,
): {
  load(): Promise<T>;
  save(p: Partial<T>): Promise<void>;
} {
  let value = { ...initial };
  return {
    load: () => Promise.resolve({ ...value }),
    save: (patch) => {
      value = { ...value, ...patch };
      return Promise.resolve();
    },
  };
}

/** The non-empty string fields `keys` of a saved object. */
function pick(source: object | undefined, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) {
    const v = (source as Record<string, unknown> | undefined)?.[k];
    if (typeof v === 'string' && v !== '') {
      out[k] = v;
    }
  }
  return out;
}

interface Inputs {
  readonly target: StatusTarget;
  readonly profile: Profile | undefined;
  readonly header: string;
  readonly warnings: readonly string[];
}

/** Every flag and variable, checked before anything is sent. */
async function readInputs(ctx: CommandContext): Promise<Inputs> {
  const services = ctx.services();
  const profile = await findProfile(ctx);
  const rawDays = stringFlag(ctx, 'rotation-days');
  const intervalDays =
    rawDays === undefined
      ? profile?.rotation?.intervalDays
      : cleanIntervalDays(/^\d{1,4}$/.test(rawDays.trim()) ? Number(rawDays.trim()) : NaN);
  const warnings: string[] = [];

  // dbt: the account (flags, else the profile) and DBT_API_TOKEN.
  const apiUrl = stringFlag(ctx, 'dbt-api-url') ?? profile?.dbt.apiUrl;
  const accountId = stringFlag(ctx, 'dbt-account-id') ?? profile?.dbt.accountId?.toString();
  if (!has(apiUrl) || !has(accountId)) {
    requireFlag(ctx, has(apiUrl) ? 'dbt-account-id' : 'dbt-api-url', 'the dbt account');
  }
  const api = cleanApiUrl(apiUrl ?? '');
  warnings.push(...api.warnings);
  const account = parseAccountId(accountId ?? '');
  const rawScim = stringFlag(ctx, 'dbt-scim-url') ?? profile?.dbt.scimUrl;
  const scimUrl = has(rawScim) ? cleanScimUrl(rawScim, api.url) : undefined;
  warnings.push(...(scimUrl?.warnings ?? []));

  // The identity provider: the profile's, else the one the flags name.
  const idp: Idp | null =
    profile?.idp ??
    (stringFlag(ctx, 'okta-org') !== undefined
      ? 'okta'
      : stringFlag(ctx, 'graph-url') !== undefined ||
          stringFlag(ctx, 'entra-app-name') !== undefined
        ? 'entra'
        : null);

  // Entra (all checked before anything is sent).
  let entra:
    | { graphUrl: string; cloud: keyof typeof ENTRA_CLOUDS; appName: string; chosenId?: string }
    | undefined;
  let graphToken: string | undefined;
  // A profile that never reached Entra names no tenant: nothing to ask Microsoft about.
  const entraKnown =
    profile?.entra !== undefined ||
    stringFlag(ctx, 'graph-url') !== undefined ||
    stringFlag(ctx, 'entra-app-name') !== undefined;
  if (idp === 'entra' && entraKnown) {
    const graph = cleanGraphUrl(
      stringFlag(ctx, 'graph-url') ??
        profile?.entra?.graphUrl ??
        (profile?.entra ? ENTRA_CLOUDS[profile.entra.cloud].graph : DEFAULT_GRAPH_URL),
    );
    warnings.push(...graph.warnings);
    const rawId = stringFlag(ctx, 'entra-app-id');
    entra = {
      graphUrl: graph.url,
      cloud: graph.cloud,
      appName: cleanAppName(stringFlag(ctx, 'entra-app-name') ?? profile?.entra?.appName),
      ...(rawId !== undefined ? { chosenId: cleanEntraId(rawId) } : {}),
    };
    graphToken = optionalEnvSecret(ctx, 'GRAPH_ACCESS_TOKEN', 'bearer');
  }

  // Okta.
  let okta: { orgUrl: string; adminUrl: string; appRef: string } | undefined;
  let oktaAuth: OktaAuth | undefined;
  if (idp === 'okta') {
    const rawOrg = stringFlag(ctx, 'okta-org') ?? profile?.okta?.orgUrl;
    const rawApp = stringFlag(ctx, 'okta-app') ?? profile?.okta?.appId;
    if (has(rawOrg) && has(rawApp)) {
      const org = cleanOktaOrgUrl(rawOrg);
      warnings.push(...org.warnings);
      const ref = cleanOktaAppRef(rawApp);
      okta = {
        orgUrl: org.url,
        adminUrl: org.adminUrl,
        appRef: ref.kind === 'id' ? ref.id : ref.label,
      };
    } else if (!profile) {
      requireFlag(ctx, has(rawOrg) ? 'okta-app' : 'okta-org', 'the Okta org and app');
    }
    const access = optionalEnvSecret(ctx, 'OKTA_ACCESS_TOKEN', 'bearer');
    const apiToken = optionalEnvSecret(ctx, 'OKTA_API_TOKEN', 'okta-api');
    if (access && apiToken) {
      throw badInput(
        'Both OKTA_ACCESS_TOKEN and OKTA_API_TOKEN are set.',
        'Set only one: an OAuth access token (recommended) or an API token.',
      );
    }
    oktaAuth = access
      ? { kind: 'bearer', getToken: () => Promise.resolve(access) }
      : apiToken
        ? { kind: 'ssws', token: apiToken }
        : undefined;
  }

  const apiToken = await secretFromEnv(ctx, 'DBT_API_TOKEN');
  const scimToken = has(ctx.io.env.DBT_SCIM_TOKEN)
    ? await secretFromEnv(ctx, 'DBT_SCIM_TOKEN')
    : undefined;

  // Nothing was sent so far. Now the target.
  const admin = createDbtAdmin({
    http: services.http,
    apiUrl: api.url,
    accountId: account,
    apiToken,
  });
  const scim: StatusTarget['scim'] =
    scimUrl && scimToken
      ? { scimUrl: scimUrl.url, token: scimToken }
      : {
          unchecked: scimUrl
            ? 'DBT_SCIM_TOKEN is not set.'
            : 'the SCIM base URL is not known (--dbt-scim-url).',
          remediation:
            'Set DBT_SCIM_TOKEN to the SCIM token the identity provider uses, with --dbt-scim-url, to check the connection.',
        };
  const profileId = profile?.id ?? cliJournalId(account);

  let idpSide: Runner | Unchecked | undefined;
  let graph: GraphPort | Unchecked | undefined;
  if (entra) {
    if (!graphToken) {
      idpSide = {
        unchecked: 'GRAPH_ACCESS_TOKEN is not set.',
        remediation:
          'Set GRAPH_ACCESS_TOKEN to a Microsoft Graph access token (e.g. `az account get-access-token --resource-type ms-graph`) to check Entra and its provisioning job.',
      };
      graph = idpSide;
    } else {
      const token = staticTokenProvider(graphToken);
      const e = entra;
      const journalId = profile ? profile.id : entraCliJournalId(e.graphUrl, e.appName);
      const store = profile
        ? seededStore<EntraSaved>(
            pick(profile.entra, ['spId', 'appId', 'jobId', 'credentialsFingerprint']),
          )
        : services.entra.journalStateStore(journalId);
      idpSide = {
        verify: async (signal) => {
          const r = await services.entra.runSetup(
            {
              graphUrl: e.graphUrl,
              cloud: e.cloud,
              appName: e.appName,
              token,
              store,
              journalId,
              ...(e.chosenId ? { chosenId: e.chosenId } : {}),
              ...(scimUrl && scimToken
                ? {
                    dbt: {
                      scimUrl: scimUrl.url,
                      token: scimToken,
                      // As the wizard fingerprints what it saved in Entra: by the token's dbt id.
                      ...(profile?.dbt.scimTokenId !== undefined
                        ? { tokenId: profile.dbt.scimTokenId }
                        : {}),
                    },
                  }
                : {}),
            },
            'verify',
            signal ? { signal } : {},
          );
          return { checks: r.checks, saved: r.saved, ...(r.error ? { error: r.error } : {}) };
        },
      };
      graph = createGraph({
        http: services.http,
        clock: services.clock,
        graphUrl: e.graphUrl,
        getToken: () => token.getToken(),
      });
    }
  } else if (idp === 'entra') {
    idpSide = {
      unchecked: 'Microsoft Entra ID is not set up in this profile yet.',
      remediation:
        'Set Entra up in the Identity provider step, or give --graph-url and --entra-app-name.',
    };
    graph = idpSide;
  } else if (idp === 'okta') {
    if (!okta) {
      idpSide = {
        unchecked: 'the Okta org and app are not saved in this profile.',
        remediation: 'Give --okta-org and --okta-app.',
      };
    } else if (!oktaAuth) {
      idpSide = {
        unchecked: 'neither OKTA_ACCESS_TOKEN nor OKTA_API_TOKEN is set.',
        remediation:
          'Set OKTA_ACCESS_TOKEN (an OAuth access token) or OKTA_API_TOKEN (an Okta API token) to check the Okta setup.',
      };
    } else {
      const o = okta;
      const auth = oktaAuth;
      const journalId = profile ? profile.id : oktaCliJournalId(o.orgUrl, o.appRef);
      const times = profile?.okta
        ? {
            shownAt: profile.okta.consoleShownAt ?? {},
            verifiedAt: profile.okta.consoleVerifiedAt ?? {},
          }
        : await cliConsoleTimes(
            services.journal,
            journalId,
            OKTA_CONSOLE_IDS,
            services.clock.now(),
          );
      const store = profile
        ? seededStore<OktaSaved>(pick(profile.okta, ['appId', 'appLabel', 'appName']))
        : services.okta.journalStateStore(journalId);
      const scimTokenId = profile?.dbt.scimTokenId;
      idpSide = {
        verify: async (signal) => {
          const r = await services.okta.runSetup(
            {
              orgUrl: o.orgUrl,
              adminUrl: o.adminUrl,
              auth,
              appRef: cleanOktaAppRef(o.appRef),
              store,
              journalId,
              dbtAdmin: admin,
              consoleShownAt: times.shownAt,
              consoleVerifiedAt: times.verifiedAt,
              ...(scimTokenId !== undefined ? { scimTokenId } : {}),
              ...(scimUrl
                ? { dbt: { scimUrl: scimUrl.url, ...(scimToken ? { token: scimToken } : {}) } }
                : {}),
              ...(profile?.okta?.existingIntegration !== undefined
                ? { existingIntegration: profile.okta.existingIntegration }
                : {}),
            },
            'verify',
            signal ? { signal } : {},
          );
          return { checks: r.checks, ...(r.error ? { error: r.error } : {}) };
        },
      };
    }
  }

  // License types: Entra's SSO license maps, read back through the Admin API, once the profile's
  // License step was started. (Okta's checklist needs the wizard's test person and is left to the
  // app's Overview.)
  const entraMaps = profile?.license?.entraMaps;
  const license: Runner | undefined =
    profile &&
    idp === 'entra' &&
    profile.steps.license.status !== 'not_started' &&
    entraMaps &&
    Object.keys(entraMaps).length > 0
      ? {
          verify: async (signal) => {
            const r = await services.license.runSetup(
              {
                idp: 'entra',
                admin,
                journalId: profile.id,
                store: services.license.journalStore(profile.id),
                entraMaps,
              },
              'verify',
              signal ? { signal } : {},
            );
            return { checks: r.checks, ...(r.error ? { error: r.error } : {}) };
          },
        }
      : undefined;

  const target: StatusTarget = {
    profileId,
    profileName: profile?.name ?? `dbt account ${account}`,
    idp,
    journalId: profile?.id ?? cliJournalId(account),
    admin,
    token: {
      ...(profile?.dbt.scimTokenId !== undefined ? { id: profile.dbt.scimTokenId } : {}),
      ...(profile?.dbt.scimTokenName ? { name: profile.dbt.scimTokenName } : {}),
      ...(scimToken ? { last4: lastFour(scimToken) } : {}),
    },
    scim,
    ...(idpSide ? { idpSide } : {}),
    ...(graph ? { graph } : {}),
    ...(license ? { license } : {}),
    rotation: (token) =>
      Promise.resolve(
        rotationDue({
          intervalDays,
          since: token?.createdAt ?? profile?.dbt.scimTokenCreatedAt ?? null,
          now: services.clock.now(),
        }),
      ),
    ...(profile
      ? {
          onToken: async (t) => {
            const p = await services.profiles.get(profile.id);
            if (t.id === p.dbt.scimTokenId && t.createdAt !== p.dbt.scimTokenCreatedAt) {
              await services.profiles.update(profile.id, {
                dbt: { scimTokenCreatedAt: t.createdAt },
              });
            }
          },
        }
      : {}),
  };
  return {
    target,
    profile,
    header: profile
      ? `Health of the profile "${profile.name}" (dbt account ${account}${idp ? `, ${idp === 'okta' ? 'Okta' : 'Microsoft Entra ID'}` : ''})`
      : `Health of dbt account ${account} at ${api.url}${idp ? ` with ${idp === 'okta' ? 'Okta' : 'Microsoft Entra ID'}` : ''}`,
    warnings,
  };
}

/** The status service over the CLI's services (the CLI's secret store holds nothing). */
function statusService(services: Services): StatusService {
  return createStatusService({
    http: services.http,
    clock: services.clock,
    engine: services.engine,
    journal: services.journal,
    profiles: services.profiles,
    secrets: services.secrets,
    home: services.home,
    dbt: services.dbt,
    entra: services.entra,
    okta: services.okta,
    license: services.license,
  });
}

function tokenLine(report: StatusReport): string {
  const t = report.token;
  if (!t?.name) {
    return 'SCIM token: not known.';
  }
  const used =
    t.lastUsed === undefined ? '' : t.lastUsed ? `, last used ${t.lastUsed}` : ', never used';
  return `SCIM token: "${t.name}" (id ${t.id ?? '?'}${t.last4 ? `, ending ${t.last4}` : ''}), ${t.ageDays ?? '?'} days old${used}.`;
}

function jobLine(report: StatusReport): string | undefined {
  const j = report.job;
  if (report.idp !== 'entra') {
    return undefined;
  }
  if (!j) {
    return 'Provisioning job: not checked.';
  }
  const parts = [`Provisioning job: ${j.state.replace('_', ' ')} (${j.statusCode})`];
  if (j.quarantineReason) {
    parts.push(`reason: ${j.quarantineReason.replace(/\.$/, '')}`);
  }
  if (j.lastCycleAt) {
    parts.push(`last cycle ${j.lastCycleAt}${j.lastCycleState ? ` ${j.lastCycleState}` : ''}`);
  }
  return `${parts.join('; ')}.`;
}

const AREA_NAMES: Readonly<Record<HealthArea, string>> = {
  token: 'SCIM token',
  rotation: 'Rotation',
  dbt: 'dbt',
  okta: 'Okta',
  entra: 'Microsoft Entra ID',
  job: 'Provisioning job',
  sso: 'SSO',
  license: 'License types',
};

/**
 * The table people read: each item that is not a pass on its own line, the passes of an area
 * folded into one line (--json lists every item).
 */
function humanChecks(report: StatusReport): CliCheck[] {
  const out: CliCheck[] = [];
  const areas = [...new Set(report.items.map((i) => i.area))];
  for (const area of areas) {
    const items = report.items.filter((i) => i.area === area);
    const passes = items.filter((i) => i.status === 'pass');
    if (items.length === 1 || passes.length === 1) {
      out.push(...items.map(({ id, status: s, message }) => ({ id, status: s, message })));
      continue;
    }
    if (passes.length > 0) {
      const others = passes.length === items.length ? 'all' : 'the other';
      out.push({
        id: `${area}.passes`,
        status: 'pass',
        message: `${AREA_NAMES[area]}: ${others} ${passes.length} checks pass.`,
      });
    }
    out.push(
      ...items
        .filter((i) => i.status !== 'pass')
        .map(({ id, status: s, message }) => ({ id, status: s, message })),
    );
  }
  return out;
}

/** The first error of a kind that decides the exit code (auth 3, then network 4). */
function decidingError(errors: readonly ErrorInfo[]): ErrorInfo | undefined {
  const category = (e: ErrorInfo) => errorCategory(fromErrorInfo(e).code);
  return (
    errors.find((e) => category(e) === 'auth') ?? errors.find((e) => category(e) === 'network')
  );
}

export const status: CommandSpec = {
  path: ['status'],
  summary:
    'health of a saved setup: token age and last use, drift of the IdP configuration, provisioning job state',
  description:
    'Checks everything again and lists each item as pass, fail, pending or skip: the SCIM token in use (its age and last use, from the Admin API with DBT_API_TOKEN), when its rotation is due (every --rotation-days, default the profile’s or 90), dbt’s SCIM settings, the SCIM connection (with DBT_SCIM_TOKEN), the identity provider’s setup read back (Entra with GRAPH_ACCESS_TOKEN; Okta with OKTA_ACCESS_TOKEN or OKTA_API_TOKEN), Entra’s provisioning job (quarantine and its reason, the last cycle) and dbt’s SSO certificate expiry. A part whose variable is not set is skipped, and says which. With --profile (or the active profile when no account flags are given) the saved setup is used and the report saved with it; otherwise give --dbt-api-url, --dbt-account-id and the identity provider’s flags. Exits 0 when all is well; 1 when anything failed, drifted, is pending or the rotation is overdue.',
  flags: {
    profile: {
      type: 'string',
      valueName: 'ID_OR_NAME',
      description: 'the saved profile to check (default: the active one, without account flags)',
    },
    'rotation-days': {
      type: 'string',
      valueName: 'N',
      description: 'the rotation interval in days (default: the profile’s, else 90)',
    },
    'entra-app-id': {
      type: 'string',
      valueName: 'ID',
      description: 'the service principal id or app id, when several Entra apps share the name',
    },
  },
  async run(ctx): Promise<CommandReport> {
    const services = ctx.services();
    const service = statusService(services);
    const inputs = await readInputs(ctx);
    const { report, errors } = await service.check(inputs.target);
    if (inputs.profile) {
      await service.save(report);
    }
    const bad = report.items.filter((i) => i.status === 'fail' || i.status === 'pending');
    const lines = [
      inputs.header,
      ...inputs.warnings.map((w) => `Warning: ${w}`),
      tokenLine(report),
      `Rotation: ${describeRotationDue(report.rotation)}`,
      ...[jobLine(report)].filter((l): l is string => l !== undefined),
      bad.length === 0
        ? 'All is well.'
        : `${bad.length} item${bad.length === 1 ? ' needs' : 's need'} attention:`,
      ...bad.map((i) => `  - ${i.id}: ${i.remediation ?? 'see below.'}`),
      '',
    ];
    const deciding = decidingError(errors);
    return {
      lines,
      checks: ctx.flags.json
        ? report.items.map(({ id, status: s, message }) => ({ id, status: s, message }))
        : humanChecks(report),
      data: { status: report },
      ...(deciding ? { error: fromErrorInfo(deciding) } : {}),
    };
  },
};
