/**
 * The Encryptor port over Electron's asynchronous safeStorage API (OS keychain on macOS, DPAPI
 * on Windows, libsecret/kwallet on Linux). Use only after `app` is ready; before that every
 * call reports the store as unavailable.
 */
import { app, safeStorage } from 'electron';
import type { Encryptor } from '../core/ports.js';
import { WizardError } from '../core/errors.js';

export type SafeStorageLike = Pick<
  typeof safeStorage,
  | 'isAsyncEncryptionAvailable'
  | 'encryptStringAsync'
  | 'decryptStringAsync'
  | 'getSelectedStorageBackend'
>;

export interface SafeStorageEncryptorOptions {
  readonly storage?: SafeStorageLike;
  readonly platform?: NodeJS.Platform;
  readonly isReady?: () => boolean;
}

/** What safeStorage uses where it does not say: the macOS Keychain, Windows DPAPI. */
const NAMED_BACKENDS: Partial<Record<NodeJS.Platform, string>> = {
  darwin: 'keychain',
  win32: 'dpapi',
};

function unavailable(): WizardError {
  return new WizardError('secret_storage_unavailable', 'The system keyring is not available.', {
    remediation:
      'Unlock or set up your keyring (Keychain, Credential Manager or Secret Service) and try again.',
  });
}

export class SafeStorageEncryptor implements Encryptor {
  private readonly storage: SafeStorageLike;
  private readonly platform: NodeJS.Platform;
  private readonly isReady: () => boolean;

  constructor(options: SafeStorageEncryptorOptions = {}) {
    this.storage = options.storage ?? safeStorage;
    this.platform = options.platform ?? process.platform;
    this.isReady = options.isReady ?? (() => app.isReady());
  }

  async isAvailable(): Promise<boolean> {
    if (!this.isReady()) {
      return false;
    }
    try {
      return await this.storage.isAsyncEncryptionAvailable();
    } catch {
      return false;
    }
  }

  backend(): Promise<string> {
    if (this.platform === 'linux') {
      return Promise.resolve(this.isReady() ? this.storage.getSelectedStorageBackend() : 'unknown');
    }
    return Promise.resolve(NAMED_BACKENDS[this.platform] ?? 'unknown');
  }

  async encrypt(plain: string): Promise<Buffer> {
    if (!(await this.isAvailable())) {
      throw unavailable();
    }
    return this.storage.encryptStringAsync(plain);
  }

  async decrypt(cipher: Buffer): Promise<string> {
    if (!(await this.isAvailable())) {
      throw unavailable();
    }
    // `shouldReEncrypt` (a rotated OS key) is not acted on: secrets are rewritten on rotation anyway.
    const { result } = await this.storage.decryptStringAsync(cipher);
    return result;
  }
}
