// `expect`: an event within a time of the anchor (the latest fault or action), or a metric
// within bounds. Either way the result joins the run's expectations, and the step passes or fails
// with it (a failed expectation fails the verdict, not the run: the steps go on).
import type { TimelineEvent } from '../../../../shared/contract/model.js';
import type { ExpectationResult } from '../../../../shared/drill/run.js';
import type { ExpectStep } from '../../../../shared/drill/schema.js';
import { now } from '../../clock.js';
import { percent } from '../hypothesis.js';
import { round, type StepContext, type StepUnit } from './step-unit.js';

/** How long a metric expectation on an incident waits for that incident to reach the stage. */
export const INCIDENT_WAIT_MS = 10_000;
/** `recent.*` metrics look back this far unless the step says otherwise. */
const RECENT_WINDOW_MS = 2_000;

type Seen = Pick<TimelineEvent, 'kind' | 'at' | 'nodeId'>;

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
  const matches = (e: Seen): boolean => e.kind === kind && e.at >= anchor.at && (node === undefined || e.nodeId === node);
  const seen = recorder.events.find(matches) ?? (await waitForTimeline(context, matches, anchor.at + within));
  const result: ExpectationResult = { step: index, kind: 'event', description, verdict: 'fail', observed: null, unit: 'ms', detail: '', atMs: recorder.rel(now()) };
  if (seen && seen.at - anchor.at <= within) {
    result.verdict = 'pass';
    result.observed = round(seen.at - anchor.at);
    result.detail = `seen ${result.observed} ms after ${anchor.label}${seen.nodeId ? ` (${seen.nodeId})` : ''}`;
  } else if (seen) {
    result.observed = round(seen.at - anchor.at);
    result.detail = `seen only ${result.observed} ms after ${anchor.label}`;
  } else {
    result.detail = `not seen within ${within} ms`;
  }
  return result;
}

/** The first timeline event from now on that matches, or undefined at the deadline; rejects when the run aborts. */
function waitForTimeline(context: StepContext, matches: (e: Seen) => boolean, deadline: number): Promise<Seen | undefined> {
  return new Promise((resolve, reject) => {
    const { signal } = context;
    const done = (value: Seen | undefined): void => {
      clearTimeout(timer);
      stop();
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = (): void => {
      clearTimeout(timer);
      stop();
      reject(signal.reason);
    };
    const stop = context.recorder.onTimeline((e) => {
      if (matches(e)) done(e);
    });
    const timer = setTimeout(() => done(undefined), Math.max(0, deadline - now()));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
}

async function expectMetric(expect: ExpectStep, context: StepContext): Promise<ExpectationResult> {
  const { recorder, lab } = context;
  const metric = expect.metric as NonNullable<ExpectStep['metric']>;
  const bounds = [expect.min !== undefined ? `≥ ${expect.min}` : '', expect.max !== undefined ? `≤ ${expect.max}` : ''].filter(Boolean).join(' and ');
  const result: ExpectationResult = { step: context.index, kind: 'metric', description: `${metric}${expect.node ? ` of ${expect.node}` : ''} ${bounds}`, verdict: 'fail', observed: null, unit: 'count', detail: '', atMs: null };
  let value: number | null = null;
  let about = '';
  const stats = lab.trafficStats();
  switch (metric) {
    case 'traffic.failed':
      value = stats ? stats.failed : null;
      about = stats ? `of ${stats.ok + stats.failed} requests` : 'no traffic';
      break;
    case 'traffic.errorRate':
      result.unit = 'ratio';
      value = stats && stats.ok + stats.failed > 0 ? stats.failed / (stats.ok + stats.failed) : null;
      about = stats ? `${stats.failed} of ${stats.ok + stats.failed} requests failed` : 'no traffic';
      break;
    case 'traffic.p99':
      result.unit = 'ms';
      value = stats && stats.latency.count > 0 ? stats.latency.p99 : null;
      about = stats ? `over ${stats.latency.count} requests` : 'no traffic';
      break;
    case 'traffic.retried':
      value = stats ? stats.retried : null;
      about = stats ? `retries for ${stats.ok + stats.failed} requests` : 'no traffic';
      break;
    case 'recent.rps':
    case 'recent.errorRate':
    case 'recent.p99':
    case 'node.share': {
      const windowMs = expect.windowMs ?? RECENT_WINDOW_MS;
      const recent = recorder.recent(windowMs, expect.node);
      result.unit = metric === 'recent.p99' ? 'ms' : metric === 'recent.rps' ? 'count' : 'ratio';
      value = metric === 'recent.rps' ? recent.rps : metric === 'recent.errorRate' ? recent.errorRate : metric === 'recent.p99' ? recent.p99 : recent.nodeShare;
      about = `last ${windowMs} ms: ${Math.round(recent.requests)} requests${expect.node ? `, ${Math.round(recent.nodeRequests)} to ${expect.node}` : ''}`;
      break;
    }
    case 'ledger.lost':
    case 'ledger.stale': {
      const counts = await context.checkLedger();
      value = metric === 'ledger.lost' ? counts.lost : counts.stale;
      about = `${counts.checked} acknowledged writes read back: ${counts.lost} lost, ${counts.stale} stale`;
      break;
    }
    case 'incident.mttdMs':
    case 'incident.mttrMs': {
      result.unit = 'ms';
      const field = metric === 'incident.mttdMs' ? 'mttdMs' : 'mttrMs';
      const deadline = now() + INCIDENT_WAIT_MS;
      let incident = recorder.latestIncident();
      while ((incident === undefined || incident[field] === null) && now() < deadline) {
        await context.sleep(50);
        incident = recorder.latestIncident();
      }
      value = incident?.[field] ?? null;
      about = incident ? `incident ${incident.id} on ${incident.nodeId} (${incident.cause})` : 'no incident in this run';
      break;
    }
  }
  result.atMs = recorder.rel(now());
  result.observed = value === null ? null : round(value);
  const ok = value !== null && (expect.min === undefined || value >= expect.min) && (expect.max === undefined || value <= expect.max);
  result.verdict = ok ? 'pass' : 'fail';
  const shown = value === null ? 'no value' : result.unit === 'ratio' ? percent(value) : result.unit === 'ms' ? `${round(value)} ms` : String(value);
  result.detail = `${shown} (${about})`;
  return result;
}
