/**
 * Secret stores. The app's store keeps one file per profile, mode 0600, holding a versioned
 * envelope whose values are encrypted by the OS (Electron safeStorage, through the Encryptor
 * port). It refuses to persist when encryption is unavailable, or when the Linux backend is
 * `basic_text` (a hard-coded key) unless the admin explicitly accepted that risk.
 *
 * Every value read or written is registered with the redaction sink.
 */
import { join } from 'node:path';
import { unlink } from 'node:fs/promises';
import { z } from 'zod';
import { WizardError } from '../errors.js';
import type { Encryptor, SecretMeta, SecretStore } from '../ports.js';
import { lastFour, registerSecret } from '../redact.js';
import { readTextIfExists, safeFileStem, writeFileAtomic } from './files.js';

export const SECRET_FILE_FORMAT = 'dbt-scim-wizard/secrets';
export const SECRET_FILE_VERSION = 1;

const metaSchema = z.object({
  name: z.string(),
  last4: z.string(),
  createdAt: z.string(),
  lastVerifiedAt: z.string().optional(),
});

const envelopeSchema = z.object({
  format: z.literal(SECRET_FILE_FORMAT),
  version: z.literal(SECRET_FILE_VERSION),
  backend: z.string(),
  entries: z.record(z.string(), z.object({ cipher: z.string(), meta: metaSchema })),
});
type Envelope = z.infer<typeof envelopeSchema>;

const SECRET_NAME = /^[a-z][a-z0-9._-]{0,63}$/;

function checkName(name: string): void {
  if (!SECRET_NAME.test(name)) {
    throw new WizardError('bad_input', `"${name}" is not a valid secret name.`, {
      remediation: 'Use lower-case letters, digits, dots, dashes or underscores.',
    });
  }
}

export interface EncryptedFileSecretStoreOptions {
  readonly dir: string;
  readonly encryptor: Encryptor;
  /** Whether the admin accepted storing secrets with the weak `basic_text` backend. */
  readonly weakBackendAccepted: () => Promise<boolean>;
  readonly now?: () => Date;
}

/** Backends that store secrets with a key anyone on the machine can read. */
export const WEAK_BACKENDS: ReadonlySet<string> = new Set(['basic_text']);

export class EncryptedFileSecretStore implements SecretStore {
  private readonly now: () => Date;

  constructor(private readonly options: EncryptedFileSecretStoreOptions) {
    this.now = options.now ?? (() => new Date());
  }

  private path(profileId: string): string {
    return join(this.options.dir, `${safeFileStem(profileId)}.json`);
  }

  private async load(profileId: string): Promise<Envelope | undefined> {
    const text = await readTextIfExists(this.path(profileId));
    if (text === undefined) {
      return undefined;
    }
    const parsed = envelopeSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new WizardError(
        'secret_storage_unavailable',
        'The secret file of this profile is not readable.',
        {
          remediation: 'Remove the profile’s saved tokens in Settings and enter them again.',
        },
      );
    }
    return parsed.data;
  }

  private async save(profileId: string, envelope: Envelope): Promise<void> {
    await writeFileAtomic(this.path(profileId), JSON.stringify(envelope, null, 2));
  }

  /** Throws unless secrets can be persisted safely (or the admin accepted the risk). */
  async assertWritable(): Promise<string> {
    const { encryptor } = this.options;
    if (!(await encryptor.isAvailable())) {
      throw new WizardError(
        'secret_storage_unavailable',
        'The system’s secret encryption is not available.',
        {
          remediation:
            'Unlock or install the system keyring (Keychain, DPAPI, GNOME Keyring or KWallet) and try again; until then tokens are kept in memory only.',
        },
      );
    }
    const backend = await encryptor.backend();
    if (WEAK_BACKENDS.has(backend) && !(await this.options.weakBackendAccepted())) {
      throw new WizardError(
        'secret_storage_unavailable',
        'No system keyring was found, so tokens would be stored with a fixed, publicly known key.',
        {
          remediation:
            'Install and unlock GNOME Keyring or KWallet and restart the app, or accept the risk explicitly in Settings.',
        },
      );
    }
    return backend;
  }

  async set(profileId: string, name: string, value: string): Promise<SecretMeta> {
    checkName(name);
    registerSecret(value);
    const backend = await this.assertWritable();
    const envelope = (await this.load(profileId)) ?? {
      format: SECRET_FILE_FORMAT,
      version: SECRET_FILE_VERSION,
      backend,
      entries: {},
    };
    const cipher = await this.options.encryptor.encrypt(value);
    const meta: SecretMeta = { name, last4: lastFour(value), createdAt: this.now().toISOString() };
    envelope.entries[name] = { cipher: cipher.toString('base64'), meta };
    envelope.backend = backend;
    await this.save(profileId, envelope);
    return meta;
  }

  async get(profileId: string, name: string): Promise<string | undefined> {
    const entry = (await this.load(profileId))?.entries[name];
    if (!entry) {
      return undefined;
    }
    const value = await this.options.encryptor.decrypt(Buffer.from(entry.cipher, 'base64'));
    registerSecret(value);
    return value;
  }

  async delete(profileId: string, name: string): Promise<void> {
    const envelope = await this.load(profileId);
    if (!envelope?.entries[name]) {
      return;
    }
    // Rebuild the record without the entry: dynamic `delete` is avoided on purpose.
    envelope.entries = Object.fromEntries(
      Object.entries(envelope.entries).filter(([k]) => k !== name),
    );
    await this.save(profileId, envelope);
  }

  async list(profileId: string): Promise<SecretMeta[]> {
    const envelope = await this.load(profileId);
    return envelope ? Object.values(envelope.entries).map((e) => e.meta) : [];
  }

  async markVerified(profileId: string, name: string, at: Date): Promise<void> {
    const envelope = await this.load(profileId);
    const entry = envelope?.entries[name];
    if (!envelope || !entry) {
      return;
    }
    entry.meta = { ...entry.meta, lastVerifiedAt: at.toISOString() };
    await this.save(profileId, envelope);
  }

  async clear(profileId: string): Promise<void> {
    try {
      await unlink(this.path(profileId));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw e;
      }
    }
  }
}

/** Keeps secrets in memory only: for tests, the CLI (secrets from the environment) and sessions without a keyring. */
export class MemorySecretStore implements SecretStore {
  private readonly data = new Map<string, Map<string, { value: string; meta: SecretMeta }>>();

  constructor(private readonly now: () => Date = () => new Date()) {}

  private bucket(profileId: string): Map<string, { value: string; meta: SecretMeta }> {
    let b = this.data.get(profileId);
    if (!b) {
      b = new Map();
      this.data.set(profileId, b);
    }
    return b;
  }

  set(profileId: string, name: string, value: string): Promise<SecretMeta> {
    checkName(name);
    registerSecret(value);
    const meta: SecretMeta = { name, last4: lastFour(value), createdAt: this.now().toISOString() };
    this.bucket(profileId).set(name, { value, meta });
    return Promise.resolve(meta);
  }

  get(profileId: string, name: string): Promise<string | undefined> {
    return Promise.resolve(this.data.get(profileId)?.get(name)?.value);
  }

  delete(profileId: string, name: string): Promise<void> {
    this.data.get(profileId)?.delete(name);
    return Promise.resolve();
  }

  list(profileId: string): Promise<SecretMeta[]> {
    return Promise.resolve([...(this.data.get(profileId)?.values() ?? [])].map((e) => e.meta));
  }

  markVerified(profileId: string, name: string, at: Date): Promise<void> {
    const e = this.data.get(profileId)?.get(name);
    if (e) {
      e.meta = { ...e.meta, lastVerifiedAt: at.toISOString() };
    }
    return Promise.resolve();
  }

  clear(profileId: string): Promise<void> {
    this.data.delete(profileId);
    return Promise.resolve();
  }
}
