import { Group, Loader, Stack, Text } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import { useEffect } from 'react';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import type { ProfileDto } from '../../model.js';
import { SECRET_API, secretMeta, useDbtStore, useDbtView } from '../../store/dbt.js';
import { CheckSection } from './CheckSection.js';
import { ScimOnSection } from './ScimOnSection.js';
import { ScimTokenSection } from './ScimTokenSection.js';
import { ScimUrlSection } from './ScimUrlSection.js';

/** The dbt screen under its intro: SCIM on, SCIM base URL, SCIM token, connection check. */
export function DbtBody({ profile }: { profile: ProfileDto }) {
  const view = useDbtView(profile.id);
  const loadSecrets = useDbtStore((s) => s.loadSecrets);

  useEffect(() => {
    void loadSecrets(profile.id);
  }, [loadSecrets, profile.id]);

  if (view.secrets === null) {
    return view.errors.secrets ? (
      <ErrorCallout
        title="Could not read the saved tokens"
        error={view.errors.secrets}
        onRetry={() => void loadSecrets(profile.id)}
      />
    ) : (
      <Group gap="xs" role="status">
        <Loader size="xs" aria-hidden />
        <Text size="sm" c="dimmed">
          Reading what this computer holds for this profile…
        </Text>
      </Group>
    );
  }

  const hasApiToken = secretMeta(view, SECRET_API) !== undefined;

  return (
    <Stack gap="xl">
      {!hasApiToken && (
        <Group gap={8} wrap="nowrap" align="flex-start" maw={720}>
          <IconInfoCircle
            size={18}
            aria-hidden
            style={{ color: 'var(--mantine-color-blue-text)', flex: 'none', marginTop: 2 }}
          />
          <Text size="sm">
            No Admin API token is saved for this profile, so you make the changes in dbt yourself
            and the wizard checks the result. To let the wizard make them, add the token in
            Prerequisites.
          </Text>
        </Group>
      )}
      <ScimOnSection profile={profile} hasApiToken={hasApiToken} />
      <ScimUrlSection profile={profile} />
      <ScimTokenSection profile={profile} hasApiToken={hasApiToken} />
      <CheckSection profile={profile} />
    </Stack>
  );
}
