/**
 * Group names lined up with dbt's (exact, other case, new) and the imported group a push links to.
 */
import { describe, expect, it } from 'vitest';
import { alignGroupName, importedTarget } from '../../../../electron/core/okta/groups.js';

const dbt = [
  { id: 1, name: 'Analysts' },
  { id: 2, name: 'dbt_developers' },
];

describe('alignGroupName', () => {
  it('tells an exact match, a case-only match and a new name apart', () => {
    expect(alignGroupName('Analysts', dbt)).toEqual({ alignment: 'match', dbtName: 'Analysts' });
    expect(alignGroupName(' Analysts ', dbt)).toEqual({ alignment: 'match', dbtName: 'Analysts' });
    expect(alignGroupName('DBT_Developers', dbt)).toEqual({
      alignment: 'case',
      dbtName: 'dbt_developers',
    });
    expect(alignGroupName('Finance', dbt)).toEqual({ alignment: 'new' });
    expect(alignGroupName('Finance', [])).toEqual({ alignment: 'new' });
  });
});

describe('importedTarget', () => {
  it('links only to a group imported from this app with exactly that name', () => {
    const groups = [
      { id: 'g1', name: 'Analysts', type: 'APP_GROUP', sourceId: 'app1' },
      { id: 'g2', name: 'Developers', type: 'APP_GROUP', sourceId: 'app2' },
      { id: 'g3', name: 'Finance', type: 'OKTA_GROUP', sourceId: null },
    ];
    expect(importedTarget('app1', 'Analysts', groups)?.id).toBe('g1');
    expect(importedTarget('app1', 'analysts', groups)).toBeUndefined();
    expect(importedTarget('app1', 'Developers', groups)).toBeUndefined();
    expect(importedTarget('app1', 'Finance', groups)).toBeUndefined();
  });
});
