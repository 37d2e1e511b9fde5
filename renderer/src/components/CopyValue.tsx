import { Button, Group, TextInput } from '@mantine/core';
import { IconCheck, IconCopy } from '@tabler/icons-react';
import { useEffect, useState, type CSSProperties } from 'react';
import { copyText } from '../util/clipboard.js';

/**
 * A value to copy into a console: a read-only field with its label and a Copy button that says
 * "Copied" for a moment (announced politely). Never used for secrets.
 */
export function CopyValue({
  label,
  value,
  description,
  large = false,
  maw = 560,
}: {
  label: string;
  value: string;
  description?: string;
  /** A big monospace value (a device code). */
  large?: boolean;
  maw?: number | string;
}) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') {
      return undefined;
    }
    const timer = setTimeout(() => {
      setState('idle');
    }, 2500);
    return () => {
      clearTimeout(timer);
    };
  }, [state]);

  const inputStyle: CSSProperties | undefined = large
    ? {
        fontFamily: 'var(--mantine-font-family-monospace)',
        fontSize: '1.5rem',
        letterSpacing: '0.12em',
        fontWeight: 600,
        height: 'auto',
        paddingBlock: 8,
      }
    : { fontFamily: 'var(--mantine-font-family-monospace)' };

  return (
    <Group gap="xs" align="flex-end" wrap="nowrap" maw={maw} className="copy-value">
      <TextInput
        label={label}
        description={description}
        value={value}
        readOnly
        spellCheck={false}
        style={{ flex: 1, minWidth: 0 }}
        styles={{ input: inputStyle }}
        onFocus={(e) => {
          e.currentTarget.select();
        }}
      />
      <Button
        variant="default"
        size={large ? 'md' : 'sm'}
        leftSection={
          state === 'copied' ? (
            <IconCheck size={16} aria-hidden />
          ) : (
            <IconCopy size={16} aria-hidden />
          )
        }
        aria-label={`Copy ${label}`}
        onClick={() => {
          void copyText(value).then((ok) => {
            setState(ok ? 'copied' : 'failed');
          });
        }}
        style={large ? { height: 'auto', paddingBlock: 12 } : undefined}
      >
        <span aria-live="polite">
          {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : 'Copy'}
        </span>
      </Button>
    </Group>
  );
}

/** A small Copy button for a value shown as text next to it ("Copy Application.ReadWrite.All"). */
export function CopyIconButton({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) {
      return undefined;
    }
    const timer = setTimeout(() => {
      setCopied(false);
    }, 2500);
    return () => {
      clearTimeout(timer);
    };
  }, [copied]);
  return (
    <Button
      size="compact-xs"
      variant="subtle"
      aria-label={label}
      leftSection={
        copied ? <IconCheck size={14} aria-hidden /> : <IconCopy size={14} aria-hidden />
      }
      onClick={() => {
        void copyText(value).then(setCopied);
      }}
    >
      <span aria-live="polite">{copied ? 'Copied' : 'Copy'}</span>
    </Button>
  );
}
