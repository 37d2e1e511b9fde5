/**
 * The Entra ID side as services: connecting a profile to a tenant (cloud, Graph root, app name),
 * and plan / apply / verify of the Entra steps through the engine, for the wizard (per profile:
 * ids in the profile, the dbt SCIM URL and token from the dbt step, the Graph token from the
 * sign-in) and for the CLI (flags and environment; ids folded from its journal).
 */
import { createHash } from 'node:crypto';
import { WizardError, badInput, errorInfo } from '../core/errors.js';
import type { RunResult } from '../core/engine.js';
import type { Change, Check, ErrorInfo, RunPhase } from '../core/model.js';
import type { JournalStore } from '../core/ports.js';
import type { Profile, ProfileStore } from '../core/store/profiles.js';
import type { ScimProbePort } from '../core/dbt/ports.js';
import { ENTRA_CLOUDS, type EntraCloud, type GraphPort } from '../core/entra/ports.js';
import {
  cleanAppName,
  cleanEntraId,
  cleanGraphUrl,
  cleanTestUser,
  DEFAULT_APP_NAME,
} from '../core/entra/inputs.js';
import {
  collapseDeferred,
  createEntraSteps,
  ENTRA_STEP_KINDS,
  type DbtScimTarget,
  type EntraSaved,
  type EntraStateStore,
  type EntraTiming,
} from '../core/entra/steps.js';
import { createGraph } from '../adapters/entra/graph.js';
import { createScimProbe } from '../adapters/dbt/scim-probe.js';
import { SECRET_DBT_SCIM } from './dbt.js';
import { journalFoldedStore, runSequence, type StepServiceDeps } from './sequence.js';

/** Where a Microsoft Graph access token comes from (the wizard's sign-in, or the CLI's variable). */
export interface GraphTokenProvider {
  getToken(): Promise<string>;
}

/** A token given once (the CLI's GRAPH_ACCESS_TOKEN, tests). */
export function staticTokenProvider(token: string): GraphTokenProvider {
  return { getToken: () => Promise.resolve(token) };
}

/** Everything one run of the Entra steps needs. */
export interface EntraTarget {
  readonly graphUrl: string;
  readonly cloud: EntraCloud;
  readonly appName: string;
  readonly chosenId?: string;
  readonly dbt?: DbtScimTarget;
  readonly testUser?: string;
  readonly token: GraphTokenProvider;
  readonly store: EntraStateStore;
  /** The journal (profile id, or a CLI id) the engine writes to. */
  readonly journalId: string;
}

export type EntraMode = 'plan' | 'apply' | 'verify';

/** The result of plan / apply / verify over all the Entra steps. */
export interface EntraRunResult {
  /** `planned` (plan, or apply stopped before changing anything), `verified`, `failed`, `cancelled`. */
  readonly phase: RunPhase;
  /** plan: what apply would change; apply: what it changed (or would have). */
  readonly changes: Change[];
  readonly checks: Check[];
  readonly error?: ErrorInfo;
  /** Each step's run, in order. */
  readonly runs: RunResult[];
  /** The ids found or created (no secret). */
  readonly saved: EntraSaved;
}

export interface EntraRunOptions {
  /** apply: the change ids the admin reviewed; a different plan stops before changing anything. */
  readonly expectedChangeIds?: readonly string[];
  /** apply: asked with the plan before anything changes; false stops after planning. */
  readonly confirm?: (changes: readonly Change[]) => Promise<boolean>;
  readonly signal?: AbortSignal;
}

export interface EntraServiceDeps extends StepServiceDeps {
  /** The signed-in admin's Graph token for a profile; absent until the sign-in exists. */
  readonly graphToken?: (profileId: string) => GraphTokenProvider | undefined;
  /** Overrides the Graph adapter (tests). */
  readonly graph?: (target: { graphUrl: string; token: GraphTokenProvider }) => GraphPort;
  readonly probe?: ScimProbePort;
  readonly timing?: Partial<EntraTiming>;
}

const SAVED_KEYS = ['spId', 'appId', 'jobId', 'credentialsFingerprint'] as const;

function pickSaved(source: Readonly<Record<string, unknown>> | undefined): EntraSaved {
  const out: Record<string, string> = {};
  for (const key of SAVED_KEYS) {
    const v = source?.[key];
    if (typeof v === 'string' && v !== '') {
      out[key] = v;
    }
  }
  return out;
}

/** The journal id of a headless run on one tenant and app name (no profile needed). */
export function entraCliJournalId(graphUrl: string, appName: string): string {
  const hash = createHash('sha256').update(`${graphUrl}\n${appName}`).digest('hex').slice(0, 16);
  return `cli-entra-${hash}`;
}

/**
 * The CLI's memory: ids and fingerprint folded from the journal entries of earlier runs (each
 * step remembers them right after creating or saving), plus what this run learned.
 */
export function journalStateStore(journal: JournalStore, journalId: string): EntraStateStore {
  return journalFoldedStore(journal, journalId, 'entra.', pickSaved);
}

/** A profile's memory: `profile.entra`. */
function profileStateStore(profiles: ProfileStore, profileId: string): EntraStateStore {
  return {
    async load() {
      return pickSaved((await profiles.get(profileId)).entra);
    },
    async save(patch) {
      await profiles.update(profileId, { entra: { ...patch } });
    },
  };
}

function notSignedIn(): WizardError {
  return new WizardError('auth_failed', 'The wizard is not signed in to Microsoft Entra ID.', {
    remediation:
      'Sign in to Microsoft with an account holding the Application Administrator or Cloud Application Administrator role, then try again.',
  });
}

export function createEntraService(deps: EntraServiceDeps) {
  const { http, clock, engine, profiles, secrets } = deps;
  const probe = deps.probe ?? createScimProbe({ http, now: () => clock.now() });
  const graphFor = (graphUrl: string, token: GraphTokenProvider): GraphPort =>
    deps.graph
      ? deps.graph({ graphUrl, token })
      : createGraph({ http, clock, graphUrl, getToken: () => token.getToken() });

  /** plan / apply / verify over all the Entra steps, in order, each through the engine. */
  async function runSetup(
    target: EntraTarget,
    mode: EntraMode,
    options: EntraRunOptions = {},
  ): Promise<EntraRunResult> {
    const graph = graphFor(target.graphUrl, target.token);
    const steps = createEntraSteps({
      graph,
      store: target.store,
      appName: target.appName,
      templateId: ENTRA_CLOUDS[target.cloud].nonGalleryTemplateId,
      probe,
      ...(target.chosenId ? { chosenId: target.chosenId } : {}),
      ...(target.dbt ? { dbt: target.dbt } : {}),
      ...(target.testUser ? { testUser: target.testUser } : {}),
      ...(deps.timing ? { timing: deps.timing } : {}),
    });
    const r = await runSequence(steps.all, mode, {
      engine,
      journalId: target.journalId,
      ...(options.expectedChangeIds ? { expectedChangeIds: options.expectedChangeIds } : {}),
      ...(options.confirm ? { confirm: options.confirm } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      // Later steps describe themselves until the app exists: fold those lines.
      summarise: collapseDeferred,
      stopApplyOn: 'unverified',
    });
    return {
      phase: r.phase,
      changes: r.changes,
      checks: r.runs.flatMap((x) => [...x.checks]),
      runs: r.runs,
      saved: await target.store.load(),
      ...(r.error ? { error: r.error } : {}),
    };
  }

  // -------------------------------------------------------------------------------------------
  // The wizard, per profile

  const entraOf = (profile: Profile): NonNullable<Profile['entra']> => {
    if (!profile.entra) {
      throw badInput(
        'Microsoft Entra ID is not connected in this profile yet.',
        'Choose the cloud and the app name first.',
      );
    }
    return profile.entra;
  };

  async function profileTarget(
    profileId: string,
    extra: { testUser?: string } = {},
  ): Promise<EntraTarget> {
    const profile = await profiles.get(profileId);
    const entra = entraOf(profile);
    const token = deps.graphToken?.(profileId);
    if (!token) {
      throw notSignedIn();
    }
    const graphUrl = entra.graphUrl ?? ENTRA_CLOUDS[entra.cloud].graph;
    const scimToken = await secrets.get(profileId, SECRET_DBT_SCIM);
    const dbt: DbtScimTarget | undefined =
      profile.dbt.scimUrl && scimToken
        ? {
            scimUrl: profile.dbt.scimUrl,
            token: scimToken,
            ...(profile.dbt.scimTokenId !== undefined ? { tokenId: profile.dbt.scimTokenId } : {}),
          }
        : undefined;
    return {
      graphUrl,
      cloud: entra.cloud,
      appName: entra.appName,
      token,
      store: profileStateStore(profiles, profileId),
      journalId: profileId,
      ...(dbt ? { dbt } : {}),
      ...(extra.testUser ? { testUser: extra.testUser } : {}),
    };
  }

  /** The IdP rail step's status from a run. */
  async function record(profileId: string, result: EntraRunResult, what: string): Promise<void> {
    if (result.phase === 'verified') {
      await profiles.setStepStatus(profileId, 'idp', 'verified', what);
    } else if (result.phase === 'failed') {
      const failing = result.checks.find((c) => c.status === 'fail');
      await profiles.setStepStatus(
        profileId,
        'idp',
        'failed',
        result.error?.message ?? failing?.message ?? 'A check failed.',
      );
    }
  }

  return {
    runSetup,
    journalStateStore: (journalId: string) => journalStateStore(deps.journal, journalId),

    /** Validates and saves the tenant's coordinates and the app's name. */
    async connect(input: {
      profileId: string;
      cloud?: EntraCloud;
      graphUrl?: string;
      appName?: string;
      spId?: string;
    }) {
      const profile = await profiles.get(input.profileId);
      const raw = input.graphUrl ?? ENTRA_CLOUDS[input.cloud ?? 'global'].graph;
      const graph = cleanGraphUrl(raw);
      if (
        input.cloud &&
        input.graphUrl &&
        graph.cloud !== input.cloud &&
        graph.cloud !== 'global'
      ) {
        throw badInput(
          `The Graph URL belongs to ${ENTRA_CLOUDS[graph.cloud].label}, not ${ENTRA_CLOUDS[input.cloud].label}.`,
          'Choose the cloud of your tenant, or leave the Graph URL empty.',
        );
      }
      const cloud = input.cloud ?? graph.cloud;
      const appName = cleanAppName(input.appName ?? profile.entra?.appName ?? DEFAULT_APP_NAME);
      const spId = input.spId ? cleanEntraId(input.spId) : undefined;
      const sameApp = profile.entra?.appName === appName && profile.entra.cloud === cloud;
      const keep = sameApp && !spId ? pickSaved(profile.entra) : {};
      const updated = await profiles.update(profile.id, {
        entra: {
          cloud,
          appName,
          graphUrl: input.graphUrl ? graph.url : undefined,
          spId: spId ?? keep.spId,
          appId: spId ? undefined : keep.appId,
          jobId: keep.jobId,
          credentialsFingerprint: keep.credentialsFingerprint,
        },
      });
      return { profile: updated, warnings: [...graph.warnings] };
    },

    async run(
      profileId: string,
      mode: EntraMode,
      options: EntraRunOptions & { testUser?: string } = {},
    ): Promise<EntraRunResult> {
      const target = await profileTarget(profileId, {
        ...(options.testUser ? { testUser: cleanTestUser(options.testUser) } : {}),
      });
      const result = await runSetup(target, mode, options);
      if (mode !== 'plan') {
        await record(profileId, result, 'Entra ID provisioning verified');
      }
      return result;
    },

    /** Provisions one user on demand and reads it back from dbt (the Test step). */
    async testUser(profileId: string, userPrincipalName: string, signal?: AbortSignal) {
      const target = await profileTarget(profileId, {
        testUser: cleanTestUser(userPrincipalName),
      });
      const graph = graphFor(target.graphUrl, target.token);
      const steps = createEntraSteps({
        graph,
        store: target.store,
        appName: target.appName,
        templateId: ENTRA_CLOUDS[target.cloud].nonGalleryTemplateId,
        probe,
        ...(target.dbt ? { dbt: target.dbt } : {}),
        testUser: target.testUser ?? userPrincipalName,
        ...(deps.timing ? { timing: deps.timing } : {}),
      });
      const step = steps.testUser;
      if (!step) {
        throw new Error('test-user step missing');
      }
      const r = await engine.run(step, {
        profileId,
        mode: 'apply',
        ...(signal ? { signal } : {}),
      });
      await profiles.setStepStatus(
        profileId,
        'test',
        r.phase === 'verified' ? 'verified' : 'failed',
        r.phase === 'verified'
          ? `${userPrincipalName} provisioned and found in dbt`
          : (r.error?.message ?? r.checks.find((c) => c.status === 'fail')?.message),
      );
      return r;
    },

    /** Where the app and its job stand: the app, job and quarantine checks (read-only). */
    async status(profileId: string, signal?: AbortSignal) {
      const profile = await profiles.get(profileId);
      entraOf(profile);
      let result: EntraRunResult;
      try {
        result = await runSetup(await profileTarget(profileId), 'verify', {
          ...(signal ? { signal } : {}),
        });
      } catch (e) {
        return { checks: [], saved: pickSaved(profile.entra), error: errorInfo(e) };
      }
      return {
        checks: result.checks,
        saved: result.saved,
        ...(result.error ? { error: result.error } : {}),
      };
    },

    /** Every step kind of the Entra side (for the journal's interrupted runs). */
    kinds: ENTRA_STEP_KINDS,
  };
}

export type EntraService = ReturnType<typeof createEntraService>;
