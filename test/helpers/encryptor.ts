import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Encryptor } from '../../electron/core/ports.js';

/**
 * An Encryptor with a random in-memory AES-256-GCM key, standing in for Electron safeStorage in
 * tests and the demo. `backend` can be set to simulate Linux's weak `basic_text` store.
 */
export class MemoryKeyEncryptor implements Encryptor {
  private readonly key = randomBytes(32);

  constructor(
    public backendName = 'test_keyring',
    public available = true,
  ) {}

  isAvailable(): Promise<boolean> {
    return Promise.resolve(this.available);
  }

  backend(): Promise<string> {
    return Promise.resolve(this.backendName);
  }

  encrypt(plain: string): Promise<Buffer> {
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
    return Promise.resolve(Buffer.concat([iv, c.getAuthTag(), body]));
  }

  decrypt(cipher: Buffer): Promise<string> {
    const d = createDecipheriv('aes-256-gcm', this.key, cipher.subarray(0, 12));
    d.setAuthTag(cipher.subarray(12, 28));
    return Promise.resolve(
      Buffer.concat([d.update(cipher.subarray(28)), d.final()]).toString('utf8'),
    );
  }
}
