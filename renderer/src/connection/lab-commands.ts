import { commands, type CommandName, type CommandParams, type CommandResult } from '../../../shared/contract/commands.js';
import type { BalancerSettingsPatch, TopologySpec, TrafficSettingsPatch } from '../../../shared/contract/model.js';
import type { DrillRunStatus, OperatorWait } from '../../../shared/drill/run.js';
import type { DrillReport } from '../../../shared/report/model.js';
import { formatDuration } from '../../../shared/words/format.js';
import {
  applyBalancer,
  applyDrillRun,
  applyFaults,
  applyLedger,
  applyNode,
  applySnapshot,
  applyTraffic,
  setChosenDrill,
  setDrillBusy,
  setDrillDetail,
  setDrillLibrary,
  setDrillRunError,
  setReportHistory,
  setReportPdf,
  setReportViewer,
  showToast,
  updateReportViewer,
  viewerKey,
} from '../store/actions.js';
import { isRunning } from '../store/drill-slice.js';
import { useStore } from '../store/store.js';
import { messageOf, query, runCommand } from './connection.js';

// One function per command the UI offers: it runs the command, checks the answer against the
// contract, and puts it in the store. Views call these; none of them touches the client.

async function run<K extends CommandName>(target: string, name: K, params: CommandParams<K>): Promise<CommandResult<K> | undefined> {
  const raw = await runCommand(target, name, params);
  if (raw === undefined) return undefined;
  const parsed = commands[name].result.safeParse(raw);
  if (!parsed.success) {
    showToast(`${name}: the engine's answer did not match the contract`);
    return undefined;
  }
  return parsed.data as CommandResult<K>;
}

export async function startFleet(): Promise<void> {
  const snapshot = await run('fleet', 'fleet.start', {});
  if (snapshot) applySnapshot(snapshot);
}

export async function stopFleet(): Promise<void> {
  const snapshot = await run('fleet', 'fleet.stop', {});
  if (snapshot) applySnapshot(snapshot);
}

/** Rebuilds the fleet (stops every node first); the answer is the new lab. */
export async function setTopology(spec: TopologySpec): Promise<void> {
  const snapshot = await run('fleet', 'topology.set', spec);
  if (snapshot) applySnapshot(snapshot);
}

export async function startNode(id: string): Promise<void> {
  const node = await run(id, 'node.start', { id });
  if (node) applyNode(node);
}

export async function stopNode(id: string): Promise<void> {
  const node = await run(id, 'node.stop', { id });
  if (node) applyNode(node);
}

export async function restartNode(id: string): Promise<void> {
  const node = await run(id, 'node.restart', { id });
  if (node) applyNode(node);
}

/** A manual failover: the standby `id` takes over; the primary is fenced if it runs. The timeline and events show the rest. */
export async function promoteNode(id: string): Promise<void> {
  await run(id, 'node.promote', { id });
}

export async function setBalancer(patch: BalancerSettingsPatch): Promise<boolean> {
  const state = await run('balancer', 'balancer.set', patch);
  if (state) applyBalancer(state);
  return state !== undefined;
}

export async function startTraffic(patch: TrafficSettingsPatch = {}): Promise<void> {
  const state = await run('traffic', 'traffic.start', patch);
  if (state) applyTraffic(state);
}

export async function stopTraffic(): Promise<void> {
  const state = await run('traffic', 'traffic.stop', {});
  if (state) applyTraffic(state);
}

export async function setTraffic(patch: TrafficSettingsPatch): Promise<boolean> {
  const state = await run('traffic', 'traffic.set', patch);
  if (state) applyTraffic(state);
  return state !== undefined;
}

export async function injectFault(params: CommandParams<'fault.inject'>): Promise<boolean> {
  const record = await run(params.target, 'fault.inject', params);
  if (record) applyFaults([record]);
  return record !== undefined;
}

export async function revertFault(id: string): Promise<void> {
  const record = await run(`fault:${id}`, 'fault.revert', { id });
  if (record) applyFaults([record]);
}

/** Takes back every active fault; the records arrive as `fault.changed` events and from `fault.list`. */
export async function haltFaults(): Promise<void> {
  const result = await run('halt', 'fault.halt', {});
  if (!result) return;
  showToast(`HALT: ${result.reverted} fault${result.reverted === 1 ? '' : 's'} reverted in ${formatDuration(result.ms)}`, 'info');
  await listFaults();
}

export async function listFaults(): Promise<void> {
  const result = await run('faults', 'fault.list', {});
  if (result) applyFaults(result.faults);
}

export async function checkLedger(): Promise<void> {
  const counts = await run('ledger', 'ledger.check', {});
  if (counts) applyLedger(counts);
}

// ---- Drills ---------------------------------------------------------------------------------

/** `drill.list`: the library; what is shown stays while it is read again. */
export async function loadDrills(): Promise<void> {
  if (useStore.getState().drill.library.status !== 'ok') setDrillLibrary({ status: 'loading' });
  try {
    setDrillLibrary({ status: 'ok', data: await query('drill.list', {}) });
  } catch (error) {
    setDrillLibrary({ status: 'error', message: messageOf(error) });
  }
}

/** Picks a drill and reads it whole (`drill.get`): summary, hypothesis, topology, steps. */
export async function chooseDrill(id: string): Promise<void> {
  setChosenDrill(id);
  const { detail } = useStore.getState().drill;
  if (detail?.id === id && detail.state.status === 'ok') return;
  setDrillDetail(id, { status: 'loading' });
  try {
    setDrillDetail(id, { status: 'ok', data: await query('drill.get', { id }) });
  } catch (error) {
    setDrillDetail(id, { status: 'error', message: messageOf(error) });
  }
}

/** `drill.run` on the chosen drill with the chosen options; progress then comes as `drill.step` events. */
export async function runChosenDrill(): Promise<void> {
  const { chosenId, options } = useStore.getState().drill;
  if (chosenId === null) return;
  await startDrill({
    id: chosenId,
    auto: options.auto,
    profile: options.short ? 'short' : 'full',
    pauseBeforeFaults: options.pauseBeforeFaults && !options.auto,
    putBack: options.putBack,
    ...(options.seed !== null ? { seed: options.seed } : {}),
  });
}

/** The same drill again, as the finished run was played: same profile, same auto, same seed (pauses as the Run form says). */
export async function runDrillAgain(run: DrillRunStatus): Promise<void> {
  void chooseDrill(run.drillId);
  const { pauseBeforeFaults, putBack } = useStore.getState().drill.options;
  await startDrill({ id: run.drillId, auto: run.auto, profile: run.profile, seed: run.seed, pauseBeforeFaults: pauseBeforeFaults && !run.auto, putBack });
}

async function startDrill(params: CommandParams<'drill.run'>): Promise<void> {
  const { busy, run: current } = useStore.getState().drill;
  if (busy !== null || isRunning(current)) return;
  setDrillBusy('run');
  setDrillRunError(null);
  try {
    applyDrillRun(await query('drill.run', params));
  } catch (error) {
    setDrillRunError(messageOf(error));
    // The Run form shows the error inline; drill mode (Run again) has no form to show it in.
    if (useStore.getState().drill.showRun) showToast(`drill.run: ${messageOf(error)}`);
  } finally {
    setDrillBusy(null);
  }
}

/** What the run waits on, if it waits on the kind given. */
function waitingOn(kind: OperatorWait['kind']) {
  const { run, busy } = useStore.getState().drill;
  if (busy !== null || !run?.waitingFor || run.waitingFor.kind !== kind) return null;
  return { runId: run.runId, wait: run.waitingFor };
}

async function answer(params: CommandParams<'drill.answer'>): Promise<void> {
  setDrillBusy('answer');
  try {
    const status = await run('drill', 'drill.answer', params);
    if (status) applyDrillRun(status);
  } finally {
    setDrillBusy(null);
  }
}

/** Answers the prediction the run waits on with one of its options (0-based). */
export async function answerPrediction(option: number): Promise<void> {
  const waiting = waitingOn('predict');
  if (!waiting || option < 0 || option >= (waiting.wait.options?.length ?? 0)) return;
  await answer({ runId: waiting.runId, step: waiting.wait.step, option });
}

/** Says the manual action is done, or (`perform`) asks the lab to do it. */
export async function completeAction(perform: boolean): Promise<void> {
  const waiting = waitingOn('action');
  if (!waiting || (perform && !waiting.wait.canPerform)) return;
  await answer({ runId: waiting.runId, step: waiting.wait.step, ...(perform ? { perform: true } : {}) });
}

/** Learning mode: the drill waits before a fault until the learner says to go on. */
export async function continueDrill(): Promise<void> {
  const waiting = waitingOn('continue');
  if (!waiting) return;
  await answer({ runId: waiting.runId, step: waiting.wait.step });
}

/** Ends the running drill; every fault is reverted and the verdict is `aborted`. */
export async function abortDrill(): Promise<void> {
  const { run: current } = useStore.getState().drill;
  if (!isRunning(current)) return;
  setDrillBusy('abort');
  try {
    const status = await run('drill', 'drill.abort', { runId: current.runId });
    if (status) applyDrillRun(status);
  } finally {
    setDrillBusy(null);
  }
}

// ---- Reports --------------------------------------------------------------------------------

/** `report.list`: the history, newest first; what is shown stays while it is read again. */
export async function loadReports(): Promise<void> {
  if (useStore.getState().reports.history.status !== 'ok') setReportHistory({ status: 'loading' });
  try {
    setReportHistory({ status: 'ok', data: await query('report.list', { limit: 200 }) });
  } catch (error) {
    setReportHistory({ status: 'error', message: messageOf(error) });
  }
}

/** Opens one report in the viewer (`report.open`). */
export async function openReport(id: string): Promise<void> {
  const viewer = { kind: 'report' as const, id, state: { status: 'loading' as const } };
  setReportViewer(viewer);
  const key = viewerKey(viewer);
  try {
    const data = await query('report.open', { id });
    updateReportViewer(key, () => ({ kind: 'report', id, state: { status: 'ok', data } }));
  } catch (error) {
    updateReportViewer(key, () => ({ kind: 'report', id, state: { status: 'error', message: messageOf(error) } }));
  }
}

/** Two to six runs side by side (`report.compare`), with each report read whole for its charts. */
export async function compareReports(ids: string[]): Promise<void> {
  const viewer = { kind: 'comparison' as const, ids, state: { status: 'loading' as const } };
  setReportViewer(viewer);
  const key = viewerKey(viewer);
  try {
    const comparison = await query('report.compare', { ids });
    const reports: DrillReport[] = [];
    for (const id of ids) reports.push((await query('report.open', { id })).report);
    updateReportViewer(key, () => ({ kind: 'comparison', ids, state: { status: 'ok', data: { comparison, reports } } }));
  } catch (error) {
    updateReportViewer(key, () => ({ kind: 'comparison', ids, state: { status: 'error', message: messageOf(error) } }));
  }
}

/** `report.export` as PDF: the engine writes it on its own machine and answers with the path. */
export async function saveReportPdf(id: string): Promise<void> {
  setReportPdf({ id, state: 'busy' });
  try {
    const { path } = await query('report.export', { id, format: 'pdf' });
    setReportPdf({ id, state: 'ok', path });
  } catch (error) {
    setReportPdf({ id, state: 'error', message: messageOf(error) });
  }
}

/** `drill.exportChaosMesh`: the drill as a Chaos Mesh Workflow (YAML) and what did not map; the caller offers it as a file. */
export async function exportDrillToChaosMesh(params: CommandParams<'drill.exportChaosMesh'>): Promise<CommandResult<'drill.exportChaosMesh'>> {
  return await query('drill.exportChaosMesh', params);
}
