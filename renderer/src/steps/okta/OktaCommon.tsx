/**
 * Words, small helpers and hooks the Okta screens share: the sign-in methods, the license types,
 * what each section waits for, the engine's progress line, and a clock for countdowns.
 * License values and display names are copied from core's LICENSE_TYPES (electron/core/okta/ports.ts),
 * which the renderer cannot import.
 */
import type { ProfileDto, StepId } from '../../model.js';
import type { LogEntry } from '../../store/events.js';
import type { OktaLicenseType, OktaSignInMethod, OktaView } from '../../store/okta.js';
import { useWizardStore } from '../../store/wizard.js';
import { stepTitle } from '../catalog.js';

/** How often the console steps are read while their section is on screen. */
export const POLL_MS = 5000;

export const SCIM_FEATURE = 'SCIM_PROVISIONING';

export const METHODS: readonly {
  value: OktaSignInMethod;
  label: string;
  description: string;
}[] = [
  {
    value: 'pkce',
    label: 'Sign in with your Okta account (recommended)',
    description:
      'Okta’s sign-in page opens in your browser. The wizard acts as you, with only the scopes listed below, and never sees your password. Needs a Native app registered once in your org.',
  },
  {
    value: 'service',
    label: 'Service app (private key)',
    description:
      'An API service app with a public key registered in Okta, the Okta API scopes granted and an admin role assigned. You paste its private key once.',
  },
  {
    value: 'token',
    label: 'API token',
    description: 'A token an administrator creates in Security › API › Tokens.',
  },
];

export const METHOD_NAMES: Readonly<Record<OktaSignInMethod, string>> = {
  pkce: 'Your Okta account, signed in through your browser',
  service: 'Service app with a private key',
  token: 'API token',
};

/** Shown before the API token field, so they are read before anything is pasted. */
export const TOKEN_WARNINGS: readonly { title: string; text: string }[] = [
  {
    title: 'Not scoped.',
    text: 'An API token can do everything the administrator who created it can do, in every Okta API, not only what the wizard needs.',
  },
  {
    title: 'Revoke it when you are done.',
    text: 'In the Okta Admin Console, open Security › API › Tokens and choose “Revoke” next to it once the setup is verified.',
  },
];

export const LICENSE_OPTIONS: readonly { value: OktaLicenseType; label: string }[] = [
  { value: 'it', label: 'IT' },
  { value: 'analyst', label: 'Analyst' },
  { value: 'developer', label: 'Developer' },
  { value: 'read_only', label: 'Read Only' },
];

export function isLicenseType(value: string | null): value is OktaLicenseType {
  return LICENSE_OPTIONS.some((o) => o.value === value);
}

/** The changes and checks of the licenseType attribute (the License types step shows these). */
export function isLicenseId(id: string): boolean {
  return id.startsWith('okta.license');
}

/** What a section still waits for, in the order the admin does it; undefined when nothing. */
export function waitingFor(
  profile: ProfileDto,
  view: OktaView,
  needs: 'signIn' | 'app',
): string | undefined {
  if (!profile.okta) {
    return 'Connect to your Okta org first (section 1).';
  }
  if (!view.account?.signedIn) {
    return 'Sign in to Okta first (section 1).';
  }
  if (needs === 'app' && !profile.okta.appId) {
    return 'Choose the dbt SSO app first (section 2).';
  }
  return undefined;
}

/** The same as `waitingFor`, worded for the steps after the Identity provider step. */
export function waitingForOnLaterStep(profile: ProfileDto, view: OktaView): string | undefined {
  if (!profile.okta) {
    return 'Connect to your Okta org on the Identity provider step first.';
  }
  if (!view.account?.signedIn) {
    return 'Sign in to Okta on the Identity provider step first.';
  }
  if (!profile.okta.appId) {
    return 'Choose the dbt SSO app on the Identity provider step first.';
  }
  return undefined;
}

/**
 * The engine's latest progress line for one step of a profile since a moment ("Waiting for Okta
 * to push the user… 12 s"), without the step's name or the log's elapsed suffix (the busy line
 * counts the seconds). Undefined when nothing came yet.
 */
export function useOktaProgressLine(
  profileId: string,
  step: StepId,
  since: string | null,
  active: boolean,
): string | undefined {
  const prefix = `${stepTitle(step, 'okta')}: `;
  const entry = useWizardStore((s) => {
    if (!active || !since) {
      return undefined;
    }
    const list: readonly LogEntry[] = s.log[profileId] ?? [];
    for (let i = list.length - 1; i >= 0; i--) {
      const e = list[i];
      if (!e || e.at < since) {
        break;
      }
      if (e.tone === 'info' && e.text.startsWith(prefix)) {
        return e;
      }
    }
    return undefined;
  });
  if (!entry) {
    return undefined;
  }
  return entry.text.slice(prefix.length).replace(/ · (\d+ min )?\d+ s$/, '');
}
