import { Badge, Button, Group, Loader, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { IconExternalLink, IconRefresh } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { LiveRegion } from '../../components/BusyLine.js';
import { CopyValue } from '../../components/CopyValue.js';
import { ErrorCallout } from '../../components/ErrorCallout.js';
import { SecretCopy } from '../../components/SecretCopy.js';
import { SectionHeading } from '../../components/SectionHeading.js';
import { StepStatusIcon } from '../../components/StepStatusIcon.js';
import { useOpenExternal } from '../../components/useOpenExternal.js';
import type { ProfileDto, StepStatus } from '../../model.js';
import { useOktaStore, useOktaView, type OktaConsoleItem } from '../../store/okta.js';
import { useWizardStore } from '../../store/wizard.js';
import { clockTime } from '../../util/time.js';
import { ConsoleDrawing, spotOf } from './ConsoleDrawing.js';
import { POLL_MS, waitingFor } from './OktaCommon.js';

/** running: checks come every 5 s; paused: the window is hidden; stopped: a check failed; done: all verified. */
export type PollState = 'idle' | 'running' | 'paused' | 'stopped' | 'done';

const ITEM_STATUS: Readonly<Record<OktaConsoleItem['status'], StepStatus>> = {
  pass: 'verified',
  fail: 'failed',
  pending: 'needs_you',
  skip: 'not_started',
};

const ITEM_WORDS: Readonly<Record<OktaConsoleItem['status'], string>> = {
  pass: 'Verified',
  fail: 'Not verified',
  pending: 'Waiting for you',
  skip: 'Skipped',
};

/** The first step on screen that the engine has not recorded as shown yet (nor been told of). */
function nextShown(profileId: string, told: ReadonlySet<string>): string | undefined {
  const items = useOktaStore.getState().views[profileId]?.console?.items ?? [];
  const profile = useWizardStore.getState().profiles.find((p) => p.id === profileId);
  const recorded = profile?.okta?.consoleShownAt ?? {};
  return items.find(
    (i) =>
      (i.status === 'pending' || i.status === 'fail') &&
      !told.has(i.id) &&
      recorded[i.id] === undefined,
  )?.id;
}

function allDone(items: readonly OktaConsoleItem[]): boolean {
  return items.length > 0 && items.every((i) => i.status === 'pass' || i.status === 'skip');
}

/**
 * Reads the console steps now, then every 5 s (or later, when the engine's `nextCheckAt` says so)
 * for as long as the caller is mounted and the window is visible. Stops when a read fails (Retry
 * restarts) and when every step is verified. Tells the engine, one per read, which steps the
 * admin sees for the first time.
 */
export function useConsolePolling(
  profileId: string,
  enabled: boolean,
): { state: PollState; restart: () => void } {
  const pollConsole = useOktaStore((s) => s.pollConsole);
  const [state, setState] = useState<PollState>('idle');
  const [round, setRound] = useState(0);

  useEffect(() => {
    if (!enabled) {
      return undefined;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Mutable across awaits (the clean-up sets `cancelled` while a read is out).
    const life = { cancelled: false, inFlight: false, finished: false, dueAt: 0 };
    const cancelled = (): boolean => life.cancelled;
    const told = new Set<string>();

    const visible = (): boolean => document.visibilityState === 'visible';

    function schedule(delay: number): void {
      clearTimeout(timer);
      timer = setTimeout(() => void run(), delay);
    }

    async function run(): Promise<void> {
      timer = undefined;
      if (life.cancelled || life.inFlight || life.finished) {
        return;
      }
      if (!visible()) {
        setState('paused');
        return;
      }
      life.inFlight = true;
      setState('running');
      const shown = nextShown(profileId, told);
      if (shown !== undefined) {
        told.add(shown);
      }
      const out = await pollConsole(profileId, shown);
      life.inFlight = false;
      if (cancelled()) {
        return;
      }
      if (!out) {
        life.finished = true;
        setState('stopped');
        return;
      }
      if (allDone(out.items)) {
        life.finished = true;
        setState('done');
        return;
      }
      const next = Date.parse(out.nextCheckAt);
      const delay = Math.max(POLL_MS, Number.isNaN(next) ? 0 : next - Date.now());
      life.dueAt = Date.now() + delay;
      if (visible()) {
        schedule(delay);
      } else {
        setState('paused');
      }
    }

    function onVisibility(): void {
      if (life.cancelled || life.finished) {
        return;
      }
      if (visible()) {
        if (timer === undefined && !life.inFlight) {
          setState('running');
          schedule(Math.max(0, life.dueAt - Date.now()));
        }
      } else {
        clearTimeout(timer);
        timer = undefined;
        setState('paused');
      }
    }

    document.addEventListener('visibilitychange', onVisibility);
    timer = setTimeout(() => void run(), 0);
    return () => {
      life.cancelled = true;
      clearTimeout(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [enabled, profileId, pollConsole, round]);

  return {
    state: enabled ? state : 'idle',
    restart: () => {
      setRound((r) => r + 1);
    },
  };
}

function consoleStatus(items: readonly OktaConsoleItem[] | undefined): {
  status: StepStatus;
  text: string;
} {
  if (!items || items.length === 0) {
    return { status: 'not_started', text: 'Not checked yet' };
  }
  const required = items.filter((i) => !i.optional);
  const verified = required.filter((i) => i.status === 'pass' || i.status === 'skip').length;
  if (items.some((i) => i.status === 'fail')) {
    return { status: 'failed', text: `${verified} of ${required.length} verified` };
  }
  if (verified === required.length) {
    return { status: 'verified', text: 'All verified' };
  }
  return { status: 'needs_you', text: `${verified} of ${required.length} verified` };
}

/**
 * Section 3: the changes Okta's API cannot make on a custom SAML app, each in the console's own
 * words with its values to copy, a link to the exact page, and a live check that turns to
 * "Verified at 10:42" once Okta shows it.
 */
export function ConsoleSection({ profile }: { profile: ProfileDto }) {
  const view = useOktaView(profile.id);
  const clearError = useOktaStore((s) => s.clearError);
  const waiting = waitingFor(profile, view, 'app');
  const polling = useConsolePolling(profile.id, waiting === undefined);
  const items = view.console?.items;
  const { status, text } = consoleStatus(items);
  const stoppedError = view.errors.console;

  return (
    <section aria-labelledby="okta-console">
      <SectionHeading
        id="okta-console"
        title="3. Console steps"
        status={status}
        statusText={text}
      />
      <Stack gap="md" maw={720}>
        <Text size="sm">
          Okta has no API to switch on SCIM for a custom SAML app, so these changes are yours to
          make in the Okta Admin Console. The wizard checks each one by reading the app back, every
          5 seconds while this section is on screen.
        </Text>
        {waiting ? (
          <Text size="sm" c="dimmed">
            {waiting}
          </Text>
        ) : (
          <>
            <PollLine state={polling.state} onRestart={polling.restart} />
            {stoppedError && (
              <ErrorCallout
                title="Could not read the console steps from Okta"
                error={stoppedError}
                onRetry={() => {
                  clearError(profile.id, 'console');
                  polling.restart();
                }}
              />
            )}
            {view.console?.error && (
              <ErrorCallout title="Some checks could not be made" error={view.console.error} />
            )}
            {items && items.length > 0 && (
              <ol className="guided-list" aria-label="Console steps">
                {items.map((item, i) => (
                  <ConsoleItem key={item.id} profile={profile} item={item} index={i + 1} />
                ))}
              </ol>
            )}
          </>
        )}
      </Stack>
    </section>
  );
}

/** How the checking goes, in one calm line. */
function PollLine({ state, onRestart }: { state: PollState; onRestart: () => void }) {
  if (state === 'done') {
    return (
      <Group gap="sm">
        <Text size="sm">Every console step is verified; the wizard stopped checking.</Text>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconRefresh size={14} aria-hidden />}
          onClick={onRestart}
        >
          Check again
        </Button>
      </Group>
    );
  }
  if (state === 'paused') {
    return (
      <Text size="sm" c="dimmed">
        Checking is paused while this window is hidden.
      </Text>
    );
  }
  return null;
}

/** One console step: what to do, the values beside it, the page to open, and its live check. */
function ConsoleItem({
  profile,
  item,
  index,
}: {
  profile: ProfileDto;
  item: OktaConsoleItem;
  index: number;
}) {
  const link = useOpenExternal();
  const titleId = `okta-console-${item.id.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const spot = spotOf(item.link?.url, item.instructions);
  // A step Okta shows done folds to its title and check; the steps stay one click away.
  const done = item.status === 'pass' || item.status === 'skip';
  const [showDone, setShowDone] = useState(false);

  return (
    <li className="calm-note" aria-labelledby={titleId} style={{ listStyle: 'none', padding: 16 }}>
      <Stack gap="sm">
        <Group gap="xs" wrap="nowrap" align="flex-start" justify="space-between">
          <Group gap="xs" wrap="nowrap" align="flex-start">
            <span style={{ marginTop: 2 }}>
              <StepStatusIcon status={ITEM_STATUS[item.status]} size={18} />
            </span>
            <Title order={3} id={titleId}>
              <VisuallyHidden>Step {index}: </VisuallyHidden>
              {item.title}
            </Title>
          </Group>
          <Group gap={6} wrap="nowrap">
            {item.optional && (
              <Badge variant="outline" color="gray" tt="none" fw={500}>
                Optional
              </Badge>
            )}
            <Text size="sm" className="section-status" data-status={item.status}>
              {ITEM_WORDS[item.status]}
            </Text>
          </Group>
        </Group>

        {done && (
          <Button
            variant="subtle"
            size="compact-sm"
            px={4}
            w="fit-content"
            aria-expanded={showDone}
            aria-controls={`${titleId}-body`}
            onClick={() => {
              setShowDone((v) => !v);
            }}
          >
            {showDone ? 'Hide the steps' : 'Show the steps again'}
          </Button>
        )}
        {(!done || showDone) && (
          <Stack gap="sm" id={`${titleId}-body`}>
            {item.instructions.length > 0 && (
              <ol className="console-steps" aria-label={`What to do: ${item.title}`}>
                {item.instructions.map((line) => (
                  <li key={line}>{line}</li>
                ))}
              </ol>
            )}

            {item.values.map((v) => (
              <CopyValue key={v.label} label={v.label} value={v.value} />
            ))}

            {item.needsToken && <TokenCopy profile={profile} />}

            {item.link && (
              <Group gap="sm">
                <Button
                  variant="default"
                  size="sm"
                  leftSection={<IconExternalLink size={16} aria-hidden />}
                  onClick={() => {
                    if (item.link) {
                      link.open(item.link.url);
                    }
                  }}
                >
                  {item.link.label}
                  <VisuallyHidden> (opens in your browser)</VisuallyHidden>
                </Button>
              </Group>
            )}
            {link.error && (
              <ErrorCallout
                title="The link was not opened"
                error={link.error}
                onDismiss={link.clear}
              />
            )}
          </Stack>
        )}

        {spot && (item.status === 'pending' || item.status === 'fail') && (
          <ConsoleDrawing spot={spot} />
        )}

        <LiveRegion>
          <LiveCheck item={item} />
        </LiveRegion>
      </Stack>
    </li>
  );
}

/** "Waiting for Okta (checking every 5 s)" → "Verified at 10:42", or what Okta shows instead. */
function LiveCheck({ item }: { item: OktaConsoleItem }) {
  if (item.status === 'pass') {
    const at = clockTime(item.verifiedAt ?? item.at);
    return (
      <Text size="sm" fw={600} className="tone-pass">
        {at ? `Verified at ${at}` : 'Verified'}
      </Text>
    );
  }
  if (item.status === 'fail') {
    return (
      <ErrorCallout
        title="Okta shows a problem with this step"
        error={{ code: item.id, message: item.message }}
      />
    );
  }
  if (item.status === 'skip') {
    return (
      <Text size="sm" c="dimmed">
        Skipped: {item.message}
      </Text>
    );
  }
  return (
    <Stack gap={2}>
      <Group gap={8} wrap="nowrap">
        <Loader size={14} aria-hidden />
        <Text size="sm">Waiting for Okta (checking every 5 s)</Text>
      </Group>
      {item.message && (
        <Text size="xs" c="dimmed" ml={22}>
          {/* The line above already says it waits for Okta. */}
          {item.message.replace(/^Waiting for Okta:\s*/, '')}
        </Text>
      )}
    </Stack>
  );
}

/** "Copy the SCIM token" for Okta's "Bearer" field (main copies it; this window never sees it). */
function TokenCopy({ profile }: { profile: ProfileDto }) {
  const view = useOktaView(profile.id);
  const copy = useOktaStore((s) => s.copyScimToken);
  const clearError = useOktaStore((s) => s.clearError);
  return (
    <SecretCopy
      label="Copy the SCIM token"
      hint="The token from the dbt step goes straight to the clipboard; the wizard never shows it. Paste it where the instructions say."
      copied={view.copied}
      busy={view.busy.copy !== undefined}
      error={view.errors.copy}
      errorTitle="The SCIM token was not copied"
      onCopy={() => void copy(profile.id)}
      onDismissError={() => {
        clearError(profile.id, 'copy');
      }}
      countdownId="okta-token-countdown"
    />
  );
}
