import { Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { IDP_NAMES, type ProfileDto, type StepId } from '../model.js';
import { useRotationStore, useRotationView } from '../store/rotation.js';
import { problemsOf, useStatusStore, useStatusView } from '../store/status.js';
import { PassedSection, ProblemSection } from './CheckSections.js';
import { HealthSummary } from './HealthSummary.js';
import { JobSection } from './JobSection.js';
import { ReportSection } from './ReportSection.js';
import { SsoSection } from './SsoSection.js';
import { TokenSection } from './TokenSection.js';

/**
 * The Overview of a profile: is provisioning still healthy, and what to do if not. Shows the last
 * saved check at once and checks again by itself when that is missing or over an hour old; the
 * problems come first, each with a button to the step that fixes it, and the passes fold away.
 * The h1 takes focus when the Overview opens (App moves it).
 */
export function Dashboard({
  profile,
  onGoto,
}: {
  profile: ProfileDto;
  onGoto: (step: StepId) => void;
}) {
  const view = useStatusView(profile.id);
  const open = useStatusStore((s) => s.open);
  const rotation = useRotationView(profile.id);
  const loadRotation = useRotationStore((s) => s.load);
  const status = view.status;
  const noStatusYet = view.loaded && status === null;

  useEffect(() => {
    void open(profile.id);
  }, [open, profile.id]);

  // Before any check, the rotation schedule comes from the Rotation step's state.
  useEffect(() => {
    if (noStatusYet) {
      void loadRotation(profile.id);
    }
  }, [noStatusYet, loadRotation, profile.id]);

  const due = status?.rotation ?? rotation.state?.due ?? null;
  const problems = problemsOf(status);

  return (
    <Stack gap="xl" className="overview" data-testid="overview">
      <Stack gap="xs">
        <Text size="sm" c="dimmed">
          {profile.name}
          {profile.idp ? ` · ${IDP_NAMES[profile.idp]} to dbt` : ''}
        </Text>
        <Title order={1} tabIndex={-1} className="step-screen__heading">
          Overview
        </Title>
        <Text maw={720}>
          Whether provisioning into dbt is still healthy, and what to do if it is not.
        </Text>
      </Stack>

      <HealthSummary profile={profile} view={view} onGoto={onGoto} />

      <ProblemSection problems={problems} idp={profile.idp} onGoto={onGoto} />

      <div className="overview-cards">
        <TokenSection
          profile={profile}
          token={status?.token ?? null}
          due={due}
          onRotate={() => {
            onGoto('rotation');
          }}
        />
        {profile.idp === 'entra' && <JobSection job={status?.job ?? null} checked={!!status} />}
        {status?.sso && <SsoSection sso={status.sso} />}
      </div>

      {status && <PassedSection items={status.items} />}

      <ReportSection profile={profile} />
    </Stack>
  );
}
