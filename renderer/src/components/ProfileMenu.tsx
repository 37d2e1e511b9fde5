import { ActionIcon, Button, Group, Menu, Stack, Text, TextInput } from '@mantine/core';
import { IconPencil, IconSettings, IconTrash } from '@tabler/icons-react';
import { useState, type SyntheticEvent } from 'react';
import type { ProfileDto } from '../model.js';
import { useWizardStore, type ErrorInfo } from '../store/wizard.js';
import { AppModal } from './AppModal.js';
import { ErrorCallout } from './ErrorCallout.js';
import { fromIdp, IdpChoice, toIdp, type IdpChoiceValue } from './IdpChoice.js';

/** Profile settings: edit (name, IdP) and delete, each in a dialog. */
export function ProfileMenu({ profile }: { profile: ProfileDto }) {
  const [dialog, setDialog] = useState<'edit' | 'delete' | null>(null);
  const close = (): void => {
    setDialog(null);
  };

  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon variant="default" size="lg" aria-label="Profile settings">
            <IconSettings size={18} aria-hidden />
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>{profile.name}</Menu.Label>
          <Menu.Item
            leftSection={<IconPencil size={16} aria-hidden />}
            onClick={() => {
              setDialog('edit');
            }}
          >
            Edit profile…
          </Menu.Item>
          <Menu.Item
            color="red"
            leftSection={<IconTrash size={16} aria-hidden />}
            onClick={() => {
              setDialog('delete');
            }}
          >
            Delete profile…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <AppModal opened={dialog === 'edit'} onClose={close} title="Edit profile" size="lg">
        {/* Keyed so the fields start from the profile each time the dialog opens. */}
        <EditProfileForm key={`${profile.id}-${String(dialog)}`} profile={profile} onDone={close} />
      </AppModal>
      <AppModal opened={dialog === 'delete'} onClose={close} title={`Delete “${profile.name}”`}>
        <DeleteProfile key={`${profile.id}-${String(dialog)}`} profile={profile} onDone={close} />
      </AppModal>
    </>
  );
}

function EditProfileForm({ profile, onDone }: { profile: ProfileDto; onDone: () => void }) {
  const updateProfile = useWizardStore((s) => s.updateProfile);
  const [name, setName] = useState(profile.name);
  const [idp, setIdp] = useState<IdpChoiceValue>(fromIdp(profile.idp));
  const [nameError, setNameError] = useState<string | undefined>();
  const [failure, setFailure] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);

  async function save(): Promise<void> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 80) {
      setNameError(trimmed ? 'Keep the name under 80 characters.' : 'Give the profile a name.');
      return;
    }
    setNameError(undefined);
    setBusy(true);
    const error = await updateProfile({ id: profile.id, name: trimmed, idp: toIdp(idp) });
    setBusy(false);
    setFailure(error);
    if (!error) {
      onDone();
    }
  }

  function onSubmit(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    void save();
  }

  return (
    <form noValidate onSubmit={onSubmit}>
      <Stack gap="lg">
        {failure && (
          <ErrorCallout
            title="The profile was not changed"
            error={failure}
            onRetry={() => void save()}
          />
        )}
        <TextInput
          label="Profile name"
          value={name}
          onChange={(e) => {
            setName(e.currentTarget.value);
          }}
          error={nameError}
          maxLength={120}
          withAsterisk
          data-autofocus
        />
        <IdpChoice value={idp} onChange={setIdp} />
        {idp !== fromIdp(profile.idp) && (
          <Text size="sm" c="dimmed">
            Changing the identity provider changes what the remaining steps do. Nothing already set
            up is removed.
          </Text>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            Save
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

function DeleteProfile({ profile, onDone }: { profile: ProfileDto; onDone: () => void }) {
  const deleteProfile = useWizardStore((s) => s.deleteProfile);
  const [failure, setFailure] = useState<ErrorInfo | null>(null);
  const [busy, setBusy] = useState(false);

  async function confirm(): Promise<void> {
    setBusy(true);
    const error = await deleteProfile(profile.id);
    setBusy(false);
    setFailure(error);
    if (!error) {
      onDone();
    }
  }

  return (
    <Stack gap="md">
      {failure && (
        <ErrorCallout
          title="The profile was not deleted"
          error={failure}
          onRetry={() => void confirm()}
        />
      )}
      <Text size="sm">
        Delete the profile <strong>{profile.name}</strong> and the tokens saved for it on this
        computer? Nothing changes in dbt or in your identity provider.
      </Text>
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onDone} data-autofocus>
          Cancel
        </Button>
        <Button color="red.9" loading={busy} onClick={() => void confirm()}>
          Delete profile
        </Button>
      </Group>
    </Stack>
  );
}
