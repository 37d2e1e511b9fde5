import { act, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { EngineEventDto } from '../../electron/ipc/contract.js';
import { makeProfile } from './fake-api.js';
import { findRail, renderApp } from './render.js';

const profile = makeProfile({ id: 'p1', name: 'Acme', idp: 'entra', currentStep: 'idp' });

function progress(
  over: Partial<Extract<EngineEventDto, { type: 'progress' }>> = {},
): EngineEventDto {
  return {
    type: 'progress',
    runId: 'r1',
    profileId: 'p1',
    step: 'idp',
    kind: 'apply',
    message: 'Waiting for Entra to finish creating the app…',
    elapsedMs: 12_000,
    at: '2026-11-29T10:42:00.000Z',
    ...over,
  };
}

describe('resume', () => {
  it('shows a calm alert when a run was interrupted, and it can be dismissed', async () => {
    const { fake, user } = renderApp({
      profiles: [profile],
      interrupted: [
        { runId: 'r9', kind: 'apply', step: 'idp', phase: 'applying', at: '2026-11-29T10:00:00Z' },
      ],
    });
    await findRail();
    expect(fake.callsTo('wizard.interrupted')).toEqual([{ profileId: 'p1' }]);
    const alert = await screen.findByText(/A run was interrupted during/);
    expect(alert).toHaveTextContent(
      'A run was interrupted during the apply phase of Identity provider: Entra ID. Re-running it is safe: it picks up where it stopped.',
    );
    await user.click(screen.getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByText(/A run was interrupted/)).not.toBeInTheDocument();
  });

  it('shows no alert when nothing was interrupted', async () => {
    renderApp({ profiles: [profile] });
    await findRail();
    expect(screen.queryByText(/interrupted/)).not.toBeInTheDocument();
  });
});

describe('engine events', () => {
  it('announces progress of the active profile in the polite live region and the activity list', async () => {
    const { fake } = renderApp({ profiles: [profile] });
    await findRail();
    const live = screen.getByTestId('live-status');
    expect(live).toHaveAttribute('aria-live', 'polite');
    expect(live).toBeEmptyDOMElement();

    act(() => {
      fake.emit(progress());
    });
    expect(live).toHaveTextContent(
      'Identity provider: Entra ID: Waiting for Entra to finish creating the app… · 12 s',
    );
    const activity = screen.getByRole('region', { name: 'Activity' });
    expect(within(activity).getByText(/Waiting for Entra/)).toBeInTheDocument();

    act(() => {
      fake.emit({
        type: 'phase',
        runId: 'r1',
        profileId: 'p1',
        step: 'idp',
        kind: 'apply',
        phase: 'failed',
        at: '2026-11-29T10:43:00.000Z',
        error: { code: 'rate_limited', message: 'Microsoft Graph asked us to slow down.' },
      });
    });
    expect(live).toHaveTextContent(
      'Identity provider: Entra ID: failed: Microsoft Graph asked us to slow down.',
    );
  });

  it('a read-back with items waiting for the admin reads as waiting, not as a failure', async () => {
    const { fake } = renderApp({ profiles: [profile] });
    await findRail();
    const live = screen.getByTestId('live-status');
    const checks = [
      { id: 'a', status: 'pass' as const, message: 'ok', at: '2026-11-29T10:43:00.000Z' },
      { id: 'b', status: 'pending' as const, message: 'yours', at: '2026-11-29T10:43:00.000Z' },
    ];
    const phase = {
      type: 'phase' as const,
      runId: 'r2',
      profileId: 'p1',
      step: 'license' as const,
      kind: 'license.checklist',
      phase: 'failed' as const,
      at: '2026-11-29T10:43:00.000Z',
    };
    act(() => {
      fake.emit({ ...phase, checks });
    });
    expect(live).toHaveTextContent('License types: checked, waiting for you');
    // One failing item makes it a failure again.
    act(() => {
      fake.emit({
        ...phase,
        runId: 'r3',
        checks: [
          ...checks,
          { id: 'c', status: 'fail' as const, message: 'no', at: '2026-11-29T10:43:00.000Z' },
        ],
      });
    });
    expect(live).toHaveTextContent('License types: failed');
  });

  it('does not announce events of another profile', async () => {
    const { fake } = renderApp({ profiles: [profile, makeProfile({ id: 'p2', name: 'Other' })] });
    await findRail();
    act(() => {
      fake.emit(progress({ profileId: 'p2', message: 'Reading the dbt account' }));
    });
    expect(screen.getByTestId('live-status')).toBeEmptyDOMElement();
    expect(screen.queryByRole('region', { name: 'Activity' })).not.toBeInTheDocument();
  });

  it('subscribes once and unsubscribes on unmount', async () => {
    const { fake, view } = renderApp({ profiles: [profile] });
    await findRail();
    expect(fake.subscriberCount).toBe(1);
    view.unmount();
    expect(fake.subscriberCount).toBe(0);
  });
});
