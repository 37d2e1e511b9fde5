/**
 * The dbt Admin API (`DbtAdminPort`) for one account, with one account-admin service token.
 *
 *  - `Authorization: Token <token>`, `Accept: application/json`; every path ends with a slash (dbt is
 *    a Django app: a GET without it is redirected, a POST without it fails with a 500 page).
 *  - Answers are `{status, data, extra}` envelopes, parsed with the zod schemas in `schemas.ts`.
 *  - Non-2xx answers are mapped here (the client is asked not to throw) so that each error names the
 *    dbt-specific cause and what to do. Network failures come typed from the HTTP client.
 *  - Retries are the client's: 429/503 are retried after Retry-After, network failures only when the
 *    request certainly was not sent or is idempotent (a POST is never re-sent after a reset).
 */
import { z } from 'zod';
import { WizardError, type ErrorCode } from '../../core/errors.js';
import type {
  DbtAccount,
  DbtAdminPort,
  DbtAuthProvider,
  DbtGroup,
  IpRule,
  LicenseMap,
  NewIpRule,
  ScimConfig,
  ScimTokenInfo,
} from '../../core/dbt/ports.js';
import type { HttpClient, HttpMethod, HttpResponse } from '../../core/ports.js';
import { registerSecret } from '../../core/redact.js';
import {
  CREATE_SERVICE_TOKEN,
  dbtMessage,
  firstIssuePath,
  looksLikeHtml,
  quote,
  redirectTarget,
  tryJson,
  unexpectedShape,
} from './errors.js';
import {
  accountEnvelope,
  createdScimTokenEnvelope,
  envelopeSchema,
  groupListEnvelope,
  ipRuleEnvelope,
  ipRuleListEnvelope,
  licenseMapEnvelope,
  licenseMapListEnvelope,
  scimConfigEnvelope,
  scimTokenEnvelope,
  scimTokenListEnvelope,
  type ipRuleSchema,
  type licenseMapSchema,
  type scimTokenSchema,
} from './schemas.js';

/**
 * `GET /api/v3/accounts/{id}/auth-provider/` → data: one provider (or a list of one, or null).
 * Loose: only the type and the certificate's expiry are read; the certificate itself never is.
 */
const authProviderSchema = z
  .object({
    auth_provider_type: z.string().nullish(),
    type: z.string().nullish(),
    cert_expiry_date: z.string().nullish(),
    config: z.object({ cert_expiry_date: z.string().nullish() }).loose().nullish(),
  })
  .loose()
  .refine((p) => typeof (p.auth_provider_type ?? p.type) === 'string', {
    path: ['auth_provider_type'],
    error: 'the provider type is missing',
  });
const authProviderEnvelope = envelopeSchema(
  z.union([authProviderSchema, z.array(authProviderSchema), z.null()]),
);

/** An ISO 8601 time from dbt's date (or date-time), or null when it is not one. */
function isoTime(value: string | null | undefined): string | null {
  const ms = value ? Date.parse(value.trim()) : NaN;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

interface DbtAdminBase {
  readonly http: HttpClient;
  /** The origin, e.g. `https://cloud.getdbt.com` (already cleaned). */
  readonly apiUrl: string;
  readonly accountId: number;
}

/** `token` is the account-admin service token; `apiToken` is accepted as its other name. */
export type DbtAdminOptions =
  (DbtAdminBase & { readonly token: string }) | (DbtAdminBase & { readonly apiToken: string });

/** Groups are read 100 at a time; this many pages at most (10 000 groups) guards against loops. */
export const GROUP_PAGE_SIZE = 100;
const MAX_GROUP_PAGES = 100;

const IP_WORDS = /\bip\b|ip[ -]?restrict|restriction|allow[ -]?list|whitelist/i;

interface Call {
  readonly method: HttpMethod;
  /** From `/api/…`, ending with `/`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly json?: unknown;
  /** For logs and messages, e.g. `dbt scim-config`. */
  readonly label: string;
  /** What was asked for, in words, e.g. `the SCIM configuration`. */
  readonly what: string;
  /** Statuses that mean "there is none" (the call then resolves to undefined). */
  readonly absentOn?: readonly number[];
  /** A 404 means the account itself was not found. */
  readonly accountLevel?: boolean;
  readonly signal: AbortSignal | undefined;
}

export function createDbtAdmin(options: DbtAdminOptions): DbtAdminPort {
  const { http, accountId } = options;
  const token = 'token' in options ? options.token : options.apiToken;
  registerSecret(token);
  const origin = options.apiUrl.trim().replace(/\/+$/, '');
  const host = hostOf(origin);
  const v2 = `/api/v2/accounts/${accountId}/`;
  const v3 = `/api/v3/accounts/${accountId}/`;

  async function send(call: Call): Promise<HttpResponse | undefined> {
    const search = call.query
      ? `?${new URLSearchParams(Object.entries(call.query).map(([k, v]): [string, string] => [k, String(v)])).toString()}`
      : '';
    const res = await http.request({
      method: call.method,
      url: `${origin}${call.path}${search}`,
      headers: { authorization: `Token ${token}`, accept: 'application/json' },
      ...(call.json !== undefined ? { json: call.json } : {}),
      expect: 'text',
      throwOnError: false,
      label: call.label,
      ...(call.signal ? { signal: call.signal } : {}),
    });
    if (res.status >= 200 && res.status < 300) {
      return res;
    }
    if (call.absentOn?.includes(res.status)) {
      return undefined;
    }
    throw statusError(res, call);
  }

  /** Sends, then parses the 2xx envelope with `schema`; undefined when the answer means "none". */
  async function read<S extends z.ZodType>(
    call: Call,
    schema: S,
  ): Promise<z.output<S> | undefined> {
    const res = await send(call);
    if (!res) {
      return undefined;
    }
    if (looksLikeHtml(res.headers, res.text)) {
      throw new WizardError(
        'html_response',
        `dbt answered the request for ${call.what} with a web page instead of JSON.`,
        {
          remediation: `Use the API host only as the dbt API URL (e.g. https://cloud.getdbt.com, or your cell’s <prefix>.us1.dbt.com); if a proxy shows a sign-in page, sign in to it or use another network.`,
          status: res.status,
        },
      );
    }
    const parsed = schema.safeParse(tryJson(res.text));
    if (!parsed.success) {
      throw unexpectedShape(call.what, firstIssuePath(parsed.error));
    }
    return parsed.data;
  }

  async function readOrFail<S extends z.ZodType>(call: Call, schema: S): Promise<z.output<S>> {
    const value = await read(call, schema);
    if (value === undefined) {
      // Only calls without `absentOn` come here, and those never resolve to undefined.
      throw unexpectedShape(call.what, '');
    }
    return value;
  }

  function statusError(res: HttpResponse, call: Call): WizardError {
    const { status } = res;
    const said = dbtMessage(res.text);
    const saying = said ? `: “${said}”` : '';
    const error = (
      code: ErrorCode,
      message: string,
      remediation: string,
      retryable = false,
    ): WizardError => new WizardError(code, message, { remediation, status, retryable });

    if (status >= 300 && status < 400) {
      const target = redirectTarget(res.headers.location, res.url);
      return error(
        'redirected',
        `dbt redirected the request for ${call.what} (HTTP ${status}${target ? ` to ${target}` : ''}).`,
        'Use the API host only as the dbt API URL (e.g. https://cloud.getdbt.com); if your account lives on a cell or in another region, use that host (e.g. <prefix>.us1.dbt.com, emea.dbt.com).',
      );
    }
    if (status === 400 || status === 422) {
      return error(
        'bad_input',
        `dbt rejected the request for ${call.what} (HTTP ${status})${saying}.`,
        'Check the values entered; if they look right, dbt’s API may have changed: copy the redacted diagnostic and report it.',
      );
    }
    if (status === 401) {
      return error(
        'auth_failed',
        'dbt refused the API token (HTTP 401): it is wrong, revoked, or for another host or region.',
        CREATE_SERVICE_TOKEN,
      );
    }
    if (status === 403 && IP_WORDS.test(said)) {
      return error(
        'ip_restricted',
        `dbt’s IP restrictions block this computer (HTTP 403)${saying}.`,
        'Add this computer’s public address to an allow rule in dbt → Account settings → IP restrictions, or run the wizard from an allowed network.',
      );
    }
    if (status === 403) {
      return error(
        'permission_denied',
        `dbt refused the request for ${call.what} (HTTP 403): the API token is valid but not allowed to do this${saying}.`,
        `The token needs the Account Admin permission set. ${CREATE_SERVICE_TOKEN}`,
      );
    }
    if ((status === 404 || status === 410) && call.accountLevel) {
      return error(
        'not_found',
        `dbt account ${accountId} was not found on ${host}.`,
        'Check the account id (the number after /accounts/ in dbt’s address bar) and that the host matches your region or cell (cloud.getdbt.com, emea.dbt.com, au.dbt.com, <prefix>.us1.dbt.com, …).',
      );
    }
    if (status === 404 || status === 410) {
      return error(
        'not_found',
        `dbt found no ${call.what.replace(/^the /, '')} for account ${accountId} on ${host} (HTTP ${status}).`,
        'It may have been deleted meanwhile: refresh and try again. If everything is missing, check the account id and the host.',
      );
    }
    if (status === 407) {
      return error(
        'proxy_auth',
        'A proxy asked for credentials before reaching dbt (HTTP 407).',
        'Sign in to the proxy (or set the proxy credentials in your system settings) and try again; for the CLI, put them in HTTPS_PROXY.',
      );
    }
    if (status === 409) {
      return error(
        'conflict',
        `dbt refused the change to ${call.what} (HTTP 409)${saying}.`,
        'Something changed it at the same time: refresh, review and try again.',
      );
    }
    if (status === 429) {
      const after = res.headers['retry-after'];
      return error(
        'rate_limited',
        `dbt is limiting how fast requests may come (HTTP 429)${after ? `; it asked to wait ${quote(after, 40)} seconds` : ''}.`,
        'Wait a minute, then try again.',
        true,
      );
    }
    if (status >= 500) {
      return error(
        'server_error',
        `dbt had a server error answering the request for ${call.what} (HTTP ${status})${saying}.`,
        'This is usually temporary: try again in a few minutes, and check https://status.getdbt.com if it persists.',
        true,
      );
    }
    return error(
      'invalid_response',
      `dbt answered the request for ${call.what} with an unexpected HTTP ${status}${saying}.`,
      'Try again; if it persists, copy the redacted diagnostic and report it.',
    );
  }

  const tokenInfo = (t: z.output<typeof scimTokenSchema>): ScimTokenInfo => ({
    id: t.id,
    name: t.name,
    createdAt: t.created_at,
    lastUsed: t.last_used ?? null,
  });

  const ipRule = (r: z.output<typeof ipRuleSchema>): IpRule => ({
    id: r.id,
    name: r.name,
    type: r.type === 1 ? 'allow' : 'deny',
    cidrs: r.cidrs.map((c) => c.cidr ?? c.cidr_ipv6 ?? '').filter((c) => c !== ''),
    ruleSetEnabled: r.rule_set_enabled,
  });

  const licenseMap = (m: z.output<typeof licenseMapSchema>): LicenseMap => ({
    id: m.id,
    licenseType: m.license_type,
    groups: m.sso_license_mapping_groups ?? [],
  });

  return {
    async getAccount(signal) {
      const env = await readOrFail(
        {
          method: 'GET',
          path: v2,
          label: 'dbt account',
          what: `account ${accountId}`,
          accountLevel: true,
          signal,
        },
        accountEnvelope,
      );
      const a = env.data;
      const method = a.enterprise_authentication_method?.trim() ?? '';
      const account: DbtAccount = {
        id: a.id,
        name: a.name,
        plan: (a.plan ?? '').trim().toLowerCase(),
        ssoMethod: method === '' ? null : method,
        locked: a.locked ?? false,
      };
      return account;
    },

    async getScimConfig(signal) {
      const env = await readOrFail(
        {
          method: 'GET',
          path: `${v3}scim-config/`,
          label: 'dbt scim-config',
          what: 'the SCIM configuration',
          signal,
        },
        scimConfigEnvelope,
      );
      return scimConfig(env.data);
    },

    async setScimConfig(config, signal) {
      const env = await readOrFail(
        {
          method: 'POST',
          path: `${v3}scim-config/`,
          json: {
            enabled: config.enabled,
            manual_updates_allowed: config.manualUpdatesAllowed,
            scim_controlled_license_type: config.scimControlledLicenseType,
          },
          label: 'dbt scim-config',
          what: 'the SCIM configuration',
          signal,
        },
        scimConfigEnvelope,
      );
      return scimConfig(env.data);
    },

    async listScimTokens(signal) {
      // The list route is not in dbt's public reference: a 404/405 means "not offered".
      const env = await read(
        {
          method: 'GET',
          path: `${v3}scim-config/tokens/`,
          label: 'dbt scim tokens',
          what: 'the list of SCIM tokens',
          absentOn: [404, 405],
          signal,
        },
        scimTokenListEnvelope,
      );
      return env?.data.map(tokenInfo);
    },

    async getScimToken(id, signal) {
      const env = await read(
        {
          method: 'GET',
          path: `${v3}scim-config/tokens/${id}/`,
          label: 'dbt scim token',
          what: `SCIM token ${id}`,
          absentOn: [404, 410],
          signal,
        },
        scimTokenEnvelope,
      );
      return env ? tokenInfo(env.data) : undefined;
    },

    /**
     * Creates a SCIM token; dbt returns its value this once. Never retried after the request may
     * have reached dbt (the client does not re-send a POST after a reset or a timeout): a step that
     * sees such a failure must look the token up by name (`listScimTokens`) before creating another,
     * and delete the one whose value it never received.
     */
    async createScimToken(name, signal) {
      const env = await readOrFail(
        {
          method: 'POST',
          path: `${v3}scim-config/tokens/`,
          json: { name },
          label: 'dbt scim token create',
          what: 'a new SCIM token',
          signal,
        },
        createdScimTokenEnvelope,
      );
      const value = env.data.token_string;
      registerSecret(value);
      return { token: tokenInfo(env.data), value };
    },

    /** Deletes a SCIM token; one already gone (404) counts as deleted, so a re-run converges. */
    async deleteScimToken(id, signal) {
      await send({
        method: 'DELETE',
        path: `${v3}scim-config/tokens/${id}/`,
        label: 'dbt scim token delete',
        what: `SCIM token ${id}`,
        absentOn: [404, 410],
        signal,
      });
    },

    async listIpRules(signal) {
      const env = await readOrFail(
        {
          method: 'GET',
          path: `${v3}ip-restrictions/`,
          label: 'dbt ip-restrictions',
          what: 'the IP restriction rules',
          signal,
        },
        ipRuleListEnvelope,
      );
      return env.data.map(ipRule);
    },

    async createIpRule(rule: NewIpRule, signal) {
      const env = await readOrFail(
        {
          method: 'POST',
          path: `${v3}ip-restrictions/`,
          json: {
            name: rule.name,
            description: rule.description,
            // The port creates allow rules only (type 1; 2 is deny).
            type: 1,
            cidrs: rule.cidrs.map((cidr) => ({ cidr })),
            rule_set_enabled: rule.ruleSetEnabled,
          },
          label: 'dbt ip-restrictions create',
          what: `the IP restriction rule “${quote(rule.name, 80)}”`,
          signal,
        },
        ipRuleEnvelope,
      );
      return ipRule(env.data);
    },

    async listGroups(signal) {
      const groups: DbtGroup[] = [];
      const seen = new Set<number>();
      for (let page = 0; page < MAX_GROUP_PAGES; page++) {
        const env = await readOrFail(
          {
            method: 'GET',
            path: `${v3}groups/`,
            query: { offset: page * GROUP_PAGE_SIZE, limit: GROUP_PAGE_SIZE },
            label: 'dbt groups',
            what: 'the groups',
            signal,
          },
          groupListEnvelope,
        );
        for (const g of env.data) {
          if (!seen.has(g.id)) {
            seen.add(g.id);
            groups.push({ id: g.id, name: g.name });
          }
        }
        const total = env.extra?.pagination?.total_count;
        if (env.data.length < GROUP_PAGE_SIZE || (total !== undefined && groups.length >= total)) {
          break;
        }
      }
      return groups;
    },

    async listLicenseMaps(signal) {
      // Paged like the groups (the TF provider's GetData walks offset pages).
      const maps: LicenseMap[] = [];
      const seen = new Set<number>();
      for (let page = 0; page < MAX_GROUP_PAGES; page++) {
        const env = await readOrFail(
          {
            method: 'GET',
            path: `${v3}license-maps/`,
            query: { offset: page * GROUP_PAGE_SIZE, limit: GROUP_PAGE_SIZE },
            label: 'dbt license-maps',
            what: 'the license maps',
            signal,
          },
          licenseMapListEnvelope,
        );
        for (const m of env.data) {
          if (!seen.has(m.id)) {
            seen.add(m.id);
            maps.push(licenseMap(m));
          }
        }
        const total = env.extra?.pagination?.total_count;
        if (env.data.length < GROUP_PAGE_SIZE || (total !== undefined && maps.length >= total)) {
          break;
        }
      }
      return maps;
    },

    async createLicenseMap(map, signal) {
      const env = await readOrFail(
        {
          method: 'POST',
          path: `${v3}license-maps/`,
          json: {
            account_id: accountId,
            license_type: map.licenseType,
            sso_license_mapping_groups: [...map.groups],
            state: 1,
          },
          label: 'dbt license-maps create',
          what: `a ${quote(map.licenseType, 40)} license map`,
          signal,
        },
        licenseMapEnvelope,
      );
      return licenseMap(env.data);
    },

    async updateLicenseMap(id, map, signal) {
      // dbt updates a license map with a POST of the whole object (the TF provider's UpdateLicenseMap).
      const env = await readOrFail(
        {
          method: 'POST',
          path: `${v3}license-maps/${id}/`,
          json: {
            id,
            account_id: accountId,
            license_type: map.licenseType,
            sso_license_mapping_groups: [...map.groups],
            state: 1,
          },
          label: 'dbt license-maps update',
          what: `license map ${id}`,
          signal,
        },
        licenseMapEnvelope,
      );
      return licenseMap(env.data);
    },

    async deleteLicenseMap(id, signal) {
      await send({
        method: 'DELETE',
        path: `${v3}license-maps/${id}/`,
        label: 'dbt license-maps delete',
        what: `license map ${id}`,
        absentOn: [404, 410],
        signal,
      });
    },

    async getAuthProvider(signal) {
      const env = await read(
        {
          method: 'GET',
          path: `${v3}auth-provider/`,
          label: 'dbt auth-provider',
          what: 'the SSO configuration',
          absentOn: [404],
          signal,
        },
        authProviderEnvelope,
      );
      const data = Array.isArray(env?.data) ? env.data[0] : env?.data;
      if (!data) {
        return undefined;
      }
      const type = (data.auth_provider_type ?? data.type ?? '').trim();
      const provider: DbtAuthProvider = {
        type: type === '' ? null : type,
        certExpiresAt: isoTime(data.cert_expiry_date ?? data.config?.cert_expiry_date),
      };
      return provider;
    },
  };
}

function scimConfig(data: {
  enabled: boolean;
  manual_updates_allowed: boolean;
  scim_controlled_license_type: boolean;
}): ScimConfig {
  return {
    enabled: data.enabled,
    manualUpdatesAllowed: data.manual_updates_allowed,
    scimControlledLicenseType: data.scim_controlled_license_type,
  };
}

function hostOf(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return origin;
  }
}
