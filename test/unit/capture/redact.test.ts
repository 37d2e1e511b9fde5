/**
 * The capture's redaction on a planted capture: nothing planted survives anywhere in the written
 * folder (every byte of every file, and the file names), placeholders are stable across files and
 * URLs, the fixture still parses, and the final scan refuses what still looks like a secret.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseExchangeFile, type CaptureIndex } from '../../../electron/core/capture/folder.js';
import type { CapturedExchange } from '../../../electron/core/capture/exchange.js';
import { redactCapture } from '../../../electron/core/capture/redact.js';
import { findLeaks } from '../../../electron/core/capture/scan.js';
import { registerSecret } from '../../../electron/core/redact.js';
import { isWizardError } from '../../../electron/core/errors.js';
import { writeCapture, type WriteCaptureOptions } from '../../../electron/services/capture.js';
import { tempDir } from '../../helpers/temp.js';
import { DBT_HOST, IDS, OKTA_HOST, PLANTED, TOKENS, plantedExchanges } from './planted.js';

let root: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir: root, cleanup } = await tempDir('scim-capture-'));
});
afterEach(async () => {
  await cleanup();
});

const OPTIONS: WriteCaptureOptions = {
  sides: [
    { id: 'okta', status: 'captured', message: `Okta at https://${OKTA_HOST}: 4 reads.` },
    { id: 'entra', status: 'skipped', message: 'Microsoft Entra ID: skipped.' },
  ],
  version: '9.9.9-test',
  capturedAt: '2026-11-29T10:00:00.000Z',
  redaction: {
    knownSecrets: [TOKENS.dbtApi, TOKENS.dbtScim, TOKENS.okta, TOKENS.graph],
    hosts: [
      { host: OKTA_HOST, kind: 'okta' },
      { host: DBT_HOST, kind: 'dbt' },
    ],
    accountId: IDS.accountId,
  },
};

async function readFolder(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of await readdir(dir)) {
    files.set(name, await readFile(join(dir, name), 'utf8'));
  }
  return files;
}

async function written(): Promise<{ dir: string; files: Map<string, string> }> {
  const dir = join(root, 'capture');
  await writeCapture(dir, plantedExchanges(), OPTIONS);
  return { dir, files: await readFolder(dir) };
}

function exchangeFiles(files: Map<string, string>): CapturedExchange[] {
  return [...files]
    .filter(([name]) => /^\d{3}-get-/.test(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([, text]) => parseExchangeFile(text));
}

describe('a planted capture, redacted and written', () => {
  it('keeps nothing planted in any byte of any file, nor in a file name', async () => {
    const { files } = await written();
    expect(files.size).toBe(plantedExchanges().length + 2);
    for (const [name, text] of files) {
      for (const planted of PLANTED) {
        expect(name.toLowerCase()).not.toContain(planted.toLowerCase());
        expect(text.toLowerCase(), `${planted} in ${name}`).not.toContain(planted.toLowerCase());
      }
      // No e-mail but the placeholders, no authorization header, no cookie.
      for (const email of text.match(/[\w.+-]+@[\w.-]+/g) ?? []) {
        expect(email.replace(/\.$/, '')).toMatch(/^user(?:\d+|N)@example\.test$/);
      }
      expect(text.toLowerCase()).not.toContain('authorization');
      expect(text.toLowerCase()).not.toContain('set-cookie');
    }
    // And the scan of the written folder agrees.
    expect(
      findLeaks(
        [...files].map(([name, text]) => ({ name, text })),
        PLANTED,
      ),
    ).toEqual([]);
  });

  it('writes a folder of mode 0700 and files of mode 0600, with index.json and README.txt', async () => {
    const { dir, files } = await written();
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    for (const name of files.keys()) {
      expect((await stat(join(dir, name))).mode & 0o777).toBe(0o600);
    }
    const index = JSON.parse(files.get('index.json') ?? '') as CaptureIndex;
    expect(index).toMatchObject({
      format: 'dbt-scim-wizard-capture/1',
      app: 'dbt-scim-wizard',
      version: '9.9.9-test',
      capturedAt: '2026-11-29T10:00:00.000Z',
    });
    expect(index.exchanges.map((e) => e.file)).toEqual(
      [...files.keys()].filter((n) => /^\d{3}-/.test(n)).sort(),
    );
    expect(index.exchanges[0]?.file).toBe('001-get-api-v2-accounts.json');
    // The legend names placeholders and kinds, never a real value.
    expect(index.legend).toContainEqual({ placeholder: 'user1@example.test', kind: 'email' });
    expect(index.legend).toContainEqual({ placeholder: 'example.okta.com', kind: 'host-okta' });
    expect(index.legend).toContainEqual({
      placeholder: 'acct.example.dbt.com',
      kind: 'host-dbt',
    });
    for (const entry of index.legend) {
      expect(Object.keys(entry).sort()).toEqual(['kind', 'placeholder']);
    }
    expect(index.sides[0]?.message).toBe('Okta at https://example.okta.com: 4 reads.');
    expect(files.get('README.txt')).toContain('GET requests only');
  });

  it('gives one value one placeholder across files, URLs, headers and bodies', async () => {
    const ex = exchangeFiles((await written()).files);
    const [account, tokens, scimUsers, ipRules, me, app, , logs, sps, job, secrets, page] = ex;
    // The account id: in URLs, bodies and free text alike.
    expect(account?.url).toBe('https://acct.example.dbt.com/api/v2/accounts/1000001/');
    expect(account?.body).toMatchObject({ data: { id: 1000001, name: 'Example account' } });
    expect(tokens?.body).toMatchObject({
      data: [
        { id: 1000002, account_id: 1000001, created_by_id: 1000003, token_string: '<secret>' },
      ],
    });
    // The same e-mail in a URL's filter and in the body.
    const john = (scimUsers?.body as { Resources: { userName: string }[] }).Resources[0]?.userName;
    expect(john).toMatch(/^user\d@example\.test$/);
    expect(new URL(scimUsers?.url ?? '').searchParams.get('filter')).toBe(`userName eq "${john}"`);
    expect(job?.body).toMatchObject({
      status: { quarantine: { error: { message: expect.stringContaining(john!) as string } } },
    });
    // The Okta user: the same id in the body and in its own link; the same person in the log.
    const meBody = me?.body as {
      id: string;
      profile: Record<string, string>;
      _links: { self: { href: string } };
    };
    expect(meBody.id).toBe('00uPLACEHOLDER0001');
    expect(meBody._links.self.href).toBe(
      'https://example.okta.com/api/v1/users/00uPLACEHOLDER0001',
    );
    expect(meBody.profile).toMatchObject({
      firstName: expect.stringMatching(/^User \d+$/) as string,
      lastName: expect.stringMatching(/^User \d+$/) as string,
      mobilePhone: '<redacted>',
    });
    const jane = meBody.profile.email;
    const janeName = meBody.profile.displayName;
    expect(meBody.profile.login).toBe(jane);
    expect(logs?.body).toMatchObject([
      {
        actor: { id: '00uPLACEHOLDER0001', alternateId: jane, displayName: janeName },
        displayMessage: `Push user ${janeName} to example_app_1`,
      },
    ]);
    // Addresses become documentation addresses; loopback is kept; location data is out.
    expect(ipRules?.body).toMatchObject({
      data: [{ cidrs: [{ cidr: '192.0.2.1/23' }, { cidr: '127.0.0.1/32' }] }],
    });
    expect(logs?.body).toMatchObject([
      {
        client: {
          ipAddress: '192.0.2.2',
          geographicalContext: {
            city: '<redacted>',
            country: 'Germany',
            postalCode: '<redacted>',
            geolocation: { lat: 0, lon: 0 },
          },
        },
      },
    ]);
    expect(page?.body).toBe(
      `<html><body>Signed in as ${jane} (${janeName}) at Example account</body></html>`,
    );
    // The Okta app: secrets and key material out, features and the template kept.
    expect(app?.body).toMatchObject({
      id: '0oaPLACEHOLDER0001',
      name: 'example_app_1',
      label: 'dbt Cloud',
      features: ['SCIM_PROVISIONING', 'GROUP_PUSH', 'PUSH_NEW_USERS'],
      credentials: {
        userNameTemplate: { template: '${source.email}', type: 'BUILT_IN' },
        oauthClient: { client_secret: '<secret>' },
        jwks: { keys: [{ kty: 'RSA', kid: 'signing-1', e: '<secret>', n: '<secret>' }] },
      },
      settings: { signOn: { ssoAcsUrl: 'https://acct.example.dbt.com/complete/okta' } },
    });
    // Graph: the tenant id dashed and compact maps to one placeholder; the template id is kept.
    const sp = (sps?.body as { value: Record<string, unknown>[] }).value[0];
    expect(sp).toMatchObject({
      displayName: 'dbt SCIM',
      applicationTemplateId: '8adf8e6e-67b2-4cf2-a259-e3dc5476c621',
      servicePrincipalNames: ['https://tenant.example/dbt-scim', sp?.appId],
      keyCredentials: [{ type: 'AsymmetricX509Cert', key: '<secret>' }],
    });
    const tenant = sp?.appOwnerOrganizationId as string;
    expect(tenant).toMatch(/^00000000-0000-4000-8000-0000000000\d\d$/);
    expect(sps?.responseHeaders['request-id']).toBe(tenant);
    const spId = sp?.id as string;
    expect(job?.url).toBe(
      `https://graph.microsoft.com/v1.0/servicePrincipals/${spId}/synchronization/jobs/scim.${tenant.replace(/-/g, '')}.${sp?.appId as string}`,
    );
    expect((job?.body as { id: string }).id).toBe(
      `scim.${tenant.replace(/-/g, '')}.${sp?.appId as string}`,
    );
    // Entra's synchronization secrets: every value is <secret>, the keys are kept.
    expect(secrets?.body).toEqual({
      value: [
        { key: 'BaseAddress', value: '<secret>' },
        { key: 'SecretToken', value: '<secret>' },
        { key: 'SyncAll', value: '<secret>' },
      ],
    });
    // Timestamps and statuses are kept; credentials never written.
    expect(scimUsers?.body).toMatchObject({
      Resources: [{ meta: { created: '2025-01-02T03:04:05Z' } }],
    });
    expect(me?.requestHeaders).toEqual({});
    expect(account?.responseHeaders).toEqual({
      'content-type': 'application/json',
      'x-request-id': expect.stringMatching(/^00000000-0000-4000-8000-/) as string,
    });
    expect(me?.responseHeaders.link).toBe('<https://example.okta.com/api/v1/users/me>; rel="self"');
  });

  it('gives the same placeholders on a second run over the same input (stable, deterministic)', () => {
    const a = redactCapture(plantedExchanges(), OPTIONS.redaction);
    const b = redactCapture(plantedExchanges(), OPTIONS.redaction);
    expect(JSON.stringify(a.exchanges)).toBe(JSON.stringify(b.exchanges));
    expect(a.legend).toEqual(b.legend);
  });

  it('refuses an existing non-empty folder and writes nothing into it', async () => {
    const { dir, files } = await written();
    const again = await writeCapture(dir, plantedExchanges(), OPTIONS).catch((e: unknown) => e);
    expect(isWizardError(again) && again.code).toBe('bad_input');
    expect((await readFolder(dir)).size).toBe(files.size);
  });
});

describe('Okta ids', () => {
  it('replaces ids with or without digits, and leaves camelCase words of the same length', () => {
    const { exchanges } = redactCapture([
      {
        method: 'GET',
        url: 'https://acme.okta.com/api/v1/meta/schemas/apps/0oaUSfuIblxdVkdCyGYO/default',
        status: 200,
        responseHeaders: {},
        body: {
          id: '0oaUSfuIblxdVkdCyGYO',
          other: '00u1a2b3c4D5e6F7g8h9',
          note: 'userNameTemplateType and profileEditorEnabled stay',
        },
      },
    ]);
    const text = JSON.stringify(exchanges);
    expect(text).not.toContain('0oaUSfuIblxdVkdCyGYO');
    expect(text).not.toContain('00u1a2b3c4D5e6F7g8h9');
    expect(exchanges[0]?.url).toMatch(/\/apps\/0oaPLACEHOLDER\d{4}\/default$/);
    expect(text).toContain('userNameTemplateType and profileEditorEnabled stay');
  });
});

describe('the final scan', () => {
  it('finds token shapes, known secrets and registered secrets; names the file, never the value', () => {
    const registered = 'PLANTEDregisteredOnlyValue4411';
    registerSecret(registered);
    const leaks = findLeaks(
      [
        { name: '001-get-a.json', text: JSON.stringify({ note: `x ${TOKENS.dbtApi}` }) },
        { name: '002-get-b.json', text: JSON.stringify({ note: TOKENS.graph }) },
        { name: '003-get-c.json', text: JSON.stringify({ note: `ssws ${TOKENS.okta}` }) },
        { name: '004-get-d.json', text: JSON.stringify({ note: 'a'.repeat(8) + 'f0'.repeat(24) }) },
        { name: '005-get-e.json', text: JSON.stringify({ note: 'plain known-value-123' }) },
        { name: '006-get-f.json', text: JSON.stringify({ note: registered }) },
        { name: '007-get-ok.json', text: JSON.stringify({ note: '<secret>', at: '2026-11-29' }) },
      ],
      ['known-value-123'],
    );
    const files = new Set(leaks.map((l) => l.file));
    expect([...files].sort()).toEqual([
      '001-get-a.json',
      '002-get-b.json',
      '003-get-c.json',
      '004-get-d.json',
      '005-get-e.json',
      '006-get-f.json',
    ]);
    expect(JSON.stringify(leaks)).not.toContain('PLANTED');
    expect(JSON.stringify(leaks)).not.toContain('known-value-123');
  });

  it('refuses to write a capture holding a secret the redactor could not see', async () => {
    // Registered with the process-wide sink at run time, but not given to the redactor.
    registerSecret('unseenRegisteredSecret77');
    const refused = await writeCapture(
      join(root, 'refused-2'),
      [
        {
          method: 'GET',
          url: 'https://cloud.getdbt.com/api/v2/accounts/',
          status: 200,
          responseHeaders: {},
          body: { note: 'unseenRegisteredSecret77' },
        },
      ],
      OPTIONS,
    ).catch((e: unknown) => e);
    expect(isWizardError(refused) && refused.code).toBe('internal');
    expect((refused as Error).message).not.toContain('unseenRegisteredSecret77');
    await expect(readdir(join(root, 'refused-2'))).rejects.toThrow();
  });
});
