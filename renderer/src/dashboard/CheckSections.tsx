import { Button, Stack, Text, Title } from '@mantine/core';
import { IconArrowRight } from '@tabler/icons-react';
import type { HealthItemDto } from '../../../electron/ipc/contract.js';
import { CheckList } from '../components/CheckList.js';
import { CodeText } from '../components/CodeText.js';
import type { Idp, StepId } from '../model.js';
import { stepTitle } from '../steps/catalog.js';
import { plural } from '../util/time.js';
import { AREA_TITLES } from './looks.js';

function titlesOf(items: readonly HealthItemDto[]): Record<string, string> {
  return Object.fromEntries(items.map((i) => [i.id, AREA_TITLES[i.area]]));
}

/**
 * What needs attention: each failed or waiting item with what to do and a button that opens the
 * step that fixes it.
 */
export function ProblemSection({
  problems,
  idp,
  onGoto,
}: {
  problems: readonly HealthItemDto[];
  idp: Idp | null;
  onGoto: (step: StepId) => void;
}) {
  if (problems.length === 0) {
    return null;
  }
  return (
    <section aria-labelledby="overview-problems">
      <Title order={2} id="overview-problems" size="h4" mb="xs">
        What needs attention
      </Title>
      <CheckList
        compact
        label="Items to look at"
        checks={problems}
        titles={titlesOf(problems)}
        extra={(check) => {
          const item = problems.find((p) => p.id === check.id);
          const fixStep = item?.fixStep;
          return (
            <Stack gap={6} align="flex-start" className="overview-fix">
              {item?.remediation && (
                <Text size="sm">
                  <CodeText text={item.remediation} />
                </Text>
              )}
              {fixStep && (
                <Button
                  size="xs"
                  variant="light"
                  rightSection={<IconArrowRight size={14} aria-hidden />}
                  onClick={() => {
                    onGoto(fixStep);
                  }}
                >
                  Open {stepTitle(fixStep, idp)}
                </Button>
              )}
            </Stack>
          );
        }}
      />
    </section>
  );
}

/** The checks that passed (and those skipped), folded away under one line. */
export function PassedSection({ items }: { items: readonly HealthItemDto[] }) {
  const passed = items.filter((i) => i.status === 'pass');
  const skipped = items.filter((i) => i.status === 'skip');
  const shown = [...passed, ...skipped];
  if (shown.length === 0) {
    return null;
  }
  const summary = `${plural(passed.length, 'check')} passed${
    skipped.length ? `, ${skipped.length} skipped` : ''
  }`;
  return (
    <section aria-labelledby="overview-passed">
      <Title order={2} id="overview-passed" size="h4" mb="xs">
        Checks
      </Title>
      <details className="overview-passed">
        <summary>
          <Text component="span" size="sm" fw={500}>
            {summary}
          </Text>
        </summary>
        <CheckList
          compact
          label="Passed and skipped checks"
          checks={shown}
          titles={titlesOf(shown)}
        />
      </details>
    </section>
  );
}
