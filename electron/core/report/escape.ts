/**
 * Escaping for the report's two formats. Every value in the report is text from a remote system
 * or an admin, so none of it may become Markdown or HTML structure.
 */

const HTML: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML element content or a quoted attribute; line breaks become `<br>`. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML[c] ?? c).replace(/\r\n|\r|\n/g, '<br>');
}

/**
 * Inline Markdown text: every character that could start emphasis, code, a link, HTML or a table
 * cell boundary is backslash-escaped (CommonMark shows the character itself); line breaks become a
 * space so a value stays on its line.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>|&#~]/g, (c) => `\\${c}`).replace(/\r\n|\r|\n/g, ' ');
}

/** One Markdown table cell: escaped inline text, line breaks kept as `<br>`, never empty. */
export function markdownCell(text: string): string {
  const escaped = text
    .split(/\r\n|\r|\n/)
    .map((line) => escapeMarkdown(line).trim())
    .join('<br>');
  return escaped === '' ? '—' : escaped;
}

/** A Markdown table (a header row, a separator, the rows), each cell escaped. */
export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  // An empty header cell (a table of labels and values) stays empty.
  const head = `| ${header.map((h) => (h === '' ? ' ' : markdownCell(h))).join(' | ')} |`;
  return [head, `|${header.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}
