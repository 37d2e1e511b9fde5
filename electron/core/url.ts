/**
 * URL policy: every remote URL is https. Plain http is accepted only for loopback hosts
 * (127.0.0.0/8, localhost, [::1]), which tests and the demo use.
 */
import { badInput } from './errors.js';

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(?:\.\d{1,3}){3}$/.test(h);
}

/**
 * Parses and checks a URL the admin gave (`what` names the field in the error, e.g. "The dbt API URL").
 * Surrounding whitespace is trimmed. Throws a bad_input WizardError before anything is sent.
 */
export function parseServiceUrl(raw: string, what: string): URL {
  const text = raw.trim();
  if (text === '') {
    throw badInput(`${what} is empty.`, 'Paste the full URL, starting with https://.');
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput(`${what} is not a URL.`, 'Paste the full URL, starting with https://.');
  }
  if (url.username || url.password) {
    throw badInput(
      `${what} contains a user name or password.`,
      'Remove the credentials from the URL; tokens are entered separately.',
    );
  }
  if (url.protocol === 'https:') {
    return url;
  }
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) {
    return url;
  }
  throw badInput(
    `${what} must use https:// (it uses ${url.protocol.replace(':', '')}).`,
    'Use the https:// address; plain http is accepted only for a local test server.',
  );
}

/** Throws when a URL may not be requested at all (used by the HTTP layer on every request). */
export function assertRequestableUrl(raw: string): URL {
  return parseServiceUrl(raw, 'The request URL');
}
