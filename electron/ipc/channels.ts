/**
 * Channel names, with no dependency at all, so the sandboxed preload can import them cheaply.
 * `contract.ts` pairs each with its schemas, and a type check there keeps the two lists equal.
 *
 * Names are `<namespace>:<method>`; the preload exposes `api.<namespace>.<method>(input)`.
 */
export const CHANNELS = [
  'app:info',
  'profiles:list',
  'profiles:create',
  'profiles:update',
  'profiles:select',
  'profiles:delete',
  'wizard:goto',
  'wizard:interrupted',
  'secrets:status',
  'secrets:acceptWeakBackend',
  'secrets:list',
  'secrets:set',
  'secrets:delete',
  'shell:openExternal',
  'dbt:connect',
  'dbt:recheck',
  'dbt:tick',
  'dbt:setScimUrl',
  'dbt:plan',
  'dbt:apply',
  'dbt:check',
  'dbt:tokens',
  'dbt:pasteToken',
  'dbt:deleteToken',
  'dbt:idpRanges',
  'entra:connect',
  'entra:plan',
  'entra:apply',
  'entra:verify',
  'entra:testUser',
  'entra:status',
  'entra:signInSettings',
  'entra:signIn',
  'entra:deviceCode',
  'entra:deviceCodeWait',
  'entra:useToken',
  'entra:signOut',
  'entra:account',
  'okta:connect',
  'okta:signIn',
  'okta:useServiceKey',
  'okta:useToken',
  'okta:signOut',
  'okta:account',
  'okta:findApps',
  'okta:chooseApp',
  'okta:confirmUserNameChange',
  'okta:plan',
  'okta:apply',
  'okta:verify',
  'okta:console',
  'okta:copyScimToken',
  'okta:groups',
  'okta:pickGroups',
  'okta:existing',
  'okta:testUser',
] as const;
export type Channel = (typeof CHANNELS)[number];

/** Main → renderer events; the preload exposes `api.events.on<Name>(callback) → unsubscribe`. */
export const EVENTS = { engine: 'event:engine' } as const;
export type EventName = keyof typeof EVENTS;
