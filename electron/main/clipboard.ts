/**
 * The system clipboard for the one secret an admin pastes into a console (the dbt SCIM token into
 * Okta's "Bearer" field). Written here, in main, so the value never crosses IPC to the renderer.
 */
import { clipboard } from 'electron';
import type { ClipboardPort } from '../core/ports.js';

export class SystemClipboard implements ClipboardPort {
  writeText(text: string): Promise<void> {
    return clipboard.writeText(text);
  }

  readText(): Promise<string> {
    return clipboard.readText();
  }
}
