import type { Logger } from '../../electron/core/ports.js';
import { createServices, type Services } from '../../electron/services/container.js';
import { FakeClock } from './fake-clock.js';

/** Real services for the CLI, with a fake clock so retries do not wait in tests. */
export function cliServicesWithFakeClock(
  clock = new FakeClock(),
): (home: string, log: Logger) => Services {
  return (home, log) => createServices({ home, face: 'cli', version: 'test', log, clock });
}
