/**
 * The SCIM connection check (`ScimProbePort`): calls dbt's SCIM API the way Okta's and Entra's
 * "Test connection" do, and names the cause of each failure with what to do about it.
 *
 * Every request: `Authorization: Bearer <token>`, `Accept: application/scim+json, application/json`,
 * a 15 s timeout, 2 attempts, and `throwOnError: false` with `expect: 'text'` so that an HTML page,
 * non-JSON and JSON that is not SCIM are told apart here. The token never appears in a check, an
 * error or a log line (it is registered with the redaction sink, and no message is built from it).
 */
import type { Check } from '../../core/model.js';
import type { ScimProbePort, ScimProbeResult, ScimUserSummary } from '../../core/dbt/ports.js';
import { isAbortError, isWizardError, WizardError, type ErrorCode } from '../../core/errors.js';
import type { HttpClient, HttpResponse } from '../../core/ports.js';
import { redact, registerSecret } from '../../core/redact.js';
import { z } from 'zod';
import { looksLikeHtml, quote, redirectTarget, tryJson } from './errors.js';
import {
  errorEnvelopeSchema,
  scimErrorSchema,
  scimListResponseSchema,
  scimMessageSchema,
  scimServiceProviderConfigSchema,
} from './schemas.js';

export const PROBE_TIMEOUT_MS = 15_000;

/** The SCIM extension dbt reads (and shows) the license type in. */
const DBT_USER_EXTENSION = 'urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User';

/** The fields of a SCIM user that `findUser` and `listUsers` report. */
const scimUserSchema = z
  .object({
    id: z.string(),
    userName: z.string(),
    active: z.boolean().optional(),
    name: z
      .object({ givenName: z.string().optional(), familyName: z.string().optional() })
      .loose()
      .optional(),
    // An extension that does not read as expected is ignored, never a reason to miss the user.
    [DBT_USER_EXTENSION]: z
      .object({ licenseType: z.string().nullable().optional().catch(undefined) })
      .loose()
      .optional()
      .catch(undefined),
  })
  .loose();

/** Users per page when listing (dbt's SCIM API pages like any SCIM service). */
export const LIST_PAGE_SIZE = 100;
/** The most users `listUsers` reads unless told otherwise. */
export const LIST_DEFAULT_LIMIT = 1000;

function summary(u: z.output<typeof scimUserSchema>): ScimUserSummary {
  const license = u[DBT_USER_EXTENSION]?.licenseType;
  return {
    id: u.id,
    userName: u.userName,
    active: u.active ?? null,
    givenName: u.name?.givenName ?? null,
    familyName: u.name?.familyName ?? null,
    ...(license !== undefined ? { licenseType: license } : {}),
  };
}

export const PROBE_ATTEMPTS = 2;

/** The user name the filter check looks for: it cannot exist (`.invalid` is reserved). */
export const PROBE_USER_NAME = 'scim-wizard-probe@example.invalid';

export const PROBE_CHECK_IDS = [
  'scim.service-provider-config',
  'scim.users.list',
  'scim.users.filter',
  'scim.groups.list',
] as const;
export type ProbeCheckId = (typeof PROBE_CHECK_IDS)[number];

export interface ScimProbeOptions {
  readonly http: HttpClient;
  /** The time stamped on checks; default the system clock. */
  readonly now?: () => Date;
}

interface Failed {
  readonly code: ErrorCode;
  readonly message: string;
  /** The remaining checks cannot tell anything more (wrong URL, token, network): skip them. */
  readonly stop?: string;
}

type Outcome =
  | { readonly kind: 'pass'; readonly message: string }
  | { readonly kind: 'skip'; readonly message: string }
  | ({ readonly kind: 'fail' } & Failed);

interface Probe {
  readonly id: ProbeCheckId;
  /** Appended to the base URL. */
  readonly path: string;
  /** Reads a 2xx JSON answer. */
  readonly judge: (json: unknown) => Outcome;
  /** Optional endpoint: a 404 is a skip, not a failure. */
  readonly optional?: boolean;
}

/** An answer that is JSON but not SCIM. */
function notScim(what: string): Outcome {
  return {
    kind: 'fail',
    code: 'invalid_response',
    message: `${what} answered with JSON that is not SCIM: this URL is probably dbt’s Admin API or another service, not the SCIM base URL. Copy the SCIM base URL field from dbt → Account settings → SSO & SCIM.`,
    stop: 'the URL does not answer as a SCIM API',
  };
}

function plural(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

export function createScimProbe(options: ScimProbeOptions): ScimProbePort {
  const { http } = options;
  const now = options.now ?? (() => new Date());

  const listJudge =
    (what: string, pass: (total: number) => string) =>
    (json: unknown): Outcome => {
      const list = scimListResponseSchema.safeParse(json);
      if (list.success) {
        return { kind: 'pass', message: pass(list.data.totalResults) };
      }
      if (scimMessageSchema.safeParse(json).success) {
        return {
          kind: 'fail',
          code: 'invalid_response',
          message: `${what} answered in SCIM, but not with a ListResponse and its totalResults; dbt’s SCIM API may have changed. Copy the redacted diagnostic and report it.`,
        };
      }
      return notScim(what);
    };

  const probes: readonly Probe[] = [
    {
      id: 'scim.service-provider-config',
      path: '/ServiceProviderConfig',
      optional: true,
      judge: (json) => {
        const parsed = scimServiceProviderConfigSchema.safeParse(json);
        if (!parsed.success) {
          return scimMessageSchema.safeParse(json).success
            ? {
                kind: 'fail',
                code: 'invalid_response',
                message:
                  'ServiceProviderConfig answered in SCIM, but not with a service provider configuration; dbt’s SCIM API may have changed. Copy the redacted diagnostic and report it.',
              }
            : notScim('ServiceProviderConfig');
        }
        const yes = (s: { supported: boolean } | undefined): string =>
          s === undefined ? 'not stated' : s.supported ? 'supported' : 'not supported';
        const c = parsed.data;
        return {
          kind: 'pass',
          message: `The SCIM service describes itself: PATCH ${yes(c.patch)}, filter ${yes(c.filter)}, bulk ${yes(c.bulk)}.`,
        };
      },
    },
    {
      id: 'scim.users.list',
      path: '/Users?startIndex=1&count=1',
      judge: listJudge('Listing users', (n) => `SCIM answers: ${plural(n, 'user', 'users')}.`),
    },
    {
      id: 'scim.users.filter',
      path: `/Users?filter=${encodeURIComponent(`userName eq "${PROBE_USER_NAME}"`)}`,
      judge: listJudge(
        'Filtering users by userName',
        () => 'Filter by userName works, as Okta’s and Entra’s matching needs.',
      ),
    },
    {
      id: 'scim.groups.list',
      path: '/Groups?startIndex=1&count=1',
      judge: listJudge(
        'Listing groups',
        (n) => `SCIM answers for groups: ${plural(n, 'group', 'groups')}.`,
      ),
    },
  ];

  async function run(
    probe: Probe,
    base: string,
    token: string,
    signal: AbortSignal | undefined,
  ): Promise<{ outcome: Outcome; json?: unknown }> {
    let res: HttpResponse;
    try {
      res = await http.request({
        method: 'GET',
        url: `${base}${probe.path}`,
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/scim+json, application/json',
        },
        expect: 'text',
        throwOnError: false,
        timeoutMs: PROBE_TIMEOUT_MS,
        retry: { attempts: PROBE_ATTEMPTS },
        label: `dbt SCIM ${probe.id.replace(/^scim\./, '')}`,
        ...(signal ? { signal } : {}),
      });
    } catch (e) {
      if (isAbortError(e) || signal?.aborted) {
        throw e;
      }
      return { outcome: { kind: 'fail', ...networkFailure(e, base) } };
    }
    return judgeAnswer(probe, res);
  }

  function judgeAnswer(probe: Probe, res: HttpResponse): { outcome: Outcome; json?: unknown } {
    const { status } = res;
    if (status >= 300 && status < 400) {
      const target = redirectTarget(res.headers.location, res.url);
      return {
        outcome: {
          kind: 'fail',
          code: 'redirected',
          message: `The server redirects${target ? ` to ${target}` : ''} (HTTP ${status}): this is usually a browser URL (a sign-in page), not the SCIM base URL. Copy the SCIM base URL field from dbt → Account settings → SSO & SCIM.`,
          stop: 'the URL redirects',
        },
      };
    }
    const json = looksLikeHtml(res.headers, res.text) ? undefined : tryJson(res.text);
    if (status === 401) {
      return {
        outcome: {
          kind: 'fail',
          code: 'auth_failed',
          message:
            'dbt refused the SCIM token (HTTP 401): it is wrong, was deleted, or belongs to another account (or SCIM is turned off). Create a new SCIM token in dbt → Account settings → SSO & SCIM and enter it again.',
          stop: 'the SCIM token was refused',
        },
      };
    }
    if (status === 403) {
      return {
        outcome: {
          kind: 'fail',
          code: 'ip_restricted',
          message: `dbt refused the connection (HTTP 403)${scimDetail(json)}: IP restrictions are probably on. The identity provider’s provisioning ranges (and this computer, for this check) must be allowed in dbt → Account settings → IP restrictions.`,
          stop: 'dbt refused the connection',
        },
      };
    }
    if (status === 404 || status === 410) {
      if (probe.optional) {
        return {
          outcome: {
            kind: 'skip',
            message: 'ServiceProviderConfig is not offered; it is optional.',
          },
        };
      }
      if (!isScimPath(res.url) && errorEnvelopeSchema.safeParse(json).success) {
        // dbt's Admin API answers unknown paths with its JSON envelope, not a SCIM error.
        return { outcome: notScim(describe(probe)) };
      }
      return {
        outcome: {
          kind: 'fail',
          code: 'not_found',
          message:
            'There is no SCIM API at this URL (HTTP 404): check the account id in the URL and that you copied the SCIM base URL field from dbt → Account settings → SSO & SCIM.',
          stop: 'there is no SCIM API at this URL',
        },
      };
    }
    if (status === 407) {
      return {
        outcome: {
          kind: 'fail',
          code: 'proxy_auth',
          message:
            'A proxy asked for credentials (HTTP 407) before reaching dbt: sign in to the proxy or set its credentials in the system settings (HTTPS_PROXY for the CLI).',
          stop: 'the proxy asked for credentials',
        },
      };
    }
    if (status === 429) {
      const after = res.headers['retry-after'];
      return {
        outcome: {
          kind: 'fail',
          code: 'rate_limited',
          message: `dbt is limiting how fast requests may come (HTTP 429)${after ? `; it asked to wait ${quote(after, 40)} seconds` : ''}. Wait a minute and run the check again.`,
        },
      };
    }
    if (status >= 500) {
      return {
        outcome: {
          kind: 'fail',
          code: 'server_error',
          message: `dbt’s SCIM API had a server error (HTTP ${status}). This is usually temporary: run the check again in a few minutes, and see https://status.getdbt.com if it persists.`,
        },
      };
    }
    if (status < 200 || status >= 300) {
      return {
        outcome: {
          kind: 'fail',
          code: 'invalid_response',
          message: `${describe(probe)} got an unexpected HTTP ${status}${scimDetail(json)}. Check the SCIM base URL; if it is right, copy the redacted diagnostic and report it.`,
        },
      };
    }
    if (looksLikeHtml(res.headers, res.text)) {
      return {
        outcome: {
          kind: 'fail',
          code: 'html_response',
          message:
            'A web page answered, probably a sign-in page: paste the SCIM base URL (dbt → Account settings → SSO & SCIM), not the browser address.',
          stop: 'a web page answered',
        },
      };
    }
    if (json === undefined) {
      return {
        outcome: {
          kind: 'fail',
          code: 'invalid_response',
          message: `${describe(probe)} answered with something that is not JSON: this is not a SCIM API. Copy the SCIM base URL field from dbt → Account settings → SSO & SCIM.`,
          stop: 'the URL does not answer as a SCIM API',
        },
      };
    }
    return { outcome: probe.judge(json), json };
  }

  return {
    async probe({ scimUrl, token, signal }): Promise<ScimProbeResult> {
      registerSecret(token);
      const base = scimUrl.trim().replace(/\/+$/, '');
      const checks: Check[] = [];
      let failure: ScimProbeResult['failure'];
      let supports: ScimProbeResult['supports'];
      let stopped: string | undefined;

      for (const probe of probes) {
        if (stopped !== undefined) {
          checks.push(check(probe.id, 'skip', `Not run: ${stopped}.`));
          continue;
        }
        const { outcome, json } = await run(probe, base, token, signal);
        if (outcome.kind === 'fail') {
          checks.push(check(probe.id, 'fail', outcome.message));
          failure ??= { code: outcome.code, checkId: probe.id };
          stopped = outcome.stop;
          continue;
        }
        checks.push(check(probe.id, outcome.kind, outcome.message));
        if (outcome.kind === 'pass' && probe.id === 'scim.service-provider-config') {
          supports = supportsOf(json);
        }
      }
      return {
        checks,
        ...(failure ? { failure } : {}),
        ...(supports ? { supports } : {}),
      };
    },

    async findUser(scimUrl, token, userName, signal): Promise<ScimUserSummary | undefined> {
      registerSecret(token);
      const base = scimUrl.trim().replace(/\/+$/, '');
      const filter = `userName eq "${userName.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
      const probe: Probe = {
        id: 'scim.users.filter',
        path: `/Users?filter=${encodeURIComponent(filter)}`,
        judge: listJudge('Filtering users by userName', () => 'found'),
      };
      const { outcome, json } = await run(probe, base, token, signal);
      if (outcome.kind === 'fail') {
        throw new WizardError(outcome.code, redact(outcome.message), { remediation: '' });
      }
      const resources = (json as { Resources?: unknown }).Resources;
      const match = (Array.isArray(resources) ? resources : [])
        .map((r) => scimUserSchema.safeParse(r))
        .flatMap((r) => (r.success ? [r.data] : []))
        .find((u) => u.userName.toLowerCase() === userName.toLowerCase());
      return match ? summary(match) : undefined;
    },

    async listUsers(scimUrl, token, opts = {}): Promise<ScimUserSummary[]> {
      registerSecret(token);
      const base = scimUrl.trim().replace(/\/+$/, '');
      const limit = Math.max(0, opts.limit ?? LIST_DEFAULT_LIMIT);
      const users: ScimUserSummary[] = [];
      const seen = new Set<string>();
      let startIndex = 1;
      while (users.length < limit) {
        const count = Math.min(LIST_PAGE_SIZE, limit - users.length);
        const probe: Probe = {
          id: 'scim.users.list',
          path: `/Users?startIndex=${startIndex}&count=${count}`,
          judge: listJudge('Listing users', () => 'listed'),
        };
        const { outcome, json } = await run(probe, base, token, opts.signal);
        if (outcome.kind === 'fail') {
          throw new WizardError(outcome.code, redact(outcome.message), { remediation: '' });
        }
        const list = json as { Resources?: unknown; totalResults?: number };
        const page = (Array.isArray(list.Resources) ? list.Resources : [])
          .map((r) => scimUserSchema.safeParse(r))
          .flatMap((r) => (r.success ? [r.data] : []));
        let added = 0;
        for (const u of page) {
          if (!seen.has(u.id) && users.length < limit) {
            seen.add(u.id);
            users.push(summary(u));
            added++;
          }
        }
        const total = typeof list.totalResults === 'number' ? list.totalResults : 0;
        // The end: a short or empty page, all of totalResults, or a server that ignores paging.
        if (page.length === 0 || added === 0 || startIndex - 1 + page.length >= total) {
          break;
        }
        startIndex += page.length;
      }
      return users;
    },
  };

  function check(id: ProbeCheckId, status: Check['status'], message: string): Check {
    return { id, status, message: redact(message), at: now().toISOString() };
  }
}

function supportsOf(json: unknown): ScimProbeResult['supports'] {
  const parsed = scimServiceProviderConfigSchema.safeParse(json);
  if (!parsed.success) {
    return undefined;
  }
  const c = parsed.data;
  return {
    ...(c.patch ? { patch: c.patch.supported } : {}),
    ...(c.filter ? { filter: c.filter.supported } : {}),
    ...(c.bulk ? { bulk: c.bulk.supported } : {}),
  };
}

function describe(probe: Probe): string {
  switch (probe.id) {
    case 'scim.service-provider-config':
      return 'ServiceProviderConfig';
    case 'scim.users.list':
      return 'Listing users';
    case 'scim.users.filter':
      return 'Filtering users by userName';
    case 'scim.groups.list':
      return 'Listing groups';
  }
}

/** `: "detail"` from a SCIM error body, quoted and redacted; '' when there is none. */
function scimDetail(json: unknown): string {
  const parsed = scimErrorSchema.safeParse(json);
  const detail = parsed.success ? (parsed.data.detail ?? '') : '';
  return detail.trim() ? ` (“${quote(detail)}”)` : '';
}

function isScimPath(url: string): boolean {
  try {
    return /\/scim(\/|$)/i.test(new URL(url).pathname);
  } catch {
    return false;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the SCIM host';
  }
}

/** What to say for each failure the HTTP client throws, given the host; `stop` ends the probe. */
const THROWN: Partial<Record<ErrorCode, (host: string) => { message: string; stop: string }>> = {
  network_dns: (host) => ({
    message: `The host name ${host} does not resolve: check the URL, or your DNS/VPN.`,
    stop: 'the host name does not resolve',
  }),
  network_refused: (host) => ({
    message: `${host} refused the connection or cannot be reached: check the URL and port, and that a firewall or VPN is not blocking it.`,
    stop: 'the connection was refused',
  }),
  network_timeout: (host) => ({
    message: `${host} did not answer within ${PROBE_TIMEOUT_MS / 1000} seconds: check that this computer is online and that a VPN or proxy is not holding the connection, then run the check again.`,
    stop: 'the server did not answer in time',
  }),
  network_reset: (host) => ({
    message: `The connection to ${host} was closed before an answer arrived: run the check again; if it keeps happening, a firewall or proxy may be cutting the connection.`,
    stop: 'the connection was closed',
  }),
  tls: (host) => ({
    message: `The secure connection to ${host} could not be verified: a corporate proxy is probably intercepting TLS. Trust its root certificate in the system store (for the CLI, set NODE_EXTRA_CA_CERTS to its PEM file), or ask IT to exempt ${host}.`,
    stop: 'the secure connection could not be verified',
  }),
  proxy: (host) => ({
    message: `The proxy could not connect to ${host}: check the proxy settings (HTTPS_PROXY / NO_PROXY for the CLI) or ask IT to allow ${host}.`,
    stop: 'the proxy failed',
  }),
  proxy_auth: () => ({
    message:
      'The proxy asked for credentials (HTTP 407): sign in to the proxy or set its credentials in the system settings (HTTPS_PROXY for the CLI).',
    stop: 'the proxy asked for credentials',
  }),
};

/** A thrown failure (network, TLS, proxy, bad URL) as a failed check that stops the others. */
function networkFailure(e: unknown, base: string): Failed {
  const host = hostOf(base);
  if (!isWizardError(e)) {
    return {
      code: 'internal',
      message: `The check of ${host} failed unexpectedly. Try again; if it happens again, copy the redacted diagnostic and report it.`,
      stop: 'the check failed unexpectedly',
    };
  }
  const known = THROWN[e.code];
  if (known) {
    return { code: e.code, ...known(host) };
  }
  return {
    code: e.code,
    message:
      e.code === 'bad_input'
        ? `The SCIM base URL cannot be used: ${redact(e.message)} ${redact(e.remediation)}`
        : `${redact(e.message)} ${redact(e.remediation)}`,
    stop: e.code === 'bad_input' ? 'the URL cannot be used' : 'the connection failed',
  };
}
