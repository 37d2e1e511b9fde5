import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Output, ProfileDto } from '../../electron/ipc/contract.js';
import { AT, check, runResult, secret, slow } from './dbt-fixtures.js';
import { FakeApi, makeProfile } from './fake-api.js';
import { findRail, renderApp } from './render.js';

function region(name: string | RegExp): HTMLElement {
  return screen.getByRole('region', { name });
}

function dbtProfile(over: Partial<ProfileDto['dbt']> = {}): ProfileDto {
  return makeProfile({
    id: 'p1',
    idp: 'okta',
    currentStep: 'dbt',
    steps: { prerequisites: 'verified' },
    dbt: { apiUrl: 'https://ab123.us1.dbt.com', accountId: 12345, ...over },
  });
}

type Tokens = Output<'dbt:tokens'>;

function withApiToken(
  profile = dbtProfile(),
  tokens: Tokens = { listAvailable: true, tokens: [] },
): FakeApi {
  const fake = new FakeApi({ profiles: [profile] });
  fake.secrets.set('p1', [secret('dbt.api-token', 'q7r8')]);
  fake.handle('dbt:tokens', () => tokens);
  return fake;
}

describe('dbt step: layout', () => {
  it('has one h1 and the four sections as h2, in order, each with a status', async () => {
    renderApp(withApiToken());
    await findRail();
    await screen.findByRole('heading', { level: 2, name: '1. Turn SCIM on' });
    expect(screen.getAllByRole('heading', { level: 1 }).map((h) => h.textContent)).toEqual(['dbt']);
    expect(screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent)).toEqual([
      'What you need',
      '1. Turn SCIM on',
      '2. SCIM base URL',
      '3. SCIM token',
      '4. Check the connection',
    ]);
    expect(region('1. Turn SCIM on')).toHaveTextContent('Not done yet');
    expect(region('2. SCIM base URL')).toHaveTextContent('Not saved yet');
    expect(region('3. SCIM token')).toHaveTextContent('No token yet');
    expect(region('4. Check the connection')).toHaveTextContent('Not checked yet');
  });
});

describe('dbt step: turn SCIM on', () => {
  it('reviews with manual updates off by default, then applies the reviewed change ids', async () => {
    const fake = withApiToken();
    const changes = [
      { id: 'scim.enabled', action: 'change' as const, target: 'dbt SCIM', detail: 'turn SCIM on' },
    ];
    fake.handle('dbt:plan', () => runResult({ changes }));
    const gate = slow(fake, 'dbt:apply', () =>
      runResult({
        phase: 'verified',
        changes,
        checks: [
          check('scim.enabled', 'pass', 'SCIM is on in dbt.'),
          check('scim.manual-updates', 'pass', '"Allow manual updates" is off.'),
          check('scim.license-type', 'pass', '"Manage user licenses with SCIM" is off.'),
        ],
      }),
    );
    const { user } = renderApp(fake);
    await findRail();
    const section = await screen.findByRole('region', { name: '1. Turn SCIM on' });

    const manual = within(section).getByRole('switch', { name: 'Allow manual updates' });
    expect(manual).not.toBeChecked();
    expect(section).toHaveTextContent('dbt recommends keeping it off');
    expect(section).toHaveTextContent(
      '“Manage user licenses with SCIM” stays as it is until the License types step.',
    );

    await user.click(within(section).getByRole('button', { name: 'Review changes' }));
    const plan = await within(section).findByRole('list', {
      name: 'Changes to dbt’s SCIM settings',
    });
    expect(plan).toHaveTextContent('Change');
    expect(plan).toHaveTextContent('Turn SCIM on.');
    expect(fake.callsTo('dbt.plan')).toEqual([
      { profileId: 'p1', step: { kind: 'dbt.scim-config', manualUpdatesAllowed: false } },
    ]);

    await user.click(within(section).getByRole('button', { name: 'Apply' }));
    expect(await within(section).findByText('Saving the SCIM settings in dbt…')).toBeVisible();
    gate.release();
    const checks = await within(section).findByRole('list', {
      name: 'Verification of dbt’s SCIM settings',
    });
    expect(within(checks).getAllByRole('listitem')).toHaveLength(3);
    expect(fake.callsTo('dbt.apply')).toEqual([
      {
        profileId: 'p1',
        step: { kind: 'dbt.scim-config', manualUpdatesAllowed: false },
        expectedChangeIds: ['scim.enabled'],
      },
    ]);
    expect(section).toHaveTextContent(/Verified at \d\d:\d\d/);
  });

  it('without an API token: the console clicks in dbt’s words, and a tick', async () => {
    const fake = new FakeApi({ profiles: [dbtProfile()] });
    fake.handle('dbt:tick', (input) => {
      const p = fake.profiles[0] ?? dbtProfile();
      const next = { ...p, manual: { ...p.manual, [input.item]: AT } };
      fake.profiles = [next];
      return next;
    });
    const { user } = renderApp(fake);
    await findRail();
    const section = await screen.findByRole('region', { name: '1. Turn SCIM on' });
    const steps = within(section)
      .getAllByRole('listitem')
      .map((li) => li.textContent);
    expect(steps).toEqual([
      'In dbt, open “Account settings”.',
      'Select “SSO & SCIM” in the left-side menu.',
      'Scroll to the bottom of the single sign-on settings and click “Enable SCIM”.',
      'Leave “Allow manual updates” off, as dbt recommends.',
    ]);
    expect(within(section).getByRole('link', { name: /Open “SSO & SCIM” in dbt/ })).toHaveAttribute(
      'href',
      'https://ab123.us1.dbt.com/settings/accounts/12345/pages/sso',
    );
    await user.click(within(section).getByRole('checkbox', { name: 'I turned SCIM on' }));
    await waitFor(() => {
      expect(section).toHaveTextContent(/Done by you at \d\d:\d\d/);
    });
    expect(fake.callsTo('dbt.tick')).toEqual([
      { profileId: 'p1', item: 'dbt.scim-on', done: true },
    ]);
    // Creating a token needs the API token: only pasting is offered.
    const token = region('3. SCIM token');
    expect(within(token).getByRole('radio', { name: 'Create one for me' })).toBeDisabled();
    expect(within(token).getByLabelText('SCIM token')).toBeVisible();
  });
});

describe('dbt step: SCIM base URL', () => {
  it('shows a refused URL under the field, and warnings after saving', async () => {
    const fake = withApiToken();
    fake.fail('dbt.setScimUrl', {
      code: 'bad_input',
      message:
        'That is the address of a dbt page, not the SCIM base URL. Copy the SCIM base URL field from dbt (Account settings → SSO & SCIM).',
    });
    const { user } = renderApp(fake);
    await findRail();
    const section = await screen.findByRole('region', { name: '2. SCIM base URL' });
    expect(section).toHaveTextContent('“Account settings” → “SSO & SCIM” → “SCIM base URL”');
    const field = within(section).getByRole('textbox', { name: 'SCIM base URL' });
    await user.type(field, 'https://ab123.us1.dbt.com/settings/accounts/12345/pages/sso');
    await user.click(within(section).getByRole('button', { name: 'Save' }));
    await waitFor(() => {
      expect(field).toHaveAttribute('aria-invalid', 'true');
    });
    expect(field).toHaveAccessibleDescription(/That is the address of a dbt page/);
    expect(within(section).queryByRole('alert')).not.toBeInTheDocument();

    fake.succeed('dbt.setScimUrl');
    fake.handle('dbt:setScimUrl', (input) => {
      const profile = dbtProfile({ scimUrl: input.scimUrl });
      fake.profiles = [profile];
      return {
        profile,
        warnings: ['The SCIM URL is on a.example but the Admin API URL is on ab123.us1.dbt.com.'],
      };
    });
    await user.clear(field);
    expect(field).not.toHaveAttribute('aria-invalid', 'true');
    await user.type(field, 'https://a.example/api/scim/v2/accounts/12345');
    await user.click(within(section).getByRole('button', { name: 'Save' }));
    expect(
      await within(section).findByText('Saved. The connection check below uses this URL.'),
    ).toBeVisible();
    expect(section).toHaveTextContent('The SCIM URL is on a.example');
    expect(fake.callsTo('dbt.setScimUrl')).toHaveLength(2);
  });
});

describe('dbt step: SCIM token', () => {
  it('saves a pasted token, shows what was cleaned, and never shows the value', async () => {
    const fake = withApiToken();
    const value = 'Bearer scimtoken0123456789abcdefWXYZ';
    fake.handle('dbt:pasteToken', () => {
      fake.secrets.set('p1', [secret('dbt.api-token', 'q7r8'), secret('dbt.scim-token', 'WXYZ')]);
      return {
        secret: secret('dbt.scim-token', 'WXYZ'),
        notes: ['Removed the "Bearer" prefix: only the token itself is needed.'],
      };
    });
    const { user } = renderApp(fake);
    await findRail();
    const section = await screen.findByRole('region', { name: '3. SCIM token' });
    await user.click(within(section).getByText('Paste one I created'));
    expect(section).toHaveTextContent('Click “Create SCIM token”.');

    await user.type(within(section).getByLabelText('SCIM token'), value);
    await user.click(within(section).getByRole('button', { name: 'Save token' }));
    expect(await within(section).findByText(/Removed the "Bearer" prefix/)).toBeVisible();
    expect(fake.callsTo('dbt.pasteToken')).toEqual([{ profileId: 'p1', value }]);
    expect(within(section).getByLabelText('SCIM token')).toHaveValue('');
    const saved = await within(section).findByRole('region', {
      name: 'The token this computer holds',
    });
    expect(saved).toHaveTextContent('ends …WXYZ');
    expect(saved).toHaveTextContent('Last verifiednot yet');
    expect(document.body.innerHTML).not.toContain('scimtoken0123456789');
  });

  it('shows a refused paste (a dbt API token) under the field', async () => {
    const fake = withApiToken();
    fake.fail('dbt.pasteToken', {
      code: 'bad_input',
      message:
        'That is a dbt API token (service or personal), not a SCIM token. Create a SCIM token in dbt under Account settings → SSO & SCIM, or let the wizard create one.',
    });
    const { user } = renderApp(fake);
    await findRail();
    const section = await screen.findByRole('region', { name: '3. SCIM token' });
    await user.click(within(section).getByText('Paste one I created'));
    const field = within(section).getByLabelText('SCIM token');
    await user.type(field, 'dbtc_notascimtoken0123456789');
    await user.click(within(section).getByRole('button', { name: 'Save token' }));
    await waitFor(() => {
      expect(field).toHaveAttribute('aria-invalid', 'true');
    });
    expect(field).toHaveAccessibleDescription(/That is a dbt API token/);
  });

  it('creates a token by API with a dated default name', async () => {
    const fake = withApiToken();
    const changes = [
      {
        id: 'token.create',
        action: 'add' as const,
        target: 'dbt SCIM token',
        detail: 'create SCIM token "scim-okta-x" and keep it encrypted on this computer',
      },
    ];
    fake.handle('dbt:plan', () => runResult({ kind: 'dbt.scim-token', changes }));
    const { user } = renderApp(fake);
    await findRail();
    const section = await screen.findByRole('region', { name: '3. SCIM token' });
    const name = within(section).getByLabelText('Token name');
    expect((name as HTMLInputElement).value).toMatch(/^scim-okta-\d{4}-\d{2}-\d{2}$/);
    await user.clear(name);
    await user.type(name, 'scim-okta-x');
    await user.click(within(section).getByRole('button', { name: 'Review changes' }));
    const plan = await within(section).findByRole('list', { name: 'Changes to dbt’s SCIM tokens' });
    expect(plan).toHaveTextContent(
      'Create SCIM token "scim-okta-x" and keep it encrypted on this computer.',
    );
    expect(fake.callsTo('dbt.plan')).toEqual([
      { profileId: 'p1', step: { kind: 'dbt.scim-token', name: 'scim-okta-x' } },
    ]);
  });

  it('deletes an in-use token only after the admin confirms a newer one is in place', async () => {
    const fake = withApiToken(dbtProfile(), {
      listAvailable: true,
      tokens: [
        {
          id: 7,
          name: 'scim-okta-old',
          createdAt: AT,
          lastUsed: AT,
          saved: false,
          inUse: true,
        },
        { id: 8, name: 'scim-spare', createdAt: AT, lastUsed: null, saved: true, inUse: false },
      ],
    });
    fake.handle('dbt:deleteToken', () => ({ listAvailable: true, tokens: [] }));
    const { user } = renderApp(fake);
    await findRail();
    const table = await screen.findByRole('table');
    const rows = within(table).getAllByRole('row');
    expect(rows[1]).toHaveTextContent('scim-okta-old');
    expect(rows[1]).toHaveTextContent('In use');
    expect(rows[2]).toHaveTextContent('This computer holds it');

    await user.click(within(table).getByRole('button', { name: 'Delete scim-okta-old' }));
    const dialog = await screen.findByRole('dialog', {
      name: 'Delete the SCIM token “scim-okta-old”',
    });
    const remove = within(dialog).getByRole('button', { name: 'Delete token' });
    expect(remove).toBeDisabled();
    await user.click(
      within(dialog).getByRole('checkbox', {
        name: 'I have already put a newer token in the identity provider',
      }),
    );
    expect(remove).toBeEnabled();
    await user.click(remove);
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(fake.callsTo('dbt.deleteToken')).toEqual([{ profileId: 'p1', tokenId: 7, force: true }]);
    expect(await screen.findByText('dbt has no SCIM tokens yet.')).toBeVisible();
  });

  it('deletes a token nobody uses without force, and shows a refusal in the dialog', async () => {
    const fake = withApiToken(dbtProfile(), {
      listAvailable: true,
      tokens: [
        { id: 8, name: 'scim-spare', createdAt: AT, lastUsed: null, saved: false, inUse: false },
      ],
    });
    fake.fail('dbt.deleteToken', {
      code: 'conflict',
      message: 'The token "scim-spare" (id 8) looks in use: dbt saw it recently.',
    });
    const { user } = renderApp(fake);
    await findRail();
    await user.click(await screen.findByRole('button', { name: 'Delete scim-spare' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).queryByRole('checkbox')).not.toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Delete token' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent('looks in use');
    expect(fake.callsTo('dbt.deleteToken')).toEqual([
      { profileId: 'p1', tokenId: 8, force: false },
    ]);
  });
});

describe('dbt step: connection check', () => {
  it('shows the failing check’s cause, and Retry checks again', async () => {
    const fake = withApiToken(
      dbtProfile({ scimUrl: 'https://ab123.us1.dbt.com/api/scim/v2/accounts/12345' }),
    );
    fake.secrets.set('p1', [secret('dbt.api-token', 'q7r8'), secret('dbt.scim-token', 'WXYZ')]);
    const cause =
      'dbt refused the connection (HTTP 403) ("Request blocked by IP restrictions"): IP restrictions are probably on.';
    const gate = slow(fake, 'dbt:check', () => ({
      checks: [
        check('scim.service-provider-config', 'fail', cause),
        check('scim.users.list', 'skip', 'Not run: dbt refused the connection.'),
        check('scim.users.filter', 'skip', 'Not run: dbt refused the connection.'),
        check('scim.groups.list', 'skip', 'Not run: dbt refused the connection.'),
      ],
      failure: { code: 'ip_restricted', checkId: 'scim.service-provider-config' },
    }));
    const { user } = renderApp(fake);
    await findRail();
    const section = await screen.findByRole('region', { name: '4. Check the connection' });
    await user.click(within(section).getByRole('button', { name: 'Check now' }));
    expect(await within(section).findByText('Asking dbt’s SCIM API…')).toBeVisible();
    gate.release();

    const alert = await within(section).findByRole('alert');
    expect(alert).toHaveTextContent('The connection check failed');
    expect(alert).toHaveTextContent(cause);
    const list = within(section).getByRole('list', { name: 'Connection checks' });
    expect(
      within(list)
        .getAllByRole('listitem')
        .map((li) => li.dataset.status),
    ).toEqual(['fail', 'skip', 'skip', 'skip']);
    expect(list).toHaveTextContent('Service description');
    expect(section).toHaveTextContent(/Failed at \d\d:\d\d/);

    fake.handle('dbt:check', () => ({
      checks: [
        check('scim.service-provider-config', 'pass', 'The SCIM service describes itself.'),
        check('scim.users.list', 'pass', 'SCIM answers: 0 users.'),
        check('scim.users.filter', 'pass', 'Filter by userName works.'),
        check('scim.groups.list', 'pass', 'SCIM answers for groups: 3 groups.'),
      ],
    }));
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => {
      expect(within(section).queryByRole('alert')).not.toBeInTheDocument();
    });
    expect(fake.callsTo('dbt.check')).toEqual([{ profileId: 'p1' }, { profileId: 'p1' }]);
    expect(section).toHaveTextContent(/Verified at \d\d:\d\d/);
  });

  it('says what is missing before the check can run', async () => {
    renderApp(withApiToken());
    await findRail();
    const section = await screen.findByRole('region', { name: '4. Check the connection' });
    expect(within(section).getByRole('button', { name: 'Check now' })).toBeDisabled();
    expect(section).toHaveTextContent('Save the SCIM base URL first.');
  });
});
