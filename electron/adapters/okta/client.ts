/**
 * The Okta Management API (`OktaPort`) for one org: the calls that finish SCIM on the admin's dbt SSO
 * app (okta.md §1–§6). How requests travel (the SDK over our HTTP client) is transport.ts; how
 * refusals read is errors.ts; the shapes of answers are schemas.ts.
 *
 * These calls do not use the SDK, on purpose:
 *  - `setUserNameTemplate` is a full replace of the app (`PUT /api/v1/apps/{id}`) and must send back
 *    every field it read. The SDK's `Application` models drop fields they do not know (unknown
 *    `settings`, `settings.app` of a custom app, new properties), and a replace without them would
 *    damage the SSO app; so the app is read and written as raw JSON, only
 *    `credentials.userNameTemplate` changed.
 *  - `getAppUserSchema` / `updateAppUserSchema` speak raw JSON with `enum` and `oneOf[].const`. The
 *    SDK's serializer only writes keys its models list and spells these `_enum` / `_const`: a plain
 *    body loses them silently (okta.md §2.3), and on read 8.1.0 decodes each `enum` value as an
 *    object (`_enum: [{"0":"i","1":"t"}, …]`) and drops unknown keywords. Translating both ways would only add ways to
 *    lose data, so the schema goes over the wire exactly as the caller wrote it.
 *
 *  - `findProfileMapping` / `updateProfileMapping` (the optional license-by-group expression) are
 *    small JSON calls; the SDK before 8.1.0 sent `"properties": {}` on update (okta.md §2.5), and
 *    raw JSON keeps the one property we mean.
 *
 * Reads through the SDK are mapped from the JSON on the wire, parsed with zod (transport.ts says why
 * the SDK's models are not read). Checked in 8.1.0 and found sound for what the wizard sends: group
 * push mapping bodies (`targetGroupId` / `targetGroupName`), the System Log query (`since` is a
 * string parameter, the filter is percent-encoded), path ids (percent-encoded).
 */
// Default import: see transport.ts (the generated classes are not named ESM exports).
import { WizardError, isWizardError } from '../../core/errors.js';
import {
  OKTA_FEATURES,
  type GroupPushMapping,
  type JsonObject,
  type OktaApp,
  type OktaAppUser,
  type OktaGroup,
  type OktaPort,
  type OktaProfileMappingPort,
  type OktaRole,
  type ProfileMapping,
  type OktaUser,
  type ProvisioningConnection,
  type SystemLogEvent,
} from '../../core/okta/ports.js';
import type { HttpClient } from '../../core/ports.js';
import type { z } from 'zod';
import { firstIssuePath, quote, unexpectedShape } from './errors.js';
import {
  appSchema,
  appUserSchema,
  connectionSchema,
  groupPushMappingSchema,
  groupSchema,
  jsonObjectSchema,
  logEventSchema,
  profileMappingListSchema,
  profileMappingSchema,
  roleSchema,
  userSchema,
  type AppJson,
  type GroupJson,
} from './schemas.js';
import { createTransport, loadOktaSdk, type OktaAuth, type OktaCall } from './transport.js';

export type { OktaAuth } from './transport.js';

export interface OktaPortOptions {
  readonly http: HttpClient;
  /** The org URL, e.g. `https://acme.okta.com` (only its origin is used). */
  readonly orgUrl: string;
  readonly auth: OktaAuth;
  /** For "the rate limit resets in …" (tests); default the system clock. */
  readonly now?: () => Date;
}

/** Page sizes: the documented maximum (apps, users) or a recommended value (groups ≤ 200). */
const PAGE = { apps: 200, groups: 200, users: 200, appUsers: 500, mappings: 1000, logs: 1000 };

/** System Log events returned when the caller names no limit. */
export const DEFAULT_LOG_LIMIT = 1000;

export function createOktaPort(options: OktaPortOptions): OktaPort & OktaProfileMappingPort {
  const t = createTransport(options);
  const { auth } = options;

  const call = (label: string, what: string, signal: AbortSignal | undefined): OktaCall => ({
    label,
    what,
    signal,
  });

  async function getAppUser(
    appId: string,
    userId: string,
    signal: AbortSignal | undefined,
  ): Promise<OktaAppUser | undefined> {
    const found = await absentOn(
      [404],
      t.one(
        call('okta app user', `the assignment of user ${userId} to app ${appId}`, signal),
        appUserSchema,
        (sdk) => sdk.applicationApi.getApplicationUser({ appId, userId }),
      ),
    );
    return found ? toAppUser(found) : undefined;
  }

  async function getProfileMapping(
    mappingId: string,
    signal: AbortSignal | undefined,
  ): Promise<ProfileMapping | undefined> {
    const what = `the profile mapping ${mappingId}`;
    const got = await absentOn(
      [404],
      t.rest(call('okta profile mapping', what, signal), {
        method: 'GET',
        path: `/api/v1/mappings/${segment(mappingId)}`,
      }),
    );
    return got === undefined ? undefined : toProfileMapping(parse(profileMappingSchema, got, what));
  }

  return {
    async findProfileMapping(sourceId, targetAppId, signal) {
      const what = `the profile mappings of app ${targetAppId}`;
      const query = new URLSearchParams({
        ...(sourceId ? { sourceId } : {}),
        targetId: targetAppId,
        limit: '200',
      });
      const list = parse(
        profileMappingListSchema,
        await t.rest(call('okta profile mappings', what, signal), {
          method: 'GET',
          path: `/api/v1/mappings?${query.toString()}`,
        }),
        what,
      );
      // Okta → app mappings only: the source is an Okta user type.
      const fromUsers = list.filter(
        (m) =>
          m.target.id === targetAppId &&
          (sourceId ? m.source.id === sourceId : m.source.type === 'user'),
      );
      const chosen = fromUsers.find((m) => m.source.name === 'user') ?? fromUsers[0];
      return chosen ? getProfileMapping(chosen.id, signal) : undefined;
    },

    async updateProfileMapping(mappingId, properties, signal) {
      const what = `the profile mapping ${mappingId}`;
      const body = {
        properties: Object.fromEntries(
          Object.entries(properties).map(([name, p]) => [
            name,
            p === null
              ? { expression: null, pushStatus: null }
              : { expression: p.expression, pushStatus: p.pushStatus ?? 'PUSH' },
          ]),
        ),
      };
      const saved = await t.rest(call('okta profile mapping update', what, signal), {
        method: 'POST',
        path: `/api/v1/mappings/${segment(mappingId)}`,
        json: body,
      });
      return toProfileMapping(parse(profileMappingSchema, saved, what));
    },

    async whoAmI(signal) {
      if (auth.kind === 'bearer' && auth.clientId) {
        return { kind: 'client', clientId: auth.clientId };
      }
      const me = await t.one(
        call('okta users/me', 'the signed-in user', signal),
        userSchema,
        (sdk) => sdk.userApi.getUser({ userId: 'me' }),
      );
      return { kind: 'user', id: me.id, login: me.profile.login };
    },

    async listRoles(principal, signal) {
      const roles = await absentOn(
        [403],
        principal.kind === 'user'
          ? t.list(
              call('okta user roles', `the admin roles of user ${principal.login}`, signal),
              roleSchema,
              (sdk) => sdk.roleAssignmentApi.listAssignedRolesForUser({ userId: principal.id }),
            )
          : t.list(
              call('okta client roles', `the admin roles of client ${principal.clientId}`, signal),
              roleSchema,
              (sdk) => sdk.roleAssignmentApi.listRolesForClient({ clientId: principal.clientId }),
            ),
      );
      return roles?.map((r): OktaRole => ({
        id: r.id,
        type: r.type,
        label: r.label?.trim() ? r.label : r.type,
      }));
    },

    async listApps(query, signal) {
      const q = query.trim();
      const apps = await t.list(
        call('okta apps', q ? `the apps starting with “${quote(q, 80)}”` : 'the apps', signal),
        appSchema,
        (sdk) =>
          sdk.applicationApi.listApplications(q ? { q, limit: PAGE.apps } : { limit: PAGE.apps }),
      );
      return apps.map(toApp);
    },

    async getApp(appId, signal) {
      const app = await absentOn(
        [404],
        t.one(call('okta app', `the app ${appId}`, signal), appSchema, (sdk) =>
          sdk.applicationApi.getApplication({ appId }),
        ),
      );
      return app ? toApp(app) : undefined;
    },

    async setUserNameTemplate(appId, template, signal) {
      // Raw JSON, not the SDK: see the header. GET raw → change only the template → PUT raw.
      const what = `the app ${appId}`;
      const path = `/api/v1/apps/${segment(appId)}`;
      const raw = parse(
        jsonObjectSchema,
        await t.rest(call('okta app', what, signal), { method: 'GET', path }),
        what,
      );
      const app = parse(appSchema, raw, what);
      const current = app.credentials?.userNameTemplate;
      if (current?.template === template.template && current.type === template.type) {
        return toApp(app);
      }
      if ((app.features ?? []).includes(OKTA_FEATURES.scim)) {
        throw new WizardError(
          'conflict',
          `The app “${quote(app.label ?? appId, 80)}” already has SCIM provisioning on, so the wizard will not change its username format: a full update of a SAML app can reset its provisioning settings.`,
          {
            remediation:
              'Change it in the Okta admin console instead: open the app → Sign On → Settings → Edit → Credentials Details → Application username format, choose Email, and Save.',
          },
        );
      }
      const body: JsonObject = structuredClone(raw);
      const credentials = isRecord(body.credentials) ? body.credentials : {};
      const before = isRecord(credentials.userNameTemplate) ? credentials.userNameTemplate : {};
      body.credentials = {
        ...credentials,
        userNameTemplate: { ...before, template: template.template, type: template.type },
      };
      const saved = await t.rest(call('okta app update', what, signal), {
        method: 'PUT',
        path,
        json: body,
      });
      return toApp(parse(appSchema, saved, what));
    },

    async getAppUserSchema(appId, signal) {
      // Raw JSON, not the SDK: see the header.
      const what = `the app user profile schema of app ${appId}`;
      const schema = await t.rest(call('okta app user schema', what, signal), {
        method: 'GET',
        path: `/api/v1/meta/schemas/apps/${segment(appId)}/default`,
      });
      return parse(jsonObjectSchema, schema, what);
    },

    async updateAppUserSchema(appId, body, signal) {
      // Raw JSON, not the SDK: see the header. Okta's partial update: only the keys in `body` change.
      const what = `the app user profile schema of app ${appId}`;
      const schema = await t.rest(call('okta app user schema update', what, signal), {
        method: 'POST',
        path: `/api/v1/meta/schemas/apps/${segment(appId)}/default`,
        json: body,
      });
      return parse(jsonObjectSchema, schema, what);
    },

    async listGroups(query, signal) {
      // `search` pages; `q` stops at 300 groups and cannot page (Okta's listGroups docs).
      const q = query.trim();
      const groups = await t.list(
        call(
          'okta groups',
          q ? `the groups starting with “${quote(q, 80)}”` : 'the groups',
          signal,
        ),
        groupSchema,
        (sdk) =>
          sdk.groupApi.listGroups(
            q
              ? { search: `profile.name sw ${oktaString(q)}`, limit: PAGE.groups }
              : { limit: PAGE.groups },
          ),
      );
      return groups.map(toGroup);
    },

    async listAppGroups(appId, signal) {
      const groups = await t.list(
        call('okta app groups', `the groups imported from app ${appId}`, signal),
        groupSchema,
        (sdk) =>
          sdk.groupApi.listGroups({
            search: `source.id eq ${oktaString(appId)}`,
            limit: PAGE.groups,
          }),
      );
      // The search already says where they came from, whether or not the answer does.
      return groups.map((g) => {
        const group = toGroup(g);
        return group.sourceId ? group : { ...group, sourceId: appId };
      });
    },

    async listGroupPushMappings(appId, signal) {
      const mappings = await t.list(
        call('okta group push mappings', `the group push mappings of app ${appId}`, signal),
        groupPushMappingSchema,
        (sdk) => sdk.groupPushMappingApi.listGroupPushMappings({ appId, limit: PAGE.mappings }),
      );
      return mappings.map(toMapping);
    },

    async createGroupPushMapping(appId, mapping, signal) {
      const okta = await loadOktaSdk();
      const body = new okta.CreateGroupPushMappingRequest();
      body.sourceGroupId = mapping.sourceGroupId;
      if ('targetGroupId' in mapping) {
        body.targetGroupId = mapping.targetGroupId;
      } else {
        body.targetGroupName = mapping.targetGroupName;
      }
      body.status = 'ACTIVE';
      const created = await t.one(
        call('okta group push mapping create', `a group push mapping on app ${appId}`, signal),
        groupPushMappingSchema,
        (sdk) => sdk.groupPushMappingApi.createGroupPushMapping({ appId, body }),
      );
      return toMapping(created);
    },

    async searchUsers(search, signal) {
      const users = await t.list(
        call('okta users', `the users matching “${quote(search, 120)}”`, signal),
        userSchema,
        (sdk) => sdk.userApi.listUsers({ search, limit: PAGE.users }),
      );
      return users.map(toUser);
    },

    async getUser(idOrLogin, signal) {
      const user = await absentOn(
        [404],
        t.one(call('okta user', `the user ${quote(idOrLogin, 120)}`, signal), userSchema, (sdk) =>
          sdk.userApi.getUser({ userId: idOrLogin }),
        ),
      );
      return user ? toUser(user) : undefined;
    },

    async listAppUsers(appId, signal) {
      const users = await t.list(
        call('okta app users', `the users assigned to app ${appId}`, signal),
        appUserSchema,
        (sdk) => sdk.applicationApi.listApplicationUsers({ appId, limit: PAGE.appUsers }),
      );
      return users.map(toAppUser);
    },

    getAppUser,

    async assignUser(appId, userId, profile, signal) {
      // An existing assignment is updated in place (`POST …/users/{userId}`, profile only), so a
      // user assigned through a group keeps that scope; only a new one is assigned directly.
      const what = `the assignment of user ${userId} to app ${appId}`;
      const existing = await getAppUser(appId, userId, signal);
      const okta = await loadOktaSdk();
      // AppUserProfile has no fixed properties, so the SDK's serializer copies every key.
      const values = Object.assign(new okta.AppUserProfile(), profile);
      let saved: z.output<typeof appUserSchema>;
      if (existing) {
        const update = new okta.AppUserProfileRequestPayload();
        update.profile = values;
        saved = await t.one(call('okta app user update', what, signal), appUserSchema, (sdk) =>
          sdk.applicationApi.updateApplicationUser({ appId, userId, appUser: update }),
        );
      } else {
        const assign = new okta.AppUserAssignRequest();
        assign.id = userId;
        assign.scope = 'USER';
        assign.profile = values;
        saved = await t.one(call('okta app user assign', what, signal), appUserSchema, (sdk) =>
          sdk.applicationApi.assignUserToApplication({ appId, appUser: assign }),
        );
      }
      return toAppUser(saved);
    },

    async listAppLogEvents(appId, since, logOptions, signal) {
      const limit = Math.max(1, Math.floor(logOptions?.limit ?? DEFAULT_LOG_LIMIT));
      const types = logOptions?.eventTypes ?? [];
      const filter =
        types.length > 0
          ? `target.id eq ${oktaString(appId)} and (${types.map((e) => `eventType eq ${oktaString(e)}`).join(' or ')})`
          : `target.id eq ${oktaString(appId)}`;
      const events = await t.list(
        call('okta logs', `the System Log events of app ${appId}`, signal),
        logEventSchema,
        (sdk) =>
          sdk.systemLogApi.listLogEvents({
            since,
            filter,
            sortOrder: 'ASCENDING',
            limit: Math.min(limit, PAGE.logs),
          }),
        limit,
      );
      return events.map(toLogEvent);
    },

    async getDefaultConnection(appId, signal) {
      const connection = await absentOn(
        [400, 404],
        t.one(
          call(
            'okta provisioning connection',
            `the provisioning connection of app ${appId}`,
            signal,
          ),
          connectionSchema,
          (sdk) => sdk.applicationApi.getDefaultProvisioningConnectionForApplication({ appId }),
        ),
      );
      return connection ? toConnection(connection) : undefined;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Helpers

/** Resolves to undefined when Okta answers (as JSON) with one of `statuses`; rethrows the rest. */
async function absentOn<T>(
  statuses: readonly number[],
  pending: Promise<T>,
): Promise<T | undefined> {
  try {
    return await pending;
  } catch (e) {
    if (
      isWizardError(e) &&
      e.status !== undefined &&
      statuses.includes(e.status) &&
      (e.code === 'not_found' || e.code === 'bad_input' || e.code === 'permission_denied')
    ) {
      return undefined;
    }
    throw e;
  }
}

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw unexpectedShape(what, firstIssuePath(parsed.error));
  }
  return parsed.data;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A path segment: percent-encoded, so an id can never add a segment. */
function segment(id: string): string {
  return encodeURIComponent(id);
}

/** A string literal in an Okta filter or search expression: `"…"` with `\` and `"` escaped. */
export function oktaString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

// ---------------------------------------------------------------------------------------------
// Mapping the JSON to the port's plain types

function toApp(a: AppJson): OktaApp {
  const template = a.credentials?.userNameTemplate;
  return {
    id: a.id,
    label: a.label ?? '',
    name: a.name ?? '',
    signOnMode: a.signOnMode ?? '',
    status: a.status ?? '',
    features: a.features ?? [],
    userNameTemplate:
      template?.template != null
        ? { template: template.template, type: template.type ?? '' }
        : null,
    lastUpdated: a.lastUpdated ?? null,
  };
}

/** The app an APP_GROUP came from: `source.id`, the embedded app, or the `source` link's last segment. */
function groupSourceId(g: GroupJson): string | null {
  const direct = g.source?.id ?? g._embedded?.app?.id;
  if (direct) {
    return direct;
  }
  const href = g._links?.source?.href;
  const match = href ? /\/api\/v1\/apps\/([^/?#]+)/.exec(href) : null;
  return match?.[1] ? decodeURIComponent(match[1]) : null;
}

function toGroup(g: GroupJson): OktaGroup {
  return { id: g.id, name: g.profile.name, type: g.type ?? '', sourceId: groupSourceId(g) };
}

function toMapping(m: z.output<typeof groupPushMappingSchema>): GroupPushMapping {
  return {
    id: m.id,
    sourceGroupId: m.sourceGroupId,
    targetGroupId: m.targetGroupId ?? null,
    status: m.status,
    errorSummary: m.errorSummary ?? null,
    lastPush: m.lastPush ?? null,
  };
}

function toUser(u: z.output<typeof userSchema>): OktaUser {
  return {
    id: u.id,
    login: u.profile.login,
    email: u.profile.email ?? null,
    status: u.status ?? '',
  };
}

function toAppUser(u: z.output<typeof appUserSchema>): OktaAppUser {
  const license = u.profile?.licenseType;
  return {
    id: u.id,
    scope: u.scope ?? '',
    status: u.status ?? '',
    syncState: u.syncState ?? null,
    userName: u.credentials?.userName ?? null,
    licenseType: typeof license === 'string' ? license : null,
  };
}

function toProfileMapping(m: z.output<typeof profileMappingSchema>): ProfileMapping {
  const properties: Record<string, { expression: string; pushStatus: string | null }> = {};
  for (const [name, p] of Object.entries(m.properties ?? {})) {
    if (p?.expression != null && p.expression !== '') {
      properties[name] = { expression: p.expression, pushStatus: p.pushStatus ?? null };
    }
  }
  return {
    id: m.id,
    sourceId: m.source.id,
    sourceType: m.source.type ?? '',
    targetId: m.target.id,
    properties,
  };
}

function toLogEvent(e: z.output<typeof logEventSchema>): SystemLogEvent {
  return {
    uuid: e.uuid,
    eventType: e.eventType,
    published: e.published,
    displayMessage: e.displayMessage ?? null,
    outcome: e.outcome?.result ?? null,
    reason: e.outcome?.reason ?? null,
  };
}

function toConnection(c: z.output<typeof connectionSchema>): ProvisioningConnection {
  return {
    status: c.status,
    authScheme: c.profile?.authScheme ?? c.authScheme ?? 'UNKNOWN',
    baseUrl: c.baseUrl ?? null,
  };
}
