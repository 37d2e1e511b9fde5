/**
 * The allowlist of hosts the app may open in the system browser: the admin consoles of dbt,
 * Okta and Microsoft, and their documentation. Everything else is refused.
 */
import { WizardError } from '../core/errors.js';

/** Exact hosts, and suffixes (starting with a dot) that match any subdomain. */
export const EXTERNAL_HOSTS: readonly string[] = [
  // dbt platform: multi-tenant hosts and the per-account cells
  'cloud.getdbt.com',
  'emea.dbt.com',
  'au.dbt.com',
  '.us1.dbt.com',
  '.us2.dbt.com',
  '.eu1.dbt.com',
  '.eu2.dbt.com',
  '.dbt.com',
  'docs.getdbt.com',
  // Okta orgs and docs
  '.okta.com',
  '.oktapreview.com',
  '.okta-emea.com',
  '.okta-gov.com',
  '.okta.mil',
  '.trexcloud.com',
  'developer.okta.com',
  'help.okta.com',
  // Microsoft Entra admin center, Azure portal, sign-in (system browser, RFC 8252) and docs
  'entra.microsoft.com',
  'login.microsoftonline.com',
  'login.microsoftonline.us',
  'login.chinacloudapi.cn',
  'microsoft.com',
  'portal.azure.com',
  'portal.azure.us',
  'portal.azure.cn',
  'learn.microsoft.com',
  'aka.ms',
];

export function isExternalHostAllowed(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return EXTERNAL_HOSTS.some((h) =>
    h.startsWith('.') ? host.endsWith(h) && host.length > h.length : host === h,
  );
}

/** Parses a URL and throws unless it is https and on the allowlist. */
export function assertExternalUrlAllowed(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new WizardError('bad_input', 'That link is not a valid URL.', {
      remediation: 'Copy the link again.',
    });
  }
  if (
    url.protocol !== 'https:' ||
    url.username ||
    url.password ||
    !isExternalHostAllowed(url.hostname)
  ) {
    throw new WizardError(
      'permission_denied',
      `The app only opens dbt, Okta and Microsoft admin pages (not ${url.hostname}).`,
      {
        remediation: 'Open the page in your browser yourself if you trust it.',
      },
    );
  }
  return url;
}
