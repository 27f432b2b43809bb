import type { TimelineEvent } from '../../../shared/contract/index.js';
import { now } from '../clock.js';

const TIMELINE_CAP = 2_000;

/** Records one timeline event: what happened, to which node, when (default: now). */
export type RecordTimeline = (kind: string, detail: Record<string, unknown>, nodeId?: string, at?: number) => void;

/**
 * The lab's timeline: every event numbered in order (`seq`), the last 2 000 kept, each emitted as
 * `timeline.event` as it is recorded.
 */
export class Timeline {
  private readonly events: TimelineEvent[] = [];
  private seq = 0;

  constructor(private readonly onEvent: (event: TimelineEvent) => void) {}

  /** Bound, so it can be handed to collaborators as their `onTimeline`. */
  readonly record: RecordTimeline = (kind, detail, nodeId, at = now()) => {
    const event: TimelineEvent = { seq: ++this.seq, at, kind, detail };
    if (nodeId !== undefined) event.nodeId = nodeId;
    this.events.push(event);
    if (this.events.length > TIMELINE_CAP) this.events.splice(0, this.events.length - TIMELINE_CAP);
    this.onEvent(event);
  };

  /** The newest `limit` events, oldest first. */
  recent(limit: number): TimelineEvent[] {
    return this.events.slice(-limit);
  }
}
