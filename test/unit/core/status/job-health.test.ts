import { describe, expect, it } from 'vitest';
import type { SyncJob } from '../../../../electron/core/entra/ports.js';
import { jobHealth } from '../../../../electron/core/status/health.js';

const base: SyncJob = {
  id: 'scim.abc.def',
  templateId: 'scim',
  scheduleState: 'Active',
  statusCode: 'Active',
  quarantine: null,
  lastExecution: null,
  lastSuccessfulExecution: null,
  steadyStateFirstAchievedTime: null,
};

describe('jobHealth', () => {
  it('a running job with its last cycle, state and counts', () => {
    expect(
      jobHealth({
        ...base,
        lastExecution: {
          state: 'Warning',
          timeBegan: '2026-11-29T09:00:00Z',
          timeEnded: '2026-11-29T09:02:00Z',
          error: { code: 'x', message: 'One user could not be exported.' },
          counts: { imported: 12, exported: 3, escrowed: 1 },
        },
      }),
    ).toEqual({
      state: 'running',
      statusCode: 'Active',
      lastCycleAt: '2026-11-29T09:02:00Z',
      lastCycleState: 'Warning',
      lastCycleCounts: { imported: 12, exported: 3, escrowed: 1 },
      lastError: 'One user could not be exported.',
    });
  });

  it('a job in quarantine names the reason; no counts when Graph gives none', () => {
    const h = jobHealth({
      ...base,
      statusCode: 'Quarantine',
      quarantine: {
        reason: 'EncounteredQuarantineException',
        currentBegan: null,
        nextAttempt: null,
        seriesBegan: null,
        seriesCount: 1,
        error: { code: 'c', message: 'The SCIM endpoint refused the credentials.' },
      },
      lastExecution: {
        state: 'Failed',
        timeBegan: '2026-11-29T09:00:00Z',
        timeEnded: null,
        error: null,
      },
    });
    expect(h).toEqual({
      state: 'quarantine',
      statusCode: 'Quarantine',
      quarantineReason: 'The SCIM endpoint refused the credentials.',
      lastCycleAt: '2026-11-29T09:00:00Z',
      lastCycleState: 'Failed',
    });
  });
});
