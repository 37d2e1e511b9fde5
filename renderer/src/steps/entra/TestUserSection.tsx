import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconUserPlus } from '@tabler/icons-react';
import { useState, type SyntheticEvent } from 'react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { CheckList } from '../../components/CheckList.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { InfoLines } from '../../components/InfoLines.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import { statusOf, type ProfileDto, type StepStatus } from '../../model.js';
import { useEntraStore, useEntraView, type EntraView } from '../../store/entra.js';
import { clockTime, dateTime } from '../../util/time.js';
import { CHECK_TITLES, scopesMissing, TEST_USER_SCOPES } from './texts.js';
import { useProgressLine } from './useProgressLine.js';

const UPN = /^[^\s@/\\?#"]+@[^\s@/\\?#"]+\.[^\s@/\\?#"]+$/;

function testStatus(profile: ProfileDto, view: EntraView): { status: StepStatus; text: string } {
  if (view.busy.test !== undefined) {
    return { status: 'in_progress', text: 'Testing…' };
  }
  const test = view.test;
  if (test?.phase === 'verified') {
    const at = test.checks.at(-1)?.at;
    return { status: 'verified', text: at ? `Passed at ${clockTime(at)}` : 'Passed' };
  }
  if (test) {
    return { status: 'failed', text: 'Failed' };
  }
  if (view.errors.test) {
    return { status: 'failed', text: 'Did not run' };
  }
  const step = (profile.steps as Partial<ProfileDto['steps']>).test;
  if (statusOf(profile, 'test') === 'verified') {
    return {
      status: 'verified',
      text: step?.updatedAt ? `Passed ${dateTime(step.updatedAt)}` : 'Passed',
    };
  }
  return { status: 'not_started', text: 'Optional' };
}

/** Section 4 (optional): one real user, provisioned on demand and read back from dbt. */
export function TestUserSection({ profile }: { profile: ProfileDto }) {
  const view = useEntraView(profile.id);
  const testUser = useEntraStore((s) => s.testUser);
  const [upn, setUpn] = useState(view.testedUser ?? '');
  const [invalid, setInvalid] = useState<string | undefined>(undefined);
  const busy = view.busy.test !== undefined;
  const progress = useProgressLine(profile.id, 'test', view.progressSince, busy);
  const { status, text } = testStatus(profile, view);
  const account = view.account;
  const test = view.test;

  const disabledReason = !account?.signedIn
    ? 'Sign in to Microsoft first.'
    : !profile.entra?.spId
      ? 'Apply section 3 first: the test needs the app.'
      : undefined;
  const lacking = account?.signedIn ? scopesMissing(account.grantedScopes, TEST_USER_SCOPES) : [];
  const notes =
    lacking.length > 0
      ? [
          `This test needs ${lacking.join(' and ')}, which the sign-in does not carry. ${
            account?.via === 'token'
              ? 'Use an access token that carries them.'
              : 'Sign out and sign in again with “Also ask for the permissions to test with one user” ticked.'
          }`,
        ]
      : [];

  function onSubmit(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    const who = upn.trim();
    if (!UPN.test(who)) {
      setInvalid('Enter the user’s sign-in name as Entra shows it, for example ada@contoso.com.');
      return;
    }
    setInvalid(undefined);
    void testUser(profile.id, who);
  }

  return (
    <section aria-labelledby="entra-test-user">
      <SectionHeading
        id="entra-test-user"
        title="4. Test with a real user"
        status={status}
        statusText={text}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          Optional, and worth doing before assigning groups: the wizard assigns one user to the app,
          asks Entra to provision them now (“Provision on demand”), explains Entra’s verdict, and
          reads the user back from dbt over SCIM.
        </Text>
        <InfoLines lines={notes} label="Notes about the test" />
        <form noValidate onSubmit={onSubmit} aria-label="Test with a real user">
          <Stack gap="sm" maw={560}>
            <TextInput
              label="User principal name"
              description="Someone who should have dbt, ideally not in dbt yet."
              placeholder="ada@contoso.com"
              value={upn}
              onChange={(e) => {
                setUpn(e.currentTarget.value);
                setInvalid(undefined);
              }}
              error={invalid}
              autoComplete="off"
              spellCheck={false}
              maxLength={256}
            />
            <Group gap="sm">
              <Button
                type="submit"
                variant={test?.phase === 'verified' ? 'default' : 'filled'}
                loading={busy}
                disabled={disabledReason !== undefined}
                leftSection={<IconUserPlus size={16} aria-hidden />}
              >
                Test with this user
              </Button>
              {disabledReason && (
                <Text size="sm" c="dimmed">
                  {disabledReason}
                </Text>
              )}
            </Group>
          </Stack>
        </form>
        <LiveRegion>
          {busy && (
            <BusyLine
              text={`Testing ${view.testedUser ?? 'the user'}: assignment, provisioning on demand, read back from dbt…`}
            />
          )}
          {!busy && test?.phase === 'verified' && (
            <Text size="sm" fw={500}>
              {view.testedUser ?? 'The user'} went from Entra to dbt.
            </Text>
          )}
        </LiveRegion>
        {busy && progress && (
          <Text size="xs" c="dimmed" ml={22} aria-hidden>
            {progress}
          </Text>
        )}
        {view.errors.test && (
          <ErrorCallout
            title="The test did not run"
            error={view.errors.test}
            onRetry={() => {
              if (view.testedUser) {
                void testUser(profile.id, view.testedUser);
              }
            }}
          />
        )}
        {test?.phase === 'failed' && test.error && (
          <ErrorCallout title="The test did not complete" error={test.error} />
        )}
        {test && test.checks.length > 0 && (
          <CheckList checks={test.checks} titles={CHECK_TITLES} label="Stages of the test" />
        )}
      </Stack>
    </section>
  );
}
