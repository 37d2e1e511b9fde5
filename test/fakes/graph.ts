/**
 * A stateful fake Microsoft Graph on 127.0.0.1 (`/v1.0`), behaving like the real service where the
 * wizard can tell (graph.md): the non-gallery app flow, synchronization jobs, secrets, the job
 * schema, on-demand provisioning into a (fake) dbt SCIM API, and the service's traps.
 *
 *   GET  /servicePrincipals?$filter=displayName eq '…' | appId eq '…'   ($select honoured)
 *   GET  /servicePrincipals/{id}
 *   GET  /applications?$filter=applicationTemplateId eq '…' and displayName eq '…'
 *   GET  /applications/{id}
 *   POST /applicationTemplates/{tpl}/instantiate {displayName} → 201 {application, servicePrincipal}
 *   GET  /servicePrincipals/{id}/synchronization/templates                       → [scim]
 *   GET|POST /servicePrincipals/{id}/synchronization/jobs {templateId:'scim'}      → 201 job, disabled
 *   GET  …/jobs/{jobId};  POST …/jobs/{jobId}/start | pause
 *   POST …/jobs/{jobId}/validateCredentials   really calls `${BaseAddress}/Users` with the token
 *   POST …/jobs/{jobId}/provisionOnDemand     really POSTs the user to `${BaseAddress}/Users`
 *   GET|PUT …/jobs/{jobId}/schema (PATCH → 404 like syncfabric); POST …/schema/parseExpression
 *   GET|PUT /servicePrincipals/{id}/synchronization/secrets {value:[{key,value}]}
 *   GET|POST /servicePrincipals/{id}/appRoleAssignedTo {principalId, resourceId, appRoleId}
 *   GET  /users/{id | userPrincipalName}
 * Action segments may also be written `microsoft.graph.<action>` (the OpenAPI's form).
 *
 * Every POST/PUT body is checked against Microsoft's OpenAPI description (`graph-spec.ts`);
 * a mismatch is recorded in `specViolations` and answered 400, so a bad request cannot pass
 * silently. Every request needs `Authorization: Bearer <token>` (401 otherwise). Errors use Graph's
 * envelope `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
 *
 * The fake only ever connects to 127.0.0.1: a BaseAddress elsewhere is answered "could not
 * connect" without any network traffic. Messages marked "modelled" are plausible stand-ins for the
 * service's wording, not copies of it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { request as httpRequest, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import {
  ExpressionError,
  TARGET_DIRECTORY,
  defaultScimSchema,
  isObject,
  parseExpression,
  schemaProblem,
  scimUserFromMappings,
  sourceDirectoryName,
  userMappingOf,
  type JsonObject,
  type TemplateVariant,
} from './graph-schema.js';
import { loadGraphSpec } from './graph-spec.js';

export { DEFAULT_RULE_ID } from './graph-schema.js';
export type { JsonObject, TemplateVariant } from './graph-schema.js';

// ---------------------------------------------------------------------------------------------
// State

/** The non-gallery application templates of the three clouds (graph.md §1). */
export const NON_GALLERY_TEMPLATES: readonly string[] = [
  '8adf8e6e-67b2-4cf2-a259-e3dc5476c621',
  '4602d0b4-76bb-404b-bca9-2652e1a39c6d',
  '5a532e38-1581-4918-9658-008dc27c1d68',
];

export interface FakeAppRole {
  id: string;
  value: string | null;
  displayName: string;
  description: string;
  allowedMemberTypes: string[];
  isEnabled: boolean;
  origin: 'Application';
}

export interface FakeApplication {
  id: string;
  appId: string;
  displayName: string;
  applicationTemplateId: string | null;
  createdDateTime: string;
}

export interface FakeServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  applicationTemplateId: string | null;
  /** `User` and `msiam_access`, as non-gallery apps have. */
  appRoles: FakeAppRole[];
  createdDateTime: string;
}

export interface FakeQuarantine {
  currentBegan: string;
  nextAttempt: string;
  /** e.g. `EncounteredQuarantineException`. */
  reason: string;
  seriesBegan: string;
  seriesCount: number;
  error: { code: string; message: string; tenantActionable: boolean };
}

export interface FakeSyncJob {
  /** `scim.<tenant hex>.<guid>`. */
  id: string;
  servicePrincipalId: string;
  templateId: string;
  scheduleState: 'Active' | 'Disabled' | 'Paused';
  statusCode: 'NotConfigured' | 'NotRun' | 'Active' | 'Paused' | 'Quarantine';
  quarantine: FakeQuarantine | null;
  createdDateTime: string;
  /** The last cycle as Graph reports it (tests set it); none until then. */
  lastExecution?: JsonObject | null;
}

export interface FakeGraphUser {
  id: string;
  userPrincipalName: string;
  displayName: string | null;
  givenName: string | null;
  surname: string | null;
  mail: string | null;
  mailNickname: string | null;
  jobTitle: string | null;
  department: string | null;
  preferredLanguage: string | null;
  accountEnabled: boolean;
}

export interface FakeAppRoleAssignment {
  id: string;
  appRoleId: string;
  createdDateTime: string;
  principalDisplayName: string | null;
  principalId: string;
  principalType: 'User';
  resourceDisplayName: string;
  resourceId: string;
}

export interface FakeSecret {
  key: string;
  /** The plain value (the API answers it masked; tests may read it here). */
  value: string;
}

export interface FakeGraphState {
  applications: FakeApplication[];
  servicePrincipals: FakeServicePrincipal[];
  /** Jobs by service principal id. */
  jobs: Map<string, FakeSyncJob[]>;
  /** Saved synchronization secrets by service principal id, plain values. */
  secrets: Map<string, FakeSecret[]>;
  /** The schema of each job (raw JSON, exactly as last PUT) by job id. */
  schemas: Map<string, JsonObject>;
  appRoleAssignments: FakeAppRoleAssignment[];
  users: FakeGraphUser[];
}

export interface FakeGraphRequest {
  readonly method: string;
  /** The path without the query string, exactly as sent (`/v1.0/…`). */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** Whether an Authorization header came (its value is never kept). */
  readonly hasAuth: boolean;
  /** The parsed JSON body, with the values of secret keys (SecretToken…) masked. */
  readonly body: unknown;
  /** The status answered (undefined while in flight or when the socket was destroyed). */
  readonly status: number | undefined;
}

export interface FakeGraphTraps {
  /** instantiate creates the app and its service principal, then answers 404 (graph.md §1). */
  instantiate404AfterCreate?: boolean;
  /** A service principal or job created from now on answers 404 to its first N requests. */
  notFoundAfterCreate?: number;
  /** Synchronization calls on a service principal created from now on answer 409, 403, 409… N times. */
  conflictAfterCreate?: number;
  /** The next `count` requests get 429 with `Retry-After: retryAfterSeconds`. */
  rateLimitNext?: { count: number; retryAfterSeconds: number };
  /** Delay before every answer. */
  latencyMs?: number;
}

export interface FakeGraphFailMatch {
  readonly method?: string;
  readonly path: RegExp;
}

export interface FakeGraphUserInput {
  userPrincipalName: string;
  displayName?: string;
  givenName?: string;
  surname?: string;
  mailNickname?: string;
}

export interface FakeGraphOptions {
  /** The accepted bearer token; default `fake-graph-token-` + random hex. */
  readonly token?: string;
  /** Older templates name the source directory "Azure Active Directory", newer "Microsoft Entra ID". Default `entra`. */
  readonly templateVariant?: TemplateVariant;
  /** Directory users; default two users at contoso.example. */
  readonly users?: readonly FakeGraphUserInput[];
  /** The clock for timestamps and the provisionOnDemand rate window; default the system clock. */
  readonly now?: () => Date;
  /** Default 0 (any free port); always on 127.0.0.1. */
  readonly port?: number;
}

export interface FakeGraph {
  /** `http://127.0.0.1:<port>/v1.0`. */
  readonly graphUrl: string;
  readonly token: string;
  readonly state: FakeGraphState;
  readonly requests: readonly FakeGraphRequest[];
  /** POST/PUT requests whose body or method did not match the OpenAPI description. */
  readonly specViolations: string[];
  set(traps: FakeGraphTraps): void;
  /** The next `times` requests matching `match` get `answer` (a Graph error envelope, or a reset socket). */
  failNext(match: FakeGraphFailMatch, answer: number | 'reset', times?: number): void;
  clearRequests(): void;
  close(): Promise<void>;
}

/** provisionOnDemand: at most this many calls per window, per job (graph.md §6). */
const ON_DEMAND_LIMIT = 5;
const ON_DEMAND_WINDOW_MS = 10_000;

/** Graph's error codes for statuses injected with `failNext`. */
const FAIL_CODES: Readonly<Record<number, [string, string]>> = {
  400: ['Request_BadRequest', 'Invalid request.'],
  401: ['InvalidAuthenticationToken', 'Access token validation failure.'],
  403: ['Authorization_RequestDenied', 'Insufficient privileges to complete the operation.'],
  404: [
    'Request_ResourceNotFound',
    'Resource does not exist or one of its queried reference-property objects are not present.',
  ],
  409: ['Conflict', 'Another operation is in progress on this object.'],
  429: ['TooManyRequests', 'Too many requests.'],
  500: ['InternalServerError', 'An internal server error occurred.'],
  503: ['ServiceUnavailable', 'The service is temporarily unavailable.'],
  504: ['GatewayTimeout', 'The gateway timed out.'],
};

/**
 * What Entra says when the SCIM endpoint refuses the test credentials. Modelled on the wording
 * admins report from the portal's "Test connection", not copied from a capture.
 */
function invalidCredentialsMessage(resource: string, status: number): string {
  const statusName = status === 401 ? 'Unauthorized' : status === 403 ? 'Forbidden' : `${status}`;
  return (
    'You appear to have entered invalid credentials. Please confirm you are using the correct ' +
    'information for an administrative account. Error code: ' +
    'SystemForCrossDomainIdentityManagementCredentialValidationUnavailable Details: We received ' +
    `this unexpected response from your application: Received response from Web resource. Resource: ${resource} ` +
    `Status Code: ${statusName}`
  );
}

type RouteHandler = (ctx: RouteContext) => void | Promise<void>;

interface RouteContext {
  readonly req: Request;
  readonly res: Response;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  readonly body: unknown;
}

interface Route {
  /** e.g. `servicePrincipals/:sp/synchronization/jobs/:job`. */
  readonly pattern: readonly string[];
  readonly methods: Readonly<Partial<Record<string, RouteHandler>>>;
}

interface Settling {
  notFound: number;
  conflicts: number;
  served: number;
}

type ScimAnswer =
  | { kind: 'answer'; status: number; json: unknown; text: string; url: string }
  | { kind: 'unreachable'; url: string; reason: string };

export async function startFakeGraph(options: FakeGraphOptions = {}): Promise<FakeGraph> {
  const spec = await loadGraphSpec();
  const now = options.now ?? (() => new Date());
  const iso = (): string => now().toISOString();
  const token = options.token ?? `fake-graph-token-${randomBytes(16).toString('hex')}`;
  const variant: TemplateVariant = options.templateVariant ?? 'entra';
  const tenantHex = randomBytes(16).toString('hex');

  const state: FakeGraphState = {
    applications: [],
    servicePrincipals: [],
    jobs: new Map(),
    secrets: new Map(),
    schemas: new Map(),
    appRoleAssignments: [],
    users: (
      options.users ?? [
        {
          userPrincipalName: 'ada.lovelace@contoso.example',
          givenName: 'Ada',
          surname: 'Lovelace',
        },
        {
          userPrincipalName: 'grace.hopper@contoso.example',
          givenName: 'Grace',
          surname: 'Hopper',
        },
      ]
    ).map(makeUser),
  };
  const traps: Required<Omit<FakeGraphTraps, 'rateLimitNext'>> = {
    instantiate404AfterCreate: false,
    notFoundAfterCreate: 0,
    conflictAfterCreate: 0,
    latencyMs: 0,
  };
  let rateLimit = { left: 0, retryAfterSeconds: 1 };
  const failures: { match: FakeGraphFailMatch; answer: number | 'reset'; left: number }[] = [];
  const settling = new Map<string, Settling>();
  const onDemandCalls = new Map<string, number[]>();
  const requests: (FakeGraphRequest & { body: unknown; status: number | undefined })[] = [];
  const specViolations: string[] = [];
  let origin = '';

  // -------------------------------------------------------------------------------------------
  // Answers

  const sendJson = (res: Response, status: number, body: unknown): void => {
    res
      .status(status)
      .set(
        'content-type',
        'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8',
      )
      .send(JSON.stringify(body));
  };

  const sendError = (res: Response, status: number, code: string, message: string): void => {
    const requestId = String(res.getHeader('request-id') ?? randomUUID());
    sendJson(res, status, {
      error: {
        code,
        message,
        innerError: {
          date: iso().replace(/\.\d{3}Z$/, ''),
          'request-id': requestId,
          'client-request-id': String(res.getHeader('client-request-id') ?? requestId),
        },
      },
    });
  };

  const noContent = (res: Response): void => {
    res.status(204).end();
  };

  const notFound = (res: Response, id: string): void => {
    sendError(
      res,
      404,
      'Request_ResourceNotFound',
      `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
    );
  };

  const badRequest = (res: Response, message: string, code = 'BadRequest'): void => {
    sendError(res, 400, code, message);
  };

  const context = (what: string): string => `${origin}/v1.0/$metadata#${what}`;

  // -------------------------------------------------------------------------------------------
  // JSON of the objects

  const appJson = (a: FakeApplication): JsonObject => ({
    id: a.id,
    deletedDateTime: null,
    appId: a.appId,
    applicationTemplateId: a.applicationTemplateId,
    createdDateTime: a.createdDateTime,
    displayName: a.displayName,
    identifierUris: [],
    signInAudience: 'AzureADMyOrg',
    tags: [],
    appRoles: state.servicePrincipals.find((s) => s.appId === a.appId)?.appRoles ?? [],
  });

  const spJson = (s: FakeServicePrincipal): JsonObject => ({
    id: s.id,
    deletedDateTime: null,
    accountEnabled: true,
    appDisplayName: s.displayName,
    appId: s.appId,
    applicationTemplateId: s.applicationTemplateId,
    appRoleAssignmentRequired: true,
    displayName: s.displayName,
    preferredSingleSignOnMode: null,
    servicePrincipalNames: [s.appId],
    servicePrincipalType: 'Application',
    signInAudience: 'AzureADMyOrg',
    tags: [
      'WindowsAzureActiveDirectoryCustomSingleSignOnApplication',
      'WindowsAzureActiveDirectoryIntegratedApp',
    ],
    appRoles: s.appRoles,
  });

  const userJson = (u: FakeGraphUser): JsonObject => ({
    id: u.id,
    businessPhones: [],
    displayName: u.displayName,
    givenName: u.givenName,
    jobTitle: u.jobTitle,
    mail: u.mail,
    mobilePhone: null,
    officeLocation: null,
    preferredLanguage: u.preferredLanguage,
    surname: u.surname,
    userPrincipalName: u.userPrincipalName,
  });

  const jobJson = (j: FakeSyncJob): JsonObject => ({
    id: j.id,
    templateId: j.templateId,
    schedule: { expiration: null, interval: 'PT40M', state: j.scheduleState },
    status: {
      code: j.statusCode,
      countSuccessiveCompleteFailures: j.quarantine ? 1 : 0,
      escrowsPruned: false,
      lastExecution: j.lastExecution ?? null,
      lastSuccessfulExecution: null,
      lastSuccessfulExecutionWithExports: null,
      progress: [],
      quarantine: j.quarantine,
      steadyStateFirstAchievedTime: '0001-01-01T00:00:00Z',
      steadyStateLastAchievedTime: '0001-01-01T00:00:00Z',
      synchronizedEntryCountByType: [],
      troubleshootingUrl: null,
    },
    synchronizationJobSettings: [],
  });

  const assignmentJson = (a: FakeAppRoleAssignment): JsonObject => ({
    id: a.id,
    deletedDateTime: null,
    appRoleId: a.appRoleId,
    createdDateTime: a.createdDateTime,
    principalDisplayName: a.principalDisplayName,
    principalId: a.principalId,
    principalType: a.principalType,
    resourceDisplayName: a.resourceDisplayName,
    resourceId: a.resourceId,
  });

  /** `$select`: only the named properties; an unknown one is a 400, as Graph answers. */
  const select = (res: Response, json: JsonObject, query: Record<string, string>, type: string) => {
    const wanted = query.$select;
    if (wanted === undefined) {
      return json;
    }
    const out: JsonObject = {};
    for (const name of wanted.split(',').map((s) => s.trim())) {
      if (!(name in json)) {
        badRequest(
          res,
          `Could not find a property named '${name}' on type 'microsoft.graph.${type}'.`,
          'Request_BadRequest',
        );
        return undefined;
      }
      out[name] = json[name];
    }
    return out;
  };

  /** Applies `$filter` (clauses `prop eq 'value'` joined by `and`); undefined after answering 400. */
  const filtered = <T extends JsonObject>(
    res: Response,
    items: T[],
    query: Record<string, string>,
  ): T[] | undefined => {
    const text = query.$filter;
    if (text === undefined) {
      return items;
    }
    const clauses = parseFilter(text);
    if (typeof clauses === 'string') {
      badRequest(res, `Invalid filter clause: ${clauses}`, 'Request_BadRequest');
      return undefined;
    }
    return items.filter((item) =>
      clauses.every(
        (c) =>
          typeof item[c.prop] === 'string' &&
          String(item[c.prop]).toLowerCase() === c.value.toLowerCase(),
      ),
    );
  };

  // -------------------------------------------------------------------------------------------
  // Lookups

  const findSp = (id: string | undefined): FakeServicePrincipal | undefined =>
    state.servicePrincipals.find((s) => s.id === id);

  const jobsOf = (spId: string): FakeSyncJob[] => {
    let list = state.jobs.get(spId);
    if (!list) {
      list = [];
      state.jobs.set(spId, list);
    }
    return list;
  };

  const secretsOf = (spId: string): FakeSecret[] => state.secrets.get(spId) ?? [];

  const secretValue = (list: readonly { key: string; value?: unknown }[], key: string): string => {
    const v = list.find((s) => s.key === key)?.value;
    return typeof v === 'string' ? v : '';
  };

  /** The service principal and job of a sync route, or undefined after answering 404. */
  const spAndJob = (
    ctx: RouteContext,
  ): { sp: FakeServicePrincipal; job: FakeSyncJob } | undefined => {
    const sp = findSp(ctx.params.sp);
    if (!sp) {
      notFound(ctx.res, ctx.params.sp ?? '');
      return undefined;
    }
    const job = jobsOf(sp.id).find((j) => j.id === ctx.params.job);
    if (!job) {
      sendError(
        ctx.res,
        404,
        'NotFound',
        `The synchronization job '${ctx.params.job ?? ''}' was not found.`,
      );
      return undefined;
    }
    return { sp, job };
  };

  const withSp = (ctx: RouteContext): FakeServicePrincipal | undefined => {
    const sp = findSp(ctx.params.sp);
    if (!sp) {
      notFound(ctx.res, ctx.params.sp ?? '');
    }
    return sp;
  };

  // -------------------------------------------------------------------------------------------
  // SCIM calls to the (fake) dbt: 127.0.0.1 only

  const callScim = async (
    baseAddress: string,
    secretToken: string,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<ScimAnswer> => {
    const base = baseAddress.trim().replace(/\/+$/, '');
    let url: URL;
    try {
      url = new URL(`${base}${path}`);
    } catch {
      return { kind: 'unreachable', url: base, reason: 'could not connect: not a URL' };
    }
    if (!/^https?:$/.test(url.protocol) || url.hostname !== '127.0.0.1') {
      // Never any traffic (not even a DNS lookup) beyond loopback.
      return { kind: 'unreachable', url: url.href, reason: 'could not connect to the server' };
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
            authorization: `Bearer ${secretToken}`,
            accept: 'application/scim+json',
            ...(payload === undefined
              ? {}
              : {
                  'content-type': 'application/scim+json',
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
            resolve({ kind: 'answer', status: res.statusCode ?? 0, json, text, url: url.href });
          });
        },
      );
      req.on('timeout', () => {
        req.destroy(new Error('timed out'));
      });
      req.on('error', (e) => {
        resolve({ kind: 'unreachable', url: url.href, reason: `unreachable (${e.message})` });
      });
      req.end(payload);
    });
  };

  const scimDetail = (answer: ScimAnswer): string => {
    if (answer.kind === 'unreachable') {
      return answer.reason;
    }
    if (isObject(answer.json) && typeof answer.json.detail === 'string') {
      return answer.json.detail;
    }
    return answer.text.slice(0, 200);
  };

  // -------------------------------------------------------------------------------------------
  // Creation

  function makeUser(u: FakeGraphUserInput): FakeGraphUser {
    const local = u.userPrincipalName.split('@')[0] ?? u.userPrincipalName;
    const given = u.givenName ?? null;
    const sur = u.surname ?? null;
    return {
      id: randomUUID(),
      userPrincipalName: u.userPrincipalName,
      displayName: u.displayName ?? ([given, sur].filter(Boolean).join(' ') || local),
      givenName: given,
      surname: sur,
      mail: u.userPrincipalName,
      mailNickname: u.mailNickname ?? local,
      jobTitle: null,
      department: null,
      preferredLanguage: null,
      accountEnabled: true,
    };
  }

  const settle = (id: string, conflicts: number): void => {
    if (traps.notFoundAfterCreate > 0 || conflicts > 0) {
      settling.set(id, { notFound: traps.notFoundAfterCreate, conflicts, served: 0 });
    }
  };

  const instantiate = (templateId: string, displayName: string): FakeServicePrincipal => {
    const created = iso();
    const appId = randomUUID();
    const app: FakeApplication = {
      id: randomUUID(),
      appId,
      displayName,
      applicationTemplateId: templateId,
      createdDateTime: created,
    };
    const role = (name: string): FakeAppRole => ({
      id: randomUUID(),
      value: null,
      displayName: name,
      description: name,
      allowedMemberTypes: ['User'],
      isEnabled: true,
      origin: 'Application',
    });
    const sp: FakeServicePrincipal = {
      id: randomUUID(),
      appId,
      displayName,
      applicationTemplateId: templateId,
      appRoles: [role('User'), role('msiam_access')],
      createdDateTime: created,
    };
    state.applications.push(app);
    state.servicePrincipals.push(sp);
    settle(sp.id, traps.conflictAfterCreate);
    return sp;
  };

  const quarantine = (job: FakeSyncJob, code: string, message: string): void => {
    const began = iso();
    job.statusCode = 'Quarantine';
    job.quarantine = {
      currentBegan: began,
      nextAttempt: new Date(now().getTime() + 6 * 3600_000).toISOString(),
      reason: 'EncounteredQuarantineException',
      seriesBegan: job.quarantine?.seriesBegan ?? began,
      seriesCount: (job.quarantine?.seriesCount ?? 0) + 1,
      error: { code, message, tenantActionable: true },
    };
  };

  // -------------------------------------------------------------------------------------------
  // provisionOnDemand

  const verdict = (
    result: 'Success' | 'Skipped' | 'Failure',
    details: { errorCode?: string; errorMessage?: string },
    value: JsonObject,
  ): { key: string; value: string } => ({
    key: JSON.stringify({ result, details }),
    value: JSON.stringify(value),
  });

  const provisionOnDemand = async (
    ctx: RouteContext,
    sp: FakeServicePrincipal,
    job: FakeSyncJob,
  ): Promise<void> => {
    const params =
      isObject(ctx.body) && Array.isArray(ctx.body.parameters) ? ctx.body.parameters : [];
    const first = params.find(isObject);
    const ruleId = typeof first?.ruleId === 'string' ? first.ruleId : '';
    const subject = Array.isArray(first?.subjects) ? first.subjects.find(isObject) : undefined;
    if (!first || !subject || typeof subject.objectId !== 'string') {
      badRequest(ctx.res, 'The request must name one rule and one subject.');
      return;
    }
    const schema = state.schemas.get(job.id) ?? {};
    const userMap = userMappingOf(schema, ruleId);
    if (!userMap) {
      badRequest(
        ctx.res,
        `The synchronization rule '${ruleId}' was not found in the job's schema.`,
      );
      return;
    }
    if (String(subject.objectTypeName).toLowerCase() !== 'user') {
      badRequest(
        ctx.res,
        `Object type '${String(subject.objectTypeName)}' is not supported by this fake.`,
      );
      return;
    }
    const user = state.users.find((u) => u.id === subject.objectId);
    if (!user) {
      notFound(ctx.res, subject.objectId);
      return;
    }

    const started = iso();
    const source = sourceDirectoryName(variant);
    const upn = user.userPrincipalName;
    const values: Record<string, string | null> = {
      objectId: user.id,
      userPrincipalName: upn,
      displayName: user.displayName,
      givenName: user.givenName,
      surname: user.surname,
      mail: user.mail,
      mailNickname: user.mailNickname,
      jobTitle: user.jobTitle,
      department: user.department,
      preferredLanguage: user.preferredLanguage,
      accountEnabled: user.accountEnabled ? 'True' : 'False',
      IsSoftDeleted: 'False',
    };
    const importStep = {
      name: 'EntryImport',
      type: 'Import',
      status: 'Success',
      description: `Retrieved User '${upn}' from ${source}`,
      timestamp: started,
      details: Object.fromEntries(Object.entries(values).filter(([, v]) => v != null)),
    };
    const frame = (status: string, steps: JsonObject[], extra: JsonObject = {}): JsonObject => ({
      action: 'Other',
      changeId: randomUUID(),
      endTime: iso(),
      modifiedProperties: Object.entries(values)
        .filter(([, v]) => v != null)
        .map(([displayName, newValue]) => ({ displayName, oldValue: null, newValue })),
      provisioningSteps: steps,
      reportableIdentifier: upn,
      startTime: started,
      statusInfo: {
        status,
        errorCode: null,
        reason: null,
        additionalDetails: null,
        errorCategory: null,
        recommendedAction: null,
      },
      sourceIdentity: { id: user.id, type: 'User', displayName: null, details: null },
      sourceSystem: { id: null, name: source, details: null },
      targetIdentity: {
        id: null,
        type: userMap.mapping.targetObjectName,
        displayName: null,
        details: null,
      },
      targetSystem: { id: null, name: TARGET_DIRECTORY, details: null },
      ...extra,
    });

    const secrets = secretsOf(sp.id);
    const syncAll = secretValue(secrets, 'SyncAll').toLowerCase() === 'true';
    const assigned = state.appRoleAssignments.some(
      (a) => a.principalId === user.id && a.resourceId === sp.id,
    );
    if (!assigned && !syncAll) {
      const message = `The User '${upn}' is not assigned to the application and is not in scope for provisioning.`;
      sendJson(ctx.res, 200, {
        '@odata.context': context('microsoft.graph.stringKeyStringValuePair'),
        ...verdict(
          'Skipped',
          { errorCode: 'NotEffectivelyEntitled', errorMessage: message },
          frame('Skipped', [
            importStep,
            {
              name: 'EntrySynchronizationScoping',
              type: 'Scoping',
              status: 'Skipped',
              description: message,
              timestamp: iso(),
              details: {
                Assigned: 'False',
                IsActive: 'True',
                IsEffectivelyEntitledForProvisioning: 'False',
                SkipReason: 'NotEffectivelyEntitled',
              },
            },
          ]),
        ),
      });
      return;
    }
    const scoping = {
      name: 'EntrySynchronizationScoping',
      type: 'Scoping',
      status: 'Success',
      description: 'Determine if User in scope by evaluating against each scoping filter',
      timestamp: iso(),
      details: {
        Assigned: assigned ? 'True' : 'False',
        IsActive: 'True',
        IsEffectivelyEntitledForProvisioning: 'True',
      },
    };
    const fail = (errorCode: string, errorMessage: string, steps: JsonObject[]): void => {
      const value = frame('Failure', [importStep, scoping, ...steps]);
      const info = value.statusInfo as JsonObject;
      info.errorCode = errorCode;
      sendJson(ctx.res, 200, {
        '@odata.context': context('microsoft.graph.stringKeyStringValuePair'),
        ...verdict('Failure', { errorCode, errorMessage }, value),
      });
    };

    const base = secretValue(secrets, 'BaseAddress');
    const secretToken = secretValue(secrets, 'SecretToken');
    if (!base || !secretToken) {
      // Modelled code and wording.
      fail(
        'ProvisioningCredentialsMissing',
        'The tenant URL or secret token of the application is missing: save the admin credentials, then try again.',
        [],
      );
      return;
    }
    const { resource, missingRequired } = scimUserFromMappings(
      userMap.mapping,
      userMap.target,
      values,
    );
    if (missingRequired.length > 0) {
      fail(
        'RequiredAttributeMissing',
        `The required target attribute(s) ${missingRequired.join(', ')} have no value for User '${upn}'.`,
        [],
      );
      return;
    }
    const matching = {
      name: 'EntryImport',
      type: 'Matching',
      status: 'Success',
      description: `Searched for User '${upn}' in ${TARGET_DIRECTORY}`,
      timestamp: iso(),
      details: {},
    };
    const answer = await callScim(base, secretToken, 'POST', '/Users', resource);
    const exportDetails = Object.fromEntries(
      Object.entries(resource)
        .filter(([k]) => k !== 'schemas')
        .map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
    );
    if (
      answer.kind === 'answer' &&
      (answer.status === 201 || answer.status === 200 || answer.status === 409)
    ) {
      const update = answer.status === 409;
      const id =
        isObject(answer.json) && typeof answer.json.id === 'string' ? answer.json.id : null;
      const value = frame(
        'Success',
        [
          importStep,
          scoping,
          matching,
          {
            name: update ? 'EntryExportUpdate' : 'EntryExportAdd',
            type: 'Export',
            status: 'Success',
            description: update
              ? `User '${upn}' was updated in ${TARGET_DIRECTORY}`
              : `User '${upn}' was created in ${TARGET_DIRECTORY}`,
            timestamp: iso(),
            details: exportDetails,
          },
        ],
        { action: update ? 'Update' : 'Create' },
      );
      (value.targetIdentity as JsonObject).id = id;
      sendJson(ctx.res, 200, {
        '@odata.context': context('microsoft.graph.stringKeyStringValuePair'),
        ...verdict('Success', {}, value),
      });
      return;
    }
    const status = answer.kind === 'answer' ? answer.status : 0;
    // Modelled codes: SCIM failures are named after the status the endpoint answered.
    const code =
      status === 0
        ? 'SystemForCrossDomainIdentityManagementServiceUnavailable'
        : status === 401
          ? 'SystemForCrossDomainIdentityManagementUnauthorized'
          : status === 403
            ? 'SystemForCrossDomainIdentityManagementForbidden'
            : status >= 500
              ? 'SystemForCrossDomainIdentityManagementServiceFailure'
              : 'SystemForCrossDomainIdentityManagementBadRequest';
    const message =
      status === 0
        ? `Failed to create User '${upn}' in ${TARGET_DIRECTORY}: the SCIM endpoint is ${scimDetail(answer)}.`
        : `Failed to create User '${upn}' in ${TARGET_DIRECTORY}: the SCIM endpoint answered HTTP ${status}: ${scimDetail(answer)}`;
    fail(code, message, [
      matching,
      {
        name: 'EntryExportAdd',
        type: 'Export',
        status: 'Failure',
        description: message,
        timestamp: iso(),
        details: { ReportableIdentifier: upn, ErrorCode: code },
      },
    ]);
  };

  // -------------------------------------------------------------------------------------------
  // Routes

  const routes: Route[] = [
    {
      pattern: ['servicePrincipals'],
      methods: {
        GET: ({ res, query }) => {
          const items = filtered(res, state.servicePrincipals.map(spJson), { ...query });
          if (!items) {
            return;
          }
          const value: JsonObject[] = [];
          for (const item of items) {
            const picked = select(res, item, { ...query }, 'servicePrincipal');
            if (!picked) {
              return;
            }
            value.push(picked);
          }
          sendJson(res, 200, { '@odata.context': context('servicePrincipals'), value });
        },
      },
    },
    {
      pattern: ['servicePrincipals', ':sp'],
      methods: {
        GET: (ctx) => {
          const sp = withSp(ctx);
          if (!sp) {
            return;
          }
          const picked = select(ctx.res, spJson(sp), { ...ctx.query }, 'servicePrincipal');
          if (picked) {
            sendJson(ctx.res, 200, {
              '@odata.context': context('servicePrincipals/$entity'),
              ...picked,
            });
          }
        },
      },
    },
    {
      pattern: ['applications'],
      methods: {
        GET: ({ res, query }) => {
          const items = filtered(res, state.applications.map(appJson), { ...query });
          if (!items) {
            return;
          }
          const value: JsonObject[] = [];
          for (const item of items) {
            const picked = select(res, item, { ...query }, 'application');
            if (!picked) {
              return;
            }
            value.push(picked);
          }
          sendJson(res, 200, { '@odata.context': context('applications'), value });
        },
      },
    },
    {
      pattern: ['applications', ':app'],
      methods: {
        GET: ({ res, params, query }) => {
          const app = state.applications.find((a) => a.id === params.app);
          if (!app) {
            notFound(res, params.app ?? '');
            return;
          }
          const picked = select(res, appJson(app), { ...query }, 'application');
          if (picked) {
            sendJson(res, 200, { '@odata.context': context('applications/$entity'), ...picked });
          }
        },
      },
    },
    {
      pattern: ['applicationTemplates', ':tpl', 'instantiate'],
      methods: {
        POST: ({ res, params, body }) => {
          const tpl = params.tpl ?? '';
          if (!NON_GALLERY_TEMPLATES.includes(tpl)) {
            notFound(res, tpl);
            return;
          }
          const name =
            isObject(body) && typeof body.displayName === 'string' ? body.displayName.trim() : '';
          if (name === '') {
            badRequest(res, 'The displayName parameter is required.', 'Request_BadRequest');
            return;
          }
          const sp = instantiate(tpl, name);
          if (traps.instantiate404AfterCreate) {
            // The Terraform provider's finding: created, yet answered 404 (graph.md §1).
            notFound(res, tpl);
            return;
          }
          const app = state.applications.find((a) => a.appId === sp.appId);
          sendJson(res, 201, {
            '@odata.context': context('microsoft.graph.applicationServicePrincipal'),
            application: app ? appJson(app) : null,
            servicePrincipal: spJson(sp),
          });
        },
      },
    },
    {
      pattern: ['servicePrincipals', ':sp', 'synchronization', 'templates'],
      methods: {
        GET: (ctx) => {
          const sp = withSp(ctx);
          if (!sp) {
            return;
          }
          sendJson(ctx.res, 200, {
            '@odata.context': context(`servicePrincipals('${sp.id}')/synchronization/templates`),
            value: [
              {
                id: 'scim',
                applicationId: sp.appId,
                default: true,
                description: null,
                discoverable: true,
                factoryTag: 'scim',
                metadata: [],
              },
            ],
          });
        },
      },
    },
    {
      pattern: ['servicePrincipals', ':sp', 'synchronization', 'jobs'],
      methods: {
        GET: (ctx) => {
          const sp = withSp(ctx);
          if (sp) {
            sendJson(ctx.res, 200, {
              '@odata.context': context(`servicePrincipals('${sp.id}')/synchronization/jobs`),
              value: jobsOf(sp.id).map(jobJson),
            });
          }
        },
        POST: (ctx) => {
          const sp = withSp(ctx);
          if (!sp) {
            return;
          }
          const templateId = isObject(ctx.body) ? ctx.body.templateId : undefined;
          if (templateId !== 'scim') {
            badRequest(
              ctx.res,
              `The synchronization template '${String(templateId)}' was not found for this application.`,
            );
            return;
          }
          const job: FakeSyncJob = {
            id: `scim.${tenantHex}.${randomUUID()}`,
            servicePrincipalId: sp.id,
            templateId,
            scheduleState: 'Disabled',
            statusCode: 'NotRun',
            quarantine: null,
            createdDateTime: iso(),
          };
          jobsOf(sp.id).push(job);
          state.schemas.set(job.id, defaultScimSchema(variant));
          settle(job.id, 0);
          sendJson(ctx.res, 201, {
            '@odata.context': context(`servicePrincipals('${sp.id}')/synchronization/jobs/$entity`),
            ...jobJson(job),
          });
        },
      },
    },
    {
      pattern: ['servicePrincipals', ':sp', 'synchronization', 'jobs', ':job'],
      methods: {
        GET: (ctx) => {
          const found = spAndJob(ctx);
          if (found) {
            sendJson(ctx.res, 200, {
              '@odata.context': context(
                `servicePrincipals('${found.sp.id}')/synchronization/jobs/$entity`,
              ),
              ...jobJson(found.job),
            });
          }
        },
      },
    },
    {
      pattern: [
        'servicePrincipals',
        ':sp',
        'synchronization',
        'jobs',
        ':job',
        'validateCredentials',
      ],
      methods: {
        POST: async (ctx) => {
          const found = spAndJob(ctx);
          if (!found) {
            return;
          }
          const body = isObject(ctx.body) ? ctx.body : {};
          const given = Array.isArray(body.credentials) ? body.credentials.filter(isObject) : [];
          const creds: { key: string; value?: unknown }[] =
            body.useSavedCredentials === true
              ? secretsOf(found.sp.id)
              : given.map((c) => ({ key: String(c.key), value: c.value }));
          const base = secretValue(creds, 'BaseAddress');
          const secretToken = secretValue(creds, 'SecretToken');
          if (!base || !secretToken) {
            badRequest(ctx.res, 'The credentials must include BaseAddress and SecretToken.');
            return;
          }
          const answer = await callScim(base, secretToken, 'GET', '/Users?startIndex=1&count=1');
          if (answer.kind === 'unreachable') {
            // Modelled wording.
            badRequest(ctx.res, `We were unable to connect to ${answer.url}: ${answer.reason}.`);
            return;
          }
          if (answer.status >= 200 && answer.status < 300) {
            noContent(ctx.res);
            return;
          }
          if (answer.status === 401 || answer.status === 403) {
            badRequest(ctx.res, invalidCredentialsMessage(answer.url, answer.status));
            return;
          }
          badRequest(
            ctx.res,
            `We received an unexpected response from your application: HTTP ${answer.status} from ${answer.url}.`,
          );
        },
      },
    },
    {
      pattern: ['servicePrincipals', ':sp', 'synchronization', 'jobs', ':job', 'provisionOnDemand'],
      methods: {
        POST: async (ctx) => {
          const found = spAndJob(ctx);
          if (!found) {
            return;
          }
          const t = now().getTime();
          const recent = (onDemandCalls.get(found.job.id) ?? []).filter(
            (at) => at > t - ON_DEMAND_WINDOW_MS,
          );
          if (recent.length >= ON_DEMAND_LIMIT) {
            const oldest = recent[0] ?? t;
            const wait = Math.max(1, Math.ceil((oldest + ON_DEMAND_WINDOW_MS - t) / 1000));
            onDemandCalls.set(found.job.id, recent);
            ctx.res.set('Retry-After', String(wait));
            sendError(
              ctx.res,
              429,
              'TooManyRequests',
              `Provision on demand allows ${ON_DEMAND_LIMIT} requests per ${ON_DEMAND_WINDOW_MS / 1000} seconds.`,
            );
            return;
          }
          recent.push(t);
          onDemandCalls.set(found.job.id, recent);
          await provisionOnDemand(ctx, found.sp, found.job);
        },
      },
    },
    {
      pattern: ['servicePrincipals', ':sp', 'synchronization', 'jobs', ':job', 'start'],
      methods: {
        POST: async (ctx) => {
          const found = spAndJob(ctx);
          if (!found) {
            return;
          }
          const { sp, job } = found;
          job.scheduleState = 'Active';
          const secrets = secretsOf(sp.id);
          const base = secretValue(secrets, 'BaseAddress');
          const secretToken = secretValue(secrets, 'SecretToken');
          if (!base || !secretToken) {
            // Modelled code and wording.
            quarantine(
              job,
              'ProvisioningCredentialsMissing',
              'The tenant URL or secret token of the application is missing: save the admin credentials, then restart provisioning.',
            );
          } else {
            const answer = await callScim(base, secretToken, 'GET', '/Users?startIndex=1&count=1');
            if (answer.kind === 'answer' && answer.status >= 200 && answer.status < 300) {
              job.statusCode = 'Active';
              job.quarantine = null;
            } else if (
              answer.kind === 'answer' &&
              (answer.status === 401 || answer.status === 403)
            ) {
              quarantine(
                job,
                'SystemForCrossDomainIdentityManagementCredentialValidationUnavailable',
                invalidCredentialsMessage(answer.url, answer.status),
              );
            } else {
              quarantine(
                job,
                'SystemForCrossDomainIdentityManagementServiceUnavailable',
                `The SCIM endpoint could not be used: ${scimDetail(answer)}.`,
              );
            }
          }
          noContent(ctx.res);
        },
      },
    },
    {
      pattern: ['servicePrincipals', ':sp', 'synchronization', 'jobs', ':job', 'pause'],
      methods: {
        POST: (ctx) => {
          const found = spAndJob(ctx);
          if (found) {
            found.job.scheduleState = 'Paused';
            found.job.statusCode = 'Paused';
            noContent(ctx.res);
          }
        },
      },
    },
    {
      pattern: ['servicePrincipals', ':sp', 'synchronization', 'jobs', ':job', 'schema'],
      methods: {
        GET: (ctx) => {
          const found = spAndJob(ctx);
          if (found) {
            sendJson(ctx.res, 200, {
              '@odata.context': context(
                `servicePrincipals('${found.sp.id}')/synchronization/jobs('${found.job.id}')/schema/$entity`,
              ),
              ...(state.schemas.get(found.job.id) ?? {}),
            });
          }
        },
        PUT: (ctx) => {
          const found = spAndJob(ctx);
          if (!found) {
            return;
          }
          const problem = schemaProblem(ctx.body);
          if (problem !== undefined || !isObject(ctx.body)) {
            badRequest(ctx.res, problem ?? 'The schema must be a JSON object.');
            return;
          }
          // Stored exactly as sent (without instance annotations); the version is left as sent.
          const stored: JsonObject = {};
          for (const [k, v] of Object.entries(ctx.body)) {
            if (!k.startsWith('@')) {
              stored[k] = v;
            }
          }
          state.schemas.set(found.job.id, structuredClone(stored));
          noContent(ctx.res);
        },
        PATCH: (ctx) => {
          // The service's answer to the OpenAPI's PATCH (msgraph-sdk-powershell #1134, python #820).
          sendError(
            ctx.res,
            404,
            'UnknownError',
            JSON.stringify({
              Message: `No HTTP resource was found that matches the request URI 'https://syncfabric.windowsazure.com/api/servicePrincipals('${ctx.params.sp ?? ''}')/synchronization/jobs('${ctx.params.job ?? ''}')/schema?api-version=2.0'.`,
            }),
          );
        },
      },
    },
    {
      pattern: [
        'servicePrincipals',
        ':sp',
        'synchronization',
        'jobs',
        ':job',
        'schema',
        'parseExpression',
      ],
      methods: {
        POST: (ctx) => {
          if (!spAndJob(ctx)) {
            return;
          }
          const expression = isObject(ctx.body) ? ctx.body.expression : undefined;
          const reply = (body: JsonObject): void => {
            sendJson(ctx.res, 200, {
              '@odata.context': context('microsoft.graph.parseExpressionResponse'),
              evaluationResult: [],
              evaluationSucceeded: false,
              ...body,
            });
          };
          if (typeof expression !== 'string' || expression.trim() === '') {
            reply({
              parsingSucceeded: false,
              parsedExpression: null,
              error: {
                code: 'ExpressionParsingFailed',
                message: 'The expression is empty.',
                details: [],
                innerError: null,
                target: null,
              },
            });
            return;
          }
          try {
            reply({
              parsingSucceeded: true,
              parsedExpression: parseExpression(expression),
              error: null,
            });
          } catch (e) {
            reply({
              parsingSucceeded: false,
              parsedExpression: null,
              error: {
                code: 'ExpressionParsingFailed',
                message:
                  e instanceof ExpressionError ? e.message : 'The expression could not be parsed.',
                details: [],
                innerError: null,
                target: null,
              },
            });
          }
        },
      },
    },
    {
      pattern: ['servicePrincipals', ':sp', 'synchronization', 'secrets'],
      methods: {
        GET: (ctx) => {
          const sp = withSp(ctx);
          if (sp) {
            // The service masks secret values; this fake shows BaseAddress (the port's
            // "BaseAddress when readable") and masks every other value.
            sendJson(ctx.res, 200, {
              '@odata.context': context(`servicePrincipals('${sp.id}')/synchronization/secrets`),
              value: secretsOf(sp.id).map((s) => ({
                key: s.key,
                value: s.key === 'BaseAddress' ? s.value : '*',
              })),
            });
          }
        },
        PUT: (ctx) => {
          const sp = withSp(ctx);
          if (!sp) {
            return;
          }
          const given =
            isObject(ctx.body) && Array.isArray(ctx.body.value)
              ? ctx.body.value.filter(isObject)
              : [];
          // Upsert the keys sent; an empty value removes the key (how Terraform deletes secrets).
          const saved = [...secretsOf(sp.id)];
          for (const s of given) {
            const key = String(s.key);
            const value = typeof s.value === 'string' ? s.value : '';
            const at = saved.findIndex((x) => x.key === key);
            if (value === '') {
              if (at >= 0) {
                saved.splice(at, 1);
              }
            } else if (at >= 0) {
              saved[at] = { key, value };
            } else {
              saved.push({ key, value });
            }
          }
          state.secrets.set(sp.id, saved);
          noContent(ctx.res);
        },
      },
    },
    {
      pattern: ['servicePrincipals', ':sp', 'appRoleAssignedTo'],
      methods: {
        GET: (ctx) => {
          const sp = withSp(ctx);
          if (sp) {
            sendJson(ctx.res, 200, {
              '@odata.context': context(`servicePrincipals('${sp.id}')/appRoleAssignedTo`),
              value: state.appRoleAssignments
                .filter((a) => a.resourceId === sp.id)
                .map(assignmentJson),
            });
          }
        },
        POST: (ctx) => {
          const sp = withSp(ctx);
          if (!sp) {
            return;
          }
          const body = isObject(ctx.body) ? ctx.body : {};
          if (body.resourceId !== sp.id) {
            badRequest(
              ctx.res,
              'The resourceId must be the id of the service principal in the URL.',
              'Request_BadRequest',
            );
            return;
          }
          const user = state.users.find((u) => u.id === body.principalId);
          if (!user) {
            notFound(ctx.res, String(body.principalId));
            return;
          }
          const roleId = String(body.appRoleId);
          if (
            roleId !== '00000000-0000-0000-0000-000000000000' &&
            !sp.appRoles.some((r) => r.id === roleId)
          ) {
            badRequest(
              ctx.res,
              'Permission being assigned was not found on application',
              'Request_BadRequest',
            );
            return;
          }
          if (
            state.appRoleAssignments.some(
              (a) => a.principalId === user.id && a.resourceId === sp.id && a.appRoleId === roleId,
            )
          ) {
            badRequest(
              ctx.res,
              'Permission being assigned already exists on the object',
              'Request_BadRequest',
            );
            return;
          }
          const assignment: FakeAppRoleAssignment = {
            id: randomBytes(32).toString('base64url').slice(0, 43),
            appRoleId: roleId,
            createdDateTime: iso(),
            principalDisplayName: user.displayName,
            principalId: user.id,
            principalType: 'User',
            resourceDisplayName: sp.displayName,
            resourceId: sp.id,
          };
          state.appRoleAssignments.push(assignment);
          sendJson(ctx.res, 201, {
            '@odata.context': context(`servicePrincipals('${sp.id}')/appRoleAssignedTo/$entity`),
            ...assignmentJson(assignment),
          });
        },
      },
    },
    {
      pattern: ['users', ':user'],
      methods: {
        GET: ({ res, params, query }) => {
          const key = (params.user ?? '').toLowerCase();
          const user = state.users.find(
            (u) => u.id === params.user || u.userPrincipalName.toLowerCase() === key,
          );
          if (!user) {
            notFound(res, params.user ?? '');
            return;
          }
          const picked = select(res, userJson(user), { ...query }, 'user');
          if (picked) {
            sendJson(res, 200, { '@odata.context': context('users/$entity'), ...picked });
          }
        },
      },
    },
  ];

  /** Consistency traps for a new service principal or job: true when they answered. */
  const settlingAnswered = (
    res: Response,
    segments: readonly string[],
    params: Record<string, string>,
  ): boolean => {
    const sp = params.sp ?? (segments[0] === 'servicePrincipals' ? segments[1] : undefined);
    const spState = sp ? settling.get(sp) : undefined;
    if (sp && spState && spState.notFound > 0) {
      spState.notFound -= 1;
      notFound(res, sp);
      return true;
    }
    const job = params.job ? settling.get(params.job) : undefined;
    if (params.job && job && job.notFound > 0) {
      job.notFound -= 1;
      sendError(res, 404, 'NotFound', `The synchronization job '${params.job}' was not found.`);
      return true;
    }
    if (spState && spState.conflicts > 0 && segments[2] === 'synchronization') {
      spState.conflicts -= 1;
      spState.served += 1;
      if (spState.served % 2 === 1) {
        sendError(
          res,
          409,
          'Conflict',
          'The service principal is still being provisioned; retry later.',
        );
      } else {
        sendError(
          res,
          403,
          'Authorization_RequestDenied',
          'Insufficient privileges to complete the operation.',
        );
      }
      return true;
    }
    return false;
  };

  const dispatch = async (
    req: Request,
    res: Response,
    segments: string[],
    body: unknown,
  ): Promise<void> => {
    let pathMatched = false;
    for (const route of routes) {
      const params = matchRoute(route.pattern, segments);
      if (!params) {
        continue;
      }
      pathMatched = true;
      const handler = route.methods[req.method];
      if (!handler) {
        continue;
      }
      if (settlingAnswered(res, segments, params)) {
        return;
      }
      await handler({ req, res, params, query: queryOf(req), body });
      return;
    }
    if (pathMatched) {
      sendError(
        res,
        405,
        'Request_BadRequest',
        'Specified HTTP method is not allowed for the request uri.',
      );
      return;
    }
    badRequest(res, `Resource not found for the segment '${segments[segments.length - 1] ?? ''}'.`);
  };

  // -------------------------------------------------------------------------------------------
  // The app

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.use((req, res, next) => {
    const auth = req.get('authorization');
    const record = {
      method: req.method,
      path: req.path,
      query: queryOf(req),
      hasAuth: auth !== undefined && auth.trim() !== '',
      body: undefined as unknown,
      status: undefined as number | undefined,
    };
    requests.push(record);
    res.locals.record = record;
    const requestId = randomUUID();
    res.set('request-id', requestId);
    res.set('client-request-id', req.get('client-request-id') ?? requestId);
    res.on('finish', () => {
      record.status = res.statusCode;
    });
    next();
  });

  app.use(async (req, res, next) => {
    if (traps.latencyMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, traps.latencyMs));
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
      const [code, message] = FAIL_CODES[injected.answer] ?? [
        'UnknownError',
        `HTTP ${injected.answer}`,
      ];
      if (injected.answer === 429) {
        res.set('Retry-After', '1');
      }
      sendError(res, injected.answer, code, message);
      return;
    }
    if (rateLimit.left > 0) {
      rateLimit.left -= 1;
      res.set('Retry-After', String(rateLimit.retryAfterSeconds));
      sendError(res, 429, 'TooManyRequests', 'Too many requests.');
      return;
    }
    const auth = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    if (!m) {
      sendError(res, 401, 'InvalidAuthenticationToken', 'Access token is empty.');
      return;
    }
    if (m[1] !== token) {
      sendError(
        res,
        401,
        'InvalidAuthenticationToken',
        'Access token validation failure. Invalid audience.',
      );
      return;
    }
    next();
  });

  app.use(express.json({ limit: '5mb' }));

  app.use((req, res, next) => {
    const record = res.locals.record as { body: unknown } | undefined;
    if (record && req.body !== undefined) {
      record.body = maskSecrets(req.body);
    }
    next();
  });

  app.use('/v1.0', (req, res, next) => {
    const segments = req.path
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s).replace(/^microsoft\.graph\./, ''));
    const body: unknown = req.body;
    if (req.method === 'POST' || req.method === 'PUT') {
      const { problems } = spec.check(req.method, req.path, body);
      if (problems.length > 0) {
        specViolations.push(...problems);
        badRequest(res, `The request does not match the API description: ${problems.join(' | ')}`);
        return;
      }
    }
    dispatch(req, res, segments, body).catch(next);
  });

  app.use((_req, res) => {
    badRequest(res, 'Invalid version: only v1.0 is served by this fake.');
  });

  // Express tells error handlers by their four parameters, so `_next` stays though unused.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      return;
    }
    const status =
      isObject(err) && typeof err.status === 'number' && err.status >= 400 && err.status < 500
        ? err.status
        : 500;
    if (status === 400) {
      badRequest(
        res,
        'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
      );
      return;
    }
    sendError(
      res,
      status,
      'InternalServerError',
      `The fake Graph failed: ${err instanceof Error ? err.message : String(err)}`,
    );
  });

  const server: Server = app.listen(options.port ?? 0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    graphUrl: `${origin}/v1.0`,
    token,
    state,
    requests,
    specViolations,
    set(t) {
      if (t.rateLimitNext) {
        rateLimit = {
          left: t.rateLimitNext.count,
          retryAfterSeconds: t.rateLimitNext.retryAfterSeconds,
        };
      }
      if (t.instantiate404AfterCreate !== undefined) {
        traps.instantiate404AfterCreate = t.instantiate404AfterCreate;
      }
      if (t.notFoundAfterCreate !== undefined) {
        traps.notFoundAfterCreate = t.notFoundAfterCreate;
      }
      if (t.conflictAfterCreate !== undefined) {
        traps.conflictAfterCreate = t.conflictAfterCreate;
      }
      if (t.latencyMs !== undefined) {
        traps.latencyMs = t.latencyMs;
      }
    },
    failNext(match, answer, times = 1) {
      failures.push({ match, answer, left: times });
    },
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

// ---------------------------------------------------------------------------------------------
// Helpers

function queryOf(req: Request): Record<string, string> {
  const search = req.originalUrl.includes('?')
    ? req.originalUrl.slice(req.originalUrl.indexOf('?'))
    : '';
  return Object.fromEntries(new URLSearchParams(search));
}

function matchRoute(
  pattern: readonly string[],
  segments: readonly string[],
): Record<string, string> | undefined {
  if (pattern.length !== segments.length) {
    return undefined;
  }
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i] ?? '';
    const s = segments[i] ?? '';
    if (p.startsWith(':')) {
      params[p.slice(1)] = s;
    } else if (p !== s) {
      return undefined;
    }
  }
  return params;
}

/** `prop eq 'value'` clauses joined by `and` (quotes doubled inside values), or an error text. */
export function parseFilter(text: string): { prop: string; value: string }[] | string {
  const clauses: { prop: string; value: string }[] = [];
  let i = 0;
  for (;;) {
    const head = /^\s*([A-Za-z][A-Za-z0-9]*)\s+eq\s+'/.exec(text.slice(i));
    if (!head) {
      return `expected "property eq 'value'" at position ${i + 1}`;
    }
    i += head[0].length;
    let value = '';
    for (;;) {
      if (i >= text.length) {
        return 'unterminated string literal';
      }
      const c = text.charAt(i);
      if (c === "'") {
        if (text.charAt(i + 1) === "'") {
          value += "'";
          i += 2;
          continue;
        }
        i++;
        break;
      }
      value += c;
      i++;
    }
    clauses.push({ prop: head[1] ?? '', value });
    const and = /^\s+and\s+/i.exec(text.slice(i));
    if (and) {
      i += and[0].length;
      continue;
    }
    if (text.slice(i).trim() === '') {
      return clauses;
    }
    return `unexpected text at position ${i + 1}`;
  }
}

/** A copy of a request body with the values of secret keys (`{key:'SecretToken', value}`) masked. */
function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value.map(maskSecrets);
  }
  if (!isObject(value)) {
    return value;
  }
  const out: JsonObject = {};
  const secretPair = typeof value.key === 'string' && /token|secret|password/i.test(value.key);
  for (const [k, v] of Object.entries(value)) {
    out[k] =
      secretPair && k === 'value' && typeof v === 'string'
        ? `[masked ${v.length} chars]`
        : maskSecrets(v);
  }
  return out;
}
