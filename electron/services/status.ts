/**
 * The health check as a service (`status` in the CLI, the home dashboard in the wizard): the SCIM
 * token in use as dbt describes it, when its rotation is due, every verify re-run item by item
 * (dbt's SCIM settings and connection, the identity provider, the License step when started),
 * Entra's provisioning job and dbt's SSO certificate. It reuses the services' own verifies; the
 * judgement is `core/status/health.ts`. The last report of each profile is kept on disk.
 */
import { errorInfo, isAbortError } from '../core/errors.js';
import type { Check, ErrorInfo, Idp } from '../core/model.js';
import type { DbtAdminPort, ScimTokenInfo } from '../core/dbt/ports.js';
import { scimConfigStep } from '../core/dbt/steps.js';
import { ENTRA_CLOUDS, type GraphPort } from '../core/entra/ports.js';
import type { RotationDue } from '../core/rotation/policy.js';
import {
  buildStatusReport,
  type SideObservation,
  type StatusObservations,
  type Unchecked,
} from '../core/status/health.js';
import type { StatusReport } from '../core/status/model.js';
import { StatusStore } from '../core/status/store.js';
import type { Profile } from '../core/store/profiles.js';
import { createGraph } from '../adapters/entra/graph.js';
import { SECRET_DBT_SCIM, type DbtService } from './dbt.js';
import type { EntraService, GraphTokenProvider } from './entra.js';
import type { OktaService } from './okta.js';
import type { LicenseService } from './license.js';
import { profileRotationDue } from './rotation.js';
import type { StepServiceDeps } from './sequence.js';
import type { HandlerTable } from './dispatch.js';

/** What one side's verify gives back (the services' run results all fit). */
export interface VerifyOutcome {
  readonly checks: readonly Check[];
  readonly error?: ErrorInfo;
  /** Entra: where the app and its job are. */
  readonly saved?: { readonly spId?: string; readonly jobId?: string };
}

export type Runner = { readonly verify: (signal?: AbortSignal) => Promise<VerifyOutcome> };

/** Everything one health check needs, from a profile (the wizard) or from flags (the CLI). */
export interface StatusTarget {
  readonly profileId: string;
  readonly profileName: string;
  readonly idp: Idp | null;
  /** The journal the dbt verify writes to. */
  readonly journalId: string;
  readonly admin: DbtAdminPort | Unchecked;
  /** The token the setup expects: its dbt id and name when known, its last four. */
  readonly token: {
    readonly id?: number;
    readonly name?: string;
    readonly last4?: string;
    readonly savedAt?: string;
  };
  readonly scim: { readonly scimUrl: string; readonly token: string } | Unchecked;
  /** The identity provider's verify (absent: none chosen). */
  readonly idpSide?: Runner | Unchecked;
  /** Entra: Graph, to read the provisioning job. */
  readonly graph?: GraphPort | Unchecked;
  /** The License step's verify, when that step was started. */
  readonly license?: Runner | Unchecked;
  /** When the rotation is due, given dbt's view of the token in use (after `onToken`). */
  rotation(token: ScimTokenInfo | undefined): Promise<RotationDue>;
  /** Told what dbt says of the token in use (the wizard records its creation time). */
  onToken?(token: ScimTokenInfo): Promise<void>;
}

export interface StatusCheckResult {
  readonly report: StatusReport;
  /** Errors that stopped a part of the check (the CLI's exit code: auth 3, network 4). */
  readonly errors: readonly ErrorInfo[];
}

export interface StatusServiceDeps extends StepServiceDeps {
  readonly home: string;
  readonly dbt: DbtService;
  readonly entra: EntraService;
  readonly okta: OktaService;
  readonly license: LicenseService;
  /** The signed-in admin's Graph token for a profile. */
  readonly graphToken?: (profileId: string) => GraphTokenProvider | undefined;
  /** Overrides the Graph adapter (tests). */
  readonly graph?: (target: { graphUrl: string; token: GraphTokenProvider }) => GraphPort;
  /** Whether the admin is signed in to each identity provider (absent: assumed). */
  readonly signedIn?: {
    readonly entra?: (profileId: string) => Promise<boolean>;
    readonly okta?: (profileId: string) => Promise<boolean>;
  };
}

export function isUnchecked(x: object): x is Unchecked {
  return 'unchecked' in x;
}

/** The token the identity provider most probably uses: the last used, else the newest. */
export function likelyTokenInUse(tokens: readonly ScimTokenInfo[]): ScimTokenInfo | undefined {
  const used = tokens
    .filter((t) => t.lastUsed !== null)
    .sort((a, b) => (a.lastUsed ?? '').localeCompare(b.lastUsed ?? ''));
  const newest = [...tokens].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  return used.at(-1) ?? newest.at(-1);
}

export function createStatusService(deps: StatusServiceDeps) {
  const { clock, engine, profiles, secrets } = deps;
  const store = StatusStore.under(deps.home);
  const graphFor = (graphUrl: string, token: GraphTokenProvider): GraphPort =>
    deps.graph
      ? deps.graph({ graphUrl, token })
      : createGraph({ http: deps.http, clock, graphUrl, getToken: () => token.getToken() });

  /** Runs a part; an error becomes the part's observation (and is kept for the exit code). */
  async function guard<T>(
    errors: ErrorInfo[],
    work: () => Promise<T>,
  ): Promise<T | { error: ErrorInfo }> {
    try {
      return await work();
    } catch (e) {
      if (isAbortError(e)) {
        throw e;
      }
      const info = errorInfo(e);
      errors.push(info);
      return { error: info };
    }
  }

  async function runSide(
    errors: ErrorInfo[],
    side: Runner | Unchecked,
    signal?: AbortSignal,
  ): Promise<{ observation: SideObservation; saved?: VerifyOutcome['saved'] }> {
    if (isUnchecked(side)) {
      return { observation: side };
    }
    const r = await guard(errors, () => side.verify(signal));
    if (!('checks' in r)) {
      return { observation: r };
    }
    // An error before anything was read is the check's own access refused (or the network);
    // one after some items were read is a finding of the side (e.g. Entra's connection test).
    if (r.error && r.checks.length === 0) {
      errors.push(r.error);
    }
    return {
      observation: { checks: r.checks, ...(r.error ? { error: r.error } : {}) },
      ...(r.saved ? { saved: r.saved } : {}),
    };
  }

  /** Every part of the health check, in an order that reads dbt's `last_used` first. */
  async function check(target: StatusTarget, signal?: AbortSignal): Promise<StatusCheckResult> {
    const errors: ErrorInfo[] = [];
    const admin = target.admin;

    // 1. The token in use, before any check of ours moves its `last_used`.
    let info: ScimTokenInfo | undefined;
    let token: StatusObservations['token'];
    if (isUnchecked(admin)) {
      token = admin;
    } else {
      const read = await guard(errors, async () => {
        if (target.token.id !== undefined) {
          return { info: await admin.getScimToken(target.token.id, signal) };
        }
        const list = await admin.listScimTokens(signal);
        return { info: list ? likelyTokenInUse(list) : undefined };
      });
      if ('error' in read) {
        token = read;
      } else {
        info = read.info;
        token = {
          ...(info ? { info } : {}),
          ...(target.token.id !== undefined ? { expectedId: target.token.id } : {}),
          ...(target.token.name ? { expectedName: target.token.name } : {}),
          ...(target.token.last4 ? { last4: target.token.last4 } : {}),
          ...(target.token.savedAt ? { savedAt: target.token.savedAt } : {}),
        };
        if (info && target.onToken) {
          await target.onToken(info);
        }
      }
    }
    const rotation = await target.rotation(info);

    // 2. dbt's SCIM settings: the dbt step's own verify.
    let dbtConfig: SideObservation;
    if (isUnchecked(admin)) {
      dbtConfig = admin;
    } else {
      const r = await engine.run(scimConfigStep(admin, {}), {
        profileId: target.journalId,
        mode: 'verify',
        ...(signal ? { signal } : {}),
      });
      if (r.error) {
        errors.push(r.error);
      }
      dbtConfig = { checks: r.checks, ...(r.error ? { error: r.error } : {}) };
    }

    // 3. The identity provider, then Entra's job where the verify found it.
    let idpSide: SideObservation | undefined;
    let saved: VerifyOutcome['saved'];
    if (target.idpSide) {
      const r = await runSide(errors, target.idpSide, signal);
      idpSide = r.observation;
      saved = r.saved;
    }
    let job: StatusObservations['job'];
    if (target.idp === 'entra') {
      const graph = target.graph;
      if (!graph || isUnchecked(graph)) {
        job = graph ?? {
          unchecked: 'the enterprise app is not known.',
          remediation: 'Set Entra up first.',
        };
      } else if (!saved?.spId || !saved.jobId) {
        job = {
          unchecked: 'the provisioning job was not found.',
          remediation: 'Open the Identity provider step and apply it (CLI: `entra apply`).',
        };
      } else {
        const { spId, jobId } = saved;
        job = await guard(errors, async () => ({
          job: await graph.getJob(spId, jobId, signal),
        }));
      }
    }

    // 4. The License step, when it was started.
    const license = target.license
      ? (await runSide(errors, target.license, signal)).observation
      : undefined;

    // 5. dbt's SSO certificate (informative: errors here do not decide the exit code).
    let sso: StatusObservations['sso'];
    if (isUnchecked(admin)) {
      sso = admin;
    } else {
      sso = await guard([], async () => {
        const account = await admin.getAccount(signal);
        return { method: account.ssoMethod, provider: await admin.getAuthProvider(signal) };
      });
    }

    // 6. Last: the SCIM API with the token in use (this moves its `last_used`).
    let dbtConnection: SideObservation;
    const scim = target.scim;
    if (isUnchecked(scim)) {
      dbtConnection = scim;
    } else {
      // A refused SCIM token is a finding of the check (its item fails), not the CLI's access.
      const r = await guard(errors, () => deps.dbt.check(scim.scimUrl, scim.token, signal));
      dbtConnection = 'checks' in r ? { checks: r.checks } : r;
    }

    const report = buildStatusReport({
      profileId: target.profileId,
      profileName: target.profileName,
      idp: target.idp,
      now: clock.now(),
      token,
      rotation,
      dbtConfig,
      dbtConnection,
      ...(idpSide ? { idpSide } : {}),
      ...(job ? { job } : {}),
      ...(license ? { license } : {}),
      sso,
    });
    return { report, errors };
  }

  // -------------------------------------------------------------------------------------------
  // The wizard, per profile

  const NEEDS = {
    dbtAdmin: {
      unchecked: 'the dbt account is not connected with an Admin API token.',
      remediation:
        'Enter the dbt API URL, the account id and an account-admin service token in Prerequisites.',
    },
    scim: {
      unchecked: 'the SCIM base URL or the SCIM token is not saved.',
      remediation:
        'Paste the SCIM base URL and create or paste the SCIM token in the dbt step to check the connection.',
    },
    entraSignIn: {
      unchecked: 'the wizard is not signed in to Microsoft Entra ID.',
      remediation: 'Sign in to Microsoft in the Identity provider step, then check again.',
    },
    entraSetup: {
      unchecked: 'Microsoft Entra ID is not connected in this profile yet.',
      remediation: 'Set Entra up in the Identity provider step.',
    },
    oktaSignIn: {
      unchecked: 'the wizard is not signed in to Okta.',
      remediation: 'Sign in to your Okta org in the Identity provider step, then check again.',
    },
    oktaSetup: {
      unchecked: 'Okta is not connected in this profile yet (no org or app chosen).',
      remediation: 'Choose your Okta org and the dbt SSO app in the Identity provider step.',
    },
    entraMaps: {
      unchecked: 'no SSO license maps were chosen yet.',
      remediation: 'Choose which Entra groups get which license type on the License step.',
    },
  } satisfies Record<string, Unchecked>;

  async function profileAdmin(profile: Profile): Promise<DbtAdminPort | Unchecked> {
    try {
      return deps.dbt.admin(await deps.dbt.targetOf(profile));
    } catch (e) {
      if (errorInfo(e).code === 'bad_input') {
        return NEEDS.dbtAdmin;
      }
      throw e;
    }
  }

  async function entraSide(profile: Profile): Promise<{
    side: Runner | Unchecked;
    graph: GraphPort | Unchecked;
  }> {
    const entra = profile.entra;
    if (!entra) {
      return { side: NEEDS.entraSetup, graph: NEEDS.entraSetup };
    }
    const signedIn = deps.signedIn?.entra ? await deps.signedIn.entra(profile.id) : true;
    const token = deps.graphToken?.(profile.id);
    if (!signedIn || !token) {
      return { side: NEEDS.entraSignIn, graph: NEEDS.entraSignIn };
    }
    return {
      side: {
        verify: async (signal) => {
          const r = await deps.entra.status(profile.id, signal);
          return {
            checks: r.checks,
            saved: r.saved,
            ...(r.error ? { error: r.error } : {}),
          };
        },
      },
      graph: graphFor(entra.graphUrl ?? ENTRA_CLOUDS[entra.cloud].graph, token),
    };
  }

  async function oktaSide(profile: Profile): Promise<Runner | Unchecked> {
    if (!profile.okta?.orgUrl || !profile.okta.appId) {
      return NEEDS.oktaSetup;
    }
    const signedIn = deps.signedIn?.okta ? await deps.signedIn.okta(profile.id) : true;
    if (!signedIn) {
      return NEEDS.oktaSignIn;
    }
    return {
      verify: async (signal) => {
        const r = await deps.okta.run(profile.id, 'verify', signal ? { signal } : {});
        return { checks: r.checks, ...(r.error ? { error: r.error } : {}) };
      },
    };
  }

  function licenseSide(profile: Profile): Runner | Unchecked | undefined {
    if (profile.steps.license.status === 'not_started' || !profile.idp) {
      return undefined;
    }
    if (profile.idp === 'okta') {
      return {
        verify: (signal) => deps.license.runOkta(profile.id, 'verify', signal ? { signal } : {}),
      };
    }
    const entraMaps = profile.license?.entraMaps;
    if (!entraMaps || Object.keys(entraMaps).length === 0) {
      return NEEDS.entraMaps;
    }
    return {
      verify: (signal) =>
        deps.license.runEntra(profile.id, 'verify', { entraMaps, ...(signal ? { signal } : {}) }),
    };
  }

  /** The health check's target for a saved profile, with the wizard's saved secrets. */
  async function profileTarget(profileId: string): Promise<StatusTarget> {
    const profile = await profiles.get(profileId);
    const meta = (await secrets.list(profileId)).find((m) => m.name === SECRET_DBT_SCIM);
    const scimToken = await secrets.get(profileId, SECRET_DBT_SCIM);
    const scimUrl = profile.dbt.scimUrl;
    let idpSide: Runner | Unchecked | undefined;
    let graph: GraphPort | Unchecked | undefined;
    if (profile.idp === 'entra') {
      ({ side: idpSide, graph } = await entraSide(profile));
    } else if (profile.idp === 'okta') {
      idpSide = await oktaSide(profile);
    }
    const license = licenseSide(profile);
    const savedId = meta ? profile.dbt.scimTokenId : undefined;
    return {
      profileId,
      profileName: profile.name,
      idp: profile.idp,
      journalId: profileId,
      admin: await profileAdmin(profile),
      token: {
        ...(savedId !== undefined ? { id: savedId } : {}),
        ...(meta && profile.dbt.scimTokenName ? { name: profile.dbt.scimTokenName } : {}),
        ...(meta?.last4 ? { last4: meta.last4 } : {}),
        ...(meta ? { savedAt: meta.createdAt } : {}),
      },
      scim: scimUrl && scimToken ? { scimUrl, token: scimToken } : NEEDS.scim,
      ...(idpSide ? { idpSide } : {}),
      ...(graph ? { graph } : {}),
      ...(license ? { license } : {}),
      rotation: () => profileRotationDue({ ...deps, home: deps.home }, profileId),
      onToken: async (t) => {
        const p = await profiles.get(profileId);
        if (t.id === p.dbt.scimTokenId && t.createdAt !== p.dbt.scimTokenCreatedAt) {
          await profiles.update(profileId, { dbt: { scimTokenCreatedAt: t.createdAt } });
        }
      },
    };
  }

  const service = {
    check,
    profileTarget,
    /** The saved report of a profile. */
    saved: async (profileId: string) => store.load(profileId),
    /** Saves a report (the CLI's checks of a saved profile). */
    save: (report: StatusReport) => store.save(report),

    /**
     * The profile's health: the last saved report (`refresh: false`, null when none), or a new
     * check of everything, saved (`refresh: true`).
     */
    async get(
      profileId: string,
      options: { refresh: boolean; signal?: AbortSignal },
    ): Promise<StatusReport | null> {
      await profiles.get(profileId);
      if (!options.refresh) {
        return (await store.load(profileId)) ?? null;
      }
      const { report } = await check(await profileTarget(profileId), options.signal);
      await store.save(report);
      return report;
    },
  };

  const handlers: Pick<HandlerTable, 'status:get'> = {
    'status:get': (input) => service.get(input.profileId, { refresh: input.refresh }),
  };

  return { ...service, handlers };
}

export type StatusService = ReturnType<typeof createStatusService>;
