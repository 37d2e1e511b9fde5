/**
 * The License step as services: plan / apply / verify of the license steps through the engine,
 *  - Okta: the migration checklist, the optional group-based licenseType mapping, and the toggle
 *    "Manage user licenses with SCIM" (`runOkta`);
 *  - Entra ID: dbt's SSO license maps with the toggle kept off (`runEntra`);
 * for the wizard (per profile: dbt from the dbt step, Okta from the Okta sign-in and the chosen
 * app) and for the CLI (`runSetup`, everything given; owned maps folded from its journal).
 */
import type { RunResult } from '../core/engine.js';
import { badInput, isAbortError, errorInfo } from '../core/errors.js';
import type { Change, Check, ErrorInfo, Idp, RunPhase, StepStatus } from '../core/model.js';
import type { JournalStore, Logger } from '../core/ports.js';
import type { DbtAdminPort, ScimProbePort } from '../core/dbt/ports.js';
import type { OktaPort, OktaProfileMappingPort } from '../core/okta/ports.js';
import type { LicenseExpressionInput } from '../core/license/expression.js';
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

  return {
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
}

export type LicenseService = ReturnType<typeof createLicenseService>;
