/**
 * What the admin gives for the Okta side, checked before anything is sent: the org URL (cleaned to
 * the org origin, with the admin console's origin beside it), the dbt SSO app (an id or a label),
 * a test user's login, a license type and group names; and how an app's username template reads.
 */
import { badInput } from '../errors.js';
import { isLoopbackHost, parseServiceUrl } from '../url.js';
import { LICENSE_TYPES, type LicenseType, type OktaUserNameTemplate } from './ports.js';

/** Okta's cell domains: an org is `<subdomain>.<domain>`, its admin console `<subdomain>-admin.<domain>`. */
export const OKTA_DOMAINS = [
  'okta.com',
  'oktapreview.com',
  'okta-emea.com',
  'okta-gov.com',
  'okta.mil',
  'trexcloud.com',
] as const;

/** Okta's own sites under its domains: never an org. */
const OKTA_OWN = new Set([
  'www',
  'login',
  'developer',
  'help',
  'support',
  'status',
  'trust',
  'community',
]);

/** Hosts that are surely not an Okta org, with what they are. */
const NOT_OKTA: readonly { readonly suffixes: readonly string[]; readonly what: string }[] = [
  { suffixes: ['getdbt.com', 'dbt.com'], what: 'a dbt address' },
  {
    suffixes: [
      'microsoft.com',
      'microsoftonline.com',
      'microsoftonline.us',
      'microsoft.us',
      'windows.net',
      'azure.com',
      'azure.us',
      'office.com',
      'office365.com',
      'live.com',
      'sharepoint.com',
      'chinacloudapi.cn',
      'partner.microsoftonline.cn',
    ],
    what: 'a Microsoft address',
  },
];

const hostIs = (host: string, suffix: string): boolean =>
  host === suffix || host.endsWith(`.${suffix}`);

export interface CleanOktaOrgUrl {
  /** The org origin, e.g. `https://acme.okta.com` (never the `-admin` host). */
  readonly url: string;
  /** The admin console origin, e.g. `https://acme-admin.okta.com`. */
  readonly adminUrl: string;
  readonly warnings: string[];
}

const EXAMPLE = 'https://acme.okta.com';

/**
 * Cleans the Okta org URL: trims, takes a bare host as https, accepts https only (http only for a
 * local test server), drops any path, query or fragment (with a warning), turns the admin console's
 * `acme-admin.okta.com` into the org's `acme.okta.com`, and lowercases the host.
 */
export function cleanOktaOrgUrl(raw: string): CleanOktaOrgUrl {
  let text = raw.trim().replace(/^<|>$/g, '');
  if (text === '') {
    throw badInput('The Okta org URL is empty.', `Paste your Okta org URL, e.g. ${EXAMPLE}.`);
  }
  if (/\s/.test(text)) {
    throw badInput(
      'The Okta org URL contains spaces.',
      `Paste only the address of your Okta org, e.g. ${EXAMPLE}.`,
    );
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    // `acme.okta.com`, as admins often paste it: Okta is only ever reached over https.
    text = `https://${text}`;
  }
  const url = parseServiceUrl(text, 'The Okta org URL');
  const host = url.hostname.toLowerCase();
  const warnings: string[] = [];

  for (const family of NOT_OKTA) {
    if (family.suffixes.some((s) => hostIs(host, s))) {
      throw badInput(
        `${host} is ${family.what}, not an Okta org.`,
        `Give the address of your Okta org, as in your browser when you open the Okta admin console, e.g. ${EXAMPLE}.`,
      );
    }
  }

  const path = url.pathname.replace(/\/+$/, '');
  if (path !== '' || url.search !== '' || url.hash !== '') {
    warnings.push(
      /^\/oauth2(\/|$)/i.test(path)
        ? `Dropped ${path}: the wizard calls the Okta org itself (${url.origin}), not an authorization server.`
        : `Dropped the page address after the host (${path || url.search || url.hash}): the wizard needs only the org, ${url.origin}.`,
    );
  }

  if (isLoopbackHost(host)) {
    // A local test server: the API and the "console" are the same origin.
    return { url: url.origin, adminUrl: url.origin, warnings };
  }

  const domain = OKTA_DOMAINS.find((d) => hostIs(host, d));
  if (!domain) {
    warnings.push(
      `${host} is not an Okta address (okta.com, oktapreview.com, okta-emea.com, …). If it is your org's custom domain, the wizard calls the Okta API there, but its console links may need your "-admin" address (e.g. https://acme-admin.okta.com); open the admin console from your Okta dashboard if they do not work.`,
    );
    return { url: url.origin, adminUrl: url.origin, warnings };
  }

  const sub = host.slice(0, -(domain.length + 1));
  if (sub === '' || OKTA_OWN.has(sub)) {
    throw badInput(
      `${host} is Okta's own site, not your Okta org.`,
      `Give the address of your org, e.g. https://acme.${domain} (the one in your browser when you open the Okta admin console).`,
    );
  }
  if (sub.includes('.')) {
    throw badInput(
      `${host} is not an Okta org address: an org is one name before ${domain}.`,
      `Give the address of your org, e.g. https://acme.${domain}.`,
    );
  }
  const org = sub.endsWith('-admin') ? sub.slice(0, -'-admin'.length) : sub;
  if (org === '') {
    throw badInput(`${host} is not an Okta org address.`, `Give e.g. https://acme.${domain}.`);
  }
  if (org !== sub) {
    warnings.push(
      `${host} is the admin console; the wizard uses the org address https://${org}.${domain}.`,
    );
  }
  const port = url.port ? `:${url.port}` : '';
  return {
    url: `https://${org}.${domain}${port}`,
    adminUrl: `https://${org}-admin.${domain}${port}`,
    warnings,
  };
}

/** Okta app ids: `0oa` and 17 letters or digits. */
const APP_ID = /^0oa[A-Za-z0-9]{17}$/;
/** An app id inside a console address (`…/admin/app/<name>/instance/<id>/…`). */
const APP_ID_IN_URL = /\/instance\/(0oa[A-Za-z0-9]{17})(?:[/?#]|$)/;

export type OktaAppRef =
  { readonly kind: 'id'; readonly id: string } | { readonly kind: 'label'; readonly label: string };

// eslint-disable-next-line no-control-regex -- the point is to refuse control characters
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The dbt SSO app: its id (`0oa…`, also read from a pasted console address) or its label. */
export function cleanOktaAppRef(raw: string): OktaAppRef {
  const text = raw.trim();
  if (text === '') {
    throw badInput(
      'The Okta app is not given.',
      'Give the id (0oa…) or the label of the Okta app used for dbt SSO.',
    );
  }
  if (APP_ID.test(text)) {
    return { kind: 'id', id: text };
  }
  const inUrl = APP_ID_IN_URL.exec(text);
  if (inUrl?.[1] && /^https?:\/\//i.test(text)) {
    return { kind: 'id', id: inUrl[1] };
  }
  if (/^https?:\/\//i.test(text)) {
    throw badInput(
      'That address does not name an Okta app.',
      'Give the app id (0oa…, in the app page address after /instance/) or the app label.',
    );
  }
  if (text.length > 100) {
    throw badInput(
      'The Okta app label is longer than 100 characters.',
      'Give the app label as Okta shows it, or its id (0oa…).',
    );
  }
  if (CONTROL.test(text)) {
    throw badInput('The Okta app label contains control characters.', 'Type the label again.');
  }
  return { kind: 'label', label: text };
}

/** Okta user ids: `00u` and 17 letters or digits. */
const USER_ID = /^00u[A-Za-z0-9]{17}$/;

/** A test user: an Okta login (usually an email address) or a user id (`00u…`). */
export function cleanOktaLogin(raw: string): string {
  const login = raw.trim();
  if (login === '') {
    throw badInput(
      'The test user is empty.',
      'Give the Okta username of a person, e.g. ada@acme.com.',
    );
  }
  if (USER_ID.test(login)) {
    return login;
  }
  if (login.length > 100 || /\s/.test(login) || CONTROL.test(login) || /["\\]/.test(login)) {
    throw badInput(
      'The test user must be an Okta username such as ada@acme.com (at most 100 characters, no spaces or quotes).',
      'Give the username as Okta shows it in Directory → People.',
    );
  }
  return login;
}

/** A license type: the value (`read_only`) or the display name (`Read Only`), any case. */
export function cleanLicenseType(raw: string): LicenseType {
  const key = raw
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  const found = LICENSE_TYPES.find(
    (t) => t.value === key || t.title.toLowerCase().replace(/\s+/g, '_') === key,
  );
  if (!found && key === 'readonly') {
    return 'read_only';
  }
  if (!found) {
    throw badInput(
      `"${raw.trim().slice(0, 40)}" is not a dbt license type.`,
      `Use one of ${LICENSE_TYPES.map((t) => t.value).join(', ')}.`,
    );
  }
  return found.value;
}

/** A group name (Okta's or dbt's): trimmed, 1–255 characters, no control characters. */
export function cleanGroupName(raw: string): string {
  const name = raw.trim();
  if (name === '') {
    throw badInput('The group name is empty.', 'Give the group name as Okta shows it.');
  }
  if (name.length > 255) {
    throw badInput('The group name is longer than 255 characters.', 'Give a shorter name.');
  }
  if (CONTROL.test(name)) {
    throw badInput('The group name contains control characters.', 'Type the name again.');
  }
  return name;
}

export type UserNameFormat = 'email' | 'okta_id' | 'other';

/**
 * How the app's username template reads: `email` (what SCIM needs: dbt matches users by email),
 * `okta_id` (dbt's SSO guide: the Okta internal id), or `other`.
 */
export function userNameFormat(template: OktaUserNameTemplate | null): UserNameFormat {
  if (!template) {
    return 'other';
  }
  const t = template.template.replace(/\s+/g, '').replace(/'/g, '"');
  const inner = /^\$\{(.*)\}$/.exec(t)?.[1] ?? t;
  if (inner === 'source.email' || inner === 'user.email') {
    return 'email';
  }
  if (inner.includes('getInternalProperty("id")') || inner === 'source.id' || inner === 'user.id') {
    return 'okta_id';
  }
  return 'other';
}

/** The format in the console's words ("Application username format"). */
export function describeUserNameFormat(template: OktaUserNameTemplate | null): string {
  switch (userNameFormat(template)) {
    case 'email':
      return 'Email';
    case 'okta_id':
      return 'the Okta internal id';
    case 'other':
      return template ? `custom (${template.template})` : 'Okta username (Okta’s default)';
  }
}
