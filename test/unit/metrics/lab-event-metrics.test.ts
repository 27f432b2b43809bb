// The /metrics families fed by the lab's events and state: node states (standbys too), faults,
// failovers and the requests during them, MTTD/MTTR histograms, drill verdicts.
import { describe, expect, it } from 'vitest';
import { createLabMetrics, FailoverWindows, type FailoverRequestClass, type LabEvent } from '../../../electron/engine/metrics';
import type { FaultRecord, Incident, NodeSnapshot } from '../../../shared/contract/model';

type Sample = { name: string; labels: Record<string, string>; value: number };

function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
      const eq = pair.indexOf('=');
      labels[pair.slice(0, eq)] = pair.slice(eq + 2, -1);
    }
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const value = (s: Sample[], name: string, labels: Record<string, string> = {}): number | undefined =>
  s.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;

const timeline = (kind: string, at: number, detail: Record<string, unknown> = {}, nodeId?: string): LabEvent => [
  'timeline.event',
  { seq: 1, at, kind, detail, ...(nodeId ? { nodeId } : {}) },
];

const incident = (extra: Partial<Incident>): LabEvent => [
  'incident.changed',
  { id: 'i1', nodeId: 'p1', cause: 'exit', stages: {}, detectedVia: null, mttdMs: null, mttrMs: null, lostWrites: null, staleWrites: null, open: true, ...extra },
];

const fault = (extra: Partial<FaultRecord>): LabEvent => [
  'fault.changed',
  { id: 'f1', type: 'latency', kind: 'network', target: 's1', links: 'all', name: null, attributes: {}, toxicity: 1, stream: 'downstream', status: 'active', injectedAt: 0, expiresAt: null, revertedAt: null, effect: {}, error: null, ...extra },
];

const ok = (startedAt: number, tries = 1) => ({ startedAt, durationMs: 1, method: 'GET', nodeId: 'p1', status: 200, ok: true, tries, retried: tries > 1 });
const failed = (startedAt: number) => ({ startedAt, durationMs: 1, method: 'GET', nodeId: 'p1', status: 502, ok: false, tries: 2, retried: true, error: 'ECONNREFUSED' });

describe('lab metrics from events and state', () => {
  it('exports every node with its role, one-hot on its supervisor state, standbys included; nodes gone are dropped', async () => {
    let nodes: Array<Pick<NodeSnapshot, 'id' | 'role' | 'status' | 'restarts'>> = [
      { id: 'p1', role: 'primary', status: 'ready', restarts: 0 },
      { id: 's1', role: 'standby', status: 'backoff', restarts: 2 },
    ];
    const m = createLabMetrics({ processMetrics: false, nodes: () => nodes });
    let s = samples(await m.exposition());
    expect(value(s, 'firedrill_node_state', { node: 's1', role: 'standby', state: 'backoff' })).toBe(1);
    expect(value(s, 'firedrill_node_state', { node: 's1', role: 'standby', state: 'ready' })).toBe(0);
    expect(value(s, 'firedrill_node_state', { node: 'p1', role: 'primary', state: 'ready' })).toBe(1);
    expect(s.filter((x) => x.name === 'firedrill_node_state')).toHaveLength(14);
    expect(s.filter((x) => x.name === 'firedrill_node_state' && x.value === 1)).toHaveLength(2);
    expect(value(s, 'firedrill_node_restarts_total', { node: 's1' })).toBe(2);

    // A failover swaps the roles: no series is left behind with the old role.
    nodes = [{ id: 's1', role: 'primary', status: 'ready', restarts: 2 }];
    s = samples(await m.exposition());
    expect(s.filter((x) => x.name === 'firedrill_node_state' && x.value === 1).map((x) => x.labels)).toEqual([{ node: 's1', role: 'primary', state: 'ready' }]);
    expect(s.filter((x) => x.name === 'firedrill_node_state' && x.labels.node === 'p1')).toEqual([]);
  });

  it('counts active faults by type and node, and each injection once', async () => {
    let faults: Array<Pick<FaultRecord, 'type' | 'target' | 'status'>> = [
      { type: 'latency', target: 's1', status: 'active' },
      { type: 'latency', target: 's1', status: 'active' },
      { type: 'kill', target: 'p1', status: 'applied-once' },
    ];
    const m = createLabMetrics({ processMetrics: false, faults: () => faults });
    m.event(...fault({}));
    m.event(...fault({ status: 'reverted' }));
    m.event(...fault({ id: 'f2', type: 'kill', kind: 'process', target: 'p1', status: 'applied-once' }));
    m.event(...fault({ id: 'f3', status: 'failed' }));
    let s = samples(await m.exposition());
    expect(value(s, 'firedrill_faults_active', { type: 'latency', node: 's1' })).toBe(2);
    expect(value(s, 'firedrill_faults_active', { type: 'kill' })).toBeUndefined();
    expect(value(s, 'firedrill_faults_injected_total', { type: 'latency', node: 's1' })).toBe(1);
    expect(value(s, 'firedrill_faults_injected_total', { type: 'kill', node: 'p1' })).toBe(1);
    faults = [];
    s = samples(await m.exposition());
    expect(s.filter((x) => x.name === 'firedrill_faults_active')).toEqual([]);
  });

  it('counts failovers by outcome and promotions behind; MTTD and MTTR once per incident, in seconds', async () => {
    const m = createLabMetrics({ processMetrics: false });
    let s = samples(await m.exposition());
    for (const outcome of ['promoted', 'held', 'failed']) expect(value(s, 'firedrill_failovers_total', { outcome })).toBe(0);
    m.event(...timeline('failover.started', 100, { from: 'p1', to: 's1', lossAt: 90 }, 'p1'));
    m.event(...timeline('failover.promoted', 150, { from: 'p1', to: 's1' }, 's1'));
    m.event(...timeline('failover.promoted-behind', 160, { from: 'p1', to: 's1' }, 's1'));
    m.event(...timeline('failover.done', 170, { from: 'p1', to: 's1' }, 's1'));
    m.event(...timeline('failover.held', 300, { from: 's1', lossAt: 290 }, 's1'));
    m.event(...timeline('failover.failed', 400, { from: 's1', to: 'p1' }, 's1'));
    m.event(...incident({ detectedVia: 'exit', mttdMs: 40 }));
    m.event(...incident({ detectedVia: 'exit', mttdMs: 40, mttrMs: 1_500, open: false }));
    m.event(...incident({ detectedVia: 'exit', mttdMs: 40, mttrMs: 1_500, open: false }));
    m.event(...incident({ id: 'i2', cause: 'fault:latency', detectedVia: 'active', mttdMs: 2_000, mttrMs: null }));
    s = samples(await m.exposition());
    expect(value(s, 'firedrill_failovers_total', { outcome: 'promoted' })).toBe(1);
    expect(value(s, 'firedrill_failovers_total', { outcome: 'held' })).toBe(1);
    expect(value(s, 'firedrill_failovers_total', { outcome: 'failed' })).toBe(1);
    expect(value(s, 'firedrill_failovers_promoted_behind_total')).toBe(1);
    expect(value(s, 'firedrill_incident_detection_seconds_count', { cause: 'exit', via: 'exit' })).toBe(1);
    expect(value(s, 'firedrill_incident_detection_seconds_sum', { cause: 'exit', via: 'exit' })).toBeCloseTo(0.04, 6);
    expect(value(s, 'firedrill_incident_detection_seconds_bucket', { cause: 'exit', le: '0.025' })).toBe(0);
    expect(value(s, 'firedrill_incident_detection_seconds_bucket', { cause: 'exit', le: '0.05' })).toBe(1);
    expect(value(s, 'firedrill_incident_detection_seconds_count', { cause: 'fault:latency', via: 'active' })).toBe(1);
    expect(value(s, 'firedrill_incident_recovery_seconds_count', { cause: 'exit' })).toBe(1);
    expect(value(s, 'firedrill_incident_recovery_seconds_sum', { cause: 'exit' })).toBeCloseTo(1.5, 6);
    expect(value(s, 'firedrill_incident_recovery_seconds_count', { cause: 'fault:latency' })).toBeUndefined();
    // The total MTTR, and its help says so (issue 14: the split is the report's).
    expect(await m.exposition()).toMatch(/# HELP firedrill_incident_recovery_seconds .*The total: it includes any time the recovery waited on an operator/);
  });

  it('counts each drill run once, by drill and verdict', async () => {
    const m = createLabMetrics({ processMetrics: false });
    const verdict = (runId: string, verdict: 'pass' | 'fail' | null): LabEvent => ['drill.verdict', { runId, drillId: 'kill-primary', verdict } as never];
    m.event(...verdict('r1', null));
    m.event(...verdict('r1', 'pass'));
    m.event(...verdict('r1', 'pass'));
    m.event(...verdict('r2', 'fail'));
    const s = samples(await m.exposition());
    expect(value(s, 'firedrill_drill_runs_total', { drill: 'kill-primary', verdict: 'pass' })).toBe(1);
    expect(value(s, 'firedrill_drill_runs_total', { drill: 'kill-primary', verdict: 'fail' })).toBe(1);
  });

  it('counts requests during failovers, including those that ended before the failover was known', async () => {
    const m = createLabMetrics({ processMetrics: false });
    m.observe(ok(50)); // before the loss: not counted
    m.observe(failed(95)); // after the loss, before detection: counted once the failover opens
    m.observe(ok(97, 2));
    m.event(...timeline('failover.started', 100, { from: 'p1', to: 's1', lossAt: 90 }, 'p1'));
    m.observe(ok(120));
    m.observe(ok(130, 3));
    m.event(...timeline('failover.done', 170, {}, 's1'));
    m.observe(ok(165)); // ended after done, arrived before it
    m.observe(ok(200)); // after the failover
    const s = samples(await m.exposition());
    expect(value(s, 'firedrill_failover_requests_total', { outcome: 'failed' })).toBe(1);
    expect(value(s, 'firedrill_failover_requests_total', { outcome: 'held' })).toBe(2);
    expect(value(s, 'firedrill_failover_requests_total', { outcome: 'served' })).toBe(2);
  });
});

describe('FailoverWindows', () => {
  const collect = () => {
    const counts: Record<FailoverRequestClass, number> = { served: 0, held: 0, failed: 0 };
    return { counts, windows: new FailoverWindows((k) => counts[k]++) };
  };

  it('a held failover lasts until its node is back in rotation; a request is counted once when windows overlap', () => {
    const { counts, windows } = collect();
    windows.outcome(10, false, 1);
    windows.timeline('failover.held', 'p1', { from: 'p1', lossAt: 5 }, 20);
    windows.timeline('failover.held', 'p1', { from: 'p1', lossAt: 8 }, 21);
    expect(counts).toEqual({ served: 0, held: 0, failed: 1 });
    windows.outcome(30, true, 1);
    windows.timeline('balancer.readmitted', 's1', {}, 40); // another node: still open
    windows.outcome(45, true, 1);
    windows.timeline('balancer.first-served', 'p1', {}, 50);
    windows.outcome(60, false, 1);
    expect(counts).toEqual({ served: 2, held: 0, failed: 1 });
  });

  it('keeps a bounded ring: a failover opened long after a flood counts only what it can still see', () => {
    const { counts, windows } = collect();
    for (let i = 0; i < 20_000; i++) windows.outcome(1_000 + i, true, 1);
    windows.timeline('failover.started', 'p1', { from: 'p1', lossAt: 0 }, 30_000);
    expect(counts.served).toBe(8_192);
  });
});
