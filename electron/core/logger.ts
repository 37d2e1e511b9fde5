/**
 * Loggers whose every record passes the redaction sink before any transport sees it.
 */
import type { LogLevel, LogRecord, Logger } from './ports.js';
import { redact, redactDeep } from './redact.js';

export type LogTransport = (record: LogRecord) => void;

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  readonly transport: LogTransport;
  readonly level?: LogLevel;
  readonly now?: () => Date;
}

export function createLogger(scope: string, options: LoggerOptions): Logger {
  const min = LEVELS[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>): void => {
    if (LEVELS[level] < min) {
      return;
    }
    const record: LogRecord = {
      at: now().toISOString(),
      level,
      scope,
      message: redact(message),
      ...(fields ? { fields: redactDeep(fields) } : {}),
    };
    options.transport(record);
  };
  return {
    debug: (m, f) => {
      write('debug', m, f);
    },
    info: (m, f) => {
      write('info', m, f);
    },
    warn: (m, f) => {
      write('warn', m, f);
    },
    error: (m, f) => {
      write('error', m, f);
    },
    child: (sub) => createLogger(`${scope}/${sub}`, options),
  };
}

/** A logger that keeps its records in memory: for tests and for the diagnostic view. */
export function memoryLogger(scope = 'test'): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = createLogger(scope, {
    level: 'debug',
    transport: (r) => {
      records.push(r);
    },
  });
  return { logger, records };
}

/** One JSON line per record, for log files and stderr. */
export function formatLogLine(record: LogRecord): string {
  return JSON.stringify(record);
}

export const silentLogger: Logger = createLogger('silent', {
  transport: () => undefined,
  level: 'error',
});
