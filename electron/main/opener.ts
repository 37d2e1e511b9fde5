/**
 * Opens admin-console pages in the system browser, and only allowlisted https pages.
 */
import { shell } from 'electron';
import type { ExternalOpener } from '../core/ports.js';
import { assertExternalUrlAllowed } from '../services/external.js';

export class ShellOpener implements ExternalOpener {
  private readonly openExternal: (url: string) => Promise<void>;

  constructor(openExternal: (url: string) => Promise<void> = (url) => shell.openExternal(url)) {
    this.openExternal = openExternal;
  }

  async open(url: string): Promise<void> {
    // Throws a permission_denied WizardError for http, credentials in the URL or another host.
    const allowed = assertExternalUrlAllowed(url);
    await this.openExternal(allowed.toString());
  }
}
