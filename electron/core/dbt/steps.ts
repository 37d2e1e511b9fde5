/**
 * The dbt side's steps, each plan → apply → verify over the Admin API port:
 *  - `dbt.scim-config`: SCIM on, "Allow manual updates" and "Manage user licenses with SCIM";
 *  - `dbt.ip-allowlist`: an allow rule for the identity provider's provisioning ranges;
 *  - `dbt.scim-token`: a named SCIM token, created once, its value straight into the secret store.
 */
import type { Change, Check, Idp } from '../model.js';
import type { StepContext, StepDefinition, StepPlan } from '../steps.js';
import { WizardError } from '../errors.js';
import type { DbtAdminPort, IpRule, ScimConfig, ScimProbePort, ScimTokenInfo } from './ports.js';
import { IDP_NAMES } from './prerequisites.js';

function now(ctx: StepContext): string {
  return ctx.clock.now().toISOString();
}

function onOff(v: boolean): string {
  return v ? 'on' : 'off';
}

// -------------------------------------------------------------------------------------------
// SCIM configuration

export interface ScimConfigWish {
  /** Default false: dbt recommends keeping manual updates off. */
  readonly manualUpdatesAllowed?: boolean;
  /** Left as it is when absent: the License step turns it on after its migration. */
  readonly scimControlledLicenseType?: boolean;
}

export function desiredScimConfig(current: ScimConfig, wish: ScimConfigWish): ScimConfig {
  return {
    enabled: true,
    manualUpdatesAllowed: wish.manualUpdatesAllowed ?? false,
    scimControlledLicenseType: wish.scimControlledLicenseType ?? current.scimControlledLicenseType,
  };
}

export function diffScimConfig(current: ScimConfig, desired: ScimConfig): Change[] {
  const changes: Change[] = [];
  if (current.enabled !== desired.enabled) {
    changes.push({
      id: 'scim.enabled',
      action: 'change',
      target: 'dbt SCIM',
      detail: `turn SCIM ${onOff(desired.enabled)}`,
    });
  }
  if (current.manualUpdatesAllowed !== desired.manualUpdatesAllowed) {
    changes.push({
      id: 'scim.manual-updates',
      action: 'change',
      target: 'dbt "Allow manual updates"',
      detail: `turn "Allow manual updates" ${onOff(desired.manualUpdatesAllowed)}${desired.manualUpdatesAllowed ? '' : ' (dbt recommends off)'}`,
    });
  }
  if (current.scimControlledLicenseType !== desired.scimControlledLicenseType) {
    changes.push({
      id: 'scim.license-type',
      action: 'change',
      target: 'dbt "Manage user licenses with SCIM"',
      detail: `turn "Manage user licenses with SCIM" ${onOff(desired.scimControlledLicenseType)}${desired.scimControlledLicenseType ? ' (existing license mappings are then ignored)' : ''}`,
    });
  }
  return changes;
}

export function scimConfigStep(
  admin: DbtAdminPort,
  wish: ScimConfigWish,
): StepDefinition<'dbt.scim-config'> {
  let desired: ScimConfig | undefined;
  return {
    kind: 'dbt.scim-config',
    stepId: 'dbt',
    title: 'Turn SCIM on in dbt',
    async plan(ctx) {
      ctx.progress('Reading the SCIM settings from dbt…');
      const current = await admin.getScimConfig(ctx.signal);
      desired = desiredScimConfig(current, wish);
      return { changes: diffScimConfig(current, desired) };
    },
    async apply(plan, ctx) {
      if (plan.changes.length === 0 || !desired) {
        return;
      }
      ctx.progress('Saving the SCIM settings in dbt…');
      await admin.setScimConfig(desired, ctx.signal);
    },
    async verify(ctx) {
      ctx.progress('Reading the SCIM settings back…');
      const got = await admin.getScimConfig(ctx.signal);
      const want = desired ?? desiredScimConfig(got, wish);
      const at = now(ctx);
      const check = (id: string, ok: boolean, yes: string, no: string): Check => ({
        id,
        status: ok ? 'pass' : 'fail',
        message: ok ? yes : no,
        at,
      });
      return [
        check('scim.enabled', got.enabled, 'SCIM is on in dbt.', 'SCIM is still off in dbt.'),
        check(
          'scim.manual-updates',
          got.manualUpdatesAllowed === want.manualUpdatesAllowed,
          `"Allow manual updates" is ${onOff(got.manualUpdatesAllowed)}.`,
          `"Allow manual updates" is ${onOff(got.manualUpdatesAllowed)}, expected ${onOff(want.manualUpdatesAllowed)}.`,
        ),
        check(
          'scim.license-type',
          got.scimControlledLicenseType === want.scimControlledLicenseType,
          `"Manage user licenses with SCIM" is ${onOff(got.scimControlledLicenseType)}.`,
          `"Manage user licenses with SCIM" is ${onOff(got.scimControlledLicenseType)}, expected ${onOff(want.scimControlledLicenseType)}.`,
        ),
      ];
    },
  };
}

// -------------------------------------------------------------------------------------------
// IP allow rule for the identity provider's provisioning traffic

export function ipRuleName(idp: Idp): string {
  return `SCIM provisioning (${IDP_NAMES[idp]})`;
}

function coveredCidrs(rules: readonly IpRule[], idp: Idp): Set<string> {
  const prefix = ipRuleName(idp);
  return new Set(
    rules.filter((r) => r.type === 'allow' && r.name.startsWith(prefix)).flatMap((r) => r.cidrs),
  );
}

export function ipAllowlistStep(
  admin: DbtAdminPort,
  idp: Idp,
  cidrs: readonly string[],
): StepDefinition<'dbt.ip-allowlist'> {
  let missing: string[] = [];
  let ruleSetEnabled = true;
  let existingOurs = 0;
  return {
    kind: 'dbt.ip-allowlist',
    stepId: 'prerequisites',
    title: 'Allow the identity provider through dbt’s IP restrictions',
    async plan(ctx) {
      if (cidrs.length === 0) {
        throw new WizardError('bad_input', 'No address ranges were given.', {
          remediation: 'Paste the identity provider’s published ranges, one per line.',
        });
      }
      ctx.progress('Reading dbt’s IP restriction rules…');
      const rules = await admin.listIpRules(ctx.signal);
      const covered = coveredCidrs(rules, idp);
      existingOurs = rules.filter((r) => r.name.startsWith(ipRuleName(idp))).length;
      // dbt requires rule_set_enabled to be the same on every rule.
      ruleSetEnabled = rules[0]?.ruleSetEnabled ?? true;
      missing = cidrs.filter((c) => !covered.has(c));
      if (missing.length === 0) {
        return { changes: [] };
      }
      return {
        changes: [
          {
            id: 'ip.allow',
            action: 'add',
            target: `dbt IP rule "${ipRuleName(idp)}"`,
            detail: `add allow rule "${ipRuleName(idp)}" for ${missing.length} range${missing.length === 1 ? '' : 's'}: ${missing.slice(0, 6).join(', ')}${missing.length > 6 ? ', …' : ''}`,
          },
        ],
      };
    },
    async apply(plan, ctx) {
      if (plan.changes.length === 0) {
        return;
      }
      ctx.progress('Adding the allow rule in dbt…');
      const name = existingOurs === 0 ? ipRuleName(idp) : `${ipRuleName(idp)} ${existingOurs + 1}`;
      const rule = await admin.createIpRule(
        {
          name,
          description: `Allows ${IDP_NAMES[idp]} SCIM provisioning. Added by dbt SCIM Wizard.`,
          type: 'allow',
          cidrs: missing,
          ruleSetEnabled,
        },
        ctx.signal,
      );
      await ctx.remember({ ipRuleId: rule.id });
    },
    async verify(ctx) {
      const rules = await admin.listIpRules(ctx.signal);
      const covered = coveredCidrs(rules, idp);
      const absent = cidrs.filter((c) => !covered.has(c));
      return [
        absent.length === 0
          ? {
              id: 'ip.allow',
              status: 'pass',
              message: `dbt allows all ${cidrs.length} range${cidrs.length === 1 ? '' : 's'} of ${IDP_NAMES[idp]}.`,
              at: now(ctx),
            }
          : {
              id: 'ip.allow',
              status: 'fail',
              message: `dbt does not allow ${absent.join(', ')} yet.`,
              at: now(ctx),
            },
      ];
    },
  };
}

// -------------------------------------------------------------------------------------------
// SCIM token

export function defaultTokenName(idp: Idp | null, at: Date): string {
  return `scim-${idp ?? 'idp'}-${at.toISOString().slice(0, 10)}`;
}

/** Where a created token's value goes at once, and what the wizard already holds. */
export interface TokenKeeper {
  /** The dbt id of the token whose value is saved, if any. */
  savedTokenId(): Promise<number | undefined>;
  /** Saves the value (encrypted) and its dbt id; called right after dbt returns it. */
  save(token: ScimTokenInfo, value: string): Promise<void>;
  /** The saved value, for the verification probe. */
  value(): Promise<string | undefined>;
}

export interface ScimTokenStepOptions {
  readonly admin: DbtAdminPort;
  readonly keeper: TokenKeeper;
  readonly name: string;
  /** When given, verify proves the saved token against dbt's SCIM API. */
  readonly probe?: { readonly port: ScimProbePort; readonly scimUrl: string };
}

export function scimTokenStep(options: ScimTokenStepOptions): StepDefinition<'dbt.scim-token'> {
  const { admin, keeper } = options;
  let orphans: ScimTokenInfo[] = [];
  let name = options.name;
  return {
    kind: 'dbt.scim-token',
    stepId: 'dbt',
    title: 'Create the SCIM token',
    async plan(ctx): Promise<StepPlan> {
      ctx.progress('Looking up the SCIM tokens in dbt…');
      const savedId = await keeper.savedTokenId();
      if (savedId !== undefined && (await admin.getScimToken(savedId, ctx.signal))) {
        return { changes: [] };
      }
      // A token with our name whose value we do not hold was created by a run that stopped
      // before saving it: its value is lost, so it is replaced rather than duplicated.
      const list = (await admin.listScimTokens(ctx.signal)) ?? [];
      orphans = list.filter(
        (t) => t.name === options.name && t.id !== savedId && t.lastUsed === null,
      );
      // A token of that name that something already uses is not ours to touch: pick another name.
      const taken = new Set(list.filter((t) => !orphans.includes(t)).map((t) => t.name));
      name = options.name;
      for (let i = 2; taken.has(name); i++) {
        name = `${options.name}-${i}`;
      }
      const changes: Change[] = orphans.map((t) => ({
        id: `token.orphan.${t.id}`,
        action: 'remove',
        target: `dbt SCIM token "${t.name}" (id ${t.id})`,
        detail: `delete SCIM token "${t.name}" (id ${t.id}): an interrupted run created it and its value was never saved`,
      }));
      changes.push({
        id: 'token.create',
        action: 'add',
        target: `dbt SCIM token "${name}"`,
        detail: `create SCIM token "${name}" and keep it encrypted on this computer`,
      });
      return { changes };
    },
    async apply(plan, ctx) {
      if (plan.changes.length === 0) {
        return;
      }
      for (const t of orphans) {
        ctx.progress(`Deleting the unusable token "${t.name}"…`);
        await admin.deleteScimToken(t.id, ctx.signal);
      }
      ctx.progress(`Creating the SCIM token "${name}"…`);
      const { token, value } = await admin.createScimToken(name, ctx.signal);
      await keeper.save(token, value);
      await ctx.remember({ tokenId: token.id });
    },
    async verify(ctx) {
      const at = now(ctx);
      const savedId = await keeper.savedTokenId();
      const info =
        savedId === undefined ? undefined : await admin.getScimToken(savedId, ctx.signal);
      const checks: Check[] = [
        info
          ? {
              id: 'token.exists',
              status: 'pass',
              message: `dbt has the SCIM token "${info.name}" (id ${info.id}).`,
              at,
            }
          : {
              id: 'token.exists',
              status: 'fail',
              message: 'dbt has no SCIM token that this computer holds the value of.',
              at,
            },
      ];
      const value = await keeper.value();
      if (options.probe && value && info) {
        ctx.progress('Checking the token against dbt’s SCIM API…');
        const result = await options.probe.port.probe({
          scimUrl: options.probe.scimUrl,
          token: value,
          signal: ctx.signal,
        });
        const users = result.checks.find((c) => c.id === 'scim.users.list');
        checks.push(
          users?.status === 'pass'
            ? {
                id: 'token.works',
                status: 'pass',
                message: 'dbt’s SCIM API accepts the token.',
                at,
              }
            : {
                id: 'token.works',
                status: 'fail',
                message: users?.message ?? 'dbt’s SCIM API did not accept the token.',
                at,
              },
        );
      }
      return checks;
    },
  };
}

/**
 * Which tokens the identity provider probably uses: used in the last 14 days, or the most
 * recently used one. Deleting one of them needs an explicit choice.
 */
export function tokensInUse(tokens: readonly ScimTokenInfo[], at: Date): Set<number> {
  const used = tokens.filter((t) => t.lastUsed !== null);
  const inUse = new Set<number>();
  const fortnight = 14 * 24 * 3600 * 1000;
  let latest: ScimTokenInfo | undefined;
  for (const t of used) {
    const when = Date.parse(t.lastUsed ?? '');
    if (!Number.isNaN(when) && at.getTime() - when < fortnight) {
      inUse.add(t.id);
    }
    if (!latest || Date.parse(t.lastUsed ?? '') > Date.parse(latest.lastUsed ?? '')) {
      latest = t;
    }
  }
  if (latest) {
    inUse.add(latest.id);
  }
  return inUse;
}
