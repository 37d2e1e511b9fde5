import { Group, Stack, Text } from '@mantine/core';
import {
  IconCircleCheck,
  IconCircleMinus,
  IconCircleX,
  IconHandStop,
  type Icon,
} from '@tabler/icons-react';
import type { ReactNode } from 'react';
import type { CheckDto } from '../../../electron/ipc/contract.js';
import { clockTime } from '../util/time.js';

export type CheckStatus = CheckDto['status'];

const LOOK: Readonly<
  Record<CheckStatus, { icon: Icon; color: string; label: string; tone: string }>
> = {
  pass: {
    icon: IconCircleCheck,
    color: 'var(--mantine-color-teal-text)',
    label: 'Passed',
    tone: 'tone-pass',
  },
  fail: {
    icon: IconCircleX,
    color: 'var(--mantine-color-red-text)',
    label: 'Failed',
    tone: 'tone-fail',
  },
  pending: {
    icon: IconHandStop,
    color: 'var(--mantine-color-orange-text)',
    label: 'Needs you',
    tone: '',
  },
  skip: {
    icon: IconCircleMinus,
    color: 'var(--mantine-color-dimmed)',
    label: 'Skipped',
    tone: '',
  },
};

export function checkStatusLabel(status: CheckStatus): string {
  return LOOK[status].label;
}

/**
 * Read-back results as a checklist: per check a status icon with its word, a short title when
 * known, the engine's sentence and the time it was checked. Colour only backs up icon and word.
 */
export function CheckList({
  checks,
  titles = {},
  label,
  extra,
  compact = false,
}: {
  checks: readonly CheckDto[];
  /** Short titles by check id ("Plan", "IP restrictions"). */
  titles?: Readonly<Record<string, string>>;
  /** The list's accessible name. */
  label: string;
  /** Something to show under one check (a button that fixes it, say). */
  extra?: (check: CheckDto) => ReactNode;
  /** One line per check, without its time (the caller says when once): for long lists. */
  compact?: boolean;
}) {
  if (compact) {
    return (
      <ul className="check-list check-list--compact" aria-label={label}>
        {checks.map((check) => {
          const look = LOOK[check.status];
          const Glyph = look.icon;
          const title = titles[check.id];
          return (
            <li key={check.id} className="check-list__row" data-status={check.status}>
              <Glyph
                size={18}
                stroke={1.75}
                aria-hidden
                style={{ color: look.color, flex: 'none', marginTop: 1 }}
              />
              <Text size="sm" fw={600} component="span" className={look.tone}>
                {look.label}
              </Text>
              <Text size="sm" component="span" className="check-list__message">
                {title && (
                  <Text size="sm" fw={600} component="span">
                    {title}:{' '}
                  </Text>
                )}
                {check.message}
              </Text>
              {extra && <div className="check-list__extra">{extra(check)}</div>}
            </li>
          );
        })}
      </ul>
    );
  }
  return (
    <ul className="check-list" aria-label={label}>
      {checks.map((check) => {
        const look = LOOK[check.status];
        const Glyph = look.icon;
        const title = titles[check.id];
        const time = clockTime(check.at);
        return (
          <li key={check.id} className="check-list__item" data-status={check.status}>
            <Glyph
              size={20}
              stroke={1.75}
              aria-hidden
              style={{ color: look.color, flex: 'none', marginTop: 2 }}
            />
            <Stack gap={2} className="check-list__body">
              <Group gap={8} wrap="wrap">
                {title && (
                  <Text size="sm" fw={600} component="span">
                    {title}
                  </Text>
                )}
                <Text size="sm" fw={600} component="span" className={look.tone}>
                  {look.label}
                </Text>
              </Group>
              <Text size="sm">{check.message}</Text>
              {time && (
                <Text size="xs" c="dimmed">
                  Checked at {time}
                </Text>
              )}
              {extra?.(check)}
            </Stack>
          </li>
        );
      })}
    </ul>
  );
}
