import { MantineProvider } from '@mantine/core';
import type { ReactNode } from 'react';
import { cssVariablesResolver, theme } from './theme.js';

/** Mantine with the app theme; the colour scheme follows the OS. `env="test"` turns off transitions and portals. */
export function Providers({ children, env }: { children: ReactNode; env?: 'default' | 'test' }) {
  return (
    <MantineProvider
      theme={theme}
      cssVariablesResolver={cssVariablesResolver}
      defaultColorScheme="auto"
      env={env ?? 'default'}
    >
      {children}
    </MantineProvider>
  );
}
