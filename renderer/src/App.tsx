import { Loader, Stack, Text, VisuallyHidden } from '@mantine/core';
import { useEffect } from 'react';
import { client } from './api/client.js';
import { ActivityLog } from './components/ActivityLog.js';
import { ErrorCallout } from './components/ErrorCallout.js';
import { FirstRun } from './components/FirstRun.js';
import { Header } from './components/Header.js';
import { InterruptedAlert } from './components/InterruptedAlert.js';
import { StepRail } from './components/StepRail.js';
import { StepScreen } from './steps/StepScreen.js';
import { selectActiveProfile, useWizardStore } from './store/wizard.js';

/** Listens to engine events for as long as the window is open. */
function useEngineEvents(): void {
  useEffect(() => {
    try {
      return client.events.onEngine((event) => {
        useWizardStore.getState().receiveEvent(event);
      });
    } catch {
      // No api: the load below reports it with a Retry.
      return undefined;
    }
  }, []);
}

function ActionErrorCallout() {
  const actionError = useWizardStore((s) => s.actionError);
  const clear = useWizardStore((s) => s.clearActionError);
  if (!actionError) {
    return null;
  }
  const { retry } = actionError;
  return (
    <ErrorCallout
      title={actionError.title}
      error={actionError.error}
      onDismiss={clear}
      {...(retry
        ? {
            onRetry: () => {
              clear();
              retry();
            },
          }
        : {})}
    />
  );
}

export function App() {
  const load = useWizardStore((s) => s.load);
  const loadError = useWizardStore((s) => s.loadError);
  const loadAll = useWizardStore((s) => s.loadAll);
  const goto = useWizardStore((s) => s.goto);
  const profile = useWizardStore(selectActiveProfile);

  useEngineEvents();
  useEffect(() => {
    void loadAll();
  }, [loadAll]);

  let body;
  if (load === 'error' && loadError) {
    body = (
      <main className="app-main app-main--narrow">
        <VisuallyHidden>
          <h1>dbt SCIM Wizard</h1>
        </VisuallyHidden>
        <ErrorCallout
          title="Could not load your profiles"
          error={loadError}
          onRetry={() => void loadAll()}
        />
      </main>
    );
  } else if (load !== 'ready') {
    body = (
      <main className="app-main app-main--narrow">
        <VisuallyHidden>
          <h1>dbt SCIM Wizard</h1>
        </VisuallyHidden>
        <Stack align="center" gap="sm" mt="xl" role="status">
          <Loader size="sm" aria-hidden />
          <Text c="dimmed">Loading your profiles…</Text>
        </Stack>
      </main>
    );
  } else if (!profile) {
    body = (
      <main className="app-main app-main--narrow">
        <FirstRun />
      </main>
    );
  } else {
    body = (
      <div className="app-body">
        <StepRail profile={profile} onOpen={(step) => void goto(step)} />
        <main className="app-main">
          <Stack gap="lg" maw={880}>
            <ActionErrorCallout />
            <InterruptedAlert />
            <StepScreen profile={profile} onGoto={goto} />
            <ActivityLog />
          </Stack>
        </main>
      </div>
    );
  }

  return (
    <div className="app">
      <Header />
      {body}
    </div>
  );
}
