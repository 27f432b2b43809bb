import { Markdown } from '../markdown.js';

/**
 * A drill's Markdown narration. Drill files are user input: it goes through the reports' safe subset
 * and is built as elements, never set as HTML (links are shown as text, never followed).
 */
export function Narration({ markdown, testId }: { markdown: string; testId?: string }) {
  return <Markdown text={markdown} className="narration" {...(testId ? { testId } : {})} />;
}
