/** Words of the dbt screen: check titles and the console steps from dbt's "Set up dbt" guide. */

export const SCIM_CONFIG_TITLES: Readonly<Record<string, string>> = {
  'scim.enabled': 'SCIM',
  'scim.manual-updates': 'Allow manual updates',
  'scim.license-type': 'Manage user licenses with SCIM',
};

export const TOKEN_TITLES: Readonly<Record<string, string>> = {
  'token.exists': 'Token in dbt',
  'token.works': 'Token accepted',
};

/** The four checks of `dbt:check`, in the order they run. */
export const CONNECTION_TITLES: Readonly<Record<string, string>> = {
  'scim.service-provider-config': 'Service description',
  'scim.users.list': 'List users',
  'scim.users.filter': 'Find a user by userName',
  'scim.groups.list': 'List groups',
};

/** Turning SCIM on in the console, in dbt's words and order. */
export const SCIM_ON_STEPS: readonly string[] = [
  'In dbt, open “Account settings”.',
  'Select “SSO & SCIM” in the left-side menu.',
  'Scroll to the bottom of the single sign-on settings and click “Enable SCIM”.',
  'Leave “Allow manual updates” off, as dbt recommends.',
];

/** Creating a SCIM token in the console. */
export const TOKEN_STEPS: readonly string[] = [
  'In dbt, open “Account settings” → “SSO & SCIM”.',
  'Click “Create SCIM token”.',
  'Give the token a name you will recognise, then click “Save”.',
  'Copy the token and paste it below. dbt shows it only once.',
];

export const MANUAL_UPDATES_DESCRIPTION =
  'Off by default for all SCIM-managed users and groups, including inviting users by hand, so they stay in sync with the identity provider. dbt recommends keeping it off; turn it on only if you must, for example to change the members of a SCIM-managed group.';

export const SCIM_ON_TICK = 'dbt.scim-on';
