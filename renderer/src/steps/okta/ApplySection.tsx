import { Button, Group, Stack, Text } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useId } from 'react';
import type { CheckDto } from '../../../../electron/ipc/contract.js';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { CheckList } from '../../components/CheckList.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { InfoLines } from '../../components/InfoLines.js';
import { PlanApplyView } from '../../components/PlanApply.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import { statusOf, type ProfileDto, type StepStatus } from '../../model.js';
import { SECRET_SCIM, secretMeta, useDbtView } from '../../store/dbt.js';
import {
  useOktaStore,
  useOktaView,
  type OktaConsoleItem,
  type OktaRun,
  type OktaView,
} from '../../store/okta.js';
import { clockTime, dateTime } from '../../util/time.js';
import { useOktaProgressLine, waitingFor } from './OktaCommon.js';

function applyStatus(profile: ProfileDto, view: OktaView): { status: StepStatus; text: string } {
  const result = view.checked ?? view.result;
  if (view.busy.setup === 'apply') {
    return { status: 'in_progress', text: 'Applying…' };
  }
  if (result?.phase === 'verified') {
    const at = result.checks[0]?.at;
    return { status: 'verified', text: at ? `Verified at ${clockTime(at)}` : 'Verified' };
  }
  if (result?.phase === 'failed') {
    return { status: 'failed', text: 'Failed' };
  }
  if (result?.checks.some((c) => c.status === 'pending')) {
    return { status: 'needs_you', text: 'Console steps still open' };
  }
  if (view.plan && view.plan.phase !== 'failed') {
    return { status: 'in_progress', text: 'Plan ready to review' };
  }
  const step = (profile.steps as Partial<ProfileDto['steps']>).idp;
  if (statusOf(profile, 'idp') === 'verified') {
    return {
      status: 'verified',
      text: step?.updatedAt ? `Verified ${dateTime(step.updatedAt)}` : 'Verified',
    };
  }
  if (statusOf(profile, 'idp') === 'failed') {
    return { status: 'failed', text: 'Failed' };
  }
  return { status: 'not_started', text: 'Not done yet' };
}

/** The console steps a plan or a read-back still waits for. */
export function openConsoleItems(run: OktaRun | null | undefined): OktaConsoleItem[] {
  return (run?.console ?? []).filter((i) => i.status === 'pending' || i.status === 'fail');
}

/** "3 passed, 1 need you · checked at 10:42". */
export function checkSummary(checks: readonly CheckDto[]): string {
  const count = (status: CheckDto['status']): number =>
    checks.filter((c) => c.status === status).length;
  const parts = [
    [count('fail'), 'failed'],
    [count('pending'), 'need you'],
    [count('pass'), 'passed'],
    [count('skip'), 'skipped'],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, word]) => `${String(n)} ${String(word)}`);
  const at = checks[0]?.at;
  return `${parts.join(', ')}${at ? ` · checked at ${clockTime(at)}` : ''}`;
}

/** The console steps still open, as a short list under a plan or a read-back. */
export function OpenConsoleSteps({
  items,
  where,
}: {
  items: readonly OktaConsoleItem[];
  where: string;
}) {
  const id = useId();
  if (items.length === 0) {
    return null;
  }
  return (
    <Stack gap={4}>
      <Text size="sm" fw={600} id={id}>
        Still to do in the Okta Admin Console ({where})
      </Text>
      <ul className="permission-list" aria-labelledby={id}>
        {items.map((i) => (
          <li key={i.id}>
            <Text size="sm" component="span" fw={500}>
              {i.title}
            </Text>
            <Text size="sm" component="span" c="dimmed">
              {' '}
              — {i.message}
            </Text>
          </li>
        ))}
      </ul>
    </Stack>
  );
}

/** A read-back as a checklist with its one-line summary. */
export function RunChecks({ run, label }: { run: OktaRun; label: string }) {
  if (run.checks.length === 0) {
    return null;
  }
  return (
    <Stack gap="sm" className="setup-checks">
      <Text size="sm" data-testid="okta-check-summary">
        Checks: {checkSummary(run.checks)}.
      </Text>
      <CheckList checks={run.checks} label={label} compact />
    </Stack>
  );
}

/**
 * Section 4: what the wizard changes through Okta's API (the licenseType attribute, the username
 * format when confirmed, the group pushes), reviewed first, applied exactly, then read back with
 * the console steps.
 */
export function ApplySection({ profile }: { profile: ProfileDto }) {
  const view = useOktaView(profile.id);
  const dbtView = useDbtView(profile.id);
  const plan = useOktaStore((s) => s.plan);
  const apply = useOktaStore((s) => s.apply);
  const verify = useOktaStore((s) => s.verify);
  const discardPlan = useOktaStore((s) => s.discardPlan);
  const busy = view.busy.setup;
  const applying = busy === 'apply';
  const progress = useOktaProgressLine(profile.id, 'idp', view.progressSince, applying);
  const { status, text } = applyStatus(profile, view);
  const disabledReason = waitingFor(profile, view, 'app');
  const checking = view.busy.verify !== undefined;
  const shown = view.checked ?? view.result;

  const notes: string[] = [];
  if (!profile.dbt.scimUrl) {
    notes.push('The dbt step has no SCIM base URL yet: the console steps need it.');
  }
  if (dbtView.secrets !== null && !secretMeta(dbtView, SECRET_SCIM)) {
    notes.push(
      'This computer holds no SCIM token from the dbt step yet: create or paste one there first.',
    );
  }

  return (
    <section aria-labelledby="okta-apply">
      <SectionHeading
        id="okta-apply"
        title="4. Review and apply"
        status={status}
        statusText={text}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          The wizard reads the app and lists exactly what it will change through Okta’s API: the
          licenseType attribute in the app’s user profile, the username format when you confirmed
          it, and the group pushes you picked. Nothing changes until you apply; then everything is
          read back, with the console steps.
        </Text>
        <InfoLines lines={notes} label="Notes about the dbt step" />
        <PlanApplyView
          reviewed={view.plan}
          result={view.checked ? null : view.result}
          replanned={view.replanned}
          busy={busy === 'plan' || busy === 'apply' ? busy : undefined}
          error={view.errors.setup}
          onPlan={() => void plan(profile.id)}
          onApply={() => void apply(profile.id)}
          onDiscard={() => {
            discardPlan(profile.id);
          }}
          what="the dbt app in Okta"
          system="Okta"
          applyingText="Applying the changes in Okta…"
          progress={progress}
          disabledReason={disabledReason}
          emptyText="No changes needed: the app in Okta already has what dbt expects."
          renderChecks={() =>
            view.result ? <RunChecks run={view.result} label="Verification in Okta" /> : null
          }
        />
        {view.plan && view.plan.phase !== 'failed' && (
          <OpenConsoleSteps items={openConsoleItems(view.plan)} where="section 3" />
        )}
        {disabledReason === undefined && (
          <Group gap="sm">
            <Button
              variant="default"
              size="xs"
              leftSection={<IconRefresh size={14} aria-hidden />}
              loading={checking}
              disabled={busy !== undefined}
              onClick={() => void verify(profile.id)}
            >
              Check everything again
            </Button>
          </Group>
        )}
        <LiveRegion>{checking && <BusyLine text="Reading the app back from Okta…" />}</LiveRegion>
        {view.errors.verify && (
          <ErrorCallout
            title="Could not check the app"
            error={view.errors.verify}
            onRetry={() => void verify(profile.id)}
          />
        )}
        {view.checked && (
          <Stack gap="xs">
            {view.checked.error && (
              <ErrorCallout
                title="Some checks could not be made"
                error={view.checked.error}
                onRetry={() => void verify(profile.id)}
              />
            )}
            <RunChecks run={view.checked} label="Verification in Okta" />
          </Stack>
        )}
        {shown && <OpenConsoleSteps items={openConsoleItems(shown)} where="section 3" />}
      </Stack>
    </section>
  );
}
