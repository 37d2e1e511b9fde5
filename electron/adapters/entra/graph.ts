/**
 * Microsoft Graph (`GraphPort`) for one signed-in admin: the calls that set up SCIM provisioning from
 * Entra ID into dbt (graph.md §0–§8).
 *
 *  - `Authorization: Bearer <token>` from `getToken()` on every request (tokens renew), the token
 *    registered with the redaction sink; `Accept: application/json`, JSON bodies.
 *  - Non-2xx answers are mapped here (the client is asked not to throw): Graph's error envelope is
 *    parsed with zod, its message quoted (redacted, ≤200 characters) and its request-id kept.
 *  - Throttling (429/503/504 with Retry-After) is the HTTP client's job. Eventual consistency is ours:
 *    a call addressed to one service principal or job retries 404 (sync calls also 403 and 409)
 *    with a doubling wait on the injected clock, because new objects answer so for a while
 *    (graph.md §8.2, Terraform's `synchronizationRetryFunc`). `instantiate` is never retried: it
 *    may answer 404 after it created the app, so the caller looks the app up first (graph.md §1).
 *  - Endpoints as the docs write them (`/instantiate`, `/validateCredentials`…; the OpenAPI's
 *    `microsoft.graph.` forms are equivalent). The schema is updated with PUT, never PATCH.
 */
import type { z } from 'zod';
import { WizardError, cancelled, isWizardError, toWizardError } from '../../core/errors.js';
import type {
  AppRoleAssignment,
  GraphApplication,
  GraphPort,
  GraphServicePrincipal,
  GraphUser,
  JsonObject,
  SyncExecution,
  SyncJob,
} from '../../core/entra/ports.js';
import type { Clock, HttpClient, HttpMethod, HttpResponse } from '../../core/ports.js';
import { registerSecret } from '../../core/redact.js';
import {
  firstIssuePath,
  graphStatusError,
  quote,
  tryJson,
  unexpectedShape,
  type FailedCall,
} from './errors.js';
import {
  appRoleAssignmentSchema,
  applicationSchema,
  applicationServicePrincipalSchema,
  collectionSchema,
  jsonObjectSchema,
  parseExpressionResponseSchema,
  secretSchema,
  servicePrincipalSchema,
  stringKeyStringValuePairSchema,
  synchronizationJobSchema,
  synchronizationTemplateSchema,
  userSchema,
  type SynchronizationJobJson,
} from './schemas.js';
import { parseProvisionVerdict } from './verdict.js';

/** How long to wait for a new object to replicate: `attempts` in all, `delayMs` doubling to `maxDelayMs`. */
export interface ConsistencyPolicy {
  readonly attempts: number;
  readonly delayMs: number;
  readonly maxDelayMs: number;
}

/** 8 attempts: waits of 2, 4, 8, 16, 30, 30, 30 s (2 minutes in all), as graph.md §8.2 suggests. */
export const DEFAULT_CONSISTENCY: ConsistencyPolicy = {
  attempts: 8,
  delayMs: 2_000,
  maxDelayMs: 30_000,
};

export interface GraphOptions {
  readonly http: HttpClient;
  readonly clock: Clock;
  /** The Graph root with its version, e.g. `https://graph.microsoft.com/v1.0` (see `ENTRA_CLOUDS`). */
  readonly graphUrl: string;
  /** A current access token; called before every request (MSAL renews silently). */
  readonly getToken: () => Promise<string>;
  readonly consistency?: Partial<ConsistencyPolicy>;
}

/** Lists are followed through `@odata.nextLink` this many pages at most (a guard against loops). */
const MAX_PAGES = 50;

/** Secret keys whose values must never reach a log (BaseAddress, SyncAll… are not secret). */
const SECRET_KEYS = /token|secret|password|appkey|consumer/i;

/** The statuses a new object answers with while it replicates. */
const SETTLING_OBJECT: readonly number[] = [404];
const SETTLING_SYNC: readonly number[] = [404, 403, 409];

interface Call extends FailedCall {
  readonly method: HttpMethod;
  /** From the Graph root, starting with `/`, ids already encoded. */
  readonly path: string;
  /** `?…` already encoded, or ''. */
  readonly query?: string;
  /** An absolute URL to use instead of path + query (an `@odata.nextLink`). */
  readonly url?: string;
  readonly json?: unknown;
  /** For logs, e.g. `graph servicePrincipal`. */
  readonly label: string;
  /** Statuses retried under the consistency policy (calls on one new object). */
  readonly settle?: readonly number[];
  /** Statuses meaning "there is none" (the call then resolves to undefined), after any retries. */
  readonly absentOn?: readonly number[];
  readonly signal: AbortSignal | undefined;
}

/** Graph's counts of a cycle, only those it gave. */
function executionCounts(e: {
  countImported?: number | null | undefined;
  countExported?: number | null | undefined;
  countEscrowed?: number | null | undefined;
}): { counts?: NonNullable<SyncExecution['counts']> } {
  const counts = {
    ...(typeof e.countImported === 'number' ? { imported: e.countImported } : {}),
    ...(typeof e.countExported === 'number' ? { exported: e.countExported } : {}),
    ...(typeof e.countEscrowed === 'number' ? { escrowed: e.countEscrowed } : {}),
  };
  return Object.keys(counts).length > 0 ? { counts } : {};
}

export function createGraph(options: GraphOptions): GraphPort {
  const { http, clock, getToken } = options;
  const root = options.graphUrl.trim().replace(/\/+$/, '');
  const policy = resolveConsistency(options.consistency);

  async function bearer(): Promise<string> {
    let token: string;
    try {
      token = await getToken();
    } catch (e) {
      if (isWizardError(e)) {
        throw e;
      }
      const typed = toWizardError(e);
      if (typed.code === 'cancelled') {
        throw typed;
      }
      throw new WizardError('auth_failed', 'Could not get a Microsoft sign-in token.', {
        remediation: 'Sign in to Microsoft again.',
        cause: e,
      });
    }
    if (token.trim() === '') {
      throw new WizardError('auth_failed', 'The Microsoft sign-in returned an empty token.', {
        remediation: 'Sign in to Microsoft again.',
      });
    }
    registerSecret(token);
    return token;
  }

  async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    try {
      await clock.sleep(ms, signal);
    } catch (e) {
      throw signal?.aborted ? cancelled() : toWizardError(e);
    }
  }

  /** Sends a call; retries settling statuses; 2xx → the response, absent → undefined, else throws. */
  async function send(call: Call): Promise<HttpResponse | undefined> {
    const url = call.url ?? `${root}${call.path}${call.query ?? ''}`;
    const settle = call.settle ?? [];
    let delay = policy.delayMs;
    for (let attempt = 1; ; attempt++) {
      const token = await bearer();
      const res = await http.request({
        method: call.method,
        url,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        ...(call.json !== undefined ? { json: call.json } : {}),
        expect: 'text',
        throwOnError: false,
        label: call.label,
        ...(call.signal ? { signal: call.signal } : {}),
      });
      if (res.status >= 200 && res.status < 300) {
        return res;
      }
      if (settle.includes(res.status) && attempt < policy.attempts) {
        await pause(delay, call.signal);
        delay = Math.min(policy.maxDelayMs, delay * 2);
        continue;
      }
      if (call.absentOn?.includes(res.status)) {
        return undefined;
      }
      throw graphStatusError(res, call);
    }
  }

  /** Sends, then parses the 2xx JSON body with `schema`; undefined when the answer means "none". */
  async function read<S extends z.ZodType>(
    call: Call,
    schema: S,
  ): Promise<z.output<S> | undefined> {
    const res = await send(call);
    if (!res) {
      return undefined;
    }
    return parseBody(res, call, schema);
  }

  async function readOrFail<S extends z.ZodType>(call: Call, schema: S): Promise<z.output<S>> {
    const value = await read(call, schema);
    if (value === undefined) {
      // Only calls without `absentOn` come here, and those never resolve to undefined.
      throw unexpectedShape(call.what, '');
    }
    return value;
  }

  function parseBody<S extends z.ZodType>(res: HttpResponse, call: Call, schema: S): z.output<S> {
    const type = res.headers['content-type'] ?? '';
    if (/\btext\/html\b/i.test(type) || res.text.trimStart().startsWith('<')) {
      throw new WizardError(
        'html_response',
        `Microsoft Graph answered the request for ${call.what} with a web page instead of JSON.`,
        {
          remediation:
            'A proxy or captive portal may be in the way: sign in to it or use another network, then try again.',
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

  /** Every item of a collection, following `@odata.nextLink` within the same Graph root. */
  async function list<S extends z.ZodType>(call: Call, item: S): Promise<z.output<S>[]> {
    const schema = collectionSchema(item);
    const items: z.output<S>[] = [];
    let next: Call | undefined = call;
    for (let page = 0; next && page < MAX_PAGES; page++) {
      const body: { value: z.output<S>[]; '@odata.nextLink'?: string | null } = await readOrFail(
        next,
        schema,
      );
      items.push(...body.value);
      const link: string | null | undefined = body['@odata.nextLink'];
      if (link == null || link === '') {
        next = undefined;
      } else if (!link.startsWith(`${root}/`)) {
        throw unexpectedShape(call.what, '@odata.nextLink (another host)');
      } else {
        next = { ...call, url: link };
      }
    }
    return items;
  }

  const sp = (id: string): string => `/servicePrincipals/${segment(id)}`;
  const sync = (spId: string): string => `${sp(spId)}/synchronization`;
  const job = (spId: string, jobId: string): string => `${sync(spId)}/jobs/${segment(jobId)}`;

  return {
    async findServicePrincipalsByName(displayName, signal) {
      const found = await list(
        {
          method: 'GET',
          path: '/servicePrincipals',
          query: odataQuery({
            $filter: `displayName eq ${odataString(displayName)}`,
            $select: 'id,appId,displayName,applicationTemplateId,appRoles',
          }),
          label: 'graph servicePrincipals',
          what: `the service principals named “${quote(displayName, 80)}”`,
          signal,
        },
        servicePrincipalSchema,
      );
      return found.map(toServicePrincipal);
    },

    async findApplications(templateId, displayName, signal) {
      const found = await list(
        {
          method: 'GET',
          path: '/applications',
          query: odataQuery({
            $filter: `applicationTemplateId eq ${odataString(templateId)} and displayName eq ${odataString(displayName)}`,
            $select: 'id,appId,displayName,applicationTemplateId',
          }),
          label: 'graph applications',
          what: `the applications named “${quote(displayName, 80)}”`,
          signal,
        },
        applicationSchema,
      );
      return found.map(toApplication);
    },

    async getServicePrincipal(id, signal) {
      const found = await read(
        {
          method: 'GET',
          path: sp(id),
          label: 'graph servicePrincipal',
          what: 'the service principal',
          settle: SETTLING_OBJECT,
          absentOn: [404],
          signal,
        },
        servicePrincipalSchema,
      );
      return found ? toServicePrincipal(found) : undefined;
    },

    async findServicePrincipalByAppId(appId, signal) {
      const found = await list(
        {
          method: 'GET',
          path: '/servicePrincipals',
          query: odataQuery({ $filter: `appId eq ${odataString(appId)}` }),
          label: 'graph servicePrincipals',
          what: 'the service principal of the application',
          signal,
        },
        servicePrincipalSchema,
      );
      const first = found[0];
      return first ? toServicePrincipal(first) : undefined;
    },

    async instantiate(templateId, displayName, signal) {
      // Never retried here, not even on 404: the app may exist already (graph.md §1).
      const created = await readOrFail(
        {
          method: 'POST',
          path: `/applicationTemplates/${segment(templateId)}/instantiate`,
          json: { displayName },
          label: 'graph instantiate',
          what: `a new application “${quote(displayName, 80)}”`,
          signal,
        },
        applicationServicePrincipalSchema,
      );
      return {
        application: toApplication(created.application),
        servicePrincipal: toServicePrincipal(created.servicePrincipal),
      };
    },

    async listSyncTemplates(spId, signal) {
      const templates = await list(
        {
          method: 'GET',
          path: `${sync(spId)}/templates`,
          label: 'graph sync templates',
          what: 'the provisioning templates',
          settle: SETTLING_SYNC,
          signal,
        },
        synchronizationTemplateSchema,
      );
      return templates.map((t) => ({ id: t.id, factoryTag: t.factoryTag ?? null }));
    },

    async listJobs(spId, signal) {
      const jobs = await list(
        {
          method: 'GET',
          path: `${sync(spId)}/jobs`,
          label: 'graph sync jobs',
          what: 'the provisioning jobs',
          settle: SETTLING_SYNC,
          signal,
        },
        synchronizationJobSchema,
      );
      return jobs.map(toSyncJob);
    },

    async getJob(spId, jobId, signal) {
      const found = await read(
        {
          method: 'GET',
          path: job(spId, jobId),
          label: 'graph sync job',
          what: 'the provisioning job',
          settle: SETTLING_SYNC,
          absentOn: [404],
          signal,
        },
        synchronizationJobSchema,
      );
      return found ? toSyncJob(found) : undefined;
    },

    async createJob(spId, templateId, signal) {
      const created = await readOrFail(
        {
          method: 'POST',
          path: `${sync(spId)}/jobs`,
          json: { templateId },
          label: 'graph sync job create',
          what: 'a new provisioning job',
          settle: SETTLING_SYNC,
          signal,
        },
        synchronizationJobSchema,
      );
      return toSyncJob(created);
    },

    async validateCredentials(spId, jobId, credentials, signal) {
      registerSecret(credentials.secretToken);
      await send({
        method: 'POST',
        path: `${job(spId, jobId)}/validateCredentials`,
        json: {
          useSavedCredentials: false,
          credentials: [
            { key: 'BaseAddress', value: credentials.baseAddress },
            { key: 'SecretToken', value: credentials.secretToken },
          ],
        },
        label: 'graph validateCredentials',
        what: 'the connection test',
        op: 'validateCredentials',
        settle: SETTLING_SYNC,
        signal,
      });
    },

    async putSecrets(spId, secrets, signal) {
      for (const s of secrets) {
        if (SECRET_KEYS.test(s.key)) {
          registerSecret(s.value);
        }
      }
      await send({
        method: 'PUT',
        path: `${sync(spId)}/secrets`,
        json: { value: secrets.map((s) => ({ key: s.key, value: s.value })) },
        label: 'graph sync secrets',
        what: 'the provisioning credentials',
        settle: SETTLING_SYNC,
        signal,
      });
    },

    async getSecrets(spId, signal) {
      const body = await readOrFail(
        {
          method: 'GET',
          path: `${sync(spId)}/secrets`,
          label: 'graph sync secrets',
          what: 'the provisioning credentials',
          settle: SETTLING_SYNC,
          signal,
        },
        collectionSchema(secretSchema),
      );
      return body.value.map((s) => ({ key: s.key, value: s.value ?? '' }));
    },

    async getSchema(spId, jobId, signal) {
      const schema = await readOrFail(
        {
          method: 'GET',
          path: `${job(spId, jobId)}/schema`,
          label: 'graph sync schema',
          what: 'the provisioning schema',
          settle: SETTLING_SYNC,
          signal,
        },
        jsonObjectSchema,
      );
      // Instance annotations (`@odata.context`) describe the answer, not the schema.
      const out: JsonObject = {};
      for (const [k, v] of Object.entries(schema)) {
        if (!k.startsWith('@odata.')) {
          out[k] = v;
        }
      }
      return out;
    },

    async putSchema(spId, jobId, schema, signal) {
      // PUT, the whole schema: PATCH answers 404 from syncfabric (graph.md §5.1).
      await send({
        method: 'PUT',
        path: `${job(spId, jobId)}/schema`,
        json: schema,
        label: 'graph sync schema update',
        what: 'the provisioning schema',
        settle: SETTLING_SYNC,
        signal,
      });
    },

    async parseExpression(spId, jobId, expression, signal) {
      const parsed = await readOrFail(
        {
          method: 'POST',
          path: `${job(spId, jobId)}/schema/parseExpression`,
          json: { expression, targetAttributeDefinition: null, testInputObject: null },
          label: 'graph parseExpression',
          what: 'the expression check',
          settle: SETTLING_SYNC,
          signal,
        },
        parseExpressionResponseSchema,
      );
      if (!parsed.parsingSucceeded || !parsed.parsedExpression) {
        const said = parsed.error?.message?.trim();
        throw new WizardError(
          'bad_input',
          `Entra could not parse the expression “${quote(expression, 120)}”${said ? `: “${quote(said)}”` : ''}.`,
          {
            remediation:
              'This is a bug in the wizard’s mapping expression: copy the redacted diagnostic and report it.',
          },
        );
      }
      return parsed.parsedExpression;
    },

    async findUser(userPrincipalNameOrId, signal) {
      const found = await read(
        {
          method: 'GET',
          path: `/users/${segment(userPrincipalNameOrId)}`,
          query: odataQuery({ $select: 'id,userPrincipalName,displayName' }),
          label: 'graph user',
          what: `the user “${quote(userPrincipalNameOrId, 120)}”`,
          absentOn: [404],
          signal,
        },
        userSchema,
      );
      if (!found) {
        return undefined;
      }
      const user: GraphUser = {
        id: found.id,
        userPrincipalName: found.userPrincipalName,
        displayName: found.displayName ?? null,
      };
      return user;
    },

    async listAppRoleAssignedTo(spId, signal) {
      const found = await list(
        {
          method: 'GET',
          path: `${sp(spId)}/appRoleAssignedTo`,
          label: 'graph appRoleAssignedTo',
          what: 'the users and groups assigned to the application',
          settle: SETTLING_OBJECT,
          signal,
        },
        appRoleAssignmentSchema,
      );
      return found.map(toAssignment);
    },

    async assignUser(spId, userId, appRoleId, signal) {
      const created = await readOrFail(
        {
          method: 'POST',
          path: `${sp(spId)}/appRoleAssignedTo`,
          json: { principalId: userId, resourceId: spId, appRoleId },
          label: 'graph appRoleAssignedTo create',
          what: 'the assignment of the user to the application',
          op: 'assignUser',
          settle: SETTLING_OBJECT,
          signal,
        },
        appRoleAssignmentSchema,
      );
      return toAssignment(created);
    },

    async provisionOnDemand(spId, jobId, ruleId, userId, signal) {
      const pair = await readOrFail(
        {
          method: 'POST',
          path: `${job(spId, jobId)}/provisionOnDemand`,
          json: {
            parameters: [{ ruleId, subjects: [{ objectId: userId, objectTypeName: 'User' }] }],
          },
          label: 'graph provisionOnDemand',
          what: 'provisioning on demand',
          op: 'provisionOnDemand',
          settle: SETTLING_SYNC,
          signal,
        },
        stringKeyStringValuePairSchema,
      );
      return parseProvisionVerdict(pair);
    },

    async startJob(spId, jobId, signal) {
      await send({
        method: 'POST',
        path: `${job(spId, jobId)}/start`,
        label: 'graph sync job start',
        what: 'the start of the provisioning job',
        settle: SETTLING_SYNC,
        signal,
      });
    },
  };
}

function resolveConsistency(given: Partial<ConsistencyPolicy> | undefined): ConsistencyPolicy {
  const pick = (n: number | undefined, fallback: number): number =>
    n !== undefined && Number.isFinite(n) ? n : fallback;
  return {
    attempts: Math.max(1, Math.floor(pick(given?.attempts, DEFAULT_CONSISTENCY.attempts))),
    delayMs: Math.max(0, pick(given?.delayMs, DEFAULT_CONSISTENCY.delayMs)),
    maxDelayMs: Math.max(0, pick(given?.maxDelayMs, DEFAULT_CONSISTENCY.maxDelayMs)),
  };
}

/** A path segment: percent-encoded, so a UPN with `#EXT#` or an id with `/` stays one segment. */
function segment(id: string): string {
  return encodeURIComponent(id);
}

/** An OData string literal: single quotes doubled (OData ABNF `SQUOTE-in-string`). */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** `?$filter=…&$select=…` with the values percent-encoded (spaces as %20, never `+`). */
export function odataQuery(params: Readonly<Record<string, string>>): string {
  const parts = Object.entries(params).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function toServicePrincipal(s: z.output<typeof servicePrincipalSchema>): GraphServicePrincipal {
  return {
    id: s.id,
    appId: s.appId,
    displayName: s.displayName ?? '',
    applicationTemplateId: s.applicationTemplateId ?? null,
    appRoles: (s.appRoles ?? []).map((r) => ({
      id: r.id,
      value: r.value ?? null,
      displayName: r.displayName ?? null,
      allowedMemberTypes: r.allowedMemberTypes ?? [],
      isEnabled: r.isEnabled ?? true,
    })),
  };
}

function toApplication(a: z.output<typeof applicationSchema>): GraphApplication {
  return {
    id: a.id,
    appId: a.appId,
    displayName: a.displayName ?? '',
    applicationTemplateId: a.applicationTemplateId ?? null,
  };
}

function toAssignment(a: z.output<typeof appRoleAssignmentSchema>): AppRoleAssignment {
  return { id: a.id, principalId: a.principalId, appRoleId: a.appRoleId };
}

function toSyncJob(j: SynchronizationJobJson): SyncJob {
  const status = j.status;
  const q = status?.quarantine;
  const execution = (
    e:
      | NonNullable<NonNullable<SynchronizationJobJson['status']>['lastExecution']>
      | null
      | undefined,
  ): SyncJob['lastExecution'] =>
    e
      ? {
          state: e.state ?? '',
          timeBegan: e.timeBegan ?? null,
          timeEnded: e.timeEnded ?? null,
          error: e.error ? { code: e.error.code ?? null, message: e.error.message ?? null } : null,
          ...executionCounts(e),
        }
      : null;
  return {
    id: j.id,
    templateId: j.templateId ?? '',
    scheduleState: j.schedule?.state ?? '',
    statusCode: status?.code ?? '',
    quarantine: q
      ? {
          reason: q.reason ?? '',
          currentBegan: q.currentBegan ?? null,
          nextAttempt: q.nextAttempt ?? null,
          seriesBegan: q.seriesBegan ?? null,
          seriesCount: q.seriesCount ?? null,
          error: q.error ? { code: q.error.code ?? null, message: q.error.message ?? null } : null,
        }
      : null,
    lastExecution: execution(status?.lastExecution),
    lastSuccessfulExecution: execution(status?.lastSuccessfulExecution),
    steadyStateFirstAchievedTime: status?.steadyStateFirstAchievedTime ?? null,
  };
}
