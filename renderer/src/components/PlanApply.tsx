import { Alert, Button, Group, Stack, Text } from '@mantine/core';
import { IconChecklist, IconInfoCircle, IconPlayerPlay } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { ChangeDto, CheckDto } from '../../../electron/ipc/contract.js';
import type { DbtStepParams } from '../api/client.js';
import { useDbtStore, useDbtView, type PlanKey } from '../store/dbt.js';
import type { ErrorInfo } from '../store/wizard.js';
import { BusyLine, LiveRegion } from './BusyLine.js';
import { CheckList } from './CheckList.js';
import { ErrorCallout } from './ErrorCallout.js';
import { PlanList } from './PlanList.js';

/** What a plan or an apply answered, as far as this view reads it (dbt and Entra runs alike). */
export interface PlanLike {
  readonly phase: string;
  readonly changes: readonly ChangeDto[];
  readonly error?: ErrorInfo | undefined;
}

export interface ResultLike {
  readonly phase: string;
  readonly checks: readonly CheckDto[];
  readonly error?: ErrorInfo | undefined;
}

export interface PlanApplyViewProps {
  readonly reviewed: PlanLike | null | undefined;
  readonly result: ResultLike | null | undefined;
  /** The last apply stopped because the system changed since the review. */
  readonly replanned: boolean;
  readonly busy: 'plan' | 'apply' | undefined;
  readonly error: ErrorInfo | undefined;
  readonly onPlan: () => void;
  readonly onApply: () => void;
  readonly onDiscard: () => void;
  /** What changes, for names: "dbt’s SCIM settings". */
  readonly what: string;
  /** Whose side changes: "dbt", "Entra". */
  readonly system: string;
  /** Shown while applying: "Saving the SCIM settings in dbt…". */
  readonly applyingText: string;
  /** The engine's latest progress line while applying, under the busy line. */
  readonly progress?: string | undefined;
  readonly checkTitles?: Readonly<Record<string, string>> | undefined;
  /** When set, Review is disabled and this says why. */
  readonly disabledReason?: string | undefined;
  /** Said when the plan has no changes. */
  readonly emptyText?: string | undefined;
  /** Replaces the flat checklist of the result (grouped lists, say). */
  readonly renderChecks?: ((result: ResultLike) => ReactNode) | undefined;
}

/**
 * Plan before change: "Review changes" reads the system and lists what would change; "Apply"
 * changes exactly what was reviewed (the engine stops and shows a new plan if the system changed
 * meanwhile), then the read-back checklist. This view holds no state: its owner passes it in.
 */
export function PlanApplyView({
  reviewed,
  result,
  replanned,
  busy,
  error,
  onPlan,
  onApply,
  onDiscard,
  what,
  system,
  applyingText,
  progress,
  checkTitles,
  disabledReason,
  emptyText,
  renderChecks,
}: PlanApplyViewProps) {
  const planFailed = reviewed?.phase === 'failed';

  return (
    <Stack gap="sm" className="plan-apply">
      <Group gap="sm">
        <Button
          variant={(reviewed && !planFailed) || result?.phase === 'verified' ? 'default' : 'filled'}
          leftSection={<IconChecklist size={16} aria-hidden />}
          loading={busy === 'plan'}
          disabled={Boolean(disabledReason) || busy === 'apply'}
          onClick={onPlan}
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
      {busy === 'apply' && progress && (
        <Text size="xs" c="dimmed" ml={22} aria-hidden className="plan-apply__progress">
          {progress}
        </Text>
      )}

      {error && (
        <ErrorCallout
          title={reviewed ? 'The changes were not applied' : 'Could not review the changes'}
          error={error}
          onRetry={onPlan}
        />
      )}

      {reviewed && planFailed && reviewed.error && (
        <ErrorCallout
          title="Could not work out the changes"
          error={reviewed.error}
          onRetry={onPlan}
        />
      )}

      {reviewed && !planFailed && (
        <Stack gap="sm" className="plan-apply__plan">
          {replanned && (
            <Alert
              variant="light"
              color="blue"
              icon={<IconInfoCircle aria-hidden />}
              title={`${system} changed since you reviewed the plan`}
            >
              Nothing was applied. This is the new plan: read it, then apply it.
            </Alert>
          )}
          <Text size="sm" fw={600}>
            What will change in {system}
          </Text>
          <PlanList
            changes={reviewed.changes}
            label={`Changes to ${what}`}
            {...(emptyText ? { emptyText } : {})}
          />
          <Group gap="sm">
            <Button
              leftSection={<IconPlayerPlay size={16} aria-hidden />}
              loading={busy === 'apply'}
              disabled={busy === 'plan'}
              onClick={onApply}
            >
              {reviewed.changes.length === 0 ? 'Verify' : 'Apply'}
            </Button>
            <Button variant="default" disabled={busy !== undefined} onClick={onDiscard}>
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
              onRetry={onPlan}
            />
          )}
          {renderChecks
            ? renderChecks(result)
            : result.checks.length > 0 && (
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

/** PlanApplyView over the dbt store: one of the dbt step's three changes. */
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
  what: string;
  applyingText: string;
  checkTitles?: Readonly<Record<string, string>>;
  disabledReason?: string;
}) {
  const view = useDbtView(profileId);
  const plan = useDbtStore((s) => s.plan);
  const apply = useDbtStore((s) => s.apply);
  const discardPlan = useDbtStore((s) => s.discardPlan);
  const busy = view.busy[planKey];

  return (
    <PlanApplyView
      reviewed={view.plans[planKey]}
      result={view.results[planKey]}
      replanned={view.replanned[planKey] === true}
      busy={busy === 'plan' || busy === 'apply' ? busy : undefined}
      error={view.errors[planKey]}
      onPlan={() => void plan(profileId, planKey, step)}
      onApply={() => void apply(profileId, planKey, step)}
      onDiscard={() => {
        discardPlan(profileId, planKey);
      }}
      what={what}
      system="dbt"
      applyingText={applyingText}
      checkTitles={checkTitles}
      disabledReason={disabledReason}
    />
  );
}
