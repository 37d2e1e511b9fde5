import { Group, Text, Title } from '@mantine/core';
import type { StepStatus } from '../model.js';
import { StepStatusIcon } from './StepStatusIcon.js';

/** A section's h2 (or h3) with its own status: an icon and a few words ("Verified at 10:42"). */
export function SectionHeading({
  id,
  title,
  status,
  statusText,
  order = 2,
}: {
  id: string;
  title: string;
  status?: StepStatus;
  statusText?: string;
  order?: 2 | 3;
}) {
  return (
    <Group justify="space-between" align="baseline" gap="xs" wrap="wrap" mb="xs" maw={720}>
      <Title order={order} id={id}>
        {title}
      </Title>
      {status && statusText && (
        <Group gap={6} wrap="nowrap" className="section-status" data-status={status}>
          <StepStatusIcon status={status} size={16} />
          <Text size="sm" c={status === 'not_started' ? 'dimmed' : undefined}>
            {statusText}
          </Text>
        </Group>
      )}
    </Group>
  );
}
