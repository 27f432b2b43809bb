// Who a pid is, from Linux /proc: its state, process group, start time and command line.
// A fault only ever signals a pid the supervisor holds (not yet reaped, so not reusable), or,
// from the journal, one whose start time and command line prove it is still the same node.
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** R running, S sleeping, T stopped, Z zombie, ... */
  state: string;
  pgrp: number;
  /** Clock ticks since boot: with the pid, it names one process for good. */
  startTime: string;
}

export function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "pid (comm) ": [0] state, [2] pgrp, [19] starttime; comm may contain spaces and ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (!fields[0] || !fields[19]) return undefined;
    return { state: fields[0], pgrp: Number(fields[2]), startTime: fields[19] };
  } catch {
    return undefined;
  }
}

/** The command line, arguments joined by spaces; undefined if the process is gone (or not Linux). */
export function procCmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

/** Gone, or exited and only waiting to be reaped. */
export function isGone(stat: ProcStat | undefined): boolean {
  return stat === undefined || stat.state === 'Z' || stat.state === 'X';
}

/**
 * Signals `pid`, or its whole process group when it leads one (the supervisor spawns every node
 * as a group leader, so a shell wrapper and its children freeze and thaw together).
 * Returns false if nothing was there to signal.
 */
export function signalNode(pid: number, signal: NodeJS.Signals, group: boolean): boolean {
  try {
    process.kill(group ? -pid : pid, signal);
    return true;
  } catch {
    if (!group) return false;
    try {
      process.kill(pid, signal);
      return true;
    } catch {
      return false;
    }
  }
}

/** True when the node's process leads its own process group (Linux; elsewhere assume it does, as the supervisor spawns it detached). */
export function leadsGroup(pid: number): boolean {
  const stat = procStat(pid);
  return stat === undefined ? process.platform !== 'win32' : stat.pgrp === pid;
}
