// bandwidth {rate} (KB/s, KB = 1000 bytes as in Toxiproxy's arithmetic; 0 = unlimited): each
// chunk leaves once the "wire" has had time to carry it. Chunks bigger than 100 ms' worth are
// split and sent in 100 ms pieces, as Toxiproxy does. The schedule is kept in absolute time, so
// late timers do not slow the average rate; an idle link earns no burst credit.
import { ScheduledStage, type Chunk, type Ending, type LinkControl, type ToxicAttributes, type ToxicEnv } from '../toxic-stage';

export class BandwidthStage extends ScheduledStage {
  /** Bytes per millisecond (= KB/s). */
  private rate = 0;
  /** When the wire is next free (ms). */
  private free = -Infinity;

  constructor(env: ToxicEnv, control: LinkControl, attributes: ToxicAttributes) {
    super(env, control);
    this.update(attributes);
  }

  push(chunk: Chunk): void {
    if (this.rate <= 0) {
      this.schedule(this.env.now(), chunk, null);
      return;
    }
    const piece = Math.max(1, Math.floor(this.rate * 100));
    let t = Math.max(this.env.now(), this.free);
    for (let offset = 0; offset < chunk.data.length; offset += piece) {
      const data = chunk.data.subarray(offset, offset + piece);
      t += data.length / this.rate;
      this.schedule(t, { data, at: chunk.at }, null);
    }
    this.free = t;
  }

  finish(ending: Ending): void {
    this.schedule(-Infinity, null, ending);
  }

  update(attributes: ToxicAttributes): void {
    this.rate = attributes.rate ?? 0;
    if (this.queued === 0) return;
    // What is still queued goes out at the new rate, starting now.
    let t = this.env.now();
    this.replan((item) => {
      if (!item.chunk) return -Infinity;
      if (this.rate > 0) t += item.chunk.data.length / this.rate;
      return t;
    });
    this.free = t;
  }
}
