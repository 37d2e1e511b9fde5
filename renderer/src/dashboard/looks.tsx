/**
 * How the Overview shows each state: an icon and words, with colour only backing them up. Calm on
 * purpose: orange for "look at this", red only for the icon of something that failed.
 */
import {
  IconAlertTriangle,
  IconCalendarCheck,
  IconCalendarDue,
  IconCircleCheck,
  IconCircleDashed,
  IconHandStop,
  IconHelpCircle,
  IconPlayerPause,
  IconPlayerPlay,
  type Icon,
} from '@tabler/icons-react';
import type { HealthItemDto, RotationDueDto, StatusDto } from '../../../electron/ipc/contract.js';
import { HEALTH_LABELS, type Health } from '../store/status.js';

export interface Look {
  readonly icon: Icon;
  /** A Mantine text colour variable. */
  readonly color: string;
  readonly label: string;
}

const TEAL = 'var(--mantine-color-teal-text)';
const ORANGE = 'var(--mantine-color-orange-text)';
const RED = 'var(--mantine-color-red-text)';
const DIMMED = 'var(--mantine-color-dimmed)';

export const HEALTH_LOOK: Readonly<Record<Health, Look>> = {
  healthy: { icon: IconCircleCheck, color: TEAL, label: HEALTH_LABELS.healthy },
  attention: { icon: IconHandStop, color: ORANGE, label: HEALTH_LABELS.attention },
  unchecked: { icon: IconCircleDashed, color: DIMMED, label: HEALTH_LABELS.unchecked },
};

export type RotationState = RotationDueDto['state'];

export const ROTATION_LOOK: Readonly<Record<RotationState, Look>> = {
  ok: { icon: IconCalendarCheck, color: TEAL, label: 'On schedule' },
  due: { icon: IconCalendarDue, color: ORANGE, label: 'Due soon' },
  overdue: { icon: IconAlertTriangle, color: RED, label: 'Overdue' },
  unknown: { icon: IconCircleDashed, color: DIMMED, label: 'Not scheduled' },
};

export type JobState = NonNullable<StatusDto['job']>['state'];

export const JOB_LOOK: Readonly<Record<JobState, Look>> = {
  running: { icon: IconPlayerPlay, color: TEAL, label: 'Running' },
  paused: { icon: IconPlayerPause, color: ORANGE, label: 'Paused' },
  quarantine: { icon: IconAlertTriangle, color: RED, label: 'In quarantine' },
  not_started: { icon: IconCircleDashed, color: DIMMED, label: 'Not started' },
  not_configured: { icon: IconCircleDashed, color: DIMMED, label: 'Not set up' },
  unknown: { icon: IconHelpCircle, color: DIMMED, label: 'Unknown' },
};

/** Which part of the setup an item is about, as a short title. */
export const AREA_TITLES: Readonly<Record<HealthItemDto['area'], string>> = {
  token: 'SCIM token',
  rotation: 'Rotation',
  dbt: 'dbt',
  okta: 'Okta',
  entra: 'Entra ID',
  job: 'Provisioning job',
  sso: 'Single sign-on',
  license: 'License types',
};

/** An icon and its words side by side; the icon is decorative, the words carry the meaning. */
export function StateMark({ look, size = 18 }: { look: Look; size?: number }) {
  const Glyph = look.icon;
  return (
    <span className="state-mark">
      <Glyph size={size} stroke={1.75} aria-hidden style={{ color: look.color, flex: 'none' }} />
      <span className="state-mark__label">{look.label}</span>
    </span>
  );
}
