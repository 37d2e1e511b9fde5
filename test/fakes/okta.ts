/**
 * A stateful fake Okta org on 127.0.0.1 (the Management API the wizard uses), behaving like the
 * real service where the wizard can tell (okta.md §§1–6), quirks included:
 *
 *   GET  /api/v1/users/me | /api/v1/users/{id | login | login shortname}
 *   GET  /api/v1/users?search=profile.login eq "…" or profile.email eq "…"&q=&filter=&limit=&after=
 *   GET  /api/v1/users/{userId}/roles;  GET /oauth2/v1/clients/{clientId}/roles   (403 option)
 *   GET  /api/v1/apps?q=&filter=status eq "ACTIVE"&limit=&after=;  GET|PUT /api/v1/apps/{appId}
 *        PUT is a full replace; on an app with SCIM_PROVISIONING it resets provisioning (features
 *        become [], the saved Integration is wiped: okta.md §1 row 9). Every PUT is kept in
 *        `state.fullUpdates`.
 *   GET  /api/v1/apps/{appId}/connections/default  → 200 UNKNOWN (custom apps; okta.md §2.1)
 *   GET  /api/v1/apps/{appId}/features             → 400 "Provisioning is not enabled…" (custom apps)
 *   GET|POST /api/v1/meta/schemas/apps/{appId}/default   (partial update, null removes, settle quirk)
 *   GET  /api/v1/groups?q=&search=source.id eq "…" and type eq "APP_GROUP"&limit=&after=
 *   GET  /api/v1/groups/{groupId}
 *   GET|POST /api/v1/apps/{appId}/group-push/mappings;  GET|PATCH|DELETE …/mappings/{mappingId}
 *   GET|POST /api/v1/apps/{appId}/users;  GET|POST /api/v1/apps/{appId}/users/{userId} (update)
 *   GET  /api/v1/logs?since=&until=&filter=&q=&limit=&after=&sortOrder=
 *   GET  /api/v1/mappings?sourceId=&targetId=&limit=&after=;  GET|POST /api/v1/mappings/{mappingId}
 *        Each app has an Okta user → app mapping (source: the org's default user type `user`) and
 *        an app → Okta one. POST is Okta's partial update: a property must exist in the target's
 *        profile, an expression must parse as Okta Expression Language (the subset: string
 *        literals, `user.x`, `isMemberOfGroupName("…")`, `isMemberOfGroup("…")`, `a ? b : c`,
 *        parentheses; "modelled" 400 otherwise), `expression: null` removes. On a new assignment
 *        the mapping fills the app user profile properties the request leaves out (evaluated
 *        once: never again when group membership changes, as Okta says of group functions).
 *
 * Auth: `SSWS <apiToken>` (every scope, acts as the admin) or `Bearer <token>` registered with
 * `registerAccessToken` (its scopes, its principal); anything else is 401 E0000011. A Bearer token
 * must hold the scopes the matched operation's `security` names in Okta's API description
 * (`manage` implies `read`; `okta.users.read.self` reads `/users/me`), else 403 E0000006 with
 * Okta's `WWW-Authenticate: Bearer … error="insufficient_scope"` header.
 *
 * Every request is matched against Okta's OpenAPI description (`okta-spec.ts`): an unknown path is
 * 404, a method the path lacks 405 E0000022, undeclared query parameters or a body that does not fit
 * 400 E0000003; each is kept in `specProblems`. An operation the description has but this fake does
 * not model answers 501 E0000060 and is kept in `unmodelled`.
 *
 * Errors use Okta's body `{errorCode, errorSummary, errorLink, errorId, errorCauses}`. Every answer
 * carries `X-Rate-Limit-Limit|Remaining|Reset` (epoch seconds). Lists page with `limit` and a
 * `Link: <…after=…>; rel="next"` header; System Log polling (`since` without `until`, ascending)
 * always has a next link, even on an empty page, as Okta's does.
 *
 * Console simulation (`console.*`) does what an admin does in the Admin Console: turn SCIM on,
 * save the Integration, set the To App actions, Test Connector Configuration, Import, and edit the
 * username format. Pushing users to a SCIM server happens only when `scimTarget` is set: pushes and
 * imports go to `scimTarget.url` (whatever base URL the console saved), the connector test to the
 * saved base URL; the token is the one the Integration saved, else `scimTarget.token`. Traffic only
 * ever goes to 127.0.0.1 (anything else is refused without a connection or a DNS lookup). An
 * assignment to an app with SCIM on but no `scimTarget` stays STAGED/SYNCING. Messages marked
 * "modelled" are plausible stand-ins for Okta's wording, not copies of it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadOktaSpec, type OktaSpec, type OktaSpecCheck } from './okta-spec.js';

export { loadOktaSpec } from './okta-spec.js';
export type { OktaSpec, OktaSpecCheck } from './okta-spec.js';

export type JsonObject = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------
// Public types

export const DBT_LICENSE_NAMESPACE = 'urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User';
const SCIM_CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
/** dbt's SSO guide has Okta send the Okta internal id as the SAML username. */
export const INTERNAL_ID_TEMPLATE = '${user.getInternalProperty("id")}';

export interface FakeOktaUser {
  id: string;
  status: string;
  created: string;
  activated: string | null;
  statusChanged: string | null;
  lastLogin: string | null;
  lastUpdated: string;
  passwordChanged: string | null;
  profile: {
    login: string;
    email: string;
    firstName: string | null;
    lastName: string | null;
    [attribute: string]: unknown;
  };
  /** Admin role types (SUPER_ADMIN, ORG_ADMIN, APP_ADMIN…). */
  roles: string[];
}

export interface FakeOktaGroup {
  id: string;
  created: string;
  lastUpdated: string;
  lastMembershipUpdated: string;
  type: 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';
  profile: { name: string; description: string | null; [attribute: string]: unknown };
  /** For an APP_GROUP: the app it came from. */
  source: { id: string } | null;
  /** User ids. */
  members: string[];
}

/** The app as stored: Okta's app object without `_links` (added when answering). */
export interface FakeOktaApp {
  id: string;
  name: string;
  label: string;
  status: 'ACTIVE' | 'INACTIVE';
  signOnMode: string;
  features: string[];
  created: string;
  lastUpdated: string;
  credentials: JsonObject & {
    userNameTemplate?: { template: string; type: string; [k: string]: unknown };
  };
  settings: JsonObject;
  [property: string]: unknown;
}

export interface FakeAppSchema {
  created: string;
  lastUpdated: string;
  base: Record<string, JsonObject>;
  custom: Record<string, JsonObject>;
}

export interface FakeAppUser {
  /** The Okta user id. */
  id: string;
  scope: 'USER' | 'GROUP';
  status: string;
  syncState: string;
  created: string;
  lastUpdated: string;
  statusChanged: string;
  lastSync: string | null;
  /** The id in the target app (set by a push or an import). */
  externalId: string | null;
  /** The application username (from the app's userNameTemplate at assignment). */
  userName: string;
  profile: JsonObject;
}

export interface FakeGroupPushMapping {
  id: string;
  appId: string;
  sourceGroupId: string;
  targetGroupId: string;
  status: 'ACTIVE' | 'INACTIVE' | 'ERROR';
  created: string;
  lastUpdated: string;
  lastPush: string | null;
  errorSummary: string | null;
}

/** What the console's Integration tab saved (the token is only readable through `console.integrationToken`). */
export interface FakeOktaIntegration {
  baseUrl: string;
  pushNewUsers: boolean;
  pushProfileUpdates: boolean;
  pushGroups: boolean;
  importUsers: boolean;
  savedAt: string;
  hasToken: boolean;
}

export interface FakeLogTarget {
  id: string;
  type: string;
  alternateId?: string;
  displayName: string;
}

export interface FakeLogEvent {
  uuid: string;
  published: string;
  eventType: string;
  displayMessage: string;
  severity: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  outcome: {
    result: 'SUCCESS' | 'FAILURE' | 'SKIPPED' | 'ALLOW' | 'DENY' | 'UNKNOWN';
    reason: string | null;
  };
  target: FakeLogTarget[];
  actor: { id: string; type: string; alternateId: string; displayName: string };
}

export interface FakeRole {
  id: string;
  type: string;
  label: string;
  created: string;
}

export interface FakeFullUpdate {
  appId: string;
  at: string;
  /** Whether the app had SCIM_PROVISIONING when the PUT came (the PUT then reset it). */
  scimWasOn: boolean;
}

/** A profile mapping between the org's user type and an app (either direction). */
export interface FakeProfileMapping {
  id: string;
  source: { id: string; name: string; type: 'user' | 'appuser' };
  target: { id: string; name: string; type: 'user' | 'appuser' };
  properties: Record<string, { expression: string; pushStatus: 'PUSH' | 'DONT_PUSH' }>;
}

export interface FakeOktaState {
  orgId: string;
  /** The user an SSWS token acts as. */
  adminUserId: string;
  users: FakeOktaUser[];
  groups: FakeOktaGroup[];
  apps: FakeOktaApp[];
  appSchemas: Map<string, FakeAppSchema>;
  /** Assigned users by app id. */
  appUsers: Map<string, FakeAppUser[]>;
  /** Integration settings by app id. */
  integrations: Map<string, FakeOktaIntegration>;
  groupPushMappings: FakeGroupPushMapping[];
  /** The org's default user type (`oty…`), the source of Okta → app profile mappings. */
  userTypeId: string;
  profileMappings: FakeProfileMapping[];
  /** Admin roles of OAuth service apps, by client id. */
  clientRoles: Map<string, FakeRole[]>;
  logs: FakeLogEvent[];
  fullUpdates: FakeFullUpdate[];
}

export interface FakeOktaRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Parsed JSON body (values of token/secret/password keys masked). */
  readonly body: unknown;
  /** The Authorization scheme only, never the credential. */
  readonly authScheme: 'SSWS' | 'Bearer' | null;
  /** `GET /api/v1/apps/{appId}` etc., when the path is in the description. */
  readonly operation: string | undefined;
  readonly status: number | undefined;
}

export type FakeOktaPrincipal =
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'client'; readonly clientId: string };

export interface FakeOktaGrant {
  readonly scopes: readonly string[];
  readonly principal: FakeOktaPrincipal;
}

export interface FakeOktaUserInput {
  login: string;
  email?: string;
  firstName?: string;
  lastName?: string;
  id?: string;
  status?: string;
  roles?: string[];
}

export interface FakeOktaGroupInput {
  name: string;
  description?: string;
  type?: 'OKTA_GROUP' | 'APP_GROUP' | 'BUILT_IN';
  /** For an APP_GROUP: the app id it came from. */
  sourceAppId?: string;
  /** Member logins. */
  members?: string[];
  id?: string;
}

export interface FakeOktaAppInput {
  label: string;
  /** Default `saml` (a custom SAML 2.0 app as dbt's SSO guide builds it). */
  kind?: 'saml' | 'oidc';
  name?: string;
  id?: string;
  status?: 'ACTIVE' | 'INACTIVE';
  features?: string[];
  userNameTemplate?: { template: string; type: string };
}

export interface FakeOktaOptions {
  /** The SSWS token; default `00` + 40 random characters, like Okta's. */
  readonly apiToken?: string;
  /** The admin behind the SSWS token (the org's first user). */
  readonly admin?: FakeOktaUserInput;
  /** The admin's roles; default SUPER_ADMIN. */
  readonly adminRoles?: readonly string[];
  /** Other users (default: a dozen people at acme.example). */
  readonly users?: readonly FakeOktaUserInput[];
  /** Groups besides Everyone (default: dbt_developers, dbt_analysts and a few more). */
  readonly groups?: readonly FakeOktaGroupInput[];
  /** Apps (default: the dbt SAML app and an OIDC app); `extraApps` adds to the default. */
  readonly apps?: readonly FakeOktaAppInput[];
  readonly extraApps?: readonly FakeOktaAppInput[];
  /** Admin roles of OAuth service apps by client id. */
  readonly clientRoles?: Readonly<Record<string, readonly string[]>>;
  /** Roles endpoints answer 403 E0000006, as for an admin who may not read role assignments. */
  readonly rolesForbidden?: boolean;
  /** After a custom attribute is removed, re-adding the name fails for this long. Default 0. */
  readonly schemaDeleteSettleMs?: number;
  /** Delay before a push to the SCIM target. Default 0. */
  readonly pushDelayMs?: number;
  /** Where pushes, the connector test and imports go when no Integration was saved (127.0.0.1 only). */
  readonly scimTarget?: { readonly url: string; readonly token: string };
  /** Called before routing; answers and returns true to take the request (e.g. an OAuth server). */
  readonly extraHandler?: (
    req: IncomingMessage,
    res: ServerResponse,
    rawBody: string,
  ) => Promise<boolean>;
  /** The clock (timestamps, rate-limit windows, the schema settle time). Default the system clock. */
  readonly now?: () => Date;
  /** Default 0 (any free port); always 127.0.0.1. */
  readonly port?: number;
}

export interface FakeOktaFailure {
  method?: string;
  pathPrefix?: string;
  /** Default 500. */
  status?: number;
  /** Destroy the socket instead of answering. */
  reset?: boolean;
  /**
   * The request is carried out (the change is made), then its answer is lost: the failure (the
   * status, or the reset socket) replaces it. Default false: the request fails before it is handled.
   */
  lostReply?: boolean;
  /** Default 1. */
  times?: number;
}

export interface FakeOktaRateLimit {
  /** Default: every method. */
  method?: string;
  /** Default: every path. */
  pathPrefix?: string;
  /** Default 1. */
  times?: number;
  /** Default 60. */
  resetInSeconds?: number;
}

export interface FakeOktaLogInput {
  eventType: string;
  displayMessage?: string;
  outcome?: FakeLogEvent['outcome']['result'];
  reason?: string | null;
  target?: FakeLogTarget[];
  published?: string;
  severity?: FakeLogEvent['severity'];
}

export interface IntegrationInput {
  baseUrl: string;
  token: string;
  pushNewUsers: boolean;
  pushProfileUpdates: boolean;
  pushGroups: boolean;
  importUsers?: boolean;
}

export interface ConnectorTestResult {
  ok: boolean;
  /** The SCIM server's status, or undefined when it could not be reached. */
  status: number | undefined;
  message: string;
}

export interface ImportResult {
  users: number;
  matched: number;
  unmatched: number;
  groups: number;
}

export interface FakeOktaConsole {
  /** General → Provisioning: SCIM. Adds SCIM_PROVISIONING (and the SCIM base attributes). */
  enableScim(appId: string): void;
  /** Provisioning → Integration → Save. */
  saveIntegration(appId: string, input: IntegrationInput): void;
  /** Provisioning → To App: Create users / Update user attributes / Deactivate users. */
  toApp(appId: string, actions: { create: boolean; update: boolean; deactivate: boolean }): void;
  /** "Test Connector Configuration": really calls the SCIM server with the saved token. */
  testConnector(appId: string): Promise<ConnectorTestResult>;
  /** Import → Import Now: reads Users and Groups from the SCIM server. */
  importUsers(appId: string): Promise<ImportResult>;
  /** Sign On → Application username format (a console edit: provisioning is kept). */
  setUserNameTemplate(appId: string, template: { template: string; type: string }): void;
  /** The token the Integration tab saved (tests only). */
  integrationToken(appId: string): string | undefined;
}

export interface FakeOkta {
  /** The org URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly apiToken: string;
  readonly state: FakeOktaState;
  readonly requests: readonly FakeOktaRequest[];
  /** Requests that did not fit Okta's API description. */
  readonly specProblems: string[];
  /** Operations in the description that this fake does not model (answered 501). */
  readonly unmodelled: string[];
  /** Ids of the seeded objects. */
  readonly ids: {
    readonly admin: string;
    readonly dbtApp: string;
    readonly oidcApp: string;
    readonly everyone: string;
    readonly developers: string;
    readonly analysts: string;
  };
  readonly console: FakeOktaConsole;
  registerAccessToken(token: string, grant: FakeOktaGrant): void;
  rateLimit(limit: FakeOktaRateLimit): void;
  failNext(failure: FakeOktaFailure): void;
  setMappingError(mappingId: string, summary: string): void;
  addLogEvent(input: FakeOktaLogInput): FakeLogEvent;
  addApp(input: FakeOktaAppInput): FakeOktaApp;
  addUser(input: FakeOktaUserInput): FakeOktaUser;
  addGroup(input: FakeOktaGroupInput): FakeOktaGroup;
  /** Resolves when every push started so far has finished. */
  settled(): Promise<void>;
  clearRequests(): void;
  close(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Constants

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function base62(n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) {
    out += BASE62.charAt(b % 62);
  }
  return out;
}

/** Okta ids: a 3-character prefix and 17 more, 20 in all (`00u…`, `00g…`, `0oa…`). */
function oktaId(prefix: string): string {
  return `${prefix}${base62(20 - prefix.length)}`;
}

const ROLE_LABELS: Readonly<Record<string, string>> = {
  SUPER_ADMIN: 'Super Administrator',
  ORG_ADMIN: 'Organization Administrator',
  APP_ADMIN: 'Application Administrator',
  USER_ADMIN: 'Group Administrator',
  GROUP_MEMBERSHIP_ADMIN: 'Group Membership Administrator',
  HELP_DESK_ADMIN: 'Help Desk Administrator',
  READ_ONLY_ADMIN: 'Read-only Administrator',
  MOBILE_ADMIN: 'Mobile Administrator',
  API_ACCESS_MANAGEMENT_ADMIN: 'API Access Management Administrator',
  REPORT_ADMIN: 'Report Administrator',
};

/** BUILT_IN username templates (ApplicationCredentialsUsernameTemplate, Okta's table). */
const BUILT_IN_TEMPLATES = new Set([
  '${source.employeeID}',
  '${source.samAccountName}',
  '${fn:toLowerCase(source.samAccountName)}',
  '${source.userName}',
  '${fn:substringBefore(source.userName, "@")}',
  '${source.email}',
  '${fn:toLowerCase(source.email)}',
  '${fn:substringBefore(source.email, "@")}',
  '${source.userName}${instance.userSuffix}',
  '${source.login}',
  '${fn:substringBefore(source.login, "@")}',
]);

/** Okta's codes and summaries for statuses injected with `failNext`. */
const FAIL_CODES: Readonly<Record<number, [string, string]>> = {
  400: ['E0000001', 'Api validation failed: request'],
  401: ['E0000011', 'Invalid token provided'],
  403: ['E0000006', 'You do not have permission to perform the requested action'],
  404: ['E0000007', 'Not found: Resource not found'],
  405: ['E0000022', 'The endpoint does not support the provided HTTP method'],
  409: ['E0000195', 'Api validation failed due to conflict'],
  429: ['E0000047', 'API call exceeded rate limit due to too many requests.'],
  500: ['E0000009', 'Internal Server Error'],
  502: ['E0000009', 'Internal Server Error'],
  503: ['E0000010', 'Service is in read only mode'],
  504: ['E0000009', 'Internal Server Error'],
};

const RATE_LIMIT = 600;
const INVALID_TOKEN = 'Invalid token provided';
const NO_PERMISSION = 'You do not have permission to perform the requested action';

/** The SCIM attributes Okta adds to a custom SAML app's user schema when SCIM is turned on. */
const SCIM_BASE_ATTRIBUTES: readonly [string, string, string][] = [
  ['givenName', 'Given name', 'name.givenName'],
  ['familyName', 'Family name', 'name.familyName'],
  ['email', 'Email', "emails.^[type=='work'].value"],
  ['displayName', 'Display name', 'displayName'],
  ['primaryPhone', 'Primary phone', "phoneNumbers.^[type=='work'].value"],
];

const DEFAULT_USERS: readonly FakeOktaUserInput[] = [
  { login: 'grace.hopper@acme.example', firstName: 'Grace', lastName: 'Hopper' },
  { login: 'alan.turing@acme.example', firstName: 'Alan', lastName: 'Turing' },
  { login: 'katherine.johnson@acme.example', firstName: 'Katherine', lastName: 'Johnson' },
  { login: 'edsger.dijkstra@acme.example', firstName: 'Edsger', lastName: 'Dijkstra' },
  { login: 'barbara.liskov@acme.example', firstName: 'Barbara', lastName: 'Liskov' },
  { login: 'donald.knuth@acme.example', firstName: 'Donald', lastName: 'Knuth' },
  { login: 'frances.allen@acme.example', firstName: 'Frances', lastName: 'Allen' },
  { login: 'john.backus@acme.example', firstName: 'John', lastName: 'Backus' },
  { login: 'radia.perlman@acme.example', firstName: 'Radia', lastName: 'Perlman' },
  { login: 'ken.thompson@acme.example', firstName: 'Ken', lastName: 'Thompson' },
  { login: 'margaret.hamilton@acme.example', firstName: 'Margaret', lastName: 'Hamilton' },
  { login: 'tim.berners-lee@acme.example', firstName: 'Tim', lastName: 'Berners-Lee' },
];

const DEFAULT_GROUPS: readonly FakeOktaGroupInput[] = [
  {
    name: 'dbt_developers',
    description: 'People who build dbt projects',
    members: [
      'grace.hopper@acme.example',
      'alan.turing@acme.example',
      'edsger.dijkstra@acme.example',
    ],
  },
  {
    name: 'dbt_analysts',
    description: 'People who read dbt docs and explore',
    members: ['katherine.johnson@acme.example', 'barbara.liskov@acme.example'],
  },
  { name: 'Engineering', description: 'All engineers' },
  { name: 'Finance' },
  { name: 'Marketing' },
  { name: 'Sales' },
  { name: 'Support' },
  { name: 'Contractors' },
];

// ---------------------------------------------------------------------------------------------
// Filter expressions (Okta's `search` / `filter` subset)

export type OktaExpression =
  | { kind: 'or'; items: OktaExpression[] }
  | { kind: 'and'; items: OktaExpression[] }
  | { kind: 'cmp'; attr: string; op: string; value: string | number | boolean | null }
  | { kind: 'pr'; attr: string };

/** Parses `a.b eq "x" and (c sw "y" or d pr)`; an error text when it cannot. */
export function parseOktaExpression(text: string): OktaExpression | string {
  const tokens: { t: 'id' | 'str' | 'lit' | '(' | ')'; v: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ t: c, v: c });
      i++;
    } else if (c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= text.length) {
          return 'unterminated string';
        }
        const d = text.charAt(i);
        if (d === '\\' && i + 1 < text.length) {
          v += text.charAt(i + 1);
          i += 2;
          continue;
        }
        if (d === '"') {
          i++;
          break;
        }
        v += d;
        i++;
      }
      tokens.push({ t: 'str', v });
    } else {
      const m = /^[A-Za-z0-9_.$:-]+/.exec(text.slice(i));
      if (!m) {
        return `unexpected "${c}" at ${i + 1}`;
      }
      tokens.push({ t: 'id', v: m[0] });
      i += m[0].length;
    }
  }
  let k = 0;
  const peek = (): { t: string; v: string } | undefined => tokens[k];
  const word = (w: string): boolean => {
    const p = peek();
    return p?.t === 'id' && p.v.toLowerCase() === w;
  };
  const primary = (): OktaExpression | string => {
    const p = peek();
    if (!p) {
      return 'unexpected end of expression';
    }
    if (p.t === '(') {
      k++;
      const inner = orExpr();
      if (typeof inner === 'string') {
        return inner;
      }
      if (peek()?.t !== ')') {
        return 'missing ")"';
      }
      k++;
      return inner;
    }
    if (p.t !== 'id') {
      return `expected an attribute, got "${p.v}"`;
    }
    k++;
    const op = peek();
    if (op?.t !== 'id') {
      return `expected an operator after ${p.v}`;
    }
    const operator = op.v.toLowerCase();
    k++;
    if (operator === 'pr') {
      return { kind: 'pr', attr: p.v };
    }
    if (!['eq', 'ne', 'sw', 'co', 'ew', 'gt', 'ge', 'lt', 'le'].includes(operator)) {
      return `unknown operator "${op.v}"`;
    }
    const value = peek();
    if (!value || (value.t !== 'str' && value.t !== 'id')) {
      return `expected a value after ${p.v} ${op.v}`;
    }
    k++;
    if (value.t === 'str') {
      return { kind: 'cmp', attr: p.v, op: operator, value: value.v };
    }
    const lit = value.v.toLowerCase();
    const parsed =
      lit === 'true'
        ? true
        : lit === 'false'
          ? false
          : lit === 'null'
            ? null
            : /^-?\d+(\.\d+)?$/.test(value.v)
              ? Number(value.v)
              : undefined;
    if (parsed === undefined) {
      return `values must be quoted: ${value.v}`;
    }
    return { kind: 'cmp', attr: p.v, op: operator, value: parsed };
  };
  const andExpr = (): OktaExpression | string => {
    const items: OktaExpression[] = [];
    for (;;) {
      const e = primary();
      if (typeof e === 'string') {
        return e;
      }
      items.push(e);
      if (!word('and')) {
        break;
      }
      k++;
    }
    return items.length === 1 && items[0] ? items[0] : { kind: 'and', items };
  };
  function orExpr(): OktaExpression | string {
    const items: OktaExpression[] = [];
    for (;;) {
      const e = andExpr();
      if (typeof e === 'string') {
        return e;
      }
      items.push(e);
      if (!word('or')) {
        break;
      }
      k++;
    }
    return items.length === 1 && items[0] ? items[0] : { kind: 'or', items };
  }
  if (tokens.length === 0) {
    return 'empty expression';
  }
  const e = orExpr();
  if (typeof e !== 'string' && k < tokens.length) {
    return `unexpected "${tokens[k]?.v ?? ''}"`;
  }
  return e;
}

function valuesAt(obj: unknown, path: string): unknown[] {
  let current: unknown[] = [obj];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const c of current) {
      const items = Array.isArray(c) ? c : [c];
      for (const item of items) {
        if (isObject(item) && key in item) {
          next.push(item[key]);
        }
      }
    }
    current = next;
  }
  return current.flatMap((v): unknown[] => (Array.isArray(v) ? (v as unknown[]) : [v]));
}

export function evaluateOktaExpression(
  expr: OktaExpression,
  obj: unknown,
  caseInsensitive: boolean,
): boolean {
  if (expr.kind === 'or' || expr.kind === 'and') {
    return expr.kind === 'or'
      ? expr.items.some((e) => evaluateOktaExpression(e, obj, caseInsensitive))
      : expr.items.every((e) => evaluateOktaExpression(e, obj, caseInsensitive));
  }
  const values = valuesAt(obj, expr.attr);
  if (expr.kind === 'pr') {
    return values.some((v) => v !== null && v !== undefined && v !== '');
  }
  const norm = (v: unknown): unknown =>
    typeof v === 'string' && caseInsensitive ? v.toLowerCase() : v;
  const want = norm(expr.value);
  return values.some((raw) => {
    const v = norm(raw);
    switch (expr.op) {
      case 'eq':
        return v === want;
      case 'ne':
        return v !== want;
      case 'sw':
        return typeof v === 'string' && typeof want === 'string' && v.startsWith(want);
      case 'ew':
        return typeof v === 'string' && typeof want === 'string' && v.endsWith(want);
      case 'co':
        return typeof v === 'string' && typeof want === 'string' && v.includes(want);
      default: {
        if (typeof v === 'number' && typeof want === 'number') {
          return compare(expr.op, v - want);
        }
        if (typeof v === 'string' && typeof want === 'string') {
          return compare(expr.op, v < want ? -1 : v > want ? 1 : 0);
        }
        return false;
      }
    }
  });
}

function profileText(user: FakeOktaUser, key: string): string {
  const v = user.profile[key];
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

function compare(op: string, d: number): boolean {
  return op === 'gt' ? d > 0 : op === 'ge' ? d >= 0 : op === 'lt' ? d < 0 : d <= 0;
}

function isObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

// ---------------------------------------------------------------------------------------------
// The fake

class OktaError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly summary: string,
    readonly causes: readonly string[] = [],
  ) {
    super(summary);
  }
}

const notFound = (id: string, type: string): OktaError =>
  new OktaError(404, 'E0000007', `Not found: Resource not found: ${id} (${type})`);

const validation = (what: string, causes: readonly string[]): OktaError =>
  new OktaError(400, 'E0000001', `Api validation failed: ${what}`, causes);

interface Ctx {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly principal: FakeOktaPrincipal;
}

type Handler = (ctx: Ctx) => unknown;

type ScimAnswer =
  | { kind: 'answer'; status: number; json: unknown; text: string }
  | { kind: 'unreachable'; reason: string };

export async function startFakeOkta(options: FakeOktaOptions = {}): Promise<FakeOkta> {
  const spec: OktaSpec = await loadOktaSpec();
  const now = options.now ?? (() => new Date());
  const iso = (): string => now().toISOString();
  const apiToken = options.apiToken ?? `00${base62(40)}`;
  const startedAt = new Date(now().getTime() - 400 * 86_400_000).toISOString();
  let origin = '';

  const state: FakeOktaState = {
    orgId: oktaId('00o'),
    adminUserId: '',
    users: [],
    groups: [],
    apps: [],
    appSchemas: new Map(),
    appUsers: new Map(),
    integrations: new Map(),
    groupPushMappings: [],
    userTypeId: oktaId('oty'),
    profileMappings: [],
    clientRoles: new Map(),
    logs: [],
    fullUpdates: [],
  };
  const integrationTokens = new Map<string, string>();
  const accessTokens = new Map<string, FakeOktaGrant>();
  const schemaDeletions = new Map<string, number>();
  const failures: (FakeOktaFailure & { left: number })[] = [];
  const rateLimits: (FakeOktaRateLimit & { left: number })[] = [];
  const rateWindows = new Map<string, { start: number; count: number }>();
  const pending = new Set<Promise<void>>();
  const requests: (FakeOktaRequest & {
    status: number | undefined;
    operation: string | undefined;
  })[] = [];
  const specProblems: string[] = [];
  const unmodelled: string[] = [];

  // -------------------------------------------------------------------------------------------
  // Seeding

  const makeRole = (type: string): FakeRole => ({
    id: oktaId('ra1'),
    type,
    label: ROLE_LABELS[type] ?? type,
    created: startedAt,
  });
  const userRoles = new Map<string, FakeRole[]>();
  /** The user's role assignments (stable ids), following `user.roles`. */
  const rolesOf = (user: FakeOktaUser): FakeRole[] => {
    const list = (userRoles.get(user.id) ?? []).filter((r) => user.roles.includes(r.type));
    for (const type of user.roles) {
      if (!list.some((r) => r.type === type)) {
        list.push(makeRole(type));
      }
    }
    userRoles.set(user.id, list);
    return list;
  };

  const addUser = (input: FakeOktaUserInput): FakeOktaUser => {
    const email = input.email ?? input.login;
    const local = input.login.split('@')[0] ?? input.login;
    const [first, ...rest] = local.split('.');
    const cap = (s: string | undefined): string | null =>
      s ? s.charAt(0).toUpperCase() + s.slice(1) : null;
    const user: FakeOktaUser = {
      id: input.id ?? oktaId('00u'),
      status: input.status ?? 'ACTIVE',
      created: startedAt,
      activated: startedAt,
      statusChanged: startedAt,
      lastLogin: startedAt,
      lastUpdated: startedAt,
      passwordChanged: startedAt,
      profile: {
        login: input.login,
        email,
        firstName: input.firstName ?? cap(first),
        lastName: input.lastName ?? cap(rest.join(' ')),
        mobilePhone: null,
        secondEmail: null,
      },
      roles: [...(input.roles ?? [])],
    };
    state.users.push(user);
    const everyone = state.groups.find((g) => g.type === 'BUILT_IN');
    everyone?.members.push(user.id);
    return user;
  };

  const findUserByLogin = (login: string): FakeOktaUser | undefined =>
    state.users.find((u) => u.profile.login.toLowerCase() === login.toLowerCase());

  const addGroup = (input: FakeOktaGroupInput): FakeOktaGroup => {
    const group: FakeOktaGroup = {
      id: input.id ?? oktaId('00g'),
      created: startedAt,
      lastUpdated: startedAt,
      lastMembershipUpdated: startedAt,
      type: input.type ?? (input.sourceAppId ? 'APP_GROUP' : 'OKTA_GROUP'),
      profile: { name: input.name, description: input.description ?? null },
      source: input.sourceAppId ? { id: input.sourceAppId } : null,
      members: (input.members ?? [])
        .map((login) => findUserByLogin(login)?.id)
        .filter((id): id is string => id !== undefined),
    };
    state.groups.push(group);
    return group;
  };

  const everyone = addGroup({
    name: 'Everyone',
    description: 'All users in your organization',
    type: 'BUILT_IN',
  });
  const admin = addUser({
    login: 'ada.admin@acme.example',
    firstName: 'Ada',
    lastName: 'Admin',
    ...options.admin,
    roles: [...(options.adminRoles ?? options.admin?.roles ?? ['SUPER_ADMIN'])],
  });
  state.adminUserId = admin.id;
  for (const u of options.users ?? DEFAULT_USERS) {
    addUser(u);
  }
  for (const g of options.groups ?? DEFAULT_GROUPS) {
    addGroup(g);
  }
  for (const [clientId, roles] of Object.entries(options.clientRoles ?? {})) {
    state.clientRoles.set(clientId, roles.map(makeRole));
  }

  const baseSchema = (app: FakeOktaApp): FakeAppSchema => ({
    created: app.created,
    lastUpdated: app.created,
    base: {
      userName: {
        title: 'Username',
        type: 'string',
        required: true,
        scope: 'NONE',
        maxLength: 100,
        master: { type: 'PROFILE_MASTER' },
        mutability: 'READ_WRITE',
        permissions: [{ principal: 'SELF', action: 'READ_ONLY' }],
      },
    },
    custom: {},
  });

  const addApp = (input: FakeOktaAppInput): FakeOktaApp => {
    const id = input.id ?? oktaId('0oa');
    const kind = input.kind ?? 'saml';
    const slug = input.label.toLowerCase().replace(/[^a-z0-9]+/g, '');
    const name =
      input.name ??
      (kind === 'oidc'
        ? 'oidc_client'
        : `acme_${slug}_${state.apps.filter((a) => a.name.startsWith(`acme_${slug}_`)).length + 1}`);
    const common = {
      id,
      name,
      label: input.label,
      status: input.status ?? 'ACTIVE',
      lastUpdated: startedAt,
      created: startedAt,
      orn: `orn:okta:idp:${state.orgId}:apps:${name}:${id}`,
      accessibility: { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
      visibility: {
        autoLaunch: false,
        autoSubmitToolbar: false,
        hide: { iOS: kind === 'oidc', web: kind === 'oidc' },
        appLinks: { [`${name}_link`]: true },
      },
      features: [...(input.features ?? [])],
    };
    const settingsCommon = {
      app: {},
      notifications: {
        vpn: { network: { connection: 'DISABLED' }, message: null, helpUrl: null },
      },
      manualProvisioning: false,
      implicitAssignment: false,
      notes: { admin: null, enduser: null },
      emOptInStatus: 'DISABLED',
    };
    const kid = base62(43);
    let app: FakeOktaApp;
    if (kind === 'oidc') {
      app = {
        ...common,
        signOnMode: 'OPENID_CONNECT',
        credentials: {
          userNameTemplate: input.userNameTemplate ?? {
            template: '${source.login}',
            type: 'BUILT_IN',
          },
          signing: { kid },
          oauthClient: {
            autoKeyRotation: true,
            client_id: id,
            token_endpoint_auth_method: 'none',
            pkce_required: true,
          },
        },
        settings: {
          ...settingsCommon,
          oauthClient: {
            client_uri: null,
            logo_uri: null,
            redirect_uris: ['http://127.0.0.1:47821/callback'],
            post_logout_redirect_uris: [],
            response_types: ['code'],
            grant_types: ['authorization_code', 'refresh_token'],
            application_type: 'native',
            consent_method: 'REQUIRED',
            issuer_mode: 'DYNAMIC',
            idp_initiated_login: { mode: 'DISABLED', default_scope: [] },
            wildcard_redirect: 'DISABLED',
            dpop_bound_access_tokens: false,
          },
        },
      };
    } else {
      const slugged = slug || 'acme';
      const acs = `https://auth.cloud.getdbt.com/login/callback?connection=${slugged}`;
      app = {
        ...common,
        signOnMode: 'SAML_2_0',
        credentials: {
          userNameTemplate: input.userNameTemplate ?? {
            template: INTERNAL_ID_TEMPLATE,
            type: 'CUSTOM',
          },
          signing: { kid },
        },
        settings: {
          ...settingsCommon,
          signOn: {
            defaultRelayState: null,
            ssoAcsUrl: acs,
            idpIssuer: 'http://www.okta.com/${org.externalKey}',
            audience: `urn:auth0:dbt-cloud:${slugged}`,
            recipient: acs,
            destination: acs,
            subjectNameIdTemplate: '${user.userName}',
            subjectNameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
            responseSigned: true,
            assertionSigned: true,
            signatureAlgorithm: 'RSA_SHA256',
            digestAlgorithm: 'SHA256',
            honorForceAuthn: true,
            authnContextClassRef:
              'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport',
            spIssuer: null,
            requestCompressed: false,
            samlAssertionLifetimeSeconds: 3600,
            slo: { enabled: false },
            participateSlo: { enabled: false },
            allowMultipleAcsEndpoints: false,
            acsEndpoints: [],
            samlSignedRequestEnabled: false,
            attributeStatements: [
              {
                type: 'EXPRESSION',
                name: 'email',
                namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
                values: ['user.email'],
              },
              {
                type: 'EXPRESSION',
                name: 'first_name',
                namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
                values: ['user.firstName'],
              },
              {
                type: 'EXPRESSION',
                name: 'last_name',
                namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
                values: ['user.lastName'],
              },
              {
                type: 'GROUP',
                name: 'groups',
                namespace: 'urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified',
                filterType: 'REGEX',
                filterValue: '.*',
              },
            ],
            inlineHooks: [],
          },
        },
      };
    }
    state.apps.push(app);
    state.appSchemas.set(app.id, baseSchema(app));
    state.appUsers.set(app.id, []);
    return app;
  };

  const seededApps = options.apps ?? [
    { label: 'dbt Cloud' },
    { label: 'dbt SCIM Wizard', kind: 'oidc' as const },
  ];
  const firstApps = seededApps.map(addApp);
  for (const a of options.extraApps ?? []) {
    addApp(a);
  }
  const findGroupByName = (name: string): FakeOktaGroup | undefined =>
    state.groups.find((g) => g.profile.name === name);

  // -------------------------------------------------------------------------------------------
  // Answers

  const rateHeaders = (res: ServerResponse, path: string): void => {
    const bucket = path.split('/').slice(0, 4).join('/');
    const nowMs = now().getTime();
    let w = rateWindows.get(bucket);
    if (!w || nowMs - w.start >= 60_000) {
      w = { start: nowMs, count: 0 };
      rateWindows.set(bucket, w);
    }
    w.count += 1;
    res.setHeader('X-Rate-Limit-Limit', String(RATE_LIMIT));
    res.setHeader('X-Rate-Limit-Remaining', String(Math.max(0, RATE_LIMIT - w.count)));
    res.setHeader('X-Rate-Limit-Reset', String(Math.ceil((w.start + 60_000) / 1000)));
  };

  const sendJson = (res: ServerResponse, status: number, body: unknown): void => {
    if (res.headersSent) {
      return;
    }
    const text = JSON.stringify(body);
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('Content-Length', Buffer.byteLength(text));
    res.end(text);
  };

  const sendError = (
    res: ServerResponse,
    status: number,
    code: string,
    summary: string,
    causes: readonly string[] = [],
  ): void => {
    sendJson(res, status, {
      errorCode: code,
      errorSummary: summary,
      errorLink: code,
      errorId: `oae${base62(22)}`,
      errorCauses: causes.map((errorSummary) => ({ errorSummary })),
    });
  };

  const wwwAuthenticate = (path: string, error: string, description: string, scope: string) =>
    `Bearer authorization_uri="${origin}/oauth2/v1/authorize", realm="IdpRealm", scope="${scope}", ` +
    `error="${error}", error_description="${description}", resource="${path}"`;

  /** A page of `items` with Okta's `Link` headers; `cursor` gives the opaque `after` of an item. */
  const page = <T>(
    ctx: Ctx,
    items: readonly T[],
    cursor: (item: T) => string,
    defaultLimit: number,
    maxLimit: number,
  ): T[] => {
    const raw = ctx.query.get('limit');
    let limit = raw === null ? defaultLimit : Number(raw);
    if (!Number.isInteger(limit) || limit <= 0) {
      limit = defaultLimit;
    }
    limit = Math.min(limit, maxLimit);
    const after = ctx.query.get('after');
    let start = 0;
    if (after !== null) {
      const index = items.findIndex((item) => cursor(item) === after);
      start = index < 0 ? items.length : index + 1;
    }
    const slice = items.slice(start, start + limit);
    const links = [
      `<${origin}${ctx.path}${ctx.query.size > 0 ? `?${ctx.query.toString()}` : ''}>; rel="self"`,
    ];
    const last = slice[slice.length - 1];
    if (start + limit < items.length && last !== undefined) {
      const next = new URLSearchParams(ctx.query);
      next.set('after', cursor(last));
      next.set('limit', String(limit));
      links.push(`<${origin}${ctx.path}?${next.toString()}>; rel="next"`);
    }
    ctx.res.setHeader('Link', links);
    return slice;
  };

  const expression = (text: string): OktaExpression => {
    const parsed = parseOktaExpression(text);
    if (typeof parsed === 'string') {
      // Modelled wording.
      throw new OktaError(400, 'E0000031', 'Invalid search criteria.', [parsed]);
    }
    return parsed;
  };

  // -------------------------------------------------------------------------------------------
  // JSON of the objects

  const userJson = (u: FakeOktaUser): JsonObject => ({
    id: u.id,
    status: u.status,
    created: u.created,
    activated: u.activated,
    statusChanged: u.statusChanged,
    lastLogin: u.lastLogin,
    lastUpdated: u.lastUpdated,
    passwordChanged: u.passwordChanged,
    type: { id: `oty${state.orgId.slice(3)}` },
    profile: clone(u.profile),
    credentials: {
      password: {},
      emails: [{ value: u.profile.email, status: 'VERIFIED', type: 'PRIMARY' }],
      provider: { type: 'OKTA', name: 'OKTA' },
    },
    _links: { self: { href: `${origin}/api/v1/users/${u.id}` } },
  });

  const groupJson = (g: FakeOktaGroup): JsonObject => ({
    id: g.id,
    created: g.created,
    lastUpdated: g.lastUpdated,
    lastMembershipUpdated: g.lastMembershipUpdated,
    objectClass: [g.type === 'APP_GROUP' ? 'okta:app_group' : 'okta:user_group'],
    type: g.type,
    profile: clone(g.profile),
    ...(g.source ? { source: { id: g.source.id } } : {}),
    _links: {
      logo: [
        {
          name: 'medium',
          href: `${origin}/assets/img/logos/groups/okta-medium.png`,
          type: 'image/png',
        },
        {
          name: 'large',
          href: `${origin}/assets/img/logos/groups/okta-large.png`,
          type: 'image/png',
        },
      ],
      users: { href: `${origin}/api/v1/groups/${g.id}/users` },
      apps: { href: `${origin}/api/v1/groups/${g.id}/apps` },
      ...(g.source ? { source: { href: `${origin}/api/v1/apps/${g.source.id}` } } : {}),
    },
  });

  const appJson = (a: FakeOktaApp): JsonObject => {
    const json = clone(a) as JsonObject;
    json._links = {
      help: {
        href: `${origin}/app/${a.name}/${a.id}/setup/help/${a.signOnMode}/instructions`,
        type: 'text/html',
      },
      ...(a.signOnMode === 'SAML_2_0'
        ? {
            metadata: {
              href: `${origin}/api/v1/apps/${a.id}/sso/saml/metadata`,
              type: 'application/xml',
            },
          }
        : {}),
      appLinks: [
        {
          name: `${a.name}_link`,
          href: `${origin}/home/${a.name}/${a.id}/aln${a.id.slice(3, 17)}`,
          type: 'text/html',
        },
      ],
      groups: { href: `${origin}/api/v1/apps/${a.id}/groups` },
      logo: [{ name: 'medium', href: `${origin}/assets/img/logos/default.png`, type: 'image/png' }],
      uploadLogo: { href: `${origin}/api/v1/apps/${a.id}/logo`, hints: { allow: ['POST'] } },
      users: { href: `${origin}/api/v1/apps/${a.id}/users` },
      ...(a.status === 'ACTIVE'
        ? { deactivate: { href: `${origin}/api/v1/apps/${a.id}/lifecycle/deactivate` } }
        : { activate: { href: `${origin}/api/v1/apps/${a.id}/lifecycle/activate` } }),
    };
    return json;
  };

  const schemaJson = (app: FakeOktaApp, s: FakeAppSchema): JsonObject => ({
    id: `${origin}/meta/schemas/apps/${app.id}/default`,
    $schema: 'http://json-schema.org/draft-04/schema#',
    name: app.name,
    title: `${app.label} User`,
    lastUpdated: s.lastUpdated,
    created: s.created,
    definitions: {
      custom: { id: '#custom', type: 'object', properties: clone(s.custom), required: [] },
      base: {
        id: '#base',
        type: 'object',
        properties: clone(s.base),
        required: Object.entries(s.base)
          .filter(([, p]) => p.required === true)
          .map(([n]) => n),
      },
    },
    type: 'object',
    properties: {
      profile: { allOf: [{ $ref: '#/definitions/custom' }, { $ref: '#/definitions/base' }] },
    },
  });

  const appUserJson = (appId: string, u: FakeAppUser): JsonObject => ({
    created: u.created,
    credentials: { userName: u.userName },
    externalId: u.externalId,
    id: u.id,
    lastSync: u.lastSync,
    lastUpdated: u.lastUpdated,
    passwordChanged: null,
    profile: clone(u.profile),
    scope: u.scope,
    status: u.status,
    statusChanged: u.statusChanged,
    syncState: u.syncState,
    _links: {
      app: { href: `${origin}/api/v1/apps/${appId}` },
      user: { href: `${origin}/api/v1/users/${u.id}` },
    },
  });

  const mappingJson = (m: FakeGroupPushMapping): JsonObject => ({
    id: m.id,
    sourceGroupId: m.sourceGroupId,
    targetGroupId: m.targetGroupId,
    status: m.status,
    created: m.created,
    lastUpdated: m.lastUpdated,
    lastPush: m.lastPush,
    errorSummary: m.errorSummary,
    _links: {
      app: { href: `${origin}/api/v1/apps/${m.appId}` },
      sourceGroup: { href: `${origin}/api/v1/groups/${m.sourceGroupId}` },
      targetGroup: { href: `${origin}/api/v1/groups/${m.targetGroupId}` },
    },
  });

  const roleJson = (r: FakeRole, assignee: string): JsonObject => ({
    id: r.id,
    label: r.label,
    type: r.type,
    status: 'ACTIVE',
    created: r.created,
    lastUpdated: r.created,
    assignmentType: assignee.includes('/clients/') ? 'CLIENT' : 'USER',
    _links: { assignee: { href: assignee } },
  });

  const logJson = (e: FakeLogEvent): JsonObject => ({
    actor: { ...e.actor, detailEntry: null },
    client: {
      userAgent: {
        rawUserAgent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)',
        os: 'Mac OS X',
        browser: 'CHROME',
      },
      zone: 'null',
      device: 'Computer',
      id: null,
      ipAddress: '127.0.0.1',
      geographicalContext: null,
    },
    device: null,
    authenticationContext: {
      authenticationProvider: null,
      credentialProvider: null,
      credentialType: null,
      issuer: null,
      interface: null,
      authenticationStep: 0,
      externalSessionId: 'trs' + e.uuid.replace(/-/g, '').slice(0, 20),
    },
    displayMessage: e.displayMessage,
    eventType: e.eventType,
    outcome: { ...e.outcome },
    published: e.published,
    securityContext: { asNumber: null, asOrg: null, isp: null, domain: null, isProxy: null },
    severity: e.severity,
    debugContext: { debugData: {} },
    legacyEventType: null,
    transaction: { type: 'WEB', id: e.uuid.replace(/-/g, '').slice(0, 27), detail: {} },
    uuid: e.uuid,
    version: '0',
    request: { ipChain: [] },
    target: e.target.map((t) => ({
      ...t,
      alternateId: t.alternateId ?? t.displayName,
      detailEntry: null,
    })),
  });

  // -------------------------------------------------------------------------------------------
  // Lookups and logs

  /** Every app has its two profile mappings (Okta makes them with the app). */
  const ensureProfileMappings = (): void => {
    for (const app of state.apps) {
      const appEnd = { id: app.id, name: app.name, type: 'appuser' as const };
      const userEnd = { id: state.userTypeId, name: 'user', type: 'user' as const };
      if (!state.profileMappings.some((m) => m.target.id === app.id)) {
        state.profileMappings.push({
          id: oktaId('prm'),
          source: userEnd,
          target: appEnd,
          properties: { userName: { expression: 'user.email', pushStatus: 'DONT_PUSH' } },
        });
      }
      if (!state.profileMappings.some((m) => m.source.id === app.id)) {
        state.profileMappings.push({
          id: oktaId('prm'),
          source: appEnd,
          target: userEnd,
          properties: {},
        });
      }
    }
  };

  const profileMappingOr404 = (id: string | undefined): FakeProfileMapping => {
    ensureProfileMappings();
    const mapping = state.profileMappings.find((m) => m.id === id);
    if (!mapping) {
      throw notFound(id ?? '', 'ProfileMapping');
    }
    return mapping;
  };

  const profileMappingJson = (m: FakeProfileMapping, withProperties: boolean): JsonObject => {
    const end = (e: FakeProfileMapping['source']): JsonObject => ({
      ...e,
      _links: {
        self: {
          href:
            e.type === 'user'
              ? `${origin}/api/v1/meta/types/user/${e.id}`
              : `${origin}/api/v1/apps/${e.id}`,
        },
      },
    });
    return {
      id: m.id,
      source: end(m.source),
      target: end(m.target),
      ...(withProperties ? { properties: clone(m.properties) } : {}),
      _links: { self: { href: `${origin}/api/v1/mappings/${m.id}` } },
    };
  };

  /** The properties a mapping may set: the app user profile's, or the Okta user's. */
  const targetProperties = (m: FakeProfileMapping): Set<string> => {
    if (m.target.type === 'user') {
      return new Set(['login', 'email', 'firstName', 'lastName', 'displayName', 'nickName']);
    }
    const app = appOr404(m.target.id);
    const schema = state.appSchemas.get(app.id) ?? baseSchema(app);
    return new Set([...Object.keys(schema.base), ...Object.keys(schema.custom)]);
  };

  /** The app user profile values the Okta → app mapping gives `user` (evaluated now, once). */
  const mappedProfile = (app: FakeOktaApp, user: FakeOktaUser): JsonObject => {
    const mapping = state.profileMappings.find(
      (m) => m.target.id === app.id && m.source.type === 'user',
    );
    const out: JsonObject = {};
    for (const [name, p] of Object.entries(mapping?.properties ?? {})) {
      if (name === 'userName') {
        continue;
      }
      const parsed = parseMappingExpression(p.expression);
      if (typeof parsed === 'string') {
        continue;
      }
      const value = evaluateMapping(parsed, {
        user: user.profile,
        groups: state.groups.filter((g) => g.members.includes(user.id)),
      });
      if (typeof value === 'string') {
        out[name] = value;
      }
    }
    return out;
  };

  const appOr404 = (id: string | undefined): FakeOktaApp => {
    const app = state.apps.find((a) => a.id === id);
    if (!app) {
      throw notFound(id ?? '', 'AppInstance');
    }
    return app;
  };

  const userByIdOrLogin = (key: string): FakeOktaUser | undefined => {
    const lower = key.toLowerCase();
    return (
      state.users.find((u) => u.id === key) ??
      state.users.find((u) => u.profile.login.toLowerCase() === lower) ??
      state.users.find((u) => (u.profile.login.split('@')[0] ?? '').toLowerCase() === lower)
    );
  };

  const actorOf = (principal: FakeOktaPrincipal | undefined): FakeLogEvent['actor'] => {
    if (principal?.kind === 'client') {
      return {
        id: principal.clientId,
        type: 'PublicClientApp',
        alternateId: principal.clientId,
        displayName: principal.clientId,
      };
    }
    const user =
      state.users.find((u) => u.id === (principal?.userId ?? state.adminUserId)) ?? admin;
    return {
      id: user.id,
      type: 'User',
      alternateId: user.profile.login,
      displayName: [user.profile.firstName, user.profile.lastName].filter(Boolean).join(' '),
    };
  };

  const appTarget = (app: FakeOktaApp): FakeLogTarget => ({
    id: app.id,
    type: 'AppInstance',
    alternateId: app.label,
    displayName: app.label,
  });

  const addLogEvent = (input: FakeOktaLogInput, principal?: FakeOktaPrincipal): FakeLogEvent => {
    const event: FakeLogEvent = {
      uuid: randomUUID(),
      published: input.published ?? iso(),
      eventType: input.eventType,
      displayMessage: input.displayMessage ?? input.eventType,
      severity: input.severity ?? ((input.outcome ?? 'SUCCESS') === 'FAILURE' ? 'WARN' : 'INFO'),
      outcome: { result: input.outcome ?? 'SUCCESS', reason: input.reason ?? null },
      target: input.target ?? [],
      actor: actorOf(principal),
    };
    state.logs.push(event);
    return event;
  };

  const logAppUpdate = (app: FakeOktaApp, principal?: FakeOktaPrincipal): void => {
    addLogEvent(
      {
        eventType: 'application.lifecycle.update',
        displayMessage: 'Update application',
        target: [appTarget(app)],
      },
      principal,
    );
  };

  // -------------------------------------------------------------------------------------------
  // SCIM calls (127.0.0.1 only)

  /**
   * Where pushes and imports go: `scimTarget.url` when set (the test's loopback receiver, whatever
   * URL the console saved), else the saved Integration's base URL; with the token the Integration
   * saved, else `scimTarget.token`. The connector test always uses the saved Integration.
   */
  const scimEndpoint = (appId: string): { base: string; token: string } | undefined => {
    const integration = state.integrations.get(appId);
    const base = options.scimTarget?.url ?? integration?.baseUrl;
    const token = integrationTokens.get(appId) ?? options.scimTarget?.token;
    return base !== undefined && token !== undefined ? { base, token } : undefined;
  };

  const callScim = async (
    base: string,
    token: string,
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    body?: unknown,
  ): Promise<ScimAnswer> => {
    let url: URL;
    try {
      url = new URL(`${base.trim().replace(/\/+$/, '')}${path}`);
    } catch {
      return { kind: 'unreachable', reason: 'Invalid SCIM connector base URL' };
    }
    if (!/^https?:$/.test(url.protocol) || url.hostname !== '127.0.0.1') {
      // Never any traffic (not even a DNS lookup) beyond loopback.
      return { kind: 'unreachable', reason: `Could not connect to ${url.host}` };
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<ScimAnswer>((resolve) => {
      const req = send(
        url,
        {
          method,
          timeout: 5_000,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/scim+json',
            'user-agent': 'Okta SCIM Client 1.0.0',
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/scim+json; charset=utf-8',
                  'content-length': Buffer.byteLength(payload),
                }),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = JSON.parse(text);
            } catch {
              json = undefined;
            }
            resolve({ kind: 'answer', status: res.statusCode ?? 0, json, text });
          });
        },
      );
      req.on('timeout', () => {
        req.destroy(new Error('timed out'));
      });
      req.on('error', (e) => {
        resolve({ kind: 'unreachable', reason: `Could not connect (${e.message})` });
      });
      req.end(payload);
    });
  };

  const scimDetail = (a: ScimAnswer): string => {
    if (a.kind === 'unreachable') {
      return a.reason;
    }
    if (isObject(a.json) && typeof a.json.detail === 'string') {
      return a.json.detail;
    }
    return a.text.slice(0, 200) || `HTTP ${a.status}`;
  };

  // -------------------------------------------------------------------------------------------
  // Usernames, profiles, pushes

  const applyTemplate = (template: string, user: FakeOktaUser): string => {
    const t = template.trim();
    if (t === INTERNAL_ID_TEMPLATE || t === "${user.getInternalProperty('id')}") {
      return user.id;
    }
    const fn =
      /^\$\{fn:(toLowerCase|substringBefore)\((?:source|user)\.([A-Za-z]+)(?:,\s*"([^"]*)")?\)\}$/.exec(
        t,
      );
    if (fn) {
      const v = profileText(user, fn[2] ?? '');
      return fn[1] === 'toLowerCase' ? v.toLowerCase() : (v.split(fn[3] ?? '@')[0] ?? v);
    }
    const plain = /^\$\{(?:source|user)\.([A-Za-z]+)\}$/.exec(t);
    if (plain) {
      return profileText(user, plain[1] ?? '');
    }
    // Modelled: an expression this fake cannot evaluate falls back to the Okta username.
    return user.profile.login;
  };

  const scimResource = (app: FakeOktaApp, appUser: FakeAppUser, user: FakeOktaUser): JsonObject => {
    const schema = state.appSchemas.get(app.id);
    const schemas = [SCIM_CORE_USER];
    const resource: JsonObject = {
      userName: appUser.userName,
      name: { givenName: user.profile.firstName, familyName: user.profile.lastName },
      emails: [{ primary: true, value: user.profile.email, type: 'work' }],
      displayName: [user.profile.firstName, user.profile.lastName].filter(Boolean).join(' '),
      active: true,
    };
    for (const [name, def] of Object.entries(schema?.custom ?? {})) {
      const value = appUser.profile[name];
      const ns = typeof def.externalNamespace === 'string' ? def.externalNamespace : undefined;
      const ext = typeof def.externalName === 'string' ? def.externalName : name;
      if (value === undefined || value === null || !ns) {
        continue;
      }
      if (ns === SCIM_CORE_USER) {
        resource[ext] = value;
      } else {
        const existingBag = resource[ns];
        const bag = isObject(existingBag) ? existingBag : {};
        bag[ext] = value;
        resource[ns] = bag;
        if (!schemas.includes(ns)) {
          schemas.push(ns);
        }
      }
    }
    return { schemas, ...resource };
  };

  const pushUser = async (app: FakeOktaApp, appUser: FakeAppUser, kind: 'create' | 'update') => {
    if ((options.pushDelayMs ?? 0) > 0) {
      await new Promise((r) => setTimeout(r, options.pushDelayMs));
    } else {
      await Promise.resolve();
    }
    const endpoint = scimEndpoint(app.id);
    const user = state.users.find((u) => u.id === appUser.id);
    if (!endpoint || !user) {
      return;
    }
    const resource = scimResource(app, appUser, user);
    const target = [
      appTarget(app),
      {
        id: user.id,
        type: 'User',
        alternateId: user.profile.login,
        displayName: user.profile.login,
      },
    ];
    const fail = (reason: string, status?: number): void => {
      appUser.syncState = 'ERROR';
      appUser.lastUpdated = iso();
      addLogEvent({
        eventType:
          kind === 'create'
            ? 'application.provision.user.push'
            : 'application.provision.user.push_profile',
        displayMessage:
          kind === 'create'
            ? 'Push new user to external application'
            : 'Push user profile update to external application',
        outcome: 'FAILURE',
        reason,
        target,
      });
      if (status === 401 || status === 403) {
        addLogEvent({
          eventType: 'application.integration.authentication_failure',
          displayMessage: 'Authentication failure with the external application',
          outcome: 'FAILURE',
          reason,
          target: [appTarget(app)],
        });
      }
    };
    let externalId = appUser.externalId;
    if (kind === 'create' && externalId === null) {
      const filter = encodeURIComponent(`userName eq "${appUser.userName}"`);
      const found = await callScim(
        endpoint.base,
        endpoint.token,
        'GET',
        `/Users?filter=${filter}&startIndex=1&count=100`,
      );
      if (found.kind !== 'answer' || found.status !== 200) {
        fail(scimDetail(found), found.kind === 'answer' ? found.status : undefined);
        return;
      }
      const existing =
        isObject(found.json) && Array.isArray(found.json.Resources)
          ? found.json.Resources.find(isObject)
          : undefined;
      if (existing && typeof existing.id === 'string') {
        externalId = existing.id;
      } else {
        const created = await callScim(endpoint.base, endpoint.token, 'POST', '/Users', resource);
        if (created.kind !== 'answer' || created.status !== 201 || !isObject(created.json)) {
          fail(scimDetail(created), created.kind === 'answer' ? created.status : undefined);
          return;
        }
        externalId = typeof created.json.id === 'string' ? created.json.id : null;
      }
    } else if (externalId !== null) {
      const updated = await callScim(endpoint.base, endpoint.token, 'PUT', `/Users/${externalId}`, {
        ...resource,
        id: externalId,
      });
      if (updated.kind !== 'answer' || updated.status !== 200) {
        fail(scimDetail(updated), updated.kind === 'answer' ? updated.status : undefined);
        return;
      }
    }
    appUser.externalId = externalId;
    appUser.status = 'PROVISIONED';
    appUser.syncState = 'SYNCHRONIZED';
    appUser.lastSync = iso();
    appUser.lastUpdated = iso();
    addLogEvent({
      eventType:
        kind === 'create'
          ? 'application.provision.user.push'
          : 'application.provision.user.push_profile',
      displayMessage:
        kind === 'create'
          ? 'Push new user to external application'
          : 'Push user profile update to external application',
      target,
    });
    if (kind === 'create') {
      addLogEvent({
        eventType: 'app.user_management.push_new_user_success',
        displayMessage: 'Push new user to external application succeeded',
        target,
      });
    }
  };

  const schedulePush = (
    app: FakeOktaApp,
    appUser: FakeAppUser,
    kind: 'create' | 'update',
  ): void => {
    const p = pushUser(app, appUser, kind)
      .catch(() => {
        appUser.syncState = 'ERROR';
      })
      .finally(() => {
        pending.delete(p);
      });
    pending.add(p);
  };

  const provisioningOn = (app: FakeOktaApp, feature: string): boolean =>
    app.features.includes('SCIM_PROVISIONING') && app.features.includes(feature);

  // -------------------------------------------------------------------------------------------
  // App user schema

  const VARIABLE_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

  const updateSchema = (app: FakeOktaApp, body: unknown): FakeAppSchema => {
    const schema = state.appSchemas.get(app.id) ?? baseSchema(app);
    const definitions = isObject(body) && isObject(body.definitions) ? body.definitions : {};
    const custom =
      isObject(definitions.custom) && isObject(definitions.custom.properties)
        ? definitions.custom.properties
        : {};
    const base =
      isObject(definitions.base) && isObject(definitions.base.properties)
        ? definitions.base.properties
        : {};
    const causes: string[] = [];
    const nextCustom = clone(schema.custom);
    const nextBase = clone(schema.base);
    const nowMs = now().getTime();
    const removed: string[] = [];

    for (const [name, value] of Object.entries(base)) {
      const existing = nextBase[name];
      if (!existing) {
        causes.push(`${name}: Base properties cannot be added.`); // modelled
        continue;
      }
      if (!isObject(value)) {
        causes.push(`${name}: Base properties cannot be removed.`); // modelled
        continue;
      }
      for (const [k, v] of Object.entries(value)) {
        if (k === 'permissions' || k === 'required') {
          existing[k] = v;
        } else if (JSON.stringify(existing[k]) !== JSON.stringify(v)) {
          causes.push(
            `${name}: Only permissions and nullability of a base property can be changed.`,
          ); // modelled
          break;
        }
      }
    }

    for (const [name, value] of Object.entries(custom)) {
      const key = `${app.id}:${name.toLowerCase()}`;
      if (value === null) {
        if (name in nextCustom) {
          Reflect.deleteProperty(nextCustom, name);
          removed.push(name);
          schemaDeletions.set(key, nowMs);
        }
        continue;
      }
      if (!isObject(value)) {
        causes.push(`${name}: The property definition must be an object.`); // modelled
        continue;
      }
      if (!VARIABLE_NAME.test(name)) {
        causes.push(`${name}: Variable name is invalid.`); // modelled
        continue;
      }
      const clash = [...Object.keys(nextBase), ...Object.keys(nextCustom)].find(
        (n) => n !== name && n.toLowerCase() === name.toLowerCase(),
      );
      if (clash) {
        causes.push(`${name}: A property with the same variable name already exists: ${clash}.`); // modelled
        continue;
      }
      const existing = nextCustom[name];
      const deletedAt = schemaDeletions.get(key);
      if (
        !existing &&
        deletedAt !== undefined &&
        nowMs - deletedAt < (options.schemaDeleteSettleMs ?? 0)
      ) {
        // Okta's wording, as terraform-provider-okta matches it (okta.md §2.3).
        causes.push(
          'The deletion process for an attribute with the same variable name is incomplete. Try again later.',
        );
        continue;
      }
      const type = value.type ?? existing?.type;
      if (typeof value.title !== 'string' && typeof existing?.title !== 'string') {
        causes.push(`${name}: title: The field cannot be left blank`); // modelled
      }
      if (typeof type !== 'string') {
        causes.push(`${name}: type: The field cannot be left blank`); // modelled
      } else if (existing && existing.type !== type) {
        causes.push(`${name}: The type of an existing property cannot be changed.`); // modelled
      }
      const scope = value.scope ?? existing?.scope ?? 'NONE';
      if (existing && scope !== (existing.scope ?? 'NONE')) {
        causes.push(`${name}: scope: The scope of an existing property cannot be changed.`); // modelled
      }
      const en = value.enum;
      const oneOf = value.oneOf;
      if (Array.isArray(oneOf) && oneOf.length > 0 && !Array.isArray(en)) {
        causes.push(`${name}: oneOf: The oneOf keyword is only supported together with enum.`); // modelled
      }
      if (Array.isArray(en)) {
        if (new Set(en.map((v) => JSON.stringify(v))).size !== en.length) {
          causes.push(`${name}: enum: The enum values must be unique.`); // modelled
        }
        if (type === 'string' && en.some((v) => typeof v !== 'string')) {
          causes.push(`${name}: enum: The enum values must be of the property type.`); // modelled
        }
        if (Array.isArray(oneOf)) {
          const consts = oneOf.map((o) => (isObject(o) ? o.const : undefined));
          if (consts.length !== en.length || consts.some((c, i) => c !== en[i])) {
            causes.push(
              `${name}: oneOf: The const values of oneOf must match the enum values and their order.`,
            ); // modelled
          }
          if (oneOf.some((o) => !isObject(o) || typeof o.title !== 'string' || o.title === '')) {
            causes.push(`${name}: oneOf: Each oneOf entry needs a title.`); // modelled
          }
        }
      }
      if (causes.length > 0) {
        continue;
      }
      const stored: JsonObject = {};
      for (const [k, v] of Object.entries(value)) {
        if (v !== null) {
          stored[k] = clone(v);
        }
      }
      stored.scope = scope;
      stored.master ??= { type: 'PROFILE_MASTER' };
      stored.mutability ??= 'READ_WRITE';
      stored.permissions ??= [{ principal: 'SELF', action: 'READ_ONLY' }];
      nextCustom[name] = stored;
    }
    if (causes.length > 0) {
      throw validation(app.id, causes);
    }
    schema.custom = nextCustom;
    schema.base = nextBase;
    schema.lastUpdated = iso();
    state.appSchemas.set(app.id, schema);
    for (const appUser of state.appUsers.get(app.id) ?? []) {
      for (const name of removed) {
        Reflect.deleteProperty(appUser.profile, name);
      }
    }
    return schema;
  };

  const checkAppProfile = (app: FakeOktaApp, profile: JsonObject): void => {
    const schema = state.appSchemas.get(app.id);
    const causes: string[] = [];
    for (const [key, value] of Object.entries(profile)) {
      const def = schema?.custom[key] ?? schema?.base[key];
      if (!def) {
        causes.push(`Property name '${key}' is not defined in profile schema.`); // modelled
        continue;
      }
      if (value === null) {
        continue;
      }
      const type = def.type;
      const typeOk =
        type === 'string'
          ? typeof value === 'string'
          : type === 'boolean'
            ? typeof value === 'boolean'
            : type === 'integer'
              ? Number.isInteger(value)
              : type === 'number'
                ? typeof value === 'number'
                : type === 'array'
                  ? Array.isArray(value)
                  : true;
      if (!typeOk) {
        causes.push(`${key}: The value must be of type ${String(type)}.`); // modelled
        continue;
      }
      if (Array.isArray(def.enum) && !def.enum.includes(value)) {
        causes.push(`${key}: Does not match required enum values`); // modelled
      }
    }
    if (causes.length > 0) {
      throw validation('profile', causes);
    }
  };

  /** Merges profile values into an assignment (null removes one); pushes the update when on. */
  const updateAppUserProfile = (app: FakeOktaApp, appUser: FakeAppUser, profile: JsonObject) => {
    for (const [k, v] of Object.entries(profile)) {
      if (v === null) {
        Reflect.deleteProperty(appUser.profile, k);
      } else {
        appUser.profile[k] = clone(v);
      }
    }
    appUser.lastUpdated = iso();
    if (
      options.scimTarget &&
      provisioningOn(app, 'PUSH_PROFILE_UPDATES') &&
      appUser.externalId !== null
    ) {
      appUser.syncState = 'SYNCING';
      schedulePush(app, appUser, 'update');
    }
  };

  // -------------------------------------------------------------------------------------------
  // PUT /apps/{id}

  const replaceApp = (
    app: FakeOktaApp,
    body: JsonObject,
    principal: FakeOktaPrincipal,
  ): FakeOktaApp => {
    const causes: string[] = [];
    if (body.signOnMode !== app.signOnMode) {
      causes.push('signOnMode: The sign-on mode of an app cannot be changed.'); // modelled
    }
    if (typeof body.label !== 'string' || body.label.trim() === '') {
      causes.push('label: The field cannot be left blank'); // modelled
    }
    const credentials = isObject(body.credentials) ? body.credentials : {};
    const template = isObject(credentials.userNameTemplate)
      ? credentials.userNameTemplate
      : undefined;
    if (template) {
      const type = template.type ?? 'BUILT_IN';
      const expr = template.template ?? '${source.login}';
      if (type === 'BUILT_IN' && (typeof expr !== 'string' || !BUILT_IN_TEMPLATES.has(expr))) {
        causes.push('credentials.userNameTemplate.template: Invalid template for BUILT_IN type.'); // modelled
      }
      if (type === 'CUSTOM' && (typeof expr !== 'string' || expr.trim() === '')) {
        causes.push('credentials.userNameTemplate.template: The field cannot be left blank'); // modelled
      }
    }
    const settings = isObject(body.settings) ? body.settings : {};
    if (app.signOnMode === 'SAML_2_0') {
      const signOn = isObject(settings.signOn) ? settings.signOn : {};
      if (typeof signOn.ssoAcsUrl !== 'string' && typeof signOn.destinationOverride !== 'string') {
        causes.push('settings.signOn.ssoAcsUrl: The field cannot be left blank'); // modelled
      }
      if (typeof signOn.audience !== 'string' || signOn.audience === '') {
        causes.push('settings.signOn.audience: The field cannot be left blank'); // modelled
      }
    }
    if (causes.length > 0) {
      throw validation('app', causes);
    }
    const scimWasOn = app.features.includes('SCIM_PROVISIONING');
    state.fullUpdates.push({ appId: app.id, at: iso(), scimWasOn });
    const oldSigning = isObject(app.credentials.signing) ? app.credentials.signing : {};
    const nextCredentials: JsonObject = clone(credentials);
    nextCredentials.userNameTemplate = template
      ? {
          template: template.template ?? '${source.login}',
          type: template.type ?? 'BUILT_IN',
          ...clone(template),
        }
      : { template: '${source.login}', type: 'BUILT_IN' };
    nextCredentials.signing = {
      ...clone(oldSigning),
      ...(isObject(credentials.signing) && typeof credentials.signing.kid === 'string'
        ? { kid: credentials.signing.kid }
        : {}),
    };
    const nextSettings = clone(settings);
    nextSettings.emOptInStatus = app.settings.emOptInStatus ?? 'DISABLED';
    const next: FakeOktaApp = {
      id: app.id,
      name: app.name,
      label: String(body.label),
      status: app.status,
      lastUpdated: iso(),
      created: app.created,
      orn: app.orn,
      accessibility: isObject(body.accessibility)
        ? clone(body.accessibility)
        : { selfService: false, errorRedirectUrl: null, loginRedirectUrl: null },
      visibility: isObject(body.visibility)
        ? clone(body.visibility)
        : {
            autoLaunch: false,
            autoSubmitToolbar: false,
            hide: { iOS: false, web: false },
            appLinks: { [`${app.name}_link`]: true },
          },
      // The reported quirk: a full replace resets a custom app's SCIM provisioning (okta.md §1 row 9).
      features: scimWasOn ? [] : [...app.features],
      signOnMode: app.signOnMode,
      credentials: nextCredentials,
      settings: nextSettings,
      ...(isObject(body.profile) ? { profile: clone(body.profile) } : {}),
    };
    const index = state.apps.indexOf(app);
    state.apps[index] = next;
    if (scimWasOn) {
      state.integrations.delete(app.id);
      integrationTokens.delete(app.id);
    }
    logAppUpdate(next, principal);
    return next;
  };

  // -------------------------------------------------------------------------------------------
  // Routes, keyed by the description's operation

  const routes: Record<string, Handler> = {
    'GET /api/v1/users/{id}': ({ params, principal }) => {
      const key = params.id ?? '';
      if (key === 'me') {
        const me =
          principal.kind === 'user'
            ? state.users.find((u) => u.id === principal.userId)
            : undefined;
        if (!me) {
          throw notFound('me', 'User');
        }
        return userJson(me);
      }
      const user = userByIdOrLogin(key);
      if (!user) {
        throw notFound(key, 'User');
      }
      return userJson(user);
    },
    'GET /api/v1/users': (ctx) => {
      let list = state.users.filter((u) => u.status !== 'DEPROVISIONED');
      const search = ctx.query.get('search') ?? ctx.query.get('filter');
      if (search !== null) {
        const expr = expression(search);
        list = state.users.filter((u) => evaluateOktaExpression(expr, userJson(u), true));
      }
      const q = ctx.query.get('q');
      if (q !== null) {
        const lower = q.toLowerCase();
        list = list.filter((u) =>
          [u.profile.firstName, u.profile.lastName, u.profile.email, u.profile.login].some(
            (v) => typeof v === 'string' && v.toLowerCase().startsWith(lower),
          ),
        );
      }
      return page(ctx, list, (u) => u.id, 200, 200).map(userJson);
    },
    'GET /api/v1/users/{userId}/roles': ({ params }) => {
      if (options.rolesForbidden) {
        throw new OktaError(403, 'E0000006', NO_PERMISSION);
      }
      const user = state.users.find((u) => u.id === params.userId);
      if (!user) {
        throw notFound(params.userId ?? '', 'User');
      }
      return rolesOf(user).map((r) => roleJson(r, `${origin}/api/v1/users/${user.id}`));
    },
    'GET /oauth2/v1/clients/{clientId}/roles': ({ params }) => {
      if (options.rolesForbidden) {
        throw new OktaError(403, 'E0000006', NO_PERMISSION);
      }
      const clientId = params.clientId ?? '';
      return (state.clientRoles.get(clientId) ?? []).map((r) =>
        roleJson(r, `${origin}/oauth2/v1/clients/${clientId}`),
      );
    },
    'GET /api/v1/apps': (ctx) => {
      let list = [...state.apps];
      const q = ctx.query.get('q');
      if (q !== null) {
        const lower = q.toLowerCase();
        list = list.filter(
          (a) => a.name.toLowerCase().startsWith(lower) || a.label.toLowerCase().startsWith(lower),
        );
      }
      const filter = ctx.query.get('filter');
      if (filter !== null) {
        const expr = expression(filter);
        list = list.filter((a) => evaluateOktaExpression(expr, appJson(a), false));
      }
      return page(ctx, list, (a) => a.id, 20, 200).map(appJson);
    },
    'GET /api/v1/apps/{appId}': ({ params }) => appJson(appOr404(params.appId)),
    'PUT /api/v1/apps/{appId}': ({ params, body, principal }) =>
      appJson(replaceApp(appOr404(params.appId), isObject(body) ? body : {}, principal)),
    'GET /api/v1/apps/{appId}/connections/default': ({ params }) => {
      appOr404(params.appId);
      // What Okta answers for an app whose provisioning it cannot describe (okta.md §2.1).
      return {
        authScheme: 'UNKNOWN',
        status: 'UNKNOWN',
        profile: { authScheme: 'UNKNOWN' },
        _links: {},
      };
    },
    'GET /api/v1/apps/{appId}/features': ({ params }) => {
      appOr404(params.appId);
      // Okta's own example (ErrorAppFeatureAPIValidationFailed): custom apps have no Features API.
      throw validation('feature', ['Provisioning is not enabled for the app instance.']);
    },
    'GET /api/v1/meta/schemas/apps/{appId}/default': ({ params }) => {
      const app = appOr404(params.appId);
      return schemaJson(app, state.appSchemas.get(app.id) ?? baseSchema(app));
    },
    'POST /api/v1/meta/schemas/apps/{appId}/default': ({ params, body }) => {
      const app = appOr404(params.appId);
      return schemaJson(app, updateSchema(app, body));
    },
    'GET /api/v1/groups': (ctx) => {
      let list = [...state.groups];
      const q = ctx.query.get('q');
      if (q !== null) {
        const lower = q.toLowerCase();
        list = list.filter((g) => g.profile.name.toLowerCase().startsWith(lower));
      }
      for (const key of ['search', 'filter']) {
        const text = ctx.query.get(key);
        if (text !== null) {
          const expr = expression(text);
          list = list.filter((g) => evaluateOktaExpression(expr, groupJson(g), key === 'search'));
        }
      }
      return page(ctx, list, (g) => g.id, 10_000, 10_000).map(groupJson);
    },
    'GET /api/v1/groups/{groupId}': ({ params }) => {
      const group = state.groups.find((g) => g.id === params.groupId);
      if (!group) {
        throw notFound(params.groupId ?? '', 'UserGroup');
      }
      return groupJson(group);
    },
    'GET /api/v1/apps/{appId}/group-push/mappings': (ctx) => {
      const app = appOr404(ctx.params.appId);
      let list = state.groupPushMappings.filter((m) => m.appId === app.id);
      const source = ctx.query.get('sourceGroupId');
      if (source !== null) {
        list = list.filter((m) => m.sourceGroupId === source);
      }
      const status = ctx.query.get('status');
      if (status !== null) {
        list = list.filter((m) => m.status === status);
      }
      const since = ctx.query.get('lastUpdated');
      if (since !== null) {
        list = list.filter((m) => m.lastUpdated >= since);
      }
      return page(ctx, list, (m) => m.id, 100, 1000).map(mappingJson);
    },
    'POST /api/v1/apps/{appId}/group-push/mappings': ({ params, body, res }) => {
      const app = appOr404(params.appId);
      const b = isObject(body) ? body : {};
      if (!app.features.includes('GROUP_PUSH')) {
        throw validation('groupPushMapping', ['Provisioning is not enabled for the app instance.']); // modelled
      }
      const targetId = typeof b.targetGroupId === 'string' ? b.targetGroupId : undefined;
      const targetName = typeof b.targetGroupName === 'string' ? b.targetGroupName : undefined;
      if ((targetId === undefined) === (targetName === undefined)) {
        throw validation('groupPushMapping', [
          'Either targetGroupId or targetGroupName must be provided, but not both.',
        ]); // the description's note, as a cause
      }
      const sourceId = String(b.sourceGroupId);
      const source = state.groups.find((g) => g.id === sourceId);
      if (!source) {
        throw notFound(sourceId, 'UserGroup');
      }
      if (source.type === 'APP_GROUP') {
        throw validation('groupPushMapping', ['The source group must be an Okta group.']); // modelled
      }
      if (state.groupPushMappings.some((m) => m.appId === app.id && m.sourceGroupId === sourceId)) {
        throw validation('groupPushMapping', [
          `A group push mapping already exists for the source group ${sourceId}.`,
        ]); // modelled
      }
      let target: FakeOktaGroup | undefined;
      if (targetId !== undefined) {
        target = state.groups.find((g) => g.id === targetId && g.source?.id === app.id);
        if (!target) {
          throw validation('groupPushMapping', [
            `The target group ${targetId} is not a group of this app.`,
          ]); // modelled
        }
        if (
          state.groupPushMappings.some((m) => m.appId === app.id && m.targetGroupId === targetId)
        ) {
          throw validation('groupPushMapping', [
            `The target group ${targetId} is already linked by another group push mapping.`,
          ]); // modelled
        }
      } else {
        // "If the group already exists, it links to the existing group."
        target =
          state.groups.find(
            (g) =>
              g.source?.id === app.id &&
              g.profile.name.toLowerCase() === (targetName ?? '').toLowerCase(),
          ) ?? addGroup({ name: targetName ?? '', type: 'APP_GROUP', sourceAppId: app.id });
      }
      const at = iso();
      const mapping: FakeGroupPushMapping = {
        id: oktaId('gPm'),
        appId: app.id,
        sourceGroupId: sourceId,
        targetGroupId: target.id,
        status: b.status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE',
        created: at,
        lastUpdated: at,
        lastPush: null,
        errorSummary: null,
      };
      state.groupPushMappings.push(mapping);
      res.statusCode = 201;
      return mappingJson(mapping);
    },
    'GET /api/v1/apps/{appId}/group-push/mappings/{mappingId}': ({ params }) =>
      mappingJson(mappingOr404(params)),
    'PATCH /api/v1/apps/{appId}/group-push/mappings/{mappingId}': ({ params, body }) => {
      const mapping = mappingOr404(params);
      const status = isObject(body) ? body.status : undefined;
      mapping.status = status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE';
      if (mapping.status === 'ACTIVE') {
        mapping.errorSummary = null;
      }
      mapping.lastUpdated = iso();
      return mappingJson(mapping);
    },
    'DELETE /api/v1/apps/{appId}/group-push/mappings/{mappingId}': ({ params, query, res }) => {
      const mapping = mappingOr404(params);
      if (mapping.status !== 'INACTIVE') {
        throw validation('groupPushMapping', [
          'The group push mapping must be deactivated before it can be deleted.',
        ]); // modelled
      }
      state.groupPushMappings.splice(state.groupPushMappings.indexOf(mapping), 1);
      if (query.get('deleteTargetGroup') === 'true') {
        state.groups = state.groups.filter((g) => g.id !== mapping.targetGroupId);
      }
      res.statusCode = 204;
      return undefined;
    },
    'GET /api/v1/apps/{appId}/users': (ctx) => {
      const app = appOr404(ctx.params.appId);
      let list = state.appUsers.get(app.id) ?? [];
      const q = ctx.query.get('q');
      if (q !== null) {
        const lower = q.toLowerCase();
        list = list.filter((u) => {
          const user = state.users.find((x) => x.id === u.id);
          return [
            u.userName,
            user?.profile.firstName,
            user?.profile.lastName,
            user?.profile.email,
          ].some((v) => typeof v === 'string' && v.toLowerCase().startsWith(lower));
        });
      }
      return page(ctx, list, (u) => u.id, 50, 500).map((u) => appUserJson(app.id, u));
    },
    'GET /api/v1/apps/{appId}/users/{userId}': ({ params }) => {
      const app = appOr404(params.appId);
      const appUser = (state.appUsers.get(app.id) ?? []).find((u) => u.id === params.userId);
      if (!appUser) {
        throw notFound(params.userId ?? '', 'AppUser');
      }
      return appUserJson(app.id, appUser);
    },
    'POST /api/v1/apps/{appId}/users/{userId}': ({ params, body }) => {
      // updateApplicationUser: the profile (or credentials) of an existing assignment, in place.
      const app = appOr404(params.appId);
      const appUser = (state.appUsers.get(app.id) ?? []).find((u) => u.id === params.userId);
      if (!appUser) {
        throw notFound(params.userId ?? '', 'AppUser');
      }
      const b = isObject(body) ? body : {};
      const profile = isObject(b.profile) ? b.profile : {};
      checkAppProfile(app, profile);
      if (isObject(b.credentials) && typeof b.credentials.userName === 'string') {
        appUser.userName = b.credentials.userName;
        appUser.lastUpdated = iso();
      }
      updateAppUserProfile(app, appUser, profile);
      return appUserJson(app.id, appUser);
    },
    'POST /api/v1/apps/{appId}/users': ({ params, body }) => {
      const app = appOr404(params.appId);
      const b = isObject(body) ? body : {};
      const userId = String(b.id);
      const user = state.users.find((u) => u.id === userId);
      if (!user) {
        throw notFound(userId, 'User');
      }
      const profile = isObject(b.profile) ? b.profile : {};
      checkAppProfile(app, profile);
      const list = state.appUsers.get(app.id) ?? [];
      state.appUsers.set(app.id, list);
      const existing = list.find((u) => u.id === userId);
      const at = iso();
      if (existing) {
        updateAppUserProfile(app, existing, profile);
        return appUserJson(app.id, existing);
      }
      const template = app.credentials.userNameTemplate?.template ?? '${source.login}';
      const pushes = options.scimTarget !== undefined && provisioningOn(app, 'PUSH_NEW_USERS');
      const appUser: FakeAppUser = {
        id: user.id,
        scope: b.scope === 'GROUP' ? 'GROUP' : 'USER',
        status: provisioningOn(app, 'PUSH_NEW_USERS') ? 'STAGED' : 'ACTIVE',
        syncState: app.features.includes('SCIM_PROVISIONING') ? 'SYNCING' : 'DISABLED',
        created: at,
        lastUpdated: at,
        statusChanged: at,
        lastSync: null,
        externalId: null,
        userName:
          isObject(b.credentials) && typeof b.credentials.userName === 'string'
            ? b.credentials.userName
            : applyTemplate(template, user),
        profile: { ...mappedProfile(app, user), ...clone(profile) },
      };
      list.push(appUser);
      addLogEvent({
        eventType: 'application.user_membership.add',
        displayMessage: 'Add user to application membership',
        target: [
          appTarget(app),
          {
            id: user.id,
            type: 'User',
            alternateId: user.profile.login,
            displayName: user.profile.login,
          },
        ],
      });
      if (pushes) {
        schedulePush(app, appUser, 'create');
      }
      return appUserJson(app.id, appUser);
    },
    'GET /api/v1/mappings': (ctx) => {
      ensureProfileMappings();
      let list = [...state.profileMappings];
      const sourceId = ctx.query.get('sourceId');
      if (sourceId !== null) {
        list = list.filter((m) => m.source.id === sourceId);
      }
      const targetId = ctx.query.get('targetId');
      if (targetId !== null) {
        list = list.filter((m) => m.target.id === targetId);
      }
      return page(ctx, list, (m) => m.id, 20, 200).map((m) => profileMappingJson(m, false));
    },
    'GET /api/v1/mappings/{mappingId}': ({ params }) =>
      profileMappingJson(profileMappingOr404(params.mappingId), true),
    'POST /api/v1/mappings/{mappingId}': ({ params, body }) => {
      const mapping = profileMappingOr404(params.mappingId);
      const b = isObject(body) ? body : {};
      const props = isObject(b.properties) ? b.properties : {};
      const known = targetProperties(mapping);
      let next = clone(mapping.properties);
      for (const [name, raw] of Object.entries(props)) {
        const p = isObject(raw) ? raw : {};
        if (!known.has(name)) {
          // Modelled wording.
          throw validation('properties', [`The target property ${name} does not exist.`]);
        }
        if (p.expression === null || p.expression === undefined) {
          next = Object.fromEntries(Object.entries(next).filter(([k]) => k !== name));
          continue;
        }
        if (typeof p.expression !== 'string') {
          throw validation('properties', [`The expression for ${name} must be a string.`]); // modelled
        }
        const text = p.expression;
        const parsed = parseMappingExpression(text);
        if (typeof parsed === 'string') {
          // Modelled wording.
          throw validation('properties', [`Invalid expression for ${name}: ${parsed}`]);
        }
        next[name] = {
          expression: text,
          pushStatus: p.pushStatus === 'DONT_PUSH' ? 'DONT_PUSH' : 'PUSH',
        };
      }
      mapping.properties = next;
      return profileMappingJson(mapping, true);
    },
    'GET /api/v1/logs': (ctx) => {
      const parseTime = (name: string): number | undefined => {
        const v = ctx.query.get(name);
        if (v === null) {
          return undefined;
        }
        const t = Date.parse(v);
        if (Number.isNaN(t)) {
          throw validation(name, [`${name}: Invalid date, expected an ISO 8601 timestamp`]); // modelled
        }
        return t;
      };
      const until = parseTime('until') ?? now().getTime();
      const since = parseTime('since') ?? until - 7 * 86_400_000;
      let list = state.logs.filter((e) => {
        const t = Date.parse(e.published);
        return t >= since && t < until + 1;
      });
      const filter = ctx.query.get('filter');
      if (filter !== null) {
        const expr = expression(filter);
        list = list.filter((e) => evaluateOktaExpression(expr, logJson(e), false));
      }
      const q = ctx.query.get('q');
      if (q !== null) {
        const words = q.toLowerCase().split(/\s+/).filter(Boolean);
        list = list.filter((e) => {
          const text = [e.displayMessage, e.eventType, ...e.target.map((t) => t.displayName)]
            .join(' ')
            .toLowerCase();
          return words.every((w) => text.includes(w));
        });
      }
      const descending = ctx.query.get('sortOrder') === 'DESCENDING';
      list.sort((a, b) => a.published.localeCompare(b.published));
      if (descending) {
        list.reverse();
      }
      const polling = ctx.query.get('until') === null && !descending;
      const rawLimit = ctx.query.get('limit');
      const limit = rawLimit === null ? 100 : Math.min(Math.max(Number(rawLimit), 0), 1000);
      const after = ctx.query.get('after');
      let start = 0;
      if (after !== null) {
        const index = list.findIndex((e) => e.uuid === after);
        start = index < 0 ? list.length : index + 1;
      }
      const slice = list.slice(start, start + limit);
      const links = [`<${origin}${ctx.path}?${ctx.query.toString()}>; rel="self"`];
      const lastEvent = slice[slice.length - 1];
      if (polling || start + limit < list.length) {
        const next = new URLSearchParams(ctx.query);
        const cursor = lastEvent?.uuid ?? after;
        if (cursor !== null) {
          next.set('after', cursor);
        }
        links.push(`<${origin}${ctx.path}?${next.toString()}>; rel="next"`);
      }
      ctx.res.setHeader('Link', links);
      return slice.map(logJson);
    },
  };

  function mappingOr404(params: Readonly<Record<string, string>>): FakeGroupPushMapping {
    const app = appOr404(params.appId);
    const mapping = state.groupPushMappings.find(
      (m) => m.appId === app.id && m.id === params.mappingId,
    );
    if (!mapping) {
      throw notFound(params.mappingId ?? '', 'GroupPushMapping');
    }
    return mapping;
  }

  // -------------------------------------------------------------------------------------------
  // Auth

  const principalOf = (
    req: IncomingMessage,
  ): { scheme: 'SSWS' | 'Bearer' | null; grant: FakeOktaGrant | 'all' | undefined } => {
    const header = req.headers.authorization ?? '';
    const m = /^(SSWS|Bearer)\s+(\S+)\s*$/i.exec(header);
    if (!m) {
      return {
        scheme: /^ssws\b/i.test(header) ? 'SSWS' : /^bearer\b/i.test(header) ? 'Bearer' : null,
        grant: undefined,
      };
    }
    const scheme = (m[1] ?? '').toLowerCase() === 'ssws' ? 'SSWS' : 'Bearer';
    const token = m[2] ?? '';
    if (scheme === 'SSWS') {
      return { scheme, grant: token === apiToken ? 'all' : undefined };
    }
    return { scheme, grant: accessTokens.get(token) };
  };

  const missingScopes = (
    granted: readonly string[],
    required: readonly string[],
    path: string,
  ): string[] => {
    const has = new Set(granted);
    return required.filter((s) => {
      if (has.has(s)) {
        return false;
      }
      // `manage` implies `read` for the same resource (Okta's scope naming).
      if (s.endsWith('.read') && has.has(`${s.slice(0, -'.read'.length)}.manage`)) {
        return false;
      }
      // A user-context token with okta.users.read.self may read the signed-in user.
      return !(
        s === 'okta.users.read' &&
        path === '/api/v1/users/me' &&
        has.has('okta.users.read.self')
      );
    });
  };

  // -------------------------------------------------------------------------------------------
  // The server

  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        resolve(Buffer.concat(chunks).toString('utf8'));
      });
      req.on('error', reject);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawBody = await readBody(req);
    if (options.extraHandler && (await options.extraHandler(req, res, rawBody))) {
      return;
    }
    const url = new URL(req.url ?? '/', origin);
    const path = url.pathname;
    const query = url.searchParams;
    const method = (req.method ?? 'GET').toUpperCase();
    const { scheme, grant } = principalOf(req);
    let body: unknown = undefined;
    let badJson = false;
    if (rawBody.trim() !== '') {
      try {
        body = JSON.parse(rawBody);
      } catch {
        badJson = true;
      }
    }
    const record = {
      method,
      path,
      query: Object.fromEntries(query),
      body: maskSecrets(body),
      authScheme: scheme,
      operation: undefined as string | undefined,
      status: undefined as number | undefined,
    };
    requests.push(record);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    res.setHeader('X-Okta-Request-Id', base62(27));
    rateHeaders(res, path);

    const injected = failures.find(
      (f) =>
        f.left > 0 &&
        (f.pathPrefix === undefined || path.startsWith(f.pathPrefix)) &&
        (f.method === undefined || f.method.toUpperCase() === method),
    );
    const fail = (failure: FakeOktaFailure): void => {
      if (failure.reset) {
        req.socket.destroy();
        return;
      }
      const status = failure.status ?? 500;
      const [code, summary] = FAIL_CODES[status] ?? ['E0000009', 'Internal Server Error'];
      sendError(res, status, code, summary);
    };
    if (injected) {
      injected.left -= 1;
      if (!injected.lostReply) {
        fail(injected);
        return;
      }
    }
    const limited = rateLimits.find(
      (r) =>
        r.left > 0 &&
        (r.method === undefined || r.method.toUpperCase() === method) &&
        (r.pathPrefix === undefined || path.startsWith(r.pathPrefix)),
    );
    if (limited) {
      limited.left -= 1;
      res.setHeader('X-Rate-Limit-Remaining', '0');
      res.setHeader(
        'X-Rate-Limit-Reset',
        String(Math.ceil(now().getTime() / 1000) + (limited.resetInSeconds ?? 60)),
      );
      sendError(res, 429, 'E0000047', 'API call exceeded rate limit due to too many requests.');
      return;
    }
    const check: OktaSpecCheck = spec.check({ method, path, query, body });
    record.operation = check.operation;
    if (grant === undefined) {
      if (scheme === 'Bearer') {
        res.setHeader(
          'WWW-Authenticate',
          wwwAuthenticate(
            path,
            'invalid_token',
            'The access token is invalid.',
            check.scopes.join(' '),
          ),
        );
      }
      sendError(res, 401, 'E0000011', INVALID_TOKEN);
      return;
    }
    if (check.missing === 'path') {
      specProblems.push(...check.problems);
      sendError(res, 404, 'E0000007', `Not found: Resource not found: ${path} (Path)`);
      return;
    }
    if (check.missing === 'method') {
      specProblems.push(...check.problems);
      sendError(res, 405, 'E0000022', 'The endpoint does not support the provided HTTP method');
      return;
    }
    if (grant !== 'all') {
      const missing = missingScopes(grant.scopes, check.scopes, path);
      if (missing.length > 0) {
        res.setHeader(
          'WWW-Authenticate',
          wwwAuthenticate(
            path,
            'insufficient_scope',
            'The access token provided does not contain the required scopes.',
            check.scopes.join(' '),
          ),
        );
        sendError(res, 403, 'E0000006', NO_PERMISSION);
        return;
      }
    }
    if (badJson) {
      sendError(res, 400, 'E0000003', 'The request body was not well-formed.');
      return;
    }
    if (check.problems.length > 0) {
      specProblems.push(...check.problems);
      sendError(
        res,
        400,
        'E0000003',
        check.bodyProblems.length > 0
          ? 'The request body was not well-formed.'
          : 'The request was not well-formed.',
        check.problems,
      );
      return;
    }
    const handler = check.operation ? routes[check.operation] : undefined;
    if (!handler) {
      unmodelled.push(check.operation ?? `${method} ${path}`);
      sendError(res, 501, 'E0000060', 'Unsupported operation.', [
        `${check.operation ?? path} is not modelled by the fake Okta`,
      ]);
      return;
    }
    const principal: FakeOktaPrincipal =
      grant === 'all' ? { kind: 'user', userId: state.adminUserId } : grant.principal;
    try {
      res.statusCode = 200;
      const answer = await handler({
        req,
        res,
        path,
        query,
        params: check.pathParams,
        body,
        principal,
      });
      if (injected?.lostReply) {
        // Done, but the answer never reaches the caller.
        res.statusCode = 200;
        fail(injected);
        return;
      }
      if (res.statusCode === 204) {
        res.end();
        return;
      }
      sendJson(res, res.statusCode, answer);
    } catch (err) {
      if (err instanceof OktaError) {
        sendError(res, err.status, err.code, err.summary, err.causes);
        return;
      }
      throw err;
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        sendError(
          res,
          500,
          'E0000009',
          `Internal Server Error (fake Okta: ${err instanceof Error ? err.message : String(err)})`,
        );
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function settled(): Promise<void> {
    while (pending.size > 0) {
      await Promise.all([...pending]);
    }
  }

  // -------------------------------------------------------------------------------------------
  // Console simulation

  const consoleApp = (appId: string): FakeOktaApp => {
    const app = state.apps.find((a) => a.id === appId);
    if (!app) {
      throw new Error(`fake Okta console: no app ${appId}`);
    }
    return app;
  };

  const setFeatures = (app: FakeOktaApp, on: readonly string[], off: readonly string[]): void => {
    app.features = [
      ...app.features.filter((f) => !off.includes(f)),
      ...on.filter((f) => !app.features.includes(f)),
    ];
    app.lastUpdated = iso();
    logAppUpdate(app);
  };

  const consoleApi: FakeOktaConsole = {
    enableScim(appId) {
      const app = consoleApp(appId);
      if (app.signOnMode === 'OPENID_CONNECT') {
        // help.okta.com: "Adding SCIM provisioning to an OpenID Connect (OIDC) integration isn't currently supported".
        throw new Error('fake Okta console: SCIM provisioning is not available for OIDC apps');
      }
      const schema = state.appSchemas.get(app.id);
      if (schema) {
        for (const [name, title, externalName] of SCIM_BASE_ATTRIBUTES) {
          schema.base[name] ??= {
            title,
            type: 'string',
            required: false,
            scope: 'NONE',
            externalName,
            externalNamespace: SCIM_CORE_USER,
            master: { type: 'PROFILE_MASTER' },
            mutability: 'READ_WRITE',
            permissions: [{ principal: 'SELF', action: 'READ_ONLY' }],
          };
        }
        schema.lastUpdated = iso();
      }
      setFeatures(app, ['SCIM_PROVISIONING'], []);
    },
    saveIntegration(appId, input) {
      const app = consoleApp(appId);
      if (!app.features.includes('SCIM_PROVISIONING')) {
        throw new Error('fake Okta console: turn on SCIM provisioning first (General tab)');
      }
      state.integrations.set(app.id, {
        baseUrl: input.baseUrl,
        pushNewUsers: input.pushNewUsers,
        pushProfileUpdates: input.pushProfileUpdates,
        pushGroups: input.pushGroups,
        importUsers: input.importUsers ?? false,
        savedAt: iso(),
        hasToken: input.token !== '',
      });
      integrationTokens.set(app.id, input.token);
      const on: string[] = [];
      const off: string[] = [];
      (input.pushGroups ? on : off).push('GROUP_PUSH');
      (input.importUsers ? on : off).push('IMPORT_NEW_USERS', 'IMPORT_PROFILE_UPDATES');
      if (!input.pushNewUsers) {
        off.push('PUSH_NEW_USERS', 'PUSH_USER_DEACTIVATION');
      }
      if (!input.pushProfileUpdates) {
        off.push('PUSH_PROFILE_UPDATES');
      }
      setFeatures(app, on, off);
    },
    toApp(appId, actions) {
      const app = consoleApp(appId);
      const integration = state.integrations.get(app.id);
      if (!integration) {
        throw new Error('fake Okta console: save the Integration first');
      }
      if ((actions.create || actions.deactivate) && !integration.pushNewUsers) {
        throw new Error(
          'fake Okta console: "Push New Users" is not a supported action of the Integration',
        );
      }
      if (actions.update && !integration.pushProfileUpdates) {
        throw new Error(
          'fake Okta console: "Push Profile Updates" is not a supported action of the Integration',
        );
      }
      const on: string[] = [];
      const off: string[] = [];
      (actions.create ? on : off).push('PUSH_NEW_USERS');
      (actions.update ? on : off).push('PUSH_PROFILE_UPDATES');
      (actions.deactivate ? on : off).push('PUSH_USER_DEACTIVATION');
      setFeatures(app, on, off);
    },
    async testConnector(appId) {
      const app = consoleApp(appId);
      const integration = state.integrations.get(app.id);
      const token = integrationTokens.get(app.id);
      if (!integration || token === undefined) {
        throw new Error('fake Okta console: save the Integration first');
      }
      const probe = encodeURIComponent(
        `userName eq "okta.connector.test.${base62(8)}@example.invalid"`,
      );
      const answer = await callScim(
        integration.baseUrl,
        token,
        'GET',
        `/Users?filter=${probe}&startIndex=1&count=100`,
      );
      if (answer.kind === 'answer' && answer.status === 200) {
        return { ok: true, status: 200, message: 'Connector configured successfully' };
      }
      const detail = scimDetail(answer);
      const status = answer.kind === 'answer' ? answer.status : undefined;
      if (status === 401 || status === 403) {
        addLogEvent({
          eventType: 'application.integration.authentication_failure',
          displayMessage: 'Authentication failure with the external application',
          outcome: 'FAILURE',
          reason: detail,
          target: [appTarget(app)],
        });
      }
      return { ok: false, status, message: detail };
    },
    async importUsers(appId) {
      const app = consoleApp(appId);
      const integration = state.integrations.get(app.id);
      const endpoint = scimEndpoint(app.id);
      if (!integration?.importUsers || !endpoint) {
        throw new Error('fake Okta console: "Import New Users and Profile Updates" is not enabled');
      }
      const fetchAll = async (resource: 'Users' | 'Groups'): Promise<JsonObject[]> => {
        const out: JsonObject[] = [];
        for (let start = 1, pages = 0; pages < 50; pages++) {
          const a = await callScim(
            endpoint.base,
            endpoint.token,
            'GET',
            `/${resource}?startIndex=${start}&count=100`,
          );
          if (a.kind !== 'answer' || a.status !== 200 || !isObject(a.json)) {
            throw new Error(`fake Okta console: import failed: ${scimDetail(a)}`);
          }
          const batch = Array.isArray(a.json.Resources) ? a.json.Resources.filter(isObject) : [];
          out.push(...batch);
          const total = typeof a.json.totalResults === 'number' ? a.json.totalResults : out.length;
          if (batch.length === 0 || out.length >= total) {
            break;
          }
          start += batch.length;
        }
        return out;
      };
      const scimUsers = await fetchAll('Users');
      const scimGroups = await fetchAll('Groups');
      const schema = state.appSchemas.get(app.id);
      const list = state.appUsers.get(app.id) ?? [];
      state.appUsers.set(app.id, list);
      let matched = 0;
      const byExternalId = new Map<string, string>();
      for (const su of scimUsers) {
        const userName = typeof su.userName === 'string' ? su.userName : '';
        const emails = Array.isArray(su.emails)
          ? su.emails.filter(isObject).map((e) => String(e.value))
          : [];
        const user = state.users.find((u) =>
          [userName, ...emails].some(
            (v) =>
              v.toLowerCase() === u.profile.login.toLowerCase() ||
              v.toLowerCase() === u.profile.email.toLowerCase(),
          ),
        );
        if (!user) {
          continue;
        }
        matched++;
        const profile: JsonObject = {};
        for (const [name, def] of Object.entries(schema?.custom ?? {})) {
          const ns = typeof def.externalNamespace === 'string' ? def.externalNamespace : undefined;
          const found = ns ? su[ns] : undefined;
          const bag = isObject(found) ? found : undefined;
          const ext = typeof def.externalName === 'string' ? def.externalName : name;
          if (bag?.[ext] !== undefined) {
            profile[name] = bag[ext];
          }
        }
        const at = iso();
        const externalId = typeof su.id === 'string' ? su.id : null;
        if (externalId) {
          byExternalId.set(externalId, user.id);
        }
        const existing = list.find((u) => u.id === user.id);
        if (existing) {
          existing.externalId = externalId;
          Object.assign(existing.profile, profile);
          existing.lastSync = at;
          existing.syncState = 'SYNCHRONIZED';
        } else {
          list.push({
            id: user.id,
            scope: 'USER',
            status: 'ACTIVE',
            syncState: 'SYNCHRONIZED',
            created: at,
            lastUpdated: at,
            statusChanged: at,
            lastSync: at,
            externalId,
            userName,
            profile,
          });
        }
      }
      for (const sg of scimGroups) {
        const name = typeof sg.displayName === 'string' ? sg.displayName : '';
        if (name === '') {
          continue;
        }
        const group =
          state.groups.find((g) => g.source?.id === app.id && g.profile.name === name) ??
          addGroup({ name, type: 'APP_GROUP', sourceAppId: app.id });
        group.profile.externalId = typeof sg.id === 'string' ? sg.id : null;
        group.members = (Array.isArray(sg.members) ? sg.members : [])
          .map((m) => (isObject(m) ? byExternalId.get(String(m.value)) : undefined))
          .filter((id): id is string => id !== undefined);
        group.lastUpdated = iso();
        group.lastMembershipUpdated = iso();
        addLogEvent({
          eventType: 'app.user_management.user_group_import.upsert_success',
          displayMessage: 'Import of user group from app succeeded',
          target: [
            appTarget(app),
            { id: group.id, type: 'AppGroup', alternateId: name, displayName: name },
          ],
        });
      }
      return {
        users: scimUsers.length,
        matched,
        unmatched: scimUsers.length - matched,
        groups: scimGroups.length,
      };
    },
    setUserNameTemplate(appId, template) {
      const app = consoleApp(appId);
      app.credentials.userNameTemplate = { ...template };
      app.lastUpdated = iso();
      logAppUpdate(app);
    },
    integrationToken(appId) {
      return integrationTokens.get(appId);
    },
  };

  return {
    url: origin,
    apiToken,
    state,
    requests,
    specProblems,
    unmodelled,
    ids: {
      admin: admin.id,
      dbtApp: firstApps[0]?.id ?? '',
      oidcApp: firstApps.find((a) => a.signOnMode === 'OPENID_CONNECT')?.id ?? '',
      everyone: everyone.id,
      developers: findGroupByName('dbt_developers')?.id ?? '',
      analysts: findGroupByName('dbt_analysts')?.id ?? '',
    },
    console: consoleApi,
    registerAccessToken(token, grant) {
      accessTokens.set(token, { scopes: [...grant.scopes], principal: { ...grant.principal } });
    },
    rateLimit(limit) {
      rateLimits.push({ ...limit, left: limit.times ?? 1 });
    },
    failNext(failure) {
      failures.push({ ...failure, left: failure.times ?? 1 });
    },
    setMappingError(mappingId, summary) {
      const mapping = state.groupPushMappings.find((m) => m.id === mappingId);
      if (!mapping) {
        throw new Error(`fake Okta: no group push mapping ${mappingId}`);
      }
      mapping.status = 'ERROR';
      mapping.errorSummary = summary;
      mapping.lastPush = iso();
      mapping.lastUpdated = iso();
    },
    addLogEvent: (input) => addLogEvent(input),
    addApp,
    addUser,
    addGroup,
    settled,
    clearRequests() {
      requests.length = 0;
    },
    async close() {
      await settled();
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

/** A copy of a request body with token, secret and password values masked. */
function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(maskSecrets);
  }
  if (!isObject(value)) {
    return value;
  }
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      /token|secret|password/i.test(k) && typeof v === 'string'
        ? `[masked ${v.length} chars]`
        : maskSecrets(v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Okta Expression Language, the subset profile mappings use here

export type MappingExpression =
  | { kind: 'string'; value: string }
  | { kind: 'path'; path: string[] }
  | { kind: 'call'; name: 'isMemberOfGroupName' | 'isMemberOfGroup'; arg: MappingExpression }
  | { kind: 'ternary'; test: MappingExpression; yes: MappingExpression; no: MappingExpression };

/**
 * Parses `text` (string literals in "…" or '…' with the quote doubled inside, as Spring EL, which
 * Okta EL follows; `user.x`; the two group functions; `a ? b : c`; parentheses). Returns the
 * tree, or a sentence saying what is wrong.
 */
export function parseMappingExpression(text: string): MappingExpression | string {
  let i = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] ?? '')) {
      i++;
    }
  };
  const fail = (what: string): string => `${what} at position ${i}`;
  const primary = (): MappingExpression | string => {
    ws();
    const c = text[i];
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) {
          return fail('unterminated string');
        }
        const ch = text[i] ?? '';
        if (ch === c) {
          if (text[i + 1] === c) {
            value += c;
            i += 2;
            continue;
          }
          i++;
          return { kind: 'string', value };
        }
        value += ch;
        i++;
      }
    }
    if (c === '(') {
      i++;
      const inner = ternary();
      if (typeof inner === 'string') {
        return inner;
      }
      ws();
      if (text[i] !== ')') {
        return fail('expected )');
      }
      i++;
      return inner;
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(text.slice(i));
    if (!m) {
      return fail('unexpected character');
    }
    const name = m[0];
    i += name.length;
    ws();
    if (text[i] === '(') {
      if (name !== 'isMemberOfGroupName' && name !== 'isMemberOfGroup') {
        return `unknown function ${name}`;
      }
      i++;
      const arg = ternary();
      if (typeof arg === 'string') {
        return arg;
      }
      ws();
      if (text[i] !== ')') {
        return fail('expected )');
      }
      i++;
      return { kind: 'call', name, arg };
    }
    const path = name.split('.');
    if (path[0] !== 'user' || path.length !== 2) {
      return `unknown property ${name}`;
    }
    return { kind: 'path', path };
  };
  const ternary = (): MappingExpression | string => {
    const test = primary();
    if (typeof test === 'string') {
      return test;
    }
    ws();
    if (text[i] !== '?') {
      return test;
    }
    i++;
    const yes = ternary();
    if (typeof yes === 'string') {
      return yes;
    }
    ws();
    if (text[i] !== ':') {
      return fail('expected :');
    }
    i++;
    const no = ternary();
    if (typeof no === 'string') {
      return no;
    }
    return { kind: 'ternary', test, yes, no };
  };
  const tree = ternary();
  if (typeof tree === 'string') {
    return tree;
  }
  ws();
  return i === text.length ? tree : fail('unexpected text');
}

/** Evaluates a parsed expression for one person. */
export function evaluateMapping(
  e: MappingExpression,
  who: {
    user: Record<string, unknown>;
    groups: readonly { id: string; profile: { name: string } }[];
  },
): string | boolean | null {
  switch (e.kind) {
    case 'string':
      return e.value;
    case 'path': {
      const v = who.user[e.path[1] ?? ''];
      return typeof v === 'string' || typeof v === 'boolean' ? v : null;
    }
    case 'call': {
      const arg = evaluateMapping(e.arg, who);
      return e.name === 'isMemberOfGroupName'
        ? who.groups.some((g) => g.profile.name === arg)
        : who.groups.some((g) => g.id === arg);
    }
    case 'ternary':
      return evaluateMapping(e.test, who) === true
        ? evaluateMapping(e.yes, who)
        : evaluateMapping(e.no, who);
  }
}
