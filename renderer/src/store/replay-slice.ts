import { createStore, useStore as useVanillaStore, type StateCreator } from 'zustand';
import type { Store } from './store.js';

/** Playback speeds the scrubber offers: 1×, ¼×, 1⁄10×. */
export const REPLAY_SPEEDS = [1, 0.25, 0.1] as const;
export type ReplaySpeed = (typeof REPLAY_SPEEDS)[number];

/** Where the replayed recording comes from: the live lab's (the last 30 min), or a drill report's. */
export type ReplaySource = { kind: 'live' } | { kind: 'report'; id: string };

/** An incident on the scrubber's bar: where its fault was injected, and which node it hit. */
export type ReplayIncidentMark = { id: string; nodeId: string; cause: string; at: number };

export type ReplaySlice = {
  replay: {
    /** `live`: the lab as it is; `loading`: fetching a recording (live events already held back); `replay`: the lab at `at`. */
    mode: 'live' | 'loading' | 'replay';
    source: ReplaySource | null;
    /** The recording's extent (engine time, epoch ms): the scrubber's bar. */
    startedAt: number;
    endedAt: number;
    /** Keyframe instants: the cheapest places to jump to, marked on the bar. */
    keyframes: number[];
    incidents: ReplayIncidentMark[];
    /** (The instant shown is `replayInstant`'s, below.) */
    playing: boolean;
    speed: ReplaySpeed;
    /** Engine time minus this page's clock when the recording was fetched: how far live is ahead of `at`. */
    clockOffset: number;
    /** Why the last attempt to enter replay failed, shown by the scrubber. */
    error: string | null;
  };
};

export const createReplaySlice: StateCreator<Store, [], [], ReplaySlice> = () => ({
  replay: { mode: 'live', source: null, startedAt: 0, endedAt: 0, keyframes: [], incidents: [], playing: false, speed: 1, clockOffset: 0, error: null },
});

/**
 * The instant replay shows, in a store of its own: it moves at every frame of a drag or of playback,
 * and only the scrubber and the banner read it. In the app's store every subscriber's selector ran
 * at each of those frames (64 node cards' among them): a third of a scrub frame's script at 64 nodes.
 */
export const replayInstant = createStore<{ at: number }>(() => ({ at: 0 }));

/** The instant shown in replay (engine time, epoch ms). */
export const useReplayAt = (): number => useVanillaStore(replayInstant, (s) => s.at);

/** In replay (or on the way to it): what the view shows is not the live lab, and it must not be acted on. */
export const isReplaying = (s: Store): boolean => s.replay.mode !== 'live';
