/**
 * The report's blocks as one self-contained HTML page for printing to PDF: inline CSS only (A4,
 * readable system fonts, bordered tables, no row split across pages), no script, no external
 * resource, and a CSP that forbids loading any.
 */
import type { Block } from './document.js';
import { escapeHtml } from './escape.js';

export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
@page { size: A4; margin: 18mm 16mm; }
html { font-family: "Segoe UI", system-ui, -apple-system, "Helvetica Neue", Arial, sans-serif; font-size: 10.5pt; line-height: 1.45; color: #1a1a1a; background: #fff; }
body { margin: 0 auto; max-width: 178mm; }
h1 { font-size: 18pt; margin: 0 0 8pt; }
h2 { font-size: 14pt; margin: 18pt 0 6pt; border-bottom: 1px solid #999; padding-bottom: 2pt; page-break-after: avoid; break-after: avoid; }
h3 { font-size: 11.5pt; margin: 12pt 0 4pt; page-break-after: avoid; break-after: avoid; }
p { margin: 4pt 0 8pt; }
table { border-collapse: collapse; width: 100%; margin: 4pt 0 10pt; font-size: 9pt; }
th, td { border: 1px solid #777; padding: 3pt 5pt; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #eee; font-weight: 600; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
ul { margin: 4pt 0 8pt 14pt; padding: 0; }
`;

function renderBlock(b: Block): string {
  switch (b.type) {
    case 'heading':
      return `<h${b.level}>${escapeHtml(b.text)}</h${b.level}>`;
    case 'paragraph':
      return `<p>${escapeHtml(b.text)}</p>`;
    case 'table': {
      const labelled = b.header.some((x) => x !== '');
      const head = labelled
        ? `<thead><tr>${b.header.map((x) => `<th scope="col">${escapeHtml(x)}</th>`).join('')}</tr></thead>`
        : '';
      const rows = b.rows
        .map((row) =>
          labelled
            ? `<tr>${row.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`
            : `<tr>${row.map((c, i) => (i === 0 ? `<th scope="row">${escapeHtml(c)}</th>` : `<td>${escapeHtml(c)}</td>`)).join('')}</tr>`,
        )
        .join('\n');
      return `<table>${head}<tbody>\n${rows}\n</tbody></table>`;
    }
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${escapeHtml(i)}</li>`).join('')}</ul>`;
  }
}

export function renderHtml(blocks: readonly Block[], title: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(REPORT_CSP)}">`,
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    ...blocks.map(renderBlock),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
