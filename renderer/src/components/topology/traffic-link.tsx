import { memo, useRef } from 'react';
import { useMetricsFrame } from '../../metrics/use-metrics-frame.js';
import { LINK_WORDS, type LinkState } from './link-state.js';

export type Point = { x: number; y: number };

type Props = {
  from: Point;
  to: Point;
  /** `down`: from above to below (balancer to node); `under` / `beside`: a loop below or to the right of both ends (node to node). */
  shape: 'down' | 'under' | 'beside';
  state: LinkState;
  /** Node whose requests/s set the width and speed (the balancer's links); none: a fixed width. */
  rpsOf?: string | undefined;
  /** Whether the dashes move with the flow; when false only the width shows it (see MOVING_DASHES_MAX). */
  moving?: boolean;
  label?: string | undefined;
  testId: string;
};

/** How far below its ends an `under` loop dips. */
const DIP = 64;

/** A cubic curve, and its middle (where the label and the ✕ go). */
function curve(from: Point, to: Point, shape: Props['shape']): { d: string; mid: Point } {
  const mx = (from.x + to.x) / 2;
  const my = (from.y + to.y) / 2;
  if (shape === 'down') return { d: `M${from.x},${from.y} C${from.x},${my} ${to.x},${my} ${to.x},${to.y}`, mid: { x: mx, y: my } };
  // At t = 0.5 a cubic with both control points at the loop's extreme sits 3/4 of the way out to it.
  if (shape === 'beside') {
    const right = Math.max(from.x, to.x) + DIP;
    return { d: `M${from.x},${from.y} C${right},${from.y} ${right},${to.y} ${to.x},${to.y}`, mid: { x: mx + (right - mx) * 0.75, y: my } };
  }
  const low = Math.max(from.y, to.y) + DIP;
  return { d: `M${from.x},${from.y} C${from.x},${low} ${to.x},${low} ${to.x},${to.y}`, mid: { x: mx, y: my + (low - my) * 0.75 } };
}

/** Width grows with the log of requests/s: 1 and 1,000 req/s both stay readable. */
const widthFor = (rps: number) => 2 + Math.min(10, Math.log2(1 + rps / 5) * 1.6);
/**
 * The width drawn moves only when the rate has moved this much (in pixels of width): a link's
 * rate wobbles with every 10 Hz tick, and each repaint of a link re-rasters much of the stage.
 */
const WIDTH_HYSTERESIS_PX = 0.75;
type Flow = 'still' | 'slow' | 'medium' | 'fast';
/** A few speeds only: changing an animation's duration on every tick would make it jump. */
const speedFor = (rps: number): Flow => (rps <= 0.5 ? 'still' : rps < 20 ? 'slow' : rps < 200 ? 'medium' : 'fast');
/** The dashes (10 on, 8 off) move a quarter of their period per step, a step every so often by speed. */
const STEP_PX = 4.5;
const STEP_MS: Record<Exclude<Flow, 'still'>, number> = { slow: 400, medium: 200, fast: 100 };
const reducedMotion = typeof matchMedia === 'function' ? matchMedia('(prefers-reduced-motion: reduce)') : null;

/**
 * Above this many links the dashes stand still and the width alone shows the flow: every step of
 * the dashes repaints every link, and 64 links from the balancer cover the whole stage, so each
 * step re-rasterised the stage (in software raster, most of a frame) 2.5 to 10 times a second.
 */
export const MOVING_DASHES_MAX = 16;

/**
 * The dash offset of a flowing link at a tick: taken from the tick's time, so every link steps on
 * the same frame (one repaint for all of them) rather than each on its own CSS animation clock.
 */
function dashOffset(speed: Flow, at: number, moving: boolean): number {
  if (!moving || speed === 'still' || reducedMotion?.matches) return 0;
  return -(Math.floor(at / STEP_MS[speed]) % 4) * STEP_PX;
}

/**
 * One link of the topology. Its state (routed, ejected, down, cut) comes from React; how much
 * flows along it (width, speed of the dashes) is written straight to the SVG, once per animation
 * frame that brought a tick, from the metrics ring, and only when it changes what is drawn.
 */
export const TrafficLink = memo(TrafficLinkDrawn, sameLink);

/**
 * The same link drawn the same way: the topology passes new points on each of its renders (any node or
 * balancer event), so points compare by their coordinates and every other prop by identity (a prop
 * added later is compared too, never forgotten).
 */
function sameLink(a: Props, b: Props): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as (keyof Props)[]);
  for (const key of keys) {
    if (key === 'from' || key === 'to') {
      if (a[key].x !== b[key].x || a[key].y !== b[key].y) return false;
    } else if (a[key] !== b[key]) return false;
  }
  return true;
}

function TrafficLinkDrawn({ from, to, shape, state, rpsOf, moving = true, label, testId }: Props) {
  const path = useRef<SVGPathElement>(null);
  const drawn = useRef({ width: Number.NaN, offset: 0 });
  useMetricsFrame((tick) => {
    const el = path.current;
    if (!el || rpsOf === undefined) return;
    const rps = tick?.perNode[rpsOf]?.requestsPerSec ?? 0;
    const width = widthFor(rps);
    if (!(Math.abs(width - drawn.current.width) < WIDTH_HYSTERESIS_PX)) {
      drawn.current.width = width;
      el.style.strokeWidth = `${width.toFixed(1)}px`;
    }
    const speed = speedFor(rps);
    if (el.dataset.flow !== speed) el.dataset.flow = speed;
    const offset = tick ? dashOffset(speed, tick.at, moving) : 0;
    if (offset !== drawn.current.offset) {
      drawn.current.offset = offset;
      el.style.strokeDashoffset = `${offset}px`;
    }
    // Written only when it changes: a write of the same value still queues a mutation and a style check.
    const shown = rps.toFixed(1);
    if (el.dataset.rps !== shown) el.dataset.rps = shown;
  });
  const { d, mid } = curve(from, to, shape);
  const { x, y } = mid;
  const broken = state === 'cut' || state === 'ejected' || state === 'down';
  return (
    <g className={`link link-${state}`} data-testid={testId} data-state={state}>
      {/* The dashes are stepped from the metrics frames above, not by the stylesheet's own animation. */}
      <path ref={path} className="link-path" d={d} data-flow="still" />
      {broken ? <path className="link-cut-mark" d={`M${x - 9},${y - 9}L${x + 9},${y + 9}M${x + 9},${y - 9}L${x - 9},${y + 9}`} /> : null}
      {label || state !== 'routed' ? (
        <text className="link-label" x={shape === 'under' ? x : x + 14} y={shape === 'under' ? y + 22 : y} textAnchor={shape === 'under' ? 'middle' : 'start'}>
          {[label, state !== 'routed' ? LINK_WORDS[state] : null].filter(Boolean).join(' · ')}
        </text>
      ) : null}
    </g>
  );
}
