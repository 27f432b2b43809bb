// timeout {timeout} (ms): nothing passes; after `timeout` ms the whole connection is closed and
// what was held is dropped. 0 = hold forever. Removing the toxic releases everything held (in
// order, FIN included) — Toxiproxy discards it instead.
import { Fifo, ToxicStage, type Chunk, type Ending, type LinkControl, type ToxicAttributes, type ToxicEnv } from '../toxic-stage';

export class TimeoutStage extends ToxicStage {
  private readonly held = new Fifo<Chunk | Ending>();
  private timer: unknown = null;
  private closed = false;

  constructor(env: ToxicEnv, control: LinkControl, attributes: ToxicAttributes) {
    super(env, control);
    this.update(attributes);
  }

  push(chunk: Chunk): void {
    if (!this.closed && !this.disposed) this.held.push(chunk);
  }

  finish(ending: Ending): void {
    if (!this.closed && !this.disposed) this.held.push(ending);
  }

  /** The clock restarts from the update, as Toxiproxy restarts the toxic. */
  update(attributes: ToxicAttributes): void {
    this.cancel();
    const timeout = attributes.timeout ?? 0;
    if (timeout > 0 && !this.closed) this.timer = this.env.setTimer(this.expire, timeout);
  }

  release(): void {
    this.cancel();
    while (!this.disposed && this.held.length > 0) {
      const item = this.held.shift() as Chunk | Ending;
      if (typeof item === 'string') this.next.finish(item);
      else this.next.push(item);
    }
  }

  override dispose(): void {
    super.dispose();
    this.cancel();
    this.held.clear();
  }

  private readonly expire = (): void => {
    this.timer = null;
    if (this.disposed) return;
    this.closed = true;
    this.held.clear();
    this.next.finish('close');
  };

  private cancel(): void {
    if (this.timer !== null) this.env.clearTimer(this.timer);
    this.timer = null;
  }
}
