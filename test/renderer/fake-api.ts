/**
 * An in-memory `WindowApi` for the renderer tests: profiles kept in a list, every call recorded,
 * any method can be told to fail, and engine events can be pushed to subscribers.
 */
import { buildApi, type WindowApi } from '../../electron/ipc/api.js';
import type { Channel } from '../../electron/ipc/channels.js';
import type {
  EngineEventDto,
  Input,
  OktaAppDto,
  OktaConsoleItemDto,
  OktaRunDto,
  OktaSignInStateDto,
  Output,
  ProfileDto,
  RunResultDto,
  SecretMetaDto,
  SecretStatusDto,
} from '../../electron/ipc/contract.js';

type StepId = ProfileDto['currentStep'];
type StepStatus = ProfileDto['steps'][StepId]['status'];

type Handler<C extends Channel> = (input: Input<C>) => Output<C>;
type Handlers = { [C in Channel]?: Handler<C> };

const STEPS: readonly StepId[] = ['prerequisites', 'dbt', 'idp', 'license', 'test', 'rotation'];

export function makeProfile(
  over: Partial<Omit<ProfileDto, 'steps'>> & { steps?: Partial<Record<StepId, StepStatus>> } = {},
): ProfileDto {
  const { steps: statuses = {}, ...rest } = over;
  const steps = Object.fromEntries(
    STEPS.map((s) => [s, { status: statuses[s] ?? 'not_started' }]),
  ) as ProfileDto['steps'];
  return {
    id: 'p1',
    name: 'Acme Analytics',
    idp: 'okta',
    dbt: {},
    manual: {},
    currentStep: 'prerequisites',
    createdAt: '2026-11-29T10:00:00.000Z',
    updatedAt: '2026-11-29T10:00:00.000Z',
    ...rest,
    steps,
  };
}

/** The Okta sign-in guide the fake engine answers (the registration of the wizard's Native app). */
export const OKTA_REGISTRATION: OktaSignInStateDto['registration'] = {
  redirectUri: 'http://127.0.0.1:53682/callback',
  steps: [
    {
      title: 'Create a Native app',
      detail:
        'In the Okta Admin Console, open Applications › Applications and choose “Create App Integration”, then “OIDC - OpenID Connect” and “Native Application”.',
    },
    {
      title: 'Grant the Okta API scopes',
      detail: 'On the app’s “Okta API Scopes” tab, choose “Grant” next to each scope below.',
    },
  ],
  scopes: [
    { scope: 'okta.apps.manage', why: 'read the dbt app, assign the test user, push groups' },
    { scope: 'okta.schemas.manage', why: 'add the licenseType attribute to the app user profile' },
    { scope: 'okta.groups.manage', why: 'create the group push mappings' },
    { scope: 'okta.users.read', why: 'match dbt users to Okta people, find the test user' },
    { scope: 'okta.logs.read', why: "read the System Log for the app's provisioning errors" },
    { scope: 'okta.roles.read', why: 'check that your admin role can do all of this' },
  ],
};

export const OKTA_ALL_SCOPES = OKTA_REGISTRATION.scopes.map((s) => s.scope);

export function oktaSignedOut(): OktaSignInStateDto {
  return {
    signedIn: false,
    method: null,
    grantedScopes: [],
    missingScopes: [],
    roleVerdict: 'unknown',
    roles: [],
    roleMessage: '',
    warnings: [],
    registration: OKTA_REGISTRATION,
  };
}

export function oktaSignedIn(over: Partial<OktaSignInStateDto> = {}): OktaSignInStateDto {
  return {
    signedIn: true,
    method: 'pkce',
    subject: 'admin@acme.com',
    expiresAt: '2026-11-29T11:42:00.000Z',
    grantedScopes: OKTA_ALL_SCOPES,
    missingScopes: [],
    roleVerdict: 'ok',
    roles: ['SUPER_ADMIN'],
    roleMessage: 'Super Administrator: enough for every step.',
    warnings: [],
    registration: OKTA_REGISTRATION,
    ...over,
  };
}

export function oktaApp(over: Partial<OktaAppDto> = {}): OktaAppDto {
  return {
    id: '0oa1dbtsaml',
    label: 'dbt Cloud',
    name: 'acme_dbtcloud_1',
    signOnMode: 'SAML_2_0',
    status: 'ACTIVE',
    features: [],
    userNameFormat: 'email',
    userNameTemplate: '${source.email}',
    ...over,
  };
}

export function oktaConsoleItem(over: Partial<OktaConsoleItemDto> = {}): OktaConsoleItemDto {
  return {
    id: 'okta.console.scim',
    title: 'Turn on SCIM provisioning',
    status: 'pending',
    message: 'Okta does not show SCIM provisioning on the app yet.',
    at: '2026-11-29T10:42:00.000Z',
    link: null,
    instructions: [],
    values: [],
    needsToken: false,
    optional: false,
    ...over,
  };
}

export function oktaRun(over: Partial<OktaRunDto> = {}): OktaRunDto {
  return { phase: 'planned', changes: [], checks: [], runs: [], console: [], ...over };
}

/** What the fake Okta org holds; tests change it between calls. */
export interface FakeOkta {
  account: OktaSignInStateDto;
  apps: OktaAppDto[];
  consoleItems: OktaConsoleItemDto[];
  /** How long after a console read the next may be asked for. */
  consoleEveryMs: number;
  /** The dbt SCIM token the main process would copy; never part of any answer. */
  scimToken: string;
  oktaGroups: Output<'okta:groups'>['okta'];
  dbtGroups: Output<'okta:groups'>['dbt'];
  mappings: Output<'okta:groups'>['mappings'];
  plan: OktaRunDto;
  applied: OktaRunDto;
  verified: OktaRunDto;
  existing: Output<'okta:existing'>;
  test: RunResultDto;
}

function fakeOkta(): FakeOkta {
  return {
    account: oktaSignedOut(),
    apps: [oktaApp()],
    consoleItems: [oktaConsoleItem()],
    consoleEveryMs: 5000,
    scimToken: 'dbtc-scim-secret-token-WXYZ',
    oktaGroups: [],
    dbtGroups: [],
    mappings: [],
    plan: oktaRun(),
    applied: oktaRun({ phase: 'applied' }),
    verified: oktaRun({ phase: 'verified' }),
    existing: { dbtUsers: 0, checked: 0, unmatched: [], appUsers: 0, appGroups: 0, checks: [] },
    test: {
      runId: 'run-okta-test',
      kind: 'okta.test-user',
      phase: 'verified',
      changes: [],
      checks: [],
      resumed: false,
    },
  };
}

/** A `rotation:run` answer (pending at "created" unless told otherwise). */
export function rotationRun(over: Partial<Output<'rotation:run'>> = {}): Output<'rotation:run'> {
  return { phase: 'applied', outcome: 'pending', checks: [], instructions: [], ...over };
}

/** What the fake rotation service holds; tests change it between calls. */
export interface FakeRotation {
  state: Output<'rotation:state'>;
  /** The answers of `rotation:run`, in order; the last one repeats. */
  runs: Output<'rotation:run'>[];
  /** The new token the main process would copy; never part of any answer. */
  newToken: string;
}

/** No token in use known yet, so no rotation scheduled (`rotation:state`'s `due`). */
export function rotationDueUnknown(): Output<'rotation:state'>['due'] {
  return {
    intervalDays: 90,
    since: null,
    dueAt: null,
    state: 'unknown',
    daysLeft: null,
    message: 'No SCIM token in use is known yet, so no rotation is scheduled.',
  };
}

function fakeRotation(): FakeRotation {
  return {
    state: { inProgress: null, history: [], due: rotationDueUnknown() },
    runs: [rotationRun({ outcome: 'done', phase: 'verified' })],
    newToken: 'dbtc-scim-next-token-NEW9',
  };
}

/** A license run answer (`license:plan|apply|verify`). */
export function licenseRun(over: Partial<Output<'license:plan'>> = {}): Output<'license:plan'> {
  return { phase: 'planned', changes: [], checks: [], ...over };
}

/** What the fake license service holds; tests change it between calls. */
export interface FakeLicense {
  state: Output<'license:state'>;
  /** `license:plan` by part: the rules (maps, group mapping) or Okta's toggle (`toggle: true`). */
  plans: { rules: Output<'license:plan'>; toggle: Output<'license:plan'> };
  /** `license:apply` by part, when the ids are the plan's (else the plan comes back, unapplied). */
  applied: { rules: Output<'license:apply'>; toggle: Output<'license:apply'> };
  verified: Output<'license:verify'>;
}

function fakeLicense(): FakeLicense {
  return {
    state: {
      accountPlan: 'enterprise',
      planKnown: true,
      offered: ['it', 'analyst', 'developer', 'read_only'],
      notOffered: {},
      scimControlledLicenseType: false,
      testUserName: null,
    },
    plans: { rules: licenseRun(), toggle: licenseRun() },
    applied: {
      rules: licenseRun({ phase: 'verified' }),
      toggle: licenseRun({ phase: 'verified' }),
    },
    verified: licenseRun({ phase: 'verified' }),
  };
}

/** What the fake status service holds: the saved result, and what a full check finds. */
export interface FakeStatus {
  /** The last saved result (`status:get` without refresh); null: never checked. */
  saved: Output<'status:get'>;
  /** What the next full check finds; it is then saved. */
  fresh: Output<'status:get'>;
}

export interface Call {
  readonly method: string;
  readonly input: unknown;
}

export interface FakeApiOptions {
  profiles?: ProfileDto[];
  activeProfileId?: string | null;
  secretStatus?: Partial<SecretStatusDto>;
  interrupted?: Output<'wizard:interrupted'>;
}

export class FakeApi {
  readonly calls: Call[] = [];
  profiles: ProfileDto[];
  activeProfileId: string | null;
  secretStatus: SecretStatusDto;
  interrupted: Output<'wizard:interrupted'>;
  secrets = new Map<string, SecretMetaDto[]>();
  /** The fake Okta org behind the `okta:*` channels. */
  okta: FakeOkta = fakeOkta();
  /** What `report:save` answers (the admin chose a file, or cancelled). */
  reportSaved: Output<'report:save'> = {
    saved: true,
    path: '/home/ada/Documents/dbt-scim-report-acme-2026-11-29.pdf',
  };
  /** The fake rotation behind the `rotation:*` channels. */
  rotation: FakeRotation = fakeRotation();
  /** The fake status service behind `status:get`. */
  status: FakeStatus = { saved: null, fresh: null };
  /** The fake license service behind the `license:*` channels. */
  license: FakeLicense = fakeLicense();
  private readonly failures = new Map<string, { code: string; message: string }>();
  private readonly listeners = new Set<(event: EngineEventDto) => void>();
  private nextId = 1;

  constructor(options: FakeApiOptions = {}) {
    this.profiles = options.profiles ?? [];
    this.activeProfileId =
      options.activeProfileId !== undefined
        ? options.activeProfileId
        : (this.profiles[0]?.id ?? null);
    this.secretStatus = {
      persistent: true,
      backend: 'gnome_libsecret',
      weakBackend: false,
      weakBackendAccepted: false,
      ...options.secretStatus,
    };
    this.interrupted = options.interrupted ?? [];
  }

  /** Makes `method` ("profiles.list") answer `ok:false` with this error until `succeed` is called. */
  fail(method: string, error: { code: string; message: string }): void {
    this.failures.set(method, error);
  }

  succeed(method: string): void {
    this.failures.delete(method);
  }

  callsTo(method: string): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.input);
  }

  /** Pushes an engine event to every subscriber. */
  emit(event: EngineEventDto): void {
    for (const l of this.listeners) {
      l(event);
    }
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  private profile(id: string): ProfileDto {
    const p = this.profiles.find((x) => x.id === id);
    if (!p) {
      throw new Error(`No profile ${id}.`);
    }
    return p;
  }

  private replace(next: ProfileDto): ProfileDto {
    this.profiles = this.profiles.map((p) => (p.id === next.id ? next : p));
    return next;
  }

  /** Handlers of the channels the fake serves; tests may add or replace one with `handle`. */
  private readonly handlers: Handlers = {
    'app:info': () => ({
      name: 'dbt SCIM Wizard',
      version: '0.1.0',
      platform: 'linux',
      face: 'bridge',
    }),
    'profiles:list': () => ({
      profiles: structuredClone(this.profiles),
      activeProfileId: this.activeProfileId,
    }),
    'profiles:create': (input) => {
      const profile = makeProfile({
        id: `new${this.nextId++}`,
        name: input.name.trim(),
        idp: input.idp,
      });
      this.profiles.push(profile);
      this.activeProfileId = profile.id;
      return structuredClone(profile);
    },
    'profiles:update': (input) => {
      const p = this.profile(input.id);
      return structuredClone(
        this.replace({
          ...p,
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          ...(input.idp !== undefined ? { idp: input.idp } : {}),
        }),
      );
    },
    'profiles:select': (input) => {
      this.profile(input.id);
      this.activeProfileId = input.id;
      return null;
    },
    'profiles:delete': (input) => {
      this.profile(input.id);
      this.profiles = this.profiles.filter((p) => p.id !== input.id);
      if (this.activeProfileId === input.id) {
        this.activeProfileId = this.profiles[0]?.id ?? null;
      }
      this.secrets.delete(input.id);
      return null;
    },
    'wizard:goto': (input) =>
      structuredClone(this.replace({ ...this.profile(input.profileId), currentStep: input.step })),
    'wizard:interrupted': (input) => {
      this.profile(input.profileId);
      return structuredClone(this.interrupted);
    },
    'secrets:status': () => ({ ...this.secretStatus }),
    'secrets:acceptWeakBackend': (input) => {
      this.secretStatus = {
        ...this.secretStatus,
        weakBackendAccepted: input.accepted,
        persistent: !this.secretStatus.weakBackend || input.accepted,
      };
      return { ...this.secretStatus };
    },
    'secrets:list': (input) => [...(this.secrets.get(input.profileId) ?? [])],
    'secrets:set': (input) => {
      this.profile(input.profileId);
      const meta: SecretMetaDto = {
        name: input.name,
        last4: input.value.slice(-4),
        createdAt: '2026-11-29T10:00:00.000Z',
      };
      const list = (this.secrets.get(input.profileId) ?? []).filter((m) => m.name !== input.name);
      this.secrets.set(input.profileId, [...list, meta]);
      return meta;
    },
    'secrets:delete': (input) => {
      const list = this.secrets.get(input.profileId) ?? [];
      this.secrets.set(
        input.profileId,
        list.filter((m) => m.name !== input.name),
      );
      return null;
    },
    'shell:openExternal': () => null,
    'okta:connect': (input) => {
      const p = this.profile(input.profileId);
      const typed = input.orgUrl.trim().replace(/\/+$/, '');
      const orgUrl = typed.replace(/-admin\.okta\.com$/i, '.okta.com');
      const warnings =
        orgUrl !== typed
          ? [`${typed} is the Admin Console address; the wizard uses ${orgUrl}.`]
          : [];
      const next = this.replace({
        ...p,
        okta: {
          ...p.okta,
          orgUrl,
          ...(input.signInMethod
            ? {
                signIn: {
                  method: input.signInMethod,
                  ...(input.clientId ? { clientId: input.clientId } : {}),
                  ...(input.keyId ? { keyId: input.keyId } : {}),
                },
              }
            : {}),
          ...(input.existingIntegration !== undefined
            ? { existingIntegration: input.existingIntegration }
            : {}),
        },
      });
      return { profile: structuredClone(next), warnings };
    },
    'okta:signIn': () => {
      this.okta.account = oktaSignedIn({ method: 'pkce' });
      return structuredClone(this.okta.account);
    },
    'okta:useServiceKey': (input) => {
      const clientId = this.profile(input.profileId).okta?.signIn?.clientId ?? 'service';
      this.okta.account = oktaSignedIn({ method: 'service', subject: clientId, roles: [] });
      return structuredClone(this.okta.account);
    },
    'okta:useToken': () => {
      this.okta.account = oktaSignedIn({
        method: 'token',
        grantedScopes: [],
        warnings: ['Revoke the API token in Security › API › Tokens when you are done.'],
      });
      return structuredClone(this.okta.account);
    },
    'okta:signOut': () => {
      this.okta.account = oktaSignedOut();
      return null;
    },
    'okta:account': () => structuredClone(this.okta.account),
    'okta:findApps': (input) => {
      const q = (input.query ?? '').trim().toLowerCase();
      const appId = this.profile(input.profileId).okta?.appId;
      return {
        apps: structuredClone(this.okta.apps.filter((a) => a.label.toLowerCase().startsWith(q))),
        ...(appId ? { chosenId: appId } : {}),
      };
    },
    'okta:chooseApp': (input) => {
      const p = this.profile(input.profileId);
      const app = this.okta.apps.find((a) => a.id === input.appId);
      if (!p.okta || !app) {
        throw new Error(`No Okta app ${input.appId}.`);
      }
      return structuredClone(
        this.replace({
          ...p,
          okta: { ...p.okta, appId: app.id, appLabel: app.label, appName: app.name },
        }),
      );
    },
    'okta:confirmUserNameChange': (input) => {
      const p = this.profile(input.profileId);
      if (!p.okta) {
        throw new Error('Okta is not set up.');
      }
      const okta = { ...p.okta };
      if (input.confirm) {
        okta.userNameChangeConfirmedAt = new Date().toISOString();
      } else {
        delete okta.userNameChangeConfirmedAt;
      }
      return structuredClone(this.replace({ ...p, okta }));
    },
    'okta:plan': () => structuredClone(this.okta.plan),
    'okta:apply': () => structuredClone(this.okta.applied),
    'okta:verify': () => structuredClone(this.okta.verified),
    'okta:console': (input) => {
      const p = this.profile(input.profileId);
      if (input.shown !== undefined && p.okta) {
        this.replace({
          ...p,
          okta: {
            ...p.okta,
            consoleShownAt: { ...p.okta.consoleShownAt, [input.shown]: new Date().toISOString() },
          },
        });
      }
      return {
        items: structuredClone(this.okta.consoleItems),
        nextCheckAt: new Date(Date.now() + this.okta.consoleEveryMs).toISOString(),
      };
    },
    'okta:copyScimToken': () => ({
      // The main process writes the token to the clipboard; only its last four come back.
      last4: this.okta.scimToken.slice(-4),
      clearsAt: new Date(Date.now() + 60_000).toISOString(),
    }),
    'okta:groups': (input) => {
      const q = (input.query ?? '').trim().toLowerCase();
      const dbt = this.okta.dbtGroups;
      const picks = (this.profile(input.profileId).okta?.groupPushes ?? []).map((pick) => {
        const exact = dbt?.find((g) => g.name === pick.targetGroupName);
        const folded = dbt?.find(
          (g) => g.name.toLowerCase() === pick.targetGroupName.toLowerCase(),
        );
        const found = exact ?? folded;
        return {
          ...pick,
          alignment: exact ? ('match' as const) : folded ? ('case' as const) : ('new' as const),
          ...(found ? { dbtName: found.name } : {}),
        };
      });
      return {
        okta: structuredClone(
          this.okta.oktaGroups.filter((g) => g.name.toLowerCase().startsWith(q)),
        ),
        dbt: structuredClone(dbt),
        picks,
        mappings: structuredClone(this.okta.mappings),
      };
    },
    'okta:pickGroups': (input) => {
      const p = this.profile(input.profileId);
      if (!p.okta) {
        throw new Error('Okta is not set up.');
      }
      return structuredClone(
        this.replace({ ...p, okta: { ...p.okta, groupPushes: structuredClone(input.picks) } }),
      );
    },
    'okta:existing': () => structuredClone(this.okta.existing),
    'okta:testUser': () => structuredClone(this.okta.test),
    'rotation:state': (input) => {
      this.profile(input.profileId);
      return structuredClone(this.rotation.state);
    },
    'rotation:run': (input) => {
      this.profile(input.profileId);
      const next =
        this.rotation.runs.length > 1 ? this.rotation.runs.shift() : this.rotation.runs[0];
      if (!next) {
        throw new Error('No rotation answer.');
      }
      return structuredClone(next);
    },
    'rotation:copyNewToken': () => ({
      // The main process writes the new token to the clipboard; only its last four come back.
      last4: this.rotation.newToken.slice(-4),
      clearsAt: new Date(Date.now() + 60_000).toISOString(),
    }),
    'rotation:setPolicy': (input) => {
      const p = this.profile(input.profileId);
      return structuredClone(
        this.replace({ ...p, rotation: { intervalDays: input.intervalDays } }),
      );
    },
    'report:build': (input) => {
      this.profile(input.profileId);
      return { markdown: '# dbt SCIM provisioning: setup report\n', fileName: 'report.md' };
    },
    'report:save': (input) => {
      this.profile(input.profileId);
      return structuredClone(this.reportSaved);
    },
    'status:get': (input) => {
      this.profile(input.profileId);
      if (input.refresh) {
        this.status.saved = structuredClone(this.status.fresh);
      }
      return structuredClone(this.status.saved);
    },
    'license:state': (input) => {
      this.profile(input.profileId);
      return structuredClone(this.license.state);
    },
    'license:setRules': (input) => {
      const p = this.profile(input.profileId);
      const license: NonNullable<ProfileDto['license']> = { ...p.license };
      if (input.okta !== undefined) {
        if (input.okta === null) {
          delete license.okta;
        } else {
          license.okta = structuredClone(input.okta);
        }
      }
      if (input.entraMaps !== undefined) {
        if (input.entraMaps === null) {
          delete license.entraMaps;
        } else {
          license.entraMaps = structuredClone(input.entraMaps);
        }
      }
      return structuredClone(this.replace({ ...p, license }));
    },
    'license:plan': (input) => {
      this.profile(input.profileId);
      return structuredClone(this.license.plans[input.toggle ? 'toggle' : 'rules']);
    },
    'license:apply': (input) => {
      this.profile(input.profileId);
      const part = input.toggle ? 'toggle' : 'rules';
      const ids = this.license.plans[part].changes.map((c) => c.id);
      const expected = input.expectedChangeIds ?? [];
      if (ids.length !== expected.length || !ids.every((id) => expected.includes(id))) {
        return structuredClone({ ...this.license.plans[part], phase: 'planned' as const });
      }
      return structuredClone(this.license.applied[part]);
    },
    'license:verify': (input) => {
      this.profile(input.profileId);
      return structuredClone(this.license.verified);
    },
  };

  /** Serves `channel` with `handler` (for channels the fake does not know, or to override one). */
  handle<C extends Channel>(channel: C, handler: Handler<C>): void {
    (this.handlers as Record<string, unknown>)[channel] = handler;
  }

  /**
   * The `window.api` object, built by the same `buildApi` as the preload and the bridge, so it has
   * every method of the contract. A channel without a handler answers `not_implemented`.
   */
  readonly api: WindowApi = buildApi({
    invoke: (channel, input) => {
      const method = channel.replace(':', '.');
      this.calls.push({ method, input });
      const failure = this.failures.get(method);
      if (failure) {
        return Promise.resolve({ ok: false, error: failure });
      }
      const handler = this.handlers[channel] as ((input: unknown) => unknown) | undefined;
      if (!handler) {
        return Promise.resolve({
          ok: false,
          error: { code: 'not_implemented', message: `The fake api does not serve ${channel}.` },
        });
      }
      try {
        return Promise.resolve({ ok: true, value: handler(input) });
      } catch (e) {
        return Promise.resolve({
          ok: false,
          error: { code: 'not_found', message: e instanceof Error ? e.message : String(e) },
        });
      }
    },
    subscribe: (_channel, listener) => {
      const typed = listener as (event: EngineEventDto) => void;
      this.listeners.add(typed);
      return () => {
        this.listeners.delete(typed);
      };
    },
  });
}
