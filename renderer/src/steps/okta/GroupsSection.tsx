import { Button, Checkbox, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import {
  IconAlertTriangle,
  IconCircleCheck,
  IconDeviceFloppy,
  IconInfoCircle,
  IconSearch,
  IconX,
} from '@tabler/icons-react';
import { useEffect, useState, type SyntheticEvent } from 'react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import {
  useOktaStore,
  useOktaView,
  type OktaGroupPick,
  type OktaGroups,
} from '../../store/okta.js';
import { waitingFor } from './OktaCommon.js';

export type Alignment = 'match' | 'case' | 'new' | 'unknown';

/**
 * How a target name sits with dbt's groups: the engine's word for a saved pick, else worked out
 * from the dbt groups it listed (dbt group names are case-sensitive).
 */
export function alignmentOf(
  pick: OktaGroupPick,
  groups: OktaGroups | null,
): { alignment: Alignment; dbtName?: string } {
  const target = pick.targetGroupName.trim();
  const dbt = groups?.dbt;
  if (!dbt) {
    // Without dbt's groups nothing can be checked, whatever a saved pick says.
    return { alignment: 'unknown' };
  }
  const saved = groups.picks.find((p) => p.oktaGroupId === pick.oktaGroupId);
  if (saved?.targetGroupName === target) {
    return { alignment: saved.alignment, ...(saved.dbtName ? { dbtName: saved.dbtName } : {}) };
  }
  if (dbt.some((g) => g.name === target)) {
    return { alignment: 'match', dbtName: target };
  }
  const other = dbt.find((g) => g.name.toLowerCase() === target.toLowerCase());
  return other ? { alignment: 'case', dbtName: other.name } : { alignment: 'new' };
}

function samePicks(a: readonly OktaGroupPick[], b: readonly OktaGroupPick[]): boolean {
  return (
    a.length === b.length &&
    a.every((p) =>
      b.some(
        (q) => q.oktaGroupId === p.oktaGroupId && q.targetGroupName === p.targetGroupName.trim(),
      ),
    )
  );
}

function groupsStatus(
  saved: readonly OktaGroupPick[],
  groups: OktaGroups | null,
): { status: StepStatus; text: string } {
  if (saved.length === 0) {
    return { status: 'not_started', text: 'None picked' };
  }
  const mappings = groups?.mappings ?? [];
  if (mappings.some((m) => m.errorSummary !== null || m.status === 'ERROR')) {
    return { status: 'failed', text: 'Okta reports a push error' };
  }
  const active = saved.filter((p) =>
    mappings.some((m) => m.sourceGroupId === p.oktaGroupId && m.status === 'ACTIVE'),
  ).length;
  if (active === saved.length) {
    return { status: 'verified', text: `${active} pushed` };
  }
  return {
    status: 'in_progress',
    text: `${saved.length} picked, ${active} pushed`,
  };
}

/**
 * Section 5: the Okta groups to push to dbt, each with the dbt group name it becomes, checked
 * against the names dbt already has.
 */
export function GroupsSection({ profile }: { profile: ProfileDto }) {
  const view = useOktaView(profile.id);
  const findGroups = useOktaStore((s) => s.findGroups);
  const pickGroups = useOktaStore((s) => s.pickGroups);
  const saved = profile.okta?.groupPushes ?? [];
  const [picks, setPicks] = useState<OktaGroupPick[]>(() => saved.map((p) => ({ ...p })));
  const [query, setQuery] = useState('');
  const [empty, setEmpty] = useState<ReadonlySet<string>>(new Set());
  const [justSaved, setJustSaved] = useState(false);
  const waiting = waitingFor(profile, view, 'app');
  const groups = view.groups;
  const searching = view.busy.groups !== undefined;
  const saving = view.busy.pick !== undefined;
  const dirty = !samePicks(picks, saved);
  const { status, text } = groupsStatus(saved, groups);

  const loaded = groups !== null || view.errors.groups !== undefined || searching;
  useEffect(() => {
    if (waiting === undefined && !loaded) {
      void findGroups(profile.id, '');
    }
  }, [waiting, loaded, findGroups, profile.id]);

  function toggle(group: { id: string; name: string }, on: boolean): void {
    setJustSaved(false);
    setPicks((list) =>
      on
        ? [
            ...list.filter((p) => p.oktaGroupId !== group.id),
            { oktaGroupId: group.id, oktaGroupName: group.name, targetGroupName: group.name },
          ]
        : list.filter((p) => p.oktaGroupId !== group.id),
    );
  }

  function setTarget(id: string, target: string): void {
    setJustSaved(false);
    setEmpty((e) => {
      const next = new Set(e);
      next.delete(id);
      return next;
    });
    setPicks((list) =>
      list.map((p) => (p.oktaGroupId === id ? { ...p, targetGroupName: target } : p)),
    );
  }

  async function save(): Promise<void> {
    const blank = new Set(
      picks.filter((p) => p.targetGroupName.trim() === '').map((p) => p.oktaGroupId),
    );
    setEmpty(blank);
    if (blank.size > 0) {
      return;
    }
    if (await pickGroups(profile.id, picks, query)) {
      setJustSaved(true);
    }
  }

  function onSearch(e: SyntheticEvent<HTMLFormElement>): void {
    e.preventDefault();
    void findGroups(profile.id, query);
  }

  return (
    <section aria-labelledby="okta-groups">
      <SectionHeading
        id="okta-groups"
        title="5. Groups to push"
        status={status}
        statusText={text}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          Okta pushes the groups you pick to dbt, with their members. Each becomes the dbt group
          named beside it; use the dbt group’s exact name to fill a group dbt already has. Pushes
          need “Push Groups” ticked on the Integration page (section 3).
        </Text>
        {waiting ? (
          <Text size="sm" c="dimmed">
            {waiting}
          </Text>
        ) : (
          <>
            <form noValidate onSubmit={onSearch} aria-label="Find Okta groups">
              <Group gap="sm" align="flex-end">
                <TextInput
                  label="Okta group name"
                  description="The start of the name. Empty lists the first groups."
                  value={query}
                  onChange={(e) => {
                    setQuery(e.currentTarget.value);
                  }}
                  autoComplete="off"
                  spellCheck={false}
                  maxLength={100}
                  w={320}
                />
                <Button
                  type="submit"
                  variant="default"
                  loading={searching}
                  leftSection={<IconSearch size={16} aria-hidden />}
                >
                  Search
                </Button>
              </Group>
            </form>
            <LiveRegion>
              {searching && <BusyLine text="Reading the groups in Okta and dbt…" />}
              {saving && <BusyLine text="Saving the groups to push…" />}
              {!saving && justSaved && (
                <Text size="sm">Saved. Review and apply the group pushes in section 4.</Text>
              )}
            </LiveRegion>
            {view.errors.groups && (
              <ErrorCallout
                title="Could not read the groups"
                error={view.errors.groups}
                onRetry={() => void findGroups(profile.id, query)}
              />
            )}
            {groups && <DbtGroupsNote groups={groups} />}
            {groups && groups.okta.length > 0 && (
              <Stack gap={6} role="group" aria-labelledby="okta-group-results">
                <Text size="sm" fw={600} id="okta-group-results">
                  Okta groups
                </Text>
                {groups.okta.map((g) => (
                  <Checkbox
                    key={g.id}
                    label={`Push ${g.name}`}
                    description={[
                      g.type === 'APP_GROUP' ? 'App group' : 'Okta group',
                      g.imported ? 'imported from dbt' : '',
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                    checked={picks.some((p) => p.oktaGroupId === g.id)}
                    onChange={(e) => {
                      toggle(g, e.currentTarget.checked);
                    }}
                  />
                ))}
              </Stack>
            )}
            {groups?.okta.length === 0 && (
              <Text size="sm">No Okta group has a name that starts like this.</Text>
            )}

            <Stack gap="sm">
              <Title order={3} id="okta-picks">
                Groups to push ({picks.length})
              </Title>
              {picks.length === 0 ? (
                <Text size="sm" c="dimmed">
                  None yet: tick the groups above.
                </Text>
              ) : (
                <ul className="guided-list" aria-labelledby="okta-picks">
                  {picks.map((p) => (
                    <PickRow
                      key={p.oktaGroupId}
                      pick={p}
                      groups={groups}
                      empty={empty.has(p.oktaGroupId)}
                      onTarget={(v) => {
                        setTarget(p.oktaGroupId, v);
                      }}
                      onRemove={() => {
                        toggle({ id: p.oktaGroupId, name: p.oktaGroupName }, false);
                      }}
                    />
                  ))}
                </ul>
              )}
              <Group gap="sm">
                <Button
                  onClick={() => void save()}
                  loading={saving}
                  disabled={!dirty}
                  leftSection={<IconDeviceFloppy size={16} aria-hidden />}
                >
                  Save the groups to push
                </Button>
                {dirty && (
                  <Text size="sm" c="dimmed">
                    Not saved yet.
                  </Text>
                )}
              </Group>
              {view.errors.pick && (
                <ErrorCallout
                  title="The groups were not saved"
                  error={view.errors.pick}
                  onRetry={() => void save()}
                />
              )}
            </Stack>
          </>
        )}
      </Stack>
    </section>
  );
}

/** What the wizard knows of dbt's groups. */
function DbtGroupsNote({ groups }: { groups: OktaGroups }) {
  if (groups.dbt === null) {
    return (
      <Text size="sm" c="dimmed">
        The dbt groups could not be read (the dbt Admin API token is not saved in Prerequisites), so
        the names below are not checked against dbt.
      </Text>
    );
  }
  if (groups.dbt.length === 0) {
    return (
      <Text size="sm">dbt has no groups yet: every group you push becomes a new dbt group.</Text>
    );
  }
  return <Text size="sm">dbt groups: {groups.dbt.map((g) => g.name).join(', ')}.</Text>;
}

/** One group to push: its dbt name, how that name sits with dbt, and how Okta's push goes. */
function PickRow({
  pick,
  groups,
  empty,
  onTarget,
  onRemove,
}: {
  pick: OktaGroupPick;
  groups: OktaGroups | null;
  empty: boolean;
  onTarget: (value: string) => void;
  onRemove: () => void;
}) {
  const { alignment, dbtName } = alignmentOf(pick, groups);
  const mapping = groups?.mappings.find((m) => m.sourceGroupId === pick.oktaGroupId);
  const target = pick.targetGroupName.trim();

  return (
    <li className="calm-note" style={{ listStyle: 'none', padding: 12 }} data-alignment={alignment}>
      <Stack gap={6}>
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <Text size="sm" fw={600}>
            {pick.oktaGroupName}
          </Text>
          <Button
            size="compact-xs"
            variant="subtle"
            leftSection={<IconX size={14} aria-hidden />}
            aria-label={`Stop pushing ${pick.oktaGroupName}`}
            onClick={onRemove}
          >
            Remove
          </Button>
        </Group>
        <TextInput
          label={`dbt group name for ${pick.oktaGroupName}`}
          value={pick.targetGroupName}
          onChange={(e) => {
            onTarget(e.currentTarget.value);
          }}
          error={empty ? 'Give the dbt group a name.' : undefined}
          autoComplete="off"
          spellCheck={false}
          maxLength={255}
          maw={420}
        />
        <div aria-live="polite">
          {alignment === 'match' && (
            <Group gap={6} wrap="nowrap" align="flex-start">
              <IconCircleCheck
                size={16}
                aria-hidden
                style={{ color: 'var(--mantine-color-teal-text)', flex: 'none', marginTop: 3 }}
              />
              <Text size="sm">Matches the dbt group “{dbtName ?? target}”.</Text>
            </Group>
          )}
          {alignment === 'case' && dbtName && (
            <Stack gap={4} align="flex-start">
              <Group gap={6} wrap="nowrap" align="flex-start">
                <IconAlertTriangle
                  size={16}
                  aria-hidden
                  style={{ color: 'var(--mantine-color-orange-text)', flex: 'none', marginTop: 3 }}
                />
                <Text size="sm">
                  dbt has “{dbtName}”, which differs only in case. dbt group names are
                  case-sensitive, so “{target}” would become a second dbt group.
                </Text>
              </Group>
              <Button
                size="xs"
                variant="default"
                onClick={() => {
                  onTarget(dbtName);
                }}
              >
                Use “{dbtName}”
              </Button>
            </Stack>
          )}
          {alignment === 'new' && (
            <Group gap={6} wrap="nowrap" align="flex-start">
              <IconInfoCircle
                size={16}
                aria-hidden
                style={{ color: 'var(--mantine-color-blue-text)', flex: 'none', marginTop: 3 }}
              />
              <Text size="sm">dbt has no group “{target}” yet: dbt will get a new group.</Text>
            </Group>
          )}
          {alignment === 'unknown' && (
            <Text size="sm" c="dimmed">
              Not checked against dbt.
            </Text>
          )}
        </div>
        {mapping && (
          <Text size="sm" className={mapping.errorSummary ? 'tone-fail' : undefined}>
            {mapping.errorSummary
              ? `Okta reports a push error: ${mapping.errorSummary}`
              : `Okta push: ${mapping.status.toLowerCase()}.`}
          </Text>
        )}
      </Stack>
    </li>
  );
}
