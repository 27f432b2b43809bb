import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The stylesheet has no nested style rules: a rule left open (a lost `}`, as a merge of two appended
 * blocks once left twice) silently nests everything after it under its selector, and Chromium's CSS
 * nesting then matches none of it. Only at-rules (@media, @container, @supports, @keyframes…) may hold rules.
 */
const file = fileURLToPath(new URL('../../../renderer/src/styles.css', import.meta.url));

/** Each rule left open inside a style rule, as `line: outer › inner`; and any brace left unbalanced. */
function nestingProblems(css: string): string[] {
  const text = css.replace(/\/\*[\s\S]*?\*\//g, (comment) => comment.replace(/[^\n]/g, ' '));
  const problems: string[] = [];
  const open: { line: number; head: string }[] = [];
  let head = '';
  let line = 1;
  for (const ch of text) {
    if (ch === '\n') line++;
    if (ch === '{') {
      const selector = head.trim().replace(/\s+/g, ' ');
      const outer = open.at(-1);
      if (outer && !outer.head.startsWith('@') && !/^(from|to|\d+%)/.test(selector)) problems.push(`${line}: ${outer.head} (line ${outer.line}) › ${selector}`);
      open.push({ line, head: selector });
      head = '';
    } else if (ch === '}') {
      if (!open.pop()) problems.push(`${line}: a } with nothing open`);
      head = '';
    } else if (ch === ';') head = '';
    else head += ch;
  }
  for (const rule of open) problems.push(`${rule.line}: ${rule.head} is never closed`);
  return problems;
}

/** The stylesheets next to components (shell/shell.css, …): the same check. */
const src = fileURLToPath(new URL('../../../renderer/src', import.meta.url));
const componentSheets = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith('.css') && f !== 'styles.css');

describe('renderer/src/styles.css', () => {
  it('closes every rule: no style rule holds another', () => {
    expect(nestingProblems(readFileSync(file, 'utf8'))).toEqual([]);
  });

  it.each(componentSheets)('%s closes every rule too', (sheet) => {
    expect(nestingProblems(readFileSync(join(src, sheet), 'utf8'))).toEqual([]);
  });

  it('the check finds a lost brace and names where', () => {
    const broken = '.a {\n  color: red;\n\n.b {\n  color: blue;\n}\n@media (x) {\n  .c { color: red; }\n}\n';
    expect(nestingProblems(broken)).toEqual(['4: .a (line 1) › .b', '7: .a (line 1) › @media (x)', '1: .a is never closed']);
    expect(nestingProblems('@keyframes k {\n  from { opacity: 0; }\n  50% { opacity: 1; }\n}\n.a { color: red; }')).toEqual([]);
  });
});
