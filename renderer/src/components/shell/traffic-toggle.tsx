import { useEffect, useRef, useState } from 'react';
import type { TrafficState } from '../../../../shared/contract/model.js';
import { startTraffic, stopTraffic } from '../../connection/lab-commands.js';
import { useStore } from '../../store/store.js';

/** Seconds as a person reads a countdown: "42 s", "1 min 05 s". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * How long a run lasted: from its start to when it was seen to end (never past its duration: the
 * end is reported once the last requests settle), else, after a reload, its scheduled requests over its rate.
 */
export function ranMs(state: TrafficState, endedAt: number | null): number | null {
  if (state.startedAt !== null && endedAt !== null) return Math.min(state.settings.durationMs, Math.max(0, endedAt - state.startedAt));
  if (!state.stats) return null;
  return ((state.stats.sent + state.stats.dropped) / state.settings.rate) * 1000;
}

/** A clock for the countdown: the time now, once a second while `on`. */
function useSecondClock(on: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!on) return;
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [on]);
  return now;
}

/** Starts the traffic with its current settings, or stops it (also T); says how long a run has left, and when it stopped. */
export function TrafficToggle() {
  const traffic = useStore((s) => s.traffic.state);
  const open = useStore((s) => s.connection.status === 'open');
  const busy = useStore((s) => s.lab.pending.traffic !== undefined);
  const running = traffic?.running ?? false;
  const rate = traffic?.settings.rate;
  // When this page saw the run end (engine and page share the machine's epoch clock).
  const [endedAt, setEndedAt] = useState<number | null>(null);
  const wasRunning = useRef(running);
  useEffect(() => {
    if (wasRunning.current && !running) setEndedAt(Date.now());
    if (running) setEndedAt(null);
    wasRunning.current = running;
  }, [running]);
  const now = useSecondClock(running);

  let status: { state: 'running' | 'stopped'; text: string } | null = null;
  // Without the engine there is nothing to count down: the last state received is not live.
  if (!open) status = null;
  else if (traffic && running && traffic.startedAt !== null) {
    const left = (traffic.startedAt + traffic.settings.durationMs - now) / 1000;
    status = { state: 'running', text: `${formatSeconds(left)} left` };
  } else if (traffic && !running && traffic.startedAt !== null) {
    const ran = ranMs(traffic, endedAt);
    status = { state: 'stopped', text: ran === null ? 'traffic stopped' : `traffic stopped (ran ${formatSeconds(ran / 1000)})` };
  }

  return (
    <span className="traffic-control">
      <button
        type="button"
        className={`traffic-toggle${running ? ' running' : ''}`}
        data-testid="traffic-toggle"
        data-running={running}
        aria-pressed={running}
        aria-keyshortcuts="T"
        disabled={!open || busy || !traffic}
        title={running ? 'Stop the traffic (T)' : `Start traffic with the settings in Settings${rate !== undefined ? `: ${rate} req/s` : ''} (T)`}
        onClick={() => void (running ? stopTraffic() : startTraffic())}
      >
        {running ? 'Stop traffic' : 'Start traffic'}
      </button>
      {/* Under the button: what a run does (its time left, that it stopped), else the rate it would send. */}
      {status ? (
        <span className={`traffic-status traffic-${status.state} small`} data-testid="traffic-status" data-state={status.state} role="status">
          {status.text}
        </span>
      ) : rate !== undefined ? (
        <span className="muted small traffic-rate" data-testid="traffic-rate">
          {rate} req/s
        </span>
      ) : null}
    </span>
  );
}
