import { Modal } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * Mantine's Modal, composed so that its header is a plain `div` (a `<header>` there would be a
 * second banner landmark) and its close button has a name.
 */
export function AppModal({
  opened,
  onClose,
  title,
  size = 'md',
  children,
}: {
  opened: boolean;
  onClose: () => void;
  title: ReactNode;
  size?: 'md' | 'lg';
  children: ReactNode;
}) {
  return (
    <Modal.Root opened={opened} onClose={onClose} size={size}>
      <Modal.Overlay />
      <Modal.Content>
        <Modal.Header component="div">
          <Modal.Title fw={600}>{title}</Modal.Title>
          <Modal.CloseButton aria-label="Close" />
        </Modal.Header>
        <Modal.Body>{children}</Modal.Body>
      </Modal.Content>
    </Modal.Root>
  );
}
