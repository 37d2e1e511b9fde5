/**
 * A table of bad inputs and bad answers. Each row asserts the typed error code and the exit code
 * (CLI.md), and for bad inputs that nothing at all was sent.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { startFakeOkta, type FakeOkta } from '../../fakes/okta.js';
import { cli } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/temp.js';

const GOOD_SCIM = 'GoodScimTokenForTheTable0123456789ab';
const MEMBER = 'dbtc_memberTokenWithoutAdmin0000000';
let fake: FakeDbt;
let okta: FakeOkta;
let home: string;
let closedPort: number;

beforeAll(async () => {
  fake = await startFakeDbt({ scimConfig: { enabled: true } });
  fake.createScimToken('table', GOOD_SCIM);
  fake.state.adminTokens.set(MEMBER, 'member');
  okta = await startFakeOkta();
  home = (await tempDir()).dir;
  // A port that was free a moment ago: connecting to it is refused.
  closedPort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => {
        resolve(port);
      });
    });
  });
});
afterAll(async () => {
  await fake.close();
  await okta.close();
});
beforeEach(() => {
  fake.clearRequests();
  okta.clearRequests();
  fake.set({ ipRestricted: false, corruptNext: false });
});

interface Row {
  readonly name: string;
  readonly args: () => string[];
  readonly env?: () => Record<string, string>;
  readonly code: string;
  readonly exit: number;
  /** Whether any request may reach the fake (false for input errors). */
  readonly sent: boolean;
  readonly setup?: () => void;
  /** What the message must say (the cause, in words). */
  readonly message?: RegExp;
}

const check =
  (url: () => string): (() => string[]) =>
  () => ['dbt', 'check', '--dbt-scim-url', url(), '--json'];
const scimEnv = (token: string) => () => ({ DBT_SCIM_TOKEN: token });
const enable =
  (extra: string[] = [], id = () => String(fake.accountId), apiUrl = () => fake.apiUrl) =>
  () => [
    'dbt',
    'enable',
    '--dbt-api-url',
    apiUrl(),
    '--dbt-account-id',
    id(),
    '--yes',
    '--json',
    ...extra,
  ];
const adminEnv =
  (token: () => string = () => fake.adminToken) =>
  () => ({ DBT_API_TOKEN: token() });

/** `okta plan` with a good org and app unless a flag replaces them; `extra` comes last. */
const oktaPlan =
  (
    flags: { org?: () => string | undefined; app?: string | undefined } = {},
    extra: () => string[] = () => [],
    command = 'plan',
  ) =>
  () => {
    const org = flags.org ? flags.org() : okta.url;
    const app = 'app' in flags ? flags.app : 'dbt Cloud';
    return [
      'okta',
      command,
      ...(org === undefined ? [] : ['--okta-org', org]),
      ...(app === undefined ? [] : ['--okta-app', app]),
      '--json',
      ...extra(),
    ];
  };
const oktaEnv =
  (vars: Record<string, string> = {}) =>
  () => ({ OKTA_API_TOKEN: okta.apiToken, ...vars });

const rows: Row[] = [
  // --- the SCIM base URL
  {
    name: 'empty SCIM URL',
    args: check(() => ''),
    env: scimEnv(GOOD_SCIM),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'SCIM URL without a scheme',
    args: check(() => 'cloud.getdbt.com/api/scim/v2'),
    env: scimEnv(GOOD_SCIM),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'plain http to a remote host',
    args: check(() => 'http://cloud.getdbt.com/api/scim/v2'),
    env: scimEnv(GOOD_SCIM),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'ftp scheme',
    args: check(() => 'ftp://cloud.getdbt.com/scim'),
    env: scimEnv(GOOD_SCIM),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'credentials in the URL',
    args: check(() => 'https://me:pw@cloud.getdbt.com/api/scim/v2'),
    env: scimEnv(GOOD_SCIM),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a query string',
    args: check(() => 'https://cloud.getdbt.com/api/scim/v2?account=1'),
    env: scimEnv(GOOD_SCIM),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'the settings page instead of the SCIM URL',
    args: check(() => 'https://cloud.getdbt.com/settings/accounts/1/pages/sso'),
    env: scimEnv(GOOD_SCIM),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'the bare host',
    args: check(() => 'https://cloud.getdbt.com/'),
    env: scimEnv(GOOD_SCIM),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a token pasted in the URL field',
    args: check(() => 'AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcd'),
    env: scimEnv(GOOD_SCIM),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'http to a private address',
    args: check(() => 'http://10.0.0.5/scim/v2'),
    env: scimEnv(GOOD_SCIM),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  // --- the SCIM token
  {
    name: 'DBT_SCIM_TOKEN missing',
    args: check(() => fake.scimUrl),
    env: () => ({}),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'DBT_SCIM_TOKEN blank',
    args: check(() => fake.scimUrl),
    env: scimEnv('   \n'),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a URL pasted as the token',
    args: check(() => fake.scimUrl),
    env: scimEnv('https://cloud.getdbt.com/api/scim/v2'),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a dbt service token as the SCIM token',
    args: check(() => fake.scimUrl),
    env: scimEnv('dbtc_AbCdEfGhIjKlMnOpQrStUv'),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a token with spaces inside',
    args: check(() => fake.scimUrl),
    env: scimEnv('abcdefgh ijklmnop qrstuvwx'),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a cut token',
    args: check(() => fake.scimUrl),
    env: scimEnv('abc123'),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a whole Authorization header',
    args: check(() => fake.scimUrl),
    env: scimEnv('Authorization: Bearer abcdefghijklmnopqrstuvwx'),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a token with typographic characters',
    args: check(() => fake.scimUrl),
    env: scimEnv('abcdefghijklmnop“qrstuvwx”'),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  // --- account ids and the Admin API
  {
    name: 'account id not a number',
    args: enable([], () => 'acme'),
    env: adminEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'account id zero',
    args: enable([], () => '0'),
    env: adminEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'account id with a decimal point',
    args: enable([], () => '12.5'),
    env: adminEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'account id negative',
    args: enable([], () => '-5'),
    env: adminEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'API URL over plain http',
    args: enable([], undefined, () => 'http://cloud.getdbt.com'),
    env: adminEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a token pasted in the API URL field',
    args: enable([], undefined, () => 'dbtc_AbCdEfGhIjKlMnOpQrStUv'),
    env: adminEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'API URL missing',
    args: () => ['dbt', 'enable', '--dbt-account-id', '1', '--yes', '--json'],
    env: adminEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'DBT_API_TOKEN missing',
    args: enable(),
    env: () => ({}),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a URL as the API token',
    args: enable(),
    env: adminEnv(() => 'https://cloud.getdbt.com'),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a toggle that is neither on nor off',
    args: enable(['--manual-updates', 'maybe']),
    env: adminEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a secret passed as a flag',
    args: enable(['--token', 'abc']),
    env: adminEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'a token id that is not a number',
    args: () => [
      'dbt',
      'tokens',
      'delete',
      'abc',
      '--dbt-api-url',
      fake.apiUrl,
      '--dbt-account-id',
      '1',
      '--json',
    ],
    env: adminEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  {
    name: 'an empty token name',
    args: () => [
      'dbt',
      'tokens',
      'create',
      ' ',
      '--dbt-api-url',
      fake.apiUrl,
      '--dbt-account-id',
      '1',
      '--json',
    ],
    env: adminEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
  },
  // --- Okta
  {
    name: 'Okta: --okta-org missing',
    args: oktaPlan({ org: () => undefined }),
    env: oktaEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
    message: /^--okta-org is missing\./,
  },
  {
    name: 'Okta: plain http to a remote org',
    args: oktaPlan({ org: () => 'http://acme.okta.com' }),
    env: oktaEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
    message: /must use https:\/\//,
  },
  {
    name: 'Okta: a dbt address as the org',
    args: oktaPlan({ org: () => 'https://cloud.getdbt.com' }),
    env: oktaEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
    message: /cloud\.getdbt\.com is a dbt address, not an Okta org/,
  },
  {
    name: 'Okta: a Microsoft address as the org',
    args: oktaPlan({ org: () => 'https://login.microsoftonline.com/contoso.onmicrosoft.com' }),
    env: oktaEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
    message: /login\.microsoftonline\.com is a Microsoft address, not an Okta org/,
  },
  {
    name: 'Okta: --okta-app missing',
    args: oktaPlan({ app: undefined }),
    env: oktaEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
    message: /^--okta-app is missing\./,
  },
  {
    name: 'Okta: both OKTA_API_TOKEN and OKTA_ACCESS_TOKEN',
    args: oktaPlan(),
    env: oktaEnv({ OKTA_ACCESS_TOKEN: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl' }),
    code: 'bad_input',
    exit: 2,
    sent: false,
    message: /^Both OKTA_ACCESS_TOKEN and OKTA_API_TOKEN are set\./,
  },
  {
    name: 'Okta: neither OKTA token, no terminal',
    args: oktaPlan(),
    env: () => ({}),
    code: 'bad_input',
    exit: 2,
    sent: false,
    message: /^Neither OKTA_ACCESS_TOKEN nor OKTA_API_TOKEN is set\./,
  },
  {
    name: 'Okta: a malformed API token',
    args: oktaPlan(),
    env: () => ({ OKTA_API_TOKEN: '00abc def' }),
    code: 'bad_input',
    exit: 2,
    sent: false,
    message: /^In OKTA_API_TOKEN, the Okta API token contains spaces/,
  },
  {
    name: 'Okta: --license-type without --test-user',
    args: oktaPlan({}, () => ['--license-type', 'developer']),
    env: oktaEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
    message: /^--license-type needs --test-user\./,
  },
  {
    name: 'Okta: an unknown --license-type',
    args: oktaPlan({}, () => ['--test-user', 'ada@acme.example', '--license-type', 'superuser']),
    env: oktaEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
    message: /^--license-type must be one of it, analyst, developer, read_only\./,
  },
  {
    name: 'Okta: --test-user without DBT_SCIM_TOKEN',
    args: oktaPlan({}, () => ['--test-user', 'ada@acme.example', '--dbt-scim-url', fake.scimUrl]),
    env: oktaEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
    message: /^--test-user needs --dbt-scim-url and DBT_SCIM_TOKEN\./,
  },
  {
    name: 'Okta: apply without --yes and no terminal',
    args: oktaPlan({}, () => [], 'apply'),
    env: oktaEnv(),
    code: 'bad_input',
    exit: 2,
    sent: false,
    message: /apply needs a confirmation.*--yes/,
  },
  // --- server answers
  {
    name: 'SCIM: token refused',
    args: check(() => fake.scimUrl),
    env: scimEnv('NotTheRightTokenAtAll0123456789'),
    code: 'auth_failed',
    exit: 3,
    sent: true,
  },
  {
    name: 'SCIM: IP restriction',
    args: check(() => fake.scimUrl),
    env: scimEnv(GOOD_SCIM),
    code: 'ip_restricted',
    exit: 3,
    sent: true,
    setup: () => {
      fake.set({ ipRestricted: true });
    },
  },
  {
    name: 'SCIM: wrong account id in the URL',
    args: check(() => fake.scimUrl.replace(/\d+$/, '4242')),
    env: scimEnv(GOOD_SCIM),
    code: 'not_found',
    exit: 1,
    sent: true,
  },
  {
    name: 'SCIM: a sign-in page',
    args: check(() => `${fake.apiUrl}/login`),
    env: scimEnv(GOOD_SCIM),
    code: 'html_response',
    exit: 1,
    sent: true,
  },
  {
    name: 'SCIM: the Admin API (JSON, not SCIM)',
    args: check(() => `${fake.apiUrl}/api/v2/accounts/${fake.accountId}`),
    env: scimEnv(GOOD_SCIM),
    code: 'invalid_response',
    exit: 1,
    sent: true,
  },
  {
    name: 'SCIM: server errors on every try',
    args: check(() => fake.scimUrl),
    env: scimEnv(GOOD_SCIM),
    code: 'server_error',
    exit: 4,
    sent: true,
    setup: () => {
      fake.failNext({ path: /\/Users$/ }, 500, 10);
    },
  },
  {
    name: 'SCIM: connection refused',
    args: check(() => `http://127.0.0.1:${closedPort}/api/scim/v2/accounts/1`),
    env: scimEnv(GOOD_SCIM),
    code: 'network_refused',
    exit: 4,
    sent: false,
  },
  {
    name: 'Admin: API token refused',
    args: enable(),
    env: adminEnv(() => 'dbtc_notarealadmintoken0000000'),
    code: 'auth_failed',
    exit: 3,
    sent: true,
  },
  {
    name: 'Admin: token without Account Admin',
    args: enable(),
    env: adminEnv(() => MEMBER),
    code: 'permission_denied',
    exit: 3,
    sent: true,
  },
  {
    name: 'Admin: IP restriction',
    args: enable(),
    env: adminEnv(),
    code: 'ip_restricted',
    exit: 3,
    sent: true,
    setup: () => {
      fake.set({ ipRestricted: true });
    },
  },
  {
    name: 'Admin: an answer of an unexpected shape',
    args: enable(),
    env: adminEnv(),
    code: 'invalid_response',
    exit: 4,
    sent: true,
    setup: () => {
      fake.set({ corruptNext: true });
    },
  },
  {
    name: 'Admin: connection reset on every try',
    args: enable(),
    env: adminEnv(),
    code: 'network_reset',
    exit: 4,
    sent: true,
    setup: () => {
      fake.failNext({ path: /scim-config/ }, 'reset', 10);
    },
  },
];

describe('bad inputs and bad answers', () => {
  it('has at least 30 rows', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
  });

  it.each(rows.map((r) => [r.name, r] as const))('%s', async (_name, row) => {
    row.setup?.();
    const r = await cli(row.args(), { DBT_SCIM_WIZARD_HOME: home, ...(row.env?.() ?? {}) });
    expect(r.json, r.stdout + r.stderr).toMatchObject({ ok: false, error: { code: row.code } });
    const message = (r.json?.error as { message: string }).message;
    expect(message.length).toBeGreaterThan(20);
    if (row.message) {
      expect(message).toMatch(row.message);
    }
    expect(r.code).toBe(row.exit);
    if (!row.sent) {
      expect(fake.requests).toEqual([]);
      expect(okta.requests).toEqual([]);
    }
  });
});
