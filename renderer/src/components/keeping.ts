import { useWizardStore } from '../store/wizard.js';

/** Where a token the admin enters goes, in words that match the token storage in the header. */
export function useKeepingText(): string {
  const status = useWizardStore((s) => s.secretStatus);
  if (status && !status.persistent) {
    return 'Kept in memory only until the app closes (see the header), never shown again.';
  }
  if (status?.weakBackend) {
    return 'Saved on this computer with basic protection, never shown again.';
  }
  return 'Kept encrypted on this computer, never shown again.';
}
