import { Button, Collapse, Stack, Text } from '@mantine/core';
import { IconChevronDown, IconChevronRight } from '@tabler/icons-react';
import type { EntraCloud, SignInState } from '../../api/client.js';
import { CopyIconButton, CopyValue } from '../../components/CopyValue.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { ExternalLink } from '../../components/ExternalLink.js';
import { useOpenExternal } from '../../components/useOpenExternal.js';
import { appRegistrationsUrl } from './texts.js';

export const REGISTRATION_NAME = 'dbt SCIM Wizard';
export const REDIRECT_URI = 'http://localhost';

/**
 * "How to register the wizard in your tenant", collapsed by default: the engine's steps in the
 * admin center's words, with the values to copy beside them.
 */
export function RegistrationGuide({
  registration,
  cloud,
  open,
  onToggle,
}: {
  registration: SignInState['registration'];
  cloud: EntraCloud;
  open: boolean;
  onToggle: () => void;
}) {
  const link = useOpenExternal();
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
        aria-controls="entra-registration"
        onClick={onToggle}
      >
        How to register the wizard in your tenant
      </Button>
      <Collapse expanded={open} transitionDuration={0} id="entra-registration">
        <Stack gap="md" mt="sm" className="registration-guide">
          <Text size="sm">
            Once per tenant, an administrator registers the wizard as a public client. Its
            Application (client) ID then goes in the field above.
          </Text>
          <div>
            <ExternalLink url={appRegistrationsUrl(cloud)} onOpen={link.open}>
              Open “App registrations” in the Microsoft Entra admin center
            </ExternalLink>
          </div>
          {link.error && (
            <ErrorCallout
              title="The link was not opened"
              error={link.error}
              onDismiss={link.clear}
            />
          )}
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
          <CopyValue label="Name" value={REGISTRATION_NAME} maw={560} />
          <CopyValue
            label="Redirect URI (Mobile and desktop applications)"
            value={REDIRECT_URI}
            maw={560}
          />
          <Stack gap={4}>
            <Text size="sm" fw={600} id="entra-registration-permissions">
              Microsoft Graph delegated permissions
            </Text>
            <ul className="permission-list" aria-labelledby="entra-registration-permissions">
              {registration.permissions.map((p) => (
                <li key={p.scope} className="permission-list__row">
                  <Text size="sm" component="span" ff="monospace" fw={600}>
                    {p.scope}
                  </Text>
                  <CopyIconButton value={p.scope} label={`Copy ${p.scope}`} />
                  <Text size="sm" c="dimmed" className="permission-list__why">
                    To {p.why}.
                  </Text>
                </li>
              ))}
            </ul>
          </Stack>
          <Text size="sm">{registration.restrictedTenantNote}</Text>
        </Stack>
      </Collapse>
    </div>
  );
}
