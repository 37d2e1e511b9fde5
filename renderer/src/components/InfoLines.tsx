import { Stack, Text } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';

/** Warnings and notes from the engine, as calm lines with an info mark (not alarms). */
export function InfoLines({ lines, label }: { lines: readonly string[]; label: string }) {
  if (lines.length === 0) {
    return null;
  }
  return (
    <Stack gap={4} component="ul" className="info-lines" aria-label={label}>
      {lines.map((line) => (
        <li key={line} className="info-lines__item">
          <IconInfoCircle
            size={16}
            aria-hidden
            style={{ color: 'var(--mantine-color-blue-text)', flex: 'none', marginTop: 3 }}
          />
          <Text size="sm">{line}</Text>
        </li>
      ))}
    </Stack>
  );
}
