import { Envelope } from './envelope.js';
import type { CommandName, CommandParams, CommandResult, EventName, EventPayload } from './commands.js';
import { ContractError } from './errors.js';
import type { Transport, Unsubscribe } from './transport.js';

type Pending = { resolve: (value: unknown) => void; reject: (error: unknown) => void; timer: ReturnType<typeof setTimeout> | undefined };

/** The UI's (and the tests') side of the contract: typed requests and event subscriptions. */
export class ContractClient {
  private nextId = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly subscriptions = new Map<string, (name: string, payload: unknown) => void>();
  private readonly stop: Unsubscribe[] = [];
  private closed = false;

  constructor(
    private readonly transport: Transport,
    private readonly options: { timeoutMs?: number; prefix?: string } = {},
  ) {
    this.stop.push(transport.onMessage((raw) => this.receive(raw)));
    this.stop.push(transport.onClose(() => this.failAll()));
  }

  request<K extends CommandName>(name: K, params: CommandParams<K>): Promise<CommandResult<K>> {
    return this.send({ kind: 'request', id: this.id(), name, params }) as Promise<CommandResult<K>>;
  }

  /** Subscribes to one event (or `*`); the returned function unsubscribes. */
  on<K extends EventName>(name: K, listener: (payload: EventPayload<K>) => void): Unsubscribe;
  on(name: '*', listener: (payload: unknown, name: EventName) => void): Unsubscribe;
  on(name: string, listener: (payload: never, name: EventName) => void): Unsubscribe {
    const id = this.id();
    this.subscriptions.set(id, (eventName, payload) => (listener as (p: unknown, n: string) => void)(payload, eventName));
    this.send({ kind: 'subscribe', id, name }).catch(() => this.subscriptions.delete(id));
    return () => {
      if (!this.subscriptions.delete(id) || this.closed) return;
      this.send({ kind: 'unsubscribe', id }).catch(() => undefined);
    };
  }

  close(): void {
    for (const stop of this.stop) stop();
    this.failAll();
  }

  private id(): string {
    return `${this.options.prefix ?? 'c'}${++this.nextId}`;
  }

  private send(message: Envelope): Promise<unknown> {
    if (this.closed) return Promise.reject(new ContractError({ code: 'closed', message: 'the connection is closed' }));
    return new Promise((resolve, reject) => {
      const timeoutMs = this.options.timeoutMs ?? 60_000;
      const timer = timeoutMs > 0 ? setTimeout(() => this.settle(message.id, new Error(`no answer to ${message.kind} ${message.id} in ${timeoutMs} ms`)), timeoutMs) : undefined;
      this.pending.set(message.id, { resolve, reject, timer });
      this.transport.send(message);
    });
  }

  private receive(raw: unknown): void {
    const parsed = Envelope.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.kind === 'event') {
      this.subscriptions.get(message.id)?.(message.name, message.payload);
    } else if (message.kind === 'response') {
      this.settle(message.id, undefined, message.result);
    } else if (message.kind === 'error') {
      this.settle(message.id, new ContractError(message.error));
    }
  }

  private settle(id: string, error: unknown, result?: unknown): void {
    const pending = this.pending.get(id);
    if (!pending) return;
    this.pending.delete(id);
    if (pending.timer) clearTimeout(pending.timer);
    if (error) pending.reject(error);
    else pending.resolve(result);
  }

  private failAll(): void {
    this.closed = true;
    for (const id of [...this.pending.keys()]) this.settle(id, new ContractError({ code: 'closed', message: 'the connection closed' }));
  }
}
