import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeProfile } from './fake-api.js';
import { findRail, renderApp } from './render.js';

const seeded = makeProfile({
  id: 'p1',
  name: 'Acme',
  idp: 'okta',
  currentStep: 'idp',
  steps: { prerequisites: 'verified', dbt: 'verified', idp: 'failed', license: 'needs_you' },
});

describe('step rail', () => {
  it('lists the Overview, then the six steps in order with their status from the profile', async () => {
    renderApp({ profiles: [seeded] });
    const rail = await findRail();
    const items = within(rail).getAllByRole('listitem');
    expect(items).toHaveLength(6);
    const names = within(rail)
      .getAllByRole('button')
      .map((b) => b.getAttribute('aria-label'));
    expect(names).toEqual([
      'Overview, health at a glance',
      'Prerequisites, verified',
      'dbt, verified',
      'Identity provider: Okta, failed',
      'License types, needs you',
      'Test, not started',
      'Rotation, not started',
    ]);
    // The status is shown as text too, with a distinct icon per status.
    expect(within(items[2]!).getByText('Failed')).toBeVisible();
    const icons = items.map((li) => li.querySelector('svg')?.getAttribute('data-status'));
    expect(icons).toEqual([
      'verified',
      'verified',
      'failed',
      'needs_you',
      'not_started',
      'not_started',
    ]);
  });

  it('marks the current step with aria-current and opens the profile there (resume)', async () => {
    renderApp({ profiles: [seeded] });
    const rail = await findRail();
    const current = within(rail).getByRole('button', { current: 'step' });
    expect(current).toHaveAccessibleName('Identity provider: Okta, failed');
    expect(
      screen.getByRole('heading', { level: 1, name: 'Identity provider: Okta' }),
    ).toBeInTheDocument();
    expect(within(screen.getByRole('main')).getByText(/Status: Failed/)).toBeInTheDocument();
  });

  it('opens a step on click and saves it with wizard.goto', async () => {
    const { fake, user } = renderApp({ profiles: [seeded] });
    const rail = await findRail();
    await user.click(within(rail).getByRole('button', { name: /^License types/ }));
    expect(fake.callsTo('wizard.goto')).toEqual([{ profileId: 'p1', step: 'license' }]);
    expect(screen.getByRole('heading', { level: 1, name: 'License types' })).toBeInTheDocument();
    expect(within(rail).getByRole('button', { current: 'step' })).toHaveAccessibleName(
      /^License types/,
    );
  });

  it('is one Tab stop; arrows move focus and Enter opens the step', async () => {
    const { fake, user } = renderApp({ profiles: [makeProfile({ id: 'p1' })] });
    const rail = await findRail();
    // The Overview comes first; the steps follow.
    const [overview, ...buttons] = within(rail).getAllByRole('button');
    expect(overview).toHaveAccessibleName(/^Overview/);
    expect(buttons.map((b) => b.tabIndex)).toEqual([0, -1, -1, -1, -1, -1]);
    expect(overview!.tabIndex).toBe(-1);

    // Tab from the header's last control lands on the current step.
    buttons[0]!.focus();
    await user.keyboard('{ArrowDown}');
    expect(buttons[1]).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}');
    expect(buttons[3]).toHaveFocus();
    await user.keyboard('{ArrowUp}');
    expect(buttons[2]).toHaveFocus();
    expect(buttons.map((b) => b.tabIndex)).toEqual([-1, -1, 0, -1, -1, -1]);
    await user.keyboard('{End}');
    expect(buttons[5]).toHaveFocus();
    await user.keyboard('{ArrowDown}');
    expect(buttons[5]).toHaveFocus();
    await user.keyboard('{Home}');
    expect(overview).toHaveFocus();
    await user.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    expect(fake.callsTo('wizard.goto')).toEqual([{ profileId: 'p1', step: 'dbt' }]);
    expect(screen.getByRole('heading', { level: 1, name: 'dbt' })).toBeInTheDocument();
    await user.keyboard('{ArrowDown} ');
    expect(fake.callsTo('wizard.goto')).toEqual([
      { profileId: 'p1', step: 'dbt' },
      { profileId: 'p1', step: 'idp' },
    ]);
  });

  it('reaches the rail with Tab', async () => {
    const { user } = renderApp({ profiles: [makeProfile({ id: 'p1', currentStep: 'test' })] });
    const rail = await findRail();
    const current = within(rail).getByRole('button', { current: 'step' });
    for (let i = 0; i < 20 && document.activeElement !== current; i++) {
      await user.tab();
    }
    expect(current).toHaveFocus();
    expect(current).toHaveAccessibleName('Test, not started');
  });

  it('Next and Back move between steps, save them, and focus the new heading', async () => {
    const { fake, user } = renderApp({ profiles: [makeProfile({ id: 'p1' })] });
    await findRail();
    expect(screen.queryByRole('button', { name: 'Back' })).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next: dbt' }));
    const heading = screen.getByRole('heading', { level: 1, name: 'dbt' });
    expect(heading).toHaveFocus();
    await user.click(screen.getByRole('button', { name: 'Back' }));
    expect(screen.getByRole('heading', { level: 1, name: 'Prerequisites' })).toBeInTheDocument();
    expect(fake.callsTo('wizard.goto')).toEqual([
      { profileId: 'p1', step: 'dbt' },
      { profileId: 'p1', step: 'prerequisites' },
    ]);
  });

  it('has no Next on the last step', async () => {
    renderApp({ profiles: [makeProfile({ id: 'p1', currentStep: 'rotation' })] });
    await findRail();
    expect(screen.getByRole('button', { name: 'Back' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /^Next/ })).not.toBeInTheDocument();
  });
});
