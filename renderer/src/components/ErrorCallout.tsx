import { Alert, Button, Group, Text } from '@mantine/core';
import { IconAlertCircle, IconCopy, IconRefresh } from '@tabler/icons-react';
import { useState } from 'react';
import { copyText } from '../util/clipboard.js';

export interface ErrorCalloutProps {
  /** What did not happen, in a few words: "Could not load your profiles". */
  title: string;
  /** The engine's `{code, message}`; the message is already redacted and says what to do. */
  error: { code: string; message: string };
  /** Shown as a Retry button when given. */
  onRetry?: () => void;
  /** Shown as a close button when given. */
  onDismiss?: () => void;
}

/** What happened, what to do, and buttons to retry or copy a redacted diagnostic. Never a stack trace. */
export function ErrorCallout({ title, error, onRetry, onDismiss }: ErrorCalloutProps) {
  const [copy, setCopy] = useState<'idle' | 'copied' | 'failed'>('idle');
  const diagnostic = `${error.code}: ${error.message}`;

  async function onCopy(): Promise<void> {
    setCopy((await copyText(diagnostic)) ? 'copied' : 'failed');
  }

  return (
    <Alert
      role="alert"
      variant="light"
      color="red"
      title={title}
      icon={<IconAlertCircle aria-hidden />}
      {...(onDismiss
        ? { withCloseButton: true, onClose: onDismiss, closeButtonLabel: 'Dismiss' }
        : {})}
    >
      <Text size="sm">{error.message}</Text>
      <Group gap="xs" mt="sm">
        {onRetry && (
          <Button size="xs" leftSection={<IconRefresh size={16} aria-hidden />} onClick={onRetry}>
            Retry
          </Button>
        )}
        <Button
          size="xs"
          variant="default"
          leftSection={<IconCopy size={16} aria-hidden />}
          onClick={() => void onCopy()}
        >
          Copy diagnostic
        </Button>
        <Text size="xs" c="dimmed" aria-live="polite">
          {copy === 'copied' && 'Copied.'}
          {copy === 'failed' && `Copy did not work here. The diagnostic is: ${diagnostic}`}
        </Text>
      </Group>
    </Alert>
  );
}
