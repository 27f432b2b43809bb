import { useMemo } from 'react';
import { markdownToSafeHtml } from '../../../../shared/report/safe-markdown.js';

/**
 * A drill's Markdown narration. Drill files are user input: markdownToSafeHtml escapes every
 * character first and emits only its own tags (links are shown as text, never followed).
 */
export function Narration({ markdown, testId }: { markdown: string; testId?: string }) {
  const html = useMemo(() => markdownToSafeHtml(markdown), [markdown]);
  return <div className="narration" data-testid={testId} dangerouslySetInnerHTML={{ __html: html }} />;
}
