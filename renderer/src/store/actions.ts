import type { CommandName } from '../../../shared/contract/commands.js';
import type {
  BalancerState,
  FaultRecord,
  Incident,
  LabSnapshot,
  LedgerCounts,
  LogBatch,
  NodeSnapshot,
  TimelineEvent,
  TrafficState,
  UpstreamState,
} from '../../../shared/contract/model.js';
import type { DrillRunStatus } from '../../../shared/drill/run.js';
import { MAX_COMPARED } from '../../../shared/report/compare.js';
import type { ConnectionSlice } from './connection-slice.js';
import { isRunning, type DrillDetail, type DrillLibrary, type DrillRunOptions, type DrillSlice, type Loadable } from './drill-slice.js';
import { FAULTS_CAP, isActive } from './faults-slice.js';
import { INCIDENTS_CAP } from './incidents-slice.js';
import { keepSame, keepSameItems } from './keep-same.js';
import { LogRing } from './log-ring.js';
import { nodeRecord } from './node-record.js';
import { LOG_RING_CAPACITY } from './logs-slice.js';
import { liveQueue } from './apply-queue.js';
import type { ReportHistory, ReportsSlice } from './reports-slice.js';
import { useStore } from './store.js';
import { TIMELINE_CAP } from './timeline-slice.js';

// Actions are plain module functions: the engine connection calls them from outside React.
const { setState, getState } = useStore;

export function setConnection(patch: Partial<ConnectionSlice['connection']>): void {
  setState((s) => ({ connection: { ...s.connection, ...patch } }));
}

/**
 * Replaces the lab with a full snapshot; keeps the timeline and logs when it is the same run.
 * `replace` (a replay's instant): incidents, faults and the timeline are the snapshot's alone, not
 * merged (they are the lab at that instant, not news); logs, pending commands and the timeline's zero stay.
 */
export function applySnapshot(snapshot: LabSnapshot, { replace = false }: { replace?: boolean } = {}): void {
  // Live events received before this snapshot go in first: none of them may land on top of it.
  liveQueue.flush();
  setState((s) => {
    const sameRun = s.lab.runDir === snapshot.runDir && !replace;
    // What the snapshot says again keeps the store's object (keep-same.ts): a replay's jump to another
    // keyframe then draws again only the cards, rows and charts whose content changed.
    const nodes = nodeRecord<NodeSnapshot>();
    for (const node of snapshot.nodes) nodes[node.id] = keepSame(s.lab.nodes[node.id], node);
    const freshIds = snapshot.nodes.map((n) => n.id);
    const nodeIds = freshIds.length === s.lab.nodeIds.length && freshIds.every((id, i) => id === s.lab.nodeIds[i]) ? s.lab.nodeIds : freshIds;
    const balancer = keepSame(s.balancer.state, snapshot.balancer);
    const trafficState = keepSame(s.traffic.state, snapshot.traffic);
    const timeline = mergeTimeline(sameRun ? s.timeline : { events: [], originAt: replace ? s.timeline.originAt : null }, snapshot.timeline);
    const events = keepSameItems(s.timeline.events, timeline.events, (e) => e.seq);
    const selected = s.logs.selectedNodeId;
    return {
      lab: {
        ...s.lab,
        loaded: true,
        version: snapshot.version,
        runDir: snapshot.runDir,
        toxiproxyUrl: snapshot.toxiproxyUrl ?? null,
        fleet: snapshot.fleet,
        topology: snapshot.topology,
        nodeIds,
        nodes,
        pending: sameRun || replace ? s.lab.pending : nodeRecord(),
      },
      balancer: balancer === s.balancer.state && nodeIds === s.lab.nodeIds ? s.balancer : { state: balancer, upstreams: upstreamsOf(balancer, nodeIds) },
      traffic: trafficState === s.traffic.state ? s.traffic : { state: trafficState, ledger: trafficState.ledger.checkedAt === null ? null : trafficState.ledger },
      incidents: keepSameItems(s.incidents, capIncidents(upsertAll(sameRun ? s.incidents : [], snapshot.incidents)), (i) => i.id),
      faults: keepSameItems(s.faults, capFaults(upsertAll(sameRun ? s.faults : [], snapshot.faults).sort((a, b) => a.injectedAt - b.injectedAt)), (f) => f.id),
      timeline: events === s.timeline.events && timeline.originAt === s.timeline.originAt ? s.timeline : { events, originAt: timeline.originAt },
      logs: {
        ...(sameRun || replace ? s.logs : { rings: nodeRecord<LogRing>(), revision: nodeRecord<number>(), engineDropped: 0 }),
        selectedNodeId: selected !== null && nodes[selected] ? selected : (nodeIds[0] ?? null),
      },
    };
  });
}

function upstreamsOf(balancer: BalancerState, nodeIds: string[]): Record<string, UpstreamState | null> {
  const states = nodeRecord<UpstreamState | null>();
  for (const id of nodeIds) states[id] = null;
  for (const u of balancer.upstreams) states[u.id] = u.state;
  return states;
}

/** Replaces items with the same id and appends new ones, keeping the order. */
function upsertAll<T extends { id: string }>(current: T[], incoming: T[]): T[] {
  if (incoming.length === 0) return current;
  const byId = new Map(incoming.map((item) => [item.id, item]));
  const next = current.map((item) => {
    const fresh = byId.get(item.id);
    if (fresh) byId.delete(item.id);
    return fresh ?? item;
  });
  return [...next, ...byId.values()];
}

function capIncidents(incidents: Incident[]): Incident[] {
  return incidents.length > INCIDENTS_CAP ? incidents.slice(incidents.length - INCIDENTS_CAP) : incidents;
}

/** Keeps every active fault; drops the oldest finished ones past the cap. */
function capFaults(faults: FaultRecord[]): FaultRecord[] {
  let excess = faults.length - FAULTS_CAP;
  if (excess <= 0) return faults;
  return faults.filter((f) => isActive(f) || excess-- <= 0);
}

/**
 * The balancer as the engine sent it (`balancer.changed`, or `balancer.set`'s answer). A node it no
 * longer routes reads null; the upstream states keep their object when none changed.
 */
export function applyBalancer(state: BalancerState): void {
  setState((s) => {
    const current = s.balancer.upstreams;
    const next = upstreamsOf(state, Object.keys(current));
    const ids = Object.keys(next);
    const same = ids.length === Object.keys(current).length && ids.every((id) => current[id] === next[id]);
    return { balancer: { state, upstreams: same ? current : next } };
  });
}

export function applyTraffic(state: TrafficState): void {
  setState((s) => ({ traffic: { ...s.traffic, state } }));
}

/** The counts of a ledger check (`ledger.checked`, or `ledger.check`'s answer). */
export function applyLedger(ledger: LedgerCounts): void {
  setState((s) => ({ traffic: { ...s.traffic, ledger } }));
}

export function applyIncident(incident: Incident): void {
  setState((s) => ({ incidents: capIncidents(upsertAll(s.incidents, [incident])) }));
}

export function applyFaults(faults: FaultRecord[]): void {
  setState((s) => ({ faults: capFaults(upsertAll(s.faults, faults)) }));
}

export function applyFleet(fleet: LabSnapshot['fleet']): void {
  setState((s) => ({ lab: { ...s.lab, fleet } }));
}

export function applyNode(node: NodeSnapshot): void {
  setState((s) => ({
    lab: {
      ...s.lab,
      nodes: Object.assign(nodeRecord(s.lab.nodes), { [node.id]: node }),
      nodeIds: s.lab.nodeIds.includes(node.id) ? s.lab.nodeIds : [...s.lab.nodeIds, node.id],
    },
  }));
}

export function addTimelineEvents(events: TimelineEvent[]): void {
  if (events.length === 0) return;
  setState((s) => ({ timeline: mergeTimeline(s.timeline, events) }));
}

function mergeTimeline(current: { events: TimelineEvent[]; originAt: number | null }, incoming: TimelineEvent[]) {
  const bySeq = new Map<number, TimelineEvent>();
  for (const e of current.events) bySeq.set(e.seq, e);
  for (const e of incoming) bySeq.set(e.seq, e);
  const events = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
  const originAt = current.originAt ?? events[0]?.at ?? null;
  return { events: events.length > TIMELINE_CAP ? events.slice(events.length - TIMELINE_CAP) : events, originAt };
}

/** Pushes a batch into the per-node rings, then bumps each touched node's revision once. */
export function addLogBatch(batch: LogBatch): void {
  const { rings } = getState().logs;
  let created: Record<string, LogRing> | null = null;
  const touched = new Set<string>();
  for (const line of batch.lines) {
    let ring: LogRing | undefined = rings[line.nodeId] ?? created?.[line.nodeId];
    if (!ring) {
      ring = new LogRing(LOG_RING_CAPACITY);
      created = Object.assign(nodeRecord(created), { [line.nodeId]: ring });
    }
    ring.push(line);
    touched.add(line.nodeId);
  }
  if (touched.size === 0 && batch.dropped === 0) return;
  setState((s) => {
    const revision = nodeRecord(s.logs.revision);
    for (const id of touched) revision[id] = (revision[id] ?? 0) + 1;
    return {
      logs: {
        ...s.logs,
        rings: created ? Object.assign(nodeRecord(s.logs.rings), created) : s.logs.rings,
        revision,
        engineDropped: s.logs.engineDropped + batch.dropped,
      },
    };
  });
}

export function selectNode(id: string): void {
  setState((s) => ({ logs: { ...s.logs, selectedNodeId: id } }));
}

export function setPending(target: string, name: CommandName | null): void {
  setState((s) => {
    const pending = nodeRecord(s.lab.pending);
    if (name) pending[target] = name;
    else delete pending[target];
    return { lab: { ...s.lab, pending } };
  });
}

let nextToastId = 0;
const TOAST_MS = 8000;

export function showToast(message: string, tone: 'error' | 'info' = 'error'): void {
  const id = ++nextToastId;
  setState((s) => ({ toasts: [...s.toasts.slice(-4), { id, message, tone }] }));
  setTimeout(() => dismissToast(id), TOAST_MS);
}

export function dismissToast(id: number): void {
  setState((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
}

// ---- Drills ---------------------------------------------------------------------------------

function patchDrill(patch: Partial<DrillSlice['drill']>): void {
  setState((s) => ({ drill: { ...s.drill, ...patch } }));
}

export function setDrillLibrary(library: Loadable<DrillLibrary>): void {
  patchDrill({ library });
}

/** Picks a drill in the library; its detail is fetched by the caller. */
export function setChosenDrill(id: string | null): void {
  patchDrill({ chosenId: id, runError: null });
}

export function setDrillDetail(id: string, state: Loadable<DrillDetail>): void {
  // An answer for a drill no longer chosen is dropped.
  if (getState().drill.chosenId !== id) return;
  patchDrill({ detail: { id, state } });
}

export function setDrillOptions(patch: Partial<DrillRunOptions>): void {
  setState((s) => ({ drill: { ...s.drill, options: { ...s.drill.options, ...patch } } }));
}

/**
 * The run as the engine last described it. Messages arrive in order on the one channel, so the
 * newest wins; only a finished run is never taken back to running by a late copy of itself.
 * A run that is going takes the view (a reload mid-drill resumes it); a finished one found on
 * connect does not.
 */
export function applyDrillRun(run: DrillRunStatus): void {
  setState((s) => {
    const current = s.drill.run;
    if (current && current.runId === run.runId && current.state === 'finished' && run.state !== 'finished') return {};
    return { drill: { ...s.drill, run, showRun: s.drill.showRun || isRunning(run) } };
  });
}

export function setDrillBusy(busy: DrillSlice['drill']['busy']): void {
  patchDrill({ busy });
}

export function setDrillRunError(runError: string | null): void {
  patchDrill({ runError });
}

/** Back to the library once a run is over (a run that is going keeps the view). */
export function showDrillLibrary(): void {
  if (isRunning(getState().drill.run)) return;
  patchDrill({ showRun: false });
}

export function showDrillRun(): void {
  if (getState().drill.run) patchDrill({ showRun: true });
}

// ---- Reports --------------------------------------------------------------------------------

function patchReports(patch: Partial<ReportsSlice['reports']>): void {
  setState((s) => ({ reports: { ...s.reports, ...patch } }));
}

export function setReportHistory(history: Loadable<ReportHistory>): void {
  setState((s) => {
    // Ticks on reports that are gone are dropped.
    const ids = history.status === 'ok' ? new Set(history.data.reports.map((r) => r.id)) : null;
    const selected = ids ? s.reports.selected.filter((id) => ids.has(id)) : s.reports.selected;
    return { reports: { ...s.reports, history, selected } };
  });
}

/** Ticks or unticks a report for comparison; at most MAX_COMPARED are kept (the oldest tick goes). */
export function toggleReportSelected(id: string): void {
  setState((s) => {
    const { selected } = s.reports;
    const next = selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id].slice(-MAX_COMPARED);
    return { reports: { ...s.reports, selected: next } };
  });
}

export function clearReportSelection(): void {
  patchReports({ selected: [] });
}

export function setReportViewer(viewer: ReportsSlice['reports']['viewer']): void {
  patchReports({ viewer });
}

/** Updates the viewer only if it still shows what was asked for (a later click wins). */
export function updateReportViewer(key: string, update: (viewer: NonNullable<ReportsSlice['reports']['viewer']>) => ReportsSlice['reports']['viewer']): void {
  setState((s) => {
    const viewer = s.reports.viewer;
    if (!viewer || viewerKey(viewer) !== key) return {};
    return { reports: { ...s.reports, viewer: update(viewer) } };
  });
}

export function viewerKey(viewer: NonNullable<ReportsSlice['reports']['viewer']>): string {
  return viewer.kind === 'report' ? `report:${viewer.id}` : `comparison:${viewer.ids.join(',')}`;
}

export function setReportPdf(pdf: ReportsSlice['reports']['pdf']): void {
  patchReports({ pdf });
}
