/**
 * The capture redactor: recorded exchanges in, redacted exchanges out, with a legend of the
 * placeholders (never the values they replace). Pure: no I/O, no clock.
 *
 * Stable: one input value gets one placeholder across the whole capture, in URLs, headers and
 * bodies alike. Two passes: the first learns the values that only their JSON key reveals (names,
 * numeric ids) so that the second can also replace them where they appear as free text.
 */
import type { CapturedExchange } from './exchange.js';
import {
  COMPACT_UUID,
  DROPPED_HEADERS,
  EMAIL,
  HOST_PLACEHOLDER,
  HOST_RULES,
  IPV4,
  ipv4Placeholder,
  KEPT_IPV4,
  KEY_RULES,
  MIN_FREE_TEXT_LENGTH,
  MIN_FREE_TEXT_NUMBER_DIGITS,
  NUMBER_ID_BASE,
  ORG_PLACEHOLDER,
  OKTA_ID,
  PERSON_MARKERS,
  PRESERVED_IDS,
  PRIVATE_PLACEHOLDER,
  PUBLIC_HOSTS,
  SECRET_PAIR_KEYS,
  SECRET_PAIR_PATHS,
  SECRET_PLACEHOLDER,
  TOKEN_SHAPES,
  UUID,
  type HostKind,
  type KeyRule,
  type RuleScope,
  type ValueKind,
} from './rules.js';

export interface CaptureRedactionOptions {
  /** Secret values known to the run (the tokens it used): replaced wherever they appear. */
  readonly knownSecrets?: readonly string[];
  /** Hosts the run names (the Okta org, the dbt API and SCIM hosts, a tenant domain), by kind. */
  readonly hosts?: readonly { readonly host: string; readonly kind: HostKind }[];
  /** The dbt account id: a numeric id wherever it appears. */
  readonly accountId?: number;
}

export type PlaceholderKind =
  'email' | 'person' | 'uuid' | 'okta-id' | 'number-id' | 'app-name' | 'ipv4' | `host-${HostKind}`;

type LearnedKind = Extract<ValueKind, 'person' | 'org' | 'app-name' | 'number-id'>;

/** One line of the legend: a placeholder and what kind of value it stands for. */
export interface LegendEntry {
  readonly placeholder: string;
  readonly kind: PlaceholderKind;
}

export interface RedactedCapture {
  readonly exchanges: CapturedExchange[];
  /** The placeholders handed out so far (grows when `redactText` hands out more). */
  readonly legend: readonly LegendEntry[];
  /** Redacts a sentence about the capture (a side's outcome) with the same placeholders. */
  redactText(text: string): string;
}

/** Stable placeholders, one map per kind. */
class Placeholders {
  private readonly maps = new Map<string, Map<string, string>>();
  readonly legend: LegendEntry[] = [];

  /** `series` numbers placeholders apart within a kind (Okta ids: one series per prefix). */
  get(kind: PlaceholderKind, key: string, make: (n: number) => string, series = ''): string {
    let map = this.maps.get(`${kind}/${series}`);
    if (!map) {
      map = new Map();
      this.maps.set(`${kind}/${series}`, map);
    }
    let out = map.get(key);
    if (out === undefined) {
      out = make(map.size + 1);
      map.set(key, out);
      this.legend.push({ placeholder: out, kind });
    }
    return out;
  }

  email(value: string): string {
    return this.get('email', value.toLowerCase(), (n) => `user${n}@example.test`);
  }
  person(value: string): string {
    return this.get('person', value, (n) => `User ${n}`);
  }
  number(value: string): string {
    return this.get('number-id', value, (n) => String(NUMBER_ID_BASE + n));
  }
  /** The same GUID dashed or compact maps to the same number, written in its own shape. */
  uuid(value: string): string {
    const compact = value.replace(/-/g, '').toLowerCase();
    const dashed = this.get(
      'uuid',
      compact,
      (n) => `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`,
    );
    return value.includes('-') ? dashed : dashed.replace(/-/g, '');
  }
  appName(value: string): string {
    return this.get('app-name', value, (n) => `example_app_${n}`);
  }
  okta(value: string): string {
    return this.get(
      'okta-id',
      value,
      (n) => `${value.slice(0, 3)}PLACEHOLDER${n.toString().padStart(4, '0')}`,
      value.slice(0, 3),
    );
  }
  host(kind: HostKind, value: string): string {
    return this.get(`host-${kind}`, value.toLowerCase(), HOST_PLACEHOLDER[kind]);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

const isPlaceholderOkta = (s: string): boolean => s.includes('PLACEHOLDER');

/** The rule for a key in a scope, if any. */
function ruleFor(key: string, scopes: ReadonlySet<RuleScope>): KeyRule | undefined {
  return KEY_RULES.find((r) => scopes.has(r.scope) && r.keys.test(key));
}

function scopesOf(obj: Readonly<Record<string, unknown>>, secretPairs: boolean): Set<RuleScope> {
  const scopes = new Set<RuleScope>(['any']);
  if (Object.keys(obj).some((k) => PERSON_MARKERS.has(k))) {
    scopes.add('person');
  }
  if (typeof obj.signOnMode === 'string') {
    scopes.add('okta-app');
  }
  if ('plan' in obj && typeof obj.name === 'string') {
    scopes.add('dbt-account');
  }
  if (typeof obj.kty === 'string') {
    scopes.add('jwk');
  }
  if (typeof obj.key === 'string' && 'value' in obj) {
    if (secretPairs || SECRET_PAIR_KEYS.test(obj.key)) {
      scopes.add('sync-secret');
    }
  }
  return scopes;
}

function isDigits(v: unknown): v is string | number {
  return (
    (typeof v === 'number' && Number.isInteger(v) && v >= 0) ||
    (typeof v === 'string' && /^\d{1,18}$/.test(v))
  );
}

export function redactCapture(
  exchanges: readonly CapturedExchange[],
  options: CaptureRedactionOptions = {},
): RedactedCapture {
  const ph = new Placeholders();
  const secrets = [...new Set((options.knownSecrets ?? []).map((s) => s.trim()))]
    .filter((s) => s.length >= 6)
    .flatMap((s) => [s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])
    .sort((a, b) => b.length - a.length);
  const secretMatcher = secrets.length
    ? new RegExp([...new Set(secrets)].map(escapeRegExp).join('|'), 'g')
    : undefined;
  const knownHosts = new Map<string, HostKind>();
  for (const h of options.hosts ?? []) {
    const host = h.host.toLowerCase();
    if (!PUBLIC_HOSTS.has(host) && !isLoopback(host)) {
      knownHosts.set(host, h.kind);
    }
  }

  // ---- pass 1: values that only their key reveals
  /** Values learned from their key, to be found in free text too: value → kind. */
  const learned = new Map<string, LearnedKind>();
  const note = (kind: LearnedKind, v: string): void => {
    if (!learned.has(v)) {
      learned.set(v, kind);
    }
  };
  if (options.accountId !== undefined) {
    note('number-id', String(options.accountId));
  }
  const learn = (value: unknown, secretPairs: boolean, depth: number): void => {
    if (depth > 64 || value === null || typeof value !== 'object') {
      return;
    }
    if (Array.isArray(value)) {
      for (const v of value) {
        learn(v, secretPairs, depth + 1);
      }
      return;
    }
    const obj = value as Record<string, unknown>;
    const scopes = scopesOf(obj, secretPairs);
    for (const [k, v] of Object.entries(obj)) {
      const kind = ruleFor(k, scopes)?.kind;
      if (kind === 'number-id' && isDigits(v)) {
        note(kind, String(v));
      } else if (
        (kind === 'person' || kind === 'org' || kind === 'app-name') &&
        typeof v === 'string'
      ) {
        if (v.trim() !== '' && !v.match(EMAIL)) {
          note(kind, v);
        }
      } else {
        learn(v, secretPairs, depth + 1);
      }
    }
  };
  for (const ex of exchanges) {
    learn(ex.body, SECRET_PAIR_PATHS.test(ex.url), 0);
    for (const segment of pathSegments(ex.url)) {
      if (/^\d+$/.test(segment)) {
        note('number-id', segment);
      }
    }
    for (const [k, v] of queryPairs(ex.url)) {
      if (ruleFor(k, new Set(['any']))?.kind === 'number-id' && isDigits(v)) {
        note('number-id', v);
      }
    }
  }
  const freeText = [...learned]
    .filter(([v, kind]) => {
      if (kind === 'number-id') {
        return v.length >= MIN_FREE_TEXT_NUMBER_DIGITS;
      }
      // A single given or family name ("Jane", "Admin") is replaced under its key only: searched
      // in free text it would also rewrite ordinary words. Full names and logins are searched.
      return v.length >= MIN_FREE_TEXT_LENGTH && (kind !== 'person' || /[\s.@_\d-]/.test(v.trim()));
    })
    .map(([v]) => v)
    .sort((a, b) => b.length - a.length);
  const freeTextMatcher = freeText.length
    ? new RegExp(`(?<![\\w.+-])(?:${freeText.map(escapeRegExp).join('|')})(?![\\w-])`, 'g')
    : undefined;

  // ---- pass 2: rewrite
  const hostPatterns = [
    ...[...knownHosts].map(([host, kind]) => ({
      kind,
      pattern: new RegExp(`\\b${escapeRegExp(host)}\\b`, 'gi'),
    })),
    ...HOST_RULES,
  ];

  /** Every rule that applies to free text, in order. */
  function text(input: string): string {
    let s = input;
    if (secretMatcher) {
      s = s.replace(secretMatcher, SECRET_PLACEHOLDER);
    }
    for (const shape of TOKEN_SHAPES) {
      s = s.replace(shape.pattern, (m) =>
        !shape.accept || shape.accept(m) ? SECRET_PLACEHOLDER : m,
      );
    }
    s = s.replace(EMAIL, (m) => (m.toLowerCase().endsWith('@example.test') ? m : ph.email(m)));
    for (const { kind, pattern } of hostPatterns) {
      s = s.replace(pattern, (m) => {
        const host = m.toLowerCase();
        if (PUBLIC_HOSTS.has(host) || /^(?:example\d*|tenant\d*|acct\d*)\./.test(host)) {
          return m;
        }
        const admin = kind === 'okta' && /-admin\./i.test(m);
        const base = admin ? host.replace(/-admin\./, '.') : host;
        const out = ph.host(kind, base);
        return admin ? out.replace(/\.okta\.com$/, '-admin.okta.com') : out;
      });
    }
    s = s.replace(UUID, (m) => (PRESERVED_IDS.has(m.toLowerCase()) ? m : ph.uuid(m)));
    s = s.replace(COMPACT_UUID, (m) => ph.uuid(m));
    s = s.replace(OKTA_ID, (m) => (isPlaceholderOkta(m) ? m : ph.okta(m)));
    s = s.replace(IPV4, (m) => (KEPT_IPV4.test(m) ? m : ph.get('ipv4', m, ipv4Placeholder)));
    if (freeTextMatcher) {
      s = s.replace(freeTextMatcher, (m) => {
        const kind = learned.get(m);
        return kind ? String(byKind(kind, m)) : m;
      });
    }
    return s;
  }

  function byKind(kind: ValueKind, value: unknown): unknown {
    switch (kind) {
      case 'secret':
        return typeof value === 'string' || typeof value === 'number'
          ? SECRET_PLACEHOLDER
          : walk(value, false, 0, true);
      case 'private':
        if (typeof value === 'string') {
          return PRIVATE_PLACEHOLDER;
        }
        return typeof value === 'number' ? 0 : walk(value, false, 0, true);
      case 'org':
        return typeof value === 'string' ? ORG_PLACEHOLDER : undefined;
      case 'app-name':
        return typeof value === 'string' ? ph.appName(value) : undefined;
      case 'person':
        if (typeof value !== 'string') {
          return undefined;
        }
        return value.match(EMAIL) ? text(value) : ph.person(value);
      case 'number-id':
        if (typeof value === 'number' && isDigits(value)) {
          return Number(ph.number(String(value)));
        }
        return isDigits(value) ? ph.number(String(value)) : undefined;
    }
  }

  /** A deep copy with every rule applied. `allSecret` blanks every leaf (inside a secret object). */
  function walk(value: unknown, secretPairs: boolean, depth: number, allSecret = false): unknown {
    if (depth > 64) {
      return SECRET_PLACEHOLDER;
    }
    if (typeof value === 'string') {
      return allSecret ? SECRET_PLACEHOLDER : text(value);
    }
    if (Array.isArray(value)) {
      return value.map((v) => walk(v, secretPairs, depth + 1, allSecret));
    }
    if (value !== null && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      const scopes = scopesOf(obj, secretPairs);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(obj)) {
        const key = text(k);
        const rule = allSecret ? undefined : ruleFor(k, scopes);
        const replaced = rule ? byKind(rule.kind, v) : undefined;
        out[key] = replaced !== undefined ? replaced : walk(v, secretPairs, depth + 1, allSecret);
      }
      return out;
    }
    if (allSecret && typeof value === 'number') {
      return 0;
    }
    return value;
  }

  function url(raw: string): string {
    let u: URL;
    try {
      u = new URL(raw);
    } catch {
      return text(raw);
    }
    const host = u.hostname.toLowerCase();
    const hostOut = text(host);
    if (hostOut !== host) {
      u.hostname = hostOut;
    }
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    const segments = u.pathname.split('/').map((seg) => {
      let decoded: string;
      try {
        decoded = decodeURIComponent(seg);
      } catch {
        return text(seg);
      }
      const out = /^\d+$/.test(decoded) && decoded !== '' ? ph.number(decoded) : text(decoded);
      return out === decoded ? seg : encodeURIComponent(out);
    });
    u.pathname = segments.join('/');
    const pairs = queryPairs(raw);
    if (pairs.length) {
      const params = new URLSearchParams();
      for (const [k, v] of pairs) {
        const rule = ruleFor(k, new Set(['any']));
        const replaced = rule ? byKind(rule.kind, v) : undefined;
        params.append(text(k), typeof replaced === 'string' ? replaced : text(v));
      }
      const before = new URLSearchParams(pairs).toString();
      const after = params.toString();
      if (after !== before) {
        u.search = after;
      }
    }
    u.hash = u.hash ? text(u.hash) : '';
    return u.toString();
  }

  function headers(
    input: Readonly<Record<string, string>> | undefined,
  ): Record<string, string> | undefined {
    if (!input) {
      return undefined;
    }
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(input)) {
      if (DROPPED_HEADERS.test(name)) {
        continue;
      }
      const lower = name.toLowerCase();
      out[lower] =
        lower === 'location' || lower === 'content-location'
          ? url(value)
          : lower === 'link'
            ? value.replace(/<([^>]*)>/g, (_m, inner: string) => `<${url(inner)}>`)
            : text(value);
    }
    return out;
  }

  const redacted = exchanges.map((ex): CapturedExchange => {
    const requestHeaders = headers(ex.requestHeaders);
    return {
      method: ex.method,
      url: url(ex.url),
      status: ex.status,
      ...(requestHeaders ? { requestHeaders } : {}),
      responseHeaders: headers(ex.responseHeaders) ?? {},
      body: walk(ex.body, SECRET_PAIR_PATHS.test(ex.url), 0),
      ...(ex.error ? { error: { code: ex.error.code, message: text(ex.error.message) } } : {}),
      ...(ex.label ? { label: text(ex.label) } : {}),
    };
  });
  return { exchanges: redacted, legend: ph.legend, redactText: text };
}

function pathSegments(raw: string): string[] {
  try {
    return new URL(raw).pathname.split('/');
  } catch {
    return [];
  }
}

function queryPairs(raw: string): [string, string][] {
  try {
    return [...new URL(raw).searchParams.entries()];
  } catch {
    return [];
  }
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host === '::1';
}
