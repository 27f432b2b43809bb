import { ContractError } from '../../../../shared/contract/errors';
import type { FaultContext } from '../fault-unit';

/** The pid the supervisor holds for the target now (alive or not yet reaped, so never a stranger's). */
export function runningPid(context: FaultContext): number {
  const pid = context.fleet.node(context.node.id)?.pid ?? null;
  if (pid === null) {
    throw new ContractError({
      code: 'conflict',
      message: `node ${context.node.id} has no process to ${context.type} (status ${context.node.status})`,
      field: 'target',
    });
  }
  return pid;
}

/** The target still runs the very process `pid` (the supervisor has not seen it exit). */
export function stillRuns(context: FaultContext, pid: number): boolean {
  return context.fleet.node(context.node.id)?.pid === pid;
}
