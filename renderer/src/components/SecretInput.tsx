import { PasswordInput } from '@mantine/core';
import { IconLock } from '@tabler/icons-react';
import { useRef, type ReactNode, type RefObject } from 'react';

/**
 * A token field that never holds the value in React state or in a DOM attribute: it is
 * uncontrolled, read once on submit and cleared after. There is no "show" toggle: the wizard
 * never displays a token.
 */
export function SecretInput({
  inputRef,
  label,
  description,
  error,
  placeholder,
  onInput,
}: {
  inputRef: RefObject<HTMLInputElement | null>;
  label: string;
  description?: ReactNode;
  error?: ReactNode;
  placeholder?: string;
  onInput?: () => void;
}) {
  return (
    <PasswordInput
      ref={inputRef}
      label={label}
      description={description}
      error={error}
      aria-invalid={error ? true : undefined}
      placeholder={placeholder}
      autoComplete="off"
      spellCheck={false}
      maxLength={4096}
      onInput={onInput}
      rightSection={<IconLock size={16} aria-hidden />}
      rightSectionPointerEvents="none"
    />
  );
}

/** The ref of a SecretInput, with read and clear. */
export function useSecretInput(): {
  ref: RefObject<HTMLInputElement | null>;
  read: () => string;
  clear: () => void;
} {
  const ref = useRef<HTMLInputElement | null>(null);
  return {
    ref,
    read: () => ref.current?.value ?? '',
    clear: () => {
      if (ref.current) {
        ref.current.value = '';
      }
    },
  };
}
