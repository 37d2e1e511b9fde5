/**
 * The console-only steps of Okta's SCIM set-up for a custom SAML app (no public API can do them),
 * in the order the admin does them, each with the console's own labels, the page to open, the
 * values to copy, and a live check read back from Okta (okta.md §3):
 *  - enable-scim:    the app's `features` has SCIM_PROVISIONING;
 *  - username:       the application username template is Email (listed once SCIM is on and the
 *                    format is not Email: from then on only the console may change it);
 *  - integration:    `features` has GROUP_PUSH, the one feature only the Integration form sets;
 *  - test-connector: the dbt SCIM token's `last_used` moved after the step was shown (dbt saw
 *                    Okta's call), or the System Log has an authentication failure for the app;
 *  - to-app:         `features` has PUSH_NEW_USERS, PUSH_PROFILE_UPDATES, PUSH_USER_DEACTIVATION;
 *  - import:         optional, for existing integrations: groups imported from the app (not the
 *                    app groups its group pushes made), or an import in the System Log.
 * Which feature stands for which toggle is read from Okta's app `features` (okta.md §3: inferred
 * from Okta's enum descriptions); every message says what it read.
 */
import { isWizardError } from '../errors.js';
import type { CheckStatus } from '../model.js';
import { describeUserNameFormat, userNameFormat } from './inputs.js';
import { OKTA_FEATURES, type OktaApp, type OktaPort, type SystemLogEvent } from './ports.js';

export const OKTA_CONSOLE_IDS = [
  'okta.console.enable-scim',
  'okta.console.username',
  'okta.console.integration',
  'okta.console.test-connector',
  'okta.console.to-app',
  'okta.console.import',
] as const;
export type OktaConsoleId = (typeof OKTA_CONSOLE_IDS)[number];

/** System Log event types the checks read. */
export const OKTA_EVENTS = {
  authFailure: 'application.integration.authentication_failure',
  importSuccess: 'app.user_management.user_group_import.upsert_success',
} as const;

/** How far back an import counts (Okta keeps the System Log for 90 days). */
export const IMPORT_LOOKBACK_MS = 90 * 24 * 3600 * 1000;

/** One console step (fits `oktaConsoleItemSchema` of the IPC contract exactly). */
export interface OktaConsoleItem {
  id: string;
  title: string;
  status: CheckStatus;
  message: string;
  /** When the check was taken. */
  at: string;
  /** When Okta first showed the change (kept by the caller, echoed while it passes). */
  verifiedAt?: string;
  link: { label: string; url: string } | null;
  instructions: string[];
  values: { label: string; value: string }[];
  needsToken: boolean;
  optional: boolean;
}

export type OktaConsoleTab = 'general' | 'provisioning' | 'signon' | 'import' | 'user-management';

/** The app's page in the admin console, on one tab. */
export function consoleLink(
  adminUrl: string,
  app: Pick<OktaApp, 'id' | 'name'>,
  tab: OktaConsoleTab,
): string {
  const base = adminUrl.replace(/\/+$/, '');
  return `${base}/admin/app/${encodeURIComponent(app.name)}/instance/${encodeURIComponent(app.id)}/#tab-${tab}`;
}

const TAB_LABEL: Record<OktaConsoleTab, string> = {
  general: 'Open the app’s "General" tab',
  provisioning: 'Open the app’s "Provisioning" tab',
  signon: 'Open the app’s "Sign On" tab',
  import: 'Open the app’s "Import" tab',
  'user-management': 'Open the app’s "Push Groups" tab',
};

/** The To App toggles, by the feature Okta shows for each. */
export const TO_APP_TOGGLES = [
  { feature: OKTA_FEATURES.pushNewUsers, label: 'Create Users' },
  { feature: OKTA_FEATURES.pushProfileUpdates, label: 'Update User Attributes' },
  { feature: OKTA_FEATURES.pushUserDeactivation, label: 'Deactivate Users' },
] as const;

export interface CheckConsoleOptions {
  readonly okta: OktaPort;
  /** The app as just read from Okta. */
  readonly app: OktaApp;
  readonly adminUrl: string;
  /** dbt's SCIM base URL, shown to copy into "SCIM connector base URL". */
  readonly scimUrl?: string;
  /** The dbt SCIM token's last use (undefined when the dbt Admin API is not connected). */
  readonly dbtToken?: { getLastUsed(): Promise<string | null | undefined> };
  /** When each step was first shown to the admin (ISO). */
  readonly shownAt: Readonly<Record<string, string>>;
  /** When each step was first seen passing (ISO), kept by the caller. */
  readonly verifiedAt: Readonly<Record<string, string>>;
  /** dbt already has users and groups: the import step is expected. */
  readonly existingIntegration?: boolean;
  readonly now: Date;
  readonly signal?: AbortSignal;
}

const quoteList = (labels: readonly string[]): string => {
  const q = labels.map((l) => `"${l}"`);
  return q.length <= 1 ? (q[0] ?? '') : `${q.slice(0, -1).join(', ')} and ${q[q.length - 1] ?? ''}`;
};

const time = (iso: string): number => {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? NaN : t;
};

/** Reads System Log events, or undefined when the token may not read the log. */
async function readLog(
  okta: OktaPort,
  appId: string,
  since: string,
  eventType: string,
  signal: AbortSignal | undefined,
): Promise<SystemLogEvent[] | undefined> {
  try {
    return await okta.listAppLogEvents(
      appId,
      since,
      { eventTypes: [eventType], limit: 50 },
      signal,
    );
  } catch (e) {
    if (isWizardError(e) && e.code === 'permission_denied') {
      return undefined;
    }
    throw e;
  }
}

const LOG_DENIED =
  'The System Log cannot be read with this sign-in (it needs the okta.logs.read scope), so failures are not seen here.';

/** The console steps with their live checks, in the order the admin does them. */
export async function checkConsole(options: CheckConsoleOptions): Promise<OktaConsoleItem[]> {
  const { okta, app, adminUrl, shownAt, verifiedAt, now, signal } = options;
  const at = now.toISOString();
  const features = new Set(app.features);
  const scimOn = features.has(OKTA_FEATURES.scim);
  const groupPush = features.has(OKTA_FEATURES.groupPush);
  const existing = options.existingIntegration === true;

  const item = (
    id: OktaConsoleId,
    fields: Omit<
      OktaConsoleItem,
      'id' | 'at' | 'verifiedAt' | 'needsToken' | 'optional' | 'values'
    > &
      Partial<Pick<OktaConsoleItem, 'needsToken' | 'optional' | 'values'>>,
  ): OktaConsoleItem => {
    const seen = verifiedAt[id];
    return {
      id,
      title: fields.title,
      status: fields.status,
      message: fields.message,
      at,
      ...(fields.status === 'pass' && seen ? { verifiedAt: seen } : {}),
      link: fields.link,
      instructions: fields.instructions,
      values: fields.values ?? [],
      needsToken: fields.needsToken ?? false,
      optional: fields.optional ?? false,
    };
  };
  const link = (tab: OktaConsoleTab) => ({
    label: TAB_LABEL[tab],
    url: consoleLink(adminUrl, app, tab),
  });
  const scimFirst =
    'Waiting for Okta: turn on SCIM provisioning first (the "General" tab): the "Provisioning" tab appears only then.';

  const items: OktaConsoleItem[] = [];

  // 1. General → App Settings → Provisioning: SCIM
  items.push(
    item('okta.console.enable-scim', {
      title: 'Turn on SCIM provisioning',
      status: scimOn ? 'pass' : 'pending',
      message: scimOn
        ? 'Okta shows SCIM provisioning on (SCIM_PROVISIONING in the app’s features).'
        : 'Waiting for Okta: SCIM provisioning not shown yet (the app’s features have no SCIM_PROVISIONING).',
      link: link('general'),
      instructions: [
        'Open the app’s "General" tab.',
        'In "App Settings", click "Edit".',
        'Under "Provisioning", choose "SCIM" (older consoles: tick "Enable SCIM provisioning").',
        'Click "Save".',
      ],
    }),
  );

  // 2. Sign On → Application username format: Email (only the console, once SCIM is on)
  const format = userNameFormat(app.userNameTemplate);
  if (scimOn && (format !== 'email' || verifiedAt['okta.console.username'] !== undefined)) {
    items.push(
      item('okta.console.username', {
        title: 'Set the application username format to Email',
        status: format === 'email' ? 'pass' : 'pending',
        message:
          format === 'email'
            ? 'Okta shows the application username format Email (${source.email}): Okta sends each person’s email as the SCIM userName, as dbt matches users by email.'
            : `Waiting for Okta: application username format Email not shown yet (now: ${describeUserNameFormat(app.userNameTemplate)}). dbt matches users by email and refuses a userName that is not one. With SCIM on, only the console may change it: an API update of the whole app can reset provisioning. This changes the SAML subject dbt sees at sign-in from the Okta id to the email.`,
        link: link('signon'),
        instructions: [
          'Open the app’s "Sign On" tab.',
          'In "Settings", click "Edit".',
          '"Application username format": choose "Email".',
          'Click "Save".',
        ],
        values: [{ label: 'Application username format', value: 'Email' }],
      }),
    );
  }

  // 3. Provisioning → Integration
  const integrationInstructions = [
    'Open the app’s "Provisioning" tab and choose "Integration".',
    'Click "Edit".',
    '"SCIM connector base URL": paste the SCIM base URL from dbt.',
    '"Unique identifier field for users": type userName.',
    '"Supported provisioning actions": tick "Push New Users".',
    '"Supported provisioning actions": tick "Push Profile Updates".',
    '"Supported provisioning actions": tick "Push Groups".',
    ...(existing
      ? [
          '"Supported provisioning actions": tick "Import New Users and Profile Updates".',
          '"Supported provisioning actions": tick "Import Groups".',
        ]
      : []),
    '"Authentication Mode": choose "HTTP Header".',
    '"Bearer": paste the dbt SCIM token (copy it with the wizard’s "Copy the SCIM token": it is copied once and cleared from the clipboard after a minute).',
    'Click "Test Connector Configuration".',
    'Click "Save".',
  ];
  items.push(
    item('okta.console.integration', {
      title: 'Connect Okta to dbt’s SCIM API',
      status: groupPush ? 'pass' : 'pending',
      message: !scimOn
        ? scimFirst
        : groupPush
          ? 'Okta shows "Push Groups" on (GROUP_PUSH in the app’s features): the Integration settings are saved.'
          : 'Waiting for Okta: "Push Groups" not shown yet. Okta shows it (GROUP_PUSH in the app’s features) once the Integration settings are saved with "Push Groups" ticked; the other fields of this form cannot be read back through Okta’s API.',
      link: link('provisioning'),
      instructions: integrationInstructions,
      values: [
        ...(options.scimUrl ? [{ label: 'SCIM connector base URL', value: options.scimUrl }] : []),
        { label: 'Unique identifier field for users', value: 'userName' },
        { label: 'Authentication Mode', value: 'HTTP Header' },
      ],
      needsToken: true,
    }),
  );

  // 4. Test Connector Configuration
  items.push(
    item('okta.console.test-connector', {
      title: 'Test the connection to dbt',
      ...(await testConnector()),
      link: link('provisioning'),
      instructions: [
        'In "Provisioning" → "Integration" → "Edit", click "Test Connector Configuration".',
        'Okta calls dbt with the token in "Bearer" and lists what it found; close the result.',
        'Click "Save".',
      ],
    }),
  );

  // 5. Provisioning → To App
  const missing = TO_APP_TOGGLES.filter((t) => !features.has(t.feature));
  items.push(
    item('okta.console.to-app', {
      title: 'Turn on "Create Users", "Update User Attributes" and "Deactivate Users"',
      status: missing.length === 0 ? 'pass' : 'pending',
      message:
        missing.length === 0
          ? `Okta shows ${quoteList(TO_APP_TOGGLES.map((t) => t.label))} on (${TO_APP_TOGGLES.map((t) => t.feature).join(', ')} in the app’s features).`
          : !scimOn
            ? scimFirst
            : !groupPush && missing.length === TO_APP_TOGGLES.length
              ? 'Waiting for Okta: save the Integration settings first; the "To App" settings appear after that.'
              : `Waiting for Okta: ${quoteList(missing.map((t) => t.label))} not shown yet (no ${missing.map((t) => t.feature).join(', ')} in the app’s features).`,
      link: link('provisioning'),
      instructions: [
        'Open the app’s "Provisioning" tab and choose "To App".',
        'Click "Edit".',
        'Enable "Create Users".',
        'Enable "Update User Attributes".',
        'Enable "Deactivate Users".',
        'Click "Save".',
      ],
    }),
  );

  // 6. Import (existing integrations)
  items.push(
    item('okta.console.import', {
      title: 'Import dbt’s existing users and groups',
      ...(await importCheck()),
      link: link('import'),
      instructions: [
        'In "Provisioning" → "Integration" → "Edit", tick "Import New Users and Profile Updates" and "Import Groups", then click "Save".',
        'Open the app’s "Import" tab.',
        'Click "Import Now".',
        'Review the matches and click "Confirm Assignments".',
      ],
      optional: true,
    }),
  );

  return items;

  async function testConnector(): Promise<{ status: CheckStatus; message: string }> {
    if (!scimOn) {
      return { status: 'pending', message: scimFirst };
    }
    const id = 'okta.console.test-connector';
    const since = shownAt[id] ?? at;
    const lastUsed = options.dbtToken ? await options.dbtToken.getLastUsed() : undefined;
    const failures = await readLog(okta, app.id, since, OKTA_EVENTS.authFailure, signal);
    const latestFailure = failures?.reduce<SystemLogEvent | undefined>(
      (a, e) => (a === undefined || time(e.published) > time(a.published) ? e : a),
      undefined,
    );
    const failed = (): { status: CheckStatus; message: string } => ({
      status: 'fail',
      message: `Okta’s System Log shows an authentication failure against dbt at ${latestFailure?.published ?? since}${latestFailure?.reason ? ` (“${latestFailure.reason.slice(0, 200)}”)` : ''}: Okta could not authenticate to dbt with the token in "Bearer". Copy the dbt SCIM token again (the wizard’s "Copy the SCIM token") and paste it into "Bearer"; check "SCIM connector base URL"; and if dbt has IP restrictions on, allow Okta’s IP ranges. Then "Test Connector Configuration" again.`,
    });

    if (lastUsed === undefined) {
      // No dbt Admin API: the System Log alone (a weaker check: it sees failures only).
      if (latestFailure) {
        return failed();
      }
      const weak =
        'The wizard cannot see when dbt last accepted the token (connect the dbt Admin API for that), so this check is weaker: it watches Okta’s System Log for failures only.';
      if (groupPush) {
        return {
          status: 'pass',
          message: `Okta shows the Integration settings saved and no authentication failure against dbt since this step was shown${failures === undefined ? ` (${LOG_DENIED})` : ''}. ${weak}`,
        };
      }
      return {
        status: 'pending',
        message: `Waiting for Okta: a saved connection not shown yet. ${weak}${failures === undefined ? ` ${LOG_DENIED}` : ''}`,
      };
    }
    const moved = lastUsed !== null && time(lastUsed) > time(since);
    if (moved && (!latestFailure || time(latestFailure.published) <= time(lastUsed))) {
      return {
        status: 'pass',
        message: `Okta reached dbt: dbt shows the SCIM token used at ${lastUsed}, after this step was shown.`,
      };
    }
    if (latestFailure) {
      return failed();
    }
    return {
      status: 'pending',
      message: `Waiting for Okta: a call to dbt with the SCIM token not shown yet (dbt shows it ${lastUsed ? `last used at ${lastUsed}` : 'never used'}).${failures === undefined ? ` ${LOG_DENIED}` : ''}`,
    };
  }

  /** The app groups the app's group pushes target, or undefined when they cannot be read. */
  async function pushTargets(): Promise<Set<string> | undefined> {
    try {
      const mappings = await okta.listGroupPushMappings(app.id, signal);
      return new Set(mappings.flatMap((m) => (m.targetGroupId ? [m.targetGroupId] : [])));
    } catch (e) {
      if (isWizardError(e) && e.code !== 'cancelled') {
        // Then only the System Log tells an import.
        return undefined;
      }
      throw e;
    }
  }

  async function importCheck(): Promise<{ status: CheckStatus; message: string }> {
    const notNeeded = {
      status: 'skip' as const,
      message:
        'Only for existing integrations: import when dbt already has users and groups that Okta should manage.',
    };
    if (!scimOn) {
      return existing ? { status: 'pending', message: scimFirst } : notNeeded;
    }
    let groups = (await okta.listAppGroups(app.id, signal)).filter(
      (g) => g.type === 'APP_GROUP' && g.sourceId === app.id,
    );
    if (groups.length > 0) {
      // A group push makes an app group too (its target): that is not an import.
      const pushed = await pushTargets();
      groups = pushed ? groups.filter((g) => !pushed.has(g.id)) : [];
    }
    if (groups.length > 0) {
      return {
        status: 'pass',
        message: `Okta shows ${groups.length === 1 ? '1 group' : `${groups.length} groups`} imported from dbt.`,
      };
    }
    const since = new Date(now.getTime() - IMPORT_LOOKBACK_MS).toISOString();
    const imports = await readLog(okta, app.id, since, OKTA_EVENTS.importSuccess, signal);
    const last = imports?.at(-1);
    if (last) {
      return {
        status: 'pass',
        message: `Okta’s System Log shows an import from dbt at ${last.published}.`,
      };
    }
    return existing
      ? {
          status: 'pending',
          message: `Waiting for Okta: an import from dbt not shown yet (no groups imported from the app, no import in the System Log).${imports === undefined ? ` ${LOG_DENIED}` : ''}`,
        }
      : notNeeded;
  }
}
