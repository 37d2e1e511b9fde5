import { beforeEach, describe, expect, it, vi } from 'vitest';

const fake = vi.hoisted(() => {
  class FakeNotification {
    static supported = true;
    static instances: FakeNotification[] = [];
    static isSupported = () => FakeNotification.supported;
    readonly listeners = new Map<string, () => void>();
    readonly show = vi.fn();
    constructor(readonly options: { title: string; body: string }) {
      FakeNotification.instances.push(this);
    }
    on(event: string, l: () => void) {
      this.listeners.set(event, l);
      return this;
    }
  }
  return { FakeNotification };
});

vi.mock('electron', () => ({ Notification: fake.FakeNotification }));

const { ElectronNotifier } = await import('../../../electron/main/notifier.js');
const { memoryLogger } = await import('../../../electron/core/logger.js');

function fakeWindow(minimized: boolean) {
  return {
    isMinimized: vi.fn(() => minimized),
    restore: vi.fn(),
    show: vi.fn(),
    focus: vi.fn(),
  };
}

beforeEach(() => {
  fake.FakeNotification.instances = [];
  fake.FakeNotification.supported = true;
});

describe('ElectronNotifier', () => {
  it('shows the notification; a click restores and focuses the window, then runs the action', () => {
    const win = fakeWindow(true);
    const onClick = vi.fn();
    const notifier = new ElectronNotifier(() => win, memoryLogger().logger);
    notifier.notify({ title: 'Rotation overdue: Acme', body: 'Due 2026-11-01.', onClick });
    const [n] = fake.FakeNotification.instances;
    expect(n?.options).toEqual({ title: 'Rotation overdue: Acme', body: 'Due 2026-11-01.' });
    expect(n?.show).toHaveBeenCalledOnce();
    expect(onClick).not.toHaveBeenCalled();
    n?.listeners.get('click')?.();
    expect(win.restore).toHaveBeenCalledOnce();
    expect(win.focus).toHaveBeenCalledOnce();
    expect(onClick).toHaveBeenCalledOnce();
  });

  it('a click with no window still runs the action; unsupported platforms show nothing', () => {
    const onClick = vi.fn();
    const { logger, records } = memoryLogger();
    const notifier = new ElectronNotifier(() => null, logger);
    notifier.notify({ title: 't', body: 'b', onClick });
    fake.FakeNotification.instances[0]?.listeners.get('click')?.();
    expect(onClick).toHaveBeenCalledOnce();

    fake.FakeNotification.supported = false;
    notifier.notify({ title: 'u', body: 'b', onClick });
    expect(fake.FakeNotification.instances).toHaveLength(1);
    expect(records.some((r) => r.message.includes('not supported'))).toBe(true);
  });
});
