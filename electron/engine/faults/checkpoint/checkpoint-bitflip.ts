// checkpoint_bitflip: flips `bits` distinct random bits in the PAYLOAD of the newest (or a given)
// checkpoint generation (the header is left intact, so the server reads the header and rejects the
// image as `checksum-mismatch`). One-shot: the exact bytes are in `effect` to tell what happened.
import { now } from '../../clock';
import type { FaultUnit } from '../fault-unit';
import { badAttribute, CHECKPOINT_HEADER_BYTES, openForDamage, pickCheckpoint } from './data-files';

export const checkpointBitflipFault: FaultUnit<'checkpoint_bitflip'> = {
  type: 'checkpoint_bitflip',
  async plan(context) {
    const { bits, generation } = context.attributes;
    const { file } = await pickCheckpoint(context, generation);
    const payloadBits = Math.max(0, file.size - CHECKPOINT_HEADER_BYTES) * 8;
    if (bits > payloadBits) throw badAttribute('bits', `${file.name} has only ${payloadBits} payload bits`);
    return {
      journal: null,
      async apply() {
        // Distinct positions, drawn from the seeded source.
        const chosen = new Set<number>();
        while (chosen.size < bits) {
          let position = Math.min(payloadBits - 1, Math.floor(context.random() * payloadBits));
          while (chosen.has(position)) position = (position + 1) % payloadBits; // terminates: bits <= payloadBits
          chosen.add(position);
        }
        const positions = [...chosen].sort((a, b) => a - b);
        const handle = await openForDamage(file.path);
        const flips: Array<{ offset: number; bit: number; before: number; after: number }> = [];
        try {
          const byte = Buffer.alloc(1);
          for (const position of positions) {
            const offset = CHECKPOINT_HEADER_BYTES + Math.floor(position / 8);
            const bit = position % 8;
            await handle.read(byte, 0, 1, offset);
            const before = byte[0] as number;
            byte[0] = before ^ (1 << bit);
            await handle.write(byte, 0, 1, offset);
            // Two flips in one byte: the byte's final value is what counts.
            flips.push({ offset, bit, before, after: byte[0] as number });
          }
          await handle.sync();
        } finally {
          await handle.close();
        }
        return {
          once: true,
          effect: { file: file.path, name: file.name, generation: file.number, region: 'payload', flips, bytes: [...new Set(flips.map((f) => f.offset))], at: now() },
        };
      },
    };
  },
};
