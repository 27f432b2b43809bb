import type { DrillVerdict, Verdict } from '../../../../shared/drill/run.js';
import { VERDICT_WORDS } from '../../../../shared/report/report-facts.js';

/** `skipped`: a check the run never reached (it ended first). */
type Shown = DrillVerdict | Verdict | 'skipped';

const TONE: Record<Shown, 'ok' | 'bad' | 'warn' | 'idle'> = { pass: 'ok', fail: 'bad', aborted: 'warn', error: 'bad', pending: 'idle', skipped: 'idle' };
const WORD: Record<Shown, string> = { ...VERDICT_WORDS, pending: 'PENDING', skipped: 'NOT RUN' };

/** A verdict in words and colour (never colour alone). */
export function VerdictBadge({ verdict, testId, large = false }: { verdict: Shown; testId?: string; large?: boolean }) {
  return (
    <span className={`status status-${TONE[verdict]} verdict-badge${large ? ' large' : ''}`} data-testid={testId} data-verdict={verdict}>
      {WORD[verdict]}
    </span>
  );
}
