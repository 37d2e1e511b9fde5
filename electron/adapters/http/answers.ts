/**
 * Reading remote answers safely, shared by the dbt, Graph and Okta adapters: quoting a service's
 * own words (flattened, cut and redacted), parsing a body that may not be JSON, and the typed error
 * for an answer whose shape changed.
 */
import type { ZodError } from 'zod';
import { WizardError } from '../../core/errors.js';
import { redact } from '../../core/redact.js';

const QUOTE_LIMIT = 200;

/** Collapses whitespace, trims to the limit and redacts: safe to show and log. */
export function quote(text: string, limit = QUOTE_LIMIT): string {
  // Redact before cutting, so a secret cut in half cannot slip past the matcher.
  const flat = redact(text.replace(/\s+/g, ' ').trim());
  return flat.length > limit ? `${flat.slice(0, limit - 1)}…` : flat;
}

/** Parses a body as JSON, or undefined. */
export function tryJson(text: string): unknown {
  if (text.trim() === '') {
    return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Where a response first differs from its schema, e.g. `value.0.id`. */
export function firstIssuePath(error: ZodError): string {
  const issue = error.issues[0];
  if (!issue) {
    return '';
  }
  return issue.path.length === 0 ? '(top level)' : issue.path.map(String).join('.');
}

/** `service` answered in a shape the wizard does not know (the API may have changed). */
export function unexpectedShapeOf(service: string, what: string, where: string): WizardError {
  return new WizardError(
    'invalid_response',
    `${service} answered the request for ${what} in an unexpected shape${where ? ` (first difference at ${where})` : ''}; the API may have changed.`,
    {
      remediation:
        'Update the wizard if a newer version exists; otherwise copy the redacted diagnostic and report it.',
    },
  );
}
