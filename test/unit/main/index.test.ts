import { describe, expect, it, vi } from 'vitest';

const mocks = vi.hoisted(() => ({ start: vi.fn(), createServices: vi.fn() }));

vi.mock('electron', () => ({}));
vi.mock('../../../electron/main/app.js', () => ({ start: mocks.start }));
vi.mock('../../../electron/services/container.js', () => ({
  createServices: mocks.createServices,
}));

describe('electron/main/index.ts', () => {
  it('starts once with the real services factory, the environment and the built paths', async () => {
    await import('../../../electron/main/index.js');
    expect(mocks.start).toHaveBeenCalledOnce();
    const deps = mocks.start.mock.calls[0]![0] as Record<string, unknown>;
    expect(deps.createServices).toBe(mocks.createServices);
    expect(deps.env).toBe(process.env);
    expect(deps.platform).toBe(process.platform);
    expect(String(deps.preloadPath).replaceAll('\\', '/')).toMatch(
      /electron\/preload\/index\.cjs$/,
    );
    expect(String(deps.rendererDir).replaceAll('\\', '/')).toMatch(/electron\/renderer$/);
  });
});
