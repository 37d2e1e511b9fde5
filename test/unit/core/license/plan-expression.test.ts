import { describe, expect, it } from 'vitest';
import { WizardError } from '../../../../electron/core/errors.js';
import {
  DEFAULT_LICENSE_TYPE,
  PLAN_LICENSE_TYPES,
  licensesForPlan,
  planOffers,
} from '../../../../electron/core/license/plan.js';
import {
  NOT_REAPPLIED_CAVEAT,
  buildLicenseExpression,
  describeLicenseRules,
  elString,
} from '../../../../electron/core/license/expression.js';
import { parseMappingExpression, evaluateMapping } from '../../../fakes/okta.js';

describe('plan awareness', () => {
  it('offers Analyst only on the Enterprise plans, and Developer everywhere', () => {
    expect(licensesForPlan('enterprise').offered).toEqual([
      'it',
      'analyst',
      'developer',
      'read_only',
    ]);
    expect(licensesForPlan('Enterprise_Plus').offered).toContain('analyst');
    expect(licensesForPlan('team').offered).toEqual(['it', 'developer', 'read_only']);
    expect(licensesForPlan('starter').offered).not.toContain('analyst');
    expect(licensesForPlan('developer').offered).toEqual(['developer']);
    for (const row of Object.values(PLAN_LICENSE_TYPES)) {
      expect(row).toContain(DEFAULT_LICENSE_TYPE);
    }
    expect(DEFAULT_LICENSE_TYPE).toBe('developer');
  });

  it('says why a type is not offered', () => {
    const team = licensesForPlan('team');
    expect(team.known).toBe(true);
    expect(team.notOffered.analyst).toMatch(/only on dbt's Enterprise plans.*team plan/);
    expect(team.notOffered.developer).toBeUndefined();
  });

  it('offers only the default on a plan it does not know, and says so', () => {
    const r = licensesForPlan('platinum_2030');
    expect(r.known).toBe(false);
    expect(r.offered).toEqual(['developer']);
    expect(r.notOffered.read_only).toMatch(/does not recognise the plan "platinum_2030"/);
    expect(planOffers('platinum_2030', 'read_only')).toBe(false);
    expect(planOffers('enterprise', 'analyst')).toBe(true);
  });
});

describe('the Okta Expression Language builder', () => {
  it('builds the doc example for one rule', () => {
    expect(
      buildLicenseExpression({
        rules: [{ groupName: 'dbt_developers', licenseType: 'developer' }],
        defaultLicenseType: 'read_only',
      }),
    ).toBe('isMemberOfGroupName("dbt_developers") ? "developer" : "read_only"');
  });

  it('nests further rules in order, first match wins, and ends with the default', () => {
    const input = {
      rules: [
        { groupName: 'dbt_developers', licenseType: 'developer' as const },
        { groupName: 'dbt_it', licenseType: 'it' as const },
      ],
      defaultLicenseType: 'read_only' as const,
    };
    const text = buildLicenseExpression(input);
    expect(text).toBe(
      'isMemberOfGroupName("dbt_developers") ? "developer" : (isMemberOfGroupName("dbt_it") ? "it" : "read_only")',
    );
    // It parses as Okta EL (the fake's parser) and evaluates as meant.
    const tree = parseMappingExpression(text);
    if (typeof tree === 'string') {
      throw new Error(tree);
    }
    const who = (names: string[]) => ({
      user: {},
      groups: names.map((n, i) => ({ id: `g${i}`, profile: { name: n } })),
    });
    expect(evaluateMapping(tree, who(['dbt_it', 'dbt_developers']))).toBe('developer');
    expect(evaluateMapping(tree, who(['dbt_it']))).toBe('it');
    expect(evaluateMapping(tree, who(['Everyone']))).toBe('read_only');
    expect(describeLicenseRules(input)).toBe(
      'members of "dbt_developers" → Developer; members of "dbt_it" → IT; everyone else → Read Only',
    );
  });

  it('is just the default without rules', () => {
    expect(buildLicenseExpression({ rules: [], defaultLicenseType: 'developer' })).toBe(
      '"developer"',
    );
  });

  it('quotes names safely: a quote is doubled, a backslash stays, a line break is refused', () => {
    expect(elString('a"b')).toBe('"a""b"');
    expect(elString('C:\\dbt')).toBe('"C:\\dbt"');
    const text = buildLicenseExpression({
      rules: [{ groupName: 'dbt "core" team\\x', licenseType: 'analyst' }],
      defaultLicenseType: 'developer',
    });
    expect(text).toBe('isMemberOfGroupName("dbt ""core"" team\\x") ? "analyst" : "developer"');
    const tree = parseMappingExpression(text);
    if (typeof tree === 'string') {
      throw new Error(tree);
    }
    expect(
      evaluateMapping(tree, {
        user: {},
        groups: [{ id: 'g', profile: { name: 'dbt "core" team\\x' } }],
      }),
    ).toBe('analyst');
    expect(() => elString('two\nlines')).toThrow(WizardError);
  });

  it('refuses unknown license types, blank and duplicate group names', () => {
    const bad = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof WizardError ? e.code : 'other';
      }
      return 'none';
    };
    expect(
      bad(() =>
        buildLicenseExpression({
          rules: [{ groupName: 'g', licenseType: 'admin' as never }],
          defaultLicenseType: 'developer',
        }),
      ),
    ).toBe('bad_input');
    expect(
      bad(() =>
        buildLicenseExpression({
          rules: [{ groupName: '  ', licenseType: 'it' }],
          defaultLicenseType: 'developer',
        }),
      ),
    ).toBe('bad_input');
    expect(
      bad(() =>
        buildLicenseExpression({
          rules: [
            { groupName: 'g', licenseType: 'it' },
            { groupName: ' g ', licenseType: 'developer' },
          ],
          defaultLicenseType: 'developer',
        }),
      ),
    ).toBe('bad_input');
  });

  it('names Okta’s caveat that the value is not reapplied on membership changes', () => {
    expect(NOT_REAPPLIED_CAVEAT).toMatch(/does not reapply.*group membership changes/);
  });

  it('the fake’s parser refuses what is not Okta EL (dbt’s older IIF form)', () => {
    expect(typeof parseMappingExpression('IIF(isMemberOf("g"), "developer", "read_only")')).toBe(
      'string',
    );
    expect(typeof parseMappingExpression('isMemberOfGroupName("g) ? "a" : "b"')).toBe('string');
  });
});
