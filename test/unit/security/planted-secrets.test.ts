/**
 * Plants distinctive tokens, runs the wizard's flows (through the same dispatcher as IPC) and the
 * CLI against the fake dbt host, good paths and failures, then looks for the tokens everywhere a
 * secret must never be: IPC replies, engine events, log records, CLI stdout and stderr, and every
 * file in the data folder (profiles, journal, logs; the secret files hold ciphertext only).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, formatLogLine } from '../../../electron/core/logger.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { dispatch } from '../../../electron/services/dispatch.js';
import { startFakeDbt, type FakeDbt } from '../../fakes/dbt.js';
import { startFakeOkta } from '../../fakes/okta.js';
import {
  ALL_OKTA_SCOPES,
  createFakeOktaLoginState,
  createOktaLoginHandler,
  FAKE_SERVICE_CLIENT_ID,
  makeServiceKeyPair,
} from '../../fakes/okta-login.js';
import { cli } from '../../helpers/cli.js';
import { MemoryClipboard } from '../../helpers/clipboard.js';
import { MemoryKeyEncryptor } from '../../helpers/encryptor.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { tempDir } from '../../helpers/temp.js';

const PLANT_ADMIN = 'dbtc_PLANTEDadminTOKEN9d8c7b6a5f4e3d2c';
const PLANT_SCIM = 'PLANTEDscimTOKEN1a2b3c4d5e6f7a8b9c0d';
const PLANT_WRONG = 'dbtc_PLANTEDwrongADMIN000111222333444';

let fake: FakeDbt;
let home: string;
let cleanup: () => Promise<void>;
const corpus: string[] = [];

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      out.push(...(await filesUnder(p)));
    } else {
      out.push(p);
    }
  }
  return out;
}

beforeAll(async () => {
  fake = await startFakeDbt({ adminToken: PLANT_ADMIN });
  fake.createScimToken('scim-okta-pasted', PLANT_SCIM);
  ({ dir: home, cleanup } = await tempDir());
});
afterAll(async () => {
  await fake.close();
  await cleanup();
});

describe('planted tokens', () => {
  it('appear in no reply, event, log, output or file', async () => {
    const logLines: string[] = [];
    const services: Services = createServices({
      home,
      face: 'electron',
      version: 'test',
      encryptor: new MemoryKeyEncryptor(),
      clock: new FakeClock(),
      log: createLogger('main', {
        level: 'debug',
        transport: (r) => logLines.push(formatLogLine(r)),
      }),
    });
    services.onEvent((e) => corpus.push(JSON.stringify(e)));
    // Files are read after every call: a secret written and later overwritten still counts.
    const snapshotFiles = async (): Promise<void> => {
      for (const f of await filesUnder(home)) {
        corpus.push(await readFile(f, 'latin1'));
      }
    };
    const call = async (channel: string, input?: unknown): Promise<unknown> => {
      const r = await dispatch(services.handlers, channel, input, services.log);
      corpus.push(JSON.stringify(r));
      await snapshotFiles();
      return r;
    };

    const created = (await call('profiles:create', { name: 'Acme', idp: 'okta' })) as {
      value: { id: string };
    };
    const profileId = created.value.id;
    // A refused token first (never saved), then the right one pasted with a prefix and a newline.
    expect(
      await call('dbt:connect', {
        profileId,
        apiUrl: fake.apiUrl,
        accountId: fake.accountId,
        apiToken: PLANT_WRONG,
      }),
    ).toMatchObject({ ok: false });
    expect(
      await call('dbt:connect', {
        profileId,
        apiUrl: fake.apiUrl,
        accountId: fake.accountId,
        apiToken: `Token ${PLANT_ADMIN}\n`,
      }),
    ).toMatchObject({ ok: true });
    await call('dbt:apply', { profileId, step: { kind: 'dbt.scim-config' } });
    await call('dbt:setScimUrl', { profileId, scimUrl: fake.scimUrl });
    // A dbt API token pasted where the SCIM token belongs is refused without echoing it.
    expect(await call('dbt:pasteToken', { profileId, value: PLANT_ADMIN })).toMatchObject({
      ok: false,
      error: { code: 'bad_input' },
    });
    expect(
      await call('dbt:pasteToken', { profileId, value: ` Bearer ${PLANT_SCIM} ` }),
    ).toMatchObject({ ok: true });
    const checked = (await call('dbt:check', { profileId })) as {
      ok: boolean;
      value: { checks: unknown[] };
    };
    expect(checked.ok).toBe(true);
    expect(checked.value.checks).toHaveLength(4);
    fake.set({ ipRestricted: true });
    await call('dbt:check', { profileId });
    fake.set({ ipRestricted: false });
    // The pasted token was recognised as dbt's "scim-okta-pasted"; deleting a token in use needs force.
    const pastedId = [...fake.state.scimTokens.values()].find(
      (t) => t.name === 'scim-okta-pasted',
    )?.id;
    expect(
      await call('dbt:deleteToken', { profileId, tokenId: pastedId, force: false }),
    ).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    });
    expect(
      await call('dbt:deleteToken', { profileId, tokenId: pastedId, force: true }),
    ).toMatchObject({ ok: true });
    // The wizard creates its own token: its value goes only into the secret store.
    expect(
      await call('dbt:apply', {
        profileId,
        step: { kind: 'dbt.scim-token', name: 'scim-okta-wizard' },
      }),
    ).toMatchObject({ ok: true, value: { phase: 'verified' } });
    await call('dbt:tokens', { profileId });
    await call('secrets:list', { profileId });
    await call('profiles:list');
    await call('wizard:interrupted', { profileId });

    // The CLI, verbose, good paths and failures.
    const env = {
      DBT_SCIM_WIZARD_HOME: home,
      DBT_API_TOKEN: PLANT_ADMIN,
      DBT_SCIM_TOKEN: PLANT_SCIM,
    };
    const api = [
      '--dbt-api-url',
      fake.apiUrl,
      '--dbt-account-id',
      String(fake.accountId),
      '--verbose',
    ];
    for (const args of [
      ['dbt', 'check', '--dbt-scim-url', fake.scimUrl, '--verbose'],
      ['dbt', 'check', '--dbt-scim-url', fake.scimUrl, '--verbose', '--json'],
      ['dbt', 'enable', ...api, '--yes'],
      ['dbt', 'tokens', 'list', ...api, '--json'],
      ['dbt', 'tokens', 'create', 'scim-cli-planted', ...api],
    ]) {
      const r = await cli(args, env);
      corpus.push(r.stdout, r.stderr);
      await snapshotFiles();
    }
    const wrong = await cli(['dbt', 'check', '--dbt-scim-url', fake.scimUrl, '--verbose'], {
      ...env,
      DBT_SCIM_TOKEN: `${PLANT_SCIM}x`,
    });
    corpus.push(wrong.stdout, wrong.stderr);

    corpus.push(...logLines);
    const files = await filesUnder(home);
    expect(files.some((f) => f.endsWith('profiles.json'))).toBe(true);
    expect(files.some((f) => f.includes('journal'))).toBe(true);
    expect(files.some((f) => f.includes('secrets'))).toBe(true);
    for (const f of files) {
      corpus.push(await readFile(f, 'latin1'));
    }

    const wizardToken = [...fake.state.scimTokens.values()].find(
      (t) => t.name === 'scim-okta-wizard',
    )?.value;
    const cliToken = [...fake.state.scimTokens.values()].find(
      (t) => t.name === 'scim-cli-planted',
    )?.value;
    expect(wizardToken).toBeDefined();
    expect(cliToken).toBeDefined();
    const text = corpus.join('\n');
    expect(text.length).toBeGreaterThan(10_000);
    for (const secret of [PLANT_ADMIN, PLANT_SCIM, PLANT_WRONG, wizardToken!, cliToken!]) {
      // Not the secret, nor any 10-character piece of it.
      for (let i = 0; i + 10 <= secret.length; i++) {
        expect(
          text.includes(secret.slice(i, i + 10)),
          `a piece of a planted secret leaked: …${secret.slice(i, i + 10)}…`,
        ).toBe(false);
      }
    }
    // And yet the metadata an admin needs is there.
    expect(text).toContain(`"last4":"${PLANT_SCIM.slice(-4)}"`);
  });
});

describe('planted Okta secrets', () => {
  const PLANT_OKTA_API = '00PLANTEDoktaApiToken4e8f2a6c1b9d7e3f5a0c2b4d6e';
  const PLANT_OKTA_WRONG = '00PLANTEDwrongOktaToken9a8b7c6d5e4f3a2b1c0d9e';
  const PLANT_OKTA_ACCESS = 'PLANTEDoktaAccessTokenOpaque7d1c9e3b5a2f4c6e8';
  const PLANT_OKTA_SCIM = 'PLANTEDoktaSideScimToken6b2d8f4a0c1e3';
  const PLANT_DBT_ADMIN = 'dbtc_PLANTEDoktaSideAdmin5c4b3a2f1e0d';
  const key = makeServiceKeyPair('rsa', 'kid-planted-1');
  const otherKey = makeServiceKeyPair('rsa', 'kid-planted-2');

  it('appear in no reply, event, log, output or file', async () => {
    const corpus: string[] = [];
    const { dir, cleanup } = await tempDir();
    const dbt = await startFakeDbt({
      adminToken: PLANT_DBT_ADMIN,
      scimConfig: { enabled: true, scim_controlled_license_type: true },
    });
    dbt.createScimToken('scim-okta', PLANT_OKTA_SCIM);
    // One clock for the wizard and the fake authorization server: the client assertion's times
    // are the wizard's, and the fake judges them by its own.
    const clock = new FakeClock();
    const login = createFakeOktaLoginState({
      serviceApps: [{ clientId: FAKE_SERVICE_CLIENT_ID, publicKeys: [key.publicJwk] }],
      now: () => clock.now(),
    });
    const okta = await startFakeOkta({
      apiToken: PLANT_OKTA_API,
      extraHandler: createOktaLoginHandler(login),
      clientRoles: { [FAKE_SERVICE_CLIENT_ID]: ['SUPER_ADMIN'] },
      scimTarget: { url: dbt.scimUrl, token: 'unusedTargetToken000000' },
    });
    login.onToken = (token, { scopes, principal }) => {
      okta.registerAccessToken(token, {
        scopes,
        principal: principal.kind === 'user' ? { kind: 'user', userId: principal.id } : principal,
      });
    };
    okta.registerAccessToken(PLANT_OKTA_ACCESS, {
      scopes: ALL_OKTA_SCOPES,
      principal: { kind: 'user', userId: okta.ids.admin },
    });
    const appId = okta.ids.dbtApp;
    try {
      const logLines: string[] = [];
      const clipboard = new MemoryClipboard();
      const services: Services = createServices({
        home: dir,
        face: 'electron',
        version: 'test',
        encryptor: new MemoryKeyEncryptor(),
        clock,
        clipboard,
        log: createLogger('main', {
          level: 'debug',
          transport: (r) => logLines.push(formatLogLine(r)),
        }),
      });
      services.onEvent((e) => corpus.push(JSON.stringify(e)));
      const snapshotFiles = async (): Promise<void> => {
        for (const f of await filesUnder(dir)) {
          corpus.push(await readFile(f, 'latin1'));
        }
      };
      const call = async (channel: string, input?: unknown): Promise<unknown> => {
        const r = await dispatch(services.handlers, channel, input, services.log);
        corpus.push(JSON.stringify(r));
        await snapshotFiles();
        return r;
      };

      const created = (await call('profiles:create', { name: 'Okta', idp: 'okta' })) as {
        value: { id: string };
      };
      const profileId = created.value.id;
      await call('dbt:connect', {
        profileId,
        apiUrl: dbt.apiUrl,
        accountId: dbt.accountId,
        apiToken: PLANT_DBT_ADMIN,
      });
      await call('dbt:setScimUrl', { profileId, scimUrl: dbt.scimUrl });
      expect(await call('dbt:pasteToken', { profileId, value: PLANT_OKTA_SCIM })).toMatchObject({
        ok: true,
      });

      // The API token: a refused one first, then the right one pasted with its scheme.
      await call('okta:connect', { profileId, orgUrl: okta.url, signInMethod: 'token' });
      expect(await call('okta:useToken', { profileId, apiToken: PLANT_OKTA_WRONG })).toMatchObject({
        ok: false,
        error: { code: 'auth_failed' },
      });
      expect(
        await call('okta:useToken', { profileId, apiToken: `SSWS ${PLANT_OKTA_API}\n` }),
      ).toMatchObject({ ok: true, value: { signedIn: true, method: 'token' } });
      await call('okta:findApps', { profileId });
      await call('okta:chooseApp', { profileId, appId });
      await call('okta:plan', { profileId });
      okta.console.setUserNameTemplate(appId, { template: '${source.email}', type: 'BUILT_IN' });
      okta.console.enableScim(appId);
      // The admin pastes the token the wizard copied into Okta's "Bearer" field.
      expect(await call('okta:copyScimToken', { profileId })).toMatchObject({ ok: true });
      expect(clipboard.writes[0]).toBe(PLANT_OKTA_SCIM);
      okta.console.saveIntegration(appId, {
        baseUrl: dbt.scimUrl,
        token: clipboard.writes[0] ?? '',
        pushNewUsers: true,
        pushProfileUpdates: true,
        pushGroups: true,
      });
      await okta.console.testConnector(appId);
      okta.console.toApp(appId, { create: true, update: true, deactivate: true });
      await call('okta:console', { profileId, shown: 'okta.console.test-connector' });
      await call('okta:pickGroups', {
        profileId,
        picks: [
          {
            oktaGroupId: okta.ids.developers,
            oktaGroupName: 'dbt_developers',
            targetGroupName: 'dbt_developers',
          },
        ],
      });
      await call('okta:groups', { profileId });
      expect(await call('okta:apply', { profileId })).toMatchObject({ ok: true });
      await call('okta:verify', { profileId });
      expect(
        await call('okta:testUser', {
          profileId,
          login: 'grace.hopper@acme.example',
          licenseType: 'developer',
        }),
      ).toMatchObject({ ok: true });
      await okta.settled();
      await call('okta:existing', { profileId });

      // The service app key: one the app does not know (refused), then the right one.
      await call('okta:connect', {
        profileId,
        orgUrl: okta.url,
        signInMethod: 'service',
        clientId: FAKE_SERVICE_CLIENT_ID,
        keyId: 'kid-planted-1',
      });
      expect(
        await call('okta:useServiceKey', { profileId, privateKey: otherKey.privatePkcs8 }),
      ).toMatchObject({ ok: false });
      expect(
        await call('okta:useServiceKey', { profileId, privateKey: key.privatePkcs8 }),
      ).toMatchObject({ ok: true, value: { signedIn: true, method: 'service' } });
      await call('okta:account', { profileId });
      await call('okta:verify', { profileId });
      await call('secrets:list', { profileId });
      await call('profiles:list');
      await call('wizard:interrupted', { profileId });
      await call('okta:signOut', { profileId });

      // The CLI, verbose, with each token, good paths and failures.
      const base = ['--okta-org', okta.url, '--okta-app', 'dbt Cloud', '--verbose'];
      const dbtFlags = ['--dbt-scim-url', dbt.scimUrl];
      const env = {
        DBT_SCIM_WIZARD_HOME: dir,
        OKTA_API_TOKEN: PLANT_OKTA_API,
        DBT_SCIM_TOKEN: PLANT_OKTA_SCIM,
      };
      const runs: [string[], Record<string, string>][] = [
        [['okta', 'plan', ...base, ...dbtFlags], env],
        [['okta', 'plan', ...base, ...dbtFlags, '--json'], env],
        [
          [
            'okta',
            'apply',
            '--yes',
            ...base,
            ...dbtFlags,
            '--push-groups',
            'dbt_developers',
            '--test-user',
            'alan.turing@acme.example',
          ],
          env,
        ],
        [['okta', 'verify', ...base, ...dbtFlags, '--json'], env],
        [
          ['okta', 'verify', ...base, ...dbtFlags],
          { DBT_SCIM_WIZARD_HOME: dir, OKTA_ACCESS_TOKEN: PLANT_OKTA_ACCESS },
        ],
        [['okta', 'verify', ...base], { ...env, OKTA_API_TOKEN: PLANT_OKTA_WRONG }],
        [['okta', 'plan', ...base, '--json'], { ...env, OKTA_ACCESS_TOKEN: PLANT_OKTA_ACCESS }],
      ];
      for (const [args, e] of runs) {
        const r = await cli(args, e);
        corpus.push(r.stdout, r.stderr);
        await snapshotFiles();
      }
      await okta.settled();

      corpus.push(...logLines);
      for (const f of await filesUnder(dir)) {
        corpus.push(await readFile(f, 'latin1'));
      }
      const text = corpus.join('\n');
      expect(text.length).toBeGreaterThan(10_000);
      // The flows really ran: Okta holds the attribute, the push, and dbt the test users.
      expect(Object.keys(okta.state.appSchemas.get(appId)?.custom ?? {})).toEqual(['licenseType']);
      expect(okta.state.groupPushMappings).toHaveLength(1);
      expect([...dbt.state.users.values()].map((u) => u.userName).sort()).toEqual([
        'alan.turing@acme.example',
        'grace.hopper@acme.example',
      ]);
      expect(login.issued.accessTokens.length).toBeGreaterThan(0);

      const tokens = [
        PLANT_OKTA_API,
        PLANT_OKTA_WRONG,
        PLANT_OKTA_ACCESS,
        PLANT_OKTA_SCIM,
        PLANT_DBT_ADMIN,
        ...login.issued.accessTokens,
        ...login.issued.assertions,
      ];
      for (const secret of tokens) {
        for (let i = 0; i + 10 <= secret.length; i++) {
          expect(
            text.includes(secret.slice(i, i + 10)),
            `a piece of a planted secret leaked: …${secret.slice(i, i + 10)}…`,
          ).toBe(false);
        }
      }
      // The private keys: every line of their PEM bodies, and their private JWK members.
      for (const k of [key, otherKey]) {
        const lines = [
          ...(k.privatePkcs8.match(/[A-Za-z0-9+/=]{40,}/g) ?? []),
          ...['d', 'p', 'q', 'dp', 'dq', 'qi'].map((m) =>
            String((k.privateJwk as Record<string, unknown>)[m]),
          ),
        ];
        expect(lines.length).toBeGreaterThan(20);
        for (const line of lines) {
          expect(text.includes(line), `a line of a planted private key leaked`).toBe(false);
        }
      }
      expect(text).not.toContain('PRIVATE KEY-----\n');
      // And yet the metadata an admin needs is there.
      expect(text).toContain(`"last4":"${PLANT_OKTA_SCIM.slice(-4)}"`);
    } finally {
      await okta.close();
      await dbt.close();
      await cleanup();
    }
  }, 30_000);
});
