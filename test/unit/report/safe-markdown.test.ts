import { describe, expect, it } from 'vitest';
import { inlineMarkdownToHtml, markdownToSafeHtml } from '../../../shared/report/safe-markdown.js';

describe('narration markdown (the safe subset)', () => {
  it('renders paragraphs, bold, em, code and lists', () => {
    const html = markdownToSafeHtml('Three nodes, **a1** and *a2*: `rate / 3`.\nSame paragraph.\n\n- one\n- two\n  continued\n\n1. first\n2. second');
    expect(html).toBe(
      '<p>Three nodes, <strong>a1</strong> and <em>a2</em>: <code>rate / 3</code>.\nSame paragraph.</p>\n' +
        '<ul><li>one</li><li>two\ncontinued</li></ul>\n' +
        '<ol><li>first</li><li>second</li></ol>',
    );
  });

  it('shows a link as its text and URL, never as a link', () => {
    const html = inlineMarkdownToHtml('read [the docs](https://example.com/x?a=1&b=<2>) or [https://e.org](https://e.org)');
    expect(html).toBe('read the docs (<span class="url">https://example.com/x?a=1&amp;b=&lt;2&gt;</span>) or <span class="url">https://e.org</span>');
    expect(html).not.toMatch(/<a\b|href=/);
  });

  it('escapes every tag and attribute in the input', () => {
    const html = markdownToSafeHtml('<script>alert(1)</script>\n\n<img src=x onerror=alert(1)> & "q" \'s\' ]]>\n\n**<b>bold</b>** `<i>code</i>`');
    expect(html).not.toMatch(/<(script|img|b|i)\b/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#39;s&#39; ]]&gt;');
    expect(html).toContain('<strong>&lt;b&gt;bold&lt;/b&gt;</strong> <code>&lt;i&gt;code&lt;/i&gt;</code>');
  });

  it('does not let placeholders or control characters from the input through', () => {
    const html = markdownToSafeHtml('a \uE0000\uE001 b `c` \u0000\u0008 d');
    expect(html).toBe('<p>a 0 b <code>c</code>  d</p>');
  });

  it('keeps snake_case and lone asterisks as they are', () => {
    expect(inlineMarkdownToHtml('node_id and 2 * 3 * 4')).toBe('node_id and 2 * 3 * 4');
  });

  it('renders headings as bold lines and fenced code as pre', () => {
    expect(markdownToSafeHtml('# Title\n```\n<x> & y\n```')).toBe('<p class="md-heading"><strong>Title</strong></p>\n<pre><code>&lt;x&gt; &amp; y</code></pre>');
  });
});
