import { Text, Title } from '@mantine/core';
import type { StatusDto } from '../../../electron/ipc/contract.js';
import { calendarDay, plural, relativeTime } from '../util/time.js';

type SsoHealth = NonNullable<StatusDto['sso']>;

const DAY_MS = 24 * 60 * 60 * 1000;

/** dbt's SSO certificate, when the Admin API shows when it expires. */
export function SsoSection({ sso, now = new Date() }: { sso: SsoHealth; now?: Date }) {
  const at = sso.certificateExpiresAt;
  if (!at) {
    return null;
  }
  const left = Date.parse(at) - now.getTime();
  const expired = left < 0;
  const soon = !expired && left < 30 * DAY_MS;
  const days = Math.floor(Math.abs(left) / DAY_MS);
  return (
    <section aria-labelledby="overview-sso" className="overview-card">
      <Title order={2} id="overview-sso" size="h4" mb="sm">
        Single sign-on certificate
      </Title>
      <Text size="sm" data-expiry={expired ? 'expired' : soon ? 'soon' : 'ok'}>
        {expired
          ? `Expired on ${calendarDay(at)} (${relativeTime(at, now)}). Renew it in your identity provider, then update it in dbt’s SSO settings.`
          : soon
            ? `Expires soon: on ${calendarDay(at)}, in ${plural(days, 'day')}. Renew it in your identity provider, then update it in dbt’s SSO settings.`
            : `Expires on ${calendarDay(at)} (${relativeTime(at, now)}).`}
      </Text>
    </section>
  );
}
