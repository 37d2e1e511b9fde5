import { Badge, Button, Group, List, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import {
  IconApi,
  IconArrowLeft,
  IconArrowRight,
  IconHandClick,
  IconListCheck,
  type Icon,
} from '@tabler/icons-react';
import { useRef } from 'react';
import { StepStatusIcon } from '../components/StepStatusIcon.js';
import type { ProfileDto, StepId } from '../model.js';
import { STATUS_LABELS, STEP_ORDER, statusOf } from '../model.js';
import {
  ACTION_KIND_LABELS,
  stepCopy,
  stepTitle,
  type ActionKind,
  type StepCopy,
} from './catalog.js';
import { DbtBody } from './dbt/DbtBody.js';
import { EntraBody } from './entra/EntraBody.js';
import { OktaBody } from './okta/OktaBody.js';
import { EntraLicenseBody } from './license/EntraLicenseBody.js';
import { OktaLicenseScreen } from './okta/OktaLicenseBody.js';
import { OktaTestBody } from './okta/OktaTestBody.js';
import { PrerequisitesBody } from './prerequisites/PrerequisitesBody.js';
import { RotationBody } from './rotation/RotationBody.js';

/** Each kind has its own icon and words; colour only backs them up. */
const KIND_LOOK: Readonly<
  Record<ActionKind, { color: string; variant: 'light' | 'outline'; icon: Icon }>
> = {
  api: { color: 'blue', variant: 'light', icon: IconApi },
  guided: { color: 'gray', variant: 'light', icon: IconHandClick },
  check: { color: 'gray', variant: 'outline', icon: IconListCheck },
};

/** One step: what it does, what it needs, what the wizard will do, then Back / Next. */
export function StepScreen({
  profile,
  onGoto,
}: {
  profile: ProfileDto;
  onGoto: (step: StepId) => Promise<boolean>;
}) {
  const step = profile.currentStep;
  const copy = stepCopy(step, profile.idp);
  const status = statusOf(profile, step);
  const summary = (profile.steps as Partial<ProfileDto['steps']>)[step]?.summary;
  const index = STEP_ORDER.indexOf(step);
  const previous = STEP_ORDER[index - 1];
  const next = STEP_ORDER[index + 1];
  const heading = useRef<HTMLHeadingElement>(null);

  async function go(to: StepId): Promise<void> {
    if (await onGoto(to)) {
      // The new screen's heading takes focus, so a screen reader starts reading there.
      heading.current?.focus();
    }
  }

  return (
    <Stack gap="xl" className="step-screen" data-step={step}>
      <Stack gap="xs">
        <Text size="sm" c="dimmed">
          Step {index + 1} of {STEP_ORDER.length}
        </Text>
        <Title order={1} ref={heading} tabIndex={-1} className="step-screen__heading">
          {copy.heading}
        </Title>
        <Group gap={6} wrap="nowrap" align="flex-start" maw={720}>
          <span className="step-screen__status-icon">
            <StepStatusIcon status={status} size={18} />
          </span>
          <Text size="sm">
            Status: {STATUS_LABELS[status]}
            {summary ? ` — ${summary}` : ''}
          </Text>
        </Group>
        <Text maw={720}>{copy.summary}</Text>
      </Stack>

      <section aria-labelledby="step-needs">
        <Title order={2} id="step-needs" mb="xs">
          What you need
        </Title>
        <List spacing={6} size="sm" maw={720}>
          {copy.needs.map((n) => (
            <List.Item key={n}>{n}</List.Item>
          ))}
        </List>
      </section>

      {step === 'prerequisites' && <PrerequisitesBody key={profile.id} profile={profile} />}
      {step === 'dbt' && <DbtBody key={profile.id} profile={profile} />}
      {step === 'idp' && profile.idp === 'entra' && (
        <EntraBody key={profile.id} profile={profile} />
      )}
      {step !== 'prerequisites' &&
        step !== 'dbt' &&
        !(step === 'idp' && profile.idp === 'entra') &&
        !(step === 'license' && (profile.idp === 'okta' || profile.idp === 'entra')) &&
        !(step === 'test' && profile.idp === 'okta') && <WhatItWillDo copy={copy} />}
      {/* Okta's overview stays above its sections: it says which parts are console steps. */}
      {step === 'idp' && profile.idp === 'okta' && <OktaBody key={profile.id} profile={profile} />}
      {step === 'license' && profile.idp === 'okta' && (
        <OktaLicenseScreen key={profile.id} profile={profile} />
      )}
      {step === 'license' && profile.idp === 'entra' && (
        <EntraLicenseBody key={profile.id} profile={profile} />
      )}
      {step === 'test' && profile.idp === 'okta' && (
        <OktaTestBody key={profile.id} profile={profile} />
      )}
      {step === 'rotation' && profile.idp && <RotationBody key={profile.id} profile={profile} />}

      <Group justify="space-between" className="step-screen__nav">
        {previous ? (
          <Button
            variant="default"
            leftSection={<IconArrowLeft size={16} aria-hidden />}
            onClick={() => void go(previous)}
          >
            Back
          </Button>
        ) : (
          <span />
        )}
        {next && (
          <Button
            rightSection={<IconArrowRight size={16} aria-hidden />}
            onClick={() => void go(next)}
          >
            Next: {stepTitle(next, profile.idp)}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

/** "What the wizard will do", for the steps whose screens are not built yet. */
function WhatItWillDo({ copy }: { copy: StepCopy }) {
  return (
    <section aria-labelledby="step-actions">
      <Title order={2} id="step-actions" mb="xs">
        What the wizard will do
      </Title>
      <ol className="step-actions">
        {copy.actions.map((a) => (
          <li key={a.text} className="step-actions__item">
            <Badge
              variant={KIND_LOOK[a.kind].variant}
              color={KIND_LOOK[a.kind].color}
              leftSection={<KindIcon kind={a.kind} />}
              tt="none"
              fw={500}
              radius="sm"
              className="step-actions__kind"
            >
              {ACTION_KIND_LABELS[a.kind]}
            </Badge>
            <VisuallyHidden>: </VisuallyHidden>
            <Text size="sm" component="span">
              {a.text}
            </Text>
          </li>
        ))}
      </ol>
      {copy.note && (
        <Text size="sm" c="dimmed" mt="sm" maw={720}>
          {copy.note}
        </Text>
      )}
    </section>
  );
}

function KindIcon({ kind }: { kind: ActionKind }) {
  const Glyph = KIND_LOOK[kind].icon;
  return <Glyph size={14} aria-hidden />;
}
