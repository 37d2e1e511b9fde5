import { Stack } from '@mantine/core';
import { useEffect } from 'react';
import type { ProfileDto } from '../../model.js';
import { useDbtStore } from '../../store/dbt.js';
import { useEntraStore, useEntraView } from '../../store/entra.js';
import { ApplySection } from './ApplySection.js';
import { SignInSection } from './SignInSection.js';
import { StatusSection } from './StatusSection.js';
import { TenantSection } from './TenantSection.js';
import { TestUserSection } from './TestUserSection.js';

/**
 * The Identity provider screen for Microsoft Entra ID under its intro: the tenant, the sign-in,
 * review and apply, a test with one user, and the provisioning status.
 */
export function EntraBody({ profile }: { profile: ProfileDto }) {
  const view = useEntraView(profile.id);
  const loadAccount = useEntraStore((s) => s.loadAccount);
  const loadSecrets = useDbtStore((s) => s.loadSecrets);

  useEffect(() => {
    void loadAccount(profile.id);
    // The dbt step's SCIM token: only to say when it is missing.
    void loadSecrets(profile.id);
  }, [loadAccount, loadSecrets, profile.id]);

  return (
    <Stack gap="xl">
      <TenantSection profile={profile} account={view.account} />
      <SignInSection profile={profile} />
      <ApplySection profile={profile} />
      <TestUserSection profile={profile} />
      <StatusSection profile={profile} />
    </Stack>
  );
}
