/**
 * Signing in to the Okta Management API (okta.md §4), against the ORG authorization server
 * (`{org}/oauth2/v1/…`: only it mints access tokens with Okta API scopes):
 *
 *  - `signInWithBrowser`: OAuth 2.0 Authorization Code + PKCE (S256) through the system browser
 *    (RFC 8252), with the admin's own Native OIDC app (a public client: a client id, no secret).
 *    Okta matches redirect URIs exactly, so the loopback redirect is a FIXED URI the admin registers
 *    once (`oktaRedirectUri()`); the listener binds 127.0.0.1 only, takes one callback, checks
 *    `state`, gives up after a timeout or when cancelled, and answers the browser with a small page.
 *  - `refresh`: a new access token from the refresh token (`offline_access`), before the hour is up.
 *  - `serviceToken`: client credentials for an OAuth service app with `private_key_jwt`. The client
 *    assertion is signed with `node:crypto` (a JWT is a few lines: no new dependency for it).
 *
 * Every token, code, verifier and key that passes through here is registered with the redaction
 * sink. Every failure is a typed WizardError naming the cause and what to do in the Okta console.
 */
import {
  createHash,
  createPrivateKey,
  randomBytes,
  randomUUID,
  sign,
  type KeyObject,
} from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { WizardError, badInput, isWizardError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { OKTA_SCOPES } from '../../core/okta/ports.js';
import type { HttpClient, HttpResponse, Logger } from '../../core/ports.js';
import { redact, registerSecret } from '../../core/redact.js';
import { parseServiceUrl } from '../../core/url.js';

export type { OktaAuth } from './transport.js';

// ---------------------------------------------------------------------------------------------
// The loopback redirect

/** The fixed loopback port the admin registers on the Native app (Okta matches redirect URIs exactly). */
export const OKTA_REDIRECT_PORT = 8839;
export const OKTA_REDIRECT_PATH = '/okta/callback';

/** `http://127.0.0.1:8839/okta/callback`: what "Sign-in redirect URIs" must hold, character for character. */
export function oktaRedirectUri(port: number = OKTA_REDIRECT_PORT): string {
  return `http://127.0.0.1:${port}${OKTA_REDIRECT_PATH}`;
}

/** How long the loopback listener waits for the browser to come back. */
export const CALLBACK_TIMEOUT_MS = 5 * 60_000;

// ---------------------------------------------------------------------------------------------
// Scopes

/** OpenID scopes asked beside the Okta API scopes: not Okta API permissions. */
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access', 'address', 'phone']);

/** The Okta API scopes the wizard needs (OKTA_SCOPES), by name. */
export const OKTA_SCOPE_NAMES: readonly string[] = OKTA_SCOPES.map((s) => s.scope);

/** Okta API scopes of a token answer's `scope` (space-separated), OpenID scopes left out. */
export function apiScopes(scope: readonly string[]): string[] {
  return [...new Set(scope.filter((s) => s !== '' && !OIDC_SCOPES.has(s)))];
}

/** The needed scopes (in OKTA_SCOPES order) that `granted` lacks. */
export function missingOktaScopes(granted: readonly string[]): string[] {
  const have = new Set(granted);
  return OKTA_SCOPE_NAMES.filter((s) => !have.has(s));
}

/** "okta.apps.manage (to …); okta.schemas.manage (to …)" for messages. */
export function describeOktaScopes(scopes: readonly string[]): string {
  return scopes
    .map((scope) => {
      const why = OKTA_SCOPES.find((s) => s.scope === scope)?.why;
      return why ? `${scope} (to ${why})` : scope;
    })
    .join('; ');
}

/** Where the admin grants scopes; the app kind names it in the console. */
export function grantScopesHint(app: 'Native' | 'service'): string {
  return `In the Okta admin console open Applications → Applications → your ${app} app → "Okta API Scopes" and click "Grant" beside each one. Only a Super Administrator can grant Okta API scopes.`;
}

// ---------------------------------------------------------------------------------------------
// The one-time registrations the admin makes (shown by the wizard; no secret)

export interface RegistrationStep {
  readonly title: string;
  readonly detail: string;
}

export interface OktaRegistrationGuide {
  readonly redirectUri: string;
  readonly steps: readonly RegistrationStep[];
  readonly scopes: readonly { readonly scope: string; readonly why: string }[];
}

const GUIDE_SCOPES = OKTA_SCOPES.map((s) => ({ scope: s.scope, why: s.why }));
const SCOPE_LIST = OKTA_SCOPE_NAMES.join(', ');

/** The Native OIDC app for "Sign in with Okta" (Authorization Code + PKCE). */
export function pkceRegistrationGuide(
  redirectUri: string = oktaRedirectUri(),
): OktaRegistrationGuide {
  return {
    redirectUri,
    scopes: GUIDE_SCOPES,
    steps: [
      {
        title: 'Create an app integration',
        detail:
          'In the Okta admin console open Applications → Applications and click "Create App Integration". Choose "OIDC - OpenID Connect" and "Native Application", then "Next".',
      },
      {
        title: 'Name it "dbt SCIM Wizard"',
        detail: 'Any name works; this one tells other administrators what it is for.',
      },
      {
        title: 'Grant type: Authorization Code and Refresh Token',
        detail:
          'Under "Grant type" tick "Authorization Code" and "Refresh Token" (the refresh token keeps you signed in past the one-hour token lifetime).',
      },
      {
        title: `Sign-in redirect URI: ${redirectUri}`,
        detail: `Under "Sign-in redirect URIs" enter exactly ${redirectUri} and remove the example URI Okta suggests. Okta compares it character for character.`,
      },
      {
        title: 'Assign it to yourself',
        detail:
          'Under "Assignments" choose "Limit access to selected groups" with a group you are in (or assign yourself on the app\'s "Assignments" tab after saving), then "Save".',
      },
      {
        title: 'Grant the Okta API scopes',
        detail: `On the app's "Okta API Scopes" tab click "Grant" beside each of: ${SCOPE_LIST}. Only a Super Administrator can grant Okta API scopes.`,
      },
      {
        title: 'Copy the Client ID into the wizard',
        detail:
          'From the app\'s "General" tab, "Client Credentials" section, copy the "Client ID" (it starts with 0oa) and enter it here. There is no client secret: it is a public client.',
      },
    ],
  };
}

/** The OAuth service app for "Use a service app key" (client credentials, private_key_jwt). */
export function serviceRegistrationGuide(
  redirectUri: string = oktaRedirectUri(),
): OktaRegistrationGuide {
  return {
    redirectUri,
    scopes: GUIDE_SCOPES,
    steps: [
      {
        title: 'Create an API Services app',
        detail:
          'In the Okta admin console open Applications → Applications, click "Create App Integration", choose "API Services", then "Next"; name it "dbt SCIM Wizard (service)" and "Save".',
      },
      {
        title: 'Client authentication: Public key / Private key',
        detail:
          'On the "General" tab, "Client Credentials" → "Edit": choose "Public key / Private key", then "Add key" and paste your public key (or let Okta generate a pair and copy the private key now: it is shown once). Note the key\'s "KID" and "Save".',
      },
      {
        title: 'Turn off DPoP for token requests',
        detail:
          'In "General Settings" → "Edit", untick "Require Demonstrating Proof of Possession (DPoP) header in token requests": the wizard does not send DPoP.',
      },
      {
        title: 'Grant the Okta API scopes',
        detail: `On the "Okta API Scopes" tab click "Grant" beside each of: ${SCOPE_LIST}. Only a Super Administrator can grant Okta API scopes.`,
      },
      {
        title: 'Give the app an admin role',
        detail:
          'On the "Admin roles" tab click "Edit assignments" and assign "Super Administrator" or "Organization Administrator": Okta requires an admin role on a service app, and scopes never exceed it.',
      },
      {
        title: 'Enter the Client ID, the key ID and the private key',
        detail:
          'Copy the "Client ID" and the key\'s "KID" into the wizard and paste the private key (PEM or JWK). The key is kept encrypted on this computer and never shown again.',
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Pages the browser shows after the redirect (no external resources)

const PAGE_STYLE =
  'body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f7f7f8;color:#1f2328;display:flex;min-height:100vh;margin:0;align-items:center;justify-content:center}main{background:#fff;border:1px solid #e3e4e8;border-radius:12px;padding:32px 40px;max-width:460px}h1{font-size:20px;margin:0 0 12px}p{margin:0;line-height:1.5}';

function page(title: string, text: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${title}</title><style>${PAGE_STYLE}</style></head><body><main><h1>${title}</h1><p>${text}</p></main></body></html>`;
}

export const SUCCESS_PAGE = page(
  'You are signed in',
  'You are signed in to Okta. You can close this tab and return to dbt SCIM Wizard.',
);
export const ERROR_PAGE = page(
  'Sign-in did not finish',
  'The Okta sign-in did not finish. You can close this tab; dbt SCIM Wizard says what happened and what to do next.',
);
const NOT_FOUND_PAGE = page('Nothing here', 'This address only receives the Okta sign-in.');

// ---------------------------------------------------------------------------------------------
// Private keys (service app)

export type AssertionAlg = 'RS256' | 'RS384' | 'RS512' | 'ES256' | 'ES384' | 'ES512';

/** A parsed private key: never its material in any field a person or a log could see. */
export interface ParsedPrivateKey {
  readonly key: KeyObject;
  readonly alg: AssertionAlg;
  /** The JWK's own `kid`, when the key came as a JWK that had one. */
  readonly kid?: string;
  /** e.g. `RSA 2048-bit`, `EC P-256`: for messages. */
  readonly description: string;
}

const EC_ALGS: Readonly<Record<string, AssertionAlg>> = {
  'P-256': 'ES256',
  prime256v1: 'ES256',
  'P-384': 'ES384',
  secp384r1: 'ES384',
  'P-521': 'ES512',
  secp521r1: 'ES512',
};
const EC_CURVE_NAME: Readonly<Record<string, string>> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

const KEY_HELP =
  'Paste the private key of the service app\'s key pair: a PEM block that starts with "-----BEGIN PRIVATE KEY-----" (or "-----BEGIN RSA PRIVATE KEY-----"), or the JSON of a private JWK (with "d"), RSA or EC.';

function keyRefused(message: string, remediation = KEY_HELP): WizardError {
  return badInput(message, remediation);
}

/** Registers every piece of a pasted key a log could otherwise show. */
function registerKeyText(text: string): void {
  registerSecret(text);
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('-----')) {
      registerSecret(line);
    }
  }
}

function fromKeyObject(key: KeyObject, jwkAlg: string | undefined, kid?: string): ParsedPrivateKey {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < 2048) {
      throw keyRefused(
        `That RSA key is ${bits}-bit; Okta accepts RSA keys of 2048 bits or more.`,
        'Create a new key pair of at least 2048 bits, add its public key to the service app, and paste the new private key.',
      );
    }
    const alg: AssertionAlg = jwkAlg === 'RS384' ? 'RS384' : jwkAlg === 'RS512' ? 'RS512' : 'RS256';
    if (jwkAlg !== undefined && !['RS256', 'RS384', 'RS512'].includes(jwkAlg)) {
      throw keyRefused(
        `That RSA key is for ${jwkAlg}, which Okta does not accept for client assertions.`,
        'Use an RSA key for RS256 (or RS384, RS512), or an EC key.',
      );
    }
    return { key, alg, ...(kid ? { kid } : {}), description: `RSA ${bits}-bit` };
  }
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
    const alg = EC_ALGS[curve];
    if (!alg) {
      throw keyRefused(
        'That EC key is on a curve Okta does not accept for client assertions.',
        'Use an EC key on P-256, P-384 or P-521, or an RSA key.',
      );
    }
    return {
      key,
      alg,
      ...(kid ? { kid } : {}),
      description: `EC ${EC_CURVE_NAME[curve] ?? curve}`,
    };
  }
  throw keyRefused(
    `That is a ${type ?? 'unknown'} key; Okta accepts RSA and EC keys for a service app.`,
    'Create an RSA (2048-bit or more) or EC (P-256) key pair, add its public key to the service app, and paste the private key.',
  );
}

function parseJwkText(text: string): ParsedPrivateKey {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw keyRefused('That looks like JSON but is not valid JSON.');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw keyRefused('That JSON is not a key.');
  }
  let jwk = parsed as Record<string, unknown>;
  if (Array.isArray(jwk.keys)) {
    // A JWKS: the one private key in it.
    const privates = (jwk.keys as unknown[]).filter(
      (k): k is Record<string, unknown> =>
        k !== null && typeof k === 'object' && typeof (k as Record<string, unknown>).d === 'string',
    );
    const only = privates[0];
    if (privates.length !== 1 || !only) {
      throw keyRefused(
        privates.length === 0
          ? 'That key set holds only public keys.'
          : 'That key set holds several private keys.',
        'Paste the one private JWK of the key whose public half is on the service app.',
      );
    }
    jwk = only;
  }
  for (const field of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
    const v = jwk[field];
    if (typeof v === 'string') {
      registerSecret(v);
    }
  }
  const kty = typeof jwk.kty === 'string' ? jwk.kty : undefined;
  if (kty === 'oct') {
    throw keyRefused(
      'That JWK is a shared secret (kty "oct"), not a private key.',
      'A service app signs in with a key pair: paste the private JWK (kty "RSA" or "EC").',
    );
  }
  if (kty !== 'RSA' && kty !== 'EC') {
    throw keyRefused(
      kty
        ? `That JWK is of type "${kty.slice(0, 10)}"; Okta accepts RSA and EC keys.`
        : 'That JSON has no "kty": it is not a JWK.',
    );
  }
  if (typeof jwk.d !== 'string') {
    throw keyRefused(
      'That JWK is a public key (it has no "d"): the wizard needs the private key.',
      'Paste the private JWK of the pair (the one with "d"); the public one is what you add to the service app.',
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: jwk, format: 'jwk' });
  } catch {
    throw keyRefused(
      'That JWK could not be read as a private key (a field is missing or damaged).',
    );
  }
  const kid = typeof jwk.kid === 'string' && jwk.kid.trim() !== '' ? jwk.kid.trim() : undefined;
  const alg = typeof jwk.alg === 'string' ? jwk.alg : undefined;
  return fromKeyObject(key, kty === 'RSA' ? alg : undefined, kid);
}

/**
 * Reads a pasted private key: PEM (PKCS#8 `PRIVATE KEY`, PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE
 * KEY`) or a private JWK (or a JWKS with one private key), RSA ≥ 2048 bits or EC P-256/384/521.
 * A public key, a certificate, an encrypted key or anything else is refused as bad_input; no
 * message ever quotes the text.
 */
export function parsePrivateKey(raw: string): ParsedPrivateKey {
  let text = raw.trim();
  if (text === '') {
    throw keyRefused('The private key is empty.');
  }
  // A PEM copied out of a JSON string keeps its "\n" escapes.
  if (!text.includes('\n') && text.includes('\\n')) {
    text = text.replace(/\\r\\n|\\n/g, '\n');
  }
  registerKeyText(text);
  if (text.startsWith('{')) {
    return parseJwkText(text);
  }
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    throw keyRefused(
      'That is a certificate, not a private key.',
      `A certificate holds only the public half. ${KEY_HELP}`,
    );
  }
  if (/-----BEGIN (?:RSA |EC )?PUBLIC KEY-----/.test(text) || /^ssh-(?:rsa|ed25519) /.test(text)) {
    throw keyRefused(
      'That is a public key: the wizard needs the private key.',
      `The public key is what you add to the service app in Okta. ${KEY_HELP}`,
    );
  }
  if (
    text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----') ||
    /Proc-Type:\s*4,ENCRYPTED/.test(text)
  ) {
    throw keyRefused(
      'That private key is protected by a passphrase.',
      'Export it without a passphrase (for example `openssl pkey -in key.pem -out plain.pem`) and paste that; the wizard keeps it encrypted on this computer.',
    );
  }
  if (text.includes('-----BEGIN OPENSSH PRIVATE KEY-----')) {
    throw keyRefused(
      'That is an OpenSSH private key; Okta key pairs are PEM or JWK.',
      'Convert it with `ssh-keygen -p -m PKCS8 -f <file>` and paste the result, or paste the PEM or JWK you created for Okta.',
    );
  }
  const block = /-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/.exec(text);
  if (!block) {
    throw keyRefused('That is not a private key.');
  }
  // A single-line field drops the line breaks of a pasted PEM: rebuild the block from its body.
  const label = block[1] ?? 'PRIVATE KEY';
  const body = block[0]
    .slice(`-----BEGIN ${label}-----`.length, -`-----END ${label}-----`.length)
    .replace(/\s+/g, '');
  const pem = `-----BEGIN ${label}-----\n${(body.match(/.{1,64}/g) ?? []).join('\n')}\n-----END ${label}-----\n`;
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw keyRefused(
      'That private key block is damaged and could not be read.',
      `Copy it again, whole. ${KEY_HELP}`,
    );
  }
  return fromKeyObject(key, undefined);
}

// ---------------------------------------------------------------------------------------------
// The client assertion (RFC 7523): a JWT signed with node:crypto

const HASH: Readonly<Record<AssertionAlg, string>> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  ES512: 'sha512',
};

/** Lifetime of a client assertion: Okta allows at most one hour; five minutes is plenty. */
export const ASSERTION_LIFETIME_SECONDS = 300;

function b64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** The `private_key_jwt` client assertion: iss = sub = client id, aud = the token endpoint. */
export function signClientAssertion(input: {
  clientId: string;
  audience: string;
  key: ParsedPrivateKey;
  keyId?: string;
  now: Date;
}): string {
  const iat = Math.floor(input.now.getTime() / 1000);
  const kid = input.keyId ?? input.key.kid;
  const header = { alg: input.key.alg, typ: 'JWT', ...(kid ? { kid } : {}) };
  const claims = {
    iss: input.clientId,
    sub: input.clientId,
    aud: input.audience,
    iat,
    exp: iat + ASSERTION_LIFETIME_SECONDS,
    jti: randomUUID(),
  };
  const signingInput = `${b64urlJson(header)}.${b64urlJson(claims)}`;
  const signature = input.key.alg.startsWith('ES')
    ? sign(HASH[input.key.alg], Buffer.from(signingInput), {
        key: input.key.key,
        dsaEncoding: 'ieee-p1363',
      })
    : sign(HASH[input.key.alg], Buffer.from(signingInput), input.key.key);
  const jwt = `${signingInput}.${signature.toString('base64url')}`;
  registerSecret(jwt);
  return jwt;
}

// ---------------------------------------------------------------------------------------------
// Options and results

export interface OktaSignInOptions {
  readonly http: HttpClient;
  /** `https://acme.okta.com` (or a loopback fake in tests). */
  readonly orgUrl: string;
  /** Opens the system browser (RFC 8252). */
  openBrowser(url: string): Promise<void>;
  readonly now?: () => Date;
  /** The loopback port; default OKTA_REDIRECT_PORT. 0 picks a free one (tests). */
  readonly redirectPort?: number;
  /** How long to wait for the browser to come back; default 5 minutes. */
  readonly callbackTimeoutMs?: number;
  readonly log?: Logger;
}

export interface OktaTokens {
  readonly accessToken: string;
  readonly expiresAt: Date;
  /** The Okta API scopes the token carries (OpenID scopes left out). */
  readonly grantedScopes: string[];
  readonly refreshToken?: string;
  /** `preferred_username` of the id token (display only), when there was one. */
  readonly subject?: string;
}

export interface OktaSignIn {
  /** The org, normalised to its origin. */
  readonly orgUrl: string;
  signInWithBrowser(input: {
    clientId: string;
    scopes?: readonly string[];
    signal?: AbortSignal;
  }): Promise<OktaTokens>;
  refresh(input: {
    clientId: string;
    refreshToken: string;
    scopes?: readonly string[];
    signal?: AbortSignal;
  }): Promise<OktaTokens>;
  serviceToken(input: {
    clientId: string;
    keyId?: string;
    privateKey: string | ParsedPrivateKey;
    scopes?: readonly string[];
    signal?: AbortSignal;
  }): Promise<OktaTokens>;
  /** Revokes a token at Okta (sign-out); best effort, never throws. */
  revoke(input: {
    clientId: string;
    token: string;
    hint: 'access_token' | 'refresh_token';
  }): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Okta's answers

const tokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().positive().optional(),
  scope: z.string().optional(),
  refresh_token: z.string().optional(),
  id_token: z.string().optional(),
});

const oauthErrorSchema = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});

type Flow = 'browser' | 'refresh' | 'service';

/** Okta's own words, safe to show: one line, short, with anything secret-shaped removed. */
function oktaWords(description: string | undefined | null): string {
  if (!description) {
    return '';
  }
  // Control characters (a line break could forge a second line in a log) become spaces.
  const one = description
    .replace(/\p{Cc}+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const short = one.length > 300 ? `${one.slice(0, 297)}…` : one;
  return redact(short);
}

function saying(error: string, description: string | undefined | null): string {
  const words = oktaWords(description);
  return words ? `${error}: ${words}` : error;
}

const SIGN_IN_AGAIN = 'Sign in to Okta again.';

/** A token endpoint refusal, as a typed error that says where in Okta to fix it. */
export function tokenError(
  flow: Flow,
  status: number,
  body: { error: string; error_description?: string | undefined },
  clientId: string,
): WizardError {
  const { error } = body;
  const said = saying(error, body.error_description);
  const app = flow === 'service' ? 'service' : 'Native';
  if (error === 'invalid_dpop_proof' || error === 'use_dpop_nonce') {
    return new WizardError(
      'bad_input',
      `Okta requires a DPoP proof on this app's token requests (${said}); the wizard does not send DPoP.`,
      {
        remediation:
          'In the Okta admin console open Applications → Applications → the app → "General" → "General Settings" → "Edit", untick "Require Demonstrating Proof of Possession (DPoP) header in token requests", "Save", and try again.',
        status,
      },
    );
  }
  if (error === 'invalid_scope') {
    return new WizardError(
      'permission_denied',
      `Okta refused the scopes the wizard asks for (${said}): they are not all granted to the ${app} app.`,
      {
        remediation: `Grant these scopes: ${describeOktaScopes(OKTA_SCOPE_NAMES)}. ${grantScopesHint(app)}`,
        status,
      },
    );
  }
  if (error === 'invalid_client') {
    return flow === 'service'
      ? new WizardError('auth_failed', `Okta did not accept the service app's key (${said}).`, {
          remediation: `Check that the Client ID ${clientId} is the service app's, that its "Client authentication" is "Public key / Private key", that the public key of this private key is added and Active there (with the key ID you entered), and that this computer's clock is right.`,
          status,
        })
      : new WizardError(
          'bad_input',
          `Okta does not know the client ID ${clientId} as a Native app that may sign in (${said}).`,
          {
            remediation:
              'Copy the "Client ID" from the Native app\'s "General" tab again; the app must be an "OIDC - OpenID Connect" "Native Application" (a public client, no client secret).',
            status,
          },
        );
  }
  if (error === 'unauthorized_client') {
    return new WizardError(
      'bad_input',
      `Okta does not let this app use the ${flow === 'service' ? 'client credentials' : flow === 'refresh' ? 'refresh token' : 'authorization code'} grant (${said}).`,
      {
        remediation:
          flow === 'service'
            ? 'Use an "API Services" app (its grant is "Client Credentials"), with "Public key / Private key" client authentication.'
            : 'On the Native app\'s "General" tab, "General Settings" → "Edit", tick "Authorization Code" and "Refresh Token" under "Grant type", "Save", and sign in again.',
        status,
      },
    );
  }
  if (error === 'invalid_grant') {
    return flow === 'refresh'
      ? new WizardError(
          'auth_failed',
          `Okta did not renew the sign-in (${said}): the refresh token expired, was revoked, or the app changed.`,
          { remediation: SIGN_IN_AGAIN, status },
        )
      : new WizardError('auth_failed', `Okta refused the sign-in's answer (${said}).`, {
          remediation:
            flow === 'service'
              ? "Check the Client ID, the key ID and that this computer's clock is right; then try again."
              : "Sign in again; if it fails the same way, check that this computer's clock is right.",
          status,
          retryable: true,
        });
  }
  if (status === 429 || error === 'rate_limited') {
    return new WizardError('rate_limited', `Okta asked to slow down (${said}).`, {
      remediation: 'Wait a minute and try again.',
      retryable: true,
      status,
    });
  }
  if (status >= 500 || error === 'server_error' || error === 'temporarily_unavailable') {
    return new WizardError('server_error', `Okta's sign-in service failed on its side (${said}).`, {
      remediation: 'This is usually temporary: try again in a few minutes.',
      retryable: true,
      status,
    });
  }
  return new WizardError('auth_failed', `Okta refused the token request (${said}).`, {
    remediation:
      flow === 'refresh'
        ? SIGN_IN_AGAIN
        : 'Check the app with the steps shown and try again; if it fails the same way, copy the redacted diagnostic.',
    status,
  });
}

/** An error the browser brought back to the redirect URI (`error=…&error_description=…`). */
export function authorizeError(
  error: string,
  description: string | null,
  clientId: string,
): WizardError {
  const said = saying(error, description);
  switch (error) {
    case 'access_denied':
      return new WizardError('permission_denied', `Okta refused the sign-in (${said}).`, {
        remediation:
          'Assign yourself to the Native app (Applications → Applications → the app → "Assignments" → "Assign" → "Assign to People"), or allow the sign-in if Okta asked; then sign in again.',
      });
    case 'invalid_scope':
      return new WizardError(
        'permission_denied',
        `Okta refused the scopes the wizard asks for (${said}).`,
        {
          remediation: `Grant these scopes to the Native app: ${describeOktaScopes(OKTA_SCOPE_NAMES)}. ${grantScopesHint('Native')}`,
        },
      );
    case 'unauthorized_client':
      return new WizardError(
        'bad_input',
        `Okta does not let the app ${clientId} sign in this way (${said}).`,
        {
          remediation:
            'Use an "OIDC - OpenID Connect" "Native Application" whose "Grant type" includes "Authorization Code" (and "Refresh Token").',
        },
      );
    case 'invalid_client':
      return new WizardError(
        'bad_input',
        `Okta does not know the client ID ${clientId} (${said}).`,
        {
          remediation: 'Copy the "Client ID" from the Native app\'s "General" tab again.',
        },
      );
    case 'login_required':
    case 'consent_required':
    case 'interaction_required':
      return new WizardError(
        'auth_failed',
        `The Okta sign-in needs you in the browser (${said}).`,
        {
          remediation: 'Sign in again and finish every prompt Okta shows.',
          retryable: true,
        },
      );
    case 'server_error':
    case 'temporarily_unavailable':
      return new WizardError('server_error', `Okta's sign-in failed on its side (${said}).`, {
        remediation: 'This is usually temporary: try again in a few minutes.',
        retryable: true,
      });
    default:
      return new WizardError('auth_failed', `The Okta sign-in did not finish (${said}).`, {
        remediation:
          'Check the Native app with the steps shown (grant types, redirect URI, assignment) and sign in again.',
      });
  }
}

function cancelledSignIn(): WizardError {
  return new WizardError('cancelled', 'The Okta sign-in was cancelled.', {
    remediation: 'Sign in again when you are ready.',
    retryable: true,
  });
}

function timedOut(redirectUri: string, ms: number): WizardError {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  return new WizardError(
    'auth_failed',
    `No answer came back from the Okta sign-in in the browser within ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    {
      remediation: `If the browser shows "The 'redirect_uri' parameter must be a Login redirect URI in the client app settings", add exactly ${redirectUri} to the Native app's "Sign-in redirect URIs" ("General" tab) and sign in again. If it shows another error, fix what it says; otherwise sign in again and finish in the browser sooner.`,
      retryable: true,
    },
  );
}

// ---------------------------------------------------------------------------------------------
// The loopback listener: one callback, then closed

interface Callback {
  readonly code: string;
}

interface Loopback {
  readonly redirectUri: string;
  /** Settles with the code, or a typed error (state mismatch, OAuth error, timeout, cancel). */
  readonly result: Promise<Callback>;
  /** Stops listening (idempotent); resolves once the port is free. */
  close(): Promise<void>;
}

async function listenLoopback(input: {
  port: number;
  state: string;
  clientId: string;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  log: Logger;
}): Promise<Loopback> {
  let settle:
    ((outcome: { ok: true; code: string } | { ok: false; error: WizardError }) => void) | undefined;
  const result = new Promise<Callback>((resolve, reject) => {
    settle = (outcome) => {
      settle = undefined;
      if (outcome.ok) {
        resolve({ code: outcome.code });
      } else {
        reject(outcome.error);
      }
    };
  });
  // Observed here; the caller awaits it too.
  result.catch(() => undefined);

  const respond = (res: ServerResponse, status: number, body: string, after?: () => void): void => {
    res.writeHead(status, {
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'referrer-policy': 'no-referrer',
      connection: 'close',
    });
    res.end(body, after);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== OKTA_REDIRECT_PATH || !settle) {
      respond(res, 404, NOT_FOUND_PAGE);
      return;
    }
    const q = url.searchParams;
    if (!q.has('code') && !q.has('error')) {
      // Not an OAuth answer (a reload, a prefetch): nothing to act on; keep waiting.
      respond(res, 400, ERROR_PAGE);
      return;
    }
    const finish = settle;
    if (q.get('state') !== input.state) {
      respond(res, 400, ERROR_PAGE, () => void close());
      finish({
        ok: false,
        error: new WizardError(
          'auth_failed',
          'The answer that reached the wizard does not belong to this sign-in (its state does not match), so it was refused.',
          {
            remediation: 'Close other Okta sign-in tabs and sign in again from the wizard.',
            retryable: true,
          },
        ),
      });
      return;
    }
    const error = q.get('error');
    if (error) {
      respond(res, 200, ERROR_PAGE, () => void close());
      finish({
        ok: false,
        error: authorizeError(error, q.get('error_description'), input.clientId),
      });
      return;
    }
    const code = q.get('code');
    if (!code) {
      respond(res, 400, ERROR_PAGE, () => void close());
      finish({
        ok: false,
        error: new WizardError('invalid_response', 'Okta came back without a sign-in code.', {
          remediation: 'Sign in again; if it happens again, copy the redacted diagnostic.',
        }),
      });
      return;
    }
    registerSecret(code);
    respond(res, 200, SUCCESS_PAGE, () => void close());
    finish({ ok: true, code });
  });

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    if (!closing) {
      clearTimeout(timer);
      input.signal?.removeEventListener('abort', onAbort);
      closing = new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      });
    }
    return closing;
  };

  const onAbort = (): void => {
    settle?.({ ok: false, error: cancelledSignIn() });
    void close();
  };

  server.listen(input.port, '127.0.0.1');
  try {
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([e]) => {
        throw e;
      }),
    ]);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') {
      throw new WizardError(
        'conflict',
        `Port ${input.port} on this computer is already in use, so the Okta sign-in cannot receive its answer there.`,
        {
          remediation:
            'Finish or close the other Okta sign-in (in this or another wizard window), or quit the program that uses this port; then sign in again.',
          retryable: true,
        },
      );
    }
    throw new WizardError('internal', 'The wizard could not listen for the Okta sign-in answer.', {
      remediation: 'Try again; if it happens again, copy the redacted diagnostic and report it.',
      cause: e,
    });
  }
  const port = (server.address() as AddressInfo).port;
  const redirectUri = oktaRedirectUri(port);
  const timer = setTimeout(() => {
    input.log.warn('The Okta sign-in timed out waiting for the browser.');
    settle?.({ ok: false, error: timedOut(redirectUri, input.timeoutMs) });
    void close();
  }, input.timeoutMs);
  timer.unref();
  input.signal?.addEventListener('abort', onAbort, { once: true });
  if (input.signal?.aborted) {
    onAbort();
  }
  // Close as soon as the outcome is known, whichever it is.
  result.then(
    () => void close(),
    () => void close(),
  );
  return { redirectUri, result, close };
}

// ---------------------------------------------------------------------------------------------
// The sign-in

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  registerSecret(verifier);
  return { verifier, challenge };
}

function idTokenSubject(idToken: string | undefined): string | undefined {
  const part = idToken?.split('.')[1];
  if (!part) {
    return undefined;
  }
  try {
    const claims = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    return typeof claims.preferred_username === 'string' ? claims.preferred_username : undefined;
  } catch {
    return undefined;
  }
}

export function createOktaSignIn(options: OktaSignInOptions): OktaSignIn {
  const orgUrl = parseServiceUrl(options.orgUrl, 'The Okta org URL').origin;
  const tokenEndpoint = `${orgUrl}/oauth2/v1/token`;
  const now = options.now ?? (() => new Date());
  const log = (options.log ?? silentLogger).child('okta-signin');
  const timeoutMs = options.callbackTimeoutMs ?? CALLBACK_TIMEOUT_MS;

  /** POSTs a form to the token endpoint; a 2xx answer becomes OktaTokens, anything else a typed error. */
  const tokenRequest = async (
    flow: Flow,
    clientId: string,
    form: Record<string, string>,
    requested: readonly string[],
    signal: AbortSignal | undefined,
  ): Promise<OktaTokens> => {
    let res: HttpResponse;
    try {
      res = await options.http.request({
        method: 'POST',
        url: tokenEndpoint,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
        expect: 'json',
        throwOnError: false,
        label: 'Okta token',
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      if (isWizardError(e) && e.code === 'html_response') {
        throw new WizardError(
          'html_response',
          `${orgUrl} answered the token request with a web page.`,
          {
            remediation:
              'Check the org URL: it is your Okta address such as https://acme.okta.com (not the -admin one, and not a custom sign-in page behind a proxy).',
            ...(e.status !== undefined ? { status: e.status } : {}),
          },
        );
      }
      throw e;
    }
    if (res.status < 200 || res.status >= 300) {
      const err = oauthErrorSchema.safeParse(res.json);
      if (res.status === 404 && !err.success) {
        throw new WizardError('not_found', `${orgUrl} has no Okta token endpoint.`, {
          remediation: 'Check the org URL: it is your Okta address, such as https://acme.okta.com.',
          status: 404,
        });
      }
      const error = tokenError(
        flow,
        res.status,
        err.success ? err.data : { error: `HTTP ${res.status}` },
        clientId,
      );
      log.warn(`Okta token request refused: ${error.code}`, {
        flow,
        status: res.status,
        error: err.success ? err.data.error : undefined,
      });
      throw error;
    }
    const parsed = tokenAnswerSchema.safeParse(res.json);
    if (!parsed.success) {
      throw new WizardError(
        'invalid_response',
        'Okta answered the token request without an access token.',
        {
          remediation:
            'Check the org URL; if it is right, copy the redacted diagnostic and report it.',
          status: res.status,
        },
      );
    }
    const answer = parsed.data;
    registerSecret(answer.access_token);
    registerSecret(answer.refresh_token);
    registerSecret(answer.id_token);
    if (answer.token_type && answer.token_type.toLowerCase() !== 'bearer') {
      throw new WizardError(
        'bad_input',
        `Okta issued a ${answer.token_type.slice(0, 20)} token; the wizard uses Bearer tokens.`,
        {
          remediation:
            'Untick "Require Demonstrating Proof of Possession (DPoP) header in token requests" on the app ("General Settings" → "Edit") and try again.',
        },
      );
    }
    // RFC 6749 §5.1: no `scope` means exactly what was asked.
    const scopes = answer.scope !== undefined ? answer.scope.split(' ') : [...requested];
    const expiresIn = answer.expires_in ?? 3600;
    const subject = idTokenSubject(answer.id_token);
    return {
      accessToken: answer.access_token,
      expiresAt: new Date(now().getTime() + expiresIn * 1000),
      grantedScopes: apiScopes(scopes),
      ...(answer.refresh_token ? { refreshToken: answer.refresh_token } : {}),
      ...(subject ? { subject } : {}),
    };
  };

  return {
    orgUrl,

    async signInWithBrowser({ clientId, scopes = OKTA_SCOPE_NAMES, signal }) {
      if (signal?.aborted) {
        throw cancelledSignIn();
      }
      const state = randomBytes(24).toString('base64url');
      const nonce = randomBytes(24).toString('base64url');
      const { verifier, challenge } = pkcePair();
      const requested = ['openid', 'offline_access', ...scopes];
      const loopback = await listenLoopback({
        port: options.redirectPort ?? OKTA_REDIRECT_PORT,
        state,
        clientId,
        timeoutMs,
        signal,
        log,
      });
      try {
        const authorize = new URL(`${orgUrl}/oauth2/v1/authorize`);
        authorize.search = new URLSearchParams({
          client_id: clientId,
          response_type: 'code',
          response_mode: 'query',
          scope: requested.join(' '),
          redirect_uri: loopback.redirectUri,
          state,
          nonce,
          code_challenge: challenge,
          code_challenge_method: 'S256',
        }).toString();
        log.info('Opening the system browser for the Okta sign-in.', {
          redirectUri: loopback.redirectUri,
        });
        try {
          await options.openBrowser(authorize.href);
        } catch (e) {
          throw new WizardError(
            'internal',
            'The system browser could not be opened for the Okta sign-in.',
            {
              remediation:
                'Set a default browser on this computer and try again, or sign in with a service app key or an API token instead.',
              cause: e,
            },
          );
        }
        const { code } = await loopback.result;
        const tokens = await tokenRequest(
          'browser',
          clientId,
          {
            grant_type: 'authorization_code',
            client_id: clientId,
            code,
            redirect_uri: loopback.redirectUri,
            code_verifier: verifier,
          },
          requested,
          signal,
        );
        log.info('Signed in to Okta with the browser.', {
          grantedScopes: tokens.grantedScopes,
          refreshable: tokens.refreshToken !== undefined,
        });
        return tokens;
      } catch (e) {
        if (signal?.aborted) {
          throw cancelledSignIn();
        }
        throw e;
      } finally {
        await loopback.close();
      }
    },

    async refresh({ clientId, refreshToken, scopes = OKTA_SCOPE_NAMES, signal }) {
      registerSecret(refreshToken);
      const requested = ['openid', 'offline_access', ...scopes];
      const tokens = await tokenRequest(
        'refresh',
        clientId,
        {
          grant_type: 'refresh_token',
          client_id: clientId,
          refresh_token: refreshToken,
          scope: requested.join(' '),
        },
        requested,
        signal,
      );
      log.info('Renewed the Okta sign-in.');
      return tokens;
    },

    async serviceToken({ clientId, keyId, privateKey, scopes = OKTA_SCOPE_NAMES, signal }) {
      const key = typeof privateKey === 'string' ? parsePrivateKey(privateKey) : privateKey;
      const assertion = signClientAssertion({
        clientId,
        audience: tokenEndpoint,
        key,
        ...(keyId ? { keyId } : {}),
        now: now(),
      });
      const tokens = await tokenRequest(
        'service',
        clientId,
        {
          grant_type: 'client_credentials',
          scope: scopes.join(' '),
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        },
        scopes,
        signal,
      );
      log.info('Got an Okta token for the service app.', {
        key: key.description,
        grantedScopes: tokens.grantedScopes,
      });
      return tokens;
    },

    async revoke({ clientId, token, hint }) {
      try {
        await options.http.request({
          method: 'POST',
          url: `${orgUrl}/oauth2/v1/revoke`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            token,
            token_type_hint: hint,
            client_id: clientId,
          }).toString(),
          expect: 'none',
          throwOnError: false,
          timeoutMs: 10_000,
          retry: { attempts: 1 },
          label: 'Okta revoke',
        });
      } catch (e) {
        log.warn('Could not revoke the Okta token.', {
          reason: isWizardError(e) ? e.code : 'internal',
        });
      }
    },
  };
}
