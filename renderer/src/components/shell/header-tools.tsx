import { useStore } from '../../store/store.js';
import { cycleTheme, setHelpOpen, toggleConcepts, toggleLargeType } from '../../store/ui-actions.js';

const themeLabel = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' } as const;

/** The view's own switches: theme, projector type, concepts panel, shortcut help. */
export function HeaderTools() {
  const ui = useStore((s) => s.ui);
  return (
    <div className="header-tools">
      <button type="button" className="quiet" data-testid="theme-toggle" data-theme={ui.theme} aria-keyshortcuts="D" onClick={cycleTheme}>
        {themeLabel[ui.theme]}
      </button>
      <button type="button" className="quiet" data-testid="large-type-toggle" aria-pressed={ui.largeType} aria-keyshortcuts="L" onClick={toggleLargeType}>
        Large type
      </button>
      <button type="button" className="quiet" data-testid="concepts-toggle" aria-pressed={ui.conceptsOpen} aria-keyshortcuts="C" onClick={toggleConcepts}>
        Concepts
      </button>
      <button type="button" className="quiet" data-testid="help-toggle" aria-keyshortcuts="?" onClick={() => setHelpOpen(true)} title="Keyboard shortcuts (?)">
        ? Keys
      </button>
    </div>
  );
}
