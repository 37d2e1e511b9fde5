/**
 * The one redaction sink. Every log line, journal entry, error message and IPC/CLI reply passes
 * through `redact` (or `redactDeep`). It removes two kinds of secret:
 *  - the shapes of tokens (SSWS, Bearer, JWT, dbt tokens, private keys, `token=` pairs, URL userinfo);
 *  - exact values registered at run time with `registerSecret` (tokens read from the secret store,
 *    the environment or a prompt), including their URL- and JSON-escaped forms.
 */

export const REDACTED = '[REDACTED]';

/** Secret values shorter than this are not registered: they would redact ordinary words. */
const MIN_SECRET_LENGTH = 6;

const SECRET_KEY_NAMES =
  'authorization|proxy-authorization|token_string|secret_?token|secrettoken|client_secret|access_token|refresh_token|id_token|password|passwd|api_?token|private_key|assertion|code_verifier';

const PATTERNS: readonly [RegExp, string][] = [
  // PEM private keys, whole block.
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED],
  // Authorization schemes followed by a credential. The scheme is matched as headers write it
  // (not "token" in a sentence) and the credential must be token-long, so prose survives.
  [/\b(SSWS|Bearer|bearer|Token|Basic)(\s+)[A-Za-z0-9._~+/=-]{16,}/g, `$1$2${REDACTED}`],
  // JSON Web Tokens (Graph and Okta access tokens, client assertions).
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, REDACTED],
  // dbt service tokens and personal access tokens.
  [/\bdbt[cu]_[A-Za-z0-9_-]{8,}/g, REDACTED],
  // key=value and "key": "value" pairs whose key names a secret.
  [
    new RegExp(
      `((?:"|')?(?:${SECRET_KEY_NAMES})(?:"|')?\\s*[:=]\\s*(?:"|')?)([^"'\\s,&;}]+)`,
      'gi',
    ),
    `$1${REDACTED}`,
  ],
  // user:password@ in URLs (proxy URLs especially).
  [/(\/\/)[^/\s:@]+:[^/\s@]+@/g, `$1${REDACTED}@`],
];

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class Redactor {
  private readonly secrets = new Set<string>();
  private matcher: RegExp | undefined;

  /** Registers a secret value; from now on it is removed wherever it appears. */
  registerSecret(value: string | undefined | null): void {
    if (value == null) {
      return;
    }
    const trimmed = value.trim();
    if (trimmed.length < MIN_SECRET_LENGTH) {
      return;
    }
    const forms = [trimmed, encodeURIComponent(trimmed), JSON.stringify(trimmed).slice(1, -1)];
    let added = false;
    for (const form of forms) {
      if (!this.secrets.has(form)) {
        this.secrets.add(form);
        added = true;
      }
    }
    if (added) {
      // Longest first, so a secret that contains another is removed whole.
      const alternatives = [...this.secrets].sort((a, b) => b.length - a.length).map(escapeRegExp);
      this.matcher = new RegExp(alternatives.join('|'), 'g');
    }
  }

  /** How many distinct forms are registered (for tests and diagnostics, never the values). */
  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    let out = this.matcher ? text.replace(this.matcher, REDACTED) : text;
    for (const [pattern, replacement] of PATTERNS) {
      out = out.replace(pattern, replacement);
    }
    return out;
  }

  /** A deep copy of a JSON-like value with every string redacted and secret-named keys blanked. */
  redactDeep<T>(value: T): T {
    return this.walk(value, 0) as T;
  }

  private walk(value: unknown, depth: number): unknown {
    if (depth > 32) {
      return REDACTED;
    }
    if (typeof value === 'string') {
      return this.redact(value);
    }
    if (Array.isArray(value)) {
      return value.map((v) => this.walk(v, depth + 1));
    }
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        out[k] = SECRET_KEY.test(k) && typeof v === 'string' ? REDACTED : this.walk(v, depth + 1);
      }
      return out;
    }
    return value;
  }
}

const SECRET_KEY = new RegExp(`^(?:${SECRET_KEY_NAMES}|token|secret|value_secret)$`, 'i');

/** The process-wide redactor: one sink for the whole process. */
export const redactor = new Redactor();

export function redact(text: string): string {
  return redactor.redact(text);
}

export function redactDeep<T>(value: T): T {
  return redactor.redactDeep(value);
}

export function registerSecret(value: string | undefined | null): void {
  redactor.registerSecret(value);
}

/** The last four characters, the only part of a secret the wizard ever shows. */
export function lastFour(secret: string): string {
  const s = secret.trim();
  return s.length <= 8 ? '' : s.slice(-4);
}
