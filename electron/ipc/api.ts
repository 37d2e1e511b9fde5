/**
 * The shape of `window.api` and the one function that builds it from a transport.
 *
 * Both the preload (transport = ipcRenderer) and the test bridge (transport = HTTP on loopback)
 * build the same object, so the renderer cannot tell them apart. The object has one named
 * method per channel and one subscription per event: nothing generic is exposed.
 */
import { CHANNELS, EVENTS, type Channel, type EventName } from './channels.js';
import type { EngineEventDto, Input, Output } from './contract.js';

export type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: { readonly code: string; readonly message: string } };

type Namespace<C> = C extends `${infer N}:${string}` ? N : never;
type Method<C, N extends string> = C extends `${N}:${infer M}` ? M : never;

type Call<C> = C extends Channel ? CallOf<C> : never;
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- z.void() inputs are typed void
type CallOf<C extends Channel> = [Input<C>] extends [undefined | void]
  ? () => Promise<Result<Output<C>>>
  : (input: Input<C>) => Promise<Result<Output<C>>>;

export type EventPayloads = { engine: EngineEventDto };

type Subscribe = {
  [E in EventName as `on${Capitalize<E>}`]: (
    listener: (payload: EventPayloads[E]) => void,
  ) => () => void;
};

export type WindowApi = {
  readonly [N in Namespace<Channel>]: { readonly [M in Method<Channel, N>]: Call<`${N}:${M}`> };
} & { readonly events: Subscribe };

export interface Transport {
  invoke(channel: Channel, input: unknown): Promise<Result<unknown>>;
  subscribe(channel: (typeof EVENTS)[EventName], listener: (payload: unknown) => void): () => void;
}

/** Builds the `window.api` object from a transport: one method per channel, nothing more. */
export function buildApi(transport: Transport): WindowApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const channel of CHANNELS) {
    const [ns, method] = channel.split(':') as [string, string];
    api[ns] ??= {};
    api[ns][method] = (input?: unknown) => transport.invoke(channel, input);
  }
  const events: Record<string, unknown> = {};
  for (const [name, channel] of Object.entries(EVENTS)) {
    const key = `on${name.charAt(0).toUpperCase()}${name.slice(1)}`;
    events[key] = (listener: (payload: unknown) => void) => transport.subscribe(channel, listener);
  }
  api.events = events;
  return api as unknown as WindowApi;
}

/** The list of `namespace.method` paths the api must expose (for tests of the preload). */
export function apiPaths(): string[] {
  const paths: string[] = CHANNELS.map((c) => c.replace(':', '.'));
  for (const name of Object.keys(EVENTS)) {
    paths.push(`events.on${name.charAt(0).toUpperCase()}${name.slice(1)}`);
  }
  return paths.sort();
}
