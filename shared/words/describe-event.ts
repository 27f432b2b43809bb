// The timeline in words: one sentence per event ("p1 killed (SIGKILL)", "s1 promoted to primary"),
// the same in the app, the report and the report's player. Pure: the event and what it refers to.
import { causeWords, formatDuration, formatPercent } from './format.js';

/** A timeline event as the lab (`TimelineEvent`) or a report (`ReportTimelineEvent`) holds it. */
export interface EventLike {
  kind: string;
  nodeId?: string | null | undefined;
  detail: Record<string, unknown>;
}

/** A fault as the lab or a report keeps it: what `fault.reverted` (which names only the id) refers to. */
export interface FaultLike {
  id: string;
  type: string;
  attributes: Record<string, unknown>;
}

/** What a sentence may name that the event itself does not carry. */
export interface EventContext {
  faults?: ReadonlyArray<FaultLike>;
  /** The balancer's health checks and passive detection, for "ejected: 3 failed probes". */
  health?: { fall: number } | null;
  passive?: { consecutiveFailures: number } | null;
}

type Words = (e: { node: string; d: Detail; context: EventContext; kind: string }) => string;

/** A detail's fields read defensively: a recorded event is whatever was emitted. */
class Detail {
  constructor(private readonly raw: Record<string, unknown>) {}
  str(key: string): string | null {
    const v = this.raw[key];
    return typeof v === 'string' && v.length > 0 ? v : typeof v === 'number' ? String(v) : null;
  }
  num(key: string): number | null {
    const v = this.raw[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : null;
  }
  bool(key: string): boolean {
    return this.raw[key] === true;
  }
  obj(key: string): Record<string, unknown> {
    const v = this.raw[key];
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  }
  list(key: string): unknown[] {
    const v = this.raw[key];
    return Array.isArray(v) ? v : [];
  }
}

const ms = (value: number | null): string => formatDuration(value);
const opt = (text: string | null, wrap: (t: string) => string): string => (text ? wrap(text) : '');
const count = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

const SIGNAL_WORDS: Record<string, string> = { SIGKILL: 'killed', SIGTERM: 'stopped', SIGSTOP: 'frozen', SIGINT: 'interrupted' };

const VIA_WORDS: Record<string, string> = {
  active: 'its health probes',
  passive: 'errors on live traffic',
  exit: 'its process exit',
  operator: 'an operator',
};

/** A fault of `type` with `attributes` in a few words: "latency 200 ms", "HTTP 503 on 50 % of requests". */
export function faultWords(type: string, attributes: Record<string, unknown> = {}): string {
  const a = new Detail(attributes);
  switch (type) {
    case 'kill':
      return `kill (${a.str('signal') ?? 'SIGKILL'})`;
    case 'pause':
      return 'freeze (SIGSTOP)';
    case 'crash-loop':
      return 'crash loop';
    case 'restart':
      return 'restart';
    case 'latency':
      return `latency ${ms(a.num('latency') ?? 0)}${(a.num('jitter') ?? 0) > 0 ? ` ± ${ms(a.num('jitter'))}` : ''}`;
    case 'bandwidth':
      return `bandwidth ${a.num('rate') ?? 0} KB/s`;
    case 'slow_close':
      return `slow close ${ms(a.num('delay') ?? 0)}`;
    case 'timeout':
      return (a.num('timeout') ?? 0) > 0 ? `timeout after ${ms(a.num('timeout'))}` : 'timeout (data stopped)';
    case 'reset_peer':
      return `reset peer${(a.num('timeout') ?? 0) > 0 ? ` after ${ms(a.num('timeout'))}` : ''}`;
    case 'slicer':
      return `slicer (${a.num('average_size') ?? 64} B pieces)`;
    case 'limit_data':
      return `limit data ${a.num('bytes') ?? 0} B`;
    case 'partition':
      return `partition (${a.str('links') ?? 'all'} links)`;
    case 'http_error':
      return `HTTP ${a.num('status') ?? 503} on ${formatPercent(a.num('share') ?? 1, 1)} of requests`;
    case 'http_abort':
      return `aborted responses on ${formatPercent(a.num('share') ?? 1, 1)} of requests`;
    case 'checkpoint_bitflip':
      return `checkpoint bit flip (${count(a.num('bits') ?? 1, 'bit')})`;
    case 'checkpoint_truncate':
      return `checkpoint truncated to ${a.num('keepBytes') ?? 0} B`;
    case 'checkpoint_zero':
      return `checkpoint zeroed (${a.num('length') ?? 64} B)`;
    case 'checkpoint_delete_newest':
      return 'newest checkpoint deleted';
    case 'checkpoint_stale':
      return 'stale checkpoint';
    case 'wal_corrupt_tail':
      return `write-ahead log tail corrupted (${a.num('bytes') ?? 16} B)`;
    default:
      return type.replace(/_/g, ' ');
  }
}

/** What a fault did to the node, as a sentence: "p1 killed (SIGKILL)", "fault latency 200 ms on p1". */
function injectedWords(node: string, type: string, attributes: Record<string, unknown>): string {
  const a = new Detail(attributes);
  switch (type) {
    case 'kill': {
      const signal = a.str('signal') ?? 'SIGKILL';
      return `${node} ${SIGNAL_WORDS[signal] ?? 'signalled'} (${signal})`;
    }
    case 'pause':
      return `${node} frozen (SIGSTOP)`;
    case 'crash-loop':
      return `${node} made to crash on every start`;
    case 'restart':
      return `${node} restarted by a fault`;
    default:
      return `fault ${faultWords(type, attributes)} on ${node}`;
  }
}

function faultOf(d: Detail, context: EventContext): FaultLike | undefined {
  const id = d.str('faultId');
  return id ? context.faults?.find((f) => f.id === id) : undefined;
}

const REVERT_HOW: Record<string, string> = {
  reverted: 'taken back',
  expired: 'expired and taken back',
  halt: 'taken back by HALT',
  journal: 'undone from the journal',
};

const BEHIND_WORDS: Record<string, string> = {
  'never-synced': 'it never caught up',
  'link-lost': 'its replication link was lost',
  exited: 'it exited',
  async: 'replication is asynchronous',
};
const behind = (reason: string | null): string => (reason ? (BEHIND_WORDS[reason] ?? reason) : 'unknown why');

/**
 * Every timeline kind the lab emits, and the words for it. A kind missing here still reads (as its
 * name), but the unit test that walks the engine's sources fails until it has its own words.
 */
export const EVENT_WORDS: Record<string, Words> = {
  // the fleet
  'fleet.started': ({ d }) => `fleet started: ${count(d.num('nodes') ?? 0, 'node')}, ${d.num('ready') ?? 0} ready in ${ms(d.num('startMs'))}`,
  'fleet.stopped': () => 'fleet stopped',
  // after a drill: what it put back of the lab, and what it left (drills/lab-put-back.ts)
  'drill.lab-after': ({ d }) => d.str('words') ?? 'the drill ended',
  'topology.changed': ({ d }) => `topology now ${d.str('kind') ?? '?'} (${count(d.num('nodes') ?? 0, 'node')})`,
  'node.starting': ({ node, d }) => `${node} starting${opt(d.str('pid'), (p) => ` (pid ${p}`)}${(d.num('attempt') ?? 1) > 1 ? `, attempt ${d.num('attempt')}` : ''}${d.str('pid') ? ')' : ''}`,
  'node.ready': ({ node, d }) => `${node} ready${d.num('startMs') !== null ? `, ${ms(d.num('startMs'))} after its start` : ''}`,
  'node.ready-timeout': ({ node, d }) => `${node} not ready after ${ms(d.num('timeoutMs'))}`,
  'node.exited': ({ node, d }) => {
    const signal = d.str('signal');
    const how = signal ? `(${signal})` : `with code ${d.str('code') ?? '?'}`;
    const up = d.num('uptimeMs') !== null ? ` after ${ms(d.num('uptimeMs'))} up` : '';
    return d.bool('byLab') ? `${node} stopped by the lab ${how}${up}` : `${node} exited ${how}${up}`;
  },
  'node.stopped': ({ node }) => `${node} stopped by the lab`,
  'node.reconfigured': ({ node, d }) => `${node} reconfigured${opt(d.str('role'), (r) => ` as ${r}`)} (takes effect at its next start)`,
  'node.port-moved': ({ node, d }) => `${node} moved from port ${d.str('from') ?? '?'} to ${d.str('to') ?? '?'}${opt(d.str('reason'), (r) => `: ${r}`)}`,
  'node.spawn-failed': ({ node, d }) => `${node} could not be started: ${d.str('error') ?? 'unknown error'}`,
  'node.start-failed': ({ node, d }) => `${node} gave up starting after ${count(d.num('attempts') ?? 0, 'attempt')}${opt(d.str('reason'), (r) => `: ${r}`)}`,
  'node.crash-loop': ({ node, d }) => `${node} is crash-looping: ${count(d.num('failures') ?? 0, 'quick failure')} in a row (each under ${ms(d.num('quickFailureMs'))})`,
  'node.restart-scheduled': ({ node, d }) => `${node} restarts in ${ms(d.num('delayMs'))} (attempt ${d.num('attempt') ?? '?'})`,
  'node.rejoined': ({ node, d }) => `${node} rejoined as ${d.str('as') === 'cold-standby' ? 'cold standby' : 'standby'}${opt(d.str('primary'), (p) => ` of ${p}`)}`,
  'node.log-superseded': ({ node, d }) => (d.str('error') ? `${node}'s old data could not be set aside: ${d.str('error')}` : `${node}'s old data set aside${opt(d.str('folder'), (f) => ` in ${f}`)}`),
  // the balancer
  'balancer.detected': ({ node, d }) => `${node} detected down by ${VIA_WORDS[d.str('via') ?? ''] ?? d.str('via') ?? 'the balancer'}${d.str('via') === 'exit' ? '' : opt(d.str('reason'), (r) => `: ${r}`)}`,
  'balancer.ejected': ({ node, d, context }) => {
    const via = d.str('via');
    if (via === 'exit') return `${node} out of rotation: its process exited`;
    if (via === 'active') return `${node} ejected by the balancer: ${context.health ? count(context.health.fall, 'failed probe') : 'failed health probes'}`;
    if (via === 'passive') return `${node} ejected by the balancer: ${context.passive ? count(context.passive.consecutiveFailures, 'failed request') + ' in a row' : 'errors on live traffic'}`;
    return `${node} ejected by the balancer`;
  },
  'balancer.changed': ({ d }) => `balancer settings changed${d.list('changed').length > 0 ? ` (${d.list('changed').join(', ')})` : ''}${opt(d.str('strategy'), (st) => `: ${st}`)}`,
  'balancer.readmitted': ({ node, d }) => `${node} back in rotation${d.str('via') === 'active' ? ' (health probes pass again)' : d.str('via') === 'timer' ? ' (its ejection ran out)' : ''}`,
  'balancer.first-served': ({ node }) => `${node} answered a request: serving`,
  'data-plane.restarted': ({ d }) =>
    d.num('downMs') === null
      ? `the data plane's thread died too often (${d.str('reason') ?? '?'}): not restarted, the balancer is down`
      : `the data plane's thread died (${d.str('reason') ?? '?'}); a new one took its ports back after ${ms(d.num('downMs'))}`,
  // failover
  'failover.started': ({ d }) => `failover from ${d.str('from') ?? '?'} to ${d.str('to') ?? '?'} started${opt(d.str('trigger'), (t) => ` (${t})`)}`,
  'failover.fenced': ({ node, d }) => `${node} fenced (${d.str('how') ?? 'SIGKILL'}, ${ms(d.num('ms'))})`,
  'failover.promoted': ({ node, d }) => `${d.str('to') ?? node} promoted to primary${opt(d.str('from'), (f) => ` in place of ${f}`)}`,
  'failover.promoted-behind': ({ node, d }) =>
    `${d.str('to') ?? node} promoted while behind ${d.str('from') ?? 'the old primary'} (${behind(d.str('reason'))}): acknowledged writes may be lost`,
  'failover.done': ({ d }) => `failover ${d.str('from') ?? '?'} → ${d.str('to') ?? '?'} done, ${ms(d.num('durationMs'))} after the loss`,
  'failover.failed': ({ d }) => `failover ${d.str('from') ?? '?'} → ${d.str('to') ?? '?'} failed after ${ms(d.num('afterMs'))}: ${d.str('error') ?? 'unknown error'}`,
  'failover.held': ({ node, d }) => {
    const from = d.str('from') ?? node;
    const standby = d.str('standby') ?? 'the standby';
    if (d.str('reason') === 'primary-serving') return `no failover: ${from} still answers through the balancer, so it serves on`;
    const action = d.str('action');
    const then = action === 'restart-in-place' || action === 'fenced-restart-in-place' ? `; ${from} restarts in place` : '';
    return `no failover: ${standby} is behind (${behind(d.str('standbyState'))})${then}`;
  },
  'standby.in-sync': ({ node, d }) => `${d.str('standby') ?? node} in sync with ${d.str('primary') ?? 'the primary'}`,
  'standby.behind': ({ node, d }) => `${d.str('standby') ?? node} behind ${d.str('primary') ?? 'the primary'}: ${behind(d.str('reason'))}`,
  'checkpoint.shipped': ({ d }) => `checkpoint ${d.str('generation') ?? ''} shipped from ${d.str('from') ?? '?'} to ${d.str('to') ?? '?'} (${d.num('bytes') ?? 0} B, ${ms(d.num('ms'))})`,
  'checkpoint.ship-failed': ({ d }) => `checkpoint ${d.str('generation') ?? ''} not shipped from ${d.str('from') ?? '?'} to ${d.str('to') ?? '?'}: ${d.str('error') ?? 'unknown error'}`,
  // faults
  'fault.injected': ({ node, d }) => {
    const sentence = injectedWords(node, d.str('type') ?? '?', d.obj('attributes'));
    return d.num('durationMs') !== null ? `${sentence} for ${ms(d.num('durationMs'))}` : sentence;
  },
  'fault.reverted': ({ node, d, context }) => {
    const fault = faultOf(d, context);
    // Without the fault's record its attributes are unknown: the type alone, not "latency 0 ms".
    const what = fault ? faultWords(fault.type, fault.attributes) : (d.str('type') ?? '?').replace(/_/g, ' ');
    return `fault ${what} on ${node} ${REVERT_HOW[d.str('how') ?? ''] ?? 'taken back'}`;
  },
  'fault.failed': ({ node, d }) => `fault ${faultWords(d.str('type') ?? '?')} on ${node} failed to ${d.str('stage') === 'revert' ? 'revert' : 'apply'}: ${d.str('error') ?? 'unknown error'}`,
  'fault.kill-escalated': ({ node, d }) => `${node} did not exit within ${ms(d.num('graceMs'))}: ${d.str('signal') ?? 'SIGKILL'} sent`,
  'fault.crash-loop-kill': ({ node, d }) => `${node} killed again by the crash loop${opt(d.str('kill'), (k) => ` (kill ${k})`)}`,
  'faults.journal-recovered': ({ d }) => `faults an earlier engine left behind undone (${count(d.list('lines').length, 'line')} of its journal)`,
  // incidents
  'incident.opened': ({ node, d }) => {
    const cause = d.str('cause') ?? 'unknown';
    if (cause.startsWith('detected:')) return `incident on ${node} opened: detected down by ${VIA_WORDS[cause.slice('detected:'.length)] ?? cause.slice('detected:'.length)}`;
    return `incident on ${node} opened: ${causeWords(cause)}`;
  },
  'incident.detected': ({ node, d }) => `incident on ${node} detected via ${VIA_WORDS[d.str('via') ?? ''] ?? d.str('via') ?? '?'}`,
  'incident.closed': ({ node, d }) => {
    if (d.bool('undetected')) return `incident on ${node} over, never detected`;
    const held = d.bool('held') ? ' (held: no failover)' : '';
    return `incident on ${node} over: detected in ${ms(d.num('mttdMs'))}, recovered in ${ms(d.num('mttrMs'))}${held}`;
  },
  // traffic and the ledger
  'traffic.started': ({ d }) =>
    `traffic started: ${d.num('rate') ?? '?'} req/s for ${ms(d.num('durationMs'))}${d.num('readShare') !== null ? `, ${formatPercent(d.num('readShare'), 0)} reads` : ''}`,
  'traffic.stopped': ({ d }) => `traffic stopped after ${count(d.num('sent') ?? 0, 'request')}`,
  'ledger.checked': ({ d }) =>
    `ledger checked on ${d.str('primary') ?? 'the primary'}: ${d.num('lost') ?? 0} of ${count(d.num('acked') ?? 0, 'acknowledged write')} lost, ${d.num('stale') ?? 0} stale`,
  'ledger.check-failed': ({ d }) => `ledger check failed: ${d.str('reason') ?? 'unknown error'}`,
  // a node's own log events, as a drill report's timeline carries them (`log.<event>`)
  'log.server.listening': ({ node, d }) => `${node} listening on :${d.str('port') ?? '?'}${opt(d.str('role'), (r) => ` as ${r}`)}`,
  'log.server.ready': ({ node, d }) => `${node} ready as ${d.str('role') ?? '?'}${d.num('keys') !== null ? ` with ${count(d.num('keys') ?? 0, 'key')}` : ''}`,
  'log.server.exit': ({ node, d }) => `${node} shutting down${opt(d.str('reason'), (r) => `: ${r}`)}`,
  'log.epoch.started': ({ node, d }) => `${node} began epoch ${d.str('epoch') ?? '?'}`,
  'log.role.changed': ({ node, d }) => `${node} became ${d.str('to') ?? '?'}${opt(d.str('from'), (f) => ` (was ${f})`)}`,
  'log.replication.connected': ({ node, d }) => `${node} connected to its replica${opt(d.str('replica'), (r) => ` ${r}`)}, catching up by ${d.str('catchUp') ?? 'log'}`,
  'log.replication.synced': ({ node, d }) => `${node}'s replica in sync${opt(d.str('mode'), (m) => ` (${m})`)}`,
  'log.replication.lost': ({ node, d }) => `${node} lost its replica${opt(d.str('reason'), (r) => `: ${r}`)}`,
  'log.replication.snapshot-shipped': ({ node, d }) => `${node} shipped a snapshot to its replica (${d.num('bytes') ?? 0} B)`,
  'log.replication.snapshot-installed': ({ node, d }) => `${node} installed a snapshot (${count(d.num('keys') ?? 0, 'key')})`,
  'log.replication.standby-ahead': ({ node }) => `${node}'s standby is ahead of it`,
  'log.restore.done': ({ node, d }) => `${node} restored its data${d.num('lsn') !== null ? ` up to write ${d.num('lsn')}` : ''}`,
  'log.checkpoint.written': ({ node, d }) => `${node} wrote checkpoint ${d.str('generation') ?? ''}${opt(d.str('reason'), (r) => ` (${r})`)}`,
  'log.checkpoint.pruned': ({ node }) => `${node} pruned old checkpoints`,
  'log.checkpoint.failed': ({ node, d }) => `${node} could not write a checkpoint${opt(d.str('detail'), (r) => `: ${r}`)}`,
  'log.checkpoint.rejected': ({ node, d }) => `${node} rejected checkpoint ${d.str('generation') ?? ''}: ${d.str('reason') ?? '?'}`,
  'log.wal.failed': ({ node, d }) => `${node}'s write-ahead log failed${opt(d.str('detail'), (r) => `: ${r}`)}`,
  'log.wal.tail-discarded': ({ node, d }) => `${node} discarded a damaged write-ahead log tail (${d.num('bytesDiscarded') ?? 0} B)`,
  'log.wal.segments-orphaned': ({ node, d }) => `${node} set aside ${count(d.list('files').length, 'write-ahead log segment')} after a gap`,
};

/** The event as a sentence a person reads; a kind without words of its own reads as its name and detail keys. */
export function describeEvent(event: EventLike, context: EventContext = {}): string {
  const node = event.nodeId ?? 'the lab';
  const words = EVENT_WORDS[event.kind];
  if (words) {
    try {
      return words({ node, d: new Detail(event.detail ?? {}), context, kind: event.kind });
    } catch {
      // A malformed detail reads as the fallback below, never as a broken row.
    }
  }
  return `${event.nodeId ? `${event.nodeId}: ` : ''}${event.kind.replace(/^log\./, '').replace(/[.-]/g, ' ')}`;
}
