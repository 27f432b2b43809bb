// latency {latency, jitter} (ms): every chunk leaves at arrival + latency ± jitter — minus the
// time it already spent in the proxy, so delays never pile up — and in order.
import { ScheduledStage, type Chunk, type Ending, type LinkControl, type ToxicAttributes, type ToxicEnv } from '../toxic-stage';

export class LatencyStage extends ScheduledStage {
  private latency = 0;
  private jitter = 0;

  constructor(env: ToxicEnv, control: LinkControl, attributes: ToxicAttributes) {
    super(env, control);
    this.stampOnRelease = true;
    this.update(attributes);
  }

  /** latency ± jitter, jitter uniform in [−jitter, +jitter), never below 0. */
  delay(): number {
    if (this.jitter <= 0) return this.latency;
    return Math.max(0, this.latency + (this.env.random() * 2 - 1) * this.jitter);
  }

  push(chunk: Chunk): void {
    this.schedule(chunk.at + this.delay(), chunk, null);
  }

  finish(ending: Ending): void {
    // Right behind the last chunk, as Toxiproxy passes EOF once the chunk before it is out.
    this.schedule(-Infinity, null, ending);
  }

  update(attributes: ToxicAttributes): void {
    this.latency = attributes.latency ?? 0;
    this.jitter = attributes.jitter ?? 0;
    if (this.queued > 0) this.replan((item) => (item.chunk ? item.chunk.at + this.delay() : -Infinity));
  }
}
