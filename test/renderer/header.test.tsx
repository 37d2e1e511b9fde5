import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeProfile } from './fake-api.js';
import { findRail, renderApp } from './render.js';

const okta = makeProfile({ id: 'p1', name: 'Acme', idp: 'okta' });
const entra = makeProfile({ id: 'p2', name: 'Globex', idp: 'entra', currentStep: 'license' });
const unsure = makeProfile({ id: 'p3', name: 'Initech', idp: null });

function header(): HTMLElement {
  return screen.getByRole('banner');
}

describe('header', () => {
  it('shows the app name, the active profile and its IdP', async () => {
    renderApp({ profiles: [okta, entra], activeProfileId: 'p1' });
    await findRail();
    const h = header();
    expect(h).toHaveTextContent('dbt SCIM Wizard');
    expect(within(h).getByRole('combobox', { name: 'Profile' })).toHaveValue('Acme');
    expect(h).toHaveTextContent('Identity provider: Okta');
  });

  it('switching profile selects it, updates the badge and opens its current step', async () => {
    const { fake, user } = renderApp({ profiles: [okta, entra, unsure], activeProfileId: 'p1' });
    await findRail();
    await user.click(within(header()).getByRole('combobox', { name: 'Profile' }));
    await user.click(await screen.findByRole('option', { name: 'Globex' }));

    expect(fake.callsTo('profiles.select')).toEqual([{ id: 'p2' }]);
    expect(header()).toHaveTextContent('Identity provider: Microsoft Entra ID');
    expect(header()).not.toHaveTextContent('Identity provider: Okta');
    expect(screen.getByRole('heading', { level: 1, name: 'License types' })).toBeInTheDocument();
    expect(fake.callsTo('wizard.interrupted')).toEqual([{ profileId: 'p1' }, { profileId: 'p2' }]);

    await user.click(within(header()).getByRole('combobox', { name: 'Profile' }));
    await user.click(await screen.findByRole('option', { name: 'Initech' }));
    expect(header()).toHaveTextContent('IdP not chosen');
  });

  it('says tokens are encrypted by the system keyring when storage is persistent', async () => {
    renderApp({ profiles: [okta] });
    await findRail();
    expect(header()).toHaveTextContent('Tokens encrypted by the system keyring');
    expect(header()).not.toHaveTextContent('memory only');
  });

  it('warns that tokens are kept in memory only when storage is not persistent', async () => {
    renderApp({
      profiles: [okta],
      secretStatus: { persistent: false, backend: 'unavailable', weakBackend: false },
    });
    await findRail();
    expect(await within(header()).findByText('Tokens kept in memory only')).toBeVisible();
    expect(within(header()).queryByRole('button', { name: 'Review' })).not.toBeInTheDocument();
  });

  it('lets the admin accept the basic_text risk when the backend is weak', async () => {
    const { fake, user } = renderApp({
      profiles: [okta],
      secretStatus: { persistent: false, backend: 'basic_text', weakBackend: true },
    });
    await findRail();
    expect(await within(header()).findByText('Tokens kept in memory only')).toBeVisible();
    await user.click(within(header()).getByRole('button', { name: 'Review' }));
    const dialog = await screen.findByRole('dialog', { name: /How tokens are stored/ });
    expect(dialog).toHaveTextContent('basic_text');
    await user.click(
      within(dialog).getByRole('button', { name: 'Accept the risk and save tokens' }),
    );
    expect(fake.callsTo('secrets.acceptWeakBackend')).toEqual([{ accepted: true }]);
    expect(await within(header()).findByText('Tokens saved with basic protection')).toBeVisible();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });

  it('creates another profile from "New profile"', async () => {
    const { fake, user } = renderApp({ profiles: [okta] });
    await findRail();
    await user.click(within(header()).getByRole('button', { name: 'New profile' }));
    const dialog = await screen.findByRole('dialog', { name: 'New profile' });
    await user.type(within(dialog).getByRole('textbox', { name: /Profile name/ }), 'Umbrella');
    await user.click(within(dialog).getByRole('radio', { name: 'Microsoft Entra ID' }));
    await user.click(within(dialog).getByRole('button', { name: 'Create profile' }));
    expect(fake.callsTo('profiles.create')).toEqual([{ name: 'Umbrella', idp: 'entra' }]);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(within(header()).getByRole('combobox', { name: 'Profile' })).toHaveValue('Umbrella');
    expect(header()).toHaveTextContent('Microsoft Entra ID');
  });
});
