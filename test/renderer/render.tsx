/** Renders the whole app against a fake api, the way main.tsx does (Mantine in test mode). */
import { render, screen, type RenderResult } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { setApi } from '../../renderer/src/api/client.js';
import { App } from '../../renderer/src/App.js';
import { Providers } from '../../renderer/src/Providers.js';
import { FakeApi, type FakeApiOptions } from './fake-api.js';

export function renderApp(options: FakeApiOptions | FakeApi = {}): {
  fake: FakeApi;
  user: ReturnType<typeof userEvent.setup>;
  view: RenderResult;
} {
  const fake = options instanceof FakeApi ? options : new FakeApi(options);
  setApi(fake.api);
  const user = userEvent.setup();
  const view = render(
    <Providers env="test">
      <App />
    </Providers>,
  );
  return { fake, user, view };
}

/** Waits until the wizard (rail + step screen) is on screen. */
export async function findRail(): Promise<HTMLElement> {
  return screen.findByRole('navigation', { name: 'Setup steps' });
}
