import { Button, Group, Text, Title } from '@mantine/core';
import { IconFileText, IconFileTypePdf } from '@tabler/icons-react';
import { useState } from 'react';
import { client, toErrorInfo } from '../api/client.js';
import { BusyLine, LiveRegion } from '../components/BusyLine.js';
import { ErrorCallout } from '../components/ErrorCallout.js';
import type { ProfileDto } from '../model.js';
import type { ErrorInfo } from '../store/wizard.js';

type Format = 'pdf' | 'markdown';

const FORMAT_NAMES: Readonly<Record<Format, string>> = { pdf: 'PDF', markdown: 'Markdown' };

/**
 * The setup report for an audit, saved where the admin chooses (the app's Save dialog; the PDF is
 * printed by the app). Nothing secret is in it; the engine builds it, this only asks for it.
 */
export function ReportSection({ profile }: { profile: ProfileDto }) {
  const [busy, setBusy] = useState<Format | null>(null);
  const [outcome, setOutcome] = useState<{ format: Format; path?: string } | null>(null);
  const [error, setError] = useState<{ format: Format; error: ErrorInfo } | null>(null);

  async function save(format: Format): Promise<void> {
    setBusy(format);
    setOutcome(null);
    setError(null);
    try {
      const r = await client.report.save({ profileId: profile.id, format });
      setOutcome({ format, ...(r.saved && r.path ? { path: r.path } : {}) });
    } catch (e) {
      setError({ format, error: toErrorInfo(e) });
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="overview-report">
      <Title order={2} id="overview-report" mb="xs">
        Setup report
      </Title>
      <Text size="sm" maw={720} mb="sm">
        For an audit: what was configured and where, each change with when and by which step, every
        verification with its result and time, the last health check and the rotation history. It
        holds no secret; a token shows at most its last four characters.
      </Text>
      <Group gap="sm">
        <Button
          variant="default"
          leftSection={<IconFileTypePdf size={16} aria-hidden />}
          loading={busy === 'pdf'}
          disabled={busy !== null}
          onClick={() => void save('pdf')}
        >
          Save as PDF…
        </Button>
        <Button
          variant="default"
          leftSection={<IconFileText size={16} aria-hidden />}
          loading={busy === 'markdown'}
          disabled={busy !== null}
          onClick={() => void save('markdown')}
        >
          Save as Markdown…
        </Button>
      </Group>
      <LiveRegion>
        {busy && <BusyLine text={`Preparing the ${FORMAT_NAMES[busy]} report…`} />}
        {!busy && outcome && (
          <Text size="sm" mt="xs">
            {outcome.path
              ? `Saved the ${FORMAT_NAMES[outcome.format]} report to ${outcome.path}.`
              : 'Not saved.'}
          </Text>
        )}
      </LiveRegion>
      {error && (
        <ErrorCallout
          title={`The ${FORMAT_NAMES[error.format]} report was not saved`}
          error={error.error}
          onRetry={() => void save(error.format)}
          onDismiss={() => {
            setError(null);
          }}
        />
      )}
    </section>
  );
}
