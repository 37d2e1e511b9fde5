/**
 * What core needs from dbt. `electron/adapters/dbt` implements these over the Admin API
 * (`Authorization: Token …`) and the SCIM API (`Authorization: Bearer …`).
 */
import type { Check } from '../model.js';

/** From `GET /api/v2/accounts/{id}/`. */
export interface DbtAccount {
  readonly id: number;
  readonly name: string;
  /** e.g. `enterprise`, `enterprise_plus` (lower-cased), `team`, `developer`. */
  readonly plan: string;
  /** e.g. `okta`, `azure_single_tenant`, `saml`, `gsuite`, or null when SSO is not set up. */
  readonly ssoMethod: string | null;
  readonly locked: boolean;
}

/** `GET|POST /api/v3/accounts/{id}/scim-config/`. */
export interface ScimConfig {
  readonly enabled: boolean;
  readonly manualUpdatesAllowed: boolean;
  readonly scimControlledLicenseType: boolean;
}

/** A SCIM token as the Admin API describes it; the value exists only once, at creation. */
export interface ScimTokenInfo {
  readonly id: number;
  readonly name: string;
  readonly createdAt: string;
  readonly lastUsed: string | null;
}

export interface IpRule {
  readonly id: number;
  readonly name: string;
  readonly type: 'allow' | 'deny';
  readonly cidrs: readonly string[];
  readonly ruleSetEnabled: boolean;
}

export interface NewIpRule {
  readonly name: string;
  readonly description: string;
  readonly type: 'allow';
  readonly cidrs: readonly string[];
  readonly ruleSetEnabled: boolean;
}

export interface DbtGroup {
  readonly id: number;
  readonly name: string;
}

/**
 * An SSO license map (`/api/v3/accounts/{id}/license-maps/`): people in any of `groups` (the SSO
 * group names the IdP sends, e.g. Entra group names) get `licenseType` when they sign in. dbt
 * ignores these maps while `scim_controlled_license_type` is on.
 */
export interface LicenseMap {
  readonly id: number;
  /** `developer`, `read_only`, `it`, `analyst` (dbt validates it). */
  readonly licenseType: string;
  readonly groups: readonly string[];
}

export interface NewLicenseMap {
  readonly licenseType: string;
  readonly groups: readonly string[];
}

/**
 * The account's SSO setup (`GET /api/v3/accounts/{id}/auth-provider/`), as far as dbt shows it:
 * never the certificate itself, only what the health check needs.
 */
export interface DbtAuthProvider {
  /** dbt's name for the provider type (e.g. `okta`, `azure_single_tenant`, `saml`), when shown. */
  readonly type: string | null;
  /** When the IdP's signing certificate expires (ISO 8601), when dbt shows it. */
  readonly certExpiresAt: string | null;
}

/** The dbt Admin API, for one account with one account-admin service token. */
export interface DbtAdminPort {
  getAccount(signal?: AbortSignal): Promise<DbtAccount>;
  getScimConfig(signal?: AbortSignal): Promise<ScimConfig>;
  setScimConfig(config: ScimConfig, signal?: AbortSignal): Promise<ScimConfig>;
  /** Undefined when the API offers no list of tokens (then the wizard relies on saved ids). */
  listScimTokens(signal?: AbortSignal): Promise<ScimTokenInfo[] | undefined>;
  getScimToken(id: number, signal?: AbortSignal): Promise<ScimTokenInfo | undefined>;
  createScimToken(
    name: string,
    signal?: AbortSignal,
  ): Promise<{ token: ScimTokenInfo; value: string }>;
  deleteScimToken(id: number, signal?: AbortSignal): Promise<void>;
  listIpRules(signal?: AbortSignal): Promise<IpRule[]>;
  createIpRule(rule: NewIpRule, signal?: AbortSignal): Promise<IpRule>;
  listGroups(signal?: AbortSignal): Promise<DbtGroup[]>;
  /** The SSO license maps (all pages). */
  listLicenseMaps(signal?: AbortSignal): Promise<LicenseMap[]>;
  createLicenseMap(map: NewLicenseMap, signal?: AbortSignal): Promise<LicenseMap>;
  /** Replaces the map's license type and groups (dbt's update is a POST of the whole map). */
  updateLicenseMap(id: number, map: NewLicenseMap, signal?: AbortSignal): Promise<LicenseMap>;
  /** One already gone (404) counts as deleted, so a re-run converges. */
  deleteLicenseMap(id: number, signal?: AbortSignal): Promise<void>;
  /** The SSO auth provider; undefined when dbt has none or does not offer the route (404). */
  getAuthProvider(signal?: AbortSignal): Promise<DbtAuthProvider | undefined>;
}

/** One probe of the dbt SCIM API, as a list of checks (each names its cause when it fails). */
export interface ScimProbeResult {
  readonly checks: Check[];
  /** The error code of the first failing check, if any, e.g. `auth_failed`. */
  readonly failure?: { readonly code: string; readonly checkId: string };
  readonly supports?: {
    readonly patch?: boolean;
    readonly filter?: boolean;
    readonly bulk?: boolean;
  };
}

/** A user as dbt's SCIM API describes it (what the Entra test-user step reads back). */
export interface ScimUserSummary {
  readonly id: string;
  readonly userName: string;
  readonly active: boolean | null;
  readonly givenName: string | null;
  readonly familyName: string | null;
  /** dbt's license type from its SCIM extension, when dbt's answer shows one. */
  readonly licenseType?: string | null;
}

export interface ScimProbePort {
  probe(options: {
    scimUrl: string;
    token: string;
    signal?: AbortSignal;
  }): Promise<ScimProbeResult>;
  /** The user with this userName (`filter=userName eq "…"`), or undefined. Throws typed errors. */
  findUser(
    scimUrl: string,
    token: string,
    userName: string,
    signal?: AbortSignal,
  ): Promise<ScimUserSummary | undefined>;
  /**
   * dbt's SCIM users, page by page (`startIndex`/`count`), up to `limit` (default 1000) — for
   * existing integrations, to match them with Okta people. Throws typed errors.
   */
  listUsers(
    scimUrl: string,
    token: string,
    options?: { readonly limit?: number; readonly signal?: AbortSignal },
  ): Promise<ScimUserSummary[]>;
}
