export { MetricsRecorder, type MetricsRecorderOptions, type TickListener, type UpstreamView } from './metrics-recorder';
export { createLabMetrics, errorReason, DURATION_BUCKETS, INCIDENT_BUCKETS, FAILOVER_OUTCOMES, type LabMetrics, type LabMetricsOptions, type LabEvent, type DetectionVia } from './prometheus';
export { FailoverWindows, type FailoverRequestClass } from './failover-windows';
export { LatencyHistogram, MAX_LATENCY_US } from './latency-histogram';
export type { RequestOutcome } from './request-outcome';
