import { Button, Group, Paper, Select, Stack, Text, Textarea, Title } from '@mantine/core';
import { IconDownload } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { BusyLine, LiveRegion } from '../../components/BusyLine.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { ExternalLink } from '../../components/ExternalLink.js';
import { PlanApply } from '../../components/PlanApply.js';
import { useOpenExternal } from '../../components/useOpenExternal.js';
import { IDP_NAMES, type ProfileDto } from '../../model.js';
import { useDbtStore, useDbtView } from '../../store/dbt.js';
import { IDP_RANGES_SOURCE, PREREQUISITE_TITLES } from './texts.js';

/**
 * IP restrictions are on: the IdP's provisioning traffic must be allowed. The admin pastes the
 * IdP's published ranges (or, for Okta, fills in their cell's), reviews the allow rule, applies it.
 */
export function IpAllowPanel({ profile }: { profile: ProfileDto }) {
  const view = useDbtView(profile.id);
  const link = useOpenExternal();
  const discardPlan = useDbtStore((s) => s.discardPlan);
  const loadRanges = useDbtStore((s) => s.loadRanges);
  const [cidrs, setCidrs] = useState('');
  const [cell, setCell] = useState<string | null>(null);
  const idp = profile.idp;
  const cells = view.ranges?.idp === 'okta' ? view.ranges.cells : [];

  useEffect(() => {
    if (idp === 'okta' && !view.ranges) {
      void loadRanges(profile.id);
    }
    // Read Okta's cell list once per profile.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [idp, profile.id]);

  if (!idp) {
    return (
      <Paper withBorder p="md" radius="sm" className="panel">
        <Text size="sm">
          IP restrictions are on in dbt. Choose the identity provider for this profile first
          (Profile settings › Edit profile); the wizard then helps you allow its addresses.
        </Text>
      </Paper>
    );
  }

  const name = IDP_NAMES[idp];
  const source = IDP_RANGES_SOURCE[idp];

  async function fill(): Promise<void> {
    if (!cell) {
      return;
    }
    const got = await loadRanges(profile.id, cell);
    if (got && got.ranges.length > 0) {
      setCidrs(got.ranges.join('\n'));
      discardPlan(profile.id, 'ip');
    }
  }

  return (
    <Paper
      component="section"
      withBorder
      p="md"
      radius="sm"
      className="panel"
      aria-labelledby="prereq-ip"
    >
      <Stack gap="sm">
        <Title order={3} id="prereq-ip">
          Allow {name} through dbt’s IP restrictions
        </Title>
        <Text size="sm">
          IP restrictions are on in dbt. {name} sends users and groups to dbt from its own
          addresses, so dbt must allow them; otherwise it refuses every provisioning request.
        </Text>
        <Text size="sm">{source.text}</Text>
        <div>
          <ExternalLink url={source.url} onOpen={link.open}>
            Where {name} publishes its ranges
          </ExternalLink>
        </div>
        {link.error && (
          <ErrorCallout title="The link was not opened" error={link.error} onDismiss={link.clear} />
        )}

        {idp === 'okta' && cells.length > 0 && (
          <Group gap="sm" align="flex-end">
            <Select
              label="Okta cell"
              description="In the Okta Admin Console footer, e.g. OK7."
              placeholder="Choose your cell"
              data={cells.map((c) => ({ value: c.id, label: c.label }))}
              value={cell}
              onChange={setCell}
              searchable
              w={260}
            />
            <Button
              variant="default"
              leftSection={<IconDownload size={16} aria-hidden />}
              disabled={!cell}
              loading={view.busy.ranges !== undefined && cell !== null}
              onClick={() => void fill()}
            >
              Fill in this cell’s ranges
            </Button>
          </Group>
        )}
        <LiveRegion>
          {view.busy.ranges !== undefined && cell !== null && (
            <BusyLine text="Reading Okta’s published ranges…" />
          )}
        </LiveRegion>
        {view.errors.ranges && cell !== null && (
          <ErrorCallout
            title="Could not read Okta’s ranges"
            error={view.errors.ranges}
            onRetry={() => void fill()}
          />
        )}

        <Textarea
          label="Address ranges (CIDR, one per line)"
          description={`The ranges ${name} publishes for provisioning, for example 203.0.113.0/24.`}
          autosize
          minRows={4}
          maxRows={12}
          value={cidrs}
          spellCheck={false}
          onChange={(e) => {
            setCidrs(e.currentTarget.value);
            if (view.plans.ip) {
              discardPlan(profile.id, 'ip');
            }
          }}
        />
        <PlanApply
          profileId={profile.id}
          planKey="ip"
          step={{ kind: 'dbt.ip-allowlist', cidrs }}
          what="dbt’s IP restriction rules"
          applyingText="Adding the allow rule in dbt…"
          checkTitles={PREREQUISITE_TITLES}
          {...(cidrs.trim() === '' ? { disabledReason: 'Paste the ranges first.' } : {})}
        />
      </Stack>
    </Paper>
  );
}
