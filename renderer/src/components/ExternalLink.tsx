import { Anchor, VisuallyHidden } from '@mantine/core';
import { IconExternalLink } from '@tabler/icons-react';
import type { ReactNode } from 'react';

/**
 * A link that opens in the system browser through the engine (which refuses hosts that are not
 * dbt, Okta or Microsoft pages); the window itself never navigates.
 */
export function ExternalLink({
  url,
  onOpen,
  children,
}: {
  url: string;
  onOpen: (url: string) => void;
  children: ReactNode;
}) {
  return (
    <Anchor
      href={url}
      size="sm"
      className="external-link"
      onClick={(e) => {
        e.preventDefault();
        onOpen(url);
      }}
    >
      {children}
      <IconExternalLink size={14} aria-hidden style={{ marginLeft: 4, verticalAlign: -2 }} />
      <VisuallyHidden> (opens in your browser)</VisuallyHidden>
    </Anchor>
  );
}
