import { Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { IconDeviceFloppy } from '@tabler/icons-react';
import { useState, type SyntheticEvent } from 'react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { InfoLines } from '../../components/InfoLines.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import type { ProfileDto } from '../../model.js';
import { useDbtStore, useDbtView } from '../../store/dbt.js';

/** Section 2: the SCIM base URL, pasted from dbt (never made up), cleaned and saved by the engine. */
export function ScimUrlSection({ profile }: { profile: ProfileDto }) {
  const view = useDbtView(profile.id);
  const setScimUrl = useDbtStore((s) => s.setScimUrl);
  const clearError = useDbtStore((s) => s.clearError);
  const [value, setValue] = useState(profile.dbt.scimUrl ?? '');
  const [empty, setEmpty] = useState(false);
  const [justSaved, setJustSaved] = useState(false);
  const busy = view.busy.url !== undefined;
  const error = view.errors.url;
  const inline = error?.code === 'bad_input' ? error.message : undefined;
  const saved = profile.dbt.scimUrl;

  async function save(): Promise<void> {
    setJustSaved(false);
    if (value.trim() === '') {
      setEmpty(true);
      return;
    }
    setEmpty(false);
    if (await setScimUrl(profile.id, value)) {
      setJustSaved(true);
    }
  }

  function onSubmit(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    void save();
  }

  return (
    <section aria-labelledby="dbt-scim-url">
      <SectionHeading
        id="dbt-scim-url"
        title="2. SCIM base URL"
        status={saved ? 'verified' : 'not_started'}
        statusText={saved ? 'Saved' : 'Not saved yet'}
      />
      <form noValidate onSubmit={onSubmit}>
        <Stack gap="sm" maw={720}>
          <Text size="sm">
            dbt shows it under “Account settings” → “SSO & SCIM” → “SCIM base URL” once SCIM is on.
            Copy the field and paste it here; the identity provider needs the same URL.
          </Text>
          <Group gap="sm" align="flex-start" wrap="nowrap">
            <TextInput
              label="SCIM base URL"
              placeholder="https://cloud.getdbt.com/api/scim/v2/accounts/12345"
              value={value}
              onChange={(e) => {
                setValue(e.currentTarget.value);
                setJustSaved(false);
                if (inline) {
                  clearError(profile.id, 'url');
                }
              }}
              error={empty ? 'Paste the SCIM base URL from dbt.' : inline}
              autoComplete="off"
              spellCheck={false}
              maxLength={4096}
              style={{ flex: 1 }}
            />
            <Button
              type="submit"
              mt={25}
              loading={busy}
              variant={saved && value.trim() === saved ? 'default' : 'filled'}
              leftSection={<IconDeviceFloppy size={16} aria-hidden />}
            >
              Save
            </Button>
          </Group>
          <LiveRegion>
            {busy && <BusyLine text="Checking and saving the URL…" />}
            {!busy && justSaved && (
              <Text size="sm">Saved. The connection check below uses this URL.</Text>
            )}
          </LiveRegion>
          <InfoLines lines={view.urlWarnings} label="Notes about the SCIM base URL" />
          {error && !inline && (
            <ErrorCallout title="The URL was not saved" error={error} onRetry={() => void save()} />
          )}
        </Stack>
      </form>
    </section>
  );
}
