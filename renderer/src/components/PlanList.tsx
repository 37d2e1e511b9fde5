import { Text } from '@mantine/core';
import { IconCircleCheck, IconMinus, IconPencil, IconPlus, type Icon } from '@tabler/icons-react';
import type { ChangeDto } from '../../../electron/ipc/contract.js';

type Action = ChangeDto['action'];

/** The word carries the meaning; the icon and colour (AA-dark classes for the word) back it up. */
const LOOK: Readonly<Record<Action, { icon: Icon; tone: string; label: string }>> = {
  add: { icon: IconPlus, tone: 'tone-pass', label: 'Add' },
  change: { icon: IconPencil, tone: 'tone-change', label: 'Change' },
  remove: { icon: IconMinus, tone: 'tone-fail', label: 'Remove' },
};

/** A plan as the admin reads it before anything changes: an add / change / remove mark per line. */
export function PlanList({
  changes,
  label,
  emptyText = 'No changes needed: dbt already matches.',
}: {
  changes: readonly ChangeDto[];
  label: string;
  /** Said when there is nothing to change. */
  emptyText?: string;
}) {
  if (changes.length === 0) {
    return (
      <div className="plan-list plan-list--empty">
        <IconCircleCheck
          size={18}
          aria-hidden
          style={{ color: 'var(--mantine-color-teal-text)', flex: 'none' }}
        />
        <Text size="sm">{emptyText}</Text>
      </div>
    );
  }
  return (
    <ul className="plan-list" aria-label={label}>
      {changes.map((change) => {
        const look = LOOK[change.action];
        const Glyph = look.icon;
        return (
          <li key={change.id} className="plan-list__item" data-action={change.action}>
            <span className={`plan-list__mark ${look.tone}`}>
              <Glyph size={14} stroke={2.25} aria-hidden />
              <Text component="span" size="xs" fw={600}>
                {look.label}
              </Text>
            </span>
            <Text size="sm" component="span" className="plan-list__detail">
              {sentence(change.detail)}
            </Text>
          </li>
        );
      })}
    </ul>
  );
}

/** "turn SCIM on" → "Turn SCIM on." */
function sentence(text: string): string {
  const t = text.trim();
  if (t === '') {
    return t;
  }
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.…]$/.test(first) ? first : `${first}.`;
}
