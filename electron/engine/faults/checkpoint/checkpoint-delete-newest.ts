// checkpoint_delete_newest: removes the newest checkpoint file. The server then simply restores
// the previous generation and replays the log after it (no rejection to report: the file is not
// there). One-shot.
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { now } from '../../clock';
import type { FaultUnit } from '../fault-unit';
import { pickCheckpoint, syncDir } from './data-files';

export const checkpointDeleteNewestFault: FaultUnit<'checkpoint_delete_newest'> = {
  type: 'checkpoint_delete_newest',
  async plan(context) {
    const { file, all } = await pickCheckpoint(context, undefined);
    return {
      journal: null,
      async apply() {
        await fsp.unlink(file.path);
        await syncDir(dirname(file.path));
        return {
          once: true,
          effect: { file: file.path, name: file.name, generation: file.number, bytes: file.size, deleted: { from: 0, to: file.size }, remainingGenerations: all.slice(1).map((f) => f.number), at: now() },
        };
      },
    };
  },
};
