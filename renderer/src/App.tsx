import { Loader, Stack, Text, VisuallyHidden } from '@mantine/core';
import { useEffect, useRef, type RefObject } from 'react';
import { client } from './api/client.js';
import { ActivityLog } from './components/ActivityLog.js';
import { ErrorCallout } from './components/ErrorCallout.js';
import { FirstRun } from './components/FirstRun.js';
import { Header } from './components/Header.js';
import { InterruptedAlert } from './components/InterruptedAlert.js';
import { StepRail } from './components/StepRail.js';
import { Dashboard } from './dashboard/Dashboard.js';
import type { ProfileDto } from './model.js';
import { StepScreen } from './steps/StepScreen.js';
import { HEALTH_LABELS, healthOf, useStatusView } from './store/status.js';
import { selectActiveProfile, useWizardStore, type WizardView } from './store/wizard.js';

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

/**
 * When the main area switches between the Overview and a step, its h1 takes focus (not when the
 * window first opens on one of them).
 */
function useFocusOnViewChange(
  view: WizardView,
  ready: boolean,
  main: RefObject<HTMLElement | null>,
): void {
  const shown = useRef<WizardView | null>(null);
  useEffect(() => {
    if (!ready) {
      return;
    }
    if (shown.current !== null && shown.current !== view) {
      main.current?.querySelector<HTMLElement>('h1')?.focus();
    }
    shown.current = view;
  }, [view, ready, main]);
}

/** The rail with the Overview's verdict ("Healthy") once the Overview has read it. */
function Rail({ profile, view }: { profile: ProfileDto; view: WizardView }) {
  const goto = useWizardStore((s) => s.goto);
  const showOverview = useWizardStore((s) => s.showOverview);
  const status = useStatusView(profile.id);
  return (
    <StepRail
      profile={profile}
      view={view}
      health={status.loaded ? HEALTH_LABELS[healthOf(status.status)] : null}
      onOpen={(step) => void goto(step)}
      onOverview={showOverview}
    />
  );
}

export function App() {
  const load = useWizardStore((s) => s.load);
  const loadError = useWizardStore((s) => s.loadError);
  const loadAll = useWizardStore((s) => s.loadAll);
  const goto = useWizardStore((s) => s.goto);
  const profile = useWizardStore(selectActiveProfile);
  const view = useWizardStore((s) => s.view);
  const main = useRef<HTMLElement>(null);

  useEngineEvents();
  useFocusOnViewChange(view, load === 'ready', main);
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
        <Rail profile={profile} view={view} />
        <main className="app-main" ref={main}>
          <Stack gap="lg" maw={880}>
            <ActionErrorCallout />
            <InterruptedAlert />
            {view === 'overview' ? (
              <Dashboard key={profile.id} profile={profile} onGoto={(step) => void goto(step)} />
            ) : (
              <StepScreen profile={profile} onGoto={goto} />
            )}
            {/* The Overview stays calm: a check's own steps are not listed as activity. */}
            {view === 'step' && <ActivityLog />}
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
