import { Stack } from '@mantine/core';
import { useEffect } from 'react';
import type { ProfileDto } from '../../model.js';
import { useDbtStore } from '../../store/dbt.js';
import { useOktaStore } from '../../store/okta.js';
import { AppSection } from './AppSection.js';
import { ApplySection } from './ApplySection.js';
import { ConsoleSection } from './ConsoleSection.js';
import { ExistingSection } from './ExistingSection.js';
import { GroupsSection } from './GroupsSection.js';
import { SignInSection } from './SignInSection.js';

/**
 * The Identity provider screen for Okta under its intro: connect and sign in, the dbt SSO app,
 * the console steps with their live checks, review and apply, the groups to push, and the users
 * dbt already has.
 */
export function OktaBody({ profile }: { profile: ProfileDto }) {
  const loadAccount = useOktaStore((s) => s.loadAccount);
  const loadSecrets = useDbtStore((s) => s.loadSecrets);

  useEffect(() => {
    void loadAccount(profile.id);
    // The dbt step's SCIM token: only to say when it is missing.
    void loadSecrets(profile.id);
  }, [loadAccount, loadSecrets, profile.id]);

  return (
    <Stack gap="xl">
      <SignInSection profile={profile} />
      <AppSection profile={profile} />
      <ConsoleSection profile={profile} />
      <ApplySection profile={profile} />
      <GroupsSection profile={profile} />
      <ExistingSection profile={profile} />
    </Stack>
  );
}
