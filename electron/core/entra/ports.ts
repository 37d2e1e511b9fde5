/**
 * What core needs from Microsoft Graph to set up an Entra ID provisioning app. The adapter in
 * `electron/adapters/entra` implements it over the HTTP layer; tests use the stateful fake Graph.
 *
 * The synchronization schema is handled as raw JSON on purpose: it is PUT back whole, and typed
 * models would drop fields the service needs (apiExpressions, metadata, referencedObjects…).
 */

export type JsonObject = Record<string, unknown>;

export interface GraphAppRole {
  readonly id: string;
  readonly value: string | null;
  readonly displayName: string | null;
  readonly allowedMemberTypes: readonly string[];
  readonly isEnabled: boolean;
}

export interface GraphServicePrincipal {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly applicationTemplateId: string | null;
  readonly appRoles: readonly GraphAppRole[];
}

export interface GraphApplication {
  readonly id: string;
  readonly appId: string;
  readonly displayName: string;
  readonly applicationTemplateId: string | null;
}

export interface SyncQuarantine {
  readonly reason: string;
  readonly currentBegan: string | null;
  readonly nextAttempt: string | null;
  readonly seriesBegan: string | null;
  readonly seriesCount: number | null;
  readonly error: { readonly code: string | null; readonly message: string | null } | null;
}

export interface SyncExecution {
  readonly state: string;
  readonly timeBegan: string | null;
  readonly timeEnded: string | null;
  readonly error: { readonly code: string | null; readonly message: string | null } | null;
  /** What the cycle processed, as Graph counts it (only the counts Graph gave). */
  readonly counts?: {
    readonly imported?: number;
    readonly exported?: number;
    /** Entries held back with errors (Graph's `countEscrowed`). */
    readonly escrowed?: number;
  };
}

export interface SyncJob {
  readonly id: string;
  readonly templateId: string;
  readonly scheduleState: string;
  /** `NotConfigured`, `NotRun`, `Active`, `Paused`, `Quarantine`. */
  readonly statusCode: string;
  readonly quarantine: SyncQuarantine | null;
  readonly lastExecution: SyncExecution | null;
  readonly lastSuccessfulExecution: SyncExecution | null;
  readonly steadyStateFirstAchievedTime: string | null;
}

export interface GraphUser {
  readonly id: string;
  readonly userPrincipalName: string;
  readonly displayName: string | null;
}

export interface AppRoleAssignment {
  readonly id: string;
  readonly principalId: string;
  readonly appRoleId: string;
}

/** provisionOnDemand's verdict, parsed from the JSON strings the service answers with. */
export interface ProvisionVerdict {
  /** `Success`, `Skipped`, `Failure` (as the service says). */
  readonly result: string;
  readonly errorCode: string | null;
  readonly errorMessage: string | null;
  /** The stages of the user's trip (import, scoping, matching, action…), each with its verdict. */
  readonly steps: readonly {
    readonly name: string;
    readonly status: string;
    readonly description: string;
  }[];
  /** SkipReason or similar, when the service gives one (e.g. `NotEffectivelyEntitled`). */
  readonly reason: string | null;
}

export interface GraphPort {
  /** Service principals with exactly this display name (names are not unique in Entra). */
  findServicePrincipalsByName(
    displayName: string,
    signal?: AbortSignal,
  ): Promise<GraphServicePrincipal[]>;
  /** Applications instantiated from `templateId` with this display name. */
  findApplications(
    templateId: string,
    displayName: string,
    signal?: AbortSignal,
  ): Promise<GraphApplication[]>;
  /** Undefined on 404 (which, for a new object, may only mean "not replicated yet"). */
  getServicePrincipal(id: string, signal?: AbortSignal): Promise<GraphServicePrincipal | undefined>;
  findServicePrincipalByAppId(
    appId: string,
    signal?: AbortSignal,
  ): Promise<GraphServicePrincipal | undefined>;
  /** POST /applicationTemplates/{id}/instantiate. May answer 404 although it created the app. */
  instantiate(
    templateId: string,
    displayName: string,
    signal?: AbortSignal,
  ): Promise<{ application: GraphApplication; servicePrincipal: GraphServicePrincipal }>;
  listSyncTemplates(
    spId: string,
    signal?: AbortSignal,
  ): Promise<{ id: string; factoryTag: string | null }[]>;
  listJobs(spId: string, signal?: AbortSignal): Promise<SyncJob[]>;
  getJob(spId: string, jobId: string, signal?: AbortSignal): Promise<SyncJob | undefined>;
  createJob(spId: string, templateId: string, signal?: AbortSignal): Promise<SyncJob>;
  /** "Test connection". Throws a typed error carrying Graph's message when the SCIM endpoint refuses. */
  validateCredentials(
    spId: string,
    jobId: string,
    credentials: { baseAddress: string; secretToken: string },
    signal?: AbortSignal,
  ): Promise<void>;
  /** PUT …/synchronization/secrets with `{value:[{key,value}]}` (upserts the keys sent). */
  putSecrets(
    spId: string,
    secrets: readonly { key: string; value: string }[],
    signal?: AbortSignal,
  ): Promise<void>;
  /** The keys saved (values come back masked) and the BaseAddress when readable. */
  getSecrets(spId: string, signal?: AbortSignal): Promise<{ key: string; value: string }[]>;
  getSchema(spId: string, jobId: string, signal?: AbortSignal): Promise<JsonObject>;
  /** PUT, the whole schema (PATCH answers 404). */
  putSchema(spId: string, jobId: string, schema: JsonObject, signal?: AbortSignal): Promise<void>;
  /** Returns the parsed expression as an attributeMappingSource. */
  parseExpression(
    spId: string,
    jobId: string,
    expression: string,
    signal?: AbortSignal,
  ): Promise<JsonObject>;
  findUser(userPrincipalNameOrId: string, signal?: AbortSignal): Promise<GraphUser | undefined>;
  listAppRoleAssignedTo(spId: string, signal?: AbortSignal): Promise<AppRoleAssignment[]>;
  assignUser(
    spId: string,
    userId: string,
    appRoleId: string,
    signal?: AbortSignal,
  ): Promise<AppRoleAssignment>;
  /** At most 5 calls per 10 s per job: callers pace themselves. */
  provisionOnDemand(
    spId: string,
    jobId: string,
    ruleId: string,
    userId: string,
    signal?: AbortSignal,
  ): Promise<ProvisionVerdict>;
  startJob(spId: string, jobId: string, signal?: AbortSignal): Promise<void>;
}

/** Microsoft's clouds: their Graph roots, sign-in hosts, non-gallery template and admin portal. */
export const ENTRA_CLOUDS = {
  global: {
    label: 'Microsoft Entra ID (global)',
    graph: 'https://graph.microsoft.com/v1.0',
    login: 'https://login.microsoftonline.com',
    nonGalleryTemplateId: '8adf8e6e-67b2-4cf2-a259-e3dc5476c621',
    portal: 'https://entra.microsoft.com',
  },
  usgov: {
    label: 'Azure US Government',
    graph: 'https://graph.microsoft.us/v1.0',
    login: 'https://login.microsoftonline.us',
    nonGalleryTemplateId: '4602d0b4-76bb-404b-bca9-2652e1a39c6d',
    portal: 'https://portal.azure.us',
  },
  china: {
    label: 'Microsoft Azure operated by 21Vianet (China)',
    graph: 'https://microsoftgraph.chinacloudapi.cn/v1.0',
    login: 'https://login.chinacloudapi.cn',
    nonGalleryTemplateId: '5a532e38-1581-4918-9658-008dc27c1d68',
    portal: 'https://portal.azure.cn',
  },
} as const;
export type EntraCloud = keyof typeof ENTRA_CLOUDS;

/** The cloud a Graph root belongs to (loopback roots in tests count as global). */
export function cloudOfGraphUrl(graphUrl: string): EntraCloud {
  const host = new URL(graphUrl).hostname.toLowerCase();
  if (host.endsWith('graph.microsoft.us')) {
    return 'usgov';
  }
  if (host.endsWith('chinacloudapi.cn')) {
    return 'china';
  }
  return 'global';
}
