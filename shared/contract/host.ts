import { Envelope, type EnvelopeOf } from './envelope.js';
import {
  commands,
  events,
  isCommandName,
  isEventName,
  type CommandName,
  type CommandParams,
  type CommandResult,
  type EventName,
  type EventPayload,
  type ParsedParams,
} from './commands.js';
import { ContractError, fieldPath, fromZodError, parseOrThrow, toErrorBody } from './errors.js';
import { OPERATOR, VIEWER_COMMANDS, viewerRefusal, type Caller } from './classroom.js';
import type { Transport, Unsubscribe } from './transport.js';

/**
 * What the engine does for each command. A handler gets its params as the command's schema parsed them
 * (defaults filled in; `fault.inject`'s a FaultSpec), never raw input: it and what it calls parse nothing again.
 */
export type CommandHandlers = {
  [K in CommandName]: (params: ParsedParams<K>, caller: Caller) => Promise<CommandResult<K>> | CommandResult<K>;
};

/** What one connection may hold, so that no client can grow the engine's memory or work without bound. */
export interface ConnectionLimits {
  maxSubscriptions: number;
  /** Requests being handled at once; past it a request is refused at once (limit-exceeded). */
  maxInFlight: number;
  /** Bytes queued for a client that is not reading (the transport's backlog) past which high-frequency events are dropped for it. */
  dropEventsAboveBytes: number;
  /** Past this many bytes queued the client is closed (WebSocket code 1008). */
  closeAboveBytes: number;
}

export const DEFAULT_CONNECTION_LIMITS: Readonly<ConnectionLimits> = {
  maxSubscriptions: 64,
  maxInFlight: 64,
  dropEventsAboveBytes: 1 << 20,
  closeAboveBytes: 8 << 20,
};

/** Events sent several times a second: what a client that falls behind loses first. */
const DROPPABLE_EVENTS: ReadonlySet<EventName> = new Set<EventName>(['metrics.tick', 'log.batch']);

/** Where the host hears the engine's events from. */
export type EventSource = (listener: <K extends EventName>(name: K, payload: EventPayload<K>) => void) => Unsubscribe;

/**
 * The engine's side of the contract: validates every incoming message, runs the command's handler,
 * and forwards subscribed events. An invalid message never reaches a handler.
 */
/** A command a handler carried out: its name, its parsed params, and when it was asked (the host's clock). */
export type CommandDone = { [K in CommandName]: { name: K; params: ParsedParams<K>; at: number } }[CommandName];

export interface ContractHostOptions {
  /** The clock `CommandDone.at` is read from (default `Date.now`): the engine's, so it compares with its timeline. */
  now?: () => number;
}

export class ContractHost {
  private readonly connections = new Set<() => void>();
  private readonly done = new Set<(done: CommandDone) => void>();

  constructor(
    private readonly handlers: CommandHandlers,
    private readonly eventSource: EventSource,
    private readonly options: ContractHostOptions = {},
  ) {}

  /**
   * Runs one command from untrusted input, whoever sends it (a transport, the CLI, a drill, the Toxiproxy API):
   * its params are parsed here, once (parseParams); throws a ContractError naming the bad field.
   * A classroom viewer (`caller.role === 'viewer'`) may call VIEWER_COMMANDS only: anything else is refused (forbidden) before its params are read.
   */
  async call(name: string, rawParams: unknown, caller: Caller = OPERATOR): Promise<unknown> {
    if (!isCommandName(name)) {
      throw new ContractError({ code: 'unknown-command', message: `unknown command "${name}"`, field: 'name' });
    }
    if (caller.role !== 'operator' && !VIEWER_COMMANDS.has(name)) throw viewerRefusal(name);
    const handler = this.handlers[name] as (params: unknown, caller: Caller) => Promise<unknown> | unknown;
    const params = parseParams(name, rawParams);
    const at = (this.options.now ?? Date.now)();
    const result = await handler(params, caller);
    if (this.done.size > 0) this.tell({ name, params, at } as CommandDone);
    return result;
  }

  /**
   * Told of every command a handler carried out, whoever asked (a window, the CLI, a drill): what a
   * drill watches to see the act its prompt asks for. A listener's exception never reaches the caller.
   */
  onCommand(listener: (done: CommandDone) => void): Unsubscribe {
    this.done.add(listener);
    return () => void this.done.delete(listener);
  }

  private tell(done: CommandDone): void {
    for (const listener of [...this.done]) {
      try {
        listener(done);
      } catch (error) {
        console.error('command listener failed:', error);
      }
    }
  }

  /** `call` for the engine's own clients (a drill, the Toxiproxy API): the same validation, typed at both ends. */
  request<K extends CommandName>(name: K, params: CommandParams<K>): Promise<CommandResult<K>> {
    return this.call(name, params) as Promise<CommandResult<K>>;
  }

  /** Serves one connection until it closes, within `limits`, every request in it made as `caller`; returns a function that ends it. */
  connect(transport: Transport, limits: Partial<ConnectionLimits> = {}, caller: Caller = OPERATOR): Unsubscribe {
    const connection = new HostConnection(transport, { ...DEFAULT_CONNECTION_LIMITS, ...limits }, (name, params) => this.call(name, params, caller), (end) => this.connections.delete(end));
    connection.start(this.eventSource);
    this.connections.add(connection.end);
    return connection.end;
  }

  /** Ends every connection (the transports themselves are closed by their owners). */
  dispose(): void {
    for (const end of [...this.connections]) end();
  }
}

/** One client's connection: its subscriptions, its requests in flight and how far behind it reads, within its limits. */
class HostConnection {
  private readonly subscriptions = new Map<string, string>(); // subscription id -> event name or '*'
  private seq = 0;
  private open = true;
  private inFlight = 0;
  private lagging = false;
  /** What `start` listens to, stopped in this order by `end`. */
  private stops: Unsubscribe[] = [];

  constructor(
    private readonly transport: Transport,
    private readonly limit: ConnectionLimits,
    private readonly call: (name: string, params: unknown) => Promise<unknown>,
    private readonly forget: (end: () => void) => void,
  ) {}

  /** Listens to the engine's events, the client's messages and the transport's close. */
  start(eventSource: EventSource): void {
    const stopEvents = eventSource((name, payload) => this.onEvent(name, payload));
    const stopMessages = this.transport.onMessage((raw) => this.onMessage(raw));
    const stopClose = this.transport.onClose(this.end);
    this.stops = [stopEvents, stopMessages, stopClose];
  }

  readonly end = (): void => {
    if (!this.open) return;
    this.open = false;
    this.subscriptions.clear();
    for (const stop of this.stops) stop();
    this.forget(this.end);
  };

  private backlog(): number {
    return this.transport.backlog?.() ?? 0;
  }

  /** Sends unless the client is too far behind to take more; then it is closed and false returned. */
  private send(message: Envelope): boolean {
    if (!this.open) return false;
    const queued = this.backlog();
    if (queued > this.limit.closeAboveBytes) {
      this.end();
      this.transport.close(1008, `not reading: ${queued} bytes queued`);
      return false;
    }
    this.transport.send(message);
    return true;
  }

  private refuse(id: string, error: ContractError): void {
    this.send({ kind: 'error', id, error: error.toBody() });
  }

  /** A client that lags loses high-frequency events first (their seqs are skipped, so it sees the gap); it is told once each time it falls behind. */
  private lags(subscription: string): boolean {
    const queued = this.backlog();
    if (queued <= (this.lagging ? this.limit.dropEventsAboveBytes / 2 : this.limit.dropEventsAboveBytes)) {
      this.lagging = false;
      return false;
    }
    if (!this.lagging) {
      this.lagging = true;
      const message = `${queued} bytes are waiting for you to read them: ${[...DROPPABLE_EVENTS].join(' and ')} events are dropped until you catch up`;
      this.send({ kind: 'error', id: subscription, error: { code: 'limit-exceeded', message, field: 'events' } });
    }
    return true;
  }

  private onEvent(name: EventName, payload: unknown): void {
    if (this.subscriptions.size === 0) return;
    const droppable = DROPPABLE_EVENTS.has(name);
    for (const [id, wanted] of this.subscriptions) {
      if (wanted !== '*' && wanted !== name) continue;
      this.seq++;
      // Checked before each copy, not once per event: 64 subscriptions to one big batch would overshoot the line 64 times.
      if (droppable && this.lags(id)) continue;
      if (!this.send({ kind: 'event', id, name, payload, seq: this.seq })) return;
    }
  }

  /** A message from the client, checked as an envelope a client may send before anything acts on it. */
  private onMessage(raw: unknown): void {
    const parsed = Envelope.safeParse(raw);
    if (!parsed.success) {
      const error = fromZodError(parsed.error, 'invalid-envelope');
      const id = typeof raw === 'object' && raw !== null && typeof (raw as { id?: unknown }).id === 'string' ? (raw as { id: string }).id : 'unknown';
      return this.refuse(id.slice(0, 64) || 'unknown', error);
    }
    const message = parsed.data;
    if (message.kind === 'response' || message.kind === 'error' || message.kind === 'event') {
      return this.refuse(message.id, new ContractError({ code: 'invalid-envelope', message: `a client may not send "${message.kind}"`, field: 'kind' }));
    }
    if (message.kind === 'request') void this.request(message);
    else if (message.kind === 'subscribe') this.subscribe(message);
    else this.unsubscribe(message);
  }

  private async request(message: EnvelopeOf<'request'>): Promise<void> {
    if (this.inFlight >= this.limit.maxInFlight) {
      return this.refuse(message.id, new ContractError({ code: 'limit-exceeded', message: `at most ${this.limit.maxInFlight} requests in flight per connection: wait for an answer first`, field: 'id' }));
    }
    this.inFlight++;
    try {
      const result = await this.call(message.name, message.params);
      this.send({ kind: 'response', id: message.id, result });
    } catch (error) {
      this.send({ kind: 'error', id: message.id, error: toErrorBody(error) });
    } finally {
      this.inFlight--;
    }
  }

  private subscribe(message: EnvelopeOf<'subscribe'>): void {
    if (message.name !== '*' && !isEventName(message.name)) {
      return this.refuse(message.id, new ContractError({ code: 'unknown-event', message: `unknown event "${message.name}"`, field: 'name' }));
    }
    if (!this.subscriptions.has(message.id) && this.subscriptions.size >= this.limit.maxSubscriptions) {
      return this.refuse(message.id, new ContractError({ code: 'limit-exceeded', message: `at most ${this.limit.maxSubscriptions} subscriptions per connection: unsubscribe one first`, field: 'subscriptions' }));
    }
    this.subscriptions.set(message.id, message.name);
    this.send({ kind: 'response', id: message.id, result: { subscribed: message.name } });
  }

  private unsubscribe(message: EnvelopeOf<'unsubscribe'>): void {
    this.subscriptions.delete(message.id);
    this.send({ kind: 'response', id: message.id, result: { unsubscribed: true } });
  }
}

/**
 * The one place a command's params are validated: `raw` (absent reads as {}) parsed with the command's schema
 * into what its handler takes; throws a ContractError (invalid-params) naming the bad field (`params.…`).
 */
export function parseParams<K extends CommandName>(name: K, raw: unknown): ParsedParams<K> {
  const shapeError = unsafeShape(raw);
  if (shapeError) throw shapeError;
  return parseOrThrow(commands[name].params, raw ?? {}, 'invalid-params', 'params') as ParsedParams<K>;
}

/** Deeper than any command's params go; past it input is refused before a schema (or a recursive JSON.stringify) walks it. */
const MAX_PARAMS_DEPTH = 32;

/**
 * Params no schema should see: nested past MAX_PARAMS_DEPTH, or with a `__proto__` key anywhere (JSON.parse makes it an
 * own key, and a record schema copying it sets the copy's prototype, smuggling fields past a strict schema).
 * Walked without recursion, so a million-deep array cannot overflow the stack.
 */
function unsafeShape(raw: unknown): ContractError | undefined {
  type Node = { value: unknown; key: string | number; parent: Node | null; depth: number };
  const pathOf = (node: Node): Array<string | number> => {
    const path: Array<string | number> = [];
    for (let n: Node | null = node; n !== null; n = n.parent) path.unshift(n.key);
    return path;
  };
  const stack: Node[] = [{ value: raw, key: 'params', parent: null, depth: 0 }];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const value = node.value;
    if (typeof value !== 'object' || value === null) continue;
    if (node.depth >= MAX_PARAMS_DEPTH) {
      return new ContractError({ code: 'invalid-params', message: `${fieldPath(pathOf(node))}: nested deeper than ${MAX_PARAMS_DEPTH} levels`, field: fieldPath(pathOf(node)) });
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], key: i, parent: node, depth: node.depth + 1 });
      continue;
    }
    for (const key of Object.keys(value)) {
      const child: Node = { value: (value as Record<string, unknown>)[key], key, parent: node, depth: node.depth + 1 };
      if (key === '__proto__') {
        return new ContractError({ code: 'invalid-params', message: `${fieldPath(pathOf(child))}: a key named __proto__ is not allowed`, field: fieldPath(pathOf(child)) });
      }
      stack.push(child);
    }
  }
  return undefined;
}

/** Validates an event payload before it is sent, so the engine cannot emit what the contract does not allow. */
export function checkEvent<K extends EventName>(name: K, payload: unknown): EventPayload<K> {
  const parsed = events[name].safeParse(payload);
  if (!parsed.success) throw fromZodError(parsed.error, 'internal', `event ${name}`);
  return parsed.data as EventPayload<K>;
}
