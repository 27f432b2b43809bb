import { escapeHtml } from './format.js';

/**
 * A tiny Markdown subset for drill narration (`say` steps), rendered to HTML that is safe to put
 * in a report: paragraphs, headings (as bold lines), `-`/`*`/`1.` lists, fenced code, **bold**,
 * *em*, `code`, and links shown as "text (URL)" — never as a link, so opening a report can fetch
 * nothing. Every character of the input is escaped first; the only tags in the output are ours.
 */

// Placeholders for finished fragments; private-use characters the input is stripped of first.
const OPEN = '\uE000';
const CLOSE = '\uE001';
const placeholder = /\uE000(\d+)\uE001/g;

function emphasis(escaped: string): string {
  return escaped
    .replace(/\*\*(?=\S)([\s\S]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w])__(?=\S)([\s\S]*?\S)__(?!\w)/g, '$1<strong>$2</strong>')
    .replace(/(^|[^*\w])\*(?=[^\s*])([^*]*?[^\s*])\*(?!\*)/g, '$1<em>$2</em>')
    .replace(/(^|[^\w])_(?=[^\s_])([^_]*?[^\s_])_(?!\w)/g, '$1<em>$2</em>');
}

/** One line or paragraph of inline Markdown to safe HTML. */
export function inlineMarkdownToHtml(text: string): string {
  const slots: string[] = [];
  const keep = (html: string): string => `${OPEN}${slots.push(html) - 1}${CLOSE}`;
  let out = text.replace(/[\uE000\uE001]/g, '');
  out = out.replace(/`([^`\n]+)`/g, (_match, code: string) => keep(`<code>${escapeHtml(code)}</code>`));
  out = escapeHtml(out);
  // Label and URL are already escaped here; the URL is shown as text, never put in an href.
  out = out.replace(/\[([^\]\n]+)\]\(\s*([^)\s]+)\s*\)/g, (_match, label: string, url: string) =>
    keep(label === url ? `<span class="url">${url}</span>` : `${emphasis(label)} (<span class="url">${url}</span>)`),
  );
  out = emphasis(out);
  for (let depth = 0; depth < 3 && out.includes(OPEN); depth++) out = out.replace(placeholder, (_match, index: string) => slots[Number(index)] ?? '');
  return out;
}

type Block =
  | { kind: 'p'; lines: string[] }
  | { kind: 'heading'; text: string }
  | { kind: 'code'; lines: string[] }
  | { kind: 'ul' | 'ol'; items: string[][] };

const bullet = /^\s{0,3}[-*+]\s+(.*)$/;
const numbered = /^\s{0,3}\d{1,9}[.)]\s+(.*)$/;
const heading = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const fence = /^\s{0,3}(```|~~~)/;

function blocksOf(markdown: string): Block[] {
  const blocks: Block[] = [];
  let current: Block | null = null;
  const lines = markdown.replace(/\r\n?/g, '\n').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const fenceMatch = fence.exec(line);
    if (fenceMatch) {
      const code: string[] = [];
      for (i++; i < lines.length && !(lines[i] ?? '').trimStart().startsWith(fenceMatch[1] ?? '```'); i++) code.push(lines[i] ?? '');
      blocks.push({ kind: 'code', lines: code });
      current = null;
      continue;
    }
    if (line.trim() === '') {
      current = null;
      continue;
    }
    const headingMatch = heading.exec(line);
    if (headingMatch) {
      blocks.push({ kind: 'heading', text: headingMatch[1] ?? '' });
      current = null;
      continue;
    }
    const bulletMatch = bullet.exec(line);
    const numberedMatch = bulletMatch ? null : numbered.exec(line);
    const item = bulletMatch ?? numberedMatch;
    if (item) {
      const kind = bulletMatch ? 'ul' : 'ol';
      if (!current || current.kind !== kind) {
        current = { kind, items: [] };
        blocks.push(current);
      }
      current.items.push([item[1] ?? '']);
      continue;
    }
    if (current && (current.kind === 'ul' || current.kind === 'ol')) {
      // A line under a list item continues it.
      current.items[current.items.length - 1]?.push(line.trim());
      continue;
    }
    if (!current || current.kind !== 'p') {
      current = { kind: 'p', lines: [] };
      blocks.push(current);
    }
    current.lines.push(line.trim());
  }
  return blocks;
}

/** Narration Markdown to safe HTML. */
export function markdownToSafeHtml(markdown: string): string {
  return blocksOf(markdown)
    .map((block) => {
      switch (block.kind) {
        case 'p':
          return `<p>${inlineMarkdownToHtml(block.lines.join('\n'))}</p>`;
        case 'heading':
          return `<p class="md-heading"><strong>${inlineMarkdownToHtml(block.text)}</strong></p>`;
        case 'code':
          return `<pre><code>${escapeHtml(block.lines.join('\n'))}</code></pre>`;
        case 'ul':
        case 'ol':
          return `<${block.kind}>${block.items.map((item) => `<li>${inlineMarkdownToHtml(item.join('\n'))}</li>`).join('')}</${block.kind}>`;
      }
      return '';
    })
    .join('\n');
}
