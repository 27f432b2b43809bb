// reset_peer {timeout} (ms): the first data (or FIN) on its stream starts the clock; after
// `timeout` ms (0 = at once) both sides get a TCP RST and whatever is held is dropped. Until then
// nothing passes. Removing the toxic before it fires cancels the reset and releases what was held.
import { HoldingStage, type Chunk, type Ending, type LinkControl, type ToxicAttributes, type ToxicEnv } from '../toxic-stage';

export class ResetPeerStage extends HoldingStage {
  private timeout = 0;
  private triggeredAt: number | null = null;

  constructor(env: ToxicEnv, control: LinkControl, attributes: ToxicAttributes) {
    super(env, control);
    this.update(attributes);
  }

  push(chunk: Chunk): void {
    this.hold(chunk);
  }

  finish(ending: Ending): void {
    this.hold(ending);
  }

  update(attributes: ToxicAttributes): void {
    this.timeout = attributes.timeout ?? 0;
    if (this.triggeredAt !== null && !this.disposed) this.arm();
  }

  private hold(item: Chunk | Ending): void {
    if (this.disposed) return;
    this.held.push(item);
    if (this.triggeredAt !== null) return;
    this.triggeredAt = this.env.now();
    this.arm();
  }

  private arm(): void {
    this.cancel();
    const due = (this.triggeredAt ?? this.env.now()) + this.timeout;
    if (due <= this.env.now()) this.fire();
    else this.timer = this.env.at(due, this.fire);
  }

  private readonly fire = (): void => {
    this.timer = null;
    if (this.disposed) return;
    this.held.clear();
    this.control.reset();
  };
}
