/**
 * The identity provider's end of a rotation (`IdpTokenSink`):
 *  - Entra: "Test connection" with the new token (validateCredentials), the secrets PUT, the old
 *    secret put back on failure, and the provisioning job out of quarantine as the proof;
 *  - Okta: no API can set the token of a custom SAML app's SCIM connection, so `install` asks the
 *    admin to paste it into "Bearer" and to "Test Connector Configuration"; the proof is dbt
 *    showing the new token used after that was asked (Okta's call), read through the Admin API.
 */
import { WizardError } from '../errors.js';
import type { DbtAdminPort } from '../dbt/ports.js';
import type { GraphPort } from '../entra/ports.js';
import { explainQuarantine } from '../entra/quarantine.js';
import type { IdpTokenSink, InstallResult, RotationState } from './rotation.js';

export interface EntraSinkOptions {
  readonly graph: GraphPort;
  readonly spId: string;
  readonly jobId: string;
  /** dbt's SCIM base URL (Entra's Tenant URL). */
  readonly scimUrl: string;
  /** Told which token Entra holds after each PUT (to keep the credentials fingerprint current). */
  readonly onSaved?: (which: 'new' | 'old', token: string) => Promise<void>;
}

export function entraSink(options: EntraSinkOptions): IdpTokenSink {
  const { graph, spId, jobId, scimUrl } = options;
  const put = async (token: string, signal?: AbortSignal): Promise<void> => {
    await graph.putSecrets(
      spId,
      [
        { key: 'BaseAddress', value: scimUrl },
        { key: 'SecretToken', value: token },
      ],
      signal,
    );
  };
  return {
    idp: 'entra',
    async test(newToken, signal) {
      await graph.validateCredentials(
        spId,
        jobId,
        { baseAddress: scimUrl, secretToken: newToken },
        signal,
      );
    },
    async install(newToken, signal): Promise<InstallResult> {
      await put(newToken, signal);
      await options.onSaved?.('new', newToken);
      return { installed: true, message: 'Entra saved the new token as the Secret Token.' };
    },
    async restore(oldToken, signal) {
      await put(oldToken, signal);
      await options.onSaved?.('old', oldToken);
    },
    async proven(_state, signal) {
      const job = await graph.getJob(spId, jobId, signal);
      if (!job) {
        throw new WizardError('not_found', 'Entra no longer has the provisioning job.', {
          remediation: 'Run `entra apply` to set provisioning up again, then rotate.',
        });
      }
      if (job.statusCode === 'Quarantine') {
        return { status: 'fail', message: explainQuarantine(job) };
      }
      return {
        status: 'pass',
        message: `Entra tested and holds the new token; the provisioning job is ${job.statusCode}, not in quarantine.`,
      };
    },
  };
}

export interface OktaSinkOptions {
  readonly admin: DbtAdminPort;
  /** The admin console page to open, when known. */
  readonly consoleUrl?: string;
  /**
   * Hands the new value to the admin (a terminal on request, or the wizard's copy button); true
   * when it did. Without it the value never leaves this computer.
   */
  readonly handOver?: (value: string) => Promise<boolean>;
}

export const OKTA_PASTE_INSTRUCTIONS: readonly string[] = [
  'Open the app’s "Provisioning" tab and choose "Integration", then "Edit".',
  '"Bearer": paste the new dbt SCIM token.',
  'Click "Test Connector Configuration", then "Save".',
];

export function oktaSink(options: OktaSinkOptions): IdpTokenSink {
  const { admin } = options;
  return {
    idp: 'okta',
    handsOver: options.handOver !== undefined,
    test() {
      // Okta has no API to test a connector with a token it does not hold yet.
      return Promise.resolve();
    },
    async install(newToken): Promise<InstallResult> {
      const handedOver = options.handOver ? await options.handOver(newToken) : false;
      return {
        installed: false,
        handedOver,
        message: `Okta: paste the new token into "Bearer" and click "Test Connector Configuration"${options.consoleUrl ? ` (${options.consoleUrl})` : ''}.`,
      };
    },
    instructions: () => [
      ...(options.consoleUrl ? [`Open ${options.consoleUrl}`] : []),
      ...OKTA_PASTE_INSTRUCTIONS,
    ],
    async proven(state: RotationState, signal) {
      if (state.newTokenId === undefined) {
        return { status: 'pending', message: 'The new token is not created yet.' };
      }
      const info = await admin.getScimToken(state.newTokenId, signal);
      if (!info) {
        return {
          status: 'fail',
          message: `dbt no longer has the new token "${state.newTokenName}" (id ${state.newTokenId}).`,
        };
      }
      // Measured against dbt's own reading before the ask, so clock skew cannot fake a proof.
      const since = state.baselineLastUsed ?? state.installAskedAt ?? null;
      const moved =
        info.lastUsed !== null && (since === null || Date.parse(info.lastUsed) > Date.parse(since));
      const asked = state.installAskedAt ? ` (${state.installAskedAt})` : '';
      if (moved) {
        return {
          status: 'pass',
          message: `Okta uses the new token: dbt shows it used at ${info.lastUsed}, after the paste was asked${asked}.`,
        };
      }
      const last = info.lastUsed
        ? `last used at ${info.lastUsed}, by the wizard’s own check`
        : 'never used';
      return {
        status: 'pending',
        message: `Waiting for Okta: dbt shows no use of the new token "${state.newTokenName}" since the paste was asked${asked} (${last}). In Okta, paste it into "Bearer" (Provisioning → Integration → Edit), click "Test Connector Configuration", then "Save"; then run the rotation again.`,
      };
    },
  };
}
