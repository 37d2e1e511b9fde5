/**
 * An in-memory `GraphPort` for core step tests (the fake Graph server covers the wire), with
 * Entra's traps as knobs: instantiate answering 404 after creating, new objects answering
 * 404/403/409 for a while, duplicate display names, and a realistic template schema in both
 * template variants ("Azure Active Directory" and "Microsoft Entra ID").
 */
import { WizardError, type ErrorCode } from '../../electron/core/errors.js';
import type { Clock } from '../../electron/core/ports.js';
import type { ScimProbePort, ScimUserSummary } from '../../electron/core/dbt/ports.js';
import type {
  AppRoleAssignment,
  GraphApplication,
  GraphPort,
  GraphServicePrincipal,
  GraphUser,
  JsonObject,
  ProvisionVerdict,
  SyncJob,
} from '../../electron/core/entra/ports.js';
import { ACTIVE_EXPRESSION } from '../../electron/core/entra/schema.js';

export type TemplateVariant = 'azure-ad' | 'entra';

export const NON_GALLERY = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

function attr(name: string, type = 'String', extra: JsonObject = {}): JsonObject {
  return {
    anchor: false,
    apiExpressions: [],
    caseExact: false,
    defaultValue: null,
    flowNullValues: false,
    metadata: [],
    multivalued: false,
    mutability: 'ReadWrite',
    name,
    referencedObjects: [],
    required: false,
    type,
    ...extra,
  };
}

function source(name: string): JsonObject {
  return { expression: `[${name}]`, name, parameters: [], type: 'Attribute' };
}

function constant(value: string): JsonObject {
  return { expression: `"${value}"`, name: value, parameters: [], type: 'Constant' };
}

/** The tree Graph's parseExpression returns for the `active` Switch expression. */
export function activeSwitchTree(): JsonObject {
  return {
    expression: ACTIVE_EXPRESSION,
    name: 'Switch',
    type: 'Function',
    parameters: [
      { key: 'source', value: source('IsSoftDeleted') },
      { key: 'defaultValue', value: constant('') },
      { key: 'key', value: constant('False') },
      { key: 'value', value: constant('True') },
      { key: 'key', value: constant('True') },
      { key: 'value', value: constant('False') },
    ],
  };
}

function mapping(target: string, src: JsonObject | null, extra: JsonObject = {}): JsonObject {
  return {
    defaultValue: '',
    exportMissingReferences: false,
    flowBehavior: 'FlowWhenChanged',
    flowType: 'Always',
    matchingPriority: 0,
    source: src,
    targetAttributeName: target,
    ...extra,
  };
}

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

/**
 * The schema of a fresh `scim` job of a non-gallery app, as Graph returns it (abridged but with
 * every kind of field). The newer variant names the Entra directory "Microsoft Entra ID" and
 * its target user object by its SCIM schema URN; the older one says "Azure Active Directory".
 */
export function templateSchema(variant: TemplateVariant = 'entra'): JsonObject {
  const entra = variant === 'entra' ? 'Microsoft Entra ID' : 'Azure Active Directory';
  const userObject = variant === 'entra' ? ENTERPRISE : 'User';
  const sourceUser = [
    'userPrincipalName',
    'givenName',
    'surname',
    'mailNickname',
    'mail',
    'displayName',
    'jobTitle',
    'department',
    'employeeId',
    'preferredLanguage',
    'telephoneNumber',
    'mobile',
    'objectId',
  ].map((n) => attr(n));
  sourceUser.push(attr('IsSoftDeleted', 'Boolean'), attr('manager', 'Reference'));
  return {
    id: 'scim',
    version: 'Date:2026-11-01T10:00:00Z;Schema:42',
    directories: [
      {
        id: 'AzureActiveDirectory',
        name: entra,
        discoverabilities: 'AttributeNames',
        objects: [
          { name: 'User', attributes: sourceUser, metadata: [], supportedApis: [] },
          {
            name: 'Group',
            attributes: [
              attr('displayName'),
              attr('objectId'),
              attr('mailNickname'),
              attr('members', 'Reference', { multivalued: true }),
            ],
            metadata: [],
            supportedApis: [],
          },
        ],
        version: '1.0',
      },
      {
        id: 'customappsso',
        name: 'customappsso',
        discoverabilities: 'None',
        objects: [
          {
            name: userObject,
            attributes: [
              attr('userName', 'String', { required: variant === 'entra', caseExact: true }),
              attr('active', 'Boolean'),
              attr('displayName'),
              attr('title'),
              attr('emails[type eq "work"].value'),
              attr('preferredLanguage'),
              attr('name.givenName'),
              attr('name.familyName'),
              attr('name.formatted'),
              attr('phoneNumbers[type eq "work"].value'),
              attr('phoneNumbers[type eq "mobile"].value'),
              attr('externalId'),
              attr(`${ENTERPRISE}:employeeNumber`),
              attr(`${ENTERPRISE}:department`),
              attr(`${ENTERPRISE}:manager`, 'Reference', {
                referencedObjects: [{ referencedObjectName: userObject, referencedProperty: null }],
              }),
            ],
            metadata: [{ key: 'ObjectPluralName', value: 'Users' }],
            supportedApis: [],
          },
          {
            name: 'Group',
            attributes: [
              attr('displayName', 'String', { required: true }),
              attr('externalId'),
              attr('members', 'Reference', { multivalued: true }),
            ],
            metadata: [],
            supportedApis: [],
          },
        ],
        version: '1.0',
      },
    ],
    synchronizationRules: [
      {
        containerFilter: { includedContainers: [] },
        editable: true,
        groupFilter: { includedGroups: [] },
        id: '6c409270-f78a-4bc6-af23-7cf3ab6482fe#V2',
        metadata: [{ key: 'defaultSourceObjectMappings', value: '…' }],
        name: 'USER_OUTBOUND_TROUBLESHOOTING',
        priority: 1,
        sourceDirectoryName: entra,
        targetDirectoryName: 'customappsso',
        objectMappings: [
          {
            attributeMappings: [
              mapping('userName', source('userPrincipalName'), { matchingPriority: 1 }),
              mapping('active', {
                expression: ACTIVE_EXPRESSION,
                name: 'Switch',
                type: 'Function',
                parameters: activeSwitchTree().parameters,
              }),
              mapping('displayName', source('displayName')),
              mapping('title', source('jobTitle')),
              mapping('emails[type eq "work"].value', source('mail')),
              mapping('preferredLanguage', source('preferredLanguage')),
              mapping('name.givenName', source('givenName')),
              mapping('name.familyName', source('surname')),
              mapping('name.formatted', {
                expression: 'Join(" ", [givenName], [surname])',
                name: 'Join',
                type: 'Function',
                parameters: [
                  { key: 'separator', value: constant(' ') },
                  { key: 'source1', value: source('givenName') },
                  { key: 'source2', value: source('surname') },
                ],
              }),
              mapping('phoneNumbers[type eq "work"].value', source('telephoneNumber')),
              mapping('phoneNumbers[type eq "mobile"].value', source('mobile')),
              mapping('externalId', source('mailNickname')),
              mapping(`${ENTERPRISE}:employeeNumber`, source('employeeId')),
              mapping(`${ENTERPRISE}:department`, source('department')),
              mapping(`${ENTERPRISE}:manager`, source('manager')),
            ],
            enabled: true,
            flowTypes: 'Add, Update, Delete',
            metadata: [],
            name: `Provision ${entra} Users`,
            scope: null,
            sourceObjectName: 'User',
            targetObjectName: userObject,
          },
          {
            attributeMappings: [
              mapping('displayName', source('displayName'), { matchingPriority: 1 }),
              mapping('externalId', source('objectId')),
              mapping('members', source('members')),
            ],
            enabled: true,
            flowTypes: 'Add, Update, Delete',
            metadata: [],
            name: `Provision ${entra} Groups`,
            scope: null,
            sourceObjectName: 'Group',
            targetObjectName: 'Group',
          },
        ],
      },
    ],
  };
}

type StoredJob = SyncJob & { schema: JsonObject };

/** A stored job as the API shows it (without its schema). */
function publicJob(j: StoredJob): SyncJob {
  return {
    id: j.id,
    templateId: j.templateId,
    scheduleState: j.scheduleState,
    statusCode: j.statusCode,
    quarantine: j.quarantine,
    lastExecution: j.lastExecution,
    lastSuccessfulExecution: j.lastSuccessfulExecution,
    steadyStateFirstAchievedTime: j.steadyStateFirstAchievedTime,
  };
}

function err(code: ErrorCode, status: number, message: string): WizardError {
  return new WizardError(code, message, { remediation: 'test', status });
}

interface App {
  application: GraphApplication;
  sp: GraphServicePrincipal;
  jobs: (SyncJob & { schema: JsonObject })[];
  secrets: Map<string, string>;
  assignments: AppRoleAssignment[];
}

export interface MemoryGraphKnobs {
  /** instantiate creates the app, then answers 404 (Terraform's finding). */
  instantiate404AfterCreate?: boolean;
  /** instantiate answers a network reset without creating anything. */
  instantiateResetBeforeCreate?: boolean;
  /** Reads of a new SP (by id, name or appId) answer 404 this many times. */
  notFoundReads?: number;
  /** Synchronization calls on a new app answer 403 (then 409) this many times. */
  forbiddenSyncCalls?: number;
  conflictSyncCalls?: number;
  /** startJob puts the job in quarantine with this error message. */
  quarantineOnStart?: { reason: string; message: string };
  /** validateCredentials refuses with this message. */
  refuseCredentials?: string;
  /** provisionOnDemand answers this verdict instead of the default. */
  verdict?: ProvisionVerdict;
}

/** Users Entra knows, and the dbt users provisioned (what the dbt SCIM read-back sees). */
export class MemoryGraph implements GraphPort {
  readonly apps: App[] = [];
  readonly users: GraphUser[] = [
    { id: 'u-ada', userPrincipalName: 'ada@acme.example', displayName: 'Ada Lovelace' },
  ];
  readonly dbtUsers = new Map<string, ScimUserSummary>();
  readonly calls: string[] = [];
  /** Times (clock ms) of provisionOnDemand calls. */
  readonly provisionTimes: number[] = [];
  knobs: MemoryGraphKnobs = {};
  variant: TemplateVariant = 'entra';
  /** A method named here throws this error once (before doing anything). */
  failOnce = new Map<string, WizardError | Error>();
  private nextId = 1;
  private notFoundLeft = 0;
  private forbiddenLeft = 0;
  private conflictLeft = 0;

  constructor(private readonly clock: Clock) {}

  private id(prefix: string): string {
    const n = String(this.nextId++).padStart(12, '0');
    return `${prefix}0000-0000-4000-8000-${n}`;
  }

  private enter(call: string): void {
    this.calls.push(call);
    const f = this.failOnce.get(call);
    if (f) {
      this.failOnce.delete(call);
      throw f;
    }
  }

  private settling(): boolean {
    return this.notFoundLeft > 0 && this.notFoundLeft-- > 0;
  }

  private syncGate(): void {
    if (this.settling()) {
      throw err('not_found', 404, 'Resource does not exist (replication)');
    }
    if (this.forbiddenLeft > 0) {
      this.forbiddenLeft--;
      throw err('permission_denied', 403, 'Insufficient privileges (replication)');
    }
    if (this.conflictLeft > 0) {
      this.conflictLeft--;
      throw err('conflict', 409, 'Conflict (replication)');
    }
  }

  private app(spId: string): App {
    const a = this.apps.find((x) => x.sp.id === spId);
    if (!a) {
      throw err('not_found', 404, `No service principal ${spId}`);
    }
    return a;
  }

  private job(spId: string, jobId: string): App['jobs'][number] {
    const j = this.app(spId).jobs.find((x) => x.id === jobId);
    if (!j) {
      throw err('not_found', 404, `No job ${jobId}`);
    }
    return j;
  }

  /** Adds an app directly (e.g. a same-named one). */
  addApp(displayName: string, templateId: string | null = NON_GALLERY): App {
    const appId = this.id('a');
    const application: GraphApplication = {
      id: this.id('o'),
      appId,
      displayName,
      applicationTemplateId: templateId,
    };
    const sp: GraphServicePrincipal = {
      id: this.id('s'),
      appId,
      displayName,
      applicationTemplateId: templateId,
      appRoles: [
        {
          id: this.id('r'),
          value: 'msiam_access',
          displayName: 'msiam_access',
          allowedMemberTypes: ['User'],
          isEnabled: true,
        },
        {
          id: this.id('r'),
          value: null,
          displayName: 'User',
          allowedMemberTypes: ['User'],
          isEnabled: true,
        },
      ],
    };
    const a: App = { application, sp, jobs: [], secrets: new Map(), assignments: [] };
    this.apps.push(a);
    return a;
  }

  findServicePrincipalsByName(displayName: string): Promise<GraphServicePrincipal[]> {
    this.enter('findServicePrincipalsByName');
    if (this.settling()) {
      return Promise.resolve([]);
    }
    return Promise.resolve(
      this.apps.filter((a) => a.sp.displayName === displayName).map((a) => a.sp),
    );
  }
  findApplications(templateId: string, displayName: string): Promise<GraphApplication[]> {
    this.enter('findApplications');
    return Promise.resolve(
      this.apps
        .filter(
          (a) =>
            a.application.displayName === displayName &&
            a.application.applicationTemplateId === templateId,
        )
        .map((a) => a.application),
    );
  }
  getServicePrincipal(id: string): Promise<GraphServicePrincipal | undefined> {
    this.enter('getServicePrincipal');
    if (this.settling()) {
      return Promise.resolve(undefined);
    }
    return Promise.resolve(this.apps.find((a) => a.sp.id === id)?.sp);
  }
  findServicePrincipalByAppId(appId: string): Promise<GraphServicePrincipal | undefined> {
    this.enter('findServicePrincipalByAppId');
    if (this.settling()) {
      return Promise.resolve(undefined);
    }
    return Promise.resolve(this.apps.find((a) => a.sp.appId === appId)?.sp);
  }
  instantiate(
    templateId: string,
    displayName: string,
  ): Promise<{ application: GraphApplication; servicePrincipal: GraphServicePrincipal }> {
    this.enter('instantiate');
    if (this.knobs.instantiateResetBeforeCreate) {
      this.knobs.instantiateResetBeforeCreate = false;
      return Promise.reject(err('network_reset', 0, 'The connection was reset'));
    }
    const a = this.addApp(displayName, templateId);
    this.notFoundLeft = this.knobs.notFoundReads ?? 0;
    this.forbiddenLeft = this.knobs.forbiddenSyncCalls ?? 0;
    this.conflictLeft = this.knobs.conflictSyncCalls ?? 0;
    if (this.knobs.instantiate404AfterCreate) {
      return Promise.reject(err('not_found', 404, 'Resource not found'));
    }
    return Promise.resolve({ application: a.application, servicePrincipal: a.sp });
  }
  listSyncTemplates(spId: string): Promise<{ id: string; factoryTag: string | null }[]> {
    this.enter('listSyncTemplates');
    this.syncGate();
    this.app(spId);
    return Promise.resolve([{ id: 'scim', factoryTag: 'scim' }]);
  }
  listJobs(spId: string): Promise<SyncJob[]> {
    this.enter('listJobs');
    this.syncGate();
    return Promise.resolve(this.app(spId).jobs.map(publicJob));
  }
  getJob(spId: string, jobId: string): Promise<SyncJob | undefined> {
    this.enter('getJob');
    const j = this.app(spId).jobs.find((x) => x.id === jobId);
    if (!j) {
      return Promise.resolve(undefined);
    }
    return Promise.resolve(publicJob(j));
  }
  createJob(spId: string, templateId: string): Promise<SyncJob> {
    this.enter('createJob');
    this.syncGate();
    const a = this.app(spId);
    const job = {
      id: `${templateId}.0123456789abcdef.${this.id('j')}`,
      templateId,
      scheduleState: 'Disabled',
      statusCode: 'NotRun',
      quarantine: null,
      lastExecution: null,
      lastSuccessfulExecution: null,
      steadyStateFirstAchievedTime: null,
      schema: templateSchema(this.variant),
    };
    a.jobs.push(job);
    return Promise.resolve(publicJob(job));
  }
  validateCredentials(
    spId: string,
    jobId: string,
    credentials: { baseAddress: string; secretToken: string },
  ): Promise<void> {
    this.enter('validateCredentials');
    this.syncGate();
    this.job(spId, jobId);
    if (this.knobs.refuseCredentials) {
      return Promise.reject(err('invalid_response', 400, this.knobs.refuseCredentials));
    }
    if (!credentials.baseAddress.startsWith('http')) {
      return Promise.reject(err('invalid_response', 400, 'Bad BaseAddress'));
    }
    return Promise.resolve();
  }
  putSecrets(spId: string, secrets: readonly { key: string; value: string }[]): Promise<void> {
    this.enter('putSecrets');
    this.syncGate();
    const a = this.app(spId);
    for (const s of secrets) {
      a.secrets.set(s.key, s.value);
    }
    return Promise.resolve();
  }
  getSecrets(spId: string): Promise<{ key: string; value: string }[]> {
    this.enter('getSecrets');
    this.syncGate();
    return Promise.resolve(
      [...this.app(spId).secrets].map(([key, value]) => ({
        key,
        value: key === 'BaseAddress' || key === 'SyncAll' ? value : '*',
      })),
    );
  }
  getSchema(spId: string, jobId: string): Promise<JsonObject> {
    this.enter('getSchema');
    this.syncGate();
    return Promise.resolve(structuredClone(this.job(spId, jobId).schema));
  }
  putSchema(spId: string, jobId: string, schema: JsonObject): Promise<void> {
    this.enter('putSchema');
    this.syncGate();
    this.job(spId, jobId).schema = structuredClone(schema);
    return Promise.resolve();
  }
  parseExpression(_spId: string, _jobId: string, expression: string): Promise<JsonObject> {
    this.enter('parseExpression');
    if (expression !== ACTIVE_EXPRESSION) {
      return Promise.reject(err('invalid_response', 400, 'cannot parse'));
    }
    return Promise.resolve(activeSwitchTree());
  }
  findUser(who: string): Promise<GraphUser | undefined> {
    this.enter('findUser');
    return Promise.resolve(
      this.users.find(
        (u) => u.id === who || u.userPrincipalName.toLowerCase() === who.toLowerCase(),
      ),
    );
  }
  listAppRoleAssignedTo(spId: string): Promise<AppRoleAssignment[]> {
    this.enter('listAppRoleAssignedTo');
    return Promise.resolve([...this.app(spId).assignments]);
  }
  assignUser(spId: string, userId: string, appRoleId: string): Promise<AppRoleAssignment> {
    this.enter('assignUser');
    const a: AppRoleAssignment = { id: this.id('x'), principalId: userId, appRoleId };
    this.app(spId).assignments.push(a);
    return Promise.resolve(a);
  }
  provisionOnDemand(
    spId: string,
    jobId: string,
    _ruleId: string,
    userId: string,
  ): Promise<ProvisionVerdict> {
    this.enter('provisionOnDemand');
    this.provisionTimes.push(this.clock.now().getTime());
    const window = this.provisionTimes.filter((t) => this.clock.now().getTime() - t < 10_000);
    if (window.length > 5) {
      return Promise.reject(err('rate_limited', 429, 'Too many provisionOnDemand calls'));
    }
    this.job(spId, jobId);
    if (this.knobs.verdict) {
      return Promise.resolve(this.knobs.verdict);
    }
    const user = this.users.find((u) => u.id === userId);
    if (!user || !this.app(spId).assignments.some((a) => a.principalId === userId)) {
      return Promise.resolve({
        result: 'Skipped',
        errorCode: null,
        errorMessage: null,
        reason: 'NotEffectivelyEntitled',
        steps: [
          {
            name: 'EntitlementEvaluation',
            status: 'Skipped',
            description: 'The user is not assigned to the application.',
          },
        ],
      });
    }
    const [given, family] = (user.displayName ?? '').split(' ');
    this.dbtUsers.set(user.userPrincipalName.toLowerCase(), {
      id: `dbt-${user.id}`,
      userName: user.userPrincipalName,
      active: true,
      givenName: given ?? null,
      familyName: family ?? null,
    });
    return Promise.resolve({
      result: 'Success',
      errorCode: null,
      errorMessage: null,
      reason: null,
      steps: [{ name: 'EntryExportAdd', status: 'Success', description: 'User created in dbt' }],
    });
  }
  startJob(spId: string, jobId: string): Promise<void> {
    this.enter('startJob');
    const j = this.job(spId, jobId);
    Object.assign(j, { scheduleState: 'Active' });
    if (this.knobs.quarantineOnStart) {
      Object.assign(j, {
        statusCode: 'Quarantine',
        quarantine: {
          reason: this.knobs.quarantineOnStart.reason,
          currentBegan: '2026-11-29T10:00:00Z',
          nextAttempt: '2026-11-29T22:00:00Z',
          seriesBegan: '2026-11-29T10:00:00Z',
          seriesCount: 1,
          error: {
            code: 'SystemForCrossDomainIdentityManagementServiceIncompatible',
            message: this.knobs.quarantineOnStart.message,
          },
        },
      });
    } else {
      Object.assign(j, { statusCode: 'Active' });
    }
    return Promise.resolve();
  }

  /** A dbt SCIM read-back over what provisionOnDemand "sent". */
  probe(): ScimProbePort {
    return {
      probe: () => Promise.reject(new Error('not used')),
      findUser: (_url, _token, userName) =>
        Promise.resolve(this.dbtUsers.get(userName.toLowerCase())),
      listUsers: () => Promise.resolve([...this.dbtUsers.values()]),
    };
  }
}
