import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { findRail, renderApp } from './render.js';

describe('first run', () => {
  it('shows the welcome form and what you need when there is no profile', async () => {
    renderApp();
    expect(
      await screen.findByRole('heading', { level: 1, name: 'Set up SCIM for a dbt account' }),
    ).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: /Profile name/ })).toBeInTheDocument();
    const group = screen.getByRole('radiogroup', { name: /Identity provider/ });
    expect(within(group).getByRole('radio', { name: 'Okta' })).toBeInTheDocument();
    expect(within(group).getByRole('radio', { name: 'Microsoft Entra ID' })).toBeInTheDocument();
    expect(within(group).getByRole('radio', { name: /not sure yet/ })).toBeInTheDocument();
    const needs = screen.getByRole('region', { name: 'What you need' });
    expect(needs).toHaveTextContent('dbt account admin');
    expect(needs).toHaveTextContent('Enterprise');
    expect(needs).toHaveTextContent('Single sign-on');
    expect(needs).toHaveTextContent('20–30 minutes');
    expect(screen.queryByRole('navigation', { name: 'Setup steps' })).not.toBeInTheDocument();
  });

  it('asks for a name before creating anything', async () => {
    const { fake, user } = renderApp();
    await screen.findByRole('heading', { name: 'Set up SCIM for a dbt account' });
    await user.click(screen.getByRole('radio', { name: 'Okta' }));
    await user.click(screen.getByRole('button', { name: 'Create profile' }));
    expect(screen.getByRole('textbox', { name: /Profile name/ })).toHaveAccessibleDescription(
      /Give the profile a name/,
    );
    await user.type(screen.getByRole('textbox', { name: /Profile name/ }), '   ');
    await user.click(screen.getByRole('button', { name: 'Create profile' }));
    expect(fake.callsTo('profiles.create')).toEqual([]);
  });

  it('asks for an identity provider choice', async () => {
    const { fake, user } = renderApp();
    await user.type(await screen.findByRole('textbox', { name: /Profile name/ }), 'Acme');
    await user.click(screen.getByRole('button', { name: 'Create profile' }));
    expect(screen.getByText(/Choose an identity provider/)).toBeInTheDocument();
    expect(fake.callsTo('profiles.create')).toEqual([]);
  });

  it('creates the profile with the chosen IdP and opens Prerequisites', async () => {
    const { fake, user } = renderApp();
    await user.type(await screen.findByRole('textbox', { name: /Profile name/ }), ' Acme ');
    await user.click(screen.getByRole('radio', { name: 'Microsoft Entra ID' }));
    await user.click(screen.getByRole('button', { name: 'Create profile' }));

    const rail = await findRail();
    expect(fake.callsTo('profiles.create')).toEqual([{ name: 'Acme', idp: 'entra' }]);
    const current = within(rail).getByRole('button', { current: 'step' });
    expect(current).toHaveAccessibleName(/^Prerequisites/);
    expect(screen.getByRole('heading', { level: 1, name: 'Prerequisites' })).toBeInTheDocument();
    expect(
      screen.getByText('Microsoft Entra ID', { selector: '.mantine-Badge-label' }),
    ).toBeVisible();
  });

  it('creates a profile without an IdP when the admin is not sure yet', async () => {
    const { fake, user } = renderApp();
    await user.type(await screen.findByRole('textbox', { name: /Profile name/ }), 'Globex');
    await user.click(screen.getByRole('radio', { name: /not sure yet/ }));
    await user.click(screen.getByRole('button', { name: 'Create profile' }));
    await findRail();
    expect(fake.callsTo('profiles.create')).toEqual([{ name: 'Globex', idp: null }]);
    expect(screen.getByText('IdP not chosen')).toBeInTheDocument();
  });

  it('shows why creating failed, and Retry tries again', async () => {
    const { fake, user } = renderApp();
    fake.fail('profiles.create', { code: 'internal', message: 'The settings file is locked.' });
    await user.type(await screen.findByRole('textbox', { name: /Profile name/ }), 'Acme');
    await user.click(screen.getByRole('radio', { name: 'Okta' }));
    await user.click(screen.getByRole('button', { name: 'Create profile' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('The settings file is locked.');
    fake.succeed('profiles.create');
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await findRail();
    expect(fake.callsTo('profiles.create')).toHaveLength(2);
  });
});
