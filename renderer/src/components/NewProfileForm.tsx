import { Button, Group, Stack, TextInput } from '@mantine/core';
import { useState, type SyntheticEvent } from 'react';
import { useWizardStore, type ErrorInfo } from '../store/wizard.js';
import { ErrorCallout } from './ErrorCallout.js';
import { IdpChoice, toIdp, type IdpChoiceValue } from './IdpChoice.js';

/** Name + IdP; Create calls `profiles.create`, and the new profile opens on Prerequisites. */
export function NewProfileForm({
  onCreated,
  onCancel,
  autoFocus = false,
}: {
  onCreated?: () => void;
  onCancel?: () => void;
  autoFocus?: boolean;
}) {
  const createProfile = useWizardStore((s) => s.createProfile);
  const [name, setName] = useState('');
  const [idp, setIdp] = useState<IdpChoiceValue | null>(null);
  const [errors, setErrors] = useState<{ name?: string; idp?: string }>({});
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<ErrorInfo | null>(null);

  async function submit(): Promise<void> {
    const trimmed = name.trim();
    const found = {
      ...(trimmed ? {} : { name: 'Give the profile a name, for example the dbt account name.' }),
      ...(trimmed.length > 80 ? { name: 'Keep the name under 80 characters.' } : {}),
      ...(idp ? {} : { idp: 'Choose an identity provider, or “I’m not sure yet”.' }),
    };
    setErrors(found);
    if (found.name || !idp) {
      return;
    }
    setBusy(true);
    const error = await createProfile({ name: trimmed, idp: toIdp(idp) });
    setBusy(false);
    setFailure(error);
    if (!error) {
      onCreated?.();
    }
  }

  function onSubmit(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    void submit();
  }

  return (
    <form noValidate onSubmit={onSubmit} aria-label="New profile">
      <Stack gap="lg">
        {failure && (
          <ErrorCallout
            title="The profile was not created"
            error={failure}
            onRetry={() => void submit()}
          />
        )}
        <TextInput
          label="Profile name"
          description="Usually the dbt account name. You can change it later."
          placeholder="Acme Analytics"
          value={name}
          onChange={(e) => {
            setName(e.currentTarget.value);
          }}
          error={errors.name}
          maxLength={120}
          withAsterisk
          data-autofocus={autoFocus || undefined}
          autoFocus={autoFocus}
        />
        <IdpChoice value={idp} onChange={setIdp} error={errors.idp} />
        <Group justify="flex-end" gap="sm">
          {onCancel && (
            <Button variant="default" onClick={onCancel}>
              Cancel
            </Button>
          )}
          <Button type="submit" loading={busy}>
            Create profile
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
