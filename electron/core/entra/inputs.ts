/**
 * What the admin gives for the Entra side, checked before anything is sent: the Graph root (a
 * Microsoft Graph host of one of the clouds, or loopback for tests), the app's display name, an
 * app id to choose among same-named apps, and a test user.
 */
import { badInput } from '../errors.js';
import { isLoopbackHost, parseServiceUrl } from '../url.js';
import { cloudOfGraphUrl, ENTRA_CLOUDS, type EntraCloud } from './ports.js';

export const DEFAULT_APP_NAME = 'dbt SCIM';
export const DEFAULT_GRAPH_URL = ENTRA_CLOUDS.global.graph;

/** Graph hosts of Microsoft's clouds (the access token is sent to no other host). */
const GRAPH_HOSTS: ReadonlySet<string> = new Set([
  'graph.microsoft.com',
  'graph.microsoft.us',
  'dod-graph.microsoft.us',
  'microsoftgraph.chinacloudapi.cn',
]);

export interface CleanGraphUrl {
  readonly url: string;
  readonly cloud: EntraCloud;
  readonly warnings: readonly string[];
}

export function cleanGraphUrl(raw: string): CleanGraphUrl {
  const url = parseServiceUrl(raw, 'The Microsoft Graph URL');
  const host = url.hostname.toLowerCase();
  if (!GRAPH_HOSTS.has(host) && !isLoopbackHost(host)) {
    throw badInput(
      `${host} is not a Microsoft Graph host, so the access token will not be sent there.`,
      'Use https://graph.microsoft.com/v1.0, or the Graph root of your national cloud (graph.microsoft.us, dod-graph.microsoft.us, microsoftgraph.chinacloudapi.cn).',
    );
  }
  if (url.search || url.hash) {
    throw badInput(
      'The Microsoft Graph URL has a query or fragment.',
      'Give only the root, e.g. https://graph.microsoft.com/v1.0.',
    );
  }
  const warnings: string[] = [];
  let path = url.pathname.replace(/\/+$/, '');
  if (isLoopbackHost(host)) {
    // A local test server: its root is whatever it says.
  } else if (path === '') {
    path = '/v1.0';
    warnings.push('The Graph URL had no version; using /v1.0.');
  } else if (path === '/beta') {
    warnings.push('The Graph beta endpoint may change without notice; v1.0 is recommended.');
  } else if (path !== '/v1.0') {
    throw badInput(
      `The Microsoft Graph URL ends in ${path}, not a version.`,
      'Give the Graph root with its version, e.g. https://graph.microsoft.com/v1.0.',
    );
  }
  const clean = `${url.origin}${path}`;
  return { url: clean, cloud: cloudOfGraphUrl(clean), warnings };
}

/** The enterprise app's display name: trimmed, 1–120 printable characters. */
export function cleanAppName(raw: string | undefined): string {
  const name = (raw ?? DEFAULT_APP_NAME).trim();
  if (name === '') {
    throw badInput('The Entra app name is empty.', `Give a name, e.g. "${DEFAULT_APP_NAME}".`);
  }
  if (name.length > 120) {
    throw badInput('The Entra app name is longer than 120 characters.', 'Give a shorter name.');
  }
  // eslint-disable-next-line no-control-regex -- the point is to refuse control characters
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw badInput('The Entra app name contains control characters.', 'Type the name again.');
  }
  return name;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A service principal id or app (client) id: a GUID. */
export function cleanEntraId(raw: string): string {
  const id = raw.trim();
  if (!GUID.test(id)) {
    throw badInput(
      'The Entra app id must be a GUID such as 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.',
      'Use the service principal (object) id or the application (client) id listed for the app.',
    );
  }
  return id.toLowerCase();
}

/** A test user: a userPrincipalName (name@domain) or an object id. */
export function cleanTestUser(raw: string): string {
  const who = raw.trim();
  if (GUID.test(who)) {
    return who;
  }
  if (!/^[^\s@/\\?#"]+@[^\s@/\\?#"]+\.[^\s@/\\?#"]+$/.test(who) || who.length > 256) {
    throw badInput(
      'The test user must be a userPrincipalName such as ada@acme.com (or an object id).',
      'Give the user’s sign-in name as Entra shows it.',
    );
  }
  return who;
}
