import { ContractClient } from '../../../shared/contract/client.js';
import { commands, events, type CommandName, type CommandParams, type CommandResult } from '../../../shared/contract/commands.js';
import type { Transport, Unsubscribe } from '../../../shared/contract/transport.js';
import { pushTick, resetMetrics } from '../metrics/metrics-feed.js';
import {
  addLogBatch,
  addTimelineEvents,
  applyFaults,
  applyFleet,
  applyIncident,
  applyDrillRun,
  applyBalancer,
  applyLedger,
  applyNode,
  applySnapshot,
  applyTraffic,
  setConnection,
  setPending,
  showToast,
} from '../store/actions.js';
import { liveQueue } from '../store/apply-queue.js';
import { useStore } from '../store/store.js';
import { LAB_CHANGING_COMMANDS, liveGate } from '../replay/live-gate.js';
import { fromBridge } from './bridge.js';
import { eventsUrl, openSocket } from './socket.js';

// The engine connection lives outside React: it owns the client and feeds the store through actions.

const OPEN_TIMEOUT_MS = 5_000;
const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;
/** Long enough for `fleet.start`, which waits until every node is ready or failed. */
const REQUEST_TIMEOUT_MS = 120_000;

/**
 * A live lab event's store change, queued for the next frame (apply-queue.ts). Dropped in replay, on
 * arrival and again when applied: a replay that began meanwhile reads the lab again on its way back.
 */
function later(apply: () => void): void {
  if (liveGate.held) return;
  liveQueue.push(() => {
    if (!liveGate.held) apply();
  });
}

let client: ContractClient | null = null;
let retryTimer: ReturnType<typeof setTimeout> | undefined;
let stopped = false;
const stops: Unsubscribe[] = [];

/** Connects now and reconnects whenever the channel drops; the returned function ends it all. */
export function startConnection(): () => void {
  stopped = false;
  void connect();
  return () => {
    stopped = true;
    clearTimeout(retryTimer);
    disconnect();
  };
}

async function connect(): Promise<void> {
  const bridge = window.firedrill;
  setConnection({ via: bridge ? 'ipc' : 'websocket', status: 'connecting', retryAt: null });
  let transport: Transport;
  try {
    if (bridge) {
      transport = fromBridge(bridge);
    } else {
      transport = (await openSocket(eventsUrl(window.location), OPEN_TIMEOUT_MS)).transport;
    }
  } catch (error) {
    return retryLater(error);
  }
  if (stopped) return transport.close();

  const current = new ContractClient(transport, { timeoutMs: REQUEST_TIMEOUT_MS, prefix: 'ui' });
  client = current;
  stops.push(
    transport.onClose(() => {
      if (client !== current) return;
      disconnect();
      retryLater(new Error('the connection to the engine closed'));
    }),
    // Payloads are checked against the contract here, at the renderer's boundary.
    current.on('fleet.changed', (payload) => {
      const fleet = events['fleet.changed'].safeParse(payload);
      if (!fleet.success) return;
      later(() => {
        applyFleet(fleet.data);
        // A fleet started by someone else (a drill rebuilding the topology, the CLI) may have other
        // nodes: read the lab again so nodes of the old fleet do not linger.
        if (fleet.data.status === 'running') void refreshSnapshot(current);
      });
    }),
    current.on('node.changed', (payload) => {
      const node = events['node.changed'].safeParse(payload);
      if (node.success) later(() => applyNode(node.data));
    }),
    current.on('timeline.event', (payload) => {
      const event = events['timeline.event'].safeParse(payload);
      if (event.success) later(() => addTimelineEvents([event.data]));
    }),
    current.on('log.batch', (payload) => {
      const batch = events['log.batch'].safeParse(payload);
      if (batch.success) liveQueue.push(() => addLogBatch(batch.data));
    }),
    current.on('metrics.tick', (payload) => {
      const tick = events['metrics.tick'].safeParse(payload);
      // Numbers only: charts and live numbers read the ring, outside React.
      // In replay the charts show the recording: live ticks wait at the gate for the way back.
      if (!tick.success) return;
      if (liveGate.ticksHeld) liveGate.holdTick(tick.data);
      else pushTick(tick.data);
    }),
    current.on('balancer.changed', (payload) => {
      const balancer = events['balancer.changed'].safeParse(payload);
      if (balancer.success) later(() => applyBalancer(balancer.data));
    }),
    current.on('ledger.checked', (payload) => {
      const counts = events['ledger.checked'].safeParse(payload);
      if (counts.success) later(() => applyLedger(counts.data));
    }),
    current.on('incident.changed', (payload) => {
      const incident = events['incident.changed'].safeParse(payload);
      if (incident.success) later(() => applyIncident(incident.data));
    }),
    current.on('traffic.changed', (payload) => {
      const traffic = events['traffic.changed'].safeParse(payload);
      if (traffic.success) later(() => applyTraffic(traffic.data));
    }),
    current.on('fault.changed', (payload) => {
      const fault = events['fault.changed'].safeParse(payload);
      if (fault.success) later(() => applyFaults([fault.data]));
    }),
    current.on('drill.step', (payload) => {
      const status = events['drill.step'].safeParse(payload);
      if (status.success) liveQueue.push(() => applyDrillRun(status.data));
    }),
    current.on('drill.verdict', (payload) => {
      const status = events['drill.verdict'].safeParse(payload);
      if (!status.success) return;
      liveQueue.push(() => {
        applyDrillRun(status.data);
        // Elsewhere in the app, the end of a drill would pass unseen.
        const { verdict, title } = status.data;
        if (useStore.getState().ui.view !== 'drills') showToast(`Drill “${title}”: ${verdict ?? 'finished'}. Its report is in Reports.`, verdict === 'pass' ? 'info' : 'error');
      });
    }),
    () => transport.close(),
  );

  try {
    // Subscriptions go out first, so no event between the snapshot and now is missed.
    const snapshot = commands['lab.state'].result.parse(await current.request('lab.state', {}));
    if (client !== current) return;
    // In replay the view is the recording's: replay reads the lab again on its way back to live.
    if (!liveGate.held) {
      if (useStore.getState().lab.runDir !== snapshot.runDir) resetMetrics();
      applySnapshot(snapshot);
    }
    setConnection({ status: 'open', attempt: 0, reason: null, retryAt: null });
    document.documentElement.dataset.appState = 'ready';
    void primeLogs(current, snapshot.nodes.map((n) => n.id));
    void resumeDrill(current);
  } catch (error) {
    if (client !== current) return;
    disconnect();
    retryLater(error);
  }
}

/** Fills the log rings with what each node printed before this view connected. */
async function primeLogs(current: ContractClient, nodeIds: string[]): Promise<void> {
  for (const id of nodeIds) {
    if (useStore.getState().logs.rings[id]) continue;
    try {
      const { lines } = await current.request('node.logs', { id, limit: 300 });
      liveQueue.flush();
      if (client !== current || useStore.getState().logs.rings[id]) return;
      addLogBatch({ lines, dropped: 0 });
    } catch {
      // the log history is a nicety; live batches still arrive
    }
  }
}

async function refreshSnapshot(current: ContractClient): Promise<void> {
  try {
    const snapshot = commands['lab.state'].result.parse(await current.request('lab.state', {}));
    if (client === current && !liveGate.held) applySnapshot(snapshot);
  } catch {
    // the next reconnect reads the lab whole anyway
  }
}

/** The running drill (or the last one), so a reload mid-drill comes back to it. */
async function resumeDrill(current: ContractClient): Promise<void> {
  try {
    const { run } = commands['drill.status'].result.parse(await current.request('drill.status', {}));
    liveQueue.flush();
    if (client === current && run) applyDrillRun(run);
  } catch {
    // an engine without drills: the Drills view says so itself
  }
}

function disconnect(): void {
  const current = client;
  client = null;
  for (const stop of stops.splice(0)) stop();
  current?.close();
}

function retryLater(error: unknown): void {
  if (stopped) return;
  const attempt = useStore.getState().connection.attempt + 1;
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** (attempt - 1));
  const delay = Math.round(base * (0.8 + Math.random() * 0.4)); // jitter, so many tabs do not reconnect in step
  setConnection({ status: 'closed', attempt, retryAt: Date.now() + delay, reason: messageOf(error) });
  clearTimeout(retryTimer);
  retryTimer = setTimeout(() => void connect(), delay);
}

/** Runs one command for a target (a node id, `fleet`, ...), marks it pending meanwhile, and shows its error as a toast. */
export async function runCommand<K extends CommandName>(target: string, name: K, params: CommandParams<K>): Promise<CommandResult<K> | undefined> {
  const current = client;
  if (!current) {
    showToast('Not connected to the engine; the command was not sent.');
    return undefined;
  }
  if (liveGate.held && LAB_CHANGING_COMMANDS.has(name)) {
    showToast(`In replay: ${name} would act on the live lab. Go back to live first (L or Esc).`);
    return undefined;
  }
  setPending(target, name);
  try {
    const result = await current.request(name, params);
    // The answer is newer than every event received before it: those go in first.
    liveQueue.flush();
    return result;
  } catch (error) {
    showToast(`${name}: ${messageOf(error)}`);
    return undefined;
  } finally {
    setPending(target, null);
  }
}

/** Runs a read-only command and returns its checked answer; throws (no toast) so a view can say what went wrong its own way. */
export async function query<K extends CommandName>(name: K, params: CommandParams<K>): Promise<CommandResult<K>> {
  const current = client;
  if (!current) throw new Error('not connected to the engine');
  const result = commands[name].result.parse(await current.request(name, params)) as CommandResult<K>;
  liveQueue.flush();
  return result;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
