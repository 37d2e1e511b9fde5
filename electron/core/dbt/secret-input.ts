/**
 * Pasted secrets are cleaned and checked before anything is sent: whitespace and newlines
 * trimmed, a `Bearer ` / `Token ` / `SSWS ` prefix detected and removed, a URL pasted in the token
 * field refused, and a dbt API token pasted where a SCIM token belongs refused.
 */
import { badInput } from '../errors.js';
import { registerSecret } from '../redact.js';

export type TokenKind = 'dbt-scim' | 'dbt-api' | 'okta-api' | 'bearer';

const NAMES: Record<TokenKind, string> = {
  'dbt-scim': 'The SCIM token',
  'dbt-api': 'The dbt API token',
  'okta-api': 'The Okta API token',
  bearer: 'The access token',
};

export interface CleanSecret {
  readonly value: string;
  /** What was fixed, for the admin to read (never the value). */
  readonly notes: readonly string[];
}

export function cleanSecret(raw: string | undefined, kind: TokenKind): CleanSecret {
  const name = NAMES[kind];
  const notes: string[] = [];
  let value = (raw ?? '').trim();
  if (value === '') {
    throw badInput(`${name} is empty.`, 'Paste the token you copied.');
  }
  const prefix = /^(Bearer|Token|SSWS)\s+/i.exec(value);
  if (prefix) {
    value = value.slice(prefix[0].length).trim();
    notes.push(`Removed the "${prefix[1] ?? ''}" prefix: only the token itself is needed.`);
  }
  if (/^(Authorization|Auth)\s*:/i.test(value)) {
    throw badInput(
      `${name} looks like a whole header.`,
      'Paste only the token, without "Authorization:".',
    );
  }
  if (/^https?:\/\//i.test(value) || /^[a-z0-9.-]+\.(com|net|io)(\/|$)/i.test(value)) {
    throw badInput(
      `${name} looks like a URL.`,
      'Paste the URL in the URL field and the token here.',
    );
  }
  if (/\s/.test(value)) {
    throw badInput(
      `${name} contains spaces or line breaks.`,
      'Copy the token again; it is a single word.',
    );
  }
  if (/[^\x21-\x7e]/.test(value)) {
    throw badInput(
      `${name} contains characters a token never has.`,
      'Copy the token again, straight from its source.',
    );
  }
  if (value.length < 16) {
    throw badInput(
      `${name} is too short to be a token.`,
      'Copy the whole token; it was probably cut.',
    );
  }
  if (value.length > 4096) {
    throw badInput(`${name} is far too long for a token.`, 'Copy only the token.');
  }
  if (kind === 'dbt-scim' && /^dbt[cu]_/.test(value)) {
    throw badInput(
      'That is a dbt API token (service or personal), not a SCIM token.',
      'Create a SCIM token in dbt under Account settings → SSO & SCIM, or let the wizard create one.',
    );
  }
  if (kind === 'dbt-api' && value.startsWith('eyJ')) {
    notes.push('This looks like a JWT; dbt service tokens usually start with dbtc_.');
  }
  registerSecret(value);
  return { value, notes };
}
