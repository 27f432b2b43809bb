// slow_close {delay} (ms): data passes untouched; the end of the stream (a FIN, or a close a
// toxic earlier in the chain asked for) is held for `delay` ms.
import { ScheduledStage, type Chunk, type Ending, type LinkControl, type ToxicAttributes, type ToxicEnv } from '../toxic-stage';

export class SlowCloseStage extends ScheduledStage {
  private delay = 0;

  constructor(env: ToxicEnv, control: LinkControl, attributes: ToxicAttributes) {
    super(env, control);
    this.update(attributes);
  }

  push(chunk: Chunk): void {
    this.schedule(this.env.now(), chunk, null);
  }

  finish(ending: Ending): void {
    this.schedule(this.env.now() + this.delay, null, ending);
  }

  update(attributes: ToxicAttributes): void {
    const previous = this.delay;
    this.delay = attributes.delay ?? 0;
    if (this.queued > 0) this.replan((item) => (item.ending ? item.due - previous + this.delay : item.due));
  }
}
