import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import {
  IconActivity,
  IconAlertTriangle,
  IconLock,
  IconRefresh,
  IconTrash,
} from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import type { TokenRow } from '../../api/client.js';
import { AppModal } from '../../components/AppModal.js';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import type { ProfileDto } from '../../model.js';
import { useDbtStore, useDbtView } from '../../store/dbt.js';
import { dateTime } from '../../util/time.js';

/** dbt's SCIM tokens: which one this computer holds, which ones are in use, and Delete. */
export function TokenTable({ profile }: { profile: ProfileDto }) {
  const view = useDbtView(profile.id);
  const loadTokens = useDbtStore((s) => s.loadTokens);
  const clearError = useDbtStore((s) => s.clearError);
  const [deleting, setDeleting] = useState<TokenRow | null>(null);
  const list = view.tokens;
  const busy = view.busy.tokens !== undefined;

  useEffect(() => {
    void loadTokens(profile.id);
  }, [loadTokens, profile.id]);

  return (
    <section aria-labelledby="dbt-token-list">
      <Group justify="space-between" align="center" mb="xs">
        <Title order={3} id="dbt-token-list">
          SCIM tokens in dbt
        </Title>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconRefresh size={14} aria-hidden />}
          loading={busy}
          onClick={() => void loadTokens(profile.id)}
        >
          Refresh
        </Button>
      </Group>
      <LiveRegion>
        {busy && !list && <BusyLine text="Reading the SCIM tokens from dbt…" />}
      </LiveRegion>
      {view.errors.tokens && (
        <ErrorCallout
          title="Could not read dbt’s SCIM tokens"
          error={view.errors.tokens}
          onRetry={() => void loadTokens(profile.id)}
        />
      )}
      {list && !list.listAvailable && (
        <Text size="sm" c="dimmed" mb="xs">
          dbt does not list its SCIM tokens for this account; only the token this computer holds is
          shown.
        </Text>
      )}
      {list?.tokens.length === 0 && (
        <Text size="sm" c="dimmed">
          dbt has no SCIM tokens yet.
        </Text>
      )}
      {list && list.tokens.length > 0 && (
        <Table.ScrollContainer minWidth={560}>
          <Table verticalSpacing="xs" className="token-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name and id</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {list.tokens.map((t) => (
                <Table.Tr key={t.id}>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {t.name}
                    </Text>
                    <Text size="xs" c="dimmed" className="tabular">
                      id {t.id}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{dateTime(t.createdAt)}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{t.lastUsed ? dateTime(t.lastUsed) : 'never'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Stack gap={4} align="flex-start">
                      {t.saved && (
                        <Badge
                          variant="default"
                          tt="none"
                          fw={500}
                          leftSection={
                            <IconLock
                              size={12}
                              aria-hidden
                              style={{ color: 'var(--mantine-color-teal-text)' }}
                            />
                          }
                        >
                          This computer holds it
                        </Badge>
                      )}
                      {t.inUse && (
                        <Badge
                          variant="default"
                          tt="none"
                          fw={500}
                          leftSection={
                            <IconActivity
                              size={12}
                              aria-hidden
                              style={{ color: 'var(--mantine-color-orange-text)' }}
                            />
                          }
                        >
                          In use
                        </Badge>
                      )}
                    </Stack>
                  </Table.Td>
                  <Table.Td>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      leftSection={<IconTrash size={14} aria-hidden />}
                      aria-label={`Delete ${t.name}`}
                      onClick={() => {
                        clearError(profile.id, 'delete');
                        setDeleting(t);
                      }}
                    >
                      Delete
                    </Button>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <AppModal
        opened={deleting !== null}
        onClose={() => {
          setDeleting(null);
        }}
        title={deleting ? `Delete the SCIM token “${deleting.name}”` : ''}
      >
        {deleting && (
          <DeleteToken
            key={deleting.id}
            profile={profile}
            row={deleting}
            onDone={() => {
              setDeleting(null);
            }}
          />
        )}
      </AppModal>
    </section>
  );
}

function DeleteToken({
  profile,
  row,
  onDone,
}: {
  profile: ProfileDto;
  row: TokenRow;
  onDone: () => void;
}) {
  const view = useDbtView(profile.id);
  const deleteToken = useDbtStore((s) => s.deleteToken);
  const [replaced, setReplaced] = useState(false);
  const busy = view.busy.delete !== undefined;
  const blocked = row.inUse && !replaced;

  async function remove(): Promise<void> {
    if (await deleteToken(profile.id, row.id, row.inUse)) {
      onDone();
    }
  }

  return (
    <Stack gap="md">
      <Text size="sm">
        dbt deletes the token “{row.name}” (id {row.id}) at once. Anything that still sends it can
        no longer reach dbt’s SCIM API.
      </Text>
      {row.saved && (
        <Text size="sm">
          This computer holds this token, so the wizard forgets it too. The connection check then
          needs a new token.
        </Text>
      )}
      {row.inUse && (
        <Alert
          variant="light"
          color="orange"
          icon={<IconAlertTriangle aria-hidden />}
          title="The identity provider probably uses this token"
        >
          <Stack gap="sm">
            <Text size="sm">
              dbt saw it used {row.lastUsed ? dateTime(row.lastUsed) : 'recently'}. Put a newer
              token in the identity provider first, or provisioning stops.
            </Text>
            <Checkbox
              label="I have already put a newer token in the identity provider"
              checked={replaced}
              onChange={(e) => {
                setReplaced(e.currentTarget.checked);
              }}
            />
          </Stack>
        </Alert>
      )}
      {view.errors.delete && (
        <ErrorCallout title="The token was not deleted" error={view.errors.delete} />
      )}
      <Group justify="flex-end" gap="sm">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button
          color="red"
          leftSection={<IconTrash size={16} aria-hidden />}
          disabled={blocked}
          loading={busy}
          onClick={() => void remove()}
        >
          Delete token
        </Button>
      </Group>
    </Stack>
  );
}
