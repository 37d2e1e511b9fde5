import { Button, Group, Stack, Text } from '@mantine/core';
import { IconArrowRight, IconChecklist, IconPlayerPlay, IconRefresh } from '@tabler/icons-react';
import { useEffect } from 'react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { CheckList } from '../../components/CheckList.js';
import { CopyValue } from '../../components/CopyValue.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { PlanList } from '../../components/PlanList.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import { useOktaStore, useOktaView, type OktaRun } from '../../store/okta.js';
import { useWizardStore } from '../../store/wizard.js';
import { clockTime } from '../../util/time.js';
import { OktaLicenseSections } from '../license/OktaLicenseSections.js';
import {
  isLicenseId,
  LICENSE_OPTIONS,
  useOktaProgressLine,
  waitingForOnLaterStep,
} from './OktaCommon.js';

export const LICENSE_NAMESPACE = 'urn:ietf:params:scim:schemas:extension:dbtLabs:2.0:User';

/** The newer of the last apply's read-back and the last check on its own. */
function latest(a: OktaRun | null, b: OktaRun | null): OktaRun | null {
  if (!a || !b) {
    return a ?? b;
  }
  return (a.checks[0]?.at ?? '') >= (b.checks[0]?.at ?? '') ? a : b;
}

function licenseStatus(
  checks: OktaRun['checks'],
  pendingChanges: number,
): { status: StepStatus; text: string } {
  if (checks.some((c) => c.status === 'fail')) {
    return { status: 'failed', text: 'Not as dbt expects' };
  }
  if (pendingChanges > 0) {
    return { status: 'in_progress', text: 'Changes to apply' };
  }
  if (checks.some((c) => c.status === 'pending')) {
    return { status: 'needs_you', text: 'Needs you' };
  }
  if (checks.length > 0) {
    const at = checks[0]?.at;
    return { status: 'verified', text: at ? `Verified at ${clockTime(at)}` : 'Verified' };
  }
  return { status: 'not_started', text: 'Not checked yet' };
}

/**
 * The License types screen for Okta: the licenseType attribute in the dbt app's user profile, as
 * the same Okta plan and read-back show it (the changes and checks whose ids start with
 * `okta.license`).
 */
export function OktaLicenseBody({ profile }: { profile: ProfileDto }) {
  const view = useOktaView(profile.id);
  const loadAccount = useOktaStore((s) => s.loadAccount);
  const plan = useOktaStore((s) => s.plan);
  const apply = useOktaStore((s) => s.apply);
  const verify = useOktaStore((s) => s.verify);
  const goto = useWizardStore((s) => s.goto);
  const waiting = waitingForOnLaterStep(profile, view);
  const busy = view.busy.setup;
  const checking = view.busy.verify !== undefined;
  const progress = useOktaProgressLine(profile.id, 'license', view.progressSince, busy === 'apply');

  useEffect(() => {
    void loadAccount(profile.id);
  }, [loadAccount, profile.id]);

  const reviewed = view.plan && view.plan.phase !== 'failed' ? view.plan : null;
  const licenseChanges = reviewed?.changes.filter((c) => isLicenseId(c.id)) ?? [];
  const otherChanges = (reviewed?.changes.length ?? 0) - licenseChanges.length;
  const run = latest(view.result, view.checked);
  const licenseChecks = run?.checks.filter((c) => isLicenseId(c.id)) ?? [];
  const { status, text } = licenseStatus(licenseChecks, licenseChanges.length);
  const runError =
    view.errors.setup ?? (view.plan?.phase === 'failed' ? view.plan.error : undefined);

  return (
    <section aria-labelledby="okta-license">
      <SectionHeading
        id="okta-license"
        title="1. The licenseType attribute"
        status={status}
        statusText={text}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          dbt reads each user’s license type from a licenseType attribute in its own SCIM namespace.
          The wizard adds it to the dbt app’s user profile in Okta (a Personal string attribute with
          these values), then you set it on each assignment.
        </Text>
        <CopyValue label="External namespace" value={LICENSE_NAMESPACE} maw={720} />
        <ul className="permission-list" aria-label="License type values">
          {LICENSE_OPTIONS.map((o) => (
            <li key={o.value}>
              <Text size="sm" component="span">
                {o.label}:{' '}
              </Text>
              <Text size="sm" component="span" ff="monospace" fw={600}>
                {o.value}
              </Text>
            </li>
          ))}
        </ul>
        {waiting ? (
          <Text size="sm" c="dimmed">
            {waiting}
          </Text>
        ) : (
          <>
            <Group gap="sm">
              <Button
                variant="default"
                leftSection={<IconChecklist size={16} aria-hidden />}
                loading={busy === 'plan'}
                disabled={busy === 'apply'}
                onClick={() => void plan(profile.id)}
              >
                Review the attribute
              </Button>
              <Button
                variant="default"
                leftSection={<IconRefresh size={16} aria-hidden />}
                loading={checking}
                disabled={busy !== undefined}
                onClick={() => void verify(profile.id)}
              >
                Check the attribute
              </Button>
            </Group>
            <LiveRegion>
              {busy === 'plan' && <BusyLine text="Reading the app’s user profile in Okta…" />}
              {busy === 'apply' && <BusyLine text="Applying the changes in Okta…" />}
              {checking && <BusyLine text="Reading the app back from Okta…" />}
              {!busy && reviewed && (
                <Text size="sm" fw={500}>
                  {licenseChanges.length === 0
                    ? 'The licenseType attribute already matches what dbt expects.'
                    : `Plan ready: ${licenseChanges.length} ${licenseChanges.length === 1 ? 'change' : 'changes'} to the licenseType attribute. Nothing changes until you apply.`}
                </Text>
              )}
            </LiveRegion>
            {busy === 'apply' && progress && (
              <Text size="xs" c="dimmed" ml={22} aria-hidden>
                {progress}
              </Text>
            )}
            {runError && (
              <ErrorCallout
                title="Could not review the attribute"
                error={runError}
                onRetry={() => void plan(profile.id)}
              />
            )}
            {reviewed && (
              <Stack gap="sm">
                <PlanList
                  changes={licenseChanges}
                  label="Changes to the licenseType attribute"
                  emptyText="No changes needed: the licenseType attribute already matches what dbt expects."
                />
                {otherChanges > 0 ? (
                  <Stack gap="xs" align="flex-start">
                    <Text size="sm">
                      The plan has {otherChanges} more {otherChanges === 1 ? 'change' : 'changes'}{' '}
                      to the app. Review and apply the whole plan on the Identity provider step, so
                      nothing changes that you have not read.
                    </Text>
                    <Button
                      size="xs"
                      variant="default"
                      rightSection={<IconArrowRight size={14} aria-hidden />}
                      onClick={() => void goto('idp')}
                    >
                      Go to Identity provider
                    </Button>
                  </Stack>
                ) : (
                  licenseChanges.length > 0 && (
                    <Group gap="sm">
                      <Button
                        leftSection={<IconPlayerPlay size={16} aria-hidden />}
                        loading={busy === 'apply'}
                        onClick={() => void apply(profile.id)}
                      >
                        Apply
                      </Button>
                    </Group>
                  )
                )}
              </Stack>
            )}
            {view.errors.verify && (
              <ErrorCallout
                title="Could not check the attribute"
                error={view.errors.verify}
                onRetry={() => void verify(profile.id)}
              />
            )}
            {run && licenseChecks.length > 0 && (
              <CheckList checks={licenseChecks} label="Verification of the licenseType attribute" />
            )}
            {run && licenseChecks.length === 0 && (
              <Text size="sm" c="dimmed">
                The last read-back has no checks of the licenseType attribute.
              </Text>
            )}
            <Text size="sm">
              Keep dbt’s “Manage user licenses with SCIM” off until a test user arrives in dbt with
              the license type Okta sent (Test step); section 3 turns it on once the checklist
              passes.
            </Text>
          </>
        )}
      </Stack>
    </section>
  );
}

/** The License types screen for Okta: the attribute (above), then group rules and the checklist. */
export function OktaLicenseScreen({ profile }: { profile: ProfileDto }) {
  return (
    <Stack gap="xl">
      <OktaLicenseBody profile={profile} />
      <OktaLicenseSections profile={profile} />
    </Stack>
  );
}
