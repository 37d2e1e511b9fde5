/**
 * `entra plan|apply|verify` exactly as CLI.md says: flags, variables, one JSON document, exit
 * codes; bad input sends nothing; neither GRAPH_ACCESS_TOKEN nor the dbt token is ever printed.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { startFakeGraph, type FakeGraph } from '../../fakes/graph.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';

const DBT_TOKEN = 'PLANTEDcliEntraScim5e8a1c3f7b2d9046';
let graph: FakeGraph;
let dbt: FakeDbt;
let home: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  dbt = await startFakeDbt({ scimConfig: { enabled: true } });
  dbt.createScimToken('scim-entra', DBT_TOKEN);
});
afterAll(async () => {
  await dbt.close();
});
beforeEach(async () => {
  graph = await startFakeGraph({ token: 'PLANTEDgraphAccessToken.eyJ0eXAiOiJKV1Qi.sig0123456789' });
  ({ dir: home, cleanup } = await tempDir());
  dbt.clearRequests();
});
afterEach(async () => {
  await graph.close();
  await cleanup();
});

function env(extra: Record<string, string | undefined> = {}) {
  return {
    DBT_SCIM_WIZARD_HOME: home,
    GRAPH_ACCESS_TOKEN: graph.token,
    DBT_SCIM_TOKEN: DBT_TOKEN,
    ...extra,
  };
}
const args = (command: string, ...extra: string[]) => [
  'entra',
  command,
  '--graph-url',
  graph.graphUrl,
  '--dbt-scim-url',
  dbt.scimUrl,
  ...extra,
];

function noSecrets(r: { stdout: string; stderr: string }): void {
  expect(r.stdout + r.stderr).not.toContain(graph.token);
  expect(r.stdout + r.stderr).not.toContain('PLANTEDgraphAccessToken');
  expect(r.stdout + r.stderr).not.toContain(DBT_TOKEN);
}

describe('entra plan', () => {
  it('lists every change on a fresh tenant and changes nothing (exit 0)', async () => {
    const r = await cli(args('plan', '--json'), env());
    expect(r.code).toBe(0);
    expect(Object.keys(r.json ?? {}).sort()).toEqual([
      'changes',
      'checks',
      'command',
      'data',
      'ok',
    ]);
    expect(r.json).toMatchObject({ ok: true, command: 'entra plan', checks: [] });
    const changes = r.json?.changes as {
      id: string;
      action: string;
      target: string;
      detail: string;
    }[];
    expect(changes.map((c) => c.id)).toEqual(['app.create', 'then']);
    for (const c of changes) {
      expect(Object.keys(c).sort()).toEqual(['action', 'detail', 'id', 'target']);
    }
    expect(changes[1]?.detail).toMatch(
      /^then: create the provisioning job, test the connection, save the credentials, set the attribute mappings \(the exact list is shown once the app exists\)/,
    );
    expect(r.json?.data).toMatchObject({
      graphUrl: graph.graphUrl,
      cloud: 'global',
      appName: 'dbt SCIM',
      app: null,
      jobId: null,
    });
    expect(graph.requests.every((q) => q.method === 'GET')).toBe(true);
    expect(graph.requests.every((q) => q.hasAuth)).toBe(true);
    expect(graph.state.applications).toEqual([]);
    noSecrets(r);
  });

  it('prints the plan in sentences without --json', async () => {
    const r = await cli(args('plan'), env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      `Microsoft Entra ID at ${graph.graphUrl}, enterprise app "dbt SCIM"`,
    );
    expect(r.stdout).toContain('Plan (2 changes):');
    expect(r.stdout).toContain(
      '  + create the enterprise app "dbt SCIM" from the non-gallery template',
    );
    noSecrets(r);
  });

  it('lists the schema changes once the app exists', async () => {
    expect((await cli(args('apply', '--yes'), env())).code).toBe(0);
    const job = [...graph.state.jobs.values()].flat()[0];
    graph.state.schemas.delete(job?.id ?? '');
    // A fresh default schema, as if the mappings were reset in the portal.
    const { defaultScimSchema } = await import('../../fakes/graph-schema.js');
    graph.state.schemas.set(job?.id ?? '', defaultScimSchema('entra'));
    const r = await cli(args('plan'), env());
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      '  + add attribute emails[type eq "work"].primary (Boolean, required)',
    );
    expect(r.stdout).toContain('  ~ mark active as required');
    expect(r.stdout).toContain(
      '  ~ change emails[type eq "work"].value from mail to userPrincipalName',
    );
    expect(r.stdout).toContain('  - remove mapping title ← jobTitle');
    expect(r.stdout).toContain(
      '  + add mapping emails[type eq "work"].primary ← True (constant, applied Always)',
    );
  });
});

describe('entra apply', () => {
  it('needs --yes without a terminal: exit 2 and nothing sent', async () => {
    const r = await cli(args('apply', '--json'), env());
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect((r.json?.error as { message: string }).message).toContain('--yes');
    expect(graph.requests).toEqual([]);
    expect(dbt.requests).toEqual([]);
  });

  it('asks on a terminal; "no" changes nothing (exit 1), "yes" applies', async () => {
    const asked: string[] = [];
    let errText = '';
    const no = await cli(args('apply'), env(), {
      isTTY: true,
      confirm: (q) => {
        asked.push(q);
        return Promise.resolve(false);
      },
      stderr: (t) => {
        errText += t;
      },
    });
    expect(no.code).toBe(1);
    expect(asked).toEqual(['Apply these changes to Entra?']);
    expect(errText).toContain('+ create the enterprise app "dbt SCIM"');
    expect(no.stdout).toContain('Nothing was changed.');
    expect(graph.state.applications).toEqual([]);
    const yes = await cli(args('apply'), env(), {
      isTTY: true,
      confirm: () => Promise.resolve(true),
    });
    expect(yes.code).toBe(0);
    expect(graph.state.applications).toHaveLength(1);
    expect(yes.stdout).toMatch(/^Applied \(\d+ changes\):/m);
    expect(yes.stdout).toMatch(/^PASS {4}Entra has the enterprise app "dbt SCIM"/m);
    expect(yes.stdout).toContain('License types: dbt does not take the license type from Entra ID');
    noSecrets(yes);
  });

  it('applies with --yes, verifies, prints one JSON document, and is idempotent', async () => {
    const r = await cli(args('apply', '--yes', '--json', '--verbose'), env());
    expect(r.code).toBe(0);
    expect(r.json).toMatchObject({ ok: true, command: 'entra apply' });
    const checks = r.json?.checks as { id: string; status: string; message: string }[];
    expect(checks.every((c) => ['pass', 'skip'].includes(c.status))).toBe(true);
    for (const c of checks) {
      expect(Object.keys(c).sort()).toEqual(['id', 'message', 'status']);
    }
    const data = r.json?.data as { app: { servicePrincipalId: string }; jobId: string };
    expect(data.app.servicePrincipalId).toBe(graph.state.servicePrincipals[0]?.id);
    expect(data.jobId).toMatch(/^scim\./);
    noSecrets(r);
    const again = await cli(args('apply', '--yes', '--json'), env());
    expect(again.code).toBe(0);
    expect(again.json?.changes).toEqual([]);
  });

  it('exit 3 when Graph refuses the token', async () => {
    const r = await cli(
      args('apply', '--yes', '--json'),
      env({ GRAPH_ACCESS_TOKEN: 'notTheRightGraphToken0123456789' }),
    );
    expect(r.code).toBe(3);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'auth_failed' } });
    expect(r.stdout).not.toContain('notTheRightGraphToken0123456789');
  });

  it('exit 4 when Graph cannot be reached', async () => {
    const url = graph.graphUrl;
    await graph.close();
    const r = await cli(
      ['entra', 'plan', '--graph-url', url, '--dbt-scim-url', dbt.scimUrl, '--json'],
      env(),
    );
    expect(r.code).toBe(4);
    expect((r.json?.error as { code: string }).code).toMatch(/^network_/);
    graph = await startFakeGraph();
  });
});

describe('entra verify', () => {
  it('exit 1 on a fresh tenant, each item listed', async () => {
    const r = await cli(args('verify', '--json'), env());
    expect(r.code).toBe(1);
    expect(r.json?.ok).toBe(false);
    const checks = r.json?.checks as { id: string; status: string }[];
    expect(checks[0]).toMatchObject({ id: 'entra.app', status: 'fail' });
    expect(checks.slice(1).every((c) => c.status === 'skip')).toBe(true);
  });

  it('exit 0 after apply; lines read PASS/FAIL/SKIP', async () => {
    expect((await cli(args('apply', '--yes'), env())).code).toBe(0);
    const r = await cli(args('verify'), env());
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^PASS {4}Mapping userName ← userPrincipalName\.$/m);
    expect(r.stdout).toMatch(/^SKIP {4}License types are not sent from Entra/m);
    expect(r.stdout).toContain('Everything dbt’s setup page asks for is in place in Entra.');
    noSecrets(r);
  });
});

describe('bad input: exit 2, nothing sent', () => {
  const rows: {
    name: string;
    args: () => string[];
    env?: () => Record<string, string | undefined>;
    message: RegExp;
  }[] = [
    {
      name: 'no GRAPH_ACCESS_TOKEN',
      args: () => args('plan', '--json'),
      env: () => env({ GRAPH_ACCESS_TOKEN: undefined }),
      message: /GRAPH_ACCESS_TOKEN is not set.*device code/,
    },
    {
      name: 'a device-code sign-in asked for without a terminal',
      args: () =>
        args('plan', '--json', '--entra-client-id', '11111111-2222-3333-4444-555555555555'),
      env: () => env({ GRAPH_ACCESS_TOKEN: undefined }),
      message: /GRAPH_ACCESS_TOKEN is not set.*terminal/,
    },
    {
      name: 'GRAPH_ACCESS_TOKEN with a line break inside',
      args: () => args('plan', '--json'),
      env: () => env({ GRAPH_ACCESS_TOKEN: 'abcdefghij\nklmnopqrstuv' }),
      message: /^In GRAPH_ACCESS_TOKEN, /,
    },
    {
      name: 'no DBT_SCIM_TOKEN',
      args: () => args('verify', '--json'),
      env: () => env({ DBT_SCIM_TOKEN: undefined }),
      message: /DBT_SCIM_TOKEN is not set/,
    },
    {
      name: 'a dbt API token as DBT_SCIM_TOKEN',
      args: () => args('plan', '--json'),
      env: () => env({ DBT_SCIM_TOKEN: 'dbtc_abcdefghijklmnopqrstuvwxyz' }),
      message: /not a SCIM token/,
    },
    {
      name: 'no --dbt-scim-url',
      args: () => ['entra', 'plan', '--graph-url', graph.graphUrl, '--json'],
      message: /--dbt-scim-url is missing/,
    },
    {
      name: 'plain http to a remote Graph',
      args: () => [
        'entra',
        'plan',
        '--graph-url',
        'http://graph.microsoft.com/v1.0',
        '--dbt-scim-url',
        dbt.scimUrl,
        '--json',
      ],
      message: /must use https/,
    },
    {
      name: 'a Graph URL that is not Microsoft Graph',
      args: () => [
        'entra',
        'plan',
        '--graph-url',
        'https://graph.evil.example/v1.0',
        '--dbt-scim-url',
        dbt.scimUrl,
        '--json',
      ],
      message: /not a Microsoft Graph host/,
    },
    {
      name: 'a Graph URL with a path that is not a version',
      args: () => [
        'entra',
        'plan',
        '--graph-url',
        'https://graph.microsoft.com/v1.0/users',
        '--dbt-scim-url',
        dbt.scimUrl,
        '--json',
      ],
      message: /not a version/,
    },
    {
      name: 'an --entra-app-id that is not a GUID',
      args: () => args('plan', '--json', '--entra-app-id', 'dbt-scim'),
      message: /must be a GUID/,
    },
    {
      name: 'a --test-user that is not a userPrincipalName',
      args: () => args('apply', '--yes', '--json', '--test-user', 'ada'),
      message: /userPrincipalName/,
    },
    {
      name: 'an empty --entra-app-name',
      args: () => args('plan', '--json', '--entra-app-name', '  '),
      message: /app name is empty/,
    },
    {
      name: 'an unknown flag',
      args: () => args('plan', '--json', '--entra-app', 'x'),
      message: /Unknown option/,
    },
    {
      name: 'a token given as a flag',
      args: () => args('plan', '--json', '--graph-access-token', 'abc'),
      message: /Unknown option/,
    },
  ];

  it.each(rows)('$name', async (row) => {
    const r = await cli(row.args(), row.env ? row.env() : env());
    expect(r.code).toBe(2);
    expect(r.json).toMatchObject({ ok: false, error: { code: 'bad_input' } });
    expect((r.json?.error as { message: string }).message).toMatch(row.message);
    expect(graph.requests).toEqual([]);
    expect(dbt.requests).toEqual([]);
    noSecrets(r);
  });
});

describe('help', () => {
  it('lists the entra commands and the --entra-app-id flag', async () => {
    const top = await cli(['--help'], env());
    expect(top.stdout).toMatch(/entra plan\s+list every change/);
    expect(top.stdout).toMatch(/entra apply\s+create and configure/);
    expect(top.stdout).toMatch(/entra verify\s+read the Entra ID setup back/);
    const apply = await cli(['entra', 'apply', '--help'], env());
    expect(apply.code).toBe(0);
    expect(apply.stdout).toContain('--entra-app-id ID');
    expect(apply.stdout).toContain('--graph-url URL');
    expect(graph.requests).toEqual([]);
  });
});
