import type { StepId } from '../../model.js';
import type { LogEntry } from '../../store/events.js';
import { useWizardStore } from '../../store/wizard.js';
import { stepTitle } from '../catalog.js';

/**
 * The engine's latest progress line for one step of a profile since a moment ("Waiting for Entra
 * to finish creating the app… 12 s"), without the step's name or the log's elapsed suffix (the
 * busy line counts the seconds). Undefined when nothing came yet.
 */
export function useProgressLine(
  profileId: string,
  step: StepId,
  since: string | null,
  active: boolean,
): string | undefined {
  const entry = useWizardStore((s) => {
    if (!active || !since) {
      return undefined;
    }
    const prefix = `${stepTitle(step, 'entra')}: `;
    const list: readonly LogEntry[] = s.log[profileId] ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i];
      if (!e || e.at < since) {
        break;
      }
      if (e.tone === 'info' && e.text.startsWith(prefix)) {
        return e;
      }
    }
    return undefined;
  });
  if (!entry) {
    return undefined;
  }
  const prefix = `${stepTitle(step, 'entra')}: `;
  return entry.text.slice(prefix.length).replace(/ · (\d+ min )?\d+ s$/, '');
}
