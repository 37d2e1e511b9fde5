import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { CodeText } from '../../renderer/src/components/CodeText.js';
import { Providers } from '../../renderer/src/Providers.js';

function html(text: string): string {
  const { container } = render(
    <Providers>
      <p>
        <CodeText text={text} />
      </p>
    </Providers>,
  );
  const p = container.querySelector('p');
  return [...(p?.childNodes ?? [])]
    .map((n) => (n.nodeName === 'CODE' ? `<code>${n.textContent ?? ''}</code>` : n.textContent))
    .join('');
}

describe('CodeText', () => {
  it('shows backticked parts as code and the rest as text, never as HTML', () => {
    expect(html('Run `entra apply` then `status`.')).toBe(
      'Run <code>entra apply</code> then <code>status</code>.',
    );
    expect(html('No code <b>here</b>')).toBe('No code <b>here</b>');
  });

  it('leaves an unmatched backtick as it is', () => {
    expect(html('It’s `odd')).toBe('It’s `odd');
  });
});
