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

/** The part of the Entra setup a run works on, so its phases read apart in the log. */
const PART_NAMES: Readonly<Record<string, string>> = {
  'entra.app': 'enterprise app',
  'entra.job': 'provisioning job',
  'entra.credentials': 'connection to dbt',
  'entra.schema': 'attribute mappings',
  'entra.start': 'provisioning',
  'entra.test-user': 'provision on demand',
};

/** The events of a run (an `open` request is not one). */
export type RunEventDto = Exclude<EngineEventDto, { type: 'open' }>;

export function describeEvent(event: RunEventDto, idp: Idp | null): Omit<LogEntry, 'key'> {
  const step = stepTitle(event.step, idp);
  if (event.type === 'progress') {
    return {
      at: event.at,
      runId: event.runId,
      // A message that counts its own seconds ("… 12 s") needs no second count.
      text: `${step}: ${event.message}${/\d s$/.test(event.message) ? '' : elapsed(event.elapsedMs)}`,
      tone: 'info',
    };
  }
  const failure = event.phase === 'failed' && event.error ? `: ${event.error.message}` : '';
  const part = PART_NAMES[event.kind];
  // A read-back that ends with items still waiting for the admin (and none failing) is not a failure.
  const waiting =
    event.phase === 'failed' &&
    !event.error &&
    (event.checks?.some((c) => c.status === 'pending') ?? false) &&
    !(event.checks?.some((c) => c.status === 'fail') ?? false);
  if (waiting) {
    return {
      at: event.at,
      runId: event.runId,
      text: `${step}: ${part ? `${part}, ` : ''}checked, waiting for you`,
      tone: 'info',
    };
  }
  return {
    at: event.at,
    runId: event.runId,
    text: `${step}: ${part ? `${part}, ` : ''}${PHASE_STATUS[event.phase]}${failure}`,
    tone: event.phase === 'verified' ? 'success' : event.phase === 'failed' ? 'error' : 'info',
  };
}
