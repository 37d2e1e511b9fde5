import { List, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { IconClockHour4 } from '@tabler/icons-react';
import { NewProfileForm } from './NewProfileForm.js';

const NEEDS = [
  'A dbt account admin',
  'A dbt account on the Enterprise or Enterprise+ plan',
  'Single sign-on to dbt already set up with the same identity provider',
  'An administrator in that identity provider (Okta, or Microsoft Entra ID)',
];

/** The welcome screen when there is no profile yet. */
export function FirstRun() {
  return (
    <Stack gap="xl" className="first-run">
      <Stack gap="xs">
        <Title order={1}>Set up SCIM for a dbt account</Title>
        <Text c="dimmed" maw={640}>
          The wizard turns on SCIM provisioning from your identity provider into dbt, shows each
          change before it makes it, and proves every step by reading it back. A profile holds one
          dbt account and its identity provider.
        </Text>
      </Stack>
      <SimpleGrid cols={{ base: 1, md: 2 }} spacing="xl">
        <Paper withBorder p="lg">
          <NewProfileForm autoFocus />
        </Paper>
        <Paper withBorder p="lg" component="section" aria-labelledby="first-run-needs">
          <Title order={2} id="first-run-needs" mb="sm">
            What you need
          </Title>
          <List spacing="xs" size="sm">
            {NEEDS.map((n) => (
              <List.Item key={n}>{n}</List.Item>
            ))}
          </List>
          <Text size="sm" mt="md" className="first-run__time">
            <IconClockHour4 size={18} aria-hidden style={{ verticalAlign: 'text-bottom' }} /> About
            20–30 minutes. Nothing is asked before it is needed.
          </Text>
        </Paper>
      </SimpleGrid>
    </Stack>
  );
}
