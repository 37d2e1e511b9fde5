/**
 * The Microsoft Graph adapter against a real Entra test tenant (LIVE_ENTRA=1): the enterprise app's
 * service principal by display name, its provisioning job and the job's schema. Read-only: this
 * suite writes nothing, even with LIVE_WRITE=1.
 *
 * Variables: GRAPH_ACCESS_TOKEN; optional LIVE_ENTRA_GRAPH_URL (default
 * https://graph.microsoft.com/v1.0) and LIVE_ENTRA_APP_NAME (default "dbt SCIM").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraph } from '../../electron/adapters/entra/graph.js';
import type { UndiciHttpClient } from '../../electron/adapters/http/client.js';
import { systemClock } from '../../electron/core/clock.js';
import { cleanSecret } from '../../electron/core/dbt/secret-input.js';
import {
  cleanAppName,
  cleanGraphUrl,
  DEFAULT_APP_NAME,
  DEFAULT_GRAPH_URL,
} from '../../electron/core/entra/inputs.js';
import type { GraphPort, GraphServicePrincipal, SyncJob } from '../../electron/core/entra/ports.js';
import { registerSecret } from '../../electron/core/redact.js';
import { env, liveHttp, liveSuite, requireVars } from './live-env.js';

const LIVE = liveSuite('LIVE_ENTRA');

describe.skipIf(!LIVE)('Microsoft Entra ID, live', () => {
  let http: UndiciHttpClient;
  let graph: GraphPort;
  let appName: string;
  let sp: GraphServicePrincipal | undefined;
  let jobs: SyncJob[] = [];

  beforeAll(async () => {
    const v = requireVars('LIVE_ENTRA', ['GRAPH_ACCESS_TOKEN']);
    const token = cleanSecret(v.GRAPH_ACCESS_TOKEN, 'bearer').value;
    registerSecret(token);
    const given = (name: string): string | undefined => {
      const value = env[name]?.trim();
      return value === '' ? undefined : value;
    };
    const graphUrl = cleanGraphUrl(given('LIVE_ENTRA_GRAPH_URL') ?? DEFAULT_GRAPH_URL).url;
    appName = cleanAppName(given('LIVE_ENTRA_APP_NAME') ?? DEFAULT_APP_NAME);
    http = liveHttp();
    graph = createGraph({
      http,
      clock: systemClock,
      graphUrl,
      getToken: () => Promise.resolve(token),
    });
    const found = await graph.findServicePrincipalsByName(appName);
    sp = found[0];
    if (found.length > 1) {
      console.log(`${found.length} enterprise apps are named "${appName}": reading the first.`);
    }
    jobs = sp ? await graph.listJobs(sp.id) : [];
  });
  afterAll(async () => {
    await http.close();
  });

  it('finds the enterprise app’s service principal by name', () => {
    expect(sp, `no enterprise app named "${appName}" in the tenant`).toBeDefined();
    expect(sp?.displayName).toBe(appName);
    expect(sp?.id).toMatch(/^[0-9a-f-]{36}$/i);
  });

  it('reads its provisioning job', async () => {
    if (!sp || jobs.length === 0) {
      console.log(`"${appName}" has no provisioning job yet: nothing more to read.`);
      return;
    }
    const job = await graph.getJob(sp.id, jobs[0]!.id);
    expect(job?.id).toBe(jobs[0]!.id);
    console.log(`Provisioning job: ${job?.statusCode ?? ''}, schedule ${job?.scheduleState ?? ''}`);
  });

  it('reads the job’s schema', async () => {
    if (!sp || jobs.length === 0) {
      return;
    }
    const schema = await graph.getSchema(sp.id, jobs[0]!.id);
    expect(Array.isArray(schema.synchronizationRules)).toBe(true);
    expect(Array.isArray(schema.directories)).toBe(true);
  });
});
