// checkpoint_zero: overwrites bytes [offset, offset+length) of the newest (or a given) checkpoint
// with zeros (clipped to the file). In the 76-byte header the server says `bad-header`; in the
// payload, `checksum-mismatch`. One-shot.
import { now } from '../../clock';
import type { FaultUnit } from '../fault-unit';
import { badAttribute, openForDamage, pickCheckpoint } from './data-files';

export const checkpointZeroFault: FaultUnit<'checkpoint_zero'> = {
  type: 'checkpoint_zero',
  async plan(context) {
    const { offset, length, generation } = context.attributes;
    const { file } = await pickCheckpoint(context, generation);
    if (offset >= file.size) throw badAttribute('offset', `${file.name} is only ${file.size} bytes`);
    return {
      journal: null,
      async apply() {
        const handle = await openForDamage(file.path);
        let end: number;
        let changedBytes = 0;
        try {
          end = Math.min(offset + length, (await handle.stat()).size);
          const before = Buffer.alloc(Math.max(0, end - offset));
          await handle.read(before, 0, before.length, offset);
          for (const byte of before) if (byte !== 0) changedBytes++;
          await handle.write(Buffer.alloc(before.length), 0, before.length, offset);
          await handle.sync();
        } finally {
          await handle.close();
        }
        return {
          once: true,
          effect: { file: file.path, name: file.name, generation: file.number, zeroed: { from: offset, to: end }, bytes: end - offset, changedBytes, at: now() },
        };
      },
    };
  },
};
