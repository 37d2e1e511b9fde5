/**
 * Existing integrations: which of dbt's SCIM users Okta has no person for. dbt matches users by
 * `userName`; Okta pushes the person's email as the application username, so a dbt user whose
 * name no Okta login or email equals is not managed, and one that differs only in case would be
 * pushed as a second user.
 */
import { cancelled } from '../errors.js';
import type { OktaPort, OktaUser } from './ports.js';

export const DEFAULT_MATCH_LIMIT = 200;
export const DEFAULT_MATCH_CONCURRENCY = 4;

export interface UnmatchedDbtUser {
  readonly userName: string;
  /** `none`: no Okta person; `case`: only the case differs (Okta would push a second user). */
  readonly reason: 'none' | 'case';
  /** The Okta login that matches but for case. */
  readonly oktaLogin?: string;
}

export interface MatchResult {
  /** How many dbt users were looked up (at most `limit`). */
  readonly checked: number;
  readonly unmatched: UnmatchedDbtUser[];
}

/** A string literal for Okta's search expressions: quotes and backslashes escaped. */
export function oktaSearchLiteral(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The search for a person whose login or email is `userName`. */
export function loginOrEmailSearch(userName: string): string {
  const v = oktaSearchLiteral(userName);
  return `profile.login eq ${v} or profile.email eq ${v}`;
}

function judge(userName: string, found: readonly OktaUser[]): UnmatchedDbtUser | undefined {
  if (found.some((u) => u.login === userName || u.email === userName)) {
    return undefined;
  }
  const lower = userName.toLowerCase();
  const loose = found.find(
    (u) => u.login.toLowerCase() === lower || u.email?.toLowerCase() === lower,
  );
  return loose
    ? { userName, reason: 'case', oktaLogin: loose.login }
    : { userName, reason: 'none' };
}

/** Looks up each dbt userName in Okta (the first `limit`, `concurrency` at a time). */
export async function matchDbtUsers(options: {
  readonly okta: OktaPort;
  readonly userNames: readonly string[];
  readonly limit?: number;
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}): Promise<MatchResult> {
  const { okta, signal } = options;
  const names = options.userNames.slice(0, Math.max(0, options.limit ?? DEFAULT_MATCH_LIMIT));
  const results: (UnmatchedDbtUser | undefined)[] = new Array<UnmatchedDbtUser | undefined>(
    names.length,
  );
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    for (;;) {
      if (signal?.aborted) {
        throw cancelled();
      }
      if (failed) {
        return;
      }
      const i = next++;
      const userName = names[i];
      if (userName === undefined) {
        return;
      }
      try {
        results[i] = judge(userName, await okta.searchUsers(loginOrEmailSearch(userName), signal));
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  const workers = Math.max(
    1,
    Math.min(options.concurrency ?? DEFAULT_MATCH_CONCURRENCY, names.length),
  );
  await Promise.all(Array.from({ length: workers }, () => worker()));
  return {
    checked: names.length,
    unmatched: results.filter((r): r is UnmatchedDbtUser => r !== undefined),
  };
}
