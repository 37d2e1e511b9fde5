/**
 * The License step as services: plan / apply / verify of the license steps through the engine,
 *  - Okta: the migration checklist, the optional group-based licenseType mapping, and the toggle
 *    "Manage user licenses with SCIM" (`runOkta`);
 *  - Entra ID: dbt's SSO license maps with the toggle kept off (`runEntra`);
 * for the wizard (per profile: dbt from the dbt step, Okta from the Okta sign-in and the chosen
 * app; the admin's rules saved in the profile; the `license:*` channels) and for the CLI
 * (`runSetup`, everything given; owned maps folded from its journal).
 */
import type { RunResult } from '../core/engine.js';
import { badInput, isAbortError, errorInfo } from '../core/errors.js';
import { LICENSE_TYPES, type LicenseType } from '../core/okta/ports.js';
import type { Change, Check, ErrorInfo, Idp, RunPhase, StepStatus } from '../core/model.js';
import type { JournalStore, Logger } from '../core/ports.js';
import type { DbtAdminPort, ScimProbePort } from '../core/dbt/ports.js';
import type { OktaPort, OktaProfileMappingPort } from '../core/okta/ports.js';
import { cleanRules, type LicenseExpressionInput } from '../core/license/expression.js';
import { licensesForPlan, type PlanLicenses } from '../core/license/plan.js';
import {
  createLicenseSteps,
  type LicenseOktaSide,
  type LicenseSaved,
  type LicenseSetupOptions,
  type LicenseStateStore,
} from '../core/license/steps.js';
import { cleanOktaOrgUrl } from '../core/okta/inputs.js';
import { createDbtAdmin } from '../adapters/dbt/admin.js';
import { createScimProbe } from '../adapters/dbt/scim-probe.js';
import { createOktaPort, type OktaAuth } from '../adapters/okta/client.js';
import { SECRET_DBT_API, SECRET_DBT_SCIM } from './dbt.js';
import type { HandlerTable } from './dispatch.js';
import type { OktaAuthProvider } from './okta.js';
import { runSequence, type SequenceMode, type StepServiceDeps } from './sequence.js';

export type LicenseMode = SequenceMode;

/** Everything one run of the license steps needs (the CLI builds it from flags). */
export interface LicenseTarget {
  readonly idp: Idp;
  readonly admin: DbtAdminPort;
  readonly journalId: string;
  readonly store: LicenseStateStore;
  readonly okta?: LicenseOktaSide;
  readonly scim?: {
    readonly port: ScimProbePort;
    readonly scimUrl: string;
    readonly token?: string;
  };
  readonly testUserName?: string;
  readonly oktaMapping?: LicenseExpressionInput;
  readonly entraMaps?: LicenseSetupOptions['entraMaps'];
  /**
   * Okta: include the toggle (default true). Without it, the group mapping can be applied before the
   * test user has passed (the toggle's plan refuses until then, which would stop the whole run).
   */
  readonly withToggle?: boolean;
}

export interface LicenseRunOptions {
  readonly expectedChangeIds?: readonly string[];
  readonly confirm?: (changes: readonly Change[]) => Promise<boolean>;
  readonly signal?: AbortSignal;
}

export interface LicenseOktaOptions extends LicenseRunOptions {
  /** The dbt userName of the test person; default the Okta Test step's last person. */
  readonly testUserName?: string;
  readonly oktaMapping?: LicenseExpressionInput;
  /** Include the toggle step (default true); false to apply only the group mapping. */
  readonly toggle?: boolean;
}

export interface LicenseEntraOptions extends LicenseRunOptions {
  readonly entraMaps: NonNullable<LicenseSetupOptions['entraMaps']>;
}

export interface LicenseRunResult {
  readonly phase: RunPhase;
  readonly changes: Change[];
  readonly checks: Check[];
  readonly error?: ErrorInfo;
  readonly runs: RunResult[];
}

export interface LicenseServiceDeps extends StepServiceDeps {
  readonly log: Logger;
  /** The Okta credentials of a profile (the Okta sign-in). */
  readonly oktaAuth?: OktaAuthProvider;
  /** Overrides the Okta adapter (tests). */
  readonly oktaPort?: (orgUrl: string, auth: OktaAuth) => OktaPort;
  readonly probe?: ScimProbePort;
}

/**
 * The ids of the license maps the wizard made, folded from the journal of `license.entra-maps`
 * runs (created: `licenseMap.<type>`, removed: `licenseMapRemoved`), plus this run's saves.
 */
export function licenseJournalStore(journal: JournalStore, journalId: string): LicenseStateStore {
  let overlay: LicenseSaved | undefined;
  return {
    async load() {
      if (overlay) {
        return { ...overlay };
      }
      const ids = new Set<number>();
      for (const e of await journal.read(journalId)) {
        const data = e.data;
        if (data?.kind !== 'license.entra-maps') {
          continue;
        }
        for (const [key, value] of Object.entries(data)) {
          if (key.startsWith('licenseMap.') && typeof value === 'number') {
            ids.add(value);
          }
        }
        if (typeof data.licenseMapRemoved === 'number') {
          ids.delete(data.licenseMapRemoved);
        }
      }
      return { licenseMapIds: [...ids] };
    },
    save(patch) {
      overlay = { ...overlay, ...patch };
      return Promise.resolve();
    },
  };
}

function hasMappings(port: OktaPort): port is OktaPort & OktaProfileMappingPort {
  const p = port as Partial<OktaProfileMappingPort>;
  return typeof p.findProfileMapping === 'function' && typeof p.updateProfileMapping === 'function';
}

export type LicenseEntraMaps = Readonly<Partial<Record<LicenseType, readonly string[]>>>;

const titleOf = (type: LicenseType): string =>
  LICENSE_TYPES.find((t) => t.value === type)?.title ?? type;

/**
 * The admin's Entra maps, cleaned: names trimmed, blanks and repeats dropped, types without a group
 * left out; a group under two license types is refused (dbt would give such people Developer).
 */
export function cleanEntraMaps(maps: LicenseEntraMaps): Partial<Record<LicenseType, string[]>> {
  const out: Partial<Record<LicenseType, string[]>> = {};
  const owner = new Map<string, LicenseType>();
  for (const { value } of LICENSE_TYPES) {
    const groups = [...new Set((maps[value] ?? []).map((g) => g.trim()).filter((g) => g !== ''))];
    for (const g of groups) {
      const other = owner.get(g);
      if (other) {
        throw badInput(
          `The Entra group "${g}" is listed under both ${titleOf(other)} and ${titleOf(value)}.`,
          'Keep each group under one license type, then save again.',
        );
      }
      owner.set(g, value);
    }
    if (groups.length > 0) {
      out[value] = groups;
    }
  }
  return out;
}

/** Refuses license types the account's plan does not offer (when the plan is known). */
function assertOffered(plan: PlanLicenses | undefined, types: readonly LicenseType[]): void {
  if (!plan?.known) {
    return;
  }
  for (const type of types) {
    const why = plan.notOffered[type];
    if (why) {
      throw badInput(why, `Choose one of the license types the plan offers instead.`);
    }
  }
}

/** The rail status of the License step from a run. */
export function licenseStepStatus(result: LicenseRunResult): StepStatus {
  if (result.error) {
    return 'failed';
  }
  if (result.checks.some((c) => c.status === 'fail')) {
    return 'failed';
  }
  if (result.checks.some((c) => c.status === 'pending')) {
    return 'needs_you';
  }
  return 'verified';
}

export function createLicenseService(deps: LicenseServiceDeps) {
  const { http, clock, engine, profiles, secrets } = deps;
  const probe = deps.probe ?? createScimProbe({ http, now: () => clock.now() });

  /** plan / apply / verify over one path's steps, each through the engine. */
  async function runSetup(
    target: LicenseTarget,
    mode: LicenseMode,
    options: LicenseRunOptions = {},
  ): Promise<LicenseRunResult> {
    const steps = createLicenseSteps({
      admin: target.admin,
      store: target.store,
      ...(target.okta ? { okta: target.okta } : {}),
      ...(target.scim ? { scim: target.scim } : {}),
      ...(target.testUserName ? { testUserName: target.testUserName } : {}),
      ...(target.oktaMapping ? { oktaMapping: target.oktaMapping } : {}),
      ...(target.entraMaps ? { entraMaps: target.entraMaps } : {}),
    });
    const list =
      target.idp === 'entra'
        ? steps.entra
        : target.withToggle === false
          ? steps.okta.filter((s) => s !== steps.toggle)
          : steps.okta;
    const r = await runSequence(list, mode, {
      engine,
      journalId: target.journalId,
      ...(options.expectedChangeIds ? { expectedChangeIds: options.expectedChangeIds } : {}),
      ...(options.confirm ? { confirm: options.confirm } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      // The checklist runs last and may stay pending; an error (the toggle refused) stops apply.
      stopApplyOn: 'error',
    });
    return {
      phase: r.phase,
      changes: r.changes,
      checks: r.runs.flatMap((x) => [...x.checks]),
      runs: r.runs,
      ...(r.error ? { error: r.error } : {}),
    };
  }

  // -------------------------------------------------------------------------------------------
  // The wizard, per profile

  async function dbtOf(profileId: string) {
    const profile = await profiles.get(profileId);
    const { apiUrl, accountId, scimUrl } = profile.dbt;
    const apiToken = await secrets.get(profileId, SECRET_DBT_API);
    if (!apiUrl || !accountId || !apiToken) {
      throw badInput(
        'dbt is not connected in this profile yet.',
        'Connect dbt (API URL, account id and an account-admin service token) in the dbt step first.',
      );
    }
    const admin = createDbtAdmin({ http, apiUrl, accountId, apiToken });
    const token = await secrets.get(profileId, SECRET_DBT_SCIM);
    return {
      profile,
      admin,
      ...(scimUrl ? { scim: { port: probe, scimUrl, ...(token ? { token } : {}) } } : {}),
    };
  }

  async function oktaOf(
    profileId: string,
    signal?: AbortSignal,
  ): Promise<LicenseOktaSide | undefined> {
    const profile = await profiles.get(profileId);
    const okta = profile.okta;
    if (!okta?.orgUrl || !okta.appId || !deps.oktaAuth) {
      return undefined;
    }
    let auth: OktaAuth | undefined;
    try {
      auth = await deps.oktaAuth(profileId);
    } catch (e) {
      if (isAbortError(e) || signal?.aborted) {
        throw e;
      }
      deps.log.warn('okta sign-in not available', { code: errorInfo(e).code });
      return undefined;
    }
    if (!auth) {
      return undefined;
    }
    const org = cleanOktaOrgUrl(okta.orgUrl);
    const port = deps.oktaPort
      ? deps.oktaPort(org.url, auth)
      : createOktaPort({ http, orgUrl: org.url, auth, now: () => clock.now() });
    return { port, appId: okta.appId, ...(hasMappings(port) ? { mappings: port } : {}) };
  }

  /** The dbt userName of the person the Okta Test step assigned last (from the journal). */
  async function lastTestUser(
    profileId: string,
    okta: LicenseOktaSide | undefined,
    signal?: AbortSignal,
  ): Promise<string | undefined> {
    if (!okta) {
      return undefined;
    }
    let userId: string | undefined;
    for (const e of await deps.journal.read(profileId)) {
      const id = e.data?.testUserId;
      if (e.data?.kind === 'okta.test-user' && typeof id === 'string') {
        userId = id;
      }
    }
    if (!userId) {
      return undefined;
    }
    try {
      const appUser = await okta.port.getAppUser(okta.appId, userId, signal);
      if (appUser?.userName) {
        return appUser.userName;
      }
      const user = await okta.port.getUser(userId, signal);
      return user?.email ?? user?.login;
    } catch (e) {
      if (isAbortError(e) || signal?.aborted) {
        throw e;
      }
      // Only a convenience: the checklist then names how to run the test.
      deps.log.warn('could not read the test user from Okta', { code: errorInfo(e).code });
      return undefined;
    }
  }

  async function record(profileId: string, mode: LicenseMode, result: LicenseRunResult) {
    if (mode === 'plan') {
      return;
    }
    const status = licenseStepStatus(result);
    const first = result.checks.find((c) => c.status !== 'pass' && c.status !== 'skip');
    await profiles.setStepStatus(
      profileId,
      'license',
      status,
      status === 'verified' ? 'license types verified' : (result.error?.message ?? first?.message),
    );
  }

  const service = {
    runSetup,
    journalStore: (journalId: string) => licenseJournalStore(deps.journal, journalId),

    /** The Okta path: checklist, optional group mapping, then the toggle once 1–3 pass. */
    async runOkta(
      profileId: string,
      mode: LicenseMode,
      options: LicenseOktaOptions = {},
    ): Promise<LicenseRunResult> {
      const dbt = await dbtOf(profileId);
      const okta = await oktaOf(profileId, options.signal);
      const testUserName =
        options.testUserName ?? (await lastTestUser(profileId, okta, options.signal));
      const result = await runSetup(
        {
          idp: 'okta',
          admin: dbt.admin,
          journalId: profileId,
          store: licenseJournalStore(deps.journal, profileId),
          ...(okta ? { okta } : {}),
          ...(dbt.scim ? { scim: dbt.scim } : {}),
          ...(testUserName ? { testUserName } : {}),
          ...(options.oktaMapping ? { oktaMapping: options.oktaMapping } : {}),
          ...(options.toggle === false ? { withToggle: false } : {}),
        },
        mode,
        options,
      );
      await record(profileId, mode, result);
      return result;
    },

    /** The Entra path: dbt's SSO license maps, with the toggle kept off. */
    async runEntra(
      profileId: string,
      mode: LicenseMode,
      options: LicenseEntraOptions,
    ): Promise<LicenseRunResult> {
      const dbt = await dbtOf(profileId);
      const result = await runSetup(
        {
          idp: 'entra',
          admin: dbt.admin,
          journalId: profileId,
          store: licenseJournalStore(deps.journal, profileId),
          entraMaps: options.entraMaps,
        },
        mode,
        options,
      );
      await record(profileId, mode, result);
      return result;
    },
  };

  // -------------------------------------------------------------------------------------------
  // The License screen's channels

  /** The account's plan, or undefined when dbt is not connected or cannot be reached. */
  async function planOf(profileId: string): Promise<PlanLicenses | undefined> {
    try {
      const { admin } = await dbtOf(profileId);
      return licensesForPlan((await admin.getAccount()).plan);
    } catch (e) {
      deps.log.warn('could not read the dbt plan', { code: errorInfo(e).code });
      return undefined;
    }
  }

  type RunInput = Parameters<HandlerTable['license:plan']>[0];

  async function runChannel(input: RunInput, mode: LicenseMode) {
    const profile = await profiles.get(input.profileId);
    const expected = input.expectedChangeIds;
    if (mode === 'apply' && !expected) {
      throw badInput(
        'Nothing is applied without a reviewed plan.',
        'Review the changes first, then apply them.',
      );
    }
    const common = expected ? { expectedChangeIds: expected } : {};
    const saved = profile.license;
    let result: LicenseRunResult;
    if (profile.idp === 'entra') {
      const entraMaps = saved?.entraMaps ? cleanEntraMaps(saved.entraMaps) : {};
      if (Object.keys(entraMaps).length === 0) {
        throw badInput(
          'No Entra groups are mapped to dbt license types yet.',
          'Add the Entra group names for at least one license type and save them, then review again.',
        );
      }
      result = await service.runEntra(input.profileId, mode, { ...common, entraMaps });
    } else if (profile.idp === 'okta') {
      result = await service.runOkta(input.profileId, mode, {
        ...common,
        ...(saved?.okta ? { oktaMapping: saved.okta } : {}),
        ...(input.toggle !== undefined ? { toggle: input.toggle } : {}),
      });
    } else {
      throw badInput(
        'This profile has no identity provider yet.',
        'Choose Okta or Microsoft Entra ID for the profile (the profile menu), then come back.',
      );
    }
    return {
      phase: result.phase,
      changes: result.changes,
      checks: result.checks,
      ...(result.error ? { error: result.error } : {}),
    };
  }

  const handlers: Pick<
    HandlerTable,
    'license:state' | 'license:setRules' | 'license:plan' | 'license:apply' | 'license:verify'
  > = {
    'license:state': async (input) => {
      const profile = await profiles.get(input.profileId);
      const okta = profile.idp === 'okta' ? await oktaOf(input.profileId) : undefined;
      const testUserName = (await lastTestUser(input.profileId, okta)) ?? null;
      let accountPlan: string | null = null;
      let plan: PlanLicenses | undefined;
      let scimControlledLicenseType: boolean | null = null;
      let error: ErrorInfo | undefined;
      try {
        const { admin } = await dbtOf(input.profileId);
        accountPlan = (await admin.getAccount()).plan;
        plan = licensesForPlan(accountPlan);
        scimControlledLicenseType = (await admin.getScimConfig()).scimControlledLicenseType;
      } catch (e) {
        if (isAbortError(e)) {
          throw e;
        }
        // Shown on the screen: the rules can still be written, the plan is checked on review.
        error = errorInfo(e);
      }
      return {
        accountPlan,
        // Without the plan nothing is ruled out here; the plan (review) checks again.
        planKnown: plan?.known ?? false,
        offered: plan ? [...plan.offered] : LICENSE_TYPES.map((t) => t.value),
        notOffered: plan ? { ...plan.notOffered } : {},
        scimControlledLicenseType,
        testUserName,
        ...(error ? { error } : {}),
      };
    },
    'license:setRules': async (input) => {
      const profile = await profiles.get(input.profileId);
      if (input.okta === undefined && input.entraMaps === undefined) {
        throw badInput(
          'There are no license rules to save.',
          'Give the Okta group rules or the Entra group maps (or null to remove them).',
        );
      }
      const cleaned = input.okta ? cleanRules(input.okta) : input.okta;
      const okta = cleaned
        ? { rules: [...cleaned.rules], defaultLicenseType: cleaned.defaultLicenseType }
        : cleaned;
      if (okta?.rules.length === 0) {
        throw badInput(
          'The group-based license types have no group rule.',
          'Add at least one Okta group and its license type, or remove the group-based license types.',
        );
      }
      const entraMaps = input.entraMaps ? cleanEntraMaps(input.entraMaps) : input.entraMaps;
      if (entraMaps && Object.keys(entraMaps).length === 0) {
        throw badInput(
          'No Entra group is named for any license type.',
          'Add at least one Entra group name under a license type, or remove the maps.',
        );
      }
      const types: LicenseType[] = [
        ...(okta ? [...okta.rules.map((r) => r.licenseType), okta.defaultLicenseType] : []),
        ...(entraMaps ? (Object.keys(entraMaps) as LicenseType[]) : []),
      ];
      if (types.length > 0) {
        assertOffered(await planOf(profile.id), types);
      }
      return profiles.update(profile.id, {
        license: {
          ...(okta !== undefined ? { okta } : {}),
          ...(entraMaps !== undefined ? { entraMaps } : {}),
        },
      });
    },
    'license:plan': (input) => runChannel(input, 'plan'),
    'license:apply': (input) => runChannel(input, 'apply'),
    'license:verify': (input) => runChannel(input, 'verify'),
  };

  return { ...service, handlers };
}

export type LicenseService = ReturnType<typeof createLicenseService>;
