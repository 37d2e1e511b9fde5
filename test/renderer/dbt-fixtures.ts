/** Answers of the dbt channels for the renderer tests, shaped like the contract's outputs. */
import type { Channel } from '../../electron/ipc/channels.js';
import type {
  CheckDto,
  Input,
  Output,
  PrerequisitesDto,
  RunResultDto,
  SecretMetaDto,
} from '../../electron/ipc/contract.js';
import type { FakeApi } from './fake-api.js';

export const AT = '2026-11-29T10:42:00.000Z';

export function check(id: string, status: CheckDto['status'], message: string): CheckDto {
  return { id, status, message, at: AT };
}

export function prerequisites(over: Partial<PrerequisitesDto> = {}): PrerequisitesDto {
  return {
    checks: [
      check(
        'dbt.plan',
        'pass',
        'The account "Acme" is on the enterprise plan, which includes SCIM.',
      ),
      check('dbt.sso', 'pass', 'Single sign-on uses Okta.'),
      check(
        'dbt.ip-restrictions',
        'pass',
        'IP restrictions are off: the identity provider can reach dbt.',
      ),
    ],
    detectedIdp: 'okta',
    ipRestricted: false,
    account: { id: 12345, name: 'Acme', plan: 'enterprise', ssoMethod: 'okta' },
    ...over,
  };
}

export function runResult(over: Partial<RunResultDto> = {}): RunResultDto {
  return {
    runId: 'run-1',
    kind: 'dbt.scim-config',
    phase: 'planned',
    changes: [],
    checks: [],
    resumed: false,
    ...over,
  };
}

export function secret(
  name: string,
  last4: string,
  over: Partial<SecretMetaDto> = {},
): SecretMetaDto {
  return { name, last4, createdAt: AT, ...over };
}

/**
 * Serves `channel` with an answer that waits for `release()`, so a test can see the progress
 * state while the call runs. (The fake api resolves a promise-valued answer like the real one.)
 */
export function slow<C extends Channel>(
  fake: FakeApi,
  channel: C,
  answer: (input: Input<C>) => Output<C>,
): { release: () => void } {
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const handler = (input: Input<C>): Promise<Output<C>> => gate.then(() => answer(input));
  fake.handle(channel, handler as unknown as (input: Input<C>) => Output<C>);
  return {
    release: () => {
      release();
    },
  };
}
