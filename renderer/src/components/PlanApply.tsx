import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { IconChecklist, IconInfoCircle, IconPlayerPlay } from '@tabler/icons-react';
import type { DbtStepParams } from '../api/client.js';
import { useDbtStore, useDbtView, type PlanKey } from '../store/dbt.js';
import { BusyLine, LiveRegion } from './BusyLine.js';
import { CheckList } from './CheckList.js';
import { ErrorCallout } from './ErrorCallout.js';
import { PlanList } from './PlanList.js';

/**
 * Plan before change: "Review changes" reads dbt and lists what would change; "Apply" changes
 * exactly what was reviewed (the engine stops and shows a new plan if dbt changed meanwhile),
 * then the read-back checklist.
 */
export function PlanApply({
  profileId,
  planKey,
  step,
  what,
  applyingText,
  checkTitles,
  disabledReason,
}: {
  profileId: string;
  planKey: PlanKey;
  /** The step as the form describes it now. */
  step: DbtStepParams;
  /** What changes, for names: "dbt’s SCIM settings". */
  what: string;
  /** Shown while applying: "Saving the SCIM settings in dbt…". */
  applyingText: string;
  checkTitles?: Readonly<Record<string, string>>;
  /** When set, Review is disabled and this says why. */
  disabledReason?: string;
}) {
  const view = useDbtView(profileId);
  const plan = useDbtStore((s) => s.plan);
  const apply = useDbtStore((s) => s.apply);
  const discardPlan = useDbtStore((s) => s.discardPlan);
  const busy = view.busy[planKey];
  const error = view.errors[planKey];
  const reviewed = view.plans[planKey];
  const result = view.results[planKey];
  const replanned = view.replanned[planKey] === true;
  const planFailed = reviewed?.phase === 'failed';

  return (
    <Stack gap="sm" className="plan-apply">
      <Group gap="sm">
        <Button
          variant={(reviewed && !planFailed) || result?.phase === 'verified' ? 'default' : 'filled'}
          leftSection={<IconChecklist size={16} aria-hidden />}
          loading={busy === 'plan'}
          disabled={Boolean(disabledReason) || busy === 'apply'}
          onClick={() => void plan(profileId, planKey, step)}
        >
          {reviewed || result ? 'Review changes again' : 'Review changes'}
        </Button>
        {disabledReason && (
          <Text size="sm" c="dimmed">
            {disabledReason}
          </Text>
        )}
      </Group>

      <LiveRegion>
        {busy === 'plan' && <BusyLine text={`Reading ${what} and working out the changes…`} />}
        {busy === 'apply' && <BusyLine text={applyingText} />}
        {!busy && reviewed && !planFailed && (
          <Text size="sm" fw={500}>
            {reviewed.changes.length === 0
              ? `Plan ready: ${what} already match.`
              : `Plan ready: ${reviewed.changes.length} ${reviewed.changes.length === 1 ? 'change' : 'changes'}. Nothing changes until you apply.`}
          </Text>
        )}
        {!busy && result?.phase === 'verified' && (
          <Text size="sm" fw={500}>
            Applied and verified by reading {what} back.
          </Text>
        )}
      </LiveRegion>

      {error && (
        <ErrorCallout
          title={reviewed ? 'The changes were not applied' : 'Could not review the changes'}
          error={error}
          onRetry={() => void plan(profileId, planKey, step)}
        />
      )}

      {reviewed && planFailed && reviewed.error && (
        <ErrorCallout
          title="Could not work out the changes"
          error={reviewed.error}
          onRetry={() => void plan(profileId, planKey, step)}
        />
      )}

      {reviewed && !planFailed && (
        <Stack gap="sm" className="plan-apply__plan">
          {replanned && (
            <Alert
              variant="light"
              color="blue"
              icon={<IconInfoCircle aria-hidden />}
              title="dbt changed since you reviewed the plan"
            >
              Nothing was applied. This is the new plan: read it, then apply it.
            </Alert>
          )}
          <Text size="sm" fw={600}>
            What will change in dbt
          </Text>
          <PlanList changes={reviewed.changes} label={`Changes to ${what}`} />
          <Group gap="sm">
            <Button
              leftSection={<IconPlayerPlay size={16} aria-hidden />}
              loading={busy === 'apply'}
              disabled={busy === 'plan'}
              onClick={() => void apply(profileId, planKey, step)}
            >
              {reviewed.changes.length === 0 ? 'Verify' : 'Apply'}
            </Button>
            <Button
              variant="default"
              disabled={busy !== undefined}
              onClick={() => {
                discardPlan(profileId, planKey);
              }}
            >
              Cancel
            </Button>
          </Group>
        </Stack>
      )}

      {result && (
        <Stack gap="xs">
          {result.phase === 'failed' && result.error && (
            <ErrorCallout
              title="The change did not complete"
              error={result.error}
              onRetry={() => void plan(profileId, planKey, step)}
            />
          )}
          {result.checks.length > 0 && (
            <CheckList
              checks={result.checks}
              titles={checkTitles}
              label={`Verification of ${what}`}
            />
          )}
        </Stack>
      )}
    </Stack>
  );
}
