/**
 * The Entra ID side's steps, each plan → apply → verify over the `GraphPort`, in this order:
 *  - `entra.app`:         the enterprise app (non-gallery template), found or created once;
 *  - `entra.job`:         the provisioning job from template `scim`, found or created once;
 *  - `entra.credentials`: "Test connection" (validateCredentials) and "Save" (PUT secrets);
 *  - `entra.schema`:      the attribute list and the seven user mappings of dbt's page;
 *  - `entra.test-user`:   optional: assign a user, provision on demand, read it back from dbt;
 *  - `entra.start`:       start the job and watch it (quarantine explained in plain words).
 *
 * Idempotent and resumable: ids are remembered (journal) and saved (profile or CLI state) right
 * after creation; an app is looked up by saved id, then by display name and template, before one
 * is ever created; an instantiate that failed in an uncertain way (404, network, timeout) is
 * followed by look-ups, never by a blind second instantiate. Fresh objects are read back until
 * Entra has replicated them, and the 404/403/409 that new objects answer for a while are waited out.
 */
import { isAbortError, isWizardError, WizardError } from '../errors.js';
import type { Change, Check } from '../model.js';
import type { Clock } from '../ports.js';
import type { StepContext, StepDefinition, StepPlan } from '../steps.js';
import type { ScimProbePort, ScimUserSummary } from '../dbt/ports.js';
import type {
  GraphPort,
  GraphServicePrincipal,
  GraphUser,
  JsonObject,
  ProvisionVerdict,
  SyncJob,
} from './ports.js';
import { explainQuarantine, explainVerdict } from './quarantine.js';
import {
  ACTIVE_EXPRESSION,
  needsActiveExpression,
  planSchema,
  provisioningRuleId,
  verifySchema,
} from './schema.js';

export const ENTRA_STEP_KINDS = [
  'entra.app',
  'entra.job',
  'entra.credentials',
  'entra.schema',
  'entra.test-user',
  'entra.start',
] as const;
export type EntraStepKind = (typeof ENTRA_STEP_KINDS)[number];

/** The job template for non-gallery SCIM apps (`customappsso` is the legacy one). */
export const SCIM_TEMPLATE_ID = 'scim';

/** The app role that means "default access" for apps without roles. */
export const DEFAULT_ACCESS_ROLE = '00000000-0000-0000-0000-000000000000';

// -------------------------------------------------------------------------------------------
// What the steps keep between runs (never a secret)

export interface EntraSaved {
  readonly spId?: string;
  readonly appId?: string;
  readonly jobId?: string;
  /** Which dbt URL and token Entra holds: never the token, only its dbt id or last four. */
  readonly credentialsFingerprint?: string;
}

/** Where the ids live: the profile in the wizard, the journal in the CLI. */
export interface EntraStateStore {
  load(): Promise<EntraSaved>;
  save(patch: EntraSaved): Promise<void>;
}

export class MemoryEntraStateStore implements EntraStateStore {
  constructor(public saved: EntraSaved = {}) {}
  load(): Promise<EntraSaved> {
    return Promise.resolve({ ...this.saved });
  }
  save(patch: EntraSaved): Promise<void> {
    this.saved = { ...this.saved, ...patch };
    return Promise.resolve();
  }
}

/** The dbt end of the connection: the SCIM base URL and the token Entra will use. */
export interface DbtScimTarget {
  readonly scimUrl: string;
  readonly token: string;
  /** The dbt id of the token, when the wizard knows it (a better fingerprint than last four). */
  readonly tokenId?: number;
}

/** A fingerprint of the credentials that says whether Entra holds these without holding them. */
export function credentialsFingerprint(target: DbtScimTarget): string {
  const token = target.token.trim();
  const which =
    target.tokenId !== undefined
      ? `token id ${target.tokenId}`
      : `token …${token.length > 8 ? token.slice(-4) : ''}`;
  return `${target.scimUrl.replace(/\/+$/, '')} ${which}`;
}

export interface EntraTiming {
  /** Replication: the service principal must read back this many times in a row… */
  readonly replicationSuccesses: number;
  /** …this far apart… */
  readonly replicationIntervalMs: number;
  /** …within this time. */
  readonly replicationTimeoutMs: number;
  /** After an uncertain instantiate: look-ups by name, this many, this far apart. */
  readonly lookupPolls: number;
  readonly lookupIntervalMs: number;
  /** How long the 404/403/409 of freshly created objects are waited out. */
  readonly settleTimeoutMs: number;
  /** Read-backs of the schema after the PUT until it matches. */
  readonly schemaReadbacks: number;
  readonly schemaReadbackIntervalMs: number;
  /** provisionOnDemand's limit: this many calls per window. */
  readonly provisionMax: number;
  readonly provisionWindowMs: number;
  /** provisionOnDemand attempts while a fresh assignment replicates. */
  readonly provisionAttempts: number;
  /** Reads of the test user from dbt. */
  readonly dbtReadbacks: number;
  readonly dbtReadbackIntervalMs: number;
  /** Reads of the job after start. */
  readonly startPolls: number;
  readonly startPollIntervalMs: number;
}

export const DEFAULT_TIMING: EntraTiming = {
  replicationSuccesses: 3,
  replicationIntervalMs: 2_000,
  replicationTimeoutMs: 180_000,
  lookupPolls: 6,
  lookupIntervalMs: 5_000,
  settleTimeoutMs: 120_000,
  schemaReadbacks: 6,
  schemaReadbackIntervalMs: 5_000,
  provisionMax: 5,
  provisionWindowMs: 10_000,
  provisionAttempts: 4,
  dbtReadbacks: 5,
  dbtReadbackIntervalMs: 3_000,
  startPolls: 3,
  startPollIntervalMs: 5_000,
};

export interface EntraSetupOptions {
  readonly graph: GraphPort;
  readonly store: EntraStateStore;
  /** The enterprise app's display name (default "dbt SCIM"). */
  readonly appName: string;
  /** The cloud's non-gallery application template. */
  readonly templateId: string;
  /** Service principal id or appId of the app to use among same-named ones. */
  readonly chosenId?: string;
  /** Needed by the credentials and test-user steps. */
  readonly dbt?: DbtScimTarget;
  /** Reads users back from dbt's SCIM API (test-user step). */
  readonly probe?: ScimProbePort;
  /** userPrincipalName (or object id) of a user to provision on demand. */
  readonly testUser?: string;
  readonly timing?: Partial<EntraTiming>;
}

export type EntraStep = StepDefinition<EntraStepKind>;

export interface EntraSteps {
  readonly app: EntraStep;
  readonly job: EntraStep;
  readonly credentials: EntraStep;
  readonly schema: EntraStep;
  readonly testUser: EntraStep | undefined;
  readonly start: EntraStep;
  /** In order; the test-user step only when a test user was given. */
  readonly all: readonly EntraStep[];
}

// -------------------------------------------------------------------------------------------
// Plans for what cannot be known yet

/** A change of a later step that can only be detailed once the app (or job) exists. */
function deferred(kind: string, detail: string): Change {
  return { id: `then:${kind}`, action: 'add', target: 'after the app exists', detail };
}

/**
 * Collapses the deferred changes of later steps into one line:
 * "then: create the provisioning job, test the connection, save the credentials, …".
 */
export function collapseDeferred(changes: readonly Change[]): Change[] {
  const later = changes.filter((c) => c.id.startsWith('then:'));
  if (later.length === 0) {
    return [...changes];
  }
  const out = changes.filter((c) => !c.id.startsWith('then:'));
  out.push({
    id: 'then',
    action: 'add',
    target: 'provisioning job, credentials, attribute mappings',
    detail: `then: ${later.map((c) => c.detail).join(', ')}`,
  });
  return out;
}

// -------------------------------------------------------------------------------------------
// Helpers

function codeOf(e: unknown): string | undefined {
  return isWizardError(e) ? e.code : undefined;
}

/** 404, 403 and 409: what new objects answer while Entra replicates them. */
function isSettling(e: unknown): boolean {
  const code = codeOf(e);
  return code === 'not_found' || code === 'permission_denied' || code === 'conflict';
}

/** An instantiate whose outcome is unknown: it may have created the app anyway. */
function isUncertain(e: unknown): boolean {
  const code = codeOf(e);
  return (
    code === 'not_found' ||
    code === 'server_error' ||
    code === 'network_reset' ||
    code === 'network_timeout' ||
    code === 'invalid_response' ||
    code === 'rate_limited' ||
    (!isWizardError(e) && !isAbortError(e))
  );
}

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** At most `max` calls per `windowMs`, shared by every step built on the same Graph port. */
class Pacer {
  private readonly times: number[] = [];
  constructor(
    private readonly clock: Clock,
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  async take(signal: AbortSignal, onWait: (ms: number) => void): Promise<void> {
    for (;;) {
      const now = this.clock.now().getTime();
      while (this.times.length > 0 && now - (this.times[0] ?? 0) >= this.windowMs) {
        this.times.shift();
      }
      if (this.times.length < this.max) {
        this.times.push(now);
        return;
      }
      const wait = (this.times[0] ?? now) + this.windowMs - now;
      onWait(wait);
      await this.clock.sleep(Math.max(wait, 1), signal);
    }
  }
}

const pacers = new WeakMap<GraphPort, Pacer>();

function pacerFor(graph: GraphPort, clock: Clock, timing: EntraTiming): Pacer {
  let p = pacers.get(graph);
  if (!p) {
    p = new Pacer(clock, timing.provisionMax, timing.provisionWindowMs);
    pacers.set(graph, p);
  }
  return p;
}

function appMissing(name: string): WizardError {
  return new WizardError('not_found', `Entra has no enterprise app "${name}" yet.`, {
    remediation: 'Run `entra apply` (or Apply in the wizard): it creates the app first.',
  });
}

function jobMissing(): WizardError {
  return new WizardError('not_found', 'The app has no provisioning job yet.', {
    remediation: 'Run `entra apply` (or Apply in the wizard): it creates the job.',
  });
}

function dbtMissing(): WizardError {
  return new WizardError('bad_input', 'The dbt SCIM base URL and SCIM token are needed.', {
    remediation:
      'Give the SCIM base URL (--dbt-scim-url) and the token (DBT_SCIM_TOKEN), or finish the dbt step in the wizard.',
  });
}

/** Whether a plan was made with the app and job known (not only "then: …" lines). */
function isConcrete(plan: StepPlan): boolean {
  return !plan.changes.some((c) => c.id.startsWith('then:'));
}

function isMasked(value: string | undefined): boolean {
  return value === undefined || value === '' || /^\*+$/.test(value);
}

// -------------------------------------------------------------------------------------------
// The steps

export function createEntraSteps(options: EntraSetupOptions): EntraSteps {
  const { graph, store, appName, templateId } = options;
  const timing: EntraTiming = { ...DEFAULT_TIMING, ...options.timing };

  /** What this process learned: positive results only (a missing app is looked up again). */
  const session: {
    sp?: GraphServicePrincipal;
    jobId?: string;
    /** Objects created (or adopted after an uncertain create) in this run: still replicating. */
    fresh: boolean;
    /** A look-up found no app (reused by plans only; apply always looks again). */
    absent?: boolean;
    job?: SyncJob;
    /** The credentials fingerprint whose connection test passed in this run. */
    validated?: string;
    verdict?: { ok: boolean; message: string };
    dbtUser?: ScimUserSummary | null;
  } = { fresh: false };

  /**
   * The resume data of an interrupted run as it was when this run began (`ctx.remember` adds to
   * `ctx.resume`, and what this run remembers must not look like a resumed run).
   */
  const resumes = new WeakMap<StepContext, Readonly<Record<string, unknown>>>();
  const resumeOf = (ctx: StepContext): Readonly<Record<string, unknown>> => {
    let r = resumes.get(ctx);
    if (!r) {
      r = { ...ctx.resume };
      resumes.set(ctx, r);
    }
    return r;
  };

  const keep = async (ctx: StepContext, data: EntraSaved): Promise<void> => {
    resumeOf(ctx);
    await ctx.remember({ ...data });
    await store.save(data);
  };

  /** Runs a Graph call, waiting out the 404/403/409 of objects created moments ago. */
  async function settle<T>(ctx: StepContext, fn: () => Promise<T>): Promise<T> {
    const resume = resumeOf(ctx);
    const fresh = session.fresh || resume.spId !== undefined || resume.jobId !== undefined;
    if (!fresh) {
      return fn();
    }
    const started = ctx.clock.now().getTime();
    let delay = 2_000;
    for (;;) {
      try {
        return await fn();
      } catch (e) {
        const elapsed = ctx.clock.now().getTime() - started;
        if (!isSettling(e) || elapsed >= timing.settleTimeoutMs) {
          throw e;
        }
        ctx.progress(`Waiting for Entra to make the new app ready… ${seconds(elapsed)} s`);
        await ctx.clock.sleep(delay, ctx.signal);
        delay = Math.min(delay * 2, 30_000);
      }
    }
  }

  /** Reads an SP, treating the answers of a not-yet-replicated object as "not there". */
  async function readSp(id: string, ctx: StepContext): Promise<GraphServicePrincipal | undefined> {
    try {
      return await graph.getServicePrincipal(id, ctx.signal);
    } catch (e) {
      if (isSettling(e)) {
        return undefined;
      }
      throw e;
    }
  }

  /** Waits until the service principal reads back N times in a row (Entra replicates slowly). */
  async function waitForReplication(
    spId: string,
    ctx: StepContext,
  ): Promise<GraphServicePrincipal> {
    const started = ctx.clock.now().getTime();
    let streak = 0;
    let last: GraphServicePrincipal | undefined;
    for (;;) {
      const sp = await readSp(spId, ctx);
      streak = sp ? streak + 1 : 0;
      last = sp ?? last;
      if (sp && streak >= timing.replicationSuccesses) {
        return sp;
      }
      const elapsed = ctx.clock.now().getTime() - started;
      if (elapsed >= timing.replicationTimeoutMs) {
        throw new WizardError(
          'server_error',
          `Entra has not finished creating the app "${appName}" after ${seconds(elapsed)} s (service principal ${spId}).`,
          {
            remediation:
              'Entra is slow to replicate new apps at times. Run apply again in a few minutes: it picks up this app instead of creating another.',
            retryable: true,
          },
        );
      }
      ctx.progress(`Waiting for Entra to finish creating the app… ${seconds(elapsed)} s`);
      await ctx.clock.sleep(timing.replicationIntervalMs, ctx.signal);
    }
  }

  /** Non-gallery apps of that name: service principals and applications, one entry per appId. */
  async function candidatesByName(ctx: StepContext): Promise<GraphServicePrincipal[]> {
    // An SP of that name from another template (a gallery app, an app registration) is not ours.
    const sps = (await graph.findServicePrincipalsByName(appName, ctx.signal)).filter(
      (sp) => sp.applicationTemplateId === templateId,
    );
    const byAppId = new Map<string, GraphServicePrincipal>(sps.map((sp) => [sp.appId, sp]));
    const apps = await graph.findApplications(templateId, appName, ctx.signal);
    for (const app of apps) {
      if (!byAppId.has(app.appId)) {
        const sp = await graph.findServicePrincipalByAppId(app.appId, ctx.signal);
        if (sp) {
          byAppId.set(sp.appId, sp);
        }
      }
    }
    return [...byAppId.values()].sort((a, b) => a.id.localeCompare(b.id));
  }

  function ambiguous(candidates: readonly GraphServicePrincipal[]): WizardError {
    return new WizardError(
      'conflict',
      `Entra has ${candidates.length} enterprise apps named "${appName}": ${candidates
        .map((c) => `service principal ${c.id} (app id ${c.appId})`)
        .join('; ')}.`,
      {
        remediation:
          'Choose one: pass its id with --entra-app-id (or pick it in the wizard); it is then saved and used from now on. Or give a unique name with --entra-app-name.',
      },
    );
  }

  /** The app, by saved id, chosen id, then name and template; undefined when there is none. */
  async function findApp(
    ctx: StepContext,
    opts: { allowWait: boolean },
  ): Promise<GraphServicePrincipal | undefined> {
    if (session.sp) {
      return session.sp;
    }
    if (session.absent && !opts.allowWait) {
      return undefined;
    }
    if (options.chosenId) {
      const id = options.chosenId;
      const sp =
        (await readSp(id, ctx)) ?? (await graph.findServicePrincipalByAppId(id, ctx.signal));
      if (!sp) {
        throw new WizardError('not_found', `Entra has no enterprise app with id ${id}.`, {
          remediation:
            'Use the service principal id or the app (client) id listed for the app, or leave --entra-app-id out.',
        });
      }
      session.sp = sp;
      return sp;
    }
    const saved = await store.load();
    const resume = resumeOf(ctx);
    const savedId = typeof resume.spId === 'string' ? resume.spId : saved.spId;
    const savedAppId = typeof resume.appId === 'string' ? resume.appId : saved.appId;
    if (savedId) {
      const sp =
        (await readSp(savedId, ctx)) ??
        (savedAppId ? await graph.findServicePrincipalByAppId(savedAppId, ctx.signal) : undefined);
      if (sp) {
        session.sp = sp;
        return sp;
      }
    }
    const candidates = await candidatesByName(ctx);
    if (candidates.length > 1) {
      throw ambiguous(candidates);
    }
    if (candidates[0]) {
      session.sp = candidates[0];
      return candidates[0];
    }
    if (savedId && opts.allowWait) {
      // A saved app that reads 404 may be one Entra has not replicated yet (a run that stopped
      // right after creating it). Look a little longer before deciding it is gone.
      const sp = await pollForApp(ctx, savedId, 'The saved app is not visible yet');
      if (sp) {
        return sp;
      }
    }
    session.absent = true;
    return undefined;
  }

  /** Looks for the app by name (and by id when known) a few times. */
  async function pollForApp(
    ctx: StepContext,
    spId: string | undefined,
    why: string,
  ): Promise<GraphServicePrincipal | undefined> {
    const started = ctx.clock.now().getTime();
    for (let i = 0; i < timing.lookupPolls; i++) {
      await ctx.clock.sleep(timing.lookupIntervalMs, ctx.signal);
      ctx.progress(
        `${why}; looking for it before creating anything… ${seconds(ctx.clock.now().getTime() - started)} s`,
      );
      const byId = spId ? await readSp(spId, ctx) : undefined;
      let found = byId ? [byId] : [];
      if (!byId) {
        try {
          found = await candidatesByName(ctx);
        } catch (e) {
          if (!isUncertain(e)) {
            throw e;
          }
          continue;
        }
      }
      if (found.length > 1) {
        throw ambiguous(found);
      }
      if (found[0]) {
        session.sp = found[0];
        session.fresh = true;
        return found[0];
      }
    }
    return undefined;
  }

  async function requireApp(ctx: StepContext): Promise<GraphServicePrincipal> {
    const sp = await findApp(ctx, { allowWait: false });
    if (!sp) {
      throw appMissing(appName);
    }
    return sp;
  }

  /** The job: saved id, else the app's `scim` job (or a legacy `customappsso` one). */
  async function findJob(ctx: StepContext, spId: string): Promise<SyncJob | undefined> {
    if (session.job) {
      return session.job;
    }
    const saved = await store.load();
    const resumed = resumeOf(ctx).jobId;
    const savedId = session.jobId ?? (typeof resumed === 'string' ? resumed : saved.jobId);
    const jobs = await settle(ctx, () => graph.listJobs(spId, ctx.signal));
    const job =
      jobs.find((j) => j.id === savedId) ??
      jobs.find((j) => j.templateId === SCIM_TEMPLATE_ID) ??
      jobs.find((j) => j.id.startsWith(`${SCIM_TEMPLATE_ID}.`)) ??
      jobs.find((j) => j.templateId === 'customappsso');
    if (job) {
      session.jobId = job.id;
      session.job = job;
    }
    return job;
  }

  async function requireJob(ctx: StepContext, spId: string): Promise<SyncJob> {
    const job = await findJob(ctx, spId);
    if (!job) {
      throw jobMissing();
    }
    return job;
  }

  const at = (ctx: StepContext): string => ctx.clock.now().toISOString();

  // -----------------------------------------------------------------------------------------
  // entra.app

  const app: EntraStep = {
    kind: 'entra.app',
    stepId: 'idp',
    title: 'Create the enterprise app in Entra',
    async plan(ctx) {
      ctx.progress(`Looking for the enterprise app "${appName}" in Entra…`);
      const sp = await findApp(ctx, { allowWait: false });
      if (sp) {
        await store.save({ spId: sp.id, appId: sp.appId });
        return { changes: [] };
      }
      return {
        changes: [
          {
            id: 'app.create',
            action: 'add',
            target: `enterprise app "${appName}"`,
            detail: `create the enterprise app "${appName}" from the non-gallery template ("Integrate any other application you don't find in the gallery")`,
          },
        ],
      };
    },
    async apply(_plan, ctx) {
      const existing = await findApp(ctx, { allowWait: true });
      if (existing) {
        await keep(ctx, { spId: existing.id, appId: existing.appId });
        if (session.fresh || resumeOf(ctx).spId !== undefined) {
          session.sp = await waitForReplication(existing.id, ctx);
        }
        return;
      }
      ctx.progress(`Creating the enterprise app "${appName}"…`);
      let sp: GraphServicePrincipal | undefined;
      try {
        const created = await graph.instantiate(templateId, appName, ctx.signal);
        sp = created.servicePrincipal;
      } catch (e) {
        if (!isUncertain(e) || ctx.signal.aborted) {
          throw e;
        }
        // Entra may have created the app although it answered 404 or the answer was lost.
        sp = await pollForApp(ctx, undefined, 'Entra did not confirm the new app');
        if (!sp) {
          throw new WizardError(
            isWizardError(e) ? e.code : 'server_error',
            `Entra did not confirm that it created the app "${appName}", and it cannot be found yet.`,
            {
              remediation:
                'Run apply again in a minute: it looks for the app before creating one, so it never makes a second.',
              retryable: true,
              cause: e,
            },
          );
        }
      }
      session.fresh = true;
      session.sp = sp;
      await keep(ctx, { spId: sp.id, appId: sp.appId });
      session.sp = await waitForReplication(sp.id, ctx);
    },
    async verify(ctx) {
      const sp = await findApp(ctx, { allowWait: false });
      if (!sp) {
        return [
          {
            id: 'entra.app',
            status: 'fail',
            message: `Entra has no enterprise app "${appName}".`,
            at: at(ctx),
          },
        ];
      }
      const template = sp.applicationTemplateId;
      return [
        {
          id: 'entra.app',
          status: 'pass',
          message: `Entra has the enterprise app "${sp.displayName}" (service principal ${sp.id}, app id ${sp.appId}).`,
          at: at(ctx),
        },
        template === templateId || template === null
          ? {
              id: 'entra.app.template',
              status: 'pass',
              message: 'The app is a non-gallery app, as dbt’s page asks.',
              at: at(ctx),
            }
          : {
              id: 'entra.app.template',
              status: 'fail',
              message: `The app was made from another template (${template}); dbt needs a non-gallery app ("Create your own application").`,
              at: at(ctx),
            },
      ];
    },
  };

  // -----------------------------------------------------------------------------------------
  // entra.job

  const job: EntraStep = {
    kind: 'entra.job',
    stepId: 'idp',
    title: 'Create the provisioning job',
    async plan(ctx) {
      const sp = await findApp(ctx, { allowWait: false });
      if (!sp) {
        return { changes: [deferred('job', 'create the provisioning job')] };
      }
      ctx.progress('Looking for the provisioning job…');
      const found = await findJob(ctx, sp.id);
      if (found) {
        await store.save({ jobId: found.id });
        return { changes: [] };
      }
      return {
        changes: [
          {
            id: 'job.create',
            action: 'add',
            target: 'provisioning job (template scim)',
            detail:
              'create the provisioning job from template "scim" ("Provision User Accounts" → "Connect your application"); it stays off until it is started',
          },
        ],
      };
    },
    async apply(plan, ctx) {
      const sp = await requireApp(ctx);
      // A concrete plan was made just now: it listed the jobs already.
      const found =
        isConcrete(plan) && plan.changes.length > 0 ? undefined : await findJob(ctx, sp.id);
      if (found) {
        await keep(ctx, { jobId: found.id });
        return;
      }
      const templates = await settle(ctx, () => graph.listSyncTemplates(sp.id, ctx.signal));
      if (!templates.some((t) => t.id === SCIM_TEMPLATE_ID || t.factoryTag === SCIM_TEMPLATE_ID)) {
        throw new WizardError(
          'invalid_response',
          `The app offers no "scim" provisioning template (it offers: ${templates.map((t) => t.id).join(', ') || 'none'}).`,
          {
            remediation:
              'Use a non-gallery app ("Create your own application" → "Integrate any other application"), or remove this app and let the wizard create one.',
          },
        );
      }
      ctx.progress('Creating the provisioning job…');
      let created: SyncJob;
      try {
        created = await settle(ctx, () => graph.createJob(sp.id, SCIM_TEMPLATE_ID, ctx.signal));
      } catch (e) {
        // The job may exist although the answer was lost: look before failing.
        const again = isUncertain(e) ? await findJob(ctx, sp.id).catch(() => undefined) : undefined;
        if (!again) {
          throw e;
        }
        created = again;
      }
      session.jobId = created.id;
      session.job = created;
      session.fresh = true;
      await keep(ctx, { jobId: created.id });
    },
    async verify(ctx) {
      const sp = await findApp(ctx, { allowWait: false });
      if (!sp) {
        return [skipped('entra.job', 'Not checked: the app does not exist yet.', ctx)];
      }
      const found = await findJob(ctx, sp.id);
      return [
        found
          ? {
              id: 'entra.job',
              status: 'pass',
              message: `The app has a provisioning job (template ${found.templateId}${found.templateId === 'customappsso' ? ', the legacy one' : ''}, id ${found.id}).`,
              at: at(ctx),
            }
          : {
              id: 'entra.job',
              status: 'fail',
              message: 'The app has no provisioning job.',
              at: at(ctx),
            },
      ];
    },
  };

  function skipped(id: string, message: string, ctx: StepContext): Check {
    return { id, status: 'skip', message, at: at(ctx) };
  }

  /** The app and its job, or a reason why a later step cannot look yet. */
  async function appAndJob(
    ctx: StepContext,
  ): Promise<{ sp: GraphServicePrincipal; jobId: string } | { missing: 'app' | 'job' }> {
    const sp = await findApp(ctx, { allowWait: false });
    if (!sp) {
      return { missing: 'app' };
    }
    const found = await findJob(ctx, sp.id);
    return found ? { sp, jobId: found.id } : { missing: 'job' };
  }

  // -----------------------------------------------------------------------------------------
  // entra.credentials

  interface CredentialsState {
    readonly baseAddress: string | undefined;
    readonly hasToken: boolean;
    readonly syncAll: string | undefined;
    readonly fingerprint: string | undefined;
  }

  async function readCredentials(ctx: StepContext, spId: string): Promise<CredentialsState> {
    const secrets = await settle(ctx, () => graph.getSecrets(spId, ctx.signal));
    const value = (key: string): string | undefined =>
      secrets.find((s) => s.key.toLowerCase() === key.toLowerCase())?.value;
    const saved = await store.load();
    return {
      baseAddress: value('BaseAddress'),
      hasToken: secrets.some((s) => s.key.toLowerCase() === 'secrettoken'),
      syncAll: value('SyncAll'),
      fingerprint: saved.credentialsFingerprint,
    };
  }

  function credentialsDrift(state: CredentialsState, target: DbtScimTarget): string[] {
    const problems: string[] = [];
    const url = target.scimUrl.replace(/\/+$/, '');
    if (state.baseAddress === undefined) {
      problems.push('no Tenant URL is saved');
    } else if (!isMasked(state.baseAddress) && state.baseAddress.replace(/\/+$/, '') !== url) {
      problems.push(`the Tenant URL is ${state.baseAddress}`);
    }
    if (!state.hasToken) {
      problems.push('no Secret Token is saved');
    } else if (state.fingerprint !== credentialsFingerprint(target)) {
      problems.push(
        state.fingerprint === undefined
          ? 'the saved Secret Token cannot be read back, and this computer did not save it'
          : 'the saved Secret Token is another one',
      );
    }
    if (state.syncAll === undefined) {
      problems.push('the provisioning scope is not set');
    } else if (!isMasked(state.syncAll) && state.syncAll.toLowerCase() !== 'false') {
      problems.push('all users and groups are in scope');
    }
    return problems;
  }

  const tokenLabel = (target: DbtScimTarget): string =>
    target.tokenId !== undefined
      ? `the SCIM token (dbt id ${target.tokenId})`
      : `the SCIM token ending …${target.token.length > 8 ? target.token.slice(-4) : ''}`;

  const credentials: EntraStep = {
    kind: 'entra.credentials',
    stepId: 'idp',
    title: 'Test the connection and save the credentials',
    async plan(ctx) {
      const target = options.dbt;
      if (!target) {
        throw dbtMissing();
      }
      const where = await appAndJob(ctx);
      if ('missing' in where) {
        return { changes: [deferred('credentials', 'test the connection, save the credentials')] };
      }
      ctx.progress('Reading the saved provisioning credentials…');
      const problems = credentialsDrift(await readCredentials(ctx, where.sp.id), target);
      if (problems.length === 0) {
        return { changes: [] };
      }
      return {
        changes: [
          {
            id: 'credentials.test',
            action: 'change',
            target: 'Test connection',
            detail: `test the connection to ${target.scimUrl} with ${tokenLabel(target)} ("Test connection")`,
          },
          {
            id: 'credentials.save',
            action: 'change',
            target: 'provisioning credentials (Tenant URL, Secret Token)',
            detail: `save the Tenant URL ${target.scimUrl} and the Secret Token, syncing only assigned users and groups (now: ${problems.join('; ')})`,
          },
        ],
      };
    },
    async apply(plan, ctx) {
      const target = options.dbt;
      if (!target) {
        throw dbtMissing();
      }
      const sp = await requireApp(ctx);
      const found = await requireJob(ctx, sp.id);
      // The engine plans right before apply: a plan made with the app known is current.
      const needed = isConcrete(plan)
        ? plan.changes.length > 0
        : credentialsDrift(await readCredentials(ctx, sp.id), target).length > 0;
      if (!needed) {
        return;
      }
      ctx.progress('Testing the connection from Entra to dbt…');
      await settle(ctx, () =>
        graph.validateCredentials(
          sp.id,
          found.id,
          { baseAddress: target.scimUrl, secretToken: target.token },
          ctx.signal,
        ),
      );
      ctx.progress('Saving the Tenant URL and Secret Token in Entra…');
      await settle(ctx, () =>
        graph.putSecrets(
          sp.id,
          [
            { key: 'BaseAddress', value: target.scimUrl },
            { key: 'SecretToken', value: target.token },
            { key: 'SyncAll', value: 'false' },
          ],
          ctx.signal,
        ),
      );
      session.validated = credentialsFingerprint(target);
      await keep(ctx, { credentialsFingerprint: credentialsFingerprint(target) });
    },
    async verify(ctx) {
      const target = options.dbt;
      if (!target) {
        throw dbtMissing();
      }
      const where = await appAndJob(ctx);
      if ('missing' in where) {
        return [
          skipped(
            'credentials.saved',
            `Not checked: the ${where.missing} does not exist yet.`,
            ctx,
          ),
        ];
      }
      const state = await readCredentials(ctx, where.sp.id);
      const problems = credentialsDrift(state, target);
      const checks: Check[] = [
        problems.length === 0
          ? {
              id: 'credentials.saved',
              status: 'pass',
              message: `Entra holds the Tenant URL ${target.scimUrl} and ${tokenLabel(target)}; only assigned users and groups are provisioned.`,
              at: at(ctx),
            }
          : {
              id: 'credentials.saved',
              status: 'fail',
              message: `The provisioning credentials differ: ${problems.join('; ')}.`,
              at: at(ctx),
            },
      ];
      if (session.validated === credentialsFingerprint(target)) {
        checks.push({
          id: 'credentials.connection',
          status: 'pass',
          message:
            'Test connection: Entra reached dbt’s SCIM API and dbt accepted the token (tested just before saving).',
          at: at(ctx),
        });
        return checks;
      }
      ctx.progress('Testing the connection from Entra to dbt…');
      try {
        await graph.validateCredentials(
          where.sp.id,
          where.jobId,
          { baseAddress: target.scimUrl, secretToken: target.token },
          ctx.signal,
        );
        checks.push({
          id: 'credentials.connection',
          status: 'pass',
          message: 'Test connection: Entra reaches dbt’s SCIM API and dbt accepts the token.',
          at: at(ctx),
        });
      } catch (e) {
        if (!isWizardError(e) || isAbortError(e) || e.code === 'auth_failed') {
          throw e;
        }
        checks.push({
          id: 'credentials.connection',
          status: 'fail',
          message: `Test connection failed: ${e.message}`,
          at: at(ctx),
        });
      }
      return checks;
    },
  };

  // -----------------------------------------------------------------------------------------
  // entra.schema

  /** The schema's plan, with the parsed `active` expression when the template lacks it. */
  async function schemaPlan(
    ctx: StepContext,
    spId: string,
    jobId: string,
  ): Promise<{ desired: JsonObject; changes: Change[]; activeSource?: JsonObject }> {
    const raw = await settle(ctx, () => graph.getSchema(spId, jobId, ctx.signal));
    let activeSource: JsonObject | undefined;
    if (needsActiveExpression(raw)) {
      ctx.progress('Parsing the expression of the active mapping…');
      activeSource = await settle(ctx, () =>
        graph.parseExpression(spId, jobId, ACTIVE_EXPRESSION, ctx.signal),
      );
    }
    const plan = planSchema(raw, activeSource ? { activeSource } : {});
    return { ...plan, ...(activeSource ? { activeSource } : {}) };
  }

  /** The schema plan of the last plan() call, which apply uses when it is concrete. */
  let lastSchemaPlan: Awaited<ReturnType<typeof schemaPlan>> | undefined;

  const schema: EntraStep = {
    kind: 'entra.schema',
    stepId: 'idp',
    title: 'Set the attribute list and mappings',
    async plan(ctx) {
      const where = await appAndJob(ctx);
      if ('missing' in where) {
        return {
          changes: [
            deferred(
              'schema',
              `set the attribute mappings (the exact list is shown once the ${where.missing} exists)`,
            ),
          ],
        };
      }
      ctx.progress('Reading the provisioning schema…');
      lastSchemaPlan = await schemaPlan(ctx, where.sp.id, where.jobId);
      return { changes: lastSchemaPlan.changes };
    },
    async apply(given, ctx) {
      const sp = await requireApp(ctx);
      const found = await requireJob(ctx, sp.id);
      const plan =
        isConcrete(given) && lastSchemaPlan
          ? lastSchemaPlan
          : await schemaPlan(ctx, sp.id, found.id);
      if (plan.changes.length === 0) {
        return;
      }
      ctx.progress(
        `Saving the schema (${plural(plan.changes.length, 'change')}) with PUT, the whole schema…`,
      );
      await settle(ctx, () => graph.putSchema(sp.id, found.id, plan.desired, ctx.signal));
      // Read it back until it says what was saved (mappings can take a while to appear).
      const opts = plan.activeSource ? { activeSource: plan.activeSource } : {};
      let left: Change[] = [];
      for (let i = 0; i < timing.schemaReadbacks; i++) {
        const got = await settle(ctx, () => graph.getSchema(sp.id, found.id, ctx.signal));
        left = planSchema(got, opts).changes;
        if (left.length === 0) {
          return;
        }
        ctx.progress('Waiting for Entra to show the saved mappings…');
        await ctx.clock.sleep(timing.schemaReadbackIntervalMs, ctx.signal);
      }
      throw new WizardError(
        'invalid_response',
        `Entra accepted the schema but reads back different: ${left
          .slice(0, 3)
          .map((c) => c.detail)
          .join('; ')}${left.length > 3 ? '; …' : ''}.`,
        {
          remediation:
            'Wait a few minutes and run apply again; if it persists, someone may be editing the mappings in the Entra admin center at the same time.',
          retryable: true,
        },
      );
    },
    async verify(ctx) {
      const where = await appAndJob(ctx);
      if ('missing' in where) {
        return [
          skipped('schema.shape', `Not checked: the ${where.missing} does not exist yet.`, ctx),
        ];
      }
      const raw = await settle(ctx, () => graph.getSchema(where.sp.id, where.jobId, ctx.signal));
      return [...verifySchema(raw, at(ctx)), licenseCheck(ctx)];
    },
  };

  function licenseCheck(ctx: StepContext): Check {
    return {
      id: 'entra.license',
      status: 'skip',
      message:
        'License types are not sent from Entra: dbt does not take the license type from Entra ID over SCIM. Assign licenses with dbt’s SSO license mappings in the License step.',
      at: at(ctx),
    };
  }

  // -----------------------------------------------------------------------------------------
  // entra.test-user

  async function lookupUser(ctx: StepContext, who: string): Promise<GraphUser> {
    const user = await graph.findUser(who, ctx.signal);
    if (!user) {
      throw new WizardError('not_found', `Entra has no user "${who}".`, {
        remediation: 'Give the userPrincipalName of an existing user (e.g. ada@acme.com).',
      });
    }
    return user;
  }

  function chooseRole(sp: GraphServicePrincipal): string {
    const roles = sp.appRoles.filter(
      (r) => r.isEnabled && r.allowedMemberTypes.includes('User') && r.value !== 'msiam_access',
    );
    const user = roles.find((r) => r.value === 'User' || r.displayName === 'User') ?? roles[0];
    return user?.id ?? DEFAULT_ACCESS_ROLE;
  }

  async function readDbtUser(
    ctx: StepContext,
    userName: string,
    polls: number,
  ): Promise<ScimUserSummary | undefined> {
    const target = options.dbt;
    const probe = options.probe;
    if (!target || !probe) {
      throw dbtMissing();
    }
    for (let i = 0; ; i++) {
      const found = await probe.findUser(target.scimUrl, target.token, userName, ctx.signal);
      if (found || i + 1 >= polls) {
        return found;
      }
      ctx.progress(`Waiting for ${userName} to arrive in dbt…`);
      await ctx.clock.sleep(timing.dbtReadbackIntervalMs, ctx.signal);
    }
  }

  const testUserStep: EntraStep | undefined = options.testUser
    ? {
        kind: 'entra.test-user',
        stepId: 'test',
        title: 'Test with a real user',
        async plan(ctx) {
          const who = options.testUser ?? '';
          const where = await appAndJob(ctx);
          if ('missing' in where) {
            return {
              changes: [
                deferred('test-user', `provision ${who} on demand and read it back from dbt`),
              ],
            };
          }
          const user = await lookupUser(ctx, who);
          const assigned = (
            await settle(ctx, () => graph.listAppRoleAssignedTo(where.sp.id, ctx.signal))
          ).some((a) => a.principalId === user.id);
          const changes: Change[] = [];
          if (!assigned) {
            changes.push({
              id: 'test-user.assign',
              action: 'add',
              target: `assignment of ${user.userPrincipalName}`,
              detail: `assign ${user.userPrincipalName} to the app "${where.sp.displayName}" (Users and groups)`,
            });
          }
          changes.push({
            id: 'test-user.provision',
            action: 'change',
            target: `dbt user ${user.userPrincipalName}`,
            detail: `provision ${user.userPrincipalName} on demand and read the user back from dbt`,
          });
          return { changes };
        },
        async apply(_plan, ctx) {
          const who = options.testUser ?? '';
          const sp = await requireApp(ctx);
          const found = await requireJob(ctx, sp.id);
          const user = await lookupUser(ctx, who);
          const assignments = await settle(ctx, () =>
            graph.listAppRoleAssignedTo(sp.id, ctx.signal),
          );
          let assignedNow = false;
          if (!assignments.some((a) => a.principalId === user.id)) {
            ctx.progress(`Assigning ${user.userPrincipalName} to the app…`);
            await settle(ctx, () => graph.assignUser(sp.id, user.id, chooseRole(sp), ctx.signal));
            assignedNow = true;
          }
          const raw = await settle(ctx, () => graph.getSchema(sp.id, found.id, ctx.signal));
          const ruleId = provisioningRuleId(raw);
          const pacer = pacerFor(graph, ctx.clock, timing);
          let verdict: ProvisionVerdict | undefined;
          let outcome: ReturnType<typeof explainVerdict> | undefined;
          for (let attempt = 1; attempt <= timing.provisionAttempts; attempt++) {
            await pacer.take(ctx.signal, (ms) => {
              ctx.progress(
                `Entra allows 5 on-demand provisionings per 10 s; waiting ${Math.ceil(ms / 1000)} s…`,
              );
            });
            ctx.progress(`Provisioning ${user.userPrincipalName} on demand…`);
            verdict = await graph.provisionOnDemand(sp.id, found.id, ruleId, user.id, ctx.signal);
            outcome = explainVerdict(user.userPrincipalName, verdict);
            // A fresh assignment takes a moment to count: "not entitled" is then worth a retry.
            if (outcome.ok || !outcome.notAssigned || !assignedNow) {
              break;
            }
            await ctx.clock.sleep(timing.provisionWindowMs / timing.provisionMax, ctx.signal);
          }
          session.verdict = outcome
            ? { ok: outcome.ok, message: outcome.message }
            : { ok: false, message: 'Provisioning on demand did not run.' };
          if (outcome?.ok) {
            session.dbtUser =
              (await readDbtUser(ctx, user.userPrincipalName, timing.dbtReadbacks)) ?? null;
          }
        },
        async verify(ctx) {
          const who = options.testUser ?? '';
          const where = await appAndJob(ctx);
          if ('missing' in where) {
            return [
              skipped(
                'test-user.assigned',
                `Not checked: the ${where.missing} does not exist yet.`,
                ctx,
              ),
            ];
          }
          const user = await lookupUser(ctx, who);
          const assigned = (
            await settle(ctx, () => graph.listAppRoleAssignedTo(where.sp.id, ctx.signal))
          ).some((a) => a.principalId === user.id);
          const checks: Check[] = [
            {
              id: 'test-user.assigned',
              status: assigned ? 'pass' : 'fail',
              message: assigned
                ? `${user.userPrincipalName} is assigned to the app.`
                : `${user.userPrincipalName} is not assigned to the app, so Entra skips the user.`,
              at: at(ctx),
            },
          ];
          if (session.verdict) {
            checks.push({
              id: 'test-user.provision',
              status: session.verdict.ok ? 'pass' : 'fail',
              message: session.verdict.message,
              at: at(ctx),
            });
          }
          const inDbt = session.dbtUser ?? (await readDbtUser(ctx, user.userPrincipalName, 1));
          checks.push(
            inDbt
              ? {
                  id: 'test-user.in-dbt',
                  status: 'pass',
                  message: `dbt has the user ${inDbt.userName} over SCIM (${inDbt.active === false ? 'inactive' : 'active'}${inDbt.givenName || inDbt.familyName ? `, ${[inDbt.givenName, inDbt.familyName].filter(Boolean).join(' ')}` : ''}).`,
                  at: at(ctx),
                }
              : {
                  id: 'test-user.in-dbt',
                  status: 'fail',
                  message: `dbt has no user ${user.userPrincipalName} yet${session.verdict ? '' : ': run apply with this test user to provision it on demand'}.`,
                  at: at(ctx),
                },
          );
          return checks;
        },
      }
    : undefined;

  // -----------------------------------------------------------------------------------------
  // entra.start

  const isRunning = (j: SyncJob): boolean =>
    j.scheduleState.toLowerCase() === 'active' && j.statusCode !== 'Quarantine';

  const start: EntraStep = {
    kind: 'entra.start',
    stepId: 'idp',
    title: 'Start provisioning',
    async plan(ctx) {
      const where = await appAndJob(ctx);
      if ('missing' in where) {
        return { changes: [deferred('start', 'start provisioning')] };
      }
      const j = await settle(ctx, () => graph.getJob(where.sp.id, where.jobId, ctx.signal));
      if (j && isRunning(j)) {
        return { changes: [] };
      }
      return {
        changes: [
          {
            id: 'job.start',
            action: 'change',
            target: 'provisioning job',
            detail:
              j?.statusCode === 'Quarantine'
                ? 'start the provisioning job again (it is in quarantine; fix the cause first, see verify)'
                : 'start provisioning: the first cycle runs now, later ones every 20–40 minutes',
          },
        ],
      };
    },
    async apply(plan, ctx) {
      const sp = await requireApp(ctx);
      const found = await requireJob(ctx, sp.id);
      if (isConcrete(plan)) {
        if (plan.changes.length === 0) {
          return;
        }
      } else {
        const before = await settle(ctx, () => graph.getJob(sp.id, found.id, ctx.signal));
        if (before && isRunning(before)) {
          return;
        }
      }
      ctx.progress('Starting provisioning…');
      await settle(ctx, () => graph.startJob(sp.id, found.id, ctx.signal));
      const started = ctx.clock.now().getTime();
      for (let i = 0; i < timing.startPolls; i++) {
        if (i > 0) {
          await ctx.clock.sleep(timing.startPollIntervalMs, ctx.signal);
        }
        ctx.progress(
          `Watching the first provisioning cycle… ${seconds(ctx.clock.now().getTime() - started)} s`,
        );
        const j = await settle(ctx, () => graph.getJob(sp.id, found.id, ctx.signal));
        if (j && (j.statusCode === 'Quarantine' || (j.statusCode !== 'NotRun' && isRunning(j)))) {
          break;
        }
      }
    },
    async verify(ctx) {
      const where = await appAndJob(ctx);
      if ('missing' in where) {
        return [
          skipped('job.running', `Not checked: the ${where.missing} does not exist yet.`, ctx),
        ];
      }
      const j = await settle(ctx, () => graph.getJob(where.sp.id, where.jobId, ctx.signal));
      if (!j) {
        return [
          {
            id: 'job.running',
            status: 'fail',
            message: 'The provisioning job is gone.',
            at: at(ctx),
          },
        ];
      }
      const checks: Check[] = [
        j.scheduleState.toLowerCase() === 'active'
          ? {
              id: 'job.running',
              status: 'pass',
              message: `Provisioning is on (status ${j.statusCode}); Entra runs a cycle every 20–40 minutes.`,
              at: at(ctx),
            }
          : {
              id: 'job.running',
              status: 'fail',
              message: `Provisioning is off (schedule ${j.scheduleState}, status ${j.statusCode}).`,
              at: at(ctx),
            },
        j.statusCode === 'Quarantine'
          ? { id: 'job.quarantine', status: 'fail', message: explainQuarantine(j), at: at(ctx) }
          : {
              id: 'job.quarantine',
              status: 'pass',
              message: 'The job is not in quarantine.',
              at: at(ctx),
            },
      ];
      const error = j.lastExecution?.error;
      if (j.statusCode !== 'Quarantine' && error?.message) {
        checks.push({
          id: 'job.last-cycle',
          status: 'fail',
          message: `The last cycle reported an error${error.code ? ` (${error.code})` : ''}: ${error.message}`,
          at: at(ctx),
        });
      }
      return checks;
    },
  };

  const all = [app, job, credentials, schema, ...(testUserStep ? [testUserStep] : []), start];
  return { app, job, credentials, schema, testUser: testUserStep, start, all };
}
