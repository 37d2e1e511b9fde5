/**
 * The service app sign-in (client credentials with private_key_jwt) against the fake Okta org
 * authorization server, which verifies each client assertion with the registered public JWK; and
 * reading pasted private keys (PEM PKCS#8 / PKCS#1 / SEC1, JWK), refusing anything else unechoed.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import {
  ASSERTION_LIFETIME_SECONDS,
  parsePrivateKey,
  signClientAssertion,
} from '../../../../electron/adapters/okta/signin.js';
import { WizardError } from '../../../../electron/core/errors.js';
import {
  ALL_OKTA_SCOPES,
  FAKE_SERVICE_CLIENT_ID,
  makeServiceKeyPair,
  type ServiceKeyPair,
} from '../../../fakes/okta-login.js';
import { caught, messages, secretsOf, setup, watchSockets } from './helpers.js';

watchSockets();

const clientId = FAKE_SERVICE_CLIENT_ID;
const rsa = makeServiceKeyPair('rsa', 'kid-rsa-1');
const ec = makeServiceKeyPair('ec', 'kid-ec-1');
const other = makeServiceKeyPair('rsa', 'kid-rsa-1');

async function serviceSetup(pair: ServiceKeyPair, extra: { requireDpop?: boolean } = {}) {
  return setup({
    serviceApps: [{ clientId, publicKeys: [pair.publicJwk], ...extra }],
  });
}

describe('service app token (private_key_jwt)', () => {
  it('RSA PKCS#8 PEM: the fake verifies the assertion; claims and header as Okta wants them', async () => {
    const h = await serviceSetup(rsa);
    const tokens = await h.signIn.serviceToken({
      clientId,
      keyId: 'kid-rsa-1',
      privateKey: rsa.privatePkcs8,
    });
    expect(tokens.accessToken).toBe(h.fake.state.issued.accessTokens[0]);
    expect(tokens.grantedScopes).toEqual(ALL_OKTA_SCOPES);
    expect(tokens.refreshToken).toBeUndefined();
    expect(tokens.expiresAt.getTime()).toBe(h.clock.now().getTime() + 3600_000);
    expect(h.fake.state.tokenGrants).toEqual(['client_credentials']);
    expect(h.fake.lookup(tokens.accessToken)?.principal).toEqual({ kind: 'client', clientId });

    const { header, claims } = h.fake.state.assertionsReceived[0]!;
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-rsa-1' });
    expect(claims.iss).toBe(clientId);
    expect(claims.sub).toBe(clientId);
    expect(claims.aud).toBe(`${h.fake.url}/oauth2/v1/token`);
    expect(claims.iat).toBe(Math.floor(h.clock.now().getTime() / 1000));
    expect(Number(claims.exp) - Number(claims.iat)).toBe(ASSERTION_LIFETIME_SECONDS);
    expect(ASSERTION_LIFETIME_SECONDS).toBeLessThanOrEqual(300);
    expect(claims.jti).toMatch(/^[0-9a-f-]{36}$/);

    // The request carried no scope but the Okta API ones, and no DPoP.
    const logs = JSON.stringify(h.records);
    for (const secret of secretsOf(h.fake)) {
      expect(logs).not.toContain(secret);
    }
  });

  it('RSA PKCS#1 PEM works too, and each request has a fresh jti', async () => {
    const h = await serviceSetup(rsa);
    await h.signIn.serviceToken({ clientId, privateKey: rsa.privateTraditional });
    await h.signIn.serviceToken({ clientId, privateKey: rsa.privateTraditional });
    const [a, b] = h.fake.state.assertionsReceived;
    expect(a!.claims.jti).not.toBe(b!.claims.jti);
    // Without a key id the fake tried every registered key.
    expect(a!.header.kid).toBeUndefined();
    expect(h.fake.state.tokenGrants).toEqual(['client_credentials', 'client_credentials']);
  });

  it('RSA JWK: its own kid is used when no key id is entered', async () => {
    const h = await serviceSetup(rsa);
    await h.signIn.serviceToken({ clientId, privateKey: JSON.stringify(rsa.privateJwk) });
    expect(h.fake.state.assertionsReceived[0]!.header).toEqual({
      alg: 'RS256',
      typ: 'JWT',
      kid: 'kid-rsa-1',
    });
  });

  it('EC P-256 (PKCS#8, SEC1 and JWK): ES256 signatures the fake verifies', async () => {
    const h = await serviceSetup(ec);
    for (const text of [ec.privatePkcs8, ec.privateTraditional, JSON.stringify(ec.privateJwk)]) {
      const tokens = await h.signIn.serviceToken({ clientId, keyId: 'kid-ec-1', privateKey: text });
      expect(h.fake.lookup(tokens.accessToken)).toBeDefined();
    }
    expect(h.fake.state.assertionsReceived.map((a) => a.header.alg)).toEqual([
      'ES256',
      'ES256',
      'ES256',
    ]);
    // An ES256 signature in JOSE form is r||s, 64 bytes.
    const jwt = h.fake.state.issued.assertions[0]!;
    expect(Buffer.from(jwt.split('.')[2]!, 'base64url')).toHaveLength(64);
  });

  it('explains a service app that requires DPoP', async () => {
    const h = await serviceSetup(rsa, { requireDpop: true });
    const e = await caught(h.signIn.serviceToken({ clientId, privateKey: rsa.privatePkcs8 }));
    expect(e.code).toBe('bad_input');
    expect(e.message).toContain('invalid_dpop_proof');
    expect(e.message).toContain('does not send DPoP');
    expect(e.remediation).toContain(
      'untick "Require Demonstrating Proof of Possession (DPoP) header in token requests"',
    );
  });

  it('explains use_dpop_nonce the same way', async () => {
    const h = await serviceSetup(rsa);
    h.fake.state.tokenError = {
      status: 400,
      error: 'use_dpop_nonce',
      error_description: 'Authorization server requires nonce in DPoP proof.',
    };
    const e = await caught(h.signIn.serviceToken({ clientId, privateKey: rsa.privatePkcs8 }));
    expect(e.code).toBe('bad_input');
    expect(e.remediation).toContain('Require Demonstrating Proof of Possession (DPoP)');
  });

  it('explains invalid_client: a key whose public half is not on the app', async () => {
    const h = await serviceSetup(rsa);
    const e = await caught(
      h.signIn.serviceToken({ clientId, keyId: 'kid-rsa-1', privateKey: other.privatePkcs8 }),
    );
    expect(e.code).toBe('auth_failed');
    expect(e.message).toContain('invalid_client');
    expect(e.remediation).toContain('"Public key / Private key"');
    expect(e.remediation).toContain(clientId);
    expect(h.fake.state.tokenGrants).toEqual([]);
  });

  it('explains invalid_client: a key id the app does not have', async () => {
    const h = await serviceSetup(rsa);
    const e = await caught(
      h.signIn.serviceToken({ clientId, keyId: 'kid-unknown', privateKey: rsa.privatePkcs8 }),
    );
    expect(e.code).toBe('auth_failed');
    expect(e.message).toContain('kid-unknown');
  });

  it('explains invalid_scope: scopes not granted to the service app', async () => {
    const h = await setup({
      ungrantedScopes: 'refuse',
      serviceApps: [{ clientId, publicKeys: [rsa.publicJwk], grantedScopes: ['okta.apps.manage'] }],
    });
    const e = await caught(h.signIn.serviceToken({ clientId, privateKey: rsa.privatePkcs8 }));
    expect(e.code).toBe('permission_denied');
    expect(e.remediation).toContain('your service app → "Okta API Scopes"');
  });

  it('reports scopes left out of the token', async () => {
    const h = await setup({
      serviceApps: [
        {
          clientId,
          publicKeys: [rsa.publicJwk],
          grantedScopes: ['okta.apps.manage', 'okta.users.read'],
        },
      ],
    });
    const t = await h.signIn.serviceToken({ clientId, privateKey: rsa.privatePkcs8 });
    expect(t.grantedScopes).toEqual(['okta.apps.manage', 'okta.users.read']);
  });

  it('explains unauthorized_client and a failing Okta', async () => {
    const h = await serviceSetup(rsa);
    h.fake.state.tokenError = {
      status: 400,
      error: 'unauthorized_client',
      error_description: 'The client is not authorized to use the provided grant type.',
    };
    expect(
      (await caught(h.signIn.serviceToken({ clientId, privateKey: rsa.privatePkcs8 }))).remediation,
    ).toContain('"API Services"');
    h.fake.state.tokenError = {
      status: 503,
      error: 'temporarily_unavailable',
      error_description: 'Try later.',
    };
    const e = await caught(h.signIn.serviceToken({ clientId, privateKey: rsa.privatePkcs8 }));
    expect(e.code).toBe('server_error');
    expect(e.retryable).toBe(true);
  });

  it('an org URL that is not Okta: a 404 or a web page says to check the org URL', async () => {
    const h = await serviceSetup(rsa);
    let answer: { status: number; type: string; body: string } = {
      status: 404,
      type: 'application/json',
      body: '{"errorCode":"E0000022","errorSummary":"The endpoint does not support the provided HTTP method"}',
    };
    const notOkta = createServer((_req, res) => {
      res.writeHead(answer.status, { 'content-type': answer.type });
      res.end(answer.body);
    });
    notOkta.listen(0, '127.0.0.1');
    await once(notOkta, 'listening');
    try {
      const url = `http://127.0.0.1:${(notOkta.address() as AddressInfo).port}`;
      const signIn = h.make({ orgUrl: `${url}/some/path` });
      expect(signIn.orgUrl).toBe(url);
      const e = await caught(signIn.serviceToken({ clientId, privateKey: rsa.privatePkcs8 }));
      expect(e.code).toBe('not_found');
      expect(e.remediation).toContain('Check the org URL');
      answer = { status: 200, type: 'text/html', body: '<html><body>Sign in</body></html>' };
      const html = await caught(signIn.serviceToken({ clientId, privateKey: rsa.privatePkcs8 }));
      expect(html.code).toBe('html_response');
      expect(html.remediation).toContain('Check the org URL');
    } finally {
      notOkta.closeAllConnections();
      notOkta.close();
    }
  });
});

describe('the fake verifies assertions strictly (so the tests above mean something)', () => {
  const post = async (
    url: string,
    assertion: string,
  ): Promise<{ status: number; body: Record<string, string> }> => {
    const res = await fetch(`${url}/oauth2/v1/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        scope: 'okta.apps.manage',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: assertion,
      }).toString(),
    });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };

  it('refuses a replayed jti, an assertion expiring more than an hour ahead, a wrong audience, a forged signature', async () => {
    const h = await serviceSetup(rsa);
    const key = parsePrivateKey(rsa.privatePkcs8);
    const aud = `${h.fake.url}/oauth2/v1/token`;
    const good = signClientAssertion({ clientId, audience: aud, key, now: h.clock.now() });
    expect((await post(h.fake.url, good)).status).toBe(200);
    const replay = await post(h.fake.url, good);
    expect(replay.status).toBe(401);
    expect(replay.body.error_description).toContain('jti');

    const future = signClientAssertion({
      clientId,
      audience: aud,
      key,
      now: new Date(h.clock.now().getTime() + 2 * 3600_000),
    });
    expect((await post(h.fake.url, future)).body.error_description).toContain('too far');

    const wrongAud = signClientAssertion({
      clientId,
      audience: `${h.fake.url}/oauth2/default/v1/token`,
      key,
      now: h.clock.now(),
    });
    expect((await post(h.fake.url, wrongAud)).body.error_description).toContain('audience');

    const [head, body] = good.split('.');
    const forged = `${head}.${body}.${randomBytes(256).toString('base64url')}`;
    expect((await post(h.fake.url, forged)).body.error_description).toContain('signature');
  });
});

// ---------------------------------------------------------------------------------------------

/** Base64 runs of the input long enough to be key material. */
function materialOf(text: string): string[] {
  return (text.match(/[A-Za-z0-9+/_-]{16,}/g) ?? []).filter((m) => !/^-+|BEGIN|END/.test(m));
}

function refused(text: string): WizardError {
  try {
    parsePrivateKey(text);
  } catch (e) {
    if (e instanceof WizardError) {
      messages.push(e.message, e.remediation);
      const said = `${e.message} ${e.remediation} ${JSON.stringify(e.toInfo())}`;
      for (const m of materialOf(text)) {
        expect(said).not.toContain(m);
      }
      expect(e.cause).toBeUndefined();
      return e;
    }
    throw e;
  }
  throw new Error('expected the key to be refused');
}

describe('parsePrivateKey', () => {
  it('reads PEM PKCS#8, PKCS#1, SEC1 and JWK, RSA and EC, and a JWKS with one private key', () => {
    expect(parsePrivateKey(rsa.privatePkcs8)).toMatchObject({
      alg: 'RS256',
      description: 'RSA 2048-bit',
    });
    expect(parsePrivateKey(`  ${rsa.privateTraditional}\n\n`).alg).toBe('RS256');
    expect(parsePrivateKey(ec.privatePkcs8)).toMatchObject({
      alg: 'ES256',
      description: 'EC P-256',
    });
    expect(parsePrivateKey(ec.privateTraditional).alg).toBe('ES256');
    expect(parsePrivateKey(JSON.stringify(rsa.privateJwk))).toMatchObject({
      alg: 'RS256',
      kid: 'kid-rsa-1',
    });
    const ecWithoutKid: Record<string, unknown> = { ...ec.privateJwk };
    delete ecWithoutKid.kid;
    expect(parsePrivateKey(JSON.stringify(ecWithoutKid)).kid).toBeUndefined();
    expect(parsePrivateKey(JSON.stringify({ keys: [rsa.publicJwk, rsa.privateJwk] })).kid).toBe(
      'kid-rsa-1',
    );
    // A PEM pasted into a single-line field: its line breaks are gone, or became spaces.
    expect(parsePrivateKey(rsa.privatePkcs8.replace(/\n/g, '')).alg).toBe('RS256');
    expect(parsePrivateKey(ec.privateTraditional.replace(/\n/g, ' ')).alg).toBe('ES256');
    // A PEM copied out of a JSON string, with literal \n.
    expect(parsePrivateKey(rsa.privatePkcs8.replace(/\n/g, '\\n')).alg).toBe('RS256');
    // A P-384 key signs ES384.
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    expect(parsePrivateKey(p384.export({ format: 'pem', type: 'pkcs8' }) as string).alg).toBe(
      'ES384',
    );
  });

  it('refuses a public key (PEM and JWK), without echoing it', () => {
    expect(refused(rsa.publicPem).message).toContain('public key');
    expect(refused(JSON.stringify(rsa.publicJwk)).message).toContain('public key');
    expect(refused(JSON.stringify({ keys: [rsa.publicJwk] })).message).toContain(
      'only public keys',
    );
  });

  it('refuses a certificate', () => {
    const body = randomBytes(600)
      .toString('base64')
      .replace(/(.{64})/g, '$1\n');
    const cert = `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
    expect(refused(cert).message).toContain('certificate');
  });

  it('refuses garbage, an empty paste, a damaged PEM and a shared secret', () => {
    expect(refused('hunter2-but-longer-than-sixteen-characters-of-noise').message).toContain(
      'not a private key',
    );
    expect(refused('   ').message).toContain('empty');
    const damaged = rsa.privatePkcs8.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!');
    expect(refused(damaged).message).toContain('damaged');
    expect(
      refused(JSON.stringify({ kty: 'oct', k: 'c2VjcmV0LXNoYXJlZC1rZXktdmFsdWU' })).message,
    ).toContain('shared secret');
    expect(refused('{"kty":').message).toContain('not valid JSON');
  });

  it('refuses an encrypted key, a short RSA key, an Ed25519 key and an OpenSSH key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const encrypted = privateKey.export({
      format: 'pem',
      type: 'pkcs8',
      cipher: 'aes-256-cbc',
      passphrase: 'correct horse',
    }) as string;
    expect(refused(encrypted).message).toContain('passphrase');
    const short = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    }) as string;
    expect(refused(short).message).toContain('1024-bit');
    const ed = generateKeyPairSync('ed25519').privateKey.export({
      format: 'pem',
      type: 'pkcs8',
    }) as string;
    expect(refused(ed).message).toContain('ed25519');
    const openssh = `-----BEGIN OPENSSH PRIVATE KEY-----\n${randomBytes(300).toString('base64')}\n-----END OPENSSH PRIVATE KEY-----`;
    expect(refused(openssh).message).toContain('OpenSSH');
  });

  it('registers the key for redaction: no log or message of a sign-in shows it', async () => {
    const h = await serviceSetup(rsa);
    await h.signIn.serviceToken({ clientId, privateKey: rsa.privatePkcs8 });
    const said = JSON.stringify(h.records) + messages.join('\n');
    for (const m of materialOf(rsa.privatePkcs8)) {
      expect(said).not.toContain(m);
    }
    expect(JSON.stringify(parsePrivateKey(rsa.privatePkcs8))).not.toContain(
      materialOf(rsa.privatePkcs8)[0]!,
    );
  });
});
