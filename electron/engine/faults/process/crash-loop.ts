// crash-loop: for its duration, SIGKILL the node `afterMs` after each start (and the running
// process `afterMs` after injection). The supervisor's restart policy and crash-loop detection
// react as they would to a real crash loop; when the fault ends it simply stops killing (a node
// the supervisor gave up on stays in `crash-loop` until the lab starts it).
import { ContractError } from '../../../../shared/contract/errors';
import { now } from '../../clock';
import type { FaultUnit } from '../fault-unit';
import { stillRuns } from './running-pid';

export const crashLoopFault: FaultUnit<'crash-loop'> = {
  type: 'crash-loop',
  plan(context) {
    const holder = context.activeOnTarget.find((r) => r.type === 'crash-loop');
    if (holder) throw new ContractError({ code: 'conflict', field: 'target', message: `node ${context.node.id} is already in a crash loop (${holder.id})` });
    const { afterMs } = context.attributes;
    return {
      // Nothing to undo after an engine crash (the killing stops with it), but the next start says so.
      journal: { afterMs },
      apply(handle) {
        const timers = new Set<NodeJS.Timeout>();
        let ended = false;
        let kills = 0;
        const schedule = (pid: number): void => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            if (ended || !stillRuns(context, pid)) return;
            const at = now();
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              return; // exited by itself meanwhile
            }
            kills++;
            handle.updateEffect({ kills, lastKill: { pid, at } });
            handle.timeline('fault.crash-loop-kill', { faultId: handle.id, pid, kill: kills }, at);
          }, afterMs);
          timer.unref();
          timers.add(timer);
        };
        const current = context.fleet.node(context.node.id)?.pid ?? null;
        if (current !== null) schedule(current);
        return {
          effect: { afterMs, kills: 0 },
          onNodeStarting: (pid) => {
            if (!ended) schedule(pid);
          },
          revert() {
            ended = true;
            for (const timer of timers) clearTimeout(timer);
            timers.clear();
            return { kills };
          },
        };
      },
    };
  },
};
