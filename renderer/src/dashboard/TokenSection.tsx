import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { IconRotateClockwise } from '@tabler/icons-react';
import type { RotationDueDto, StatusDto } from '../../../electron/ipc/contract.js';
import type { ProfileDto } from '../model.js';
import { calendarDay, dateTime, plural, relativeTime } from '../util/time.js';
import { ROTATION_LOOK, StateMark } from './looks.js';

type TokenHealth = NonNullable<StatusDto['token']>;

/** The token as the last check saw it, or (before any check) as the profile remembers it. */
function tokenFacts(profile: ProfileDto, token: TokenHealth | null) {
  const createdAt = token?.createdAt ?? profile.dbt.scimTokenCreatedAt;
  return {
    name: token?.name ?? profile.dbt.scimTokenName,
    last4: token?.last4,
    createdAt,
    ageDays: token?.ageDays,
    lastUsed: token?.lastUsed,
  };
}

function createdText(createdAt: string | undefined, ageDays: number | undefined): string {
  if (createdAt) {
    return `${calendarDay(createdAt)} (${relativeTime(createdAt)})`;
  }
  return ageDays !== undefined ? `${plural(ageDays, 'day')} ago` : 'Not known';
}

function lastUsedText(lastUsed: string | null | undefined): string {
  if (lastUsed === null) {
    return 'Never';
  }
  return lastUsed ? `${dateTime(lastUsed)} (${relativeTime(lastUsed)})` : 'Not known yet';
}

/** "Due on 27 Feb 2027, in 89 days (every 90 days)." — dates as the rest of the screen shows them. */
export function rotationLine(due: RotationDueDto): string {
  if (due.state === 'unknown' || !due.dueAt || due.daysLeft === null) {
    return due.message;
  }
  const on = calendarDay(due.dueAt);
  const every = `every ${plural(due.intervalDays, 'day')}`;
  if (due.state === 'overdue') {
    return `Was due on ${on}, ${relativeTime(due.dueAt)} (${every}).`;
  }
  if (due.daysLeft === 0) {
    return `Due today, ${on} (${every}).`;
  }
  return `Due on ${on}, in ${plural(due.daysLeft, 'day')} (${every}).`;
}

/**
 * The SCIM token in use (name, last four, age, last use) and when it should be rotated, with a
 * way to the Rotation step.
 */
export function TokenSection({
  profile,
  token,
  due,
  onRotate,
}: {
  profile: ProfileDto;
  token: TokenHealth | null;
  /** The rotation schedule, once known. */
  due: RotationDueDto | null;
  onRotate: () => void;
}) {
  const facts = tokenFacts(profile, token);
  const known = Boolean(facts.name ?? facts.last4 ?? facts.createdAt);
  return (
    <section aria-labelledby="overview-token" className="overview-card">
      <Title order={2} id="overview-token" size="h4" mb="sm">
        SCIM token
      </Title>
      {known ? (
        <dl className="facts">
          <dt>Name</dt>
          <dd>{facts.name ?? 'Not known'}</dd>
          {facts.last4 && (
            <>
              <dt>Token</dt>
              <dd>
                ending in <span className="tabular">{facts.last4}</span>
              </dd>
            </>
          )}
          <dt>Created</dt>
          <dd>{createdText(facts.createdAt, facts.ageDays)}</dd>
          <dt>Last used</dt>
          <dd>{lastUsedText(facts.lastUsed)}</dd>
        </dl>
      ) : (
        <Text size="sm">The wizard does not hold a SCIM token for this profile yet.</Text>
      )}

      <Stack gap={6} mt="md" className="overview-rotation">
        <Title order={3} size="h5">
          Rotation
        </Title>
        {due ? (
          <>
            <Group gap="xs" data-rotation={due.state}>
              <StateMark look={ROTATION_LOOK[due.state]} />
            </Group>
            <Text size="sm">{rotationLine(due)}</Text>
          </>
        ) : (
          <Text size="sm" c="dimmed">
            Reading the rotation schedule…
          </Text>
        )}
        {known && (
          <Group>
            <Button
              size="xs"
              variant={due?.state === 'due' || due?.state === 'overdue' ? 'filled' : 'default'}
              leftSection={<IconRotateClockwise size={14} aria-hidden />}
              onClick={onRotate}
            >
              Rotate now
            </Button>
          </Group>
        )}
      </Stack>
    </section>
  );
}
