/**
 * The preload (sandboxed, bundled to out/preload/index.cjs): exposes `window.api`, one named
 * method per channel and one subscription per event, built by the same `buildApi` the test
 * bridge uses. Nothing generic (no raw ipcRenderer, no send/on by name) reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { buildApi, type Result, type Transport } from '../ipc/api.js';
import { CHANNELS, EVENTS } from '../ipc/channels.js';

const CHANNEL_SET: ReadonlySet<string> = new Set(CHANNELS);
const EVENT_SET: ReadonlySet<string> = new Set(Object.values(EVENTS));

const transport: Transport = {
  invoke(channel, input) {
    if (!CHANNEL_SET.has(channel)) {
      return Promise.resolve({
        ok: false,
        error: { code: 'bad_input', message: 'Unknown operation.' },
      });
    }
    return ipcRenderer.invoke(channel, input) as Promise<Result<unknown>>;
  },
  subscribe(channel, listener) {
    if (!EVENT_SET.has(channel)) {
      return () => undefined;
    }
    // The IpcRendererEvent (with its sender and ports) never reaches the page: only the payload.
    const handler = (_event: IpcRendererEvent, payload: unknown): void => {
      listener(payload);
    };
    ipcRenderer.on(channel, handler);
    return () => {
      ipcRenderer.removeListener(channel, handler);
    };
  },
};

contextBridge.exposeInMainWorld('api', buildApi(transport));
