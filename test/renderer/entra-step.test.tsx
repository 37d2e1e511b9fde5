import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ProfileDto } from '../../electron/ipc/contract.js';
import { check, runResult, slow } from './dbt-fixtures.js';
import {
  APP_ID,
  AT,
  CLIENT_ID,
  SP_ID,
  TENANT_ID,
  entraApi,
  entraProfile,
  entraRun,
  signedIn,
  signedOut,
} from './entra-fixtures.js';
import { findRail, renderApp } from './render.js';

function region(name: string | RegExp): HTMLElement {
  return screen.getByRole('region', { name });
}

async function findSection(name: string): Promise<HTMLElement> {
  return screen.findByRole('region', { name });
}

describe('Entra step: layout', () => {
  it('has one h1 and the five sections as h2, in order, each with a status', async () => {
    renderApp(entraApi());
    await findRail();
    await screen.findByRole('heading', { level: 2, name: '1. Microsoft Entra tenant' });
    expect(screen.getAllByRole('heading', { level: 1 }).map((h) => h.textContent)).toEqual([
      'Identity provider: Entra ID',
    ]);
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual([
      'What you need',
      '1. Microsoft Entra tenant',
      '2. Sign in to Microsoft',
      '3. Review and apply',
      '4. Test with a real user',
      '5. Provisioning status',
    ]);
    expect(screen.queryByRole('heading', { name: 'What the wizard will do' })).toBeNull();
    await waitFor(() => {
      expect(region('2. Sign in to Microsoft')).toHaveTextContent('Not signed in');
    });
    expect(region('1. Microsoft Entra tenant')).toHaveTextContent('Saved');
    expect(region('3. Review and apply')).toHaveTextContent('Not done yet');
    expect(region('3. Review and apply')).toHaveTextContent('Sign in to Microsoft first.');
    expect(region('4. Test with a real user')).toHaveTextContent('Optional');
    expect(region('5. Provisioning status')).toHaveTextContent('Not checked yet');
  });

  it('keeps the Okta variant of the step as it was', async () => {
    const fake = entraApi(entraProfile(null, { idp: 'okta' }));
    renderApp(fake);
    await findRail();
    expect(screen.getByRole('region', { name: 'What the wizard will do' })).toBeVisible();
    expect(screen.queryByRole('region', { name: '1. Microsoft Entra tenant' })).toBeNull();
    expect(fake.callsTo('entra.account')).toEqual([]);
  });
});

describe('Entra step: tenant settings', () => {
  it('explains the role and each permission, and saves the typed fields', async () => {
    const fake = entraApi(entraProfile(null));
    const { user } = renderApp(fake);
    await findRail();
    const section = await findSection('1. Microsoft Entra tenant');
    expect(section).toHaveTextContent('Not saved yet');
    await within(section).findByRole('heading', { level: 3, name: 'Who signs in' });
    expect(section).toHaveTextContent('Cloud Application Administrator');
    const permissions = within(section).getByRole('list', {
      name: 'What the wizard asks Microsoft Graph for',
    });
    expect(within(permissions).getAllByRole('listitem')).toHaveLength(4);
    expect(permissions).toHaveTextContent(
      'User.ReadBasic.All to find the test user by sign-in name (only to test with one user).',
    );

    // The app name defaults to "dbt SCIM"; a bad client id is refused before anything is sent.
    const name = within(section).getByRole('textbox', { name: 'Enterprise app name' });
    expect(name).toHaveValue('dbt SCIM');
    const clientId = within(section).getByRole('textbox', { name: 'Application (client) ID' });
    await user.type(clientId, 'not-a-guid');
    await user.click(within(section).getByRole('button', { name: 'Save' }));
    expect(clientId).toHaveAttribute('aria-invalid', 'true');
    expect(clientId).toHaveAccessibleDescription(/is a GUID/);
    expect(fake.callsTo('entra.signInSettings')).toEqual([]);

    await user.clear(clientId);
    await user.type(clientId, CLIENT_ID.toUpperCase());
    await user.type(
      within(section).getByRole('textbox', { name: 'Directory (tenant) ID or domain' }),
      'contoso.onmicrosoft.com',
    );
    await user.clear(name);
    await user.type(name, 'dbt SCIM (prod)');
    await user.click(within(section).getByRole('combobox', { name: 'Cloud' }));
    await user.click(screen.getByRole('option', { name: 'Azure US Government' }));
    const advanced = within(section).getByRole('button', { name: 'Advanced: Graph URL' });
    expect(advanced).toHaveAttribute('aria-expanded', 'false');
    await user.click(advanced);
    expect(advanced).toHaveAttribute('aria-expanded', 'true');
    await user.type(
      within(section).getByRole('textbox', { name: 'Microsoft Graph URL' }),
      'https://graph.microsoft.us/v1.0',
    );
    await user.click(within(section).getByRole('button', { name: 'Save' }));

    expect(
      await within(section).findByText('Saved. Sign in to Microsoft below to continue.'),
    ).toBeVisible();
    expect(fake.callsTo('entra.signInSettings')).toEqual([
      { profileId: 'p1', clientId: CLIENT_ID, tenant: 'contoso.onmicrosoft.com' },
    ]);
    expect(fake.callsTo('entra.connect')).toEqual([
      {
        profileId: 'p1',
        cloud: 'usgov',
        appName: 'dbt SCIM (prod)',
        graphUrl: 'https://graph.microsoft.us/v1.0',
      },
    ]);
    // The registration changed: the engine signed out, so the sign-in is read again.
    expect(fake.callsTo('entra.account')).toHaveLength(2);
    expect(section).toHaveTextContent('Saved');
  });

  it('does not touch the registration (and the sign-in) when only the app name changes', async () => {
    const fake = entraApi(entraProfile(), signedIn());
    const { user } = renderApp(fake);
    await findRail();
    const section = await findSection('1. Microsoft Entra tenant');
    const name = within(section).getByRole('textbox', { name: 'Enterprise app name' });
    await user.clear(name);
    await user.type(name, 'dbt SCIM 2');
    await user.click(within(section).getByRole('button', { name: 'Save' }));
    await within(section).findByText('Saved. Sign in to Microsoft below to continue.');
    expect(fake.callsTo('entra.signInSettings')).toEqual([]);
    expect(fake.callsTo('entra.connect')).toEqual([
      { profileId: 'p1', cloud: 'global', appName: 'dbt SCIM 2' },
    ]);
  });

  it('shows the registration guide with values to copy, collapsed by default', async () => {
    const { user } = renderApp(entraApi());
    await findRail();
    const section = await findSection('1. Microsoft Entra tenant');
    const toggle = await within(section).findByRole('button', {
      name: 'How to register the wizard in your tenant',
    });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(within(section).getByRole('textbox', { name: 'Name' })).toHaveValue('dbt SCIM Wizard');
    expect(
      within(section).getByRole('textbox', {
        name: 'Redirect URI (Mobile and desktop applications)',
      }),
    ).toHaveValue('http://localhost');
    expect(
      within(section).getByRole('button', { name: 'Copy Synchronization.ReadWrite.All' }),
    ).toBeVisible();
    expect(section).toHaveTextContent('Start a new app registration');
  });
});

describe('Entra step: sign-in', () => {
  it('browser: shows the waiting line, then who is signed in', async () => {
    const fake = entraApi();
    const gate = slow(fake, 'entra:signIn', () => signedIn());
    const { user } = renderApp(fake);
    await findRail();
    const section = await findSection('2. Sign in to Microsoft');
    await user.click(
      await within(section).findByRole('button', { name: 'Sign in with your browser' }),
    );
    expect(
      await within(section).findByText('Waiting for you to finish signing in in your browser…'),
    ).toBeVisible();
    expect(section).toHaveTextContent('Waiting for you');
    expect(fake.callsTo('entra.signIn')).toEqual([
      { profileId: 'p1', includeTestUserScopes: true },
    ]);
    gate.release();
    expect(
      await within(section).findByText(`Signed in as admin@contoso.com (tenant ${TENANT_ID})`),
    ).toBeVisible();
    expect(section).toHaveTextContent('Signed in with your browser.');
    expect(
      screen.queryByText('Waiting for you to finish signing in in your browser…'),
    ).not.toBeInTheDocument();

    fake.handle('entra:signOut', () => null);
    fake.handle('entra:account', () => signedOut());
    await user.click(within(section).getByRole('button', { name: 'Sign out' }));
    expect(
      await within(section).findByRole('button', { name: 'Sign in with your browser' }),
    ).toBeEnabled();
    expect(fake.callsTo('entra.signOut')).toEqual([{ profileId: 'p1' }]);
  });

  it('without a client id, only the pasted token is offered', async () => {
    renderApp(entraApi(entraProfile({ cloud: 'global', appName: 'dbt SCIM' })));
    await findRail();
    const section = await findSection('2. Sign in to Microsoft');
    expect(
      await within(section).findByRole('button', { name: 'Sign in with your browser' }),
    ).toBeDisabled();
    expect(
      within(section).getByRole('button', { name: 'Use a device code instead' }),
    ).toBeDisabled();
    expect(section).toHaveTextContent('Enter the Application (client) ID in section 1 first');
    expect(within(section).getByRole('button', { name: 'Other ways to sign in' })).toBeEnabled();
  });

  it('device code: shows the code with a copy button and the link, then waits', async () => {
    const fake = entraApi();
    fake.handle('entra:deviceCode', () => ({
      userCode: 'GHJK-LMNP',
      verificationUri: 'https://microsoft.com/devicelogin',
      message: 'To sign in, use a web browser to open the page https://microsoft.com/devicelogin.',
      expiresInSeconds: 900,
    }));
    const gate = slow(fake, 'entra:deviceCodeWait', () => signedIn({ via: 'device' }));
    const { user } = renderApp(fake);
    await findRail();
    const section = await findSection('2. Sign in to Microsoft');
    await user.click(
      within(section).getByRole('checkbox', {
        name: 'Also ask for the permissions to test with one user',
      }),
    );
    await user.click(
      await within(section).findByRole('button', { name: 'Use a device code instead' }),
    );
    const code = await within(section).findByRole('textbox', { name: 'Code' });
    expect(code).toHaveValue('GHJK-LMNP');
    expect(code).toHaveAttribute('readonly');
    expect(within(section).getByRole('button', { name: 'Copy Code' })).toBeVisible();
    expect(section).toHaveTextContent('The code expires in about 15 minutes.');
    expect(
      await within(section).findByText('Waiting for you to enter the code and sign in…'),
    ).toBeVisible();
    await user.click(
      within(section).getByRole('link', { name: /Open https:\/\/microsoft.com\/devicelogin/ }),
    );
    expect(fake.callsTo('shell.openExternal')).toEqual([
      { url: 'https://microsoft.com/devicelogin' },
    ]);
    expect(fake.callsTo('entra.deviceCode')).toEqual([
      { profileId: 'p1', includeTestUserScopes: false },
    ]);
    expect(fake.callsTo('entra.deviceCodeWait')).toEqual([{ profileId: 'p1' }]);

    gate.release();
    expect(await within(section).findByText(/^Signed in as admin@contoso.com/)).toBeVisible();
    expect(section).toHaveTextContent('Signed in with a device code.');
    expect(within(section).queryByRole('textbox', { name: 'Code' })).not.toBeInTheDocument();
  });

  it('a pasted access token is sent once, never kept in the DOM, and comes with a warning', async () => {
    const fake = entraApi(entraProfile({ cloud: 'global', appName: 'dbt SCIM' }));
    const token = 'eyJ0eXAiOiJKV1QifQ.eyJzY3AiOiJBcHBsaWNhdGlvbi5SZWFkV3JpdGUuQWxsIn0.c2lnbmF0dXJl';
    fake.handle('entra:useToken', () => signedIn({ via: 'token', tenantId: undefined }));
    const { user } = renderApp(fake);
    await findRail();
    const section = await findSection('2. Sign in to Microsoft');
    const toggle = within(section).getByRole('button', { name: 'Other ways to sign in' });
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(section).toHaveTextContent('Kept in memory only');
    expect(section).toHaveTextContent('expires about an hour after it was issued');
    const field = within(section).getByLabelText('Microsoft Graph access token');
    await user.type(field, token);
    await user.click(within(section).getByRole('button', { name: 'Use this token' }));
    expect(await within(section).findByText('Signed in as admin@contoso.com')).toBeVisible();
    expect(fake.callsTo('entra.useToken')).toEqual([{ profileId: 'p1', accessToken: token }]);
    expect(section).toHaveTextContent('Using a pasted access token, kept in memory only.');
    expect(document.body.innerHTML).not.toContain(token);
    expect(document.body.innerHTML).not.toContain('c2lnbmF0dXJl');
  });

  it('a refused token is explained under the field, which is empty again', async () => {
    const fake = entraApi();
    fake.fail('entra.useToken', {
      code: 'bad_input',
      message: 'That access token has expired. Get a new one, or sign in with your browser.',
    });
    const { user } = renderApp(fake);
    await findRail();
    const section = await findSection('2. Sign in to Microsoft');
    await user.click(within(section).getByRole('button', { name: 'Other ways to sign in' }));
    const field = within(section).getByLabelText('Microsoft Graph access token');
    await user.type(field, 'eyJexpired.eyJexpired.signature0123');
    await user.click(within(section).getByRole('button', { name: 'Use this token' }));
    await waitFor(() => {
      expect(field).toHaveAttribute('aria-invalid', 'true');
    });
    expect(field).toHaveAccessibleDescription(/has expired/);
    expect(field).toHaveValue('');
  });

  it('lists missing permissions plainly, with what to do', async () => {
    renderApp(
      entraApi(
        entraProfile(),
        signedIn({
          grantedScopes: ['Application.ReadWrite.All'],
          missingScopes: ['Synchronization.ReadWrite.All'],
        }),
      ),
    );
    await findRail();
    const section = await findSection('2. Sign in to Microsoft');
    const missing = await within(section).findByRole('list', { name: 'Missing permissions' });
    expect(missing).toHaveTextContent(
      'Synchronization.ReadWrite.All to create the provisioning job, test the connection',
    );
    expect(section).toHaveTextContent('Grant admin consent');
    expect(section).toHaveTextContent('Signed in, permissions missing');
    // The test needs two more permissions than the sign-in carries.
    expect(region('4. Test with a real user')).toHaveTextContent(
      'This test needs AppRoleAssignment.ReadWrite.All and User.ReadBasic.All',
    );
  });
});

const PLAN = [
  {
    id: 'app.create',
    action: 'add' as const,
    target: 'enterprise app "dbt SCIM"',
    detail:
      'create the enterprise app "dbt SCIM" from the non-gallery template ("Integrate any other application you don\'t find in the gallery")',
  },
  {
    id: 'then',
    action: 'add' as const,
    target: 'provisioning job, credentials, attribute mappings',
    detail:
      'then: create the provisioning job, test the connection, save the credentials, set the attribute mappings',
  },
];

const SCHEMA_PLAN = [
  {
    id: 'schema.attr.primary',
    action: 'add' as const,
    target: 'attribute emails[type eq "work"].primary',
    detail: 'add attribute emails[type eq "work"].primary (Boolean, required)',
  },
  {
    id: 'schema.map.email',
    action: 'change' as const,
    target: 'mapping emails[type eq "work"].value',
    detail: 'change emails[type eq "work"].value from mail to userPrincipalName',
  },
  {
    id: 'schema.remove.title',
    action: 'remove' as const,
    target: 'mapping title',
    detail: 'remove mapping title ← jobTitle',
  },
];

function appliedRun(): ReturnType<typeof entraRun> {
  const app = [
    check(
      'entra.app',
      'pass',
      `Entra has the enterprise app "dbt SCIM" (service principal ${SP_ID}).`,
    ),
    check('entra.app.template', 'pass', 'The app is a non-gallery app, as dbt’s page asks.'),
  ];
  const job = [check('entra.job', 'pass', 'The app has a provisioning job.')];
  const schema = [
    check(
      'schema.attribute.primary',
      'pass',
      'The attribute list has emails[type eq "work"].primary (Boolean, required).',
    ),
    check('entra.license', 'skip', 'License types are not sent from Entra.'),
  ];
  const run = (kind: string, checks: typeof app) => runResult({ kind, phase: 'verified', checks });
  return entraRun({
    phase: 'verified',
    changes: PLAN,
    checks: [...app, ...job, ...schema],
    runs: [run('entra.app', app), run('entra.job', job), run('entra.schema', schema)],
    saved: { spId: SP_ID, appId: APP_ID },
  });
}

describe('Entra step: review and apply', () => {
  it('reviews the plan, applies the reviewed change ids with progress, then the read-back', async () => {
    const fake = entraApi(entraProfile(), signedIn());
    fake.handle('entra:plan', () => entraRun({ changes: [...PLAN, ...SCHEMA_PLAN] }));
    const gate = slow(fake, 'entra:apply', () => {
      const p = fake.profiles[0]!;
      const next: ProfileDto = {
        ...p,
        entra: { ...p.entra!, spId: SP_ID, appId: APP_ID },
        steps: { ...p.steps, idp: { status: 'verified', updatedAt: AT } },
      };
      fake.profiles = [next];
      return appliedRun();
    });
    const { user } = renderApp(fake);
    await findRail();
    const section = await findSection('3. Review and apply');
    const review = await within(section).findByRole('button', { name: 'Review changes' });
    await waitFor(() => {
      expect(review).toBeEnabled();
    });
    await user.click(review);
    const plan = await within(section).findByRole('list', {
      name: 'Changes to the Entra app and its provisioning',
    });
    const lines = within(plan)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(lines).toEqual([
      'AddCreate the enterprise app "dbt SCIM" from the non-gallery template ("Integrate any other application you don\'t find in the gallery").',
      'AddThen: create the provisioning job, test the connection, save the credentials, set the attribute mappings.',
      'AddAdd attribute emails[type eq "work"].primary (Boolean, required).',
      'ChangeChange emails[type eq "work"].value from mail to userPrincipalName.',
      'RemoveRemove mapping title ← jobTitle.',
    ]);
    expect(section).toHaveTextContent('What will change in Entra');
    expect(section).toHaveTextContent('Plan ready: 5 changes. Nothing changes until you apply.');

    await user.click(within(section).getByRole('button', { name: 'Apply' }));
    expect(await within(section).findByText('Applying the changes in Entra…')).toBeVisible();
    fake.emit({
      type: 'progress',
      runId: 'r1',
      profileId: 'p1',
      step: 'idp',
      kind: 'entra.app',
      message: 'Waiting for Entra to finish creating the app… 12 s',
      elapsedMs: 12_000,
      at: new Date(Date.now() + 1000).toISOString(),
    });
    expect(
      await within(section).findByText('Waiting for Entra to finish creating the app… 12 s'),
    ).toBeVisible();
    fake.emit({
      type: 'phase',
      runId: 'r1',
      profileId: 'p1',
      step: 'idp',
      kind: 'entra.app',
      phase: 'verified',
      at: new Date(Date.now() + 2000).toISOString(),
    });
    // The activity log names the part of the setup each phase is about.
    const activity = await screen.findByRole('region', { name: 'Activity' });
    expect(
      await within(activity).findByText(/Identity provider: Entra ID: enterprise app, verified/),
    ).toBeVisible();
    expect(fake.callsTo('entra.apply')).toEqual([
      {
        profileId: 'p1',
        expectedChangeIds: [
          'app.create',
          'then',
          'schema.attr.primary',
          'schema.map.email',
          'schema.remove.title',
        ],
      },
    ]);
    gate.release();

    const appChecks = await within(section).findByRole('list', {
      name: 'Verification: Enterprise app',
    });
    expect(within(appChecks).getAllByRole('listitem')).toHaveLength(2);
    expect(
      within(section).getByRole('heading', { level: 3, name: 'Attribute mappings' }),
    ).toBeVisible();
    expect(section).toHaveTextContent(/Checks: 4 passed, 1 skipped · checked at \d\d:\d\d\./);
    expect(section).toHaveTextContent(/Verified at \d\d:\d\d/);

    // Deep links into the admin center, through the engine's opener.
    const overview = await within(section).findByRole('link', {
      name: /Open the app in the Microsoft Entra admin center/,
    });
    expect(overview).toHaveAttribute(
      'href',
      `https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/Overview/objectId/${SP_ID}/appId/${APP_ID}`,
    );
    await user.click(within(section).getByRole('link', { name: /Open its Provisioning page/ }));
    expect(fake.callsTo('shell.openExternal')).toEqual([
      {
        url: `https://entra.microsoft.com/#view/Microsoft_AAD_IAM/ManagedAppMenuBlade/~/ProvisioningManagement/objectId/${SP_ID}/appId/${APP_ID}`,
      },
    ]);

    // The calm note about license types, with the way to that step.
    expect(section).toHaveTextContent(
      'dbt does not take license types from Entra over SCIM: the License types step sets them through dbt’s SSO license maps.',
    );
    await user.click(within(section).getByRole('button', { name: 'Go to License types' }));
    expect(fake.callsTo('wizard.goto')).toEqual([{ profileId: 'p1', step: 'license' }]);
  });

  it('shows the new plan when Entra changed since the review', async () => {
    const fake = entraApi(entraProfile(), signedIn());
    fake.handle('entra:plan', () => entraRun({ changes: PLAN }));
    fake.handle('entra:apply', () => entraRun({ phase: 'planned', changes: SCHEMA_PLAN }));
    const { user } = renderApp(fake);
    await findRail();
    const section = await findSection('3. Review and apply');
    await user.click(await within(section).findByRole('button', { name: 'Review changes' }));
    await within(section).findByRole('list', {
      name: 'Changes to the Entra app and its provisioning',
    });
    await user.click(within(section).getByRole('button', { name: 'Apply' }));
    const alert = await within(section).findByText('Entra changed since you reviewed the plan');
    expect(alert).toBeVisible();
    const plan = within(section).getByRole('list', {
      name: 'Changes to the Entra app and its provisioning',
    });
    expect(plan).toHaveTextContent('Remove mapping title ← jobTitle.');
    expect(plan).not.toHaveTextContent('Create the enterprise app');
  });

  it('same-named apps: the admin picks one, which is saved with entra:connect, then reviewed again', async () => {
    const other = '99999999-8888-7777-6666-555555555555';
    const otherApp = 'ffffffff-eeee-dddd-cccc-bbbbbbbbbbbb';
    const fake = entraApi(entraProfile(), signedIn());
    const message = `Entra has 2 enterprise apps named "dbt SCIM": service principal ${SP_ID} (app id ${APP_ID}); service principal ${other} (app id ${otherApp}). Choose one: pass its id with --entra-app-id (or pick it in the wizard); it is then saved and used from now on.`;
    fake.handle('entra:plan', () =>
      entraRun({ phase: 'failed', error: { code: 'conflict', message } }),
    );
    const { user } = renderApp(fake);
    await findRail();
    const section = await findSection('3. Review and apply');
    await user.click(await within(section).findByRole('button', { name: 'Review changes' }));
    const chooser = await within(section).findByRole('form', { name: 'Choose the app to use' });
    expect(chooser).toHaveTextContent('Entra has 2 enterprise apps named "dbt SCIM".');
    expect(chooser).not.toHaveTextContent('--entra-app-id');
    expect(within(section).queryByRole('alert')).not.toBeInTheDocument();
    expect(section).toHaveTextContent('Choose the app to use');
    const radios = within(chooser).getAllByRole('radio');
    expect(radios).toHaveLength(3);
    expect(radios[0]).toBeChecked();
    await user.click(
      within(chooser).getByRole('radio', {
        name: `Service principal ${other} · app id ${otherApp}`,
      }),
    );

    fake.handle('entra:plan', () => entraRun({ changes: SCHEMA_PLAN }));
    await user.click(
      within(chooser).getByRole('button', { name: 'Use this app and review again' }),
    );
    await within(section).findByRole('list', {
      name: 'Changes to the Entra app and its provisioning',
    });
    expect(fake.callsTo('entra.connect')).toEqual([
      { profileId: 'p1', cloud: 'global', appName: 'dbt SCIM', spId: other },
    ]);
    expect(fake.callsTo('entra.plan')).toHaveLength(2);
    expect(within(section).queryByRole('form', { name: 'Choose the app to use' })).toBeNull();
  });

  it('same-named apps: an id can be typed when the list is not enough', async () => {
    const fake = entraApi(entraProfile(), signedIn());
    fake.handle('entra:plan', () =>
      entraRun({
        phase: 'failed',
        error: { code: 'conflict', message: 'Entra has 2 enterprise apps named "dbt SCIM".' },
      }),
    );
    const { user } = renderApp(fake);
    await findRail();
    const section = await findSection('3. Review and apply');
    await user.click(await within(section).findByRole('button', { name: 'Review changes' }));
    const chooser = await within(section).findByRole('form', { name: 'Choose the app to use' });
    // Nothing could be read from the message: it is shown whole.
    expect(chooser).toHaveTextContent('Entra has 2 enterprise apps named "dbt SCIM".');
    const field = within(chooser).getByRole('textbox', { name: 'Service principal (object) ID' });
    await user.type(field, 'nope');
    await user.click(
      within(chooser).getByRole('button', { name: 'Use this app and review again' }),
    );
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(fake.callsTo('entra.connect')).toEqual([]);
    await user.clear(field);
    await user.type(field, SP_ID);
    await user.click(
      within(chooser).getByRole('button', { name: 'Use this app and review again' }),
    );
    await waitFor(() => {
      expect(fake.callsTo('entra.connect')).toEqual([
        { profileId: 'p1', cloud: 'global', appName: 'dbt SCIM', spId: SP_ID },
      ]);
    });
  });
});

describe('Entra step: test with a real user', () => {
  it('sends the user principal name and explains each stage', async () => {
    const fake = entraApi(
      entraProfile({ cloud: 'global', appName: 'dbt SCIM', spId: SP_ID, appId: APP_ID }),
      signedIn(),
    );
    const skipped =
      'Entra skipped ada@contoso.com: the user is not assigned to the app (NotEffectivelyEntitled). Assign the user (or a group they belong to) under Users and groups, wait a minute and test again.';
    const gate = slow(fake, 'entra:testUser', () =>
      runResult({
        kind: 'entra.test-user',
        phase: 'failed',
        checks: [
          check('test-user.assigned', 'pass', 'ada@contoso.com is assigned to the app.'),
          check('test-user.provision', 'fail', skipped),
          check('test-user.in-dbt', 'fail', 'dbt has no user ada@contoso.com yet.'),
        ],
      }),
    );
    const { user } = renderApp(fake);
    await findRail();
    const section = await findSection('4. Test with a real user');
    const field = within(section).getByRole('textbox', { name: 'User principal name' });
    await user.type(field, 'ada');
    await user.click(within(section).getByRole('button', { name: 'Test with this user' }));
    expect(field).toHaveAttribute('aria-invalid', 'true');
    expect(fake.callsTo('entra.testUser')).toEqual([]);

    await user.type(field, '@contoso.com');
    await user.click(within(section).getByRole('button', { name: 'Test with this user' }));
    expect(
      await within(section).findByText(
        'Testing ada@contoso.com: assignment, provisioning on demand, read back from dbt…',
      ),
    ).toBeVisible();
    gate.release();
    const stages = await within(section).findByRole('list', { name: 'Stages of the test' });
    expect(
      within(stages)
        .getAllByRole('listitem')
        .map((li) => li.dataset.status),
    ).toEqual(['pass', 'fail', 'fail']);
    expect(stages).toHaveTextContent('Provision on demand');
    expect(stages).toHaveTextContent(skipped);
    expect(stages).toHaveTextContent('Read back from dbt');
    expect(section).toHaveTextContent('Failed');
    expect(fake.callsTo('entra.testUser')).toEqual([
      { profileId: 'p1', userPrincipalName: 'ada@contoso.com' },
    ]);

    fake.handle('entra:testUser', () =>
      runResult({
        kind: 'entra.test-user',
        phase: 'verified',
        checks: [
          check('test-user.assigned', 'pass', 'ada@contoso.com is assigned to the app.'),
          check(
            'test-user.provision',
            'pass',
            'Entra provisioned ada@contoso.com to dbt on demand.',
          ),
          check(
            'test-user.in-dbt',
            'pass',
            'dbt has the user ada@contoso.com over SCIM (active, Ada Lovelace).',
          ),
        ],
      }),
    );
    await user.click(within(section).getByRole('button', { name: 'Test with this user' }));
    expect(
      await within(section).findByText('ada@contoso.com went from Entra to dbt.'),
    ).toBeVisible();
    expect(section).toHaveTextContent(/Passed at \d\d:\d\d/);
  });

  it('waits for the app before it can test', async () => {
    renderApp(entraApi(entraProfile(), signedIn()));
    await findRail();
    const section = await findSection('4. Test with a real user');
    await waitFor(() => {
      expect(section).toHaveTextContent('Apply section 3 first: the test needs the app.');
    });
    expect(within(section).getByRole('button', { name: 'Test with this user' })).toBeDisabled();
  });
});

describe('Entra step: provisioning status', () => {
  it('shows a quarantine with its cause and what to do', async () => {
    const fake = entraApi(
      entraProfile({ cloud: 'global', appName: 'dbt SCIM', spId: SP_ID, appId: APP_ID }),
      signedIn(),
    );
    const quarantine =
      'The provisioning job is in quarantine (EncounteredQuarantineException). dbt refused the SCIM token: it was deleted or rotated, or SCIM is turned off in dbt. Create a new SCIM token in dbt (Account settings → SSO & SCIM) and save it in Entra.';
    fake.handle('entra:status', () => ({
      checks: [
        check('entra.app', 'pass', 'Entra has the enterprise app "dbt SCIM".'),
        check('credentials.connection', 'fail', 'Test connection failed: dbt refused the token.'),
        check('job.running', 'pass', 'Provisioning is on (status Quarantine).'),
        check('job.quarantine', 'fail', quarantine),
      ],
      saved: { spId: SP_ID, appId: APP_ID },
    }));
    const { user } = renderApp(fake);
    await findRail();
    const section = await findSection('5. Provisioning status');
    const button = within(section).getByRole('button', { name: 'Check status' });
    await waitFor(() => {
      expect(button).toBeEnabled();
    });
    await user.click(button);
    const job = await within(section).findByRole('list', { name: 'Provisioning job' });
    expect(
      within(job)
        .getAllByRole('listitem')
        .map((li) => li.dataset.status),
    ).toEqual(['pass', 'fail']);
    expect(job).toHaveTextContent('Quarantine');
    expect(job).toHaveTextContent(quarantine);
    expect(within(section).getByRole('list', { name: 'Also found' })).toHaveTextContent(
      'Test connection failed',
    );
    expect(section).toHaveTextContent(/In quarantine at \d\d:\d\d/);
    expect(fake.callsTo('entra.status')).toEqual([{ profileId: 'p1' }]);
  });
});
