import { Button, Group, Stack, Text, TextInput, UnstyledButton } from '@mantine/core';
import { IconLock, IconPlugConnected } from '@tabler/icons-react';
import { useEffect, useState, type SyntheticEvent } from 'react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { InfoLines } from '../../components/InfoLines.js';
import { useKeepingText } from '../../components/keeping.js';
import { SecretInput, useSecretInput } from '../../components/SecretInput.js';
import type { ProfileDto } from '../../model.js';
import { SECRET_API, secretMeta, useDbtStore, useDbtView } from '../../store/dbt.js';
import { dateTime } from '../../util/time.js';

type Field = 'apiUrl' | 'accountId' | 'apiToken';

/** Which field a `bad_input` message of `dbt:connect` is about, by its opening words. */
function fieldOf(message: string): Field | undefined {
  if (message.startsWith('The dbt API URL')) {
    return 'apiUrl';
  }
  if (message.startsWith('The dbt account id')) {
    return 'accountId';
  }
  if (message.startsWith('The dbt API token')) {
    return 'apiToken';
  }
  return undefined;
}

/**
 * The dbt account's address and the account-admin token. "Check prerequisites" saves them (the
 * token only once dbt accepted it) and reads the account.
 */
export function ConnectSection({
  profile,
  draft,
  onDraft,
  guidedOpen,
  onToggleGuided,
}: {
  profile: ProfileDto;
  /** The address as typed, shared with the guided checklist for its links. */
  draft: { apiUrl: string; accountId: string };
  onDraft: (draft: { apiUrl: string; accountId: string }) => void;
  guidedOpen: boolean;
  onToggleGuided: () => void;
}) {
  const view = useDbtView(profile.id);
  const connect = useDbtStore((s) => s.connect);
  const clearError = useDbtStore((s) => s.clearError);
  const token = useSecretInput();
  const keeping = useKeepingText();
  const saved = secretMeta(view, SECRET_API);
  const [replacing, setReplacing] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const busy = view.busy.connect !== undefined;
  const failure = view.errors.connect;
  const failureField = failure?.code === 'bad_input' ? fieldOf(failure.message) : undefined;
  const askToken = !saved || replacing;

  useEffect(() => {
    if (replacing) {
      token.ref.current?.focus();
    }
    // Focus moves only when Replace was pressed.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [replacing]);

  async function submit(): Promise<void> {
    const apiToken = askToken ? token.read() : '';
    const found: Partial<Record<Field, string>> = {};
    if (draft.apiUrl.trim() === '') {
      found.apiUrl = 'Enter the address you use dbt on, for example https://cloud.getdbt.com.';
    }
    if (draft.accountId.trim() === '') {
      found.accountId = 'Enter the account id: the number after /accounts/ in dbt’s address bar.';
    }
    setErrors(found);
    if (Object.keys(found).length > 0) {
      return;
    }
    const saved = await connect(profile.id, {
      apiUrl: draft.apiUrl,
      accountId: draft.accountId,
      ...(apiToken.trim() !== '' ? { apiToken } : {}),
    });
    if (saved) {
      token.clear();
      setReplacing(false);
      // Show the address as the engine cleaned and saved it.
      onDraft({
        apiUrl: saved.dbt.apiUrl ?? draft.apiUrl,
        accountId:
          saved.dbt.accountId !== undefined ? String(saved.dbt.accountId) : draft.accountId,
      });
    }
  }

  function onSubmit(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    void submit();
  }

  const fieldError = (field: Field): string | undefined =>
    errors[field] ?? (failureField === field ? failure?.message : undefined);

  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby="prereq-connect">
      <Stack gap="md" maw={640}>
        <TextInput
          label="dbt API URL"
          placeholder="https://cloud.getdbt.com"
          description="The host you use dbt on, for example https://ab123.us1.dbt.com."
          value={draft.apiUrl}
          onChange={(e) => {
            onDraft({ ...draft, apiUrl: e.currentTarget.value });
          }}
          error={fieldError('apiUrl')}
          autoComplete="off"
          spellCheck={false}
          maxLength={2048}
        />
        <TextInput
          label="Account id"
          description="The number after /accounts/ in dbt’s address bar."
          placeholder="12345"
          inputMode="numeric"
          value={draft.accountId}
          onChange={(e) => {
            onDraft({ ...draft, accountId: e.currentTarget.value });
          }}
          error={fieldError('accountId')}
          autoComplete="off"
          maxLength={40}
        />
        {askToken ? (
          <Stack gap={4}>
            <SecretInput
              inputRef={token.ref}
              label="Account-admin service token"
              description={`In dbt: Account settings → API tokens → Service tokens, with the permission set “Account Admin”. ${keeping}`}
              error={fieldError('apiToken')}
              onInput={() => {
                if (failureField === 'apiToken') {
                  clearError(profile.id, 'connect');
                }
              }}
            />
            {saved && (
              <UnstyledButton
                className="link-button"
                onClick={() => {
                  token.clear();
                  setReplacing(false);
                }}
              >
                Keep the saved token
              </UnstyledButton>
            )}
          </Stack>
        ) : (
          <div role="group" aria-labelledby="prereq-token-label">
            <Text size="sm" fw={600} id="prereq-token-label">
              Account-admin service token
            </Text>
            <Group gap={8} mt={4} wrap="wrap">
              <IconLock
                size={16}
                aria-hidden
                style={{ color: 'var(--mantine-color-teal-text)', flex: 'none' }}
              />
              <Text size="sm" data-testid="api-token-saved">
                Saved · ends …{saved.last4}
                {saved.lastVerifiedAt ? ` · verified ${dateTime(saved.lastVerifiedAt)}` : ''}
              </Text>
              <Text size="sm" c="dimmed" aria-hidden>
                ·
              </Text>
              <UnstyledButton
                className="link-button"
                aria-label="Replace the saved token"
                onClick={() => {
                  setReplacing(true);
                }}
              >
                Replace
              </UnstyledButton>
            </Group>
          </div>
        )}

        <Group gap="sm">
          <Button
            type="submit"
            loading={busy}
            leftSection={<IconPlugConnected size={16} aria-hidden />}
          >
            Check prerequisites
          </Button>
          <Button
            variant="subtle"
            aria-expanded={guidedOpen}
            aria-controls="prereq-guided"
            onClick={onToggleGuided}
          >
            I don’t have an Admin API token
          </Button>
        </Group>

        <LiveRegion>
          {busy && <BusyLine text="Reading the dbt account…" />}
          {!busy && view.savedWithoutToken && (
            <Text size="sm">
              The address is saved. Without an Admin API token the wizard cannot read the account:
              tick the checklist below as you check each item in dbt.
            </Text>
          )}
        </LiveRegion>
        <InfoLines
          lines={[...view.connectWarnings, ...view.connectNotes]}
          label="Notes about what you entered"
        />
        {failure && !failureField && (
          <ErrorCallout
            title="Could not read the dbt account"
            error={failure}
            onRetry={() => void submit()}
            onDismiss={() => {
              clearError(profile.id, 'connect');
            }}
          />
        )}
      </Stack>
    </form>
  );
}
