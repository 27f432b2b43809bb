import type uPlot from 'uplot';
import type { FaultRecord } from '../../../../shared/contract/model.js';
import { useStore } from '../../store/store.js';

/** When a fault stopped acting: reverted, expired, or (still active) now. A one-shot fault is a moment. */
function endOf(fault: FaultRecord, nowAt: number): number {
  if (fault.revertedAt !== null) return fault.revertedAt;
  if (fault.status === 'active') return nowAt;
  return fault.expiresAt ?? fault.injectedAt;
}

/**
 * A uPlot `drawClear` hook: shades the period of every fault (of `nodeId`, or of any node) behind
 * the series. Faults are read from the store when the chart draws, so a new fault needs no re-render.
 */
export function shadeFaults(nodeId: string | undefined, fill: string, edge: string): (u: uPlot) => void {
  return (u) => {
    const xs = u.data[0];
    const last = xs.length > 0 ? (xs[xs.length - 1] ?? 0) : 0;
    const { left, top, width, height } = u.bbox;
    const ctx = u.ctx;
    ctx.save();
    for (const fault of useStore.getState().faults) {
      if (nodeId !== undefined && fault.target !== nodeId) continue;
      const x0 = u.valToPos(fault.injectedAt / 1000, 'x', true);
      const x1 = u.valToPos(endOf(fault, last * 1000) / 1000, 'x', true);
      const from = Math.max(left, x0);
      const to = Math.min(left + width, Math.max(x1, x0 + 3 * devicePixelRatio));
      if (to <= from) continue;
      ctx.fillStyle = fill;
      ctx.fillRect(from, top, to - from, height);
      ctx.fillStyle = edge;
      ctx.fillRect(from, top, to - from, 4 * devicePixelRatio);
    }
    ctx.restore();
  };
}
