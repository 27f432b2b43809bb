// What the next engine does with a fault a crashed engine applied and never reverted. The only
// fault that outlives its engine is a pause (a frozen process the reaper did not get to): it is
// thawed with SIGCONT if, and only if, the pid is alive, is the same process (the start time the
// journal recorded with it) and is one of ours (its command line names the node's data folder in
// this run folder, or this engine's bundled server). The journal is a file anyone may have edited:
// what proves "ours" comes from this engine, never from the line itself. Never a stranger.
import { join } from 'node:path';
import { NodeId } from '../../../shared/contract/model';
import type { AppliedLine } from './revert-journal';
import { isGone, procCmdline, procStat, signalNode } from './process/process-identity';

/** What this engine knows for itself: where its nodes' folders are, and which server it runs. */
export interface OwnProcesses {
  runDir: string;
  serverEntry: string | null;
}

export function settleJournalEntry(entry: AppliedLine, own: OwnProcesses, platform: NodeJS.Platform = process.platform): string {
  const label = `${entry.id} ${entry.type} of ${entry.target}`;
  switch (entry.kind) {
    case 'network':
      return `${label}: died with its fault proxy (nothing to undo)`;
    case 'http':
      return `${label}: died with the balancer's hop (nothing to undo)`;
    case 'checkpoint':
      return `${label}: one-shot file damage (nothing to undo)`;
    case 'process':
      break;
  }
  if (entry.type === 'crash-loop') return `${label}: ended with the engine that ran it (nothing to undo)`;
  if (entry.type !== 'pause') return `${label}: one-shot (nothing to undo)`;
  return thaw(entry, label, own, platform);
}

function thaw(entry: AppliedLine, label: string, own: OwnProcesses, platform: NodeJS.Platform): string {
  const { pid, startTime, group } = entry.undo;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 1) return `${label}: no usable pid in the journal; nothing done`;
  const what = `${label} (pid ${pid})`;
  if (platform !== 'linux') {
    return `${what}: cannot prove on ${platform} that this pid is still ours, so it was left alone (if that node is still frozen: kill -CONT ${pid})`;
  }
  const stat = procStat(pid);
  if (isGone(stat) || !stat) return `${what}: process gone, nothing to resume`;
  // A pid alone names whatever process has it now: only the start time recorded with it proves it is the same one.
  if (typeof startTime !== 'string' || !/^\d+$/.test(startTime)) {
    return `${what}: the journal recorded no start time for it, so it cannot be proved to be the same process; left alone (if that node is still frozen: kill -CONT ${pid})`;
  }
  if (stat.startTime !== startTime) return `${what}: that pid is now another process; left alone`;
  const cmdline = procCmdline(pid) ?? '';
  const markers = [NodeId.safeParse(entry.target).success ? join(own.runDir, 'nodes', entry.target) : null, own.serverEntry].filter((m): m is string => typeof m === 'string' && m.length > 0);
  if (!markers.some((marker) => cmdline.includes(marker))) {
    return `${what}: not one of ours (command line: ${cmdline.length > 120 ? `${cmdline.slice(0, 117)}...` : cmdline}); left alone`;
  }
  const state = stat.state;
  const asGroup = group === true && stat.pgrp === pid;
  if (!signalNode(pid, 'SIGCONT', asGroup)) return `${what}: process gone, nothing to resume`;
  return `${what}: resumed with SIGCONT${asGroup ? ' (its process group)' : ''}${state === 'T' ? '' : ` (it was in state ${state}, not stopped)`}`;
}
