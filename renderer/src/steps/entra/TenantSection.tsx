import { Button, Collapse, Group, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconChevronDown, IconChevronRight, IconDeviceFloppy } from '@tabler/icons-react';
import { useState, type SyntheticEvent } from 'react';
import type { EntraCloud, SignInState } from '../../api/client.js';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { InfoLines } from '../../components/InfoLines.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import type { ProfileDto } from '../../model.js';
import { useEntraStore, useEntraView } from '../../store/entra.js';
import { RegistrationGuide } from './RegistrationGuide.js';
import { CLOUDS, DEFAULT_APP_NAME, GUID, TENANT, TEST_USER_SCOPES } from './texts.js';

type Field = 'appName' | 'clientId' | 'tenant' | 'graphUrl';

/** Which field a refused `entra:connect` / `entra:signInSettings` is about, by its words. */
function fieldOf(message: string): Field | undefined {
  if (/Graph (URL|host)|not a Microsoft Graph host/i.test(message)) {
    return 'graphUrl';
  }
  if (message.startsWith('The Entra app name')) {
    return 'appName';
  }
  if (/clientId|client\) ID/i.test(message)) {
    return 'clientId';
  }
  if (/tenant/i.test(message)) {
    return 'tenant';
  }
  return undefined;
}

/**
 * The engine says "A or B or C. The person who signs in needs…": the second sentence already names
 * the roles and says why, so it is shown alone when there is one.
 */
function rolesNote(signInRoles: string): string {
  const cut = signInRoles.indexOf('. ');
  const note = cut >= 0 ? signInRoles.slice(cut + 2).trim() : '';
  return note !== '' ? note : signInRoles;
}

function isCloud(value: string | null): value is EntraCloud {
  return CLOUDS.some((c) => c.value === value);
}

/**
 * Section 1: the tenant's cloud, the enterprise app's name, and the app registration the wizard
 * signs in with; who may sign in and why each Graph permission is asked.
 */
export function TenantSection({
  profile,
  account,
}: {
  profile: ProfileDto;
  account: SignInState | null;
}) {
  const view = useEntraView(profile.id);
  const saveSettings = useEntraStore((s) => s.saveSettings);
  const clearError = useEntraStore((s) => s.clearError);
  const entra = profile.entra;
  const [cloud, setCloud] = useState<EntraCloud>(entra?.cloud ?? 'global');
  const [appName, setAppName] = useState(entra?.appName ?? DEFAULT_APP_NAME);
  const [clientId, setClientId] = useState(entra?.clientId ?? '');
  const [tenant, setTenant] = useState(
    entra?.tenant && entra.tenant !== 'organizations' ? entra.tenant : '',
  );
  const [graphUrl, setGraphUrl] = useState(entra?.graphUrl ?? '');
  const [advanced, setAdvanced] = useState(Boolean(entra?.graphUrl));
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [justSaved, setJustSaved] = useState(false);
  const busy = view.busy.settings !== undefined;
  const failure = view.errors.settings;
  const failureField = failure?.code === 'bad_input' ? fieldOf(failure.message) : undefined;
  const [guideOpen, setGuideOpen] = useState(false);

  async function save(): Promise<void> {
    setJustSaved(false);
    const found: Partial<Record<Field, string>> = {};
    if (appName.trim() === '') {
      found.appName = `Give the enterprise app a name, for example “${DEFAULT_APP_NAME}”.`;
    }
    if (clientId.trim() !== '' && !GUID.test(clientId.trim())) {
      found.clientId =
        'The Application (client) ID is a GUID such as 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.';
    }
    if (tenant.trim() !== '' && !TENANT.test(tenant.trim())) {
      found.tenant = 'Give the Directory (tenant) ID (a GUID) or a domain such as contoso.com.';
    }
    setErrors(found);
    if (Object.keys(found).length > 0) {
      return;
    }
    if (await saveSettings(profile.id, { cloud, appName, clientId, tenant, graphUrl })) {
      setJustSaved(true);
    }
  }

  function onSubmit(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    void save();
  }

  const fieldError = (field: Field): string | undefined =>
    errors[field] ?? (failureField === field ? failure?.message : undefined);
  const edited = (): void => {
    setJustSaved(false);
    if (failureField) {
      clearError(profile.id, 'settings');
    }
  };
  const advancedOpen = advanced || fieldError('graphUrl') !== undefined;

  // Without a client ID only a pasted token signs in; once signed in, nothing is missing here.
  const complete = Boolean(entra?.clientId) || account?.signedIn === true;
  let statusText = 'Not saved yet';
  if (entra) {
    statusText = complete ? 'Saved' : 'Saved, no client ID yet';
  }

  return (
    <section aria-labelledby="entra-tenant">
      <SectionHeading
        id="entra-tenant"
        title="1. Microsoft Entra tenant"
        status={entra ? (complete ? 'verified' : 'in_progress') : 'not_started'}
        statusText={statusText}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          The wizard creates a dedicated enterprise app for SCIM in your tenant and sets up its
          provisioning through Microsoft Graph. To sign in to Microsoft, it uses an app registration
          in your tenant: a public client you register once (see below).
        </Text>
        <form noValidate onSubmit={onSubmit} aria-label="Tenant settings">
          <Stack gap="sm" maw={560}>
            <Select
              label="Cloud"
              data={CLOUDS.map((c) => ({ value: c.value, label: c.label }))}
              value={cloud}
              allowDeselect={false}
              onChange={(v) => {
                if (isCloud(v)) {
                  setCloud(v);
                  edited();
                }
              }}
            />
            <TextInput
              label="Enterprise app name"
              description="The name of the new app in Enterprise applications. If an app made by the wizard already has this name, the wizard uses it instead of creating another."
              value={appName}
              onChange={(e) => {
                setAppName(e.currentTarget.value);
                edited();
              }}
              error={fieldError('appName')}
              autoComplete="off"
              maxLength={120}
            />
            <TextInput
              label="Application (client) ID"
              description="From the Overview page of the wizard’s app registration. Needed to sign in with your browser or a device code."
              placeholder="00000000-0000-0000-0000-000000000000"
              value={clientId}
              onChange={(e) => {
                setClientId(e.currentTarget.value);
                edited();
              }}
              error={fieldError('clientId')}
              autoComplete="off"
              spellCheck={false}
              maxLength={64}
            />
            <TextInput
              label="Directory (tenant) ID or domain"
              description="Optional. Empty signs in through “organizations”; a single-tenant registration needs its Directory (tenant) ID."
              placeholder="contoso.onmicrosoft.com"
              value={tenant}
              onChange={(e) => {
                setTenant(e.currentTarget.value);
                edited();
              }}
              error={fieldError('tenant')}
              autoComplete="off"
              spellCheck={false}
              maxLength={256}
            />
            <div>
              <Button
                variant="subtle"
                size="compact-sm"
                px={4}
                leftSection={
                  advancedOpen ? (
                    <IconChevronDown size={16} aria-hidden />
                  ) : (
                    <IconChevronRight size={16} aria-hidden />
                  )
                }
                aria-expanded={advancedOpen}
                aria-controls="entra-advanced"
                onClick={() => {
                  setAdvanced(!advancedOpen);
                }}
              >
                Advanced: Graph URL
              </Button>
              <Collapse expanded={advancedOpen} transitionDuration={0} id="entra-advanced">
                <TextInput
                  mt="xs"
                  label="Microsoft Graph URL"
                  description="Only to override the cloud’s Graph root. Empty uses the cloud’s own, for example https://graph.microsoft.com/v1.0."
                  placeholder="https://graph.microsoft.com/v1.0"
                  value={graphUrl}
                  onChange={(e) => {
                    setGraphUrl(e.currentTarget.value);
                    edited();
                  }}
                  error={fieldError('graphUrl')}
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={2048}
                />
              </Collapse>
            </div>
            <Group gap="sm">
              <Button
                type="submit"
                loading={busy}
                leftSection={<IconDeviceFloppy size={16} aria-hidden />}
              >
                Save
              </Button>
            </Group>
            <LiveRegion>
              {busy && <BusyLine text="Saving the tenant settings…" />}
              {!busy && justSaved && (
                <Text size="sm">Saved. Sign in to Microsoft below to continue.</Text>
              )}
            </LiveRegion>
            <InfoLines lines={view.settingsWarnings} label="Notes about the tenant settings" />
            {failure && !failureField && (
              <ErrorCallout
                title="The tenant settings were not saved"
                error={failure}
                onRetry={() => void save()}
                onDismiss={() => {
                  clearError(profile.id, 'settings');
                }}
              />
            )}
          </Stack>
        </form>

        {account && (
          <Stack gap="xs">
            <Title order={3} id="entra-who">
              Who signs in
            </Title>
            <Text size="sm">{rolesNote(account.registration.signInRoles)}</Text>
          </Stack>
        )}
        {account && account.registration.permissions.length > 0 && (
          <Stack gap="xs">
            <Title order={3} id="entra-permissions">
              What the wizard asks Microsoft Graph for
            </Title>
            <Text size="sm">Delegated permissions, each for one purpose:</Text>
            <ul className="permission-list" aria-labelledby="entra-permissions">
              {account.registration.permissions.map((p) => (
                <li key={p.scope}>
                  <Text size="sm" component="span" ff="monospace" fw={600}>
                    {p.scope}
                  </Text>
                  <Text size="sm" component="span">
                    {' '}
                    to {p.why}
                    {TEST_USER_SCOPES.includes(p.scope) ? ' (only to test with one user)' : ''}.
                  </Text>
                </li>
              ))}
            </ul>
          </Stack>
        )}
        {account && (
          <RegistrationGuide
            registration={account.registration}
            cloud={cloud}
            open={guideOpen}
            onToggle={() => {
              setGuideOpen(!guideOpen);
            }}
          />
        )}
      </Stack>
    </section>
  );
}
