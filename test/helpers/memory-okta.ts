/**
 * An in-memory `OktaPort` for core step tests (the fake Okta server covers the wire), with Okta's
 * traps as knobs: the app user schema's partial update (null removes, `scope` and `type` cannot
 * change in place, a removed attribute's name stays blocked for a few adds: "deletion process …
 * incomplete"), group push mappings that may end in ERROR, a full app update that refuses once
 * SCIM is on (as the adapter does), search expressions parsed strictly (so bad escaping fails),
 * System Log events, a call log, hooks that run before each call, and `failNext`.
 */
import { Engine, type EngineEvent, type RunResult } from '../../electron/core/engine.js';
import { WizardError } from '../../electron/core/errors.js';
import { memoryLogger } from '../../electron/core/logger.js';
import type { Step } from '../../electron/core/steps.js';
import { MemoryJournalStore } from '../../electron/core/store/journal-file.js';
import {
  createOktaSteps,
  MemoryOktaStateStore,
  type OktaSetupOptions,
  type OktaSteps,
} from '../../electron/core/okta/steps.js';
import { FakeClock } from './fake-clock.js';
import type {
  GroupPushMapping,
  JsonObject,
  NewGroupPushMapping,
  OktaApp,
  OktaAppUser,
  OktaGroup,
  OktaPort,
  OktaPrincipal,
  OktaProfileMappingPort,
  ProfileMapping,
  ProfileMappingProperty,
  OktaRole,
  OktaUser,
  OktaUserNameTemplate,
  ProvisioningConnection,
  SystemLogEvent,
} from '../../electron/core/okta/ports.js';
import { OKTA_FEATURES } from '../../electron/core/okta/ports.js';
import { userNameFormat } from '../../electron/core/okta/inputs.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends readonly (infer U)[] ? U[] : T[K] };

export type MemoryApp = Mutable<OktaApp>;

export const SCIM_ON = [OKTA_FEATURES.scim];
export const INTEGRATION_SAVED = [
  OKTA_FEATURES.scim,
  OKTA_FEATURES.groupPush,
  OKTA_FEATURES.importNewUsers,
  OKTA_FEATURES.importProfileUpdates,
];
export const ALL_ON = [
  ...INTEGRATION_SAVED,
  OKTA_FEATURES.pushNewUsers,
  OKTA_FEATURES.pushProfileUpdates,
  OKTA_FEATURES.pushUserDeactivation,
];

/** The template of dbt's SSO guide: the Okta internal id. */
export const OKTA_ID_TEMPLATE: OktaUserNameTemplate = {
  template: '${user.getInternalProperty("id")}',
  type: 'CUSTOM',
};

const DELETION_INCOMPLETE =
  'Api validation failed: licenseType. The deletion process for an attribute with the same variable name is incomplete. Try again later.';

function id(prefix: string, n: number): string {
  return `${prefix}${String(n).padStart(17, '0')}`;
}

function copy<T>(v: T): T {
  return structuredClone(v);
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oktaError(status: number, code: WizardError['code'], message: string): WizardError {
  return new WizardError(code, message, { remediation: '', status });
}

export class MemoryOkta implements OktaPort, OktaProfileMappingPort {
  apps = new Map<string, MemoryApp>();
  /** The custom properties of each app's user schema. */
  schemas = new Map<string, Record<string, JsonObject>>();
  groups: OktaGroup[] = [];
  mappings = new Map<string, GroupPushMapping[]>();
  /** Every mapping request, as sent. */
  mappingRequests: NewGroupPushMapping[] = [];
  users: OktaUser[] = [];
  appUsers = new Map<string, OktaAppUser[]>();
  events = new Map<string, SystemLogEvent[]>();
  principal: OktaPrincipal = { kind: 'user', id: id('00u', 999), login: 'admin@acme.example' };
  roles: OktaRole[] | undefined = [
    { id: 'ra1', type: 'SUPER_ADMIN', label: 'Super Administrator' },
  ];
  /** Method names, in call order. */
  calls: string[] = [];
  /** Every search expression sent to `searchUsers`. */
  searches: string[] = [];
  /** After a schema attribute is removed, this many adds of the same name fail (Okta's settle). */
  deletionSettleFailures = 0;
  /** The status a new group push mapping gets (default ACTIVE). */
  mappingOutcome: (m: NewGroupPushMapping) => { status: string; errorSummary: string | null } =
    () => ({ status: 'ACTIVE', errorSummary: null });
  /** Runs before each call (after it is logged), e.g. to turn SCIM on between plan and apply. */
  hooks: ((method: string, count: number) => void)[] = [];
  /** Runs after a user is assigned (e.g. to make the fake dbt see Okta's push). */
  onAssign: ((appUser: OktaAppUser, user: OktaUser, appId: string) => void) | undefined;

  private readonly pendingDeletion = new Map<string, number>();
  private readonly faults = new Map<string, { error: Error; after: boolean }[]>();
  private next = 1;

  constructor(private readonly now: () => Date = () => new Date('2026-11-29T10:00:00Z')) {}

  // -------------------------------------------------------------------------------------------
  // Set-up

  addApp(partial: Partial<MemoryApp> = {}): MemoryApp {
    const app: MemoryApp = {
      id: partial.id ?? id('0oa', this.next++),
      label: 'dbt Cloud',
      name: `acme_dbtcloud_${this.next}`,
      signOnMode: 'SAML_2_0',
      status: 'ACTIVE',
      features: [],
      userNameTemplate: { template: '${source.email}', type: 'BUILT_IN' },
      lastUpdated: this.now().toISOString(),
      ...partial,
    };
    this.apps.set(app.id, app);
    this.schemas.set(app.id, {});
    this.mappings.set(app.id, []);
    this.appUsers.set(app.id, []);
    this.events.set(app.id, []);
    return app;
  }

  app(appId: string): MemoryApp {
    const app = this.apps.get(appId);
    if (!app) {
      throw new Error(`no app ${appId}`);
    }
    return app;
  }

  setFeatures(appId: string, features: readonly string[]): void {
    this.app(appId).features = [...features];
  }

  addGroup(name: string, extra: Partial<OktaGroup> = {}): OktaGroup {
    const group: OktaGroup = {
      id: id('00g', this.next++),
      name,
      type: 'OKTA_GROUP',
      sourceId: null,
      ...extra,
    };
    this.groups.push(group);
    return group;
  }

  addUser(login: string, extra: Partial<OktaUser> = {}): OktaUser {
    const user: OktaUser = {
      id: id('00u', this.next++),
      login,
      email: login,
      status: 'ACTIVE',
      ...extra,
    };
    this.users.push(user);
    return user;
  }

  addEvent(
    appId: string,
    eventType: string,
    published: string,
    extra: Partial<SystemLogEvent> = {},
  ): void {
    this.events.get(appId)?.push({
      uuid: `ev${this.next++}`,
      eventType,
      published,
      displayMessage: null,
      outcome: 'FAILURE',
      reason: null,
      ...extra,
    });
  }

  /** Sets a custom schema property directly (as an admin in the Profile Editor would). */
  setAttribute(appId: string, name: string, attribute: JsonObject): void {
    const props = this.schemas.get(appId);
    if (props) {
      props[name] = copy(attribute);
    }
  }

  /** Okta has finished deleting every removed attribute. */
  finishDeletions(): void {
    this.pendingDeletion.clear();
  }

  /** The next call of `method` throws `error` (before its effect, or after it with `after`). */
  failNext(method: keyof OktaPort, error: Error, options: { after?: boolean } = {}): void {
    const list = this.faults.get(method) ?? [];
    list.push({ error, after: options.after ?? false });
    this.faults.set(method, list);
  }

  /** The calls that change something in Okta. */
  writes(): string[] {
    return this.calls.filter((c) =>
      [
        'setUserNameTemplate',
        'updateAppUserSchema',
        'createGroupPushMapping',
        'assignUser',
      ].includes(c),
    );
  }

  private enter(method: string): void {
    this.calls.push(method);
    const count = this.calls.filter((c) => c === method).length;
    for (const hook of this.hooks) {
      hook(method, count);
    }
    this.fault(method, false);
  }

  private fault(method: string, after: boolean): void {
    const list = this.faults.get(method) ?? [];
    const first = list[0];
    if (first?.after === after) {
      list.shift();
      throw first.error;
    }
  }

  private requireApp(appId: string): MemoryApp {
    const app = this.apps.get(appId);
    if (!app) {
      throw oktaError(404, 'not_found', `Not found: Resource not found: ${appId} (AppInstance)`);
    }
    return app;
  }

  // -------------------------------------------------------------------------------------------
  // OktaPort

  whoAmI(): Promise<OktaPrincipal> {
    this.enter('whoAmI');
    return Promise.resolve(this.principal);
  }

  listRoles(): Promise<OktaRole[] | undefined> {
    this.enter('listRoles');
    return Promise.resolve(this.roles);
  }

  listApps(query: string): Promise<OktaApp[]> {
    this.enter('listApps');
    const q = query.toLowerCase();
    return Promise.resolve(
      [...this.apps.values()]
        .filter((a) => a.label.toLowerCase().startsWith(q) || a.name.toLowerCase().startsWith(q))
        .map((a) => copy(a)),
    );
  }

  getApp(appId: string): Promise<OktaApp | undefined> {
    this.enter('getApp');
    const app = this.apps.get(appId);
    return Promise.resolve(app ? copy(app) : undefined);
  }

  setUserNameTemplate(appId: string, template: OktaUserNameTemplate): Promise<OktaApp> {
    this.enter('setUserNameTemplate');
    const app = this.requireApp(appId);
    if (app.features.includes(OKTA_FEATURES.scim)) {
      throw oktaError(
        409,
        'conflict',
        'The app has SCIM provisioning on: a full update could reset it.',
      );
    }
    app.userNameTemplate = { ...template };
    app.lastUpdated = this.now().toISOString();
    this.fault('setUserNameTemplate', true);
    return Promise.resolve(copy(app));
  }

  getAppUserSchema(appId: string): Promise<JsonObject> {
    this.enter('getAppUserSchema');
    this.requireApp(appId);
    return Promise.resolve(this.schemaOf(appId));
  }

  private schemaOf(appId: string): JsonObject {
    return {
      id: `https://acme.okta.example/meta/schemas/apps/${appId}/default`,
      name: 'dbt Cloud',
      title: 'dbt Cloud User',
      type: 'object',
      definitions: {
        base: {
          id: '#base',
          type: 'object',
          properties: { userName: { title: 'Username', type: 'string', required: true } },
          required: ['userName'],
        },
        custom: {
          id: '#custom',
          type: 'object',
          properties: copy(this.schemas.get(appId) ?? {}),
          required: [],
        },
      },
    };
  }

  updateAppUserSchema(appId: string, body: JsonObject): Promise<JsonObject> {
    this.enter('updateAppUserSchema');
    this.requireApp(appId);
    const definitions = body.definitions;
    const custom = isObject(definitions) ? definitions.custom : undefined;
    const properties = isObject(custom) ? custom.properties : undefined;
    if (!isObject(properties)) {
      throw oktaError(
        400,
        'bad_input',
        'Api validation failed: the body has no custom properties.',
      );
    }
    let props = this.schemas.get(appId) ?? {};
    for (const [name, value] of Object.entries(properties)) {
      const key = `${appId}/${name}`;
      const existing = props[name];
      if (value === null) {
        if (existing) {
          props = Object.fromEntries(Object.entries(props).filter(([k]) => k !== name));
          this.pendingDeletion.set(key, this.deletionSettleFailures);
        }
        continue;
      }
      if (!isObject(value)) {
        throw oktaError(400, 'bad_input', `Api validation failed: ${name} is not an object.`);
      }
      const pending = this.pendingDeletion.get(key) ?? 0;
      if (!existing && pending > 0) {
        this.pendingDeletion.set(key, pending - 1);
        throw oktaError(400, 'bad_input', DELETION_INCOMPLETE);
      }
      if (existing) {
        const scope = value.scope ?? existing.scope;
        if (scope !== existing.scope) {
          throw oktaError(
            400,
            'bad_input',
            `Api validation failed: ${name}: scope cannot be changed.`,
          );
        }
        if (value.type !== undefined && value.type !== existing.type) {
          throw oktaError(
            400,
            'bad_input',
            `Api validation failed: ${name}: type cannot be changed.`,
          );
        }
        props[name] = { ...existing, ...copy(value) };
      } else {
        props[name] = {
          mutability: 'READ_WRITE',
          master: { type: 'PROFILE_MASTER' },
          permissions: [{ principal: 'SELF', action: 'READ_WRITE' }],
          ...copy(value),
          scope: value.scope ?? 'NONE',
        };
      }
    }
    this.schemas.set(appId, props);
    this.fault('updateAppUserSchema', true);
    return Promise.resolve(this.schemaOf(appId));
  }

  listGroups(query: string): Promise<OktaGroup[]> {
    this.enter('listGroups');
    const q = query.toLowerCase();
    return Promise.resolve(this.groups.filter((g) => g.name.toLowerCase().startsWith(q)).map(copy));
  }

  listAppGroups(appId: string): Promise<OktaGroup[]> {
    this.enter('listAppGroups');
    return Promise.resolve(
      this.groups.filter((g) => g.type === 'APP_GROUP' && g.sourceId === appId).map(copy),
    );
  }

  listGroupPushMappings(appId: string): Promise<GroupPushMapping[]> {
    this.enter('listGroupPushMappings');
    this.requireApp(appId);
    return Promise.resolve((this.mappings.get(appId) ?? []).map(copy));
  }

  createGroupPushMapping(appId: string, mapping: NewGroupPushMapping): Promise<GroupPushMapping> {
    this.enter('createGroupPushMapping');
    const app = this.requireApp(appId);
    this.mappingRequests.push(copy(mapping));
    if (!app.features.includes(OKTA_FEATURES.groupPush)) {
      throw oktaError(
        400,
        'bad_input',
        'Api validation failed: Push Groups is not enabled for the app.',
      );
    }
    const list = this.mappings.get(appId) ?? [];
    if (list.some((m) => m.sourceGroupId === mapping.sourceGroupId)) {
      throw oktaError(409, 'conflict', 'A mapping for this source group already exists.');
    }
    if (!this.groups.some((g) => g.id === mapping.sourceGroupId)) {
      throw oktaError(
        404,
        'not_found',
        `Not found: Resource not found: ${mapping.sourceGroupId} (UserGroup)`,
      );
    }
    let targetGroupId: string;
    if ('targetGroupId' in mapping) {
      if (!this.groups.some((g) => g.id === mapping.targetGroupId)) {
        throw oktaError(
          404,
          'not_found',
          `Not found: Resource not found: ${mapping.targetGroupId} (UserGroup)`,
        );
      }
      targetGroupId = mapping.targetGroupId;
    } else {
      targetGroupId = id('00g', this.next++);
    }
    const outcome = this.mappingOutcome(mapping);
    const created: GroupPushMapping = {
      id: id('gpm', this.next++),
      sourceGroupId: mapping.sourceGroupId,
      targetGroupId,
      status: outcome.status,
      errorSummary: outcome.errorSummary,
      lastPush: outcome.status === 'ACTIVE' ? this.now().toISOString() : null,
    };
    list.push(created);
    this.mappings.set(appId, list);
    this.fault('createGroupPushMapping', true);
    return Promise.resolve(copy(created));
  }

  /**
   * Parses `profile.<field> eq "<value>"` clauses joined by ` or ` (values with `\"` and `\\`
   * escapes, as Okta's search reads them); anything else is a 400, so bad escaping shows.
   * Matches without regard to case, as Okta's `eq` on these fields does.
   */
  searchUsers(search: string): Promise<OktaUser[]> {
    this.enter('searchUsers');
    this.searches.push(search);
    const clause = /^profile\.(login|email)\s+eq\s+"((?:[^"\\]|\\.)*)"/;
    const wanted: { field: 'login' | 'email'; value: string }[] = [];
    let rest = search.trim();
    for (;;) {
      const m = clause.exec(rest);
      if (!m) {
        throw oktaError(400, 'bad_input', `Invalid search criteria: ${search}`);
      }
      wanted.push({
        field: m[1] as 'login' | 'email',
        value: (m[2] ?? '').replace(/\\(.)/g, '$1'),
      });
      rest = rest.slice(m[0].length).trim();
      if (rest === '') {
        break;
      }
      if (!rest.startsWith('or ')) {
        throw oktaError(400, 'bad_input', `Invalid search criteria: ${search}`);
      }
      rest = rest.slice(3).trim();
    }
    return Promise.resolve(
      this.users
        .filter((u) =>
          wanted.some((w) => (u[w.field] ?? '').toLowerCase() === w.value.toLowerCase()),
        )
        .map(copy),
    );
  }

  getUser(idOrLogin: string): Promise<OktaUser | undefined> {
    this.enter('getUser');
    const lower = idOrLogin.toLowerCase();
    const user = this.users.find((u) => u.id === idOrLogin || u.login.toLowerCase() === lower);
    return Promise.resolve(user ? copy(user) : undefined);
  }

  listAppUsers(appId: string): Promise<OktaAppUser[]> {
    this.enter('listAppUsers');
    return Promise.resolve((this.appUsers.get(appId) ?? []).map(copy));
  }

  getAppUser(appId: string, userId: string): Promise<OktaAppUser | undefined> {
    this.enter('getAppUser');
    const found = (this.appUsers.get(appId) ?? []).find((u) => u.id === userId);
    return Promise.resolve(found ? copy(found) : undefined);
  }

  assignUser(
    appId: string,
    userId: string,
    profile: Readonly<Record<string, string>>,
  ): Promise<OktaAppUser> {
    this.enter('assignUser');
    const app = this.requireApp(appId);
    const user = this.users.find((u) => u.id === userId);
    if (!user) {
      throw oktaError(404, 'not_found', `Not found: Resource not found: ${userId} (User)`);
    }
    const format = userNameFormat(app.userNameTemplate);
    const userName =
      format === 'email' ? (user.email ?? user.login) : format === 'okta_id' ? user.id : user.login;
    const pushing =
      app.features.includes(OKTA_FEATURES.scim) &&
      app.features.includes(OKTA_FEATURES.pushNewUsers);
    const list = this.appUsers.get(appId) ?? [];
    const previous = list.find((u) => u.id === userId);
    const appUser: OktaAppUser = {
      id: userId,
      scope: previous?.scope ?? 'USER',
      status: pushing ? 'PROVISIONED' : 'ACTIVE',
      syncState: pushing ? 'SYNCHRONIZED' : null,
      userName,
      licenseType: profile.licenseType ?? previous?.licenseType ?? null,
    };
    this.appUsers.set(appId, [...list.filter((u) => u.id !== userId), appUser]);
    this.onAssign?.(appUser, user, appId);
    this.fault('assignUser', true);
    return Promise.resolve(copy(appUser));
  }

  /** Sets an app user's state directly (e.g. syncState ERROR). */
  patchAppUser(appId: string, userId: string, patch: Partial<OktaAppUser>): void {
    const list = this.appUsers.get(appId) ?? [];
    this.appUsers.set(
      appId,
      list.map((u) => (u.id === userId ? { ...u, ...patch } : u)),
    );
  }

  listAppLogEvents(
    appId: string,
    since: string,
    options: { eventTypes?: readonly string[]; limit?: number } = {},
  ): Promise<SystemLogEvent[]> {
    this.enter('listAppLogEvents');
    const from = Date.parse(since);
    const found = (this.events.get(appId) ?? [])
      .filter((e) => Date.parse(e.published) >= from)
      .filter((e) => !options.eventTypes || options.eventTypes.includes(e.eventType))
      .sort((a, b) => Date.parse(a.published) - Date.parse(b.published))
      .slice(0, options.limit ?? 100);
    return Promise.resolve(found.map(copy));
  }

  getDefaultConnection(): Promise<ProvisioningConnection | undefined> {
    this.enter('getDefaultConnection');
    return Promise.resolve({ status: 'UNKNOWN', authScheme: 'UNKNOWN', baseUrl: null });
  }

  // -------------------------------------------------------------------------------------------
  // OktaProfileMappingPort (appended for the License step)

  /** The Okta user → app profile mapping of each app, by app id (made with the app when absent). */
  profileMappings = new Map<string, ProfileMapping>();
  /** The org's default user type id. */
  userTypeId = 'oty00000000000000001';

  findProfileMapping(
    sourceId: string | undefined,
    targetAppId: string,
  ): Promise<ProfileMapping | undefined> {
    this.enter('findProfileMapping');
    if (!this.apps.has(targetAppId)) {
      return Promise.resolve(undefined);
    }
    let mapping = this.profileMappings.get(targetAppId);
    if (!mapping) {
      mapping = {
        id: id('prm', this.next++),
        sourceId: this.userTypeId,
        sourceType: 'user',
        targetId: targetAppId,
        properties: {},
      };
      this.profileMappings.set(targetAppId, mapping);
    }
    if (sourceId !== undefined && sourceId !== mapping.sourceId) {
      return Promise.resolve(undefined);
    }
    return Promise.resolve(copy(mapping));
  }

  updateProfileMapping(
    mappingId: string,
    properties: Readonly<Record<string, ProfileMappingProperty | null>>,
  ): Promise<ProfileMapping> {
    this.enter('updateProfileMapping');
    const mapping = [...this.profileMappings.values()].find((m) => m.id === mappingId);
    if (!mapping) {
      throw oktaError(
        404,
        'not_found',
        `Not found: Resource not found: ${mappingId} (ProfileMapping)`,
      );
    }
    const custom = this.schemas.get(mapping.targetId) ?? {};
    let next: Record<string, ProfileMappingProperty> = { ...mapping.properties };
    for (const [name, p] of Object.entries(properties)) {
      if (name !== 'userName' && !(name in custom)) {
        throw oktaError(
          400,
          'bad_input',
          `Api validation failed: properties. The target property ${name} does not exist.`,
        );
      }
      if (p === null) {
        next = Object.fromEntries(Object.entries(next).filter(([k]) => k !== name));
      } else {
        next[name] = { ...p };
      }
    }
    const updated: ProfileMapping = { ...mapping, properties: next };
    this.profileMappings.set(mapping.targetId, updated);
    this.fault('updateProfileMapping', true);
    return Promise.resolve(copy(updated));
  }
}

// ---------------------------------------------------------------------------------------------
// A world for step tests: the in-memory Okta, a fake clock, the real engine and journal.

export interface OktaWorld {
  readonly clock: FakeClock;
  readonly okta: MemoryOkta;
  readonly app: MemoryApp;
  readonly store: MemoryOktaStateStore;
  readonly journal: MemoryJournalStore;
  readonly engine: Engine;
  readonly events: EngineEvent[];
  readonly make: (more?: Partial<OktaSetupOptions>) => OktaSteps;
  /** Runs the given steps (default all) through the engine, in order; apply stops at a failure. */
  readonly run: (
    mode: 'plan' | 'apply' | 'verify',
    more?: Partial<OktaSetupOptions>,
    pick?: (steps: OktaSteps) => readonly Step[],
  ) => Promise<RunResult[]>;
  readonly progress: () => string[];
}

export const ADMIN_URL = 'https://acme-admin.okta.example';

export function oktaWorld(
  app: Partial<MemoryApp> = {},
  options: Partial<OktaSetupOptions> = {},
): OktaWorld {
  const clock = new FakeClock();
  const okta = new MemoryOkta(() => clock.now());
  const created = okta.addApp(app);
  const store = new MemoryOktaStateStore();
  const journal = new MemoryJournalStore();
  const events: EngineEvent[] = [];
  const engine = new Engine({
    journal,
    clock,
    log: memoryLogger().logger,
    emit: (e) => events.push(e),
  });
  const make = (more: Partial<OktaSetupOptions> = {}): OktaSteps =>
    createOktaSteps({
      okta,
      store,
      adminUrl: ADMIN_URL,
      appRef: { kind: 'id', id: created.id },
      ...options,
      ...more,
    });
  const run: OktaWorld['run'] = async (mode, more = {}, pick = (s) => s.all) => {
    const out: RunResult[] = [];
    for (const step of pick(make(more))) {
      const r = await engine.run(step, { profileId: 'p1', mode });
      out.push(r);
      if (mode === 'apply' && r.error) {
        break;
      }
    }
    return out;
  };
  const progress = (): string[] =>
    events.flatMap((e) => (e.type === 'progress' ? [e.message] : []));
  return { clock, okta, app: created, store, journal, engine, events, make, run, progress };
}
