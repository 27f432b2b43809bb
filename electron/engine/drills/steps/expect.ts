// `expect`: an event within a time of the anchor (the latest fault or action), or a metric
// within bounds. Either way the result joins the run's expectations, and the step passes or fails
// with it (a failed expectation fails the verdict, not the run: the steps go on).
import type { TrafficStats } from '../../../../shared/contract/model.js';
import type { ExpectationResult } from '../../../../shared/drill/run.js';
import { durationWords, eventWords, expectationSentence, RECENT_WINDOW_MS } from '../../../../shared/drill/plain.js';
import type { DrillMetric, ExpectStep } from '../../../../shared/drill/schema.js';
import { now } from '../../clock.js';
import { percent } from '../hypothesis.js';
import type { RunRecorder } from '../run-recorder.js';
import { round, waitForTimeline, type Seen, type StepContext, type StepUnit } from './step-unit.js';

/** How long a metric expectation on an incident waits for that incident to reach the stage. */
export const INCIDENT_WAIT_MS = 10_000;
/** A missed event's sentence lists at most this many of the events seen instead. */
const SEEN_INSTEAD = 6;

export const expectStep: StepUnit<'expect'> = {
  kind: 'expect',
  list(e) {
    const label =
      e.event !== undefined
        ? `expect ${e.event}${e.node ? ` on ${e.node}` : ''} within ${e.within} ms`
        : `expect ${e.metric}${e.node ? ` of ${e.node}` : ''}${e.min !== undefined ? ` ≥ ${e.min}` : ''}${e.max !== undefined ? ` ≤ ${e.max}` : ''}`;
    return { label };
  },
  async perform(body, context) {
    const result = body.event !== undefined ? await expectEvent(body, context) : await expectMetric(body, context);
    context.expected(result);
    return result.verdict === 'pass' ? 'passed' : 'failed';
  },
};

async function expectEvent(expect: ExpectStep, context: StepContext): Promise<ExpectationResult> {
  const { recorder, index } = context;
  const anchor = context.anchor();
  const kind = expect.event as string;
  const within = expect.within as number;
  const node = expect.node;
  const description = `${kind}${node ? ` on ${node}` : ''} within ${within} ms of ${anchor.label}`;
  const since = Math.min(anchor.since ?? anchor.at, anchor.at);
  const matches = (e: Seen): boolean => e.kind === kind && e.at >= since && (node === undefined || e.nodeId === node);
  const seen = recorder.events.find(matches) ?? (await waitForTimeline(context, matches, anchor.at + within));
  const sentence = expectationSentence(expect, anchor.label);
  const result: ExpectationResult = { step: index, kind: 'event', description, verdict: 'fail', observed: null, unit: 'ms', detail: '', atMs: recorder.rel(now()), sentence, missed: null };
  if (seen && seen.at < anchor.at) {
    // Between the prompt and the report that the action was done: it came of the action.
    result.verdict = 'pass';
    result.observed = 0;
    result.detail = `seen before ${anchor.label} was reported done${seen.nodeId ? ` (${seen.nodeId})` : ''}`;
  } else if (seen && seen.at - anchor.at <= within) {
    result.verdict = 'pass';
    result.observed = round(seen.at - anchor.at);
    result.detail = `seen ${result.observed} ms after ${anchor.label}${seen.nodeId ? ` (${seen.nodeId})` : ''}`;
  } else if (seen) {
    result.observed = round(seen.at - anchor.at);
    result.detail = `seen only ${result.observed} ms after ${anchor.label}`;
    result.missed = `${sentence}: no, only ${durationWords(result.observed)} after ${anchor.label}.`;
  } else {
    result.detail = `not seen within ${within} ms`;
    result.missed = `${sentence}: not seen. ${seenInstead(recorder.events, since, anchor, node)}`;
  }
  return result;
}

/** What happened instead of a missed event, in words: the events (on `node`, when the step names one) since the anchor, timed from it. */
function seenInstead(events: readonly Seen[], since: number, anchor: { at: number; label: string }, node: string | undefined): string {
  const seen = events.filter((e) => e.at >= since && (node === undefined || e.nodeId === node));
  const where = node ? ` on ${node}` : '';
  if (seen.length === 0) return `Nothing else was seen${where} since ${anchor.label}.`;
  const words = seen.slice(0, SEEN_INSTEAD).map((e) => `${eventWords(e.kind, e.nodeId)} (${signed(e.at - anchor.at)})`);
  const more = seen.length > SEEN_INSTEAD ? `, and ${seen.length - SEEN_INSTEAD} more` : '';
  return `Seen${where} since ${anchor.label} instead: ${words.join('; ')}${more}.`;
}

/** +0.4 s, −120 ms: a time from the anchor. */
const signed = (ms: number): string => `${ms < 0 ? '−' : '+'}${durationWords(Math.abs(round(ms)))}`;

/** One metric as read now: its value (null: nothing to measure), what it was read over, and its unit. */
interface Reading {
  value: number | null;
  about: string;
  unit: ExpectationResult['unit'];
}

type MetricReader = (expect: ExpectStep, context: StepContext) => Reading | Promise<Reading>;

/** Over the whole run's traffic so far. */
const fromTraffic =
  (unit: Reading['unit'], read: (stats: TrafficStats) => { value: number | null; about: string }): MetricReader =>
  (_expect, context) => {
    const stats = context.lab.trafficStats();
    return stats ? { unit, ...read(stats) } : { unit, value: null, about: 'no traffic' };
  };

/** Over the last `windowMs` (default RECENT_WINDOW_MS) of metrics ticks, overall or for `node`. */
const fromRecent =
  (unit: Reading['unit'], pick: (recent: ReturnType<RunRecorder['recent']>) => number | null): MetricReader =>
  (expect, context) => {
    const windowMs = expect.windowMs ?? RECENT_WINDOW_MS;
    const recent = context.recorder.recent(windowMs, expect.node);
    const about = `last ${windowMs} ms: ${Math.round(recent.requests)} requests${expect.node ? `, ${Math.round(recent.nodeRequests)} to ${expect.node}` : ''}`;
    return { unit, value: pick(recent), about };
  };

/** Every acknowledged write read back now. */
const fromLedger =
  (field: 'lost' | 'stale'): MetricReader =>
  async (_expect, context) => {
    const counts = await context.checkLedger();
    return { unit: 'count', value: counts[field], about: `${counts.checked} acknowledged writes read back: ${counts.lost} lost, ${counts.stale} stale` };
  };

/** The latest incident's MTTD or MTTR, waiting up to INCIDENT_WAIT_MS for it to get one. */
const fromIncident =
  (field: 'mttdMs' | 'mttrMs'): MetricReader =>
  async (_expect, context) => {
    const { recorder } = context;
    const deadline = now() + INCIDENT_WAIT_MS;
    let incident = recorder.latestIncident();
    while ((incident === undefined || incident[field] === null) && now() < deadline) {
      await context.sleep(50);
      incident = recorder.latestIncident();
    }
    return { unit: 'ms', value: incident?.[field] ?? null, about: incident ? `incident ${incident.id} on ${incident.nodeId} (${incident.cause})` : 'no incident in this run' };
  };

const sent = (stats: TrafficStats): number => stats.ok + stats.failed;

const metricReaders: Record<DrillMetric, MetricReader> = {
  'traffic.failed': fromTraffic('count', (s) => ({ value: s.failed, about: `of ${sent(s)} requests` })),
  'traffic.errorRate': fromTraffic('ratio', (s) => ({ value: sent(s) > 0 ? s.failed / sent(s) : null, about: `${s.failed} of ${sent(s)} requests failed` })),
  'traffic.p99': fromTraffic('ms', (s) => ({ value: s.latency.count > 0 ? s.latency.p99 : null, about: `over ${s.latency.count} requests` })),
  'traffic.retried': fromTraffic('count', (s) => ({ value: s.retried, about: `retries for ${sent(s)} requests` })),
  'recent.rps': fromRecent('count', (r) => r.rps),
  'recent.errorRate': fromRecent('ratio', (r) => r.errorRate),
  'recent.p99': fromRecent('ms', (r) => r.p99),
  'node.share': fromRecent('ratio', (r) => r.nodeShare),
  'ledger.lost': fromLedger('lost'),
  'ledger.stale': fromLedger('stale'),
  'incident.mttdMs': fromIncident('mttdMs'),
  'incident.mttrMs': fromIncident('mttrMs'),
};

async function expectMetric(expect: ExpectStep, context: StepContext): Promise<ExpectationResult> {
  const metric = expect.metric as DrillMetric;
  const bounds = [expect.min !== undefined ? `≥ ${expect.min}` : '', expect.max !== undefined ? `≤ ${expect.max}` : ''].filter(Boolean).join(' and ');
  const { value, about, unit } = await metricReaders[metric](expect, context);
  const ok = value !== null && (expect.min === undefined || value >= expect.min) && (expect.max === undefined || value <= expect.max);
  const shown = value === null ? 'no value' : unit === 'ratio' ? percent(value) : unit === 'ms' ? `${round(value)} ms` : String(value);
  const sentence = expectationSentence(expect);
  return {
    step: context.index,
    kind: 'metric',
    description: `${metric}${expect.node ? ` of ${expect.node}` : ''} ${bounds}`,
    verdict: ok ? 'pass' : 'fail',
    observed: value === null ? null : round(value),
    unit,
    detail: `${shown} (${about})`,
    atMs: context.recorder.rel(now()),
    sentence,
    missed: ok ? null : value === null ? `${sentence}: nothing to measure (${about}).` : `${sentence}: no, measured ${shown} (${about}).`,
  };
}
