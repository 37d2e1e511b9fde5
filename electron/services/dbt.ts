/**
 * The dbt side as services: connecting an account, the prerequisites, the dbt steps through the
 * engine, the SCIM connection check and SCIM tokens. The IPC handlers (per profile, secrets from
 * the secret store) and the CLI (flags and environment) both call these.
 */
import { WizardError, badInput } from '../core/errors.js';
import type { Engine, RunResult } from '../core/engine.js';
import type { Idp } from '../core/model.js';
import type { Clock, HttpClient, SecretStore } from '../core/ports.js';
import type { ProfileStore, Profile } from '../core/store/profiles.js';
import type { Step } from '../core/steps.js';
import { cleanApiUrl, cleanScimUrl, parseAccountId } from '../core/dbt/hosts.js';
import type {
  DbtAccount,
  DbtAdminPort,
  ScimProbePort,
  ScimProbeResult,
  ScimTokenInfo,
} from '../core/dbt/ports.js';
import {
  evaluatePrerequisites,
  parseCidrs,
  type PrerequisitesResult,
} from '../core/dbt/prerequisites.js';
import { cleanSecret } from '../core/dbt/secret-input.js';
import {
  defaultTokenName,
  ipAllowlistStep,
  ipRuleName,
  scimConfigStep,
  scimTokenStep,
  tokensInUse,
  type TokenKeeper,
} from '../core/dbt/steps.js';
import { createDbtAdmin } from '../adapters/dbt/admin.js';
import { createScimProbe } from '../adapters/dbt/scim-probe.js';
import { createOktaRanges } from '../adapters/okta/ip-ranges.js';
import { OKTA_CELLS } from '../core/dbt/ranges.js';
import { IDP_RANGES_SOURCE } from '../core/dbt/prerequisites.js';

export const SECRET_DBT_API = 'dbt.api-token';
export const SECRET_DBT_SCIM = 'dbt.scim-token';

/** One dbt account reached with one account-admin token. */
export interface DbtTarget {
  readonly apiUrl: string;
  readonly accountId: number;
  readonly apiToken: string;
}

/** What the wizard's dbt steps take, by kind. */
export type DbtStepParams =
  | {
      readonly kind: 'dbt.scim-config';
      readonly manualUpdatesAllowed?: boolean;
      readonly scimControlledLicenseType?: boolean;
    }
  | { readonly kind: 'dbt.ip-allowlist'; readonly cidrs: string }
  | { readonly kind: 'dbt.scim-token'; readonly name?: string };

export interface TokenRow extends ScimTokenInfo {
  /** This computer holds the value of this token. */
  readonly saved: boolean;
  /** The identity provider probably uses it (recent `last_used`). */
  readonly inUse: boolean;
}

export interface DbtServiceDeps {
  readonly http: HttpClient;
  /** Where Okta's range file is fetched from (tests point it at a loopback fake). */
  readonly oktaRangesUrl?: string;
  readonly clock: Clock;
  readonly engine: Engine;
  readonly profiles: ProfileStore;
  readonly secrets: SecretStore;
}

export function createDbtService(deps: DbtServiceDeps) {
  const { http, clock, engine, profiles, secrets } = deps;
  const probePort: ScimProbePort = createScimProbe({ http });
  const oktaRanges = createOktaRanges({
    http,
    ...(deps.oktaRangesUrl ? { url: deps.oktaRangesUrl } : {}),
  });

  const admin = (target: DbtTarget): DbtAdminPort => createDbtAdmin({ http, ...target });

  /** The target of a profile: its saved API URL, account id and API token. */
  const targetOf = async (profile: Profile): Promise<DbtTarget> => {
    const { apiUrl, accountId } = profile.dbt;
    const apiToken = await secrets.get(profile.id, SECRET_DBT_API);
    if (!apiUrl || !accountId || !apiToken) {
      throw new WizardError(
        'bad_input',
        'The dbt account is not connected with an Admin API token.',
        {
          remediation:
            'Enter the dbt API URL, the account id and an account-admin service token in Prerequisites, or follow the guided steps.',
        },
      );
    }
    return { apiUrl, accountId, apiToken };
  };

  const prerequisites = async (
    target: DbtTarget,
    chosenIdp: Idp | null,
  ): Promise<PrerequisitesResult & { account: DbtAccount }> => {
    const port = admin(target);
    const account = await port.getAccount();
    const ipRules = await port.listIpRules();
    const result = evaluatePrerequisites({
      account,
      ipRules,
      chosenIdp,
      at: clock.now(),
      wizardRuleNames: ipRules
        .map((r) => r.name)
        .filter((n) => n.startsWith('SCIM provisioning (')),
    });
    return { ...result, account };
  };

  const check = (scimUrl: string, token: string, signal?: AbortSignal): Promise<ScimProbeResult> =>
    probePort.probe({ scimUrl, token, ...(signal ? { signal } : {}) });

  const profileKeeper = (profileId: string): TokenKeeper => ({
    savedTokenId: async () => {
      const p = await profiles.get(profileId);
      const has = (await secrets.list(profileId)).some((m) => m.name === SECRET_DBT_SCIM);
      return has ? p.dbt.scimTokenId : undefined;
    },
    save: async (token, value) => {
      await secrets.set(profileId, SECRET_DBT_SCIM, value);
      await profiles.update(profileId, {
        dbt: {
          scimTokenId: token.id,
          scimTokenName: token.name,
          scimTokenCreatedAt: token.createdAt,
        },
      });
    },
    value: () => secrets.get(profileId, SECRET_DBT_SCIM),
  });

  const stepFor = async (profile: Profile, params: DbtStepParams): Promise<Step> => {
    const target = await targetOf(profile);
    const port = admin(target);
    switch (params.kind) {
      case 'dbt.scim-config':
        return scimConfigStep(port, params);
      case 'dbt.ip-allowlist': {
        const idp = profile.idp;
        if (!idp) {
          throw badInput(
            'Choose the identity provider first.',
            'Pick Okta or Microsoft Entra ID for this profile.',
          );
        }
        const { cidrs, invalid } = parseCidrs(params.cidrs);
        if (invalid.length > 0) {
          throw badInput(
            `These are not IP ranges: ${invalid.slice(0, 5).join(', ')}.`,
            'Use CIDR notation, e.g. 203.0.113.0/24, one per line.',
          );
        }
        return ipAllowlistStep(port, idp, cidrs);
      }
      case 'dbt.scim-token':
        return scimTokenStep({
          admin: port,
          keeper: profileKeeper(profile.id),
          name: params.name?.trim()
            ? params.name.trim()
            : defaultTokenName(profile.idp, clock.now()),
          ...(profile.dbt.scimUrl
            ? { probe: { port: probePort, scimUrl: profile.dbt.scimUrl } }
            : {}),
        });
    }
  };

  /** Recomputes the dbt rail step's status from what is verified. */
  const refreshDbtStatus = async (profileId: string, last?: RunResult): Promise<void> => {
    const p = await profiles.get(profileId);
    const hasToken = (await secrets.list(profileId)).some((m) => m.name === SECRET_DBT_SCIM);
    if (last?.phase === 'failed') {
      await profiles.setStepStatus(
        profileId,
        'dbt',
        'failed',
        last.error?.message ?? 'A verification failed.',
      );
    } else if (p.dbt.scimUrl && hasToken && p.steps.dbt.summary === 'connection verified') {
      await profiles.setStepStatus(profileId, 'dbt', 'verified', 'connection verified');
    } else {
      await profiles.setStepStatus(profileId, 'dbt', 'in_progress');
    }
  };

  return {
    admin,
    targetOf,
    prerequisites,
    check,

    /** Validates and saves the account's coordinates (and token), then runs the prerequisites. */
    async connect(input: {
      profileId: string;
      apiUrl: string;
      accountId: number | string;
      apiToken?: string;
    }) {
      const profile = await profiles.get(input.profileId);
      const api = cleanApiUrl(input.apiUrl);
      const accountId = parseAccountId(input.accountId);
      const notes: string[] = [];
      let result: (PrerequisitesResult & { account: DbtAccount }) | undefined;
      if (input.apiToken !== undefined && input.apiToken.trim() !== '') {
        const token = cleanSecret(input.apiToken, 'dbt-api');
        notes.push(...token.notes);
        // Check the token with a read before keeping it; a refused token is not saved.
        result = await prerequisites(
          { apiUrl: api.url, accountId, apiToken: token.value },
          profile.idp,
        );
        await secrets.set(profile.id, SECRET_DBT_API, token.value);
      }
      let updated = await profiles.update(profile.id, { dbt: { apiUrl: api.url, accountId } });
      if (result) {
        if (!updated.idp && result.detectedIdp) {
          await profiles.update(profile.id, { idp: result.detectedIdp });
        }
        updated = await recordPrerequisites(profile.id, result);
      }
      return { profile: updated, warnings: [...api.warnings], notes, prerequisites: result };
    },

    async recheck(profileId: string) {
      const profile = await profiles.get(profileId);
      const result = await prerequisites(await targetOf(profile), profile.idp);
      const updated = await recordPrerequisites(profileId, result);
      return { profile: updated, prerequisites: result };
    },

    async setScimUrl(profileId: string, raw: string) {
      const profile = await profiles.get(profileId);
      const clean = cleanScimUrl(raw, profile.dbt.apiUrl);
      const updated = await profiles.update(profileId, { dbt: { scimUrl: clean.url } });
      return { profile: updated, warnings: [...clean.warnings] };
    },

    async run(
      profileId: string,
      params: DbtStepParams,
      mode: 'plan' | 'apply',
      expectedChangeIds?: readonly string[],
      signal?: AbortSignal,
    ) {
      const profile = await profiles.get(profileId);
      const step = await stepFor(profile, params);
      const result = await engine.run(step, {
        profileId,
        mode,
        ...(signal ? { signal } : {}),
        // Apply only what the admin reviewed: if the remote changed since, stop and show the new plan.
        ...(expectedChangeIds
          ? {
              confirm: (plan) =>
                Promise.resolve(
                  plan.changes.length === expectedChangeIds.length &&
                    plan.changes.every((c) => expectedChangeIds.includes(c.id)),
                ),
            }
          : {}),
      });
      if (mode === 'apply') {
        if (params.kind === 'dbt.ip-allowlist') {
          if (result.phase === 'verified') {
            await this.recheck(profileId);
          }
        } else {
          await refreshDbtStatus(profileId, result);
        }
      }
      return result;
    },

    /** The connection check with the profile's SCIM URL and saved SCIM token. */
    async checkProfile(profileId: string, signal?: AbortSignal) {
      const profile = await profiles.get(profileId);
      const token = await secrets.get(profileId, SECRET_DBT_SCIM);
      if (!profile.dbt.scimUrl) {
        throw badInput(
          'The SCIM base URL is missing.',
          'Paste it from dbt: Account settings → SSO & SCIM → SCIM base URL.',
        );
      }
      if (!token) {
        throw badInput(
          'There is no SCIM token yet.',
          'Create one with the wizard or paste the one you created in dbt.',
        );
      }
      const result = await check(profile.dbt.scimUrl, token, signal);
      if (result.failure === undefined) {
        await secrets.markVerified(profileId, SECRET_DBT_SCIM, clock.now());
        await profiles.setStepStatus(profileId, 'dbt', 'verified', 'connection verified');
      } else {
        await profiles.setStepStatus(
          profileId,
          'dbt',
          'failed',
          result.checks.find((c) => c.status === 'fail')?.message,
        );
      }
      return result;
    },

    async tokens(profileId: string) {
      const profile = await profiles.get(profileId);
      const port = admin(await targetOf(profile));
      const list = await port.listScimTokens();
      const savedId = await profileKeeper(profileId).savedTokenId();
      if (list === undefined) {
        const saved = savedId === undefined ? undefined : await port.getScimToken(savedId);
        return {
          listAvailable: false,
          tokens: saved ? [{ ...saved, saved: true, inUse: saved.lastUsed !== null }] : [],
        };
      }
      const inUse = tokensInUse(list, clock.now());
      const rows: TokenRow[] = list.map((t) => ({
        ...t,
        saved: t.id === savedId,
        inUse: inUse.has(t.id),
      }));
      return { listAvailable: true, tokens: rows };
    },

    async pasteToken(profileId: string, raw: string) {
      const profile = await profiles.get(profileId);
      const clean = cleanSecret(raw, 'dbt-scim');
      const meta = await secrets.set(profileId, SECRET_DBT_SCIM, clean.value);
      await profiles.update(profileId, {
        dbt: {
          scimTokenId: undefined,
          scimTokenName: 'pasted token',
          scimTokenCreatedAt: undefined,
        },
      });
      const notes = [...clean.notes];
      const matched = await identifyToken(profile, clean.value);
      if (matched) {
        await profiles.update(profileId, {
          dbt: {
            scimTokenId: matched.id,
            scimTokenName: matched.name,
            scimTokenCreatedAt: matched.createdAt,
          },
        });
        notes.push(
          `This is dbt's token "${matched.name}" (id ${matched.id}): one check moved its last use.`,
        );
      }
      return { secret: meta, notes };
    },

    async deleteToken(profileId: string, tokenId: number, force: boolean) {
      const profile = await profiles.get(profileId);
      const port = admin(await targetOf(profile));
      const { tokens } = await this.tokens(profileId);
      const row = tokens.find((t) => t.id === tokenId);
      if (!row) {
        throw new WizardError('not_found', `dbt has no SCIM token with id ${tokenId}.`, {
          remediation: 'Refresh the list of tokens.',
        });
      }
      refuseInUse(row, force);
      await port.deleteScimToken(tokenId);
      if (row.saved) {
        await secrets.delete(profileId, SECRET_DBT_SCIM);
        await profiles.update(profileId, {
          dbt: { scimTokenId: undefined, scimTokenName: undefined, scimTokenCreatedAt: undefined },
        });
      }
      return this.tokens(profileId);
    },

    ipRuleName,

    /**
     * The identity provider's published ranges: for Okta, the cell list and (given a cell) its
     * ranges fetched from Okta's file; for Entra, where Microsoft publishes them.
     */
    async idpRanges(profileId: string, cell?: string) {
      const profile = await profiles.get(profileId);
      if (!profile.idp) {
        throw badInput(
          'Choose the identity provider first.',
          'Pick Okta or Microsoft Entra ID for this profile.',
        );
      }
      const source = IDP_RANGES_SOURCE[profile.idp];
      if (profile.idp === 'entra') {
        return { idp: profile.idp, url: source.url, text: source.text, cells: [], ranges: [] };
      }
      const ranges = cell ? await oktaRanges.forCell(cell) : [];
      return {
        idp: profile.idp,
        url: source.url,
        text: source.text,
        cells: [...OKTA_CELLS],
        ranges,
        ...(cell ? { cell } : {}),
      };
    },
  };

  /**
   * Which dbt token a pasted value is: the value never comes back from dbt, but one SCIM call
   * with it moves that token's `last_used`. Undefined when this cannot be told (no Admin API
   * token, no SCIM URL, no token list, or more than one token moved).
   */
  async function identifyToken(
    profile: Profile,
    value: string,
  ): Promise<ScimTokenInfo | undefined> {
    if (!profile.dbt.scimUrl) {
      return undefined;
    }
    try {
      const port = admin(await targetOf(profile));
      const before = await port.listScimTokens();
      if (!before) {
        return undefined;
      }
      const probe = await check(profile.dbt.scimUrl, value);
      if (probe.failure) {
        return undefined;
      }
      const after = (await port.listScimTokens()) ?? [];
      const moved = after.filter(
        (t) => t.lastUsed !== null && before.find((b) => b.id === t.id)?.lastUsed !== t.lastUsed,
      );
      return moved.length === 1 ? moved[0] : undefined;
    } catch {
      // Identification is a convenience; the token is saved either way.
      return undefined;
    }
  }

  async function recordPrerequisites(
    profileId: string,
    result: PrerequisitesResult,
  ): Promise<Profile> {
    const failed = result.checks.find((c) => c.status === 'fail');
    const pending = result.checks.find((c) => c.status === 'pending');
    if (failed) {
      return profiles.setStepStatus(profileId, 'prerequisites', 'failed', failed.message);
    }
    if (pending) {
      return profiles.setStepStatus(profileId, 'prerequisites', 'needs_you', pending.message);
    }
    return profiles.setStepStatus(profileId, 'prerequisites', 'verified', 'all prerequisites met');
  }
}

/** Refuses to delete a token the identity provider probably uses, unless forced. */
export function refuseInUse(
  row: { id: number; name: string; inUse: boolean; lastUsed: string | null },
  force: boolean,
): void {
  if (row.inUse && !force) {
    throw new WizardError(
      'conflict',
      `The token "${row.name}" (id ${row.id}) looks in use: dbt saw it ${row.lastUsed ? `at ${row.lastUsed}` : 'recently'}.`,
      {
        remediation:
          'Put a new token in the identity provider first (the Rotation step does this safely). To delete it anyway, confirm explicitly (--force in the CLI).',
      },
    );
  }
}

export type DbtService = ReturnType<typeof createDbtService>;
