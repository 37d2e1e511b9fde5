import type { WindowApi } from '../../../electron/ipc/api.js';

declare global {
  interface Window {
    /** Defined by the preload (Electron) or the test bridge (browser) before the bundle runs. */
    api: WindowApi;
  }
}

export {};
