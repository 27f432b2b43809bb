// checkpoint_stale: the newest checkpoint's file gets the content of the generation before it
// (an old image under a new name, as a bad copy or restore would leave). The server rejects it as
// `generation-mismatch` (the header names the older generation). One-shot.
import { promises as fsp } from 'node:fs';
import { ContractError } from '../../../../shared/contract/errors';
import { now } from '../../clock';
import type { FaultUnit } from '../fault-unit';
import { openForDamage, pickCheckpoint } from './data-files';

export const checkpointStaleFault: FaultUnit<'checkpoint_stale'> = {
  type: 'checkpoint_stale',
  async plan(context) {
    const { file, all } = await pickCheckpoint(context, undefined);
    const older = all[1];
    if (!older) {
      throw new ContractError({ code: 'conflict', field: 'target', message: `node ${context.node.id} has one checkpoint generation (${file.number}): no older one to copy over it` });
    }
    return {
      journal: null,
      async apply() {
        const content = await fsp.readFile(older.path);
        const handle = await openForDamage(file.path, fsp.constants.O_TRUNC);
        try {
          await handle.writeFile(content);
          await handle.sync();
        } finally {
          await handle.close();
        }
        return {
          once: true,
          effect: {
            file: file.path,
            name: file.name,
            generation: file.number,
            staleFrom: { file: older.path, name: older.name, generation: older.number },
            sizeBefore: file.size,
            written: { from: 0, to: content.length },
            at: now(),
          },
        };
      },
    };
  },
};
