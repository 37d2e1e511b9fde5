import { Button, Checkbox, Group, Stack, Text } from '@mantine/core';
import { IconUsers } from '@tabler/icons-react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { CheckList } from '../../components/CheckList.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import { useOktaStore, useOktaView, type OktaExisting } from '../../store/okta.js';
import { waitingFor } from './OktaCommon.js';

function existingStatus(
  profile: ProfileDto,
  existing: OktaExisting | null,
): { status: StepStatus; text: string } {
  if (existing) {
    if (existing.checks.some((c) => c.status === 'fail')) {
      return { status: 'failed', text: 'Needs attention' };
    }
    return existing.unmatched.length > 0
      ? { status: 'needs_you', text: `${existing.unmatched.length} not matched` }
      : { status: 'verified', text: 'Every checked user matches' };
  }
  if (profile.okta?.existingIntegration === false) {
    return { status: 'verified', text: 'No existing users' };
  }
  return { status: 'not_started', text: 'Not checked yet' };
}

/**
 * Section 6: users and groups already in dbt become SCIM-managed; which dbt users Okta would not
 * match, and what Okta has imported from dbt so far.
 */
export function ExistingSection({ profile }: { profile: ProfileDto }) {
  const view = useOktaView(profile.id);
  const checkExisting = useOktaStore((s) => s.checkExisting);
  const setExisting = useOktaStore((s) => s.setExistingIntegration);
  const clearError = useOktaStore((s) => s.clearError);
  const waiting = waitingFor(profile, view, 'app');
  const existing = view.existing;
  const busy = view.busy.existing !== undefined;
  const saving = view.busy.integration !== undefined;
  const { status, text } = existingStatus(profile, existing);

  return (
    <section aria-labelledby="okta-existing">
      <SectionHeading
        id="okta-existing"
        title="6. Existing integrations"
        status={status}
        statusText={text}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          Users and groups that are already in dbt become SCIM-managed once Okta pushes to dbt: from
          then on Okta owns their profiles and group memberships. dbt recommends importing them into
          Okta first with Okta’s “Import Users” and “Import Groups”, and naming the Okta groups
          exactly like the dbt groups. The import is one of the console steps (section 3).
        </Text>
        {profile.okta && (
          <Checkbox
            label="dbt already has users and groups from single sign-on"
            description="The wizard then includes the import in the console steps and checks dbt’s users against Okta."
            checked={profile.okta.existingIntegration === true}
            disabled={saving}
            onChange={(e) => {
              void setExisting(profile.id, e.currentTarget.checked);
            }}
          />
        )}
        {view.errors.integration && (
          <ErrorCallout
            title="The answer was not saved"
            error={view.errors.integration}
            onDismiss={() => {
              clearError(profile.id, 'integration');
            }}
          />
        )}
        {waiting ? (
          <Text size="sm" c="dimmed">
            {waiting}
          </Text>
        ) : (
          <>
            <Group gap="sm">
              <Button
                variant={existing ? 'default' : 'filled'}
                loading={busy}
                leftSection={<IconUsers size={16} aria-hidden />}
                onClick={() => void checkExisting(profile.id)}
              >
                {existing ? 'Check again' : 'Check dbt’s users against Okta'}
              </Button>
            </Group>
            <LiveRegion>
              {busy && <BusyLine text="Reading dbt’s users and looking for each in Okta…" />}
              {!busy && existing && (
                <Text size="sm" fw={500}>
                  {existing.checked < existing.dbtUsers
                    ? `Checked a sample of ${existing.checked} of ${existing.dbtUsers} dbt users: ${existing.unmatched.length} not matched.`
                    : `Checked all ${existing.dbtUsers} dbt users: ${existing.unmatched.length} not matched.`}
                </Text>
              )}
            </LiveRegion>
            {view.errors.existing && (
              <ErrorCallout
                title="Could not check the existing users"
                error={view.errors.existing}
                onRetry={() => void checkExisting(profile.id)}
              />
            )}
            {existing && <ExistingResult existing={existing} />}
          </>
        )}
      </Stack>
    </section>
  );
}

function ExistingResult({ existing }: { existing: OktaExisting }) {
  return (
    <Stack gap="sm">
      <Text size="sm">
        Okta has imported {existing.appUsers} {existing.appUsers === 1 ? 'user' : 'users'} and{' '}
        {existing.appGroups} {existing.appGroups === 1 ? 'group' : 'groups'} from dbt into this app
        so far.
      </Text>
      {existing.unmatched.length > 0 && (
        <Stack gap={4}>
          <Text size="sm" fw={600} id="okta-unmatched">
            dbt users Okta would not match
          </Text>
          <ul className="permission-list" aria-labelledby="okta-unmatched">
            {existing.unmatched.map((u) => (
              <li key={u.userName}>
                <Text size="sm" component="span" ff="monospace" fw={600}>
                  {u.userName}
                </Text>
                <Text size="sm" component="span">
                  {' '}
                  {u.reason === 'case'
                    ? `— only the case differs from the Okta login “${u.oktaLogin ?? ''}”: Okta would create a second dbt user. Make the two spellings the same.`
                    : '— no person in Okta has this login or email: Okta will not manage this user.'}
                </Text>
              </li>
            ))}
          </ul>
        </Stack>
      )}
      {existing.checks.length > 0 && (
        <CheckList checks={existing.checks} label="Checks of the existing integration" compact />
      )}
    </Stack>
  );
}
