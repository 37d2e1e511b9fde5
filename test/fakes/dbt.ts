/**
 * A fake dbt host on 127.0.0.1: ONE express server serving the Admin API (v2/v3) and the SCIM API,
 * as a real dbt host does, with dbt's quirks. Adapter tests, CLI tests, the e2e suite and
 * `npm run demo` all use it.
 *
 * Admin API (`Authorization: Token <admin token>`; every answer, errors included, is an envelope
 * `{status:{code,is_success,user_message,developer_message},data}`):
 *   GET  /api/v2/accounts/                         accounts the token can see
 *   GET  /api/v2/accounts/{id}/                    the account
 *   GET|POST /api/v3/accounts/{id}/scim-config/    {enabled, manual_updates_allowed, scim_controlled_license_type}
 *   GET|POST /api/v3/accounts/{id}/scim-config/tokens/       POST {name} → token_string, once
 *   GET|DELETE /api/v3/accounts/{id}/scim-config/tokens/{tid}/
 *   GET|POST /api/v3/accounts/{id}/ip-restrictions/           rules {name, type 1|2, cidrs:[{cidr}], rule_set_enabled}
 *   GET|DELETE /api/v3/accounts/{id}/ip-restrictions/{rid}/
 *   GET  /api/v3/accounts/{id}/groups/?offset=&limit=        (limit ≤ 100; extra.pagination.total_count)
 *   GET|POST /api/v3/accounts/{id}/license-maps/?offset=&limit=   SSO license maps
 *        {license_type, sso_license_mapping_groups} (the TF provider's `LicenseMap`); an unknown
 *        license type is 400, `analyst` outside the Enterprise plans is 400 (modelled)
 *   GET|POST(update, whole map)|DELETE /api/v3/accounts/{id}/license-maps/{mid}/
 *   GET  /api/v3/accounts/{id}/auth-provider/      the SSO provider {auth_provider_type,
 *        cert_expiry_date, …} (`state.authProvider`; null answers 404, as an account without SSO)
 * Like Django's APPEND_SLASH: a GET without the trailing slash gets a 301 to the slashed URL, any
 * other method a 500 HTML page; unknown /api paths a 404 envelope. Order of checks: IP
 * restrictions → route → method → token (401) → account id (404) → permission (403) → body (400).
 * A `member` admin token (option `adminTokenPermission: 'member'`) may read the account
 * (`GET /api/v2/accounts/…`) and nothing else: every other call is 403.
 *
 * SCIM API at `/api/scim/v2/accounts/{id}` (`scimUrl`): Users, Groups, /ServiceProviderConfig,
 * /Schemas, /ResourceTypes (SCIMMY). `Authorization: Bearer <SCIM token>` must be the value of a
 * token not deleted while the scim config is `enabled`, else 401; a good request sets the token's
 * `last_used`. A wrong account id answers 404. userName must be an email (400 otherwise, as dbt).
 *
 * Browser pages: `/` → 302 /login; `/login` and `/settings/accounts/{id}/pages/sso` → 200 HTML;
 * other unknown GETs outside /api → 302 to /login.
 *
 * Quirks at run time: `set({ipRestricted, latencyMs, corruptNext})`, `failNext(...)`,
 * `rateLimitNext(...)`. Inspection: `requests` (never a token value), `state` (read/write).
 *
 * SCIMMY's resource declarations are process-global: see `dbt-scim.ts` for why the stores still
 * belong to each instance. A new `startFakeDbt` after `close()` works (and two at once keep their
 * data apart; only `meta.location` bases are shared, being set per request).
 */
import { once } from 'node:events';
import { z } from 'zod';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  STATUS_MESSAGES,
  envelope,
  firstProblem,
  ipRuleBody,
  randomBase62,
  scimConfigBody,
  scimTokenBody,
  sendEnvelope,
  sendError,
  serverErrorPage,
  signInPage,
} from './dbt-envelope.js';
import {
  ScimStores,
  createScimRouter,
  scimError,
  type FakeGroup,
  type FakeScimUser,
} from './dbt-scim.js';

export type { FakeGroup, FakeScimUser } from './dbt-scim.js';

// ---------------------------------------------------------------------------------------------
// State

export interface FakeAccount {
  id: number;
  name: string;
  /** e.g. `enterprise`, `enterprise_plus`, `team`, `developer`. */
  plan: string;
  /** e.g. `okta`, `azure_single_tenant`, `saml`, or null when SSO is not set up. */
  enterprise_authentication_method: string | null;
  locked: boolean;
  developer_seats: number;
  read_only_seats: number;
  enterprise_login_slug: string;
}

export interface FakeScimConfig {
  enabled: boolean;
  manual_updates_allowed: boolean;
  scim_controlled_license_type: boolean;
}

export interface FakeScimToken {
  id: number;
  name: string;
  created_at: string;
  last_used: string | null;
  /** The secret value (only the create answer and `createScimToken` ever give it out). */
  value: string;
  deleted: boolean;
}

export interface FakeIpRule {
  id: number;
  name: string;
  /** 1 allow, 2 deny. */
  type: 1 | 2;
  description: string;
  cidrs: string[];
  rule_set_enabled: boolean;
  created_at: string;
}

/** An SSO license map: people in any of the groups get the license type at sign-in. */
export interface FakeLicenseMap {
  id: number;
  license_type: string;
  sso_license_mapping_groups: string[];
}

/** The SSO auth provider as dbt's auth-provider route shows it (the certificate is never read). */
export interface FakeAuthProvider {
  auth_provider_type: string;
  entity_id: string;
  sso_url: string;
  /** ISO date of the IdP signing certificate's expiry, or null when dbt does not show one. */
  cert_expiry_date: string | null;
}

export type AdminPermission = 'admin' | 'member';

/** dbt's license types; `analyst` exists only on the Enterprise plans (dbt's license docs). */
export const FAKE_LICENSE_TYPES = ['developer', 'read_only', 'it', 'analyst'] as const;
const ANALYST_PLANS = new Set(['enterprise', 'enterprise_plus']);

const licenseMapBody = z.object({
  id: z.number().int().nullish(),
  account_id: z.number().int().optional(),
  state: z.number().int().optional(),
  license_type: z
    .string({ error: 'This field is required.' })
    .min(1, 'This field may not be blank.'),
  sso_license_mapping_groups: z.array(z.string().min(1, 'This field may not be blank.'), {
    error: 'Expected a list of items.',
  }),
});

export interface FakeDbtState {
  account: FakeAccount;
  scimConfig: FakeScimConfig;
  scimTokens: Map<number, FakeScimToken>;
  ipRules: FakeIpRule[];
  /** dbt groups; SCIM Groups are the same objects. */
  groups: FakeGroup[];
  /** SCIM users by id. */
  users: Map<string, FakeScimUser>;
  /** SSO license maps. */
  licenseMaps: FakeLicenseMap[];
  /** The SSO auth provider; null: none (the route answers 404). */
  authProvider: FakeAuthProvider | null;
  /** Admin API tokens: value → permission. */
  adminTokens: Map<string, AdminPermission>;
  /** The next id handed out (tokens, rules, groups, users share one counter). */
  nextId: number;
}

export interface FakeDbtRequest {
  readonly method: string;
  /** The path without the query string, exactly as sent. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly api: 'admin' | 'scim' | 'browser';
  readonly hasAuth: boolean;
  /** The Authorization scheme (`Token`, `Bearer`, …), never the credential. */
  readonly authScheme: string | null;
  /** The parsed JSON body (these APIs never carry a secret in a request body). */
  readonly body: unknown;
  readonly bodyKeys: readonly string[];
  /** The status answered (undefined while in flight or when the socket was destroyed). */
  readonly status: number | undefined;
}

export interface FakeDbtQuirks {
  /** Admin and SCIM API answer 403 "Request blocked by IP restrictions". */
  ipRestricted?: boolean;
  /** Delay before every answer. */
  latencyMs?: number;
  /** The next successful Admin API answer carries `data` in an unexpected shape. */
  corruptNext?: boolean;
}

export interface FailMatch {
  readonly method?: string;
  readonly path: RegExp;
}

/** A status answers with the dbt envelope; `reset` destroys the socket; `html` is a 200 sign-in page. */
export type FailAnswer = number | 'reset' | 'html';

export interface FakeDbtOptions {
  readonly accountId?: number;
  readonly accountName?: string;
  readonly plan?: string;
  /** `enterprise_authentication_method`; null for no SSO. Default `okta`. */
  readonly sso?: string | null;
  readonly locked?: boolean;
  /** The admin token's value; default `dbtc_fake_admin_` + 24 random characters. */
  readonly adminToken?: string;
  readonly adminTokenPermission?: AdminPermission;
  readonly scimConfig?: Partial<FakeScimConfig>;
  /** Group names; default Everyone, Analysts, dbt_developers. */
  readonly groups?: readonly string[];
  /** SCIM users to start with. */
  readonly users?: readonly {
    userName: string;
    givenName?: string;
    familyName?: string;
    active?: boolean;
  }[];
  /** SSO license maps to start with. */
  readonly licenseMaps?: readonly { license_type: string; sso_license_mapping_groups: string[] }[];
  /**
   * The SSO auth provider; default (with SSO) one whose certificate expires a year after the
   * start; null for none.
   */
  readonly authProvider?: Partial<FakeAuthProvider> | null;
  readonly quirks?: FakeDbtQuirks;
  /** Default 0 (any free port); always on 127.0.0.1. */
  readonly port?: number;
  /** The clock for created_at / last_used; default the system clock. */
  readonly now?: () => Date;
}

export interface FakeDbt {
  /** `http://127.0.0.1:<port>`. */
  readonly apiUrl: string;
  /** `<apiUrl>/api/scim/v2/accounts/<accountId>` (no trailing slash). */
  readonly scimUrl: string;
  readonly accountId: number;
  readonly adminToken: string;
  readonly state: FakeDbtState;
  readonly requests: readonly FakeDbtRequest[];
  set(quirks: FakeDbtQuirks): void;
  /** The next `times` requests matching `match` get `answer` instead. */
  failNext(match: FailMatch, answer: FailAnswer, times?: number): void;
  /** The next `n` requests get 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext(n: number, retryAfterSeconds: number): void;
  /** Adds a SCIM token directly (no API call) and returns its value. */
  createScimToken(name: string, value?: string): string;
  /** Adds a group directly. */
  addGroup(name: string): FakeGroup;
  clearRequests(): void;
  close(): Promise<void>;
}

const DEFAULT_GROUPS = ['Everyone', 'Analysts', 'dbt_developers'];
const IP_BLOCKED = 'Request blocked by IP restrictions';
const NO_PERMISSION =
  'The provided token does not have proper permissions to access this resource.';

// ---------------------------------------------------------------------------------------------
// Admin API routes

interface RouteContext {
  readonly req: Request;
  readonly res: Response;
  /** Captures after the account id. */
  readonly params: readonly string[];
}
type Handler = (ctx: RouteContext) => void;

interface AdminRoute {
  readonly pattern: RegExp;
  /** Whether the first capture is the account id. */
  readonly scoped: boolean;
  readonly methods: Readonly<Partial<Record<string, Handler>>>;
  /** Methods a `member` token may call. */
  readonly memberMethods?: readonly string[];
}

export async function startFakeDbt(options: FakeDbtOptions = {}): Promise<FakeDbt> {
  const now = options.now ?? (() => new Date());
  const startedAt = now().toISOString();
  const accountId = options.accountId ?? 12345;
  const accountName = options.accountName ?? 'Acme Analytics';
  const adminToken = options.adminToken ?? `dbtc_fake_admin_${randomBase62(24)}`;

  const state: FakeDbtState = {
    account: {
      id: accountId,
      name: accountName,
      plan: options.plan ?? 'enterprise',
      enterprise_authentication_method: options.sso === undefined ? 'okta' : options.sso,
      locked: options.locked ?? false,
      developer_seats: 25,
      read_only_seats: 50,
      enterprise_login_slug: accountName.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
    },
    scimConfig: {
      enabled: false,
      manual_updates_allowed: false,
      scim_controlled_license_type: false,
      ...options.scimConfig,
    },
    scimTokens: new Map(),
    ipRules: [],
    licenseMaps: [],
    authProvider: null,
    groups: [],
    users: new Map(),
    adminTokens: new Map([[adminToken, options.adminTokenPermission ?? 'admin']]),
    nextId: 1001,
  };
  const ssoMethod = state.account.enterprise_authentication_method;
  if (options.authProvider !== null && (ssoMethod !== null || options.authProvider)) {
    state.authProvider = {
      auth_provider_type: ssoMethod ?? 'saml',
      entity_id: `urn:auth0:dbt-cloud:${state.account.enterprise_login_slug}`,
      sso_url: 'https://idp.example.invalid/sso/saml',
      cert_expiry_date: new Date(Date.parse(startedAt) + 365 * 24 * 3600_000)
        .toISOString()
        .slice(0, 10),
      ...options.authProvider,
    };
  }
  const nextId = (): number => state.nextId++;
  const quirks: Required<FakeDbtQuirks> = {
    ipRestricted: false,
    latencyMs: 0,
    corruptNext: false,
    ...options.quirks,
  };
  const failures: { match: FailMatch; answer: FailAnswer; left: number }[] = [];
  let rateLimit = { left: 0, retryAfterSeconds: 1 };
  const requests: (FakeDbtRequest & {
    body: unknown;
    bodyKeys: string[];
    status: number | undefined;
  })[] = [];

  const addGroup = (name: string): FakeGroup => {
    const group: FakeGroup = {
      id: nextId(),
      name,
      scim_managed: false,
      assign_by_default: name === 'Everyone',
      sso_mapping_groups: [],
      members: [],
      created_at: startedAt,
    };
    state.groups.push(group);
    return group;
  };
  for (const name of options.groups ?? DEFAULT_GROUPS) {
    addGroup(name);
  }
  for (const u of options.users ?? []) {
    const id = String(nextId());
    state.users.set(id, {
      id,
      userName: u.userName,
      active: u.active ?? true,
      name: { givenName: u.givenName ?? '', familyName: u.familyName ?? '' },
      emails: [{ value: u.userName, type: 'work', primary: true }],
    });
  }

  for (const m of options.licenseMaps ?? []) {
    state.licenseMaps.push({
      id: nextId(),
      license_type: m.license_type,
      sso_license_mapping_groups: [...m.sso_license_mapping_groups],
    });
  }

  let origin = '';
  const scimBase = (): string => `/api/scim/v2/accounts/${state.account.id}`;

  // -------------------------------------------------------------------------------------------
  // Admin API handlers

  /** Sends a success envelope, unless `corruptNext` asks for a shape dbt never sends. */
  const ok = (res: Response, code: number, data: unknown, extra?: unknown): void => {
    if (quirks.corruptNext) {
      quirks.corruptNext = false;
      sendEnvelope(res, code, envelope(code, { unexpected: 'shape', id: 'not-a-number' }, extra));
      return;
    }
    sendEnvelope(res, code, envelope(code, data, extra));
  };

  /** Parses a body with `schema`, answering 400 (dbt's wording) when it does not fit. */
  const body = <S extends z.ZodType>(
    req: Request,
    res: Response,
    schema: S,
  ): z.output<S> | undefined => {
    const parsed = schema.safeParse(req.body);
    if (!parsed.success) {
      sendError(res, 400, firstProblem(parsed.error));
      return undefined;
    }
    return parsed.data;
  };

  const accountJson = (): Record<string, unknown> => ({
    ...state.account,
    state: 1,
    enterprise_login_url: `${origin}/enterprise-login/${state.account.enterprise_login_slug}/`,
    created_at: startedAt,
    updated_at: startedAt,
  });

  const tokenJson = (t: FakeScimToken): Record<string, unknown> => ({
    id: t.id,
    account_id: state.account.id,
    name: t.name,
    created_at: t.created_at,
    last_used: t.last_used,
    state: 1,
  });

  const ruleJson = (r: FakeIpRule): Record<string, unknown> => ({
    id: r.id,
    account_id: state.account.id,
    name: r.name,
    type: r.type,
    description: r.description,
    cidrs: r.cidrs.map((cidr, i) => ({
      id: r.id * 100 + i,
      ip_restriction_rule_id: r.id,
      cidr,
      cidr_ipv6: cidr.includes(':') ? cidr : null,
    })),
    rule_set_enabled: r.rule_set_enabled,
    created_at: r.created_at,
    updated_at: r.created_at,
  });

  const groupJson = (g: FakeGroup): Record<string, unknown> => ({
    id: g.id,
    account_id: state.account.id,
    name: g.name,
    state: 1,
    assign_by_default: g.assign_by_default,
    sso_mapping_groups: g.sso_mapping_groups,
    scim_managed: g.scim_managed,
    group_permissions: [],
    created_at: g.created_at,
    updated_at: g.created_at,
  });

  const licenseMapJson = (m: FakeLicenseMap): Record<string, unknown> => ({
    id: m.id,
    account_id: state.account.id,
    license_type: m.license_type,
    sso_license_mapping_groups: [...m.sso_license_mapping_groups],
    state: 1,
  });

  /** A license map body as dbt validates it (400 with dbt's wording otherwise). */
  const licenseMapInput = (req: Request, res: Response): Omit<FakeLicenseMap, 'id'> | undefined => {
    const input = body(req, res, licenseMapBody);
    if (!input) {
      return undefined;
    }
    const type = input.license_type;
    if (!(FAKE_LICENSE_TYPES as readonly string[]).includes(type)) {
      sendError(res, 400, `"${type.slice(0, 40)}" is not a valid choice.`);
      return undefined;
    }
    if (type === 'analyst' && !ANALYST_PLANS.has(state.account.plan)) {
      // Modelled: dbt offers Analyst licenses on the Enterprise plans only.
      sendError(res, 400, 'Analyst licenses are not available on this plan.');
      return undefined;
    }
    return {
      license_type: type,
      sso_license_mapping_groups: [...input.sso_license_mapping_groups],
    };
  };

  const liveToken = (id: string | undefined): FakeScimToken | undefined => {
    const t = state.scimTokens.get(Number(id));
    return t && !t.deleted ? t : undefined;
  };

  const ACCOUNT = String.raw`(\d+)`;
  const routes: readonly AdminRoute[] = [
    {
      pattern: /^\/api\/v2\/accounts\/$/,
      scoped: false,
      memberMethods: ['GET'],
      methods: {
        GET: ({ res }) => {
          ok(res, 200, [accountJson()]);
        },
      },
    },
    {
      pattern: new RegExp(`^/api/v2/accounts/${ACCOUNT}/$`),
      scoped: true,
      memberMethods: ['GET'],
      methods: {
        GET: ({ res }) => {
          ok(res, 200, accountJson());
        },
      },
    },
    {
      pattern: new RegExp(`^/api/v3/accounts/${ACCOUNT}/scim-config/$`),
      scoped: true,
      methods: {
        GET: ({ res }) => {
          ok(res, 200, { account_id: state.account.id, ...state.scimConfig });
        },
        POST: ({ req, res }) => {
          const input = body(req, res, scimConfigBody);
          if (input) {
            state.scimConfig = { ...input };
            ok(res, 200, { account_id: state.account.id, ...state.scimConfig });
          }
        },
      },
    },
    {
      pattern: new RegExp(`^/api/v3/accounts/${ACCOUNT}/scim-config/tokens/$`),
      scoped: true,
      methods: {
        GET: ({ res }) => {
          ok(res, 200, [...state.scimTokens.values()].filter((t) => !t.deleted).map(tokenJson));
        },
        POST: ({ req, res }) => {
          const input = body(req, res, scimTokenBody);
          if (input) {
            const t = addToken(input.name);
            ok(res, 201, { ...tokenJson(t), token_string: t.value });
          }
        },
      },
    },
    {
      pattern: new RegExp(`^/api/v3/accounts/${ACCOUNT}/scim-config/tokens/(\\d+)/$`),
      scoped: true,
      methods: {
        GET: ({ res, params }) => {
          const t = liveToken(params[0]);
          if (t) {
            ok(res, 200, tokenJson(t));
          } else {
            sendError(res, 404, 'SCIM token not found.');
          }
        },
        DELETE: ({ res, params }) => {
          const t = liveToken(params[0]);
          if (t) {
            t.deleted = true;
            ok(res, 200, null);
          } else {
            sendError(res, 404, 'SCIM token not found.');
          }
        },
      },
    },
    {
      pattern: new RegExp(`^/api/v3/accounts/${ACCOUNT}/ip-restrictions/$`),
      scoped: true,
      methods: {
        GET: ({ res }) => {
          ok(res, 200, state.ipRules.map(ruleJson));
        },
        POST: ({ req, res }) => {
          const input = body(req, res, ipRuleBody);
          if (!input) {
            return;
          }
          if (state.ipRules.some((r) => r.rule_set_enabled !== input.rule_set_enabled)) {
            sendError(
              res,
              400,
              'rule_set_enabled must be the same for every IP restriction rule of the account.',
            );
            return;
          }
          const rule: FakeIpRule = {
            id: nextId(),
            name: input.name,
            type: input.type,
            description: input.description ?? '',
            cidrs: input.cidrs.map((c) => c.cidr),
            rule_set_enabled: input.rule_set_enabled,
            created_at: now().toISOString(),
          };
          state.ipRules.push(rule);
          ok(res, 201, ruleJson(rule));
        },
      },
    },
    {
      pattern: new RegExp(`^/api/v3/accounts/${ACCOUNT}/ip-restrictions/(\\d+)/$`),
      scoped: true,
      methods: {
        GET: ({ res, params }) => {
          const rule = state.ipRules.find((r) => r.id === Number(params[0]));
          if (rule) {
            ok(res, 200, ruleJson(rule));
          } else {
            sendError(res, 404, 'IP restriction rule not found.');
          }
        },
        DELETE: ({ res, params }) => {
          const index = state.ipRules.findIndex((r) => r.id === Number(params[0]));
          if (index < 0) {
            sendError(res, 404, 'IP restriction rule not found.');
            return;
          }
          state.ipRules.splice(index, 1);
          ok(res, 200, null);
        },
      },
    },
    {
      pattern: new RegExp(`^/api/v3/accounts/${ACCOUNT}/license-maps/$`),
      scoped: true,
      methods: {
        GET: ({ req, res }) => {
          const query = queryOf(req);
          const offset = Math.max(0, Number.parseInt(query.offset ?? '0', 10) || 0);
          const limit = Math.min(
            100,
            Math.max(1, Number.parseInt(query.limit ?? '100', 10) || 100),
          );
          const page = state.licenseMaps.slice(offset, offset + limit).map(licenseMapJson);
          ok(res, 200, page, {
            filters: {},
            order_by: 'id',
            pagination: { count: page.length, total_count: state.licenseMaps.length },
          });
        },
        POST: ({ req, res }) => {
          const input = licenseMapInput(req, res);
          if (input) {
            const map: FakeLicenseMap = { id: nextId(), ...input };
            state.licenseMaps.push(map);
            ok(res, 201, licenseMapJson(map));
          }
        },
      },
    },
    {
      pattern: new RegExp(`^/api/v3/accounts/${ACCOUNT}/license-maps/(\\d+)/$`),
      scoped: true,
      methods: {
        GET: ({ res, params }) => {
          const map = state.licenseMaps.find((m) => m.id === Number(params[0]));
          if (map) {
            ok(res, 200, licenseMapJson(map));
          } else {
            sendError(res, 404, 'License map not found.');
          }
        },
        POST: ({ req, res, params }) => {
          const map = state.licenseMaps.find((m) => m.id === Number(params[0]));
          if (!map) {
            sendError(res, 404, 'License map not found.');
            return;
          }
          const input = licenseMapInput(req, res);
          if (input) {
            map.license_type = input.license_type;
            map.sso_license_mapping_groups = input.sso_license_mapping_groups;
            ok(res, 200, licenseMapJson(map));
          }
        },
        DELETE: ({ res, params }) => {
          const index = state.licenseMaps.findIndex((m) => m.id === Number(params[0]));
          if (index < 0) {
            sendError(res, 404, 'License map not found.');
            return;
          }
          state.licenseMaps.splice(index, 1);
          ok(res, 200, null);
        },
      },
    },
    {
      pattern: new RegExp(`^/api/v3/accounts/${ACCOUNT}/auth-provider/$`),
      scoped: true,
      methods: {
        GET: ({ res }) => {
          if (state.authProvider) {
            ok(res, 200, { account_id: state.account.id, ...state.authProvider });
          } else {
            sendError(res, 404, 'No SSO configuration found for this account.');
          }
        },
      },
    },
    {
      pattern: new RegExp(`^/api/v3/accounts/${ACCOUNT}/groups/$`),
      scoped: true,
      methods: {
        GET: ({ req, res }) => {
          const query = queryOf(req);
          const offset = Math.max(0, Number.parseInt(query.offset ?? '0', 10) || 0);
          const limit = Math.min(
            100,
            Math.max(1, Number.parseInt(query.limit ?? '100', 10) || 100),
          );
          const page = state.groups.slice(offset, offset + limit).map(groupJson);
          ok(res, 200, page, {
            filters: {},
            order_by: 'id',
            pagination: { count: page.length, total_count: state.groups.length },
          });
        },
      },
    },
  ];

  function addToken(name: string, value = randomBase62(40)): FakeScimToken {
    const t: FakeScimToken = {
      id: nextId(),
      name,
      created_at: now().toISOString(),
      last_used: null,
      value,
      deleted: false,
    };
    state.scimTokens.set(t.id, t);
    return t;
  }

  const adminApi = (req: Request, res: Response, path: string): void => {
    if (quirks.ipRestricted) {
      sendError(res, 403, IP_BLOCKED);
      return;
    }
    const found = match(routes, path);
    if (!found) {
      if (!path.endsWith('/') && match(routes, `${path}/`)) {
        // Django's APPEND_SLASH: redirect a GET, fail anything else (it cannot redirect a body).
        if (req.method === 'GET' || req.method === 'HEAD') {
          const search = req.originalUrl.includes('?')
            ? req.originalUrl.slice(req.originalUrl.indexOf('?'))
            : '';
          res.redirect(301, `${path}/${search}`);
        } else {
          res.status(500).type('text/html').send(serverErrorPage());
        }
        return;
      }
      sendError(res, 404, 'Not found.');
      return;
    }
    const { route, captures } = found;
    const handler = route.methods[req.method];
    if (!handler) {
      sendError(res, 405, `Method "${req.method}" not allowed.`);
      return;
    }
    const auth = req.get('authorization') ?? '';
    const m = /^Token\s+(\S+)\s*$/i.exec(auth);
    const permission = m?.[1] ? state.adminTokens.get(m[1]) : undefined;
    if (!permission) {
      sendError(
        res,
        401,
        auth ? 'Invalid token.' : 'Authentication credentials were not provided.',
      );
      return;
    }
    if (route.scoped && Number(captures[0]) !== state.account.id) {
      sendError(res, 404, `Account ${String(captures[0]).slice(0, 12)} not found.`);
      return;
    }
    if (permission === 'member' && !(route.memberMethods ?? []).includes(req.method)) {
      sendError(res, 403, NO_PERMISSION);
      return;
    }
    handler({ req, res, params: route.scoped ? captures.slice(1) : captures });
  };

  // -------------------------------------------------------------------------------------------
  // SCIM API

  const scimRouter = createScimRouter({
    // Reads `state.users` / `state.groups` on every request: a test may replace them.
    stores: new ScimStores(state, nextId, now),
    origin: () => origin,
    authenticate: (req) => {
      const auth = req.get('authorization') ?? '';
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      const value = m?.[1];
      const token = value
        ? [...state.scimTokens.values()].find((t) => !t.deleted && t.value === value)
        : undefined;
      if (!token || !state.scimConfig.enabled) {
        throw new Error(auth ? 'Invalid token.' : 'Authentication credentials were not provided.');
      }
      token.last_used = now().toISOString();
      return `scim-token-${token.id}`;
    },
  });

  const scimGate = (req: Request, res: Response, next: NextFunction): void => {
    res.type('application/scim+json');
    if (quirks.ipRestricted) {
      res.status(403).send(JSON.stringify(scimError(403, IP_BLOCKED)));
      return;
    }
    if (req.params.accountId !== String(state.account.id)) {
      res.status(404).send(JSON.stringify(scimError(404, 'Account not found.')));
      return;
    }
    // Express 5 re-parses `req.query` on every read; scimmy-routers converts startIndex/count in
    // place, so give the request one query object that keeps the conversion.
    Object.defineProperty(req, 'query', {
      value: { ...req.query },
      writable: true,
      configurable: true,
      enumerable: true,
    });
    next();
  };

  // -------------------------------------------------------------------------------------------
  // The app

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('case sensitive routing', true);
  app.set('strict routing', true);

  app.use((req, res, next) => {
    const auth = req.get('authorization');
    const record = {
      method: req.method,
      path: req.path,
      query: queryOf(req),
      api: kindOf(req.path),
      hasAuth: auth !== undefined && auth.trim() !== '',
      authScheme: auth?.trim() ? (auth.trim().split(/\s+/)[0] ?? null) : null,
      body: undefined as unknown,
      bodyKeys: [] as string[],
      status: undefined as number | undefined,
    };
    requests.push(record);
    res.locals.record = record;
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    next();
  });

  app.use(async (req, res, next) => {
    if (quirks.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, quirks.latencyMs));
    }
    const injected = failures.find(
      (f) =>
        f.left > 0 &&
        f.match.path.test(req.path) &&
        (!f.match.method || f.match.method.toUpperCase() === req.method),
    );
    if (injected) {
      injected.left -= 1;
      if (injected.answer === 'reset') {
        req.socket.destroy();
        return;
      }
      if (injected.answer === 'html') {
        res.status(200).type('text/html').send(signInPage());
        return;
      }
      sendError(
        res,
        injected.answer,
        STATUS_MESSAGES[injected.answer] ?? `HTTP ${injected.answer}`,
      );
      return;
    }
    if (rateLimit.left > 0) {
      rateLimit.left -= 1;
      res.set('Retry-After', String(rateLimit.retryAfterSeconds));
      sendError(res, 429, STATUS_MESSAGES[429] ?? 'Request was throttled.');
      return;
    }
    next();
  });

  app.use(express.json({ type: ['application/json', 'application/scim+json'], limit: '1mb' }));
  app.use((req, res, next) => {
    const record = res.locals.record as { body: unknown; bodyKeys: string[] } | undefined;
    if (record && req.body !== undefined) {
      record.body = req.body as unknown;
      record.bodyKeys =
        req.body !== null && typeof req.body === 'object' && !Array.isArray(req.body)
          ? Object.keys(req.body as object)
          : [];
    }
    next();
  });

  // Browser pages.
  app.get('/', (_req, res) => {
    res.redirect(302, '/login');
  });
  app.get('/login{/*rest}', (_req, res) => {
    res.status(200).type('text/html').send(signInPage());
  });
  app.get(['/settings/*rest', '/deploy/*rest', '/develop/*rest'], (_req, res) => {
    res.status(200).type('text/html').send(signInPage('Account settings | dbt'));
  });

  // SCIM, then the Admin API.
  app.use('/api/scim/v2/accounts/:accountId', scimGate, scimRouter);
  app.use('/api/scim', (_req, res) => {
    res
      .status(404)
      .type('application/scim+json')
      .send(JSON.stringify(scimError(404, 'Not found.')));
  });
  app.use('/api', (req, res) => {
    // Mounted at /api, `req.path` lost the prefix: the route table reads the whole path.
    adminApi(req, res, req.originalUrl.split('?')[0] ?? '');
  });

  // Anything else: a browser would be sent to sign in.
  app.use((req, res) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      res.redirect(302, `/login?next=${encodeURIComponent(req.path)}`);
    } else {
      res
        .status(404)
        .type('text/html')
        .send('<!doctype html><title>Not Found</title><h1>Not Found</h1>');
    }
  });

  // Express tells error handlers by their four parameters, so `_next` stays though unused.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      // SCIMMY answers its own 5xx, then passes the error on: nothing is left to send.
      return;
    }
    const status =
      err !== null && typeof err === 'object' && 'status' in err && typeof err.status === 'number'
        ? err.status
        : 500;
    const message =
      status === 400
        ? 'JSON parse error - the request body is not valid JSON.'
        : (STATUS_MESSAGES[500] ?? 'Error');
    if (req.path.startsWith('/api/scim/')) {
      res
        .status(status)
        .type('application/scim+json')
        .send(JSON.stringify(scimError(status, message)));
    } else {
      sendError(res, status, message);
    }
  });

  const server: Server = app.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    apiUrl: origin,
    get scimUrl() {
      return `${origin}${scimBase()}`;
    },
    get accountId() {
      return state.account.id;
    },
    adminToken,
    state,
    requests,
    set(q) {
      Object.assign(
        quirks,
        Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined)),
      );
    },
    failNext(matcher, answer, times = 1) {
      failures.push({ match: matcher, answer, left: times });
    },
    rateLimitNext(n, retryAfterSeconds) {
      rateLimit = { left: n, retryAfterSeconds };
    },
    createScimToken(name, value) {
      return addToken(name, value).value;
    },
    addGroup,
    clearRequests() {
      requests.length = 0;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => {
        server.close((err) => {
          if (err) {
            reject(err);
          } else {
            resolve();
          }
        });
      });
    },
  };
}

function match(
  routes: readonly AdminRoute[],
  path: string,
): { route: AdminRoute; captures: string[] } | undefined {
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (m) {
      return { route, captures: m.slice(1) };
    }
  }
  return undefined;
}

function queryOf(req: Request): Record<string, string> {
  const search = req.originalUrl.includes('?')
    ? req.originalUrl.slice(req.originalUrl.indexOf('?'))
    : '';
  return Object.fromEntries(new URLSearchParams(search));
}

function kindOf(path: string): FakeDbtRequest['api'] {
  if (path.startsWith('/api/scim/')) {
    return 'scim';
  }
  return path.startsWith('/api/') ? 'admin' : 'browser';
}
