import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.js';
import { startConnection } from './connection/connection.js';
import { listenForShortcuts } from './keyboard/shortcuts.js';
import { applyPrefsToDocument, loadPrefs } from './prefs.js';
import { useStore } from './store/store.js';
import { setView, viewFromHash } from './store/ui-actions.js';
import './styles.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');

useStore.setState((s) => ({ ui: { ...s.ui, ...loadPrefs(), view: viewFromHash(window.location.hash) ?? s.ui.view } }));
// Theme and type size are applied to <html> whenever they change, outside React.
const applyPrefs = () => applyPrefsToDocument(useStore.getState().ui);
applyPrefs();
useStore.subscribe((state, previous) => {
  if (state.ui.theme !== previous.ui.theme || state.ui.largeType !== previous.ui.largeType) applyPrefs();
});
window.addEventListener('hashchange', () => {
  const view = viewFromHash(window.location.hash);
  if (view) setView(view);
});
listenForShortcuts(window);

startConnection();
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
