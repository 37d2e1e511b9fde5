import { Button, Group, Radio, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconArrowRight, IconCheck, IconInfoCircle } from '@tabler/icons-react';
import { useState, type SyntheticEvent } from 'react';
import type { CheckDto } from '../../../../electron/ipc/contract.js';
import type { EntraRun } from '../../api/client.js';
import { CheckList } from '../../components/CheckList.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { ExternalLink } from '../../components/ExternalLink.js';
import { InfoLines } from '../../components/InfoLines.js';
import { PlanApplyView } from '../../components/PlanApply.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import { useOpenExternal } from '../../components/useOpenExternal.js';
import { statusOf, type ProfileDto, type StepStatus } from '../../model.js';
import { SECRET_SCIM, secretMeta, useDbtView } from '../../store/dbt.js';
import { useEntraStore, useEntraView, type EntraView } from '../../store/entra.js';
import type { ErrorInfo } from '../../store/wizard.js';
import { useWizardStore } from '../../store/wizard.js';
import { clockTime, dateTime } from '../../util/time.js';
import {
  adminCenterLinks,
  CHECK_TITLES,
  conflictCandidates,
  GUID,
  LICENSE_NOTE,
  RUN_TITLES,
} from './texts.js';
import { useProgressLine } from './useProgressLine.js';

function applyStatus(profile: ProfileDto, view: EntraView): { status: StepStatus; text: string } {
  const result = view.result;
  if (view.busy.setup === 'apply') {
    return { status: 'in_progress', text: 'Applying…' };
  }
  if (result?.phase === 'verified') {
    const at = result.checks[0]?.at;
    return { status: 'verified', text: at ? `Verified at ${clockTime(at)}` : 'Verified' };
  }
  if (result?.phase === 'failed') {
    return { status: 'failed', text: 'Failed' };
  }
  if (conflictOf(view)) {
    return { status: 'needs_you', text: 'Choose the app to use' };
  }
  if (view.plan && view.plan.phase !== 'failed') {
    return { status: 'in_progress', text: 'Plan ready to review' };
  }
  const step = (profile.steps as Partial<ProfileDto['steps']>).idp;
  if (statusOf(profile, 'idp') === 'verified') {
    return {
      status: 'verified',
      text: step?.updatedAt ? `Verified ${dateTime(step.updatedAt)}` : 'Verified',
    };
  }
  if (statusOf(profile, 'idp') === 'failed') {
    return { status: 'failed', text: 'Failed' };
  }
  return { status: 'not_started', text: 'Not done yet' };
}

/** The same-named-apps conflict, from a failed plan, a failed apply or a refused call. */
function conflictOf(view: EntraView): ErrorInfo | undefined {
  return [view.plan?.error, view.result?.error, view.errors.setup].find(
    (e) => e?.code === 'conflict',
  );
}

/**
 * Section 3: review what the wizard will create and change in Entra, apply exactly that, and read
 * it all back; same-named apps are resolved by choosing one.
 */
export function ApplySection({ profile }: { profile: ProfileDto }) {
  const view = useEntraView(profile.id);
  const dbtView = useDbtView(profile.id);
  const plan = useEntraStore((s) => s.plan);
  const apply = useEntraStore((s) => s.apply);
  const discardPlan = useEntraStore((s) => s.discardPlan);
  const goto = useWizardStore((s) => s.goto);
  const busy = view.busy.setup;
  const applying = busy === 'apply';
  const progress = useProgressLine(profile.id, 'idp', view.progressSince, applying);
  const { status, text } = applyStatus(profile, view);
  const conflict = conflictOf(view);
  const entra = profile.entra;
  const idpVerified = view.result?.phase === 'verified' || statusOf(profile, 'idp') === 'verified';

  const disabledReason = !entra
    ? 'Save the tenant settings first.'
    : !view.account?.signedIn
      ? 'Sign in to Microsoft first.'
      : undefined;
  const dbtNotes: string[] = [];
  if (!profile.dbt.scimUrl) {
    dbtNotes.push(
      'The dbt step has no SCIM base URL yet: the plan can create the app, but not connect it to dbt.',
    );
  }
  if (dbtView.secrets !== null && !secretMeta(dbtView, SECRET_SCIM)) {
    dbtNotes.push(
      'This computer holds no SCIM token from the dbt step yet: create or paste one there first.',
    );
  }

  return (
    <section aria-labelledby="entra-apply">
      <SectionHeading
        id="entra-apply"
        title="3. Review and apply"
        status={status}
        statusText={text}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          The wizard reads your tenant and lists exactly what it will create and change: the
          enterprise app, its provisioning job, the Tenant URL and Secret Token from the dbt step,
          and the attribute mappings dbt expects. Nothing changes until you apply; then every part
          is read back.
        </Text>
        <InfoLines lines={dbtNotes} label="Notes about the dbt step" />
        <PlanApplyView
          // A conflict is not a failure to show in red: the chooser below resolves it.
          reviewed={view.plan?.error?.code === 'conflict' ? null : view.plan}
          result={view.result}
          replanned={view.replanned}
          busy={busy === 'plan' || busy === 'apply' ? busy : undefined}
          error={view.errors.setup?.code === 'conflict' ? undefined : view.errors.setup}
          onPlan={() => void plan(profile.id)}
          onApply={() => void apply(profile.id)}
          onDiscard={() => {
            discardPlan(profile.id);
          }}
          what="the Entra app and its provisioning"
          system="Entra"
          applyingText="Applying the changes in Entra…"
          progress={progress}
          disabledReason={disabledReason}
          emptyText="No changes needed: Entra already matches what dbt expects."
          renderChecks={() => (view.result ? <SetupChecks run={view.result} /> : null)}
        />
        {conflict && <AppChooser key={conflict.message} profile={profile} conflict={conflict} />}
        {entra?.spId && entra.appId && (
          <AdminCenterLinks cloud={entra.cloud} spId={entra.spId} appId={entra.appId} />
        )}
        {idpVerified && (
          <Group gap="sm" wrap="nowrap" align="flex-start" className="calm-note" p="sm">
            <IconInfoCircle
              size={18}
              aria-hidden
              style={{ color: 'var(--mantine-color-blue-text)', flex: 'none', marginTop: 2 }}
            />
            <Stack gap="xs" align="flex-start">
              <Text size="sm">{LICENSE_NOTE}</Text>
              <Button
                size="xs"
                variant="default"
                rightSection={<IconArrowRight size={14} aria-hidden />}
                onClick={() => void goto('license')}
              >
                Go to License types
              </Button>
            </Stack>
          </Group>
        )}
      </Stack>
    </section>
  );
}

/** "21 passed, 1 skipped · checked at 10:42": the count of each status, failures first. */
export function checkSummary(checks: readonly CheckDto[]): string {
  const count = (status: CheckDto['status']): number =>
    checks.filter((c) => c.status === status).length;
  const parts = [
    [count('fail'), 'failed'],
    [count('pending'), 'need you'],
    [count('pass'), 'passed'],
    [count('skip'), 'skipped'],
  ]
    .filter(([n]) => Number(n) > 0)
    .map(([n, word]) => `${String(n)} ${String(word)}`);
  const at = checks[0]?.at;
  return `${parts.join(', ')}${at ? ` · checked at ${clockTime(at)}` : ''}`;
}

/** The read-back after apply, one list per part (app, job, connection, mappings, provisioning). */
function SetupChecks({ run }: { run: EntraRun }) {
  const groups = run.runs
    .filter((r) => r.checks.length > 0)
    .map((r) => ({ kind: r.kind, title: RUN_TITLES[r.kind] ?? r.kind, checks: r.checks }));
  if (run.checks.length === 0) {
    return null;
  }
  return (
    <Stack gap="sm" className="setup-checks">
      <Text size="sm" data-testid="entra-check-summary">
        Checks: {checkSummary(run.checks)}.
      </Text>
      {groups.length === 0 ? (
        <CheckList
          checks={run.checks}
          titles={CHECK_TITLES}
          label="Verification in Entra"
          compact
        />
      ) : (
        groups.map((g) => (
          <Stack gap={6} key={g.kind}>
            <Title order={3} id={`entra-checks-${g.kind}`}>
              {g.title}
            </Title>
            {/* Under its heading, each message names what it checked: no titles needed. */}
            <CheckList checks={g.checks} label={`Verification: ${g.title}`} compact />
          </Stack>
        ))
      )}
    </Stack>
  );
}

/** Deep links to the app in the admin center of its cloud. */
function AdminCenterLinks({
  cloud,
  spId,
  appId,
}: {
  cloud: NonNullable<ProfileDto['entra']>['cloud'];
  spId: string;
  appId: string;
}) {
  const link = useOpenExternal();
  const urls = adminCenterLinks(cloud, spId, appId);
  return (
    <Stack gap={4}>
      <Group gap="lg" wrap="wrap">
        <ExternalLink url={urls.overview} onOpen={link.open}>
          Open the app in the Microsoft Entra admin center
        </ExternalLink>
        <ExternalLink url={urls.provisioning} onOpen={link.open}>
          Open its Provisioning page
        </ExternalLink>
      </Group>
      {link.error && (
        <ErrorCallout title="The link was not opened" error={link.error} onDismiss={link.clear} />
      )}
    </Stack>
  );
}

const OTHER = 'other';

/**
 * The engine's sentence up to its list of apps ("Entra has 2 enterprise apps named …"), which the
 * chooser shows as radios; its advice is for the command line, so the whole message is kept only
 * when no app could be read from it.
 */
function conflictSummary(message: string, listed: number): string {
  if (listed === 0) {
    return message;
  }
  const cut = message.indexOf(': service principal');
  return cut > 0 ? `${message.slice(0, cut)}.` : message;
}

/** Several apps share the name: the admin picks the one to use, then the plan is made again. */
function AppChooser({ profile, conflict }: { profile: ProfileDto; conflict: ErrorInfo }) {
  const view = useEntraView(profile.id);
  const chooseApp = useEntraStore((s) => s.chooseApp);
  const link = useOpenExternal();
  const candidates = conflictCandidates(conflict.message);
  const [choice, setChoice] = useState(candidates[0]?.spId ?? OTHER);
  const [typed, setTyped] = useState('');
  const [invalid, setInvalid] = useState(false);
  const busy = view.busy.choose !== undefined || view.busy.setup !== undefined;
  const cloud = profile.entra?.cloud ?? 'global';

  function onSubmit(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    const id = choice === OTHER ? typed.trim() : choice;
    if (!GUID.test(id)) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    void chooseApp(profile.id, id);
  }

  return (
    <form noValidate onSubmit={onSubmit} aria-labelledby="entra-choose-app">
      <Stack gap="sm" className="app-chooser" p="md">
        <Title order={3} id="entra-choose-app">
          Choose the app to use
        </Title>
        <Text size="sm" fw={500}>
          {conflictSummary(conflict.message, candidates.length)}
        </Text>
        <Text size="sm">
          Entra names are not unique, so the wizard will not guess. Pick the app it should set up;
          it is saved in this profile and used from now on. Or give a unique app name in section 1.
        </Text>
        <Radio.Group
          value={choice}
          onChange={(v) => {
            setChoice(v);
            setInvalid(false);
          }}
          label="Enterprise apps with this name"
        >
          <Stack gap="xs" mt={6}>
            {candidates.map((c) => (
              <Radio
                key={c.spId}
                value={c.spId}
                label={
                  <span className="tabular">
                    Service principal {c.spId} · app id {c.appId}
                  </span>
                }
                description={
                  <ExternalLink
                    url={adminCenterLinks(cloud, c.spId, c.appId).overview}
                    onOpen={link.open}
                  >
                    Look at it in the admin center
                  </ExternalLink>
                }
              />
            ))}
            <Radio value={OTHER} label="Another app: enter its service principal (object) ID" />
          </Stack>
        </Radio.Group>
        {choice === OTHER && (
          <TextInput
            label="Service principal (object) ID"
            description="Enterprise applications → the app → Overview → “Object ID”."
            placeholder="00000000-0000-0000-0000-000000000000"
            value={typed}
            onChange={(e) => {
              setTyped(e.currentTarget.value);
              setInvalid(false);
            }}
            error={
              invalid
                ? 'The object ID is a GUID such as 0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0.'
                : undefined
            }
            autoComplete="off"
            spellCheck={false}
            maxLength={64}
            maw={420}
          />
        )}
        {invalid && choice !== OTHER && (
          <Text size="sm" c="var(--mantine-color-error)">
            Choose an app.
          </Text>
        )}
        <Group gap="sm">
          <Button type="submit" loading={busy} leftSection={<IconCheck size={16} aria-hidden />}>
            Use this app and review again
          </Button>
        </Group>
        {view.errors.choose && (
          <ErrorCallout title="The choice was not saved" error={view.errors.choose} />
        )}
        {link.error && (
          <ErrorCallout title="The link was not opened" error={link.error} onDismiss={link.clear} />
        )}
      </Stack>
    </form>
  );
}
