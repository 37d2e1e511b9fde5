/**
 * The schema edit, as pure functions over raw JSON: found by structure in both template
 * variants, every change sentence, idempotency, nothing else touched.
 */
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../../../electron/core/entra/ports.js';
import {
  ACTIVE_EXPRESSION,
  PRIMARY_EMAIL,
  REQUIRED_ATTRIBUTES,
  USER_MAPPINGS,
  describeSource,
  isActiveSwitch,
  locateSchema,
  needsActiveExpression,
  planSchema,
  provisioningRuleId,
  verifySchema,
} from '../../../../electron/core/entra/schema.js';
import {
  activeSwitchTree,
  templateSchema,
  type TemplateVariant,
} from '../../../helpers/memory-graph.js';

const AT = '2026-11-29T10:00:00.000Z';
const VARIANTS: TemplateVariant[] = ['azure-ad', 'entra'];

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => v as Obj[];

function rule(schema: JsonObject): Obj {
  return arr(schema.synchronizationRules)[0]!;
}
function userMapping(schema: JsonObject): Obj {
  return arr(rule(schema).objectMappings).find((m) => m.sourceObjectName === 'User')!;
}
function groupMapping(schema: JsonObject): Obj {
  return arr(rule(schema).objectMappings).find((m) => m.sourceObjectName === 'Group')!;
}
function targetUser(schema: JsonObject): Obj {
  const dir = arr(schema.directories).find((d) => d.name === 'customappsso')!;
  return arr(dir.objects).find((o) => o.name === userMapping(schema).targetObjectName)!;
}
function mappingsByTarget(schema: JsonObject): Map<string, Obj> {
  return new Map(
    arr(userMapping(schema).attributeMappings).map((m) => [m.targetAttributeName as string, m]),
  );
}

describe.each(VARIANTS)('the %s template', (variant) => {
  const raw = templateSchema(variant);
  const entraName = variant === 'entra' ? 'Microsoft Entra ID' : 'Azure Active Directory';

  it('is located by structure, whatever the directory is called', () => {
    const parts = locateSchema(raw);
    expect(parts.sourceDirectoryName).toBe(entraName);
    expect(parts.targetDir.name).toBe('customappsso');
    expect(parts.userMap.name).toBe(`Provision ${entraName} Users`);
    expect(parts.targetUser.name).toBe(userMapping(raw).targetObjectName);
    expect(parts.groupMap?.sourceObjectName).toBe('Group');
    expect(provisioningRuleId(raw)).toBe('6c409270-f78a-4bc6-af23-7cf3ab6482fe#V2');
  });

  it('keeps the template’s own active mapping (no parseExpression needed)', () => {
    expect(needsActiveExpression(raw)).toBe(false);
  });

  it('plans every change of dbt’s page, in an admin’s words', () => {
    const { changes } = planSchema(raw);
    const details = changes.map((c) => c.detail);
    expect(details).toContain('add attribute emails[type eq "work"].primary (Boolean, required)');
    const toMark = REQUIRED_ATTRIBUTES.filter((n) => !(variant === 'entra' && n === 'userName'));
    for (const name of toMark) {
      expect(details).toContain(`mark ${name} as required`);
    }
    if (variant === 'entra') {
      expect(details).not.toContain('mark userName as required');
    }
    expect(details).toContain('change emails[type eq "work"].value from mail to userPrincipalName');
    expect(details).toContain('remove mapping title ← jobTitle');
    expect(details).toContain('remove mapping displayName ← displayName');
    expect(details).toContain('remove mapping name.formatted ← Join(" ", [givenName], [surname])');
    expect(details).toContain(
      'remove mapping urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager ← manager',
    );
    expect(details).toContain(
      'add mapping emails[type eq "work"].primary ← True (constant, applied Always)',
    );
    // 1 attribute + required marks + 1 source change + 9 removals + 1 added mapping.
    expect(changes).toHaveLength(1 + toMark.length + 1 + 9 + 1);
    // Change ids are unique, and every change has a target and a detail.
    expect(new Set(changes.map((c) => c.id)).size).toBe(changes.length);
    for (const c of changes) {
      expect(c.target.length).toBeGreaterThan(0);
      expect(c.detail.length).toBeGreaterThan(0);
    }
  });

  it('leaves the user mapping with exactly the seven mappings of the seed', () => {
    const { desired } = planSchema(raw);
    const m = mappingsByTarget(desired);
    expect([...m.keys()].sort()).toEqual(USER_MAPPINGS.map((s) => s.target).sort());
    expect(m.get('userName')).toMatchObject({
      source: { type: 'Attribute', name: 'userPrincipalName' },
      matchingPriority: 1,
    });
    expect(isActiveSwitch(m.get('active')?.source)).toBe(true);
    expect(m.get('emails[type eq "work"].value')?.source).toEqual({
      expression: '[userPrincipalName]',
      name: 'userPrincipalName',
      type: 'Attribute',
      parameters: [],
    });
    expect(m.get('name.givenName')).toMatchObject({ source: { name: 'givenName' } });
    expect(m.get('name.familyName')).toMatchObject({ source: { name: 'surname' } });
    expect(m.get('externalId')).toMatchObject({ source: { name: 'mailNickname' } });
    expect(m.get(PRIMARY_EMAIL)).toEqual({
      defaultValue: '',
      exportMissingReferences: false,
      flowBehavior: 'FlowWhenChanged',
      flowType: 'Always',
      matchingPriority: 0,
      source: { expression: '"True"', name: 'True', type: 'Constant', parameters: [] },
      targetAttributeName: PRIMARY_EMAIL,
    });
  });

  it('adds the attribute and marks the six required in the target user object', () => {
    const { desired } = planSchema(raw);
    const attrs = arr(targetUser(desired).attributes);
    const primary = attrs.find((a) => a.name === PRIMARY_EMAIL);
    expect(primary).toMatchObject({ type: 'Boolean', required: true, multivalued: false });
    for (const name of REQUIRED_ATTRIBUTES) {
      expect(attrs.find((a) => a.name === name)?.required).toBe(true);
    }
    // Other attributes are untouched.
    const before = arr(targetUser(raw).attributes).filter(
      (a) => !(REQUIRED_ATTRIBUTES as readonly string[]).includes(a.name as string),
    );
    for (const a of before) {
      expect(attrs.find((x) => x.name === a.name)).toEqual(a);
    }
  });

  it('does not touch its input and leaves every other part deep-equal', () => {
    const copy = structuredClone(raw);
    const { desired } = planSchema(raw);
    expect(raw).toEqual(copy);
    expect(desired.id).toBe(raw.id);
    expect(desired.version).toBe(raw.version);
    // The Entra directory, the group mapping and the group object are exactly as they were.
    expect(arr(desired.directories)[0]).toEqual(arr(raw.directories)[0]);
    expect(groupMapping(desired)).toEqual(groupMapping(raw));
    const groupObj = (s: JsonObject) =>
      arr(arr(s.directories)[1]!.objects).find((o) => o.name === 'Group');
    expect(groupObj(desired)).toEqual(groupObj(raw));
    // The rule's own fields and the user mapping's fields other than its mappings too.
    const strip = (o: Obj, key: string) =>
      Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
    expect(strip(rule(desired), 'objectMappings')).toEqual(strip(rule(raw), 'objectMappings'));
    expect(strip(userMapping(desired), 'attributeMappings')).toEqual(
      strip(userMapping(raw), 'attributeMappings'),
    );
    // Kept mappings that needed no change are the template's, byte for byte.
    const before = mappingsByTarget(raw);
    const after = mappingsByTarget(desired);
    for (const t of ['userName', 'active', 'name.givenName', 'name.familyName', 'externalId']) {
      expect(after.get(t)).toEqual(before.get(t));
    }
  });

  it('is idempotent: planning the desired schema finds nothing to change', () => {
    const { desired } = planSchema(raw);
    const again = planSchema(desired);
    expect(again.changes).toEqual([]);
    expect(again.desired).toEqual(desired);
  });

  it('verifies: every item fails on the template and passes on the desired schema', () => {
    const before = verifySchema(raw, AT);
    const after = verifySchema(planSchema(raw).desired, AT);
    const ids = [
      'schema.attribute.primary',
      ...REQUIRED_ATTRIBUTES.map((n) => `schema.required.${n}`),
      ...USER_MAPPINGS.map((s) => `schema.mapping.${s.target}`),
      'schema.mapping.extra',
      'schema.group-mapping',
    ];
    expect(after.map((c) => c.id)).toEqual(ids);
    expect(after.every((c) => c.status === 'pass')).toBe(true);
    expect(after.every((c) => c.at === AT)).toBe(true);
    const failing = before.filter((c) => c.status === 'fail').map((c) => c.id);
    expect(failing).toContain('schema.attribute.primary');
    expect(failing).toContain('schema.mapping.emails[type eq "work"].value');
    expect(failing).toContain(`schema.mapping.${PRIMARY_EMAIL}`);
    expect(failing).toContain('schema.mapping.extra');
    expect(failing).not.toContain('schema.group-mapping');
    expect(
      before.find((c) => c.id === 'schema.mapping.emails[type eq "work"].value')?.message,
    ).toBe('emails[type eq "work"].value ← mail; dbt needs userPrincipalName.');
    expect(before.find((c) => c.id === 'schema.mapping.extra')?.message).toContain(
      'title ← jobTitle',
    );
  });
});

describe('when the template differs from the default', () => {
  function edit(fn: (s: JsonObject) => void): JsonObject {
    const s = templateSchema('entra');
    fn(s);
    return s;
  }

  it('asks for the parsed Switch when the active mapping is something else, and uses it', () => {
    const s = edit((x) => {
      const active = arr(userMapping(x).attributeMappings).find(
        (m) => m.targetAttributeName === 'active',
      )!;
      active.source = {
        expression: '[accountEnabled]',
        name: 'accountEnabled',
        type: 'Attribute',
        parameters: [],
      };
    });
    expect(needsActiveExpression(s)).toBe(true);
    expect(() => planSchema(s)).toThrow(/parsed Switch/);
    const { desired, changes } = planSchema(s, { activeSource: activeSwitchTree() });
    expect(changes.map((c) => c.detail)).toContain(
      `change active from accountEnabled to ${ACTIVE_EXPRESSION}`,
    );
    expect(mappingsByTarget(desired).get('active')?.source).toEqual(activeSwitchTree());
    expect(planSchema(desired, { activeSource: activeSwitchTree() }).changes).toEqual([]);
    expect(planSchema(desired).changes).toEqual([]);
  });

  it('adds a missing mapping, fixes a wrongly applied constant and a lost matching attribute', () => {
    const s = edit((x) => {
      const um = userMapping(x);
      const ms = arr(um.attributeMappings).filter(
        (m) => m.targetAttributeName !== 'name.givenName',
      );
      const userName = ms.find((m) => m.targetAttributeName === 'userName')!;
      userName.matchingPriority = 0;
      ms.push({
        targetAttributeName: PRIMARY_EMAIL,
        source: null,
        defaultValue: 'True',
        flowType: 'ObjectAddOnly',
        matchingPriority: 0,
      });
      um.attributeMappings = ms;
    });
    const details = planSchema(s).changes.map((c) => c.detail);
    expect(details).toContain('add mapping name.givenName ← givenName');
    expect(details).toContain(`change ${PRIMARY_EMAIL} from (default "True") to True`);
    expect(details).toContain(`apply ${PRIMARY_EMAIL} Always (it is ObjectAddOnly)`);
    expect(details).toContain('match users on userName (matching precedence 1)');
    const { desired } = planSchema(s);
    expect(planSchema(desired).changes).toEqual([]);
    expect(verifySchema(desired, AT).every((c) => c.status === 'pass')).toBe(true);
  });

  it('removes a duplicate mapping and fixes a primary attribute of the wrong type', () => {
    const s = edit((x) => {
      const um = userMapping(x);
      (um.attributeMappings as Obj[]).push({
        targetAttributeName: 'externalId',
        source: { expression: '[objectId]', name: 'objectId', type: 'Attribute', parameters: [] },
        flowType: 'Always',
        matchingPriority: 0,
      });
      (targetUser(x).attributes as Obj[]).push({
        name: PRIMARY_EMAIL,
        type: 'String',
        required: false,
      });
    });
    const details = planSchema(s).changes.map((c) => c.detail);
    expect(details).toContain('remove duplicate mapping externalId ← objectId');
    expect(details).toContain(`change the type of ${PRIMARY_EMAIL} from String to Boolean`);
    expect(details).toContain(`mark ${PRIMARY_EMAIL} as required`);
    expect(details).not.toContain(`add attribute ${PRIMARY_EMAIL} (Boolean, required)`);
    expect(verifySchema(s, AT).find((c) => c.id === 'schema.mapping.externalId')).toMatchObject({
      status: 'fail',
      message: 'externalId is mapped 2 times.',
    });
    expect(verifySchema(planSchema(s).desired, AT).every((c) => c.status === 'pass')).toBe(true);
  });

  it('matches target names case-insensitively (the portal shows "externalid")', () => {
    const s = edit((x) => {
      const ext = arr(userMapping(x).attributeMappings).find(
        (m) => m.targetAttributeName === 'externalId',
      )!;
      ext.targetAttributeName = 'externalid';
    });
    const { changes } = planSchema(s);
    expect(changes.some((c) => c.detail.includes('externalid ←'))).toBe(false);
  });

  it('finds the outbound rule among several and ignores an inbound one', () => {
    const s = edit((x) => {
      const inbound = structuredClone(rule(x));
      inbound.id = 'inbound';
      inbound.sourceDirectoryName = 'customappsso';
      inbound.targetDirectoryName = 'Microsoft Entra ID';
      (x.synchronizationRules as Obj[]).unshift(inbound);
    });
    expect(locateSchema(s).rule.id).toBe('6c409270-f78a-4bc6-af23-7cf3ab6482fe#V2');
  });

  it('reports a missing group mapping and a schema it cannot read', () => {
    const s = edit((x) => {
      const r = rule(x);
      r.objectMappings = arr(r.objectMappings).filter((m) => m.sourceObjectName !== 'Group');
    });
    expect(verifySchema(s, AT).find((c) => c.id === 'schema.group-mapping')).toMatchObject({
      status: 'fail',
    });
    const broken = verifySchema({ directories: [], synchronizationRules: [] }, AT);
    expect(broken).toEqual([expect.objectContaining({ id: 'schema.shape', status: 'fail' })]);
    expect(() => planSchema({ synchronizationRules: [] })).toThrow(
      expect.objectContaining({ code: 'invalid_response' }),
    );
  });

  it('describes sources by their attribute names', () => {
    expect(describeSource({ type: 'Attribute', name: 'jobTitle', expression: '[jobTitle]' })).toBe(
      'jobTitle',
    );
    expect(describeSource({ type: 'Constant', name: 'True', expression: '"True"' })).toBe('True');
    expect(describeSource(null, 'x')).toBe('(default "x")');
    expect(describeSource(undefined)).toBe('(nothing)');
    expect(describeSource(activeSwitchTree())).toBe(ACTIVE_EXPRESSION);
  });
});

describe.each(VARIANTS)('the fake Graph’s %s default schema (built independently)', (variant) => {
  it('plans, is accepted by the service’s checks, verifies and is idempotent', async () => {
    const { defaultScimSchema, schemaProblem } = await import('../../../fakes/graph-schema.js');
    const raw = defaultScimSchema(variant);
    expect(needsActiveExpression(raw)).toBe(false);
    const { desired, changes } = planSchema(raw);
    expect(changes.map((c) => c.detail)).toContain(
      'change emails[type eq "work"].value from mail to userPrincipalName',
    );
    expect(schemaProblem(desired)).toBeUndefined();
    expect(verifySchema(desired, AT).every((c) => c.status === 'pass')).toBe(true);
    expect(planSchema(desired).changes).toEqual([]);
    expect(groupMapping(desired)).toEqual(groupMapping(raw));
  });
});
