import { Checkbox, Stack, Switch, Text } from '@mantine/core';
import { useState } from 'react';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { ExternalLink } from '../../components/ExternalLink.js';
import { PlanApply } from '../../components/PlanApply.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import { useOpenExternal } from '../../components/useOpenExternal.js';
import { statusOf, type ProfileDto, type StepStatus } from '../../model.js';
import { useDbtStore, useDbtView, type DbtView } from '../../store/dbt.js';
import { clockTime } from '../../util/time.js';
import { settingsUrl } from '../prerequisites/texts.js';
import {
  MANUAL_UPDATES_DESCRIPTION,
  SCIM_CONFIG_TITLES,
  SCIM_ON_STEPS,
  SCIM_ON_TICK,
} from './texts.js';

function scimOnStatus(profile: ProfileDto, view: DbtView): { status: StepStatus; text: string } {
  const result = view.results.scim;
  if (result?.phase === 'verified') {
    const at = result.checks[0]?.at;
    return { status: 'verified', text: at ? `Verified at ${clockTime(at)}` : 'Verified' };
  }
  if (result?.phase === 'failed') {
    return { status: 'failed', text: 'Failed' };
  }
  const ticked = profile.manual[SCIM_ON_TICK];
  if (ticked) {
    return { status: 'verified', text: `Done by you at ${clockTime(ticked)}` };
  }
  if (statusOf(profile, 'dbt') === 'verified') {
    return { status: 'verified', text: 'Proven by the connection check' };
  }
  if (view.plans.scim) {
    return { status: 'in_progress', text: 'Plan ready to review' };
  }
  return { status: 'not_started', text: 'Not done yet' };
}

/** Section 1: SCIM on in dbt, by API (plan → apply → read back) or by hand with a tick. */
export function ScimOnSection({
  profile,
  hasApiToken,
}: {
  profile: ProfileDto;
  hasApiToken: boolean;
}) {
  const view = useDbtView(profile.id);
  const discardPlan = useDbtStore((s) => s.discardPlan);
  const tick = useDbtStore((s) => s.tick);
  const link = useOpenExternal();
  const [manualUpdates, setManualUpdates] = useState(false);
  const { status, text } = scimOnStatus(profile, view);
  const ssoPage = settingsUrl(profile.dbt.apiUrl, profile.dbt.accountId, 'sso');
  const ticked = profile.manual[SCIM_ON_TICK];

  return (
    <section aria-labelledby="dbt-scim-on">
      <SectionHeading id="dbt-scim-on" title="1. Turn SCIM on" status={status} statusText={text} />
      <Stack gap="md" maw={720}>
        {hasApiToken ? (
          <>
            <Text size="sm">
              The wizard turns SCIM on in dbt’s SSO & SCIM settings through the Admin API.
            </Text>
            <div>
              <Switch
                label="Allow manual updates"
                aria-describedby="dbt-manual-updates-note"
                checked={manualUpdates}
                onChange={(e) => {
                  setManualUpdates(e.currentTarget.checked);
                  discardPlan(profile.id, 'scim');
                }}
              />
              <Text size="xs" c="dimmed" id="dbt-manual-updates-note" ml={50} mt={4}>
                {MANUAL_UPDATES_DESCRIPTION}
              </Text>
            </div>
            <Text size="sm" c="dimmed">
              “Manage user licenses with SCIM” stays as it is until the License types step.
            </Text>
            <PlanApply
              profileId={profile.id}
              planKey="scim"
              step={{ kind: 'dbt.scim-config', manualUpdatesAllowed: manualUpdates }}
              what="dbt’s SCIM settings"
              applyingText="Saving the SCIM settings in dbt…"
              checkTitles={SCIM_CONFIG_TITLES}
            />
          </>
        ) : (
          <>
            <Text size="sm">
              Without an Admin API token, turn SCIM on in dbt yourself, then tick it here.
            </Text>
            <ol className="console-steps">
              {SCIM_ON_STEPS.map((s) => (
                <li key={s}>
                  <Text size="sm">{s}</Text>
                </li>
              ))}
            </ol>
            {ssoPage && (
              <div>
                <ExternalLink url={ssoPage} onOpen={link.open}>
                  Open “SSO & SCIM” in dbt
                </ExternalLink>
              </div>
            )}
            {link.error && (
              <ErrorCallout
                title="The link was not opened"
                error={link.error}
                onDismiss={link.clear}
              />
            )}
            <div>
              <Checkbox
                label="I turned SCIM on"
                checked={ticked !== undefined}
                disabled={view.busy.tick !== undefined}
                onChange={(e) => void tick(profile.id, SCIM_ON_TICK, e.currentTarget.checked)}
              />
              {ticked && (
                <Text size="xs" c="dimmed" ml={32} mt={4}>
                  Ticked at {clockTime(ticked)}
                </Text>
              )}
            </div>
            {view.errors.tick && (
              <ErrorCallout title="The tick was not saved" error={view.errors.tick} />
            )}
          </>
        )}
      </Stack>
    </section>
  );
}
