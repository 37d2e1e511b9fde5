import { Stack, Title } from '@mantine/core';
import { useEffect, useState } from 'react';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import type { ProfileDto } from '../../model.js';
import { useDbtStore, useDbtView } from '../../store/dbt.js';
import { ConnectSection } from './ConnectSection.js';
import { GuidedSection } from './GuidedSection.js';
import { ResultsSection } from './ResultsSection.js';

const TICK_ITEMS = ['prereq.enterprise', 'prereq.sso', 'prereq.ip'];

/** The Prerequisites screen under its intro: connect, results (with the IP panel), guided checklist. */
export function PrerequisitesBody({ profile }: { profile: ProfileDto }) {
  const view = useDbtView(profile.id);
  const loadSecrets = useDbtStore((s) => s.loadSecrets);
  const [draft, setDraft] = useState({
    apiUrl: profile.dbt.apiUrl ?? '',
    accountId: profile.dbt.accountId !== undefined ? String(profile.dbt.accountId) : '',
  });
  // The guided checklist opens by itself once something is ticked or there is no API token.
  const [guidedChoice, setGuidedChoice] = useState<boolean | null>(null);
  const guided =
    guidedChoice ??
    (TICK_ITEMS.some((item) => profile.manual[item] !== undefined) || view.savedWithoutToken);

  useEffect(() => {
    void loadSecrets(profile.id);
  }, [loadSecrets, profile.id]);

  return (
    <Stack gap="xl">
      <section aria-labelledby="prereq-connect">
        <Title order={2} id="prereq-connect" mb="xs">
          Connect the dbt account
        </Title>
        {view.errors.secrets && (
          <ErrorCallout
            title="Could not read the saved tokens"
            error={view.errors.secrets}
            onRetry={() => void loadSecrets(profile.id)}
          />
        )}
        <ConnectSection
          profile={profile}
          draft={draft}
          onDraft={setDraft}
          guidedOpen={guided}
          onToggleGuided={() => {
            setGuidedChoice(!guided);
          }}
        />
      </section>
      <ResultsSection profile={profile} />
      {guided && <GuidedSection profile={profile} draft={draft} />}
    </Stack>
  );
}
