import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileDto } from '../../electron/ipc/contract.js';
import { resetRotationStore, useRotationStore } from '../../renderer/src/store/rotation.js';
import { useWizardStore } from '../../renderer/src/store/wizard.js';
import { check } from './dbt-fixtures.js';
import { FakeApi, makeProfile, rotationDueUnknown, rotationRun } from './fake-api.js';
import { findRail, renderApp } from './render.js';

const NEW_TOKEN = 'dbtc-scim-next-token-NEW9';

function rotationApi(idp: ProfileDto['idp'] = 'okta'): FakeApi {
  const fake = new FakeApi({
    profiles: [
      makeProfile({
        id: 'p1',
        idp,
        currentStep: 'rotation',
        steps: { prerequisites: 'verified', dbt: 'verified', idp: 'verified' },
        dbt: {
          apiUrl: 'https://ab123.us1.dbt.com',
          accountId: 12345,
          scimUrl: 'https://ab123.us1.dbt.com/api/scim/v2/accounts/12345',
        },
      }),
    ],
  });
  fake.rotation.newToken = NEW_TOKEN;
  return fake;
}

/** The six stage checks, `passed` of them passing, then pending. */
function stages(passed: number) {
  const ids = ['created', 'checked', 'installed', 'proven', 'old-deleted', 'old-refused'];
  return ids.map((id, i) =>
    check(
      `rotation.${id}`,
      i < passed ? 'pass' : 'pending',
      i < passed ? `Stage ${id} passed.` : `Stage ${id} waits.`,
    ),
  );
}

function runSection(): HTMLElement {
  return screen.getByRole('region', { name: /Rotate the SCIM token/ });
}

function stageRows(): { title: string; status: string }[] {
  const list = screen.getByRole('list', { name: 'Rotation stages' });
  return within(list)
    .getAllByRole('listitem')
    .map((li) => ({
      title: li.textContent.split(':')[0]?.replace(/^(Passed|Needs you|Skipped|Failed)/, '') ?? '',
      status: li.getAttribute('data-status') ?? '',
    }));
}

afterEach(() => {
  resetRotationStore();
});

describe('Rotation step', () => {
  it('says what rotation does and its promise, with the button and the checkbox', async () => {
    renderApp(rotationApi());
    await findRail();
    const region = await screen.findByRole('region', { name: /Rotate the SCIM token/ });
    expect(region).toHaveTextContent('The identity provider never holds a token dbt refuses');
    expect(region).toHaveTextContent(
      'the old token is deleted only after the new one is proven in use',
    );
    expect(within(region).getByRole('checkbox', { name: /Keep the old token/ })).not.toBeChecked();
    expect(within(region).getByRole('button', { name: 'Rotate the SCIM token' })).toBeEnabled();
  });

  it('runs the rotation and fills the checklist of stages (Entra, done, keep old)', async () => {
    const fake = rotationApi('entra');
    fake.rotation.runs = [
      rotationRun({
        phase: 'verified',
        outcome: 'done',
        stage: 'done',
        checks: [
          ...stages(4).slice(0, 4),
          check('rotation.old-deleted', 'skip', 'The old token was kept.'),
          check('rotation.old-refused', 'skip', 'The old token was kept, so it is still accepted.'),
        ],
      }),
    ];
    const { user } = renderApp(fake);
    await findRail();
    await screen.findByRole('region', { name: /Rotate the SCIM token/ });
    await user.click(screen.getByRole('checkbox', { name: /Keep the old token/ }));
    await user.click(screen.getByRole('button', { name: 'Rotate the SCIM token' }));
    await within(runSection()).findByText(
      'The rotation is done: the identity provider uses the new token.',
    );
    expect(fake.callsTo('rotation.run')).toEqual([{ profileId: 'p1', keepOld: true }]);
    expect(stageRows()).toEqual([
      { title: 'New token created', status: 'pass' },
      { title: 'New token checked', status: 'pass' },
      { title: 'Installed in the identity provider', status: 'pass' },
      { title: 'Proven in use', status: 'pass' },
      { title: 'Old token deleted', status: 'skip' },
      { title: 'Old token refused', status: 'skip' },
    ]);
    // No Okta paste for Entra.
    expect(screen.queryByRole('button', { name: 'Copy the new SCIM token' })).toBeNull();
  });

  it('Okta: waits for the paste, copies the new token (last four only), then checks again', async () => {
    const fake = rotationApi('okta');
    fake.rotation.runs = [
      rotationRun({
        outcome: 'pending',
        stage: 'installed',
        checks: stages(2),
        instructions: [
          'Open the dbt app in Okta: Provisioning → Integration → Edit.',
          'Paste the new token into "Bearer", click "Test Connector Configuration", then "Save".',
        ],
      }),
      rotationRun({ phase: 'verified', outcome: 'done', stage: 'done', checks: stages(6) }),
    ];
    const { user } = renderApp(fake);
    await findRail();
    await screen.findByRole('region', { name: /Rotate the SCIM token/ });
    await user.click(screen.getByRole('button', { name: 'Rotate the SCIM token' }));

    const paste = await screen.findByRole('group', { name: 'Paste the new token into Okta' });
    expect(paste).toHaveTextContent('Provisioning → Integration → Edit');
    expect(stageRows().map((r) => r.status)).toEqual([
      'pass',
      'pass',
      'pending',
      'pending',
      'pending',
      'pending',
    ]);
    // While Okta waits, only "Check again" continues.
    expect(screen.getByRole('button', { name: 'Rotate the SCIM token' })).toBeDisabled();

    await user.click(within(paste).getByRole('button', { name: 'Copy the new SCIM token' }));
    await within(paste).findByText(/^Copied \(…NEW9\)\. The clipboard is cleared at/);
    expect(fake.callsTo('rotation.copyNewToken')).toEqual([{ profileId: 'p1' }]);
    expect(document.body.textContent).not.toContain(NEW_TOKEN);
    expect(JSON.stringify([useRotationStore.getState(), useWizardStore.getState()])).not.toContain(
      NEW_TOKEN,
    );

    await user.click(within(paste).getByRole('button', { name: 'Check again' }));
    await within(runSection()).findByText(
      'The rotation is done: the identity provider uses the new token.',
    );
    expect(fake.callsTo('rotation.run')).toHaveLength(2);
    expect(stageRows().every((r) => r.status === 'pass')).toBe(true);
    expect(screen.queryByRole('group', { name: 'Paste the new token into Okta' })).toBeNull();
  });

  it('shows a failed rotation’s error and a refused call’s error', async () => {
    const fake = rotationApi('okta');
    fake.rotation.runs = [
      rotationRun({
        outcome: 'failed',
        stage: 'created',
        checks: stages(1),
        error: {
          code: 'auth_failed',
          message: 'dbt refused the Admin API token. Paste a new one.',
        },
      }),
    ];
    const { user } = renderApp(fake);
    await findRail();
    await screen.findByRole('region', { name: /Rotate the SCIM token/ });
    await user.click(screen.getByRole('button', { name: 'Rotate the SCIM token' }));
    const alert = await within(runSection()).findByRole('alert');
    expect(alert).toHaveTextContent('The rotation stopped');
    expect(alert).toHaveTextContent('dbt refused the Admin API token. Paste a new one.');

    fake.fail('rotation.run', {
      code: 'bad_input',
      message: 'The SCIM base URL is missing. Paste it from dbt.',
    });
    await user.click(screen.getByRole('button', { name: 'Rotate the SCIM token' }));
    await within(runSection()).findByText('The SCIM base URL is missing. Paste it from dbt.');
    expect(within(runSection()).getByText('The rotation did not run')).toBeInTheDocument();
  });

  it('lists the history as a table, newest first, and offers to continue a rotation in progress', async () => {
    const fake = rotationApi('okta');
    fake.rotation.state = {
      inProgress: {
        stage: 'installed',
        idp: 'okta',
        oldTokenName: 'scim-okta-2026-11-01',
        newTokenName: 'scim-okta-2026-11-29',
        startedAt: '2026-11-29T09:00:00.000Z',
      },
      history: [
        {
          at: '2026-11-29T09:05:00.000Z',
          idp: 'okta',
          oldTokenName: 'scim-okta-2026-11-01',
          newTokenName: 'scim-okta-2026-11-29',
          outcome: 'pending',
          stage: 'installed',
          message: 'Waiting for the paste.',
        },
        {
          at: '2026-11-01T09:00:00.000Z',
          idp: 'entra',
          oldTokenName: 'scim-first',
          newTokenName: 'scim-okta-2026-11-01',
          outcome: 'done',
          stage: 'done',
          message: 'Rotated.',
        },
      ],
      due: rotationDueUnknown(),
    };
    renderApp(fake);
    await findRail();
    const table = await screen.findByRole('table', { name: 'Rotation history' });
    const rows = within(table).getAllByRole('row');
    expect(
      within(table)
        .getAllByRole('columnheader')
        .map((c) => c.textContent),
    ).toEqual(['Date', 'Identity provider', 'Old → new token', 'Outcome']);
    expect(rows.slice(1).map((r) => r.textContent)).toEqual([
      expect.stringContaining('Oktascim-okta-2026-11-01 → scim-okta-2026-11-29Waiting'),
      expect.stringContaining('Microsoft Entra IDscim-first → scim-okta-2026-11-01Done'),
    ]);
    expect(screen.getByRole('button', { name: 'Continue the rotation' })).toBeEnabled();
    expect(runSection()).toHaveTextContent('is not finished');
    await waitFor(() => {
      expect(fake.callsTo('rotation.state')).toEqual([{ profileId: 'p1' }]);
    });
  });

  it('shows when the next rotation is due, and saves a new interval', async () => {
    const fake = rotationApi('entra');
    fake.rotation.state = {
      ...fake.rotation.state,
      due: {
        intervalDays: 90,
        since: '2026-08-01T10:00:00.000Z',
        dueAt: '2026-10-30T10:00:00.000Z',
        state: 'overdue',
        daysLeft: -31,
        message: 'The SCIM token rotation is overdue by 30 days (due 2026-10-30, every 90 days).',
      },
    };
    const { user } = renderApp(fake);
    await findRail();
    const schedule = await screen.findByRole('region', { name: /Schedule/ });
    expect(
      await within(schedule).findByText(
        'The SCIM token rotation is overdue by 30 days (due 2026-10-30, every 90 days).',
      ),
    ).toBeInTheDocument();
    expect(schedule).toHaveTextContent('Overdue');

    const days = within(schedule).getByRole('textbox', { name: /Rotate the token every/ });
    const save = within(schedule).getByRole('button', { name: 'Save schedule' });
    expect(days).toHaveValue('90');
    expect(save).toBeDisabled();
    await user.clear(days);
    await user.type(days, '3');
    expect(save).toBeDisabled();
    expect(within(schedule).getByText('Enter 7 to 730 days.')).toBeInTheDocument();
    await user.clear(days);
    await user.type(days, '30');
    await user.click(save);
    expect(
      await within(schedule).findByText('Saved: the token is rotated every 30 days.'),
    ).toBeInTheDocument();
    expect(fake.callsTo('rotation.setPolicy')).toEqual([{ profileId: 'p1', intervalDays: 30 }]);
    // The due date is read again after the save.
    await waitFor(() => {
      expect(fake.callsTo('rotation.state').length).toBeGreaterThanOrEqual(2);
    });
  });

  it('says why a schedule was not saved', async () => {
    const fake = rotationApi('entra');
    fake.fail('rotation.setPolicy', { code: 'bad_input', message: 'The profile is locked.' });
    const { user } = renderApp(fake);
    await findRail();
    const schedule = await screen.findByRole('region', { name: /Schedule/ });
    const days = within(schedule).getByRole('textbox', { name: /Rotate the token every/ });
    await user.clear(days);
    await user.type(days, '60');
    await user.click(within(schedule).getByRole('button', { name: 'Save schedule' }));
    expect(await within(schedule).findByText('The schedule was not saved')).toBeInTheDocument();
    expect(within(schedule).getByText('The profile is locked.')).toBeInTheDocument();
  });
});
