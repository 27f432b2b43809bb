// kill: SIGKILL the node's process (kill -9), or SIGTERM then SIGKILL after graceMs if it is
// still there. A direct signal, not stopNode: the supervisor sees an exit the lab did not ask for
// (byLab false), restarts it by policy, and the incident tracker counts a failure. One-shot.
import { now } from '../../clock';
import type { FaultUnit } from '../fault-unit';
import { runningPid, stillRuns } from './running-pid';

export const killFault: FaultUnit<'kill'> = {
  type: 'kill',
  plan(context) {
    const pid = runningPid(context);
    const { signal, graceMs } = context.attributes;
    return {
      journal: null, // nothing to undo
      apply(handle) {
        const sentAt = now();
        process.kill(pid, signal);
        let timer: NodeJS.Timeout | null = null;
        if (signal === 'SIGTERM') {
          timer = setTimeout(() => {
            timer = null;
            if (!stillRuns(context, pid)) return;
            const at = now();
            try {
              process.kill(pid, 'SIGKILL');
            } catch {
              return; // exited meanwhile
            }
            handle.updateEffect({ escalated: { signal: 'SIGKILL', sentAt: at } });
            handle.timeline('fault.kill-escalated', { faultId: handle.id, pid, signal: 'SIGKILL', graceMs }, at);
          }, graceMs);
          timer.unref();
        }
        return {
          once: true,
          effect: { pid, signal, sentAt, ...(signal === 'SIGTERM' ? { graceMs } : {}) },
          dispose: () => {
            if (timer) clearTimeout(timer);
            timer = null;
          },
        };
      },
    };
  },
};
