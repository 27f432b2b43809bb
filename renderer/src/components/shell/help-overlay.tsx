import { SHORTCUTS, type Shortcut } from '../../keyboard/shortcuts.js';
import { useStore } from '../../store/store.js';
import { setHelpOpen } from '../../store/ui-actions.js';

/** The `?` overlay: every shortcut, from the same table the key handler uses. */
export function HelpOverlay() {
  const open = useStore((s) => s.ui.helpOpen);
  if (!open) return null;
  return (
    <div className="overlay" role="presentation" onClick={() => setHelpOpen(false)}>
      <div className="dialog" role="dialog" aria-modal="true" aria-labelledby="help-heading" data-testid="help-overlay" onClick={(e) => e.stopPropagation()}>
        <h2 id="help-heading">Keyboard shortcuts</h2>
        <ShortcutList shortcuts={SHORTCUTS.filter((s) => s.group === undefined)} />
        <h3 className="shortcut-group">Drill mode</h3>
        <ShortcutList shortcuts={SHORTCUTS.filter((s) => s.group === 'drill')} testId="help-drill-shortcuts" />
        <p className="muted small">While a prediction waits on the Drills view, 1–8 answer it instead of switching views.</p>
        <h3 className="shortcut-group">Replay</h3>
        <ShortcutList shortcuts={SHORTCUTS.filter((s) => s.group === 'replay')} testId="help-replay-shortcuts" />
        <p className="muted small">In replay, L goes back to live instead of switching large type.</p>
        <p className="muted small">Letters and numbers do nothing while you type in a field; Esc always works.</p>
        <button type="button" data-testid="help-close" autoFocus onClick={() => setHelpOpen(false)}>
          Close
        </button>
      </div>
    </div>
  );
}

function ShortcutList({ shortcuts, testId }: { shortcuts: Shortcut[]; testId?: string }) {
  return (
    <dl className="shortcut-list" data-testid={testId}>
      {shortcuts.map((s) => (
        <div key={s.keys} className="shortcut">
          <dt>
            <kbd>{s.keys}</kbd>
          </dt>
          <dd>{s.label}</dd>
        </div>
      ))}
    </dl>
  );
}
