import { get, type Agent, type ClientRequest, type IncomingMessage } from 'node:http';

/** Polls http://127.0.0.1:PORT/PATH until it answers 2xx, one request at a time. */
export class ReadyProbe {
  private timer: NodeJS.Timeout | null = null;
  private request: ClientRequest | null = null;
  private stopped = false;

  constructor(
    private readonly options: {
      port: number;
      path: string;
      agent: Agent;
      intervalMs: number;
      onReady: () => void;
    },
  ) {}

  start(): void {
    this.poll();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.request?.destroy();
    this.request = null;
  }

  private poll(): void {
    if (this.stopped) return;
    const { port, path, agent } = this.options;
    let request: ClientRequest;
    try {
      request = get({ host: '127.0.0.1', port, path, agent, timeout: 1000 }, (response) => this.answered(response.statusCode ?? 0, response));
    } catch {
      // A path Node refuses to send throws here, in a timer: never let it end the engine (the node's ready timeout ends the wait).
      this.again();
      return;
    }
    this.request = request;
    request.on('timeout', () => request.destroy());
    request.on('error', () => {
      if (this.request === request) this.request = null;
      this.again();
    });
  }

  private answered(status: number, response: IncomingMessage): void {
    response.resume();
    this.request = null;
    if (status >= 200 && status < 300) {
      if (!this.stopped) {
        this.stopped = true;
        this.options.onReady();
      }
    } else this.again();
  }

  private again(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.poll();
    }, this.options.intervalMs);
  }
}
