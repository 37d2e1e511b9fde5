/**
 * The report as a list of blocks (headings, paragraphs, tables, lists), written once and rendered
 * twice: as Markdown and as print-ready HTML. Block text is plain text; the renderers escape it.
 */
import type { CheckStatus } from '../model.js';
import type { ReportJson } from './model.js';

export type Block =
  | { readonly type: 'heading'; readonly level: 1 | 2 | 3; readonly text: string }
  | { readonly type: 'paragraph'; readonly text: string }
  | {
      readonly type: 'table';
      readonly header: readonly string[];
      readonly rows: readonly (readonly string[])[];
    }
  | { readonly type: 'list'; readonly items: readonly string[] };

const RESULT: Readonly<Record<CheckStatus, string>> = {
  pass: 'Pass',
  fail: 'Fail',
  pending: 'Pending',
  skip: 'Skipped',
};

const OUTCOME: Readonly<Record<string, string>> = {
  applied: 'Made',
  not_finished: 'Not finished',
  interrupted: 'Interrupted',
  done: 'Done',
  failed: 'Failed',
  pending: 'Waiting',
};

const ROTATION_STATE: Readonly<Record<string, string>> = {
  unknown: 'not scheduled (no token in use is known)',
  ok: 'on schedule',
  due: 'due soon',
  overdue: 'overdue',
};

export function reportBlocks(r: ReportJson): Block[] {
  const h = (level: 1 | 2 | 3, text: string): Block => ({ type: 'heading', level, text });
  const p = (text: string): Block => ({ type: 'paragraph', text });
  const table = (header: readonly string[], rows: readonly (readonly string[])[]): Block => ({
    type: 'table',
    header,
    rows,
  });
  const blocks: Block[] = [
    h(1, r.title),
    table(
      ['', ''],
      [
        ['Profile', `${r.profile.name} (id ${r.profile.id})`],
        ['Generated', r.generatedAt],
        ['By', `dbt SCIM Wizard ${r.appVersion}`],
        ['Times', 'UTC, written as ISO 8601 (2026-11-29T10:00:00Z is 10:00 UTC)'],
      ],
    ),
    h(2, 'Summary'),
    p(r.summary.text),
    h(2, 'Configuration'),
  ];
  for (const section of r.configuration) {
    blocks.push(
      h(3, section.title),
      section.settings.length
        ? table(
            ['Setting', 'Value'],
            section.settings.map((s) => [s.label, s.value]),
          )
        : p('Nothing configured yet.'),
    );
  }

  blocks.push(h(2, 'Changes made'));
  blocks.push(
    r.changes.length
      ? table(
          ['Time', 'Step', 'Change', 'Result'],
          r.changes.map((c) => [
            c.at,
            `${c.step} (${c.kind})`,
            `${c.action} ${c.target}: ${c.detail}`,
            `${OUTCOME[c.outcome] ?? c.outcome}${c.error ? `: ${c.error}` : ''}`,
          ]),
        )
      : p('The journal records no change made by the wizard.'),
  );

  blocks.push(h(2, 'Verifications'));
  blocks.push(
    r.verifications.length
      ? table(
          ['Time', 'Step', 'Item', 'Result', 'Details'],
          r.verifications.map((v) => [
            v.at,
            v.step ? `${v.step} (${v.kind})` : v.kind,
            v.id,
            RESULT[v.status],
            v.message,
          ]),
        )
      : p('The journal records no verification.'),
  );

  blocks.push(h(2, 'Health at last check'));
  if (r.health) {
    blocks.push(
      p(`${r.health.ok ? 'Healthy' : 'Not healthy'} at the last check, ${r.health.checkedAt}.`),
    );
    if (r.health.details.length) {
      blocks.push(
        table(
          ['', ''],
          r.health.details.map((d) => [d.label, d.value]),
        ),
      );
    }
    blocks.push(
      r.health.items.length
        ? table(
            ['Time', 'Area', 'Item', 'Result', 'Details', 'What to do'],
            r.health.items.map((i) => [
              i.at,
              i.area,
              i.id,
              RESULT[i.status],
              i.message,
              i.remediation ?? '',
            ]),
          )
        : p('The check listed no item.'),
    );
  } else {
    blocks.push(
      p(
        'No health check has been saved yet: open the app’s Overview and choose Check now, or run the status command.',
      ),
    );
  }

  const rot = r.rotation;
  blocks.push(
    h(2, 'Token rotation'),
    table(
      ['', ''],
      [
        ['Policy', `rotate the SCIM token every ${rot.intervalDays} days`],
        ['Counted from', rot.since ?? 'unknown'],
        ['Due date', rot.dueAt ?? 'not scheduled'],
        ['State', ROTATION_STATE[rot.state] ?? rot.state],
      ],
    ),
    p(rot.summary),
    h(3, 'Rotation history'),
    rot.history.length
      ? table(
          [
            'Started',
            'Last update',
            'Identity provider',
            'Old token',
            'New token',
            'Outcome',
            'Stage',
            'Details',
          ],
          rot.history.map((x) => [
            x.startedAt,
            x.at,
            x.idp === 'okta' ? 'Okta' : 'Microsoft Entra ID',
            x.oldToken,
            x.newToken,
            OUTCOME[x.outcome] ?? x.outcome,
            x.stage,
            x.message,
          ]),
        )
      : p('No rotation has been run for this profile.'),
  );

  blocks.push(h(2, 'License types'));
  const lic = r.license;
  if (!lic.okta && lic.entraMaps.length === 0) {
    blocks.push(p('No license choices are saved: dbt’s own default applies.'));
  }
  if (lic.okta) {
    blocks.push(
      h(3, 'Okta: license type by group (first match wins)'),
      lic.okta.rules.length
        ? table(
            ['Order', 'Okta group', 'License type'],
            lic.okta.rules.map((x, i) => [String(i + 1), x.groupName, x.licenseType]),
          )
        : p('No group rule.'),
      p(`Everyone else: ${lic.okta.defaultLicenseType}.`),
    );
  }
  if (lic.entraMaps.length) {
    blocks.push(
      h(3, 'Microsoft Entra ID: license type by group (dbt SSO license maps)'),
      table(
        ['License type', 'Entra groups'],
        lic.entraMaps.map((m) => [m.licenseType, m.groups.join('\n')]),
      ),
    );
  }

  blocks.push(h(2, 'What is not in this report'), { type: 'list', items: r.notIncluded });
  return blocks;
}
