import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeProfile } from './fake-api.js';
import { findRail, renderApp } from './render.js';

const acme = makeProfile({ id: 'p1', name: 'Acme', idp: 'okta' });
const globex = makeProfile({ id: 'p2', name: 'Globex', idp: 'entra' });

describe('profile menu', () => {
  it('asks for confirmation, naming the profile, and deletes only after confirming', async () => {
    const { fake, user } = renderApp({ profiles: [acme, globex], activeProfileId: 'p1' });
    await findRail();
    await user.click(screen.getByRole('button', { name: 'Profile settings' }));
    await user.click(await screen.findByRole('menuitem', { name: /Delete profile/ }));

    let dialog = await screen.findByRole('dialog', { name: 'Delete “Acme”' });
    expect(dialog).toHaveTextContent('Delete the profile Acme');
    expect(fake.callsTo('profiles.delete')).toEqual([]);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(fake.callsTo('profiles.delete')).toEqual([]);

    await user.click(screen.getByRole('button', { name: 'Profile settings' }));
    await user.click(await screen.findByRole('menuitem', { name: /Delete profile/ }));
    dialog = await screen.findByRole('dialog', { name: 'Delete “Acme”' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete profile' }));

    expect(fake.callsTo('profiles.delete')).toEqual([{ id: 'p1' }]);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Profile' })).toHaveValue('Globex');
  });

  it('returns to the welcome screen after deleting the last profile', async () => {
    const { user } = renderApp({ profiles: [acme] });
    await findRail();
    await user.click(screen.getByRole('button', { name: 'Profile settings' }));
    await user.click(await screen.findByRole('menuitem', { name: /Delete profile/ }));
    const dialog = await screen.findByRole('dialog');
    await user.click(within(dialog).getByRole('button', { name: 'Delete profile' }));
    expect(
      await screen.findByRole('heading', { name: 'Set up SCIM for a dbt account' }),
    ).toBeInTheDocument();
  });

  it('renames the profile and changes its IdP', async () => {
    const { fake, user } = renderApp({ profiles: [acme] });
    await findRail();
    await user.click(screen.getByRole('button', { name: 'Profile settings' }));
    await user.click(await screen.findByRole('menuitem', { name: /Edit profile/ }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit profile' });
    const name = within(dialog).getByRole('textbox', { name: /Profile name/ });
    await user.clear(name);
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(name).toHaveAccessibleDescription(/Give the profile a name/);
    expect(fake.callsTo('profiles.update')).toEqual([]);

    await user.type(name, 'Acme EU');
    await user.click(within(dialog).getByRole('radio', { name: 'Microsoft Entra ID' }));
    await user.click(within(dialog).getByRole('button', { name: 'Save' }));
    expect(fake.callsTo('profiles.update')).toEqual([{ id: 'p1', name: 'Acme EU', idp: 'entra' }]);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Profile' })).toHaveValue('Acme EU');
    expect(screen.getByRole('banner')).toHaveTextContent('Microsoft Entra ID');
  });
});
