/**
 * How the Okta adapter talks to Okta: the SDK's typed API classes for building requests and walking
 * pages, our HTTP client for the wire, zod for reading the answers.
 *
 *  - The SDK (`@okta/okta-sdk-nodejs` 8.1) builds every request (paths, percent-encoded query
 *    parameters, serialised bodies) with its object-param API classes (`ApplicationApi`, `UserApi`,
 *    `GroupApi`, `GroupPushMappingApi`, `RoleAssignmentApi`, `SystemLogApi`), and its `Collection`
 *    follows `Link: rel="next"`. Those classes are given a configuration whose HTTP library is ours:
 *    every request goes through our `HttpClient` (https-only except loopback, proxies, timeouts, the
 *    caller's AbortSignal, retries honouring `X-Rate-Limit-Reset`, typed network/TLS/proxy errors).
 *  - Why not `new okta.Client({requestExecutor})`: the Client runs the SDK's ConfigLoader first,
 *    which reads `~/.okta/okta.yaml`, `./okta.yaml` and `OKTA_CLIENT_*`. Explicit options win over
 *    them, but an empty or malformed okta.yaml in the home folder or the working directory makes the
 *    constructor throw (8.1.0: `Cannot read properties of undefined (reading 'okta')`), so an unrelated
 *    file would break the wizard. The API classes with `createConfiguration` are what the Client
 *    builds internally, minus the ConfigLoader, its `Http` class (node-fetch, an `HTTPS_PROXY` agent,
 *    default headers) and its response cache (which would answer a repeated GET from memory, while
 *    the wizard polls features, the System Log and push mappings expecting fresh data).
 *  - The HTTP library sets `Authorization` itself (`SSWS <token>`, or `Bearer <token>` from
 *    `getToken()` on every request, so a renewed token is used) and sends only the headers it
 *    chooses. It refuses any URL outside the org's origin, so a `Link` header pointing elsewhere
 *    cannot send the token to another host.
 *  - Non-2xx answers become our typed errors (errors.ts) in the HTTP library, so the SDK's
 *    `ApiException` never reaches the port. 2xx answers are checked to be JSON, then parsed with the
 *    caller's zod schema, and that parsed JSON is what the port maps from. The SDK's models are not
 *    read: in 8.1.0 they drop fields (a group's `source`, unknown app settings), split a string
 *    `features` into characters, decode an app user schema's `enum` as objects, and turn an HTML
 *    page into an empty `Application` without an error.
 *  - An empty page ends a list: the System Log answers a polling query (`since` without `until`)
 *    with a next link on every page, and the SDK's `Collection` then yields `null`, not `done`.
 *
 * Calls the SDK cannot make faithfully go through `rest()`, the same wire path without the SDK.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
// The package is CommonJS and adds its generated classes with `Object.assign(module.exports, …)`,
// which Node's ESM loader cannot see as named exports: take them from the default export.
import type okta from '@okta/okta-sdk-nodejs';
import type { RequestContext, ResponseContext } from '@okta/okta-sdk-nodejs';
import { z } from 'zod';
import {
  WizardError,
  cancelled,
  isAbortError,
  isWizardError,
  toWizardError,
} from '../../core/errors.js';
import type { HttpClient, HttpMethod } from '../../core/ports.js';
import { registerSecret } from '../../core/redact.js';
import { parseServiceUrl } from '../../core/url.js';
import {
  firstIssuePath,
  htmlAnswerError,
  looksLikeHtml,
  notJsonError,
  oktaStatusError,
  unexpectedShape,
  type AuthKind,
  type FailedCall,
} from './errors.js';

type OktaSdk = typeof okta;
let sdkModule: Promise<OktaSdk> | undefined;

/**
 * The SDK is loaded on first use: importing it takes about 0.6 s, which every CLI command (and the
 * app's start) would otherwise pay, Okta or not.
 */
export function loadOktaSdk(): Promise<OktaSdk> {
  sdkModule ??= import('@okta/okta-sdk-nodejs').then((m) => m.default);
  return sdkModule;
}

/**
 * How the wizard authenticates to Okta: an API token (`SSWS`), or an OAuth access token with Okta
 * API scopes — an admin's (user context) or, with `clientId`, an OAuth service app's.
 */
export type OktaAuth =
  | { readonly kind: 'ssws'; readonly token: string }
  | {
      readonly kind: 'bearer';
      /** A current access token; called before every request (tokens renew). */
      getToken(): Promise<string>;
      /** Set for an OAuth service app (client credentials): the principal is the client. */
      readonly clientId?: string;
    };

/** One port call, as logs and errors name it. */
export interface OktaCall {
  /** For logs, e.g. `okta app`. */
  readonly label: string;
  /** For errors, e.g. `the app 0oa1…`. */
  readonly what: string;
  readonly signal?: AbortSignal | undefined;
}

/** A request the SDK cannot make faithfully (see client.ts for each). */
export interface RestRequest {
  readonly method: HttpMethod;
  /** From the org root, starting with `/`, ids already encoded. */
  readonly path: string;
  readonly json?: unknown;
}

/** The SDK's API classes the port uses, all on our HTTP library. */
export interface OktaApis {
  readonly applicationApi: okta.ApplicationApi;
  readonly groupApi: okta.GroupApi;
  readonly groupPushMappingApi: okta.GroupPushMappingApi;
  readonly roleAssignmentApi: okta.RoleAssignmentApi;
  readonly systemLogApi: okta.SystemLogApi;
  readonly userApi: okta.UserApi;
}

/** What walking a list needs of the SDK's `Collection`. */
export interface Pager {
  next(): Promise<{ done: boolean; value: unknown }>;
}

export interface OktaTransport {
  /** The org's origin, e.g. `https://acme.okta.com`. */
  readonly orgUrl: string;
  readonly authKind: AuthKind;
  /** One SDK call with one answer, parsed with `schema`. */
  one<S extends z.ZodType>(
    call: OktaCall,
    schema: S,
    send: (sdk: OktaApis) => Promise<unknown>,
  ): Promise<z.output<S>>;
  /** Every item of an SDK list (all pages), each parsed with `item`; at most `max` when given. */
  list<S extends z.ZodType>(
    call: OktaCall,
    item: S,
    open: (sdk: OktaApis) => Promise<Pager>,
    max?: number,
  ): Promise<z.output<S>[]>;
  /** A request without the SDK; resolves to the parsed JSON of a 2xx answer (undefined when empty). */
  rest(call: OktaCall, req: RestRequest): Promise<unknown>;
}

export interface TransportOptions {
  readonly http: HttpClient;
  readonly orgUrl: string;
  readonly auth: OktaAuth;
  readonly now?: () => Date;
}

/** A list is followed through this many pages at most (a guard against a link loop). */
export const MAX_PAGES = 100;

const METHODS: readonly HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  readonly json: unknown;
}

/** The state of one port call while the SDK runs it. */
interface CallState {
  readonly call: OktaCall;
  /** Parses and keeps a 2xx JSON body; throws a typed error when it has the wrong shape. */
  readonly accept: (json: unknown) => void;
  requests: number;
}

export function createTransport(options: TransportOptions): OktaTransport {
  const { http, auth } = options;
  const now = options.now ?? (() => new Date());
  const orgUrl = parseServiceUrl(options.orgUrl, 'The Okta org URL').origin;
  const authKind: AuthKind = auth.kind === 'ssws' ? 'ssws' : auth.clientId ? 'client' : 'bearer';
  if (auth.kind === 'ssws') {
    if (auth.token.trim() === '') {
      throw new WizardError('auth_failed', 'The Okta API token is empty.', {
        remediation:
          'Paste the whole API token from the Okta admin console (Security → API → Tokens).',
      });
    }
    registerSecret(auth.token);
  }
  const storage = new AsyncLocalStorage<CallState>();

  const failedCall = (call: OktaCall): FailedCall => ({
    what: call.what,
    auth: authKind,
    orgUrl,
    now: now(),
  });

  async function authorization(): Promise<string> {
    if (auth.kind === 'ssws') {
      return `SSWS ${auth.token.trim()}`;
    }
    let token: string;
    try {
      token = await auth.getToken();
    } catch (e) {
      if (isWizardError(e)) {
        throw e;
      }
      const typed = toWizardError(e);
      if (typed.code === 'cancelled') {
        throw typed;
      }
      throw new WizardError('auth_failed', 'Could not get an Okta access token.', {
        remediation:
          authKind === 'client' ? 'Connect the Okta service app again.' : 'Sign in to Okta again.',
      });
    }
    if (token.trim() === '') {
      throw new WizardError('auth_failed', 'The Okta sign-in returned an empty access token.', {
        remediation: 'Sign in to Okta again.',
      });
    }
    registerSecret(token);
    return `Bearer ${token.trim()}`;
  }

  /** One request on the wire; 2xx → the answer with its JSON, anything else → a typed error. */
  async function send(
    call: OktaCall,
    req: { method: HttpMethod; url: string; json?: unknown; body?: string },
  ): Promise<Answer> {
    const headers: Record<string, string> = {
      authorization: await authorization(),
      accept: 'application/json',
    };
    if (req.body !== undefined) {
      headers['content-type'] = 'application/json';
    }
    const res = await http.request({
      method: req.method,
      url: req.url,
      headers,
      ...(req.json !== undefined ? { json: req.json } : {}),
      ...(req.body !== undefined ? { body: req.body } : {}),
      expect: 'text',
      throwOnError: false,
      label: call.label,
      ...(call.signal ? { signal: call.signal } : {}),
    });
    if (res.status < 200 || res.status >= 300) {
      throw oktaStatusError(res, failedCall(call));
    }
    if (looksLikeHtml(res)) {
      throw htmlAnswerError(res.status, failedCall(call));
    }
    let json: unknown;
    if (res.text.trim() !== '') {
      try {
        json = JSON.parse(res.text) as unknown;
      } catch {
        throw notJsonError(res.status, failedCall(call));
      }
    }
    return { status: res.status, headers: res.headers, text: res.text, json };
  }

  /** Our HTTP library's side: one request the SDK built, inside a port call. */
  async function handle(sdk: OktaSdk, request: RequestContext): Promise<ResponseContext> {
    const state = storage.getStore();
    if (!state) {
      throw new WizardError('internal', 'The Okta SDK sent a request outside a wizard call.', {
        remediation: 'This is a bug in the wizard: copy the redacted diagnostic and report it.',
      });
    }
    const { call } = state;
    const method = METHODS.find((m) => m === request.getHttpMethod().toUpperCase());
    const body = request.getBody();
    if (!method || (body !== undefined && typeof body !== 'string')) {
      throw new WizardError('internal', `The wizard could not send the request for ${call.what}.`, {
        remediation: 'This is a bug in the wizard: copy the redacted diagnostic and report it.',
      });
    }
    let target: URL;
    try {
      target = new URL(request.getUrl());
    } catch {
      throw unexpectedShape(call.what, 'the address of the next page');
    }
    if (target.origin !== orgUrl) {
      // The first request is built from our org URL, so only a `Link` header can lead elsewhere.
      throw new WizardError(
        'invalid_response',
        `Okta's answer for ${call.what} pointed to another host (${target.host}); the wizard does not send the Okta token there.`,
        {
          remediation:
            'Check that the org URL is your Okta org and that no proxy rewrites its answers; then try again.',
        },
      );
    }
    state.requests += 1;
    if (state.requests > MAX_PAGES) {
      throw new WizardError(
        'invalid_response',
        `Okta kept answering ${call.what} with more pages after ${MAX_PAGES}.`,
        { remediation: 'Narrow the search and try again; if it persists, report it.' },
      );
    }
    const answer = await send(call, {
      method,
      url: target.href,
      ...(body !== undefined ? { body } : {}),
    });
    state.accept(answer.json);
    // The SDK parses by content type, and reads `link` (lower case) to find the next page.
    const headers: Record<string, string> = { ...answer.headers };
    headers['content-type'] = 'application/json';
    return new sdk.ResponseContext(answer.status, headers, {
      text: () => Promise.resolve(answer.text),
      binary: () => Promise.resolve(Buffer.from(answer.text, 'utf8')),
    });
  }

  let apis: Promise<OktaApis> | undefined;
  /** The API classes, on our HTTP library, built once the SDK has loaded. */
  function sdkApis(): Promise<OktaApis> {
    apis ??= loadOktaSdk().then((sdk) => {
      const configuration = sdk.createConfiguration({
        baseServer: new sdk.ServerConfiguration(orgUrl, {}),
        httpApi: sdk.wrapHttpLibrary({ send: (request) => handle(sdk, request) }),
      });
      return {
        applicationApi: new sdk.ApplicationApi(configuration),
        groupApi: new sdk.GroupApi(configuration),
        groupPushMappingApi: new sdk.GroupPushMappingApi(configuration),
        roleAssignmentApi: new sdk.RoleAssignmentApi(configuration),
        systemLogApi: new sdk.SystemLogApi(configuration),
        userApi: new sdk.UserApi(configuration),
      };
    });
    return apis;
  }

  /** Runs SDK calls for one port call; any failure comes out typed. */
  async function run(
    call: OktaCall,
    accept: (json: unknown) => void,
    fn: (sdk: OktaApis) => Promise<void>,
  ): Promise<void> {
    if (call.signal?.aborted) {
      throw cancelled();
    }
    const state: CallState = { call, accept, requests: 0 };
    try {
      const sdk = await sdkApis();
      await storage.run(state, () => fn(sdk));
    } catch (e) {
      if (isWizardError(e)) {
        throw e;
      }
      if (isAbortError(e) || call.signal?.aborted) {
        throw cancelled();
      }
      if (state.requests === 0) {
        throw new WizardError(
          'internal',
          `The wizard could not build the request for ${call.what}.`,
          {
            remediation: 'This is a bug in the wizard: copy the redacted diagnostic and report it.',
          },
        );
      }
      throw new WizardError(
        'invalid_response',
        `The Okta SDK could not read Okta's answer for ${call.what}.`,
        {
          remediation:
            'Update the wizard if a newer version exists; otherwise copy the redacted diagnostic and report it.',
        },
      );
    }
  }

  return {
    orgUrl,
    authKind,

    async one(call, schema, sendCall) {
      const got: z.output<typeof schema>[] = [];
      await run(
        call,
        (json) => {
          const parsed = schema.safeParse(json);
          if (!parsed.success) {
            throw unexpectedShape(call.what, firstIssuePath(parsed.error));
          }
          got.push(parsed.data);
        },
        async (made) => {
          try {
            await sendCall(made);
          } catch (e) {
            // The answer was read (and checked) already; the SDK's own model of it is not used, so
            // a failure of its deserializer after that does not matter.
            if (isWizardError(e) || got.length !== 1) {
              throw e;
            }
          }
        },
      );
      const [first] = got;
      if (got.length !== 1 || first === undefined) {
        throw unexpectedShape(call.what, '');
      }
      return first;
    },

    async list(call, item, open, max) {
      const page = z.array(item);
      const got: z.output<typeof item>[] = [];
      await run(
        call,
        (json) => {
          const parsed = page.safeParse(json);
          if (!parsed.success) {
            throw unexpectedShape(call.what, firstIssuePath(parsed.error));
          }
          got.push(...parsed.data);
        },
        async (made) => {
          const pager = await open(made);
          for (;;) {
            if (max !== undefined && got.length >= max) {
              break;
            }
            const step = await pager.next();
            // An empty page (value null, not done) ends the list: see the header.
            if (step.done || step.value == null) {
              break;
            }
          }
        },
      );
      return max === undefined ? got : got.slice(0, max);
    },

    async rest(call, req) {
      if (call.signal?.aborted) {
        throw cancelled();
      }
      const answer = await send(call, {
        method: req.method,
        url: `${orgUrl}${req.path}`,
        ...(req.json !== undefined ? { json: req.json } : {}),
      });
      return answer.json;
    },
  };
}
