/**
 * The Okta side's steps, each plan → apply → verify over the `OktaPort`, in this order:
 *  - `okta.app`:        the admin's existing dbt SSO app (a custom SAML 2.0 app), found, never made;
 *  - `okta.username`:   the application username format Email, by API only while SCIM is off and
 *                       only once the admin confirmed it (it changes the SAML subject);
 *  - `okta.console`:    the console-only steps (SCIM on, Integration, test, To App, import),
 *                       verified by reading the app back;
 *  - `okta.license`:    the `licenseType` app user attribute dbt reads the license type from;
 *  - `okta.group-push`: the group push mappings the admin picked;
 *  - `okta.test-user`:  optional: assign a person with a license type, wait for Okta to push the
 *                       person to dbt, read it back over SCIM.
 *
 * Idempotent and resumable: the app's ids are remembered (journal) and saved (profile or CLI
 * state); group pushes are listed again before each one is created, so a re-run after a failure
 * never creates a second mapping. Never a full update of the app once SCIM provisioning is on: a
 * full replace can reset a custom SAML app's provisioning (okta.md §1, step 9).
 */
import { isWizardError, WizardError, badInput } from '../errors.js';
import type { Change, Check } from '../model.js';
import type { StepContext, StepDefinition } from '../steps.js';
import type { ScimProbePort, ScimUserSummary } from '../dbt/ports.js';
import { checkConsole, consoleLink, type OktaConsoleItem } from './console.js';
import {
  alignGroupName,
  describeNewPush,
  importedTarget,
  judgeMapping,
  type AlignedName,
  type GroupPushPick,
} from './groups.js';
import { describeUserNameFormat, userNameFormat, type OktaAppRef } from './inputs.js';
import {
  describeCurrentAttribute,
  describeLicenseAttribute,
  desiredLicenseAttribute,
  diffLicenseAttribute,
  licenseSchemaBody,
  type LicenseAttributeDiff,
} from './license.js';
import {
  EMAIL_USERNAME_TEMPLATE,
  LICENSE_TYPES,
  OKTA_FEATURES,
  type LicenseType,
  type OktaApp,
  type OktaPort,
  type OktaUser,
} from './ports.js';

export const OKTA_STEP_KINDS = [
  'okta.app',
  'okta.username',
  'okta.console',
  'okta.license',
  'okta.group-push',
  'okta.test-user',
] as const;
export type OktaStepKind = (typeof OKTA_STEP_KINDS)[number];

// -------------------------------------------------------------------------------------------
// What the steps keep between runs (never a secret)

export interface OktaSaved {
  readonly appId?: string;
  readonly appLabel?: string;
  /** Okta's internal app name (console links). */
  readonly appName?: string;
}

/** Where the app's ids live: the profile in the wizard, the journal in the CLI. */
export interface OktaStateStore {
  load(): Promise<OktaSaved>;
  save(patch: OktaSaved): Promise<void>;
}

export class MemoryOktaStateStore implements OktaStateStore {
  constructor(public saved: OktaSaved = {}) {}
  load(): Promise<OktaSaved> {
    return Promise.resolve({ ...this.saved });
  }
  save(patch: OktaSaved): Promise<void> {
    this.saved = { ...this.saved, ...patch };
    return Promise.resolve();
  }
}

export interface OktaTiming {
  /** Read-backs of the app user schema after a change, until it matches… */
  readonly schemaReadbacks: number;
  /** …this far apart. */
  readonly schemaReadbackIntervalMs: number;
  /** Adds of `licenseType` right after removing it ("deletion process … incomplete"): attempts… */
  readonly deletionSettleAttempts: number;
  /** …the first wait, doubling… */
  readonly deletionSettleBaseMs: number;
  /** …up to this. */
  readonly deletionSettleMaxMs: number;
  /** Reads of the test user from dbt while waiting for Okta's push… */
  readonly pushPolls: number;
  /** …this far apart. */
  readonly pushPollIntervalMs: number;
}

export const DEFAULT_OKTA_TIMING: OktaTiming = {
  schemaReadbacks: 6,
  schemaReadbackIntervalMs: 2_000,
  deletionSettleAttempts: 8,
  deletionSettleBaseMs: 2_000,
  deletionSettleMaxMs: 30_000,
  pushPolls: 24,
  pushPollIntervalMs: 5_000,
};

export interface OktaSetupOptions {
  readonly okta: OktaPort;
  readonly store: OktaStateStore;
  /** The admin console origin (console links). */
  readonly adminUrl: string;
  /** The app the admin named (CLI `--okta-app`); the wizard saves its choice in the store. */
  readonly appRef?: OktaAppRef;
  /** dbt's SCIM base URL, and the token to read the test user back with. */
  readonly dbt?: { readonly scimUrl: string; readonly token?: string };
  /** The dbt SCIM token's last use (undefined when the dbt Admin API is not connected). */
  readonly dbtToken?: { getLastUsed(): Promise<string | null | undefined> };
  /** dbt's groups, to line push names up with (when the dbt Admin API is connected). */
  readonly dbtGroups?: () => Promise<{ id: number; name: string }[]>;
  readonly probe?: ScimProbePort;
  /** The admin confirmed changing the application username format to Email. */
  readonly userNameChange?: 'confirmed';
  readonly consoleShownAt?: Readonly<Record<string, string>>;
  readonly consoleVerifiedAt?: Readonly<Record<string, string>>;
  readonly existingIntegration?: boolean;
  readonly groupPushes?: readonly GroupPushPick[];
  readonly testUser?: { readonly login: string; readonly licenseType: LicenseType };
  readonly timing?: Partial<OktaTiming>;
}

export type OktaStep = StepDefinition<OktaStepKind>;

export interface OktaSteps {
  /** In order, without the test-user step (the Test step runs it on its own). */
  readonly all: readonly OktaStep[];
  readonly app: OktaStep;
  readonly username: OktaStep;
  readonly console: OktaStep;
  readonly license: OktaStep;
  readonly groupPush: OktaStep;
  readonly testUser?: OktaStep;
}

// -------------------------------------------------------------------------------------------
// Helpers

const isScimOn = (app: OktaApp): boolean => app.features.includes(OKTA_FEATURES.scim);
const hasFeature = (app: OktaApp, feature: string): boolean => app.features.includes(feature);

function seconds(ms: number): number {
  return Math.round(ms / 1000);
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function describeApp(app: OktaApp): string {
  return `"${app.label}" (${app.id})`;
}

/** Okta's 400 while a removed attribute of the same name is still being deleted. */
function isDeletionPending(e: unknown): boolean {
  if (!(e instanceof Error)) {
    return false;
  }
  const text = `${e.message} ${isWizardError(e) ? e.remediation : ''}`;
  return /deletion process[\s\S]*incomplete/i.test(text);
}

function licenseTitle(value: string | null | undefined): string {
  return LICENSE_TYPES.find((t) => t.value === value)?.title ?? String(value);
}

function dbtMissing(): WizardError {
  return badInput(
    'The dbt SCIM base URL and SCIM token are needed to read the test user back from dbt.',
    'Give the SCIM base URL (--dbt-scim-url) and the token (DBT_SCIM_TOKEN), or finish the dbt step in the wizard.',
  );
}

const USERNAME_CONFLICT =
  'dbt’s SSO guide sets it to the Okta internal id, but SCIM needs Email: dbt matches SCIM users by email. Changing it also changes the SAML subject dbt sees when people sign in to dbt with Okta (the Okta id becomes the email), so the wizard changes it only once you confirm (in the wizard, or --username-email). It must happen before SCIM provisioning is on: afterwards an API update of the whole app can reset provisioning, and only the console may change it.';

// -------------------------------------------------------------------------------------------
// The steps

export function createOktaSteps(options: OktaSetupOptions): OktaSteps {
  const { okta, store, adminUrl } = options;
  const timing: OktaTiming = { ...DEFAULT_OKTA_TIMING, ...options.timing };
  const picks = options.groupPushes ?? [];

  /** What this process learned. */
  const session: {
    appId?: string;
    push?:
      | { readonly kind: 'found'; readonly user: ScimUserSummary }
      | { readonly kind: 'timeout'; readonly userName: string; readonly waitedMs: number }
      | { readonly kind: 'sync-error'; readonly userName: string }
      | { readonly kind: 'not-email'; readonly userName: string };
  } = {};

  const at = (ctx: StepContext): string => ctx.clock.now().toISOString();
  const check = (
    ctx: StepContext,
    id: string,
    status: Check['status'],
    message: string,
  ): Check => ({
    id,
    status,
    message,
    at: at(ctx),
  });

  const savedOf = (app: OktaApp): OktaSaved => ({
    appId: app.id,
    appLabel: app.label,
    appName: app.name,
  });

  const keep = async (ctx: StepContext, data: OktaSaved): Promise<void> => {
    await ctx.remember({ ...data });
    await store.save(data);
  };

  // -----------------------------------------------------------------------------------------
  // Finding the app

  function ambiguous(label: string, apps: readonly OktaApp[]): WizardError {
    return badInput(
      `Okta has ${apps.length} apps labelled "${label}": ${apps
        .map(
          (a) =>
            `${a.id} "${a.label}" (${a.signOnMode === 'SAML_2_0' ? 'SAML 2.0' : a.signOnMode}, ${a.status.toLowerCase()})`,
        )
        .join('; ')}.`,
      'Choose one: pass its id with --okta-app <id>, or pick it in the wizard’s app chooser; it is then saved and used from now on.',
    );
  }

  async function byLabel(ctx: StepContext, label: string): Promise<OktaApp> {
    const lower = label.toLowerCase();
    const candidates = (await okta.listApps(label, ctx.signal)).filter(
      (a) => a.label.toLowerCase() === lower,
    );
    if (candidates.length === 0) {
      throw new WizardError('not_found', `Okta has no app labelled "${label}".`, {
        remediation:
          'Check the label in the Okta admin console ("Applications" → "Applications"): it is the SAML app you created for dbt SSO. Or give its id (0oa…) with --okta-app, or choose it in the wizard.',
      });
    }
    const preferred = candidates.filter(
      (a) => a.signOnMode === 'SAML_2_0' && a.status === 'ACTIVE',
    );
    if (preferred.length === 1 && preferred[0]) {
      return preferred[0];
    }
    if (preferred.length > 1) {
      throw ambiguous(label, preferred);
    }
    if (candidates.length === 1 && candidates[0]) {
      return candidates[0];
    }
    throw ambiguous(label, candidates);
  }

  /** The app, read fresh: the chosen id, else the saved one, else by label. */
  async function resolveApp(ctx: StepContext): Promise<OktaApp> {
    if (session.appId) {
      const app = await okta.getApp(session.appId, ctx.signal);
      if (app) {
        return app;
      }
      session.appId = undefined;
    }
    const ref = options.appRef;
    let app: OktaApp | undefined;
    if (ref?.kind === 'id') {
      app = await okta.getApp(ref.id, ctx.signal);
      if (!app) {
        throw new WizardError('not_found', `Okta has no app with id ${ref.id}.`, {
          remediation:
            'Check the id (it is in the app page’s address, after /instance/), or give the app label instead.',
        });
      }
    } else {
      const saved = await store.load();
      if (saved.appId) {
        app = await okta.getApp(saved.appId, ctx.signal);
        if (!app && !ref) {
          throw new WizardError(
            'not_found',
            `The app chosen before${saved.appLabel ? ` ("${saved.appLabel}", ${saved.appId})` : ` (${saved.appId})`} is no longer in Okta.`,
            {
              remediation:
                'Choose the dbt SSO app again (the wizard’s app chooser, or --okta-app).',
            },
          );
        }
      }
      if (!app) {
        if (!ref) {
          throw badInput(
            'No Okta app is chosen yet.',
            'Choose the app used for dbt SSO: in the wizard’s app chooser, or with --okta-app <id or label>.',
          );
        }
        app = await byLabel(ctx, ref.label);
      }
    }
    session.appId = app.id;
    return app;
  }

  const app: OktaStep = {
    kind: 'okta.app',
    stepId: 'idp',
    title: 'Find the dbt SSO app in Okta',
    async plan(ctx) {
      ctx.progress('Looking for the dbt SSO app in Okta…');
      const found = await resolveApp(ctx);
      await store.save(savedOf(found));
      return { changes: [] };
    },
    async apply(_plan, ctx) {
      await keep(ctx, savedOf(await resolveApp(ctx)));
    },
    async verify(ctx) {
      const found = await resolveApp(ctx);
      await store.save(savedOf(found));
      return [
        check(ctx, 'okta.app', 'pass', `Okta has the app ${describeApp(found)}.`),
        found.signOnMode === 'SAML_2_0'
          ? check(
              ctx,
              'okta.app.sign-on',
              'pass',
              'The app signs in with SAML 2.0, as dbt’s SSO app does.',
            )
          : check(
              ctx,
              'okta.app.sign-on',
              'fail',
              `The app signs in with ${found.signOnMode}, not SAML 2.0: Okta offers SCIM only on the SAML app you created for dbt SSO ("Create App Integration" → "SAML 2.0"). Choose that app.`,
            ),
        found.status === 'ACTIVE'
          ? check(ctx, 'okta.app.status', 'pass', 'The app is active.')
          : check(
              ctx,
              'okta.app.status',
              'fail',
              `The app is ${found.status.toLowerCase()}: Okta provisions only from an active app. Activate it ("Applications" → the app → "Activate"), or choose the active dbt SSO app.`,
            ),
      ];
    },
  };

  // -----------------------------------------------------------------------------------------
  // okta.username

  const username: OktaStep = {
    kind: 'okta.username',
    stepId: 'idp',
    title: 'Set the application username format to Email',
    async plan(ctx) {
      const current = await resolveApp(ctx);
      if (
        userNameFormat(current.userNameTemplate) === 'email' ||
        isScimOn(current) ||
        options.userNameChange !== 'confirmed'
      ) {
        return { changes: [] };
      }
      return {
        changes: [
          {
            id: 'okta.username',
            action: 'change',
            target: `app "${current.label}" "Sign On"`,
            detail: `set "Application username format" to Email (now: ${describeUserNameFormat(current.userNameTemplate)}); dbt SSO then sees the email as the SAML subject`,
          },
        ],
      };
    },
    async apply(plan, ctx) {
      if (
        !plan.changes.some((c) => c.id === 'okta.username') ||
        options.userNameChange !== 'confirmed'
      ) {
        return;
      }
      ctx.progress('Reading the app again before changing its username format…');
      const fresh = await resolveApp(ctx);
      if (userNameFormat(fresh.userNameTemplate) === 'email') {
        return;
      }
      if (isScimOn(fresh)) {
        // Never a full update of the app once SCIM is on: it can reset provisioning.
        throw new WizardError(
          'conflict',
          'SCIM provisioning was turned on in Okta since the plan, so the wizard did not change the username format: an API update of the whole app can reset provisioning.',
          {
            remediation:
              'Change it in the admin console instead: "Sign On" → "Edit" → "Application username format": "Email" → "Save" (the console step "Set the application username format to Email").',
          },
        );
      }
      ctx.progress('Setting the application username format to Email…');
      const updated = await okta.setUserNameTemplate(
        fresh.id,
        { template: EMAIL_USERNAME_TEMPLATE, type: 'BUILT_IN' },
        ctx.signal,
      );
      if (userNameFormat(updated.userNameTemplate) !== 'email') {
        throw new WizardError(
          'invalid_response',
          `Okta accepted the change but shows the username format ${describeUserNameFormat(updated.userNameTemplate)}.`,
          {
            remediation:
              'Check "Sign On" → "Application username format" in the admin console, and run apply again.',
            retryable: true,
          },
        );
      }
    },
    async verify(ctx) {
      const current = await resolveApp(ctx);
      const format = userNameFormat(current.userNameTemplate);
      const now = describeUserNameFormat(current.userNameTemplate);
      if (format === 'email') {
        return [
          check(
            ctx,
            'okta.username',
            'pass',
            'The application username format is Email: Okta sends each person’s email as the SCIM userName, as dbt matches users by email.',
          ),
        ];
      }
      if (isScimOn(current)) {
        return [
          check(
            ctx,
            'okta.username',
            'fail',
            `The application username format is ${now}, but SCIM needs Email (dbt matches users by email and refuses other userNames). SCIM provisioning is on, so only the console may change it: see the console step "Set the application username format to Email" ("Sign On" → "Edit" → "Application username format": "Email" → "Save").`,
          ),
        ];
      }
      return [
        check(
          ctx,
          'okta.username',
          'pending',
          options.userNameChange === 'confirmed'
            ? `The application username format is ${now}; apply sets it to Email (you confirmed the change).`
            : `The application username format is ${now}. ${USERNAME_CONFLICT}`,
        ),
      ];
    },
  };

  // -----------------------------------------------------------------------------------------
  // okta.console

  async function consoleItems(ctx: StepContext, current: OktaApp): Promise<OktaConsoleItem[]> {
    return checkConsole({
      okta,
      app: current,
      adminUrl,
      ...(options.dbt ? { scimUrl: options.dbt.scimUrl } : {}),
      ...(options.dbtToken ? { dbtToken: options.dbtToken } : {}),
      shownAt: options.consoleShownAt ?? {},
      verifiedAt: options.consoleVerifiedAt ?? {},
      ...(options.existingIntegration !== undefined
        ? { existingIntegration: options.existingIntegration }
        : {}),
      now: ctx.clock.now(),
      signal: ctx.signal,
    });
  }

  const consoleStep: OktaStep = {
    kind: 'okta.console',
    stepId: 'idp',
    title: 'Finish SCIM in the Okta admin console',
    async plan(ctx) {
      ctx.progress('Reading the app’s provisioning settings from Okta…');
      const items = await consoleItems(ctx, await resolveApp(ctx));
      return {
        changes: [],
        manual: items
          .filter((i) => i.status === 'pending' || i.status === 'fail')
          .map((i) => ({
            id: i.id,
            status: i.status,
            message: `${i.title}: ${i.message}`,
            at: i.at,
          })),
      };
    },
    async apply() {
      // Console steps cannot be done by API; verify reads them back.
    },
    async verify(ctx) {
      const items = await consoleItems(ctx, await resolveApp(ctx));
      // Each check names its console step: several can wait for the same thing.
      return items.map((i) => ({
        id: i.id,
        status: i.status,
        message: `${i.title}: ${i.message}`,
        at: i.at,
      }));
    },
  };

  // -----------------------------------------------------------------------------------------
  // okta.license

  const LICENSE_TARGET = 'app user attribute licenseType';

  function licenseChanges(diff: LicenseAttributeDiff, schema: Record<string, unknown>): Change[] {
    const add: Change = {
      id: 'okta.license.add',
      action: 'add',
      target: LICENSE_TARGET,
      detail: `add attribute ${describeLicenseAttribute()}`,
    };
    switch (diff.state) {
      case 'matches':
        return [];
      case 'absent':
        return [add];
      case 'differs':
        return [
          {
            id: 'okta.license.change',
            action: 'change',
            target: LICENSE_TARGET,
            detail: `change attribute licenseType: ${diff.differences.join('; ')}`,
          },
        ];
      case 'wrong_scope':
        return [
          {
            id: 'okta.license.remove',
            action: 'remove',
            target: LICENSE_TARGET,
            detail: `remove attribute licenseType (${describeCurrentAttribute(schema)}) to add it again: Okta cannot change its "Attribute type" or "Data type" in place (${diff.differences.join('; ')}); license types already set on assignments go with it`,
          },
          add,
        ];
    }
  }

  async function addWithSettle(ctx: StepContext, appId: string): Promise<void> {
    const started = ctx.clock.now().getTime();
    let delay = timing.deletionSettleBaseMs;
    for (let attempt = 1; ; attempt++) {
      try {
        await okta.updateAppUserSchema(appId, licenseSchemaBody(), ctx.signal);
        return;
      } catch (e) {
        if (!isDeletionPending(e)) {
          throw e;
        }
        if (attempt >= timing.deletionSettleAttempts) {
          throw new WizardError(
            'conflict',
            `Okta has not finished removing the old licenseType attribute after ${seconds(ctx.clock.now().getTime() - started)} s, so the new one could not be added yet.`,
            {
              remediation:
                'Run apply again in a few minutes: it adds the attribute once Okta has finished.',
              retryable: true,
              cause: e,
            },
          );
        }
        ctx.progress(
          `Waiting for Okta to finish removing the old licenseType attribute… ${seconds(ctx.clock.now().getTime() - started)} s`,
        );
        await ctx.clock.sleep(delay, ctx.signal);
        delay = Math.min(delay * 2, timing.deletionSettleMaxMs);
      }
    }
  }

  const license: OktaStep = {
    kind: 'okta.license',
    stepId: 'license',
    title: 'Add the licenseType attribute',
    async plan(ctx) {
      const current = await resolveApp(ctx);
      if (!isScimOn(current)) {
        return { changes: [] };
      }
      ctx.progress('Reading the app user profile from Okta…');
      const schema = await okta.getAppUserSchema(current.id, ctx.signal);
      return { changes: licenseChanges(diffLicenseAttribute(schema), schema) };
    },
    async apply(_plan, ctx) {
      const current = await resolveApp(ctx);
      if (!isScimOn(current)) {
        return;
      }
      const schema = await okta.getAppUserSchema(current.id, ctx.signal);
      const diff = diffLicenseAttribute(schema);
      switch (diff.state) {
        case 'matches':
          return;
        case 'differs':
          ctx.progress('Updating the licenseType attribute…');
          await okta.updateAppUserSchema(
            current.id,
            licenseSchemaBody(desiredLicenseAttribute()),
            ctx.signal,
          );
          break;
        case 'wrong_scope':
          ctx.progress('Removing the licenseType attribute to add it again…');
          await okta.updateAppUserSchema(current.id, licenseSchemaBody(null), ctx.signal);
          await ctx.remember({ licenseRemoved: true });
          ctx.progress('Adding the licenseType attribute…');
          await addWithSettle(ctx, current.id);
          break;
        case 'absent':
          ctx.progress('Adding the licenseType attribute…');
          // A run that removed it moments ago (this one, or one that stopped) may meet the settle.
          await addWithSettle(ctx, current.id);
          break;
      }
      let left: string[] = [];
      for (let i = 0; i < timing.schemaReadbacks; i++) {
        const got = diffLicenseAttribute(await okta.getAppUserSchema(current.id, ctx.signal));
        if (got.state === 'matches') {
          return;
        }
        left = got.state === 'absent' ? ['the attribute is not there'] : got.differences;
        if (i + 1 < timing.schemaReadbacks) {
          ctx.progress('Waiting for Okta to show the saved licenseType attribute…');
          await ctx.clock.sleep(timing.schemaReadbackIntervalMs, ctx.signal);
        }
      }
      throw new WizardError(
        'invalid_response',
        `Okta accepted the licenseType attribute but reads it back different: ${left.join('; ')}.`,
        {
          remediation:
            'Check the attribute in the Profile Editor ("Directory" → "Profile Editor" → the app’s user profile) and run apply again in a few minutes.',
          retryable: true,
        },
      );
    },
    async verify(ctx) {
      const current = await resolveApp(ctx);
      if (!isScimOn(current)) {
        return [
          check(
            ctx,
            'okta.license',
            'pending',
            'The licenseType attribute waits for SCIM provisioning: the wizard adds it once SCIM is on, as its "External namespace" is for SCIM (the console step "Turn on SCIM provisioning").',
          ),
        ];
      }
      const diff = diffLicenseAttribute(await okta.getAppUserSchema(current.id, ctx.signal));
      switch (diff.state) {
        case 'matches':
          return [
            check(
              ctx,
              'okta.license',
              'pass',
              `The app user profile has ${describeLicenseAttribute()}, sent to dbt as licenseType of its SCIM extension.`,
            ),
          ];
        case 'absent':
          return [
            check(
              ctx,
              'okta.license',
              'fail',
              'The app user profile has no licenseType attribute yet: run apply.',
            ),
          ];
        case 'differs':
        case 'wrong_scope':
          return [
            check(
              ctx,
              'okta.license',
              'fail',
              `The licenseType attribute differs from what dbt needs: ${diff.differences.join('; ')}. Run apply to fix it.`,
            ),
          ];
      }
    },
  };

  // -----------------------------------------------------------------------------------------
  // okta.group-push

  async function alignments(ctx: StepContext): Promise<Map<string, AlignedName> | undefined> {
    if (!options.dbtGroups) {
      return undefined;
    }
    try {
      const groups = await options.dbtGroups();
      return new Map(picks.map((p) => [p.oktaGroupId, alignGroupName(p.targetGroupName, groups)]));
    } catch (e) {
      if (ctx.signal.aborted) {
        throw e;
      }
      ctx.log.warn('could not read dbt groups', { code: isWizardError(e) ? e.code : 'internal' });
      return undefined;
    }
  }

  const groupPushWaits = (current: OktaApp): string =>
    `The group pushes wait for "Push Groups" (GROUP_PUSH in the app’s features): tick it in the Integration settings (the console step "Connect Okta to dbt’s SCIM API"): ${consoleLink(adminUrl, current, 'provisioning')}`;

  const groupPush: OktaStep = {
    kind: 'okta.group-push',
    stepId: 'idp',
    title: 'Push groups to dbt',
    async plan(ctx) {
      if (picks.length === 0) {
        return { changes: [] };
      }
      const current = await resolveApp(ctx);
      if (!hasFeature(current, OKTA_FEATURES.groupPush)) {
        return { changes: [] };
      }
      ctx.progress('Reading the group pushes from Okta…');
      const [mappings, appGroups, aligned] = await Promise.all([
        okta.listGroupPushMappings(current.id, ctx.signal),
        okta.listAppGroups(current.id, ctx.signal),
        alignments(ctx),
      ]);
      const changes: Change[] = [];
      for (const pick of picks) {
        if (mappings.some((m) => m.sourceGroupId === pick.oktaGroupId)) {
          continue;
        }
        const link = importedTarget(current.id, pick.targetGroupName, appGroups);
        changes.push({
          id: `okta.group-push.${pick.oktaGroupId}`,
          action: 'add',
          target: `group push "${pick.oktaGroupName}"`,
          detail: describeNewPush(pick, link, aligned?.get(pick.oktaGroupId)),
        });
      }
      return { changes };
    },
    async apply(_plan, ctx) {
      if (picks.length === 0) {
        return;
      }
      const current = await resolveApp(ctx);
      if (!hasFeature(current, OKTA_FEATURES.groupPush)) {
        return;
      }
      const appGroups = await okta.listAppGroups(current.id, ctx.signal);
      for (const pick of picks) {
        // Listed again before each create: a re-run after a failure never makes a second one.
        const mappings = await okta.listGroupPushMappings(current.id, ctx.signal);
        if (mappings.some((m) => m.sourceGroupId === pick.oktaGroupId)) {
          continue;
        }
        const link = importedTarget(current.id, pick.targetGroupName, appGroups);
        ctx.progress(`Pushing the Okta group "${pick.oktaGroupName}" to dbt…`);
        const created = await okta.createGroupPushMapping(
          current.id,
          link
            ? { sourceGroupId: pick.oktaGroupId, targetGroupId: link.id }
            : { sourceGroupId: pick.oktaGroupId, targetGroupName: pick.targetGroupName },
          ctx.signal,
        );
        await ctx.remember({ [`groupPush.${pick.oktaGroupId}`]: created.id });
      }
    },
    async verify(ctx) {
      if (picks.length === 0) {
        return [check(ctx, 'okta.group-push', 'skip', 'No groups were picked to push to dbt.')];
      }
      const current = await resolveApp(ctx);
      if (!hasFeature(current, OKTA_FEATURES.groupPush)) {
        return [check(ctx, 'okta.group-push', 'pending', groupPushWaits(current))];
      }
      const mappings = await okta.listGroupPushMappings(current.id, ctx.signal);
      return picks.map((pick) => {
        const id = `okta.group-push.${pick.oktaGroupId}`;
        const mapping = mappings.find((m) => m.sourceGroupId === pick.oktaGroupId);
        if (!mapping) {
          return check(
            ctx,
            id,
            'fail',
            `Okta does not push the group "${pick.oktaGroupName}" yet: run apply.`,
          );
        }
        const verdict = judgeMapping(pick, mapping);
        return check(ctx, id, verdict.ok ? 'pass' : 'fail', verdict.message);
      });
    },
  };

  // -----------------------------------------------------------------------------------------
  // okta.test-user

  async function requireUser(ctx: StepContext, login: string): Promise<OktaUser> {
    const user = await okta.getUser(login, ctx.signal);
    if (!user) {
      throw new WizardError('not_found', `Okta has no person with the username "${login}".`, {
        remediation:
          'Give the Okta username of an existing person (Directory → People), e.g. ada@acme.com.',
      });
    }
    return user;
  }

  const createUsersWaits =
    'The test waits for "Create Users" (PUSH_NEW_USERS in the app’s features): turn it on in "Provisioning" → "To App" (the console step).';

  const testUserStep: OktaStep | undefined = options.testUser
    ? {
        kind: 'okta.test-user',
        stepId: 'test',
        title: 'Test with a real person',
        async plan(ctx) {
          const { login, licenseType } = options.testUser ?? {
            login: '',
            licenseType: 'read_only',
          };
          const current = await resolveApp(ctx);
          if (!hasFeature(current, OKTA_FEATURES.pushNewUsers)) {
            return { changes: [] };
          }
          const user = await requireUser(ctx, login);
          const assigned = await okta.getAppUser(current.id, user.id, ctx.signal);
          const changes: Change[] = [];
          if (!assigned) {
            changes.push({
              id: 'okta.test-user.assign',
              action: 'add',
              target: `assignment of ${user.login}`,
              detail: `assign ${user.login} to the app "${current.label}" with License Type "${licenseTitle(licenseType)}"`,
            });
          } else if (assigned.licenseType !== licenseType) {
            changes.push({
              id: 'okta.test-user.license',
              action: 'change',
              target: `assignment of ${user.login}`,
              detail: `set the License Type of ${user.login} on the app to "${licenseTitle(licenseType)}" (now: ${assigned.licenseType ? `"${licenseTitle(assigned.licenseType)}"` : 'none'})`,
            });
          }
          changes.push({
            id: 'okta.test-user.push',
            action: 'change',
            target: `dbt user ${user.login}`,
            detail: `wait for Okta to push ${user.login} to dbt and read the user back over SCIM`,
          });
          return { changes };
        },
        async apply(_plan, ctx) {
          const { login, licenseType } = options.testUser ?? {
            login: '',
            licenseType: 'read_only',
          };
          const target = options.dbt;
          const probe = options.probe;
          if (!target?.token || !probe) {
            throw dbtMissing();
          }
          const current = await resolveApp(ctx);
          if (!hasFeature(current, OKTA_FEATURES.pushNewUsers)) {
            return;
          }
          const user = await requireUser(ctx, login);
          ctx.progress(
            `Assigning ${user.login} to the app with License Type "${licenseTitle(licenseType)}"…`,
          );
          const appUser = await okta.assignUser(current.id, user.id, { licenseType }, ctx.signal);
          await ctx.remember({ testUserId: user.id });
          const userName = appUser.userName ?? user.email ?? user.login;
          if (!EMAIL.test(userName)) {
            session.push = { kind: 'not-email', userName };
            return;
          }
          const started = ctx.clock.now().getTime();
          let stale: ScimUserSummary | undefined;
          for (let i = 0; i < timing.pushPolls; i++) {
            const found = await probe.findUser(target.scimUrl, target.token, userName, ctx.signal);
            // A person already in dbt shows the old license type until Okta pushes the new one.
            const upToDate =
              found?.licenseType === undefined ||
              found.licenseType === null ||
              found.licenseType === licenseType;
            if (found && upToDate) {
              session.push = { kind: 'found', user: found };
              return;
            }
            stale = found ?? stale;
            const state = await okta.getAppUser(current.id, user.id, ctx.signal);
            if (state?.syncState === 'ERROR') {
              session.push = { kind: 'sync-error', userName };
              return;
            }
            if (i + 1 < timing.pushPolls) {
              ctx.progress(
                `Waiting for Okta to push ${userName} to dbt… ${seconds(ctx.clock.now().getTime() - started)} s`,
              );
              await ctx.clock.sleep(timing.pushPollIntervalMs, ctx.signal);
            }
          }
          // Still the old license type: verify names what dbt shows.
          session.push = stale
            ? { kind: 'found', user: stale }
            : { kind: 'timeout', userName, waitedMs: ctx.clock.now().getTime() - started };
        },
        async verify(ctx) {
          const { login, licenseType } = options.testUser ?? {
            login: '',
            licenseType: 'read_only',
          };
          const current = await resolveApp(ctx);
          if (!hasFeature(current, OKTA_FEATURES.pushNewUsers)) {
            return [check(ctx, 'okta.test-user', 'pending', createUsersWaits)];
          }
          const user = await requireUser(ctx, login);
          const appUser = await okta.getAppUser(current.id, user.id, ctx.signal);
          const checks: Check[] = [];
          if (!appUser) {
            checks.push(
              check(
                ctx,
                'okta.test-user.assigned',
                'fail',
                `${user.login} is not assigned to the app, so Okta does not push the person: run the test again.`,
              ),
            );
          } else if (appUser.licenseType !== licenseType) {
            checks.push(
              check(
                ctx,
                'okta.test-user.assigned',
                'fail',
                `${user.login} is assigned to the app with License Type ${appUser.licenseType ? `"${licenseTitle(appUser.licenseType)}"` : 'none'}, not "${licenseTitle(licenseType)}".`,
              ),
            );
          } else {
            checks.push(
              check(
                ctx,
                'okta.test-user.assigned',
                'pass',
                `${user.login} is assigned to the app with License Type "${licenseTitle(licenseType)}".`,
              ),
            );
          }
          checks.push(await inDbt(ctx, user, appUser?.userName ?? null, licenseType));
          return checks;
        },
      }
    : undefined;

  async function inDbt(
    ctx: StepContext,
    user: OktaUser,
    appUserName: string | null,
    licenseType: LicenseType,
  ): Promise<Check> {
    const id = 'okta.test-user.in-dbt';
    const push = session.push;
    if (push?.kind === 'not-email') {
      return check(
        ctx,
        id,
        'fail',
        `Okta sends "${push.userName}" as the SCIM userName, not an email: dbt matches users by email and refuses it. Set the application username format to Email first (the "Set the application username format to Email" step), then test again.`,
      );
    }
    if (push?.kind === 'sync-error') {
      return check(
        ctx,
        id,
        'fail',
        `Okta could not push ${push.userName} to dbt: the app’s "Assignments" tab shows the error for the person, and the System Log ("Reports" → "System Log") the cause. Fix it, then test again.`,
      );
    }
    if (push?.kind === 'timeout') {
      return check(
        ctx,
        id,
        'fail',
        `Okta has not pushed ${push.userName} to dbt after ${seconds(push.waitedMs)} s. Check that "Create Users" is on ("Provisioning" → "To App") and "Push New Users" is ticked in the Integration settings, and look for the person in the System Log ("Reports" → "System Log"); then test again.`,
      );
    }
    let found: ScimUserSummary | undefined = push?.kind === 'found' ? push.user : undefined;
    if (!found) {
      const target = options.dbt;
      if (!target?.token || !options.probe) {
        return check(
          ctx,
          id,
          'skip',
          'Not checked in dbt: the dbt SCIM base URL and token are not given.',
        );
      }
      found = await options.probe.findUser(
        target.scimUrl,
        target.token,
        appUserName ?? user.email ?? user.login,
        ctx.signal,
      );
    }
    if (!found) {
      return check(
        ctx,
        id,
        'fail',
        `dbt has no user ${appUserName ?? user.login} yet: run the test to assign the person and wait for Okta’s push.`,
      );
    }
    const dbtLicense = found.licenseType;
    if (dbtLicense === undefined || dbtLicense === null) {
      return check(
        ctx,
        id,
        'pass',
        `dbt has the user ${found.userName} over SCIM (${found.active === false ? 'inactive' : 'active'}); dbt’s SCIM answer does not show the license type.`,
      );
    }
    if (dbtLicense !== licenseType) {
      return check(
        ctx,
        id,
        'fail',
        `dbt has the user ${found.userName}, with the license type ${dbtLicense}, not ${licenseType}: check the licenseType attribute (License step) and that license management via SCIM is on in dbt.`,
      );
    }
    return check(
      ctx,
      id,
      'pass',
      `dbt has the user ${found.userName} over SCIM with the license type ${dbtLicense} (${found.active === false ? 'inactive' : 'active'}).`,
    );
  }

  const all = [app, username, consoleStep, license, groupPush];
  return {
    all,
    app,
    username,
    console: consoleStep,
    license,
    groupPush,
    ...(testUserStep ? { testUser: testUserStep } : {}),
  };
}
