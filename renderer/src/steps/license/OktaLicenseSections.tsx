import {
  ActionIcon,
  Alert,
  Button,
  Code,
  Group,
  NativeSelect,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import {
  IconAlertTriangle,
  IconArrowDown,
  IconArrowUp,
  IconDeviceFloppy,
  IconInfoCircle,
  IconPlus,
  IconTrash,
} from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { CheckList } from '../../components/CheckList.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import {
  useLicenseStore,
  useLicenseView,
  type LicenseRun,
  type LicenseTypeValue,
} from '../../store/license.js';
import {
  licenseTitle,
  offeredTypes,
  PlanOffer,
  ReadBack,
  ReviewApply,
  runStatus,
} from './common.js';

/** The checklist's four items (core's CHECKLIST_IDS), with their short titles. */
export const CHECKLIST_TITLES: Readonly<Record<string, string>> = {
  'license.checklist.scim': 'SCIM on, toggle off',
  'license.checklist.attribute': 'The licenseType attribute',
  'license.checklist.test-user': 'A test user’s license type in dbt',
  'license.checklist.toggle': 'Manage user licenses with SCIM',
};
const CHECKLIST_IDS = Object.keys(CHECKLIST_TITLES);
/** Items 1–3: the toggle waits for these. */
const READY_IDS = CHECKLIST_IDS.slice(0, 3);
const MAPPING_ID = 'license.okta-mapping';

const CAVEAT =
  'Okta does not reapply this value when someone’s group membership changes: it is computed when the person is assigned to the app or their Okta profile changes. After moving people between these groups, update their profile or assign them again.';

/**
 * The Okta Expression Language expression in the plan's mapping change ("… profile mapping to
 * EXPRESSION (members of … ; applied on create and update) …"), or undefined.
 */
export function expressionOf(plan: LicenseRun): string | undefined {
  const change = plan.changes.find((c) => c.id === MAPPING_ID);
  const found = change
    ? / mapping to (.+?) \((?:members of "|everyone )/s.exec(change.detail)
    : null;
  return found?.[1];
}

interface DraftRule {
  readonly key: number;
  readonly groupName: string;
  readonly licenseType: LicenseTypeValue;
}

type Saved = NonNullable<NonNullable<ProfileDto['license']>['okta']>;

let nextKey = 1;
function draftOf(saved: Saved | undefined): DraftRule[] {
  return (saved?.rules ?? []).map((r) => ({ key: nextKey++, ...r }));
}

function sameRules(
  draft: readonly DraftRule[],
  fallback: LicenseTypeValue,
  saved?: Saved,
): boolean {
  const a = {
    rules: draft.map((r) => ({ groupName: r.groupName.trim(), licenseType: r.licenseType })),
    defaultLicenseType: fallback,
  };
  const b = saved ?? { rules: [], defaultLicenseType: 'developer' };
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Sections 2 and 3 of the Okta License types screen: the optional group-based license types
 * (ordered rules → an Okta Expression Language expression in the app's profile mapping), and dbt's
 * migration checklist ending with "Manage user licenses with SCIM".
 */
export function OktaLicenseSections({ profile }: { profile: ProfileDto }) {
  const load = useLicenseStore((s) => s.load);
  useEffect(() => {
    void load(profile.id);
  }, [load, profile.id]);
  return (
    <>
      <GroupRulesSection profile={profile} />
      <ChecklistSection profile={profile} />
    </>
  );
}

function GroupRulesSection({ profile }: { profile: ProfileDto }) {
  const view = useLicenseView(profile.id);
  const load = useLicenseStore((s) => s.load);
  const saveRules = useLicenseStore((s) => s.saveRules);
  const saved = profile.license?.okta;
  const [rules, setRules] = useState<DraftRule[]>(() => draftOf(saved));
  const [fallback, setFallback] = useState<LicenseTypeValue>(
    saved?.defaultLicenseType ?? 'developer',
  );
  const [problem, setProblem] = useState<string | undefined>();
  const saving = view.busy.save !== undefined;
  const dirty = !sameRules(rules, fallback, saved);
  const offered = offeredTypes(view);
  const options = offered.map((t) => ({ value: t, label: licenseTitle(t) }));
  const optionsWith = (value: LicenseTypeValue) =>
    offered.includes(value)
      ? options
      : [...options, { value, label: `${licenseTitle(value)} (not on this plan)` }];

  function update(key: number, change: Partial<DraftRule>): void {
    setRules((list) => list.map((r) => (r.key === key ? { ...r, ...change } : r)));
  }

  function move(index: number, by: -1 | 1): void {
    setRules((list) => {
      const next = [...list];
      const [rule] = next.splice(index, 1);
      if (rule) {
        next.splice(index + by, 0, rule);
      }
      return next;
    });
  }

  function save(): void {
    const names = rules.map((r) => r.groupName.trim());
    const blank = names.findIndex((n) => n === '');
    const twice = names.find((n, i) => n !== '' && names.indexOf(n) !== i);
    const why =
      rules.length === 0
        ? 'Add at least one rule, or remove the group-based license types.'
        : blank >= 0
          ? `Rule ${blank + 1} has no group name.`
          : twice
            ? `“${twice}” has two rules: keep one, the first match wins anyway.`
            : undefined;
    setProblem(why);
    if (why) {
      return;
    }
    void saveRules(profile.id, {
      okta: {
        rules: rules.map((r) => ({ groupName: r.groupName.trim(), licenseType: r.licenseType })),
        defaultLicenseType: fallback,
      },
    });
  }

  function removeAll(): void {
    void saveRules(profile.id, { okta: null }).then((ok) => {
      if (ok) {
        setRules([]);
        setFallback('developer');
      }
    });
  }

  const mappingCheck = view.checked?.checks.find((c) => c.id === MAPPING_ID);
  const status: { status: StepStatus; text: string } = dirty
    ? { status: 'in_progress', text: 'Not saved yet' }
    : mappingCheck
      ? runStatus({ phase: 'verified', changes: [], checks: [mappingCheck] })
      : saved
        ? { status: 'in_progress', text: 'Saved, not applied yet' }
        : { status: 'not_started', text: 'Optional' };

  return (
    <section aria-labelledby="okta-license-groups">
      <SectionHeading
        id="okta-license-groups"
        title="2. Group-based license types (optional)"
        status={status.status}
        statusText={status.text}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          Instead of setting License Type on each assignment, Okta can work it out from group
          membership. The wizard writes an expression into the dbt app’s profile mapping. Rules are
          read in order and the first group a person is in decides; people in none of the groups get
          the default.
        </Text>
        <PlanOffer view={view} onRetry={() => void load(profile.id)} />
        {rules.length > 0 && (
          <ol aria-label="Group rules, first match wins" style={{ margin: 0, paddingLeft: 20 }}>
            {rules.map((rule, index) => {
              const n = index + 1;
              return (
                <li key={rule.key}>
                  <Group gap="xs" align="flex-end" wrap="wrap" mb="xs">
                    <TextInput
                      label={`Okta group (rule ${n})`}
                      value={rule.groupName}
                      maxLength={255}
                      autoComplete="off"
                      spellCheck={false}
                      disabled={saving}
                      onChange={(e) => {
                        update(rule.key, { groupName: e.currentTarget.value });
                      }}
                    />
                    <NativeSelect
                      label={`License type (rule ${n})`}
                      data={optionsWith(rule.licenseType)}
                      value={rule.licenseType}
                      disabled={saving}
                      onChange={(e) => {
                        update(rule.key, {
                          licenseType: e.currentTarget.value as LicenseTypeValue,
                        });
                      }}
                    />
                    <Group gap={4} wrap="nowrap">
                      <ActionIcon
                        variant="default"
                        size="lg"
                        aria-label={`Move rule ${n} up`}
                        disabled={index === 0 || saving}
                        onClick={() => {
                          move(index, -1);
                        }}
                      >
                        <IconArrowUp size={16} aria-hidden />
                      </ActionIcon>
                      <ActionIcon
                        variant="default"
                        size="lg"
                        aria-label={`Move rule ${n} down`}
                        disabled={index === rules.length - 1 || saving}
                        onClick={() => {
                          move(index, 1);
                        }}
                      >
                        <IconArrowDown size={16} aria-hidden />
                      </ActionIcon>
                      <ActionIcon
                        variant="default"
                        size="lg"
                        aria-label={`Remove rule ${n}`}
                        disabled={saving}
                        onClick={() => {
                          setRules((list) => list.filter((r) => r.key !== rule.key));
                        }}
                      >
                        <IconTrash size={16} aria-hidden />
                      </ActionIcon>
                    </Group>
                  </Group>
                </li>
              );
            })}
          </ol>
        )}
        <Group gap="sm" align="flex-end">
          <Button
            variant="default"
            leftSection={<IconPlus size={16} aria-hidden />}
            disabled={saving || rules.length >= 20}
            onClick={() => {
              setRules((list) => [
                ...list,
                { key: nextKey++, groupName: '', licenseType: offered[0] ?? 'developer' },
              ]);
            }}
          >
            Add a rule
          </Button>
          <NativeSelect
            label="Everyone else gets"
            data={optionsWith(fallback)}
            value={fallback}
            disabled={saving}
            onChange={(e) => {
              setFallback(e.currentTarget.value as LicenseTypeValue);
            }}
          />
        </Group>
        {problem && (
          <Text size="sm" c="red" role="alert">
            {problem}
          </Text>
        )}
        <Group gap="sm">
          <Button
            leftSection={<IconDeviceFloppy size={16} aria-hidden />}
            loading={saving}
            disabled={!dirty}
            onClick={save}
          >
            Save the rules
          </Button>
          {saved && (
            <Button variant="subtle" color="red" disabled={saving} onClick={removeAll}>
              Remove the group-based license types
            </Button>
          )}
          {dirty && (
            <Text size="sm" c="dimmed">
              Changes not saved yet.
            </Text>
          )}
        </Group>
        {view.errors.save && (
          <ErrorCallout title="The rules were not saved" error={view.errors.save} onRetry={save} />
        )}
        <ReviewApply
          profileId={profile.id}
          part="rules"
          disabled={!saved || dirty}
          disabledText={
            dirty
              ? 'Save the rules first: the review reads what is saved.'
              : 'Optional: save rules above to have Okta set License Type from groups.'
          }
          texts={{
            review: 'Review the Okta mapping',
            apply: 'Apply',
            planLabel: 'Changes to the Okta profile mapping',
            emptyText: 'No changes needed: Okta’s profile mapping already uses these rules.',
            planning: 'Reading the app’s profile mapping from Okta…',
            applying: 'Saving the expression in Okta…',
            done: 'Okta now sets License Type from these groups.',
          }}
          before={(plan) => {
            const expression = expressionOf(plan);
            return expression ? (
              <Stack gap={4}>
                <Text size="sm" fw={500} id="okta-license-expression">
                  The expression Okta will use (Okta Expression Language, read-only)
                </Text>
                <Code block aria-labelledby="okta-license-expression">
                  {expression}
                </Code>
              </Stack>
            ) : null;
          }}
        />
        {mappingCheck && (
          <CheckList checks={[mappingCheck]} label="Verification of the Okta mapping" />
        )}
        <Alert
          role="note"
          variant="light"
          color="gray"
          icon={<IconInfoCircle aria-hidden />}
          title="Okta does not reapply it on group changes"
        >
          <Text size="sm">{CAVEAT}</Text>
        </Alert>
      </Stack>
    </section>
  );
}

function ChecklistSection({ profile }: { profile: ProfileDto }) {
  const view = useLicenseView(profile.id);
  const checked = view.checked;
  const items = CHECKLIST_IDS.flatMap((id) => checked?.checks.filter((c) => c.id === id) ?? []);
  const ready = READY_IDS.every((id) => items.some((c) => c.id === id && c.status === 'pass'));
  const on =
    items.some((c) => c.id === 'license.checklist.toggle' && c.status === 'pass') ||
    view.state?.scimControlledLicenseType === true;
  const status = runStatus(checked && items.length > 0 ? { ...checked, checks: items } : null);

  return (
    <section aria-labelledby="okta-license-checklist">
      <SectionHeading
        id="okta-license-checklist"
        title="3. The migration checklist"
        status={status.status}
        statusText={status.text}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          dbt’s four steps to license types from Okta, each with a check: SCIM on with “Manage user
          licenses with SCIM” still off; the licenseType attribute (section 1); a test user whose
          license type dbt reads back over SCIM (the Test step); then the toggle. Existing license
          mappings in dbt keep working until the last step.
        </Text>
        {view.state?.testUserName ? (
          <Text size="sm">
            Test user: <strong>{view.state.testUserName}</strong> (the last person the Test step
            assigned).
          </Text>
        ) : (
          view.state && (
            <Text size="sm" c="dimmed">
              No test user yet: run the Test step with a person and a License Type, then check
              again.
            </Text>
          )
        )}
        <ReadBack
          profileId={profile.id}
          button="Check the four steps"
          busyText="Reading dbt’s SCIM settings, Okta and the test user…"
          errorTitle="Could not run the checklist"
          stoppedTitle="The checklist stopped"
          checks={items}
          label="The migration checklist"
          titles={CHECKLIST_TITLES}
        />
        {!on && (
          <Alert
            role="note"
            variant="light"
            color="gray"
            icon={<IconAlertTriangle aria-hidden />}
            title="Before you turn it on"
          >
            <Text size="sm">
              Once “Manage user licenses with SCIM” is on, dbt ignores its license mappings and
              takes each person’s license type only from Okta. That is why the button waits until
              steps 1–3 pass.
            </Text>
          </Alert>
        )}
        {on ? (
          <Text size="sm" fw={500}>
            “Manage user licenses with SCIM” is on: dbt takes license types from Okta.
          </Text>
        ) : (
          <ReviewApply
            profileId={profile.id}
            part="toggle"
            disabled={!ready}
            disabledText={
              items.length === 0
                ? 'Check the four steps first.'
                : 'Waits until steps 1–3 of the checklist pass.'
            }
            texts={{
              review: 'Turn on “Manage user licenses with SCIM”…',
              apply: 'Turn it on',
              planLabel: 'Change to dbt’s SCIM settings',
              emptyText: 'Nothing to change: it is already on.',
              planning: 'Checking steps 1–3 again…',
              applying: 'Turning on “Manage user licenses with SCIM” in dbt…',
              done: '“Manage user licenses with SCIM” is on.',
            }}
          />
        )}
      </Stack>
    </section>
  );
}
