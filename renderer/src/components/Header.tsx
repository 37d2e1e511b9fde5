import { Group, Text } from '@mantine/core';
import { IconPlugConnected } from '@tabler/icons-react';
import { selectActiveProfile, useWizardStore } from '../store/wizard.js';
import { IdpBadge } from './IdpBadge.js';
import { ProfileMenu } from './ProfileMenu.js';
import { ProfileSwitcher } from './ProfileSwitcher.js';
import { SecretStatus } from './SecretStatus.js';

/** App name, the active profile and its IdP, and where tokens are kept. */
export function Header() {
  const profile = useWizardStore(selectActiveProfile);
  const ready = useWizardStore((s) => s.load === 'ready');

  return (
    <header className="app-header">
      <Group gap="xs" wrap="nowrap">
        <IconPlugConnected
          size={22}
          aria-hidden
          style={{ color: 'var(--mantine-primary-color-filled)' }}
        />
        <Text fw={600} size="md" component="span">
          dbt SCIM Wizard
        </Text>
      </Group>
      {profile && (
        <Group gap="sm" wrap="nowrap" className="app-header__profile">
          <ProfileSwitcher />
          <IdpBadge idp={profile.idp} />
          <ProfileMenu profile={profile} />
        </Group>
      )}
      {ready && (
        <div className="app-header__status">
          <SecretStatus />
        </div>
      )}
    </header>
  );
}
