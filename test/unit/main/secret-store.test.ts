import { describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  app: { isReady: vi.fn(() => true) },
  safeStorage: {
    isAsyncEncryptionAvailable: vi.fn(() => Promise.resolve(true)),
    encryptStringAsync: vi.fn((plain: string) =>
      Promise.resolve(Buffer.from(`enc:${Buffer.from(plain).toString('base64')}`)),
    ),
    decryptStringAsync: vi.fn((cipher: Buffer) =>
      Promise.resolve({
        result: Buffer.from(cipher.toString().slice(4), 'base64').toString(),
        shouldReEncrypt: false,
      }),
    ),
    getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret' as const),
  },
}));

vi.mock('electron', () => ({ app: electron.app, safeStorage: electron.safeStorage }));

import { SafeStorageEncryptor, type SafeStorageLike } from '../../../electron/main/secret-store.js';

describe('SafeStorageEncryptor', () => {
  it('round-trips through the async safeStorage API, never storing the plain text', async () => {
    const enc = new SafeStorageEncryptor({ platform: 'linux' });
    expect(await enc.isAvailable()).toBe(true);
    const cipher = await enc.encrypt('dbtc_PLANTED1234');
    expect(cipher).toBeInstanceOf(Buffer);
    expect(cipher.toString()).not.toContain('dbtc_PLANTED1234');
    expect(await enc.decrypt(cipher)).toBe('dbtc_PLANTED1234');
    expect(electron.safeStorage.encryptStringAsync).toHaveBeenCalledWith('dbtc_PLANTED1234');
    expect(electron.safeStorage.decryptStringAsync).toHaveBeenCalledWith(cipher);
  });

  it('names the backend: the Linux store, keychain on macOS, dpapi on Windows', async () => {
    expect(await new SafeStorageEncryptor({ platform: 'linux' }).backend()).toBe('gnome_libsecret');
    electron.safeStorage.getSelectedStorageBackend.mockReturnValueOnce('basic_text' as never);
    expect(await new SafeStorageEncryptor({ platform: 'linux' }).backend()).toBe('basic_text');
    expect(await new SafeStorageEncryptor({ platform: 'darwin' }).backend()).toBe('keychain');
    expect(await new SafeStorageEncryptor({ platform: 'win32' }).backend()).toBe('dpapi');
    expect(await new SafeStorageEncryptor({ platform: 'freebsd' }).backend()).toBe('unknown');
  });

  it('reports unavailable and refuses to encrypt or decrypt when the OS store is missing', async () => {
    const storage: SafeStorageLike = {
      ...electron.safeStorage,
      isAsyncEncryptionAvailable: () => Promise.resolve(false),
    };
    const enc = new SafeStorageEncryptor({ storage, platform: 'linux' });
    expect(await enc.isAvailable()).toBe(false);
    await expect(enc.encrypt('x')).rejects.toMatchObject({ code: 'secret_storage_unavailable' });
    await expect(enc.decrypt(Buffer.from('enc:x'))).rejects.toMatchObject({
      code: 'secret_storage_unavailable',
    });
  });

  it('treats an availability check that throws as unavailable', async () => {
    const storage: SafeStorageLike = {
      ...electron.safeStorage,
      isAsyncEncryptionAvailable: () => Promise.reject(new Error('no dbus')),
    };
    expect(await new SafeStorageEncryptor({ storage }).isAvailable()).toBe(false);
  });

  it('is unavailable before the app is ready (and never touches safeStorage then)', async () => {
    electron.app.isReady.mockReturnValue(false);
    electron.safeStorage.isAsyncEncryptionAvailable.mockClear();
    const enc = new SafeStorageEncryptor({ platform: 'linux' });
    expect(await enc.isAvailable()).toBe(false);
    expect(await enc.backend()).toBe('unknown');
    await expect(enc.encrypt('x')).rejects.toMatchObject({ code: 'secret_storage_unavailable' });
    expect(electron.safeStorage.isAsyncEncryptionAvailable).not.toHaveBeenCalled();
    electron.app.isReady.mockReturnValue(true);
  });
});
