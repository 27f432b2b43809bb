import { useRef, type KeyboardEvent, type PointerEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { IncidentStage, type Incident } from '../../../../shared/contract/model.js';
import { clockTime, faultOffset } from '../../replay/clock.js';
import { faultNear } from '../../replay/marks.js';
import { backToLive, enterReplay, seek, setSpeed, stepBack, stepForward, togglePlay } from '../../replay/replay-controller.js';
import { REPLAY_SPEEDS, useReplayAt, type ReplaySpeed } from '../../store/replay-slice.js';
import { useStore } from '../../store/store.js';

const SPEED_WORDS: Record<ReplaySpeed, string> = { 1: '1×', 0.25: '¼×', 0.1: '1⁄10×' };

const STAGE_WORDS: Record<IncidentStage, string> = {
  injected: 'injected',
  observed: 'exit seen',
  detected: 'detected',
  ejected: 'ejected',
  failedOver: 'failed over',
  restarted: 'restarted',
  restored: 'restored',
  recovered: 'recovered',
};

/** Seconds of the live recording a plain “Replay” opens on before its end. */
const ENTER_LEAD_MS = 10_000;

/**
 * Under the topology: in live, the way into replay; in replay, the bar over the recording (keyframes
 * and incidents marked), play/pause, speed, frame steps, and the instant shown.
 */
export function ReplayScrubber() {
  const mode = useStore((s) => s.replay.mode);
  const connected = useStore((s) => s.connection.status === 'open');
  if (mode === 'live') {
    return (
      <section className="replay-scrubber replay-idle" data-testid="replay-scrubber" data-mode="live" aria-label="Replay">
        <button type="button" data-testid="replay-enter" disabled={!connected} title="Replay the last 30 minutes the lab recorded" onClick={() => void enterReplay({ source: { kind: 'live' }, start: { end: true }, leadMs: ENTER_LEAD_MS })}>
          ◀◀ Replay
        </button>
        <span className="muted small">Everything the lab shows is recorded: replay any moment of the last 30 minutes (less with dozens of nodes: the recording is bounded in size), frame by frame.</span>
      </section>
    );
  }
  if (mode === 'loading') {
    return (
      <section className="replay-scrubber" data-testid="replay-scrubber" data-mode="loading" aria-label="Replay" aria-busy="true">
        <span className="muted">Loading the recording…</span>
        <button type="button" className="quiet" data-testid="replay-back-to-live" onClick={() => void backToLive()}>
          Cancel
        </button>
      </section>
    );
  }
  return <ReplayControls />;
}

function ReplayControls() {
  const at = useReplayAt();
  const { startedAt, endedAt, playing, speed, keyframes, incidents } = useStore(
    useShallow((s) => ({ startedAt: s.replay.startedAt, endedAt: s.replay.endedAt, playing: s.replay.playing, speed: s.replay.speed, keyframes: s.replay.keyframes, incidents: s.replay.incidents })),
  );
  const near = faultNear(incidents, at);
  // The store holds the incidents as they stood at `at` (only the stages reached by then).
  const incident = useStore((s) => (near ? s.incidents.find((i) => i.id === near.mark.id) : undefined));
  const injectedAt = incident ? (incident.stages.injected ?? near?.mark.at) : undefined;
  const span = Math.max(1, endedAt - startedAt);
  const percent = (t: number) => `${(Math.min(1, Math.max(0, (t - startedAt) / span)) * 100).toFixed(3)}%`;

  return (
    <section className="replay-scrubber" data-testid="replay-scrubber" data-mode="replay" data-at={at} data-playing={playing} data-speed={speed} aria-label="Replay">
      <div className="replay-controls">
        <button type="button" className="quiet" data-testid="replay-step-back" aria-keyshortcuts="ArrowLeft" title="One frame back (←)" onClick={stepBack}>
          ◀︎|
        </button>
        <button type="button" className="primary replay-play" data-testid="replay-play" aria-pressed={playing} aria-keyshortcuts="Space" title={playing ? 'Pause (Space)' : 'Play (Space)'} onClick={togglePlay}>
          {playing ? '■ Pause' : '▶︎ Play'}
        </button>
        <button type="button" className="quiet" data-testid="replay-step-forward" aria-keyshortcuts="ArrowRight" title="One frame on (→): the next recorded event or 100 ms tick" onClick={stepForward}>
          |▶︎
        </button>
        <div className="replay-speeds" role="group" aria-label="Speed">
          {REPLAY_SPEEDS.map((s) => (
            <button key={s} type="button" className="quiet" data-testid={`replay-speed-${s}`} aria-pressed={speed === s} onClick={() => setSpeed(s)}>
              {SPEED_WORDS[s]}
            </button>
          ))}
        </div>
        <span className="replay-instant">
          <strong className="mono" data-testid="replay-time">
            {clockTime(at)}
          </strong>
        </span>
        <button type="button" className="replay-live" data-testid="replay-back-to-live" aria-keyshortcuts="L Escape" onClick={() => void backToLive()}>
          Back to live
        </button>
      </div>
      {near ? (
        <div className="replay-context">
          <span className="mono" data-testid="replay-fault-offset" data-delta={Math.round(near.deltaMs)} title={`${near.mark.nodeId}: ${near.mark.cause}`}>
            {faultOffset(near.deltaMs)}
          </span>
          {incident && injectedAt !== undefined ? <IncidentStages incident={incident} injectedAt={injectedAt} /> : null}
        </div>
      ) : null}
      <ScrubBar at={at} startedAt={startedAt} endedAt={endedAt} percent={percent} keyframes={keyframes} incidents={incidents} />
      <div className="replay-extent muted small mono">
        <span>{clockTime(startedAt)}</span>
        <span>{clockTime(endedAt)}</span>
      </div>
    </section>
  );
}

/** The stages of the nearest fault's incident reached by the instant shown, in the order they happened. */
function IncidentStages({ incident, injectedAt }: { incident: Incident; injectedAt: number }) {
  return (
    <ol className="replay-stages" data-testid="replay-stages" data-incident={incident.id} data-node={incident.nodeId} aria-label={`Stages of ${incident.nodeId}'s incident reached by this instant`}>
      <li className="replay-stages-node mono">{incident.nodeId}</li>
      {IncidentStage.options
        .filter((stage) => incident.stages[stage] !== undefined)
        // In the order they happened (a restart can come before the failover is done); ties in the stages' own order.
        .sort((a, b) => (incident.stages[a] ?? 0) - (incident.stages[b] ?? 0))
        .map((stage) => (
          <li key={stage} className="replay-stage" data-testid="replay-stage" data-stage={stage}>
            {STAGE_WORDS[stage]} <span className="mono muted">+{Math.round((incident.stages[stage] ?? injectedAt) - injectedAt)} ms</span>
          </li>
        ))}
    </ol>
  );
}

type BarProps = {
  at: number;
  startedAt: number;
  endedAt: number;
  percent: (t: number) => string;
  keyframes: number[];
  incidents: ReturnType<typeof useStore.getState>['replay']['incidents'];
};

/** The bar: a click jumps, a drag scrubs (one seek per animation frame at most), arrows step. */
function ScrubBar({ at, startedAt, endedAt, percent, keyframes, incidents }: BarProps) {
  const bar = useRef<HTMLDivElement>(null);
  const pendingX = useRef<number | null>(null);
  const frame = useRef(0);
  /** The bar's box, read once per drag: reading it each frame forced a layout of the page just changed. */
  const dragBox = useRef<DOMRect | null>(null);

  const instantAt = (clientX: number): number => {
    const box = dragBox.current ?? bar.current?.getBoundingClientRect();
    if (!box || box.width === 0) return at;
    return startedAt + ((clientX - box.left) / box.width) * (endedAt - startedAt);
  };
  const seekSoon = (clientX: number) => {
    pendingX.current = clientX;
    if (frame.current !== 0) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (pendingX.current !== null) seek(instantAt(pendingX.current));
    });
  };
  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    dragBox.current = e.currentTarget.getBoundingClientRect();
    seek(instantAt(e.clientX));
  };
  const onDragEnd = () => {
    dragBox.current = null;
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    if (e.currentTarget.hasPointerCapture(e.pointerId)) seekSoon(e.clientX);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const step = e.shiftKey ? 10_000 : 1_000;
    if (e.key === 'ArrowLeft') seek(at - step);
    else if (e.key === 'ArrowRight') seek(at + step);
    else if (e.key === 'Home') seek(startedAt);
    else if (e.key === 'End') seek(endedAt);
    else return;
    e.preventDefault();
    e.stopPropagation();
  };

  return (
    <div
      ref={bar}
      className="replay-bar"
      data-testid="replay-bar"
      role="slider"
      tabIndex={0}
      aria-label="The instant shown"
      aria-valuemin={startedAt}
      aria-valuemax={endedAt}
      aria-valuenow={Math.round(at)}
      aria-valuetext={clockTime(at)}
      onPointerDown={onPointerDown}
      onPointerMove={onPointerMove}
      onLostPointerCapture={onDragEnd}
      onKeyDown={onKeyDown}
    >
      <div className="replay-bar-fill" style={{ width: percent(at) }} />
      {keyframes.map((k) => (
        <span key={k} className="replay-keyframe" style={{ left: percent(k) }} aria-hidden="true" />
      ))}
      {incidents.map((m) => (
        <span key={m.id} className="replay-incident" data-testid="replay-mark-incident" data-incident={m.id} style={{ left: percent(m.at) }} title={`${m.nodeId} ${m.cause} at ${clockTime(m.at)}`} />
      ))}
      <span className="replay-knob" style={{ left: percent(at) }} aria-hidden="true" />
    </div>
  );
}
