/**
 * Engine events as lines a person reads: "Identity provider: applying changes",
 * "Waiting for Entra to finish creating the app… 12 s".
 */
import type { EngineEventDto, Idp } from '../model.js';
import { PHASE_STATUS } from '../model.js';
import { stepTitle } from '../steps/catalog.js';

export type LogTone = 'info' | 'success' | 'error';

export interface LogEntry {
  /** Unique within a profile's log. */
  readonly key: string;
  readonly at: string;
  readonly runId: string;
  readonly text: string;
  readonly tone: LogTone;
}

/** How many lines each profile's log keeps. */
export const LOG_LIMIT = 50;

function elapsed(ms: number): string {
  if (ms < 1000) {
    return '';
  }
  const s = Math.round(ms / 1000);
  return s < 120 ? ` · ${s} s` : ` · ${Math.floor(s / 60)} min ${s % 60} s`;
}

export function describeEvent(event: EngineEventDto, idp: Idp | null): Omit<LogEntry, 'key'> {
  const step = stepTitle(event.step, idp);
  if (event.type === 'progress') {
    return {
      at: event.at,
      runId: event.runId,
      text: `${step}: ${event.message}${elapsed(event.elapsedMs)}`,
      tone: 'info',
    };
  }
  const failure = event.phase === 'failed' && event.error ? `: ${event.error.message}` : '';
  return {
    at: event.at,
    runId: event.runId,
    text: `${step}: ${PHASE_STATUS[event.phase]}${failure}`,
    tone: event.phase === 'verified' ? 'success' : event.phase === 'failed' ? 'error' : 'info',
  };
}
