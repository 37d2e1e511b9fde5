/**
 * The one place `ipcMain` is used: binds the services' handler table to one `ipcMain.handle`
 * per channel, behind a sender check, and forwards engine events to trusted windows.
 */
import type { IpcMainInvokeEvent, WebContents } from 'electron';
import type { EngineEvent } from '../core/engine.js';
import type { Logger } from '../core/ports.js';
import type { Result } from '../ipc/api.js';
import { CHANNELS, EVENTS } from '../ipc/channels.js';
import { eventSchemas } from '../ipc/contract.js';
import { dispatch, type HandlerTable } from '../services/dispatch.js';
import { originOf } from './origin.js';

/** The parts of a WebFrameMain the check reads. */
interface FrameLike {
  readonly url: string;
  readonly parent: unknown;
  readonly processId?: number;
  readonly routingId?: number;
}

/** The parts of an invoke event the sender check reads (a structural subset, for tests). */
export interface SenderEvent {
  readonly sender: { readonly id: number; readonly mainFrame: FrameLike | null };
  readonly senderFrame: FrameLike | null;
}

export type SenderCheck = (event: SenderEvent) => boolean;

export interface SenderCheckOptions {
  /** Origins whose pages may call main: `app://wizard`, plus the dev server in development. */
  readonly origins: ReadonlySet<string>;
  /** Ids of the web contents the app created (its windows). */
  readonly trustedIds: ReadonlySet<number>;
}

function sameFrame(a: FrameLike, b: FrameLike | null): boolean {
  if (b === null) {
    return false;
  }
  if (a === b) {
    return true;
  }
  return (
    a.processId !== undefined &&
    a.routingId !== undefined &&
    a.processId === b.processId &&
    a.routingId === b.routingId
  );
}

/**
 * A sender is trusted when the message comes from the top frame (not a subframe) of a web
 * contents the app created, showing a page of an app origin.
 */
export function createSenderCheck(options: SenderCheckOptions): SenderCheck {
  return (event) => {
    const frame = event.senderFrame;
    if (frame?.parent !== null || !sameFrame(frame, event.sender.mainFrame)) {
      return false;
    }
    if (!options.trustedIds.has(event.sender.id)) {
      return false;
    }
    const origin = originOf(frame.url);
    return origin !== null && options.origins.has(origin);
  };
}

export const PERMISSION_DENIED: Result<never> = {
  ok: false,
  error: { code: 'permission_denied', message: 'This window is not allowed to use the app.' },
};

export interface IpcMainLike {
  handle(
    channel: string,
    listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
}

export interface BindOptions {
  readonly isTrustedSender: SenderCheck;
  readonly log: Logger;
}

/** Registers one handler per channel; returns a function that removes them all. */
export function bindIpc(
  ipcMain: IpcMainLike,
  handlers: HandlerTable,
  options: BindOptions,
): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, async (event, input) => {
      let trusted: boolean;
      try {
        trusted = options.isTrustedSender(event);
      } catch {
        trusted = false;
      }
      if (!trusted) {
        options.log.warn('refused an IPC call from a foreign sender', {
          channel,
          senderId: event.sender.id,
          origin: event.senderFrame ? (originOf(event.senderFrame.url) ?? 'none') : 'gone',
        });
        return PERMISSION_DENIED;
      }
      return dispatch(handlers, channel, input, options.log);
    });
  }
  return () => {
    for (const channel of CHANNELS) {
      ipcMain.removeHandler(channel);
    }
  };
}

type EventTarget = Pick<WebContents, 'id' | 'send' | 'isDestroyed' | 'getURL' | 'once'>;

export interface ForwardOptions {
  readonly origins: ReadonlySet<string>;
  readonly trustedIds: ReadonlySet<number>;
  readonly log?: Logger;
}

/**
 * Sends every engine event to `contents` as `event:engine`, parsed through the contract (so
 * nothing outside it leaves main), while the contents is trusted and shows an app page.
 * Unsubscribes when the contents is destroyed; returns the unsubscribe.
 */
export function forwardEvents(
  onEvent: (listener: (event: EngineEvent) => void) => () => void,
  contents: EventTarget,
  options: ForwardOptions,
): () => void {
  const schema = eventSchemas[EVENTS.engine];
  const unsubscribe = onEvent((event) => {
    if (contents.isDestroyed() || !options.trustedIds.has(contents.id)) {
      return;
    }
    const origin = originOf(contents.getURL());
    if (origin === null || !options.origins.has(origin)) {
      return;
    }
    const parsed = schema.safeParse(event);
    if (!parsed.success) {
      options.log?.warn('dropped an engine event that does not match the contract', {
        type: event.type,
      });
      return;
    }
    contents.send(EVENTS.engine, parsed.data);
  });
  contents.once('destroyed', () => {
    unsubscribe();
  });
  return unsubscribe;
}
