import { Button, Group, Stack, Text } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { CheckList } from '../../components/CheckList.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import { IDP_NAMES, STATUS_LABELS, statusOf, type ProfileDto } from '../../model.js';
import { SECRET_API, secretMeta, useDbtStore, useDbtView } from '../../store/dbt.js';
import { dateTime } from '../../util/time.js';
import { IpAllowPanel } from './IpAllowPanel.js';
import { planName, PREREQUISITE_TITLES } from './texts.js';

/** What dbt said: the account, its IdP, the checklist, and the IP panel when it is needed. */
export function ResultsSection({ profile }: { profile: ProfileDto }) {
  const view = useDbtView(profile.id);
  const recheck = useDbtStore((s) => s.recheck);
  const adoptIdp = useDbtStore((s) => s.adoptIdp);
  const result = view.prerequisites;
  const hasToken = secretMeta(view, SECRET_API) !== undefined;
  const status = statusOf(profile, 'prerequisites');
  const step = (profile.steps as Partial<ProfileDto['steps']>).prerequisites;
  const rechecking = view.busy.recheck !== undefined;

  if (!result && status === 'not_started') {
    return null;
  }

  const detected = result?.detectedIdp ?? null;
  const ipCheck = result?.checks.find((c) => c.id === 'dbt.ip-restrictions');
  // The panel stays after its rule is applied, so its verification stays in view.
  const showIp =
    Boolean(result?.ipRestricted && ipCheck && ipCheck.status !== 'pass') ||
    view.results.ip !== undefined;

  return (
    <section aria-labelledby="prereq-results">
      <SectionHeading
        id="prereq-results"
        title="What dbt says"
        status={status}
        statusText={STATUS_LABELS[status]}
      />
      <Stack gap="md" maw={720}>
        {result ? (
          <>
            <Stack gap={4}>
              <Text size="sm">
                <Text component="span" size="sm" fw={600}>
                  {result.account.name}
                </Text>{' '}
                (account {result.account.id}) · {planName(result.account.plan)} plan
              </Text>
              <Text size="sm">
                {detected
                  ? `dbt signs users in with ${IDP_NAMES[detected]}, so SCIM runs from ${IDP_NAMES[detected]}.`
                  : result.account.ssoMethod
                    ? `dbt signs users in with “${result.account.ssoMethod}”, which SCIM does not support.`
                    : 'dbt has no single sign-on set up yet.'}
              </Text>
              {view.idpAdopted && (
                <Text size="sm">
                  This profile now uses {IDP_NAMES[view.idpAdopted]}, as dbt’s single sign-on does.
                </Text>
              )}
            </Stack>
            <CheckList
              checks={result.checks}
              titles={PREREQUISITE_TITLES}
              label="Prerequisites"
              extra={(check) =>
                check.id === 'dbt.sso-matches-idp' && check.status === 'fail' && detected ? (
                  <Group mt={4}>
                    <Button
                      size="xs"
                      variant="default"
                      loading={view.busy.idp !== undefined}
                      onClick={() => void adoptIdp(profile.id, detected)}
                    >
                      Use {IDP_NAMES[detected]} for this profile
                    </Button>
                  </Group>
                ) : null
              }
            />
            {view.errors.idp && (
              <ErrorCallout
                title="The profile’s identity provider was not changed"
                error={view.errors.idp}
                onRetry={detected ? () => void adoptIdp(profile.id, detected) : undefined}
              />
            )}
          </>
        ) : (
          <Text size="sm">
            Last result{step?.updatedAt ? ` (${dateTime(step.updatedAt)})` : ''}:{' '}
            {step?.summary ?? STATUS_LABELS[status]}.
            {hasToken ? ' Check again to see each item.' : ''}
          </Text>
        )}
        {hasToken && (
          <Group gap="sm">
            <Button
              variant="default"
              leftSection={<IconRefresh size={16} aria-hidden />}
              loading={rechecking}
              onClick={() => void recheck(profile.id)}
            >
              Check again
            </Button>
            <LiveRegion>{rechecking && <BusyLine text="Reading the dbt account…" />}</LiveRegion>
          </Group>
        )}
        {view.errors.recheck && (
          <ErrorCallout
            title="Could not read the dbt account"
            error={view.errors.recheck}
            onRetry={() => void recheck(profile.id)}
          />
        )}
        {showIp && <IpAllowPanel profile={profile} />}
      </Stack>
    </section>
  );
}
