/**
 * The License step's work (rail `license`), each plan → apply → verify:
 *
 * Okta (license types over SCIM, dbt's "Manage user licenses with SCIM"), in dbt's migration order:
 *  - `license.checklist`:    read-only; the four migration steps, each with its verification:
 *                            (1) SCIM on in dbt with the toggle still off, (2) the Okta
 *                            `licenseType` attribute, (3) a test user's license type read back
 *                            over dbt's SCIM API, (4) the toggle;
 *  - `license.okta-mapping`: optional; a group-based licenseType value in the app's profile mapping
 *                            (Okta Expression Language), with Okta's "not reapplied" caveat;
 *  - `license.scim-toggle`:  turns `scim_controlled_license_type` on, only once (1)–(3) pass.
 *
 * Entra ID (dbt takes no license type from Entra over SCIM):
 *  - `license.entra-maps`:   dbt's SSO license maps (Entra group names → license type), with the
 *                            toggle kept off (dbt ignores the maps while it is on).
 *
 * Every write is read back; a re-run converges (the maps are listed again before each write; the
 * ids of maps the wizard made are remembered, never a secret).
 */
import { WizardError, badInput, isAbortError } from '../errors.js';
import type { Change, Check, CheckStatus } from '../model.js';
import type { StepContext, StepDefinition } from '../steps.js';
import type { DbtAdminPort, LicenseMap, ScimConfig, ScimProbePort } from '../dbt/ports.js';
import { describeLicenseAttribute, diffLicenseAttribute } from '../okta/license.js';
import {
  LICENSE_TYPES,
  type LicenseType,
  type OktaPort,
  type OktaProfileMappingPort,
} from '../okta/ports.js';
import {
  NOT_REAPPLIED_CAVEAT,
  buildLicenseExpression,
  cleanRules,
  describeLicenseRules,
  type LicenseExpressionInput,
} from './expression.js';
import { licensesForPlan } from './plan.js';

export const LICENSE_STEP_KINDS = [
  'license.checklist',
  'license.okta-mapping',
  'license.scim-toggle',
  'license.entra-maps',
] as const;
export type LicenseStepKind = (typeof LICENSE_STEP_KINDS)[number];
export type LicenseStep = StepDefinition<LicenseStepKind>;

/** The checklist's items, in dbt's migration order. */
export const CHECKLIST_IDS = {
  scim: 'license.checklist.scim',
  attribute: 'license.checklist.attribute',
  testUser: 'license.checklist.test-user',
  toggle: 'license.checklist.toggle',
} as const;

const TOGGLE_NAME = '"Manage user licenses with SCIM"';
const TOGGLE_TARGET = `dbt ${TOGGLE_NAME}`;

// -------------------------------------------------------------------------------------------
// What the steps keep between runs (never a secret)

export interface LicenseSaved {
  /** Ids of the dbt license maps the wizard created (it may change or remove only these freely). */
  readonly licenseMapIds?: readonly number[];
}

export interface LicenseStateStore {
  load(): Promise<LicenseSaved>;
  save(patch: LicenseSaved): Promise<void>;
}

export class MemoryLicenseStateStore implements LicenseStateStore {
  constructor(public saved: LicenseSaved = {}) {}
  load(): Promise<LicenseSaved> {
    return Promise.resolve({ ...this.saved });
  }
  save(patch: LicenseSaved): Promise<void> {
    this.saved = { ...this.saved, ...patch };
    return Promise.resolve();
  }
}

// -------------------------------------------------------------------------------------------
// Options

export interface LicenseOktaSide {
  readonly port: OktaPort;
  /** The dbt SSO app in Okta (chosen in the Okta step). */
  readonly appId: string;
  /** Profile mappings (the optional license-by-group expression). */
  readonly mappings?: OktaProfileMappingPort;
}

export interface LicenseSetupOptions {
  readonly admin: DbtAdminPort;
  /** The Okta side (the Okta path); without it the attribute item waits for the Okta connection. */
  readonly okta?: LicenseOktaSide;
  /** dbt's SCIM API, to read the test user back. */
  readonly scim?: {
    readonly port: ScimProbePort;
    readonly scimUrl: string;
    readonly token?: string;
  };
  /** The dbt userName (email) of a person Okta pushed with a License Type (the Test step's user). */
  readonly testUserName?: string;
  /** The optional group-based licenseType value (Okta). */
  readonly oktaMapping?: LicenseExpressionInput;
  /** Entra: license type → the Entra group names whose members get it at SSO sign-in. */
  readonly entraMaps?: Readonly<Partial<Record<LicenseType, readonly string[]>>>;
  readonly store?: LicenseStateStore;
}

export interface LicenseSteps {
  readonly checklist: LicenseStep;
  readonly toggle: LicenseStep;
  readonly oktaMapping?: LicenseStep;
  readonly entraMaps: LicenseStep;
  /** The Okta path in run order: the mapping (when asked for), the toggle, then the checklist. */
  readonly okta: readonly LicenseStep[];
  /** The Entra path. */
  readonly entra: readonly LicenseStep[];
}

// -------------------------------------------------------------------------------------------
// Helpers

function titleOf(value: string): string {
  return LICENSE_TYPES.find((t) => t.value === value)?.title ?? value;
}

function quoteList(names: readonly string[]): string {
  return names.length === 0 ? 'no groups' : names.map((n) => `"${n}"`).join(', ');
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}

/** The first three items, as the toggle needs them. */
interface Readiness {
  readonly config: ScimConfig;
  readonly items: readonly Check[];
}

// -------------------------------------------------------------------------------------------
// The steps

export function createLicenseSteps(options: LicenseSetupOptions): LicenseSteps {
  const { admin } = options;
  const store = options.store ?? new MemoryLicenseStateStore();
  const at = (ctx: StepContext): string => ctx.clock.now().toISOString();
  const check = (ctx: StepContext, id: string, status: CheckStatus, message: string): Check => ({
    id,
    status,
    message,
    at: at(ctx),
  });

  // -----------------------------------------------------------------------------------------
  // The checklist's items

  function scimItem(ctx: StepContext, config: ScimConfig): Check {
    if (!config.enabled) {
      return check(
        ctx,
        CHECKLIST_IDS.scim,
        'pending',
        `1. Set up SCIM with ${TOGGLE_NAME} off: SCIM is still off in dbt. Finish the dbt step ("Turn SCIM on in dbt") first.`,
      );
    }
    return check(
      ctx,
      CHECKLIST_IDS.scim,
      'pass',
      config.scimControlledLicenseType
        ? `1. Set up SCIM: SCIM is on in dbt. Note: ${TOGGLE_NAME} is already on, so dbt already ignores its license mappings and takes license types from SCIM only.`
        : `1. Set up SCIM with ${TOGGLE_NAME} off: SCIM is on and the toggle is off, so dbt’s existing license mappings keep working while you migrate.`,
    );
  }

  async function attributeItem(ctx: StepContext): Promise<Check> {
    const id = CHECKLIST_IDS.attribute;
    const okta = options.okta;
    if (!okta) {
      return check(
        ctx,
        id,
        'pending',
        '2. Add the licenseType attribute in Okta: not checked, as Okta is not connected. Sign in to Okta and choose the dbt app in the Okta step.',
      );
    }
    const diff = diffLicenseAttribute(await okta.port.getAppUserSchema(okta.appId, ctx.signal));
    switch (diff.state) {
      case 'matches':
        return check(
          ctx,
          id,
          'pass',
          `2. Add the licenseType attribute in Okta: the app user profile has ${describeLicenseAttribute()}.`,
        );
      case 'absent':
        return check(
          ctx,
          id,
          'pending',
          '2. Add the licenseType attribute in Okta: the app user profile has none yet. Apply the Okta step "Add the licenseType attribute".',
        );
      case 'differs':
      case 'wrong_scope':
        return check(
          ctx,
          id,
          'fail',
          `2. Add the licenseType attribute in Okta: it differs from what dbt needs (${diff.differences.join('; ')}). Apply the Okta step "Add the licenseType attribute" to fix it.`,
        );
    }
  }

  const HOW_TO_TEST =
    'Run the Test step with a person and a License Type (in the wizard, or the CLI’s --test-user), then check again.';

  async function testUserItem(ctx: StepContext): Promise<Check> {
    const id = CHECKLIST_IDS.testUser;
    const scim = options.scim;
    const userName = options.testUserName;
    const title = '3. Test that dbt takes the license type from SCIM';
    if (!userName) {
      return check(ctx, id, 'pending', `${title}: no test user yet. ${HOW_TO_TEST}`);
    }
    if (!scim?.token) {
      return check(
        ctx,
        id,
        'pending',
        `${title}: dbt’s SCIM base URL and token are needed to read ${userName} back. Save the SCIM token in the dbt step.`,
      );
    }
    const found = await scim.port.findUser(scim.scimUrl, scim.token, userName, ctx.signal);
    if (!found) {
      return check(ctx, id, 'pending', `${title}: dbt has no user ${userName} yet. ${HOW_TO_TEST}`);
    }
    const dbtLicense = found.licenseType;
    if (dbtLicense === undefined || dbtLicense === null || dbtLicense === '') {
      return check(
        ctx,
        id,
        'pending',
        `${title}: dbt has ${found.userName}, but its SCIM answer shows no license type: Okta has not sent one. Set License Type on the person’s assignment (the Test step does), then check again.`,
      );
    }
    const expected = await oktaLicenseOf(ctx, userName);
    if (expected && expected !== dbtLicense) {
      return check(
        ctx,
        id,
        'fail',
        `${title}: Okta assigns ${found.userName} the License Type "${titleOf(expected)}", but dbt shows ${dbtLicense}. Check the attribute's "External namespace" and that Okta pushed the latest change (the app's "Assignments" tab), then test again.`,
      );
    }
    return check(
      ctx,
      id,
      'pass',
      `${title}: dbt reads ${found.userName} over SCIM with the license type ${dbtLicense}${expected ? ', as Okta assigns it' : ''}.`,
    );
  }

  /** The License Type Okta assigns the person, when Okta is connected and says. */
  async function oktaLicenseOf(ctx: StepContext, userName: string): Promise<string | undefined> {
    const okta = options.okta;
    if (!okta) {
      return undefined;
    }
    try {
      const user = await okta.port.getUser(userName, ctx.signal);
      const appUser = user
        ? await okta.port.getAppUser(okta.appId, user.id, ctx.signal)
        : undefined;
      return appUser?.licenseType ?? undefined;
    } catch (e) {
      if (isAbortError(e)) {
        throw e;
      }
      // The comparison is a bonus: dbt's answer alone decides the item.
      ctx.log.warn('could not read the test user from Okta');
      return undefined;
    }
  }

  function toggleItem(ctx: StepContext, config: ScimConfig, ready: boolean): Check {
    if (config.scimControlledLicenseType) {
      return check(
        ctx,
        CHECKLIST_IDS.toggle,
        'pass',
        `4. Turn on ${TOGGLE_NAME}: it is on; SCIM is dbt’s source of truth for license types and existing license mappings are ignored.`,
      );
    }
    return check(
      ctx,
      CHECKLIST_IDS.toggle,
      'pending',
      ready
        ? `4. Turn on ${TOGGLE_NAME}: steps 1–3 pass; apply "Turn on SCIM-managed license types" to make SCIM the source of truth (existing license mappings in dbt are then ignored).`
        : `4. Turn on ${TOGGLE_NAME}: waits for steps 1–3.`,
    );
  }

  async function readiness(ctx: StepContext): Promise<Readiness> {
    ctx.progress('Reading the SCIM settings from dbt…');
    const config = await admin.getScimConfig(ctx.signal);
    ctx.progress('Checking the licenseType attribute and the test user…');
    const items = [scimItem(ctx, config), await attributeItem(ctx), await testUserItem(ctx)];
    return { config, items };
  }

  const passes = (r: Readiness): boolean => r.items.every((c) => c.status === 'pass');

  const checklist: LicenseStep = {
    kind: 'license.checklist',
    stepId: 'license',
    title: 'License types over SCIM: the migration checklist',
    plan() {
      return Promise.resolve({ changes: [] });
    },
    apply() {
      // Read-only: verify reads each item.
      return Promise.resolve();
    },
    async verify(ctx) {
      const r = await readiness(ctx);
      return [...r.items, toggleItem(ctx, r.config, passes(r))];
    },
  };

  // -----------------------------------------------------------------------------------------
  // license.scim-toggle

  function notReady(r: Readiness): WizardError {
    const missing = r.items.filter((c) => c.status !== 'pass');
    return new WizardError(
      'conflict',
      `${TOGGLE_NAME} stays off until steps 1–3 pass: ${missing.map((c) => c.message).join(' ')}`,
      {
        remediation:
          'Finish the steps named, then plan again: dbt ignores its existing license mappings as soon as the toggle is on, so it is turned on only once Okta is proven to send license types.',
      },
    );
  }

  const toggle: LicenseStep = {
    kind: 'license.scim-toggle',
    stepId: 'license',
    title: 'Turn on SCIM-managed license types',
    async plan(ctx) {
      const r = await readiness(ctx);
      if (r.config.scimControlledLicenseType) {
        return { changes: [] };
      }
      if (!passes(r)) {
        throw notReady(r);
      }
      return {
        changes: [
          {
            id: 'license.scim-toggle',
            action: 'change',
            target: TOGGLE_TARGET,
            detail:
              'turn on "SCIM-managed license types" (existing license mappings in dbt are then ignored)',
          },
        ],
      };
    },
    async apply(plan, ctx) {
      if (plan.changes.length === 0) {
        return;
      }
      // Read again: the other two settings are sent back exactly as dbt has them now.
      const current = await admin.getScimConfig(ctx.signal);
      if (current.scimControlledLicenseType) {
        return;
      }
      if (!current.enabled) {
        throw new WizardError('conflict', 'SCIM was turned off in dbt since the plan.', {
          remediation: 'Turn SCIM on again (the dbt step), then plan again.',
        });
      }
      ctx.progress(`Turning on ${TOGGLE_NAME} in dbt…`);
      await admin.setScimConfig({ ...current, scimControlledLicenseType: true }, ctx.signal);
    },
    async verify(ctx) {
      const got = await admin.getScimConfig(ctx.signal);
      return [
        got.scimControlledLicenseType
          ? check(
              ctx,
              'license.scim-toggle',
              'pass',
              `${TOGGLE_NAME} is on: dbt takes license types from SCIM and ignores its license mappings.`,
            )
          : check(
              ctx,
              'license.scim-toggle',
              'fail',
              `${TOGGLE_NAME} is still off in dbt: run apply once steps 1–3 of the checklist pass.`,
            ),
      ];
    },
  };

  // -----------------------------------------------------------------------------------------
  // license.okta-mapping (optional)

  const MAPPING_PROPERTY = 'licenseType';

  function mappingPorts(): { okta: LicenseOktaSide; mappings: OktaProfileMappingPort } {
    const okta = options.okta;
    if (!okta?.mappings) {
      throw badInput(
        'The group-based license type needs the Okta connection with profile mappings.',
        'Sign in to Okta (with the okta.profileMappings.manage scope) and choose the dbt app in the Okta step.',
      );
    }
    return { okta, mappings: okta.mappings };
  }

  async function findMapping(ctx: StepContext) {
    const { okta, mappings } = mappingPorts();
    const mapping = await mappings.findProfileMapping(undefined, okta.appId, ctx.signal);
    if (!mapping) {
      throw new WizardError(
        'not_found',
        `Okta has no profile mapping from Okta users to the app ${okta.appId}.`,
        {
          remediation:
            'Open the app in the Okta admin console → "Provisioning" → "To App" → "Edit Mappings" once (Okta creates the mapping with the app), then plan again.',
        },
      );
    }
    return mapping;
  }

  const oktaMappingInput = options.oktaMapping ? cleanRules(options.oktaMapping) : undefined;

  const oktaMapping: LicenseStep | undefined = oktaMappingInput
    ? {
        kind: 'license.okta-mapping',
        stepId: 'license',
        title: 'Set License Type from Okta groups (optional)',
        async plan(ctx) {
          const { okta } = mappingPorts();
          const expression = buildLicenseExpression(oktaMappingInput);
          // dbt refuses a license type the plan lacks when Okta pushes it: refuse it here first.
          const offered = licensesForPlan((await admin.getAccount(ctx.signal)).plan);
          for (const type of [
            ...oktaMappingInput.rules.map((r) => r.licenseType),
            oktaMappingInput.defaultLicenseType,
          ]) {
            const why = offered.notOffered[type];
            if (why) {
              throw badInput(why, 'Choose license types the account’s plan offers.');
            }
          }
          ctx.progress('Reading the app user profile and its mapping from Okta…');
          const attribute = diffLicenseAttribute(
            await okta.port.getAppUserSchema(okta.appId, ctx.signal),
          );
          if (attribute.state !== 'matches') {
            throw new WizardError(
              'conflict',
              'The licenseType attribute is not in place in Okta yet, so no mapping can fill it.',
              { remediation: 'Apply the Okta step "Add the licenseType attribute" first.' },
            );
          }
          const mapping = await findMapping(ctx);
          const current = mapping.properties[MAPPING_PROPERTY];
          if (current?.expression === expression && current.pushStatus === 'PUSH') {
            return { changes: [] };
          }
          return {
            changes: [
              {
                id: 'license.okta-mapping',
                action: current ? 'change' : 'add',
                target: 'Okta profile mapping licenseType',
                detail: `set licenseType in the Okta → dbt app profile mapping to ${expression} (${describeLicenseRules(oktaMappingInput)}; applied on create and update)${current ? `, replacing ${current.expression}` : ''}. ${NOT_REAPPLIED_CAVEAT}`,
              },
            ],
          };
        },
        async apply(plan, ctx) {
          if (plan.changes.length === 0) {
            return;
          }
          const { mappings } = mappingPorts();
          const mapping = await findMapping(ctx);
          ctx.progress('Saving the licenseType expression in Okta…');
          await mappings.updateProfileMapping(
            mapping.id,
            {
              [MAPPING_PROPERTY]: {
                expression: buildLicenseExpression(oktaMappingInput),
                pushStatus: 'PUSH',
              },
            },
            ctx.signal,
          );
          await ctx.remember({ profileMappingId: mapping.id });
        },
        async verify(ctx) {
          const expression = buildLicenseExpression(oktaMappingInput);
          const mapping = await findMapping(ctx);
          const current = mapping.properties[MAPPING_PROPERTY];
          if (current?.expression === expression && current.pushStatus === 'PUSH') {
            return [
              check(
                ctx,
                'license.okta-mapping',
                'pass',
                `Okta sets licenseType from groups (${describeLicenseRules(oktaMappingInput)}). ${NOT_REAPPLIED_CAVEAT}`,
              ),
            ];
          }
          return [
            check(
              ctx,
              'license.okta-mapping',
              'fail',
              current
                ? `Okta’s licenseType mapping is ${current.expression} (${current.pushStatus === 'PUSH' ? 'on create and update' : 'on create only'}), not ${expression} on create and update: run apply.`
                : 'Okta’s profile mapping does not set licenseType: run apply.',
            ),
          ];
        },
      }
    : undefined;

  // -----------------------------------------------------------------------------------------
  // license.entra-maps

  interface MapOp {
    readonly change: Change;
    readonly run: (ctx: StepContext) => Promise<void>;
  }

  /** The desired maps, checked against dbt's license types and the account's plan. */
  async function desiredMaps(
    ctx: StepContext,
  ): Promise<{ licenseType: LicenseType; groups: string[] }[]> {
    const wish = options.entraMaps ?? {};
    const out: { licenseType: LicenseType; groups: string[] }[] = [];
    const owner = new Map<string, LicenseType>();
    for (const { value } of LICENSE_TYPES) {
      const raw = wish[value];
      if (!raw) {
        continue;
      }
      const groups = [...new Set(raw.map((g) => g.trim()).filter((g) => g !== ''))];
      if (groups.length === 0) {
        continue;
      }
      for (const g of groups) {
        const other = owner.get(g);
        if (other) {
          throw badInput(
            `The Entra group "${g}" is mapped to both ${titleOf(other)} and ${titleOf(value)}.`,
            'Give each group one license type (dbt gives Developer when a person’s groups map to several).',
          );
        }
        owner.set(g, value);
      }
      out.push({ licenseType: value, groups });
    }
    for (const key of Object.keys(wish)) {
      if (!LICENSE_TYPES.some((t) => t.value === key)) {
        throw badInput(
          `"${key}" is not a dbt license type.`,
          `Use ${LICENSE_TYPES.map((t) => t.value).join(', ')}.`,
        );
      }
    }
    if (out.length > 0) {
      const account = await admin.getAccount(ctx.signal);
      const plan = licensesForPlan(account.plan);
      for (const d of out) {
        const why = plan.notOffered[d.licenseType];
        if (why) {
          throw badInput(why, 'Map those groups to a license type the plan offers.');
        }
      }
    }
    return out;
  }

  async function mapOps(ctx: StepContext): Promise<MapOp[]> {
    const desired = await desiredMaps(ctx);
    ctx.progress('Reading the license maps from dbt…');
    const maps = await admin.listLicenseMaps(ctx.signal);
    const owned = new Set((await store.load()).licenseMapIds ?? []);
    const ops: MapOp[] = [];
    const handled = new Set<number>();
    const describe = (m: LicenseMap): string =>
      `dbt license map ${titleOf(m.licenseType)} (id ${m.id})`;
    for (const d of desired) {
      const same = maps.filter((m) => m.licenseType === d.licenseType);
      const target = same.find((m) => owned.has(m.id)) ?? same[0];
      if (!target) {
        ops.push({
          change: {
            id: `license.map.${d.licenseType}`,
            action: 'add',
            target: `dbt license map ${titleOf(d.licenseType)}`,
            detail: `add a dbt license map: members of ${quoteList(d.groups)} get ${titleOf(d.licenseType)} licenses at SSO sign-in`,
          },
          run: async (c) => {
            // Listed again first: a run that stopped after creating it must not make a second one.
            const again = (await admin.listLicenseMaps(c.signal)).find(
              (m) => m.licenseType === d.licenseType && sameSet(m.groups, d.groups),
            );
            const made =
              again ??
              (await admin.createLicenseMap(
                { licenseType: d.licenseType, groups: d.groups },
                c.signal,
              ));
            const ids = new Set((await store.load()).licenseMapIds ?? []);
            ids.add(made.id);
            await store.save({ licenseMapIds: [...ids] });
            await c.remember({ [`licenseMap.${d.licenseType}`]: made.id });
          },
        });
        continue;
      }
      handled.add(target.id);
      if (!sameSet(target.groups, d.groups)) {
        const adding = d.groups.filter((g) => !target.groups.includes(g));
        const removing = target.groups.filter((g) => !d.groups.includes(g));
        const parts = [
          ...(adding.length > 0 ? [`add ${quoteList(adding)}`] : []),
          ...(removing.length > 0 ? [`remove ${quoteList(removing)}`] : []),
        ];
        ops.push({
          change: {
            id: `license.map.${d.licenseType}`,
            action: 'change',
            target: describe(target),
            detail: `change ${describe(target)}${owned.has(target.id) ? '' : ' (made outside the wizard)'}: ${parts.join(', ')}; then members of ${quoteList(d.groups)} get ${titleOf(d.licenseType)}`,
          },
          run: async (c) => {
            await admin.updateLicenseMap(
              target.id,
              { licenseType: d.licenseType, groups: d.groups },
              c.signal,
            );
          },
        });
      }
    }
    // Maps the wizard made for a license type no longer wished for: removed, listed in the plan.
    for (const m of maps) {
      if (!owned.has(m.id) || handled.has(m.id)) {
        continue;
      }
      if (desired.some((d) => d.licenseType === m.licenseType)) {
        continue;
      }
      ops.push({
        change: {
          id: `license.map.remove.${m.id}`,
          action: 'remove',
          target: describe(m),
          detail: `remove ${describe(m)} for ${quoteList(m.groups)}: the wizard made it and ${titleOf(m.licenseType)} is no longer mapped`,
        },
        run: async (c) => {
          await admin.deleteLicenseMap(m.id, c.signal);
          const ids = ((await store.load()).licenseMapIds ?? []).filter((id) => id !== m.id);
          await store.save({ licenseMapIds: ids });
          await c.remember({ licenseMapRemoved: m.id });
        },
      });
    }
    return ops;
  }

  function toggleOffCheck(ctx: StepContext, config: ScimConfig): Check {
    return config.scimControlledLicenseType
      ? check(
          ctx,
          'license.entra.scim-toggle',
          'fail',
          `${TOGGLE_NAME} is on in dbt, so dbt ignores these license maps: dbt takes no license type from Entra ID over SCIM, so with Entra it must stay off. Turn it off in dbt (Account settings → SSO & SCIM).`,
        )
      : check(
          ctx,
          'license.entra.scim-toggle',
          'pass',
          `${TOGGLE_NAME} is off in dbt, so dbt applies its license maps at SSO sign-in (dbt takes no license type from Entra ID over SCIM).`,
        );
  }

  let planned: MapOp[] = [];

  const entraMaps: LicenseStep = {
    kind: 'license.entra-maps',
    stepId: 'license',
    title: 'Map Entra groups to dbt license types',
    async plan(ctx) {
      planned = await mapOps(ctx);
      return { changes: planned.map((o) => o.change) };
    },
    async apply(plan, ctx) {
      const wanted = new Set(plan.changes.map((c) => c.id));
      for (const op of planned) {
        // Only what the reviewed plan lists.
        if (wanted.has(op.change.id)) {
          ctx.progress(`${op.change.detail}…`);
          await op.run(ctx);
        }
      }
    },
    async verify(ctx) {
      const desired = await desiredMaps(ctx);
      const [maps, config] = await Promise.all([
        admin.listLicenseMaps(ctx.signal),
        admin.getScimConfig(ctx.signal),
      ]);
      const checks: Check[] = desired.map((d) => {
        const id = `license.map.${d.licenseType}`;
        const found = maps.find(
          (m) => m.licenseType === d.licenseType && sameSet(m.groups, d.groups),
        );
        if (found) {
          return check(
            ctx,
            id,
            'pass',
            `dbt gives ${titleOf(d.licenseType)} licenses to members of ${quoteList(d.groups)} (license map ${found.id}).`,
          );
        }
        const other = maps.find((m) => m.licenseType === d.licenseType);
        return check(
          ctx,
          id,
          'fail',
          other
            ? `dbt’s ${titleOf(d.licenseType)} license map (id ${other.id}) has ${quoteList(other.groups)}, not ${quoteList(d.groups)}: run apply.`
            : `dbt has no ${titleOf(d.licenseType)} license map yet: run apply.`,
        );
      });
      if (desired.length === 0) {
        checks.push(
          check(ctx, 'license.map', 'skip', 'No Entra groups were mapped to license types.'),
        );
      }
      checks.push(toggleOffCheck(ctx, config));
      return checks;
    },
  };

  return {
    checklist,
    toggle,
    ...(oktaMapping ? { oktaMapping } : {}),
    entraMaps,
    okta: [...(oktaMapping ? [oktaMapping] : []), toggle, checklist],
    entra: [entraMaps],
  };
}
