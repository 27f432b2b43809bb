import type { ReactNode } from 'react';
import { explainConcept } from '../../store/ui-actions.js';

/** A word the concepts panel can explain: click it and the panel explains it with the lab's own numbers. */
export function Term({ id, children, testId }: { id: string; children: ReactNode; testId?: string }) {
  return (
    <button type="button" className="term" data-testid={testId} data-concept={id} title="Explain this in the concepts panel" onClick={() => explainConcept(id)}>
      {children}
    </button>
  );
}
