/**
 * The redacted capture (`dbt-scim-wizard capture`): the read-only calls of the checks against a
 * real setup, recorded through a GET-only HTTP client, redacted (core/capture), scanned, and
 * written to a new folder an admin can attach to a bug report, or a test can load as a fixture.
 *
 * The reads are the ports' own (the same adapters as the checks: dbt Admin API, the SCIM probe, the
 * Okta port, the Graph port), built over the recording client: nothing here knows a URL. A capture
 * can never change a tenant: the recording client refuses any method but GET before it is sent.
 */
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { WizardError, badInput, isAbortError, toWizardError } from '../core/errors.js';
import type { Clock, HttpClient, HttpRequest, HttpResponse } from '../core/ports.js';
import type { CapturedExchange } from '../core/capture/exchange.js';
import { redactCapture, type CaptureRedactionOptions } from '../core/capture/redact.js';
import { findLeaks, type Leak } from '../core/capture/scan.js';
import { captureFiles, type CaptureSide } from '../core/capture/folder.js';
import type { HostKind } from '../core/capture/rules.js';
import type { OktaAppRef } from '../core/okta/inputs.js';
import { DIR_MODE, FILE_MODE } from '../core/store/files.js';
import { createDbtAdmin } from '../adapters/dbt/admin.js';
import { createScimProbe } from '../adapters/dbt/scim-probe.js';
import { createOktaPort, type OktaAuth } from '../adapters/okta/client.js';
import { createGraph } from '../adapters/entra/graph.js';
import type { GraphTokenProvider } from './entra.js';

// ---------------------------------------------------------------------------------------------
// Recording

/** A capture tried to send something other than a GET: refused before anything was sent. */
export class CaptureWriteRefusedError extends WizardError {
  constructor(method: string, where: string) {
    super(
      'internal',
      `The capture only reads: a ${method} request to ${where} was refused before it was sent.`,
      {
        remediation:
          'Nothing was changed. This is a bug in the wizard: copy the redacted diagnostic and report it.',
      },
    );
  }
}

export interface RecordingClient extends HttpClient {
  /** Every exchange so far, in order (not redacted: redact before writing anywhere). */
  readonly exchanges: readonly CapturedExchange[];
}

function originAndPath(raw: string): string {
  try {
    const u = new URL(raw);
    return `${u.origin}${u.pathname}`;
  } catch {
    return 'an invalid URL';
  }
}

/** A text answer that is JSON (SCIM's `application/scim+json` read as text) is kept parsed. */
function bodyOf(text: string): unknown {
  const t = text.trim();
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

/** Passes GET requests through and records them; refuses every other method with a typed error. */
export function createRecordingClient(inner: HttpClient): RecordingClient {
  // Each exchange keeps the place of its request, not of its answer: requests that run side by
  // side then land in the same order on every run, and so do their placeholders.
  const slots: (CapturedExchange | undefined)[] = [];
  return {
    get exchanges() {
      return slots.filter((x): x is CapturedExchange => x !== undefined);
    },
    async request(req: HttpRequest): Promise<HttpResponse> {
      if (req.method !== 'GET') {
        throw new CaptureWriteRefusedError(req.method, originAndPath(req.url));
      }
      const slot = slots.length;
      slots.push(undefined);
      const base = {
        method: req.method,
        url: req.url,
        requestHeaders: { ...(req.headers ?? {}) },
        ...(req.label ? { label: req.label } : {}),
      };
      try {
        const res = await inner.request(req);
        slots[slot] = {
          ...base,
          url: res.url || req.url,
          status: res.status,
          responseHeaders: { ...res.headers },
          body: res.json !== undefined ? res.json : bodyOf(res.text),
        };
        return res;
      } catch (e) {
        if (!isAbortError(e)) {
          const err = toWizardError(e);
          slots[slot] = {
            ...base,
            status: err.status ?? 0,
            responseHeaders: {},
            body: null,
            error: { code: err.code, message: err.message },
          };
        }
        throw e;
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// What to read

export interface CaptureInputs {
  readonly dbtAdmin?: {
    readonly apiUrl: string;
    readonly accountId: number;
    readonly apiToken: string;
  };
  readonly dbtScim?: { readonly scimUrl: string; readonly token: string };
  readonly okta?: { readonly orgUrl: string; readonly appRef: OktaAppRef; readonly auth: OktaAuth };
  readonly entra?: {
    readonly graphUrl: string;
    readonly appName: string;
    readonly chosenId?: string;
    readonly token: GraphTokenProvider;
  };
  /** Other secret values of the run (an OAuth or Graph access token behind a provider). */
  readonly secrets?: readonly string[];
  /** Sides not captured, with the reason (the caller knows which inputs were missing). */
  readonly skipped?: readonly CaptureSide[];
}

export interface CaptureDeps {
  readonly http: HttpClient;
  readonly clock: Clock;
  readonly version: string;
  readonly signal?: AbortSignal;
}

export interface CaptureResult {
  readonly dir: string;
  /** File names written, in order. */
  readonly files: readonly string[];
  readonly sides: readonly CaptureSide[];
  readonly exchanges: number;
}

/** System Log events read by the capture (the Okta checks look back from the console steps). */
const LOG_LOOKBACK_DAYS = 7;
const LOG_LIMIT = 100;

type Reader = (label: string, read: () => Promise<unknown>) => Promise<unknown>;

/** Runs the reads of one side; a failed read is recorded (its exchange) and the side goes on. */
async function side(
  id: CaptureSide['id'],
  what: string,
  http: RecordingClient,
  reads: (read: Reader) => Promise<void>,
): Promise<CaptureSide> {
  const failures: string[] = [];
  const before = http.exchanges.length;
  let count = 0;
  const read: Reader = async (label, fn) => {
    count++;
    try {
      return await fn();
    } catch (e) {
      if (isAbortError(e) || e instanceof CaptureWriteRefusedError) {
        throw e;
      }
      failures.push(`${label}: ${toWizardError(e).message}`);
      return undefined;
    }
  };
  await reads(read);
  const answers = http.exchanges.length - before;
  const recorded = `${answers} request${answers === 1 ? '' : 's'} recorded`;
  if (failures.length === 0) {
    return { id, status: 'captured', message: `${what}: ${recorded}.` };
  }
  return {
    id,
    status: failures.length === count ? 'failed' : 'captured',
    message: `${what}: ${recorded}; ${failures.length} of ${count} reads failed. ${failures.join(' ')}`,
  };
}

/** The reads of every side whose inputs are present, over a recording client. */
async function record(
  inputs: CaptureInputs,
  deps: CaptureDeps,
  http: RecordingClient,
): Promise<CaptureSide[]> {
  const { signal, clock } = deps;
  const sides: CaptureSide[] = [];

  if (inputs.dbtScim) {
    const { scimUrl, token } = inputs.dbtScim;
    const probe = createScimProbe({ http, now: () => clock.now() });
    sides.push(
      await side('dbt-scim', 'dbt SCIM API', http, async (read) => {
        await read('SCIM probe', () =>
          probe.probe({ scimUrl, token, ...(signal ? { signal } : {}) }),
        );
      }),
    );
  }

  if (inputs.dbtAdmin) {
    const admin = createDbtAdmin({ http, ...inputs.dbtAdmin });
    sides.push(
      await side('dbt-admin', 'dbt Admin API', http, async (read) => {
        await read('account', () => admin.getAccount(signal));
        await read('SCIM settings', () => admin.getScimConfig(signal));
        await read('SCIM tokens', () => admin.listScimTokens(signal));
        await read('IP restrictions', () => admin.listIpRules(signal));
        await read('groups', () => admin.listGroups(signal));
        await read('license maps', () => admin.listLicenseMaps(signal));
        await read('SSO configuration', () => admin.getAuthProvider(signal));
      }),
    );
  }

  if (inputs.okta) {
    const { orgUrl, appRef, auth } = inputs.okta;
    const okta = createOktaPort({ http, orgUrl, auth, now: () => clock.now() });
    sides.push(
      await side('okta', 'Okta', http, async (read) => {
        await read('signed-in admin', () => okta.whoAmI(signal));
        let appId: string | undefined;
        if (appRef.kind === 'id') {
          appId = appRef.id;
          await read('app', () => okta.getApp(appRef.id, signal));
        } else {
          const apps = (await read('apps', () => okta.listApps(appRef.label, signal))) as
            { id: string; label: string }[] | undefined;
          appId = apps?.find((a) => a.label === appRef.label)?.id;
        }
        if (appId === undefined) {
          return;
        }
        const id = appId;
        await read('app user schema', () => okta.getAppUserSchema(id, signal));
        await read('app groups', () => okta.listAppGroups(id, signal));
        await read('group push mappings', () => okta.listGroupPushMappings(id, signal));
        await read('provisioning connection', () => okta.getDefaultConnection(id, signal));
        const since = new Date(clock.now().getTime() - LOG_LOOKBACK_DAYS * 86_400_000);
        await read('System Log', () =>
          okta.listAppLogEvents(id, since.toISOString(), { limit: LOG_LIMIT }, signal),
        );
      }),
    );
  }

  if (inputs.entra) {
    const { graphUrl, appName, chosenId, token } = inputs.entra;
    const graph = createGraph({ http, clock, graphUrl, getToken: () => token.getToken() });
    sides.push(
      await side('entra', 'Microsoft Entra ID', http, async (read) => {
        const found = chosenId
          ? [await read('service principal', () => graph.getServicePrincipal(chosenId, signal))]
          : ((await read('service principals by name', () =>
              graph.findServicePrincipalsByName(appName, signal),
            )) as unknown[] | undefined);
        for (const sp of (found ?? []).slice(0, 3)) {
          if (!sp || typeof sp !== 'object' || !('id' in sp) || typeof sp.id !== 'string') {
            continue;
          }
          const spId = sp.id;
          const jobs = (await read('provisioning jobs', () => graph.listJobs(spId, signal))) as
            { id: string }[] | undefined;
          for (const job of (jobs ?? []).slice(0, 2)) {
            await read('provisioning job', () => graph.getJob(spId, job.id, signal));
            await read('schema', () => graph.getSchema(spId, job.id, signal));
          }
          await read('provisioning secrets', () => graph.getSecrets(spId, signal));
        }
      }),
    );
  }
  return sides;
}

// ---------------------------------------------------------------------------------------------
// The folder

/** Refuses a target that exists and is not an empty directory (nothing is overwritten). */
export async function assertCaptureTarget(dir: string): Promise<string> {
  const path = resolve(dir);
  let entries: string[];
  try {
    entries = await readdir(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      return path;
    }
    throw badInput(
      `${path} cannot be used for the capture (${code ?? 'not a folder'}).`,
      'Give --out a new folder, or an empty one.',
    );
  }
  if (entries.length > 0) {
    throw badInput(
      `${path} is not empty: a capture is written only into a new or empty folder.`,
      'Give --out a new folder, or empty this one first.',
    );
  }
  return path;
}

function hostOf(url: string | undefined): string | undefined {
  if (!url) {
    return undefined;
  }
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** The values the run knows to be secret: replaced by the redactor, refused by the scan. */
function knownSecrets(inputs: CaptureInputs): string[] {
  const out: string[] = [];
  if (inputs.dbtAdmin) {
    out.push(inputs.dbtAdmin.apiToken);
  }
  if (inputs.dbtScim) {
    out.push(inputs.dbtScim.token);
  }
  if (inputs.okta?.auth.kind === 'ssws') {
    out.push(inputs.okta.auth.token);
  }
  out.push(...(inputs.secrets ?? []));
  return out;
}

function redactionOptions(inputs: CaptureInputs, secrets: string[]): CaptureRedactionOptions {
  const hosts: { host: string; kind: HostKind }[] = [];
  const add = (url: string | undefined, kind: HostKind): void => {
    const host = hostOf(url);
    if (host) {
      hosts.push({ host, kind });
    }
  };
  add(inputs.okta?.orgUrl, 'okta');
  add(inputs.dbtAdmin?.apiUrl, 'dbt');
  add(inputs.dbtScim?.scimUrl, 'dbt');
  return {
    knownSecrets: secrets,
    hosts,
    ...(inputs.dbtAdmin ? { accountId: inputs.dbtAdmin.accountId } : {}),
  };
}

/** A capture refused by the final scan: names each file and what it holds, never the value. */
function leakError(leaks: readonly Leak[]): WizardError {
  const list = leaks
    .slice(0, 5)
    .map((l) => `${l.file} (${l.what})`)
    .join(', ');
  return new WizardError(
    'internal',
    `The capture was not written: after redaction, ${leaks.length === 1 ? 'one file still holds' : `${leaks.length} findings in`} something that looks like a secret: ${list}.`,
    {
      remediation:
        'Nothing was written. This is a bug in the redaction: report it (without the files), naming the kind of finding above.',
    },
  );
}

/** What `writeCapture` needs besides the recorded exchanges. */
export interface WriteCaptureOptions {
  readonly sides: readonly CaptureSide[];
  readonly version: string;
  readonly capturedAt: string;
  readonly redaction: CaptureRedactionOptions;
}

/**
 * Redacts recorded exchanges, scans the result (refusing the whole capture when anything still
 * looks like a secret) and writes the folder: created 0700, files 0600, never over a file.
 */
export async function writeCapture(
  dir: string,
  exchanges: readonly CapturedExchange[],
  options: WriteCaptureOptions,
): Promise<CaptureResult> {
  const path = await assertCaptureTarget(dir);
  const redacted = redactCapture(exchanges, options.redaction);
  const sides = options.sides.map((s) => ({ ...s, message: redacted.redactText(s.message) }));
  const files = captureFiles(redacted, {
    app: 'dbt-scim-wizard',
    version: options.version,
    capturedAt: options.capturedAt,
    sides,
  });
  const leaks = findLeaks(files, options.redaction.knownSecrets ?? []);
  if (leaks.length > 0) {
    throw leakError(leaks);
  }
  await mkdir(path, { recursive: true, mode: DIR_MODE });
  await chmod(path, DIR_MODE);
  for (const f of files) {
    await writeFile(join(path, f.name), f.text, { mode: FILE_MODE, flag: 'wx' });
  }
  return {
    dir: path,
    files: files.map((f) => f.name),
    sides,
    exchanges: redacted.exchanges.length,
  };
}

/**
 * Records the read-only calls of every side whose inputs are present, then `writeCapture`.
 * Refuses a non-empty `dir` before anything is sent, and again before writing.
 */
export async function captureToFolder(
  dir: string,
  inputs: CaptureInputs,
  deps: CaptureDeps,
): Promise<CaptureResult> {
  await assertCaptureTarget(dir);
  const http = createRecordingClient(deps.http);
  const sides = [...(await record(inputs, deps, http)), ...(inputs.skipped ?? [])];
  return writeCapture(dir, http.exchanges, {
    sides,
    version: deps.version,
    capturedAt: deps.clock.now().toISOString(),
    redaction: redactionOptions(inputs, knownSecrets(inputs)),
  });
}
