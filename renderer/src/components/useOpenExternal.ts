import { useState } from 'react';
import { client, toErrorInfo } from '../api/client.js';
import type { ErrorInfo } from '../store/wizard.js';

/**
 * Opens a page in the system browser through the engine; keeps the engine's refusal (a host that
 * is not a dbt, Okta or Microsoft page, say) for the caller's ErrorCallout.
 */
export function useOpenExternal(): {
  open: (url: string) => void;
  error: ErrorInfo | null;
  clear: () => void;
} {
  const [error, setError] = useState<ErrorInfo | null>(null);
  return {
    open: (url) => {
      setError(null);
      client.shell.openExternal({ url }).then(
        () => undefined,
        (e: unknown) => {
          setError(toErrorInfo(e));
        },
      );
    },
    error,
    clear: () => {
      setError(null);
    },
  };
}
