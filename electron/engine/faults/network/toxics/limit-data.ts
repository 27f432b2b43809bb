// limit_data {bytes}: passes the first `bytes` bytes of its stream, then closes the whole
// connection (as Toxiproxy: the close comes when the limit is reached, or — for 0 — with the
// first data). The count survives attribute updates.
import { ToxicStage, type Chunk, type Ending, type LinkControl, type ToxicAttributes, type ToxicEnv } from '../toxic-stage';

export class LimitDataStage extends ToxicStage {
  private bytes = 0;
  private transmitted = 0;
  private closed = false;

  constructor(env: ToxicEnv, control: LinkControl, attributes: ToxicAttributes) {
    super(env, control);
    this.update(attributes);
  }

  push(chunk: Chunk): void {
    if (this.closed || this.disposed) return;
    const remaining = Math.max(0, this.bytes - this.transmitted);
    const data = remaining < chunk.data.length ? chunk.data.subarray(0, remaining) : chunk.data;
    if (data.length > 0) {
      this.transmitted += data.length;
      this.next.push(data === chunk.data ? chunk : { data, at: chunk.at });
    }
    if (this.bytes - this.transmitted <= 0 && !this.closed && !this.disposed) {
      this.closed = true;
      this.next.finish('close');
    }
  }

  finish(ending: Ending): void {
    if (this.closed || this.disposed) return;
    this.closed = true;
    this.next.finish(ending);
  }

  update(attributes: ToxicAttributes): void {
    this.bytes = attributes.bytes ?? 0;
  }

  release(): void {
    // Holds nothing.
  }
}
