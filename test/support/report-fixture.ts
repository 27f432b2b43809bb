import type { z } from 'zod';
import type { StepRecord } from '../../shared/drill/run.js';
import { availabilityFrom, meanMttr } from '../../shared/report/availability.js';
import { DrillReport, REPORT_SCHEMA, type ReportIncident } from '../../shared/report/model.js';

/**
 * A realistic drill report for the renderers' tests: kill one of three nodes, then slow another
 * down; two incidents, 150 metric ticks, two faults, a prediction, a failed expectation, a
 * hypothesis bound left pending. Strings a drill author controls carry markup and XML breakers,
 * so every renderer is tested against hostile input. Parsed with the schema: it cannot drift.
 */

export type DrillReportInput = z.input<typeof DrillReport>;

/** Strings that break HTML, XML and Markdown when a renderer forgets to escape them. */
export const HOSTILE = {
  title: `Kill <script>alert("title")</script> one & 'two' ]]> | of three`,
  summary: `Three nodes & one <img src=x onerror=alert(1)> dies; "quotes" and ]]> survive.`,
  narration: [
    'Three nodes, **a1**, **a2** and **a3**, each take a *third* of the load: `rate / 3`.',
    '',
    '- watch the <script>alert("say")</script> per-node rates',
    '- read [the docs](https://example.com/drills?a=1&b=<2>) later',
    '',
    'Then ]]> & <iframe src="https://example.com"></iframe> happens.',
  ].join('\n'),
  reason: 'expectation failed: traffic.errorRate 1.3 % > 1 % <script>alert("reason")</script> & ]]>',
} as const;

const TICKS = 150;
const TICK_MS = 100;
const KILL_AT = 3_003;
const SLOW_FROM = 3_010;
const SLOW_TO = 6_010;

function series(): DrillReportInput['series'] {
  const tMs: number[] = [];
  const rps: number[] = [];
  const errorsPerSec: number[] = [];
  const retriesPerSec: number[] = [];
  const p50: number[] = [];
  const p99: number[] = [];
  const perNode: Record<string, { rps: number[]; errorsPerSec: number[]; p99: number[] }> = {
    a1: { rps: [], errorsPerSec: [], p99: [] },
    a2: { rps: [], errorsPerSec: [], p99: [] },
    a3: { rps: [], errorsPerSec: [], p99: [] },
  };
  for (let i = 0; i < TICKS; i++) {
    const t = i * TICK_MS;
    const a2Down = t >= KILL_AT && t < 3_300;
    const a3Slow = t >= SLOW_FROM && t < SLOW_TO;
    const wobble = Math.sin(i / 3) * 2;
    const errors = t >= KILL_AT && t < 3_100 ? 30 : a3Slow && i % 10 === 0 ? 8 : 0;
    tMs.push(t);
    rps.push(200 + wobble);
    errorsPerSec.push(errors);
    retriesPerSec.push(a2Down ? 12 : 0);
    p50.push(2.1 + (a3Slow ? 0.9 : 0) + wobble / 10);
    p99.push(a3Slow ? 180 + wobble : 6.5 + wobble);
    const share = a2Down ? [100, 0, 100] : [66.7, 66.7, 66.6];
    (['a1', 'a2', 'a3'] as const).forEach((node, n) => {
      const entry = perNode[node];
      if (!entry) return;
      entry.rps.push((share[n] ?? 0) + wobble / 3);
      entry.errorsPerSec.push(node === 'a2' && errors > 0 ? errors : 0);
      entry.p99.push(node === 'a3' && a3Slow ? 182 : 6 + wobble);
    });
  }
  return { tMs, rps, errorsPerSec, retriesPerSec, p50, p99, perNode };
}

const incidents: ReportIncident[] = [
  {
    id: 'inc-1',
    nodeId: 'a2',
    cause: 'exit',
    stages: { injected: KILL_AT, detected: KILL_AT + 4.2, ejected: KILL_AT + 4.4, restarted: KILL_AT + 107, recovered: KILL_AT + 292 },
    detectedVia: 'exit',
    mttdMs: 4.2,
    mttrMs: 292,
    lostWrites: null,
    staleWrites: null,
    open: false,
  },
  {
    id: 'inc-2',
    nodeId: 'a3',
    cause: 'fault:latency',
    stages: { injected: SLOW_FROM, detected: SLOW_FROM + 310, ejected: SLOW_FROM + 311, recovered: SLOW_TO + 190 },
    detectedVia: 'passive',
    mttdMs: 310,
    mttrMs: SLOW_TO + 190 - SLOW_FROM,
    lostWrites: null,
    staleWrites: null,
    open: false,
  },
];

function step(index: number, kind: StepRecord['kind'], label: string, from: number, to: number, extra: Partial<StepRecord> = {}): StepRecord {
  return { index, kind, label, status: 'done', startedAtMs: from, endedAtMs: to, text: null, performedBy: null, faultId: null, error: null, ...extra };
}

const steps: StepRecord[] = [
  step(0, 'say', 'say: Three nodes…', 0, 1, { text: HOSTILE.narration }),
  step(1, 'wait', 'wait 3000 ms', 1, 3_001),
  step(2, 'predict', 'predict: how many requests fail?', 3_001, 3_002, { text: 'We kill a2 with SIGKILL. How many client requests fail? <b>guess</b>' }),
  step(3, 'mark', 'mark before-kill', 3_002, 3_002),
  step(4, 'fault', 'inject kill on a2', 3_002, KILL_AT, { faultId: 'f-1' }),
  step(5, 'expect', 'expect incident.detected', KILL_AT, KILL_AT + 4.2, { status: 'passed' }),
  step(6, 'mark', 'mark detected', 3_008, 3_008),
  step(7, 'fault', 'inject latency on a3 as slow-a3', 3_009, SLOW_FROM, { faultId: 'f-2' }),
  step(8, 'wait', 'wait 5000 ms', SLOW_FROM, 8_010),
  step(9, 'expect', 'expect traffic.errorRate ≤ 0.01', 8_010, 8_010, { status: 'failed' }),
  step(10, 'action', 'action: restart a2', 8_010, 8_120, { text: 'Restart a2 yourself (Restart on its card).', performedBy: 'operator' }),
  step(11, 'wait', 'wait 6800 ms', 8_120, 14_920),
  step(12, 'say', 'say: Two nodes carried the load…', 14_920, 14_921, { text: 'Two nodes carried the load while **a2** was gone & <u>nobody</u> noticed.' }),
];

function base(): DrillReportInput {
  const startedAt = Date.UTC(2025, 2, 1, 10, 0, 0);
  return {
    schema: REPORT_SCHEMA,
    id: '20250301-100000-kill-one-of-three',
    drill: {
      id: 'kill-one-of-three',
      title: HOSTILE.title,
      concept: 'active-active',
      summary: HOSTILE.summary,
      seed: 7,
      topology: { kind: 'active-active', nodes: 3 },
      balancer: { strategy: 'round-robin', retry: { enabled: true, maxTries: 3 } },
      traffic: { rate: 200, readShare: 1, durationMs: 15_000 },
      hypothesis: { maxErrorRate: 0.01, maxP99Ms: 250, maxLostWrites: 0 },
      stop: { errorRateAbove: 0.2, forMs: 2_000 },
      steps: [
        { say: HOSTILE.narration },
        { wait: 3_000 },
        { predict: { question: 'We kill a2 with SIGKILL. How many client requests fail? <b>guess</b>', options: ['None at all', 'A handful, while the balancer notices', 'About a third <script>x</script>'], answer: 1 } },
        { mark: 'before-kill' },
        { fault: { inject: { type: 'kill', target: 'a2', attributes: { signal: 'SIGKILL' } } } },
        { expect: { event: 'incident.detected', within: 2_000 } },
        { mark: 'detected' },
        { fault: { inject: { type: 'latency', target: 'a3', attributes: { latency: 150, jitter: 20 }, durationMs: 3_000 }, as: 'slow-a3' } },
        { wait: 5_000 },
        { expect: { metric: 'traffic.errorRate', max: 0.01 } },
        { action: { text: 'Restart a2 yourself (Restart on its card).', do: { command: 'node.restart', params: { id: 'a2' } } } },
        { wait: 6_800 },
        { say: 'Two nodes carried the load while **a2** was gone & <u>nobody</u> noticed.' },
      ],
    },
    source: { kind: 'file', path: '/home/ops/drills/kill "one" <of> three.yaml' },
    seed: 7,
    profile: 'full',
    auto: false,
    versions: { firedrill: '0.1.0', node: '20.20.2', electron: null },
    environment: { platform: 'linux', release: '6.1.0-30-amd64', arch: 'x64', cpus: 2, cpuModel: 'AMD EPYC 7B13 <vm>', memoryGiB: 7.8 },
    startedAt,
    endedAt: startedAt + 15_000,
    durationMs: 15_000,
    verdict: 'fail',
    reason: HOSTILE.reason,
    topology: { kind: 'active-active', nodes: 3 },
    nodes: [
      { id: 'a1', role: 'stateless', port: 41001 },
      { id: 'a2', role: 'stateless', port: 41002 },
      { id: 'a3', role: 'stateless', port: 41003 },
    ],
    balancer: { strategy: 'round-robin', retry: { enabled: true, maxTries: 3 } },
    traffic: {
      settings: { rate: 200, readShare: 1, durationMs: 15_000, seed: 7 },
      stats: {
        sent: 3_000,
        ok: 2_961,
        failed: 39,
        dropped: 0,
        retried: 41,
        reads: { sent: 3_000, failed: 39 },
        writes: { sent: 0, failed: 0 },
        latency: { p50: 2.2, p90: 4.8, p99: 212, max: 1_004, count: 3_000 },
        perNode: {
          a1: { ok: 1_010, failed: 0, latency: { p50: 2.1, p90: 4.1, p99: 8.2, max: 20, count: 1_010 } },
          a2: { ok: 951, failed: 30, latency: { p50: 2.2, p90: 4.3, p99: 9.1, max: 1_004, count: 981 } },
          a3: { ok: 1_000, failed: 9, latency: { p50: 3.1, p90: 160, p99: 214, max: 260, count: 1_009 } },
        },
      },
    },
    ledger: { acked: 0, checked: 0, lost: 0, stale: 0, checkedAt: null, verdict: 'unchecked' },
    hypothesis: [
      { name: 'maxErrorRate', limit: 0.01, observed: 0.013, worst: 0.021, verdict: 'fail', breachedAtMs: 3_100, detail: 'error rate 2.1 % > 1 % at 3.100 s <script>' },
      { name: 'maxP99Ms', limit: 250, observed: 6.4, worst: 212, verdict: 'pass', breachedAtMs: null, detail: 'worst p99 212 ms ≤ 250 ms' },
      { name: 'maxLostWrites', limit: 0, observed: null, worst: null, verdict: 'pending', breachedAtMs: null, detail: 'no write was acknowledged: nothing to check' },
    ],
    expectations: [
      { step: 5, kind: 'event', description: 'incident.detected within 2000 ms of the last fault', verdict: 'pass', observed: 4.2, unit: 'ms', detail: 'seen 4.2 ms after the fault (a2)', atMs: KILL_AT + 4.2 },
      { step: 9, kind: 'metric', description: 'traffic.errorRate ≤ 0.01', verdict: 'fail', observed: 0.013, unit: 'ratio', detail: 'traffic.errorRate was 1.3 % > 1 % & "more" <script>', atMs: 8_010 },
    ],
    predictions: [
      {
        step: 2,
        question: 'We kill a2 with SIGKILL. How many client requests fail? <b>guess</b>',
        options: ['None at all', 'A handful, while the balancer notices', 'About a third <script>x</script>'],
        expected: 1,
        answer: 0,
        correct: false,
        outcome: '39 of 3,000 requests failed (1.3 %); a2 was detected after 4.2 ms & ejected.',
      },
    ],
    steps,
    marks: [
      { name: 'before-kill', atMs: 3_002 },
      { name: 'detected', atMs: 3_008 },
    ],
    faults: [
      { id: 'f-1', name: null, type: 'kill', kind: 'process', target: 'a2', attributes: { signal: 'SIGKILL', graceMs: 2_000 }, startMs: KILL_AT, endMs: null, status: 'applied-once', effect: { signal: 'SIGKILL', pid: 4242 } },
      {
        id: 'f-2',
        name: 'slow-a3',
        type: 'latency',
        kind: 'network',
        target: 'a3',
        attributes: { latency: 150, jitter: 20 },
        startMs: SLOW_FROM,
        endMs: SLOW_TO,
        status: 'expired',
        effect: { proxy: 'balancer', note: '<b>toxic</b> & ]]>' },
      },
    ],
    incidents,
    timeline: [
      { atMs: 0, kind: 'drill.started', nodeId: null, detail: { drill: 'kill-one-of-three' } },
      { atMs: KILL_AT, kind: 'fault.injected', nodeId: 'a2', detail: { id: 'f-1', type: 'kill' } },
      { atMs: KILL_AT + 3.3, kind: 'node.exited', nodeId: 'a2', detail: { signal: 'SIGKILL', byLab: true } },
      { atMs: KILL_AT + 4.2, kind: 'incident.detected', nodeId: 'a2', detail: { via: 'exit' } },
      { atMs: KILL_AT + 4.4, kind: 'upstream.ejected', nodeId: 'a2', detail: { reason: 'exit <script>alert("timeline")</script>' } },
      { atMs: SLOW_FROM, kind: 'fault.injected', nodeId: 'a3', detail: { id: 'f-2', type: 'latency' } },
      { atMs: KILL_AT + 107, kind: 'node.started', nodeId: 'a2', detail: { pid: 4300 } },
      { atMs: KILL_AT + 292, kind: 'incident.recovered', nodeId: 'a2', detail: {} },
      { atMs: SLOW_FROM + 310, kind: 'incident.detected', nodeId: 'a3', detail: { via: 'passive' } },
      { atMs: SLOW_TO, kind: 'fault.reverted', nodeId: 'a3', detail: { id: 'f-2', status: 'expired' } },
      { atMs: SLOW_TO + 190, kind: 'incident.recovered', nodeId: 'a3', detail: {} },
      { atMs: 15_000, kind: 'drill.finished', nodeId: null, detail: { verdict: 'fail' } },
    ],
    series: series(),
    availability: availabilityFrom({ mttrMs: meanMttr(incidents), replicas: 3 }),
    formats: ['json', 'html', 'md', 'junit'],
  };
}

/** The report, with top-level fields replaced by `overrides`, validated by the report schema. */
export function makeReport(overrides: Partial<DrillReportInput> = {}): DrillReport {
  return DrillReport.parse({ ...base(), ...overrides });
}
