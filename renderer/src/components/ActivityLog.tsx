import { Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import type { LogEntry } from '../store/events.js';
import { useWizardStore } from '../store/wizard.js';

const NO_ENTRIES: readonly LogEntry[] = [];
const SHOWN = 8;

function time(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime())
    ? ''
    : d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/**
 * What the engine is doing for the active profile: the last lines, newest first, and a polite
 * live region that announces each new status line.
 */
export function ActivityLog() {
  const entries = useWizardStore((s) =>
    s.activeProfileId ? (s.log[s.activeProfileId] ?? NO_ENTRIES) : NO_ENTRIES,
  );
  const announcement = useWizardStore((s) => s.announcement);

  return (
    <>
      <VisuallyHidden>
        <div role="status" aria-live="polite" aria-atomic="true" data-testid="live-status">
          {announcement}
        </div>
      </VisuallyHidden>
      {entries.length > 0 && (
        <section aria-labelledby="activity-heading" className="activity">
          <Title order={2} id="activity-heading" mb="xs">
            Activity
          </Title>
          <Stack gap={4} component="ul" className="activity__list">
            {entries
              .slice(-SHOWN)
              .reverse()
              .map((e) => (
                <Text
                  component="li"
                  size="sm"
                  key={e.key}
                  c={e.tone === 'error' ? 'var(--mantine-color-error)' : undefined}
                >
                  <Text component="span" size="xs" c="dimmed" className="activity__time">
                    {time(e.at)}
                  </Text>{' '}
                  {e.text}
                </Text>
              ))}
          </Stack>
        </section>
      )}
    </>
  );
}
