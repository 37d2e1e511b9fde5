import { screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeApi, makeProfile } from './fake-api.js';
import { findRail, renderApp } from './render.js';

describe('errors', () => {
  it('shows the ErrorCallout when profiles.list fails, and Retry calls it again', async () => {
    const fake = new FakeApi({ profiles: [makeProfile({ id: 'p1', name: 'Acme' })] });
    fake.fail('profiles.list', {
      code: 'internal',
      message: 'The profiles file could not be read. Move it aside and start the app again.',
    });
    const { user } = renderApp(fake);

    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not load your profiles');
    expect(alert).toHaveTextContent('The profiles file could not be read.');
    expect(alert).not.toHaveTextContent(/at .*\.ts:\d+/);
    expect(fake.callsTo('profiles.list')).toHaveLength(1);

    fake.succeed('profiles.list');
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await findRail();
    expect(fake.callsTo('profiles.list')).toHaveLength(2);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it('copies a redacted diagnostic as "code: message"', async () => {
    const fake = new FakeApi();
    fake.fail('profiles.list', { code: 'permission_denied', message: 'Not allowed.' });
    const { user } = renderApp(fake);
    const alert = await screen.findByRole('alert');
    await user.click(within(alert).getByRole('button', { name: 'Copy diagnostic' }));
    // user-event installs a clipboard stub on navigator; read back what was written.
    await expect(navigator.clipboard.readText()).resolves.toBe('permission_denied: Not allowed.');
    expect(within(alert).getByText('Copied.')).toBeInTheDocument();
  });

  it('keeps the step when wizard.goto fails, and says why', async () => {
    const fake = new FakeApi({ profiles: [makeProfile({ id: 'p1' })] });
    fake.fail('wizard.goto', { code: 'internal', message: 'The profile could not be saved.' });
    const { user } = renderApp(fake);
    const rail = await findRail();
    await user.click(within(rail).getByRole('button', { name: /^Rotation/ }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not open that step');
    expect(alert).toHaveTextContent('The profile could not be saved.');
    expect(screen.getByRole('heading', { level: 1, name: 'Prerequisites' })).toBeInTheDocument();

    fake.succeed('wizard.goto');
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => {
      expect(screen.getByRole('heading', { level: 1, name: 'Rotation' })).toBeInTheDocument();
    });
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });
});
