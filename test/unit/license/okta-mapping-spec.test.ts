/**
 * The spec checker's adjustment 10 (profile mapping updates) and the fake Okta's profile mappings,
 * at the wire: Okta's own request examples pass, a body shaped as the uncorrected description
 * would want does not, and the fake refuses what Okta refuses.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../electron/adapters/http/client.js';
import { createOktaPort } from '../../../electron/adapters/okta/client.js';
import { memoryLogger } from '../../../electron/core/logger.js';
import { licenseSchemaBody } from '../../../electron/core/okta/license.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { loadOktaSpec, startFakeOkta, type FakeOkta, type OktaSpec } from '../../fakes/okta.js';

let spec: OktaSpec;
const fakes: FakeOkta[] = [];

beforeAll(async () => {
  spec = await loadOktaSpec();
});

afterEach(async () => {
  for (const f of fakes.splice(0)) {
    await f.close();
  }
});

const PATH = '/api/v1/mappings/prm1';

describe('updateProfileMapping against the description', () => {
  it("accepts Okta's own request examples (add, update, remove)", () => {
    const examples = spec.requestExamples('POST', '/api/v1/mappings/{mappingId}');
    expect(Object.keys(examples).length).toBe(3);
    for (const [name, body] of Object.entries(examples)) {
      expect({ name, problems: spec.check({ method: 'POST', path: PATH, body }).problems }).toEqual(
        { name, problems: [] },
      );
    }
    const ours = {
      properties: {
        licenseType: {
          expression: 'isMemberOfGroupName("dbt_developers") ? "developer" : "read_only"',
          pushStatus: 'PUSH',
        },
      },
    };
    expect(spec.check({ method: 'POST', path: PATH, body: ours }).problems).toEqual([]);
    expect(spec.check({ method: 'POST', path: PATH, body: ours }).scopes).toEqual([
      'okta.profileMappings.manage',
    ]);
  });

  it('still refuses what is not a mapping update', () => {
    expect(spec.check({ method: 'POST', path: PATH, body: {} }).problems).not.toEqual([]);
    expect(
      spec.check({
        method: 'POST',
        path: PATH,
        body: { properties: { licenseType: { expression: '"x"', pushStatus: 'SOMETIMES' } } },
      }).problems,
    ).not.toEqual([]);
    expect(
      spec.check({
        method: 'POST',
        path: PATH,
        body: { properties: { licenseType: { expression: '"x"', pushed: true } } },
      }).problems,
    ).not.toEqual([]);
  });
});

describe('the fake Okta’s profile mappings', () => {
  it('lists per target, refuses unknown properties and invalid expressions, and removes with null', async () => {
    const okta = await startFakeOkta();
    fakes.push(okta);
    const auth = { authorization: `SSWS ${okta.apiToken}`, 'content-type': 'application/json' };
    const appId = okta.ids.dbtApp;
    const list = (await (
      await fetch(`${okta.url}/api/v1/mappings?targetId=${appId}`, { headers: auth })
    ).json()) as { id: string; source: { type: string }; properties?: unknown }[];
    expect(list).toHaveLength(1);
    expect(list[0]?.source.type).toBe('user');
    expect(list[0]?.properties).toBeUndefined();
    const id = list[0]?.id ?? '';
    const post = (body: unknown) =>
      fetch(`${okta.url}/api/v1/mappings/${id}`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify(body),
      });
    // licenseType is not in the app user profile yet.
    const unknown = await post({
      properties: { licenseType: { expression: '"developer"', pushStatus: 'PUSH' } },
    });
    expect(unknown.status).toBe(400);
    const invalid = await post({
      properties: {
        userName: { expression: 'IIF(isMemberOf("g"), "a", "b")', pushStatus: 'PUSH' },
      },
    });
    expect(invalid.status).toBe(400);
    const ok = await post({
      properties: { userName: { expression: 'user.login', pushStatus: 'PUSH' } },
    });
    expect(ok.status).toBe(200);
    expect(okta.state.profileMappings.find((m) => m.id === id)?.properties.userName).toEqual({
      expression: 'user.login',
      pushStatus: 'PUSH',
    });
    const removed = await post({
      properties: { userName: { expression: null, pushStatus: null } },
    });
    expect(removed.status).toBe(200);
    expect(okta.state.profileMappings.find((m) => m.id === id)?.properties).toEqual({});
    expect(okta.specProblems).toEqual([]);
  });
});

describe('the Okta adapter’s profile mappings', () => {
  it('finds the default user type’s mapping to the app, updates licenseType, and reads it back', async () => {
    const clock = new FakeClock();
    const okta = await startFakeOkta({ now: () => clock.now() });
    fakes.push(okta);
    const http = createHttpClient({ log: memoryLogger().logger, clock });
    const port = createOktaPort({
      http,
      orgUrl: okta.url,
      auth: { kind: 'ssws', token: okta.apiToken },
      now: () => clock.now(),
    });
    try {
      const appId = okta.ids.dbtApp;
      await port.updateAppUserSchema(appId, licenseSchemaBody());
      const first = await port.findProfileMapping(undefined, appId);
      // A second user type (Contractor) also maps to the app: the default one (`user`) is chosen.
      okta.state.profileMappings.unshift({
        id: 'prm00000000000000contr',
        source: { id: 'oty00000000000000contr', name: 'contractor', type: 'user' },
        target: { id: appId, name: 'dbt', type: 'appuser' },
        properties: {},
      });
      const found = await port.findProfileMapping(undefined, appId);
      expect(found?.id).toBe(first?.id);
      expect(found?.sourceId).toBe(okta.state.userTypeId);
      expect(found?.targetId).toBe(appId);
      expect((await port.findProfileMapping('oty00000000000000contr', appId))?.id).toBe(
        'prm00000000000000contr',
      );
      expect(await port.findProfileMapping(undefined, '0oa00000000000000none')).toBeUndefined();
      const expression = 'isMemberOfGroupName("dbt_developers") ? "developer" : "read_only"';
      const saved = await port.updateProfileMapping(found?.id ?? '', {
        licenseType: { expression, pushStatus: 'PUSH' },
      });
      expect(saved.properties.licenseType).toEqual({ expression, pushStatus: 'PUSH' });
      // Okta's partial update kept the other property.
      expect(saved.properties.userName?.expression).toBe('user.email');
      const request = okta.requests.find(
        (r) => r.method === 'POST' && r.path.startsWith('/api/v1/mappings/'),
      );
      expect(request?.body).toEqual({
        properties: { licenseType: { expression, pushStatus: 'PUSH' } },
      });
      expect(okta.specProblems).toEqual([]);
    } finally {
      await http.close();
    }
  });
});
