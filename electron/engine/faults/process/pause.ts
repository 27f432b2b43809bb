// pause: SIGSTOP the node's process group (frozen: its port accepts connections nobody answers);
// revert = SIGCONT. Journaled with the pid and its start time, so a crashed engine's pause is
// thawed at the next start. Windows has no SIGSTOP: refused.
import { ContractError } from '../../../../shared/contract/errors';
import { now } from '../../clock';
import type { FaultUnit } from '../fault-unit';
import { isGone, leadsGroup, procStat, signalNode } from './process-identity';
import { runningPid, stillRuns } from './running-pid';

export function pauseFault(options: { serverEntry: string | null }): FaultUnit<'pause'> {
  return {
    type: 'pause',
    plan(context) {
      if (context.platform === 'win32') {
        throw new ContractError({ code: 'invalid-params', field: 'type', message: 'pause needs SIGSTOP, which Windows does not have' });
      }
      const holder = context.activeOnTarget.find((r) => r.type === 'pause');
      if (holder) throw new ContractError({ code: 'conflict', field: 'target', message: `node ${context.node.id} is already paused by ${holder.id}` });
      const pid = runningPid(context);
      const group = leadsGroup(pid);
      const startTime = procStat(pid)?.startTime ?? null;
      return {
        // What a later engine needs to thaw it safely: the pid, and proof it is still the same process.
        journal: { pid, group, startTime, dataDir: context.node.dataDir, serverEntry: options.serverEntry },
        apply() {
          const sentAt = now();
          if (!signalNode(pid, 'SIGSTOP', group)) throw new Error(`pid ${pid} of node ${context.node.id} is gone`);
          return {
            effect: { pid, signal: 'SIGSTOP', group, sentAt },
            revert() {
              // The supervisor still holds this pid and it is the process we froze (reverted from its exit
              // event, the supervisor still names a pid already reaped, perhaps reused).
              if (!stillRuns(context, pid) || !sameProcess(pid, startTime)) return { resumed: false, note: `pid ${pid} exited while paused: nothing to resume` };
              const at = now();
              signalNode(pid, 'SIGCONT', group);
              return { resumed: true, resumedAt: at };
            },
          };
        },
      };
    },
  };
}

/** Still alive and still the process that had `startTime` (where /proc tells; elsewhere, trust the supervisor). */
function sameProcess(pid: number, startTime: string | null): boolean {
  if (startTime === null) return true;
  const stat = procStat(pid);
  return !isGone(stat) && stat?.startTime === startTime;
}
