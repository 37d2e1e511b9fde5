/**
 * What the License types screens share: the license types' names, the account's plan in a
 * sentence, the review → apply block (the plan the admin reads, then apply with its ids), and
 * the read-back block.
 */
import { Button, Group, Stack, Text } from '@mantine/core';
import { IconChecklist, IconPlayerPlay, IconRefresh } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { CheckList } from '../../components/CheckList.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { PlanList } from '../../components/PlanList.js';
import type { StepStatus } from '../../model.js';
import {
  useLicenseStore,
  useLicenseView,
  type LicensePart,
  type LicenseRun,
  type LicenseTypeValue,
  type LicenseView,
} from '../../store/license.js';
import { clockTime } from '../../util/time.js';
import { LICENSE_OPTIONS } from '../okta/OktaCommon.js';

export const ALL_LICENSE_TYPES: readonly LicenseTypeValue[] = LICENSE_OPTIONS.map((o) => o.value);

export function licenseTitle(type: LicenseTypeValue): string {
  return LICENSE_OPTIONS.find((o) => o.value === type)?.label ?? type;
}

/** "IT, Analyst and Developer". */
function listOf(types: readonly LicenseTypeValue[]): string {
  const names = types.map(licenseTitle);
  return names.length <= 1
    ? (names[0] ?? '')
    : `${names.slice(0, -1).join(', ')} and ${names.at(-1) ?? ''}`;
}

/** The license types the screen offers: the plan's, or all of them until the plan is read. */
export function offeredTypes(view: LicenseView): readonly LicenseTypeValue[] {
  return view.state?.offered ?? ALL_LICENSE_TYPES;
}

/**
 * The account's plan and what it offers ("Analyst only on Enterprise plans; Developer is dbt's
 * default"), or why it could not be read, with a retry.
 */
export function PlanOffer({ view, onRetry }: { view: LicenseView; onRetry: () => void }) {
  const state = view.state;
  if (view.busy.state && !state) {
    return (
      <LiveRegion>
        <BusyLine text="Reading the dbt account’s plan…" />
      </LiveRegion>
    );
  }
  if (view.errors.state) {
    return (
      <ErrorCallout
        title="Could not read the dbt account"
        error={view.errors.state}
        onRetry={onRetry}
      />
    );
  }
  if (!state) {
    return null;
  }
  const missing = Object.values(state.notOffered);
  return (
    <Stack gap={4}>
      {state.accountPlan !== null && (
        <Text size="sm">
          The dbt account is on the <strong>{state.accountPlan}</strong> plan, which offers{' '}
          {listOf(state.offered)} licenses. Developer is dbt’s default for new users.
        </Text>
      )}
      {missing.map((why) => (
        <Text key={why} size="sm" c="dimmed">
          {why}
        </Text>
      ))}
      {state.error && (
        <ErrorCallout
          title={
            state.accountPlan === null
              ? 'Could not read the dbt account’s plan'
              : 'Could not read dbt’s SCIM settings'
          }
          error={state.error}
          onRetry={onRetry}
        />
      )}
    </Stack>
  );
}

/** A section's status from its last apply and check. */
export function runStatus(run: LicenseRun | null | undefined): {
  status: StepStatus;
  text: string;
} {
  if (!run) {
    return { status: 'not_started', text: 'Not checked yet' };
  }
  if (run.error || run.checks.some((c) => c.status === 'fail')) {
    return { status: 'failed', text: 'Not as dbt expects' };
  }
  if (run.checks.some((c) => c.status === 'pending')) {
    return { status: 'needs_you', text: 'Needs you' };
  }
  const at = run.checks[0]?.at;
  return { status: 'verified', text: at ? `Verified at ${clockTime(at)}` : 'Verified' };
}

/**
 * Review → Apply for one part: the plan as the admin reads it (nothing changes until Apply), then
 * apply with the reviewed change ids. `before` shows above the plan list (the expression).
 */
export function ReviewApply({
  profileId,
  part,
  texts,
  disabled,
  disabledText,
  before,
}: {
  profileId: string;
  part: LicensePart;
  texts: {
    review: string;
    apply: string;
    planLabel: string;
    emptyText: string;
    planning: string;
    applying: string;
    /** What Apply did, when it verified. */
    done: string;
  };
  disabled?: boolean;
  /** Why Review is disabled (shown under it). */
  disabledText?: string;
  before?: (plan: LicenseRun) => ReactNode;
}) {
  const view = useLicenseView(profileId);
  const plan = useLicenseStore((s) => s.plan);
  const apply = useLicenseStore((s) => s.apply);
  const clearError = useLicenseStore((s) => s.clearError);
  const planKey = `plan:${part}` as const;
  const applyKey = `apply:${part}` as const;
  const planning = view.busy[planKey] !== undefined;
  const applying = view.busy[applyKey] !== undefined;
  const reviewed = view.plans[part];
  const applied = view.applied[part];
  const usable = reviewed && reviewed.phase !== 'failed' ? reviewed : undefined;

  return (
    <Stack gap="sm">
      <Group gap="sm">
        <Button
          variant="default"
          leftSection={<IconChecklist size={16} aria-hidden />}
          loading={planning}
          disabled={disabled === true || applying}
          onClick={() => void plan(profileId, part)}
        >
          {texts.review}
        </Button>
      </Group>
      {disabled && disabledText && (
        <Text size="sm" c="dimmed">
          {disabledText}
        </Text>
      )}
      <LiveRegion>
        {planning && <BusyLine text={texts.planning} />}
        {applying && <BusyLine text={texts.applying} />}
        {!planning && !applying && view.planChanged[part] && (
          <Text size="sm" fw={500}>
            The plan changed since you reviewed it, so nothing was applied. Read the new plan below,
            then apply again.
          </Text>
        )}
        {!planning && !applying && applied && !applied.error && (
          <Text size="sm" fw={500}>
            {applied.checks.some((c) => c.status === 'fail')
              ? 'Applied, but a check below failed: it says what to do.'
              : texts.done}
          </Text>
        )}
      </LiveRegion>
      {view.errors[planKey] && (
        <ErrorCallout
          title="Could not review the changes"
          error={view.errors[planKey]}
          onRetry={() => void plan(profileId, part)}
          onDismiss={() => {
            clearError(profileId, planKey);
          }}
        />
      )}
      {reviewed?.error && (
        <ErrorCallout
          title="The changes cannot be made yet"
          error={reviewed.error}
          onRetry={() => void plan(profileId, part)}
        />
      )}
      {usable && (
        <Stack gap="sm">
          {before?.(usable)}
          {/* Once applied, the check shows the outcome; the plan stays until the next review. */}
          {(!applied || applied.error) && (
            <PlanList
              changes={usable.changes}
              label={texts.planLabel}
              emptyText={texts.emptyText}
            />
          )}
          {usable.changes.length > 0 && !applied && (
            <Group gap="sm">
              <Button
                leftSection={<IconPlayerPlay size={16} aria-hidden />}
                loading={applying}
                onClick={() => void apply(profileId, part)}
              >
                {texts.apply}
              </Button>
            </Group>
          )}
        </Stack>
      )}
      {view.errors[applyKey] && (
        <ErrorCallout
          title="The changes were not applied"
          error={view.errors[applyKey]}
          onRetry={() => void apply(profileId, part)}
        />
      )}
      {applied?.error && <ErrorCallout title="Apply stopped" error={applied.error} />}
    </Stack>
  );
}

/**
 * The read-back block: the check button, its progress line, the error of a check that could not
 * run or stopped, and the checks.
 */
export function ReadBack({
  profileId,
  button,
  busyText,
  disabled = false,
  errorTitle,
  stoppedTitle,
  checks,
  label,
  titles,
}: {
  profileId: string;
  button: string;
  busyText: string;
  disabled?: boolean;
  errorTitle: string;
  stoppedTitle: string;
  /** The checks to show (the screen may filter or order the run's). */
  checks: LicenseRun['checks'];
  label: string;
  titles?: Readonly<Record<string, string>>;
}) {
  const view = useLicenseView(profileId);
  const verify = useLicenseStore((s) => s.verify);
  const checking = view.busy.verify !== undefined;
  const stopped = view.checked?.error;
  return (
    <>
      <Group gap="sm">
        <Button
          variant="default"
          leftSection={<IconRefresh size={16} aria-hidden />}
          loading={checking}
          disabled={disabled}
          onClick={() => void verify(profileId)}
        >
          {button}
        </Button>
      </Group>
      <LiveRegion>{checking && <BusyLine text={busyText} />}</LiveRegion>
      {view.errors.verify && (
        <ErrorCallout
          title={errorTitle}
          error={view.errors.verify}
          onRetry={() => void verify(profileId)}
        />
      )}
      {stopped && <ErrorCallout title={stoppedTitle} error={stopped} />}
      {checks.length > 0 && (
        <CheckList checks={checks} label={label} {...(titles ? { titles } : {})} />
      )}
    </>
  );
}
