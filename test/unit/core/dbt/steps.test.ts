import { describe, expect, it } from 'vitest';
import { Engine } from '../../../../electron/core/engine.js';
import { memoryLogger } from '../../../../electron/core/logger.js';
import {
  evaluatePrerequisites,
  idpOfSsoMethod,
  parseCidrs,
} from '../../../../electron/core/dbt/prerequisites.js';
import {
  ipAllowlistStep,
  scimConfigStep,
  scimTokenStep,
  tokensInUse,
  type TokenKeeper,
} from '../../../../electron/core/dbt/steps.js';
import type { ScimTokenInfo } from '../../../../electron/core/dbt/ports.js';
import { MemoryJournalStore } from '../../../../electron/core/store/journal-file.js';
import { FakeClock } from '../../../helpers/fake-clock.js';
import { MemoryDbtAdmin } from '../../../helpers/memory-dbt.js';

function engine() {
  const { logger } = memoryLogger();
  return new Engine({
    journal: new MemoryJournalStore(),
    clock: new FakeClock(),
    log: logger,
    emit: () => undefined,
  });
}

describe('prerequisites', () => {
  const at = new Date('2026-11-29T10:00:00Z');
  const base = { id: 1, name: 'Acme', plan: 'enterprise', ssoMethod: 'okta', locked: false };

  it('passes an Enterprise account with Okta SSO and no IP restrictions, and detects Okta', () => {
    const r = evaluatePrerequisites({ account: base, ipRules: [], chosenIdp: null, at });
    expect(r.checks.every((c) => c.status === 'pass')).toBe(true);
    expect(r.detectedIdp).toBe('okta');
  });

  it('says plainly when the plan does not include SCIM', () => {
    const r = evaluatePrerequisites({
      account: { ...base, plan: 'team' },
      ipRules: [],
      chosenIdp: null,
      at,
    });
    expect(r.checks.find((c) => c.id === 'dbt.plan')).toMatchObject({ status: 'fail' });
    expect(r.checks.find((c) => c.id === 'dbt.plan')?.message).toContain(
      'Enterprise or Enterprise+',
    );
  });

  it('fails when SSO is missing, Google, or a different IdP than the profile', () => {
    expect(
      evaluatePrerequisites({
        account: { ...base, ssoMethod: null },
        ipRules: [],
        chosenIdp: null,
        at,
      }).checks.find((c) => c.id === 'dbt.sso')?.status,
    ).toBe('fail');
    expect(
      evaluatePrerequisites({
        account: { ...base, ssoMethod: 'gsuite' },
        ipRules: [],
        chosenIdp: null,
        at,
      }).checks.find((c) => c.id === 'dbt.sso')?.message,
    ).toContain('Google');
    const r = evaluatePrerequisites({
      account: { ...base, ssoMethod: 'azure_single_tenant' },
      ipRules: [],
      chosenIdp: 'okta',
      at,
    });
    expect(r.detectedIdp).toBe('entra');
    expect(r.checks.find((c) => c.id === 'dbt.sso-matches-idp')?.status).toBe('fail');
  });

  it('asks for the IdP ranges when IP restrictions are on, and passes once our allow rule exists', () => {
    const rule = {
      id: 1,
      name: 'office',
      type: 'allow' as const,
      cidrs: ['198.51.100.0/24'],
      ruleSetEnabled: true,
    };
    const pending = evaluatePrerequisites({
      account: base,
      ipRules: [rule],
      chosenIdp: 'okta',
      at,
    });
    expect(pending.ipRestricted).toBe(true);
    expect(pending.checks.find((c) => c.id === 'dbt.ip-restrictions')?.status).toBe('pending');
    const ours = { ...rule, id: 2, name: 'SCIM provisioning (Okta)' };
    const ok = evaluatePrerequisites({
      account: base,
      ipRules: [rule, ours],
      chosenIdp: 'okta',
      at,
      wizardRuleNames: [ours.name],
    });
    expect(ok.checks.find((c) => c.id === 'dbt.ip-restrictions')?.status).toBe('pass');
  });

  it('maps SSO methods to IdPs', () => {
    expect(idpOfSsoMethod('azure_multi_tenant').idp).toBe('entra');
    expect(idpOfSsoMethod('saml').idp).toBe('okta');
    expect(idpOfSsoMethod('').idp).toBeNull();
  });

  it('parses pasted CIDR lists and names the invalid entries', () => {
    const r = parseCidrs(
      '203.0.113.0/24, 198.51.100.7\n2001:db8::/32 300.1.1.1/8 nonsense 203.0.113.0/24',
    );
    expect(r.cidrs).toEqual(['203.0.113.0/24', '198.51.100.7/32', '2001:db8::/32']);
    expect(r.invalid).toEqual(['300.1.1.1/8', 'nonsense']);
  });
});

describe('dbt.scim-config step', () => {
  it('plans in words, applies, verifies, and a second run plans nothing', async () => {
    const admin = new MemoryDbtAdmin();
    const step = scimConfigStep(admin, {});
    const e = engine();
    const plan = await e.run(step, { profileId: 'p', mode: 'plan' });
    expect(plan.changes.map((c) => c.detail)).toEqual([
      'turn SCIM on',
      'turn "Allow manual updates" off (dbt recommends off)',
    ]);
    expect(admin.calls).not.toContain('setScimConfig');
    const r = await e.run(step, { profileId: 'p', mode: 'apply' });
    expect(r.phase).toBe('verified');
    expect(admin.config).toEqual({
      enabled: true,
      manualUpdatesAllowed: false,
      scimControlledLicenseType: false,
    });
    const again = await e.run(scimConfigStep(admin, {}), { profileId: 'p', mode: 'plan' });
    expect(again.changes).toEqual([]);
  });

  it('leaves the license toggle alone unless asked', async () => {
    const admin = new MemoryDbtAdmin();
    admin.config = { enabled: true, manualUpdatesAllowed: false, scimControlledLicenseType: true };
    const r = await engine().run(scimConfigStep(admin, {}), { profileId: 'p', mode: 'plan' });
    expect(r.changes).toEqual([]);
    const off = await engine().run(scimConfigStep(admin, { scimControlledLicenseType: false }), {
      profileId: 'p',
      mode: 'plan',
    });
    expect(off.changes[0]?.id).toBe('scim.license-type');
  });

  it('converges after a failed write', async () => {
    const admin = new MemoryDbtAdmin();
    admin.failOn = { call: 'setScimConfig' };
    const e = engine();
    expect((await e.run(scimConfigStep(admin, {}), { profileId: 'p', mode: 'apply' })).phase).toBe(
      'failed',
    );
    expect((await e.run(scimConfigStep(admin, {}), { profileId: 'p', mode: 'apply' })).phase).toBe(
      'verified',
    );
  });
});

describe('dbt.ip-allowlist step', () => {
  it('adds one allow rule with the existing rule-set state, and nothing on a re-run', async () => {
    const admin = new MemoryDbtAdmin();
    admin.rules = [
      { id: 1, name: 'office', type: 'allow', cidrs: ['198.51.100.0/24'], ruleSetEnabled: true },
    ];
    const e = engine();
    const r = await e.run(ipAllowlistStep(admin, 'okta', ['203.0.113.0/24']), {
      profileId: 'p',
      mode: 'apply',
    });
    expect(r.phase).toBe('verified');
    expect(admin.rules[1]).toMatchObject({
      name: 'SCIM provisioning (Okta)',
      type: 'allow',
      cidrs: ['203.0.113.0/24'],
      ruleSetEnabled: true,
    });
    const again = await e.run(ipAllowlistStep(admin, 'okta', ['203.0.113.0/24']), {
      profileId: 'p',
      mode: 'apply',
    });
    expect(again.changes).toEqual([]);
    expect(admin.rules).toHaveLength(2);
  });
});

describe('dbt.scim-token step', () => {
  function keeper() {
    const kept: { id?: number; value?: string } = {};
    const k: TokenKeeper = {
      savedTokenId: () => Promise.resolve(kept.id),
      save: (t, v) => {
        kept.id = t.id;
        kept.value = v;
        return Promise.resolve();
      },
      value: () => Promise.resolve(kept.value),
    };
    return { k, kept };
  }

  it('creates one token, keeps its value, and never a second on re-runs', async () => {
    const admin = new MemoryDbtAdmin();
    const { k, kept } = keeper();
    const e = engine();
    const r = await e.run(scimTokenStep({ admin, keeper: k, name: 'scim-okta-2026-11-29' }), {
      profileId: 'p',
      mode: 'apply',
    });
    expect(r.phase).toBe('verified');
    expect(kept.value).toMatch(/^scimvalue/);
    await e.run(scimTokenStep({ admin, keeper: k, name: 'scim-okta-2026-11-29' }), {
      profileId: 'p',
      mode: 'apply',
    });
    expect(admin.tokens.size).toBe(1);
  });

  it('replaces a token whose value was lost by an interrupted run instead of adding a second', async () => {
    const admin = new MemoryDbtAdmin();
    const { k } = keeper();
    // The create reached dbt but the run died before saving the value.
    admin.failOn = { call: 'createScimToken', after: true };
    const e = engine();
    expect(
      (
        await e.run(scimTokenStep({ admin, keeper: k, name: 'scim-okta-x' }), {
          profileId: 'p',
          mode: 'apply',
        })
      ).phase,
    ).toBe('failed');
    expect(admin.tokens.size).toBe(1);
    const plan = await e.run(scimTokenStep({ admin, keeper: k, name: 'scim-okta-x' }), {
      profileId: 'p',
      mode: 'plan',
    });
    expect(plan.changes.map((c) => c.action)).toEqual(['remove', 'add']);
    expect(
      (
        await e.run(scimTokenStep({ admin, keeper: k, name: 'scim-okta-x' }), {
          profileId: 'p',
          mode: 'apply',
        })
      ).phase,
    ).toBe('verified');
    expect(admin.tokens.size).toBe(1);
  });

  it('never touches a used token that happens to share the name', async () => {
    const admin = new MemoryDbtAdmin();
    admin.tokens.set(5, {
      id: 5,
      name: 'scim-okta-x',
      createdAt: 't',
      lastUsed: '2026-11-28T00:00:00Z',
      value: 'v',
    });
    const { k } = keeper();
    await engine().run(scimTokenStep({ admin, keeper: k, name: 'scim-okta-x' }), {
      profileId: 'p',
      mode: 'apply',
    });
    expect(admin.tokens.has(5)).toBe(true);
    expect([...admin.tokens.values()].map((t) => t.name).sort()).toEqual([
      'scim-okta-x',
      'scim-okta-x-2',
    ]);
  });

  it('judges which tokens are in use by last_used', () => {
    const at = new Date('2026-11-29T00:00:00Z');
    const t = (id: number, lastUsed: string | null): ScimTokenInfo => ({
      id,
      name: `t${id}`,
      createdAt: 'x',
      lastUsed,
    });
    const inUse = tokensInUse(
      [t(1, null), t(2, '2026-11-28T00:00:00Z'), t(3, '2026-01-01T00:00:00Z')],
      at,
    );
    expect([...inUse].sort()).toEqual([2]);
    expect([...tokensInUse([t(3, '2026-01-01T00:00:00Z')], at)]).toEqual([3]);
  });
});
