/**
 * The redaction rules of a capture, in one place. A capture is a folder of recorded read-only
 * exchanges that an admin attaches to a bug report and that may become a test fixture, so every
 * secret, person, e-mail, id and org host is replaced — by a placeholder of the same shape, so the
 * fixture still parses.
 *
 * To extend: add a row to KEY_RULES (a JSON key or query parameter and what its value is), to
 * TOKEN_SHAPES (a credential format), to PRESERVED_IDS (a well-known constant id) or to HOST_RULES.
 */
import { ENTRA_CLOUDS } from '../entra/ports.js';

/** What a value is, and so what replaces it. */
export type ValueKind =
  /** → `<secret>` */
  | 'secret'
  /** → `User N` (a person's name, login or display name) */
  | 'person'
  /** → `<redacted>` (other personal data: phones, addresses) */
  | 'private'
  /** a number, or a string of digits → 1000001… (dbt ids) */
  | 'number-id'
  /** → `Example account` (the dbt account's name) */
  | 'org'
  /** → `example_app_N` (an Okta app's internal name, which embeds the org's) */
  | 'app-name';

/** Where a key rule applies. */
export type RuleScope =
  /** anywhere */
  | 'any'
  /** in an object that describes a person (it has a login, userName, e-mail, given name…) */
  | 'person'
  /** in a JSON Web Key (an object with `kty`) */
  | 'jwk'
  /** `value` of a `{key, value}` pair: an Entra synchronization secret (the secrets endpoint, or a secret-like key) */
  | 'sync-secret'
  /** a dbt account (an object with `plan` and a name) */
  | 'dbt-account'
  /** an Okta app (an object with `signOnMode`) */
  | 'okta-app';

export interface KeyRule {
  readonly keys: RegExp;
  readonly kind: ValueKind;
  readonly scope: RuleScope;
  readonly why: string;
}

/** First match wins. Keys are JSON object keys and URL query parameter names alike. */
export const KEY_RULES: readonly KeyRule[] = [
  {
    keys: /^(?:token|token_?string|secret|client_?secret|secret_?token|password|passwd|pass|api_?key|api_?token|access_?token|refresh_?token|id_?token|private_?key|key_?material|x5c|assertion|client_?assertion|shared_?secret|signing_?key|code_?verifier|sswstoken|bearer|value_secret)$/i,
    kind: 'secret',
    scope: 'any',
    why: 'a secret by its name',
  },
  {
    keys: /^(?:n|e|d|p|q|dp|dq|qi|k|x|y)$/,
    kind: 'secret',
    scope: 'jwk',
    why: 'JSON Web Key material',
  },
  {
    keys: /^value$/,
    kind: 'secret',
    scope: 'sync-secret',
    why: 'an Entra synchronization secret (BaseAddress, SecretToken…)',
  },
  {
    keys: /^(?:userName|user_name|login|userPrincipalName|givenName|given_name|familyName|family_name|firstName|first_name|lastName|last_name|middleName|honorificPrefix|honorificSuffix|nickName|mailNickname|formatted)$/,
    kind: 'person',
    scope: 'any',
    why: 'a person’s name or login',
  },
  {
    keys: /^name$/,
    kind: 'org',
    scope: 'dbt-account',
    why: 'the dbt account’s name (the company)',
  },
  {
    keys: /^name$/,
    kind: 'app-name',
    scope: 'okta-app',
    why: 'an Okta app’s internal name (it starts with the org’s)',
  },
  {
    keys: /^(?:displayName|display_name|name|fullName|full_name|title|manager|managerId)$/,
    kind: 'person',
    scope: 'person',
    why: 'a person’s display name',
  },
  {
    keys: /phone|mobile|fax|streetAddress|postalAddress|postalCode|zipCode|employeeNumber|geolocation|^(?:city|lat|lon)$/i,
    kind: 'private',
    scope: 'any',
    why: 'personal contact or location data',
  },
  {
    keys: /^(?:state|countryCode|locality|region)$/,
    kind: 'private',
    scope: 'person',
    why: 'a person’s address',
  },
  {
    keys: /^(?:id|uid|pk|[A-Za-z_]+_id|[a-z][A-Za-z]*Id|[a-z][A-Za-z]*ID)$/,
    kind: 'number-id',
    scope: 'any',
    why: 'a numeric id (dbt)',
  },
];

/** An object describes a person when it has one of these keys. */
export const PERSON_MARKERS: ReadonlySet<string> = new Set([
  'userName',
  'login',
  'userPrincipalName',
  'givenName',
  'familyName',
  'firstName',
  'lastName',
  'email',
  'emails',
  'mail',
  'first_name',
  'last_name',
  // Okta System Log actors and targets: `alternateId` is the login.
  'alternateId',
]);

/** `{key, value}` pairs whose value is a secret wherever they appear (Entra synchronization secrets). */
export const SECRET_PAIR_KEYS =
  /secret|token|password|baseaddress|credential|clientid|tenant|username|domain/i;

/** Paths whose `{key, value}` pairs are all secrets. */
export const SECRET_PAIR_PATHS = /\/synchronization\/secrets\b/i;

/** Credential formats: replaced wherever they appear, and refused by the final scan. */
export interface TokenShape {
  readonly name: string;
  /** Global. */
  readonly pattern: RegExp;
  /** A second look at a match (false: not a credential after all). */
  readonly accept?: (match: string) => boolean;
}

/** A base64 run is a credential, not a URL path, when a piece between slashes is long. */
const longBase64Piece = (match: string): boolean => match.split('/').some((p) => p.length >= 24);

export const TOKEN_SHAPES: readonly TokenShape[] = [
  {
    name: 'a private key',
    pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
  },
  { name: 'a dbt token (dbtc_/dbtu_)', pattern: /\bdbt[cu]_[A-Za-z0-9_-]{8,}/g },
  {
    name: 'a JSON Web Token',
    pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.?[A-Za-z0-9_-]*/g,
  },
  {
    name: 'an Okta API token (SSWS)',
    // Random: upper case, lower case and digits (a file name or a slug is not).
    pattern:
      /(?<![A-Za-z0-9_-])00(?=[A-Za-z0-9_-]{0,39}[A-Z])(?=[A-Za-z0-9_-]{0,39}[a-z])[A-Za-z0-9_-]{40}(?![A-Za-z0-9_-])/g,
  },
  {
    name: 'an authorization credential',
    pattern: /\b(?:SSWS|Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{16,}/g,
  },
  { name: 'a long hexadecimal run', pattern: /(?<![0-9A-Za-z])[0-9a-fA-F]{40,}(?![0-9A-Za-z])/g },
  {
    name: 'a long base64 run',
    pattern:
      /(?<![A-Za-z0-9+/])(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*[a-z])(?=[A-Za-z0-9+/]*[0-9])[A-Za-z0-9+/]{40,}={0,2}/g,
    accept: longBase64Piece,
  },
];

/** Well-known constant ids, kept as they are (a fixture needs them; they identify no one). */
export const PRESERVED_IDS: ReadonlySet<string> = new Set([
  '00000000-0000-0000-0000-000000000000',
  ...Object.values(ENTRA_CLOUDS).map((c) => c.nonGalleryTemplateId),
  // Microsoft Graph's own application id.
  '00000003-0000-0000-c000-000000000000',
]);

/** Org and tenant host names, by kind, with the placeholder stem of each. */
export type HostKind = 'okta' | 'entra' | 'dbt';

export const HOST_PLACEHOLDER: Readonly<Record<HostKind, (n: number) => string>> = {
  okta: (n) => `example${n === 1 ? '' : String(n)}.okta.com`,
  entra: (n) => `tenant${n === 1 ? '' : String(n)}.example`,
  dbt: (n) => `acct${n === 1 ? '' : String(n)}.example.dbt.com`,
};

/** Host names recognised by their shape (besides the ones the run itself names). */
export const HOST_RULES: readonly { readonly kind: HostKind; readonly pattern: RegExp }[] = [
  {
    kind: 'okta',
    pattern:
      /\b(?!(?:developer|help|www|login|support|status|trust)\.)[a-z0-9][a-z0-9-]*\.(?:okta|oktapreview|okta-emea|okta-gov|okta-miltest|trexcloud)\.com\b/gi,
  },
  { kind: 'entra', pattern: /\b[a-z0-9][a-z0-9-]*\.onmicrosoft\.(?:com|us|cn|de)\b/gi },
  // dbt cell hosts: `ab123.us1.dbt.com` (the multi-tenant hosts have three labels and are kept).
  { kind: 'dbt', pattern: /\b[a-z0-9][a-z0-9-]*\.[a-z0-9-]+\.dbt\.com\b/gi },
];

/** Hosts that identify no one (public multi-tenant or vendor hosts). */
export const PUBLIC_HOSTS: ReadonlySet<string> = new Set([
  'cloud.getdbt.com',
  'emea.dbt.com',
  'au.dbt.com',
  'graph.microsoft.com',
  'graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
  'login.microsoftonline.com',
  'developer.okta.com',
]);

/**
 * Okta object ids: 20 characters, a three-character type prefix (`00u` users, `0oa` apps, `00g`
 * groups, `00o` the org, `oty` user types…) and 17 more, mixed case, usually with digits. An id
 * whose prefix starts with 0 (most do) needs only one letter after it (some have no digit, e.g.
 * `0oaUSfuIblxdVkdCyGYO`); other prefixes need an upper-case letter and a digit, so that
 * camelCase words of 20 letters are not taken for ids.
 */
export const OKTA_ID =
  /\b(?:0[0-9a-z]{2}(?=[A-Za-z0-9]{0,16}[A-Za-z])|[0-9a-z]{3}(?=[A-Za-z0-9]{0,16}[A-Z])(?=[A-Za-z0-9]{0,16}[0-9]))[A-Za-z0-9]{17}\b/g;

export const UUID =
  /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g;
/** A GUID written without dashes (Entra job ids embed the tenant id so). */
export const COMPACT_UUID = /(?<![0-9A-Za-z])[0-9a-fA-F]{32}(?![0-9A-Za-z])/g;

/** IPv4 addresses (admins' addresses in the System Log, an account's allowed ranges). */
export const IPV4 =
  /(?<![\d.])(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}(?![\d.])/g;
/** Kept: loopback, the unspecified and broadcast addresses, and the documentation ranges used as placeholders. */
export const KEPT_IPV4 =
  /^(?:127\.|0\.0\.0\.0$|255\.255\.255\.255$|192\.0\.2\.|198\.51\.100\.|203\.0\.113\.)/;
/** Placeholders for IPv4 addresses: the three documentation ranges (RFC 5737), in turn. */
export function ipv4Placeholder(n: number): string {
  const nets = ['192.0.2', '198.51.100', '203.0.113'];
  const i = n - 1;
  return `${nets[Math.floor(i / 254) % nets.length] ?? nets[0]}.${(i % 254) + 1}`;
}

export const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

/** Request and response headers dropped whole (credentials, sessions). */
export const DROPPED_HEADERS =
  /^(?:authorization|proxy-authorization|cookie|set-cookie|www-authenticate-token)$|token|secret|session|api-?key|csrf|xsrf|cookie|credential|signature/i;

export const SECRET_PLACEHOLDER = '<secret>';
export const PRIVATE_PLACEHOLDER = '<redacted>';
export const ORG_PLACEHOLDER = 'Example account';
/** Numeric ids start here, so they keep a number's shape and a dbt id's size. */
export const NUMBER_ID_BASE = 1_000_000;
/** Free text: a known person name or numeric id shorter than this is not searched for. */
export const MIN_FREE_TEXT_LENGTH = 3;
export const MIN_FREE_TEXT_NUMBER_DIGITS = 4;

/** Whether a text holds a credential of this shape (a match the shape accepts). */
export function holdsShape(text: string, shape: TokenShape): boolean {
  for (const m of text.matchAll(shape.pattern)) {
    if (!shape.accept || shape.accept(m[0])) {
      return true;
    }
  }
  return false;
}
