// slicer {average_size, size_variation (bytes), delay (µs, as in Toxiproxy)}: each chunk is cut
// into pieces of about average_size ± size_variation bytes, with `delay` µs between pieces.
// The cuts follow Toxiproxy's recursive halving, so pieces fall between (average_size +
// size_variation) / 2 and average_size + size_variation.
import { ScheduledStage, type Chunk, type Ending, type LinkControl, type ToxicAttributes, type ToxicEnv } from '../toxic-stage';

/** End offsets of the pieces of a chunk of `length` bytes (the last is `length`). */
export function sliceOffsets(length: number, averageSize: number, sizeVariation: number, random: () => number): number[] {
  const average = Math.max(1, averageSize);
  // Toxiproxy requires size_variation < average_size; beyond that a cut could land outside the chunk.
  const variation = Math.max(0, Math.min(sizeVariation, average - 1));
  const ends: number[] = [];
  const cut = (start: number, end: number): void => {
    if (end - start - average <= variation) {
      ends.push(end);
      return;
    }
    const jitter = variation > 0 ? Math.floor(random() * 2 * variation) - variation : 0;
    const mid = Math.min(end - 1, Math.max(start + 1, start + Math.floor((end - start) / 2) + jitter));
    cut(start, mid);
    cut(mid, end);
  };
  if (length > 0) cut(0, length);
  return ends;
}

export class SlicerStage extends ScheduledStage {
  private averageSize = 64;
  private sizeVariation = 0;
  /** Between pieces, ms (the attribute is µs). */
  private gap = 0;
  private free = -Infinity;

  constructor(env: ToxicEnv, control: LinkControl, attributes: ToxicAttributes) {
    super(env, control);
    this.update(attributes);
  }

  push(chunk: Chunk): void {
    let t = Math.max(this.env.now(), this.free);
    let start = 0;
    for (const end of sliceOffsets(chunk.data.length, this.averageSize, this.sizeVariation, () => this.env.random())) {
      this.schedule(t, { data: chunk.data.subarray(start, end), at: chunk.at }, null);
      start = end;
      t += this.gap;
    }
    this.free = t;
  }

  finish(ending: Ending): void {
    this.schedule(-Infinity, null, ending);
  }

  update(attributes: ToxicAttributes): void {
    this.averageSize = attributes.average_size ?? 64;
    this.sizeVariation = attributes.size_variation ?? 0;
    this.gap = (attributes.delay ?? 0) / 1000;
  }
}
