/**
 * Zero-downtime SCIM token rotation as services: `rotateCli` for the CLI (flags and environment;
 * the journal under an id of the account and the identity provider; the new value in memory only)
 * and `rotate` for the wizard (per profile; the new value in the secret store until it replaces the
 * saved SCIM token). Each run goes through the engine, so every stage is journaled and a re-run
 * continues where the last one stopped; each run updates the rotation history.
 */
import { randomUUID } from 'node:crypto';
import { WizardError, badInput } from '../core/errors.js';
import { cleanScimUrl } from '../core/dbt/hosts.js';
import type { Change, Check, ErrorInfo, Idp, RunPhase } from '../core/model.js';
import type { DbtAdminPort, ScimProbePort } from '../core/dbt/ports.js';
import { ENTRA_CLOUDS, type GraphPort } from '../core/entra/ports.js';
import { credentialsFingerprint, type EntraSaved } from '../core/entra/steps.js';
import { consoleLink } from '../core/okta/console.js';
import { cleanOktaOrgUrl } from '../core/okta/inputs.js';
import {
  ROTATION_KIND,
  rotationFromJournal,
  rotationStep,
  type IdpTokenSink,
  type NewTokenKeeper,
  type RotationState,
} from '../core/rotation/rotation.js';
import { entraSink, oktaSink } from '../core/rotation/sinks.js';
import {
  RotationHistory,
  type RotationHistoryEntry,
  type RotationOutcomeKind,
} from '../core/rotation/history.js';
import { createDbtAdmin } from '../adapters/dbt/admin.js';
import { createScimProbe } from '../adapters/dbt/scim-probe.js';
import { createGraph } from '../adapters/entra/graph.js';
import { SECRET_DBT_API, SECRET_DBT_SCIM, type DbtTarget } from './dbt.js';
import { entraCliJournalId, journalStateStore, type GraphTokenProvider } from './entra.js';
import type { StepServiceDeps } from './sequence.js';
import type { HandlerTable } from './dispatch.js';
import {
  cleanIntervalDays,
  newestTime,
  rotationDue,
  type RotationDue,
} from '../core/rotation/policy.js';

/** Where the wizard keeps the new token's value until the rotation is done. */
export const SECRET_DBT_SCIM_NEXT = 'dbt.scim-token.next';

/** The Entra end of a rotation: the tenant, the app, a Graph token. */
export interface RotationEntraTarget {
  readonly graphUrl: string;
  readonly appName: string;
  /** Service principal id or appId, when several apps share the name. */
  readonly chosenId?: string;
  readonly token: GraphTokenProvider;
}

/**
 * The SCIM base URL Entra holds as the app's Tenant URL (its BaseAddress secret comes back in
 * clear), cleaned as a pasted one would be; a typed error when Entra does not say.
 */
async function entraTenantUrl(
  graph: GraphPort,
  spId: string,
  signal?: AbortSignal,
): Promise<string> {
  const saved = (await graph.getSecrets(spId, signal)).find((x) => x.key === 'BaseAddress');
  const value = saved?.value.trim();
  if (!value || /^\*+$/.test(value)) {
    throw badInput(
      'Entra does not show the dbt SCIM URL it holds (the Tenant URL).',
      'Pass the SCIM base URL from dbt (Account settings → SSO & SCIM) with --dbt-scim-url.',
    );
  }
  return cleanScimUrl(value).url;
}

/** Everything one CLI rotation needs (checked by the command before anything is sent). */
export interface RotateCliTarget {
  readonly idp: Idp;
  readonly dbt: DbtTarget;
  /** The dbt SCIM base URL; for Entra, when absent, the Tenant URL Entra holds is used. */
  readonly scimUrl?: string;
  /** The token in use now (DBT_SCIM_TOKEN): identifies the old token, proves it refused, rollback. */
  readonly oldValue?: string;
  readonly oldTokenId?: number;
  readonly keepOld?: boolean;
  readonly entra?: RotationEntraTarget;
  readonly okta?: {
    /** The app's Provisioning tab, shown with the paste instructions. */
    readonly consoleUrl?: string;
    /** Hands the new value to the admin (a terminal, on request); true when it did. */
    readonly handOver?: (value: string) => Promise<boolean>;
  };
  readonly signal?: AbortSignal;
}

export type RotationOutcome = RotationOutcomeKind;

export interface RotationRunResult {
  readonly journalId: string;
  readonly phase: RunPhase;
  readonly outcome: RotationOutcome;
  readonly resumed: boolean;
  /** The stage the journal had when this run began (a resumed rotation). */
  readonly resumedFrom?: RotationState['stage'];
  readonly state: RotationState | undefined;
  /** One check per stage (pass, pending), then the error's cause when it failed. */
  readonly checks: Check[];
  readonly changes: Change[];
  /** How the old token was chosen (a new rotation). */
  readonly chosen?: string;
  /** The console step still to do (Okta), when pending. */
  readonly instructions: readonly string[];
  readonly error?: ErrorInfo;
  readonly history: RotationHistoryEntry | undefined;
}

export interface RotationServiceDeps extends StepServiceDeps {
  /** The data directory (the rotation history lives under it). */
  readonly home: string;
  /** The signed-in admin's Graph token for a profile (the wizard). */
  readonly graphToken?: (profileId: string) => GraphTokenProvider | undefined;
  /** Overrides the adapters (tests). */
  readonly graph?: (target: { graphUrl: string; token: GraphTokenProvider }) => GraphPort;
  readonly admin?: (target: DbtTarget) => DbtAdminPort;
  readonly probe?: ScimProbePort;
  /**
   * Copies a secret of the profile to the system clipboard (main), cleared later; only its last
   * four come back. `waiting` is the error when there is nothing to copy.
   */
  readonly copySecret?: (
    profileId: string,
    name: string,
    waiting: () => WizardError,
  ) => Promise<{ last4: string; clearsAt: string }>;
}

/**
 * When the profile's next rotation is due, without a network call: counted from when dbt created
 * the token in use (saved with it), else from when the wizard saved it, else the last done rotation.
 */
export async function profileRotationDue(
  deps: Pick<StepServiceDeps, 'profiles' | 'secrets' | 'clock'> & { home: string },
  profileId: string,
): Promise<RotationDue> {
  const profile = await deps.profiles.get(profileId);
  const meta = (await deps.secrets.list(profileId)).find((m) => m.name === SECRET_DBT_SCIM);
  const lastDone = (await RotationHistory.under(deps.home).list(profileId))
    .filter((e) => e.outcome === 'done')
    .at(-1);
  const since = meta
    ? (profile.dbt.scimTokenCreatedAt ?? meta.createdAt)
    : (profile.dbt.scimTokenCreatedAt ?? null);
  return rotationDue({
    intervalDays: profile.rotation?.intervalDays,
    since: newestTime(since, lastDone?.at),
    now: deps.clock.now(),
  });
}

/** The journal id of a headless rotation on one account and identity provider. */
export function rotationCliJournalId(accountId: number, idp: Idp): string {
  return `cli-rotate-${idp}-${accountId}`;
}

function memoryKeeper(): NewTokenKeeper {
  let value: string | undefined;
  return {
    get: () => Promise.resolve(value),
    set: (v) => {
      value = v;
      return Promise.resolve();
    },
    clear: () => {
      value = undefined;
      return Promise.resolve();
    },
  };
}

export function createRotationService(deps: RotationServiceDeps) {
  const { http, clock, engine, journal, profiles, secrets } = deps;
  const history = RotationHistory.under(deps.home);
  const probe = deps.probe ?? createScimProbe({ http, now: () => clock.now() });
  const adminFor = (target: DbtTarget): DbtAdminPort =>
    deps.admin ? deps.admin(target) : createDbtAdmin({ http, ...target });
  const graphFor = (graphUrl: string, token: GraphTokenProvider): GraphPort =>
    deps.graph
      ? deps.graph({ graphUrl, token })
      : createGraph({ http, clock, graphUrl, getToken: () => token.getToken() });

  /** The app's service principal and provisioning job: saved ids, else found by name. */
  async function entraWhere(
    graph: GraphPort,
    saved: EntraSaved,
    appName: string,
    chosenId: string | undefined,
    signal?: AbortSignal,
  ): Promise<{ spId: string; jobId: string }> {
    let spId = saved.spId;
    if (!spId) {
      const found = await graph.findServicePrincipalsByName(appName, signal);
      const picked = chosenId
        ? found.filter((sp) => sp.id === chosenId || sp.appId === chosenId)
        : found;
      if (picked.length !== 1 || !picked[0]) {
        throw badInput(
          picked.length === 0
            ? `Entra has no enterprise app "${appName}"${chosenId ? ` with id ${chosenId}` : ''}.`
            : `${picked.length} enterprise apps are named "${appName}".`,
          picked.length === 0
            ? 'Give the app’s name with --entra-app-name (set it up first with `entra apply`).'
            : 'Choose one with --entra-app-id.',
        );
      }
      spId = picked[0].id;
    }
    let jobId = saved.jobId;
    if (!jobId) {
      const jobs = await graph.listJobs(spId, signal);
      const job = jobs.find((j) => j.templateId.toLowerCase() === 'scim') ?? jobs[0];
      if (!job) {
        throw badInput(
          `The enterprise app "${appName}" has no provisioning job.`,
          'Set provisioning up first with `entra apply`, then rotate.',
        );
      }
      jobId = job.id;
    }
    return { spId, jobId };
  }

  interface RunInput {
    readonly journalId: string;
    readonly idp: Idp;
    readonly admin: DbtAdminPort;
    readonly scimUrl: string;
    readonly sink: IdpTokenSink;
    readonly keeper: NewTokenKeeper;
    readonly oldValue?: string;
    readonly oldTokenId?: number;
    readonly keepOld?: boolean;
    readonly signal?: AbortSignal;
  }

  async function runRotation(
    input: RunInput,
    stepRef?: { state(): RotationState | undefined },
  ): Promise<RotationRunResult> {
    const current = rotationFromJournal(await journal.read(input.journalId));
    if (current && current.idp !== input.idp) {
      throw badInput(
        `A rotation for ${current.idp} is in progress on this account.`,
        'Finish it first (run it again with the same --idp).',
      );
    }
    if (current && input.oldTokenId !== undefined && current.oldTokenId !== input.oldTokenId) {
      throw badInput(
        `The rotation in progress replaces the token id ${current.oldTokenId}, not ${input.oldTokenId}.`,
        'Run it again without --old-token-id (or with the same id) to finish it.',
      );
    }
    const step = rotationStep({
      admin: input.admin,
      probe,
      scimUrl: input.scimUrl,
      sink: input.sink,
      keeper: input.keeper,
      current,
      ...(input.oldValue !== undefined ? { oldValue: input.oldValue } : {}),
      ...(input.oldTokenId !== undefined ? { oldTokenId: input.oldTokenId } : {}),
      ...(input.keepOld || current?.keepOld ? { keepOld: true } : {}),
    });
    if (stepRef) {
      Object.assign(stepRef, { state: () => step.state() });
    }
    const r = await engine.run(step, {
      profileId: input.journalId,
      mode: 'apply',
      ...(input.signal ? { signal: input.signal } : {}),
    });
    const state = step.state();
    const outcome: RotationOutcome =
      r.phase === 'verified' ? 'done' : r.error ? 'failed' : 'pending';
    const checks: Check[] = r.error ? step.checks(clock.now()) : [...r.checks];
    const pending = checks.find((c) => c.status === 'pending');
    const message =
      outcome === 'done'
        ? `Rotated: ${input.idp === 'entra' ? 'Entra' : 'Okta'} uses "${state?.newTokenName ?? ''}" (id ${state?.newTokenId ?? '?'})${state?.keepOld ? `; the old token "${state.oldTokenName}" was kept` : `; the old token "${state?.oldTokenName ?? ''}" is deleted`}.`
        : outcome === 'pending'
          ? (pending?.message ?? 'Waiting for a console step.')
          : (r.error?.message ?? 'The rotation failed.');
    let entry: RotationHistoryEntry | undefined;
    if (state) {
      entry = {
        id: state.id,
        at: clock.now().toISOString(),
        startedAt: state.startedAt,
        idp: state.idp,
        oldTokenId: state.oldTokenId,
        oldTokenName: state.oldTokenName,
        ...(state.newTokenId !== undefined ? { newTokenId: state.newTokenId } : {}),
        newTokenName: state.newTokenName,
        outcome,
        stage: state.stage,
        message,
      };
      await history.record(input.journalId, entry);
    }
    const chosen = step.chosen();
    return {
      journalId: input.journalId,
      phase: r.phase,
      outcome,
      resumed: current !== undefined,
      ...(current ? { resumedFrom: current.stage } : {}),
      state,
      checks,
      changes: [...r.changes],
      instructions: outcome === 'pending' ? (input.sink.instructions?.() ?? []) : [],
      history: entry,
      ...(chosen ? { chosen } : {}),
      ...(r.error ? { error: r.error } : {}),
    };
  }

  const service = {
    /** The rotation history of a profile or CLI journal id, oldest first. */
    history: (id: string) => history.list(id),

    /** The rotation in progress (from the journal), if any. */
    async inProgress(id: string): Promise<RotationState | undefined> {
      return rotationFromJournal(await journal.read(id));
    },

    /** A headless rotation: the CLI's `rotate`. */
    async rotateCli(target: RotateCliTarget): Promise<RotationRunResult> {
      const journalId = rotationCliJournalId(target.dbt.accountId, target.idp);
      const admin = adminFor(target.dbt);
      const stepRef = { state: (): RotationState | undefined => undefined };
      let sink: IdpTokenSink;
      let scimUrl = target.scimUrl;
      if (target.idp === 'entra') {
        const e = target.entra;
        if (!e) {
          throw badInput('The Entra app is missing.', 'Give --graph-url and --entra-app-name.');
        }
        const graph = graphFor(e.graphUrl, e.token);
        const entraJournalId = entraCliJournalId(e.graphUrl, e.appName);
        const store = journalStateStore(journal, entraJournalId);
        const where = await entraWhere(
          graph,
          await store.load(),
          e.appName,
          e.chosenId,
          target.signal,
        );
        scimUrl ??= await entraTenantUrl(graph, where.spId, target.signal);
        const tenantUrl = scimUrl;
        sink = entraSink({
          graph,
          ...where,
          scimUrl: tenantUrl,
          // `entra verify` then sees the credentials it expects with DBT_SCIM_TOKEN = the new token.
          onSaved: async (_which, token) => {
            await journal.append({
              runId: randomUUID(),
              profileId: entraJournalId,
              step: 'idp',
              phase: 'verified',
              at: clock.now().toISOString(),
              data: {
                kind: 'entra.credentials',
                spId: where.spId,
                jobId: where.jobId,
                credentialsFingerprint: credentialsFingerprint({ scimUrl: tenantUrl, token }),
              },
            });
          },
        });
      } else {
        if (!scimUrl) {
          throw badInput(
            '--dbt-scim-url is missing.',
            'Copy the SCIM base URL from dbt (Account settings → SSO & SCIM) and pass it with --dbt-scim-url: the new token is checked against it.',
          );
        }
        sink = oktaSink({
          admin,
          ...(target.okta?.consoleUrl ? { consoleUrl: target.okta.consoleUrl } : {}),
          ...(target.okta?.handOver ? { handOver: target.okta.handOver } : {}),
        });
      }
      return runRotation(
        {
          journalId,
          idp: target.idp,
          admin,
          scimUrl,
          sink,
          keeper: memoryKeeper(),
          ...(target.oldValue !== undefined ? { oldValue: target.oldValue } : {}),
          ...(target.oldTokenId !== undefined ? { oldTokenId: target.oldTokenId } : {}),
          ...(target.keepOld ? { keepOld: true } : {}),
          ...(target.signal ? { signal: target.signal } : {}),
        },
        stepRef,
      );
    },

    /**
     * The wizard's rotation for a profile: the old token is the saved one; the new value waits in
     * the secret store and, when done, becomes the saved SCIM token.
     */
    async rotate(
      profileId: string,
      options: { keepOld?: boolean; signal?: AbortSignal } = {},
    ): Promise<RotationRunResult> {
      const profile = await profiles.get(profileId);
      const idp = profile.idp;
      if (!idp) {
        throw badInput(
          'Choose the identity provider first.',
          'Pick Okta or Microsoft Entra ID for this profile.',
        );
      }
      const { apiUrl, accountId, scimUrl } = profile.dbt;
      const apiToken = await secrets.get(profileId, SECRET_DBT_API);
      if (!apiUrl || !accountId || !apiToken) {
        throw badInput(
          'The dbt account is not connected with an Admin API token.',
          'Rotation needs the Admin API: enter the API URL, the account id and an account-admin service token in Prerequisites.',
        );
      }
      if (!scimUrl) {
        throw badInput(
          'The SCIM base URL is missing.',
          'Paste it from dbt: Account settings → SSO & SCIM → SCIM base URL.',
        );
      }
      const admin = adminFor({ apiUrl, accountId, apiToken });
      const oldValue = await secrets.get(profileId, SECRET_DBT_SCIM);
      const stepRef = { state: (): RotationState | undefined => undefined };
      const keeper: NewTokenKeeper = {
        get: () => secrets.get(profileId, SECRET_DBT_SCIM_NEXT),
        set: async (v) => {
          await secrets.set(profileId, SECRET_DBT_SCIM_NEXT, v);
        },
        clear: () => secrets.delete(profileId, SECRET_DBT_SCIM_NEXT),
        promote: async (state) => {
          const next = await secrets.get(profileId, SECRET_DBT_SCIM_NEXT);
          if (next !== undefined) {
            await secrets.set(profileId, SECRET_DBT_SCIM, next);
            await secrets.delete(profileId, SECRET_DBT_SCIM_NEXT);
          }
          // The new token was created right after the rotation started.
          await profiles.update(profileId, {
            dbt: {
              scimTokenId: state.newTokenId,
              scimTokenName: state.newTokenName,
              scimTokenCreatedAt: state.startedAt,
            },
          });
        },
      };
      let sink: IdpTokenSink;
      if (idp === 'entra') {
        const entra = profile.entra;
        const token = deps.graphToken?.(profileId);
        if (!entra) {
          throw badInput(
            'Microsoft Entra ID is not connected in this profile yet.',
            'Set Entra up first (the Identity provider step).',
          );
        }
        if (!token) {
          throw new WizardError(
            'auth_failed',
            'The wizard is not signed in to Microsoft Entra ID.',
            {
              remediation: 'Sign in to Microsoft, then rotate again.',
            },
          );
        }
        const graph = graphFor(entra.graphUrl ?? ENTRA_CLOUDS[entra.cloud].graph, token);
        const where = await entraWhere(
          graph,
          {
            ...(entra.spId ? { spId: entra.spId } : {}),
            ...(entra.jobId ? { jobId: entra.jobId } : {}),
          },
          entra.appName,
          undefined,
          options.signal,
        );
        sink = entraSink({
          graph,
          ...where,
          scimUrl,
          onSaved: async (which, token) => {
            const s = stepRef.state();
            const tokenId = which === 'new' ? s?.newTokenId : s?.oldTokenId;
            await profiles.update(profileId, {
              entra: {
                spId: where.spId,
                jobId: where.jobId,
                credentialsFingerprint: credentialsFingerprint({
                  scimUrl,
                  token,
                  ...(tokenId !== undefined ? { tokenId } : {}),
                }),
              },
            });
          },
        });
      } else {
        const okta = profile.okta;
        let consoleUrl: string | undefined;
        if (okta?.appId && okta.appName) {
          consoleUrl = consoleLink(
            cleanOktaOrgUrl(okta.orgUrl).adminUrl,
            { id: okta.appId, name: okta.appName },
            'provisioning',
          );
        }
        sink = oktaSink({
          admin,
          ...(consoleUrl ? { consoleUrl } : {}),
          // The Rotation screen copies the value from the secret store (main writes the clipboard).
          handOver: () => Promise.resolve(true),
        });
      }
      const result = await runRotation(
        {
          journalId: profileId,
          idp,
          admin,
          scimUrl,
          sink,
          keeper,
          ...(oldValue !== undefined ? { oldValue } : {}),
          ...(profile.dbt.scimTokenId !== undefined ? { oldTokenId: profile.dbt.scimTokenId } : {}),
          ...(options.keepOld ? { keepOld: true } : {}),
          ...(options.signal ? { signal: options.signal } : {}),
        },
        stepRef,
      );
      await profiles.setStepStatus(
        profileId,
        'rotation',
        result.outcome === 'done'
          ? 'verified'
          : result.outcome === 'pending'
            ? 'needs_you'
            : 'failed',
        result.history?.message,
      );
      return result;
    },

    /** The kind of the rotation's journal entries. */
    kind: ROTATION_KIND,
  };

  /** When the profile's next rotation is due (no network call). */
  const due = (profileId: string) => profileRotationDue({ ...deps, home: deps.home }, profileId);

  const handlers: Pick<
    HandlerTable,
    'rotation:state' | 'rotation:run' | 'rotation:copyNewToken' | 'rotation:setPolicy'
  > = {
    'rotation:state': async (input) => {
      await profiles.get(input.profileId);
      const current = await service.inProgress(input.profileId);
      const entries = await service.history(input.profileId);
      return {
        inProgress: current
          ? {
              stage: current.stage,
              idp: current.idp,
              oldTokenName: current.oldTokenName,
              newTokenName: current.newTokenName,
              startedAt: current.startedAt,
            }
          : null,
        history: [...entries].reverse().map((e) => ({
          at: e.at,
          idp: e.idp,
          ...(e.oldTokenName !== undefined ? { oldTokenName: e.oldTokenName } : {}),
          ...(e.newTokenName !== undefined ? { newTokenName: e.newTokenName } : {}),
          outcome: e.outcome,
          stage: e.stage,
          message: e.message,
        })),
        due: await due(input.profileId),
      };
    },
    'rotation:run': async (input) => {
      const r = await service.rotate(input.profileId, {
        ...(input.keepOld ? { keepOld: true } : {}),
      });
      return {
        phase: r.phase,
        outcome: r.outcome,
        ...(r.state ? { stage: r.state.stage } : {}),
        checks: r.checks,
        instructions: [...r.instructions],
        ...(r.error ? { error: r.error } : {}),
        ...(r.chosen ? { chosen: r.chosen } : {}),
      };
    },
    'rotation:copyNewToken': async (input) => {
      const current = await service.inProgress(input.profileId);
      const waiting = () =>
        badInput(
          'No new SCIM token is waiting to be pasted into Okta.',
          'Start the rotation (or run it again) on the Rotation step; the copy is for Okta’s paste.',
        );
      if (current?.idp !== 'okta' || current.stage !== 'installed' || !deps.copySecret) {
        throw waiting();
      }
      return deps.copySecret(input.profileId, SECRET_DBT_SCIM_NEXT, waiting);
    },
    'rotation:setPolicy': (input) =>
      profiles.update(input.profileId, {
        rotation: { intervalDays: cleanIntervalDays(input.intervalDays) },
      }),
  };

  return { ...service, due, handlers };
}

export type RotationService = ReturnType<typeof createRotationService>;
