import { Text, UnstyledButton } from '@mantine/core';
import { useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import type { ProfileDto, StepId } from '../model.js';
import { STATUS_LABELS, STEP_ORDER, statusOf } from '../model.js';
import { stepTitle } from '../steps/catalog.js';
import { StepStatusIcon } from './StepStatusIcon.js';

/**
 * The rail of the six steps. One Tab stop (roving tabindex): Up/Down (and Home/End) move between
 * steps, Enter or Space opens one. The open step carries `aria-current="step"`.
 */
export function StepRail({
  profile,
  onOpen,
}: {
  profile: ProfileDto;
  onOpen: (step: StepId) => void;
}) {
  const current = STEP_ORDER.indexOf(profile.currentStep);
  // While focus is inside the rail it may rest on any step; otherwise the Tab stop is the open step.
  const [focused, setFocused] = useState<number | null>(null);
  const tabStop = focused ?? current;
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  function move(to: number): void {
    const next = Math.max(0, Math.min(STEP_ORDER.length - 1, to));
    setFocused(next);
    buttons.current[next]?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLButtonElement>, index: number): void {
    const target: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      Home: 0,
      End: STEP_ORDER.length - 1,
    };
    const to = target[e.key];
    if (to !== undefined) {
      e.preventDefault();
      move(to);
    }
  }

  function onBlur(e: FocusEvent<HTMLOListElement>): void {
    if (!(e.relatedTarget instanceof Node) || !e.currentTarget.contains(e.relatedTarget)) {
      setFocused(null);
    }
  }

  return (
    <nav aria-label="Setup steps" className="step-rail">
      <ol className="step-rail__list" onBlur={onBlur}>
        {STEP_ORDER.map((step, index) => {
          const status = statusOf(profile, step);
          const isCurrent = step === profile.currentStep;
          const title = stepTitle(step, profile.idp);
          return (
            <li key={step}>
              <UnstyledButton
                ref={(el) => {
                  buttons.current[index] = el;
                }}
                className="step-rail__item"
                data-current={isCurrent || undefined}
                aria-current={isCurrent ? 'step' : undefined}
                aria-label={`${title}, ${STATUS_LABELS[status].toLowerCase()}`}
                tabIndex={index === tabStop ? 0 : -1}
                onFocus={() => {
                  setFocused(index);
                }}
                onKeyDown={(e) => {
                  onKeyDown(e, index);
                }}
                onClick={() => {
                  onOpen(step);
                }}
              >
                <StepStatusIcon status={status} />
                <span className="step-rail__text">
                  <Text component="span" size="sm" fw={isCurrent ? 600 : 500} display="block">
                    {title}
                  </Text>
                  <Text component="span" size="xs" c="dimmed" display="block">
                    {STATUS_LABELS[status]}
                  </Text>
                </span>
              </UnstyledButton>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
