import type { ClipboardPort } from '../../electron/core/ports.js';

/** A clipboard that records what was written (the bridge and service tests use it). */
export class MemoryClipboard implements ClipboardPort {
  text = '';
  readonly writes: string[] = [];

  writeText(text: string): Promise<void> {
    this.text = text;
    this.writes.push(text);
    return Promise.resolve();
  }

  readText(): Promise<string> {
    return Promise.resolve(this.text);
  }
}
