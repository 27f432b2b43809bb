// One unit per fault type (the files under process/ and checkpoint/; network and HTTP faults go
// through the lab's ports).
import { FaultType } from '../../../shared/contract/model';
import type { FaultUnit } from './fault-unit';
import { checkpointBitflipFault } from './checkpoint/checkpoint-bitflip';
import { checkpointDeleteNewestFault } from './checkpoint/checkpoint-delete-newest';
import { checkpointStaleFault } from './checkpoint/checkpoint-stale';
import { checkpointTruncateFault } from './checkpoint/checkpoint-truncate';
import { checkpointZeroFault } from './checkpoint/checkpoint-zero';
import { walCorruptTailFault } from './checkpoint/wal-corrupt-tail';
import { crashLoopFault } from './process/crash-loop';
import { killFault } from './process/kill';
import { pauseFault } from './process/pause';
import { restartFault } from './process/restart';
import { proxiedFault } from './proxied-faults';

export function faultUnits(options: { serverEntry: string | null }): Map<FaultType, FaultUnit> {
  const units: FaultUnit[] = [
    killFault,
    pauseFault(options),
    crashLoopFault,
    restartFault,
    checkpointBitflipFault,
    checkpointTruncateFault,
    checkpointZeroFault,
    checkpointDeleteNewestFault,
    checkpointStaleFault,
    walCorruptTailFault,
  ] as FaultUnit[];
  const byType = new Map<FaultType, FaultUnit>(units.map((unit) => [unit.type, unit]));
  for (const type of FaultType.options) if (!byType.has(type)) byType.set(type, proxiedFault(type));
  return byType;
}
