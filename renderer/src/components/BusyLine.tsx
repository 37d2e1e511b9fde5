import { Group, Loader, Text } from '@mantine/core';
import { useEffect, useState, type ReactNode } from 'react';

/**
 * What a running call is doing now ("Reading the dbt account…"), with the elapsed seconds once it
 * takes more than a moment. Lives inside a polite live region, so screen readers hear it once.
 */
export function BusyLine({ text }: { text: string }) {
  const [seconds, setSeconds] = useState(0);
  useEffect(() => {
    const started = Date.now();
    const timer = setInterval(() => {
      setSeconds(Math.floor((Date.now() - started) / 1000));
    }, 1000);
    return () => {
      clearInterval(timer);
    };
  }, []);
  return (
    <Group gap={8} wrap="nowrap">
      <Loader size={14} aria-hidden />
      <Text size="sm">
        {text}
        {seconds >= 2 && (
          <Text component="span" size="sm" c="dimmed" aria-hidden>
            {' '}
            {seconds} s
          </Text>
        )}
      </Text>
    </Group>
  );
}

/** A polite live region that always exists, so what appears in it is announced. */
export function LiveRegion({ children }: { children: ReactNode }) {
  return (
    <div role="status" aria-live="polite" className="live-region">
      {children}
    </div>
  );
}
