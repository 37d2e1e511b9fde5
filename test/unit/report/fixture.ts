/**
 * A saved setup with every kind of item the report shows, and distinctive planted tokens in every
 * free-text field (journal messages, profile names, history messages, health items): none of them
 * may reach a report.
 */
import type { JournalEntry } from '../../../electron/core/ports.js';
import type { RotationHistoryEntry } from '../../../electron/core/rotation/history.js';
import { rotationDue, type RotationDue } from '../../../electron/core/rotation/policy.js';
import type { StatusReport } from '../../../electron/core/status/model.js';
import type { Profile } from '../../../electron/core/store/profiles.js';
import type { ReportInput } from '../../../electron/core/report/model.js';

export const PLANTED = {
  dbt: 'dbtc_PLANTEDreport0123456789abcdefXYZ',
  dbtUser: 'dbtu_PLANTEDreportUser9876543210',
  jwt: 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJQTEFOVEVEcmVwb3J0In0.c2lnUExBTlRFRHJlcG9ydA',
  // Okta API tokens are 42 characters starting with 00.
  ssws: '00PLANTEDsswsReport0123456789abcdefGHIJKLM',
  base64: 'PLANTEDb64QmFzZTY0U2VjcmV0VmFsdWVXaXRoTWl4ZWQ',
  hex: 'deadbeef0123456789abcdef0123456789abcdef0123',
} as const;

/** Every planted value, and the distinctive part each has (a fragment must not leak either). */
export const PLANTED_VALUES: readonly string[] = Object.values(PLANTED);
export const PLANTED_FRAGMENTS: readonly string[] = [
  'PLANTEDreport',
  'PLANTEDsswsReport',
  'PLANTEDb64',
  'QmFzZTY0U2VjcmV0',
  'c2lnUExBTlRFRHJlcG9ydA',
  'eyJzdWIiOiJQTEFOVEVEcmVwb3J0In0',
  'deadbeef0123456789abcdef0123456789',
];

/** The planted tokens, each in a sentence, for free-text fields. */
export const leak = (what: string): string =>
  `${what} ${PLANTED.dbt} then ${PLANTED.jwt} and ${PLANTED.ssws} ${PLANTED.base64} ${PLANTED.hex} ${PLANTED.dbtUser}`;

export const T = {
  created: '2026-08-01T09:00:00.000Z',
  plan: '2026-08-01T09:10:00.000Z',
  applying: '2026-08-01T09:10:05.000Z',
  applied: '2026-08-01T09:10:09.000Z',
  check1: '2026-08-01T09:10:11.000Z',
  check2: '2026-08-01T09:10:12.000Z',
  failedApplying: '2026-08-02T11:00:01.000Z',
  failedAt: '2026-08-02T11:00:07.000Z',
  interrupted: '2026-08-03T08:00:00.000Z',
  entraCheck: '2026-08-04T12:30:00.000Z',
  oktaConsole: '2026-08-05T13:00:00.000Z',
  manualTick: '2026-08-05T13:05:00.000Z',
  rotStart: '2026-10-01T10:00:00.000Z',
  rotDone: '2026-10-01T10:20:00.000Z',
  rot2Start: '2026-11-20T10:00:00.000Z',
  rot2At: '2026-11-20T10:03:00.000Z',
  statusAt: '2026-11-28T07:00:00.000Z',
  statusItem: '2026-11-28T07:00:03.000Z',
  generated: '2026-11-29T10:00:00.000Z',
} as const;

export function sampleProfile(over: Partial<Profile> = {}): Profile {
  return {
    id: 'prof-1',
    name: 'Acme | prod <main>',
    idp: 'okta',
    dbt: {
      apiUrl: 'https://ab123.us1.dbt.com',
      accountId: 4242,
      scimUrl: 'https://ab123.us1.dbt.com/api/v2/accounts/4242/scim/v2',
      scimTokenId: 77,
      scimTokenName: 'scim-okta-2026-10-01',
      scimTokenCreatedAt: T.rotStart,
    },
    rotation: { intervalDays: 60 },
    license: {
      okta: {
        rules: [
          { groupName: 'dbt-developers|eng', licenseType: 'developer' },
          { groupName: `analysts ${PLANTED.dbt}`, licenseType: 'analyst' },
        ],
        defaultLicenseType: 'read_only',
      },
      entraMaps: { it: ['IT admins'], developer: ['Engineers', 'Data\nplatform'] },
    },
    entra: {
      cloud: 'global',
      appName: 'dbt SCIM',
      spId: '5f2a7c1e-1111-4a2b-9c3d-000000000001',
      appId: '9e8d7c6b-2222-4a2b-9c3d-000000000002',
      jobId: 'customappsso.0123456789abcdef0123456789abcdef.6b1e6a4b-3333-4a2b-9c3d-000000000003',
      credentialsFingerprint: 'https://ab123.us1.dbt.com/api/v2/accounts/4242/scim/v2 token id 77',
      tenant: 'acme.onmicrosoft.com',
    },
    okta: {
      orgUrl: 'https://acme.okta.com',
      appId: '0oa1b2c3d4e5f6g7h8i9',
      appLabel: `dbt Cloud **SSO** <script>alert(1)</script> ${PLANTED.jwt}`,
      appName: 'dbtcloud',
      signIn: { method: 'pkce', clientId: '0oaNATIVECLIENT123' },
      groupPushes: [
        {
          oktaGroupId: '00g1abcdefghijklmno',
          oktaGroupName: 'Engineers',
          targetGroupName: 'dbt-eng',
        },
      ],
      consoleVerifiedAt: { 'okta.console.provisioning': T.oktaConsole },
      existingIntegration: false,
    },
    manual: { 'entra.console.assign-users': T.manualTick },
    currentStep: 'rotation',
    steps: {
      prerequisites: { status: 'verified' },
      dbt: { status: 'verified' },
      idp: { status: 'verified' },
      license: { status: 'verified' },
      test: { status: 'verified' },
      rotation: { status: 'needs_you' },
    },
    createdAt: T.created,
    updatedAt: T.generated,
    ...over,
  };
}

export function sampleJournal(profileId = 'prof-1'): JournalEntry[] {
  const scim = { kind: 'dbt.scim-config' };
  const change = {
    id: 'dbt.scim.enable',
    action: 'change' as const,
    target: 'dbt scim-config',
    detail: `turn SCIM on | now ${PLANTED.dbt}`,
  };
  return [
    { runId: 'run-a', profileId, step: 'dbt', phase: 'planning', at: T.plan, data: scim },
    {
      runId: 'run-a',
      profileId,
      step: 'dbt',
      phase: 'planned',
      at: T.plan,
      changes: [change],
      data: scim,
    },
    {
      runId: 'run-a',
      profileId,
      step: 'dbt',
      phase: 'applying',
      at: T.applying,
      changes: [change],
      data: scim,
    },
    { runId: 'run-a', profileId, step: 'dbt', phase: 'applied', at: T.applied, data: scim },
    { runId: 'run-a', profileId, step: 'dbt', phase: 'verifying', at: T.applied, data: scim },
    {
      runId: 'run-a',
      profileId,
      step: 'dbt',
      phase: 'verified',
      at: T.check2,
      checks: [
        { id: 'dbt.scim.enabled', status: 'pass', message: 'SCIM is on in dbt.', at: T.check1 },
        {
          id: 'dbt.scim.token',
          status: 'pass',
          message: leak('The token works:'),
          at: T.check2,
        },
      ],
      data: scim,
    },
    // An apply that failed after it began.
    {
      runId: 'run-b',
      profileId,
      step: 'idp',
      phase: 'applying',
      at: T.failedApplying,
      changes: [
        {
          id: 'okta.attr',
          action: 'add',
          target: 'attribute licenseType',
          detail: 'add the licenseType attribute',
        },
      ],
      data: { kind: 'okta.license' },
    },
    {
      runId: 'run-b',
      profileId,
      step: 'idp',
      phase: 'failed',
      at: T.failedAt,
      error: { code: 'permission_denied', message: leak('Okta refused:') },
      data: { kind: 'okta.license' },
    },
    // An apply that stopped (the app quit).
    {
      runId: 'run-c',
      profileId,
      step: 'idp',
      phase: 'applying',
      at: T.interrupted,
      changes: [
        {
          id: 'okta.push',
          action: 'add',
          target: 'group push Engineers',
          detail: 'push Engineers',
        },
      ],
      data: { kind: 'okta.group-push' },
    },
    // A verify with a failed item.
    {
      runId: 'run-d',
      profileId,
      step: 'idp',
      phase: 'failed',
      at: T.entraCheck,
      checks: [
        {
          id: 'okta.feature.push-groups',
          status: 'fail',
          message: `Push Groups is off ${PLANTED.ssws}`,
          at: T.entraCheck,
        },
      ],
      data: { kind: 'okta.app' },
    },
  ];
}

export function sampleHistory(): RotationHistoryEntry[] {
  return [
    {
      id: 'rot-1',
      at: T.rotDone,
      startedAt: T.rotStart,
      idp: 'okta',
      oldTokenId: 12,
      oldTokenName: 'scim-okta-2026-08-01',
      newTokenId: 77,
      newTokenName: 'scim-okta-2026-10-01',
      outcome: 'done',
      stage: 'done',
      message: leak('Rotated:'),
    },
    {
      id: 'rot-2',
      at: T.rot2At,
      startedAt: T.rot2Start,
      idp: 'okta',
      oldTokenId: 77,
      oldTokenName: 'scim-okta-2026-10-01',
      newTokenId: 91,
      newTokenName: 'scim-okta-2026-11-20',
      outcome: 'pending',
      stage: 'installed',
      message: 'Paste the new token into Okta.',
    },
  ];
}

/** Due in one day: 60 days from the token's creation, seen on the day the report is made. */
export const sampleDue: RotationDue = rotationDue({
  intervalDays: 60,
  since: T.rotStart,
  now: new Date(T.generated),
});

export function sampleStatus(): StatusReport {
  return {
    profileId: 'prof-1',
    profileName: 'Acme | prod <main>',
    idp: 'okta',
    checkedAt: T.statusAt,
    ok: false,
    token: {
      id: 77,
      name: 'scim-okta-2026-10-01',
      last4: 'wxyz',
      createdAt: T.rotStart,
      lastUsed: '2026-11-28T06:59:00.000Z',
      ageDays: 58,
    },
    rotation: sampleDue,
    job: {
      state: 'quarantine',
      statusCode: 'Quarantine',
      quarantineReason: 'EncounteredQuarantineException',
      lastCycleAt: '2026-11-28T06:40:00.000Z',
      lastCycleState: 'Failed',
      lastCycleCounts: { users: 12, groups: 3 },
      lastError: leak('Graph said:'),
    },
    sso: { method: 'okta', certificateExpiresAt: '2027-05-01T00:00:00.000Z' },
    items: [
      {
        id: 'token.in-use',
        area: 'token',
        status: 'pass',
        message: 'The SCIM token is in use.',
        at: T.statusAt,
      },
      {
        id: 'okta.schema.licenseType',
        area: 'okta',
        status: 'fail',
        message: leak('The attribute drifted:'),
        remediation: `Apply the Identity provider step again ${PLANTED.jwt}`,
        fixStep: 'idp',
        at: T.statusItem,
      },
    ],
  };
}

export function sampleInput(over: Partial<ReportInput> = {}): ReportInput {
  return {
    profile: sampleProfile(),
    journal: sampleJournal(),
    history: sampleHistory(),
    due: sampleDue,
    lastStatus: sampleStatus(),
    credentials: [
      { label: 'dbt SCIM token (the identity provider’s)', last4: 'wxyz', savedAt: T.rotDone },
      {
        label: 'dbt Admin API service token',
        last4: 'ab12',
        savedAt: T.created,
        lastVerifiedAt: T.applied,
      },
    ],
    generatedAt: T.generated,
    appVersion: '1.2.3',
    ...over,
  };
}

/** Fails with the planted value's name when any planted token or fragment appears in `text`. */
export function plantedIn(text: string): string[] {
  return [...PLANTED_VALUES, ...PLANTED_FRAGMENTS].filter((v) => text.includes(v));
}
