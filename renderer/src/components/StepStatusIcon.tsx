import {
  IconCircleCheck,
  IconCircleDashed,
  IconCircleHalf2,
  IconCircleX,
  IconHandStop,
  type Icon,
} from '@tabler/icons-react';
import type { StepStatus } from '../model.js';
import { STATUS_LABELS } from '../model.js';

const ICONS: Readonly<Record<StepStatus, Icon>> = {
  not_started: IconCircleDashed,
  in_progress: IconCircleHalf2,
  needs_you: IconHandStop,
  verified: IconCircleCheck,
  failed: IconCircleX,
};

/** Colour backs up the shape and the label; it never carries the meaning alone. */
const COLORS: Readonly<Record<StepStatus, string>> = {
  not_started: 'var(--mantine-color-dimmed)',
  in_progress: 'var(--mantine-color-blue-text)',
  needs_you: 'var(--mantine-color-orange-text)',
  verified: 'var(--mantine-color-teal-text)',
  failed: 'var(--mantine-color-red-text)',
};

/**
 * The icon of a step status. With `label`, the icon is announced as the status ("Verified");
 * without it, it is decorative and the caller shows the label as text.
 */
export function StepStatusIcon({
  status,
  size = 20,
  label = false,
}: {
  status: StepStatus;
  size?: number;
  label?: boolean;
}) {
  const Glyph = ICONS[status];
  return (
    <Glyph
      size={size}
      stroke={1.75}
      style={{ color: COLORS[status], flex: 'none' }}
      data-status={status}
      {...(label ? { role: 'img', 'aria-label': STATUS_LABELS[status] } : { 'aria-hidden': true })}
    />
  );
}
