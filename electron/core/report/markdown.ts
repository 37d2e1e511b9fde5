/** The report's blocks as Markdown; every value escaped (tables keep their line breaks as <br>). */
import type { Block } from './document.js';
import { escapeMarkdown, markdownTable } from './escape.js';

export function renderMarkdown(blocks: readonly Block[]): string {
  const parts: string[] = [];
  for (const b of blocks) {
    switch (b.type) {
      case 'heading':
        parts.push(`${'#'.repeat(b.level)} ${escapeMarkdown(b.text)}`);
        break;
      case 'paragraph':
        parts.push(escapeMarkdown(b.text));
        break;
      case 'table':
        parts.push(markdownTable(b.header, b.rows));
        break;
      case 'list':
        parts.push(b.items.map((i) => `- ${escapeMarkdown(i)}`).join('\n'));
        break;
    }
  }
  return `${parts.join('\n\n')}\n`;
}
