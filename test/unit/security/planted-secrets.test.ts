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
import { cli } from '../../helpers/cli.js';
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
