import { useEffect, useState } from 'react';
import { clockTime, spanText } from '../../replay/clock.js';
import { backToLive } from '../../replay/replay-controller.js';
import { useReplayAt } from '../../store/replay-slice.js';
import { useStore } from '../../store/store.js';

/** Across the whole app in replay: which instant is shown, how far live is ahead, and the way back. */
export function ReplayBanner() {
  const mode = useStore((s) => s.replay.mode);
  const at = useReplayAt();
  const clockOffset = useStore((s) => s.replay.clockOffset);
  const source = useStore((s) => s.replay.source);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (mode === 'live') return;
    const timer = setInterval(() => setNow(Date.now()), 1_000);
    return () => clearInterval(timer);
  }, [mode]);
  if (mode === 'live') return null;
  const ahead = now + clockOffset - at;
  return (
    <div className="replay-banner" role="status" data-testid="replay-banner" data-mode={mode}>
      <strong>Replay</strong>
      {mode === 'loading' ? (
        <span> — loading the recording…</span>
      ) : (
        <span>
          {' '}
          — <span className="mono">{clockTime(at)}</span> <span className="muted">(live is {spanText(ahead)} ahead)</span>
          {source?.kind === 'report' ? <span className="muted"> · a drill report’s recording</span> : null}
        </span>
      )}
      <button type="button" className="replay-live" data-testid="replay-banner-live" aria-keyshortcuts="L Escape" onClick={() => void backToLive()}>
        Back to live (L / Esc)
      </button>
    </div>
  );
}
