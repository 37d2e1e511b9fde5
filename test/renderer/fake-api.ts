/**
 * An in-memory `WindowApi` for the renderer tests: profiles kept in a list, every call recorded,
 * any method can be told to fail, and engine events can be pushed to subscribers.
 */
import { buildApi, type WindowApi } from '../../electron/ipc/api.js';
import type { Channel } from '../../electron/ipc/channels.js';
import type {
  EngineEventDto,
  Input,
  Output,
  ProfileDto,
  SecretMetaDto,
  SecretStatusDto,
} from '../../electron/ipc/contract.js';

type StepId = ProfileDto['currentStep'];
type StepStatus = ProfileDto['steps'][StepId]['status'];

type Handler<C extends Channel> = (input: Input<C>) => Output<C>;
type Handlers = { [C in Channel]?: Handler<C> };

const STEPS: readonly StepId[] = ['prerequisites', 'dbt', 'idp', 'license', 'test', 'rotation'];

export function makeProfile(
  over: Partial<Omit<ProfileDto, 'steps'>> & { steps?: Partial<Record<StepId, StepStatus>> } = {},
): ProfileDto {
  const { steps: statuses = {}, ...rest } = over;
  const steps = Object.fromEntries(
    STEPS.map((s) => [s, { status: statuses[s] ?? 'not_started' }]),
  ) as ProfileDto['steps'];
  return {
    id: 'p1',
    name: 'Acme Analytics',
    idp: 'okta',
    dbt: {},
    manual: {},
    currentStep: 'prerequisites',
    createdAt: '2026-11-29T10:00:00.000Z',
    updatedAt: '2026-11-29T10:00:00.000Z',
    ...rest,
    steps,
  };
}

export interface Call {
  readonly method: string;
  readonly input: unknown;
}

export interface FakeApiOptions {
  profiles?: ProfileDto[];
  activeProfileId?: string | null;
  secretStatus?: Partial<SecretStatusDto>;
  interrupted?: Output<'wizard:interrupted'>;
}

export class FakeApi {
  readonly calls: Call[] = [];
  profiles: ProfileDto[];
  activeProfileId: string | null;
  secretStatus: SecretStatusDto;
  interrupted: Output<'wizard:interrupted'>;
  secrets = new Map<string, SecretMetaDto[]>();
  private readonly failures = new Map<string, { code: string; message: string }>();
  private readonly listeners = new Set<(event: EngineEventDto) => void>();
  private nextId = 1;

  constructor(options: FakeApiOptions = {}) {
    this.profiles = options.profiles ?? [];
    this.activeProfileId =
      options.activeProfileId !== undefined
        ? options.activeProfileId
        : (this.profiles[0]?.id ?? null);
    this.secretStatus = {
      persistent: true,
      backend: 'gnome_libsecret',
      weakBackend: false,
      weakBackendAccepted: false,
      ...options.secretStatus,
    };
    this.interrupted = options.interrupted ?? [];
  }

  /** Makes `method` ("profiles.list") answer `ok:false` with this error until `succeed` is called. */
  fail(method: string, error: { code: string; message: string }): void {
    this.failures.set(method, error);
  }

  succeed(method: string): void {
    this.failures.delete(method);
  }

  callsTo(method: string): unknown[] {
    return this.calls.filter((c) => c.method === method).map((c) => c.input);
  }

  /** Pushes an engine event to every subscriber. */
  emit(event: EngineEventDto): void {
    for (const l of this.listeners) {
      l(event);
    }
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }

  private profile(id: string): ProfileDto {
    const p = this.profiles.find((x) => x.id === id);
    if (!p) {
      throw new Error(`No profile ${id}.`);
    }
    return p;
  }

  private replace(next: ProfileDto): ProfileDto {
    this.profiles = this.profiles.map((p) => (p.id === next.id ? next : p));
    return next;
  }

  /** Handlers of the channels the fake serves; tests may add or replace one with `handle`. */
  private readonly handlers: Handlers = {
    'app:info': () => ({
      name: 'dbt SCIM Wizard',
      version: '0.1.0',
      platform: 'linux',
      face: 'bridge',
    }),
    'profiles:list': () => ({
      profiles: structuredClone(this.profiles),
      activeProfileId: this.activeProfileId,
    }),
    'profiles:create': (input) => {
      const profile = makeProfile({
        id: `new${this.nextId++}`,
        name: input.name.trim(),
        idp: input.idp,
      });
      this.profiles.push(profile);
      this.activeProfileId = profile.id;
      return structuredClone(profile);
    },
    'profiles:update': (input) => {
      const p = this.profile(input.id);
      return structuredClone(
        this.replace({
          ...p,
          ...(input.name !== undefined ? { name: input.name.trim() } : {}),
          ...(input.idp !== undefined ? { idp: input.idp } : {}),
        }),
      );
    },
    'profiles:select': (input) => {
      this.profile(input.id);
      this.activeProfileId = input.id;
      return null;
    },
    'profiles:delete': (input) => {
      this.profile(input.id);
      this.profiles = this.profiles.filter((p) => p.id !== input.id);
      if (this.activeProfileId === input.id) {
        this.activeProfileId = this.profiles[0]?.id ?? null;
      }
      this.secrets.delete(input.id);
      return null;
    },
    'wizard:goto': (input) =>
      structuredClone(this.replace({ ...this.profile(input.profileId), currentStep: input.step })),
    'wizard:interrupted': (input) => {
      this.profile(input.profileId);
      return structuredClone(this.interrupted);
    },
    'secrets:status': () => ({ ...this.secretStatus }),
    'secrets:acceptWeakBackend': (input) => {
      this.secretStatus = {
        ...this.secretStatus,
        weakBackendAccepted: input.accepted,
        persistent: !this.secretStatus.weakBackend || input.accepted,
      };
      return { ...this.secretStatus };
    },
    'secrets:list': (input) => [...(this.secrets.get(input.profileId) ?? [])],
    'secrets:set': (input) => {
      this.profile(input.profileId);
      const meta: SecretMetaDto = {
        name: input.name,
        last4: input.value.slice(-4),
        createdAt: '2026-11-29T10:00:00.000Z',
      };
      const list = (this.secrets.get(input.profileId) ?? []).filter((m) => m.name !== input.name);
      this.secrets.set(input.profileId, [...list, meta]);
      return meta;
    },
    'secrets:delete': (input) => {
      const list = this.secrets.get(input.profileId) ?? [];
      this.secrets.set(
        input.profileId,
        list.filter((m) => m.name !== input.name),
      );
      return null;
    },
    'shell:openExternal': () => null,
  };

  /** Serves `channel` with `handler` (for channels the fake does not know, or to override one). */
  handle<C extends Channel>(channel: C, handler: Handler<C>): void {
    (this.handlers as Record<string, unknown>)[channel] = handler;
  }

  /**
   * The `window.api` object, built by the same `buildApi` as the preload and the bridge, so it has
   * every method of the contract. A channel without a handler answers `not_implemented`.
   */
  readonly api: WindowApi = buildApi({
    invoke: (channel, input) => {
      const method = channel.replace(':', '.');
      this.calls.push({ method, input });
      const failure = this.failures.get(method);
      if (failure) {
        return Promise.resolve({ ok: false, error: failure });
      }
      const handler = this.handlers[channel] as ((input: unknown) => unknown) | undefined;
      if (!handler) {
        return Promise.resolve({
          ok: false,
          error: { code: 'not_implemented', message: `The fake api does not serve ${channel}.` },
        });
      }
      try {
        return Promise.resolve({ ok: true, value: handler(input) });
      } catch (e) {
        return Promise.resolve({
          ok: false,
          error: { code: 'not_found', message: e instanceof Error ? e.message : String(e) },
        });
      }
    },
    subscribe: (_channel, listener) => {
      const typed = listener as (event: EngineEventDto) => void;
      this.listeners.add(typed);
      return () => {
        this.listeners.delete(typed);
      };
    },
  });
}
