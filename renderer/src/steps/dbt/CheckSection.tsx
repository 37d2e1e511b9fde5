import { Button, Group, Stack, Text } from '@mantine/core';
import { IconPlugConnected } from '@tabler/icons-react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { CheckList } from '../../components/CheckList.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import { statusOf, type ProfileDto, type StepStatus } from '../../model.js';
import { SECRET_SCIM, secretMeta, useDbtStore, useDbtView } from '../../store/dbt.js';
import { clockTime, dateTime } from '../../util/time.js';
import { CONNECTION_TITLES } from './texts.js';

/** Section 4: the SCIM API called with the saved URL and token, as the IdP's "Test connection" does. */
export function CheckSection({ profile }: { profile: ProfileDto }) {
  const view = useDbtView(profile.id);
  const check = useDbtStore((s) => s.check);
  const busy = view.busy.check !== undefined;
  const result = view.check;
  const hasUrl = Boolean(profile.dbt.scimUrl);
  const hasToken = secretMeta(view, SECRET_SCIM) !== undefined;
  const missing = !hasUrl
    ? 'Save the SCIM base URL first.'
    : !hasToken
      ? 'Save a SCIM token first.'
      : undefined;
  const failing = result?.failure
    ? (result.checks.find((c) => c.id === result.failure?.checkId) ??
      result.checks.find((c) => c.status === 'fail'))
    : undefined;
  const at = result?.checks[0]?.at;
  const step = (profile.steps as Partial<ProfileDto['steps']>).dbt;

  let status: StepStatus = 'not_started';
  let statusText = 'Not checked yet';
  if (result) {
    status = result.failure ? 'failed' : 'verified';
    statusText = `${result.failure ? 'Failed' : 'Verified'}${at ? ` at ${clockTime(at)}` : ''}`;
  } else if (statusOf(profile, 'dbt') === 'verified') {
    status = 'verified';
    statusText = step?.updatedAt ? `Verified ${dateTime(step.updatedAt)}` : 'Verified';
  } else if (statusOf(profile, 'dbt') === 'failed') {
    status = 'failed';
    statusText = 'Failed';
  }

  return (
    <section aria-labelledby="dbt-check">
      <SectionHeading
        id="dbt-check"
        title="4. Check the connection"
        status={status}
        statusText={statusText}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          The wizard calls dbt’s SCIM API with the saved URL and token, the way the identity
          provider’s “Test connection” does: the service description, listing users, finding a user
          by userName, and listing groups. It changes nothing.
        </Text>
        <Group gap="sm">
          <Button
            leftSection={<IconPlugConnected size={16} aria-hidden />}
            loading={busy}
            disabled={missing !== undefined}
            onClick={() => void check(profile.id)}
          >
            Check now
          </Button>
          {missing && (
            <Text size="sm" c="dimmed">
              {missing}
            </Text>
          )}
        </Group>
        <LiveRegion>
          {busy && <BusyLine text="Asking dbt’s SCIM API…" />}
          {!busy && result && !result.failure && (
            <Text size="sm" fw={500}>
              dbt’s SCIM API answered every check. The identity provider can use this URL and token.
            </Text>
          )}
        </LiveRegion>
        {view.errors.check && (
          <ErrorCallout
            title="The check did not run"
            error={view.errors.check}
            onRetry={() => void check(profile.id)}
          />
        )}
        {result?.failure && (
          <ErrorCallout
            title="The connection check failed"
            error={{
              code: result.failure.code,
              message: failing?.message ?? 'dbt’s SCIM API did not answer as expected.',
            }}
            onRetry={() => void check(profile.id)}
          />
        )}
        {result && (
          <CheckList checks={result.checks} titles={CONNECTION_TITLES} label="Connection checks" />
        )}
      </Stack>
    </section>
  );
}
