import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { IconActivityHeartbeat } from '@tabler/icons-react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { CheckList } from '../../components/CheckList.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { ExternalLink } from '../../components/ExternalLink.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import { useOpenExternal } from '../../components/useOpenExternal.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import { useEntraStore, useEntraView, type EntraView } from '../../store/entra.js';
import { clockTime } from '../../util/time.js';
import { adminCenterLinks, CHECK_TITLES, isJobCheck } from './texts.js';

function statusOfJob(view: EntraView): { status: StepStatus; text: string } {
  if (view.busy.status !== undefined) {
    return { status: 'in_progress', text: 'Checking…' };
  }
  const result = view.status;
  if (!result) {
    return view.errors.status
      ? { status: 'failed', text: 'Could not check' }
      : { status: 'not_started', text: 'Not checked yet' };
  }
  if (result.error) {
    return { status: 'failed', text: 'Could not check' };
  }
  const at = result.checks[0]?.at;
  const when = at ? ` at ${clockTime(at)}` : '';
  const jobs = result.checks.filter(isJobCheck);
  if (jobs.some((c) => c.id === 'job.quarantine' && c.status === 'fail')) {
    return { status: 'failed', text: `In quarantine${when}` };
  }
  if (jobs.length === 0 || jobs.some((c) => c.status !== 'pass')) {
    return { status: 'needs_you', text: `Needs attention${when}` };
  }
  return { status: 'verified', text: `Running${when}` };
}

/** Section 5: where the provisioning job stands (running, paused, quarantine and why). */
export function StatusSection({ profile }: { profile: ProfileDto }) {
  const view = useEntraView(profile.id);
  const checkStatus = useEntraStore((s) => s.checkStatus);
  const link = useOpenExternal();
  const busy = view.busy.status !== undefined;
  const { status, text } = statusOfJob(view);
  const result = view.status;
  const jobChecks = result?.checks.filter(isJobCheck) ?? [];
  const otherFailures = result?.checks.filter((c) => !isJobCheck(c) && c.status === 'fail') ?? [];
  const entra = profile.entra;
  const disabledReason = !view.account?.signedIn ? 'Sign in to Microsoft first.' : undefined;

  return (
    <section aria-labelledby="entra-status">
      <SectionHeading
        id="entra-status"
        title="5. Provisioning status"
        status={status}
        statusText={text}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          Entra runs a provisioning cycle every 20 to 40 minutes. Check here whether the job is
          running, paused or in quarantine; a quarantine comes with its cause and what to do. This
          only reads.
        </Text>
        <Group gap="sm">
          <Button
            variant={result ? 'default' : 'filled'}
            leftSection={<IconActivityHeartbeat size={16} aria-hidden />}
            loading={busy}
            disabled={disabledReason !== undefined || !entra}
            onClick={() => void checkStatus(profile.id)}
          >
            Check status
          </Button>
          {disabledReason && (
            <Text size="sm" c="dimmed">
              {disabledReason}
            </Text>
          )}
          {entra?.spId && entra.appId && (
            <ExternalLink
              url={adminCenterLinks(entra.cloud, entra.spId, entra.appId).provisioning}
              onOpen={link.open}
            >
              Open the Provisioning page in the admin center
            </ExternalLink>
          )}
        </Group>
        <LiveRegion>
          {busy && <BusyLine text="Reading the app and its provisioning job from Entra…" />}
        </LiveRegion>
        {link.error && (
          <ErrorCallout title="The link was not opened" error={link.error} onDismiss={link.clear} />
        )}
        {view.errors.status && (
          <ErrorCallout
            title="Could not read the provisioning status"
            error={view.errors.status}
            onRetry={() => void checkStatus(profile.id)}
          />
        )}
        {result?.error && (
          <ErrorCallout
            title="Could not read the provisioning status"
            error={result.error}
            onRetry={() => void checkStatus(profile.id)}
          />
        )}
        {jobChecks.length > 0 && (
          <CheckList checks={jobChecks} titles={CHECK_TITLES} label="Provisioning job" />
        )}
        {otherFailures.length > 0 && (
          <Stack gap={6}>
            <Title order={3} id="entra-status-other">
              Also found
            </Title>
            <CheckList checks={otherFailures} titles={CHECK_TITLES} label="Also found" />
          </Stack>
        )}
      </Stack>
    </section>
  );
}
