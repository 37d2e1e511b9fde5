/**
 * The Prerequisites step's judgement, as pure functions of what the Admin API returned:
 * plan, SSO method (and so the IdP), account lock, IP restrictions.
 */
import type { Check, Idp } from '../model.js';
import type { DbtAccount, IpRule } from './ports.js';

export const ENTERPRISE_PLANS: ReadonlySet<string> = new Set([
  'enterprise',
  'enterprise_plus',
  'enterprise+',
  'enterpriseplus',
]);

/** Maps dbt's `enterprise_authentication_method` to the IdP that SCIM must then use. */
export function idpOfSsoMethod(method: string | null): { idp: Idp | null; label: string } {
  const m = (method ?? '').toLowerCase();
  if (m === '') {
    return { idp: null, label: 'none' };
  }
  if (m === 'okta') {
    return { idp: 'okta', label: 'Okta' };
  }
  if (m.startsWith('azure') || m.includes('entra') || m === 'active_directory') {
    return { idp: 'entra', label: 'Microsoft Entra ID' };
  }
  if (m === 'saml' || m === 'saml2' || m === 'saml_2_0') {
    // dbt's Okta guide sets SSO up as a SAML 2.0 app; SCIM then runs from that Okta app.
    return { idp: 'okta', label: 'SAML 2.0 (Okta)' };
  }
  if (m.includes('google') || m === 'gsuite') {
    return { idp: null, label: 'Google Workspace' };
  }
  return { idp: null, label: method ?? m };
}

export const IDP_NAMES: Record<Idp, string> = { okta: 'Okta', entra: 'Microsoft Entra ID' };

export interface PrerequisitesResult {
  readonly checks: Check[];
  /** The IdP dbt's SSO uses, when it is one SCIM supports. */
  readonly detectedIdp: Idp | null;
  /** IP restrictions are enabled on the account. */
  readonly ipRestricted: boolean;
}

export function evaluatePrerequisites(input: {
  readonly account: DbtAccount;
  readonly ipRules: readonly IpRule[];
  readonly chosenIdp: Idp | null;
  readonly at: Date;
  /** Names of allow rules the wizard created for the IdP's ranges. */
  readonly wizardRuleNames?: readonly string[];
}): PrerequisitesResult {
  const at = input.at.toISOString();
  const { account } = input;
  const checks: Check[] = [];
  const plan = account.plan.toLowerCase();
  checks.push(
    ENTERPRISE_PLANS.has(plan)
      ? {
          id: 'dbt.plan',
          status: 'pass',
          message: `The account "${account.name}" is on the ${account.plan} plan, which includes SCIM.`,
          at,
        }
      : {
          id: 'dbt.plan',
          status: 'fail',
          message: `SCIM needs an Enterprise or Enterprise+ plan; "${account.name}" is on the ${account.plan || 'unknown'} plan. Ask dbt about upgrading before going on.`,
          at,
        },
  );
  if (account.locked) {
    checks.push({
      id: 'dbt.locked',
      status: 'fail',
      message: 'The dbt account is locked. Unlock it (billing) before setting up SCIM.',
      at,
    });
  }
  const sso = idpOfSsoMethod(account.ssoMethod);
  if (sso.idp === null) {
    checks.push({
      id: 'dbt.sso',
      status: 'fail',
      message:
        sso.label === 'none'
          ? 'Single sign-on is not set up in dbt. Set up SSO with Okta or Microsoft Entra ID first; SCIM uses the same identity provider.'
          : `dbt signs in with ${sso.label}; SCIM supports only Okta and Microsoft Entra ID.`,
      at,
    });
  } else {
    checks.push({
      id: 'dbt.sso',
      status: 'pass',
      message: `Single sign-on uses ${sso.label}.`,
      at,
    });
  }
  if (sso.idp && input.chosenIdp && sso.idp !== input.chosenIdp) {
    checks.push({
      id: 'dbt.sso-matches-idp',
      status: 'fail',
      message: `This profile is set for ${IDP_NAMES[input.chosenIdp]}, but dbt's SSO uses ${IDP_NAMES[sso.idp]}. SCIM must use the same identity provider as SSO: change the profile's identity provider.`,
      at,
    });
  }
  const enabledRules = input.ipRules.filter((r) => r.ruleSetEnabled);
  const ipRestricted = enabledRules.length > 0;
  if (!ipRestricted) {
    checks.push({
      id: 'dbt.ip-restrictions',
      status: 'pass',
      message: 'IP restrictions are off: the identity provider can reach dbt.',
      at,
    });
  } else {
    const ours = enabledRules.filter(
      (r) => r.type === 'allow' && (input.wizardRuleNames ?? []).includes(r.name),
    );
    checks.push(
      ours.length > 0
        ? {
            id: 'dbt.ip-restrictions',
            status: 'pass',
            message: `IP restrictions are on and the rule "${ours[0]?.name ?? ''}" allows the identity provider's ranges.`,
            at,
          }
        : {
            id: 'dbt.ip-restrictions',
            status: 'pending',
            message: `IP restrictions are on (${enabledRules.length} rule${enabledRules.length === 1 ? '' : 's'}). The identity provider's provisioning traffic must be allowed, or provisioning will be refused.`,
            at,
          },
    );
  }
  return { checks, detectedIdp: sso.idp, ipRestricted };
}

const CIDR4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const CIDR6 = /^[0-9a-f:]+\/(12[0-8]|1[01]\d|\d?\d)$/i;

/** Cleans a pasted list of CIDR ranges (one per line, or separated by commas or spaces). */
export function parseCidrs(text: string): { cidrs: string[]; invalid: string[] } {
  const parts = text
    .split(/[\s,;]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const cidrs: string[] = [];
  const invalid: string[] = [];
  for (const p of parts) {
    const withMask = p.includes('/') ? p : p.includes(':') ? `${p}/128` : `${p}/32`;
    if (CIDR4.test(withMask) || (CIDR6.test(withMask) && withMask.includes(':'))) {
      if (!cidrs.includes(withMask)) {
        cidrs.push(withMask);
      }
    } else {
      invalid.push(p.slice(0, 60));
    }
  }
  return { cidrs, invalid };
}

/** Where each IdP publishes the addresses its provisioning traffic comes from. */
export const IDP_RANGES_SOURCE: Record<Idp, { url: string; text: string }> = {
  okta: {
    url: 'https://help.okta.com/en-us/content/topics/security/ip-address-allow-listing.htm',
    text: 'Okta publishes the IP ranges of each cell (find your org’s cell in the Okta admin console footer). Add the ranges of your cell.',
  },
  entra: {
    url: 'https://learn.microsoft.com/en-us/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups#ip-ranges',
    text: 'Microsoft Entra provisioning uses the AzureActiveDirectory service tag; its ranges change about every two weeks, so plan to refresh the rule.',
  },
};
