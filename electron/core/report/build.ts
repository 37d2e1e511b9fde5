/**
 * The setup report an admin hands to an auditor, built from plain data: the same content as
 * Markdown, as print-ready HTML and as JSON. Inputs are redacted and scrubbed of token-like runs;
 * each output then passes a final scan and the build refuses (a typed error) if anything still
 * looks like a token.
 */
import { collectReport } from './collect.js';
import { reportBlocks } from './document.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import type { BuiltReport, ReportInput } from './model.js';
import { assertNoTokenLike } from './token-scan.js';

export type ReportFormat = 'markdown' | 'pdf';

/** A file name stem from a profile name: lower case letters, digits and dashes. */
function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return s === '' ? 'profile' : s;
}

/** `dbt-scim-report-<profile>-<YYYY-MM-DD>.md` */
export function reportFileName(profileName: string, generatedAt: string): string {
  return `dbt-scim-report-${slug(profileName)}-${generatedAt.slice(0, 10)}.md`;
}

/** The file name for a format: the Markdown name, or the same with `.pdf`. */
export function fileNameFor(fileName: string, format: ReportFormat): string {
  const stem = fileName.replace(/\.(md|pdf)$/i, '');
  return `${stem}.${format === 'pdf' ? 'pdf' : 'md'}`;
}

export function buildReport(input: ReportInput): BuiltReport {
  const json = collectReport(input);
  const blocks = reportBlocks(json);
  const markdown = renderMarkdown(blocks);
  const html = renderHtml(blocks, `${json.title}: ${json.profile.name}`);
  assertNoTokenLike(markdown, 'setup report (Markdown)');
  assertNoTokenLike(html, 'setup report (HTML)');
  assertNoTokenLike(JSON.stringify(json), 'setup report (JSON)');
  return {
    markdown,
    html,
    json,
    fileName: reportFileName(json.profile.name, json.generatedAt),
  };
}
