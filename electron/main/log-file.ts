/**
 * The main process log: JSON lines in <home>/logs/main.log, readable by the user only. Records
 * arrive already redacted (createLogger redacts before any transport).
 */
import {
  closeSync,
  fchmodSync,
  mkdirSync,
  openSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import type { LogTransport } from '../core/logger.js';
import { formatLogLine } from '../core/logger.js';

/** A log larger than this at start is moved to main.log.1 (one generation kept). */
export const MAX_LOG_BYTES = 5 * 1024 * 1024;

export interface LogFile {
  readonly transport: LogTransport;
  close(): void;
}

export function openLogFile(path: string, maxBytes = MAX_LOG_BYTES): LogFile {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    if (statSync(path).size > maxBytes) {
      renameSync(path, `${path}.1`);
    }
  } catch {
    // no log yet
  }
  let fd: number | null = openSync(path, 'a', 0o600);
  try {
    fchmodSync(fd, 0o600);
  } catch {
    // not supported on this file system (Windows): the profile directory protects it
  }
  return {
    transport: (record) => {
      if (fd === null) {
        return;
      }
      try {
        writeSync(fd, `${formatLogLine(record)}\n`);
      } catch {
        // a full disk must not take the app down
      }
    },
    close: () => {
      if (fd !== null) {
        closeSync(fd);
        fd = null;
      }
    },
  };
}
