// What the scrubber marks on its bar and says beside the instant: the incidents of a recording
// (each at its fault's injection) and how far the instant shown is from the nearest fault.
import type { FaultRecord, Incident } from '../../../shared/contract/model.js';
import type { Recording } from '../../../shared/replay/recording.js';
import { incidentStart } from '../../../shared/words/format.js';
import type { ReplayIncidentMark } from '../store/replay-slice.js';

/** Every incident the recording knows of (from its keyframes and `incident.changed` entries), oldest first, within its extent. */
export function incidentMarks(recording: Recording): ReplayIncidentMark[] {
  const byId = new Map<string, Incident>();
  for (const k of recording.keyframes) for (const incident of k.state.incidents) byId.set(incident.id, incident);
  for (const e of recording.entries) if (e.event === 'incident.changed') byId.set((e.payload as Incident).id, e.payload as Incident);
  const marks: ReplayIncidentMark[] = [];
  for (const incident of byId.values()) {
    const at = incidentStart(incident);
    if (at === undefined || at < recording.startedAt || at > recording.endedAt) continue;
    marks.push({ id: incident.id, nodeId: incident.nodeId, cause: incident.cause, at });
  }
  return marks.sort((a, b) => a.at - b.at);
}

/** The first fault injected within the recording (a drill's) from `after` on, else its first incident then; null when it holds neither. */
export function firstFaultAt(recording: Recording, marks: ReplayIncidentMark[] = incidentMarks(recording), after = recording.startedAt): number | null {
  let first: number | null = null;
  for (const e of recording.entries) {
    if (e.event !== 'fault.changed') continue;
    const at = (e.payload as FaultRecord).injectedAt;
    if (at >= after && (first === null || at < first)) first = at;
  }
  const incident = marks.find((m) => m.at >= after)?.at ?? null;
  if (first === null) return incident;
  return incident === null ? first : Math.min(first, incident);
}

/** How far back a fault still counts as near (after it), and how far ahead (before it). */
export const NEAR_AFTER_MS = 120_000;
export const NEAR_BEFORE_MS = 5_000;

/** The fault nearest `at`, as the scrubber says it: the latest one injected up to 2 min before, else one injected in the next 5 s. */
export function faultNear(marks: ReplayIncidentMark[], at: number): { mark: ReplayIncidentMark; deltaMs: number } | null {
  let before: ReplayIncidentMark | null = null;
  let ahead: ReplayIncidentMark | null = null;
  for (const mark of marks) {
    if (mark.at <= at) {
      if (at - mark.at <= NEAR_AFTER_MS) before = mark;
    } else if (mark.at - at <= NEAR_BEFORE_MS && ahead === null) ahead = mark;
  }
  const mark = before ?? ahead;
  return mark ? { mark, deltaMs: at - mark.at } : null;
}
