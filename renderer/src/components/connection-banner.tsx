import { useStore } from '../store/store.js';
import { InlineMarkdown } from './markdown.js';

/** Shown while the engine is unreachable; the connection retries by itself with backoff. */
export function ConnectionBanner() {
  const connection = useStore((s) => s.connection);
  const loaded = useStore((s) => s.lab.loaded);
  if (connection.status === 'open' || (connection.status === 'connecting' && connection.attempt === 0)) return null;
  const retryIn = connection.retryAt ? Math.max(0, (connection.retryAt - Date.now()) / 1000).toFixed(1) : null;
  return (
    <div className="banner" role="alert" data-testid="connection-banner">
      <strong>Disconnected from the engine.</strong>{' '}
      {connection.reason ? (
        <span>
          <InlineMarkdown text={connection.reason} />.{' '}
        </span>
      ) : null}
      {connection.status === 'connecting' ? 'Reconnecting…' : `Retrying in ${retryIn ?? '…'} s (attempt ${connection.attempt}).`}
      {loaded ? ' The view below is greyed: it is the last state received, not live; live numbers read “—”.' : null}
    </div>
  );
}
