/**
 * The one IPC contract: for every channel, the zod schema of its input and of its output.
 * Main parses inputs as `unknown` with these schemas and parses outputs before they leave, so a
 * field a handler did not mean to send (a secret, say) is stripped by the schema.
 *
 * This file imports only zod and core's dependency-free model.
 */
import { z } from 'zod';
import { IDPS, RUN_PHASES, STEP_IDS, STEP_STATUSES } from '../core/model.js';
import type { Channel, EVENTS } from './channels.js';

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'an id of letters, digits, - and _');
const stepId = z.enum(STEP_IDS);
const idp = z.enum(IDPS);

const licenseType = z.enum(['it', 'analyst', 'developer', 'read_only']);

export const errorInfoSchema = z.object({ code: z.string(), message: z.string() });

export const changeSchema = z.object({
  id: z.string(),
  action: z.enum(['add', 'change', 'remove']),
  target: z.string(),
  detail: z.string(),
});

export const checkSchema = z.object({
  id: z.string(),
  status: z.enum(['pass', 'fail', 'pending', 'skip']),
  message: z.string(),
  at: z.string(),
});

export const stepStateSchema = z.object({
  status: z.enum(STEP_STATUSES),
  updatedAt: z.string().optional(),
  summary: z.string().optional(),
});

export const profileSchema = z.object({
  id,
  name: z.string(),
  idp: idp.nullable(),
  dbt: z.object({
    apiUrl: z.string().optional(),
    accountId: z.number().optional(),
    scimUrl: z.string().optional(),
    scimTokenId: z.number().optional(),
    scimTokenName: z.string().optional(),
    scimTokenCreatedAt: z.string().optional(),
  }),
  rotation: z.object({ intervalDays: z.number() }).optional(),
  license: z
    .object({
      okta: z
        .object({
          rules: z.array(z.object({ groupName: z.string(), licenseType })),
          defaultLicenseType: licenseType,
        })
        .optional(),
      entraMaps: z.partialRecord(licenseType, z.array(z.string())).optional(),
    })
    .optional(),
  entra: z
    .object({
      cloud: z.enum(['global', 'usgov', 'china']),
      graphUrl: z.string().optional(),
      appName: z.string(),
      spId: z.string().optional(),
      appId: z.string().optional(),
      jobId: z.string().optional(),
      credentialsFingerprint: z.string().optional(),
      clientId: z.string().optional(),
      tenant: z.string().optional(),
    })
    .optional(),
  okta: z
    .object({
      orgUrl: z.string(),
      appId: z.string().optional(),
      appLabel: z.string().optional(),
      appName: z.string().optional(),
      signIn: z
        .object({
          method: z.enum(['pkce', 'service', 'token']),
          clientId: z.string().optional(),
          keyId: z.string().optional(),
        })
        .optional(),
      groupPushes: z
        .array(
          z.object({
            oktaGroupId: z.string(),
            oktaGroupName: z.string(),
            targetGroupName: z.string(),
          }),
        )
        .optional(),
      consoleShownAt: z.record(z.string(), z.string()).optional(),
      consoleVerifiedAt: z.record(z.string(), z.string()).optional(),
      existingIntegration: z.boolean().optional(),
      userNameChangeConfirmedAt: z.string().optional(),
    })
    .optional(),
  manual: z.record(z.string(), z.string()),
  currentStep: stepId,
  steps: z.record(stepId, stepStateSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const secretMetaSchema = z.object({
  name: z.string(),
  last4: z.string(),
  createdAt: z.string(),
  lastVerifiedAt: z.string().optional(),
});

export const secretStatusSchema = z.object({
  /** Whether tokens can be saved encrypted on this machine. */
  persistent: z.boolean(),
  backend: z.string(),
  weakBackend: z.boolean(),
  weakBackendAccepted: z.boolean(),
});

const profileName = z
  .string()
  .trim()
  .min(1, 'Give the profile a name.')
  .max(80, 'Keep the name under 80 characters.');

/** Secret values are bounded, single tokens: no control characters inside. */
const secretValue = z
  .string()
  .min(1)
  .max(8192)
  .refine(
    // eslint-disable-next-line no-control-regex -- the point is to refuse control characters
    (v) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(v.trim()),
    'a token has no control characters',
  );

export const runResultSchema = z.object({
  runId: z.string(),
  kind: z.string(),
  phase: z.enum(RUN_PHASES),
  changes: z.array(changeSchema),
  checks: z.array(checkSchema),
  error: errorInfoSchema.optional(),
  resumed: z.boolean(),
});

const prerequisitesSchema = z.object({
  checks: z.array(checkSchema),
  detectedIdp: idp.nullable(),
  ipRestricted: z.boolean(),
  account: z.object({
    id: z.number(),
    name: z.string(),
    plan: z.string(),
    ssoMethod: z.string().nullable(),
  }),
});

const dbtStepParams = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('dbt.scim-config'),
      manualUpdatesAllowed: z.boolean().optional(),
      scimControlledLicenseType: z.boolean().optional(),
    })
    .strict(),
  z.object({ kind: z.literal('dbt.ip-allowlist'), cidrs: z.string().max(20_000) }).strict(),
  z
    .object({ kind: z.literal('dbt.scim-token'), name: z.string().trim().max(255).optional() })
    .strict(),
]);

const scimTokenRow = z.object({
  id: z.number(),
  name: z.string(),
  createdAt: z.string(),
  lastUsed: z.string().nullable(),
  saved: z.boolean(),
  inUse: z.boolean(),
});
const tokensSchema = z.object({ listAvailable: z.boolean(), tokens: z.array(scimTokenRow) });

/** A pasted URL or token: bounded, and only trimmed here (cleaning happens in core, with typed errors). */
const pasted = z.string().max(4096);

const entraCloud = z.enum(['global', 'usgov', 'china']);

/** plan / apply / verify over all the Entra steps. */
const entraRunSchema = z.object({
  phase: z.enum(RUN_PHASES),
  changes: z.array(changeSchema),
  checks: z.array(checkSchema),
  error: errorInfoSchema.optional(),
  runs: z.array(runResultSchema),
  saved: z.object({
    spId: z.string().optional(),
    appId: z.string().optional(),
    jobId: z.string().optional(),
  }),
});

const signInStateSchema = z.object({
  signedIn: z.boolean(),
  via: z.enum(['browser', 'device', 'token']).nullable(),
  username: z.string().optional(),
  tenantId: z.string().optional(),
  grantedScopes: z.array(z.string()),
  missingScopes: z.array(z.string()),
  registration: z.object({
    steps: z.array(z.object({ title: z.string(), detail: z.string() })),
    permissions: z.array(z.object({ scope: z.string(), why: z.string() })),
    signInRoles: z.string(),
    restrictedTenantNote: z.string(),
  }),
});
const includeTestUserScopes = z.boolean();

// ---------------------------------------------------------------------------------------------
// Okta

/** The three ways to sign in to Okta, and what the admin must register for each (no secret). */
export const oktaSignInStateSchema = z.object({
  signedIn: z.boolean(),
  method: z.enum(['pkce', 'service', 'token']).nullable(),
  /** The admin's login, or the service app's client id. */
  subject: z.string().optional(),
  expiresAt: z.string().optional(),
  grantedScopes: z.array(z.string()),
  missingScopes: z.array(z.string()),
  /** `ok` (a sufficient role or every capability probed), `insufficient`, `unknown`. */
  roleVerdict: z.enum(['ok', 'insufficient', 'unknown']),
  roles: z.array(z.string()),
  /** What the role check found, in one or two sentences (what is missing and who can grant it). */
  roleMessage: z.string(),
  /** Reminders, e.g. "revoke the API token when you are done". */
  warnings: z.array(z.string()),
  registration: z.object({
    /** The loopback redirect URI to register on the Native app (sign-in method `pkce`). */
    redirectUri: z.string(),
    steps: z.array(z.object({ title: z.string(), detail: z.string() })),
    scopes: z.array(z.object({ scope: z.string(), why: z.string() })),
  }),
});

export const oktaAppSchema = z.object({
  id: z.string(),
  label: z.string(),
  name: z.string(),
  signOnMode: z.string(),
  status: z.string(),
  features: z.array(z.string()),
  /** `email` (what SCIM needs), `okta_id` (dbt's SSO guide), `other`. */
  userNameFormat: z.enum(['email', 'okta_id', 'other']),
  userNameTemplate: z.string().nullable(),
  /** Why this app cannot be the dbt SSO app, when it cannot (not SAML 2.0, inactive). */
  unsuitable: z.string().optional(),
});

/** One console-only step, with what the admin needs beside it and its live check. */
export const oktaConsoleItemSchema = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['pass', 'fail', 'pending', 'skip']),
  message: z.string(),
  /** When the check was taken. */
  at: z.string(),
  /** When Okta first showed the change. */
  verifiedAt: z.string().optional(),
  /** Opens the exact console page in the system browser. */
  link: z.object({ label: z.string(), url: z.string() }).nullable(),
  /** The console's own labels in quotes, one action per line. */
  instructions: z.array(z.string()),
  /** Values to copy into the console (never a secret: the token is copied by `okta:copyScimToken`). */
  values: z.array(z.object({ label: z.string(), value: z.string() })),
  /** This step needs the dbt SCIM token pasted into Okta. */
  needsToken: z.boolean(),
  optional: z.boolean(),
});

const oktaRunSchema = z.object({
  phase: z.enum(RUN_PHASES),
  changes: z.array(changeSchema),
  checks: z.array(checkSchema),
  error: errorInfoSchema.optional(),
  runs: z.array(runResultSchema),
  /** The console steps and their live checks, in the order the admin does them. */
  console: z.array(oktaConsoleItemSchema),
});

const oktaGroupPick = z.object({
  oktaGroupId: z.string().min(1).max(64),
  oktaGroupName: z.string().min(1).max(255),
  targetGroupName: z.string().trim().min(1).max(255),
});

/** A rotation's history entry: dates, token names, the outcome; never a token value. */
export const rotationHistoryItemSchema = z.object({
  at: z.string(),
  idp,
  oldTokenName: z.string().optional(),
  newTokenName: z.string().optional(),
  outcome: z.enum(['done', 'failed', 'pending']),
  stage: z.string(),
  message: z.string(),
});

const rotationRunSchema = z.object({
  phase: z.enum(RUN_PHASES),
  outcome: z.enum(['done', 'failed', 'pending']),
  /** The stage reached (started, created, checked, installed, proven, old-deleted, old-refused, done). */
  stage: z.string().optional(),
  /** One check per stage: pass, pending or skip; then the cause when it failed. */
  checks: z.array(checkSchema),
  /** Okta, while pending: the console step to do. */
  instructions: z.array(z.string()),
  error: errorInfoSchema.optional(),
  /** How the old token was chosen (a new rotation). */
  chosen: z.string().optional(),
});

/** When the next rotation is due (core/rotation/policy.ts). */
export const rotationDueSchema = z.object({
  intervalDays: z.number(),
  since: z.string().nullable(),
  dueAt: z.string().nullable(),
  state: z.enum(['unknown', 'ok', 'due', 'overdue']),
  daysLeft: z.number().nullable(),
  /** The same in one sentence. */
  message: z.string(),
});

// ---------------------------------------------------------------------------------------------
// License types

const licenseRule = z.object({ groupName: z.string().trim().min(1).max(255), licenseType });
const licenseOktaRules = z.object({
  rules: z.array(licenseRule).max(20),
  defaultLicenseType: licenseType,
});
const licenseEntraMaps = z.partialRecord(
  licenseType,
  z.array(z.string().trim().min(1).max(255)).max(50),
);

const licenseStateSchema = z.object({
  /** The account's plan as dbt names it, or null when it could not be read. */
  accountPlan: z.string().nullable(),
  planKnown: z.boolean(),
  /** The license types the plan offers, in dbt's order. */
  offered: z.array(licenseType),
  /** Why each other type is not offered. */
  notOffered: z.partialRecord(licenseType, z.string()),
  /** dbt's "Manage user licenses with SCIM" (scim_controlled_license_type), when read. */
  scimControlledLicenseType: z.boolean().nullable(),
  /** The dbt userName the checklist reads the license type of (the Test step's person), if any. */
  testUserName: z.string().nullable(),
  /** Why the account could not be read. */
  error: errorInfoSchema.optional(),
});

const licenseRunInput = z
  .object({
    profileId: id,
    /** Okta: include the toggle step (default true); false to apply only the group mapping. */
    toggle: z.boolean().optional(),
    expectedChangeIds: z.array(z.string()).optional(),
  })
  .strict();

const licenseRunSchema = z.object({
  phase: z.enum(RUN_PHASES),
  changes: z.array(changeSchema),
  checks: z.array(checkSchema),
  error: errorInfoSchema.optional(),
});

// ---------------------------------------------------------------------------------------------
// Health (status, the home dashboard) and the setup report

export const healthItemSchema = z.object({
  id: z.string(),
  area: z.enum(['token', 'rotation', 'dbt', 'okta', 'entra', 'job', 'sso', 'license']),
  status: z.enum(['pass', 'fail', 'pending', 'skip']),
  message: z.string(),
  remediation: z.string().optional(),
  fixStep: stepId.optional(),
  at: z.string(),
});

export const statusSchema = z.object({
  profileId: z.string(),
  profileName: z.string(),
  idp: idp.nullable(),
  checkedAt: z.string(),
  ok: z.boolean(),
  token: z
    .object({
      id: z.number().optional(),
      name: z.string().optional(),
      last4: z.string().optional(),
      createdAt: z.string().optional(),
      lastUsed: z.string().nullable().optional(),
      ageDays: z.number().optional(),
    })
    .nullable(),
  rotation: rotationDueSchema,
  job: z
    .object({
      state: z.enum([
        'running',
        'paused',
        'quarantine',
        'not_started',
        'not_configured',
        'unknown',
      ]),
      statusCode: z.string(),
      quarantineReason: z.string().optional(),
      lastCycleAt: z.string().optional(),
      lastCycleState: z.string().optional(),
      lastCycleCounts: z.record(z.string(), z.number()).optional(),
      lastError: z.string().optional(),
    })
    .nullable(),
  sso: z
    .object({ method: z.string().nullable(), certificateExpiresAt: z.string().nullable() })
    .nullable(),
  items: z.array(healthItemSchema),
});

export const contract = {
  'app:info': {
    input: z.void(),
    output: z.object({
      name: z.string(),
      version: z.string(),
      platform: z.string(),
      face: z.enum(['electron', 'bridge', 'cli']),
    }),
  },
  'profiles:list': {
    input: z.void(),
    output: z.object({ profiles: z.array(profileSchema), activeProfileId: z.string().nullable() }),
  },
  'profiles:create': {
    input: z.object({ name: profileName, idp: idp.nullable() }).strict(),
    output: profileSchema,
  },
  'profiles:update': {
    input: z
      .object({
        id,
        name: profileName.optional(),
        idp: idp.nullable().optional(),
      })
      .strict(),
    output: profileSchema,
  },
  'profiles:select': { input: z.object({ id }).strict(), output: z.null() },
  'profiles:delete': { input: z.object({ id }).strict(), output: z.null() },
  'wizard:goto': {
    input: z.object({ profileId: id, step: stepId }).strict(),
    output: profileSchema,
  },
  'wizard:interrupted': {
    input: z.object({ profileId: id }).strict(),
    output: z.array(
      z.object({
        runId: z.string(),
        kind: z.string(),
        step: stepId,
        phase: z.enum(RUN_PHASES),
        at: z.string(),
      }),
    ),
  },
  'secrets:status': { input: z.void(), output: secretStatusSchema },
  'secrets:acceptWeakBackend': {
    input: z.object({ accepted: z.boolean() }).strict(),
    output: secretStatusSchema,
  },
  'secrets:list': {
    input: z.object({ profileId: id }).strict(),
    output: z.array(secretMetaSchema),
  },
  'secrets:set': {
    input: z
      .object({
        profileId: id,
        name: z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/),
        value: secretValue,
      })
      .strict(),
    output: secretMetaSchema,
  },
  'secrets:delete': {
    input: z.object({ profileId: id, name: z.string().min(1).max(64) }).strict(),
    output: z.null(),
  },
  'shell:openExternal': {
    input: z.object({ url: z.url().max(2048) }).strict(),
    output: z.null(),
  },
  'dbt:connect': {
    input: z
      .object({
        profileId: id,
        apiUrl: pasted,
        accountId: z.union([z.number(), z.string().max(40)]),
        apiToken: pasted.optional(),
      })
      .strict(),
    output: z.object({
      profile: profileSchema,
      warnings: z.array(z.string()),
      notes: z.array(z.string()),
      prerequisites: prerequisitesSchema.optional(),
    }),
  },
  'dbt:recheck': {
    input: z.object({ profileId: id }).strict(),
    output: z.object({ profile: profileSchema, prerequisites: prerequisitesSchema }),
  },
  'dbt:tick': {
    input: z
      .object({ profileId: id, item: z.string().regex(/^[a-z0-9.-]{1,64}$/), done: z.boolean() })
      .strict(),
    output: profileSchema,
  },
  'dbt:setScimUrl': {
    input: z.object({ profileId: id, scimUrl: pasted }).strict(),
    output: z.object({ profile: profileSchema, warnings: z.array(z.string()) }),
  },
  'dbt:plan': {
    input: z.object({ profileId: id, step: dbtStepParams }).strict(),
    output: runResultSchema,
  },
  'dbt:apply': {
    input: z
      .object({
        profileId: id,
        step: dbtStepParams,
        expectedChangeIds: z.array(z.string()).max(100).optional(),
      })
      .strict(),
    output: runResultSchema,
  },
  'dbt:check': {
    input: z.object({ profileId: id }).strict(),
    output: z.object({
      checks: z.array(checkSchema),
      failure: z.object({ code: z.string(), checkId: z.string() }).optional(),
    }),
  },
  'dbt:tokens': { input: z.object({ profileId: id }).strict(), output: tokensSchema },
  'dbt:pasteToken': {
    input: z.object({ profileId: id, value: pasted }).strict(),
    output: z.object({ secret: secretMetaSchema, notes: z.array(z.string()) }),
  },
  'dbt:deleteToken': {
    input: z
      .object({ profileId: id, tokenId: z.number().int().positive(), force: z.boolean() })
      .strict(),
    output: tokensSchema,
  },
  'dbt:idpRanges': {
    input: z
      .object({
        profileId: id,
        cell: z
          .string()
          .regex(/^[a-z]+_cell_\d{1,3}$/)
          .optional(),
      })
      .strict(),
    output: z.object({
      idp,
      url: z.string(),
      text: z.string(),
      cells: z.array(z.object({ id: z.string(), label: z.string() })),
      cell: z.string().optional(),
      ranges: z.array(z.string()),
    }),
  },
  'entra:connect': {
    input: z
      .object({
        profileId: id,
        cloud: entraCloud.optional(),
        graphUrl: pasted.optional(),
        appName: z.string().max(256).optional(),
        /** The service principal chosen among same-named apps. */
        spId: z.string().max(64).optional(),
      })
      .strict(),
    output: z.object({ profile: profileSchema, warnings: z.array(z.string()) }),
  },
  'entra:plan': { input: z.object({ profileId: id }).strict(), output: entraRunSchema },
  'entra:apply': {
    input: z
      .object({ profileId: id, expectedChangeIds: z.array(z.string()).max(200).optional() })
      .strict(),
    output: entraRunSchema,
  },
  'entra:verify': { input: z.object({ profileId: id }).strict(), output: entraRunSchema },
  'entra:testUser': {
    input: z.object({ profileId: id, userPrincipalName: z.string().min(1).max(256) }).strict(),
    output: runResultSchema,
  },
  'entra:status': {
    input: z.object({ profileId: id }).strict(),
    output: z.object({
      checks: z.array(checkSchema),
      saved: z.object({
        spId: z.string().optional(),
        appId: z.string().optional(),
        jobId: z.string().optional(),
      }),
      error: errorInfoSchema.optional(),
    }),
  },
  'entra:signInSettings': {
    input: z
      .object({
        profileId: id,
        clientId: z
          .string()
          .trim()
          .regex(
            /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
            'the Application (client) ID is a GUID',
          )
          .optional(),
        tenant: z
          .string()
          .trim()
          .regex(
            /^(organizations|[0-9a-f-]{36}|[a-z0-9.-]+\.[a-z]{2,})$/i,
            'a tenant id (GUID) or a domain such as contoso.onmicrosoft.com',
          )
          .optional(),
      })
      .strict(),
    output: profileSchema,
  },
  'entra:signIn': {
    input: z.object({ profileId: id, includeTestUserScopes }).strict(),
    output: signInStateSchema,
  },
  'entra:deviceCode': {
    input: z.object({ profileId: id, includeTestUserScopes }).strict(),
    output: z.object({
      userCode: z.string(),
      verificationUri: z.string(),
      message: z.string(),
      expiresInSeconds: z.number(),
    }),
  },
  'entra:deviceCodeWait': {
    input: z.object({ profileId: id }).strict(),
    output: signInStateSchema,
  },
  'entra:useToken': {
    input: z.object({ profileId: id, accessToken: pasted }).strict(),
    output: signInStateSchema,
  },
  'entra:signOut': { input: z.object({ profileId: id }).strict(), output: z.null() },
  'entra:account': { input: z.object({ profileId: id }).strict(), output: signInStateSchema },
  'okta:connect': {
    input: z
      .object({
        profileId: id,
        orgUrl: pasted,
        signInMethod: z.enum(['pkce', 'service', 'token']).optional(),
        /** The Native app (pkce) or service app (service) client id. */
        clientId: z.string().trim().max(128).optional(),
        keyId: z.string().trim().max(128).optional(),
        /** dbt already has users and groups (they become SCIM-managed; import them first). */
        existingIntegration: z.boolean().optional(),
      })
      .strict(),
    output: z.object({ profile: profileSchema, warnings: z.array(z.string()) }),
  },
  'okta:signIn': { input: z.object({ profileId: id }).strict(), output: oktaSignInStateSchema },
  'okta:useServiceKey': {
    input: z.object({ profileId: id, privateKey: secretValue }).strict(),
    output: oktaSignInStateSchema,
  },
  'okta:useToken': {
    input: z.object({ profileId: id, apiToken: pasted }).strict(),
    output: oktaSignInStateSchema,
  },
  'okta:signOut': { input: z.object({ profileId: id }).strict(), output: z.null() },
  'okta:account': { input: z.object({ profileId: id }).strict(), output: oktaSignInStateSchema },
  'okta:findApps': {
    input: z.object({ profileId: id, query: z.string().trim().max(100).optional() }).strict(),
    output: z.object({ apps: z.array(oktaAppSchema), chosenId: z.string().optional() }),
  },
  'okta:chooseApp': {
    input: z.object({ profileId: id, appId: z.string().trim().min(1).max(64) }).strict(),
    output: profileSchema,
  },
  'okta:confirmUserNameChange': {
    input: z.object({ profileId: id, confirm: z.boolean() }).strict(),
    output: profileSchema,
  },
  'okta:plan': { input: z.object({ profileId: id }).strict(), output: oktaRunSchema },
  'okta:apply': {
    input: z
      .object({ profileId: id, expectedChangeIds: z.array(z.string()).max(200).optional() })
      .strict(),
    output: oktaRunSchema,
  },
  'okta:verify': { input: z.object({ profileId: id }).strict(), output: oktaRunSchema },
  'okta:console': {
    input: z.object({ profileId: id, shown: z.string().max(64).optional() }).strict(),
    output: z.object({
      items: z.array(oktaConsoleItemSchema),
      /** The soonest the next check may be asked for (the service polls at most every 5 s). */
      nextCheckAt: z.string(),
      error: errorInfoSchema.optional(),
    }),
  },
  'okta:copyScimToken': {
    input: z.object({ profileId: id }).strict(),
    output: z.object({ last4: z.string(), clearsAt: z.string() }),
  },
  'okta:groups': {
    input: z.object({ profileId: id, query: z.string().trim().max(100).optional() }).strict(),
    output: z.object({
      okta: z.array(
        z.object({ id: z.string(), name: z.string(), type: z.string(), imported: z.boolean() }),
      ),
      /** Null when the dbt Admin API is not connected (then names cannot be checked). */
      dbt: z.array(z.object({ id: z.number(), name: z.string() })).nullable(),
      picks: z.array(
        oktaGroupPick.extend({
          /** `match`, `case` (same name but for case: dbt would get a second group), `new`. */
          alignment: z.enum(['match', 'case', 'new']),
          dbtName: z.string().optional(),
        }),
      ),
      mappings: z.array(
        z.object({
          sourceGroupId: z.string(),
          status: z.string(),
          errorSummary: z.string().nullable(),
        }),
      ),
    }),
  },
  'okta:pickGroups': {
    input: z.object({ profileId: id, picks: z.array(oktaGroupPick).max(200) }).strict(),
    output: profileSchema,
  },
  'okta:existing': {
    input: z.object({ profileId: id }).strict(),
    output: z.object({
      dbtUsers: z.number(),
      /** How many dbt users were checked (a large account is sampled and says so). */
      checked: z.number(),
      unmatched: z.array(
        z.object({
          userName: z.string(),
          /** `none`: no Okta person; `case`: only the case differs (Okta would create a second user). */
          reason: z.enum(['none', 'case']),
          oktaLogin: z.string().optional(),
        }),
      ),
      appUsers: z.number(),
      appGroups: z.number(),
      checks: z.array(checkSchema),
    }),
  },
  'okta:testUser': {
    input: z
      .object({ profileId: id, login: z.string().trim().min(1).max(256), licenseType })
      .strict(),
    output: runResultSchema,
  },
  'rotation:state': {
    input: z.object({ profileId: id }).strict(),
    output: z.object({
      inProgress: z
        .object({
          stage: z.string(),
          idp,
          oldTokenName: z.string().optional(),
          newTokenName: z.string().optional(),
          startedAt: z.string(),
        })
        .nullable(),
      /** Newest first. */
      history: z.array(rotationHistoryItemSchema),
      /** When the next rotation is due, by the profile's policy. */
      due: rotationDueSchema,
    }),
  },
  /** Sets how often the SCIM token should be rotated (days). */
  'rotation:setPolicy': {
    input: z.object({ profileId: id, intervalDays: z.number().int() }).strict(),
    output: profileSchema,
  },
  'rotation:run': {
    input: z.object({ profileId: id, keepOld: z.boolean().optional() }).strict(),
    output: rotationRunSchema,
  },
  /** Copies the new token (an Okta rotation waiting for the paste); only its last four come back. */
  'rotation:copyNewToken': {
    input: z.object({ profileId: id }).strict(),
    output: z.object({ last4: z.string(), clearsAt: z.string() }),
  },
  /** The account's plan and which license types it offers; dbt's license toggle. */
  'license:state': {
    input: z.object({ profileId: id }).strict(),
    output: licenseStateSchema,
  },
  /** Saves who gets which license type: Okta group rules, or Entra's group → license maps. */
  'license:setRules': {
    input: z
      .object({
        profileId: id,
        okta: licenseOktaRules.nullable().optional(),
        entraMaps: licenseEntraMaps.nullable().optional(),
      })
      .strict(),
    output: profileSchema,
  },
  'license:plan': { input: licenseRunInput, output: licenseRunSchema },
  'license:apply': { input: licenseRunInput, output: licenseRunSchema },
  'license:verify': { input: licenseRunInput, output: licenseRunSchema },
  /** The health of a profile: `refresh` re-checks everything; otherwise the last result (or null). */
  'status:get': {
    input: z.object({ profileId: id, refresh: z.boolean() }).strict(),
    output: statusSchema.nullable(),
  },
  /** The setup report as Markdown (no secret; a token shows at most its last four). */
  'report:build': {
    input: z.object({ profileId: id }).strict(),
    output: z.object({ markdown: z.string(), fileName: z.string() }),
  },
  /** Saves the report where the admin chooses (Markdown, or a PDF printed by the app). */
  'report:save': {
    input: z.object({ profileId: id, format: z.enum(['markdown', 'pdf']) }).strict(),
    output: z.object({ saved: z.boolean(), path: z.string().optional() }),
  },
} as const satisfies Record<Channel, { input: z.ZodType; output: z.ZodType }>;

// Every channel in channels.ts has schemas here, and nothing else does.
type ContractChannel = keyof typeof contract;
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const channelsMatch: Exact<ContractChannel, Channel> = true;

export type Input<C extends Channel> = z.input<(typeof contract)[C]['input']>;
export type ParsedInput<C extends Channel> = z.output<(typeof contract)[C]['input']>;
export type Output<C extends Channel> = z.output<(typeof contract)[C]['output']>;

export const engineEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('phase'),
    runId: z.string(),
    profileId: z.string(),
    step: stepId,
    kind: z.string(),
    phase: z.enum(RUN_PHASES),
    at: z.string(),
    changes: z.array(changeSchema).optional(),
    checks: z.array(checkSchema).optional(),
    error: errorInfoSchema.optional(),
  }),
  z.object({
    type: z.literal('progress'),
    runId: z.string(),
    profileId: z.string(),
    step: stepId,
    kind: z.string(),
    message: z.string(),
    elapsedMs: z.number(),
    at: z.string(),
  }),
  z.object({
    type: z.literal('open'),
    profileId: z.string(),
    step: stepId,
    at: z.string(),
  }),
]);

export const eventSchemas = {
  'event:engine': engineEventSchema,
} as const satisfies Record<(typeof EVENTS)[keyof typeof EVENTS], z.ZodType>;

export type EngineEventDto = z.output<typeof engineEventSchema>;
export type ProfileDto = z.output<typeof profileSchema>;
export type SecretMetaDto = z.output<typeof secretMetaSchema>;
export type SecretStatusDto = z.output<typeof secretStatusSchema>;
export type CheckDto = z.output<typeof checkSchema>;
export type ChangeDto = z.output<typeof changeSchema>;
export type RunResultDto = z.output<typeof runResultSchema>;
export type PrerequisitesDto = z.output<typeof prerequisitesSchema>;
export type DbtStepParamsDto = z.input<typeof dbtStepParams>;
export type TokensDto = z.output<typeof tokensSchema>;
export type SignInStateDto = z.output<typeof signInStateSchema>;
export type EntraRunDto = z.output<typeof entraRunSchema>;
export type OktaSignInStateDto = z.output<typeof oktaSignInStateSchema>;
export type OktaAppDto = z.output<typeof oktaAppSchema>;
export type OktaConsoleItemDto = z.output<typeof oktaConsoleItemSchema>;
export type OktaRunDto = z.output<typeof oktaRunSchema>;
export type RotationRunDto = z.output<typeof rotationRunSchema>;
export type RotationHistoryItemDto = z.output<typeof rotationHistoryItemSchema>;
export type RotationDueDto = z.output<typeof rotationDueSchema>;
export type LicenseStateDto = z.output<typeof licenseStateSchema>;
export type LicenseRunDto = z.output<typeof licenseRunSchema>;
export type StatusDto = z.output<typeof statusSchema>;
export type HealthItemDto = z.output<typeof healthItemSchema>;
