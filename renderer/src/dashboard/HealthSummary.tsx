import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { IconArrowRight, IconRefresh } from '@tabler/icons-react';
import { useEffect, useRef, useState } from 'react';
import { BusyLine, LiveRegion } from '../components/BusyLine.js';
import { ErrorCallout } from '../components/ErrorCallout.js';
import { IDP_SHORT_NAMES, type ProfileDto, type StepId } from '../model.js';
import {
  HEALTH_LABELS,
  hasDbtConnection,
  healthOf,
  problemsOf,
  useStatusStore,
  type StatusView,
} from '../store/status.js';
import { dateTime, plural, relativeTime } from '../util/time.js';
import { HEALTH_LOOK } from './looks.js';

/** "dbt, Okta and the SCIM token": what a full check reads. */
function checkedParts(profile: ProfileDto): string {
  return profile.idp
    ? `dbt, ${IDP_SHORT_NAMES[profile.idp]} and the SCIM token`
    : 'dbt and the SCIM token';
}

function verdictLine(view: StatusView): string {
  const status = view.status;
  if (!status) {
    return view.loaded ? 'No full check has run for this profile yet.' : 'Reading the last check…';
  }
  const problems = problemsOf(status).length;
  const passed = status.items.filter((i) => i.status === 'pass').length;
  if (problems === 0) {
    return `All ${plural(passed, 'check')} passed.`;
  }
  return `${plural(problems, 'item')} to look at, ${passed} passed.`;
}

/**
 * The verdict at a glance (healthy, needs attention, not checked yet), when the last full check
 * ran, and "Check now" with its progress in a live region.
 */
export function HealthSummary({
  profile,
  view,
  onGoto,
}: {
  profile: ProfileDto;
  view: StatusView;
  onGoto: (step: StepId) => void;
}) {
  const check = useStatusStore((s) => s.check);
  const open = useStatusStore((s) => s.open);
  const clearError = useStatusStore((s) => s.clearError);
  const health = healthOf(view.status);
  const look = HEALTH_LOOK[health];
  const Glyph = look.icon;
  const checking = view.busy.check !== undefined;
  const canCheck = hasDbtConnection(profile);
  const checkedAt = view.status?.checkedAt;

  // Once a check ends, say how it went (the live region announces it).
  const [finished, setFinished] = useState<string | null>(null);
  const wasChecking = useRef(checking);
  useEffect(() => {
    if (wasChecking.current && !checking) {
      setFinished(
        view.errors.check ? null : `Check finished: ${HEALTH_LABELS[healthOf(view.status)]}.`,
      );
    }
    wasChecking.current = checking;
  }, [checking, view.errors.check, view.status]);

  return (
    <section aria-labelledby="overview-health" className="overview-card overview-health">
      <Group justify="space-between" align="flex-start" gap="md" wrap="wrap">
        <Stack gap={6} className="overview-health__verdict">
          <Title order={2} id="overview-health" size="h4">
            Health
          </Title>
          <Group gap="sm" wrap="nowrap" align="center" data-health={health}>
            <Glyph
              size={30}
              stroke={1.75}
              aria-hidden
              style={{ color: look.color, flex: 'none' }}
            />
            <Text size="xl" fw={600} component="p" m={0}>
              {look.label}
            </Text>
          </Group>
          <Text size="sm">{verdictLine(view)}</Text>
          <Text size="sm" c="dimmed">
            {checkedAt
              ? `Last full check: ${dateTime(checkedAt)} (${relativeTime(checkedAt)}).`
              : 'Last full check: never.'}
          </Text>
        </Stack>
        <Button
          variant="default"
          leftSection={<IconRefresh size={16} aria-hidden />}
          loading={checking}
          disabled={!canCheck}
          onClick={() => void check(profile.id)}
        >
          Check now
        </Button>
      </Group>

      {!canCheck && (
        <Group gap="sm" mt="sm" wrap="wrap">
          <Text size="sm">
            The wizard checks the setup through dbt. Connect the dbt account first.
          </Text>
          <Button
            size="xs"
            variant="light"
            rightSection={<IconArrowRight size={14} aria-hidden />}
            onClick={() => {
              onGoto('dbt');
            }}
          >
            Open the dbt step
          </Button>
        </Group>
      )}

      <div className="overview-health__live">
        <LiveRegion>
          {checking ? (
            <BusyLine text={`Checking ${checkedParts(profile)}… this takes a few seconds.`} />
          ) : (
            finished && (
              <Text size="sm" c="dimmed">
                {finished}
              </Text>
            )
          )}
        </LiveRegion>
      </div>

      {view.errors.check && (
        <ErrorCallout
          title="Could not finish the check"
          error={view.errors.check}
          onRetry={() => void check(profile.id)}
          onDismiss={() => {
            clearError(profile.id, 'check');
          }}
        />
      )}
      {view.errors.load && (
        <ErrorCallout
          title="Could not read the last check"
          error={view.errors.load}
          onRetry={() => void open(profile.id)}
          onDismiss={() => {
            clearError(profile.id, 'load');
          }}
        />
      )}
    </section>
  );
}
