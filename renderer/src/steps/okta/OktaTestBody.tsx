import { Button, Group, Select, Stack, Text, TextInput } from '@mantine/core';
import { IconUserPlus } from '@tabler/icons-react';
import { useEffect, useState, type SyntheticEvent } from 'react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { CheckList } from '../../components/CheckList.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import { statusOf, type ProfileDto, type StepStatus } from '../../model.js';
import {
  useOktaStore,
  useOktaView,
  type OktaLicenseType,
  type OktaView,
} from '../../store/okta.js';
import { clockTime, dateTime } from '../../util/time.js';
import {
  isLicenseType,
  LICENSE_OPTIONS,
  useOktaProgressLine,
  waitingForOnLaterStep,
} from './OktaCommon.js';

/** An Okta username as the engine takes it: at most 100 characters, no spaces or quotes. */
const LOGIN = /^[^\s"']{1,100}$/;

function testStatus(profile: ProfileDto, view: OktaView): { status: StepStatus; text: string } {
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
  return { status: 'not_started', text: 'Not tested yet' };
}

/**
 * The Test screen for Okta: one real person assigned to the dbt app with a license type, pushed
 * by Okta, and read back from dbt.
 */
export function OktaTestBody({ profile }: { profile: ProfileDto }) {
  const view = useOktaView(profile.id);
  const loadAccount = useOktaStore((s) => s.loadAccount);
  const testUser = useOktaStore((s) => s.testUser);
  const [login, setLogin] = useState('');
  const [license, setLicense] = useState<OktaLicenseType | null>(null);
  const [errors, setErrors] = useState<{ login?: string; license?: string }>({});
  const busy = view.busy.test !== undefined;
  const test = view.test;
  const progress = useOktaProgressLine(profile.id, 'test', view.progressSince, busy);
  const { status, text } = testStatus(profile, view);
  const waiting = waitingForOnLaterStep(profile, view);

  useEffect(() => {
    void loadAccount(profile.id);
  }, [loadAccount, profile.id]);

  function onSubmit(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    const who = login.trim();
    const found: { login?: string; license?: string } = {};
    if (!LOGIN.test(who)) {
      found.login =
        who === ''
          ? 'Enter the user’s Okta username, for example ada@acme.com.'
          : 'An Okta username has no spaces or quotes and at most 100 characters, for example ada@acme.com.';
    }
    if (license === null) {
      found.license = 'Choose the license type dbt should give this user.';
    }
    setErrors(found);
    if (found.login !== undefined || license === null) {
      return;
    }
    void testUser(profile.id, who, license);
  }

  return (
    <section aria-labelledby="okta-test">
      <SectionHeading
        id="okta-test"
        title="1. Test with one user"
        status={status}
        statusText={text}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          The wizard assigns one person to the dbt app in Okta with the license type you choose,
          waits until Okta has pushed them to dbt (checking every 5 seconds), and reads them back
          from dbt over SCIM: name, email and license type.
        </Text>
        {waiting && (
          <Text size="sm" c="dimmed">
            {waiting}
          </Text>
        )}
        <form noValidate onSubmit={onSubmit} aria-label="Test with one user">
          <Stack gap="sm" maw={560}>
            <TextInput
              label="Okta username"
              description="Someone who should have dbt, ideally not in dbt yet."
              placeholder="ada@acme.com"
              value={login}
              onChange={(e) => {
                setLogin(e.currentTarget.value);
                setErrors((x) => ({ ...x, login: undefined }));
              }}
              error={errors.login}
              autoComplete="off"
              spellCheck={false}
              maxLength={100}
            />
            <Select
              label="License type"
              placeholder="Choose a license type"
              data={LICENSE_OPTIONS.map((o) => ({ value: o.value, label: o.label }))}
              value={license}
              onChange={(v) => {
                setLicense(isLicenseType(v) ? v : null);
                setErrors((x) => ({ ...x, license: undefined }));
              }}
              error={errors.license}
              allowDeselect={false}
            />
            <Group gap="sm">
              <Button
                type="submit"
                variant={test?.phase === 'verified' ? 'default' : 'filled'}
                loading={busy}
                disabled={waiting !== undefined}
                leftSection={<IconUserPlus size={16} aria-hidden />}
              >
                Test with this user
              </Button>
            </Group>
          </Stack>
        </form>
        <LiveRegion>
          {busy && (
            <BusyLine
              text={`Testing ${view.testedUser ?? 'the user'}: assignment in Okta, push to dbt, read back…`}
            />
          )}
          {!busy && test?.phase === 'verified' && (
            <Text size="sm" fw={500}>
              {view.testedUser ?? 'The user'} went from Okta to dbt.
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
              if (view.testedUser && license) {
                void testUser(profile.id, view.testedUser, license);
              }
            }}
          />
        )}
        {test?.phase === 'failed' && test.error && (
          <ErrorCallout title="The test did not complete" error={test.error} />
        )}
        {test && test.checks.length > 0 && (
          <CheckList checks={test.checks} label="Stages of the test" />
        )}
      </Stack>
    </section>
  );
}
