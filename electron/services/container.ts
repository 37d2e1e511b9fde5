/**
 * The composition root: wires adapters and stores into core and builds the handler table that
 * Electron main, the CLI and the test bridge share. Plain Node; faces pass in what only they
 * have (the encryptor, the external opener, the face name).
 */
import { Engine, findInterrupted, type EngineEvent } from '../core/engine.js';
import { WizardError } from '../core/errors.js';
import { homeLayout } from '../core/home.js';
import { systemClock } from '../core/clock.js';
import type {
  ClipboardPort,
  Clock,
  Encryptor,
  ExternalOpener,
  HttpClient,
  JournalStore,
  Logger,
  NotifierPort,
  SecretStore,
} from '../core/ports.js';
import { FileJournalStore } from '../core/store/journal-file.js';
import { ProfileStore } from '../core/store/profiles.js';
import {
  EncryptedFileSecretStore,
  MemorySecretStore,
  WEAK_BACKENDS,
} from '../core/store/secrets.js';
import { createHttpClient } from '../adapters/http/client.js';
import type { HandlerTable } from './dispatch.js';
import { assertExternalUrlAllowed } from './external.js';
import { createDbtService, type DbtService } from './dbt.js';
import { createEntraService, type EntraService, type GraphTokenProvider } from './entra.js';
import { createEntraSignInService, type EntraSignInService } from './entra-signin.js';
import type { EntraSignIn, EntraSignInOptions } from '../adapters/entra/signin.js';
import { createOktaService, type OktaService } from './okta.js';
import { createOktaSignInService, type OktaSignInService } from './okta-signin.js';
import type { OktaAuth } from '../adapters/okta/client.js';
import type { OktaPort } from '../core/okta/ports.js';
import { createReminders, type Reminders } from './reminders.js';
import { createStatusService, type StatusService } from './status.js';
import { createReportService, type ReportService } from './report.js';
import type { ReportSaver } from '../core/report/ports.js';
import { createRotationService, type RotationService } from './rotation.js';
import { createLicenseService, type LicenseService } from './license.js';

export type Face = 'electron' | 'bridge' | 'cli';

function isLoopbackHttpUrl(raw: string): boolean {
  try {
    const u = new URL(raw);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname === '127.0.0.1';
  } catch {
    return false;
  }
}

export interface ServicesOptions {
  readonly home: string;
  readonly face: Face;
  readonly version: string;
  readonly log: Logger;
  /** OS encryption; without one, secrets are kept in memory for this session only. */
  readonly encryptor?: Encryptor;
  readonly opener?: ExternalOpener;
  readonly clock?: Clock;
  readonly http?: HttpClient;
  /** In the app: the proxy for a URL as the session resolves it (`PROXY host:port`, `DIRECT`). */
  readonly resolveProxy?: (url: string) => Promise<string | undefined>;
  readonly journal?: JournalStore;
  readonly platform?: string;
  /** Where Okta's published IP ranges are fetched from (tests: a loopback fake). */
  readonly oktaRangesUrl?: string;
  /** Overrides the signed-in admin's Microsoft Graph token for a profile (tests). */
  readonly graphToken?: (profileId: string) => GraphTokenProvider | undefined;
  /** Tests: builds the MSAL client against a fake authority. */
  readonly makeSignIn?: (options: EntraSignInOptions) => EntraSignIn;
  /** The system clipboard (the app's main process; a recorder in the test bridge). */
  readonly clipboard?: ClipboardPort;
  /** Overrides the signed-in admin's Okta credentials for a profile (tests). */
  readonly oktaAuth?: (profileId: string) => OktaAuth | undefined;
  /** Overrides the Okta adapter (tests). */
  readonly oktaPort?: (orgUrl: string, auth: OktaAuth) => OktaPort;
  /** Tests: the loopback port the Okta sign-in listens on for the browser's redirect (0: any). */
  readonly oktaRedirectPort?: number;
  /** OS notifications (the app's main process): rotation reminders. */
  readonly notifier?: NotifierPort;
  /** Where report:save puts the report (the app's Save dialog and PDF printer). */
  readonly reportSaver?: ReportSaver;
}

export type EventListener = (event: EngineEvent) => void;

export interface Services {
  readonly home: string;
  readonly log: Logger;
  readonly clock: Clock;
  readonly http: HttpClient;
  readonly profiles: ProfileStore;
  readonly secrets: SecretStore;
  readonly journal: JournalStore;
  readonly engine: Engine;
  readonly dbt: DbtService;
  readonly entra: EntraService;
  readonly entraSignIn: EntraSignInService;
  readonly okta: OktaService;
  readonly oktaSignIn: OktaSignInService;
  /** Zero-downtime SCIM token rotation (the CLI's `rotate`; the Rotation screen later). */
  readonly rotation: RotationService;
  /** The License step: Okta's SCIM license types, Entra's SSO license maps. */
  readonly license: LicenseService;
  /** The health check (`status`, the home dashboard). */
  readonly status: StatusService;
  /** The setup report (Markdown, PDF in the app). */
  readonly report: ReportService;
  /** Rotation reminders as OS notifications (the app starts them). */
  readonly reminders: Reminders;
  readonly handlers: HandlerTable;
  /** Subscribes to engine events (progress, phases); returns the unsubscribe. */
  onEvent(listener: EventListener): () => void;
}

export function createServices(options: ServicesOptions): Services {
  const layout = homeLayout(options.home);
  const clock = options.clock ?? systemClock;
  const log = options.log;
  const profiles = new ProfileStore(options.home, () => clock.now());
  const journal = options.journal ?? new FileJournalStore(layout.journal);
  const http =
    options.http ??
    createHttpClient({
      log: log.child('http'),
      clock,
      userAgent: `dbt-scim-wizard/${options.version}`,
      ...(options.resolveProxy ? { resolveProxy: options.resolveProxy } : {}),
    });
  const encryptor = options.encryptor;
  const secrets: SecretStore & { assertWritable?: () => Promise<string> } = encryptor
    ? new EncryptedFileSecretStore({
        dir: layout.secrets,
        encryptor,
        weakBackendAccepted: () => profiles.weakSecretBackendAccepted(),
        now: () => clock.now(),
      })
    : new MemorySecretStore(() => clock.now());

  const listeners = new Set<EventListener>();
  const emit = (event: EngineEvent): void => {
    for (const l of listeners) {
      try {
        l(event);
      } catch (e) {
        log.warn('event listener failed', { error: e instanceof Error ? e.message : String(e) });
      }
    }
  };
  const engine = new Engine({ journal, clock, log: log.child('engine'), emit });

  const dbt = createDbtService({
    http,
    clock,
    engine,
    profiles,
    secrets,
    ...(options.oktaRangesUrl ? { oktaRangesUrl: options.oktaRangesUrl } : {}),
  });

  const entraSignIn = createEntraSignInService({
    profiles,
    secrets,
    log: log.child('entra-signin'),
    now: () => clock.now(),
    ...(options.opener ? { opener: options.opener } : {}),
    ...(options.makeSignIn ? { makeSignIn: options.makeSignIn } : {}),
  });
  const entra = createEntraService({
    http,
    clock,
    engine,
    journal,
    profiles,
    secrets,
    graphToken: options.graphToken ?? ((profileId) => entraSignIn.graphToken(profileId)),
  });

  const rotation = createRotationService({
    http,
    clock,
    engine,
    journal,
    profiles,
    secrets,
    home: options.home,
    graphToken: options.graphToken ?? ((profileId) => entraSignIn.graphToken(profileId)),
    copySecret: (profileId, name, waiting) => okta.copySecret(profileId, name, waiting),
  });

  const oktaPort = options.oktaPort;
  const oktaSignIn = createOktaSignInService({
    http,
    clock,
    profiles,
    secrets,
    log: log.child('okta-signin'),
    openBrowser: async (url) => {
      if (!options.opener) {
        throw new WizardError('internal', 'Opening the browser is not available here.', {
          remediation: 'Sign in with an API token instead.',
        });
      }
      await options.opener.open(url);
    },
    ...(oktaPort ? { port: oktaPort } : {}),
    ...(options.oktaRedirectPort !== undefined ? { redirectPort: options.oktaRedirectPort } : {}),
  });
  const oktaAuth =
    options.oktaAuth ??
    (async (profileId: string) => {
      // After a restart the saved sign-in (refresh token or key) is restored by `account`.
      if (!oktaSignIn.auth(profileId)) {
        await oktaSignIn.account(profileId);
      }
      return oktaSignIn.auth(profileId);
    });
  const okta = createOktaService({
    http,
    clock,
    engine,
    journal,
    profiles,
    secrets,
    log: log.child('okta'),
    auth: oktaAuth,
    ...(options.clipboard ? { clipboard: options.clipboard } : {}),
    ...(oktaPort ? { port: oktaPort } : {}),
  });

  const license = createLicenseService({
    http,
    clock,
    engine,
    journal,
    profiles,
    secrets,
    log: log.child('license'),
    oktaAuth,
    ...(oktaPort ? { oktaPort } : {}),
  });

  const status = createStatusService({
    http,
    clock,
    engine,
    journal,
    profiles,
    secrets,
    home: options.home,
    dbt,
    entra,
    okta,
    license,
    graphToken: options.graphToken ?? ((profileId) => entraSignIn.graphToken(profileId)),
    signedIn: {
      entra: async (profileId) =>
        options.graphToken?.(profileId) !== undefined ||
        (await entraSignIn.account(profileId)).signedIn,
      okta: async (profileId) => {
        try {
          return (await oktaAuth(profileId)) !== undefined;
        } catch {
          return false;
        }
      },
    },
  });

  const report = createReportService({
    profiles,
    journal,
    secrets,
    clock,
    home: options.home,
    version: options.version,
    lastStatus: async (profileId) => (await status.saved(profileId)) ?? null,
    ...(options.reportSaver ? { saver: options.reportSaver } : {}),
  });

  const secretStatus = async (): Promise<{
    persistent: boolean;
    backend: string;
    weakBackend: boolean;
    weakBackendAccepted: boolean;
  }> => {
    const weakBackendAccepted = await profiles.weakSecretBackendAccepted();
    if (!encryptor || !(await encryptor.isAvailable())) {
      return {
        persistent: false,
        backend: encryptor ? 'unavailable' : 'memory',
        weakBackend: false,
        weakBackendAccepted,
      };
    }
    const backend = await encryptor.backend();
    const weakBackend = WEAK_BACKENDS.has(backend);
    return {
      persistent: !weakBackend || weakBackendAccepted,
      backend,
      weakBackend,
      weakBackendAccepted,
    };
  };

  const reminders = createReminders({
    home: options.home,
    profiles,
    secrets,
    clock,
    log: log.child('reminders'),
    ...(options.notifier ? { notifier: options.notifier } : {}),
    open: (profileId) => {
      emit({ type: 'open', profileId, step: 'rotation', at: clock.now().toISOString() });
    },
  });

  const handlers: HandlerTable = {
    'app:info': () =>
      Promise.resolve({
        name: 'dbt SCIM Wizard',
        version: options.version,
        platform: options.platform ?? process.platform,
        face: options.face,
      }),
    'profiles:list': () => profiles.list(),
    'profiles:create': (input) => profiles.create({ name: input.name, idp: input.idp }),
    'profiles:update': (input) =>
      profiles.update(input.id, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.idp !== undefined ? { idp: input.idp } : {}),
      }),
    'profiles:select': async (input) => {
      await profiles.select(input.id);
      return null;
    },
    'profiles:delete': async (input) => {
      await profiles.delete(input.id);
      await secrets.clear(input.id);
      return null;
    },
    'wizard:goto': (input) => profiles.update(input.profileId, { currentStep: input.step }),
    'wizard:interrupted': async (input) => {
      await profiles.get(input.profileId);
      return findInterrupted(await journal.read(input.profileId)).map((r) => ({
        runId: r.runId,
        kind: r.kind,
        step: r.step,
        phase: r.phase,
        at: r.at,
      }));
    },
    'secrets:status': secretStatus,
    'secrets:acceptWeakBackend': async (input) => {
      await profiles.setWeakSecretBackendAccepted(input.accepted);
      return secretStatus();
    },
    'secrets:list': async (input) => {
      await profiles.get(input.profileId);
      return secrets.list(input.profileId);
    },
    'secrets:set': async (input) => {
      await profiles.get(input.profileId);
      return secrets.set(input.profileId, input.name, input.value.trim());
    },
    'secrets:delete': async (input) => {
      await secrets.delete(input.profileId, input.name);
      return null;
    },
    'shell:openExternal': async (input) => {
      // The test bridge drives fake consoles on loopback; every other face opens allowlisted https only.
      const url =
        options.face === 'bridge' && isLoopbackHttpUrl(input.url)
          ? new URL(input.url)
          : assertExternalUrlAllowed(input.url);
      if (!options.opener) {
        throw new WizardError('internal', 'Opening links is not available here.', {
          remediation: `Open ${url.origin} in your browser yourself.`,
        });
      }
      await options.opener.open(url.toString());
      return null;
    },
    'dbt:connect': (input) => dbt.connect(input),
    'dbt:recheck': (input) => dbt.recheck(input.profileId),
    'dbt:tick': (input) =>
      profiles.update(input.profileId, { manual: { [input.item]: input.done } }),
    'dbt:setScimUrl': (input) => dbt.setScimUrl(input.profileId, input.scimUrl),
    'dbt:plan': (input) => dbt.run(input.profileId, input.step, 'plan'),
    'dbt:apply': (input) => dbt.run(input.profileId, input.step, 'apply', input.expectedChangeIds),
    'dbt:check': (input) => dbt.checkProfile(input.profileId),
    'dbt:tokens': (input) => dbt.tokens(input.profileId),
    'dbt:pasteToken': (input) => dbt.pasteToken(input.profileId, input.value),
    'dbt:deleteToken': (input) => dbt.deleteToken(input.profileId, input.tokenId, input.force),
    'dbt:idpRanges': (input) => dbt.idpRanges(input.profileId, input.cell),
    'entra:connect': (input) => entra.connect(input),
    'entra:plan': (input) => entra.run(input.profileId, 'plan'),
    'entra:apply': (input) =>
      entra.run(input.profileId, 'apply', {
        ...(input.expectedChangeIds ? { expectedChangeIds: input.expectedChangeIds } : {}),
      }),
    'entra:verify': (input) => entra.run(input.profileId, 'verify'),
    'entra:testUser': (input) => entra.testUser(input.profileId, input.userPrincipalName),
    'entra:status': (input) => entra.status(input.profileId),
    'entra:signInSettings': (input) => entraSignIn.settings(input.profileId, input),
    'entra:signIn': (input) => entraSignIn.signIn(input.profileId, input.includeTestUserScopes),
    'entra:deviceCode': (input) =>
      entraSignIn.deviceCode(input.profileId, input.includeTestUserScopes),
    'entra:deviceCodeWait': (input) => entraSignIn.deviceCodeWait(input.profileId),
    'entra:useToken': (input) => entraSignIn.useToken(input.profileId, input.accessToken),
    'entra:signOut': async (input) => {
      await entraSignIn.signOut(input.profileId);
      return null;
    },
    'entra:account': (input) => entraSignIn.account(input.profileId),
    'okta:connect': (input) => okta.connect(input),
    'okta:signIn': (input) => oktaSignIn.signIn(input.profileId),
    'okta:useServiceKey': (input) => oktaSignIn.useServiceKey(input.profileId, input.privateKey),
    'okta:useToken': (input) => oktaSignIn.useToken(input.profileId, input.apiToken),
    'okta:signOut': async (input) => {
      await oktaSignIn.signOut(input.profileId);
      return null;
    },
    'okta:account': (input) => oktaSignIn.account(input.profileId),
    'okta:findApps': (input) => okta.findApps(input.profileId, input.query),
    'okta:chooseApp': (input) => okta.chooseApp(input.profileId, input.appId),
    'okta:confirmUserNameChange': (input) =>
      okta.confirmUserNameChange(input.profileId, input.confirm),
    'okta:plan': (input) => okta.run(input.profileId, 'plan'),
    'okta:apply': (input) =>
      okta.run(input.profileId, 'apply', {
        ...(input.expectedChangeIds ? { expectedChangeIds: input.expectedChangeIds } : {}),
      }),
    'okta:verify': (input) => okta.run(input.profileId, 'verify'),
    'okta:console': (input) => okta.console(input.profileId, input.shown),
    'okta:copyScimToken': (input) => okta.copyScimToken(input.profileId),
    'okta:groups': (input) => okta.groups(input.profileId, input.query),
    'okta:pickGroups': (input) => okta.pickGroups(input.profileId, input.picks),
    'okta:existing': (input) => okta.existing(input.profileId),
    'okta:testUser': (input) => okta.testUser(input.profileId, input.login, input.licenseType),
    ...rotation.handlers,
    ...license.handlers,
    ...status.handlers,
    ...report.handlers,
  };

  return {
    home: options.home,
    log,
    clock,
    http,
    profiles,
    secrets,
    journal,
    engine,
    dbt,
    entra,
    entraSignIn,
    okta,
    oktaSignIn,
    rotation,
    license,
    status,
    report,
    reminders,
    handlers,
    onEvent: (listener) => {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
