/**
 * The Okta side as services: connecting a profile to an Okta org, choosing the dbt SSO app, the
 * console steps' live checks (polled politely), and plan / apply / verify of the Okta steps
 * through the engine, for the wizard (per profile: app and picks in the profile, the dbt SCIM URL
 * and token from the dbt step, the Okta credentials from the sign-in) and for the CLI (flags and
 * environment; the app's ids folded from its journal).
 */
import { createHash } from 'node:crypto';
import { WizardError, badInput, errorInfo, isAbortError } from '../core/errors.js';
import type { RunResult } from '../core/engine.js';
import type { Change, Check, ErrorInfo, RunPhase } from '../core/model.js';
import type { ClipboardPort, JournalStore, Logger } from '../core/ports.js';
import type { Profile, ProfileStore } from '../core/store/profiles.js';
import { lastFour } from '../core/redact.js';
import type { DbtAdminPort, ScimProbePort } from '../core/dbt/ports.js';
import {
  OKTA_FEATURES,
  type LicenseType,
  type OktaApp,
  type OktaPort,
} from '../core/okta/ports.js';
import { cleanOktaAppRef, cleanOktaOrgUrl, userNameFormat } from '../core/okta/inputs.js';
import { checkConsole, type OktaConsoleItem } from '../core/okta/console.js';
import { alignGroupName } from '../core/okta/groups.js';
import { matchDbtUsers } from '../core/okta/existing.js';
import {
  createOktaSteps,
  OKTA_STEP_KINDS,
  type OktaSaved,
  type OktaStateStore,
  type OktaTiming,
} from '../core/okta/steps.js';
import { createOktaPort, type OktaAuth } from '../adapters/okta/client.js';
import { createDbtAdmin } from '../adapters/dbt/admin.js';
import { createScimProbe } from '../adapters/dbt/scim-probe.js';
import { SECRET_DBT_API, SECRET_DBT_SCIM } from './dbt.js';
import { journalFoldedStore, runSequence, type StepServiceDeps } from './sequence.js';

type AppRef = ReturnType<typeof cleanOktaAppRef>;

/** How long a copied SCIM token may stay on the clipboard. */
export const CLIPBOARD_CLEAR_MS = 60_000;
/** The console checks are read at most this often per profile (Okta's rate limits are shared). */
export const CONSOLE_POLL_MS = 5_000;

export interface GroupPushPick {
  readonly oktaGroupId: string;
  readonly oktaGroupName: string;
  readonly targetGroupName: string;
}

/** Everything one run of the Okta steps needs. */
export interface OktaTarget {
  readonly orgUrl: string;
  readonly adminUrl: string;
  readonly auth: OktaAuth;
  readonly appRef?: AppRef;
  readonly dbt?: { readonly scimUrl: string; readonly token?: string };
  /** The dbt Admin API, when connected: the token's last use and the dbt groups. */
  readonly dbtAdmin?: DbtAdminPort;
  /** The dbt id of the SCIM token Okta should hold; without it, the most recent use of any. */
  readonly scimTokenId?: number;
  readonly store: OktaStateStore;
  readonly journalId: string;
  readonly userNameChange?: 'confirmed';
  readonly consoleShownAt?: Readonly<Record<string, string>>;
  readonly consoleVerifiedAt?: Readonly<Record<string, string>>;
  readonly existingIntegration?: boolean;
  readonly groupPushes?: readonly GroupPushPick[];
  readonly testUser?: { readonly login: string; readonly licenseType: LicenseType };
}

export type OktaMode = 'plan' | 'apply' | 'verify';

export interface OktaRunResult {
  readonly phase: RunPhase;
  readonly changes: Change[];
  readonly checks: Check[];
  readonly error?: ErrorInfo;
  readonly runs: RunResult[];
  readonly console: OktaConsoleItem[];
  readonly saved: OktaSaved;
}

export interface OktaRunOptions {
  readonly expectedChangeIds?: readonly string[];
  readonly confirm?: (changes: readonly Change[]) => Promise<boolean>;
  readonly signal?: AbortSignal;
}

/** Where the Okta credentials of a profile come from (the sign-in service). */
export type OktaAuthProvider = (
  profileId: string,
) => OktaAuth | undefined | Promise<OktaAuth | undefined>;

export interface OktaServiceDeps extends StepServiceDeps {
  readonly log: Logger;
  readonly auth: OktaAuthProvider;
  readonly clipboard?: ClipboardPort;
  /** Overrides the Okta adapter (tests). */
  readonly port?: (orgUrl: string, auth: OktaAuth) => OktaPort;
  readonly probe?: ScimProbePort;
  readonly timing?: Partial<OktaTiming>;
}

const SAVED_KEYS = ['appId', 'appLabel', 'appName'] as const;

function pickSaved(source: Readonly<Record<string, unknown>> | undefined): OktaSaved {
  const out: Record<string, string> = {};
  for (const key of SAVED_KEYS) {
    const v = source?.[key];
    if (typeof v === 'string' && v !== '') {
      out[key] = v;
    }
  }
  return out;
}

/** The journal id of a headless run on one org and app reference (no profile needed). */
export function oktaCliJournalId(orgUrl: string, appRef: string): string {
  const hash = createHash('sha256').update(`${orgUrl}\n${appRef}`).digest('hex').slice(0, 16);
  return `cli-okta-${hash}`;
}

/** The CLI's memory: the app's ids folded from the journal of earlier runs. */
export function oktaJournalStateStore(journal: JournalStore, journalId: string): OktaStateStore {
  return journalFoldedStore(journal, journalId, 'okta.', pickSaved);
}

/**
 * The CLI's console times, from its journal: each step counts as shown at the first \`okta\` run for
 * this org and app, and as verified at the first run that saw it pass. The connector check (the
 * dbt token's last use after the step was shown) restarts after a test-user run while it has not
 * passed yet: that run read dbt with the same token, which must not count as Okta's call.
 */
export async function cliConsoleTimes(
  journal: JournalStore,
  journalId: string,
  ids: readonly string[],
  now: Date,
): Promise<{ shownAt: Record<string, string>; verifiedAt: Record<string, string> }> {
  const entries = await journal.read(journalId);
  const first = entries[0]?.at ?? now.toISOString();
  const shownAt: Record<string, string> = Object.fromEntries(ids.map((id) => [id, first]));
  const verifiedAt: Record<string, string> = {};
  let selfUse: string | undefined;
  for (const e of entries) {
    for (const c of e.checks ?? []) {
      if (c.status === 'pass' && ids.includes(c.id)) {
        verifiedAt[c.id] ??= c.at;
      }
    }
    if (e.data?.kind === 'okta.test-user' && e.phase === 'applying') {
      selfUse = e.at;
    }
  }
  const connector = 'okta.console.test-connector';
  if (selfUse && !verifiedAt[connector] && selfUse > (shownAt[connector] ?? '')) {
    shownAt[connector] = selfUse;
  }
  return { shownAt, verifiedAt };
}

function profileStateStore(profiles: ProfileStore, profileId: string): OktaStateStore {
  return {
    async load() {
      return pickSaved((await profiles.get(profileId)).okta);
    },
    async save(patch) {
      await profiles.update(profileId, { okta: { ...patch } });
    },
  };
}

function notSignedIn(): WizardError {
  return new WizardError('auth_failed', 'The wizard is not signed in to Okta.', {
    remediation:
      'Sign in to your Okta org (as a Super Administrator or Org Administrator), then try again.',
  });
}

/** The app as the wizard shows it in the chooser. */
const SIGN_ON_MODES: Readonly<Record<string, string>> = {
  SAML_2_0: 'SAML 2.0',
  SAML_1_1: 'SAML 1.1',
  OPENID_CONNECT: 'OpenID Connect',
  WS_FEDERATION: 'WS-Federation',
  BOOKMARK: 'a bookmark',
  AUTO_LOGIN: 'a password (SWA)',
  BROWSER_PLUGIN: 'a password (SWA)',
  SECURE_PASSWORD_STORE: 'a password (SWA)',
  BASIC_AUTH: 'basic authentication',
};

export function describeApp(app: OktaApp) {
  const unsuitable =
    app.signOnMode !== 'SAML_2_0'
      ? `It signs in with ${SIGN_ON_MODES[app.signOnMode] ?? app.signOnMode}, not SAML 2.0: dbt's SSO app is a SAML 2.0 app.`
      : app.status !== 'ACTIVE'
        ? 'It is inactive: Okta provisions only from an active app.'
        : undefined;
  return {
    id: app.id,
    label: app.label,
    name: app.name,
    signOnMode: app.signOnMode,
    status: app.status,
    features: [...app.features],
    userNameFormat: userNameFormat(app.userNameTemplate),
    userNameTemplate: app.userNameTemplate?.template ?? null,
    ...(unsuitable ? { unsuitable } : {}),
  };
}

export function createOktaService(deps: OktaServiceDeps) {
  const { http, clock, engine, profiles, secrets } = deps;
  const probe = deps.probe ?? createScimProbe({ http, now: () => clock.now() });
  const portFor = (orgUrl: string, auth: OktaAuth): OktaPort =>
    deps.port
      ? deps.port(orgUrl, auth)
      : createOktaPort({ http, orgUrl, auth, now: () => clock.now() });

  const lastUsedOf = (target: OktaTarget) => {
    const admin = target.dbtAdmin;
    if (!admin) {
      return undefined;
    }
    return {
      async getLastUsed(): Promise<string | null | undefined> {
        if (target.scimTokenId !== undefined) {
          return (await admin.getScimToken(target.scimTokenId))?.lastUsed;
        }
        const tokens = await admin.listScimTokens();
        if (!tokens) {
          return undefined;
        }
        const used = tokens.flatMap((t) => (t.lastUsed ? [t.lastUsed] : [])).sort();
        return used.at(-1) ?? null;
      },
    };
  };

  function stepsFor(target: OktaTarget, okta: OktaPort) {
    const dbtToken = lastUsedOf(target);
    const admin = target.dbtAdmin;
    return createOktaSteps({
      okta,
      store: target.store,
      adminUrl: target.adminUrl,
      ...(target.appRef ? { appRef: target.appRef } : {}),
      ...(target.dbt ? { dbt: target.dbt } : {}),
      ...(dbtToken ? { dbtToken } : {}),
      ...(admin ? { dbtGroups: () => admin.listGroups() } : {}),
      probe,
      ...(target.userNameChange ? { userNameChange: target.userNameChange } : {}),
      consoleShownAt: { ...target.consoleShownAt },
      consoleVerifiedAt: { ...target.consoleVerifiedAt },
      ...(target.existingIntegration !== undefined
        ? { existingIntegration: target.existingIntegration }
        : {}),
      ...(target.groupPushes ? { groupPushes: target.groupPushes } : {}),
      ...(target.testUser ? { testUser: target.testUser } : {}),
      ...(deps.timing ? { timing: deps.timing } : {}),
    });
  }

  /** The console steps with their live checks (read-only; empty until the app is known). */
  async function consoleOf(
    target: OktaTarget,
    okta: OktaPort,
    signal?: AbortSignal,
  ): Promise<OktaConsoleItem[]> {
    const saved = await target.store.load();
    if (!saved.appId) {
      return [];
    }
    const app = await okta.getApp(saved.appId, signal);
    if (!app) {
      return [];
    }
    const dbtToken = lastUsedOf(target);
    return checkConsole({
      okta,
      app,
      adminUrl: target.adminUrl,
      ...(target.dbt ? { scimUrl: target.dbt.scimUrl } : {}),
      ...(dbtToken ? { dbtToken } : {}),
      shownAt: { ...target.consoleShownAt },
      verifiedAt: { ...target.consoleVerifiedAt },
      ...(target.existingIntegration !== undefined
        ? { existingIntegration: target.existingIntegration }
        : {}),
      now: clock.now(),
      ...(signal ? { signal } : {}),
    });
  }

  /** plan / apply / verify over all the Okta steps, in order, each through the engine. */
  async function runSetup(
    target: OktaTarget,
    mode: OktaMode,
    options: OktaRunOptions = {},
  ): Promise<OktaRunResult> {
    const okta = portFor(target.orgUrl, target.auth);
    const made = stepsFor(target, okta);
    // A test user (the CLI's --test-user) is tested last; the wizard runs it on its own (testUser).
    const steps = made.testUser ? [...made.all, made.testUser] : made.all;
    const signal = options.signal;
    const r = await runSequence(steps, mode, {
      engine,
      journalId: target.journalId,
      ...(options.expectedChangeIds ? { expectedChangeIds: options.expectedChangeIds } : {}),
      ...(options.confirm ? { confirm: options.confirm } : {}),
      ...(signal ? { signal } : {}),
      // Console steps still pending are not a failure of apply: later steps run, verify names them.
      stopApplyOn: 'error',
    });
    let items: OktaConsoleItem[] = [];
    if (r.error?.code !== 'auth_failed') {
      try {
        items = await consoleOf(target, okta, signal);
      } catch (e) {
        if (isAbortError(e)) {
          throw e;
        }
        deps.log.warn('okta console checks failed', { code: errorInfo(e).code });
      }
    }
    return {
      phase: r.phase,
      changes: r.changes,
      checks: r.runs.flatMap((x) => [...x.checks]),
      runs: r.runs,
      console: items,
      saved: await target.store.load(),
      ...(r.error ? { error: r.error } : {}),
    };
  }

  // -------------------------------------------------------------------------------------------
  // The wizard, per profile

  const oktaOf = (profile: Profile): NonNullable<Profile['okta']> => {
    if (!profile.okta) {
      throw badInput(
        'Okta is not connected in this profile yet.',
        'Enter your Okta org URL first.',
      );
    }
    return profile.okta;
  };

  async function dbtAdminOf(profile: Profile): Promise<DbtAdminPort | undefined> {
    const { apiUrl, accountId } = profile.dbt;
    const apiToken = await secrets.get(profile.id, SECRET_DBT_API);
    return apiUrl && accountId && apiToken
      ? createDbtAdmin({ http, apiUrl, accountId, apiToken })
      : undefined;
  }

  async function profileTarget(
    profileId: string,
    extra: { testUser?: { login: string; licenseType: LicenseType } } = {},
  ): Promise<OktaTarget> {
    const profile = await profiles.get(profileId);
    const okta = oktaOf(profile);
    const auth = await deps.auth(profileId);
    if (!auth) {
      throw notSignedIn();
    }
    const org = cleanOktaOrgUrl(okta.orgUrl);
    const scimToken = await secrets.get(profileId, SECRET_DBT_SCIM);
    const dbtAdmin = await dbtAdminOf(profile);
    return {
      orgUrl: org.url,
      adminUrl: org.adminUrl,
      auth,
      store: profileStateStore(profiles, profileId),
      journalId: profileId,
      ...(profile.dbt.scimUrl
        ? { dbt: { scimUrl: profile.dbt.scimUrl, ...(scimToken ? { token: scimToken } : {}) } }
        : {}),
      ...(dbtAdmin ? { dbtAdmin } : {}),
      ...(profile.dbt.scimTokenId !== undefined ? { scimTokenId: profile.dbt.scimTokenId } : {}),
      ...(okta.userNameChangeConfirmedAt ? { userNameChange: 'confirmed' as const } : {}),
      consoleShownAt: okta.consoleShownAt ?? {},
      consoleVerifiedAt: okta.consoleVerifiedAt ?? {},
      ...(okta.existingIntegration !== undefined
        ? { existingIntegration: okta.existingIntegration }
        : {}),
      ...(okta.groupPushes ? { groupPushes: okta.groupPushes } : {}),
      ...(extra.testUser ? { testUser: extra.testUser } : {}),
    };
  }

  /** Keeps the first time each console step was seen done; forgets it when it is undone. */
  async function rememberVerified(profileId: string, items: readonly OktaConsoleItem[]) {
    const profile = await profiles.get(profileId);
    const current = profile.okta?.consoleVerifiedAt ?? {};
    const next: Record<string, string> = {};
    for (const item of items) {
      if (item.status === 'pass') {
        next[item.id] = current[item.id] ?? item.at;
      }
    }
    const same =
      Object.keys(next).length === Object.keys(current).length &&
      Object.entries(next).every(([k, v]) => current[k] === v);
    if (!same) {
      await profiles.update(profileId, { okta: { consoleVerifiedAt: next } });
    }
    return items.map((item) =>
      next[item.id] ? { ...item, verifiedAt: next[item.id] } : { ...item, verifiedAt: undefined },
    );
  }

  /** The rail: IdP from the Okta checks, License from the licenseType checks. */
  async function record(profileId: string, result: OktaRunResult): Promise<void> {
    const license = result.checks.filter((c) => c.id.startsWith('okta.license'));
    const idp = result.checks.filter((c) => !c.id.startsWith('okta.license'));
    const statusOf = (checks: readonly Check[]) =>
      checks.some((c) => c.status === 'fail')
        ? ('failed' as const)
        : checks.some((c) => c.status === 'pending')
          ? ('needs_you' as const)
          : ('verified' as const);
    if (result.error) {
      await profiles.setStepStatus(profileId, 'idp', 'failed', result.error.message);
      return;
    }
    if (idp.length > 0) {
      const s = statusOf(idp);
      const first = idp.find((c) => c.status === 'fail') ?? idp.find((c) => c.status === 'pending');
      await profiles.setStepStatus(
        profileId,
        'idp',
        s,
        s === 'verified' ? 'Okta SCIM provisioning verified' : first?.message,
      );
    }
    if (license.length > 0) {
      const s = statusOf(license);
      const first = license.find((c) => c.status !== 'pass' && c.status !== 'skip');
      await profiles.setStepStatus(
        profileId,
        'license',
        s,
        s === 'verified' ? 'licenseType attribute verified in Okta' : first?.message,
      );
    }
  }

  const pollCache = new Map<string, { at: number; items: OktaConsoleItem[] }>();

  /**
   * The connector test is confirmed by the dbt token's `last_used` moving after the admin saw the
   * step. When the wizard itself used the token (listing dbt users, reading a test user back) while
   * that check is still open, its window restarts now, so our own use never passes it.
   */
  async function restartConnectorWindow(profileId: string): Promise<void> {
    const okta = (await profiles.get(profileId)).okta;
    const id = 'okta.console.test-connector';
    if (okta?.consoleShownAt?.[id] && !okta.consoleVerifiedAt?.[id]) {
      await profiles.update(profileId, {
        okta: { consoleShownAt: { ...okta.consoleShownAt, [id]: clock.now().toISOString() } },
      });
      pollCache.delete(profileId);
    }
  }

  async function copySecret(
    profileId: string,
    secretName: string,
    missing: () => WizardError,
  ): Promise<{ last4: string; clearsAt: string }> {
    const clipboard = deps.clipboard;
    if (!clipboard) {
      throw new WizardError('internal', 'The clipboard is not available here.', {
        remediation: 'Use the desktop app to copy the token.',
      });
    }
    const token = await secrets.get(profileId, secretName);
    if (!token) {
      throw missing();
    }
    await clipboard.writeText(token);
    const clearsAt = new Date(clock.now().getTime() + CLIPBOARD_CLEAR_MS);
    void clock
      .sleep(CLIPBOARD_CLEAR_MS)
      .then(async () => {
        if ((await clipboard.readText()) === token) {
          await clipboard.writeText('');
        }
      })
      .catch((e: unknown) => {
        deps.log.warn('could not clear the clipboard', { code: errorInfo(e).code });
      });
    return { last4: lastFour(token), clearsAt: clearsAt.toISOString() };
  }

  return {
    runSetup,
    describeApp,
    consoleOf,
    journalStateStore: (journalId: string) => oktaJournalStateStore(deps.journal, journalId),
    port: portFor,

    /** Validates and saves the org and the sign-in settings; another org forgets the app. */
    async connect(input: {
      profileId: string;
      orgUrl: string;
      signInMethod?: 'pkce' | 'service' | 'token';
      clientId?: string;
      keyId?: string;
      existingIntegration?: boolean;
    }) {
      const profile = await profiles.get(input.profileId);
      const org = cleanOktaOrgUrl(input.orgUrl);
      const sameOrg = profile.okta?.orgUrl === org.url;
      const method = input.signInMethod ?? profile.okta?.signIn?.method ?? 'pkce';
      const clientId =
        (input.clientId?.trim() ? input.clientId.trim() : undefined) ??
        (sameOrg ? profile.okta?.signIn?.clientId : undefined);
      if (clientId !== undefined && !/^[A-Za-z0-9_-]{6,128}$/.test(clientId)) {
        throw badInput(
          'That does not look like an Okta client ID.',
          'Copy the "Client ID" from the app\'s "General" tab in the Okta admin console (it starts with 0oa).',
        );
      }
      const keyId =
        (input.keyId?.trim() ? input.keyId.trim() : undefined) ??
        (sameOrg ? profile.okta?.signIn?.keyId : undefined);
      const base = sameOrg ? profile.okta : undefined;
      const updated = await profiles.update(profile.id, {
        idp: 'okta',
        okta: {
          orgUrl: org.url,
          signIn: {
            method,
            ...(clientId ? { clientId } : {}),
            ...(keyId && method === 'service' ? { keyId } : {}),
          },
          appId: base?.appId,
          appLabel: base?.appLabel,
          appName: base?.appName,
          groupPushes: base?.groupPushes,
          consoleShownAt: base?.consoleShownAt,
          consoleVerifiedAt: base?.consoleVerifiedAt,
          userNameChangeConfirmedAt: base?.userNameChangeConfirmedAt,
          existingIntegration: input.existingIntegration ?? base?.existingIntegration,
        },
      });
      pollCache.delete(profile.id);
      return { profile: updated, warnings: [...org.warnings] };
    },

    async findApps(profileId: string, query?: string, signal?: AbortSignal) {
      const target = await profileTarget(profileId);
      const okta = portFor(target.orgUrl, target.auth);
      const apps = await okta.listApps(query ?? '', signal);
      const saved = await target.store.load();
      // SAML apps first, then by label: the dbt SSO app is a SAML 2.0 app.
      const sorted = [...apps].sort(
        (a, b) =>
          Number(b.signOnMode === 'SAML_2_0') - Number(a.signOnMode === 'SAML_2_0') ||
          a.label.localeCompare(b.label),
      );
      return {
        apps: sorted.map(describeApp),
        ...(saved.appId ? { chosenId: saved.appId } : {}),
      };
    },

    async chooseApp(profileId: string, appId: string, signal?: AbortSignal) {
      const target = await profileTarget(profileId);
      const ref = cleanOktaAppRef(appId);
      if (ref.kind !== 'id') {
        throw badInput('Choose the app by its id.', 'Pick one of the apps the wizard listed.');
      }
      const okta = portFor(target.orgUrl, target.auth);
      const app = await okta.getApp(ref.id, signal);
      if (!app) {
        throw new WizardError('not_found', `Okta has no app with id ${ref.id}.`, {
          remediation: 'Search again and pick one of the apps listed.',
        });
      }
      const current = (await profiles.get(profileId)).okta;
      const changed = current?.appId !== app.id;
      pollCache.delete(profileId);
      return profiles.update(profileId, {
        okta: {
          appId: app.id,
          appLabel: app.label,
          appName: app.name,
          ...(changed
            ? {
                consoleShownAt: {},
                consoleVerifiedAt: {},
                userNameChangeConfirmedAt: undefined,
                groupPushes: [],
              }
            : {}),
        },
      });
    },

    async confirmUserNameChange(profileId: string, confirm: boolean) {
      const profile = await profiles.get(profileId);
      oktaOf(profile);
      return profiles.update(profileId, {
        okta: { userNameChangeConfirmedAt: confirm ? clock.now().toISOString() : undefined },
      });
    },

    async run(profileId: string, mode: OktaMode, options: OktaRunOptions = {}) {
      const target = await profileTarget(profileId);
      const result = await runSetup(target, mode, options);
      const items = await rememberVerified(profileId, result.console);
      const out = { ...result, console: items };
      if (mode !== 'plan') {
        await record(profileId, out);
      }
      pollCache.set(profileId, { at: clock.now().getTime(), items });
      return out;
    },

    /**
     * The console steps' live checks, read from Okta at most every 5 s per profile (earlier asks
     * get the last answer). `shown` records when the admin first saw a step.
     */
    async console(profileId: string, shown?: string, signal?: AbortSignal) {
      const profile = await profiles.get(profileId);
      const okta = oktaOf(profile);
      if (shown && !okta.consoleShownAt?.[shown]) {
        // Recorded only: a newly shown step does not earn an early read of Okta (the next read
        // uses the new window; its rate limits are shared with every other tool of the org).
        await profiles.update(profileId, {
          okta: {
            consoleShownAt: { ...okta.consoleShownAt, [shown]: clock.now().toISOString() },
          },
        });
      }
      const now = clock.now().getTime();
      const cached = pollCache.get(profileId);
      if (cached && now - cached.at < CONSOLE_POLL_MS) {
        return {
          items: cached.items,
          nextCheckAt: new Date(cached.at + CONSOLE_POLL_MS).toISOString(),
        };
      }
      try {
        const target = await profileTarget(profileId);
        const raw = await consoleOf(target, portFor(target.orgUrl, target.auth), signal);
        const items = await rememberVerified(profileId, raw);
        pollCache.set(profileId, { at: now, items });
        return { items, nextCheckAt: new Date(now + CONSOLE_POLL_MS).toISOString() };
      } catch (e) {
        if (isAbortError(e)) {
          throw e;
        }
        // A rate limit or a network blip: keep the last answer and say why; try again later.
        const info = errorInfo(e);
        const wait = info.code === 'rate_limited' ? CONSOLE_POLL_MS * 6 : CONSOLE_POLL_MS;
        pollCache.set(profileId, { at: now + wait - CONSOLE_POLL_MS, items: cached?.items ?? [] });
        return {
          items: cached?.items ?? [],
          nextCheckAt: new Date(now + wait).toISOString(),
          error: info,
        };
      }
    },

    /**
     * Puts the dbt SCIM token on the clipboard for Okta's "Bearer" field, from main, so the value
     * never crosses IPC; clears it a minute later if the clipboard still holds it.
     */
    copyScimToken: (profileId: string) =>
      copySecret(profileId, SECRET_DBT_SCIM, () =>
        badInput(
          'No dbt SCIM token is saved in this profile.',
          'Create a SCIM token (or paste the one you keep) in the dbt step first.',
        ),
      ),

    /**
     * Copies a secret of the profile to the clipboard, cleared after a minute if unchanged; only
     * its last four characters and the clearing time come back. `missing` is the error when the
     * secret is not saved.
     */
    copySecret,

    async groups(profileId: string, query?: string, signal?: AbortSignal) {
      const profile = await profiles.get(profileId);
      const target = await profileTarget(profileId);
      const okta = portFor(target.orgUrl, target.auth);
      const saved = await target.store.load();
      const [oktaGroups, dbtGroups, mappings] = await Promise.all([
        okta.listGroups(query ?? '', signal),
        target.dbtAdmin ? target.dbtAdmin.listGroups(signal) : Promise.resolve(null),
        saved.appId
          ? okta.listGroupPushMappings(saved.appId, signal).catch((e: unknown) => {
              if (isAbortError(e)) {
                throw e;
              }
              return [];
            })
          : Promise.resolve([]),
      ]);
      const picks = (profile.okta?.groupPushes ?? []).map((p) => {
        const a = dbtGroups
          ? alignGroupName(p.targetGroupName, dbtGroups)
          : { alignment: 'new' as const };
        return { ...p, alignment: a.alignment, ...(a.dbtName ? { dbtName: a.dbtName } : {}) };
      });
      return {
        okta: oktaGroups.map((g) => ({
          id: g.id,
          name: g.name,
          type: g.type,
          imported: g.type === 'APP_GROUP',
        })),
        dbt: dbtGroups ? dbtGroups.map((g) => ({ id: g.id, name: g.name })) : null,
        picks,
        mappings: mappings.map((m) => ({
          sourceGroupId: m.sourceGroupId,
          status: m.status,
          errorSummary: m.errorSummary,
        })),
      };
    },

    async pickGroups(profileId: string, picks: readonly GroupPushPick[]) {
      const profile = await profiles.get(profileId);
      oktaOf(profile);
      const seen = new Set<string>();
      for (const p of picks) {
        if (seen.has(p.oktaGroupId)) {
          throw badInput(
            `The group ${p.oktaGroupName} is picked twice.`,
            'Keep one target dbt group per Okta group.',
          );
        }
        seen.add(p.oktaGroupId);
      }
      return profiles.update(profileId, {
        okta: {
          groupPushes: picks.map((p) => ({
            oktaGroupId: p.oktaGroupId,
            oktaGroupName: p.oktaGroupName,
            targetGroupName: p.targetGroupName.trim(),
          })),
        },
      });
    },

    /** Existing integrations: dbt users that no Okta person matches, and what was imported. */
    async existing(profileId: string, signal?: AbortSignal) {
      const target = await profileTarget(profileId);
      const okta = portFor(target.orgUrl, target.auth);
      const at = clock.now().toISOString();
      const checks: Check[] = [];
      const saved = await target.store.load();
      let dbtUsers = 0;
      let checked = 0;
      let unmatched: { userName: string; reason: 'none' | 'case'; oktaLogin?: string }[] = [];
      if (target.dbt?.token) {
        const users = await probe.listUsers(target.dbt.scimUrl, target.dbt.token, {
          ...(signal ? { signal } : {}),
        });
        await restartConnectorWindow(profileId);
        dbtUsers = users.length;
        const m = await matchDbtUsers({
          okta,
          userNames: users.map((u) => u.userName),
          ...(signal ? { signal } : {}),
        });
        checked = m.checked;
        unmatched = m.unmatched;
        checks.push({
          id: 'okta.existing.users',
          status: unmatched.length === 0 ? 'pass' : 'fail',
          message:
            unmatched.length === 0
              ? `Each of the ${checked} dbt users checked has an Okta person with the same username.`
              : `${unmatched.length} of the ${checked} dbt users checked have no Okta person with exactly that username: Okta would not manage them, or would create a second user.`,
          at,
        });
      } else {
        checks.push({
          id: 'okta.existing.users',
          status: 'skip',
          message: 'Save the dbt SCIM token in the dbt step to compare dbt users with Okta.',
          at,
        });
      }
      let appUsers = 0;
      let appGroups = 0;
      if (saved.appId) {
        const [u, g] = await Promise.all([
          okta.listAppUsers(saved.appId, signal),
          okta.listAppGroups(saved.appId, signal),
        ]);
        appUsers = u.length;
        appGroups = g.length;
      }
      return { dbtUsers, checked, unmatched, appUsers, appGroups, checks };
    },

    /** Assigns one user with a license type and waits for Okta to push it to dbt (the Test step). */
    async testUser(
      profileId: string,
      login: string,
      licenseType: LicenseType,
      signal?: AbortSignal,
    ) {
      const target = await profileTarget(profileId, { testUser: { login, licenseType } });
      const okta = portFor(target.orgUrl, target.auth);
      const step = stepsFor(target, okta).testUser;
      if (!step) {
        throw new Error('test-user step missing');
      }
      const r = await engine.run(step, {
        profileId,
        mode: 'apply',
        ...(signal ? { signal } : {}),
      });
      await restartConnectorWindow(profileId);
      await profiles.setStepStatus(
        profileId,
        'test',
        r.phase === 'verified' ? 'verified' : 'failed',
        r.phase === 'verified'
          ? `${login} pushed by Okta and found in dbt`
          : (r.error?.message ?? r.checks.find((c) => c.status === 'fail')?.message),
      );
      return r;
    },

    /** Every step kind of the Okta side (for the journal's interrupted runs). */
    kinds: OKTA_STEP_KINDS,
    features: OKTA_FEATURES,
  };
}

export type OktaService = ReturnType<typeof createOktaService>;
