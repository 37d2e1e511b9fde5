/**
 * The setup report from plain data: every configured value, change, verification (with its time),
 * health item, rotation history row, the due date and the license choices are in all three forms;
 * Markdown and HTML escape what they show; no planted token (nor a fragment) ever appears.
 */
import { describe, expect, it } from 'vitest';
import { buildReport, fileNameFor, reportFileName } from '../../../electron/core/report/build.js';
import { escapeHtml, escapeMarkdown, markdownTable } from '../../../electron/core/report/escape.js';
import { findTokenLike } from '../../../electron/core/report/token-scan.js';
import { PLANTED, T, plantedIn, sampleInput, sampleProfile } from './fixture.js';

const built = buildReport(sampleInput());
const json = JSON.stringify(built.json);
const forms = { markdown: built.markdown, html: built.html, json };

/** The number of table cell separators in a Markdown line (escaped pipes are not). */
function cellBars(line: string): number {
  return (line.match(/(?<!\\)\|/g) ?? []).length;
}

describe('buildReport: content', () => {
  const expected: readonly string[] = [
    // dbt configuration
    '4242',
    'ab123.us1.dbt.com',
    'https://ab123.us1.dbt.com/api/v2/accounts/4242/scim/v2',
    'scim-okta-2026-10-01 (id 77)',
    // Okta
    'https://acme.okta.com',
    '0oa1b2c3d4e5f6g7h8i9',
    'dbtcloud',
    'pkce',
    'Engineers → dbt-eng (00g1abcdefghijklmno)',
    // Entra
    'acme.onmicrosoft.com',
    '5f2a7c1e-1111-4a2b-9c3d-000000000001',
    '9e8d7c6b-2222-4a2b-9c3d-000000000002',
    'customappsso.0123456789abcdef0123456789abcdef.6b1e6a4b-3333-4a2b-9c3d-000000000003',
    'token id 77',
    // credentials: last four only
    '…wxyz',
    '…ab12',
    // changes
    'dbt scim-config',
    'attribute licenseType',
    'group push Engineers',
    'dbt.scim-config',
    'okta.license',
    'okta.group-push',
    // verifications
    'dbt.scim.enabled',
    'dbt.scim.token',
    'okta.feature.push-groups',
    'okta.console.provisioning',
    'entra.console.assign-users',
    // health
    'token.in-use',
    'okta.schema.licenseType',
    'EncounteredQuarantineException',
    'users: 12, groups: 3',
    '2027-05-01T00:00:00.000Z',
    // rotation
    '2026-11-30T10:00:00.000Z',
    'scim-okta-2026-08-01 (id 12)',
    'scim-okta-2026-11-20 (id 91)',
    'installed',
    // license
    'Developer',
    'Analyst',
    'Read Only',
    'IT admins',
    'Engineers',
    // times of everything
    // (a change shows when it was made; when it was planned or begun is not the change's time)
    ...Object.values(T).filter((t) => t !== T.plan && t !== T.applying && t !== T.failedApplying),
    '1.2.3',
  ];

  it.each(Object.entries(forms))('the %s has every item and every time', (_form, text) => {
    const missing = expected.filter(
      (v) =>
        !text.includes(v) && !text.includes(escapeMarkdown(v)) && !text.includes(escapeHtml(v)),
    );
    expect(missing).toEqual([]);
  });

  it('states the rotation policy and the due date', () => {
    expect(built.markdown).toContain('rotate the SCIM token every 60 days');
    expect(built.markdown).toContain('| Due date | 2026-11-30T10:00:00.000Z |');
    expect(built.markdown).toContain('The SCIM token rotation is due in 1 day, on 2026-11-30.');
    expect(built.json.rotation).toMatchObject({ intervalDays: 60, state: 'due', daysLeft: 1 });
  });

  it('lists the changes made with their outcome: made, not finished (with why), interrupted', () => {
    const c = built.json.changes;
    expect(c.map((x) => [x.at, x.kind, x.outcome])).toEqual([
      [T.applied, 'dbt.scim-config', 'applied'],
      [T.failedAt, 'okta.license', 'not_finished'],
      [T.interrupted, 'okta.group-push', 'interrupted'],
    ]);
    expect(c[1]?.error).toContain('Okta refused:');
    // Planned-only changes are not changes made: the planned line alone adds nothing.
    expect(c.filter((x) => x.runId === 'run-a')).toHaveLength(1);
  });

  it('lists each verification with its own time, result and source, oldest first', () => {
    expect(built.json.verifications.map((v) => [v.at, v.id, v.status, v.source])).toEqual([
      [T.check1, 'dbt.scim.enabled', 'pass', 'verify'],
      [T.check2, 'dbt.scim.token', 'pass', 'verify'],
      [T.entraCheck, 'okta.feature.push-groups', 'fail', 'verify'],
      [T.oktaConsole, 'okta.console.provisioning', 'pass', 'okta-console'],
      [T.manualTick, 'entra.console.assign-users', 'pass', 'admin'],
    ]);
  });

  it('summarises the last check: not healthy, when, how many items need attention', () => {
    expect(built.json.summary).toMatchObject({ healthy: false, checkedAt: T.statusAt });
    expect(built.json.summary.text).toContain(
      'Not healthy at the last check (2026-11-28T07:00:00.000Z): 1 item(s)',
    );
    expect(built.markdown).toMatch(/## Summary\n\n.*Not healthy at the last check/);
  });

  it('says so when no health check was saved, and when nothing was configured or changed', () => {
    const bare = buildReport(
      sampleInput({
        lastStatus: null,
        journal: [],
        history: [],
        credentials: [],
        profile: sampleProfile({
          okta: undefined,
          entra: undefined,
          license: undefined,
          manual: {},
        }),
      }),
    );
    expect(bare.json.summary.healthy).toBeNull();
    expect(bare.json.health).toBeNull();
    expect(bare.markdown).toContain(
      'No health check has been saved yet (open the app’s Overview and choose Check now, or run the status command).',
    );
    // Every time in the report is UTC, and the report says so once, at the top.
    expect(bare.markdown).toContain('| Times | UTC, written as ISO 8601');
    expect(bare.markdown).toContain('The journal records no change made by the wizard.');
    expect(bare.markdown).toContain('The journal records no verification.');
    expect(bare.markdown).toContain('No rotation has been run for this profile.');
    expect(bare.markdown).toContain('No license choices are saved');
    expect(bare.markdown).not.toContain('### Okta');
  });

  it('has the sections in order, ending with what is not in the report', () => {
    const headings = built.markdown.split('\n').filter((l) => l.startsWith('#'));
    expect(headings.filter((h) => h.startsWith('## '))).toEqual([
      '## Summary',
      '## Configuration',
      '## Changes made',
      '## Verifications',
      '## Health at last check',
      '## Token rotation',
      '## License types',
      '## What is not in this report',
    ]);
    expect(built.markdown).toContain('### dbt');
    expect(built.markdown).toContain('### Okta');
    expect(built.markdown).toContain('### Microsoft Entra ID');
    expect(built.markdown.trimEnd().split('\n').at(-1)).toContain('\\[REDACTED\\]');
  });

  it('names the file after the profile and the day', () => {
    expect(built.fileName).toBe('dbt-scim-report-acme-prod-main-2026-11-29.md');
    expect(reportFileName('../../etc/passwd', T.generated)).toBe(
      'dbt-scim-report-etc-passwd-2026-11-29.md',
    );
    expect(reportFileName('Ünïcôdé ✓', T.generated)).toBe('dbt-scim-report-unicode-2026-11-29.md');
    expect(reportFileName('✓✓', T.generated)).toBe('dbt-scim-report-profile-2026-11-29.md');
    expect(fileNameFor(built.fileName, 'pdf')).toBe(
      'dbt-scim-report-acme-prod-main-2026-11-29.pdf',
    );
    expect(fileNameFor('x.pdf', 'markdown')).toBe('x.md');
  });
});

describe('buildReport: no secret', () => {
  it.each(Object.entries(forms))(
    'the %s holds no planted token, nor a fragment of one',
    (_form, text) => {
      expect(plantedIn(text)).toEqual([]);
      expect(findTokenLike(text)).toEqual([]);
      expect(text).toContain('REDACTED');
    },
  );

  it('shows a token only by its last four', () => {
    expect(built.markdown).toContain('ends in …wxyz');
    expect(built.json.health?.details).toContainEqual({
      label: 'SCIM token',
      value: 'scim-okta-2026-10-01, id 77, ends in …wxyz',
    });
  });
});

describe('escaping', () => {
  it('keeps every Markdown table row to its columns despite pipes and line breaks in values', () => {
    const lines = built.markdown.split('\n');
    let columns = -1;
    for (const line of lines) {
      if (!line.startsWith('|')) {
        columns = -1;
        continue;
      }
      if (columns === -1) {
        columns = cellBars(line);
      }
      expect(cellBars(line), line).toBe(columns);
    }
    expect(built.markdown).toContain('dbt-developers\\|eng');
    expect(built.markdown).toContain('turn SCIM on \\| now');
    // A line break inside a value stays in its cell.
    expect(built.markdown).toContain('Data<br>platform');
  });

  it('shows Markdown and HTML syntax in values as text', () => {
    expect(built.markdown).toContain('\\*\\*SSO\\*\\* \\<script\\>alert(1)\\</script\\>');
    expect(built.markdown).toContain('# dbt SCIM provisioning: setup report');
    expect(built.markdown).toContain('Acme \\| prod \\<main\\>');
    expect(built.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(built.html).toContain('Acme | prod &lt;main&gt;');
    expect(built.html).toContain('Data<br>platform');
    expect(built.html).not.toMatch(/<script/i);
  });

  it('escapes each special character', () => {
    expect(escapeHtml(`<a href="x">'&'</a>\nnext`)).toBe(
      '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;<br>next',
    );
    expect(escapeMarkdown('a|b *c* _d_ [e](f) `g` <h> & #i ~j~ \\k\nl')).toBe(
      'a\\|b \\*c\\* \\_d\\_ \\[e\\](f) \\`g\\` \\<h\\> \\& \\#i \\~j\\~ \\\\k l',
    );
    expect(
      markdownTable(
        ['A', 'B'],
        [
          ['x|y', ''],
          ['1\n2', 'z'],
        ],
      ),
    ).toBe(['| A | B |', '| --- | --- |', '| x\\|y | — |', '| 1<br>2 | z |'].join('\n'));
  });
});

describe('the HTML page', () => {
  it('is self-contained and print-ready: A4, bordered tables, rows kept whole, no script, no resource', () => {
    const html = built.html;
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('@page { size: A4;');
    expect(html).toMatch(/th, td \{ border: 1px solid/);
    expect(html).toContain('tr { page-break-inside: avoid; break-inside: avoid; }');
    expect(html).toContain(
      'content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:"',
    );
    expect(html).not.toMatch(/<script|<link|<img|<iframe|src=|href=|@import|url\(/i);
    expect(html).not.toMatch(/https?:\/\/[^<\s]*"/);
    expect(html).toContain('<th scope="col">Time</th>');
    expect(html).toContain('<h2>Verifications</h2>');
  });

  it('contains the same items as the Markdown (each verification row with its time)', () => {
    for (const v of built.json.verifications) {
      const row = new RegExp(`<tr><td>${v.at}</td>.*<td>${escapeHtml(v.id)}</td>`);
      expect(built.html).toMatch(row);
      expect(built.markdown).toMatch(
        new RegExp(`\\| ${v.at} \\|.*\\| ${escapeMarkdown(v.id).replace(/\\/g, '\\\\')} \\|`),
      );
    }
  });
});

describe('planted values are refused even where redaction does not look', () => {
  it('blanks an Okta API token in a configured value (no SSWS prefix to recognise it by)', () => {
    const r = buildReport(
      sampleInput({ profile: sampleProfile({ name: `Acme ${PLANTED.ssws}` }) }),
    );
    expect(r.json.profile.name).toBe('Acme [REDACTED]');
    expect(plantedIn(r.markdown + r.html)).toEqual([]);
  });
});
