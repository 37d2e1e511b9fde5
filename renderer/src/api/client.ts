/**
 * The renderer's one way to the engine: a typed client over `window.api`.
 *
 * Every call unwraps the `Result` the engine answers with and throws an `ApiError` (code + a
 * message the engine has already redacted) when it is `ok:false`. Components and the store use
 * only this module, never `window.api`. Tests swap the api with `setApi`.
 */
import type { Result, WindowApi } from '../../../electron/ipc/api.js';
import type { EngineEventDto, Input, Output, ProfileDto } from '../../../electron/ipc/contract.js';

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The `{code, message}` of anything thrown, without stack or internals. */
export function toErrorInfo(e: unknown): { code: string; message: string } {
  if (e instanceof ApiError) {
    return { code: e.code, message: e.message };
  }
  return {
    code: 'internal',
    message:
      'Something unexpected happened in the window. Try again; if it repeats, restart the app.',
  };
}

let injected: WindowApi | undefined;

/** Replaces the api the client talks to (tests); `undefined` goes back to `window.api`. */
export function setApi(api: WindowApi | undefined): void {
  injected = api;
}

function api(): WindowApi {
  // Read lazily: the preload or the bridge defines it before the bundle runs, tests inject one.
  const fromWindow: Partial<Pick<Window, 'api'>> = window;
  const found = injected ?? fromWindow.api;
  if (!found) {
    throw new ApiError(
      'unavailable',
      'The wizard could not reach its engine. Close the window and start the app again.',
    );
  }
  return found;
}

async function unwrap<T>(call: () => Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call();
  } catch (e) {
    if (e instanceof ApiError) {
      throw e;
    }
    // A transport failure: its text may be anything, so only a plain sentence goes on.
    throw new ApiError(
      'unavailable',
      'The wizard engine did not answer. Try again; if it repeats, restart the app.',
    );
  }
  if (result.ok) {
    return result.value;
  }
  throw new ApiError(result.error.code, result.error.message);
}

export type AppInfo = Output<'app:info'>;
export type ProfileList = Output<'profiles:list'>;
export type InterruptedRun = Output<'wizard:interrupted'>[number];
export type ConnectResult = Output<'dbt:connect'>;
export type RecheckResult = Output<'dbt:recheck'>;
export type ScimUrlResult = Output<'dbt:setScimUrl'>;
export type RunResult = Output<'dbt:apply'>;
export type ConnectionCheck = Output<'dbt:check'>;
export type TokenList = Output<'dbt:tokens'>;
export type TokenRow = TokenList['tokens'][number];
export type PastedToken = Output<'dbt:pasteToken'>;
export type IdpRanges = Output<'dbt:idpRanges'>;
export type DbtStepParams = Input<'dbt:plan'>['step'];
export type EntraConnectResult = Output<'entra:connect'>;
export type EntraRun = Output<'entra:apply'>;
export type EntraCloud = NonNullable<Input<'entra:connect'>['cloud']>;
export type EntraTestResult = Output<'entra:testUser'>;
export type EntraStatus = Output<'entra:status'>;
export type SignInState = Output<'entra:account'>;
export type DeviceCodePrompt = Output<'entra:deviceCode'>;

export const client = {
  app: {
    info: (): Promise<AppInfo> => unwrap(() => api().app.info()),
  },
  profiles: {
    list: (): Promise<ProfileList> => unwrap(() => api().profiles.list()),
    create: (input: Input<'profiles:create'>) => unwrap(() => api().profiles.create(input)),
    update: (input: Input<'profiles:update'>) => unwrap(() => api().profiles.update(input)),
    select: (input: Input<'profiles:select'>) => unwrap(() => api().profiles.select(input)),
    delete: (input: Input<'profiles:delete'>) => unwrap(() => api().profiles.delete(input)),
  },
  wizard: {
    goto: (input: Input<'wizard:goto'>) => unwrap(() => api().wizard.goto(input)),
    interrupted: (input: Input<'wizard:interrupted'>): Promise<InterruptedRun[]> =>
      unwrap(() => api().wizard.interrupted(input)),
  },
  secrets: {
    status: () => unwrap(() => api().secrets.status()),
    acceptWeakBackend: (input: Input<'secrets:acceptWeakBackend'>) =>
      unwrap(() => api().secrets.acceptWeakBackend(input)),
    list: (input: Input<'secrets:list'>) => unwrap(() => api().secrets.list(input)),
    set: (input: Input<'secrets:set'>) => unwrap(() => api().secrets.set(input)),
    delete: (input: Input<'secrets:delete'>) => unwrap(() => api().secrets.delete(input)),
  },
  shell: {
    openExternal: (input: Input<'shell:openExternal'>) =>
      unwrap(() => api().shell.openExternal(input)),
  },
  dbt: {
    /** Checks the token by reading the account, then saves it with the URL and account id. */
    connect: (input: Input<'dbt:connect'>): Promise<ConnectResult> =>
      unwrap(() => api().dbt.connect(input)),
    recheck: (input: Input<'dbt:recheck'>): Promise<RecheckResult> =>
      unwrap(() => api().dbt.recheck(input)),
    tick: (input: Input<'dbt:tick'>) => unwrap(() => api().dbt.tick(input)),
    setScimUrl: (input: Input<'dbt:setScimUrl'>): Promise<ScimUrlResult> =>
      unwrap(() => api().dbt.setScimUrl(input)),
    plan: (input: Input<'dbt:plan'>): Promise<RunResult> => unwrap(() => api().dbt.plan(input)),
    apply: (input: Input<'dbt:apply'>): Promise<RunResult> => unwrap(() => api().dbt.apply(input)),
    check: (input: Input<'dbt:check'>): Promise<ConnectionCheck> =>
      unwrap(() => api().dbt.check(input)),
    tokens: (input: Input<'dbt:tokens'>): Promise<TokenList> =>
      unwrap(() => api().dbt.tokens(input)),
    pasteToken: (input: Input<'dbt:pasteToken'>): Promise<PastedToken> =>
      unwrap(() => api().dbt.pasteToken(input)),
    deleteToken: (input: Input<'dbt:deleteToken'>): Promise<TokenList> =>
      unwrap(() => api().dbt.deleteToken(input)),
    idpRanges: (input: Input<'dbt:idpRanges'>): Promise<IdpRanges> =>
      unwrap(() => api().dbt.idpRanges(input)),
  },
  entra: {
    /** Saves the cloud, the Graph root and the enterprise app's name (and a chosen app id). */
    connect: (input: Input<'entra:connect'>): Promise<EntraConnectResult> =>
      unwrap(() => api().entra.connect(input)),
    plan: (input: Input<'entra:plan'>): Promise<EntraRun> => unwrap(() => api().entra.plan(input)),
    apply: (input: Input<'entra:apply'>): Promise<EntraRun> =>
      unwrap(() => api().entra.apply(input)),
    verify: (input: Input<'entra:verify'>): Promise<EntraRun> =>
      unwrap(() => api().entra.verify(input)),
    testUser: (input: Input<'entra:testUser'>): Promise<EntraTestResult> =>
      unwrap(() => api().entra.testUser(input)),
    status: (input: Input<'entra:status'>): Promise<EntraStatus> =>
      unwrap(() => api().entra.status(input)),
    /** The app registration the wizard signs in with: client id and tenant. */
    signInSettings: (input: Input<'entra:signInSettings'>): Promise<ProfileDto> =>
      unwrap(() => api().entra.signInSettings(input)),
    /** Opens the system browser; resolves once the admin finished signing in there. */
    signIn: (input: Input<'entra:signIn'>): Promise<SignInState> =>
      unwrap(() => api().entra.signIn(input)),
    deviceCode: (input: Input<'entra:deviceCode'>): Promise<DeviceCodePrompt> =>
      unwrap(() => api().entra.deviceCode(input)),
    deviceCodeWait: (input: Input<'entra:deviceCodeWait'>): Promise<SignInState> =>
      unwrap(() => api().entra.deviceCodeWait(input)),
    /** An access token from elsewhere, kept in memory by the engine for this session only. */
    useToken: (input: Input<'entra:useToken'>): Promise<SignInState> =>
      unwrap(() => api().entra.useToken(input)),
    signOut: (input: Input<'entra:signOut'>) => unwrap(() => api().entra.signOut(input)),
    account: (input: Input<'entra:account'>): Promise<SignInState> =>
      unwrap(() => api().entra.account(input)),
  },
  okta: {
    /** Saves the org (an `-admin` URL is normalised), the sign-in method and its client/key ids. */
    connect: (input: Input<'okta:connect'>): Promise<Output<'okta:connect'>> =>
      unwrap(() => api().okta.connect(input)),
    /** Opens the system browser (PKCE); resolves once the admin finished signing in there. */
    signIn: (input: Input<'okta:signIn'>): Promise<Output<'okta:signIn'>> =>
      unwrap(() => api().okta.signIn(input)),
    useServiceKey: (input: Input<'okta:useServiceKey'>): Promise<Output<'okta:useServiceKey'>> =>
      unwrap(() => api().okta.useServiceKey(input)),
    useToken: (input: Input<'okta:useToken'>): Promise<Output<'okta:useToken'>> =>
      unwrap(() => api().okta.useToken(input)),
    signOut: (input: Input<'okta:signOut'>) => unwrap(() => api().okta.signOut(input)),
    account: (input: Input<'okta:account'>): Promise<Output<'okta:account'>> =>
      unwrap(() => api().okta.account(input)),
    findApps: (input: Input<'okta:findApps'>): Promise<Output<'okta:findApps'>> =>
      unwrap(() => api().okta.findApps(input)),
    chooseApp: (input: Input<'okta:chooseApp'>): Promise<ProfileDto> =>
      unwrap(() => api().okta.chooseApp(input)),
    confirmUserNameChange: (input: Input<'okta:confirmUserNameChange'>): Promise<ProfileDto> =>
      unwrap(() => api().okta.confirmUserNameChange(input)),
    plan: (input: Input<'okta:plan'>): Promise<Output<'okta:plan'>> =>
      unwrap(() => api().okta.plan(input)),
    apply: (input: Input<'okta:apply'>): Promise<Output<'okta:apply'>> =>
      unwrap(() => api().okta.apply(input)),
    verify: (input: Input<'okta:verify'>): Promise<Output<'okta:verify'>> =>
      unwrap(() => api().okta.verify(input)),
    console: (input: Input<'okta:console'>): Promise<Output<'okta:console'>> =>
      unwrap(() => api().okta.console(input)),
    /** The main process writes the clipboard; only the last four characters come back. */
    copyScimToken: (input: Input<'okta:copyScimToken'>): Promise<Output<'okta:copyScimToken'>> =>
      unwrap(() => api().okta.copyScimToken(input)),
    groups: (input: Input<'okta:groups'>): Promise<Output<'okta:groups'>> =>
      unwrap(() => api().okta.groups(input)),
    pickGroups: (input: Input<'okta:pickGroups'>): Promise<ProfileDto> =>
      unwrap(() => api().okta.pickGroups(input)),
    existing: (input: Input<'okta:existing'>): Promise<Output<'okta:existing'>> =>
      unwrap(() => api().okta.existing(input)),
    testUser: (input: Input<'okta:testUser'>): Promise<Output<'okta:testUser'>> =>
      unwrap(() => api().okta.testUser(input)),
  },
  rotation: {
    /** The rotation in progress (if any) and the history, newest first; never a token value. */
    state: (input: Input<'rotation:state'>): Promise<Output<'rotation:state'>> =>
      unwrap(() => api().rotation.state(input)),
    /** Starts a rotation, or continues the one in progress. */
    run: (input: Input<'rotation:run'>): Promise<Output<'rotation:run'>> =>
      unwrap(() => api().rotation.run(input)),
    /** The main process writes the new token to the clipboard; only the last four come back. */
    copyNewToken: (
      input: Input<'rotation:copyNewToken'>,
    ): Promise<Output<'rotation:copyNewToken'>> => unwrap(() => api().rotation.copyNewToken(input)),
    /** Sets how often the token should be rotated; answers the profile. */
    setPolicy: (input: Input<'rotation:setPolicy'>): Promise<ProfileDto> =>
      unwrap(() => api().rotation.setPolicy(input)),
  },
  license: {
    /** The account's plan and the license types it offers, dbt's license toggle, the test user. */
    state: (input: Input<'license:state'>): Promise<Output<'license:state'>> =>
      unwrap(() => api().license.state(input)),
    /** Saves the Okta group rules or the Entra group maps in the profile. */
    setRules: (input: Input<'license:setRules'>): Promise<ProfileDto> =>
      unwrap(() => api().license.setRules(input)),
    plan: (input: Input<'license:plan'>): Promise<Output<'license:plan'>> =>
      unwrap(() => api().license.plan(input)),
    apply: (input: Input<'license:apply'>): Promise<Output<'license:apply'>> =>
      unwrap(() => api().license.apply(input)),
    verify: (input: Input<'license:verify'>): Promise<Output<'license:verify'>> =>
      unwrap(() => api().license.verify(input)),
  },
  status: {
    /** The health of a profile: the last saved result, or (`refresh`) a full check now. */
    get: (input: Input<'status:get'>): Promise<Output<'status:get'>> =>
      unwrap(() => api().status.get(input)),
  },
  report: {
    /** The setup report as Markdown (no secret; a token shows at most its last four). */
    build: (input: Input<'report:build'>): Promise<Output<'report:build'>> =>
      unwrap(() => api().report.build(input)),
    /** Saves the report where the admin chooses: Markdown, or a PDF printed by the app. */
    save: (input: Input<'report:save'>): Promise<Output<'report:save'>> =>
      unwrap(() => api().report.save(input)),
  },
  events: {
    /** Subscribes to engine events; returns the unsubscribe function. */
    onEngine(listener: (event: EngineEventDto) => void): () => void {
      return api().events.onEngine(listener);
    },
  },
} as const;

export type Client = typeof client;
