/**
 * Fetches Okta's published IP ranges (a public file, no credentials).
 */
import type { HttpClient } from '../../core/ports.js';
import { OKTA_RANGES_URL, oktaCellRanges } from '../../core/dbt/ranges.js';

export function createOktaRanges(options: { http: HttpClient; url?: string }) {
  return {
    url: options.url ?? OKTA_RANGES_URL,
    async forCell(cell: string, signal?: AbortSignal): Promise<string[]> {
      const res = await options.http.request({
        method: 'GET',
        url: options.url ?? OKTA_RANGES_URL,
        expect: 'json',
        label: 'Okta IP ranges',
        timeoutMs: 20_000,
        ...(signal ? { signal } : {}),
      });
      return oktaCellRanges(res.json, cell);
    },
  };
}
