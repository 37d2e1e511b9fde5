import { Button, Group, Stack, Text, UnstyledButton } from '@mantine/core';
import { IconAlertTriangle, IconLock, IconQuestionMark } from '@tabler/icons-react';
import { useState } from 'react';
import { useWizardStore, type ErrorInfo } from '../store/wizard.js';
import { AppModal } from './AppModal.js';
import { ErrorCallout } from './ErrorCallout.js';

/**
 * Where tokens are kept: encrypted by the system keyring, or in memory only. When the only
 * backend is Electron's basic_text one, the admin can accept that risk (or take it back).
 */
export function SecretStatus() {
  const status = useWizardStore((s) => s.secretStatus);
  const acceptWeakBackend = useWizardStore((s) => s.acceptWeakBackend);
  const [reviewing, setReviewing] = useState(false);
  const [failure, setFailure] = useState<ErrorInfo | null>(null);

  if (!status) {
    return (
      <Group gap={6} wrap="nowrap">
        <IconQuestionMark size={18} aria-hidden />
        <Text size="sm" c="dimmed">
          Token storage unknown
        </Text>
      </Group>
    );
  }

  const weakInUse = status.persistent && status.weakBackend;
  const label = !status.persistent
    ? 'Tokens kept in memory only'
    : weakInUse
      ? 'Tokens saved with basic protection'
      : 'Tokens encrypted by the system keyring';
  const warn = !status.persistent || weakInUse;

  async function decide(accepted: boolean): Promise<void> {
    const error = await acceptWeakBackend(accepted);
    setFailure(error);
    if (!error) {
      setReviewing(false);
    }
  }

  return (
    <>
      <Group gap={6} wrap="nowrap" data-testid="secret-status">
        {warn ? (
          <IconAlertTriangle
            size={18}
            aria-hidden
            style={{ color: 'var(--mantine-color-orange-text)', flex: 'none' }}
          />
        ) : (
          <IconLock
            size={18}
            aria-hidden
            style={{ color: 'var(--mantine-color-teal-text)', flex: 'none' }}
          />
        )}
        <Text size="sm">{label}</Text>
        {status.weakBackend && (
          <UnstyledButton
            className="link-button"
            onClick={() => {
              setReviewing(true);
            }}
          >
            {weakInUse ? 'Change' : 'Review'}
          </UnstyledButton>
        )}
      </Group>
      <AppModal
        opened={reviewing}
        onClose={() => {
          setReviewing(false);
        }}
        title="How tokens are stored on this computer"
      >
        <Stack gap="md">
          {failure && <ErrorCallout title="The setting was not changed" error={failure} />}
          <Text size="sm">
            This system offers no keyring the app can use, so saved tokens would only have basic
            protection (“{status.backend}”): anyone who can read your files could read them.
          </Text>
          <Text size="sm">
            {weakInUse
              ? 'You accepted this, so tokens are saved. Stop saving them to keep new tokens in memory only; you then enter them again after a restart.'
              : 'Right now tokens are kept in memory only and you enter them again after a restart. You can accept the risk to save them with basic protection.'}
          </Text>
          <Group justify="flex-end" gap="sm">
            <Button
              variant="default"
              onClick={() => {
                setReviewing(false);
              }}
            >
              Close
            </Button>
            {weakInUse ? (
              <Button onClick={() => void decide(false)}>Stop saving tokens</Button>
            ) : (
              <Button onClick={() => void decide(true)}>Accept the risk and save tokens</Button>
            )}
          </Group>
        </Stack>
      </AppModal>
    </>
  );
}
