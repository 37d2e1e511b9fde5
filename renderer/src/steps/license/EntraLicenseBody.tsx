import { ActionIcon, Alert, Button, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { IconDeviceFloppy, IconInfoCircle, IconPlus, IconX } from '@tabler/icons-react';
import { useEffect, useState, type SyntheticEvent } from 'react';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import { useLicenseStore, useLicenseView, type LicenseTypeValue } from '../../store/license.js';
import {
  ALL_LICENSE_TYPES,
  licenseTitle,
  offeredTypes,
  PlanOffer,
  ReadBack,
  ReviewApply,
  runStatus,
} from './common.js';

type Maps = Partial<Record<LicenseTypeValue, string[]>>;

/** The saved maps without empty types, for comparing with the draft. */
function normalised(maps: Maps | undefined): Maps {
  const out: Maps = {};
  for (const type of ALL_LICENSE_TYPES) {
    const groups = maps?.[type] ?? [];
    if (groups.length > 0) {
      out[type] = [...groups];
    }
  }
  return out;
}

function sameMaps(a: Maps, b: Maps): boolean {
  return JSON.stringify(normalised(a)) === JSON.stringify(normalised(b));
}

/** Entra's group names compare as dbt compares them: exactly, after trimming. */
const GROUP_MAX = 255;

/**
 * The License types screen for Microsoft Entra ID: dbt takes no license type from Entra over SCIM,
 * so each license type gets the Entra groups whose members receive it at SSO sign-in (dbt's
 * license maps), saved, then reviewed → applied → checked; dbt's SCIM license toggle stays off.
 */
export function EntraLicenseBody({ profile }: { profile: ProfileDto }) {
  const view = useLicenseView(profile.id);
  const load = useLicenseStore((s) => s.load);
  const saveRules = useLicenseStore((s) => s.saveRules);
  const saved = normalised(profile.license?.entraMaps);
  const [draft, setDraft] = useState<Maps>(saved);
  const [typed, setTyped] = useState<Partial<Record<LicenseTypeValue, string>>>({});
  const [rowError, setRowError] = useState<Partial<Record<LicenseTypeValue, string>>>({});
  const dirty = !sameMaps(draft, saved);
  const hasSaved = Object.keys(saved).length > 0;
  const saving = view.busy.save !== undefined;

  useEffect(() => {
    void load(profile.id);
  }, [load, profile.id]);

  // The plan's types, plus any saved type the plan no longer offers (so it can be removed).
  const offered = offeredTypes(view);
  const types = ALL_LICENSE_TYPES.filter((t) => offered.includes(t) || (draft[t]?.length ?? 0) > 0);

  function add(type: LicenseTypeValue, e: SyntheticEvent): void {
    e.preventDefault();
    const name = (typed[type] ?? '').trim();
    const owner = ALL_LICENSE_TYPES.find((t) => draft[t]?.includes(name));
    const problem =
      name === ''
        ? 'Type the Entra group’s name first.'
        : owner
          ? `“${name}” is already listed under ${licenseTitle(owner)}. Each group gets one license type.`
          : undefined;
    setRowError((x) => ({ ...x, [type]: problem }));
    if (problem) {
      return;
    }
    setDraft((d) => ({ ...d, [type]: [...(d[type] ?? []), name] }));
    setTyped((x) => ({ ...x, [type]: '' }));
  }

  function remove(type: LicenseTypeValue, name: string): void {
    setDraft((d) => ({ ...d, [type]: (d[type] ?? []).filter((g) => g !== name) }));
  }

  const mapsStatus: { status: StepStatus; text: string } = saving
    ? { status: 'in_progress', text: 'Saving…' }
    : dirty
      ? { status: 'in_progress', text: 'Not saved yet' }
      : hasSaved
        ? { status: 'verified', text: 'Saved' }
        : { status: 'not_started', text: 'No groups yet' };
  const checked = view.checked;
  const checkStatus = runStatus(checked);

  return (
    <Stack gap="xl">
      <section aria-labelledby="license-entra-maps">
        <SectionHeading
          id="license-entra-maps"
          title="1. Entra groups for each license type"
          status={mapsStatus.status}
          statusText={mapsStatus.text}
        />
        <Stack gap="md" maw={720}>
          <Text size="sm">
            dbt does not take a license type from Microsoft Entra ID over SCIM. Instead, dbt gives
            license types at SSO sign-in from its license maps: people in the Entra groups you list
            under a license type get that license. Use the group names exactly as Entra sends them
            to dbt at sign-in. People in none of these groups get Developer, dbt’s default.
          </Text>
          <PlanOffer view={view} onRetry={() => void load(profile.id)} />
          <Table.ScrollContainer minWidth={560}>
            <Table verticalSpacing="sm" aria-label="Entra groups for each license type">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>License type</Table.Th>
                  <Table.Th>Entra groups</Table.Th>
                  <Table.Th>Add a group</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {types.map((type) => {
                  const title = licenseTitle(type);
                  const groups = draft[type] ?? [];
                  const notOffered = view.state?.notOffered[type];
                  return (
                    <Table.Tr key={type} data-license={type}>
                      <Table.Td valign="top">
                        <Text size="sm" fw={600}>
                          {title}
                        </Text>
                        {type === 'developer' && (
                          <Text size="xs" c="dimmed">
                            dbt’s default
                          </Text>
                        )}
                        {notOffered && (
                          <Text size="xs" c="red">
                            Not on this plan: remove these groups.
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td valign="top">
                        {groups.length === 0 ? (
                          <Text size="sm" c="dimmed">
                            No groups
                          </Text>
                        ) : (
                          <ul className="permission-list" aria-label={`Entra groups for ${title}`}>
                            {groups.map((g) => (
                              <li key={g}>
                                <Group gap={4} wrap="nowrap">
                                  <Text size="sm" component="span">
                                    {g}
                                  </Text>
                                  <ActionIcon
                                    variant="subtle"
                                    color="gray"
                                    size="sm"
                                    aria-label={`Remove ${g} from ${title}`}
                                    disabled={saving}
                                    onClick={() => {
                                      remove(type, g);
                                    }}
                                  >
                                    <IconX size={14} aria-hidden />
                                  </ActionIcon>
                                </Group>
                              </li>
                            ))}
                          </ul>
                        )}
                      </Table.Td>
                      <Table.Td valign="top">
                        <form
                          onSubmit={(e) => {
                            add(type, e);
                          }}
                          noValidate
                        >
                          <Group gap="xs" wrap="nowrap" align="flex-start">
                            <TextInput
                              size="sm"
                              aria-label={`Entra group for ${title}`}
                              placeholder="Group name"
                              value={typed[type] ?? ''}
                              maxLength={GROUP_MAX}
                              disabled={Boolean(notOffered) || saving}
                              error={rowError[type]}
                              autoComplete="off"
                              spellCheck={false}
                              onChange={(e) => {
                                const value = e.currentTarget.value;
                                setTyped((x) => ({ ...x, [type]: value }));
                              }}
                            />
                            <Button
                              type="submit"
                              aria-label={`Add to ${title}`}
                              variant="default"
                              size="sm"
                              disabled={Boolean(notOffered) || saving}
                              leftSection={<IconPlus size={14} aria-hidden />}
                            >
                              Add
                            </Button>
                          </Group>
                        </form>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          <Group gap="sm">
            <Button
              leftSection={<IconDeviceFloppy size={16} aria-hidden />}
              loading={saving}
              disabled={!dirty}
              onClick={() => void saveRules(profile.id, { entraMaps: normalised(draft) })}
            >
              Save the groups
            </Button>
            {dirty && (
              <Text size="sm" c="dimmed">
                Changes not saved yet.
              </Text>
            )}
          </Group>
          {view.errors.save && (
            <ErrorCallout
              title="The groups were not saved"
              error={view.errors.save}
              onRetry={() => void saveRules(profile.id, { entraMaps: normalised(draft) })}
            />
          )}
        </Stack>
      </section>

      <section aria-labelledby="license-entra-apply">
        <SectionHeading
          id="license-entra-apply"
          title="2. Review, apply and check"
          status={checkStatus.status}
          statusText={checkStatus.text}
        />
        <Stack gap="md" maw={720}>
          <ReviewApply
            profileId={profile.id}
            part="rules"
            disabled={!hasSaved || dirty}
            disabledText={
              dirty
                ? 'Save the groups first: the review reads what is saved.'
                : 'Add at least one Entra group and save, then review the changes.'
            }
            texts={{
              review: 'Review the license maps',
              apply: 'Apply',
              planLabel: 'Changes to dbt’s license maps',
              emptyText: 'No changes needed: dbt’s license maps already match.',
              planning: 'Reading the license maps from dbt…',
              applying: 'Writing the license maps in dbt…',
              done: 'dbt’s license maps now match the groups above.',
            }}
          />
          <ReadBack
            profileId={profile.id}
            button="Check the license maps"
            busyText="Reading the license maps back from dbt…"
            disabled={!hasSaved}
            errorTitle="Could not check the license maps"
            stoppedTitle="The check stopped"
            checks={checked?.checks ?? []}
            label="Verification of the license maps"
          />
          <Alert
            role="note"
            variant="light"
            color="gray"
            icon={<IconInfoCircle aria-hidden />}
            title="“Manage user licenses with SCIM” stays off"
          >
            <Text size="sm">
              With that dbt setting on, dbt ignores its license maps and takes license types only
              from SCIM, which Entra ID cannot send: everyone would keep dbt’s default. The check
              above confirms it is off.
              {view.state?.scimControlledLicenseType === true &&
                ' It is on in dbt right now: turn it off in dbt (Account settings → SSO & SCIM).'}
            </Text>
          </Alert>
        </Stack>
      </section>
    </Stack>
  );
}
