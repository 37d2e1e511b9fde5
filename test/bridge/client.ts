/**
 * The browser side of the test bridge: builds the same `window.api` as the preload, with a
 * transport over HTTP (invoke) and Server-Sent Events (events) on the bridge's own origin.
 * Bundled at bridge start-up; never part of the app.
 */
import { buildApi, type Result, type Transport } from '../../electron/ipc/api.js';

const BASE = '/__bridge';
const listeners = new Map<string, Set<(payload: unknown) => void>>();
let source: EventSource | undefined;

function ensureSource(): void {
  if (source) {
    return;
  }
  source = new EventSource(`${BASE}/events`);
  source.onmessage = (m: MessageEvent<string>) => {
    const { channel, payload } = JSON.parse(m.data) as { channel: string; payload: unknown };
    for (const l of listeners.get(channel) ?? []) {
      l(payload);
    }
  };
}

const transport: Transport = {
  async invoke(channel, input) {
    const res = await fetch(`${BASE}/invoke/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input === undefined ? {} : { input }),
    });
    return (await res.json()) as Result<unknown>;
  },
  subscribe(channel, listener) {
    ensureSource();
    let set = listeners.get(channel);
    if (!set) {
      set = new Set();
      listeners.set(channel, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
    };
  },
};

(window as unknown as { api: unknown }).api = buildApi(transport);
