import { actPrompt, type ActWords } from '../../../../shared/drill/act-words.js';

/** Under an action prompt: what to do and where on this view ("Start a2 — on its card below, or Do it for me"). */
export function DrillActHint({ act, canPerform }: { act: ActWords | null; canPerform: boolean }) {
  if (!act) return null;
  return (
    <p className="drill-act-hint" data-testid="drill-act-hint" data-place={act.place} data-node={act.node ?? ''}>
      <span aria-hidden="true">→ </span>
      {actPrompt(act, canPerform)}
    </p>
  );
}
