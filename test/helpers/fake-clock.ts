import type { Clock } from '../../electron/core/ports.js';

/** A clock whose sleeps return at once and advance time; it records every wait. */
export class FakeClock implements Clock {
  readonly sleeps: number[] = [];
  private t: number;

  constructor(start = Date.parse('2026-11-29T10:00:00Z')) {
    this.t = start;
  }

  now(): Date {
    return new Date(this.t);
  }

  advance(ms: number): void {
    this.t += ms;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) {
      return Promise.reject(signal.reason as Error);
    }
    this.sleeps.push(ms);
    this.t += ms;
    return Promise.resolve();
  }
}
