import { Button, Checkbox, Group, List, Stack, Table, Text } from '@mantine/core';
import { IconRefresh, IconRotateClockwise } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { CheckList } from '../../components/CheckList.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { SecretCopy } from '../../components/SecretCopy.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import {
  useRotationStore,
  useRotationView,
  type RotationHistoryItem,
  type RotationRun,
  type RotationView,
} from '../../store/rotation.js';
import { dateTime } from '../../util/time.js';
import { ScheduleSection } from './ScheduleSection.js';

/** The stages the checklist shows, in order, with their short titles. */
export const ROTATION_STAGE_TITLES: Readonly<Record<string, string>> = {
  'rotation.created': 'New token created',
  'rotation.checked': 'New token checked',
  'rotation.installed': 'Installed in the identity provider',
  'rotation.proven': 'Proven in use',
  'rotation.old-deleted': 'Old token deleted',
  'rotation.old-refused': 'Old token refused',
};
const STAGE_IDS = Object.keys(ROTATION_STAGE_TITLES);

const OUTCOME_LABELS: Readonly<Record<RotationHistoryItem['outcome'], string>> = {
  done: 'Done',
  pending: 'Waiting',
  failed: 'Failed',
};

const IDP_LABELS: Readonly<Record<RotationHistoryItem['idp'], string>> = {
  okta: 'Okta',
  entra: 'Microsoft Entra ID',
};

function sectionStatus(view: RotationView): { status: StepStatus; text: string } {
  if (view.busy.run !== undefined) {
    return { status: 'in_progress', text: 'Rotating…' };
  }
  const r = view.result;
  if (r?.outcome === 'done') {
    return { status: 'verified', text: 'Rotated' };
  }
  if (r?.outcome === 'pending') {
    return { status: 'needs_you', text: 'Waiting for you' };
  }
  if (r?.outcome === 'failed' || view.errors.run) {
    return { status: 'failed', text: 'Did not finish' };
  }
  if (view.state?.inProgress) {
    return { status: 'needs_you', text: 'A rotation is in progress' };
  }
  return { status: 'not_started', text: 'Not rotated in this session' };
}

/**
 * The Rotation screen: what rotation does and the promise it keeps, a button that starts (or
 * continues) a rotation, the stages as a checklist, Okta's paste with the copy button, and the
 * history.
 */
export function RotationBody({ profile }: { profile: ProfileDto }) {
  const view = useRotationView(profile.id);
  const load = useRotationStore((s) => s.load);
  const run = useRotationStore((s) => s.run);
  const clearError = useRotationStore((s) => s.clearError);
  const [keepOld, setKeepOld] = useState(false);
  const busy = view.busy.run !== undefined;
  const result = view.result;
  const inProgress = view.state?.inProgress ?? null;
  const status = sectionStatus(view);
  const waiting = result?.outcome === 'pending';

  useEffect(() => {
    void load(profile.id);
  }, [load, profile.id]);

  return (
    <>
      <ScheduleSection profile={profile} />
      <section aria-labelledby="rotation-run" className="rotation">
        <SectionHeading
          id="rotation-run"
          title="Rotate the SCIM token"
          status={status.status}
          statusText={status.text}
        />
        <Stack gap="md" maw={720}>
          <Text size="sm">
            Rotation gives the identity provider a new dbt SCIM token without a gap in provisioning:
            dbt makes the new token, the wizard checks it, the identity provider starts using it,
            and only then is the old one removed. The identity provider never holds a token dbt
            refuses; the old token is deleted only after the new one is proven in use.
          </Text>

          {inProgress && !result && (
            <Text size="sm">
              A rotation started {dateTime(inProgress.startedAt)} is not finished (
              {inProgress.oldTokenName ?? 'old token'} → {inProgress.newTokenName ?? 'new token'}).
              Continue it with the button below; it picks up where it stopped.
            </Text>
          )}

          <Checkbox
            label="Keep the old token"
            description="The old token stays in dbt and keeps working until you delete it yourself."
            checked={keepOld}
            disabled={busy || waiting}
            onChange={(e) => {
              setKeepOld(e.currentTarget.checked);
            }}
          />

          <Group gap="sm">
            <Button
              leftSection={<IconRotateClockwise size={16} aria-hidden />}
              loading={busy}
              disabled={waiting}
              onClick={() => void run(profile.id, keepOld)}
            >
              {inProgress ? 'Continue the rotation' : 'Rotate the SCIM token'}
            </Button>
          </Group>

          <LiveRegion>
            {busy && <BusyLine text="Rotating the SCIM token…" />}
            {!busy && result && <Text size="sm">{outcomeSentence(result)}</Text>}
          </LiveRegion>

          {view.errors.run && (
            <ErrorCallout
              title="The rotation did not run"
              error={view.errors.run}
              onRetry={() => void run(profile.id, keepOld)}
              onDismiss={() => {
                clearError(profile.id, 'run');
              }}
            />
          )}
          {result?.error && <ErrorCallout title="The rotation stopped" error={result.error} />}
          {result?.chosen && (
            <Text size="sm" c="dimmed">
              {result.chosen}
            </Text>
          )}

          {result && <Stages result={result} />}

          {waiting && (
            <OktaPaste
              profile={profile}
              result={result}
              busy={busy}
              onCheck={() => void run(profile.id, keepOld)}
            />
          )}

          <History view={view} />
          {view.errors.state && (
            <ErrorCallout
              title="The rotation history was not read"
              error={view.errors.state}
              onRetry={() => void load(profile.id)}
            />
          )}
        </Stack>
      </section>
    </>
  );
}

function outcomeSentence(result: RotationRun): string {
  if (result.outcome === 'done') {
    return 'The rotation is done: the identity provider uses the new token.';
  }
  if (result.outcome === 'pending') {
    return 'The rotation waits for you: do the step below, then check again.';
  }
  return 'The rotation stopped. Both tokens still work; fix the cause and run it again.';
}

function Stages({ result }: { result: RotationRun }) {
  const checks = STAGE_IDS.flatMap((id) => result.checks.filter((c) => c.id === id));
  if (checks.length === 0) {
    return null;
  }
  return (
    <CheckList checks={checks} titles={ROTATION_STAGE_TITLES} label="Rotation stages" compact />
  );
}

/** Okta's console step: the instructions, the copy button (main writes the clipboard), "Check again". */
function OktaPaste({
  profile,
  result,
  busy,
  onCheck,
}: {
  profile: ProfileDto;
  result: RotationRun;
  busy: boolean;
  onCheck: () => void;
}) {
  return (
    <Stack gap="sm" aria-label="Paste the new token into Okta" role="group">
      {result.instructions.length > 0 && (
        <List type="ordered" spacing={4} size="sm">
          {result.instructions.map((line) => (
            <List.Item key={line}>{line}</List.Item>
          ))}
        </List>
      )}
      <NewTokenCopy profile={profile} />
      <Group gap="sm">
        <Button
          variant="default"
          leftSection={<IconRefresh size={16} aria-hidden />}
          loading={busy}
          onClick={onCheck}
        >
          Check again
        </Button>
      </Group>
    </Stack>
  );
}

/** "Copy the new SCIM token" for Okta's "Bearer" field (main copies it; this window never sees it). */
function NewTokenCopy({ profile }: { profile: ProfileDto }) {
  const view = useRotationView(profile.id);
  const copy = useRotationStore((s) => s.copyNewToken);
  const clearError = useRotationStore((s) => s.clearError);
  return (
    <SecretCopy
      label="Copy the new SCIM token"
      hint="The new token goes straight to the clipboard; the wizard never shows it. Paste it into Okta’s “Bearer” field."
      copied={view.copied}
      busy={view.busy.copy !== undefined}
      error={view.errors.copy}
      errorTitle="The new token was not copied"
      onCopy={() => void copy(profile.id)}
      onDismissError={() => {
        clearError(profile.id, 'copy');
      }}
      countdownId="rotation-token-countdown"
    />
  );
}

function History({ view }: { view: RotationView }) {
  const history = view.state?.history ?? [];
  return (
    <section aria-labelledby="rotation-history">
      <SectionHeading id="rotation-history" title="Rotation history" order={3} />
      {history.length === 0 ? (
        <Text size="sm" c="dimmed">
          {view.state ? 'No rotation yet in this profile.' : 'Reading the history…'}
        </Text>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" aria-labelledby="rotation-history">
            <Table.Thead>
              <Table.Tr>
                <Table.Th scope="col">Date</Table.Th>
                <Table.Th scope="col">Identity provider</Table.Th>
                <Table.Th scope="col">Old → new token</Table.Th>
                <Table.Th scope="col">Outcome</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {history.map((h) => (
                <Table.Tr key={`${h.at}-${h.newTokenName ?? ''}`}>
                  <Table.Td>{dateTime(h.at)}</Table.Td>
                  <Table.Td>{IDP_LABELS[h.idp]}</Table.Td>
                  <Table.Td>
                    {h.oldTokenName ?? '—'} → {h.newTokenName ?? '—'}
                  </Table.Td>
                  <Table.Td title={h.message}>{OUTCOME_LABELS[h.outcome]}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
    </section>
  );
}
