import { Button, Checkbox, Group, Radio, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconAlertTriangle, IconCheck, IconCircleCheck, IconSearch } from '@tabler/icons-react';
import { useEffect, useState, type SyntheticEvent } from 'react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import { useOktaStore, useOktaView, type OktaApp } from '../../store/okta.js';
import { dateTime } from '../../util/time.js';
import { SCIM_FEATURE, waitingFor } from './OktaCommon.js';

const SIGN_ON_MODES: Readonly<Record<string, string>> = {
  SAML_2_0: 'SAML 2.0',
  SAML_1_1: 'SAML 1.1',
  OPENID_CONNECT: 'OpenID Connect',
  BOOKMARK: 'Bookmark',
  BROWSER_PLUGIN: 'Secure Web Authentication',
  AUTO_LOGIN: 'Secure Web Authentication',
  WS_FEDERATION: 'WS-Federation',
};

const STATUSES: Readonly<Record<string, string>> = { ACTIVE: 'Active', INACTIVE: 'Inactive' };

function chosenApp(profile: ProfileDto, apps: readonly OktaApp[] | undefined): OktaApp | undefined {
  const id = profile.okta?.appId;
  return id ? apps?.find((a) => a.id === id) : undefined;
}

function appStatus(
  profile: ProfileDto,
  app: OktaApp | undefined,
): { status: StepStatus; text: string } {
  if (!profile.okta?.appId) {
    return { status: 'not_started', text: 'Not chosen yet' };
  }
  if (app && app.userNameFormat !== 'email') {
    return profile.okta.userNameChangeConfirmedAt && !app.features.includes(SCIM_FEATURE)
      ? { status: 'in_progress', text: 'Username change confirmed' }
      : { status: 'needs_you', text: 'Username format is not Email' };
  }
  return { status: 'verified', text: `Using ${profile.okta.appLabel ?? profile.okta.appId}` };
}

/**
 * Section 2: find the SAML 2.0 app that signs people in to dbt, choose it, and settle its
 * application username format (SCIM needs Email).
 */
export function AppSection({ profile }: { profile: ProfileDto }) {
  const view = useOktaView(profile.id);
  const findApps = useOktaStore((s) => s.findApps);
  const chooseApp = useOktaStore((s) => s.chooseApp);
  const [query, setQuery] = useState('');
  const [picked, setPicked] = useState<string | null>(null);
  const [invalid, setInvalid] = useState(false);
  const waiting = waitingFor(profile, view, 'signIn');
  const signedIn = waiting === undefined;
  const apps = view.apps?.apps;
  const app = chosenApp(profile, apps);
  const { status, text } = appStatus(profile, app);
  const selected = picked ?? profile.okta?.appId ?? view.apps?.chosenId ?? null;
  const searching = view.busy.apps !== undefined;
  const choosing = view.busy.choose !== undefined;

  // Once signed in, list the apps (an empty search lists them all).
  const loaded = view.apps !== null || view.errors.apps !== undefined || searching;
  useEffect(() => {
    if (signedIn && !loaded) {
      void findApps(profile.id, '');
    }
  }, [signedIn, loaded, findApps, profile.id]);

  function onSearch(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    void findApps(profile.id, query);
  }

  function onChoose(): void {
    const candidate = apps?.find((a) => a.id === selected);
    if (!candidate || candidate.unsuitable) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    void chooseApp(profile.id, candidate.id).then((ok) => {
      if (ok) {
        setPicked(null);
      }
    });
  }

  return (
    <section aria-labelledby="okta-app">
      <SectionHeading id="okta-app" title="2. The dbt SSO app" status={status} statusText={text} />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          SCIM is added to the SAML 2.0 app that already signs people in to dbt, so dbt keeps one
          app for sign-in and provisioning. Find it by its label.
        </Text>
        {waiting ? (
          <Text size="sm" c="dimmed">
            {waiting}
          </Text>
        ) : (
          <>
            <form noValidate onSubmit={onSearch} aria-label="Find the dbt SSO app">
              <Group gap="sm" align="flex-end">
                <TextInput
                  label="App label"
                  description="The start of the app’s label, for example dbt. Empty lists every app."
                  value={query}
                  onChange={(e) => {
                    setQuery(e.currentTarget.value);
                  }}
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={100}
                  w={320}
                />
                <Button
                  type="submit"
                  variant="default"
                  loading={searching}
                  leftSection={<IconSearch size={16} aria-hidden />}
                >
                  Search
                </Button>
              </Group>
            </form>
            <LiveRegion>
              {searching && <BusyLine text="Reading the apps in your Okta org…" />}
              {!searching && apps && (
                <Text size="sm">
                  {apps.length === 0
                    ? 'No app has a label that starts like this.'
                    : `${apps.length} ${apps.length === 1 ? 'app' : 'apps'} found.`}
                </Text>
              )}
              {choosing && <BusyLine text="Saving the app in this profile…" />}
            </LiveRegion>
            {view.errors.apps && (
              <ErrorCallout
                title="Could not list the Okta apps"
                error={view.errors.apps}
                onRetry={() => void findApps(profile.id, query)}
              />
            )}
            {apps && apps.length > 0 && (
              <Stack gap="sm">
                <Radio.Group
                  value={selected}
                  onChange={(v) => {
                    setPicked(v);
                    setInvalid(false);
                  }}
                  label="Apps in your Okta org"
                  name="okta-app"
                  error={invalid ? 'Choose a SAML 2.0 app that is active.' : undefined}
                >
                  <Stack gap="xs" mt={6}>
                    {apps.map((a) => (
                      <AppCard key={a.id} app={a} />
                    ))}
                  </Stack>
                </Radio.Group>
                <Group gap="sm">
                  <Button
                    onClick={onChoose}
                    loading={choosing}
                    disabled={selected === null || selected === profile.okta?.appId}
                    leftSection={<IconCheck size={16} aria-hidden />}
                  >
                    Use this app
                  </Button>
                  {profile.okta?.appLabel && (
                    <Text size="sm" c="dimmed">
                      This profile uses “{profile.okta.appLabel}”.
                    </Text>
                  )}
                </Group>
              </Stack>
            )}
            {view.errors.choose && (
              <ErrorCallout
                title="The app was not saved"
                error={view.errors.choose}
                onRetry={onChoose}
              />
            )}
            {app && <UserNameFormat profile={profile} app={app} />}
          </>
        )}
      </Stack>
    </section>
  );
}

/** One app to choose: label, id, sign-on mode, status; an unsuitable one says why and is disabled. */
function AppCard({ app }: { app: OktaApp }) {
  const mode = SIGN_ON_MODES[app.signOnMode] ?? app.signOnMode;
  const state = STATUSES[app.status] ?? app.status;
  const factsId = `okta-app-${app.id}-facts`;
  const reasonId = `okta-app-${app.id}-reason`;
  return (
    <Radio.Card
      value={app.id}
      p="sm"
      disabled={app.unsuitable !== undefined}
      aria-label={app.label}
      aria-describedby={app.unsuitable ? `${factsId} ${reasonId}` : factsId}
      style={app.unsuitable ? { opacity: 0.75, cursor: 'not-allowed' } : undefined}
    >
      <Group gap="sm" wrap="nowrap" align="flex-start">
        <Radio.Indicator mt={2} disabled={app.unsuitable !== undefined} />
        <Stack gap={2}>
          <Text size="sm" fw={600}>
            {app.label}
          </Text>
          <Text size="sm" c="dimmed" className="tabular" id={factsId}>
            {app.id} · {mode} · {state}
          </Text>
          {app.unsuitable && (
            <Text size="sm" c="dimmed" id={reasonId}>
              Cannot be used: {app.unsuitable}
            </Text>
          )}
        </Stack>
      </Group>
    </Radio.Card>
  );
}

/** The username the app sends, and what to do when it is not the email address. */
function UserNameFormat({ profile, app }: { profile: ProfileDto; app: OktaApp }) {
  if (app.userNameFormat === 'email') {
    return (
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <IconCircleCheck
          size={18}
          aria-hidden
          style={{ color: 'var(--mantine-color-teal-text)', flex: 'none', marginTop: 2 }}
        />
        <Text size="sm">
          “{app.label}” sends the email address as the application username, which is what dbt’s
          SCIM needs.
        </Text>
      </Group>
    );
  }
  return <UserNameConflict profile={profile} app={app} />;
}

/** The username format is not Email: why that matters, and the one safe moment to change it. */
function UserNameConflict({ profile, app }: { profile: ProfileDto; app: OktaApp }) {
  const view = useOktaView(profile.id);
  const confirm = useOktaStore((s) => s.confirmUserNameChange);
  const [understood, setUnderstood] = useState(false);
  const scimOn = app.features.includes(SCIM_FEATURE);
  const confirmedAt = profile.okta?.userNameChangeConfirmedAt;
  const busy = view.busy.confirm !== undefined;
  const current =
    app.userNameFormat === 'okta_id'
      ? 'the Okta user id (as dbt’s SSO guide sets it up)'
      : `“${app.userNameTemplate ?? 'a custom expression'}”`;

  return (
    <Stack gap="sm" className="calm-note" p="md" role="group" aria-labelledby="okta-username-title">
      <Group gap="xs" wrap="nowrap" align="flex-start">
        <IconAlertTriangle
          size={18}
          aria-hidden
          style={{ color: 'var(--mantine-color-orange-text)', flex: 'none', marginTop: 3 }}
        />
        <Title order={3} id="okta-username-title">
          The application username format is not Email
        </Title>
      </Group>
      <Text size="sm">
        “{app.label}” sends {current} as the application username (“Sign On” tab, “Application
        username format”).
      </Text>
      <ul className="permission-list" aria-label="Why the username format matters">
        <li>
          <Text size="sm">
            dbt’s SCIM needs Email: dbt matches the people Okta pushes by their userName, which must
            be their email address.
          </Text>
        </li>
        <li>
          <Text size="sm">
            Changing it also changes the SAML subject (NameID) that dbt single sign-on users arrive
            with. Check with dbt how your existing SSO users are matched before you change it on an
            app in use.
          </Text>
        </li>
        <li>
          <Text size="sm">
            It can be changed safely only before SCIM is on. Afterwards, change it only in the Okta
            Admin Console: the full app update the wizard would send can reset the app’s
            provisioning settings.
          </Text>
        </li>
      </ul>

      {scimOn ? (
        <Text size="sm" fw={500}>
          SCIM provisioning is already on for this app, so the wizard will not change the format. In
          the Okta Admin Console, open the app’s “Sign On” tab, choose “Edit” under “Settings”, set
          “Application username format” to “Email” and save.
        </Text>
      ) : confirmedAt ? (
        <Stack gap="xs" align="flex-start">
          <Text size="sm" fw={500}>
            You confirmed the change to Email {dateTime(confirmedAt)}. It is in the plan: review and
            apply it (section 4) before you tick “Enable SCIM provisioning” (section 3).
          </Text>
          <Button
            size="xs"
            variant="default"
            loading={busy}
            onClick={() => void confirm(profile.id, false)}
          >
            Withdraw the confirmation
          </Button>
        </Stack>
      ) : (
        <Stack gap="xs" align="flex-start">
          <Checkbox
            label="I understand that dbt SSO users will arrive with their email address as the SAML subject from now on"
            checked={understood}
            disabled={busy}
            onChange={(e) => {
              setUnderstood(e.currentTarget.checked);
            }}
          />
          <Button
            variant="default"
            disabled={!understood}
            loading={busy}
            onClick={() => void confirm(profile.id, true)}
          >
            Change the username format to Email
          </Button>
          <Text size="xs" c="dimmed">
            This only adds the change to the plan in section 4; nothing changes in Okta until you
            apply it.
          </Text>
        </Stack>
      )}
      {view.errors.confirm && (
        <ErrorCallout
          title="The confirmation was not saved"
          error={view.errors.confirm}
          onRetry={() => void confirm(profile.id, !confirmedAt)}
        />
      )}
    </Stack>
  );
}
