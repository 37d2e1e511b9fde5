/**
 * The Microsoft sign-in as the wizard uses it, through the IPC dispatcher: settings, browser
 * sign-in against a fake identity platform (PKCE verified there), the encrypted cache surviving
 * a restart, the Graph token handed to the Entra service, device code, a pasted token, sign-out.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createEntraSignIn } from '../../../electron/adapters/entra/signin.js';
import { memoryLogger } from '../../../electron/core/logger.js';
import { createServices, type Services } from '../../../electron/services/container.js';
import { dispatch } from '../../../electron/services/dispatch.js';
import {
  fakeBrowser,
  networkClientFor,
  startFakeEntraLogin,
  type FakeEntraLogin,
} from '../../fakes/entra-login.js';
import { MemoryKeyEncryptor } from '../../helpers/encryptor.js';
import { tempDir } from '../../helpers/temp.js';

let fake: FakeEntraLogin | undefined;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  for (const c of cleanups.splice(0)) {
    await c();
  }
});

async function world(home?: string, encryptor = new MemoryKeyEncryptor()) {
  fake ??= await startFakeEntraLogin({ deviceCodeIntervalSeconds: 0.05 });
  const f = fake;
  const dir = home ?? (await tempDir()).dir;
  const browser = fakeBrowser(f);
  const services: Services = createServices({
    home: dir,
    face: 'bridge',
    version: 't',
    log: memoryLogger().logger,
    encryptor,
    opener: {
      open: async (url) => {
        await browser.open(url);
      },
    },
    makeSignIn: (o) =>
      createEntraSignIn({
        ...o,
        loginHost: f.authorityOrigin,
        networkClient: networkClientFor(f),
        knownAuthorities: [f.authorityHost],
      }),
  });
  const call = async (channel: string, input?: unknown) => {
    const r = await dispatch(services.handlers, channel, input);
    if (!r.ok) {
      throw new Error(`${r.error.code}: ${r.error.message}`);
    }
    return r.value as Record<string, unknown>;
  };
  return { services, call, dir, f, encryptor };
}

describe('Microsoft sign-in for a profile', () => {
  it('signs in with the browser, hands Graph a token, and signs in silently after a restart', async () => {
    const w = await world();
    const p = await w.services.profiles.create({ name: 'Contoso', idp: 'entra' });
    expect(await w.call('entra:account', { profileId: p.id })).toMatchObject({
      signedIn: false,
      via: null,
    });
    await expect(
      w.call('entra:signIn', { profileId: p.id, includeTestUserScopes: false }),
    ).rejects.toThrow(/client\) ID/);
    await w.call('entra:signInSettings', { profileId: p.id, clientId: w.f.clientId });
    const state = await w.call('entra:signIn', { profileId: p.id, includeTestUserScopes: true });
    expect(state).toMatchObject({ signedIn: true, via: 'browser', missingScopes: [] });
    expect(state.username).toBeTruthy();
    const token = await w.services.entraSignIn.graphToken(p.id).getToken();
    expect(token.length).toBeGreaterThan(20);

    // A restart: new services over the same data folder and keyring; the encrypted cache signs in.
    const again = await world(w.dir, w.encryptor);
    expect(await again.call('entra:account', { profileId: p.id })).toMatchObject({
      signedIn: true,
      via: 'browser',
    });
    expect((await again.services.entraSignIn.graphToken(p.id).getToken()).length).toBeGreaterThan(
      20,
    );

    await again.call('entra:signOut', { profileId: p.id });
    expect(await again.call('entra:account', { profileId: p.id })).toMatchObject({
      signedIn: false,
    });
    await expect(again.services.entraSignIn.graphToken(p.id).getToken()).rejects.toThrow(
      /not signed in/,
    );
  });

  it('signs in with a device code', async () => {
    const w = await world();
    const p = await w.services.profiles.create({ name: 'Fabrikam', idp: 'entra' });
    await w.call('entra:signInSettings', { profileId: p.id, clientId: w.f.clientId });
    const code = await w.call('entra:deviceCode', {
      profileId: p.id,
      includeTestUserScopes: false,
    });
    expect(code.userCode).toBeTruthy();
    w.f.approveDeviceCode();
    expect(await w.call('entra:deviceCodeWait', { profileId: p.id })).toMatchObject({
      signedIn: true,
      via: 'device',
    });
  });

  it('accepts a pasted access token for this session only, reading who it is for and what it allows', async () => {
    const w = await world();
    const p = await w.services.profiles.create({ name: 'Tailspin', idp: 'entra' });
    const payload = Buffer.from(
      JSON.stringify({
        upn: 'admin@tailspin.example',
        tid: 't-1',
        scp: 'Application.ReadWrite.All',
        exp: 4102444800,
      }),
    ).toString('base64url');
    const token = `eyJhbGciOiJub25lIn0.${payload}.c2lnbmF0dXJlLWZha2U`;
    const state = await w.call('entra:useToken', {
      profileId: p.id,
      accessToken: `Bearer ${token}`,
    });
    expect(state).toMatchObject({
      signedIn: true,
      via: 'token',
      username: 'admin@tailspin.example',
      missingScopes: ['Synchronization.ReadWrite.All'],
    });
    expect(await w.services.entraSignIn.graphToken(p.id).getToken()).toBe(token);
    expect(JSON.stringify(await w.services.secrets.list(p.id))).not.toContain('entra');

    const expired = `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify({ exp: 1 })).toString('base64url')}.c2lnbmF0dXJlLWZha2U`;
    await expect(
      w.call('entra:useToken', { profileId: p.id, accessToken: expired }),
    ).rejects.toThrow(/expired/);
  });

  it('refuses a client id that is not a GUID before anything is sent', async () => {
    const w = await world();
    const p = await w.services.profiles.create({ name: 'Woodgrove', idp: 'entra' });
    await expect(
      w.call('entra:signInSettings', { profileId: p.id, clientId: 'my-app' }),
    ).rejects.toThrow(/bad_input/);
  });
});
