import { Text, UnstyledButton } from '@mantine/core';
import { IconLayoutDashboard } from '@tabler/icons-react';
import { useRef, useState, type FocusEvent, type KeyboardEvent } from 'react';
import type { ProfileDto, StepId } from '../model.js';
import { STATUS_LABELS, STEP_ORDER, statusOf } from '../model.js';
import { stepTitle } from '../steps/catalog.js';
import type { WizardView } from '../store/wizard.js';
import { StepStatusIcon } from './StepStatusIcon.js';

/** The rail's entries: the Overview first, then the six steps. */
const ENTRY_COUNT = STEP_ORDER.length + 1;

/**
 * The rail: the Overview, then the six steps. One Tab stop (roving tabindex): Up/Down (and
 * Home/End) move between entries, Enter or Space opens one. The open one carries `aria-current`
 * (`page` for the Overview, `step` for a step).
 */
export function StepRail({
  profile,
  view,
  health,
  onOpen,
  onOverview,
}: {
  profile: ProfileDto;
  view: WizardView;
  /** The Overview's verdict in words ("Healthy"), once known. */
  health: string | null;
  onOpen: (step: StepId) => void;
  onOverview: () => void;
}) {
  const overviewOpen = view === 'overview';
  // Entry 0 is the Overview; entry i + 1 is STEP_ORDER[i].
  const current = overviewOpen ? 0 : STEP_ORDER.indexOf(profile.currentStep) + 1;
  // While focus is inside the rail it may rest on any entry; otherwise the Tab stop is the open one.
  const [focused, setFocused] = useState<number | null>(null);
  const tabStop = focused ?? current;
  const buttons = useRef<(HTMLButtonElement | null)[]>([]);

  function move(to: number): void {
    const next = Math.max(0, Math.min(ENTRY_COUNT - 1, to));
    setFocused(next);
    buttons.current[next]?.focus();
  }

  function onKeyDown(e: KeyboardEvent<HTMLButtonElement>, index: number): void {
    const target: Record<string, number> = {
      ArrowDown: index + 1,
      ArrowUp: index - 1,
      Home: 0,
      End: ENTRY_COUNT - 1,
    };
    const to = target[e.key];
    if (to !== undefined) {
      e.preventDefault();
      move(to);
    }
  }

  function onBlur(e: FocusEvent<HTMLDivElement>): void {
    if (!(e.relatedTarget instanceof Node) || !e.currentTarget.contains(e.relatedTarget)) {
      setFocused(null);
    }
  }

  const overviewText = health ?? 'Health at a glance';
  return (
    <nav aria-label="Setup steps" className="step-rail">
      <div onBlur={onBlur}>
        <UnstyledButton
          ref={(el) => {
            buttons.current[0] = el;
          }}
          className="step-rail__item step-rail__overview"
          tabIndex={tabStop === 0 ? 0 : -1}
          onFocus={() => {
            setFocused(0);
          }}
          onKeyDown={(e) => {
            onKeyDown(e, 0);
          }}
          data-current={overviewOpen || undefined}
          aria-current={overviewOpen ? 'page' : undefined}
          aria-label={`Overview, ${overviewText.toLowerCase()}`}
          onClick={onOverview}
        >
          <IconLayoutDashboard
            size={20}
            stroke={1.75}
            aria-hidden
            style={{ color: 'var(--mantine-color-blue-text)', flex: 'none' }}
          />
          <span className="step-rail__text">
            <Text component="span" size="sm" fw={overviewOpen ? 600 : 500} display="block">
              Overview
            </Text>
            <Text component="span" size="xs" c="dimmed" display="block">
              {overviewText}
            </Text>
          </span>
        </UnstyledButton>
        <ol className="step-rail__list">
          {STEP_ORDER.map((step, i) => {
            const index = i + 1;
            const status = statusOf(profile, step);
            const isCurrent = !overviewOpen && step === profile.currentStep;
            const title = stepTitle(step, profile.idp);
            return (
              <li key={step}>
                <UnstyledButton
                  ref={(el) => {
                    buttons.current[index] = el;
                  }}
                  className="step-rail__item"
                  tabIndex={index === tabStop ? 0 : -1}
                  onFocus={() => {
                    setFocused(index);
                  }}
                  onKeyDown={(e) => {
                    onKeyDown(e, index);
                  }}
                  data-current={isCurrent || undefined}
                  aria-current={isCurrent ? 'step' : undefined}
                  aria-label={`${title}, ${STATUS_LABELS[status].toLowerCase()}`}
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
      </div>
    </nav>
  );
}
