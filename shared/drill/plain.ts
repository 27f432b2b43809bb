// A drill's steps, expectations and hypothesis bounds as sentences a learner reads ("a2 gets
// between 20 % and 45 % of the requests (over the last 2 s)"), made from their fields. Pure: the
// engine's results, the app and the report word them the same way. An expectation or a bound with
// `says:` in the file is worded by its author instead.
import type { FaultInject, FaultType } from '../contract/model.js';
import type { HypothesisName } from './run.js';
import { stepKindOf, type ActionCommand, type ActionStep, type DrillHypothesis, type DrillMetric, type DrillSpec, type DrillStep, type DrillStop, type ExpectStep, type FaultAfter, type FaultStep, type StepKind } from './schema.js';

/** `recent.*` and `node.share` look back this far unless the step says otherwise (as the runner does). */
export const RECENT_WINDOW_MS = 2_000;

/** What an event expectation counts from: the latest fault or action step before it, else the start. */
export type AnchorWords = 'the start' | 'the fault' | 'the revert' | 'the action';

// ---- Numbers in words ----------------------------------------------------------------------

/** 800 → "800 ms", 1500 → "1.5 s", 8000 → "8 s", 90000 → "1 min 30 s". */
export function durationWords(ms: number): string {
  if (ms < 1_000) return `${trim(ms)} ms`;
  if (ms < 60_000) return `${trim(ms / 1_000)} s`;
  const min = Math.floor(ms / 60_000);
  const s = Math.round((ms % 60_000) / 1_000);
  return s === 0 ? `${min} min` : `${min} min ${s} s`;
}

/** 0.2 → "20 %", 0.005 → "0.5 %". */
export function percentWords(ratio: number): string {
  return `${trim(ratio * 100)} %`;
}

/** Up to two decimals, none when whole: 2 → "2", 1.75 → "1.75", 0.3333 → "0.33". */
function trim(n: number): string {
  return String(Math.round(n * 100) / 100);
}

const count = (n: number): string => (Number.isInteger(n) ? n.toLocaleString('en-US') : trim(n));

/** "between A and B", "at most B", "at least A" (or "exactly A"). */
function range(min: number | undefined, max: number | undefined, show: (n: number) => string): string {
  if (min !== undefined && max !== undefined) return min === max ? `exactly ${show(min)}` : `between ${show(min)} and ${show(max)}`;
  if (max !== undefined) return `at most ${show(max)}`;
  return `at least ${show(min as number)}`;
}

/** A count of things with its verb: "no request fails", "at least one request fails", "between 1 and 100 requests fail". */
function counted(min: number | undefined, max: number | undefined, one: string, many: string, verb: { one: string; many: string }): string {
  if (max === 0 && (min === undefined || min === 0)) return `no ${one} ${verb.one}`;
  if (min === 1 && max === undefined) return `at least one ${one} ${verb.one}`;
  return `${range(min, max, count)} ${many} ${verb.many}`;
}

const fails = { one: 'fails', many: 'fail' };

// ---- Metrics -------------------------------------------------------------------------------

const overRecent = (e: ExpectStep): string => ` (over the last ${durationWords(e.windowMs ?? RECENT_WINDOW_MS)})`;
const sinceStart = ' (since the drill began)';

/** The 99th percentile of answer times, bounded: "99 % of the requests are answered within 400 ms". */
function p99(e: ExpectStep): string {
  if (e.min === undefined) return `99 % of the requests are answered within ${durationWords(e.max as number)}`;
  if (e.max === undefined) return `the slowest 1 % of the requests take at least ${durationWords(e.min)}`;
  return `the slowest 1 % of the requests take ${range(e.min, e.max, durationWords)}`;
}

/** The share of requests that fail, bounded: "at most 1 % of the requests fail". */
function errorRate(e: ExpectStep): string {
  if (e.max === 0 && (e.min === undefined || e.min === 0)) return 'no request fails';
  return `${range(e.min, e.max, percentWords)} of the requests fail`;
}

/** The latest incident's MTTD or MTTR: "the latest failure is detected within 800 ms of happening". */
const incidentWhat = (e: ExpectStep, what: string): string =>
  `${what} ${e.min === undefined ? `within ${durationWords(e.max as number)} of happening` : `${range(e.min, e.max, durationWords)} after it happened`}`;

/** One sentence per metric an `expect` may bound. A Record: a metric added to the schema without words does not compile. */
const metricWords: Record<DrillMetric, (e: ExpectStep) => string> = {
  'traffic.failed': (e) => counted(e.min, e.max, 'request', 'requests', fails) + sinceStart,
  'traffic.errorRate': (e) => errorRate(e) + sinceStart,
  'traffic.p99': (e) => p99(e) + sinceStart,
  'traffic.retried': (e) => `the balancer retries ${e.max === 0 && e.min === undefined ? 'no request' : e.min === 1 && e.max === undefined ? 'at least one request' : `${range(e.min, e.max, count)} requests`}${sinceStart}`,
  'recent.rps': (e) => `the lab serves ${range(e.min, e.max, count)} requests per second${overRecent(e)}`,
  'recent.errorRate': (e) => errorRate(e) + overRecent(e),
  'recent.p99': (e) => p99(e) + overRecent(e),
  'node.share': (e) => `${e.node ?? 'the node'} gets ${range(e.min, e.max, percentWords)} of the requests${overRecent(e)}`,
  'ledger.lost': (e) => counted(e.min, e.max, 'acknowledged write', 'acknowledged writes', { one: 'is lost', many: 'are lost' }),
  'ledger.stale': (e) => counted(e.min, e.max, 'acknowledged write', 'acknowledged writes', { one: 'reads back an older value', many: 'read back an older value' }),
  'incident.mttdMs': (e) => incidentWhat(e, 'the latest failure is detected'),
  'incident.mttrMs': (e) => incidentWhat(e, 'the lab recovers from the latest failure'),
};

// ---- Events --------------------------------------------------------------------------------

type EventWords = (node: string | undefined) => string;
const who = (node: string | undefined, fallback = 'a node'): string => node ?? fallback;
const whose = (node: string | undefined, fallback = "a node's"): string => (node ? `${node}'s` : fallback);

/**
 * The timeline's event kinds (and the nodes' log events as `log.<event>`) in words, as something
 * that happens. Open-ended like the schema's event kinds: a kind without words here is worded
 * plainly by name (see `eventWords`), and a test requires words for every kind a built-in drill uses.
 */
export const eventPhrases: Readonly<Record<string, EventWords>> = {
  'node.starting': (n) => `${who(n)} starts up`,
  'node.started': (n) => `${whose(n)} process starts`,
  'node.ready': (n) => `${who(n)} is ready to serve`,
  'node.exited': (n) => `${whose(n)} process exits`,
  'node.stopped': (n) => `${who(n)} stops`,
  'node.rejoined': (n) => `${who(n)} rejoins as the standby`,
  'node.restart-scheduled': (n) => `the supervisor schedules a restart of ${who(n)}`,
  'node.crash-loop': (n) => `${who(n)} is found crashing in a loop`,
  'node.ready-timeout': (n) => `${who(n)} fails to become ready in time`,
  'node.spawn-failed': (n) => `${who(n)} cannot be launched`,
  'node.start-failed': (n) => `${who(n)} fails to start`,
  'balancer.detected': (n) => `the balancer detects that ${who(n)} has failed`,
  'balancer.ejected': (n) => `the balancer takes ${who(n)} out of rotation`,
  'balancer.readmitted': (n) => `${who(n)} is back in rotation`,
  'balancer.first-served': (n) => `${who(n)} answers its first request`,
  'incident.opened': (n) => `an incident is opened${n ? ` on ${n}` : ''}`,
  'incident.detected': (n) => (n ? `the failure of ${n} is detected` : 'the failure is detected'),
  'incident.closed': (n) => (n ? `${n} has recovered (its incident is closed)` : 'the incident is closed (recovered)'),
  'failover.started': (n) => `a failover starts${n ? ` (${n})` : ''}`,
  'failover.promoted': (n) => `${who(n, 'the standby')} is promoted to primary`,
  'failover.promoted-behind': (n) => `${who(n, 'the standby')} is promoted while behind the old primary`,
  'failover.done': (n) => (n ? `the failover to ${n} is done` : 'the failover is done'),
  'failover.fenced': (n) => `${who(n, 'the old primary')} is fenced (stopped for good, so it can never take writes again)`,
  'failover.held': (n) => `the failover is held (no standby promoted${n ? `, ${n} restarts in place` : ''})`,
  'failover.failed': (n) => `the failover${n ? ` to ${n}` : ''} fails`,
  'standby.in-sync': (n) => `${who(n, 'the standby')} is in sync with the primary again`,
  'standby.behind': (n) => `${who(n, 'the standby')} falls behind the primary`,
  'checkpoint.shipped': (n) => `a checkpoint is copied to ${who(n, 'the standby')}`,
  'checkpoint.ship-failed': (n) => `copying a checkpoint to ${who(n, 'the standby')} fails`,
  'checkpoint.written': (n) => `${who(n)} writes a checkpoint`,
  'fault.injected': (n) => `a fault is injected${n ? ` on ${n}` : ''}`,
  'fault.reverted': (n) => `a fault${n ? ` on ${n}` : ''} is reverted`,
  'fault.failed': (n) => `a fault${n ? ` on ${n}` : ''} fails to apply`,
  'fault.kill-escalated': (n) => `${who(n)} ignores SIGTERM and is killed`,
  'ledger.checked': () => 'the ledger reads every acknowledged write back',
  'traffic.started': () => 'the traffic starts',
  'traffic.stopped': () => 'the traffic stops',
  'log.checkpoint.written': (n) => `${who(n)} writes a checkpoint`,
  'log.checkpoint.rejected': (n) => `${who(n)} rejects a damaged checkpoint`,
  'log.replication.lost': (n) => `${who(n, 'the primary')} gives up on its standby (replication lost)`,
  'log.restore.done': (n) => `${who(n)} has restored its data`,
  'log.wal.segments-orphaned': (n) => `${who(n)} sets aside log segments it cannot replay`,
};

/** An event kind in words; one without its own words says its name ("a2 logs `x.y`", "`a.b` happens on a2"). */
export function eventWords(kind: string, node?: string): string {
  const words = eventPhrases[kind];
  if (words) return words(node);
  if (kind.startsWith('log.')) return `${who(node)} logs \`${kind.slice(4)}\``;
  return `\`${kind}\` happens${node ? ` on ${node}` : ''}`;
}

// ---- Expectations and bounds ------------------------------------------------------------------

/**
 * An expectation in a sentence: "a2 is back in rotation within 8 s of the action", "at most 1 % of
 * the requests fail (since the drill began)". `says:` in the file wins. `anchor`: what an event is
 * timed from (see `anchorsOf`).
 */
export function expectationSentence(expect: ExpectStep, anchor: AnchorWords | string = 'the latest fault or action'): string {
  if (expect.says !== undefined) return expect.says;
  if (expect.event !== undefined) return `${eventWords(expect.event, expect.node)} within ${durationWords(expect.within ?? 0)} of ${anchor}`;
  return metricWords[expect.metric as DrillMetric](expect);
}

const boundWords: Record<HypothesisName, (limit: number) => string> = {
  maxErrorRate: (v) => `${v === 0 ? 'no request fails' : `at most ${percentWords(v)} of the requests fail`} over the whole drill`,
  maxP99Ms: (v) => `99 % of the requests are answered within ${durationWords(v)} over the whole drill`,
  maxLostWrites: (v) => (v === 0 ? 'no acknowledged write is lost' : `at most ${count(v)} acknowledged write${v === 1 ? ' is' : 's are'} lost`),
};

/** One bound of the steady-state hypothesis in a sentence (its `says:` when the file has one); null when the drill does not set it. */
export function boundSentence(name: HypothesisName, hypothesis: DrillHypothesis): string | null {
  const limit = hypothesis[name];
  if (limit === undefined) return null;
  return hypothesis.says?.[name] ?? boundWords[name](limit);
}

/** The stop condition in a sentence: "the drill stops if more than 20 % of the requests fail for 2 s". */
export function stopSentence(stop: DrillStop): string {
  return `the drill stops, and every fault is reverted, if more than ${percentWords(stop.errorRateAbove)} of the requests fail for ${durationWords(stop.forMs)}`;
}

// ---- Steps ---------------------------------------------------------------------------------

/** A fault in words, without the verb "inject": "kill a2 with SIGKILL", "cut a2 off from the balancer". */
const faultWords: Record<FaultType, (f: FaultInject, a: Record<string, unknown>) => string> = {
  kill: (f, a) => `kill ${f.target} with ${String(a.signal ?? 'SIGKILL')}`,
  pause: (f) => `freeze ${f.target} (SIGSTOP: it stops, its port stays open)`,
  'crash-loop': (f) => `make ${f.target} crash each time it starts`,
  restart: (f) => `restart ${f.target}`,
  latency: (f, a) => `delay ${f.target}'s traffic by ${durationWords(Number(a.latency ?? 0))}${Number(a.jitter ?? 0) > 0 ? ` ± ${durationWords(Number(a.jitter))}` : ''}`,
  bandwidth: (f, a) => `throttle the traffic ${f.stream === 'upstream' ? 'to' : 'from'} ${f.target} to ${count(Number(a.rate ?? 0))} KB/s`,
  slow_close: (f, a) => `delay closing ${f.target}'s connections by ${durationWords(Number(a.delay ?? 0))}`,
  timeout: (f, a) => `let no data through ${f.target}'s connections${Number(a.timeout ?? 0) > 0 ? `, closing them after ${durationWords(Number(a.timeout))}` : ''}`,
  reset_peer: (f, a) => `reset ${f.target}'s connections${Number(a.timeout ?? 0) > 0 ? ` after ${durationWords(Number(a.timeout))}` : ''}`,
  slicer: (f) => `slice ${f.target}'s traffic into small pieces`,
  limit_data: (f, a) => `close ${f.target}'s connections after ${count(Number(a.bytes ?? 0))} bytes`,
  partition: (f, a) => {
    const links = f.links ?? (a.links as string | undefined) ?? 'all';
    return links === 'balancer' ? `cut ${f.target} off from the balancer` : links === 'replication' ? `cut ${f.target}'s replication link` : `cut ${f.target} off from the network`;
  },
  http_error: (f, a) => `make ${f.target} answer ${String(a.status ?? 503)} to ${a.share === undefined || a.share === 1 ? 'every request' : `${percentWords(Number(a.share))} of the requests`}`,
  http_abort: (f, a) => `abort ${a.share === undefined || a.share === 1 ? 'every answer' : `${percentWords(Number(a.share))} of the answers`} from ${f.target} midway`,
  checkpoint_bitflip: (f, a) => `flip ${count(Number(a.bits ?? 1))} bit${Number(a.bits ?? 1) === 1 ? '' : 's'} in ${f.target}'s ${generation(a)} checkpoint`,
  checkpoint_truncate: (f, a) => `cut ${f.target}'s ${generation(a)} checkpoint short, to ${count(Number(a.keepBytes ?? 0))} bytes`,
  checkpoint_zero: (f, a) => `zero ${count(Number(a.length ?? 64))} bytes of ${f.target}'s ${generation(a)} checkpoint`,
  checkpoint_delete_newest: (f) => `delete ${f.target}'s newest checkpoint`,
  checkpoint_stale: (f) => `put an older checkpoint in place of ${f.target}'s newest`,
  wal_corrupt_tail: (f, a) => `corrupt the last ${count(Number(a.bytes ?? 16))} bytes of ${f.target}'s write-ahead log`,
};

const generation = (a: Record<string, unknown>): string => (typeof a.generation === 'number' && a.generation > 0 ? `generation-${a.generation}` : 'newest');

/** A fault's moment: "1 s after p1 writes a checkpoint", "as soon as s1 is promoted to primary". */
export function afterWords(after: FaultAfter): string {
  const delay = after.delayMs ?? 0;
  return `${delay > 0 ? `${durationWords(delay)} after` : 'as soon as'} ${eventWords(after.event, after.node)}`;
}

function faultSentence(step: FaultStep): string {
  if (step.revert !== undefined) return `revert the fault “${step.revert}”`;
  if (step.halt) return 'revert every fault';
  const f = step.inject as FaultInject;
  const extras = [
    f.toxicity < 1 ? `on ${percentWords(f.toxicity)} of the connections` : '',
    f.durationMs !== undefined ? `for ${durationWords(f.durationMs)}` : '',
    step.after ? afterWords(step.after) : '',
  ].filter(Boolean);
  return `inject: ${faultWords[f.type](f, f.attributes ?? {})}${extras.length ? ` (${extras.join(', ')})` : ''}`;
}

/** What an action's `do` does, in words: "start a2", "change the balancer: strategy least-response-time". A Record: a new command without words does not compile. */
const commandWords: Record<ActionCommand, (params: Record<string, unknown>) => string> = {
  'node.start': (p) => `start ${String(p.id)}`,
  'node.stop': (p) => `stop ${String(p.id)}`,
  'node.restart': (p) => `restart ${String(p.id)}`,
  'node.promote': (p) => `promote ${String(p.id)} to primary`,
  'fault.halt': () => 'revert every fault',
  'balancer.set': (p) => `change the balancer: ${settingsWords(p)}`,
  'traffic.set': (p) => `change the traffic: ${trafficWords(p)}`,
  'traffic.stop': () => 'stop the traffic',
  'ledger.check': () => 'read every acknowledged write back (the ledger)',
};

/** A traffic patch: "300 requests per second, 40 % reads", other settings by name. */
function trafficWords(patch: Record<string, unknown>): string {
  const { rate, readShare, ...rest } = patch;
  const said = [typeof rate === 'number' ? `${count(rate)} requests per second` : '', typeof readShare === 'number' ? `${percentWords(readShare)} reads` : ''];
  return [...said, Object.keys(rest).length > 0 ? settingsWords(rest) : ''].filter(Boolean).join(', ');
}

/** A settings patch flattened: "retry.enabled off, strategy least-response-time". */
function settingsWords(patch: Record<string, unknown>, prefix = ''): string {
  return Object.entries(patch)
    .map(([key, value]) => (typeof value === 'object' && value !== null ? settingsWords(value as Record<string, unknown>, `${prefix}${key}.`) : `${prefix}${key} ${value === true ? 'on' : value === false ? 'off' : String(value)}`))
    .join(', ');
}

export function actionCommandSentence(action: NonNullable<ActionStep['do']>): string {
  return commandWords[action.command](action.params);
}

/** The first line of a text, at most `max` characters, markdown's emphasis and headings dropped. */
function firstWords(text: string, max = 120): string {
  const line = text.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
  const plain = line.replace(/^#+\s*/, '').replace(/\*\*|__|`/g, '');
  return plain.length > max ? `${plain.slice(0, max - 1).trimEnd()}…` : plain;
}

/** One sentence per step kind. A Record: a new kind without words does not compile. */
const stepWords: { [K in StepKind]: (body: Extract<DrillStep, Record<K, unknown>>[K], anchor: string) => string } = {
  say: (text) => `narration: ${firstWords(text)}`,
  wait: (ms) => `wait ${durationWords(ms)}`,
  mark: (name) => `mark this moment as “${name}”`,
  fault: (body) => faultSentence(body),
  action: (body) => `your turn: ${firstWords(body.text, 200)}${body.do ? ` (the lab can do it for you: ${actionCommandSentence(body.do)})` : ''}`,
  predict: (body) => `predict: ${firstWords(body.question, 200)}`,
  expect: (body, anchor) => `check that ${expectationSentence(body, anchor)}`,
};

/** A step in a sentence: "inject: kill a2 with SIGKILL", "wait 5 s", "check that a2 is back in rotation within 8 s of the action". */
export function stepSentence(step: DrillStep, anchor: AnchorWords | string = 'the latest fault or action'): string {
  const kind = stepKindOf(step);
  return (stepWords[kind] as (body: unknown, anchor: string) => string)((step as Record<string, unknown>)[kind], anchor);
}

/** What each step's event expectations count from: the latest fault or action step before it, else the start (as the runner anchors). */
export function anchorsOf(steps: readonly DrillStep[]): AnchorWords[] {
  let anchor: AnchorWords = 'the start';
  return steps.map((step) => {
    const current = anchor;
    if ('fault' in step) anchor = step.fault.inject ? 'the fault' : 'the revert';
    else if ('action' in step) anchor = 'the action';
    return current;
  });
}

/** Every step of a drill in a sentence, with its events timed from the right anchor. */
export function stepSentences(spec: Pick<DrillSpec, 'steps'>): string[] {
  const anchors = anchorsOf(spec.steps);
  return spec.steps.map((step, index) => stepSentence(step, anchors[index]));
}
