import { describe, expect, it, vi } from 'vitest';
import { apiPaths } from '../../electron/ipc/api.js';
import { ApiError, client, setApi, toErrorInfo } from '../../renderer/src/api/client.js';
import { FakeApi, makeProfile } from './fake-api.js';

describe('fake api', () => {
  it('has every method of the contract', () => {
    const api = new FakeApi().api as unknown as Record<string, Record<string, unknown>>;
    const paths = Object.entries(api)
      .flatMap(([ns, methods]) => Object.keys(methods).map((m) => `${ns}.${m}`))
      .sort();
    expect(paths).toEqual(apiPaths());
  });
});

describe('api client', () => {
  it('unwraps ok:true into the value', async () => {
    const fake = new FakeApi({ profiles: [makeProfile({ id: 'a1', name: 'Acme' })] });
    setApi(fake.api);
    const list = await client.profiles.list();
    expect(list.activeProfileId).toBe('a1');
    expect(list.profiles.map((p) => p.name)).toEqual(['Acme']);
  });

  it('throws an ApiError with the code and message of ok:false', async () => {
    const fake = new FakeApi();
    fake.fail('profiles.create', { code: 'bad_input', message: 'Give the profile a name.' });
    setApi(fake.api);
    const error: unknown = await client.profiles
      .create({ name: '', idp: null })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'bad_input', message: 'Give the profile a name.' });
    expect(fake.callsTo('profiles.create')).toEqual([{ name: '', idp: null }]);
  });

  it('turns a transport failure into a plain ApiError without its text', async () => {
    const fake = new FakeApi();
    vi.spyOn(fake.api.app, 'info').mockRejectedValue(new Error('ECONNRESET at /secret/path'));
    setApi(fake.api);
    const error: unknown = await client.app.info().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'unavailable' });
    expect((error as Error).message).not.toContain('/secret/path');
  });

  it('reads window.api lazily when nothing is injected, and says so when it is missing', async () => {
    await expect(client.secrets.status()).rejects.toMatchObject({ code: 'unavailable' });
    const fake = new FakeApi({ secretStatus: { persistent: false } });
    Object.defineProperty(window, 'api', { value: fake.api, configurable: true });
    try {
      await expect(client.secrets.status()).resolves.toMatchObject({ persistent: false });
    } finally {
      Reflect.deleteProperty(window, 'api');
    }
  });

  it('subscribes to engine events and unsubscribes', () => {
    const fake = new FakeApi();
    setApi(fake.api);
    const seen: string[] = [];
    const off = client.events.onEngine((e) => seen.push(e.type));
    expect(fake.subscriberCount).toBe(1);
    fake.emit({
      type: 'progress',
      runId: 'r1',
      profileId: 'p1',
      step: 'dbt',
      kind: 'apply',
      message: 'Turning SCIM on',
      elapsedMs: 10,
      at: '2026-11-29T10:00:00.000Z',
    });
    off();
    expect(fake.subscriberCount).toBe(0);
    expect(seen).toEqual(['progress']);
  });

  it('describes unknown errors without their details', () => {
    expect(toErrorInfo(new TypeError('x is undefined at foo.ts:12'))).toEqual({
      code: 'internal',
      message: expect.not.stringContaining('foo.ts') as unknown,
    });
  });
});
