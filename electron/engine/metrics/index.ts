export { MetricsRecorder, type MetricsRecorderOptions, type TickListener, type UpstreamView } from './metrics-recorder';
export { createLabMetrics, errorReason, DURATION_BUCKETS, type LabMetrics, type LabMetricsOptions, type DetectionVia } from './prometheus';
export { LatencyHistogram, MAX_LATENCY_US } from './latency-histogram';
export type { RequestOutcome } from './request-outcome';
