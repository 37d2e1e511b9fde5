/**
 * A simple drawing of the Okta Admin Console's app page (made for the wizard, not a screenshot):
 * the app's tabs, and under "Provisioning" the settings list with "To App" and "Integration".
 * The part the current instruction is about is outlined and named in the accessible label.
 */

export type ConsoleSpot = 'general' | 'sign-on' | 'integration' | 'to-app' | 'import';

/** The app's tabs, left to right, each with where it starts. */
const TABS: readonly { label: string; spot?: ConsoleSpot; width: number; x: number }[] = [
  { label: 'General', spot: 'general', width: 70, x: 16 },
  { label: 'Sign On', spot: 'sign-on', width: 70, x: 92 },
  { label: 'Provisioning', width: 96, x: 168 },
  { label: 'Import', spot: 'import', width: 62, x: 270 },
  { label: 'Assignments', width: 92, x: 338 },
  { label: 'Push Groups', width: 92, x: 436 },
];

const SETTINGS: readonly { label: string; spot?: ConsoleSpot }[] = [
  { label: 'To App', spot: 'to-app' },
  { label: 'To Okta' },
  { label: 'Integration', spot: 'integration' },
];

const DESCRIPTIONS: Readonly<Record<ConsoleSpot, string>> = {
  general:
    'Drawing of the app page in the Okta Admin Console: the “General” tab, the first of the tabs under the app’s name, is outlined.',
  'sign-on':
    'Drawing of the app page in the Okta Admin Console: the “Sign On” tab, the second of the tabs under the app’s name, is outlined.',
  integration:
    'Drawing of the app page in the Okta Admin Console: the “Provisioning” tab is open, and in its “Settings” list on the left, “Integration” (the last entry) is outlined.',
  'to-app':
    'Drawing of the app page in the Okta Admin Console: the “Provisioning” tab is open, and in its “Settings” list on the left, “To App” (the first entry) is outlined.',
  import:
    'Drawing of the app page in the Okta Admin Console: the “Import” tab, next to “Provisioning”, is outlined.',
};

/**
 * Which part of the console a step is about: the tab its link opens (`#tab-general`, …), and on
 * the "Provisioning" tab the setting its first instruction names; by its words when it has no
 * link. Undefined when the drawing would not help.
 */
export function spotOf(
  link: string | undefined,
  instructions: readonly string[],
): ConsoleSpot | undefined {
  const first = instructions[0] ?? '';
  const tab = link ? /#tab-([a-z-]+)$/.exec(link)?.[1] : undefined;
  switch (tab) {
    case 'general':
      return 'general';
    case 'signon':
      return 'sign-on';
    case 'import':
      return 'import';
    case 'provisioning':
      return first.includes('To App') ? 'to-app' : 'integration';
    case undefined:
      break;
    default:
      return undefined;
  }
  if (first.includes('To App')) {
    return 'to-app';
  }
  if (first.includes('Integration')) {
    return 'integration';
  }
  if (/"Sign On"|“Sign On”/.test(first)) {
    return 'sign-on';
  }
  if (/"General"|“General”/.test(first)) {
    return 'general';
  }
  return undefined;
}

const STROKE = 'var(--mantine-color-default-border)';
const TEXT = 'var(--mantine-color-text)';
const DIMMED = 'var(--mantine-color-dimmed)';
const ACCENT = 'var(--mantine-color-blue-filled)';

export function ConsoleDrawing({ spot }: { spot: ConsoleSpot }) {
  const provisioningOpen = spot === 'integration' || spot === 'to-app';
  return (
    <svg
      role="img"
      aria-label={DESCRIPTIONS[spot]}
      viewBox="0 0 560 200"
      width="100%"
      style={{ maxWidth: 560, display: 'block' }}
      className="console-drawing"
    >
      <rect x="1" y="1" width="558" height="198" rx="6" style={{ fill: 'none', stroke: STROKE }} />
      <text x="16" y="28" fontSize="14" fontWeight="600" style={{ fill: TEXT }}>
        dbt (your SAML 2.0 app)
      </text>
      <line x1="1" y1="66" x2="559" y2="66" style={{ stroke: STROKE }} />
      {TABS.map((t) => {
        const open = t.label === 'Provisioning' ? provisioningOpen : t.spot === spot;
        const outlined = t.spot === spot;
        return (
          <g key={t.label}>
            <text
              x={t.x + t.width / 2}
              y="56"
              fontSize="12"
              textAnchor="middle"
              style={{ fill: open ? TEXT : DIMMED }}
              fontWeight={open ? 600 : 400}
            >
              {t.label}
            </text>
            {open && (
              <line
                x1={t.x}
                y1="65"
                x2={t.x + t.width}
                y2="65"
                style={{ stroke: ACCENT }}
                strokeWidth="3"
              />
            )}
            {outlined && (
              <rect
                x={t.x - 3}
                y="38"
                width={t.width + 6}
                height="26"
                rx="4"
                style={{ fill: 'none', stroke: ACCENT }}
                strokeWidth="2"
                strokeDasharray="4 3"
              />
            )}
          </g>
        );
      })}
      {provisioningOpen ? (
        <g>
          <text x="16" y="92" fontSize="11" style={{ fill: DIMMED }}>
            Settings
          </text>
          {SETTINGS.map((s, i) => {
            const y = 108 + i * 26;
            const active = s.spot === spot;
            return (
              <g key={s.label}>
                {active && (
                  <rect
                    x="10"
                    y={y - 14}
                    width="120"
                    height="22"
                    rx="4"
                    style={{ fill: 'none', stroke: ACCENT }}
                    strokeWidth="2"
                    strokeDasharray="4 3"
                  />
                )}
                <text
                  x="18"
                  y={y + 2}
                  fontSize="12"
                  style={{ fill: active ? TEXT : DIMMED }}
                  fontWeight={active ? 600 : 400}
                >
                  {s.label}
                </text>
              </g>
            );
          })}
          <line x1="142" y1="80" x2="142" y2="188" style={{ stroke: STROKE }} />
          <rect x="158" y="84" width="380" height="14" rx="3" style={{ fill: STROKE }} />
          <rect x="158" y="110" width="300" height="10" rx="3" style={{ fill: STROKE }} />
          <rect x="158" y="130" width="340" height="10" rx="3" style={{ fill: STROKE }} />
          <rect x="158" y="150" width="260" height="10" rx="3" style={{ fill: STROKE }} />
          <rect
            x="466"
            y="166"
            width="72"
            height="22"
            rx="4"
            style={{ fill: 'none', stroke: STROKE }}
          />
          <text x="502" y="181" fontSize="11" textAnchor="middle" style={{ fill: DIMMED }}>
            Save
          </text>
        </g>
      ) : (
        <g>
          <rect x="16" y="84" width="380" height="14" rx="3" style={{ fill: STROKE }} />
          <rect x="16" y="110" width="300" height="10" rx="3" style={{ fill: STROKE }} />
          <rect x="16" y="130" width="340" height="10" rx="3" style={{ fill: STROKE }} />
          <rect x="16" y="150" width="260" height="10" rx="3" style={{ fill: STROKE }} />
        </g>
      )}
    </svg>
  );
}
