import { createElement, Fragment, useMemo, type ReactNode } from 'react';
import { inlineMarkdownToHtml, markdownToSafeHtml } from '../../../shared/report/safe-markdown.js';
import './markdown.css';

// Markdown shown in the app (drill narration, prompts, explanations, concept meanings, banners),
// through the same safe subset the reports use (shared/report/safe-markdown.ts): it escapes every
// character first and emits only its own few tags. Its output is then turned into React elements
// here, tag by tag from a short list, so nothing is ever set as HTML.

const TAGS = new Set(['p', 'strong', 'em', 'code', 'pre', 'ul', 'ol', 'li', 'span']);
const CLASSES = new Set(['url', 'md-heading']);

function elementsOf(html: string): ReactNode[] {
  // An inert document: parsing runs no script and loads nothing.
  const body = new DOMParser().parseFromString(`<body>${html}</body>`, 'text/html').body;
  return Array.from(body.childNodes, (node, i) => toReact(node, i));
}

function toReact(node: ChildNode, key: number): ReactNode {
  if (node.nodeType === Node.TEXT_NODE) return node.textContent;
  if (node.nodeType !== Node.ELEMENT_NODE) return null;
  const element = node as Element;
  const tag = element.tagName.toLowerCase();
  const children = Array.from(element.childNodes, (child, i) => toReact(child, i));
  if (!TAGS.has(tag)) return createElement(Fragment, { key }, ...children);
  const className = element.getAttribute('class');
  return createElement(tag, { key, className: className && CLASSES.has(className) ? className : undefined }, ...children);
}

/** Block Markdown (paragraphs, lists, code, headings as bold lines), as elements. */
export function Markdown({ text, className, testId }: { text: string; className?: string; testId?: string }) {
  const children = useMemo(() => elementsOf(markdownToSafeHtml(text)), [text]);
  return (
    <div className={className ? `markdown ${className}` : 'markdown'} data-testid={testId}>
      {children}
    </div>
  );
}

/** One line of inline Markdown (**bold**, *em*, `code`, links as text), as elements inside a span. */
export function InlineMarkdown({ text, className, testId }: { text: string; className?: string; testId?: string }) {
  const children = useMemo(() => elementsOf(inlineMarkdownToHtml(text)), [text]);
  return (
    <span className={className} data-testid={testId}>
      {children}
    </span>
  );
}
