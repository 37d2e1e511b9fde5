/**
 * Profiles: one per dbt account, with the wizard's progress. Saved as `<home>/profiles.json`
 * (mode 0600). No secret is ever part of a profile: tokens live in the secret store.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { z } from 'zod';
import { WizardError } from '../errors.js';
import { IDPS, STEP_IDS, STEP_STATUSES, type StepId, type StepStatus } from '../model.js';
import { MAX_ROTATION_DAYS, MIN_ROTATION_DAYS } from '../rotation/policy.js';
import { readTextIfExists, writeFileAtomic } from './files.js';
import { LICENSE_TYPES, type LicenseType } from '../okta/ports.js';

const LICENSE_VALUES = LICENSE_TYPES.map((t) => t.value) as [LicenseType, ...LicenseType[]];

const stepStateSchema = z.object({
  status: z.enum(STEP_STATUSES),
  updatedAt: z.string().optional(),
  summary: z.string().optional(),
});

export const profileSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  name: z.string().min(1).max(80),
  idp: z.enum(IDPS).nullable(),
  dbt: z.object({
    apiUrl: z.string().optional(),
    accountId: z.number().int().positive().optional(),
    scimUrl: z.string().optional(),
    /** The dbt id and name of the SCIM token whose value the secret store holds. */
    scimTokenId: z.number().int().optional(),
    scimTokenName: z.string().optional(),
    /** When dbt created that token (the rotation's due date counts from it). */
    scimTokenCreatedAt: z.string().optional(),
  }),
  /** The rotation policy: how often the SCIM token should be replaced (default 90 days). */
  rotation: z
    .object({ intervalDays: z.number().int().min(MIN_ROTATION_DAYS).max(MAX_ROTATION_DAYS) })
    .optional(),
  /** Who gets which dbt license type (License step), as the admin chose it. */
  license: z
    .object({
      /** Okta: group-based licenseType values, first match wins, then the default. */
      okta: z
        .object({
          rules: z.array(z.object({ groupName: z.string(), licenseType: z.enum(LICENSE_VALUES) })),
          defaultLicenseType: z.enum(LICENSE_VALUES),
        })
        .optional(),
      /** Entra ID: license type → the Entra group names of its SSO license map. */
      entraMaps: z.partialRecord(z.enum(LICENSE_VALUES), z.array(z.string())).optional(),
    })
    .optional(),
  /** The Entra ID side: where the app is and what Entra holds (ids and a fingerprint, no secret). */
  entra: z
    .object({
      cloud: z.enum(['global', 'usgov', 'china']),
      /** Overrides the cloud's Graph root (a loopback fake in tests). */
      graphUrl: z.string().optional(),
      appName: z.string().min(1).max(256),
      spId: z.string().optional(),
      appId: z.string().optional(),
      jobId: z.string().optional(),
      /** Which dbt URL and token Entra holds: the token's dbt id or last four, never the token. */
      credentialsFingerprint: z.string().optional(),
      /** The admin's own public client registration used to sign in (not a secret). */
      clientId: z.string().optional(),
      /** The tenant to sign in to (id or domain); absent means any work account. */
      tenant: z.string().optional(),
    })
    .optional(),
  /** The Okta side: the org, the dbt SSO app, how to sign in, the groups to push (no secret). */
  okta: z
    .object({
      /** Normalised: `https://acme.okta.com` (never the `-admin` host), or a loopback fake in tests. */
      orgUrl: z.string(),
      /** The dbt SSO app, once chosen. */
      appId: z.string().optional(),
      appLabel: z.string().optional(),
      /** Okta's internal app name, for console links. */
      appName: z.string().optional(),
      signIn: z
        .object({
          method: z.enum(['pkce', 'service', 'token']),
          /** The Native app (pkce) or the service app (service); not a secret. */
          clientId: z.string().optional(),
          /** The service app's public key id (`kid`). */
          keyId: z.string().optional(),
        })
        .optional(),
      /** Okta groups to push, each with the dbt group name it should become. */
      groupPushes: z
        .array(
          z.object({
            oktaGroupId: z.string(),
            oktaGroupName: z.string(),
            targetGroupName: z.string(),
          }),
        )
        .optional(),
      /** When the admin was first shown each console step (System Log and last_used look from there). */
      consoleShownAt: z.record(z.string(), z.string()).optional(),
      /** When Okta first showed each console step done (the wizard's "Verified at"). */
      consoleVerifiedAt: z.record(z.string(), z.string()).optional(),
      /** The admin says dbt already has users and groups (an existing integration: import first). */
      existingIntegration: z.boolean().optional(),
      /** The admin confirmed changing the app username format to Email (before SCIM is on). */
      userNameChangeConfirmedAt: z.string().optional(),
    })
    .optional(),
  /** Console-only checklist items the admin ticked (item id → ISO time), for steps without an API. */
  manual: z.record(z.string(), z.string()).default({}),
  currentStep: z.enum(STEP_IDS),
  steps: z.record(z.enum(STEP_IDS), stepStateSchema),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Profile = z.infer<typeof profileSchema>;
export type StepState = z.infer<typeof stepStateSchema>;

const settingsFileSchema = z.object({
  version: z.literal(1),
  activeProfileId: z.string().nullable(),
  /** The admin accepted storing tokens with the `basic_text` backend. */
  weakSecretBackendAccepted: z.boolean().default(false),
  profiles: z.array(profileSchema),
});
type SettingsFile = z.infer<typeof settingsFileSchema>;

export interface ProfilePatch {
  readonly name?: string;
  readonly idp?: Profile['idp'];
  readonly dbt?: Profile['dbt'];
  /** Merged into the current Entra data (which must exist, or the patch must name cloud and app). */
  readonly entra?: Partial<NonNullable<Profile['entra']>>;
  /** Merged into the current Okta data (which must exist, or the patch must name the org). */
  readonly okta?: Partial<NonNullable<Profile['okta']>>;
  readonly rotation?: Profile['rotation'];
  /** Replaces the license choices (each side given replaces that side; null removes it). */
  readonly license?: {
    readonly okta?: NonNullable<Profile['license']>['okta'] | null;
    readonly entraMaps?: NonNullable<Profile['license']>['entraMaps'] | null;
  };
  readonly currentStep?: StepId;
  /** Ticks (true) or unticks (false) console-only checklist items. */
  readonly manual?: Readonly<Record<string, boolean>>;
}

function mergeOkta(
  current: Profile['okta'],
  patch: Partial<NonNullable<Profile['okta']>>,
): NonNullable<Profile['okta']> {
  const merged: Partial<NonNullable<Profile['okta']>> = { ...current, ...patch };
  if (merged.orgUrl === undefined) {
    throw new WizardError('bad_input', 'Okta is not set up in this profile yet.', {
      remediation: 'Connect to your Okta org first.',
    });
  }
  return Object.fromEntries(
    Object.entries(merged as Record<string, unknown>).filter(([, v]) => v !== undefined),
  ) as NonNullable<Profile['okta']>;
}

function mergeLicense(
  current: Profile['license'],
  patch: NonNullable<ProfilePatch['license']>,
): Profile['license'] {
  // A side given replaces it; null removes it; absent keeps it.
  const okta = patch.okta === null ? undefined : (patch.okta ?? current?.okta);
  const entraMaps = patch.entraMaps === null ? undefined : (patch.entraMaps ?? current?.entraMaps);
  return { ...(okta ? { okta } : {}), ...(entraMaps ? { entraMaps } : {}) };
}

function initialSteps(): Profile['steps'] {
  return Object.fromEntries(
    STEP_IDS.map((id) => [id, { status: 'not_started' as const }]),
  ) as Profile['steps'];
}

function applyTicks(
  current: Readonly<Record<string, string>>,
  ticks: Readonly<Record<string, boolean>>,
  at: Date,
): Record<string, string> {
  const untick = new Set(
    Object.entries(ticks)
      .filter(([, done]) => !done)
      .map(([item]) => item),
  );
  const out: Record<string, string> = Object.fromEntries(
    Object.entries(current).filter(([item]) => !untick.has(item)),
  );
  for (const [item, done] of Object.entries(ticks)) {
    if (done) {
      out[item] ??= at.toISOString();
    }
  }
  return out;
}

function mergeEntra(
  current: Profile['entra'],
  patch: Partial<NonNullable<Profile['entra']>>,
): NonNullable<Profile['entra']> {
  const merged: Partial<NonNullable<Profile['entra']>> = { ...current, ...patch };
  if (merged.cloud === undefined || merged.appName === undefined) {
    throw new WizardError('bad_input', 'The Entra ID app is not set up in this profile yet.', {
      remediation: 'Connect to Microsoft Entra ID first (cloud and app name).',
    });
  }
  // Drop keys set to undefined, so that the file stays clean.
  return Object.fromEntries(
    Object.entries(merged as Record<string, unknown>).filter(([, v]) => v !== undefined),
  ) as NonNullable<Profile['entra']>;
}

function notFound(id: string): WizardError {
  return new WizardError('not_found', `There is no profile with id ${id}.`, {
    remediation: 'Choose a profile from the list, or create one.',
  });
}

export class ProfileStore {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly home: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  get path(): string {
    return join(this.home, 'profiles.json');
  }

  private async load(): Promise<SettingsFile> {
    const text = await readTextIfExists(this.path);
    if (text === undefined) {
      return { version: 1, activeProfileId: null, weakSecretBackendAccepted: false, profiles: [] };
    }
    const parsed = settingsFileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new WizardError('invalid_response', `The settings file ${this.path} is damaged.`, {
        remediation:
          'Move it aside and start the app again; profiles will have to be created anew.',
      });
    }
    return parsed.data;
  }

  /** Serialises read-modify-write cycles so that concurrent updates never lose one another. */
  private mutate<T>(fn: (file: SettingsFile) => T): Promise<T> {
    const run = this.queue.then(async () => {
      const file = await this.load();
      const out = fn(file);
      await writeFileAtomic(this.path, JSON.stringify(file, null, 2));
      return out;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  async list(): Promise<{ profiles: Profile[]; activeProfileId: string | null }> {
    const file = await this.load();
    return { profiles: file.profiles, activeProfileId: file.activeProfileId };
  }

  async get(id: string): Promise<Profile> {
    const p = (await this.load()).profiles.find((x) => x.id === id);
    if (!p) {
      throw notFound(id);
    }
    return p;
  }

  create(input: { name: string; idp: Profile['idp'] }): Promise<Profile> {
    return this.mutate((file) => {
      const at = this.now().toISOString();
      const profile: Profile = {
        id: randomUUID(),
        name: input.name.trim(),
        idp: input.idp,
        dbt: {},
        manual: {},
        currentStep: 'prerequisites',
        steps: initialSteps(),
        createdAt: at,
        updatedAt: at,
      };
      file.profiles.push(profile);
      file.activeProfileId = profile.id;
      return profile;
    });
  }

  update(id: string, patch: ProfilePatch): Promise<Profile> {
    return this.mutate((file) => {
      const i = file.profiles.findIndex((x) => x.id === id);
      const current = file.profiles[i];
      if (!current) {
        throw notFound(id);
      }
      const next: Profile = {
        ...current,
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.idp !== undefined ? { idp: patch.idp } : {}),
        ...(patch.dbt !== undefined ? { dbt: { ...current.dbt, ...patch.dbt } } : {}),
        ...(patch.entra !== undefined ? { entra: mergeEntra(current.entra, patch.entra) } : {}),
        ...(patch.okta !== undefined ? { okta: mergeOkta(current.okta, patch.okta) } : {}),
        ...(patch.rotation !== undefined ? { rotation: patch.rotation } : {}),
        ...(patch.license !== undefined
          ? { license: mergeLicense(current.license, patch.license) }
          : {}),
        ...(patch.currentStep !== undefined ? { currentStep: patch.currentStep } : {}),
        ...(patch.manual !== undefined
          ? { manual: applyTicks(current.manual, patch.manual, this.now()) }
          : {}),
        updatedAt: this.now().toISOString(),
      };
      // Never write what the file could not be read back as (one bad value would lock every profile).
      const checked = profileSchema.safeParse(next);
      if (!checked.success) {
        const where = checked.error.issues[0]?.path.join('.') ?? 'profile';
        throw new WizardError(
          'bad_input',
          `The profile change was refused: ${where} is not valid.`,
          {
            remediation: 'Correct the value and save again.',
          },
        );
      }
      file.profiles[i] = next;
      return next;
    });
  }

  setStepStatus(id: string, step: StepId, status: StepStatus, summary?: string): Promise<Profile> {
    return this.mutate((file) => {
      const p = file.profiles.find((x) => x.id === id);
      if (!p) {
        throw notFound(id);
      }
      const at = this.now().toISOString();
      p.steps[step] = { status, updatedAt: at, ...(summary !== undefined ? { summary } : {}) };
      p.updatedAt = at;
      return p;
    });
  }

  select(id: string): Promise<void> {
    return this.mutate((file) => {
      if (!file.profiles.some((x) => x.id === id)) {
        throw notFound(id);
      }
      file.activeProfileId = id;
    });
  }

  delete(id: string): Promise<void> {
    return this.mutate((file) => {
      if (!file.profiles.some((x) => x.id === id)) {
        throw notFound(id);
      }
      file.profiles = file.profiles.filter((x) => x.id !== id);
      if (file.activeProfileId === id) {
        file.activeProfileId = file.profiles[0]?.id ?? null;
      }
    });
  }

  async weakSecretBackendAccepted(): Promise<boolean> {
    return (await this.load()).weakSecretBackendAccepted;
  }

  setWeakSecretBackendAccepted(accepted: boolean): Promise<void> {
    return this.mutate((file) => {
      file.weakSecretBackendAccepted = accepted;
    });
  }
}
