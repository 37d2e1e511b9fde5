/**
 * The licenseType attribute: the desired shape (the seed, field by field), the read-back diff of
 * every field in the Profile Editor's words, and the step through the engine: SCIM off waits, add,
 * change in place, remove + add for the wrong "Attribute type" with Okta's deletion settle, and a
 * read-back that does not match.
 */
import { describe, expect, it } from 'vitest';
import { WizardError } from '../../../../electron/core/errors.js';
import {
  desiredLicenseAttribute,
  diffLicenseAttribute,
  licenseSchemaBody,
} from '../../../../electron/core/okta/license.js';
import { DBT_LICENSE_NAMESPACE, type JsonObject } from '../../../../electron/core/okta/ports.js';
import { INTEGRATION_SAVED, oktaWorld } from '../../../helpers/memory-okta.js';

const schemaWith = (attribute: JsonObject | undefined): JsonObject => ({
  definitions: {
    base: { id: '#base', properties: {} },
    custom: {
      id: '#custom',
      type: 'object',
      properties: attribute ? { licenseType: attribute } : {},
    },
  },
});

/** The desired attribute with some fields replaced (undefined removes the field). */
function changed(patch: Record<string, unknown>): JsonObject {
  const out: JsonObject = {
    ...desiredLicenseAttribute(),
    master: { type: 'PROFILE_MASTER' },
    ...patch,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined));
}

describe('the desired attribute', () => {
  it('is exactly what dbt’s page asks for', () => {
    expect(desiredLicenseAttribute()).toEqual({
      title: 'License Type',
      description: 'dbt platform license type',
      type: 'string',
      externalName: 'licenseType',
      externalNamespace: 'urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User',
      enum: ['it', 'analyst', 'developer', 'read_only'],
      oneOf: [
        { const: 'it', title: 'IT' },
        { const: 'analyst', title: 'Analyst' },
        { const: 'developer', title: 'Developer' },
        { const: 'read_only', title: 'Read Only' },
      ],
      scope: 'SELF',
      required: false,
    });
  });

  it('goes in a partial-update body under definitions.custom', () => {
    expect(licenseSchemaBody()).toEqual({
      definitions: {
        custom: {
          id: '#custom',
          type: 'object',
          properties: { licenseType: desiredLicenseAttribute() },
        },
      },
    });
    expect(licenseSchemaBody(null)).toEqual({
      definitions: { custom: { id: '#custom', type: 'object', properties: { licenseType: null } } },
    });
  });
});

describe('diffLicenseAttribute', () => {
  it('reads absent and matching (extra fields Okta adds do not count)', () => {
    expect(diffLicenseAttribute(schemaWith(undefined))).toEqual({
      state: 'absent',
      differences: [],
    });
    expect(diffLicenseAttribute({})).toEqual({ state: 'absent', differences: [] });
    expect(diffLicenseAttribute(schemaWith(changed({ mutability: 'READ_WRITE' })))).toEqual({
      state: 'matches',
      differences: [],
    });
    // The description is the admin's own ("an arbitrary string of your choosing").
    expect(diffLicenseAttribute(schemaWith(changed({ description: 'mine' }))).state).toBe(
      'matches',
    );
  });

  it.each([
    [{ title: 'License' }, 'differs', /"Display name" is "License", not "License Type"/],
    [{ title: undefined }, 'differs', /"Display name" is empty/],
    [{ externalName: 'license' }, 'differs', /"External name" is "license", not "licenseType"/],
    [
      { externalNamespace: 'urn:ietf:params:scim:schemas:core:2.0:User' },
      'differs',
      /"External namespace" is "urn:ietf:params:scim:schemas:core:2.0:User", not "urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User"/,
    ],
    [{ externalNamespace: undefined }, 'differs', /"External namespace" is empty/],
    [{ enum: undefined }, 'differs', /"Define enumerated list of values" is off/],
    [
      { enum: ['it', 'developer', 'analyst', 'read_only'] },
      'differs',
      /enumerated values are "it", "developer", "analyst", "read_only"; dbt needs .* in that order/,
    ],
    [{ enum: ['it', 'analyst', 'developer'] }, 'differs', /enumerated values are/],
    [{ oneOf: undefined }, 'differs', /"Attribute members" .* are missing/],
    [
      {
        oneOf: [
          { const: 'it', title: 'IT' },
          { const: 'analyst', title: 'Analyst' },
          { const: 'developer', title: 'Developer' },
          { const: 'read_only', title: 'Read-only' },
        ],
      },
      'differs',
      /"Attribute members" .* are IT = it, Analyst = analyst, Developer = developer, Read-only = read_only; dbt needs .*Read Only = read_only in that order/,
    ],
    [
      {
        oneOf: [
          { const: 'analyst', title: 'Analyst' },
          { const: 'it', title: 'IT' },
          { const: 'developer', title: 'Developer' },
          { const: 'read_only', title: 'Read Only' },
        ],
      },
      'differs',
      /"Attribute members"/,
    ],
    [{ required: true }, 'differs', /required/],
    [{ scope: 'NONE' }, 'wrong_scope', /"Attribute type" is Group, not Personal/],
    [{ scope: undefined }, 'wrong_scope', /"Attribute type" is Group, not Personal/],
    [{ type: 'number' }, 'wrong_scope', /"Data type" is "number", not string/],
  ])('%j → %s', (patch, state, message) => {
    const diff = diffLicenseAttribute(schemaWith(changed(patch)));
    expect(diff.state).toBe(state);
    expect(diff.differences).toHaveLength(1);
    expect(diff.differences[0]).toMatch(message);
  });

  it('names every difference at once', () => {
    const diff = diffLicenseAttribute(
      schemaWith(changed({ title: 'x', externalName: 'y', scope: 'NONE', enum: ['it'] })),
    );
    expect(diff.state).toBe('wrong_scope');
    expect(diff.differences).toHaveLength(4);
  });
});

describe('the okta.license step', () => {
  it('waits for SCIM provisioning: no change, verify pending', async () => {
    const w = oktaWorld({ features: [] });
    const [plan] = await w.run('plan', {}, (s) => [s.license]);
    expect(plan?.changes).toEqual([]);
    const [verify] = await w.run('verify', {}, (s) => [s.license]);
    expect(verify?.checks).toMatchObject([{ id: 'okta.license', status: 'pending' }]);
    expect(verify?.checks[0]?.message).toMatch(/waits for SCIM provisioning/);
    expect(w.okta.writes()).toEqual([]);
  });

  it('plans the attribute in the admin’s words, adds it, reads it back, then plans nothing', async () => {
    const w = oktaWorld({ features: INTEGRATION_SAVED });
    const [plan] = await w.run('plan', {}, (s) => [s.license]);
    expect(plan?.changes).toEqual([
      {
        id: 'okta.license.add',
        action: 'add',
        target: 'app user attribute licenseType',
        detail:
          'add attribute licenseType (string, Personal) "License Type": IT, Analyst, Developer, Read Only',
      },
    ]);
    const [apply] = await w.run('apply', {}, (s) => [s.license]);
    expect(apply?.phase).toBe('verified');
    expect(apply?.checks).toMatchObject([{ id: 'okta.license', status: 'pass' }]);
    const stored = w.okta.schemas.get(w.app.id)?.licenseType;
    expect(stored).toMatchObject({
      externalNamespace: DBT_LICENSE_NAMESPACE,
      scope: 'SELF',
      enum: ['it', 'analyst', 'developer', 'read_only'],
    });
    expect(w.okta.writes()).toEqual(['updateAppUserSchema']);
    const [again] = await w.run('plan', {}, (s) => [s.license]);
    expect(again?.changes).toEqual([]);
  });

  it('fixes a differing attribute in place with the whole property', async () => {
    const w = oktaWorld({ features: INTEGRATION_SAVED });
    w.okta.setAttribute(w.app.id, 'licenseType', changed({ title: 'License', enum: ['it'] }));
    const [plan] = await w.run('plan', {}, (s) => [s.license]);
    expect(plan?.changes).toMatchObject([{ id: 'okta.license.change', action: 'change' }]);
    expect(plan?.changes[0]?.detail).toMatch(
      /^change attribute licenseType: "Display name" is "License"/,
    );
    const [apply] = await w.run('apply', {}, (s) => [s.license]);
    expect(apply?.phase).toBe('verified');
    expect(w.okta.writes()).toEqual(['updateAppUserSchema']);
    expect(w.okta.schemas.get(w.app.id)?.licenseType).toMatchObject({
      title: 'License Type',
      enum: ['it', 'analyst', 'developer', 'read_only'],
    });
  });

  it('removes a Group attribute and adds it again as Personal, waiting out Okta’s deletion settle', async () => {
    const w = oktaWorld({ features: INTEGRATION_SAVED });
    w.okta.setAttribute(w.app.id, 'licenseType', changed({ scope: 'NONE' }));
    w.okta.deletionSettleFailures = 2;
    const [plan] = await w.run('plan', {}, (s) => [s.license]);
    expect(plan?.changes.map((c) => [c.id, c.action])).toEqual([
      ['okta.license.remove', 'remove'],
      ['okta.license.add', 'add'],
    ]);
    expect(plan?.changes[0]?.detail).toMatch(
      /remove attribute licenseType \(string, Group\).*"Attribute type".*already set on assignments/,
    );
    const [apply] = await w.run('apply', {}, (s) => [s.license]);
    expect(apply?.phase).toBe('verified');
    // remove, two refused adds, the add that works
    expect(w.okta.writes()).toEqual([
      'updateAppUserSchema',
      'updateAppUserSchema',
      'updateAppUserSchema',
      'updateAppUserSchema',
    ]);
    expect(w.okta.schemas.get(w.app.id)?.licenseType).toMatchObject({ scope: 'SELF' });
    expect(w.clock.sleeps).toEqual([2_000, 4_000]);
    expect(w.progress().filter((m) => m.includes('finish removing'))).toHaveLength(2);
    // The journal remembers the removal (a resumed run then adds).
    expect(w.journal.entries.some((e) => e.data?.licenseRemoved === true)).toBe(true);
  });

  it('gives up on the settle after the configured attempts, saying to run apply again', async () => {
    const w = oktaWorld({ features: INTEGRATION_SAVED });
    w.okta.setAttribute(w.app.id, 'licenseType', changed({ scope: 'NONE' }));
    w.okta.deletionSettleFailures = 10;
    const [apply] = await w.run('apply', { timing: { deletionSettleAttempts: 3 } }, (s) => [
      s.license,
    ]);
    expect(apply?.phase).toBe('failed');
    expect(apply?.error?.code).toBe('conflict');
    expect(apply?.error?.message).toMatch(/not finished removing.*Run apply again/);
    // A later run, once Okta has finished, adds it (the attribute is absent by then).
    w.okta.finishDeletions();
    const [plan] = await w.run('plan', {}, (s) => [s.license]);
    expect(plan?.changes.map((c) => c.id)).toEqual(['okta.license.add']);
    const [again] = await w.run('apply', {}, (s) => [s.license]);
    expect(again?.phase).toBe('verified');
    expect(w.okta.schemas.get(w.app.id)?.licenseType).toMatchObject({ scope: 'SELF' });
  });

  it('fails naming the differences when Okta reads back something else', async () => {
    const w = oktaWorld({ features: INTEGRATION_SAVED });
    // Okta "drops" the namespace of whatever is saved.
    w.okta.hooks.push((method) => {
      if (method === 'getAppUserSchema') {
        const attr = w.okta.schemas.get(w.app.id)?.licenseType;
        if (attr) {
          delete attr.externalNamespace;
        }
      }
    });
    const [apply] = await w.run('apply', { timing: { schemaReadbacks: 3 } }, (s) => [s.license]);
    expect(apply?.phase).toBe('failed');
    expect(apply?.error?.code).toBe('invalid_response');
    expect(apply?.error?.message).toMatch(/reads it back different: "External namespace" is empty/);
    expect(w.clock.sleeps).toEqual([2_000, 2_000]);
  });

  it('passes Okta’s refusal through as a typed error', async () => {
    const w = oktaWorld({ features: INTEGRATION_SAVED });
    w.okta.failNext(
      'updateAppUserSchema',
      new WizardError('permission_denied', 'You do not have permission.', { remediation: 'x' }),
    );
    const [apply] = await w.run('apply', {}, (s) => [s.license]);
    expect(apply?.error?.code).toBe('permission_denied');
  });
});
