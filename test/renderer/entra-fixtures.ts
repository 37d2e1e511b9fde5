/** Answers of the Entra channels for the renderer tests, shaped like the contract's outputs. */
import type { Output, ProfileDto } from '../../electron/ipc/contract.js';
import { AT, secret } from './dbt-fixtures.js';
import { FakeApi, makeProfile } from './fake-api.js';

export type SignInState = Output<'entra:account'>;
export type EntraRun = Output<'entra:apply'>;

export const SP_ID = '11111111-2222-3333-4444-555555555555';
export const APP_ID = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
export const CLIENT_ID = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
export const TENANT_ID = '72f988bf-86f1-41af-91ab-2d7cd011db47';

export const REGISTRATION: SignInState['registration'] = {
  steps: [
    {
      title: 'Start a new app registration',
      detail:
        'In the Microsoft Entra admin center, open Identity → Applications → App registrations and choose "New registration".',
    },
    {
      title: 'Redirect URI: http://localhost for "Mobile and desktop applications"',
      detail: 'Under Redirect URI pick "Public client/native (mobile & desktop)".',
    },
  ],
  permissions: [
    {
      scope: 'Application.ReadWrite.All',
      why: 'create the dbt enterprise app from the non-gallery template and read it back',
    },
    {
      scope: 'Synchronization.ReadWrite.All',
      why: 'create the provisioning job, test the connection, save the dbt URL and token, set the attribute mappings, start provisioning',
    },
    {
      scope: 'AppRoleAssignment.ReadWrite.All',
      why: 'assign the test user to the app before provisioning it on demand',
    },
    { scope: 'User.ReadBasic.All', why: 'find the test user by sign-in name' },
  ],
  signInRoles:
    'Application Administrator or Cloud Application Administrator or Global Administrator. The person who signs in in the wizard needs the Application Administrator or Cloud Application Administrator role (Global Administrator also works): delegated permissions never exceed what the signed-in person may do.',
  restrictedTenantNote:
    'If your tenant does not let users register applications, ask an administrator to register it once with these steps.',
};

export const ALL_SCOPES = REGISTRATION.permissions.map((p) => p.scope);

export function signedOut(): SignInState {
  return {
    signedIn: false,
    via: null,
    grantedScopes: [],
    missingScopes: [],
    registration: REGISTRATION,
  };
}

export function signedIn(over: Partial<SignInState> = {}): SignInState {
  return {
    signedIn: true,
    via: 'browser',
    username: 'admin@contoso.com',
    tenantId: TENANT_ID,
    grantedScopes: ALL_SCOPES,
    missingScopes: [],
    registration: REGISTRATION,
    ...over,
  };
}

export function entraProfile(
  entra: ProfileDto['entra'] | null = { cloud: 'global', appName: 'dbt SCIM', clientId: CLIENT_ID },
  over: Partial<Omit<ProfileDto, 'steps'>> = {},
): ProfileDto {
  return makeProfile({
    id: 'p1',
    idp: 'entra',
    currentStep: 'idp',
    steps: { prerequisites: 'verified', dbt: 'verified' },
    dbt: {
      apiUrl: 'https://ab123.us1.dbt.com',
      accountId: 12345,
      scimUrl: 'https://ab123.us1.dbt.com/api/scim/v2/accounts/12345',
    },
    ...(entra ? { entra } : {}),
    ...over,
  });
}

export function entraRun(over: Partial<EntraRun> = {}): EntraRun {
  return { phase: 'planned', changes: [], checks: [], runs: [], saved: {}, ...over };
}

/**
 * A fake api with an Entra profile: the account as given, settings and connect that update the
 * profile like the engine does, and the dbt step's SCIM token saved.
 */
export function entraApi(
  profile: ProfileDto = entraProfile(),
  account: SignInState = signedOut(),
): FakeApi {
  const fake = new FakeApi({ profiles: [profile] });
  fake.secrets.set(profile.id, [secret('dbt.scim-token', 'WXYZ')]);
  fake.handle('entra:account', () => account);
  fake.handle('entra:signInSettings', (input) => {
    const p = fake.profiles[0] ?? profile;
    const next: ProfileDto = {
      ...p,
      entra: {
        cloud: p.entra?.cloud ?? 'global',
        appName: p.entra?.appName ?? 'dbt SCIM',
        ...p.entra,
        ...(input.clientId ? { clientId: input.clientId } : {}),
        ...(input.tenant ? { tenant: input.tenant } : {}),
      },
    };
    fake.profiles = [next];
    return next;
  });
  fake.handle('entra:connect', (input) => {
    const p = fake.profiles[0] ?? profile;
    const next: ProfileDto = {
      ...p,
      entra: {
        ...p.entra,
        cloud: input.cloud ?? 'global',
        appName: input.appName ?? p.entra?.appName ?? 'dbt SCIM',
        ...(input.graphUrl ? { graphUrl: input.graphUrl } : {}),
        ...(input.spId ? { spId: input.spId } : {}),
      },
    };
    fake.profiles = [next];
    return { profile: next, warnings: [] };
  });
  return fake;
}

export { AT };
