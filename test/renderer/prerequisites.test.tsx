import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ProfileDto } from '../../electron/ipc/contract.js';
import { check, prerequisites, runResult, secret, slow } from './dbt-fixtures.js';
import { FakeApi, makeProfile } from './fake-api.js';
import { findRail, renderApp } from './render.js';

const TOKEN = 'dbtc_a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6q7r8';

function region(name: string | RegExp): HTMLElement {
  return screen.getByRole('region', { name });
}

function verified(profile: ProfileDto, over: Partial<ProfileDto['dbt']> = {}): ProfileDto {
  return {
    ...profile,
    dbt: { apiUrl: 'https://ab123.us1.dbt.com', accountId: 12345, ...over },
    steps: {
      ...profile.steps,
      prerequisites: { status: 'verified', summary: 'all prerequisites met' },
    },
  };
}

describe('Prerequisites: connecting the dbt account', () => {
  it('sends the typed fields, shows progress, and never shows the token again', async () => {
    const fake = new FakeApi({ profiles: [makeProfile({ id: 'p1', idp: 'okta' })] });
    const gate = slow(fake, 'dbt:connect', (input) => {
      fake.secrets.set('p1', [secret('dbt.api-token', (input.apiToken ?? '').slice(-4))]);
      const profile = verified(fake.profiles[0] ?? makeProfile());
      fake.profiles = [profile];
      return {
        profile,
        warnings: ['The path /deploy was dropped: the API URL is the host only.'],
        notes: ['This looks like a JWT; dbt service tokens usually start with dbtc_.'],
        prerequisites: prerequisites(),
      };
    });
    const { user } = renderApp(fake);
    await findRail();

    await user.type(screen.getByLabelText('dbt API URL'), 'https://ab123.us1.dbt.com/deploy');
    await user.type(screen.getByLabelText('Account id'), '12345');
    await user.type(screen.getByLabelText('Account-admin service token'), TOKEN);
    await user.click(screen.getByRole('button', { name: 'Check prerequisites' }));

    expect(await screen.findByText('Reading the dbt account…')).toBeVisible();
    expect(fake.callsTo('dbt.connect')).toEqual([
      {
        profileId: 'p1',
        apiUrl: 'https://ab123.us1.dbt.com/deploy',
        accountId: '12345',
        apiToken: TOKEN,
      },
    ]);
    gate.release();

    expect(await screen.findByText(/Saved · ends …q7r8/)).toBeVisible();
    expect(
      screen.queryByLabelText('Account-admin service token', { selector: 'input' }),
    ).toBeNull();
    expect(screen.queryByText('Reading the dbt account…')).not.toBeInTheDocument();
    expect(screen.getByText(/The path \/deploy was dropped/)).toBeVisible();
    // The field shows the address as the engine saved it.
    await waitFor(() => {
      expect(screen.getByLabelText('dbt API URL')).toHaveValue('https://ab123.us1.dbt.com');
    });
    expect(screen.getByText(/This looks like a JWT/)).toBeVisible();
    expect(document.body.innerHTML).not.toContain(TOKEN);
    expect(document.body.innerHTML).not.toContain(TOKEN.slice(0, 20));

    const rail = await findRail();
    expect(within(rail).getByRole('button', { name: 'Prerequisites, verified' })).toBeVisible();
    expect(region('What dbt says')).toHaveTextContent('Acme');
    expect(region('What dbt says')).toHaveTextContent('Enterprise plan');
    expect(region('What dbt says')).toHaveTextContent('dbt signs users in with Okta');
  });

  it('checks again with the saved token: connect without a token, then recheck', async () => {
    const profile = verified(makeProfile({ id: 'p1', idp: 'okta' }));
    const fake = new FakeApi({ profiles: [profile] });
    fake.secrets.set('p1', [secret('dbt.api-token', 'q7r8')]);
    fake.handle('dbt:connect', () => ({ profile, warnings: [], notes: [] }));
    fake.handle('dbt:recheck', () => ({ profile, prerequisites: prerequisites() }));
    const { user } = renderApp(fake);
    await findRail();

    expect(await screen.findByText(/Saved · ends …q7r8/)).toBeVisible();
    expect(screen.getByLabelText('dbt API URL')).toHaveValue('https://ab123.us1.dbt.com');
    expect(screen.getByLabelText('Account id')).toHaveValue('12345');
    await user.click(screen.getByRole('button', { name: 'Check prerequisites' }));
    await screen.findByRole('list', { name: 'Prerequisites' });
    expect(fake.callsTo('dbt.connect')).toEqual([
      { profileId: 'p1', apiUrl: 'https://ab123.us1.dbt.com', accountId: '12345' },
    ]);
    expect(fake.callsTo('dbt.recheck')).toEqual([{ profileId: 'p1' }]);

    // Replace shows the token field again.
    await user.click(screen.getByRole('button', { name: 'Replace the saved token' }));
    expect(screen.getByLabelText('Account-admin service token')).toHaveFocus();
  });

  it('shows a refused field under the field, and a refused token in a callout', async () => {
    const fake = new FakeApi({ profiles: [makeProfile({ id: 'p1' })] });
    fake.fail('dbt.connect', {
      code: 'bad_input',
      message:
        'The dbt account id must be a positive whole number (got "abc"). Find it in the dbt URL after /accounts/, e.g. 12345.',
    });
    const { user } = renderApp(fake);
    await findRail();
    await user.type(screen.getByLabelText('dbt API URL'), 'https://cloud.getdbt.com');
    await user.type(screen.getByLabelText('Account id'), 'abc');
    await user.type(screen.getByLabelText('Account-admin service token'), TOKEN);
    await user.click(screen.getByRole('button', { name: 'Check prerequisites' }));

    const field = screen.getByLabelText('Account id');
    await waitFor(() => {
      expect(field).toHaveAttribute('aria-invalid', 'true');
    });
    expect(field).toHaveAccessibleDescription(/must be a positive whole number/);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    fake.fail('dbt.connect', {
      code: 'auth_failed',
      message:
        'dbt refused the API token (HTTP 401): it is wrong, revoked, or for another host or region. Create an account-admin service token…',
    });
    await user.click(screen.getByRole('button', { name: 'Check prerequisites' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not read the dbt account');
    expect(alert).toHaveTextContent('dbt refused the API token');
    expect(fake.callsTo('dbt.connect')).toHaveLength(2);
    expect(document.body.innerHTML).not.toContain(TOKEN);
  });

  it('asks for the address before calling', async () => {
    const fake = new FakeApi({ profiles: [makeProfile({ id: 'p1' })] });
    const { user } = renderApp(fake);
    await findRail();
    await user.click(screen.getByRole('button', { name: 'Check prerequisites' }));
    expect(screen.getByLabelText('dbt API URL')).toHaveAccessibleDescription(
      /Enter the address you use dbt on/,
    );
    expect(fake.callsTo('dbt.connect')).toEqual([]);
  });
});

describe('Prerequisites: the checklist', () => {
  it('shows each status with icon words and times, and offers the detected IdP', async () => {
    const profile = verified(makeProfile({ id: 'p1', idp: 'okta' }));
    const fake = new FakeApi({ profiles: [profile] });
    fake.secrets.set('p1', [secret('dbt.api-token', 'q7r8')]);
    const result = prerequisites({
      detectedIdp: 'entra',
      ipRestricted: true,
      account: {
        id: 12345,
        name: 'Acme',
        plan: 'enterprise_plus',
        ssoMethod: 'azure_single_tenant',
      },
      checks: [
        check(
          'dbt.plan',
          'pass',
          'The account "Acme" is on the enterprise_plus plan, which includes SCIM.',
        ),
        check('dbt.sso', 'pass', 'Single sign-on uses Microsoft Entra ID.'),
        check(
          'dbt.sso-matches-idp',
          'fail',
          'This profile is set for Okta, but dbt’s SSO uses Microsoft Entra ID. SCIM must use the same identity provider as SSO: change the profile’s identity provider.',
        ),
        check(
          'dbt.ip-restrictions',
          'pending',
          'IP restrictions are on (1 rule). The identity provider’s provisioning traffic must be allowed, or provisioning will be refused.',
        ),
      ],
    });
    fake.handle('dbt:recheck', () => ({
      profile: fake.profiles[0] ?? profile,
      prerequisites: result,
    }));
    const { user } = renderApp(fake);
    await findRail();

    await user.click(await screen.findByRole('button', { name: 'Check again' }));
    const list = await screen.findByRole('list', { name: 'Prerequisites' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((li) => li.getAttribute('data-status'))).toEqual([
      'pass',
      'pass',
      'fail',
      'pending',
    ]);
    expect(items[0]).toHaveTextContent('Plan');
    expect(items[0]).toHaveTextContent('Passed');
    expect(items[2]).toHaveTextContent('Failed');
    expect(items[3]).toHaveTextContent('Needs you');
    expect(items[3]).toHaveTextContent('IP restrictions');
    for (const li of items) {
      expect(li).toHaveTextContent(/Checked at \d\d:\d\d/);
    }
    expect(region('What dbt says')).toHaveTextContent('Enterprise plus plan');

    // The mismatch check offers the IdP dbt uses; choosing it updates the profile and rechecks.
    const useEntra = within(items[2]!).getByRole('button', {
      name: 'Use Microsoft Entra ID for this profile',
    });
    await user.click(useEntra);
    await waitFor(() => {
      expect(fake.callsTo('dbt.recheck')).toHaveLength(2);
    });
    expect(fake.callsTo('profiles.update')).toEqual([{ id: 'p1', idp: 'entra' }]);
  });
});

describe('Prerequisites: IP restrictions', () => {
  function restricted(): FakeApi {
    const profile = verified(makeProfile({ id: 'p1', idp: 'okta' }));
    const fake = new FakeApi({ profiles: [profile] });
    fake.secrets.set('p1', [secret('dbt.api-token', 'q7r8')]);
    fake.handle('dbt:recheck', () => ({
      profile,
      prerequisites: prerequisites({
        ipRestricted: true,
        checks: [
          check('dbt.plan', 'pass', 'Enterprise.'),
          check('dbt.ip-restrictions', 'pending', 'IP restrictions are on (1 rule).'),
        ],
      }),
    }));
    return fake;
  }

  it('reviews the allow rule, then applies exactly the reviewed changes and checks again', async () => {
    const fake = restricted();
    const planned = runResult({
      kind: 'dbt.ip-allowlist',
      changes: [
        {
          id: 'ip.allow',
          action: 'add',
          target: 'dbt IP rule "SCIM provisioning (Okta)"',
          detail:
            'add allow rule "SCIM provisioning (Okta)" for 2 ranges: 203.0.113.0/24, 198.51.100.7/32',
        },
      ],
    });
    fake.handle('dbt:plan', () => planned);
    fake.handle('dbt:apply', () =>
      runResult({
        kind: 'dbt.ip-allowlist',
        phase: 'verified',
        changes: planned.changes,
        checks: [check('ip.allow', 'pass', 'dbt allows all 2 ranges of Okta.')],
      }),
    );
    const { user } = renderApp(fake);
    await findRail();
    await user.click(await screen.findByRole('button', { name: 'Check again' }));

    const panel = await screen.findByRole('region', {
      name: 'Allow Okta through dbt’s IP restrictions',
    });
    expect(within(panel).getByRole('button', { name: 'Review changes' })).toBeDisabled();

    // The link goes to Okta's page through the engine.
    await user.click(within(panel).getByRole('link', { name: /Where Okta publishes its ranges/ }));
    expect(fake.callsTo('shell.openExternal')).toEqual([
      { url: 'https://help.okta.com/en-us/content/topics/security/ip-address-allow-listing.htm' },
    ]);

    const cidrs = '203.0.113.0/24\n198.51.100.7';
    await user.type(within(panel).getByLabelText('Address ranges (CIDR, one per line)'), cidrs);
    await user.click(within(panel).getByRole('button', { name: 'Review changes' }));
    const plan = await within(panel).findByRole('list', {
      name: 'Changes to dbt’s IP restriction rules',
    });
    expect(plan).toHaveTextContent('Add');
    expect(plan).toHaveTextContent('Add allow rule "SCIM provisioning (Okta)" for 2 ranges');
    expect(fake.callsTo('dbt.plan')).toEqual([
      { profileId: 'p1', step: { kind: 'dbt.ip-allowlist', cidrs } },
    ]);

    await user.click(within(panel).getByRole('button', { name: 'Apply' }));
    const verification = await within(panel).findByRole('list', {
      name: 'Verification of dbt’s IP restriction rules',
    });
    expect(verification).toHaveTextContent('dbt allows all 2 ranges of Okta.');
    expect(fake.callsTo('dbt.apply')).toEqual([
      {
        profileId: 'p1',
        step: { kind: 'dbt.ip-allowlist', cidrs },
        expectedChangeIds: ['ip.allow'],
      },
    ]);
    await waitFor(() => {
      expect(fake.callsTo('dbt.recheck')).toHaveLength(2);
    });
  });

  it('shows the new plan when dbt changed since the review', async () => {
    const fake = restricted();
    const first = runResult({
      kind: 'dbt.ip-allowlist',
      changes: [
        {
          id: 'ip.allow',
          action: 'add',
          target: 'rule',
          detail: 'add allow rule for 1 range: 203.0.113.0/24',
        },
      ],
    });
    fake.handle('dbt:plan', () => first);
    fake.handle('dbt:apply', () =>
      runResult({
        kind: 'dbt.ip-allowlist',
        changes: [
          {
            id: 'ip.allow',
            action: 'add',
            target: 'rule',
            detail: 'add allow rule for 1 range: 203.0.113.0/24',
          },
          { id: 'ip.other', action: 'remove', target: 'rule', detail: 'remove the old rule' },
        ],
      }),
    );
    const { user } = renderApp(fake);
    await findRail();
    await user.click(await screen.findByRole('button', { name: 'Check again' }));
    const panel = await screen.findByRole('region', { name: /Allow Okta/ });
    await user.type(within(panel).getByLabelText(/Address ranges/), '203.0.113.0/24');
    await user.click(within(panel).getByRole('button', { name: 'Review changes' }));
    await user.click(await within(panel).findByRole('button', { name: 'Apply' }));

    expect(await within(panel).findByText('dbt changed since you reviewed the plan')).toBeVisible();
    const plan = within(panel).getByRole('list', { name: /Changes to/ });
    expect(within(plan).getAllByRole('listitem')).toHaveLength(2);
    expect(plan).toHaveTextContent('Remove');
  });
});

describe('Prerequisites: without an Admin API token', () => {
  it('ticks the guided checklist and links to dbt’s settings', async () => {
    const profile = makeProfile({
      id: 'p1',
      idp: 'okta',
      dbt: { apiUrl: 'https://ab123.us1.dbt.com', accountId: 12345 },
    });
    const fake = new FakeApi({ profiles: [profile] });
    fake.handle('dbt:tick', (input) => {
      const p = fake.profiles[0] ?? profile;
      const manual = { ...p.manual };
      if (input.done) {
        manual[input.item] = '2026-11-29T10:42:00.000Z';
      } else {
        Reflect.deleteProperty(manual, input.item);
      }
      fake.profiles = [{ ...p, manual }];
      return { ...p, manual };
    });
    const { user } = renderApp(fake);
    await findRail();

    const toggle = screen.getByRole('button', { name: 'I don’t have an Admin API token' });
    expect(toggle).toHaveAttribute('aria-expanded', 'false');
    await user.click(toggle);
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
    const guided = region('Check it yourself in dbt');
    expect(guided).toHaveTextContent('0 of 3 ticked');
    expect(guided).toHaveTextContent('“Account settings” → “Billing”');
    expect(guided).toHaveTextContent('“SSO & SCIM”');
    expect(guided).toHaveTextContent('“IP restrictions”');

    await user.click(
      within(guided).getByRole('checkbox', { name: /Enterprise or Enterprise\+ plan/ }),
    );
    await waitFor(() => {
      expect(guided).toHaveTextContent('1 of 3 ticked');
    });
    expect(fake.callsTo('dbt.tick')).toEqual([
      { profileId: 'p1', item: 'prereq.enterprise', done: true },
    ]);
    expect(within(guided).getByRole('checkbox', { name: /Enterprise/ })).toBeChecked();
    expect(guided).toHaveTextContent(/Ticked at \d\d:\d\d/);

    const sso = within(guided).getByRole('link', { name: /Open “SSO & SCIM” in dbt/ });
    expect(sso).toHaveAttribute(
      'href',
      'https://ab123.us1.dbt.com/settings/accounts/12345/pages/sso',
    );
    await user.click(sso);
    expect(fake.callsTo('shell.openExternal')).toEqual([
      { url: 'https://ab123.us1.dbt.com/settings/accounts/12345/pages/sso' },
    ]);

    // The engine refuses hosts that are not dbt, Okta or Microsoft pages: the callout says so.
    fake.fail('shell.openExternal', {
      code: 'permission_denied',
      message: 'The app only opens dbt, Okta and Microsoft admin pages (not 127.0.0.1).',
    });
    await user.click(within(guided).getAllByRole('link', { name: /Account settings/ })[0]!);
    const alert = await within(guided).findByRole('alert');
    expect(alert).toHaveTextContent('The link was not opened');
    expect(alert).toHaveTextContent('only opens dbt, Okta and Microsoft admin pages');
  });
});
