import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../../store/store.js';
import { InlineMarkdown } from '../markdown.js';
import { showConcept, toggleConcepts } from '../../store/ui-actions.js';
import { factSources, factsOf } from './concept-facts.js';
import { CONCEPTS, conceptById, defaultConcept } from './concepts.js';

/** The side panel: the term at hand, explained, then in this lab's own numbers; every other term one click away. */
export function ConceptsPanel() {
  const facts = factsOf(useStore(useShallow(factSources)));
  const picked = useStore((s) => s.ui.concept);
  const view = useStore((s) => s.ui.view);
  const concept = conceptById(picked ?? defaultConcept(view, facts)) ?? CONCEPTS[0]!;
  const live = concept.live(facts);
  return (
    <aside className="concepts" aria-labelledby="concepts-heading" data-testid="concepts-panel">
      <header className="concepts-head">
        <h2 id="concepts-heading">Concepts</h2>
        <button type="button" className="quiet" aria-label="Hide the concepts panel (C)" onClick={toggleConcepts}>
          ×
        </button>
      </header>
      <h3 data-testid="concept-title" data-concept={concept.id}>
        {concept.term}
      </h3>
      <p data-testid="concept-meaning">
        <InlineMarkdown text={concept.meaning} />
      </p>
      {live ? (
        <p className="concept-live" data-testid="concept-live">
          <span className="concept-live-tag">In your lab</span> <InlineMarkdown text={live} />
        </p>
      ) : null}
      <nav className="concept-picks" aria-label="Other concepts">
        {CONCEPTS.map((c) => (
          <button key={c.id} type="button" className="chip" data-testid={`concept-pick-${c.id}`} aria-pressed={c.id === concept.id} onClick={() => showConcept(c.id)}>
            {c.term}
          </button>
        ))}
      </nav>
    </aside>
  );
}
