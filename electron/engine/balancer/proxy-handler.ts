// The request path: pick a node, forward the request (bodies streamed both ways), time each try
// out, retry where HTTP allows it, and report one outcome per request. This is the hot path:
// one Exchange per request and one Attempt per try, no logging, no JSON, no per-request timer.
//
// Retry rules, in order: retries enabled; tries < maxTries; the body can be sent again (no body,
// or one buffered because it was ≤ 1 MiB with a Content-Length); the method is idempotent (GET,
// HEAD, OPTIONS, TRACE, and PUT / DELETE, which HTTP defines as idempotent) — any other method
// only when the try never reached a node (connection refused); no response byte sent yet; the
// retry budget allows one. A retry goes to a node not tried yet when one is in rotation.
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import type { BalancerSettings } from '../../../shared/contract/model';
import { now } from '../clock';
import { DeadlineQueue, type DeadlineEntry } from './deadline-queue';
import { FailoverHold, RETRY_AFTER_S, type HeldRequest } from './failover-hold';
import { NODE_HEADER, TRIES_HEADER, forwardRequestHeaders, forwardResponseHeaders, type RequestBodyInfo } from './hop-headers';
import type { OutlierDetector } from './outlier-detector';
import type { RetryBudget } from './retry-budget';
import { createStrategy, type Strategy } from './strategies';
import type { RequestOutcome } from './types';
import type { Upstream, UpstreamPool } from './upstream-pool';
import { labRandom } from '../random';

/** Largest request body kept in memory so that it can be sent again on a retry. */
export const MAX_REPLAY_BYTES = 1024 * 1024;
const TRIES = Array.from({ length: 16 }, (_, i) => String(i));
/** The exchanges still open on a client connection (newest first; more than one only with pipelining). */
const OPEN = Symbol('firedrill.open');

const enum Phase {
  /** Sent (or queued for a connection); no response headers yet; the per-try timer runs. */
  Waiting,
  /** Response headers passed on to the client; body chunks follow. */
  Forwarding,
  /** A 5xx that is being retried elsewhere: its body is read and dropped, keeping the connection. */
  Discarding,
  Done,
}

class Abort extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}
const TIMEOUT = new Abort('timeout');
const CLIENT_GONE = new Abort('client-aborted');
const INJECTED_ABORT = new Abort('injected-abort');

/** An HTTP fault at the hop to one node (see ../faults): answer for it, or cut its response. */
export type HttpFault = { kind: 'error'; status: number; share: number } | { kind: 'abort'; share: number; afterBytes: number };

function isIdempotent(method: string): boolean {
  switch (method) {
    case 'GET':
    case 'HEAD':
    case 'OPTIONS':
    case 'TRACE':
    case 'PUT':
    case 'DELETE':
      return true;
    default:
      return false;
  }
}

/** The outcome's name for an upstream error. */
function errorCode(error: Error): string {
  if (error instanceof Abort) return error.code;
  const code = (error as { code?: string }).code;
  switch (code) {
    case 'ECONNRESET':
    case 'EPIPE':
    case 'UND_ERR_SOCKET':
      return 'ECONNRESET';
    case 'UND_ERR_CLOSED':
    case 'UND_ERR_DESTROYED':
      return 'upstream-closed';
    case undefined:
      return error.message || 'error';
    default:
      return code;
  }
}

/** Errors after which the request surely never reached the node (safe to retry any method). */
function neverReached(code: string): boolean {
  return code === 'ECONNREFUSED' || code === 'upstream-closed';
}

/** Errors after which the node is gone from the wire (refused, reset, closed): a lost primary looks like this. */
function lostNode(code: string): boolean {
  return code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'upstream-closed';
}

/** Errors that say something about the request, not the node. */
function requestFault(code: string): boolean {
  return code === 'UND_ERR_INVALID_ARG' || code === 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH' || code === 'client-aborted';
}

/** One try of one request on one node; it is also the undici dispatch handler for that try. */
class Attempt implements DeadlineEntry, Dispatcher.DispatchHandler {
  deadline = 0;
  dqPrev: DeadlineEntry | null = null;
  dqNext: DeadlineEntry | null = null;
  dqQueued = false;
  phase = Phase.Waiting;
  released = false;
  abort: ((error?: Error) => void) | null = null;
  resume: (() => void) | null = null;
  /** An injected http_abort: response body bytes let through before the client's response is cut (-1: none). */
  abortAfter = -1;

  constructor(
    readonly exchange: Exchange,
    readonly upstream: Upstream,
    readonly startedAt: number,
  ) {}

  onConnect(abort: (error?: Error) => void): void {
    if (this.phase === Phase.Done) abort(TIMEOUT);
    else this.abort = abort;
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    if (this.phase !== Phase.Waiting || status < 200) return true;
    return this.exchange.headers(this, status, raw, resume);
  }

  onData(chunk: Buffer): boolean {
    return this.phase === Phase.Forwarding ? this.exchange.forward(chunk, this) : true;
  }

  onComplete(): void {
    this.exchange.complete(this);
  }

  onError(error: Error): void {
    this.exchange.failed(this, error);
  }
}

type TrackedSocket = Socket & { [OPEN]?: Exchange | null };

/** One listener per client connection (not per request): its close aborts what is still open on it. */
function onClientSocketClose(this: TrackedSocket): void {
  let exchange = this[OPEN] ?? null;
  this[OPEN] = null;
  while (exchange !== null) {
    const older = exchange.olderOnSocket;
    exchange.olderOnSocket = null;
    exchange.clientClosed();
    exchange = older;
  }
}

/** One client request, across its tries (and, in a standby topology, the failover hold). */
class Exchange implements RequestBodyInfo, HeldRequest {
  contentLength = -1;
  chunked = false;
  tries = 0;
  triedMask = 0;
  node: Upstream | null = null;
  attempt: Attempt | null = null;
  replayable = true;
  done = false;
  clientGone = false;
  status = 0;
  error: string | undefined = undefined;
  /** Response body bytes still expected (from Content-Length), or -1. */
  remaining = -1;
  ended = false;
  olderOnSocket: Exchange | null = null;
  /** The failover hold: when it started waiting (-1: not held), how long in all, and on which node's failure (null: none). */
  heldAt = -1;
  heldMs = -1;
  failedOn: Upstream | null = null;
  /** The lost node the hold kept it for, or refused it for (the incident it counts in). */
  heldFor: string | null = null;
  /** The balancer's own 503 says when to come back. */
  retryAfter = false;
  readonly idempotent: boolean;
  readonly opts: Dispatcher.DispatchOptions;
  /** The client's connection, kept here: undici nulls `req.socket` when it destroys a streamed body. */
  readonly socket: TrackedSocket;

  constructor(
    readonly h: ProxyHandler,
    readonly req: http.IncomingMessage,
    readonly res: http.ServerResponse,
    readonly method: string,
    readonly startedAt: number,
  ) {
    this.idempotent = isIdempotent(method);
    this.socket = req.socket as TrackedSocket;
    this.opts = { path: req.url!, method, headers: forwardRequestHeaders(req.rawHeaders, this.socket.remoteAddress, this), body: null };
  }

  start(): void {
    const h = this.h;
    h.budget.countRequest(this.startedAt);
    const socket = this.socket;
    this.olderOnSocket = socket[OPEN] ?? null;
    socket[OPEN] = this;
    if (this.contentLength <= 0 && !this.chunked) return this.first(this.startedAt);
    if (h.retryEnabled && h.maxTries > 1 && !this.chunked && this.contentLength <= MAX_REPLAY_BYTES) return this.bufferBody();
    this.opts.body = this.req as Readable;
    this.replayable = false;
    this.first(this.startedAt);
  }

  // ---- undici callbacks (through Attempt) ----

  headers(a: Attempt, status: number, raw: Buffer[], resume: () => void): boolean {
    const at = now();
    const h = this.h;
    const u = a.upstream;
    h.deadlines.remove(a);
    let error: string | undefined;
    if (status >= 500) {
      u.recordLatency(Math.max(at - a.startedAt, h.perTryTimeoutMs), at, h.ewmaDecayMs);
      h.outlier.failure(u, at, `answered ${status}`);
      if (this.mayRetry(true)) {
        const next = this.retryTarget(at);
        if (next !== null) {
          if (h.budget.tryAcquire(at, h.budgetPercent, h.budgetMinPerSec)) {
            a.phase = Phase.Discarding;
            this.release(a);
            this.dispatch(next, at);
            return true;
          }
          error = 'budget-exhausted';
        }
      }
    } else {
      u.recordLatency(at - a.startedAt, at, h.ewmaDecayMs);
      h.outlier.success(u);
      h.pool.served(u, at);
    }
    a.phase = Phase.Forwarding;
    a.resume = resume;
    this.status = status;
    this.error = error;
    const res = this.res;
    res.sendDate = false; // the upstream's Date passes through
    res.writeHead(status, forwardResponseHeaders(raw, u.id, TRIES[this.tries] ?? String(this.tries), this));
    if (this.method === 'HEAD' || status === 204 || status === 304) this.remaining = -1;
    return true;
  }

  forward(chunk: Buffer, a: Attempt): boolean {
    if (a.abortAfter >= 0 && (a.abortAfter -= chunk.length) < 0) return this.injectedAbort(a, chunk.subarray(0, chunk.length + a.abortAfter));
    // The last bytes of a Content-Length body go out with end(): headers, body and end in one write.
    if (this.remaining >= 0 && (this.remaining -= chunk.length) === 0) {
      this.ended = true;
      this.res.end(chunk);
      return true;
    }
    if (this.res.write(chunk)) return true;
    if (a.resume !== null) this.res.once('drain', a.resume);
    return false;
  }

  complete(a: Attempt): void {
    const phase = a.phase;
    a.phase = Phase.Done;
    this.release(a);
    if (phase !== Phase.Forwarding) return;
    if (!this.ended) this.res.end();
    this.finish(now());
  }

  failed(a: Attempt, error: Error): void {
    const phase = a.phase;
    if (phase === Phase.Done) return;
    const at = now();
    a.phase = Phase.Done;
    this.release(a);
    if (phase === Phase.Discarding) return;
    const code = errorCode(error);
    if (phase === Phase.Forwarding) {
      // Response bytes already went out: too late to retry; the client sees a cut response.
      if (!this.clientGone) this.h.outlier.failure(a.upstream, at, code);
      this.error = code;
      this.res.destroy();
      this.finish(at);
      return;
    }
    this.h.deadlines.remove(a);
    this.tryFailed(a, at, code);
  }

  /** The shared per-try timer fired for this try. */
  timedOut(a: Attempt, at: number): void {
    if (a.phase !== Phase.Waiting) return;
    a.phase = Phase.Done;
    this.release(a);
    a.abort?.(TIMEOUT); // not connected yet: Attempt.onConnect aborts when it is
    this.tryFailed(a, at, 'timeout');
  }

  clientClosed(): void {
    if (this.done) return;
    this.clientGone = true;
    const a = this.attempt;
    if (a !== null && (a.phase === Phase.Waiting || a.phase === Phase.Forwarding)) {
      if (a.phase === Phase.Waiting) this.h.deadlines.remove(a);
      a.phase = Phase.Done;
      this.release(a);
      a.abort?.(CLIENT_GONE);
    }
    this.error = 'client-aborted'; // status stays 0 unless a response had started
    this.finish(now());
  }

  // ---- tries ----

  private first(at: number): void {
    const u = this.h.strategy.pick(this.h.pool.rotation, 0, at);
    if (u === null) {
      const hold = this.h.hold;
      if (hold.armed) {
        // Nothing sent yet: an idempotent request waits for the successor; a write is told to come back.
        if (this.idempotent && this.hold(at, null)) return;
        if (hold.lost !== null) return this.failoverReply(this.idempotent ? 'failover-deadline' : 'failover-write-refused');
      }
      this.error = 'no-upstream';
      return this.reply(503);
    }
    this.dispatch(u, at);
  }

  // ---- the failover hold (failover-hold.ts) ----

  private hold(at: number, failedOn: Upstream | null): boolean {
    if (!this.h.hold.add(this, at)) return false;
    if (this.heldMs < 0) this.heldMs = 0;
    this.failedOn = failedOn;
    return true;
  }

  private leaveHold(at: number): void {
    if (this.heldAt < 0) return;
    const hold = this.h.hold;
    // Only a failover announced while it waited names a node (a park that ended in a plain retry names none).
    this.heldFor = hold.attribution(this.heldAt) ?? this.heldFor;
    this.heldMs += at - this.heldAt;
    this.heldAt = -1;
    hold.remove(this);
  }

  resumeHeld(at: number, force: boolean): void {
    const h = this.h;
    const hold = h.hold;
    let u: Upstream | null = null;
    for (const c of h.pool.rotation) {
      if (!hold.eligible(c, this.failedOn, this.heldAt)) continue;
      // A node this request has not tried first (the new primary), as a retry would.
      if (u === null || ((u.bit & this.triedMask) !== 0 && (c.bit & this.triedMask) === 0)) u = c;
    }
    if (u === null && !force) return;
    this.leaveHold(at);
    const code = this.error;
    // Forced (a park ran out, the hold disarmed): what an ordinary retry would have done.
    if (u === null) u = this.tries > 0 && this.tries < h.maxTries ? this.retryTarget(at) : this.tries > 0 ? null : h.strategy.pick(h.pool.rotation, 0, at);
    if (u === null) {
      if (this.tries === 0) this.error = 'no-upstream';
      return this.reply(this.tries === 0 ? 503 : code === 'timeout' ? 504 : 502);
    }
    // A request already sent once is sent again: a retry, within the budget.
    if (this.tries > 0 && !h.budget.tryAcquire(at, h.budgetPercent, h.budgetMinPerSec)) {
      this.error = 'budget-exhausted';
      return this.reply(502);
    }
    this.dispatch(u, at);
  }

  expireHeld(at: number): void {
    this.leaveHold(at);
    this.failoverReply('failover-deadline');
  }

  /** The hold's own 503, with Retry-After: held past the deadline, or a write that could not be sent or known to land. */
  private failoverReply(error: string, node: Upstream | null = this.node): void {
    this.error = error;
    this.retryAfter = true;
    this.node = node;
    this.heldFor ??= this.h.hold.lost ?? node?.id ?? null;
    this.reply(503);
  }

  private dispatch(u: Upstream, at: number): void {
    const injected = this.h.httpFaults.size > 0 ? this.h.httpFaults.get(u.id) : undefined;
    let abortAfter = -1;
    if (injected !== undefined) {
      for (const fault of injected) {
        if (fault.share < 1 && labRandom() >= fault.share) continue;
        if (fault.kind === 'error') return this.injectedError(u, at, fault.status);
        abortAfter = fault.afterBytes;
        break;
      }
    }
    this.tries++;
    this.triedMask |= u.bit;
    this.node = u;
    const a = new Attempt(this, u, at);
    a.abortAfter = abortAfter;
    this.attempt = a;
    u.inflight++;
    this.h.deadlines.add(a, at + this.h.perTryTimeoutMs);
    u.client.dispatch(this.opts, a);
  }

  /** An http_error fault: the hop answers for the node, as if the node had answered `status`. */
  private injectedError(u: Upstream, at: number, status: number): void {
    const h = this.h;
    this.tries++;
    this.triedMask |= u.bit;
    this.node = u;
    this.error = 'injected';
    if (status >= 500) {
      h.outlier.failure(u, at, `answered ${status} (injected)`);
      if (this.mayRetry(true)) {
        const next = this.retryTarget(at);
        if (next !== null) {
          if (h.budget.tryAcquire(at, h.budgetPercent, h.budgetMinPerSec)) return this.dispatch(next, at);
          this.error = 'budget-exhausted';
        }
      }
    }
    this.reply(status);
  }

  /** An http_abort fault: the client's response is cut after the allowed bytes; the node's request is aborted. */
  private injectedAbort(a: Attempt, last: Buffer): boolean {
    const at = now();
    if (last.length > 0) this.res.write(last);
    a.phase = Phase.Done;
    this.release(a);
    a.abort?.(INJECTED_ABORT);
    this.h.outlier.failure(a.upstream, at, 'response aborted (injected)');
    this.error = 'injected-abort';
    this.res.destroy();
    this.finish(at);
    return false;
  }

  private tryFailed(a: Attempt, at: number, code: string): void {
    const h = this.h;
    this.error = code;
    const gone = this.clientGone || this.res.destroyed;
    if (gone) {
      this.clientGone = true;
      this.error = 'client-aborted';
      this.finish(at);
      return;
    }
    if (!requestFault(code)) {
      a.upstream.recordLatency(Math.max(at - a.startedAt, h.perTryTimeoutMs), at, h.ewmaDecayMs);
      h.outlier.failure(a.upstream, at, code);
    }
    // A standby topology's only node gone from the wire: a failover may be on its way (failover-hold.ts).
    if (h.hold.armed && lostNode(code) && !this.otherNodeInRotation()) {
      if (!this.idempotent) return this.failoverReply(neverReached(code) ? 'failover-write-refused' : 'failover-write-unknown');
      // Without a failover announced, a park is only a pause before a retry: none once the tries are spent.
      if (h.retryEnabled && this.replayable && (h.hold.lost !== null || this.tries < h.maxTries)) {
        if (this.hold(at, a.upstream)) return;
        // Past the deadline of a failover still under way: come back later.
        if (h.hold.lost !== null) return this.failoverReply('failover-deadline');
      }
    }
    if (!requestFault(code) && this.mayRetry(!neverReached(code))) {
      const next = this.retryTarget(at);
      if (next !== null) {
        if (h.budget.tryAcquire(at, h.budgetPercent, h.budgetMinPerSec)) return this.dispatch(next, at);
        this.error = 'budget-exhausted';
      }
    }
    this.reply(code === 'timeout' ? 504 : 502);
  }

  private mayRetry(reachedNode: boolean): boolean {
    const h = this.h;
    if (!h.retryEnabled || this.tries >= h.maxTries || !this.replayable || this.clientGone) return false;
    return this.idempotent || !reachedNode;
  }

  private otherNodeInRotation(): boolean {
    for (const u of this.h.pool.rotation) if ((u.bit & this.triedMask) === 0) return true;
    return false;
  }

  /** A node not tried yet if one is in rotation, else any node in rotation, else null. */
  private retryTarget(at: number): Upstream | null {
    const rotation = this.h.pool.rotation;
    return this.h.strategy.pick(rotation, this.triedMask, at) ?? this.h.strategy.pick(rotation, 0, at);
  }

  private release(a: Attempt): void {
    if (a.released) return;
    a.released = true;
    a.upstream.inflight--;
  }

  private bufferBody(): void {
    const chunks: Buffer[] = [];
    let size = 0;
    this.req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    this.req.once('end', () => {
      if (this.done) return;
      this.opts.body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
      this.first(now());
    });
    this.req.once('error', () => this.clientClosed());
  }

  private leaveSocket(): void {
    const socket = this.socket;
    if (socket[OPEN] === this) {
      socket[OPEN] = this.olderOnSocket;
    } else {
      for (let e = socket[OPEN] ?? null; e !== null; e = e.olderOnSocket) {
        if (e.olderOnSocket === this) {
          e.olderOnSocket = this.olderOnSocket;
          break;
        }
      }
    }
    this.olderOnSocket = null;
  }

  /** The balancer's own answer when no node gave one (no-upstream, refused, timed out ...). */
  private reply(status: number): void {
    const res = this.res;
    this.status = status;
    if (res.headersSent || res.destroyed) {
      res.destroy();
      return this.finish(now());
    }
    // A streamed body cut short leaves the rest of it unread on the connection: it cannot carry another request.
    if (!this.replayable && !this.req.complete) res.shouldKeepAlive = false;
    const body = `${status} ${this.error ?? 'error'}\n`;
    const headers = ['content-type', 'text/plain; charset=utf-8', 'content-length', String(Buffer.byteLength(body)), TRIES_HEADER, TRIES[this.tries] ?? String(this.tries)];
    if (this.node !== null) headers.push(NODE_HEADER, this.node.id);
    if (this.retryAfter) headers.push('retry-after', RETRY_AFTER_S);
    res.writeHead(status, headers);
    res.end(body);
    this.finish(now());
  }

  private finish(at: number): void {
    if (this.done) return;
    this.done = true;
    this.leaveHold(at);
    this.leaveSocket();
    const listeners = this.h.listeners;
    if (listeners.size === 0) return;
    const outcome: RequestOutcome = {
      startedAt: this.startedAt,
      durationMs: at - this.startedAt,
      method: this.method,
      nodeId: this.node === null ? null : this.node.id,
      status: this.status,
      ok: this.error === undefined && this.status < 500,
      tries: this.tries,
      retried: this.tries > 1,
      error: this.error,
    };
    if (this.heldMs >= 0 || this.retryAfter) {
      if (this.heldMs >= 0) outcome.heldMs = this.heldMs;
      outcome.heldFor = this.heldFor;
    }
    for (const listener of listeners) {
      try {
        listener(outcome);
      } catch (error) {
        // A metrics bug must not break the request path (this runs inside undici's callbacks).
        process.emitWarning(`balancer outcome listener threw: ${String(error)}`);
      }
    }
  }
}

/** The node:http request listener, and the settings the request path reads on every request. */
export class ProxyHandler {
  readonly listeners = new Set<(outcome: RequestOutcome) => void>();
  /** Active HTTP faults by node id; empty on the normal path, which then pays one size check. */
  readonly httpFaults = new Map<string, HttpFault[]>();
  readonly deadlines: DeadlineQueue<Attempt>;
  readonly hold: FailoverHold<Exchange>;
  strategy!: Strategy;
  perTryTimeoutMs = 1_000;
  retryEnabled = true;
  maxTries = 3;
  budgetPercent = 20;
  budgetMinPerSec = 10;
  ewmaDecayMs = 1_000;

  constructor(
    readonly pool: UpstreamPool,
    readonly outlier: OutlierDetector,
    readonly budget: RetryBudget,
    settings: BalancerSettings,
  ) {
    this.deadlines = new DeadlineQueue<Attempt>((a, at) => a.exchange.timedOut(a, at));
    this.hold = new FailoverHold<Exchange>(settings.failover, () => this.pool.rotation);
    this.configure(settings, null);
  }

  configure(settings: BalancerSettings, previous: BalancerSettings | null): void {
    if (!previous || previous.strategy !== settings.strategy || previous.ewmaDecayMs !== settings.ewmaDecayMs) {
      if (settings.strategy === 'weighted-round-robin' && previous?.strategy !== 'weighted-round-robin') {
        for (const u of this.pool.all) u.wrrCurrent = 0;
      }
      this.strategy = createStrategy(settings.strategy, settings);
    }
    const retry = settings.retry;
    this.perTryTimeoutMs = retry.perTryTimeoutMs;
    this.retryEnabled = retry.enabled;
    this.maxTries = retry.maxTries;
    this.budgetPercent = retry.budgetPercent;
    this.budgetMinPerSec = retry.budgetMinPerSec;
    this.ewmaDecayMs = settings.ewmaDecayMs;
    if (previous !== null && previous.failover !== settings.failover) this.hold.configure(settings.failover);
  }

  /** Registered for the server's 'connection' event. */
  readonly connection = (socket: Socket): void => {
    (socket as TrackedSocket)[OPEN] = null;
    socket.on('close', onClientSocketClose);
  };

  readonly handle = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const startedAt = now();
    const method = req.method ?? 'GET';
    const url = req.url;
    if (url === undefined || url.charCodeAt(0) !== 47 /* '/' */) {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' }).end('400 only origin-form request targets (/path) are proxied\n');
      return;
    }
    new Exchange(this, req, res, method, startedAt).start();
  };

  dispose(): void {
    this.deadlines.dispose();
    this.hold.dispose();
  }
}
