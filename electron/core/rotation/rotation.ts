/**
 * Zero-downtime rotation of the dbt SCIM token an identity provider uses, as an ordered,
 * resumable state machine over ports:
 *
 *   started → created → checked → installed → proven → old-deleted → old-refused → done
 *
 *  1. `created`: a new dbt token (Admin API); its id and name go to the journal at once, its value
 *     only to the keeper (the secret store, or memory in the CLI), never to the journal;
 *  2. `checked`: the new token works against dbt's SCIM API directly;
 *  3. `installed`: the identity provider holds it (Entra: Test connection with it, then the secrets
 *     PUT; Okta: the admin is asked to paste it into "Bearer" and to test the connector);
 *  4. `proven`: the identity provider uses it (Entra: the job is not in quarantine; Okta: dbt shows
 *     the new token used after the paste was asked);
 *  5. `old-deleted`: only now the old token is deleted (skipped with `keepOld`);
 *  6. `old-refused`: dbt refuses the old token (401), when its value is known.
 *
 * The invariant: at no moment does the identity provider hold a token dbt does not accept. So the
 * old token is never deleted before `proven` (`deleteOld` refuses), the new token is never deleted
 * once the identity provider may hold it, and a failed Entra update puts the old secret back when
 * its value is known. Every stage is idempotent, and a re-run continues from the journal; it never
 * makes a second new token: a created token whose value was lost before it left this computer is
 * deleted and made again.
 */
import { randomUUID } from 'node:crypto';
import { WizardError, fromErrorInfo, isAbortError, isWizardError } from '../errors.js';
import type { Change, Check, Idp } from '../model.js';
import { registerSecret } from '../redact.js';
import type { StepContext, StepDefinition } from '../steps.js';
import type { DbtAdminPort, ScimProbePort, ScimProbeResult, ScimTokenInfo } from '../dbt/ports.js';
import { tokensInUse } from '../dbt/steps.js';
import { IDP_NAMES } from '../dbt/prerequisites.js';

export const ROTATION_STAGES = [
  'started',
  'created',
  'checked',
  'installed',
  'proven',
  'old-deleted',
  'old-refused',
  'done',
] as const;
export type RotationStage = (typeof ROTATION_STAGES)[number];

export const ROTATION_KIND = 'rotation.token';

export function stageIndex(stage: RotationStage): number {
  return ROTATION_STAGES.indexOf(stage);
}

/** Whether `stage` is at or past `than`. */
export function reached(stage: RotationStage, than: RotationStage): boolean {
  return stageIndex(stage) >= stageIndex(than);
}

/** What the journal keeps of a rotation: ids, names and times, never a token value. */
export interface RotationState {
  readonly id: string;
  readonly idp: Idp;
  readonly stage: RotationStage;
  readonly startedAt: string;
  readonly oldTokenId: number;
  readonly oldTokenName: string;
  /** The name chosen at the start (unique among the account's tokens then). */
  readonly newTokenName: string;
  readonly newTokenId?: number;
  /**
   * The identity provider may hold the new token (Entra's PUT was attempted, or the value was
   * handed to the admin for Okta's paste): from then on the new token is never deleted.
   */
  readonly newInIdp?: boolean;
  /** Okta: when the paste was asked, and the new token's last use then (the proof's baseline). */
  readonly installAskedAt?: string;
  readonly baselineLastUsed?: string | null;
  /** Entra: the old secret was put back after a failed update. */
  readonly rolledBack?: boolean;
  readonly keepOld?: boolean;
}

/** Where the new token's value lives until the rotation is done (never the journal). */
export interface NewTokenKeeper {
  get(): Promise<string | undefined>;
  set(value: string): Promise<void>;
  /** Forgets the value of a token that is being deleted. */
  clear(): Promise<void>;
  /** When done: the new token becomes the one in use (wizard: the secret store's SCIM token). Idempotent. */
  promote?(state: RotationState): Promise<void>;
}

export type ProofStatus = 'pass' | 'pending' | 'fail';

export interface InstallResult {
  /** True when the identity provider holds the new token now (Entra). */
  readonly installed: boolean;
  /** Okta: the new value was handed to the admin (shown on a terminal, or kept for the wizard's copy). */
  readonly handedOver?: boolean;
  readonly message: string;
}

/** The identity provider's end of a rotation. */
export interface IdpTokenSink {
  readonly idp: Idp;
  /** Entra: "Test connection" with the new token (nothing saved). Okta: nothing (no API). */
  test(newToken: string, signal?: AbortSignal): Promise<void>;
  /** Puts the new token in the identity provider, or asks the admin to (pending). */
  install(newToken: string, signal?: AbortSignal): Promise<InstallResult>;
  /** Proof that the identity provider uses the new token. */
  proven(
    state: RotationState,
    signal?: AbortSignal,
  ): Promise<{ status: ProofStatus; message: string }>;
  /** Puts the old token back (Entra); absent when only the console can. */
  restore?(oldToken: string, signal?: AbortSignal): Promise<void>;
  /** Okta: the console step, for the pending check. */
  instructions?(): readonly string[];
  /** Okta: `install` may hand the value to the admin (then the new token is never deleted). */
  readonly handsOver?: boolean;
}

export interface RotationOptions {
  readonly admin: DbtAdminPort;
  readonly probe: ScimProbePort;
  readonly scimUrl: string;
  readonly sink: IdpTokenSink;
  readonly keeper: NewTokenKeeper;
  /** The rotation in progress, from the journal; undefined starts a new one. */
  readonly current: RotationState | undefined;
  /** The value of the token in use now (DBT_SCIM_TOKEN, or the saved one): refusal proof and rollback. */
  readonly oldValue?: string;
  /** A new rotation: the old token chosen by id (else identified by `oldValue`, else the most recently used). */
  readonly oldTokenId?: number;
  readonly keepOld?: boolean;
  /** A new rotation: the base of the new token's name (default `scim-<idp>-<date>`). */
  readonly newTokenName?: string;
}

// -------------------------------------------------------------------------------------------
// Choosing the old token

/**
 * The token in use now, for a new rotation: the one given by id, else the most recently used one.
 * Ambiguous (bad input) when no token was ever used, or more than one is in use.
 */
export function chooseOldToken(
  tokens: readonly ScimTokenInfo[],
  at: Date,
  explicitId?: number,
): { token: ScimTokenInfo; reason: string } {
  if (explicitId !== undefined) {
    const token = tokens.find((t) => t.id === explicitId);
    if (!token) {
      throw new WizardError('bad_input', `dbt has no SCIM token with id ${explicitId}.`, {
        remediation: 'Find the id of the token in use with `dbt tokens list`.',
      });
    }
    return { token, reason: `The old token is "${token.name}" (id ${token.id}), as given.` };
  }
  const inUse = tokens.filter((t) => tokensInUse(tokens, at).has(t.id));
  if (inUse.length === 0) {
    throw new WizardError('bad_input', 'No SCIM token of the account was ever used.', {
      remediation:
        'Name the token the identity provider uses with --old-token-id (see `dbt tokens list`), or set DBT_SCIM_TOKEN to it.',
    });
  }
  if (inUse.length > 1) {
    throw new WizardError(
      'bad_input',
      `More than one SCIM token is in use: ${inUse.map((t) => `"${t.name}" (id ${t.id})`).join(', ')}.`,
      {
        remediation:
          'Name the token the identity provider uses with --old-token-id, or set DBT_SCIM_TOKEN to it.',
      },
    );
  }
  const [token] = inUse;
  if (!token) {
    throw new Error('unreachable');
  }
  return {
    token,
    reason: `The old token is "${token.name}" (id ${token.id}), the most recently used one (last used ${token.lastUsed ?? 'never'}).`,
  };
}

/** A name no token of the account has: `base`, else `base-2`, `base-3`… */
export function uniqueTokenName(base: string, tokens: readonly ScimTokenInfo[]): string {
  const taken = new Set(tokens.map((t) => t.name));
  let name = base;
  for (let i = 2; taken.has(name); i++) {
    name = `${base}-${i}`;
  }
  return name;
}

export function defaultRotationName(idp: Idp, at: Date): string {
  return `scim-${idp}-${at.toISOString().slice(0, 10)}`;
}

// -------------------------------------------------------------------------------------------
// Probes

function probeError(result: ScimProbeResult, what: string): WizardError {
  const failing = result.checks.find((c) => c.status === 'fail');
  const code = fromErrorInfo({ code: result.failure?.code ?? 'internal', message: '' }).code;
  return new WizardError(
    code,
    `${what}: ${failing?.message ?? 'dbt’s SCIM API did not answer as expected.'}`,
    {
      remediation:
        'The old token stays in place and keeps working; nothing was changed in the identity provider. Fix the cause and run the rotation again.',
      retryable: code !== 'auth_failed',
    },
  );
}

// -------------------------------------------------------------------------------------------
// The machine

export function rotationStep(options: RotationOptions): StepDefinition<typeof ROTATION_KIND> & {
  /** The state after the last apply (or the one given). */
  state(): RotationState | undefined;
  /** How the old token was chosen (a new rotation). */
  chosen(): string | undefined;
  /** One check per stage: pass when reached, pending when not (yet). */
  checks(now: Date): Check[];
} {
  const { admin, probe, scimUrl, sink, keeper } = options;
  let state = options.current;
  let chosen: string | undefined;
  let checks: Check[] = [];

  const at = (ctx: StepContext): string => ctx.clock.now().toISOString();
  const cur = (): RotationState => {
    if (!state) {
      throw new Error('rotation state missing');
    }
    return state;
  };

  async function save(ctx: StepContext, patch: Partial<RotationState>): Promise<RotationState> {
    if (!state) {
      throw new Error('rotation state missing');
    }
    state = { ...state, ...patch };
    await ctx.remember({ rotation: state });
    return state;
  }

  /** A new rotation: choose the old token, name the new one, and journal both before any change. */
  async function start(ctx: StepContext): Promise<RotationState> {
    ctx.progress('Reading the SCIM tokens of the account…');
    const tokens = await admin.listScimTokens(ctx.signal);
    let old: { token: ScimTokenInfo; reason: string };
    if (tokens === undefined) {
      if (options.oldTokenId === undefined) {
        throw new WizardError('bad_input', 'dbt does not list the SCIM tokens of this account.', {
          remediation: 'Name the token the identity provider uses with --old-token-id.',
        });
      }
      const token = await admin.getScimToken(options.oldTokenId, ctx.signal);
      if (!token) {
        throw new WizardError('bad_input', `dbt has no SCIM token with id ${options.oldTokenId}.`, {
          remediation: 'Find the id of the token in use in dbt (Account settings → SSO & SCIM).',
        });
      }
      old = { token, reason: `The old token is "${token.name}" (id ${token.id}), as given.` };
    } else if (options.oldValue !== undefined && options.oldTokenId === undefined) {
      old = await identify(ctx, tokens, options.oldValue);
    } else {
      old = chooseOldToken(tokens, ctx.clock.now(), options.oldTokenId);
    }
    chosen = old.reason;
    const now = ctx.clock.now();
    const name = uniqueTokenName(
      options.newTokenName ?? defaultRotationName(sink.idp, now),
      tokens ?? [old.token],
    );
    state = {
      id: randomUUID(),
      idp: sink.idp,
      stage: 'started',
      startedAt: now.toISOString(),
      oldTokenId: old.token.id,
      oldTokenName: old.token.name,
      newTokenName: name,
      ...(options.keepOld ? { keepOld: true } : {}),
    };
    await ctx.remember({ rotation: state });
    return state;
  }

  /** Which token the value in use is: one call with it moves that token's last use. */
  async function identify(
    ctx: StepContext,
    before: readonly ScimTokenInfo[],
    value: string,
  ): Promise<{ token: ScimTokenInfo; reason: string }> {
    ctx.progress('Checking the token in use against dbt’s SCIM API…');
    const result = await probe.probe({ scimUrl, token: value, signal: ctx.signal });
    if (result.failure) {
      if (result.failure.code === 'auth_failed') {
        throw new WizardError('bad_input', 'dbt does not accept the token in DBT_SCIM_TOKEN.', {
          remediation:
            'Set DBT_SCIM_TOKEN to the token the identity provider uses now, or leave it unset and name the token with --old-token-id.',
        });
      }
      throw probeError(result, 'The token in use could not be checked');
    }
    const after = (await admin.listScimTokens(ctx.signal)) ?? [];
    const moved = after.filter(
      (t) => t.lastUsed !== null && before.find((b) => b.id === t.id)?.lastUsed !== t.lastUsed,
    );
    const token = moved.length === 1 ? moved[0] : undefined;
    if (!token) {
      // Two calls within dbt's resolution of last_used look alike: fall back to the choice rules.
      return chooseOldToken(after, ctx.clock.now());
    }
    return {
      token,
      reason: `The old token is "${token.name}" (id ${token.id}): the one in DBT_SCIM_TOKEN.`,
    };
  }

  /** Creates the new token, after deleting what an interrupted create left behind. */
  async function create(ctx: StepContext): Promise<void> {
    const s = cur();
    const list = (await admin.listScimTokens(ctx.signal)) ?? [];
    // The name was free at the start: a token of that name, never used, is an interrupted create's.
    for (const t of list) {
      if (t.name === s.newTokenName && t.id !== s.oldTokenId && t.lastUsed === null) {
        ctx.progress(`Deleting the unusable token "${t.name}" (id ${t.id})…`);
        await admin.deleteScimToken(t.id, ctx.signal);
      }
    }
    ctx.progress(`Creating the SCIM token "${s.newTokenName}"…`);
    const { token, value } = await admin.createScimToken(s.newTokenName, ctx.signal);
    registerSecret(value);
    await keeper.set(value);
    await save(ctx, { stage: 'created', newTokenId: token.id, newTokenName: token.name });
  }

  /** The new token's value is lost and it never left this computer: delete it, make another. */
  async function recreate(ctx: StepContext): Promise<void> {
    const s = cur();
    if (s.newTokenId !== undefined && (await admin.getScimToken(s.newTokenId, ctx.signal))) {
      ctx.progress(`Deleting the token "${s.newTokenName}" whose value was lost…`);
      await admin.deleteScimToken(s.newTokenId, ctx.signal);
    }
    await keeper.clear();
    const rest: Record<string, unknown> = { ...s };
    delete rest.newTokenId;
    delete rest.installAskedAt;
    delete rest.baselineLastUsed;
    state = { ...(rest as unknown as RotationState), stage: 'started', newInIdp: false };
    await ctx.remember({ rotation: state });
    await create(ctx);
  }

  async function check(ctx: StepContext, value: string): Promise<void> {
    ctx.progress('Checking the new token against dbt’s SCIM API…');
    const result = await probe.probe({ scimUrl, token: value, signal: ctx.signal });
    if (result.failure) {
      throw probeError(result, 'dbt’s SCIM API did not accept the new token');
    }
    await save(ctx, { stage: 'checked' });
  }

  /** Puts the old secret back after a failed update; true when done. */
  async function rollback(ctx: StepContext): Promise<boolean> {
    if (!sink.restore || options.oldValue === undefined) {
      return false;
    }
    ctx.progress(`Putting the old token back in ${IDP_NAMES[sink.idp]}…`);
    try {
      await sink.restore(options.oldValue, ctx.signal);
    } catch (e) {
      if (isAbortError(e)) {
        throw e;
      }
      ctx.log.warn('rollback failed', { code: isWizardError(e) ? e.code : 'internal' });
      return false;
    }
    await save(ctx, { stage: 'checked', newInIdp: false, rolledBack: true });
    return true;
  }

  function failedUpdate(e: unknown, restored: boolean): WizardError {
    const cause = isWizardError(e) ? e : undefined;
    const base = cause ? cause.message : 'The update failed.';
    const where = IDP_NAMES[sink.idp];
    return new WizardError(
      cause?.code ?? 'internal',
      restored
        ? `${base} ${where} was given its old token back, which dbt still accepts.`
        : `${base} ${where} holds the old token or the new one, and dbt accepts both.`,
      {
        remediation: restored
          ? 'Fix the cause and run the rotation again.'
          : 'Run the rotation again to finish it; set DBT_SCIM_TOKEN to the old token so it can be put back if needed.',
        retryable: true,
        ...(cause?.status !== undefined ? { status: cause.status } : {}),
        cause: e,
      },
    );
  }

  async function install(ctx: StepContext, value: string): Promise<void> {
    ctx.progress(`Testing the new token from ${IDP_NAMES[sink.idp]}…`);
    await sink.test(value, ctx.signal);
    const s = cur();
    if (sink.idp === 'entra') {
      // From the PUT on, Entra may hold the new token: it is never deleted unless put back.
      await save(ctx, { newInIdp: true, rolledBack: false });
    } else {
      // Asked of the admin: the proof's baseline is the new token's last use before the ask, and
      // a value about to be handed over counts as in Okta from now on.
      const info =
        s.newTokenId === undefined ? undefined : await admin.getScimToken(s.newTokenId, ctx.signal);
      await save(ctx, {
        installAskedAt: at(ctx),
        baselineLastUsed: info?.lastUsed ?? null,
        newInIdp: sink.handsOver === true,
      });
    }
    let result: InstallResult;
    try {
      result = await sink.install(value, ctx.signal);
    } catch (e) {
      if (isAbortError(e)) {
        throw e;
      }
      throw failedUpdate(e, await rollback(ctx));
    }
    await save(ctx, {
      stage: 'installed',
      ...(result.installed ? {} : { newInIdp: result.handedOver === true }),
    });
  }

  /** The proof; false when still pending (Okta). */
  async function prove(ctx: StepContext): Promise<boolean> {
    ctx.progress(`Checking that ${IDP_NAMES[sink.idp]} uses the new token…`);
    const proof = await sink.proven(cur(), ctx.signal);
    if (proof.status === 'pass') {
      await save(ctx, { stage: 'proven' });
      return true;
    }
    if (proof.status === 'pending') {
      checks.push({
        id: 'rotation.proven',
        status: 'pending',
        message: proof.message,
        at: at(ctx),
      });
      return false;
    }
    const e = new WizardError('server_error', proof.message, {
      remediation: 'Fix the cause and run the rotation again.',
      retryable: true,
    });
    if (sink.idp === 'entra') {
      throw failedUpdate(e, await rollback(ctx));
    }
    throw e;
  }

  /** The one place the old token is deleted: never before the new one is proven. */
  async function deleteOld(ctx: StepContext): Promise<void> {
    const s = cur();
    if (!reached(s.stage, 'proven')) {
      throw new WizardError('internal', 'The old token may not be deleted yet.', {
        remediation: 'This is a bug: the new token is not proven in use. Nothing was deleted.',
      });
    }
    if (!s.keepOld && (await admin.getScimToken(s.oldTokenId, ctx.signal))) {
      ctx.progress(`Deleting the old token "${s.oldTokenName}"…`);
      await admin.deleteScimToken(s.oldTokenId, ctx.signal);
    }
    await save(ctx, { stage: 'old-deleted' });
  }

  async function proveRefused(ctx: StepContext): Promise<void> {
    const s = cur();
    if (!s.keepOld && options.oldValue !== undefined) {
      ctx.progress('Checking that dbt refuses the old token…');
      const result = await probe.probe({ scimUrl, token: options.oldValue, signal: ctx.signal });
      if (!result.failure) {
        throw new WizardError('conflict', `dbt still accepts the old token "${s.oldTokenName}".`, {
          remediation:
            'Run the rotation again in a minute; if dbt keeps accepting it, delete the token in dbt (Account settings → SSO & SCIM).',
          retryable: true,
        });
      }
      if (result.failure.code !== 'auth_failed') {
        throw probeError(result, 'The refusal of the old token could not be checked');
      }
    }
    await save(ctx, { stage: 'old-refused' });
  }

  async function run(ctx: StepContext): Promise<void> {
    checks = [];
    state ??= await start(ctx);
    if (options.keepOld && !state.keepOld && !reached(state.stage, 'old-deleted')) {
      state = await save(ctx, { keepOld: true });
    }
    if (!reached(state.stage, 'created')) {
      await create(ctx);
    }
    if (!reached(state.stage, 'proven')) {
      const value = (await keeper.get()) ?? (await lostValue(ctx));
      if (value !== undefined) {
        registerSecret(value);
        if (!reached(state.stage, 'checked')) {
          await check(ctx, value);
        }
        if (!reached(state.stage, 'installed')) {
          await install(ctx, value);
        }
      }
      if (!(await prove(ctx))) {
        return;
      }
    }
    if (!reached(state.stage, 'old-deleted')) {
      await deleteOld(ctx);
    }
    if (!reached(state.stage, 'old-refused')) {
      await proveRefused(ctx);
    }
    await keeper.promote?.(state);
    await save(ctx, { stage: 'done' });
  }

  /**
   * The new value is gone (another process made it). Returns a value to go on with, or undefined
   * when the rotation can go on without it (the new token is installed, or Okta's paste is asked).
   */
  async function lostValue(ctx: StepContext): Promise<string | undefined> {
    const s = cur();
    if (reached(s.stage, 'installed')) {
      if (sink.idp === 'entra' || s.newInIdp) {
        return undefined;
      }
      // Okta, never handed over: only a proof shows that someone pasted it after all.
      const proof = await sink.proven(s, ctx.signal);
      if (proof.status === 'pass') {
        return undefined;
      }
    } else if (s.newInIdp) {
      // Entra's PUT was attempted: put the old token back before the new one may go.
      if (!(await rollback(ctx))) {
        throw new WizardError(
          'conflict',
          `${IDP_NAMES[sink.idp]} may hold the new token "${s.newTokenName}", whose value this run does not have.`,
          {
            remediation:
              'Set DBT_SCIM_TOKEN to the token the identity provider used before the rotation, and run it again: the old token is put back, then the rotation starts over. Both tokens keep working meanwhile.',
          },
        );
      }
    }
    await recreate(ctx);
    return keeper.get();
  }

  function remaining(): Change[] {
    const s = state;
    const idp = IDP_NAMES[sink.idp];
    const changes: Change[] = [];
    const name = s?.newTokenName ?? 'new';
    const stage = s?.stage ?? 'started';
    if (!reached(stage, 'created')) {
      changes.push({
        id: 'rotation.create',
        action: 'add',
        target: s ? `dbt SCIM token "${name}"` : 'a new dbt SCIM token',
        detail: `create ${s ? `the SCIM token "${name}"` : 'a new SCIM token'} in dbt and check it against dbt’s SCIM API`,
      });
    }
    if (!reached(stage, 'installed')) {
      changes.push({
        id: 'rotation.install',
        action: 'change',
        target: `${idp} SCIM token`,
        detail:
          sink.idp === 'entra'
            ? 'test the new token from Entra ("Test connection"), save it as the Secret Token, and check that the provisioning job is healthy'
            : 'paste the new token into Okta’s "Bearer" field and click "Test Connector Configuration" (the console), then see dbt record Okta’s use of it',
      });
    }
    if (!s?.keepOld && !options.keepOld && !reached(stage, 'old-deleted')) {
      changes.push({
        id: 'rotation.delete-old',
        action: 'remove',
        target: s
          ? `dbt SCIM token "${s.oldTokenName}" (id ${s.oldTokenId})`
          : 'the old SCIM token',
        detail:
          'delete the old token once the new one is proven in use, and check that dbt refuses it',
      });
    }
    return changes;
  }

  function summary(now: string): Check[] {
    const s = state;
    if (!s) {
      return [];
    }
    const out: Check[] = [];
    const mark = (id: string, stage: RotationStage, yes: string, no: string): void => {
      if (checks.some((c) => c.id === id)) {
        out.push(...checks.filter((c) => c.id === id));
        return;
      }
      const ok = reached(s.stage, stage);
      out.push({ id, status: ok ? 'pass' : 'pending', message: ok ? yes : no, at: now });
    };
    const idp = IDP_NAMES[sink.idp];
    mark(
      'rotation.created',
      'created',
      `dbt has the new SCIM token "${s.newTokenName}"${s.newTokenId !== undefined ? ` (id ${s.newTokenId})` : ''}.`,
      'The new token is not created yet.',
    );
    mark(
      'rotation.checked',
      'checked',
      'dbt’s SCIM API accepts the new token.',
      'The new token is not checked yet.',
    );
    if (sink.idp === 'okta' && s.stage === 'installed') {
      out.push({
        id: 'rotation.installed',
        status: 'pending',
        message: `Okta: paste the new token into "Bearer" (Provisioning → Integration → Edit), click "Test Connector Configuration", then "Save". Asked at ${s.installAskedAt ?? now}.`,
        at: now,
      });
    } else {
      mark(
        'rotation.installed',
        'installed',
        sink.idp === 'entra'
          ? 'Entra tested the new token and saved it as the Secret Token.'
          : 'The new token was given to Okta.',
        `${idp} does not hold the new token yet${s.rolledBack ? ' (its old token was put back)' : ''}.`,
      );
    }
    mark(
      'rotation.proven',
      'proven',
      `${idp} uses the new token.`,
      `${idp} is not proven to use the new token yet.`,
    );
    if (s.keepOld) {
      out.push({
        id: 'rotation.old-deleted',
        status: 'skip',
        message: `The old token "${s.oldTokenName}" (id ${s.oldTokenId}) was kept (--keep-old): it still works until you delete it.`,
        at: now,
      });
      out.push({
        id: 'rotation.old-refused',
        status: 'skip',
        message: 'The old token was kept, so it is still accepted.',
        at: now,
      });
    } else {
      mark(
        'rotation.old-deleted',
        'old-deleted',
        `The old token "${s.oldTokenName}" (id ${s.oldTokenId}) is deleted.`,
        `The old token "${s.oldTokenName}" (id ${s.oldTokenId}) is still in place and working.`,
      );
      if (options.oldValue === undefined && reached(s.stage, 'old-refused')) {
        out.push({
          id: 'rotation.old-refused',
          status: 'skip',
          message:
            'The old token’s value was not given (DBT_SCIM_TOKEN), so its refusal was not tried; dbt no longer lists it.',
          at: now,
        });
      } else {
        mark(
          'rotation.old-refused',
          'old-refused',
          'dbt refuses the old token (401).',
          'The old token’s refusal is not proven yet.',
        );
      }
    }
    return out;
  }

  return {
    kind: ROTATION_KIND,
    stepId: 'rotation',
    title: 'Rotate the SCIM token',
    state: () => state,
    chosen: () => chosen,
    checks: (now: Date) => summary(now.toISOString()),
    plan() {
      return Promise.resolve({ changes: remaining() });
    },
    async apply(_plan, ctx) {
      await run(ctx);
    },
    verify(ctx) {
      return Promise.resolve(summary(at(ctx)));
    },
  };
}

/** The rotation in progress, folded from journal entries (the last snapshot wins; done ones end). */
export function rotationFromJournal(
  entries: readonly { readonly data?: Readonly<Record<string, unknown>> }[],
): RotationState | undefined {
  let last: RotationState | undefined;
  for (const e of entries) {
    const r = e.data?.rotation;
    if (e.data?.kind === ROTATION_KIND && r !== null && typeof r === 'object') {
      last = r as RotationState;
    }
  }
  return last && last.stage !== 'done' ? last : undefined;
}
