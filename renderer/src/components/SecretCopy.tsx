import { Button, Stack, Text } from '@mantine/core';
import { IconClipboardCopy } from '@tabler/icons-react';
import type { ErrorInfo } from '../store/wizard.js';
import { clockSeconds } from '../util/time.js';
import { useNow } from '../util/use-now.js';
import { LiveRegion } from './BusyLine.js';
import { ErrorCallout } from './ErrorCallout.js';

export interface SecretCopyProps {
  /** The button, e.g. "Copy the SCIM token". */
  readonly label: string;
  /** One line under the button: where the value goes and where to paste it. */
  readonly hint: string;
  /** What the engine answered for the last copy (never the value). */
  readonly copied: { readonly last4: string; readonly clearsAt: string } | null;
  readonly busy: boolean;
  readonly error: ErrorInfo | undefined;
  readonly errorTitle: string;
  readonly onCopy: () => void;
  readonly onDismissError: () => void;
  /** data-testid of the countdown. */
  readonly countdownId: string;
}

/**
 * A secret for a console paste: the engine writes it to the clipboard (it never comes to this
 * window) and clears the clipboard a minute later; until then the button waits, the last four
 * characters and the time of clearing are announced, and a countdown shows.
 */
export function SecretCopy(props: SecretCopyProps) {
  const { copied } = props;
  const clearsAt = copied ? Date.parse(copied.clearsAt) : Number.NaN;
  const now = useNow(copied !== null);
  const left = Number.isNaN(clearsAt) ? 0 : Math.ceil((clearsAt - now) / 1000);
  const counting = copied !== null && left > 0;

  return (
    <Stack gap={6} align="flex-start">
      <Button
        variant="default"
        leftSection={<IconClipboardCopy size={16} aria-hidden />}
        loading={props.busy}
        disabled={counting}
        onClick={props.onCopy}
      >
        {props.label}
      </Button>
      <Text size="xs" c="dimmed">
        {props.hint}
      </Text>
      <LiveRegion>
        {copied && (
          <Text size="sm" fw={500}>
            {counting
              ? `Copied (…${copied.last4}). The clipboard is cleared at ${clockSeconds(copied.clearsAt)}.`
              : `The clipboard was cleared at ${clockSeconds(copied.clearsAt)}. Copy the token again if you still need it.`}
          </Text>
        )}
      </LiveRegion>
      {counting && (
        <Text size="sm" c="dimmed" className="tabular" aria-hidden data-testid={props.countdownId}>
          {left} s left
        </Text>
      )}
      {props.error && (
        <ErrorCallout
          title={props.errorTitle}
          error={props.error}
          onRetry={props.onCopy}
          onDismiss={props.onDismissError}
        />
      )}
    </Stack>
  );
}
