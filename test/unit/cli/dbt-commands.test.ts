/**
 * `dbt check`, `dbt enable` and `dbt tokens` against the fake dbt host, exactly as CLI.md says:
 * flags, variables, one JSON document, exit codes.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';

const SCIM_TOKEN = 'PLANTEDcliScimToken7f3a9c2e1b8d4f60';
let fake: FakeDbt;
let home: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  fake = await startFakeDbt({ scimConfig: { enabled: true } });
  fake.createScimToken('scim-okta-2026-11-01', SCIM_TOKEN);
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  ({ dir: home, cleanup } = await tempDir());
  fake.clearRequests();
  fake.set({ ipRestricted: false });
});
afterEach(async () => {
  await cleanup();
});

function env(extra: Record<string, string> = {}) {
  return { DBT_SCIM_WIZARD_HOME: home, ...extra };
}
const api = () => ['--dbt-api-url', fake.apiUrl, '--dbt-account-id', String(fake.accountId)];

describe('dbt check', () => {
  it('passes every check with a good token, exit 0, without printing the token', async () => {
    const r = await cli(
      ['dbt', 'check', '--dbt-scim-url', fake.scimUrl, '--json'],
      env({ DBT_SCIM_TOKEN: SCIM_TOKEN }),
    );
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, command: 'dbt check', changes: [] });
    const checks = r.json?.checks as { id: string; status: string }[];
    expect(checks.map((c) => c.id)).toEqual([
      'scim.service-provider-config',
      'scim.users.list',
      'scim.users.filter',
      'scim.groups.list',
    ]);
    expect(checks.every((c) => c.status === 'pass' || c.status === 'skip')).toBe(true);
    expect(r.stdout + r.stderr).not.toContain(SCIM_TOKEN);
    expect(fake.requests.every((q) => q.authScheme === 'Bearer')).toBe(true);
  });

  it('names a refused token: exit 3, auth_failed', async () => {
    const r = await cli(
      ['dbt', 'check', '--dbt-scim-url', fake.scimUrl, '--json'],
      env({ DBT_SCIM_TOKEN: 'wrongwrongwrongwrongwrong1234' }),
    );
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    expect((r.json?.error as { message: string }).message).toMatch(/token/i);
  });

  it('names an IP restriction: exit 3, ip_restricted', async () => {
    fake.set({ ipRestricted: true });
    const r = await cli(
      ['dbt', 'check', '--dbt-scim-url', fake.scimUrl, '--json'],
      env({ DBT_SCIM_TOKEN: SCIM_TOKEN }),
    );
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ error: { code: 'ip_restricted' } });
  });

  it('names a wrong account id in the URL: exit 1, not_found', async () => {
    const url = fake.scimUrl.replace(`/${fake.accountId}`, '/999');
    const r = await cli(
      ['dbt', 'check', '--dbt-scim-url', url, '--json'],
      env({ DBT_SCIM_TOKEN: SCIM_TOKEN }),
    );
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ error: { code: 'not_found' } });
  });

  it('names a sign-in page pasted instead of the SCIM URL: exit 1', async () => {
    const r = await cli(
      ['dbt', 'check', '--dbt-scim-url', `${fake.apiUrl}/login`, '--json'],
      env({ DBT_SCIM_TOKEN: SCIM_TOKEN }),
    );
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ error: { code: 'html_response' } });
  });

  it('prints readable lines without --json', async () => {
    const r = await cli(
      ['dbt', 'check', '--dbt-scim-url', fake.scimUrl],
      env({ DBT_SCIM_TOKEN: SCIM_TOKEN }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS {4}/m);
  });
});

describe('dbt enable', () => {
  beforeEach(() => {
    Object.assign(fake.state.scimConfig, {
      enabled: false,
      manual_updates_allowed: true,
      scim_controlled_license_type: false,
    });
  });

  it('lists the plan and changes nothing without --yes when there is no terminal (exit 2)', async () => {
    const r = await cli(
      ['dbt', 'enable', ...api(), '--json'],
      env({ DBT_API_TOKEN: fake.adminToken }),
    );
    expect(r.code).toBe(2);
    expect(fake.state.scimConfig.enabled).toBe(false);
    expect(fake.requests.filter((q) => q.method === 'POST')).toEqual([]);
  });

  it('applies with --yes, verifies by reading back, and is idempotent', async () => {
    const r = await cli(
      ['dbt', 'enable', ...api(), '--yes', '--json'],
      env({ DBT_API_TOKEN: fake.adminToken }),
    );
    expect(r.code).toBe(0);
    expect(fake.state.scimConfig).toMatchObject({
      enabled: true,
      manual_updates_allowed: false,
      scim_controlled_license_type: false,
    });
    expect((r.json?.changes as { id: string }[]).map((c) => c.id)).toEqual([
      'scim.enabled',
      'scim.manual-updates',
    ]);
    expect((r.json?.checks as { status: string }[]).every((c) => c.status === 'pass')).toBe(true);
    expect(
      fake.requests
        .filter((q) => q.api === 'admin')
        .every((q) => q.authScheme === 'Token' && q.path.endsWith('/')),
    ).toBe(true);

    const again = await cli(
      ['dbt', 'enable', ...api(), '--json'],
      env({ DBT_API_TOKEN: fake.adminToken }),
    );
    expect(again.code).toBe(0);
    expect(again.json?.changes).toEqual([]);
  });

  it('sets the two toggles on request', async () => {
    const r = await cli(
      ['dbt', 'enable', ...api(), '--manual-updates', 'on', '--license-by-scim', 'on', '--yes'],
      env({ DBT_API_TOKEN: fake.adminToken }),
    );
    expect(r.code).toBe(0);
    expect(fake.state.scimConfig).toMatchObject({
      enabled: true,
      manual_updates_allowed: true,
      scim_controlled_license_type: true,
    });
  });

  it('asks on a terminal and does nothing when the answer is no', async () => {
    const r = await cli(['dbt', 'enable', ...api()], env({ DBT_API_TOKEN: fake.adminToken }), {
      isTTY: true,
      confirm: () => Promise.resolve(false),
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('turn SCIM on');
    expect(fake.state.scimConfig.enabled).toBe(false);
  });

  it('exit 3 when dbt refuses the API token', async () => {
    const r = await cli(
      ['dbt', 'enable', ...api(), '--yes', '--json'],
      env({ DBT_API_TOKEN: 'dbtc_notavalidtokenatall000000' }),
    );
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ error: { code: 'auth_failed' } });
  });
});

describe('dbt tokens', () => {
  it('creates without printing the value, refuses a duplicate name, lists, and guards deletion of a token in use', async () => {
    const before = [...fake.state.scimTokens.values()].filter((t) => !t.deleted).length;
    const created = await cli(
      ['dbt', 'tokens', 'create', 'scim-entra-test', ...api(), '--json'],
      env({ DBT_API_TOKEN: fake.adminToken }),
    );
    expect(created.code).toBe(0);
    const token = [...fake.state.scimTokens.values()].find((t) => t.name === 'scim-entra-test');
    expect(token).toBeDefined();
    expect(created.stdout).not.toContain(token!.value);
    expect(created.json).toMatchObject({
      ok: true,
      data: { token: { name: 'scim-entra-test', last4: token!.value.slice(-4) } },
    });
    expect([...fake.state.scimTokens.values()].filter((t) => !t.deleted)).toHaveLength(before + 1);

    const dup = await cli(
      ['dbt', 'tokens', 'create', 'scim-entra-test', ...api()],
      env({ DBT_API_TOKEN: fake.adminToken }),
    );
    expect(dup.code).toBe(2);

    const list = await cli(
      ['dbt', 'tokens', 'list', ...api(), '--json'],
      env({ DBT_API_TOKEN: fake.adminToken }),
    );
    expect(list.code).toBe(0);
    const rows = (list.json?.data as { tokens: { id: number; name: string; inUse: boolean }[] })
      .tokens;
    const inUse = rows.find((t) => t.name === 'scim-okta-2026-11-01');
    expect(inUse?.inUse).toBe(true); // the earlier checks used it

    const refused = await cli(
      ['dbt', 'tokens', 'delete', String(inUse!.id), ...api(), '--json'],
      env({ DBT_API_TOKEN: fake.adminToken }),
    );
    expect(refused.code).toBe(1);
    expect(refused.json).toMatchObject({ error: { code: 'conflict' } });
    expect(fake.state.scimTokens.get(inUse!.id)?.deleted).toBe(false);

    const unused = rows.find((t) => t.name === 'scim-entra-test')!;
    const deleted = await cli(
      ['dbt', 'tokens', 'delete', String(unused.id), ...api(), '--yes'],
      env({ DBT_API_TOKEN: fake.adminToken }),
    );
    expect(deleted.code).toBe(0);
    expect(fake.state.scimTokens.get(unused.id)?.deleted).toBe(true);
  });

  it('reveals a new token once, only on a terminal', async () => {
    const noTty = await cli(
      ['dbt', 'tokens', 'create', 'x-reveal-1', '--reveal', ...api()],
      env({ DBT_API_TOKEN: fake.adminToken }),
    );
    expect(noTty.code).toBe(2);
    const tty = await cli(
      ['dbt', 'tokens', 'create', 'x-reveal-2', '--reveal', ...api()],
      env({ DBT_API_TOKEN: fake.adminToken }),
      { isTTY: true },
    );
    expect(tty.code).toBe(0);
    const value = [...fake.state.scimTokens.values()].find((t) => t.name === 'x-reveal-2')!.value;
    expect(tty.stdout.split(value)).toHaveLength(2);
  });
});
