/**
 * One recorded HTTP exchange of a capture, as recorded and as written (after redaction).
 */

export interface CapturedExchange {
  readonly method: string;
  readonly url: string;
  /** The HTTP status; 0 when no answer came (the `error` says why). */
  readonly status: number;
  readonly requestHeaders?: Readonly<Record<string, string>>;
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** The parsed JSON body, or the text when it was not JSON. */
  readonly body: unknown;
  /** Set when the call failed without an answer the client returns (its typed error). */
  readonly error?: { readonly code: string; readonly message: string };
  /** A short name of the call, e.g. `dbt scim-config` (from the adapter). */
  readonly label?: string;
}

/** `NNN-<method>-<slug>.json`, from a redacted exchange (never a real value in a file name). */
export function exchangeFileName(index: number, exchange: CapturedExchange): string {
  let path = exchange.url;
  try {
    path = new URL(exchange.url).pathname;
  } catch {
    // Not a URL: slug the text as it is.
  }
  // The words of the path, without ids (placeholders or not): `api-v3-accounts-scim-config-tokens`.
  const words = path
    .split('/')
    .filter((seg) => seg !== '' && !/\d{3}|PLACEHOLDER/.test(seg) && seg.length <= 40)
    .join('-');
  const slug =
    words
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60)
      .replace(/-+$/, '') || 'root';
  return `${String(index).padStart(3, '0')}-${exchange.method.toLowerCase()}-${slug}.json`;
}
