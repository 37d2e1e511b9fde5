/**
 * Words and links of the Prerequisites screen. The IdP range sources are copied from the engine's
 * `IDP_RANGES_SOURCE` (electron/core/dbt/prerequisites.ts), which the renderer cannot import.
 */
import type { Idp } from '../../model.js';

export const IDP_RANGES_SOURCE: Readonly<Record<Idp, { url: string; text: string }>> = {
  okta: {
    url: 'https://help.okta.com/en-us/content/topics/security/ip-address-allow-listing.htm',
    text: 'Okta publishes the IP ranges of each cell (find your org’s cell in the Okta admin console footer). Add the ranges of your cell.',
  },
  entra: {
    url: 'https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups#ip-ranges',
    text: 'Microsoft Entra provisioning uses the AzureActiveDirectory service tag; its ranges change about every two weeks, so plan to refresh the rule.',
  },
};

/** Short titles of the prerequisite checks, by check id. */
export const PREREQUISITE_TITLES: Readonly<Record<string, string>> = {
  'dbt.plan': 'Plan',
  'dbt.locked': 'Account',
  'dbt.sso': 'Single sign-on',
  'dbt.sso-matches-idp': 'Identity provider',
  'dbt.ip-restrictions': 'IP restrictions',
  'ip.allow': 'Allow rule',
};

export type SettingsPage = 'account' | 'sso';

export interface GuidedItem {
  /** The `dbt:tick` item id. */
  readonly id: string;
  readonly title: (idpName: string) => string;
  readonly where: (idpName: string) => string;
  readonly page: SettingsPage;
  readonly linkText: string;
}

export const GUIDED_ITEMS: readonly GuidedItem[] = [
  {
    id: 'prereq.enterprise',
    title: () => 'The account is on an Enterprise or Enterprise+ plan',
    where: () =>
      'In dbt, open “Account settings” → “Billing” and read the plan name. SCIM comes with Enterprise and Enterprise+ only.',
    page: 'account',
    linkText: 'Open “Account settings” in dbt',
  },
  {
    id: 'prereq.sso',
    title: (idp) => `Single sign-on is set up with ${idp}`,
    where: (idp) =>
      `In dbt, open “Account settings” → “SSO & SCIM”. The identity provider named there must be ${idp}: SCIM uses the same one as single sign-on.`,
    page: 'sso',
    linkText: 'Open “SSO & SCIM” in dbt',
  },
  {
    id: 'prereq.ip',
    title: (idp) => `IP restrictions are off, or ${idp}’s ranges are allowed`,
    where: (idp) =>
      `In dbt, open “Account settings” → “IP restrictions”. Either the restrictions are off, or a rule allows the address ranges ${idp} publishes for provisioning.`,
    page: 'account',
    linkText: 'Open “Account settings” in dbt',
  },
];

/** The dbt settings page of an account, or undefined while the address is not known. */
export function settingsUrl(
  apiUrl: string | undefined,
  accountId: string | number | undefined,
  page: SettingsPage,
): string | undefined {
  const id = String(accountId ?? '').trim();
  if (!apiUrl || !/^\d{1,12}$/.test(id)) {
    return undefined;
  }
  let origin: string;
  try {
    const url = new URL(apiUrl.trim());
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return undefined;
    }
    origin = url.origin;
  } catch {
    return undefined;
  }
  return page === 'sso'
    ? `${origin}/settings/accounts/${id}/pages/sso`
    : `${origin}/settings/accounts/${id}`;
}

/** "enterprise_plus" → "Enterprise plus". */
export function planName(plan: string): string {
  const words = plan.replace(/[_-]+/g, ' ').trim();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : 'unknown';
}
