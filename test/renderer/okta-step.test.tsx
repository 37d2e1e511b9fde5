import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProfileDto } from '../../electron/ipc/contract.js';
import { setApi } from '../../renderer/src/api/client.js';
import { Providers } from '../../renderer/src/Providers.js';
import { ConsoleSection } from '../../renderer/src/steps/okta/ConsoleSection.js';
import { EMPTY_OKTA_VIEW, resetOktaStore, useOktaStore } from '../../renderer/src/store/okta.js';
import { useWizardStore } from '../../renderer/src/store/wizard.js';
import { check, secret, slow } from './dbt-fixtures.js';
import {
  FakeApi,
  makeProfile,
  oktaApp,
  oktaConsoleItem,
  oktaRun,
  oktaSignedIn,
} from './fake-api.js';
import { findRail, renderApp } from './render.js';

const ORG = 'https://acme.okta.com';
const APP_ID = '0oa1dbtsaml';
const SCIM_TOKEN = 'dbtc-scim-secret-token-WXYZ';

type Okta = NonNullable<ProfileDto['okta']>;

function oktaProfile(
  okta: Okta | null = { orgUrl: ORG, signIn: { method: 'pkce', clientId: '0oanative1' } },
  over: Partial<Omit<ProfileDto, 'steps'>> = {},
): ProfileDto {
  return makeProfile({
    id: 'p1',
    idp: 'okta',
    currentStep: 'idp',
    steps: { prerequisites: 'verified', dbt: 'verified' },
    dbt: {
      apiUrl: 'https://ab123.us1.dbt.com',
      accountId: 12345,
      scimUrl: 'https://ab123.us1.dbt.com/api/scim/v2/accounts/12345',
    },
    ...(okta ? { okta } : {}),
    ...over,
  });
}

/** An Okta profile with the app chosen and the admin signed in. */
function readyApi(okta: Partial<Okta> = {}, over: Partial<Omit<ProfileDto, 'steps'>> = {}) {
  const fake = new FakeApi({
    profiles: [
      oktaProfile(
        {
          orgUrl: ORG,
          signIn: { method: 'pkce', clientId: '0oanative1' },
          appId: APP_ID,
          appLabel: 'dbt Cloud',
          appName: 'acme_dbtcloud_1',
          ...okta,
        },
        over,
      ),
    ],
  });
  fake.secrets.set('p1', [secret('dbt.scim-token', 'WXYZ')]);
  fake.okta.account = oktaSignedIn();
  return fake;
}

function section(name: string | RegExp): HTMLElement {
  return screen.getByRole('region', { name });
}

function findSection(name: string | RegExp): Promise<HTMLElement> {
  return screen.findByRole('region', { name });
}

/** Everything the renderer holds, as text: the stores must never keep a secret. */
function rendererState(): string {
  return JSON.stringify([useOktaStore.getState(), useWizardStore.getState()]);
}

afterEach(() => {
  resetOktaStore();
  vi.useRealTimers();
});

describe('Okta IdP step: layout', () => {
  it('shows the overview, then the six sections as h2 in order', async () => {
    renderApp(readyApi());
    await findRail();
    await screen.findByRole('heading', { level: 2, name: '1. Connect and sign in' });
    expect(screen.getAllByRole('heading', { level: 1 }).map((h) => h.textContent)).toEqual([
      'Identity provider: Okta',
    ]);
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual([
      'What you need',
      'What the wizard will do',
      '1. Connect and sign in',
      '2. The dbt SSO app',
      '3. Console steps',
      '4. Review and apply',
      '5. Groups to push',
      '6. Existing integrations',
    ]);
  });

  it('says what each later section waits for before sign-in', async () => {
    const fake = new FakeApi({ profiles: [oktaProfile(null)] });
    renderApp(fake);
    await findRail();
    const app = await findSection('2. The dbt SSO app');
    expect(app).toHaveTextContent('Connect to your Okta org first (section 1).');
    expect(section('3. Console steps')).toHaveTextContent('Connect to your Okta org first');
    expect(section('4. Review and apply')).toHaveTextContent('Connect to your Okta org first');
    expect(
      within(section('4. Review and apply')).getByRole('button', { name: 'Review changes' }),
    ).toBeDisabled();
    expect(fake.callsTo('okta.findApps')).toEqual([]);
    expect(fake.callsTo('okta.console')).toEqual([]);
  });

  it('leaves the Entra screen alone', async () => {
    const fake = new FakeApi({ profiles: [oktaProfile(null, { idp: 'entra' })] });
    renderApp(fake);
    await findRail();
    await screen.findByRole('heading', { level: 2, name: '1. Microsoft Entra tenant' });
    expect(screen.queryByRole('region', { name: '1. Connect and sign in' })).toBeNull();
    expect(fake.calls.filter((c) => c.method.startsWith('okta.'))).toEqual([]);
  });
});

describe('Okta IdP step: connect and sign in', () => {
  it('offers three sign-in methods, the admin’s own account first and chosen', async () => {
    renderApp(new FakeApi({ profiles: [oktaProfile(null)] }));
    await findRail();
    const s = await findSection('1. Connect and sign in');
    const radios = within(s).getAllByRole('radio');
    expect(radios.map((r) => r.getAttribute('aria-label'))).toEqual([
      'Sign in with your Okta account (recommended)',
      'Service app (private key)',
      'API token',
    ]);
    expect(radios[0]).toHaveAttribute('aria-checked', 'true');
    expect(radios[0]).toHaveAccessibleDescription(/never sees your password/);
  });

  it('pkce: saves the org (an -admin URL is normalised), then signs in through the browser', async () => {
    const fake = new FakeApi({ profiles: [oktaProfile(null)] });
    const gate = slow(fake, 'okta:signIn', () => oktaSignedIn());
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('1. Connect and sign in');

    // Nothing is sent without the Client ID of the Native app.
    await user.type(
      within(s).getByRole('textbox', { name: 'Okta org URL' }),
      'https://acme-admin.okta.com',
    );
    await user.click(within(s).getByRole('button', { name: 'Sign in with Okta' }));
    const clientId = within(s).getByRole('textbox', { name: 'Client ID of the Native app' });
    expect(clientId).toHaveAttribute('aria-invalid', 'true');
    expect(fake.callsTo('okta.connect')).toEqual([]);

    await user.type(clientId, '0oanative1');
    await user.click(within(s).getByRole('button', { name: 'Sign in with Okta' }));
    expect(
      await within(s).findByText('Waiting for you to finish signing in in your browser…'),
    ).toBeVisible();
    expect(s).toHaveTextContent('Waiting for you');
    expect(fake.callsTo('okta.connect')).toEqual([
      {
        profileId: 'p1',
        orgUrl: 'https://acme-admin.okta.com',
        signInMethod: 'pkce',
        clientId: '0oanative1',
      },
    ]);
    expect(fake.callsTo('okta.signIn')).toEqual([{ profileId: 'p1' }]);
    // The engine's note about the -admin address is shown.
    expect(within(s).getByRole('list', { name: 'Notes about the Okta org' })).toHaveTextContent(
      'https://acme-admin.okta.com is the Admin Console address; the wizard uses https://acme.okta.com.',
    );

    gate.release();
    expect(await within(s).findByText('Signed in as admin@acme.com')).toBeVisible();
    const facts = within(s).getByText('Okta org').closest('dl')!;
    expect(facts).toHaveTextContent(ORG);
    expect(facts).toHaveTextContent('Your Okta account, signed in through your browser');
    expect(facts).toHaveTextContent('okta.apps.manage');
    expect(facts).toHaveTextContent(/Expires/);
    expect(s).toHaveTextContent('Super Administrator: enough for every step.');
    expect(s).toHaveTextContent('Signed in');

    await user.click(within(s).getByRole('button', { name: 'Sign out' }));
    expect(await within(s).findByRole('button', { name: 'Sign in with Okta' })).toBeEnabled();
    expect(fake.callsTo('okta.signOut')).toEqual([{ profileId: 'p1' }]);
  });

  it('pkce: the one-time registration guide, collapsed by default, with values to copy', async () => {
    const { user } = renderApp(new FakeApi({ profiles: [oktaProfile(null)] }));
    await findRail();
    const s = await findSection('1. Connect and sign in');
    const toggle = await within(s).findByRole('button', {
      name: 'How to register the wizard’s Native app in Okta (once per org)',
    });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    expect(s).toHaveTextContent('Create a Native app');
    expect(within(s).getByRole('textbox', { name: 'Sign-in redirect URI' })).toHaveValue(
      'http://127.0.0.1:53682/callback',
    );
    const scopes = within(s).getByRole('list', { name: 'Okta API scopes to grant' });
    expect(within(scopes).getAllByRole('listitem')).toHaveLength(6);
    expect(scopes).toHaveTextContent(
      'okta.schemas.manageCopyTo add the licenseType attribute to the app user profile.',
    );
    expect(within(s).getByRole('button', { name: 'Copy okta.groups.manage' })).toBeVisible();
  });

  it('token: shows both warnings before anything is pasted, and keeps no token after sending', async () => {
    const fake = new FakeApi({ profiles: [oktaProfile(null)] });
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('1. Connect and sign in');
    await user.click(within(s).getByRole('radio', { name: 'API token' }));

    const field = within(s).getByLabelText('Okta API token');
    expect(field).toHaveValue('');
    const warnings = within(s).getByRole('list', { name: 'Before you paste an API token' });
    expect(warnings).toHaveTextContent('Not scoped.');
    expect(warnings).toHaveTextContent('Revoke it when you are done.');
    // The warnings come before the field, in reading order.
    expect(warnings.compareDocumentPosition(field) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();

    // Empty token: refused in the window, nothing sent.
    await user.type(within(s).getByRole('textbox', { name: 'Okta org URL' }), ORG);
    await user.click(within(s).getByRole('button', { name: 'Use this token' }));
    expect(within(s).getByLabelText('Okta API token')).toHaveAccessibleDescription(
      'Paste the API token.',
    );
    expect(fake.callsTo('okta.useToken')).toEqual([]);

    const token = '00aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789ab';
    await user.type(within(s).getByLabelText('Okta API token'), token);
    await user.click(within(s).getByRole('button', { name: 'Use this token' }));
    expect(await within(s).findByText('Signed in as admin@acme.com')).toBeVisible();
    expect(fake.callsTo('okta.connect')).toEqual([
      { profileId: 'p1', orgUrl: ORG, signInMethod: 'token' },
    ]);
    expect(fake.callsTo('okta.useToken')).toEqual([{ profileId: 'p1', apiToken: token }]);
    expect(within(s).getByRole('list', { name: 'Notes about the sign-in' })).toHaveTextContent(
      'Revoke the API token in Security › API › Tokens when you are done.',
    );
    expect(rendererState()).not.toContain(token);
    expect(document.body.innerHTML).not.toContain(token);
  });

  it('service app: sends the client id and key id with the connection, the key once', async () => {
    const fake = new FakeApi({ profiles: [oktaProfile(null)] });
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('1. Connect and sign in');
    await user.click(within(s).getByRole('radio', { name: 'Service app (private key)' }));
    await user.type(within(s).getByRole('textbox', { name: 'Okta org URL' }), ORG);
    await user.type(
      within(s).getByRole('textbox', { name: 'Client ID of the service app' }),
      '0oaservice9',
    );
    await user.type(within(s).getByRole('textbox', { name: 'Key ID (kid)' }), 'kid-2026');

    await user.click(within(s).getByRole('button', { name: 'Sign in with this key' }));
    expect(within(s).getByLabelText('Private key')).toHaveAccessibleDescription(
      /Paste the private key \(PEM or JWK\)\./,
    );
    expect(fake.callsTo('okta.useServiceKey')).toEqual([]);

    const key = '{"kty":"RSA","d":"very-private-exponent","n":"modulus"}';
    await user.click(within(s).getByLabelText('Private key'));
    await user.paste(key);
    await user.click(within(s).getByRole('button', { name: 'Sign in with this key' }));
    expect(await within(s).findByText('Signed in as 0oaservice9')).toBeVisible();
    expect(fake.callsTo('okta.connect')).toEqual([
      {
        profileId: 'p1',
        orgUrl: ORG,
        signInMethod: 'service',
        clientId: '0oaservice9',
        keyId: 'kid-2026',
      },
    ]);
    expect(fake.callsTo('okta.useServiceKey')).toEqual([{ profileId: 'p1', privateKey: key }]);
    expect(s).toHaveTextContent('Service app with a private key');
    expect(rendererState()).not.toContain('very-private-exponent');
    expect(document.body.innerHTML).not.toContain('very-private-exponent');
  });

  it('names each missing scope with where to grant it, and an insufficient role as a warning', async () => {
    const fake = readyApi();
    fake.okta.account = oktaSignedIn({
      grantedScopes: ['okta.apps.manage', 'okta.users.read', 'okta.roles.read'],
      missingScopes: ['okta.schemas.manage', 'okta.logs.read'],
      roleVerdict: 'insufficient',
      roles: ['APP_ADMIN'],
      roleMessage:
        'App Administrator may not edit the app user profile or push groups: ask a Super Administrator to assign you Org Administrator.',
    });
    renderApp(fake);
    await findRail();
    const s = await findSection('1. Connect and sign in');
    const missing = await within(s).findByRole('list', { name: 'Missing scopes' });
    expect(
      within(missing)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      'okta.schemas.manage to add the licenseType attribute to the app user profile.',
      "okta.logs.read to read the System Log for the app's provisioning errors.",
    ]);
    expect(s).toHaveTextContent(/“Okta API Scopes” and chooses “Grant”/);
    expect(s).toHaveTextContent('Your Okta admin role is not enough for every step');
    expect(s).toHaveTextContent('ask a Super Administrator to assign you Org Administrator.');
    expect(s).toHaveTextContent('APP_ADMIN');
    expect(s).toHaveTextContent('Signed in, scopes missing');
  });

  it('says so when the role could not be read', async () => {
    const fake = readyApi();
    fake.okta.account = oktaSignedIn({
      roleVerdict: 'unknown',
      roles: [],
      roleMessage:
        'Okta did not say which admin roles you hold (okta.roles.read needs a Super Administrator).',
    });
    renderApp(fake);
    await findRail();
    const s = await findSection('1. Connect and sign in');
    expect(
      await within(s).findByText('The wizard could not confirm your Okta admin role'),
    ).toBeVisible();
    expect(s).toHaveTextContent('Okta did not say which admin roles you hold');
    expect(s).toHaveTextContent('Signed in, check your role');
  });
});

describe('Okta IdP step: the dbt SSO app', () => {
  it('lists the apps, disables the unsuitable ones with the reason, and saves the choice', async () => {
    const fake = readyApi({ appId: undefined, appLabel: undefined, appName: undefined });
    fake.okta.apps = [
      oktaApp(),
      oktaApp({
        id: '0oa2old',
        label: 'dbt (old)',
        status: 'INACTIVE',
        unsuitable: 'The app is inactive.',
      }),
      oktaApp({
        id: '0oa3dash',
        label: 'dbt Docs',
        signOnMode: 'BOOKMARK',
        unsuitable: 'It is not a SAML 2.0 app.',
      }),
    ];
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('2. The dbt SSO app');
    expect(await within(s).findByText('3 apps found.')).toBeVisible();
    expect(fake.callsTo('okta.findApps')).toEqual([{ profileId: 'p1' }]);

    const group = within(s).getByRole('radiogroup', { name: 'Apps in your Okta org' });
    const cards = within(group).getAllByRole('radio');
    expect(cards).toHaveLength(3);
    expect(within(group).getByRole('radio', { name: 'dbt Cloud' })).toBeEnabled();
    expect(within(group).getByRole('radio', { name: 'dbt Cloud' })).toHaveAccessibleDescription(
      `${APP_ID} · SAML 2.0 · Active`,
    );
    const old = within(group).getByRole('radio', { name: 'dbt (old)' });
    expect(old).toBeDisabled();
    expect(old).toHaveAccessibleDescription(
      '0oa2old · SAML 2.0 · Inactive Cannot be used: The app is inactive.',
    );
    expect(within(group).getByRole('radio', { name: 'dbt Docs' })).toBeDisabled();
    expect(s).toHaveTextContent('Cannot be used: It is not a SAML 2.0 app.');

    await user.type(within(s).getByRole('textbox', { name: 'App label' }), 'dbt');
    await user.click(within(s).getByRole('button', { name: 'Search' }));
    await waitFor(() => {
      expect(fake.callsTo('okta.findApps')).toEqual([
        { profileId: 'p1' },
        { profileId: 'p1', query: 'dbt' },
      ]);
    });

    await user.click(within(s).getByRole('radio', { name: 'dbt Cloud' }));
    await user.click(within(s).getByRole('button', { name: 'Use this app' }));
    expect(await within(s).findByText('Using dbt Cloud')).toBeVisible();
    expect(fake.callsTo('okta.chooseApp')).toEqual([{ profileId: 'p1', appId: APP_ID }]);
    expect(s).toHaveTextContent('sends the email address as the application username');
  });

  it('explains the username conflict and asks for an explicit confirmation while SCIM is off', async () => {
    const fake = readyApi();
    fake.okta.apps = [
      oktaApp({ userNameFormat: 'okta_id', userNameTemplate: '${source.id}', features: [] }),
    ];
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('2. The dbt SSO app');
    const box = await within(s).findByRole('group', {
      name: 'The application username format is not Email',
    });
    expect(box).toHaveTextContent('the Okta user id (as dbt’s SSO guide sets it up)');
    expect(box).toHaveTextContent('dbt’s SCIM needs Email');
    expect(box).toHaveTextContent('changes the SAML subject (NameID)');
    expect(box).toHaveTextContent('It can be changed safely only before SCIM is on.');
    expect(box).toHaveTextContent('can reset the app’s provisioning settings');
    expect(s).toHaveTextContent('Username format is not Email');

    const tick = within(box).getByRole('checkbox', { name: /I understand/ });
    const change = within(box).getByRole('button', { name: 'Change the username format to Email' });
    // Never the default: the box is unticked and the button waits for it.
    expect(tick).not.toBeChecked();
    expect(change).toBeDisabled();
    await user.click(tick);
    await user.click(change);
    expect(await within(box).findByText(/You confirmed the change to Email/)).toBeVisible();
    expect(fake.callsTo('okta.confirmUserNameChange')).toEqual([
      { profileId: 'p1', confirm: true },
    ]);
    expect(s).toHaveTextContent('Username change confirmed');

    await user.click(within(box).getByRole('button', { name: 'Withdraw the confirmation' }));
    await waitFor(() => {
      expect(fake.callsTo('okta.confirmUserNameChange')).toEqual([
        { profileId: 'p1', confirm: true },
        { profileId: 'p1', confirm: false },
      ]);
    });
  });

  it('offers no confirmation once SCIM is on: only the console can change it', async () => {
    const fake = readyApi();
    fake.okta.apps = [oktaApp({ userNameFormat: 'okta_id', features: ['SCIM_PROVISIONING'] })];
    renderApp(fake);
    await findRail();
    const s = await findSection('2. The dbt SSO app');
    const box = await within(s).findByRole('group', {
      name: 'The application username format is not Email',
    });
    expect(box).toHaveTextContent('SCIM provisioning is already on for this app');
    expect(box).toHaveTextContent('“Application username format” to “Email”');
    expect(within(box).queryByRole('checkbox')).toBeNull();
    expect(within(box).queryByRole('button', { name: /Change the username format/ })).toBeNull();
  });
});

describe('Okta IdP step: console steps', () => {
  let visibility: DocumentVisibilityState = 'visible';

  beforeEach(() => {
    visibility = 'visible';
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => visibility,
    });
  });

  afterEach(() => {
    Reflect.deleteProperty(document, 'visibilityState');
  });

  function setVisibility(next: DocumentVisibilityState): void {
    visibility = next;
    document.dispatchEvent(new Event('visibilitychange'));
  }

  /** The console section alone, with the admin signed in and the app chosen, on fake timers. */
  function renderConsole(fake: FakeApi) {
    vi.useFakeTimers({ now: new Date('2026-11-29T10:42:00.000Z') });
    setApi(fake.api);
    const profile = fake.profiles[0]!;
    useWizardStore.setState({ profiles: [profile], activeProfileId: profile.id, load: 'ready' });
    useOktaStore.setState({
      views: { p1: { ...EMPTY_OKTA_VIEW, account: oktaSignedIn() } },
    });
    const view = render(
      <Providers env="test">
        <ConsoleSection profile={profile} />
      </Providers>,
    );
    return { view };
  }

  async function elapse(ms: number): Promise<void> {
    await act(async () => {
      await vi.advanceTimersByTimeAsync(ms);
    });
  }

  it('checks every 5 s only while mounted and visible, and tells which steps were first shown', async () => {
    const fake = readyApi();
    fake.okta.consoleItems = [
      oktaConsoleItem({ id: 'okta.console.scim', title: 'Turn on SCIM provisioning' }),
      oktaConsoleItem({ id: 'okta.console.integration', title: 'Connect Okta to dbt' }),
    ];
    const { view } = renderConsole(fake);
    await elapse(0);
    expect(fake.callsTo('okta.console')).toEqual([{ profileId: 'p1' }]);
    expect(screen.getAllByText('Waiting for Okta (checking every 5 s)')).toHaveLength(2);

    await elapse(4999);
    expect(fake.callsTo('okta.console')).toHaveLength(1);
    await elapse(1);
    await elapse(5000);
    // One newly shown step per read, in order.
    expect(fake.callsTo('okta.console')).toEqual([
      { profileId: 'p1' },
      { profileId: 'p1', shown: 'okta.console.scim' },
      { profileId: 'p1', shown: 'okta.console.integration' },
    ]);

    // Hidden: no reads, however long; visible again: reads resume.
    setVisibility('hidden');
    await elapse(60_000);
    expect(fake.callsTo('okta.console')).toHaveLength(3);
    expect(screen.getByText('Checking is paused while this window is hidden.')).toBeVisible();
    setVisibility('visible');
    await elapse(0);
    expect(fake.callsTo('okta.console')).toHaveLength(4);

    // Unmounted: no more reads.
    view.unmount();
    await elapse(60_000);
    expect(fake.callsTo('okta.console')).toHaveLength(4);
  });

  it('honours the engine’s nextCheckAt when it asks for a longer wait', async () => {
    const fake = readyApi();
    fake.okta.consoleEveryMs = 12_000;
    renderConsole(fake);
    await elapse(0);
    await elapse(11_999);
    expect(fake.callsTo('okta.console')).toHaveLength(1);
    await elapse(1);
    expect(fake.callsTo('okta.console')).toHaveLength(2);
  });

  it('turns "Waiting for Okta" into "Verified at" in a polite live region, with the step’s details', async () => {
    const fake = readyApi();
    const item = oktaConsoleItem({
      id: 'okta.console.integration',
      title: 'Connect Okta to dbt',
      instructions: [
        'Open the “Provisioning” tab and choose “Integration”, then “Edit”.',
        'Paste the SCIM base URL into “SCIM connector base URL”.',
      ],
      values: [
        {
          label: 'SCIM connector base URL',
          value: 'https://ab123.us1.dbt.com/api/scim/v2/accounts/12345',
        },
      ],
      link: {
        label: 'Open the app’s Provisioning tab',
        url: `${ORG.replace('acme', 'acme-admin')}/admin/app/acme_dbtcloud_1/instance/${APP_ID}/#tab-provisioning`,
      },
    });
    fake.okta.consoleItems = [item];
    renderConsole(fake);
    await elapse(0);

    const entry = screen.getByRole('listitem', { name: /Connect Okta to dbt/ });
    const steps = within(entry).getByRole('list', { name: 'What to do: Connect Okta to dbt' });
    expect(within(steps).getAllByRole('listitem')[0]).toHaveTextContent(
      'Open the “Provisioning” tab and choose “Integration”, then “Edit”.',
    );
    expect(within(entry).getByRole('textbox', { name: 'SCIM connector base URL' })).toHaveValue(
      'https://ab123.us1.dbt.com/api/scim/v2/accounts/12345',
    );
    expect(within(entry).getByRole('textbox', { name: 'SCIM connector base URL' })).toHaveAttribute(
      'readonly',
    );
    expect(
      within(entry).getByRole('button', { name: 'Copy SCIM connector base URL' }),
    ).toBeVisible();
    expect(
      within(entry).getByRole('img', { name: /“Integration” \(the last entry\) is outlined/ }),
    ).toBeVisible();

    // userEvent waits on real timers; a plain click keeps the fake clock in charge.
    fireEvent.click(within(entry).getByRole('button', { name: /Open the app’s Provisioning tab/ }));
    await elapse(0);
    expect(fake.callsTo('shell.openExternal')).toEqual([{ url: item.link!.url }]);

    const waiting = within(entry).getByText('Waiting for Okta (checking every 5 s)');
    const live = waiting.closest('[aria-live="polite"]');
    expect(live).not.toBeNull();

    fake.okta.consoleItems = [
      {
        ...item,
        status: 'pass',
        message: 'Okta shows the connection saved.',
        verifiedAt: '2026-11-29T10:43:10.000Z',
      },
    ];
    await elapse(5000);
    const verifiedAt = new Date('2026-11-29T10:43:10.000Z');
    const hhmm = `${String(verifiedAt.getHours()).padStart(2, '0')}:${String(verifiedAt.getMinutes()).padStart(2, '0')}`;
    expect(live).toHaveTextContent(`Verified at ${hhmm}`);
    expect(screen.getByRole('region', { name: '3. Console steps' })).toHaveTextContent(
      'All verified',
    );
    // Every step verified: the checks stop.
    await elapse(30_000);
    expect(fake.callsTo('okta.console')).toHaveLength(2);
    expect(
      screen.getByText('Every console step is verified; the wizard stopped checking.'),
    ).toBeVisible();
    // A verified step folds to its title and check; its steps stay one click away.
    const done = screen.getByRole('listitem', { name: /Connect Okta to dbt/ });
    expect(
      within(done).queryByRole('list', { name: 'What to do: Connect Okta to dbt' }),
    ).not.toBeInTheDocument();
    const toggle = within(done).getByRole('button', { name: 'Show the steps again' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    fireEvent.click(toggle);
    expect(
      within(done).getByRole('list', { name: 'What to do: Connect Okta to dbt' }),
    ).toBeVisible();
    expect(within(done).getByRole('button', { name: 'Hide the steps' })).toHaveAttribute(
      'aria-expanded',
      'true',
    );
  });

  it('shows a failing check as an error callout with Okta’s words', async () => {
    const fake = readyApi();
    fake.okta.consoleItems = [
      oktaConsoleItem({
        status: 'fail',
        message:
          'Okta’s System Log shows an authentication failure against dbt: paste the current SCIM token.',
      }),
    ];
    renderConsole(fake);
    await elapse(0);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent('paste the current SCIM token');
  });

  it('copies the SCIM token in the engine: last four, the time it is cleared, a countdown', async () => {
    const writeText = vi.fn(() => Promise.resolve());
    Object.defineProperty(navigator, 'clipboard', { configurable: true, value: { writeText } });
    const fake = readyApi();
    fake.okta.scimToken = SCIM_TOKEN;
    fake.okta.consoleItems = [
      oktaConsoleItem({
        id: 'okta.console.integration',
        title: 'Connect Okta to dbt',
        needsToken: true,
      }),
    ];
    renderConsole(fake);
    await elapse(0);
    fireEvent.click(screen.getByRole('button', { name: 'Copy the SCIM token' }));
    await elapse(0);

    expect(fake.callsTo('okta.copyScimToken')).toEqual([{ profileId: 'p1' }]);
    const clears = new Date(Date.parse('2026-11-29T10:42:00.000Z') + 60_000);
    const pad = (n: number) => String(n).padStart(2, '0');
    const hhmmss = `${pad(clears.getHours())}:${pad(clears.getMinutes())}:${pad(clears.getSeconds())}`;
    const notice = screen.getByText(`Copied (…WXYZ). The clipboard is cleared at ${hhmmss}.`);
    expect(notice.closest('[aria-live="polite"]')).not.toBeNull();
    expect(screen.getByRole('button', { name: 'Copy the SCIM token' })).toBeDisabled();
    expect(screen.getByTestId('okta-token-countdown')).toHaveTextContent('60 s left');
    await elapse(1000);
    expect(screen.getByTestId('okta-token-countdown')).toHaveTextContent('59 s left');

    await elapse(60_000);
    expect(
      screen.getByText(
        `The clipboard was cleared at ${hhmmss}. Copy the token again if you still need it.`,
      ),
    ).toBeVisible();
    expect(screen.getByRole('button', { name: 'Copy the SCIM token' })).toBeEnabled();

    // The renderer never had the token: not in the page, not in a store, not on its clipboard.
    expect(document.body.innerHTML).not.toContain(SCIM_TOKEN);
    expect(rendererState()).not.toContain(SCIM_TOKEN);
    expect(writeText).not.toHaveBeenCalled();
    Reflect.deleteProperty(navigator, 'clipboard');
  });
});

describe('Okta IdP step: review and apply', () => {
  it('lists the changes and the open console steps, applies exactly them, then reads back', async () => {
    const fake = readyApi();
    const openStep = oktaConsoleItem({
      id: 'okta.console.to-app',
      title: 'Turn on the To App actions',
      message: 'Okta does not show “Create Users” on yet.',
    });
    fake.okta.plan = oktaRun({
      changes: [
        {
          id: 'okta.license.attribute',
          action: 'add',
          target: 'app user schema',
          detail: 'add the licenseType attribute (string; it, analyst, developer, read_only)',
        },
        {
          id: 'okta.group-push.00g1',
          action: 'add',
          target: 'group push',
          detail: 'push the Okta group Analysts to the dbt group Analysts',
        },
      ],
      console: [openStep, oktaConsoleItem({ id: 'okta.console.scim', status: 'pass' })],
    });
    fake.okta.verified = oktaRun({
      phase: 'verified',
      checks: [
        check(
          'okta.license.attribute',
          'pass',
          'The licenseType attribute is in the app user profile.',
        ),
        check('okta.group-push.00g1', 'pass', 'Okta pushes Analysts to dbt.'),
      ],
    });
    const gate = slow(fake, 'okta:apply', () => oktaRun({ phase: 'applied' }));
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('4. Review and apply');
    await user.click(within(s).getByRole('button', { name: 'Review changes' }));
    const changes = await within(s).findByRole('list', { name: 'Changes to the dbt app in Okta' });
    expect(
      within(changes)
        .getAllByRole('listitem')
        .map((li) => li.textContent),
    ).toEqual([
      'AddAdd the licenseType attribute (string; it, analyst, developer, read_only).',
      'AddPush the Okta group Analysts to the dbt group Analysts.',
    ]);
    const open = within(s).getByRole('list', {
      name: 'Still to do in the Okta Admin Console (section 3)',
    });
    expect(within(open).getAllByRole('listitem')).toHaveLength(1);
    expect(open).toHaveTextContent(
      'Turn on the To App actions — Okta does not show “Create Users” on yet.',
    );

    await user.click(within(s).getByRole('button', { name: 'Apply' }));
    expect(await within(s).findByText('Applying the changes in Okta…')).toBeVisible();
    expect(fake.callsTo('okta.apply')).toEqual([
      { profileId: 'p1', expectedChangeIds: ['okta.license.attribute', 'okta.group-push.00g1'] },
    ]);
    gate.release();
    const checks = await within(s).findByRole('list', { name: 'Verification in Okta' });
    expect(within(checks).getAllByRole('listitem')).toHaveLength(2);
    expect(fake.callsTo('okta.verify')).toEqual([{ profileId: 'p1' }]);
    expect(s).toHaveTextContent(/Checks: 2 passed · checked at \d\d:\d\d\./);
    expect(s).toHaveTextContent(/Verified at \d\d:\d\d/);
  });

  it('shows the new plan instead of applying when Okta changed since the review', async () => {
    const fake = readyApi();
    fake.okta.plan = oktaRun({
      changes: [
        {
          id: 'okta.license.attribute',
          action: 'add',
          target: 'schema',
          detail: 'add the licenseType attribute',
        },
      ],
    });
    fake.okta.applied = oktaRun({
      phase: 'planned',
      changes: [
        {
          id: 'okta.license.values',
          action: 'change',
          target: 'schema',
          detail: 'add read_only to the licenseType values',
        },
      ],
    });
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('4. Review and apply');
    await user.click(within(s).getByRole('button', { name: 'Review changes' }));
    await user.click(await within(s).findByRole('button', { name: 'Apply' }));
    expect(await within(s).findByText('Okta changed since you reviewed the plan')).toBeVisible();
    expect(s).toHaveTextContent('Add read_only to the licenseType values.');
    expect(fake.callsTo('okta.verify')).toEqual([]);
  });
});

describe('Okta IdP step: groups to push', () => {
  it('checks each target name against dbt: match, case (with a one-click fix), new', async () => {
    const fake = readyApi();
    fake.okta.oktaGroups = [
      { id: '00g1', name: 'Analysts', type: 'OKTA_GROUP', imported: false },
      { id: '00g2', name: 'data-engineers', type: 'OKTA_GROUP', imported: false },
      { id: '00g3', name: 'Marketing', type: 'OKTA_GROUP', imported: false },
    ];
    fake.okta.dbtGroups = [
      { id: 1, name: 'Analysts' },
      { id: 2, name: 'Data-Engineers' },
    ];
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('5. Groups to push');
    await user.click(await within(s).findByRole('checkbox', { name: 'Push Analysts' }));
    await user.click(within(s).getByRole('checkbox', { name: 'Push data-engineers' }));
    await user.click(within(s).getByRole('checkbox', { name: 'Push Marketing' }));
    expect(fake.callsTo('okta.groups')).toEqual([{ profileId: 'p1' }]);

    const picks = within(s).getByRole('list', { name: 'Groups to push (3)' });
    const rows = within(picks).getAllByRole('listitem');
    expect(rows.map((r) => r.getAttribute('data-alignment'))).toEqual(['match', 'case', 'new']);
    expect(rows[0]).toHaveTextContent('Matches the dbt group “Analysts”.');
    expect(rows[1]).toHaveTextContent('dbt has “Data-Engineers”, which differs only in case.');
    expect(rows[1]).toHaveTextContent('“data-engineers” would become a second dbt group');
    expect(rows[2]).toHaveTextContent(
      'dbt has no group “Marketing” yet: dbt will get a new group.',
    );
    // Each target defaults to the Okta group's name.
    expect(
      within(rows[2]!).getByRole('textbox', { name: 'dbt group name for Marketing' }),
    ).toHaveValue('Marketing');

    await user.click(within(rows[1]!).getByRole('button', { name: 'Use “Data-Engineers”' }));
    expect(
      within(rows[1]!).getByRole('textbox', { name: 'dbt group name for data-engineers' }),
    ).toHaveValue('Data-Engineers');
    expect(rows[1]).toHaveAttribute('data-alignment', 'match');

    await user.click(within(s).getByRole('button', { name: 'Save the groups to push' }));
    expect(
      await within(s).findByText('Saved. Review and apply the group pushes in section 4.'),
    ).toBeVisible();
    expect(fake.callsTo('okta.pickGroups')).toEqual([
      {
        profileId: 'p1',
        picks: [
          { oktaGroupId: '00g1', oktaGroupName: 'Analysts', targetGroupName: 'Analysts' },
          {
            oktaGroupId: '00g2',
            oktaGroupName: 'data-engineers',
            targetGroupName: 'Data-Engineers',
          },
          { oktaGroupId: '00g3', oktaGroupName: 'Marketing', targetGroupName: 'Marketing' },
        ],
      },
    ]);
    expect(fake.callsTo('okta.groups')).toHaveLength(2);
  });

  it('shows how Okta pushes the saved groups, and refuses an empty dbt name', async () => {
    const fake = readyApi({
      groupPushes: [
        { oktaGroupId: '00g1', oktaGroupName: 'Analysts', targetGroupName: 'Analysts' },
        { oktaGroupId: '00g9', oktaGroupName: 'Finance', targetGroupName: 'Finance' },
      ],
    });
    fake.okta.dbtGroups = null;
    fake.okta.mappings = [
      { sourceGroupId: '00g1', status: 'ACTIVE', errorSummary: null },
      {
        sourceGroupId: '00g9',
        status: 'ERROR',
        errorSummary: 'dbt answered 409: a group named Finance exists.',
      },
    ];
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('5. Groups to push');
    await within(s).findByText(/The dbt groups could not be read/);
    const rows = within(within(s).getByRole('list', { name: 'Groups to push (2)' })).getAllByRole(
      'listitem',
    );
    expect(rows[0]).toHaveTextContent('Okta push: active.');
    expect(rows[1]).toHaveTextContent(
      'Okta reports a push error: dbt answered 409: a group named Finance exists.',
    );
    expect(rows[0]).toHaveTextContent('Not checked against dbt.');
    expect(s).toHaveTextContent('Okta reports a push error');

    const name = within(rows[1]!).getByRole('textbox', { name: 'dbt group name for Finance' });
    await user.clear(name);
    await user.click(within(s).getByRole('button', { name: 'Save the groups to push' }));
    expect(name).toHaveAccessibleDescription('Give the dbt group a name.');
    expect(fake.callsTo('okta.pickGroups')).toEqual([]);
  });
});

describe('Okta IdP step: existing integrations', () => {
  it('says users become SCIM-managed and lists the dbt users Okta would not match', async () => {
    const fake = readyApi({ existingIntegration: false });
    fake.okta.existing = {
      dbtUsers: 120,
      checked: 100,
      unmatched: [
        { userName: 'ada@acme.com', reason: 'none' },
        { userName: 'Bob@Acme.com', reason: 'case', oktaLogin: 'bob@acme.com' },
      ],
      appUsers: 98,
      appGroups: 4,
      checks: [
        check('okta.existing.import', 'pending', 'Okta has not imported the dbt groups yet.'),
      ],
    };
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('6. Existing integrations');
    expect(s).toHaveTextContent('Users and groups that are already in dbt become SCIM-managed');

    const existing = within(s).getByRole('checkbox', {
      name: 'dbt already has users and groups from single sign-on',
    });
    expect(existing).not.toBeChecked();
    await user.click(existing);
    await waitFor(() => {
      expect(existing).toBeChecked();
    });
    expect(fake.callsTo('okta.connect')).toEqual([
      {
        profileId: 'p1',
        orgUrl: ORG,
        signInMethod: 'pkce',
        clientId: '0oanative1',
        existingIntegration: true,
      },
    ]);

    await user.click(within(s).getByRole('button', { name: 'Check dbt’s users against Okta' }));
    expect(
      await within(s).findByText('Checked a sample of 100 of 120 dbt users: 2 not matched.'),
    ).toBeVisible();
    const unmatched = within(s).getByRole('list', { name: 'dbt users Okta would not match' });
    const rows = within(unmatched).getAllByRole('listitem');
    expect(rows[0]).toHaveTextContent('ada@acme.com — no person in Okta has this login or email');
    expect(rows[1]).toHaveTextContent(
      'Bob@Acme.com — only the case differs from the Okta login “bob@acme.com”',
    );
    expect(s).toHaveTextContent(
      'Okta has imported 98 users and 4 groups from dbt into this app so far.',
    );
    expect(
      within(s).getByRole('list', { name: 'Checks of the existing integration' }),
    ).toHaveTextContent('Okta has not imported the dbt groups yet.');
    expect(s).toHaveTextContent('2 not matched');
  });
});

describe('Okta License types step', () => {
  it('shows only the licenseType lines of the plan and the read-back', async () => {
    const fake = readyApi({}, { currentStep: 'license' });
    fake.okta.plan = oktaRun({
      changes: [
        {
          id: 'okta.license.attribute',
          action: 'add',
          target: 'schema',
          detail: 'add the licenseType attribute',
        },
        { id: 'okta.group-push.00g1', action: 'add', target: 'push', detail: 'push Analysts' },
      ],
    });
    fake.okta.verified = oktaRun({
      phase: 'verified',
      checks: [
        check(
          'okta.license.attribute',
          'pass',
          'licenseType is in the dbtLabs namespace with it, analyst, developer, read_only.',
        ),
        check('okta.group-push.00g1', 'pass', 'Analysts is pushed.'),
      ],
    });
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('1. The licenseType attribute');
    expect(screen.queryByRole('region', { name: 'What the wizard will do' })).toBeNull();
    expect(within(s).getByRole('textbox', { name: 'External namespace' })).toHaveValue(
      'urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User',
    );

    await user.click(within(s).getByRole('button', { name: 'Review the attribute' }));
    const changes = await within(s).findByRole('list', {
      name: 'Changes to the licenseType attribute',
    });
    expect(within(changes).getAllByRole('listitem')).toHaveLength(1);
    expect(changes).toHaveTextContent('Add the licenseType attribute.');
    // Another change is in the plan: applying here would change something not shown.
    expect(within(s).queryByRole('button', { name: 'Apply' })).toBeNull();
    expect(s).toHaveTextContent('The plan has 1 more change to the app.');
    await user.click(within(s).getByRole('button', { name: 'Go to Identity provider' }));
    expect(fake.callsTo('wizard.goto')).toEqual([{ profileId: 'p1', step: 'idp' }]);
  });

  it('reads the attribute back and lists only its checks', async () => {
    const fake = readyApi({}, { currentStep: 'license' });
    fake.okta.verified = oktaRun({
      phase: 'verified',
      checks: [
        check('okta.license.attribute', 'pass', 'licenseType is in the dbtLabs namespace.'),
        check('okta.group-push.00g1', 'pass', 'Analysts is pushed.'),
      ],
    });
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('1. The licenseType attribute');
    await user.click(within(s).getByRole('button', { name: 'Check the attribute' }));
    const checks = await within(s).findByRole('list', {
      name: 'Verification of the licenseType attribute',
    });
    expect(within(checks).getAllByRole('listitem')).toHaveLength(1);
    expect(checks).toHaveTextContent('licenseType is in the dbtLabs namespace.');
    expect(s).toHaveTextContent(/Verified at \d\d:\d\d/);
  });
});

describe('Okta Test step', () => {
  it('checks the form before sending: a login without spaces and a license type', async () => {
    const fake = readyApi({}, { currentStep: 'test' });
    fake.okta.test = {
      runId: 'run-t',
      kind: 'okta.test-user',
      phase: 'verified',
      changes: [],
      checks: [
        check(
          'test-user.assigned',
          'pass',
          'ada@acme.com is assigned to dbt Cloud with license type read_only.',
        ),
        check('test-user.in-dbt', 'pass', 'dbt has ada@acme.com with license type read_only.'),
      ],
      resumed: false,
    };
    const gate = slow(fake, 'okta:testUser', () => fake.okta.test);
    const { user } = renderApp(fake);
    await findRail();
    const s = await findSection('1. Test with one user');
    const login = within(s).getByRole('textbox', { name: 'Okta username' });
    const submit = within(s).getByRole('button', { name: 'Test with this user' });
    await waitFor(() => {
      expect(submit).toBeEnabled();
    });

    await user.click(submit);
    expect(login).toHaveAccessibleDescription(/Enter the user’s Okta username/);
    expect(within(s).getByRole('combobox', { name: 'License type' })).toHaveAccessibleDescription(
      'Choose the license type dbt should give this user.',
    );
    await user.type(login, 'ada lovelace');
    await user.click(submit);
    expect(login).toHaveAccessibleDescription(/has no spaces/);
    expect(fake.callsTo('okta.testUser')).toEqual([]);

    await user.clear(login);
    await user.type(login, 'ada@acme.com');
    await user.click(within(s).getByRole('combobox', { name: 'License type' }));
    expect(screen.getAllByRole('option').map((o) => o.textContent)).toEqual([
      'IT',
      'Analyst',
      'Developer',
      'Read Only',
    ]);
    await user.click(screen.getByRole('option', { name: 'Read Only' }));
    await user.click(submit);
    expect(
      await within(s).findByText(
        'Testing ada@acme.com: assignment in Okta, push to dbt, read back…',
      ),
    ).toBeVisible();
    expect(fake.callsTo('okta.testUser')).toEqual([
      { profileId: 'p1', login: 'ada@acme.com', licenseType: 'read_only' },
    ]);
    gate.release();
    const stages = await within(s).findByRole('list', { name: 'Stages of the test' });
    expect(within(stages).getAllByRole('listitem')).toHaveLength(2);
    expect(s).toHaveTextContent('ada@acme.com went from Okta to dbt.');
    expect(s).toHaveTextContent(/Passed at \d\d:\d\d/);
  });

  it('waits for the sign-in on the Identity provider step', async () => {
    const fake = new FakeApi({ profiles: [oktaProfile(null, { currentStep: 'test' })] });
    renderApp(fake);
    await findRail();
    const s = await findSection('1. Test with one user');
    expect(s).toHaveTextContent('Connect to your Okta org on the Identity provider step first.');
    expect(within(s).getByRole('button', { name: 'Test with this user' })).toBeDisabled();
  });
});
