/**
 * The Okta adapter against a real Okta org (LIVE_OKTA=1), e.g. a free Integrator / developer org:
 * the signed-in principal, the dbt app by id or label (its features), the app user schema and
 * groups. With LIVE_WRITE=1, one group `scim-wizard-live-<random>` is created, read back through
 * the adapter, deleted, and checked gone.
 *
 * Variables: LIVE_OKTA_ORG, LIVE_OKTA_APP (id or label), and OKTA_API_TOKEN or OKTA_ACCESS_TOKEN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UndiciHttpClient } from '../../electron/adapters/http/client.js';
import { createOktaPort, type OktaAuth } from '../../electron/adapters/okta/client.js';
import { cleanSecret } from '../../electron/core/dbt/secret-input.js';
import {
  cleanOktaAppRef,
  cleanOktaOrgUrl,
  type OktaAppRef,
} from '../../electron/core/okta/inputs.js';
import type { OktaApp, OktaPort } from '../../electron/core/okta/ports.js';
import { registerSecret } from '../../electron/core/redact.js';
import {
  env,
  eventually,
  liveHttp,
  liveName,
  liveSuite,
  liveWrite,
  requireVars,
} from './live-env.js';

const LIVE = liveSuite('LIVE_OKTA');

describe.skipIf(!LIVE)('Okta, live', () => {
  let http: UndiciHttpClient;
  let okta: OktaPort;
  let orgUrl: string;
  let appRef: OktaAppRef;
  let authorization: string;
  let app: OktaApp | undefined;

  beforeAll(async () => {
    const tokenVar =
      (env.OKTA_ACCESS_TOKEN ?? '').trim() !== '' ? 'OKTA_ACCESS_TOKEN' : 'OKTA_API_TOKEN';
    const v = requireVars('LIVE_OKTA', ['LIVE_OKTA_ORG', 'LIVE_OKTA_APP', tokenVar], [tokenVar], {
      OKTA_API_TOKEN: 'OKTA_API_TOKEN (or OKTA_ACCESS_TOKEN)',
    });
    orgUrl = cleanOktaOrgUrl(v.LIVE_OKTA_ORG).url;
    appRef = cleanOktaAppRef(v.LIVE_OKTA_APP);
    let auth: OktaAuth;
    if (tokenVar === 'OKTA_ACCESS_TOKEN') {
      const token = cleanSecret(v.OKTA_ACCESS_TOKEN, 'bearer').value;
      registerSecret(token);
      auth = { kind: 'bearer', getToken: () => Promise.resolve(token) };
      authorization = `Bearer ${token}`;
    } else {
      const token = cleanSecret(v.OKTA_API_TOKEN, 'okta-api').value;
      auth = { kind: 'ssws', token };
      authorization = `SSWS ${token}`;
    }
    http = liveHttp();
    okta = createOktaPort({ http, orgUrl, auth });
    const ref = appRef;
    app =
      ref.kind === 'id'
        ? await okta.getApp(ref.id)
        : (await okta.listApps(ref.label)).find((a) => a.label === ref.label);
  });
  afterAll(async () => {
    await http.close();
  });

  it('knows who the token belongs to', async () => {
    const me = await okta.whoAmI();
    expect(me).toBeDefined();
  });

  it('finds the dbt app by id or label, with its features', () => {
    expect(app, `no Okta app ${JSON.stringify(appRef)} in ${orgUrl}`).toBeDefined();
    expect(app?.id).toMatch(/^0oa[A-Za-z0-9]{17}$/);
    expect(Array.isArray(app?.features)).toBe(true);
    console.log(
      `Okta app "${app?.label ?? ''}": ${app?.signOnMode ?? ''}, features [${(app?.features ?? []).join(', ')}]`,
    );
  });

  it('reads the app user schema', async () => {
    const schema = await okta.getAppUserSchema(app?.id ?? '');
    expect(schema).toHaveProperty('definitions');
  });

  it('reads groups: the org’s Everyone group and the app’s groups', async () => {
    const everyone = await okta.listGroups('Everyone');
    expect(everyone.some((g) => g.name === 'Everyone' && g.type === 'BUILT_IN')).toBe(true);
    const appGroups = await okta.listAppGroups(app?.id ?? '');
    expect(Array.isArray(appGroups)).toBe(true);
  });

  it.skipIf(!liveWrite)('creates a group, reads it back, deletes it, and it is gone', async () => {
    const name = liveName();
    const created = await http.request({
      method: 'POST',
      url: `${orgUrl}/api/v1/groups`,
      headers: { authorization },
      json: {
        profile: { name, description: 'Created and deleted by the dbt SCIM Wizard live tests' },
      },
      label: 'okta live group create',
    });
    const id = (created.json as { id?: unknown }).id;
    expect(typeof id).toBe('string');
    const remove = () =>
      http.request({
        method: 'DELETE',
        url: `${orgUrl}/api/v1/groups/${encodeURIComponent(String(id))}`,
        headers: { authorization },
        expect: 'none',
        label: 'okta live group delete',
      });
    let deleted = false;
    try {
      expect(
        await eventually(async () => (await okta.listGroups(name)).some((g) => g.id === id)),
      ).toBe(true);
      await remove();
      deleted = true;
      expect(
        await eventually(async () => !(await okta.listGroups(name)).some((g) => g.id === id)),
      ).toBe(true);
    } finally {
      if (!deleted) {
        await remove();
      }
    }
  });
});
