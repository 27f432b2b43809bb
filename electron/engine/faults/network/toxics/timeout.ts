// timeout {timeout} (ms): nothing passes; after `timeout` ms the whole connection is closed and
// what was held is dropped. 0 = hold forever. Removing the toxic releases everything held (in
// order, FIN included) — Toxiproxy discards it instead.
import { HoldingStage, type Chunk, type Ending, type LinkControl, type ToxicAttributes, type ToxicEnv } from '../toxic-stage';

export class TimeoutStage extends HoldingStage {
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
    if (timeout > 0 && !this.closed) this.timer = this.env.at(this.env.now() + timeout, this.expire);
  }

  private readonly expire = (): void => {
    this.timer = null;
    if (this.disposed) return;
    this.closed = true;
    this.held.clear();
    this.next.finish('close');
  };
}
