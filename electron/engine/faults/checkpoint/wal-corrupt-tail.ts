// wal_corrupt_tail: overwrites the last `bytes` bytes of the newest WAL segment with garbage
// (every byte changed). At its next start the server stops replay at the damage and logs
// `wal.tail-discarded`: the records those bytes belonged to are lost, honestly. One-shot.
import { ContractError } from '../../../../shared/contract/errors';
import { now } from '../../clock';
import type { FaultUnit } from '../fault-unit';
import { nodeDataDir, openForDamage, walSegments } from './data-files';

export const walCorruptTailFault: FaultUnit<'wal_corrupt_tail'> = {
  type: 'wal_corrupt_tail',
  async plan(context) {
    const dataDir = await nodeDataDir(context);
    const segment = (await walSegments(dataDir))[0];
    if (!segment) throw new ContractError({ code: 'not-found', field: 'target', message: `node ${context.node.id} has no WAL segment in ${dataDir}/wal` });
    if (segment.size === 0) {
      throw new ContractError({ code: 'conflict', field: 'target', message: `the newest WAL segment of ${context.node.id} (${segment.name}) is empty: no tail to corrupt` });
    }
    return {
      journal: null,
      async apply() {
        const handle = await openForDamage(segment.path);
        let from: number;
        let to: number;
        try {
          to = (await handle.stat()).size; // the server may have appended since the plan
          from = Math.max(0, to - context.attributes.bytes);
          const bytes = Buffer.alloc(to - from);
          await handle.read(bytes, 0, bytes.length, from);
          // XOR with 1..255: each byte differs from what was there, from the seeded source.
          for (let i = 0; i < bytes.length; i++) bytes[i] = (bytes[i] as number) ^ (1 + Math.floor(context.random() * 255));
          await handle.write(bytes, 0, bytes.length, from);
          await handle.sync();
        } finally {
          await handle.close();
        }
        return {
          once: true,
          effect: { file: segment.path, name: segment.name, firstLsn: segment.number, overwritten: { from, to }, bytes: to - from, at: now() },
        };
      },
    };
  },
};
