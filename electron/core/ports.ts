/**
 * Ports: what core needs from the outside world. Adapters implement them; services wire them;
 * tests pass fakes. Nothing here knows about Electron, the DOM or a particular HTTP library.
 */
import type { ErrorInfo, RunPhase, StepId, Change, Check } from './model.js';

// ---------------------------------------------------------------------------------------------
// Time

export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or rejects with an AbortError when `signal` aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Logging: every line passes the redaction sink before it reaches a transport.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogRecord {
  readonly at: string;
  readonly level: LogLevel;
  readonly scope: string;
  readonly message: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

// ---------------------------------------------------------------------------------------------
// Secrets

/** What the wizard may show about a secret: never the value. */
export interface SecretMeta {
  readonly name: string;
  /** The last four characters, or '' for a secret too short to show any of. */
  readonly last4: string;
  readonly createdAt: string;
  readonly lastVerifiedAt?: string;
}

export interface SecretStore {
  get(profileId: string, name: string): Promise<string | undefined>;
  set(profileId: string, name: string, value: string): Promise<SecretMeta>;
  delete(profileId: string, name: string): Promise<void>;
  list(profileId: string): Promise<SecretMeta[]>;
  markVerified(profileId: string, name: string, at: Date): Promise<void>;
  /** Removes every secret of a profile (when the profile is deleted). */
  clear(profileId: string): Promise<void>;
}

/**
 * OS-backed encryption (Electron safeStorage in the app). `backend` names the Linux store
 * (`basic_text` means no real protection); other platforms report their own name.
 */
export interface Encryptor {
  isAvailable(): Promise<boolean>;
  backend(): Promise<string>;
  encrypt(plain: string): Promise<Buffer>;
  decrypt(cipher: Buffer): Promise<string>;
}

// ---------------------------------------------------------------------------------------------
// HTTP

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RetryPolicy {
  /** Attempts in all, including the first. 1 disables retries. */
  readonly attempts: number;
  /** First backoff delay; doubles each time, with jitter. */
  readonly baseDelayMs: number;
  /** The longest single wait, including a server's Retry-After; longer asks fail as rate_limited. */
  readonly maxDelayMs: number;
}

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A JSON body (serialised by the client) or a raw string. */
  readonly json?: unknown;
  readonly body?: string;
  /** What the caller expects back; `json` turns an HTML page or non-JSON into a typed error. */
  readonly expect?: 'json' | 'text' | 'none';
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Overrides the client's default retry policy; retries apply to 429, 503 and 504 and to idempotent network failures. */
  readonly retry?: Partial<RetryPolicy>;
  /** When false, a non-2xx answer is returned instead of thrown (for probes). Default true. */
  readonly throwOnError?: boolean;
  /** A short name for logs and errors, e.g. `dbt scim-config`. */
  readonly label?: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The final URL after redirects (the client never follows redirects across hosts silently). */
  readonly url: string;
  readonly text: string;
  /** The parsed JSON body when `expect` was `json`, else undefined. */
  readonly json: unknown;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

// ---------------------------------------------------------------------------------------------
// The journal: one line per transition, no secrets, so an interrupted run can resume.

export interface JournalEntry {
  readonly runId: string;
  readonly profileId: string;
  readonly step: StepId;
  readonly phase: RunPhase;
  readonly at: string;
  readonly changes?: readonly Change[];
  readonly checks?: readonly Check[];
  readonly error?: ErrorInfo;
  /** Step-specific resume data (ids of objects created so far); never a secret. */
  readonly data?: Readonly<Record<string, unknown>>;
}

export interface JournalStore {
  append(entry: JournalEntry): Promise<void>;
  /** Every entry of a profile, oldest first. */
  read(profileId: string): Promise<JournalEntry[]>;
}

// ---------------------------------------------------------------------------------------------
// Outside the process: opening a console page in the system browser, OS notifications.

/**
 * The system clipboard, for the one secret an admin must paste into a console (the dbt SCIM token
 * into Okta's "Bearer" field): main writes it, so the value never crosses IPC.
 */
export interface ClipboardPort {
  writeText(text: string): Promise<void>;
  readText(): Promise<string>;
}

/** OS notifications (the app's main process); `onClick` runs when the admin clicks one. */
export interface NotifierPort {
  notify(notification: {
    readonly title: string;
    readonly body: string;
    readonly onClick: () => void;
  }): void;
}

export interface ExternalOpener {
  /** Opens an allowed https URL in the system browser. */
  open(url: string): Promise<void>;
}
