import {
  Box,
  Button,
  Group,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { IconDeviceFloppy, IconLock } from '@tabler/icons-react';
import { useState, type SyntheticEvent } from 'react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { InfoLines } from '../../components/InfoLines.js';
import { useKeepingText } from '../../components/keeping.js';
import { PlanApply } from '../../components/PlanApply.js';
import { SecretInput, useSecretInput } from '../../components/SecretInput.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import { SECRET_SCIM, secretMeta, useDbtStore, useDbtView } from '../../store/dbt.js';
import { clockTime, dateTime, isoDay } from '../../util/time.js';
import { TokenTable } from './TokenTable.js';
import { TOKEN_STEPS, TOKEN_TITLES } from './texts.js';

type Way = 'create' | 'paste';

/** Section 3: a SCIM token, created by API or pasted; the one this computer holds; dbt's list. */
export function ScimTokenSection({
  profile,
  hasApiToken,
}: {
  profile: ProfileDto;
  hasApiToken: boolean;
}) {
  const view = useDbtView(profile.id);
  const discardPlan = useDbtStore((s) => s.discardPlan);
  const [way, setWay] = useState<Way>(hasApiToken ? 'create' : 'paste');
  const [name, setName] = useState(`scim-${profile.idp ?? 'idp'}-${isoDay()}`);
  const saved = secretMeta(view, SECRET_SCIM);
  const shownWay: Way = hasApiToken ? way : 'paste';

  let status: StepStatus = 'not_started';
  let statusText = 'No token yet';
  if (saved?.lastVerifiedAt) {
    status = 'verified';
    statusText = `Verified at ${clockTime(saved.lastVerifiedAt)}`;
  } else if (saved) {
    status = 'in_progress';
    statusText = 'Saved, not checked yet';
  }

  return (
    <section aria-labelledby="dbt-scim-token">
      <SectionHeading
        id="dbt-scim-token"
        title="3. SCIM token"
        status={status}
        statusText={statusText}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          The identity provider sends this token with every request to dbt. dbt shows a token’s
          value only once, so the wizard keeps it for this profile and never shows it.
        </Text>
        <Stack gap={6}>
          <Text size="sm" fw={500} id="dbt-token-way">
            How to get the token
          </Text>
          <SegmentedControl
            aria-labelledby="dbt-token-way"
            value={shownWay}
            onChange={(v) => {
              setWay(v === 'paste' ? 'paste' : 'create');
            }}
            data={[
              { value: 'create', label: 'Create one for me', disabled: !hasApiToken },
              { value: 'paste', label: 'Paste one I created' },
            ]}
            style={{ alignSelf: 'flex-start' }}
          />
          {!hasApiToken && (
            <Text size="xs" c="dimmed">
              Creating a token needs the Admin API token from Prerequisites.
            </Text>
          )}
        </Stack>

        {shownWay === 'create' ? (
          <Stack gap="sm">
            <TextInput
              label="Token name"
              description="A name you will recognise in dbt’s list of tokens."
              value={name}
              onChange={(e) => {
                setName(e.currentTarget.value);
                discardPlan(profile.id, 'token');
              }}
              maxLength={255}
              maw={420}
            />
            <PlanApply
              profileId={profile.id}
              planKey="token"
              step={{ kind: 'dbt.scim-token', ...(name.trim() ? { name: name.trim() } : {}) }}
              what="dbt’s SCIM tokens"
              applyingText="Creating the SCIM token in dbt and saving it encrypted…"
              checkTitles={TOKEN_TITLES}
            />
          </Stack>
        ) : (
          <PasteToken profile={profile} />
        )}

        {saved && (
          <Paper
            component="section"
            withBorder
            p="md"
            radius="sm"
            aria-labelledby="dbt-token-saved"
          >
            <Group gap={8} mb={6} wrap="nowrap">
              <IconLock
                size={16}
                aria-hidden
                style={{ color: 'var(--mantine-color-teal-text)', flex: 'none' }}
              />
              <Title order={3} id="dbt-token-saved">
                The token this computer holds
              </Title>
            </Group>
            <dl className="facts">
              <dt>Name</dt>
              <dd>{profile.dbt.scimTokenName ?? saved.name}</dd>
              <dt>Value</dt>
              <dd>ends …{saved.last4}</dd>
              <dt>Saved</dt>
              <dd>{dateTime(saved.createdAt)}</dd>
              <dt>Last verified</dt>
              <dd>{saved.lastVerifiedAt ? dateTime(saved.lastVerifiedAt) : 'not yet'}</dd>
            </dl>
          </Paper>
        )}
      </Stack>
      {hasApiToken && (
        <Box mt="lg" maw={720}>
          <TokenTable profile={profile} />
        </Box>
      )}
    </section>
  );
}

function PasteToken({ profile }: { profile: ProfileDto }) {
  const view = useDbtView(profile.id);
  const pasteToken = useDbtStore((s) => s.pasteToken);
  const clearError = useDbtStore((s) => s.clearError);
  const field = useSecretInput();
  const keeping = useKeepingText();
  const [empty, setEmpty] = useState(false);
  const [justSaved, setJustSaved] = useState(false);
  const busy = view.busy.paste !== undefined;
  const error = view.errors.paste;
  const inline = error?.code === 'bad_input' ? error.message : undefined;

  async function save(): Promise<void> {
    setJustSaved(false);
    const value = field.read();
    if (value.trim() === '') {
      setEmpty(true);
      return;
    }
    setEmpty(false);
    if (await pasteToken(profile.id, value)) {
      field.clear();
      setJustSaved(true);
    }
  }

  function onSubmit(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    void save();
  }

  return (
    <form noValidate onSubmit={onSubmit} aria-label="Paste a SCIM token">
      <Stack gap="sm">
        <ol className="console-steps">
          {TOKEN_STEPS.map((s) => (
            <li key={s}>
              <Text size="sm">{s}</Text>
            </li>
          ))}
        </ol>
        <Box maw={560}>
          <SecretInput
            inputRef={field.ref}
            label="SCIM token"
            description={keeping}
            error={empty ? 'Paste the token dbt showed you.' : inline}
            onInput={() => {
              setJustSaved(false);
              if (inline) {
                clearError(profile.id, 'paste');
              }
            }}
          />
        </Box>
        <Group gap="sm">
          <Button
            type="submit"
            loading={busy}
            leftSection={<IconDeviceFloppy size={16} aria-hidden />}
          >
            Save token
          </Button>
        </Group>
        <LiveRegion>
          {busy && <BusyLine text="Checking and saving the token…" />}
          {!busy && justSaved && <Text size="sm">Saved. The connection check below uses it.</Text>}
        </LiveRegion>
        <InfoLines lines={view.pasteNotes} label="Notes about the pasted token" />
        {error && !inline && (
          <ErrorCallout title="The token was not saved" error={error} onRetry={() => void save()} />
        )}
      </Stack>
    </form>
  );
}
