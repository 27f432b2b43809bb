import { dismissToast } from '../store/actions.js';
import { useStore } from '../store/store.js';

export function ToastStack() {
  const toasts = useStore((s) => s.toasts);
  if (toasts.length === 0) return null;
  return (
    <div className="toasts" aria-live="assertive">
      {toasts.map((t) => (
        <div key={t.id} className={`toast toast-${t.tone}`} role="status" data-testid="toast">
          <span>{t.message}</span>
          <button type="button" className="quiet" aria-label="Dismiss" onClick={() => dismissToast(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
