/**
 * The dbt adapters against a real dbt account (LIVE_DBT=1): the Admin API reads (account, SCIM
 * settings, SCIM tokens) and the SCIM probe with DBT_SCIM_TOKEN. With LIVE_WRITE=1, one SCIM token
 * named `scim-wizard-live-<random>` is created, probed, deleted, and then refused.
 *
 * Variables: LIVE_DBT_API_URL, LIVE_DBT_ACCOUNT_ID, LIVE_DBT_SCIM_URL, DBT_API_TOKEN, DBT_SCIM_TOKEN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDbtAdmin } from '../../electron/adapters/dbt/admin.js';
import { createScimProbe } from '../../electron/adapters/dbt/scim-probe.js';
import type { UndiciHttpClient } from '../../electron/adapters/http/client.js';
import { cleanApiUrl, cleanScimUrl, parseAccountId } from '../../electron/core/dbt/hosts.js';
import type { DbtAdminPort, ScimProbePort } from '../../electron/core/dbt/ports.js';
import { cleanSecret } from '../../electron/core/dbt/secret-input.js';
import { eventually, liveHttp, liveName, liveSuite, liveWrite, requireVars } from './live-env.js';

const LIVE = liveSuite('LIVE_DBT');

describe.skipIf(!LIVE)('dbt, live', () => {
  let http: UndiciHttpClient;
  let admin: DbtAdminPort;
  let probe: ScimProbePort;
  let accountId: number;
  let scimUrl: string;
  let scimToken: string;

  beforeAll(() => {
    const v = requireVars(
      'LIVE_DBT',
      [
        'LIVE_DBT_API_URL',
        'LIVE_DBT_ACCOUNT_ID',
        'LIVE_DBT_SCIM_URL',
        'DBT_API_TOKEN',
        'DBT_SCIM_TOKEN',
      ],
      ['DBT_API_TOKEN', 'DBT_SCIM_TOKEN'],
    );
    const apiUrl = cleanApiUrl(v.LIVE_DBT_API_URL).url;
    accountId = parseAccountId(v.LIVE_DBT_ACCOUNT_ID);
    scimUrl = cleanScimUrl(v.LIVE_DBT_SCIM_URL, apiUrl).url;
    scimToken = cleanSecret(v.DBT_SCIM_TOKEN, 'dbt-scim').value;
    http = liveHttp();
    admin = createDbtAdmin({
      http,
      apiUrl,
      accountId,
      apiToken: cleanSecret(v.DBT_API_TOKEN, 'dbt-api').value,
    });
    probe = createScimProbe({ http });
  });
  afterAll(async () => {
    await http.close();
  });

  it('reads the account', async () => {
    const account = await admin.getAccount();
    expect(account.id).toBe(accountId);
    expect(account.name.length).toBeGreaterThan(0);
  });

  it('reads the SCIM settings', async () => {
    const config = await admin.getScimConfig();
    expect(typeof config.enabled).toBe('boolean');
    expect(typeof config.manualUpdatesAllowed).toBe('boolean');
    expect(typeof config.scimControlledLicenseType).toBe('boolean');
  });

  it('lists the SCIM tokens (name, id, dates; never a value)', async () => {
    const tokens = await admin.listScimTokens();
    if (tokens === undefined) {
      console.log('dbt offers no list of SCIM tokens on this account: nothing more to check.');
      return;
    }
    for (const t of tokens) {
      expect(Number.isInteger(t.id)).toBe(true);
      expect(typeof t.name).toBe('string');
      expect(Number.isNaN(Date.parse(t.createdAt))).toBe(false);
    }
  });

  it('probes the SCIM API with DBT_SCIM_TOKEN', async () => {
    const result = await probe.probe({ scimUrl, token: scimToken });
    const failing = result.checks.filter((c) => c.status === 'fail');
    expect(failing.map((c) => `${c.id}: ${c.message}`)).toEqual([]);
    expect(result.failure).toBeUndefined();
  });

  it.skipIf(!liveWrite)(
    'creates a SCIM token, which works, then deletes it, after which dbt refuses it',
    async () => {
      const name = liveName();
      const { token, value } = await admin.createScimToken(name);
      let deleted = false;
      try {
        expect(token.name).toBe(name);
        const listed = await admin.listScimTokens();
        if (listed !== undefined) {
          expect(listed.map((t) => t.id)).toContain(token.id);
        }
        // A new token may take a moment to be accepted everywhere.
        expect(
          await eventually(
            async () => (await probe.probe({ scimUrl, token: value })).failure === undefined,
          ),
        ).toBe(true);
        await admin.deleteScimToken(token.id);
        deleted = true;
        expect(
          await eventually(
            async () =>
              (await probe.probe({ scimUrl, token: value })).failure?.code === 'auth_failed',
          ),
        ).toBe(true);
        expect(await admin.getScimToken(token.id)).toBeUndefined();
      } finally {
        if (!deleted) {
          await admin.deleteScimToken(token.id);
        }
      }
    },
  );
});
