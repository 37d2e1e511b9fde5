import { Alert, Text } from '@mantine/core';
import { IconHistory } from '@tabler/icons-react';
import { PHASE_NOUNS } from '../model.js';
import { stepTitle } from '../steps/catalog.js';
import { selectActiveProfile, useWizardStore } from '../store/wizard.js';

/** Tells the admin that a run stopped part-way, and that re-running it is safe. */
export function InterruptedAlert() {
  const runs = useWizardStore((s) => s.interrupted);
  const profile = useWizardStore(selectActiveProfile);
  const dismiss = useWizardStore((s) => s.dismissInterrupted);

  if (runs.length === 0 || !profile) {
    return null;
  }
  return (
    <Alert
      variant="light"
      color="blue"
      title={runs.length === 1 ? 'A run was interrupted' : 'Some runs were interrupted'}
      icon={<IconHistory aria-hidden />}
      withCloseButton
      closeButtonLabel="Dismiss"
      onClose={dismiss}
    >
      {runs.map((run) => (
        <Text size="sm" key={run.runId}>
          A run was interrupted during {PHASE_NOUNS[run.phase]} of{' '}
          {stepTitle(run.step, profile.idp)}. Re-running it is safe: it picks up where it stopped.
        </Text>
      ))}
    </Alert>
  );
}
