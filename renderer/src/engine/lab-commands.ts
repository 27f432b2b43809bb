import { commands, type CommandName, type CommandParams, type CommandResult } from '../../../shared/contract/commands.js';
import type { BalancerSettingsPatch, TopologySpec, TrafficSettingsPatch } from '../../../shared/contract/model.js';
import {
  applyBalancer,
  applyFaults,
  applyLedger,
  applyNode,
  applySnapshot,
  applyTraffic,
  showToast,
} from '../store/actions.js';
import { runCommand } from './connection.js';

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
  showToast(`HALT: ${result.reverted} fault${result.reverted === 1 ? '' : 's'} reverted in ${result.ms.toFixed(1)} ms`, 'info');
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
