import { Alert, Box, Button, Checkbox, Collapse, Group, Stack, Text } from '@mantine/core';
import {
  IconAlertTriangle,
  IconBrowser,
  IconChevronDown,
  IconChevronRight,
  IconDeviceMobile,
  IconKey,
  IconLogout,
  IconUserCheck,
} from '@tabler/icons-react';
import { useState, type SyntheticEvent } from 'react';
import type { SignInState } from '../../api/client.js';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { CopyValue } from '../../components/CopyValue.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { ExternalLink } from '../../components/ExternalLink.js';
import { SecretInput, useSecretInput } from '../../components/SecretInput.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import { useOpenExternal } from '../../components/useOpenExternal.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import { useEntraStore, useEntraView, type EntraView } from '../../store/entra.js';
import { ADMIN_CONSENT_HELP, VIA_TEXT } from './texts.js';

function signInStatus(view: EntraView): { status: StepStatus; text: string } {
  const account = view.account;
  if (view.busy.signIn === 'wait' || view.busy.device === 'wait') {
    return { status: 'in_progress', text: 'Waiting for you' };
  }
  if (account?.signedIn) {
    return account.missingScopes.length > 0
      ? { status: 'needs_you', text: 'Signed in, permissions missing' }
      : { status: 'verified', text: 'Signed in' };
  }
  if (account === null) {
    return { status: 'not_started', text: 'Checking…' };
  }
  return { status: 'not_started', text: 'Not signed in' };
}

function minutes(seconds: number): string {
  const m = Math.max(1, Math.round(seconds / 60));
  return `${m} ${m === 1 ? 'minute' : 'minutes'}`;
}

/** Section 2: the browser (primary), a device code, or a pasted access token; who is signed in. */
export function SignInSection({ profile }: { profile: ProfileDto }) {
  const view = useEntraView(profile.id);
  const loadAccount = useEntraStore((s) => s.loadAccount);
  const signIn = useEntraStore((s) => s.signIn);
  const deviceCode = useEntraStore((s) => s.deviceCode);
  const signOut = useEntraStore((s) => s.signOut);
  const clearError = useEntraStore((s) => s.clearError);
  const link = useOpenExternal();
  const [testScopes, setTestScopes] = useState(true);
  const account = view.account;
  const { status, text } = signInStatus(view);
  const saved = profile.entra !== undefined;
  const hasClient = Boolean(profile.entra?.clientId);
  const waitingBrowser = view.busy.signIn === 'wait';
  const device = view.device;
  const deviceBusy = view.busy.device;
  const anyBusy = waitingBrowser || deviceBusy !== undefined || view.busy.token !== undefined;
  const noClientReason = !saved
    ? 'Save the tenant settings first.'
    : !hasClient
      ? 'Enter the Application (client) ID in section 1 first, or use a pasted access token below.'
      : undefined;

  return (
    <section aria-labelledby="entra-signin">
      <SectionHeading
        id="entra-signin"
        title="2. Sign in to Microsoft"
        status={status}
        statusText={text}
      />
      <Stack gap="md" maw={720}>
        {view.errors.account && (
          <ErrorCallout
            title="Could not read the Microsoft sign-in"
            error={view.errors.account}
            onRetry={() => void loadAccount(profile.id)}
          />
        )}

        {account?.signedIn ? (
          <SignedIn
            profile={profile}
            account={account}
            onSignOut={() => void signOut(profile.id)}
          />
        ) : (
          <>
            <Text size="sm">
              Sign in with an account that holds the Application Administrator or Cloud Application
              Administrator role. Microsoft’s sign-in page opens in your browser; the wizard never
              sees your password.
            </Text>
            <Checkbox
              label="Also ask for the permissions to test with one user"
              description="AppRoleAssignment.ReadWrite.All and User.ReadBasic.All, used only in section 4."
              checked={testScopes}
              disabled={anyBusy}
              onChange={(e) => {
                setTestScopes(e.currentTarget.checked);
              }}
            />
            <Group gap="sm">
              <Button
                leftSection={<IconBrowser size={16} aria-hidden />}
                disabled={noClientReason !== undefined || anyBusy}
                onClick={() => void signIn(profile.id, testScopes)}
              >
                Sign in with your browser
              </Button>
              <Button
                variant="default"
                leftSection={<IconDeviceMobile size={16} aria-hidden />}
                disabled={noClientReason !== undefined || anyBusy}
                onClick={() => void deviceCode(profile.id, testScopes)}
              >
                Use a device code instead
              </Button>
            </Group>
            {noClientReason && (
              <Text size="sm" c="dimmed">
                {noClientReason}
              </Text>
            )}
          </>
        )}

        <LiveRegion>
          {waitingBrowser && (
            <Stack gap={2}>
              <BusyLine text="Waiting for you to finish signing in in your browser…" />
              <Text size="xs" c="dimmed" ml={22}>
                Finish in the browser window that opened; the wizard continues by itself.
              </Text>
            </Stack>
          )}
          {deviceBusy === 'run' && <BusyLine text="Asking Microsoft for a device code…" />}
        </LiveRegion>

        {device && (
          <Box className="device-code" p="md">
            <Stack gap="sm">
              <Text size="sm">
                On this computer or another device, open the page below, enter the code and sign in
                with your administrator account.
              </Text>
              <div>
                <ExternalLink url={device.verificationUri} onOpen={link.open}>
                  Open {device.verificationUri}
                </ExternalLink>
              </div>
              <CopyValue label="Code" value={device.userCode} large maw={360} />
              <Text size="xs" c="dimmed">
                The code expires in about {minutes(device.expiresInSeconds)}.
              </Text>
              <LiveRegion>
                {deviceBusy === 'wait' && (
                  <BusyLine text="Waiting for you to enter the code and sign in…" />
                )}
              </LiveRegion>
            </Stack>
          </Box>
        )}
        {link.error && (
          <ErrorCallout title="The link was not opened" error={link.error} onDismiss={link.clear} />
        )}

        {view.errors.signIn && (
          <ErrorCallout
            title="The sign-in did not complete"
            error={view.errors.signIn}
            onRetry={() => void signIn(profile.id, testScopes)}
            onDismiss={() => {
              clearError(profile.id, 'signIn');
            }}
          />
        )}
        {view.errors.device && (
          <ErrorCallout
            title="The device-code sign-in did not complete"
            error={view.errors.device}
            onRetry={() => void deviceCode(profile.id, testScopes)}
            onDismiss={() => {
              clearError(profile.id, 'device');
            }}
          />
        )}
        {view.errors.signOut && (
          <ErrorCallout
            title="Could not sign out"
            error={view.errors.signOut}
            onDismiss={() => {
              clearError(profile.id, 'signOut');
            }}
          />
        )}

        {!account?.signedIn && <OtherWays profile={profile} disabled={anyBusy} />}
      </Stack>
    </section>
  );
}

function SignedIn({
  profile,
  account,
  onSignOut,
}: {
  profile: ProfileDto;
  account: SignInState;
  onSignOut: () => void;
}) {
  const view = useEntraView(profile.id);
  const who = account.username ?? 'an account without a user name';
  const why = (scope: string): string | undefined =>
    account.registration.permissions.find((p) => p.scope.toLowerCase() === scope.toLowerCase())
      ?.why;

  return (
    <Stack gap="sm">
      <Group gap="sm" wrap="nowrap" align="flex-start">
        <IconUserCheck
          size={20}
          aria-hidden
          style={{ color: 'var(--mantine-color-teal-text)', flex: 'none', marginTop: 2 }}
        />
        <Stack gap={2}>
          <Text size="sm" fw={600} data-testid="entra-signed-in">
            Signed in as {who}
            {account.tenantId ? ` (tenant ${account.tenantId})` : ''}
          </Text>
          {account.via && (
            <Text size="sm" c="dimmed">
              {VIA_TEXT[account.via]}
            </Text>
          )}
        </Stack>
      </Group>
      <Group gap="sm">
        <Button
          variant="default"
          leftSection={<IconLogout size={16} aria-hidden />}
          loading={view.busy.signOut !== undefined}
          onClick={onSignOut}
        >
          Sign out
        </Button>
      </Group>
      {account.missingScopes.length > 0 && (
        <Alert
          variant="light"
          color="orange"
          icon={<IconAlertTriangle aria-hidden />}
          title="Some Microsoft Graph permissions are missing"
        >
          <Stack gap="xs">
            <Text size="sm">
              The sign-in does not carry these permissions, so the wizard cannot set up the app yet:
            </Text>
            <ul className="permission-list" aria-label="Missing permissions">
              {account.missingScopes.map((scope) => (
                <li key={scope}>
                  <Text size="sm" component="span" ff="monospace" fw={600}>
                    {scope}
                  </Text>
                  {why(scope) && (
                    <Text size="sm" component="span">
                      {' '}
                      to {why(scope)}.
                    </Text>
                  )}
                </li>
              ))}
            </ul>
            <Text size="sm">
              {account.via === 'token'
                ? 'Get an access token that carries them, or sign in with your browser once an administrator granted them. '
                : ''}
              {ADMIN_CONSENT_HELP}
            </Text>
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}

/** "Other ways to sign in": an access token from elsewhere, kept in memory only. */
function OtherWays({ profile, disabled }: { profile: ProfileDto; disabled: boolean }) {
  const view = useEntraView(profile.id);
  const pasteToken = useEntraStore((s) => s.useToken);
  const clearError = useEntraStore((s) => s.clearError);
  const field = useSecretInput();
  const [open, setOpen] = useState(false);
  const [empty, setEmpty] = useState(false);
  const busy = view.busy.token !== undefined;
  const error = view.errors.token;
  const inline = error?.code === 'bad_input' ? error.message : undefined;

  async function submit(): Promise<void> {
    const value = field.read();
    // The field never keeps the token, whatever the engine answers.
    field.clear();
    if (value.trim() === '') {
      setEmpty(true);
      return;
    }
    setEmpty(false);
    await pasteToken(profile.id, value);
  }

  function onSubmit(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    void submit();
  }

  return (
    <div>
      <Button
        variant="subtle"
        size="compact-sm"
        px={4}
        leftSection={
          open ? (
            <IconChevronDown size={16} aria-hidden />
          ) : (
            <IconChevronRight size={16} aria-hidden />
          )
        }
        aria-expanded={open}
        aria-controls="entra-other-ways"
        onClick={() => {
          setOpen(!open);
        }}
      >
        Other ways to sign in
      </Button>
      <Collapse expanded={open} transitionDuration={0} id="entra-other-ways">
        <form noValidate onSubmit={onSubmit} aria-label="Use an access token">
          <Stack gap="sm" mt="sm" maw={560}>
            <Text size="sm">
              Paste a Microsoft Graph access token from another tool, for example the Azure CLI’s
              “az account get-access-token --resource-type ms-graph”.
            </Text>
            <Group gap="sm" wrap="nowrap" align="flex-start" className="calm-note" p="sm">
              <IconAlertTriangle
                size={18}
                aria-hidden
                style={{ color: 'var(--mantine-color-orange-text)', flex: 'none', marginTop: 2 }}
              />
              <Text size="sm">
                <Text component="span" size="sm" fw={600}>
                  Kept in memory only.
                </Text>{' '}
                The token is not saved: it is forgotten when the app closes, and it expires about an
                hour after it was issued. Then paste a new one or sign in with your browser.
              </Text>
            </Group>
            <SecretInput
              inputRef={field.ref}
              label="Microsoft Graph access token"
              error={empty ? 'Paste the access token.' : inline}
              onInput={() => {
                setEmpty(false);
                if (inline) {
                  clearError(profile.id, 'token');
                }
              }}
            />
            <Group gap="sm">
              <Button
                type="submit"
                variant="default"
                loading={busy}
                disabled={disabled && !busy}
                leftSection={<IconKey size={16} aria-hidden />}
              >
                Use this token
              </Button>
            </Group>
            <LiveRegion>{busy && <BusyLine text="Reading the access token…" />}</LiveRegion>
            {error && !inline && (
              <ErrorCallout
                title="The access token was not used"
                error={error}
                onDismiss={() => {
                  clearError(profile.id, 'token');
                }}
              />
            )}
          </Stack>
        </form>
      </Collapse>
    </div>
  );
}
