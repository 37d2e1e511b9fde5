import { Code } from '@mantine/core';
import { Fragment } from 'react';

/**
 * Text from the engine in which `backticks` mark a command or a value: those parts are shown as
 * code, the rest as plain text (never as HTML).
 */
export function CodeText({ text }: { text: string }) {
  const parts = text.split('`');
  // An odd count of backticks leaves the last one unmatched: show the text as it is.
  if (parts.length % 2 === 0) {
    return <>{text}</>;
  }
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 ? <Code key={i}>{part}</Code> : <Fragment key={i}>{part}</Fragment>,
      )}
    </>
  );
}
