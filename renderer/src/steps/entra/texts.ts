/**
 * Words and links of the Identity provider screen for Microsoft Entra ID. The cloud labels and
 * admin portals are copied from the engine's ENTRA_CLOUDS (electron/core/entra/ports.ts), which
 * the renderer cannot import.
 */
import type { CheckDto } from '../../../../electron/ipc/contract.js';
import type { EntraCloud } from '../../api/client.js';

export const DEFAULT_APP_NAME = 'dbt SCIM';

export const CLOUDS: readonly { value: EntraCloud; label: string }[] = [
  { value: 'global', label: 'Microsoft Entra ID (global)' },
  { value: 'usgov', label: 'Azure US Government' },
  { value: 'china', label: 'Microsoft Azure operated by 21Vianet (China)' },
];

/** Where each cloud's admins manage enterprise apps. */
const PORTALS: Readonly<Record<EntraCloud, string>> = {
  global: 'https://entra.microsoft.com',
  usgov: 'https://portal.azure.us',
  china: 'https://portal.azure.cn',
};

/** The enterprise app's Overview and Provisioning pages in the admin center of its cloud. */
export function adminCenterLinks(
  cloud: EntraCloud,
  spId: string,
  appId: string,
): { overview: string; provisioning: string } {
  const blade = `${PORTALS[cloud]}/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~`;
  const ids = `objectId/${encodeURIComponent(spId)}/appId/${encodeURIComponent(appId)}`;
  return {
    overview: `${blade}/Overview/${ids}`,
    provisioning: `${blade}/ProvisioningManagement/${ids}`,
  };
}

/** The list of app registrations, where the wizard's own registration is made. */
export function appRegistrationsUrl(cloud: EntraCloud): string {
  return `${PORTALS[cloud]}/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade`;
}

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const TENANT = /^(organizations|[0-9a-f-]{36}|[a-z0-9.-]+\.[a-z]{2,})$/i;

/** The Graph permissions only the test with one user needs. */
export const TEST_USER_SCOPES: readonly string[] = [
  'AppRoleAssignment.ReadWrite.All',
  'User.ReadBasic.All',
];

/** `https://graph.microsoft.com/User.ReadBasic.All` → `user.readbasic.all`. */
function shortScope(scope: string): string {
  const slash = scope.lastIndexOf('/');
  return (slash >= 0 ? scope.slice(slash + 1) : scope).trim().toLowerCase();
}

/** The scopes of `wanted` that `granted` lacks (granted may hold full URIs). */
export function scopesMissing(
  granted: readonly string[],
  wanted: readonly string[],
): readonly string[] {
  const have = new Set(granted.map(shortScope));
  return wanted.filter((w) => !have.has(shortScope(w)));
}

/** The apps listed in a same-named-apps conflict: "service principal <id> (app id <id>)". */
export function conflictCandidates(message: string): { spId: string; appId: string }[] {
  const out: { spId: string; appId: string }[] = [];
  const re =
    /service principal ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}) \(app id ([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\)/gi;
  for (const m of message.matchAll(re)) {
    const [, spId, appId] = m;
    if (spId && appId && !out.some((c) => c.spId === spId)) {
      out.push({ spId, appId });
    }
  }
  return out;
}

/** The run kinds of the setup, as the headings of their checks. */
export const RUN_TITLES: Readonly<Record<string, string>> = {
  'entra.app': 'Enterprise app',
  'entra.job': 'Provisioning job',
  'entra.credentials': 'Connection to dbt',
  'entra.schema': 'Attribute mappings',
  'entra.start': 'Provisioning',
};

/** Short titles of the checks whose messages need one (the mapping checks speak for themselves). */
export const CHECK_TITLES: Readonly<Record<string, string>> = {
  'entra.app': 'Enterprise app',
  'entra.app.template': 'Non-gallery app',
  'entra.job': 'Provisioning job',
  'credentials.saved': 'Tenant URL and Secret Token',
  'credentials.connection': 'Test connection',
  'entra.license': 'License types',
  'job.running': 'Provisioning',
  'job.quarantine': 'Quarantine',
  'job.last-cycle': 'Last cycle',
  'test-user.assigned': 'Assignment',
  'test-user.provision': 'Provision on demand',
  'test-user.in-dbt': 'Read back from dbt',
};

export function isJobCheck(check: CheckDto): boolean {
  return check.id.startsWith('job.');
}

export const LICENSE_NOTE =
  'dbt does not take license types from Entra over SCIM: the License types step sets them through dbt’s SSO license maps.';

export const ADMIN_CONSENT_HELP =
  'An administrator (Global Administrator or Privileged Role Administrator) opens App registrations → the wizard’s registration → API permissions, adds what is missing and chooses “Grant admin consent”. Then sign out here and sign in again.';

export const VIA_TEXT: Readonly<Record<'browser' | 'device' | 'token', string>> = {
  browser: 'Signed in with your browser.',
  device: 'Signed in with a device code.',
  token:
    'Using a pasted access token, kept in memory only. It expires about an hour after it was issued; then sign in again.',
};
