// The TCP fault proxy in front of each node: Toxiproxy's toxics, in-process (see README.md).
export { FaultProxy, MAX_HELD_CONNECTIONS, type CutMode, type FaultProxyOptions, type FaultProxyStats } from './fault-proxy';
export { HIGH_WATER_BYTES } from './link';
export { TOXIC_TYPES, isToxicType, parseAttributes, parseToxicSpec, type ToxicSpec, type ToxicStream, type ToxicType } from './toxic-spec';
export { DeadlineScheduler, threadScheduler, type SchedulerOptions, type SchedulerStats } from './deadline-scheduler';
