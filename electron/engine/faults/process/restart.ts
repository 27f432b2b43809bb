// restart: a planned restart through the supervisor (SIGTERM, SIGKILL after graceMs, start).
// Unlike kill, the supervisor records this exit as the lab's own (byLab true): it models an
// operator's restart, not a crash. One-shot; inject returns once it is asked, not once it is back.
import { now } from '../../clock';
import type { FaultUnit } from '../fault-unit';

export const restartFault: FaultUnit<'restart'> = {
  type: 'restart',
  plan(context) {
    const { graceMs } = context.attributes;
    const id = context.node.id;
    return {
      journal: null,
      apply(handle) {
        const pid = context.fleet.node(id)?.pid ?? null;
        const requestedAt = now();
        context.fleet.restartNode(id, graceMs).then(
          (node) => {
            handle.updateEffect({ newPid: node.pid, status: node.status, settledAt: now() });
            if (node.status !== 'ready') handle.failed(`node ${id} did not come back ready (status ${node.status})`);
          },
          (error: unknown) => handle.failed(`restart of ${id} failed: ${error instanceof Error ? error.message : String(error)}`),
        );
        return { once: true, effect: { pid, graceMs, requestedAt } };
      },
    };
  },
};
