/**
 * dbt hosts. The SCIM base URL is pasted from dbt, never synthesised: here it is only cleaned,
 * checked, and compared with the Admin API host. Unknown host families warn, they do not block
 * (dbt adds regions and cells).
 */
import { badInput } from '../errors.js';
import { isLoopbackHost, parseServiceUrl } from '../url.js';

/** dbt's multi-tenant hosts (AWS NA, EMEA, APAC). */
const MULTI_TENANT = ['cloud.getdbt.com', 'emea.dbt.com', 'au.dbt.com'];
/** Cell suffixes: `<prefix>.us1.dbt.com` (AWS NA cell), `.us2` (Azure NA), `.eu2` (Azure EMEA), … */
const CELL = /^([a-z0-9-]+)\.((?:us|eu|au|ap|jp)\d)\.dbt\.com$/;

export type DbtHostFamily =
  | { readonly kind: 'multi-tenant'; readonly host: string }
  | { readonly kind: 'cell'; readonly host: string; readonly prefix: string; readonly cell: string }
  | { readonly kind: 'loopback'; readonly host: string }
  | { readonly kind: 'unknown'; readonly host: string };

export function classifyDbtHost(hostname: string): DbtHostFamily {
  const host = hostname.toLowerCase();
  if (MULTI_TENANT.includes(host)) {
    return { kind: 'multi-tenant', host };
  }
  const m = CELL.exec(host);
  if (m) {
    return { kind: 'cell', host, prefix: m[1] ?? '', cell: m[2] ?? '' };
  }
  if (isLoopbackHost(host)) {
    return { kind: 'loopback', host };
  }
  return { kind: 'unknown', host };
}

export interface CleanUrl {
  readonly url: string;
  readonly warnings: readonly string[];
}

const TOKEN_LIKE = /^(?:dbt[cu]_[A-Za-z0-9_-]{8,}|[A-Za-z0-9._~+/=-]{32,})$/;

/** Trims, refuses what is not a URL (or is a token pasted in the URL field), drops trailing slashes. */
function cleanUrlText(raw: string, what: string): URL {
  const text = raw.trim().replace(/^<|>$/g, '');
  if (TOKEN_LIKE.test(text) && !text.includes('://') && !text.includes('.com')) {
    throw badInput(
      `${what} looks like a token, not a URL.`,
      'Paste the URL in this field and the token in the token field.',
    );
  }
  return parseServiceUrl(text, what);
}

/**
 * Cleans and checks the SCIM base URL. Returns it without a trailing slash, plus warnings an admin
 * should read (unknown host family, different host from the Admin API, a browser page URL).
 */
export function cleanScimUrl(raw: string, apiUrl?: string): CleanUrl {
  const url = cleanUrlText(raw, 'The SCIM base URL');
  if (url.search || url.hash) {
    throw badInput(
      'The SCIM base URL has a query or fragment.',
      'Copy the SCIM base URL field from dbt (Account settings → SSO & SCIM), not the address bar.',
    );
  }
  const warnings: string[] = [];
  const path = url.pathname.replace(/\/+$/, '');
  if (/^\/?(#|$)/.test(path) || /\/(settings|deploy|develop|explore)(\/|$)/.test(path)) {
    throw badInput(
      'That is the address of a dbt page, not the SCIM base URL.',
      'Copy the SCIM base URL field from dbt (Account settings → SSO & SCIM).',
    );
  }
  if (!/scim/i.test(path)) {
    warnings.push('The URL does not mention SCIM; check that you copied the SCIM base URL field.');
  }
  const family = classifyDbtHost(url.hostname);
  if (family.kind === 'unknown') {
    warnings.push(
      `${url.hostname} is not a dbt host we know (cloud.getdbt.com, emea.dbt.com, au.dbt.com, <prefix>.us1.dbt.com, …); check it.`,
    );
  }
  if (apiUrl) {
    try {
      const api = new URL(apiUrl);
      if (api.host.toLowerCase() !== url.host.toLowerCase()) {
        warnings.push(
          `The SCIM URL is on ${url.host} but the Admin API URL is on ${api.host}; both normally use the same host.`,
        );
      }
    } catch {
      // The API URL is checked on its own.
    }
  }
  return { url: `${url.origin}${path}`, warnings };
}

/** Cleans the dbt API URL to its origin (`https://cloud.getdbt.com`), accepting a pasted `/api/...` path. */
export function cleanApiUrl(raw: string): CleanUrl {
  const url = cleanUrlText(raw, 'The dbt API URL');
  const warnings: string[] = [];
  const family = classifyDbtHost(url.hostname);
  if (family.kind === 'unknown') {
    warnings.push(`${url.hostname} is not a dbt host we know; check it.`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '' && !/^\/api(\/|$)/.test(path)) {
    warnings.push(`The path ${path} was dropped: the API URL is the host only.`);
  }
  return { url: url.origin, warnings };
}

/** A positive whole number, as the account id must be. */
export function parseAccountId(raw: string | number | undefined): number {
  const text = typeof raw === 'number' ? String(raw) : (raw ?? '').trim();
  if (!/^\d{1,12}$/.test(text) || Number(text) <= 0) {
    throw badInput(
      `The dbt account id must be a positive whole number${text ? ` (got "${text.slice(0, 20)}")` : ''}.`,
      'Find it in the dbt URL after /accounts/, e.g. 12345.',
    );
  }
  return Number(text);
}

/** The account id that a SCIM URL names, when it has `/accounts/<id>/`. */
export function accountIdInUrl(url: string): number | undefined {
  const m = /\/accounts\/(\d+)(?:\/|$)/.exec(url);
  return m ? Number(m[1]) : undefined;
}
