/**
 * Shared pieces of the fake dbt: the Admin API envelope, the request-body schemas dbt enforces,
 * CIDR validation and random token values.
 */
import { randomInt } from 'node:crypto';
import { isIP } from 'node:net';
import type { Response } from 'express';
import { z } from 'zod';

export interface EnvelopeStatus {
  readonly code: number;
  readonly is_success: boolean;
  readonly user_message: string;
  readonly developer_message: string;
}

export interface Envelope<T> {
  readonly status: EnvelopeStatus;
  readonly data: T;
  readonly extra?: unknown;
}

export function envelope<T>(code: number, data: T, extra?: unknown): Envelope<T> {
  return {
    status: { code, is_success: code < 400, user_message: 'Success!', developer_message: '' },
    data,
    ...(extra === undefined ? {} : { extra }),
  };
}

export function errorEnvelope(
  code: number,
  userMessage: string,
  developerMessage = '',
): Envelope<null> {
  return {
    status: {
      code,
      is_success: false,
      user_message: userMessage,
      developer_message: developerMessage,
    },
    data: null,
  };
}

/** Sends an envelope as dbt does (`application/json`). */
export function sendEnvelope(res: Response, code: number, body: Envelope<unknown>): void {
  res.status(code).type('application/json').send(JSON.stringify(body));
}

export function sendError(res: Response, code: number, userMessage: string): void {
  sendEnvelope(res, code, errorEnvelope(code, userMessage));
}

/** What dbt says for statuses injected with `failNext` / `rateLimitNext`. */
export const STATUS_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Invalid request.',
  401: 'Invalid token.',
  403: 'You do not have permission to perform this action.',
  404: 'Not found.',
  405: 'Method not allowed.',
  409: 'Conflict.',
  429: 'Request was throttled.',
  500: 'Something went wrong. Please try again later.',
  502: 'Bad gateway.',
  503: 'Service temporarily unavailable. Please try again later.',
  504: 'Gateway timeout.',
};

// ---------------------------------------------------------------------------------------------
// CIDRs

/** Whether `text` is an IPv4 or IPv6 CIDR range (`a.b.c.d/n`, `x::y/n`). */
export function isCidr(text: string): boolean {
  const slash = text.lastIndexOf('/');
  if (slash <= 0) {
    return false;
  }
  const address = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) {
    return false;
  }
  const family = isIP(address);
  const n = Number(bits);
  return (family === 4 && n <= 32) || (family === 6 && n <= 128);
}

// ---------------------------------------------------------------------------------------------
// Request bodies dbt validates (400 with the first problem as user_message otherwise)

export const scimConfigBody = z
  .object({
    enabled: z.boolean(),
    manual_updates_allowed: z.boolean(),
    scim_controlled_license_type: z.boolean(),
  })
  .strict();

export const scimTokenBody = z.object({
  name: z
    .string()
    .min(1, 'This field may not be blank.')
    .max(255, 'Ensure this field has no more than 255 characters.'),
});

export const ipRuleBody = z.object({
  name: z.string().min(1, 'This field may not be blank.').max(255),
  type: z.union([z.literal(1), z.literal(2)], { error: 'Must be 1 (allow) or 2 (deny).' }),
  description: z.string().max(1000).nullish(),
  cidrs: z
    .array(
      z.object({
        cidr: z.string().refine(isCidr, {
          error: (i) => `Enter a valid CIDR range: ${String(i.input).slice(0, 60)}`,
        }),
      }),
    )
    .min(1, 'At least one CIDR range is required.'),
  rule_set_enabled: z.boolean({ error: 'Must be a boolean.' }),
});

/** The first problem of a failed parse, the way dbt words validation errors. */
export function firstProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) {
    return 'Invalid request.';
  }
  const path = issue.path.map(String).join('.');
  const message = issue.message;
  return path === '' ? message : `${path}: ${message}`;
}

// ---------------------------------------------------------------------------------------------
// Random values

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomBase62(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    out += BASE62.charAt(randomInt(BASE62.length));
  }
  return out;
}

/** A sign-in page like the one a browser URL leads to. */
export function signInPage(title = 'Sign in | dbt'): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title></head>
<body><main><h1>Sign in to dbt</h1>
<form method="post" action="/login"><label>Email <input name="email" type="email"></label>
<label>Password <input name="password" type="password"></label><button>Sign in</button></form>
</main></body></html>
`;
}

/** Django's 500 page (e.g. a POST without the trailing slash under APPEND_SLASH). */
export function serverErrorPage(): string {
  return '<!doctype html>\n<html lang="en"><head><title>Server Error (500)</title></head><body><h1>Server Error (500)</h1></body></html>\n';
}
