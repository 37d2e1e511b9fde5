import { Button, Group, NumberInput, Stack, Text } from '@mantine/core';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useState } from 'react';
import { LiveRegion } from '../../components/BusyLine.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import { useRotationStore, useRotationView, type RotationStateDto } from '../../store/rotation.js';

export const MIN_DAYS = 7;
export const MAX_DAYS = 730;
const DEFAULT_DAYS = 90;

const DUE_LOOK: Readonly<Record<RotationStateDto['due']['state'], [StepStatus, string]>> = {
  unknown: ['not_started', 'No token to rotate yet'],
  ok: ['verified', 'On schedule'],
  due: ['needs_you', 'Due soon'],
  overdue: ['needs_you', 'Overdue'],
};

/**
 * When the next rotation is due and how often tokens are rotated: a sentence from the engine
 * (the same one the notification and the CLI use) and the interval, saved per profile.
 */
export function ScheduleSection({ profile }: { profile: ProfileDto }) {
  const view = useRotationView(profile.id);
  const setPolicy = useRotationStore((s) => s.setPolicy);
  const clearError = useRotationStore((s) => s.clearError);
  const saved = profile.rotation?.intervalDays ?? DEFAULT_DAYS;
  const [days, setDays] = useState<number | string>(saved);
  const [confirmed, setConfirmed] = useState(false);
  const due = view.state?.due;
  const busy = view.busy.policy !== undefined;
  const valid =
    typeof days === 'number' && Number.isInteger(days) && days >= MIN_DAYS && days <= MAX_DAYS;
  const [status, statusText] = due ? DUE_LOOK[due.state] : [undefined, undefined];

  async function save(): Promise<void> {
    if (typeof days !== 'number') {
      return;
    }
    setConfirmed(false);
    setConfirmed(await setPolicy(profile.id, days));
  }

  return (
    <section aria-labelledby="rotation-schedule">
      <SectionHeading
        id="rotation-schedule"
        title="Schedule"
        {...(status && statusText ? { status, statusText } : {})}
      />
      <Stack gap="sm" maw={720}>
        <Text size="sm" data-testid="rotation-due">
          {due ? due.message : 'Reading the schedule…'}
        </Text>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void save();
          }}
        >
          <Group gap="sm" align="flex-end">
            <NumberInput
              label="Rotate the token every"
              description={`${MIN_DAYS} to ${MAX_DAYS} days; a reminder comes a week before.`}
              value={days}
              onChange={(v) => {
                setDays(v);
                setConfirmed(false);
              }}
              min={MIN_DAYS}
              max={MAX_DAYS}
              step={1}
              allowDecimal={false}
              allowNegative={false}
              rightSection={
                <Text size="sm" c="dimmed" pr="xs">
                  days
                </Text>
              }
              rightSectionWidth={48}
              w={300}
              error={valid || days === '' ? undefined : `Enter ${MIN_DAYS} to ${MAX_DAYS} days.`}
            />
            <Button
              type="submit"
              variant="default"
              leftSection={<IconDeviceFloppy size={16} aria-hidden />}
              loading={busy}
              disabled={!valid || days === saved}
            >
              Save schedule
            </Button>
          </Group>
        </form>
        <LiveRegion>
          {confirmed && !busy && (
            <Text size="sm">Saved: the token is rotated every {saved} days.</Text>
          )}
        </LiveRegion>
        {view.errors.policy && (
          <ErrorCallout
            title="The schedule was not saved"
            error={view.errors.policy}
            onDismiss={() => {
              clearError(profile.id, 'policy');
            }}
          />
        )}
      </Stack>
    </section>
  );
}
