import { screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { ProfileDto } from '../../electron/ipc/contract.js';
import { resetLicenseStore } from '../../renderer/src/store/license.js';
import { check } from './dbt-fixtures.js';
import { slow } from './dbt-fixtures.js';
import { FakeApi, licenseRun, makeProfile } from './fake-api.js';
import { findRail, renderApp } from './render.js';

function licenseApi(idp: 'okta' | 'entra', over: Partial<Omit<ProfileDto, 'steps'>> = {}): FakeApi {
  return new FakeApi({
    profiles: [
      makeProfile({
        id: 'p1',
        idp,
        currentStep: 'license',
        steps: { prerequisites: 'verified', dbt: 'verified', idp: 'verified' },
        dbt: {
          apiUrl: 'https://ab123.us1.dbt.com',
          accountId: 12345,
          scimUrl: 'https://ab123.us1.dbt.com/api/scim/v2/accounts/12345',
        },
        ...over,
      }),
    ],
  });
}

const region = (name: RegExp) => screen.getByRole('region', { name });

const MAP_ADD = {
  id: 'license.map.developer',
  action: 'add' as const,
  target: 'dbt license map Developer',
  detail:
    'add a dbt license map: members of "Data Engineers" get Developer licenses at SSO sign-in',
};

const EXPRESSION = 'isMemberOfGroupName("dbt_developers") ? "developer" : "read_only"';
const MAPPING_CHANGE = {
  id: 'license.okta-mapping',
  action: 'add' as const,
  target: 'Okta profile mapping licenseType',
  detail: `set licenseType in the Okta → dbt app profile mapping to ${EXPRESSION} (members of "dbt_developers" → Developer; everyone else → Read Only; applied on create and update). Okta does not reapply this value when someone’s group membership changes.`,
};

function checklist(statuses: [string, string, string, string]) {
  const ids = ['scim', 'attribute', 'test-user', 'toggle'];
  return ids.map((id, i) =>
    check(
      `license.checklist.${id}`,
      statuses[i] as 'pass' | 'pending',
      `${i + 1}. Item ${id} is ${statuses[i]}.`,
    ),
  );
}

afterEach(() => {
  resetLicenseStore();
});

describe('License types step, Microsoft Entra ID', () => {
  it('says dbt takes no license type from Entra over SCIM and offers the plan’s types', async () => {
    const fake = licenseApi('entra');
    fake.license.state = {
      ...fake.license.state,
      accountPlan: 'team',
      offered: ['it', 'developer', 'read_only'],
      notOffered: {
        analyst:
          "Analyst licenses exist only on dbt's Enterprise plans (the account is on the team plan).",
      },
    };
    renderApp(fake);
    await findRail();
    const maps = await screen.findByRole('region', { name: /1\. Entra groups/ });
    expect(maps).toHaveTextContent('dbt does not take a license type from Microsoft Entra ID');
    await within(maps).findByText(/The dbt account is on the/);
    expect(maps).toHaveTextContent('Developer is dbt’s default for new users');
    expect(maps).toHaveTextContent('Analyst licenses exist only on dbt');
    const table = within(maps).getByRole('table', { name: 'Entra groups for each license type' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => r.getAttribute('data-license'))).toEqual([
      'it',
      'developer',
      'read_only',
    ]);
    // Not the generic "what the wizard will do" list.
    expect(screen.queryByRole('heading', { name: 'What the wizard will do' })).toBeNull();
    expect(region(/2\. Review, apply and check/)).toHaveTextContent(
      '“Manage user licenses with SCIM” stays off',
    );
  });

  it(
    'edits, saves, reviews, applies the reviewed ids and checks the maps',
    { timeout: 20_000 },
    async () => {
      const fake = licenseApi('entra');
      fake.license.plans.rules = licenseRun({ changes: [MAP_ADD] });
      fake.license.applied.rules = licenseRun({
        phase: 'verified',
        changes: [MAP_ADD],
        checks: [check('license.map.developer', 'pass', 'dbt gives Developer licenses.')],
      });
      fake.license.verified = licenseRun({
        phase: 'verified',
        checks: [
          check('license.map.developer', 'pass', 'dbt gives Developer licenses to members.'),
          check('license.entra.scim-toggle', 'pass', 'The toggle is off in dbt.'),
        ],
      });
      const { user } = renderApp(fake);
      await findRail();
      const maps = await screen.findByRole('region', { name: /1\. Entra groups/ });
      const apply = region(/2\. Review, apply and check/);
      const review = within(apply).getByRole('button', { name: 'Review the license maps' });
      expect(review).toBeDisabled();
      expect(apply).toHaveTextContent('Add at least one Entra group and save');

      await user.type(
        within(maps).getByRole('textbox', { name: 'Entra group for Developer' }),
        'Data Engineers',
      );
      await user.click(within(maps).getByRole('button', { name: 'Add to Developer' }));
      await user.type(
        within(maps).getByRole('textbox', { name: 'Entra group for Read Only' }),
        'Finance',
      );
      await user.click(within(maps).getByRole('button', { name: 'Add to Read Only' }));
      // The same group under a second type is refused, saying why.
      await user.type(within(maps).getByRole('textbox', { name: 'Entra group for IT' }), 'Finance');
      await user.click(within(maps).getByRole('button', { name: 'Add to IT' }));
      expect(maps).toHaveTextContent('“Finance” is already listed under Read Only');
      await user.click(within(maps).getByRole('button', { name: 'Remove Finance from Read Only' }));
      expect(within(maps).getByText('Changes not saved yet.')).toBeInTheDocument();
      expect(review).toBeDisabled();

      await user.click(within(maps).getByRole('button', { name: 'Save the groups' }));
      await waitFor(() => {
        expect(fake.callsTo('license.setRules')).toEqual([
          { profileId: 'p1', entraMaps: { developer: ['Data Engineers'] } },
        ]);
      });
      await waitFor(() => {
        expect(review).toBeEnabled();
      });
      expect(maps).toHaveTextContent('Saved');

      await user.click(review);
      const plan = await within(apply).findByRole('list', {
        name: 'Changes to dbt’s license maps',
      });
      expect(plan).toHaveTextContent('members of "Data Engineers" get Developer licenses');
      await user.click(within(apply).getByRole('button', { name: 'Apply' }));
      await within(apply).findByText('dbt’s license maps now match the groups above.');
      expect(fake.callsTo('license.apply')).toEqual([
        { profileId: 'p1', toggle: false, expectedChangeIds: ['license.map.developer'] },
      ]);

      await user.click(within(apply).getByRole('button', { name: 'Check the license maps' }));
      const checks = await within(apply).findByRole('list', {
        name: 'Verification of the license maps',
      });
      expect(within(checks).getAllByRole('listitem')).toHaveLength(2);
      expect(checks).toHaveTextContent('The toggle is off in dbt.');
      expect(apply).toHaveTextContent(/Verified at/);
    },
  );

  it('shows a plan that changed since the review, and applies nothing', async () => {
    const fake = licenseApi('entra', { license: { entraMaps: { developer: ['Data Engineers'] } } });
    fake.license.plans.rules = licenseRun({ changes: [MAP_ADD] });
    const { user } = renderApp(fake);
    await findRail();
    const apply = await screen.findByRole('region', { name: /2\. Review, apply and check/ });
    await user.click(within(apply).getByRole('button', { name: 'Review the license maps' }));
    await within(apply).findByRole('list', { name: 'Changes to dbt’s license maps' });
    fake.license.plans.rules = licenseRun({
      changes: [MAP_ADD, { ...MAP_ADD, id: 'license.map.it', detail: 'add an IT map' }],
    });
    await user.click(within(apply).getByRole('button', { name: 'Apply' }));
    await within(apply).findByText(/The plan changed since you reviewed it/);
    expect(
      within(apply).getByRole('list', { name: 'Changes to dbt’s license maps' }),
    ).toHaveTextContent('Add an IT map.');
  });

  it('shows progress while reviewing, and an error with a retry when dbt cannot be read', async () => {
    const fake = licenseApi('entra', { license: { entraMaps: { developer: ['Data Engineers'] } } });
    fake.fail('license.state', {
      code: 'network',
      message: 'dbt did not answer. Check the network.',
    });
    const gate = slow(fake, 'license:plan', () => licenseRun({ changes: [MAP_ADD] }));
    const { user } = renderApp(fake);
    await findRail();
    const maps = await screen.findByRole('region', { name: /1\. Entra groups/ });
    const alert = await within(maps).findByRole('alert');
    expect(alert).toHaveTextContent('dbt did not answer. Check the network.');
    fake.succeed('license.state');
    await user.click(within(alert).getByRole('button', { name: 'Retry' }));
    await within(maps).findByText(/The dbt account is on the/);
    expect(fake.callsTo('license.state')).toHaveLength(2);

    const apply = region(/2\. Review, apply and check/);
    await user.click(within(apply).getByRole('button', { name: 'Review the license maps' }));
    await within(apply).findByText('Reading the license maps from dbt…');
    gate.release();
    await within(apply).findByRole('list', { name: 'Changes to dbt’s license maps' });
    expect(within(apply).queryByText('Reading the license maps from dbt…')).toBeNull();
  });
});

describe('License types step, Okta', () => {
  it('keeps the attribute section and adds the group rules and the checklist', async () => {
    renderApp(licenseApi('okta'));
    await findRail();
    expect(
      await screen.findByRole('region', { name: /1\. The licenseType attribute/ }),
    ).toBeInTheDocument();
    expect(region(/2\. Group-based license types \(optional\)/)).toHaveTextContent(
      'Okta does not reapply it on group changes',
    );
    expect(region(/3\. The migration checklist/)).toHaveTextContent(
      'dbt ignores its license mappings',
    );
  });

  it(
    'saves ordered group rules, then shows the expression read-only and applies it',
    { timeout: 20_000 },
    async () => {
      const fake = licenseApi('okta');
      const { user } = renderApp(fake);
      await findRail();
      const rules = await screen.findByRole('region', { name: /2\. Group-based license types/ });
      const review = within(rules).getByRole('button', { name: 'Review the Okta mapping' });
      expect(review).toBeDisabled();

      await user.click(within(rules).getByRole('button', { name: 'Add a rule' }));
      await user.click(within(rules).getByRole('button', { name: 'Add a rule' }));
      await user.type(
        within(rules).getByRole('textbox', { name: 'Okta group (rule 1)' }),
        'dbt_it',
      );
      await user.selectOptions(
        within(rules).getByRole('combobox', { name: 'License type (rule 1)' }),
        'it',
      );
      // Saving with a blank group name says which rule.
      await user.click(within(rules).getByRole('button', { name: 'Save the rules' }));
      expect(within(rules).getByRole('alert')).toHaveTextContent('Rule 2 has no group name.');
      expect(fake.callsTo('license.setRules')).toEqual([]);

      await user.type(
        within(rules).getByRole('textbox', { name: 'Okta group (rule 2)' }),
        'dbt_developers',
      );
      await user.selectOptions(
        within(rules).getByRole('combobox', { name: 'License type (rule 2)' }),
        'developer',
      );
      // Developer should win: move it first.
      await user.click(within(rules).getByRole('button', { name: 'Move rule 2 up' }));
      await user.selectOptions(
        within(rules).getByRole('combobox', { name: 'Everyone else gets' }),
        'read_only',
      );
      await user.click(within(rules).getByRole('button', { name: 'Save the rules' }));
      await waitFor(() => {
        expect(fake.callsTo('license.setRules')).toEqual([
          {
            profileId: 'p1',
            okta: {
              rules: [
                { groupName: 'dbt_developers', licenseType: 'developer' },
                { groupName: 'dbt_it', licenseType: 'it' },
              ],
              defaultLicenseType: 'read_only',
            },
          },
        ]);
      });

      fake.license.plans.rules = licenseRun({ changes: [MAPPING_CHANGE] });
      fake.license.applied.rules = licenseRun({
        phase: 'applied',
        changes: [MAPPING_CHANGE],
        checks: [
          check('license.okta-mapping', 'pass', 'Okta sets licenseType from groups.'),
          ...checklist(['pass', 'pass', 'pending', 'pending']),
        ],
      });
      await waitFor(() => {
        expect(review).toBeEnabled();
      });
      await user.click(review);
      const code = await within(rules).findByText(EXPRESSION);
      expect(code.tagName).toBe('PRE');
      expect(within(rules).getByText(/The expression Okta will use/)).toBeInTheDocument();
      await user.click(within(rules).getByRole('button', { name: 'Apply' }));
      await within(rules).findByRole('list', { name: 'Verification of the Okta mapping' });
      expect(fake.callsTo('license.plan')).toEqual([{ profileId: 'p1', toggle: false }]);
      expect(fake.callsTo('license.apply')).toEqual([
        { profileId: 'p1', toggle: false, expectedChangeIds: ['license.okta-mapping'] },
      ]);
    },
  );

  it(
    'keeps the toggle button disabled until checks 1–3 pass, then turns it on after review',
    { timeout: 20_000 },
    async () => {
      const fake = licenseApi('okta');
      fake.license.verified = licenseRun({
        phase: 'failed',
        checks: checklist(['pass', 'pass', 'pending', 'pending']),
      });
      const { user } = renderApp(fake);
      await findRail();
      const section = await screen.findByRole('region', { name: /3\. The migration checklist/ });
      const turnOn = within(section).getByRole('button', {
        name: 'Turn on “Manage user licenses with SCIM”…',
      });
      expect(turnOn).toBeDisabled();
      expect(section).toHaveTextContent('Check the four steps first.');

      await user.click(within(section).getByRole('button', { name: 'Check the four steps' }));
      const list = await within(section).findByRole('list', { name: 'The migration checklist' });
      expect(within(list).getAllByRole('listitem')).toHaveLength(4);
      expect(list).toHaveTextContent('A test user’s license type in dbt');
      expect(turnOn).toBeDisabled();
      expect(section).toHaveTextContent('Waits until steps 1–3 of the checklist pass.');

      fake.license.verified = licenseRun({
        phase: 'failed',
        checks: checklist(['pass', 'pass', 'pass', 'pending']),
      });
      const TOGGLE = {
        id: 'license.scim-toggle',
        action: 'change' as const,
        target: 'dbt "Manage user licenses with SCIM"',
        detail:
          'turn on "SCIM-managed license types" (existing license mappings in dbt are then ignored)',
      };
      fake.license.plans.toggle = licenseRun({ changes: [TOGGLE] });
      fake.license.applied.toggle = licenseRun({
        phase: 'verified',
        changes: [TOGGLE],
        checks: checklist(['pass', 'pass', 'pass', 'pass']),
      });
      await user.click(within(section).getByRole('button', { name: 'Check the four steps' }));
      await waitFor(() => {
        expect(turnOn).toBeEnabled();
      });
      await user.click(turnOn);
      const plan = await within(section).findByRole('list', {
        name: 'Change to dbt’s SCIM settings',
      });
      expect(plan).toHaveTextContent('existing license mappings in dbt are then ignored');
      await user.click(within(section).getByRole('button', { name: 'Turn it on' }));
      await within(section).findByText(
        '“Manage user licenses with SCIM” is on: dbt takes license types from Okta.',
      );
      // The warning was for before; the plan was applied, so it is not shown again.
      expect(section).not.toHaveTextContent('Before you turn it on');
      expect(
        within(section).queryByRole('list', { name: 'Change to dbt’s SCIM settings' }),
      ).toBeNull();
      expect(fake.callsTo('license.plan')).toEqual([{ profileId: 'p1', toggle: true }]);
      expect(fake.callsTo('license.apply')).toEqual([
        { profileId: 'p1', toggle: true, expectedChangeIds: ['license.scim-toggle'] },
      ]);
      expect(fake.callsTo('license.verify')).toEqual([
        { profileId: 'p1', toggle: false },
        { profileId: 'p1', toggle: false },
      ]);
    },
  );
});
