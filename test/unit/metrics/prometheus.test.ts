import { describe, expect, it } from 'vitest';
import { createLabMetrics, errorReason, type RequestOutcome } from '../../../electron/engine/metrics';
import type { UpstreamState } from '../../../shared/contract/model';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the Prometheus text format (0.0.4): every line must parse. */
function parse(text: string): { help: Map<string, string>; type: Map<string, string>; samples: Sample[] } {
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m = /^# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) (.+)$/.exec(line);
    if (m) {
      help.set(m[1]!, m[2]!);
      continue;
    }
    m = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (m) {
      type.set(m[1]!, m[2]!);
      continue;
    }
    m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m) throw new Error(`unparsable line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
      const eq = pair.indexOf('=');
      labels[pair.slice(0, eq)] = pair.slice(eq + 2, -1);
    }
    // Go's ParseFloat (Prometheus) takes NaN and Inf in any case; prom-client writes "Nan".
    const raw = m[3]!.toLowerCase();
    const value = raw === '+inf' ? Infinity : raw === '-inf' ? -Infinity : raw === 'nan' ? NaN : Number(raw);
    if (Number.isNaN(value) && raw !== 'nan') throw new Error(`bad value: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { help, type, samples };
}

const outcome = (extra: Partial<RequestOutcome> = {}): RequestOutcome => ({ startedAt: 0, durationMs: 3, method: 'GET', nodeId: 'n1', status: 200, ok: true, tries: 1, retried: false, ...extra });

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
}

describe('lab metrics (Prometheus)', () => {
  it('exposes every family with HELP and TYPE, labels as documented, and counters that increase', async () => {
    // Node states are the balancer's, read at each scrape.
    let upstreams: Array<{ id: string; state: UpstreamState }> = [];
    const m = createLabMetrics({ processMetrics: false, upstreams: () => upstreams });
    m.observe(outcome());
    m.observe(outcome({ durationMs: 40 }));
    m.observe(outcome({ nodeId: 'n2', status: 502, ok: false, error: 'ECONNREFUSED', tries: 3, retried: true }));
    m.observe(outcome({ nodeId: null, status: 0, ok: false, error: 'per-try timeout' }));
    m.ejection('n2', 'passive');
    upstreams = [
      { id: 'n1', state: 'in-rotation' },
      { id: 'n2', state: 'ejected' },
    ];
    m.event('ledger.checked', { acked: 9, checked: 9, lost: 2, stale: 1, checkedAt: 1 });

    const first = parse(await m.exposition());
    const families = {
      firedrill_requests_total: 'counter',
      firedrill_request_errors_total: 'counter',
      firedrill_retries_total: 'counter',
      firedrill_request_duration_seconds: 'histogram',
      firedrill_node_up: 'gauge',
      firedrill_ejections_total: 'counter',
      firedrill_ledger_lost_writes: 'gauge',
      firedrill_ledger_stale_writes: 'gauge',
    };
    for (const [name, kind] of Object.entries(families)) {
      expect(first.type.get(name), name).toBe(kind);
      expect(first.help.get(name), name).toBeTruthy();
    }
    const s = first.samples;
    expect(value(s, 'firedrill_requests_total', { node: 'n1', code: '200' })).toBe(2);
    expect(value(s, 'firedrill_requests_total', { node: 'n2', code: '502' })).toBe(1);
    expect(value(s, 'firedrill_requests_total', { node: 'none', code: 'none' })).toBe(1);
    expect(value(s, 'firedrill_request_errors_total', { node: 'n2', reason: 'refused' })).toBe(1);
    expect(value(s, 'firedrill_request_errors_total', { node: 'none', reason: 'timeout' })).toBe(1);
    expect(value(s, 'firedrill_retries_total')).toBe(2);
    expect(value(s, 'firedrill_request_duration_seconds_bucket', { node: 'n1', le: '0.005' })).toBe(1);
    expect(value(s, 'firedrill_request_duration_seconds_bucket', { node: 'n1', le: '0.05' })).toBe(2);
    expect(value(s, 'firedrill_request_duration_seconds_bucket', { node: 'n1', le: '0.0001' })).toBe(0);
    expect(value(s, 'firedrill_request_duration_seconds_bucket', { node: 'n1', le: '+Inf' })).toBe(2);
    expect(value(s, 'firedrill_request_duration_seconds_count', { node: 'n1' })).toBe(2);
    expect(value(s, 'firedrill_request_duration_seconds_sum', { node: 'n1' })).toBeCloseTo(0.043, 6);
    expect(value(s, 'firedrill_node_up', { node: 'n1', state: 'in-rotation' })).toBe(1);
    expect(value(s, 'firedrill_node_up', { node: 'n2', state: 'ejected' })).toBe(0);
    expect(value(s, 'firedrill_ejections_total', { node: 'n2', via: 'passive' })).toBe(1);
    expect(value(s, 'firedrill_ledger_lost_writes')).toBe(2);
    expect(value(s, 'firedrill_ledger_stale_writes')).toBe(1);

    // Counters only go up; a node's state moves its one series; a node gone is dropped.
    m.observe(outcome());
    m.observe(outcome({ tries: 2, retried: true }));
    m.ejection('n2', 'passive');
    upstreams = [{ id: 'n2', state: 'in-rotation' }];
    const second = parse(await m.exposition()).samples;
    expect(value(second, 'firedrill_requests_total', { node: 'n1', code: '200' })).toBe(4);
    expect(value(second, 'firedrill_retries_total')).toBe(3);
    expect(value(second, 'firedrill_ejections_total', { node: 'n2', via: 'passive' })).toBe(2);
    expect(second.filter((x) => x.name === 'firedrill_node_up')).toEqual([{ name: 'firedrill_node_up', labels: { node: 'n2', state: 'in-rotation' }, value: 1 }]);
    expect(m.contentType).toMatch(/^text\/plain/);
  });

  it('uses its own registry (two labs do not share counts) and adds process metrics when asked', async () => {
    const a = createLabMetrics();
    const b = createLabMetrics();
    a.observe(outcome());
    const textA = parse(await a.exposition());
    const textB = parse(await b.exposition());
    expect(value(textA.samples, 'firedrill_requests_total', { node: 'n1' })).toBe(1);
    expect(value(textB.samples, 'firedrill_requests_total', { node: 'n1' })).toBeUndefined();
    expect(textA.type.get('process_cpu_user_seconds_total')).toBe('counter');
    expect(textA.type.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(a.registry.getSingleMetric('process_cpu_user_seconds_total')).toBeUndefined();
  });

  it('maps errors to a bounded reason', () => {
    expect(errorReason({ status: 0, error: 'UND_ERR_CONNECT_TIMEOUT' })).toBe('timeout');
    expect(errorReason({ status: 0, error: 'ECONNRESET' })).toBe('reset');
    expect(errorReason({ status: 503 })).toBe('status_5xx');
    expect(errorReason({ status: 409 })).toBe('status_409');
    expect(errorReason({ status: 0 })).toBe('other');
  });
});
