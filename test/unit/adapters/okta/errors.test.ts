/**
 * Okta error answers → typed errors: the code, what the message keeps (Okta's code, summary, causes,
 * errorId), and a remediation that says what to do.
 */
import { describe, expect, it } from 'vitest';
import {
  OktaError,
  challengeParams,
  missingScopes,
  oktaErrorBody,
  oktaStatusError,
  orgUrlHint,
  type AuthKind,
  type FailedCall,
} from '../../../../electron/adapters/okta/errors.js';
import type { HttpResponse } from '../../../../electron/core/ports.js';
import { registerSecret } from '../../../../electron/core/redact.js';

const NOW = new Date('2026-11-29T10:00:00.000Z');

function call(auth: AuthKind = 'ssws', orgUrl = 'https://acme.okta.com'): FailedCall {
  return { what: 'the app 0oa1', auth, orgUrl, now: NOW };
}

function answer(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    url: 'https://acme.okta.com/api/v1/apps/0oa1',
    text,
    json: undefined,
  };
}

function oktaBody(code: string, summary: string, causes: string[] = [], errorId = 'oae123abc') {
  return {
    errorCode: code,
    errorSummary: summary,
    errorLink: code,
    errorId,
    errorCauses: causes.map((c) => ({ errorSummary: c })),
  };
}

describe('the error table', () => {
  const cases: {
    name: string;
    res: HttpResponse;
    code: string;
    message: RegExp[];
    remediation: RegExp[];
    retryable?: boolean;
  }[] = [
    {
      name: '401 E0000011 invalid token',
      res: answer(401, oktaBody('E0000011', 'Invalid token provided')),
      code: 'auth_failed',
      message: [
        /^The Okta token was refused \(expired, revoked, or for another org\)/,
        /HTTP 401, E0000011/,
        /Invalid token provided/,
        /errorId oae123abc/,
      ],
      remediation: [/Security → API → Tokens/, /org URL/],
    },
    {
      name: '403 insufficient_scope names the missing scope',
      res: answer(
        403,
        oktaBody('E0000006', 'You do not have permission to perform the requested action'),
        {
          'www-authenticate':
            'Bearer authorization_uri="https://acme.okta.com/oauth2/v1/authorize", realm="https://acme.okta.com", scope="okta.schemas.manage", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="/api/v1/meta/schemas/apps/0oa1/default"',
        },
      ),
      code: 'permission_denied',
      message: [/lacks the scope okta\.schemas\.manage/, /HTTP 403, E0000006/],
      remediation: [
        /Okta API Scopes/,
        /Grant okta\.schemas\.manage/,
        /only a Super Administrator can grant/,
      ],
    },
    {
      name: '403 E0000006 without a scope challenge names the role',
      res: answer(
        403,
        oktaBody('E0000006', 'You do not have permission to perform the requested action'),
      ),
      code: 'permission_denied',
      message: [/not allowed/, /E0000006/],
      remediation: [/Super Administrator or Org Administrator/],
    },
    {
      name: '404 E0000007',
      res: answer(404, oktaBody('E0000007', 'Not found: Resource not found: 0oa1 (AppInstance)')),
      code: 'not_found',
      message: [/Okta found no app 0oa1 \(HTTP 404, E0000007\)/, /Resource not found/],
      remediation: [/org URL/],
    },
    {
      name: '400 E0000001 keeps Okta’s causes',
      res: answer(
        400,
        oktaBody('E0000001', 'Api validation failed: licenseType', [
          'licenseType: The enum and oneOf values must match.',
        ]),
      ),
      code: 'bad_input',
      message: [
        /HTTP 400, E0000001/,
        /Api validation failed: licenseType/,
        /licenseType: The enum and oneOf values must match\./,
      ],
      remediation: [/Fix what Okta names/],
    },
    {
      name: '429 E0000047 says when the limit resets',
      res: answer(
        429,
        oktaBody('E0000047', 'API call exceeded rate limit due to too many requests.'),
        {
          'x-rate-limit-reset': String(NOW.getTime() / 1000 + 45),
        },
      ),
      code: 'rate_limited',
      message: [/HTTP 429, E0000047/, /resets at 2026-11-29T10:00:45\.000Z \(in about 45 s\)/],
      remediation: [/Wait until then/],
      retryable: true,
    },
    {
      name: '500 is a server error',
      res: answer(500, oktaBody('E0000009', 'Internal Server Error')),
      code: 'server_error',
      message: [/server error/, /HTTP 500, E0000009/],
      remediation: [/status\.okta\.com/],
      retryable: true,
    },
    {
      name: '503 without a body is a server error too',
      res: answer(503, ''),
      code: 'server_error',
      message: [/HTTP 503/],
      remediation: [/try again/],
      retryable: true,
    },
    {
      name: '409 is a conflict',
      res: answer(409, oktaBody('E0000038', 'This operation is not allowed in the current state')),
      code: 'conflict',
      message: [/E0000038/],
      remediation: [/Refresh/],
      retryable: true,
    },
    {
      name: '403 E0000015 is a feature the org lacks',
      res: answer(
        403,
        oktaBody('E0000015', 'You do not have permission to access the feature you are requesting'),
      ),
      code: 'permission_denied',
      message: [/feature is not available/],
      remediation: [/Features/],
    },
    {
      name: 'an HTML page (admin console host, custom domain) is html_response',
      res: answer(404, '<!DOCTYPE html><html>Not here</html>', { 'content-type': 'text/html' }),
      code: 'html_response',
      message: [/web page/],
      remediation: [/org URL \(e\.g\. https:\/\/acme\.okta\.com\)/, /admin console/],
    },
    {
      name: 'a redirect names where it went',
      res: answer(302, '', { location: 'https://acme.okta.com/login/default' }),
      code: 'redirected',
      message: [/redirected the request for the app 0oa1 to acme\.okta\.com \(HTTP 302\)/],
      remediation: [/org URL/],
    },
    {
      name: 'an OAuth error body (token endpoint style) is read too',
      res: answer(401, { error: 'invalid_token', error_description: 'The token is expired.' }),
      code: 'auth_failed',
      message: [/HTTP 401, invalid_token/, /The token is expired\./],
      remediation: [/API token/],
    },
    {
      name: 'an unexpected 4xx says so',
      res: answer(
        405,
        oktaBody('E0000022', 'The endpoint does not support the provided HTTP method'),
      ),
      code: 'invalid_response',
      message: [/unexpected HTTP 405, E0000022/],
      remediation: [/report it/],
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const e = oktaStatusError(c.res, call());
      expect(e).toBeInstanceOf(OktaError);
      expect(e.code).toBe(c.code);
      expect(e.status).toBe(c.res.status);
      expect(e.retryable).toBe(c.retryable ?? false);
      for (const m of c.message) {
        expect(e.message).toMatch(m);
      }
      for (const r of c.remediation) {
        expect(e.remediation).toMatch(r);
      }
    });
  }

  it('keeps Okta’s code and errorId on the error', () => {
    const e = oktaStatusError(answer(403, oktaBody('E0000006', 'denied', [], 'oaeXyZ')), call());
    expect(e.oktaCode).toBe('E0000006');
    expect(e.errorId).toBe('oaeXyZ');
  });
});

describe('remediation follows how the wizard signs in', () => {
  it('a refused token: new API token, sign in again, or check the service app', () => {
    const res = answer(401, oktaBody('E0000011', 'Invalid token provided'));
    expect(oktaStatusError(res, call('ssws')).remediation).toMatch(/Create a new API token/);
    expect(oktaStatusError(res, call('bearer')).remediation).toMatch(/Sign in to Okta again/);
    expect(oktaStatusError(res, call('client')).remediation).toMatch(/service app’s client ID/);
  });

  it('a missing role: the token’s creator, the signed-in admin, or the service app’s roles', () => {
    const res = answer(403, oktaBody('E0000006', 'You do not have permission'));
    expect(oktaStatusError(res, call('ssws')).remediation).toMatch(/admin who created it/);
    expect(oktaStatusError(res, call('bearer')).remediation).toMatch(/Sign in as an Okta admin/);
    expect(oktaStatusError(res, call('client')).remediation).toMatch(/Admin roles/);
  });

  it('a missing scope: sign in again, or connect again for a service app', () => {
    const res = answer(403, '', {
      'www-authenticate': 'Bearer error="insufficient_scope", scope="okta.logs.read"',
    });
    expect(oktaStatusError(res, call('bearer')).remediation).toMatch(/sign in again/);
    expect(oktaStatusError(res, call('client')).remediation).toMatch(/connect again/);
  });
});

describe('helpers', () => {
  it('reads WWW-Authenticate parameters, quoted or not', () => {
    expect(
      challengeParams(
        'Bearer realm="x, y", error=insufficient_scope, scope="okta.a.read okta.b.manage"',
      ),
    ).toEqual({ realm: 'x, y', error: 'insufficient_scope', scope: 'okta.a.read okta.b.manage' });
    expect(challengeParams(undefined)).toEqual({});
  });

  it('names only scope-shaped words from a challenge', () => {
    const res = answer(403, '', {
      'www-authenticate':
        'Bearer error="insufficient_scope", scope="okta.apps.manage okta.groups.manage <script>"',
    });
    expect(missingScopes(res)).toEqual(['okta.apps.manage', 'okta.groups.manage']);
    expect(
      missingScopes(answer(403, '', { 'www-authenticate': 'Bearer error="invalid_token"' })),
    ).toBe(undefined);
  });

  it('suggests the org URL for an admin console host', () => {
    expect(orgUrlHint('https://acme-admin.okta.com')).toContain('here https://acme.okta.com');
    expect(orgUrlHint('https://acme-admin.oktapreview.com')).toContain(
      'here https://acme.oktapreview.com',
    );
    expect(orgUrlHint('https://login.acme.com')).toContain('e.g. https://acme.okta.com');
  });

  it('a body that is not Okta’s error shape reads as nothing', () => {
    expect(oktaErrorBody('<html>')).toEqual({ code: null, summary: '', causes: [], errorId: null });
    expect(oktaErrorBody('{"errorCauses":"nope"}')).toEqual({
      code: null,
      summary: '',
      causes: [],
      errorId: null,
    });
  });

  it('quotes are redacted and capped', () => {
    const secret = 'registeredSecretValue_abcdefghijklmnop';
    registerSecret(secret);
    const e = oktaStatusError(
      answer(400, oktaBody('E0000001', `${'x'.repeat(300)} ${secret}`, [`cause with ${secret}`])),
      call(),
    );
    expect(e.message).not.toContain(secret);
    expect(e.message).toContain('…');
    expect(e.message).toContain('[REDACTED]');
  });
});
