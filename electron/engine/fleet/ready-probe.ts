import { get, type Agent, type ClientRequest } from 'node:http';

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
    const request = get({ host: '127.0.0.1', port, path, agent, timeout: 1000 }, (response) => {
      response.resume();
      const status = response.statusCode ?? 0;
      this.request = null;
      if (status >= 200 && status < 300) {
        if (!this.stopped) {
          this.stopped = true;
          this.options.onReady();
        }
      } else this.again();
    });
    this.request = request;
    request.on('timeout', () => request.destroy());
    request.on('error', () => {
      if (this.request === request) this.request = null;
      this.again();
    });
  }

  private again(): void {
    if (this.stopped || this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.poll();
    }, this.options.intervalMs);
  }
}
