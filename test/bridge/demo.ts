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
import { startFakeOktaRanges } from '../fakes/okta-ranges.js';
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
});

// A fake dbt host on loopback: Admin API and SCIM API, an Enterprise account signed in with Okta.
const dbt = await startFakeDbt({ accountName: 'Acme Analytics (demo)' });

console.log(`dbt SCIM Wizard demo: open ${bridge.url} in your browser.`);
console.log('');
console.log('A fake dbt account is running on this computer. In Prerequisites, enter:');
console.log(`  dbt API URL                  ${dbt.apiUrl}`);
console.log(`  Account id                   ${String(dbt.accountId)}`);
console.log(`  Account-admin service token  ${dbt.adminToken}   (a fake token, valid only here)`);
console.log(`and in the dbt step, the SCIM base URL ${dbt.scimUrl}`);
console.log('');
console.log(`Data folder: ${home}`);
console.log('Press Ctrl+C to stop.');

const stop = (): void => {
  void Promise.all([bridge.close(), dbt.close(), oktaRanges.close()]).then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
