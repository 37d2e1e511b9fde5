/**
 * `npm run demo`: the wizard in your browser against the fake services, no tenant needed.
 * Data lives in a fresh temporary folder (or DBT_SCIM_WIZARD_HOME) and tokens are encrypted with
 * an in-memory key that dies with the process.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, formatLogLine } from '../../electron/core/logger.js';
import { startFakeDbt } from '../fakes/dbt.js';
import { startFakeGraph } from '../fakes/graph.js';
import { startFakeOktaRanges } from '../fakes/okta-ranges.js';
import { startFakeOkta, type FakeOkta } from '../fakes/okta.js';
import {
  createFakeOktaLoginState,
  createOktaLoginHandler,
  FAKE_NATIVE_CLIENT_ID,
} from '../fakes/okta-login.js';
import { demoConsoleHandler } from './okta-demo-console.js';
import { MemoryKeyEncryptor } from '../helpers/encryptor.js';
import { startBridge } from './server.js';

const home =
  process.env.DBT_SCIM_WIZARD_HOME ?? (await mkdtemp(join(tmpdir(), 'scim-wizard-demo-')));
const log = createLogger('demo', {
  level: 'info',
  transport: (r) => {
    process.stderr.write(`${formatLogLine(r)}\n`);
  },
});
const oktaRanges = await startFakeOktaRanges();
const bridge = await startBridge({
  oktaRangesUrl: oktaRanges.url,
  home,
  log,
  encryptor: new MemoryKeyEncryptor('demo (in-memory key)'),
  port: Number(process.env.PORT ?? 5178),
  // The bridge has no system browser: print what the wizard would open.
  onOpen: (url) => {
    console.log(`The wizard opens: ${url}`);
  },
});

// A fake dbt host on loopback: Admin API and SCIM API, an Enterprise account signed in with Okta.
const dbt = await startFakeDbt({ accountName: 'Acme Analytics (demo)' });
// A fake Microsoft Graph tenant. Its token is shaped like a real access token (claims only, no
// signature) so that the wizard can show who it is for and which permissions it carries.
const claims = {
  upn: 'admin@contoso.example',
  tid: '00000000-0000-4000-8000-000000000001',
  scp: 'Application.ReadWrite.All Synchronization.ReadWrite.All AppRoleAssignment.ReadWrite.All User.ReadBasic.All',
  exp: 4_102_444_800,
};
const graphToken = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.ZGVtby1vbmx5`;
const graph = await startFakeGraph({
  token: graphToken,
  users: [
    {
      userPrincipalName: 'ada@contoso.example',
      givenName: 'Ada',
      surname: 'Lovelace',
      mailNickname: 'ada',
    },
  ],
});

// A fake Okta org with the dbt SSO app (a custom SAML app), its org authorization server, and a
// bare stand-in for the admin console's app pages (the console-only steps). Okta pushes to the
// fake dbt.
const holder: { okta?: FakeOkta } = {};
const login = createFakeOktaLoginState({
  onToken: (token, info) => {
    const okta = holder.okta;
    okta?.registerAccessToken(token, {
      scopes: info.scopes,
      principal:
        info.principal.kind === 'user'
          ? { kind: 'user', userId: okta.ids.admin }
          : { kind: 'client', clientId: info.principal.clientId },
    });
  },
});
const loginHandler = createOktaLoginHandler(login);
const consoleHandler = demoConsoleHandler(() => holder.okta);
const okta = await startFakeOkta({
  scimTarget: { url: dbt.scimUrl, token: '' },
  extraHandler: async (req, res, body) =>
    (await loginHandler(req, res, body)) || consoleHandler(req, res, body),
});
holder.okta = okta;
login.admin = { id: okta.ids.admin, login: login.admin.login };

console.log(`dbt SCIM Wizard demo: open ${bridge.url} in your browser.`);
console.log('');
console.log('A fake dbt account is running on this computer. In Prerequisites, enter:');
console.log(`  dbt API URL                  ${dbt.apiUrl}`);
console.log(`  Account id                   ${String(dbt.accountId)}`);
console.log(`  Account-admin service token  ${dbt.adminToken}   (a fake token, valid only here)`);
console.log(`and in the dbt step, the SCIM base URL ${dbt.scimUrl}`);
console.log('');
console.log(
  'For a Microsoft Entra ID profile, a fake tenant is running too. In the Identity provider step:',
);
console.log(`  Advanced: Graph URL           ${graph.graphUrl}`);
console.log(`  Other ways to sign in: token  ${graph.token}`);
console.log('  A test user                   ada@contoso.example');
console.log('');
console.log('For an Okta profile, a fake Okta org is running too. In the Identity provider step:');
console.log(`  Okta org URL                  ${okta.url}`);
console.log(`  Sign in with an API token     ${okta.apiToken}`);
console.log(
  `  or your Okta account: Client ID ${FAKE_NATIVE_CLIENT_ID} (then open the printed URL)`,
);
console.log('  The dbt SSO app               dbt Cloud');
console.log('');
console.log(`Data folder: ${home}`);
console.log('Press Ctrl+C to stop.');

const stop = (): void => {
  void Promise.all([
    bridge.close(),
    dbt.close(),
    oktaRanges.close(),
    graph.close(),
    okta.close(),
  ]).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
