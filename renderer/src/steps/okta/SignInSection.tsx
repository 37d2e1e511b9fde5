import { Alert, Button, Collapse, Group, Radio, Stack, Text, TextInput } from '@mantine/core';
import {
  IconAlertTriangle,
  IconBrowser,
  IconChevronDown,
  IconChevronRight,
  IconKey,
  IconLogout,
  IconUserCheck,
} from '@tabler/icons-react';
import { useState, type SyntheticEvent } from 'react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { CopyIconButton, CopyValue } from '../../components/CopyValue.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { InfoLines } from '../../components/InfoLines.js';
import { SecretInput, useSecretInput } from '../../components/SecretInput.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import {
  useOktaStore,
  useOktaView,
  type OktaConnectInput,
  type OktaSignInMethod,
  type OktaSignInState,
  type OktaView,
} from '../../store/okta.js';
import { dateTime } from '../../util/time.js';
import { METHOD_NAMES, METHODS, TOKEN_WARNINGS } from './OktaCommon.js';

function signInStatus(view: OktaView): { status: StepStatus; text: string } {
  const account = view.account;
  if (view.busy.signIn === 'wait') {
    return { status: 'in_progress', text: 'Waiting for you' };
  }
  if (account?.signedIn) {
    if (account.missingScopes.length > 0) {
      return { status: 'needs_you', text: 'Signed in, scopes missing' };
    }
    if (account.roleVerdict !== 'ok') {
      return { status: 'needs_you', text: 'Signed in, check your role' };
    }
    return { status: 'verified', text: 'Signed in' };
  }
  if (account === null && view.busy.account !== undefined) {
    return { status: 'not_started', text: 'Checking…' };
  }
  return { status: 'not_started', text: 'Not signed in' };
}

function isMethod(value: string): value is OktaSignInMethod {
  return METHODS.some((m) => m.value === value);
}

type Field = 'orgUrl' | 'clientId' | 'secret';

/** Which field a refused `okta:connect` is about, by its words. */
function fieldOf(message: string): Field | undefined {
  if (/org|URL|host/i.test(message)) {
    return 'orgUrl';
  }
  if (/client/i.test(message)) {
    return 'clientId';
  }
  return undefined;
}

/**
 * Section 1: the Okta org, how the wizard signs in (the admin's own account first), and who is
 * signed in with which scopes and role.
 */
export function SignInSection({ profile }: { profile: ProfileDto }) {
  const view = useOktaView(profile.id);
  const loadAccount = useOktaStore((s) => s.loadAccount);
  const signOut = useOktaStore((s) => s.signOut);
  const clearError = useOktaStore((s) => s.clearError);
  const account = view.account;
  const { status, text } = signInStatus(view);

  return (
    <section aria-labelledby="okta-signin">
      <SectionHeading
        id="okta-signin"
        title="1. Connect and sign in"
        status={status}
        statusText={text}
      />
      <Stack gap="md" maw={720}>
        {view.errors.account && profile.okta && (
          <ErrorCallout
            title="Could not read the Okta sign-in"
            error={view.errors.account}
            onRetry={() => void loadAccount(profile.id)}
          />
        )}
        {account?.signedIn ? (
          <SignedIn profile={profile} account={account} />
        ) : (
          <ConnectForm key={profile.okta?.orgUrl ?? ''} profile={profile} />
        )}
        <InfoLines lines={view.connectWarnings} label="Notes about the Okta org" />
        {view.errors.signOut && (
          <ErrorCallout
            title="Could not sign out"
            error={view.errors.signOut}
            onRetry={() => void signOut(profile.id)}
            onDismiss={() => {
              clearError(profile.id, 'signOut');
            }}
          />
        )}
      </Stack>
    </section>
  );
}

/** The org URL, the sign-in method, and what that method needs; one button signs in. */
function ConnectForm({ profile }: { profile: ProfileDto }) {
  const view = useOktaView(profile.id);
  const signIn = useOktaStore((s) => s.signIn);
  const sendServiceKey = useOktaStore((s) => s.useServiceKey);
  const sendToken = useOktaStore((s) => s.useToken);
  const clearError = useOktaStore((s) => s.clearError);
  const okta = profile.okta;
  const [orgUrl, setOrgUrl] = useState(okta?.orgUrl ?? '');
  const [method, setMethod] = useState<OktaSignInMethod>(okta?.signIn?.method ?? 'pkce');
  const [clientId, setClientId] = useState(okta?.signIn?.clientId ?? '');
  const [keyId, setKeyId] = useState(okta?.signIn?.keyId ?? '');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [guideOpen, setGuideOpen] = useState(false);
  const secret = useSecretInput();
  const connectError = view.errors.connect;
  const connectField =
    connectError?.code === 'bad_input' ? fieldOf(connectError.message) : undefined;
  const methodKey = method === 'pkce' ? 'signIn' : method === 'service' ? 'serviceKey' : 'token';
  const methodError = view.errors[methodKey];
  const secretInline =
    method !== 'pkce' && methodError?.code === 'bad_input' ? methodError.message : undefined;
  const waiting = view.busy.signIn === 'wait';
  const busy =
    view.busy.connect !== undefined ||
    waiting ||
    view.busy.serviceKey !== undefined ||
    view.busy.token !== undefined;

  function edited(field?: Field): void {
    if (field) {
      setErrors((e) => ({ ...e, [field]: undefined }));
    }
    if (connectField) {
      clearError(profile.id, 'connect');
    }
  }

  async function submit(): Promise<void> {
    // Read the secret once and clear the field at once, whatever happens next.
    const pasted = method === 'pkce' ? '' : secret.read();
    secret.clear();
    const found: Partial<Record<Field, string>> = {};
    if (orgUrl.trim() === '') {
      found.orgUrl = 'Enter your Okta org URL, for example https://acme.okta.com.';
    }
    if (method !== 'token' && clientId.trim() === '') {
      found.clientId =
        method === 'pkce'
          ? 'Enter the Client ID of the Native app (see the registration guide below).'
          : 'Enter the Client ID of the service app.';
    }
    if (method === 'service' && pasted.trim() === '') {
      found.secret = 'Paste the private key (PEM or JWK).';
    }
    if (method === 'token' && pasted.trim() === '') {
      found.secret = 'Paste the API token.';
    }
    setErrors(found);
    if (Object.keys(found).length > 0) {
      return;
    }
    const input: OktaConnectInput = { orgUrl, method, clientId, keyId };
    if (method === 'pkce') {
      await signIn(profile.id, input);
    } else if (method === 'service') {
      await sendServiceKey(profile.id, input, pasted);
    } else {
      await sendToken(profile.id, input, pasted);
    }
  }

  function onSubmit(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    void submit();
  }

  const fieldError = (field: Field): string | undefined =>
    errors[field] ?? (connectField === field ? connectError?.message : undefined);
  const submitLabel =
    method === 'pkce'
      ? 'Sign in with Okta'
      : method === 'service'
        ? 'Sign in with this key'
        : 'Use this token';

  return (
    <form noValidate onSubmit={onSubmit} aria-label="Connect to Okta">
      <Stack gap="md">
        <TextInput
          label="Okta org URL"
          description="The address of your Okta org, for example https://acme.okta.com. The Admin Console address (with -admin) is fine too: the wizard uses the org address behind it."
          placeholder="https://acme.okta.com"
          value={orgUrl}
          onChange={(e) => {
            setOrgUrl(e.currentTarget.value);
            edited('orgUrl');
          }}
          error={fieldError('orgUrl')}
          autoComplete="off"
          spellCheck={false}
          maxLength={2048}
          maw={560}
        />
        <Radio.Group
          value={method}
          onChange={(v) => {
            if (isMethod(v)) {
              setMethod(v);
              setErrors({});
              secret.clear();
            }
          }}
          label="How the wizard signs in to Okta"
          name="okta-sign-in-method"
        >
          <Stack gap="xs" mt={6}>
            {METHODS.map((m) => (
              <Radio.Card
                key={m.value}
                value={m.value}
                p="sm"
                disabled={busy}
                aria-label={m.label}
                aria-describedby={`okta-method-${m.value}-description`}
              >
                <Group gap="sm" wrap="nowrap" align="flex-start">
                  <Radio.Indicator mt={2} />
                  <Stack gap={2}>
                    <Text size="sm" fw={600}>
                      {m.label}
                    </Text>
                    <Text size="sm" c="dimmed" id={`okta-method-${m.value}-description`}>
                      {m.description}
                    </Text>
                  </Stack>
                </Group>
              </Radio.Card>
            ))}
          </Stack>
        </Radio.Group>

        {method === 'pkce' && (
          <Stack gap="sm" maw={560}>
            <TextInput
              label="Client ID of the Native app"
              description="From the Native app’s “General” tab, under “Client Credentials”."
              placeholder="0oa1b2c3d4e5f6g7h8i9"
              value={clientId}
              onChange={(e) => {
                setClientId(e.currentTarget.value);
                edited('clientId');
              }}
              error={fieldError('clientId')}
              autoComplete="off"
              spellCheck={false}
              maxLength={128}
            />
            {view.account && (
              <RegistrationGuide
                registration={view.account.registration}
                open={guideOpen}
                onToggle={() => {
                  setGuideOpen(!guideOpen);
                }}
              />
            )}
          </Stack>
        )}

        {method === 'service' && (
          <Stack gap="sm" maw={560}>
            <TextInput
              label="Client ID of the service app"
              value={clientId}
              onChange={(e) => {
                setClientId(e.currentTarget.value);
                edited('clientId');
              }}
              error={fieldError('clientId')}
              autoComplete="off"
              spellCheck={false}
              maxLength={128}
            />
            <TextInput
              label="Key ID (kid)"
              description="Optional: the ID of the public key in the app’s “Public Keys” list, when it has more than one."
              value={keyId}
              onChange={(e) => {
                setKeyId(e.currentTarget.value);
                edited();
              }}
              autoComplete="off"
              spellCheck={false}
              maxLength={128}
            />
            <SecretInput
              inputRef={secret.ref}
              label="Private key"
              description="The private key (PEM or JWK) that belongs to the public key registered on the app. It goes to the wizard’s engine once and is never shown again."
              error={errors.secret ?? secretInline}
              onInput={() => {
                setErrors((e) => ({ ...e, secret: undefined }));
                if (secretInline) {
                  clearError(profile.id, 'serviceKey');
                }
              }}
            />
          </Stack>
        )}

        {method === 'token' && (
          <Stack gap="sm" maw={560}>
            <ul
              className="info-lines calm-note"
              aria-label="Before you paste an API token"
              style={{ padding: 'var(--mantine-spacing-sm)' }}
            >
              {TOKEN_WARNINGS.map((w) => (
                <li key={w.title} className="info-lines__item">
                  <IconAlertTriangle
                    size={18}
                    aria-hidden
                    style={{
                      color: 'var(--mantine-color-orange-text)',
                      flex: 'none',
                      marginTop: 2,
                    }}
                  />
                  <Text size="sm">
                    <Text component="span" size="sm" fw={600}>
                      {w.title}
                    </Text>{' '}
                    {w.text}
                  </Text>
                </li>
              ))}
            </ul>
            <SecretInput
              inputRef={secret.ref}
              label="Okta API token"
              error={errors.secret ?? secretInline}
              onInput={() => {
                setErrors((e) => ({ ...e, secret: undefined }));
                if (secretInline) {
                  clearError(profile.id, 'token');
                }
              }}
            />
          </Stack>
        )}

        <Group gap="sm">
          <Button
            type="submit"
            loading={busy}
            leftSection={
              method === 'pkce' ? (
                <IconBrowser size={16} aria-hidden />
              ) : (
                <IconKey size={16} aria-hidden />
              )
            }
          >
            {submitLabel}
          </Button>
        </Group>

        <LiveRegion>
          {view.busy.connect !== undefined && <BusyLine text="Saving the Okta org…" />}
          {waiting && (
            <Stack gap={2}>
              <BusyLine text="Waiting for you to finish signing in in your browser…" />
              <Text size="xs" c="dimmed" ml={22}>
                Finish in the browser window that opened; the wizard continues by itself.
              </Text>
            </Stack>
          )}
          {view.busy.serviceKey !== undefined && (
            <BusyLine text="Getting an access token for the service app…" />
          )}
          {view.busy.token !== undefined && <BusyLine text="Reading the API token…" />}
        </LiveRegion>

        {connectError && !connectField && (
          <ErrorCallout
            title="The Okta org was not saved"
            error={connectError}
            onRetry={() => void submit()}
            onDismiss={() => {
              clearError(profile.id, 'connect');
            }}
          />
        )}
        {methodError && !secretInline && (
          <ErrorCallout
            title="The sign-in did not complete"
            error={methodError}
            {...(method === 'pkce' ? { onRetry: () => void submit() } : {})}
            onDismiss={() => {
              clearError(profile.id, methodKey);
            }}
          />
        )}
      </Stack>
    </form>
  );
}

/**
 * "How to register the wizard in Okta", collapsed by default: the engine's steps in the Admin
 * Console's words, the redirect URI to copy, and why each scope is asked for.
 */
function RegistrationGuide({
  registration,
  open,
  onToggle,
}: {
  registration: OktaSignInState['registration'];
  open: boolean;
  onToggle: () => void;
}) {
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
        aria-controls="okta-registration"
        onClick={onToggle}
      >
        How to register the wizard’s Native app in Okta (once per org)
      </Button>
      <Collapse expanded={open} transitionDuration={0} id="okta-registration">
        <Stack gap="md" mt="sm" className="registration-guide">
          <ol className="console-steps registration-guide__steps">
            {registration.steps.map((s) => (
              <li key={s.title}>
                <Text size="sm" fw={600}>
                  {s.title}
                </Text>
                <Text size="sm">{s.detail}</Text>
              </li>
            ))}
          </ol>
          <CopyValue label="Sign-in redirect URI" value={registration.redirectUri} maw={560} />
          <Stack gap={4}>
            <Text size="sm" fw={600} id="okta-registration-scopes">
              Okta API scopes to grant
            </Text>
            <ul className="permission-list" aria-labelledby="okta-registration-scopes">
              {registration.scopes.map((s) => (
                <li key={s.scope} className="permission-list__row">
                  <Text size="sm" component="span" ff="monospace" fw={600}>
                    {s.scope}
                  </Text>
                  <CopyIconButton value={s.scope} label={`Copy ${s.scope}`} />
                  <Text size="sm" c="dimmed" className="permission-list__why">
                    To {s.why}.
                  </Text>
                </li>
              ))}
            </ul>
          </Stack>
        </Stack>
      </Collapse>
    </div>
  );
}

/** Where to grant a missing scope, for the way the wizard signed in. */
function grantHelp(method: OktaSignInMethod | null): string {
  if (method === 'token') {
    return 'An API token carries the rights of the administrator who created it: ask a Super Administrator for the missing rights, or create the token as one.';
  }
  const app = method === 'service' ? 'the service app' : 'the wizard’s Native app';
  return `A Super Administrator opens Applications › Applications › ${app} › “Okta API Scopes” and chooses “Grant” next to each. Then sign out here and sign in again.`;
}

/** Who is signed in, with what, until when; what is missing and why; Sign out. */
function SignedIn({ profile, account }: { profile: ProfileDto; account: OktaSignInState }) {
  const view = useOktaView(profile.id);
  const signOut = useOktaStore((s) => s.signOut);
  const why = (scope: string): string | undefined =>
    account.registration.scopes.find((s) => s.scope === scope)?.why;

  return (
    <Stack gap="sm">
      <Group gap="sm" wrap="nowrap" align="flex-start">
        <IconUserCheck
          size={20}
          aria-hidden
          style={{ color: 'var(--mantine-color-teal-text)', flex: 'none', marginTop: 2 }}
        />
        <Text size="sm" fw={600} data-testid="okta-signed-in">
          Signed in as {account.subject ?? 'an unnamed principal'}
        </Text>
      </Group>
      <dl className="facts" aria-label="Okta sign-in">
        <dt>Okta org</dt>
        <dd>{profile.okta?.orgUrl ?? '—'}</dd>
        <dt>Method</dt>
        <dd>{account.method ? METHOD_NAMES[account.method] : '—'}</dd>
        {account.expiresAt && (
          <>
            <dt>Expires</dt>
            <dd>{dateTime(account.expiresAt)}</dd>
          </>
        )}
        <dt>Granted scopes</dt>
        <dd>
          {account.grantedScopes.length > 0 ? (
            <Text size="sm" ff="monospace" component="span">
              {account.grantedScopes.join(', ')}
            </Text>
          ) : (
            'None listed'
          )}
        </dd>
        {account.roles.length > 0 && (
          <>
            <dt>Admin roles</dt>
            <dd>{account.roles.join(', ')}</dd>
          </>
        )}
      </dl>
      {account.roleVerdict === 'ok' && account.roleMessage && (
        <Text size="sm">{account.roleMessage}</Text>
      )}
      <Group gap="sm">
        <Button
          variant="default"
          leftSection={<IconLogout size={16} aria-hidden />}
          loading={view.busy.signOut !== undefined}
          onClick={() => void signOut(profile.id)}
        >
          Sign out
        </Button>
      </Group>

      {account.missingScopes.length > 0 && (
        <Alert
          variant="light"
          color="orange"
          icon={<IconAlertTriangle aria-hidden />}
          title="Some Okta API scopes are missing"
        >
          <Stack gap="xs">
            <Text size="sm">The sign-in does not carry these scopes:</Text>
            <ul className="permission-list" aria-label="Missing scopes">
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
            <Text size="sm">{grantHelp(account.method)}</Text>
          </Stack>
        </Alert>
      )}

      {account.roleVerdict !== 'ok' && (
        <Alert
          variant="light"
          color="orange"
          icon={<IconAlertTriangle aria-hidden />}
          title={
            account.roleVerdict === 'insufficient'
              ? 'Your Okta admin role is not enough for every step'
              : 'The wizard could not confirm your Okta admin role'
          }
        >
          <Text size="sm">{account.roleMessage}</Text>
        </Alert>
      )}

      <InfoLines lines={account.warnings} label="Notes about the sign-in" />
    </Stack>
  );
}
