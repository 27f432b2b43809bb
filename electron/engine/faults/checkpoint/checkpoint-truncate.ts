// checkpoint_truncate: cuts the newest (or a given) checkpoint to `keepBytes` (a torn write); the
// server rejects it as `truncated`. One-shot.
import { now } from '../../clock';
import type { FaultUnit } from '../fault-unit';
import { badAttribute, openForDamage, pickCheckpoint } from './data-files';

export const checkpointTruncateFault: FaultUnit<'checkpoint_truncate'> = {
  type: 'checkpoint_truncate',
  async plan(context) {
    const { keepBytes, generation } = context.attributes;
    const { file } = await pickCheckpoint(context, generation);
    if (keepBytes >= file.size) throw badAttribute('keepBytes', `${file.name} is only ${file.size} bytes: nothing to cut`);
    return {
      journal: null,
      async apply() {
        const handle = await openForDamage(file.path);
        let sizeBefore: number;
        try {
          sizeBefore = (await handle.stat()).size;
          await handle.truncate(keepBytes);
          await handle.sync();
        } finally {
          await handle.close();
        }
        return {
          once: true,
          effect: { file: file.path, name: file.name, generation: file.number, sizeBefore, keptBytes: keepBytes, removed: { from: keepBytes, to: sizeBefore }, at: now() },
        };
      },
    };
  },
};
