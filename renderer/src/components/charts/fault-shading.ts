import type uPlot from 'uplot';
import type { FaultRecord, Incident } from '../../../../shared/contract/model.js';
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

/** The incident moments a chart marks with a vertical line, and their words. */
export const MARKED_STAGES = [
  { stage: 'detected', word: 'detected' },
  { stage: 'failedOver', word: 'failed over' },
] as const;

export type MarkerColors = { detected: string; failedOver: string };

/** The detection and failover instants of the incidents (of `nodeId`, or of any node), oldest first. */
export function incidentMarks(incidents: readonly Incident[], nodeId: string | undefined): Array<{ at: number; stage: (typeof MARKED_STAGES)[number]['stage']; word: string; nodeId: string }> {
  const marks = [];
  for (const incident of incidents) {
    if (nodeId !== undefined && incident.nodeId !== nodeId) continue;
    for (const { stage, word } of MARKED_STAGES) {
      const at = incident.stages[stage];
      if (at !== undefined) marks.push({ at, stage, word, nodeId: incident.nodeId });
    }
  }
  return marks.sort((a, b) => a.at - b.at);
}

/**
 * A uPlot `draw` hook: a vertical line at each detection and failover (of `nodeId`'s incidents, or of
 * any), over the series, labelled at the top. The number drawn is left in the chart's
 * `data-markers` (and their stages in `data-marker-stages`) for tests and tools.
 */
export function markIncidents(nodeId: string | undefined, colors: MarkerColors, font: string): (u: uPlot) => void {
  return (u) => {
    const { left, top, width, height } = u.bbox;
    const ctx = u.ctx;
    const dpr = devicePixelRatio;
    const drawn: string[] = [];
    ctx.save();
    ctx.font = font.replace(/(\d+)px/, (_m, px: string) => `${Math.round(Number(px) * 0.85 * dpr)}px`);
    ctx.textBaseline = 'top';
    let lastLabelEnd = -Infinity;
    for (const mark of incidentMarks(useStore.getState().incidents, nodeId)) {
      const x = Math.round(u.valToPos(mark.at / 1000, 'x', true));
      if (x < left || x > left + width) continue;
      const color = mark.stage === 'detected' ? colors.detected : colors.failedOver;
      ctx.strokeStyle = color;
      ctx.lineWidth = 2 * dpr;
      ctx.setLineDash(mark.stage === 'detected' ? [5 * dpr, 3 * dpr] : []);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, top + height);
      ctx.stroke();
      // Labels that would overlap the previous one are left out: the line says enough.
      const label = nodeId === undefined ? `${mark.nodeId} ${mark.word}` : mark.word;
      const labelWidth = ctx.measureText(label).width;
      const labelX = Math.min(x + 3 * dpr, left + width - labelWidth);
      if (labelX > lastLabelEnd) {
        ctx.fillStyle = color;
        ctx.fillText(label, labelX, top + 6 * dpr);
        lastLabelEnd = labelX + labelWidth + 4 * dpr;
      }
      drawn.push(mark.stage);
    }
    ctx.restore();
    u.root.dataset.markers = String(drawn.length);
    u.root.dataset.markerStages = drawn.join(' ');
  };
}
