import { act, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthItemDto, StatusDto } from '../../electron/ipc/contract.js';
import { setApi } from '../../renderer/src/api/client.js';
import { resetRotationStore } from '../../renderer/src/store/rotation.js';
import { resetStatusStore } from '../../renderer/src/store/status.js';
import { relativeTime } from '../../renderer/src/util/time.js';
import { FakeApi, makeProfile } from './fake-api.js';
import { findRail, renderApp } from './render.js';

afterEach(() => {
  resetStatusStore();
  resetRotationStore();
});

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function ago(ms: number): string {
  return new Date(Date.now() - ms).toISOString();
}

const COMPLETE = {
  prerequisites: 'verified',
  dbt: 'verified',
  idp: 'verified',
  license: 'verified',
  test: 'verified',
} as const;

/** A profile whose setup is done (dbt, IdP and test verified), with a dbt connection. */
function completeProfile(over: Parameters<typeof makeProfile>[0] = {}) {
  return makeProfile({
    id: 'p1',
    name: 'Acme Analytics',
    idp: 'okta',
    currentStep: 'test',
    steps: COMPLETE,
    dbt: {
      apiUrl: 'https://acme.us1.dbt.com',
      accountId: 70403,
      scimTokenName: 'dbt-scim-wizard-okta',
      scimTokenCreatedAt: ago(40 * DAY),
    },
    ...over,
  });
}

function item(over: Partial<HealthItemDto> & Pick<HealthItemDto, 'id'>): HealthItemDto {
  return {
    area: 'dbt',
    status: 'pass',
    message: `${over.id} is as the wizard set it.`,
    at: ago(5 * MINUTE),
    ...over,
  };
}

const PASSES: HealthItemDto[] = [
  item({ id: 'dbt.scim', message: 'SCIM is on in dbt.' }),
  item({ id: 'token.valid', area: 'token', message: 'dbt accepts the SCIM token.' }),
  item({ id: 'okta.attribute', area: 'okta', message: 'licenseType is in the app profile.' }),
];

function report(over: Partial<StatusDto> = {}): StatusDto {
  return {
    profileId: 'p1',
    profileName: 'Acme Analytics',
    idp: 'okta',
    checkedAt: ago(5 * MINUTE),
    ok: true,
    token: {
      id: 812,
      name: 'dbt-scim-wizard-okta',
      last4: 'WXYZ',
      createdAt: ago(40 * DAY),
      lastUsed: ago(2 * 60 * MINUTE),
      ageDays: 40,
    },
    rotation: {
      intervalDays: 90,
      since: ago(40 * DAY),
      dueAt: new Date(Date.now() + 50 * DAY).toISOString(),
      state: 'ok',
      daysLeft: 49,
      message: 'The next SCIM token rotation is due on 2027-01-18 (every 90 days).',
    },
    job: null,
    sso: null,
    items: PASSES,
    ...over,
  };
}

const DRIFTED: HealthItemDto[] = [
  item({ id: 'dbt.scim' }),
  item({
    id: 'dbt.manual-updates',
    status: 'pending',
    message: '“Allow manual updates” is on in dbt.',
    remediation:
      'Turn it off in dbt’s Account settings › Single sign-on, or run the dbt step (CLI: `dbt enable`).',
    fixStep: 'dbt',
  }),
  item({
    id: 'okta.attribute',
    area: 'okta',
    status: 'fail',
    message: 'The licenseType attribute is missing from the Okta app profile.',
    remediation: 'Run the Identity provider step again: it adds the attribute back.',
    fixStep: 'idp',
  }),
  item({ id: 'okta.skip', area: 'okta', status: 'skip', message: 'Group pushes: none chosen.' }),
];

function withStatus(
  saved: StatusDto | null,
  fresh: StatusDto | null = saved,
  profile = completeProfile(),
) {
  const fake = new FakeApi({ profiles: [profile] });
  fake.status = { saved, fresh };
  return fake;
}

async function findOverview(): Promise<HTMLElement> {
  await screen.findByRole('heading', { level: 1, name: 'Overview' });
  return screen.getByTestId('overview');
}

function healthSection(): HTMLElement {
  return screen.getByRole('region', { name: 'Health' });
}

/** A `status:get` with refresh that waits until released (a check takes a few seconds). */
function holdChecks(fake: FakeApi): () => void {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  setApi({
    ...fake.api,
    status: {
      get: async (input) => {
        if (input.refresh) {
          await gate;
        }
        return fake.api.status.get(input);
      },
    },
  });
  return release;
}

describe('the Overview (home dashboard)', () => {
  it('opens on the Overview when the setup is complete and shows a healthy profile calmly', async () => {
    const fake = withStatus(report());
    const { user } = renderApp(fake);
    const overview = await findOverview();
    // Opening the window on the Overview does not move focus (switching views does).
    expect(screen.getByRole('heading', { level: 1, name: 'Overview' })).not.toHaveFocus();

    const health = healthSection();
    await within(health).findByText('Healthy');
    expect(within(health).getByText('All 3 checks passed.')).toBeInTheDocument();
    expect(
      within(health).getByText(/^Last full check: .+ \(5 minutes ago\)\.$/),
    ).toBeInTheDocument();

    // The SCIM token in use: name, last four, age, last use; the rotation in words.
    const token = within(overview).getByRole('region', { name: 'SCIM token' });
    expect(within(token).getByText('dbt-scim-wizard-okta')).toBeInTheDocument();
    expect(within(token).getByText('WXYZ')).toBeInTheDocument();
    expect(within(token).getByText(/\(40 days ago\)$/)).toBeInTheDocument();
    expect(within(token).getByText(/\(2 hours ago\)$/)).toBeInTheDocument();
    expect(within(token).getByText('On schedule')).toBeInTheDocument();
    expect(
      within(token).getByText(/^Due on .+ 20\d\d, in 49 days \(every 90 days\)\.$/),
    ).toBeInTheDocument();

    // No problems section; the passes are folded under one line.
    expect(screen.queryByRole('region', { name: 'What needs attention' })).not.toBeInTheDocument();
    const passed = within(overview).getByRole('region', { name: 'Checks' });
    const summary = within(passed).getByText('3 checks passed');
    expect(within(passed).getByText('SCIM is on in dbt.')).not.toBeVisible();
    await user.click(summary);
    expect(within(passed).getByText('SCIM is on in dbt.')).toBeVisible();

    // A fresh saved result is shown as it is: no check runs by itself.
    expect(fake.callsTo('status.get')).toEqual([{ profileId: 'p1', refresh: false }]);
    // No Entra job card for Okta; no SSO card without an expiry.
    expect(
      screen.queryByRole('region', { name: 'Provisioning in Entra ID' }),
    ).not.toBeInTheDocument();
    expect(
      screen.queryByRole('region', { name: 'Single sign-on certificate' }),
    ).not.toBeInTheDocument();

    // The rail says it too, in words.
    const rail = await findRail();
    const entry = within(rail).getByRole('button', { current: 'page' });
    expect(entry).toHaveAccessibleName('Overview, healthy');
    expect(within(rail).queryByRole('button', { current: 'step' })).not.toBeInTheDocument();
  });

  it('puts the problems first, each with what to do and a button to the step that fixes it', async () => {
    const fake = withStatus(report({ ok: false, items: DRIFTED }));
    const { user } = renderApp(fake);
    const overview = await findOverview();

    const health = healthSection();
    await within(health).findByText('Needs attention');
    expect(within(health).getByText('2 items to look at, 1 passed.')).toBeInTheDocument();

    const problems = within(overview).getByRole('region', { name: 'What needs attention' });
    const rows = within(
      within(problems).getByRole('list', { name: 'Items to look at' }),
    ).getAllByRole('listitem');
    // The failure first, then what waits for the admin; each with its word, not colour alone.
    expect(rows.map((r) => r.getAttribute('data-status'))).toEqual(['fail', 'pending']);
    expect(within(rows[0]!).getByText('Failed')).toBeInTheDocument();
    expect(within(rows[0]!).getByText('Okta:')).toBeInTheDocument();
    expect(rows[0]).toHaveTextContent(
      'The licenseType attribute is missing from the Okta app profile.',
    );
    expect(rows[0]).toHaveTextContent('Run the Identity provider step again');
    expect(within(rows[1]!).getByText('Needs you')).toBeInTheDocument();
    expect(rows[1]).toHaveTextContent('Turn it off in dbt’s Account settings');
    // A command in the remediation reads as code, without its backticks.
    expect(within(rows[1]!).getByText('dbt enable').tagName).toBe('CODE');
    expect(rows[1]).not.toHaveTextContent('`');

    // The passes and the skipped one stay folded.
    expect(within(overview).getByText('1 check passed, 1 skipped')).toBeInTheDocument();

    await user.click(
      within(rows[0]!).getByRole('button', { name: 'Open Identity provider: Okta' }),
    );
    expect(fake.callsTo('wizard.goto')).toEqual([{ profileId: 'p1', step: 'idp' }]);
    const heading = screen.getByRole('heading', { level: 1, name: 'Identity provider: Okta' });
    await waitFor(() => {
      expect(heading).toHaveFocus();
    });
    const rail = await findRail();
    expect(within(rail).getByRole('button', { current: 'step' })).toHaveAccessibleName(
      /^Identity provider: Okta/,
    );
    expect(
      within(rail).getByRole('button', { name: 'Overview, needs attention' }),
    ).not.toHaveAttribute('aria-current');
  });

  it('shows an Entra job in quarantine with its reason and last cycle', async () => {
    const profile = completeProfile({ idp: 'entra' });
    const quarantined = report({
      idp: 'entra',
      ok: false,
      job: {
        state: 'quarantine',
        statusCode: 'Quarantine',
        quarantineReason: 'The SCIM endpoint refused the credentials (401).',
        lastCycleAt: ago(30 * MINUTE),
        lastCycleState: 'Failed',
        lastCycleCounts: { users: 12, groups: 1 },
      },
      items: [
        item({ id: 'dbt.scim' }),
        item({
          id: 'job.state',
          area: 'job',
          status: 'fail',
          message: 'Entra put the provisioning job in quarantine.',
          remediation: 'Fix the credentials in the Identity provider step, then restart the job.',
          fixStep: 'idp',
        }),
      ],
    });
    const fake = withStatus(quarantined, quarantined, profile);
    renderApp(fake);
    const overview = await findOverview();

    const job = within(overview).getByRole('region', { name: 'Provisioning in Entra ID' });
    expect(within(job).getByText('In quarantine')).toBeInTheDocument();
    expect(
      within(job).getByText(
        'Entra put the job in quarantine: The SCIM endpoint refused the credentials (401).',
      ),
    ).toBeInTheDocument();
    expect(within(job).getByText(/\(30 minutes ago\), failed$/)).toBeInTheDocument();
    expect(within(job).getByText('12 users, 1 group')).toBeInTheDocument();
    const problems = within(overview).getByRole('region', { name: 'What needs attention' });
    expect(
      within(problems).getByRole('button', { name: 'Open Identity provider: Entra ID' }),
    ).toBeInTheDocument();
  });

  it('says when the rotation is overdue, and Rotate now opens the Rotation step', async () => {
    const overdue = report({
      ok: false,
      rotation: {
        intervalDays: 90,
        since: ago(100 * DAY),
        dueAt: ago(10 * DAY),
        state: 'overdue',
        daysLeft: -11,
        message: 'The SCIM token rotation is overdue by 10 days (due 2026-11-19, every 90 days).',
      },
      items: [
        ...PASSES,
        item({
          id: 'rotation.due',
          area: 'rotation',
          status: 'fail',
          message: 'The SCIM token rotation is overdue by 10 days.',
          remediation: 'Rotate the token in the Rotation step.',
          fixStep: 'rotation',
        }),
      ],
    });
    const fake = withStatus(overdue);
    const { user } = renderApp(fake);
    const overview = await findOverview();

    const token = within(overview).getByRole('region', { name: 'SCIM token' });
    expect(within(token).getByText('Overdue')).toBeInTheDocument();
    expect(
      within(token).getByText(/^Was due on .+ 20\d\d, 10 days ago \(every 90 days\)\.$/),
    ).toBeInTheDocument();
    await user.click(within(token).getByRole('button', { name: 'Rotate now' }));
    expect(fake.callsTo('wizard.goto')).toEqual([{ profileId: 'p1', step: 'rotation' }]);
    expect(screen.getByRole('heading', { level: 1, name: 'Rotation' })).toBeInTheDocument();
  });

  it('before any check, reads the rotation schedule from the Rotation step and does not check without dbt', async () => {
    const profile = completeProfile({
      dbt: { scimTokenName: 'dbt-scim-wizard-okta', scimTokenCreatedAt: ago(85 * DAY) },
    });
    const fake = withStatus(null, report(), profile);
    fake.rotation.state = {
      ...fake.rotation.state,
      due: {
        intervalDays: 90,
        since: ago(85 * DAY),
        dueAt: new Date(Date.now() + 5 * DAY).toISOString(),
        state: 'due',
        daysLeft: 4,
        message: 'The SCIM token rotation is due in 4 days, on 2026-12-04.',
      },
    };
    const { user } = renderApp(fake);
    const overview = await findOverview();

    const health = healthSection();
    expect(
      await within(health).findByText('No full check has run for this profile yet.'),
    ).toBeInTheDocument();
    expect(within(health).getByText('Not checked yet')).toBeInTheDocument();
    expect(within(health).getByText('Last full check: never.')).toBeInTheDocument();
    const token = within(overview).getByRole('region', { name: 'SCIM token' });
    expect(await within(token).findByText('Due soon')).toBeInTheDocument();
    expect(
      within(token).getByText(/^Due on .+ 20\d\d, in 4 days \(every 90 days\)\.$/),
    ).toBeInTheDocument();
    expect(fake.callsTo('rotation.state')).toEqual([{ profileId: 'p1' }]);

    // Without a dbt connection nothing can be checked: no check runs, and the way there is offered.
    expect(within(health).getByRole('button', { name: 'Check now' })).toBeDisabled();
    expect(fake.callsTo('status.get')).toEqual([{ profileId: 'p1', refresh: false }]);
    await user.click(within(health).getByRole('button', { name: 'Open the dbt step' }));
    expect(fake.callsTo('wizard.goto')).toEqual([{ profileId: 'p1', step: 'dbt' }]);
  });

  it('checks by itself once when there is no saved result, then not again in this window', async () => {
    const fake = withStatus(null, report());
    const { user } = renderApp(fake);
    await findOverview();

    await within(healthSection()).findByText('Healthy');
    expect(fake.callsTo('status.get')).toEqual([
      { profileId: 'p1', refresh: false },
      { profileId: 'p1', refresh: true },
    ]);

    // Away and back: the saved result is read again, but no second automatic check.
    fake.status.saved = null;
    const rail = await findRail();
    await user.click(within(rail).getByRole('button', { name: /^Test,/ }));
    await screen.findByRole('heading', { level: 1, name: 'Test' });
    await user.click(within(rail).getByRole('button', { name: /^Overview/ }));
    await screen.findByText('No full check has run for this profile yet.');
    expect(fake.callsTo('status.get')).toEqual([
      { profileId: 'p1', refresh: false },
      { profileId: 'p1', refresh: true },
      { profileId: 'p1', refresh: false },
    ]);
  });

  it('checks by itself when the saved result is over an hour old, not when it is fresh', async () => {
    const fake = withStatus(
      report({ checkedAt: ago(3 * 60 * MINUTE) }),
      report({ ok: false, items: DRIFTED }),
    );
    renderApp(fake);
    await findOverview();
    await within(healthSection()).findByText('Needs attention');
    expect(fake.callsTo('status.get')).toEqual([
      { profileId: 'p1', refresh: false },
      { profileId: 'p1', refresh: true },
    ]);
  });

  it('Check now shows its progress in a live region while the check runs, then the result', async () => {
    const fake = withStatus(report(), report({ ok: false, items: DRIFTED }));
    const { user } = renderApp(fake);
    await findOverview();
    const release = holdChecks(fake);
    const health = healthSection();
    await within(health).findByText('Healthy');

    await user.click(within(health).getByRole('button', { name: 'Check now' }));
    const live = within(health).getByRole('status');
    expect(live).toHaveTextContent(
      'Checking dbt, Okta and the SCIM token… this takes a few seconds.',
    );
    expect(within(health).getByRole('button', { name: 'Check now' })).toHaveAttribute(
      'data-loading',
      'true',
    );
    expect(within(health).getByText('Healthy')).toBeInTheDocument();

    await act(async () => {
      release();
      await Promise.resolve();
    });
    await within(health).findByText('Needs attention');
    await waitFor(() => {
      expect(live).toHaveTextContent('Check finished: Needs attention.');
    });
    expect(screen.getByRole('region', { name: 'What needs attention' })).toBeInTheDocument();
    expect(fake.callsTo('status.get')).toEqual([
      { profileId: 'p1', refresh: false },
      { profileId: 'p1', refresh: true },
    ]);
  });

  it('says what went wrong when a check cannot finish, and Retry checks again', async () => {
    const fake = withStatus(report());
    const { user } = renderApp(fake);
    await findOverview();
    const health = healthSection();
    await within(health).findByText('Healthy');
    fake.fail('status.get', {
      code: 'network',
      message: 'dbt did not answer. Check your connection, then try again.',
    });
    await user.click(within(health).getByRole('button', { name: 'Check now' }));
    const alert = await within(health).findByRole('alert');
    expect(alert).toHaveTextContent('Could not finish the check');
    expect(alert).toHaveTextContent('dbt did not answer.');
    // The last result stays on screen.
    expect(within(health).getByText('Healthy')).toBeInTheDocument();

    fake.succeed('status.get');
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => {
      expect(within(health).queryByRole('alert')).not.toBeInTheDocument();
    });
    expect(
      fake.callsTo('status.get').filter((c) => (c as { refresh: boolean }).refresh),
    ).toHaveLength(2);
  });

  it('opens a setup that is not complete on its step; the rail’s Overview entry opens the Overview', async () => {
    const fake = withStatus(report());
    fake.profiles = [
      completeProfile({ currentStep: 'idp', steps: { ...COMPLETE, test: 'needs_you' } }),
    ];
    const { user } = renderApp(fake);
    const rail = await findRail();
    expect(
      screen.getByRole('heading', { level: 1, name: 'Identity provider: Okta' }),
    ).toBeInTheDocument();
    expect(fake.callsTo('status.get')).toEqual([]);

    const entry = within(rail).getAllByRole('button')[0]!;
    expect(entry).toHaveAccessibleName('Overview, health at a glance');
    expect(entry).not.toHaveAttribute('aria-current');
    await user.click(entry);
    const heading = await screen.findByRole('heading', { level: 1, name: 'Overview' });
    expect(heading).toHaveFocus();
    expect(entry).toHaveAttribute('aria-current', 'page');
    expect(within(rail).queryByRole('button', { current: 'step' })).not.toBeInTheDocument();
    await waitFor(() => {
      expect(entry).toHaveAccessibleName('Overview, healthy');
    });

    // Keyboard: from the Overview down to the first step, and open it.
    entry.focus();
    await user.keyboard('{ArrowDown}{Enter}');
    expect(fake.callsTo('wizard.goto')).toEqual([{ profileId: 'p1', step: 'prerequisites' }]);
    await waitFor(() => {
      expect(screen.getByRole('heading', { level: 1, name: 'Prerequisites' })).toHaveFocus();
    });
    expect(entry).not.toHaveAttribute('aria-current');
  });

  it('shows the dbt SSO certificate’s expiry when the check knows it', async () => {
    const fake = withStatus(
      report({
        sso: {
          method: 'okta',
          certificateExpiresAt: new Date(Date.now() + 12 * DAY + MINUTE).toISOString(),
        },
      }),
    );
    renderApp(fake);
    const overview = await findOverview();
    const sso = await within(overview).findByRole('region', { name: 'Single sign-on certificate' });
    expect(sso).toHaveTextContent(
      /Expires soon: on .+, in 12 days\. Renew it in your identity provider/,
    );
  });
});

describe('the setup report on the Overview', () => {
  it('saves the report as PDF or Markdown, says where, and says when it was not saved', async () => {
    const fake = withStatus(report());
    const { user } = renderApp(fake);
    const overview = await findOverview();
    const section = within(overview).getByRole('region', { name: 'Setup report' });
    expect(section).toHaveTextContent('It holds no secret');

    await user.click(within(section).getByRole('button', { name: 'Save as PDF…' }));
    expect(
      await within(section).findByText(
        'Saved the PDF report to /home/ada/Documents/dbt-scim-report-acme-2026-11-29.pdf.',
      ),
    ).toBeInTheDocument();
    expect(fake.callsTo('report.save')).toEqual([{ profileId: 'p1', format: 'pdf' }]);

    fake.reportSaved = { saved: false };
    await user.click(within(section).getByRole('button', { name: 'Save as Markdown…' }));
    expect(await within(section).findByText('Not saved.')).toBeInTheDocument();
    expect(fake.callsTo('report.save')).toHaveLength(2);

    fake.fail('report.save', { code: 'bad_input', message: 'A PDF needs the desktop app.' });
    await user.click(within(section).getByRole('button', { name: 'Save as PDF…' }));
    expect(await within(section).findByText('The PDF report was not saved')).toBeInTheDocument();
    expect(within(section).getByText('A PDF needs the desktop app.')).toBeInTheDocument();
  });
});

describe('relativeTime', () => {
  const now = new Date('2026-11-29T12:00:00Z');
  it.each([
    ['2026-11-29T11:59:30Z', 'just now'],
    ['2026-11-29T11:48:00Z', '12 minutes ago'],
    ['2026-11-29T11:00:00Z', '1 hour ago'],
    ['2026-11-29T09:00:00Z', '3 hours ago'],
    ['2026-11-28T10:00:00Z', 'yesterday'],
    ['2026-11-24T12:00:00Z', '5 days ago'],
    ['2026-07-29T12:00:00Z', '4 months ago'],
    ['2024-10-29T12:00:00Z', '2 years ago'],
    ['2026-11-29T14:00:00Z', 'in 2 hours'],
    ['2026-11-30T13:00:00Z', 'tomorrow'],
    ['2026-12-11T12:00:00Z', 'in 12 days'],
    ['not a time', ''],
  ])('%s is "%s"', (at, words) => {
    expect(relativeTime(at, now)).toBe(words);
  });
});
