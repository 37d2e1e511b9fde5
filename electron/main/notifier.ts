/**
 * OS notifications through Electron. A click brings the window forward (restoring it when
 * minimised) before the service's own click action runs.
 */
import { Notification, type BrowserWindow } from 'electron';
import type { Logger, NotifierPort } from '../core/ports.js';

export class ElectronNotifier implements NotifierPort {
  constructor(
    private readonly window: () => Pick<
      BrowserWindow,
      'isMinimized' | 'restore' | 'show' | 'focus'
    > | null,
    private readonly log: Logger,
  ) {}

  notify(notification: { title: string; body: string; onClick: () => void }): void {
    if (!Notification.isSupported()) {
      this.log.info('notifications are not supported here', { title: notification.title });
      return;
    }
    const n = new Notification({ title: notification.title, body: notification.body });
    n.on('click', () => {
      const win = this.window();
      if (win) {
        if (win.isMinimized()) {
          win.restore();
        }
        win.show();
        win.focus();
      }
      notification.onClick();
    });
    n.show();
  }
}
