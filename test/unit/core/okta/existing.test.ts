/**
 * Existing integrations: each dbt SCIM userName looked up in Okta by login or email, exact
 * matches accepted, case-only matches and misses reported, search literals escaped, a limit, and
 * at most four look-ups at a time.
 */
import { describe, expect, it } from 'vitest';
import {
  loginOrEmailSearch,
  matchDbtUsers,
  oktaSearchLiteral,
} from '../../../../electron/core/okta/existing.js';
import type { OktaUser } from '../../../../electron/core/okta/ports.js';
import { MemoryOkta } from '../../../helpers/memory-okta.js';

/** A MemoryOkta whose searches take a turn of the event loop, counting how many overlap. */
class SlowOkta extends MemoryOkta {
  inFlight = 0;
  maxInFlight = 0;
  override async searchUsers(search: string): Promise<OktaUser[]> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    await new Promise((resolve) => setImmediate(resolve));
    try {
      return await super.searchUsers(search);
    } finally {
      this.inFlight--;
    }
  }
}

describe('search literals', () => {
  it('escapes backslashes and quotes', () => {
    expect(oktaSearchLiteral('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(loginOrEmailSearch('ada@acme.example')).toBe(
      'profile.login eq "ada@acme.example" or profile.email eq "ada@acme.example"',
    );
  });
});

describe('matchDbtUsers', () => {
  it('accepts exact logins and emails, reports case-only matches and misses in order', async () => {
    const okta = new MemoryOkta();
    okta.addUser('ada@acme.example');
    okta.addUser('alan', { email: 'alan@acme.example' });
    okta.addUser('Grace@Acme.example');
    const result = await matchDbtUsers({
      okta,
      userNames: [
        'nobody@acme.example',
        'ada@acme.example',
        'grace@acme.example',
        'alan@acme.example',
      ],
    });
    expect(result).toEqual({
      checked: 4,
      unmatched: [
        { userName: 'nobody@acme.example', reason: 'none' },
        { userName: 'grace@acme.example', reason: 'case', oktaLogin: 'Grace@Acme.example' },
      ],
    });
  });

  it('escapes quotes and backslashes so Okta reads the search (and still finds the person)', async () => {
    const okta = new MemoryOkta();
    const odd = 'o"brien\\x@acme.example';
    okta.addUser(odd);
    const result = await matchDbtUsers({ okta, userNames: [odd, 'a"b@acme.example'] });
    expect(result.unmatched).toEqual([{ userName: 'a"b@acme.example', reason: 'none' }]);
    expect(okta.searches[0]).toBe(
      'profile.login eq "o\\"brien\\\\x@acme.example" or profile.email eq "o\\"brien\\\\x@acme.example"',
    );
  });

  it('checks at most the limit (200 by default) and says how many', async () => {
    const okta = new MemoryOkta();
    const names = Array.from({ length: 250 }, (_, i) => `u${i}@acme.example`);
    const result = await matchDbtUsers({ okta, userNames: names });
    expect(result.checked).toBe(200);
    expect(result.unmatched).toHaveLength(200);
    expect(okta.searches).toHaveLength(200);
    const limited = await matchDbtUsers({ okta: new MemoryOkta(), userNames: names, limit: 10 });
    expect(limited.checked).toBe(10);
  });

  it('looks up at most four at a time (or as told)', async () => {
    const okta = new SlowOkta();
    const names = Array.from({ length: 20 }, (_, i) => `u${i}@acme.example`);
    await matchDbtUsers({ okta, userNames: names });
    expect(okta.maxInFlight).toBe(4);
    const two = new SlowOkta();
    await matchDbtUsers({ okta: two, userNames: names, concurrency: 2 });
    expect(two.maxInFlight).toBe(2);
  });

  it('handles no users', async () => {
    expect(await matchDbtUsers({ okta: new MemoryOkta(), userNames: [] })).toEqual({
      checked: 0,
      unmatched: [],
    });
  });

  it('passes Okta’s errors through and stops on cancel', async () => {
    const okta = new MemoryOkta();
    okta.failNext('searchUsers', new Error('boom'));
    await expect(matchDbtUsers({ okta, userNames: ['a@acme.example'] })).rejects.toThrow('boom');
    const controller = new AbortController();
    controller.abort();
    await expect(
      matchDbtUsers({
        okta: new MemoryOkta(),
        userNames: ['a@acme.example'],
        signal: controller.signal,
      }),
    ).rejects.toMatchObject({ code: 'cancelled' });
  });
});
