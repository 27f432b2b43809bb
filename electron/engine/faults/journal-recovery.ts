// What the next engine does with a fault a crashed engine applied and never reverted. The only
// fault that outlives its engine is a pause (a frozen process the reaper did not get to): it is
// thawed with SIGCONT if, and only if, the pid is alive, is the same process (start time) and is
// one of ours (its command line names the node's data folder or the bundled server). Never a stranger.
import type { AppliedLine } from './revert-journal';
import { isGone, procCmdline, procStat, signalNode } from './process/process-identity';

export function settleJournalEntry(entry: AppliedLine, platform: NodeJS.Platform = process.platform): string {
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
  return thaw(entry, label, platform);
}

function thaw(entry: AppliedLine, label: string, platform: NodeJS.Platform): string {
  const { pid, startTime, group, dataDir, serverEntry } = entry.undo;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 1) return `${label}: no usable pid in the journal; nothing done`;
  const what = `${label} (pid ${pid})`;
  if (platform !== 'linux') {
    return `${what}: cannot prove on ${platform} that this pid is still ours, so it was left alone (if that node is still frozen: kill -CONT ${pid})`;
  }
  const stat = procStat(pid);
  if (isGone(stat) || !stat) return `${what}: process gone, nothing to resume`;
  if (typeof startTime === 'string' && stat.startTime !== startTime) return `${what}: that pid is now another process; left alone`;
  const cmdline = procCmdline(pid) ?? '';
  const markers = [dataDir, serverEntry].filter((m): m is string => typeof m === 'string' && m.length > 0);
  if (!markers.some((marker) => cmdline.includes(marker))) {
    return `${what}: not one of ours (command line: ${cmdline.length > 120 ? `${cmdline.slice(0, 117)}...` : cmdline}); left alone`;
  }
  const state = stat.state;
  const asGroup = group === true && stat.pgrp === pid;
  if (!signalNode(pid, 'SIGCONT', asGroup)) return `${what}: process gone, nothing to resume`;
  return `${what}: resumed with SIGCONT${asGroup ? ' (its process group)' : ''}${state === 'T' ? '' : ` (it was in state ${state}, not stopped)`}`;
}
