import { Group, Stack, Text, Title } from '@mantine/core';
import type { StatusDto } from '../../../electron/ipc/contract.js';
import { dateTime, relativeTime } from '../util/time.js';
import { JOB_LOOK, StateMark } from './looks.js';

type JobHealth = NonNullable<StatusDto['job']>;

/** "12 users, 3 groups" from Graph's counts. */
function countsText(counts: Readonly<Record<string, number>> | undefined): string {
  const entries = Object.entries(counts ?? {});
  return entries.map(([what, n]) => `${n} ${n === 1 ? what.replace(/s$/, '') : what}`).join(', ');
}

/** Entra's provisioning job: its state in words, the quarantine reason, the last cycle. */
export function JobSection({ job, checked }: { job: JobHealth | null; checked: boolean }) {
  const counts = countsText(job?.lastCycleCounts);
  return (
    <section aria-labelledby="overview-job" className="overview-card">
      <Title order={2} id="overview-job" size="h4" mb="sm">
        Provisioning in Entra ID
      </Title>
      {!job ? (
        <Text size="sm" c="dimmed">
          {checked
            ? 'The last check could not read the provisioning job.'
            : 'The job’s state shows here after the first check.'}
        </Text>
      ) : (
        <Stack gap={6}>
          <Group gap="xs" data-job={job.state}>
            <StateMark look={JOB_LOOK[job.state]} />
          </Group>
          {job.state === 'quarantine' && (
            <Text size="sm">
              Entra put the job in quarantine
              {job.quarantineReason ? `: ${job.quarantineReason}` : '.'}
            </Text>
          )}
          <dl className="facts">
            <dt>Last cycle</dt>
            <dd>
              {job.lastCycleAt
                ? `${dateTime(job.lastCycleAt)} (${relativeTime(job.lastCycleAt)})`
                : 'None yet'}
              {job.lastCycleState ? `, ${job.lastCycleState.toLowerCase()}` : ''}
            </dd>
            {counts && (
              <>
                <dt>Last cycle counts</dt>
                <dd>{counts}</dd>
              </>
            )}
            {job.lastError && (
              <>
                <dt>Last error</dt>
                <dd>{job.lastError}</dd>
              </>
            )}
          </dl>
        </Stack>
      )}
    </section>
  );
}
