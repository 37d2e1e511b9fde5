/**
 * What core needs from the Okta Management API to finish SCIM on the admin's existing dbt SSO app
 * (a custom SAML 2.0 app). The adapter in `electron/adapters/okta` implements it (the Okta SDK for
 * typed calls, over our HTTP layer); tests use the stateful fake Okta or an in-memory port.
 *
 * What Okta's public API cannot do for a custom SAML app (turn SCIM on, fill the Integration tab,
 * set the To App actions, run an import) stays a console step that core guides and verifies by
 * reading the app back (`features`, System Log, the dbt token's `last_used`).
 *
 * The app user schema is handled as raw JSON on purpose: Okta's partial update wants exactly the
 * keys we mean, and typed models drop `enum` and `const` (the SDK spells them `_enum`, `_const`).
 */

export type JsonObject = Record<string, unknown>;

/** `Application.features` values the wizard reads (read-only on the app; the console sets them). */
export const OKTA_FEATURES = {
  scim: 'SCIM_PROVISIONING',
  pushNewUsers: 'PUSH_NEW_USERS',
  pushProfileUpdates: 'PUSH_PROFILE_UPDATES',
  pushUserDeactivation: 'PUSH_USER_DEACTIVATION',
  groupPush: 'GROUP_PUSH',
  importNewUsers: 'IMPORT_NEW_USERS',
  importProfileUpdates: 'IMPORT_PROFILE_UPDATES',
} as const;

/** The application username template dbt's SCIM needs (Sign On → "Application username format": Email). */
export const EMAIL_USERNAME_TEMPLATE = '${source.email}';

export interface OktaUserNameTemplate {
  readonly template: string;
  /** `BUILT_IN`, `CUSTOM`, `NONE`. */
  readonly type: string;
}

export interface OktaApp {
  readonly id: string;
  /** The label admins see, e.g. `dbt Cloud`. */
  readonly label: string;
  /** Okta's internal app name (for a custom app, generated, e.g. `acme_dbtcloud_1`); used in console links. */
  readonly name: string;
  /** `SAML_2_0`, `OPENID_CONNECT`, … */
  readonly signOnMode: string;
  /** `ACTIVE`, `INACTIVE`. */
  readonly status: string;
  readonly features: readonly string[];
  readonly userNameTemplate: OktaUserNameTemplate | null;
  readonly lastUpdated: string | null;
}

export interface OktaGroup {
  readonly id: string;
  readonly name: string;
  /** `OKTA_GROUP`, `APP_GROUP` (imported from an app), `BUILT_IN`. */
  readonly type: string;
  /** For an APP_GROUP: the app it was imported from. */
  readonly sourceId: string | null;
}

export interface GroupPushMapping {
  readonly id: string;
  readonly sourceGroupId: string;
  readonly targetGroupId: string | null;
  /** `ACTIVE`, `INACTIVE`, `ERROR`. */
  readonly status: string;
  readonly errorSummary: string | null;
  readonly lastPush: string | null;
}

export type NewGroupPushMapping =
  | { readonly sourceGroupId: string; readonly targetGroupName: string }
  | { readonly sourceGroupId: string; readonly targetGroupId: string };

export interface OktaUser {
  readonly id: string;
  readonly login: string;
  readonly email: string | null;
  /** `ACTIVE`, `PROVISIONED`, `STAGED`, `SUSPENDED`, `DEPROVISIONED`, … */
  readonly status: string;
}

/** A user assigned to the app. */
export interface OktaAppUser {
  readonly id: string;
  /** `USER` (assigned directly) or `GROUP`. */
  readonly scope: string;
  readonly status: string;
  /** `SYNCHRONIZED`, `ERROR`, `DISABLED`, … when provisioning is on. */
  readonly syncState: string | null;
  /** The application username Okta sends to dbt as SCIM `userName`. */
  readonly userName: string | null;
  readonly licenseType: string | null;
}

export interface OktaRole {
  readonly id: string;
  /** `SUPER_ADMIN`, `ORG_ADMIN`, `APP_ADMIN`, `CUSTOM`, … */
  readonly type: string;
  readonly label: string;
}

/** Who the credentials act as. */
export type OktaPrincipal =
  | { readonly kind: 'user'; readonly id: string; readonly login: string }
  | { readonly kind: 'client'; readonly clientId: string };

export interface SystemLogEvent {
  readonly uuid: string;
  readonly eventType: string;
  /** ISO 8601. */
  readonly published: string;
  readonly displayMessage: string | null;
  /** `SUCCESS`, `FAILURE`, … */
  readonly outcome: string | null;
  readonly reason: string | null;
}

/** `GET /api/v1/apps/{id}/connections/default`: `UNKNOWN` means "Okta cannot tell for this app". */
export interface ProvisioningConnection {
  readonly status: string;
  readonly authScheme: string;
  readonly baseUrl: string | null;
}

export interface OktaPort {
  /** The user behind the token (`GET /api/v1/users/me`), or the service app's client. */
  whoAmI(signal?: AbortSignal): Promise<OktaPrincipal>;
  /** The principal's admin roles; undefined when Okta refuses to say (403: not a super admin). */
  listRoles(principal: OktaPrincipal, signal?: AbortSignal): Promise<OktaRole[] | undefined>;
  /** Apps whose name or label starts with `query` (all pages), any status. */
  listApps(query: string, signal?: AbortSignal): Promise<OktaApp[]>;
  /** Undefined on 404. */
  getApp(appId: string, signal?: AbortSignal): Promise<OktaApp | undefined>;
  /**
   * Sets the application username template by a full replace of the app (`PUT /api/v1/apps/{id}`)
   * that round-trips every field it read. Refuses (typed `conflict`) when the app it reads has
   * SCIM provisioning on: a full update can reset a SAML app's provisioning.
   */
  setUserNameTemplate(
    appId: string,
    template: OktaUserNameTemplate,
    signal?: AbortSignal,
  ): Promise<OktaApp>;
  /** The app user schema, raw (`GET /api/v1/meta/schemas/apps/{id}/default`). */
  getAppUserSchema(appId: string, signal?: AbortSignal): Promise<JsonObject>;
  /** Partial update (`POST …/default`): only the keys in `body` change. Returns the schema. */
  updateAppUserSchema(appId: string, body: JsonObject, signal?: AbortSignal): Promise<JsonObject>;
  /** Groups whose name starts with `query` (all pages). */
  listGroups(query: string, signal?: AbortSignal): Promise<OktaGroup[]>;
  /** Groups imported from this app (APP_GROUP with `source.id` = the app). */
  listAppGroups(appId: string, signal?: AbortSignal): Promise<OktaGroup[]>;
  listGroupPushMappings(appId: string, signal?: AbortSignal): Promise<GroupPushMapping[]>;
  createGroupPushMapping(
    appId: string,
    mapping: NewGroupPushMapping,
    signal?: AbortSignal,
  ): Promise<GroupPushMapping>;
  /** Users matching an Okta search expression, e.g. `profile.email eq "a@b.com"` (all pages). */
  searchUsers(search: string, signal?: AbortSignal): Promise<OktaUser[]>;
  /** By id or login; undefined on 404. */
  getUser(idOrLogin: string, signal?: AbortSignal): Promise<OktaUser | undefined>;
  listAppUsers(appId: string, signal?: AbortSignal): Promise<OktaAppUser[]>;
  getAppUser(appId: string, userId: string, signal?: AbortSignal): Promise<OktaAppUser | undefined>;
  /** Assigns a user directly (scope USER) with app profile values, or updates the profile if assigned. */
  assignUser(
    appId: string,
    userId: string,
    profile: Readonly<Record<string, string>>,
    signal?: AbortSignal,
  ): Promise<OktaAppUser>;
  /** System Log events about this app since `since` (ISO), oldest first, at most `limit`. */
  listAppLogEvents(
    appId: string,
    since: string,
    options?: { eventTypes?: readonly string[]; limit?: number },
    signal?: AbortSignal,
  ): Promise<SystemLogEvent[]>;
  /** The read-only provisioning-connection probe; undefined when Okta answers 404 or 400. */
  getDefaultConnection(
    appId: string,
    signal?: AbortSignal,
  ): Promise<ProvisioningConnection | undefined>;
}

/**
 * The Okta scopes the wizard asks for (okta.md §4), each with the reason shown to the admin.
 * `manage` implies `read` for the same resource, so only the stronger one is requested.
 */
export const OKTA_SCOPES = [
  { scope: 'okta.apps.manage', why: 'read the dbt app, assign the test user, push groups' },
  { scope: 'okta.schemas.manage', why: 'add the licenseType attribute to the app user profile' },
  { scope: 'okta.groups.manage', why: 'create the group push mappings' },
  { scope: 'okta.users.read', why: 'match dbt users to Okta people, find the test user' },
  { scope: 'okta.logs.read', why: "read the System Log for the app's provisioning errors" },
  { scope: 'okta.roles.read', why: 'check that your admin role can do all of this' },
] as const;
export type OktaScope = (typeof OKTA_SCOPES)[number]['scope'];

/** Roles that can do everything the wizard does (okta.md §5). */
export const SUFFICIENT_ROLES = ['SUPER_ADMIN', 'ORG_ADMIN'] as const;

/** The SCIM extension namespace dbt reads the license type from. */
export const DBT_LICENSE_NAMESPACE = 'urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User';

/** dbt's license types, in the seed's order, with the display names Okta shows. */
export const LICENSE_TYPES = [
  { value: 'it', title: 'IT' },
  { value: 'analyst', title: 'Analyst' },
  { value: 'developer', title: 'Developer' },
  { value: 'read_only', title: 'Read Only' },
] as const;
export type LicenseType = (typeof LICENSE_TYPES)[number]['value'];

// ---------------------------------------------------------------------------------------------
// Profile mappings (the optional license-by-group expression; okta.md §2.5)

/** One property of a profile mapping: an Okta Expression Language expression and when it is pushed. */
export interface ProfileMappingProperty {
  readonly expression: string;
  /** `PUSH` (on create and update) or `DONT_PUSH` (on create only); null when Okta does not say. */
  readonly pushStatus: string | null;
}

/** The Okta user → app user profile mapping of an app (`/api/v1/mappings/{id}`). */
export interface ProfileMapping {
  readonly id: string;
  /** The Okta user type (oty…) the expressions read from. */
  readonly sourceId: string;
  /** `user` for an Okta user type. */
  readonly sourceType: string;
  /** The app (0oa…) whose user profile receives the values. */
  readonly targetId: string;
  readonly properties: Readonly<Record<string, ProfileMappingProperty>>;
}

/**
 * Profile mappings, apart from `OktaPort` so that a port without them (older test doubles) still
 * type-checks; the adapter (`createOktaPort`) implements both. Scopes: `okta.profileMappings.read`
 * to find, `okta.profileMappings.manage` to update (asked only when the optional license-by-group
 * mapping is used: see `OKTA_PROFILE_MAPPING_SCOPES`).
 */
export interface OktaProfileMappingPort {
  /**
   * The mapping from an Okta user type to the app (`GET /api/v1/mappings?sourceId=&targetId=`, then
   * `GET /api/v1/mappings/{id}` for its properties), or undefined when Okta has none. Without
   * `sourceId`, the one whose source is an Okta user type (`type: user`), preferring the default
   * user type (named `user`) when the org has several.
   */
  findProfileMapping(
    sourceId: string | undefined,
    targetAppId: string,
    signal?: AbortSignal,
  ): Promise<ProfileMapping | undefined>;
  /**
   * Adds or changes the named properties (`POST /api/v1/mappings/{id}`, Okta's partial update:
   * properties not named are kept; a property set to null is removed). Returns the mapping.
   */
  updateProfileMapping(
    mappingId: string,
    properties: Readonly<Record<string, ProfileMappingProperty | null>>,
    signal?: AbortSignal,
  ): Promise<ProfileMapping>;
}

/** The scopes the optional license-by-group mapping needs on top of `OKTA_SCOPES`. */
export const OKTA_PROFILE_MAPPING_SCOPES = [
  {
    scope: 'okta.profileMappings.manage',
    why: 'set the licenseType expression in the profile mapping (optional)',
  },
] as const;
