/**
 * The last guard of anything written for people outside the app (the setup report): after the
 * redaction sink, this finds what still looks like a credential — dbt service and personal tokens,
 * Okta API (SSWS) tokens, JSON Web Tokens, private keys, an Authorization value, and long runs of
 * base64 or hex that no identifier of ours is as long as — so that the report can refuse to be
 * produced rather than carry one. `scrubTokenLike` blanks such runs in input data; `assertNoTokenLike`
 * is the final check of the output.
 */
import { WizardError } from '../errors.js';
import { REDACTED } from '../redact.js';

interface TokenShape {
  readonly name: string;
  readonly pattern: RegExp;
  /** A further test of a match (e.g. mixed character classes), when the pattern alone is too wide. */
  readonly accept?: (match: string) => boolean;
}

/**
 * Base64 (or base64url) that mixes upper case, lower case and digits, as random tokens do; GUIDs,
 * names and URL paths (`/` is not part of a run) do not.
 */
function mixedBase64(s: string): boolean {
  return /[A-Z]/.test(s) && /[a-z]/.test(s) && /[0-9]/.test(s);
}

/** The shapes, in the order they are looked for. Each pattern is global. */
export const TOKEN_SHAPES: readonly TokenShape[] = [
  { name: 'private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/g },
  { name: 'dbt token', pattern: /\bdbt[cu]_[A-Za-z0-9_-]{4,}/g },
  {
    name: 'JSON Web Token',
    pattern: /\beyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}(?:\.[A-Za-z0-9_-]*)?/g,
  },
  // Okta API tokens are 42 characters starting with 00 (Okta object ids starting 00 are 20).
  { name: 'Okta API token', pattern: /\b00[A-Za-z0-9_-]{38,}/g },
  {
    name: 'authorization value',
    pattern: /\b(?:SSWS|Bearer|Basic)\s+(?!\[REDACTED\])[A-Za-z0-9._~+/=-]{12,}/g,
  },
  { name: 'hex run', pattern: /\b[0-9a-fA-F]{40,}\b/g },
  {
    name: 'base64 run',
    pattern: /[A-Za-z0-9+_-]{40,}={0,2}/g,
    accept: mixedBase64,
  },
];

export interface TokenLikeFinding {
  readonly shape: string;
  /** Where it starts in the text (never the match itself: it may be a secret). */
  readonly index: number;
  readonly length: number;
}

/** Everything in `text` that looks like a token, by position (no value is returned). */
export function findTokenLike(text: string): TokenLikeFinding[] {
  const out: TokenLikeFinding[] = [];
  for (const shape of TOKEN_SHAPES) {
    for (const m of text.matchAll(shape.pattern)) {
      if (!shape.accept || shape.accept(m[0])) {
        out.push({ shape: shape.name, index: m.index, length: m[0].length });
      }
    }
  }
  // One finding per place: a run that several shapes match counts once (the longest match).
  out.sort((a, b) => a.index - b.index || b.length - a.length);
  const merged: TokenLikeFinding[] = [];
  let end = -1;
  for (const f of out) {
    if (f.index >= end) {
      merged.push(f);
    }
    end = Math.max(end, f.index + f.length);
  }
  return merged;
}

/** `text` with everything that looks like a token replaced by [REDACTED]. */
export function scrubTokenLike(text: string): string {
  let out = text;
  for (const shape of TOKEN_SHAPES) {
    out = out.replace(shape.pattern, (m) => (!shape.accept || shape.accept(m) ? REDACTED : m));
  }
  return out;
}

/** A deep copy of JSON-like data with every string scrubbed. */
export function scrubTokenLikeDeep<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return scrubTokenLike(v);
    }
    if (Array.isArray(v)) {
      return v.map(walk);
    }
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    }
    return v;
  };
  return walk(value) as T;
}

/**
 * Refuses (a typed error naming the kind and where, never the value) when `text` still holds
 * something that looks like a token.
 */
export function assertNoTokenLike(text: string, where: string): void {
  const found = findTokenLike(text);
  const first = found[0];
  if (first) {
    throw new WizardError(
      'internal',
      `The ${where} was not produced: it contains something that looks like a secret (${first.shape}, ${found.length} in all).`,
      {
        remediation:
          'Nothing was written. Please report this: a step recorded a value that should have been removed.',
      },
    );
  }
}
