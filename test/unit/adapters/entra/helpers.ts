/**
 * The Graph adapter over the real HTTP client, wired against the fake Graph and the fake dbt: a
 * memory logger, a FakeClock (so throttling and consistency waits are instant and recorded) and a
 * resolver that refuses every name, so nothing can ever leave 127.0.0.1.
 */
import { createGraph, type ConsistencyPolicy } from '../../../../electron/adapters/entra/graph.js';
import type { GraphPort } from '../../../../electron/core/entra/ports.js';
import { startFakeDbt, type FakeDbt } from '../../../fakes/dbt.js';
import { startFakeGraph, type FakeGraph, type FakeGraphOptions } from '../../../fakes/graph.js';
import { testClient, type TestClient } from '../dbt/helpers.js';

export { caught } from '../dbt/helpers.js';

export const NON_GALLERY = '8adf8e6e-67b2-4cf2-a259-e3dc5476c621';

export interface Harness {
  readonly fake: FakeGraph;
  readonly dbt: FakeDbt;
  readonly client: TestClient;
  readonly graph: GraphPort;
  /** How many times the adapter asked for a token. */
  readonly tokenCalls: () => number;
  /** An adapter with other options (another token, another consistency policy). */
  readonly adapter: (o?: { token?: string; consistency?: Partial<ConsistencyPolicy> }) => GraphPort;
  /** A SCIM token the fake dbt accepts (SCIM is enabled). */
  readonly scimToken: string;
  close(): Promise<void>;
}

export async function startHarness(
  options: FakeGraphOptions & { shareClock?: boolean } = {},
): Promise<Harness> {
  const client = testClient();
  const { shareClock, ...graphOptions } = options;
  const fake = await startFakeGraph({
    ...graphOptions,
    ...(shareClock ? { now: () => client.clock.now() } : {}),
  });
  const dbt = await startFakeDbt({ scimConfig: { enabled: true } });
  const scimToken = dbt.createScimToken('entra', `scim_${'x'.repeat(8)}_${Date.now()}_tok`);
  let calls = 0;
  const adapter = (
    o: { token?: string; consistency?: Partial<ConsistencyPolicy> } = {},
  ): GraphPort =>
    createGraph({
      http: client.http,
      clock: client.clock,
      graphUrl: fake.graphUrl,
      getToken: () => {
        calls += 1;
        return Promise.resolve(o.token ?? fake.token);
      },
      ...(o.consistency ? { consistency: o.consistency } : {}),
    });
  return {
    fake,
    dbt,
    client,
    graph: adapter(),
    tokenCalls: () => calls,
    adapter,
    scimToken,
    async close() {
      await client.http.close();
      await fake.close();
      await dbt.close();
    },
  };
}

/** Everything the adapter logged, as one string (to look for secrets). */
export function logText(h: Harness): string {
  return JSON.stringify(h.client.records);
}

/** Instantiates an app and creates its `scim` job: the ids the sync tests work on. */
export async function appWithJob(
  h: Harness,
  name = 'dbt Cloud SCIM',
): Promise<{ spId: string; jobId: string; ruleId: string }> {
  const { servicePrincipal } = await h.graph.instantiate(NON_GALLERY, name);
  const job = await h.graph.createJob(servicePrincipal.id, 'scim');
  const schema = await h.graph.getSchema(servicePrincipal.id, job.id);
  const rules = schema.synchronizationRules as { id: string }[];
  return { spId: servicePrincipal.id, jobId: job.id, ruleId: rules[0]!.id };
}
