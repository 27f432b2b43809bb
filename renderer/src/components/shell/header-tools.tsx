import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useStore } from '../../store/store.js';
import { cycleTheme, setHelpOpen, toggleConcepts, toggleLargeType } from '../../store/ui-actions.js';
import { LAYOUT, useWidthBelow } from '../../store/ui-layout.js';
import { FleetButton } from './fleet-button.js';

const themeLabel = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' } as const;
const themeIcon = { system: '◐', light: '☀', dark: '☾' } as const;

/**
 * The view's own switches: concepts, theme, projector type, shortcut help. The last three show as
 * their signs (named on hover and to a screen reader); below 1340 px they go in one menu (⋯), with
 * Start/Stop fleet. Concepts keeps its word everywhere: below 1200 px it opens the slide-out.
 */
export function HeaderTools() {
  const ui = useStore((s) => s.ui);
  const slide = useWidthBelow(LAYOUT.conceptsSlideBelow);
  const menu = useWidthBelow(LAYOUT.headerMenuBelow);
  const conceptsShown = slide ? ui.conceptsSlideOpen : ui.conceptsOpen;
  const switches = (
    <>
      <button
        type="button"
        className="quiet tool"
        data-testid="theme-toggle"
        data-theme={ui.theme}
        aria-label={themeLabel[ui.theme]}
        aria-keyshortcuts="D"
        title={`${themeLabel[ui.theme]} (D)`}
        onClick={cycleTheme}
      >
        <span className="tool-icon" aria-hidden="true">
          {themeIcon[ui.theme]}
        </span>
        <span className="tool-label">{themeLabel[ui.theme]}</span>
      </button>
      <button
        type="button"
        className="quiet tool"
        data-testid="large-type-toggle"
        aria-label="Large type"
        aria-pressed={ui.largeType}
        aria-keyshortcuts="L"
        title="Large type, for a projector (L)"
        onClick={toggleLargeType}
      >
        <span className="tool-icon" aria-hidden="true">
          A+
        </span>
        <span className="tool-label">Large type</span>
      </button>
      <button type="button" className="quiet tool" data-testid="help-toggle" aria-label="Keyboard shortcuts" aria-keyshortcuts="?" onClick={() => setHelpOpen(true)} title="Keyboard shortcuts (?)">
        <span className="tool-icon" aria-hidden="true">
          ?
        </span>
        <span className="tool-label">Keys</span>
      </button>
    </>
  );
  return (
    <div className="header-tools">
      <button
        type="button"
        className="quiet tool"
        data-testid="concepts-toggle"
        data-mode={slide ? 'slide-out' : 'panel'}
        aria-pressed={conceptsShown}
        aria-expanded={slide ? ui.conceptsSlideOpen : undefined}
        aria-keyshortcuts="C"
        title={slide ? 'Concepts, over the view (C)' : 'Show or hide the concepts panel (C)'}
        onClick={toggleConcepts}
      >
        Concepts
      </button>
      {menu ? (
        <ToolsMenu>
          <FleetButton />
          {switches}
        </ToolsMenu>
      ) : (
        switches
      )}
    </div>
  );
}

/** Fleet and the switches folded into one button below 1340 px: they open under it, and close on Esc or a click elsewhere. */
function ToolsMenu({ children }: { children: ReactNode }) {
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const away = (event: Event) => {
      if (!box.current?.contains(event.target as Node)) setOpen(false);
    };
    const escape = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.stopPropagation(); // the menu closes first, not an overlay under it
      setOpen(false);
      box.current?.querySelector<HTMLElement>('.tools-menu-button')?.focus();
    };
    document.addEventListener('pointerdown', away);
    window.addEventListener('keydown', escape, true);
    return () => {
      document.removeEventListener('pointerdown', away);
      window.removeEventListener('keydown', escape, true);
    };
  }, [open]);
  return (
    <div className="tools-menu" ref={box}>
      <button
        type="button"
        className="quiet tool tools-menu-button"
        data-testid="header-menu"
        aria-label="Fleet, theme, large type and keys"
        aria-haspopup="true"
        aria-expanded={open}
        title="Fleet, theme, large type and keys"
        onClick={() => setOpen(!open)}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      {open ? (
        <div className="tools-menu-items" data-testid="header-menu-items">
          {children}
        </div>
      ) : null}
    </div>
  );
}
