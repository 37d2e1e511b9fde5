/**
 * For `npm run demo` only: a bare stand-in for the Okta admin console's app pages, served by the
 * fake Okta on loopback, so that the wizard's console links lead somewhere and the admin can do the
 * console-only steps (turn SCIM on, save the Integration, test the connector, the To App actions,
 * import) and watch the wizard's live checks turn green. It drives the fake's console controls.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeOkta } from '../fakes/okta.js';

const PAGE = /^\/admin\/app\/([^/]+)\/instance\/([^/]+)\/?$/;
const ACTION = /^\/admin\/app\/([^/]+)\/instance\/([^/]+)\/demo\/([a-z-]+)$/;

function escape(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );
}

function page(fake: FakeOkta, appId: string, note: string): string {
  const app = fake.state.apps.find((a) => a.id === appId);
  if (!app) {
    return '<p>No such app in the fake org.</p>';
  }
  const features = app.features;
  const base = `/admin/app/${encodeURIComponent(app.name)}/instance/${encodeURIComponent(app.id)}/demo`;
  const button = (action: string, label: string, extra = '') =>
    `<form method="post" action="${base}/${action}">${extra}<button>${escape(label)}</button></form>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(app.label)} — fake Okta admin console (demo)</title>
<style>body{font:15px system-ui;margin:2rem auto;max-width:46rem;color:#1d1d21}section{border:1px solid #ccd;border-radius:8px;padding:1rem;margin:1rem 0}
label{display:block;margin:.4rem 0}input[type=text]{width:100%;padding:.3rem}button{margin-top:.5rem;padding:.4rem .9rem}
.note{background:#eef6ee;padding:.6rem;border-radius:6px}code{background:#f1f1f4;padding:0 .2rem}</style></head><body>
<p><strong>Fake Okta admin console (demo).</strong> Stands in for the real console's pages for this one app.</p>
<h1>${escape(app.label)}</h1>
${note ? `<p class="note">${escape(note)}</p>` : ''}
<p>Features Okta shows for the app: <code>${escape(features.join(', ') || 'none')}</code></p>
<section><h2>General → App Settings → Provisioning</h2>${button('enable-scim', 'Choose "SCIM" and Save')}</section>
<section><h2>Provisioning → Integration</h2>
<form method="post" action="${base}/integration">
<label>SCIM connector base URL <input type="text" name="baseUrl" required></label>
<label>Unique identifier field for users <input type="text" name="uid" value="userName"></label>
<label><input type="checkbox" name="pushNewUsers" checked> Push New Users</label>
<label><input type="checkbox" name="pushProfileUpdates" checked> Push Profile Updates</label>
<label><input type="checkbox" name="pushGroups" checked> Push Groups</label>
<label><input type="checkbox" name="importUsers"> Import New Users and Profile Updates</label>
<label>Authentication Mode: HTTP Header. Bearer <input type="text" name="token" required autocomplete="off"></label>
<button>Save</button></form>
${button('test-connector', 'Test Connector Configuration')}</section>
<section><h2>Provisioning → To App</h2>${button('to-app', 'Enable "Create Users", "Update User Attributes", "Deactivate Users" and Save')}</section>
<section><h2>Import</h2>${button('import', 'Import Now and Confirm Assignments')}</section>
</body></html>`;
}

async function form(raw: string): Promise<URLSearchParams> {
  return Promise.resolve(new URLSearchParams(raw));
}

/** An `extraHandler` for the fake Okta: the demo console pages. `fake` is read when a page is asked for. */
export function demoConsoleHandler(
  fake: () => FakeOkta | undefined,
): (req: IncomingMessage, res: ServerResponse, rawBody: string) => Promise<boolean> {
  return async (req, res, rawBody) => {
    const okta = fake();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (!okta) {
      return false;
    }
    const send = (html: string) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
    };
    const shown = PAGE.exec(url.pathname);
    if (req.method === 'GET' && shown) {
      send(page(okta, decodeURIComponent(shown[2] ?? ''), url.searchParams.get('note') ?? ''));
      return true;
    }
    const act = ACTION.exec(url.pathname);
    if (req.method !== 'POST' || !act) {
      return false;
    }
    const appId = decodeURIComponent(act[2] ?? '');
    const body = await form(rawBody);
    let note: string;
    try {
      switch (act[3]) {
        case 'enable-scim':
          okta.console.enableScim(appId);
          note = 'Provisioning: SCIM saved.';
          break;
        case 'integration':
          okta.console.saveIntegration(appId, {
            baseUrl: body.get('baseUrl') ?? '',
            token: body.get('token') ?? '',
            pushNewUsers: body.has('pushNewUsers'),
            pushProfileUpdates: body.has('pushProfileUpdates'),
            pushGroups: body.has('pushGroups'),
            importUsers: body.has('importUsers'),
          });
          note = 'Integration saved.';
          break;
        case 'test-connector': {
          const r = await okta.console.testConnector(appId);
          note = `Test Connector Configuration: ${JSON.stringify(r)}`;
          break;
        }
        case 'to-app':
          okta.console.toApp(appId, { create: true, update: true, deactivate: true });
          note = 'To App saved.';
          break;
        case 'import': {
          const r = await okta.console.importUsers(appId);
          note = `Import: ${JSON.stringify(r)}`;
          break;
        }
        case undefined:
        default:
          return false;
      }
    } catch (e) {
      note = `Failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    const back = `/admin/app/${act[1] ?? ''}/instance/${act[2] ?? ''}/?note=${encodeURIComponent(note)}`;
    res.writeHead(303, { location: back }).end();
    return true;
  };
}
