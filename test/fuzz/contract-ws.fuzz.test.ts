// The command contract over the WebSocket, fuzzed against one real lab: every command in a request
// envelope with params built from its schema, broken in one place, or garbage; bad envelopes and
// frames that are not JSON; malformed frames as raw bytes; big messages. Never an `internal` error,
// never a crash or a stack trace, the connection stays open for anything that is a well-formed frame,
// and afterwards the lab is as it was.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { commands, events, type CommandName } from '../../shared/contract/index.js';
import { RawWebSocket, encodeFrame } from '../support/raw-websocket.js';
import { badJson, bigJson, hostileString, hostileValue, invalidParams, objectOf, safeParams } from './contract-arbitraries.js';
import { baselineOf, differencesFrom, restoreSettings, startFuzzLab, type FuzzLab, type LabBaseline } from './contract-fuzz-lab.js';
import { fuzzParameters, fuzzTimeoutMs } from './fuzz-settings.js';
import { sleep } from '../../shared/sleep.js';

const NAMES = Object.keys(commands) as CommandName[];
const EVENT_NAMES = Object.keys(events);
/** Valid forms of these read the lab, or change settings that are put back at the end (as in the HTTP fuzz). */
const SAFE = new Set<CommandName>(['lab.state', 'node.logs', 'balancer.set', 'traffic.stop', 'traffic.set', 'fault.revert', 'fault.halt', 'fault.list', 'ledger.check', 'drill.list', 'drill.get', 'drill.exportChaosMesh', 'drill.abort', 'drill.answer', 'drill.status', 'report.list', 'report.open', 'report.compare', 'report.export']);
const MALFORMED_CLOSE_CODES = [1002, 1007, 1008, 1009];

type Message = { kind?: unknown; id?: unknown; error?: { code?: unknown; message?: unknown }; name?: unknown };

/** One client connection: sends text, collects every message the host sends back. */
class Channel {
  readonly received: Message[] = [];
  private readonly waiters = new Set<() => void>();
  closed = false;
  closeCode: number | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      try {
        this.received.push(JSON.parse(data.toString('utf8')) as Message);
      } catch {
        this.received.push({ kind: 'not-json' });
      }
      for (const waiter of [...this.waiters]) waiter();
    });
    socket.on('close', (code: number) => {
      this.closed = true;
      this.closeCode = code;
      for (const waiter of [...this.waiters]) waiter();
    });
  }

  static open(f: FuzzLab): Promise<Channel> {
    const socket = new WebSocket(`ws://127.0.0.1:${f.web.port}/api/events`, { headers: f.auth, maxPayload: 64 * 1024 * 1024 });
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(new Channel(socket)));
      socket.once('error', reject);
    });
  }

  send(data: string | Buffer): void {
    this.socket.send(data);
  }

  /** The first reply (response or error) with this id after index `from`. */
  reply(id: string, from = 0, timeoutMs = 30_000): Promise<Message> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.received.slice(from).find((m) => (m.kind === 'response' || m.kind === 'error') && m.id === id);
        if (found || this.closed) {
          clearTimeout(timer);
          this.waiters.delete(check);
          if (found) resolve(found);
          else reject(new Error(`the connection closed before a reply to ${id}`));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no reply to ${id} in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** The close code once the host closes the connection. */
  async closedWith(timeoutMs = 10_000): Promise<number | null> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await sleep(20);
    return this.closeCode;
  }

  close(): void {
    this.socket.terminate();
  }
}

describe('fuzz: the contract over the WebSocket', () => {
  let f: FuzzLab;
  let baseline: LabBaseline;
  let channel: Channel;
  let next = 0;
  beforeAll(async () => {
    f = await startFuzzLab();
    baseline = await baselineOf(f);
    channel = await Channel.open(f);
  }, 60_000);
  afterAll(async () => {
    channel?.close();
    await f?.close();
  }, 30_000);

  const internalIn = (messages: Message[]): Message | undefined => messages.find((m) => m.kind === 'error' && m.error?.code === 'internal');

  it(
    'every command in a request envelope, with schema-shaped, broken and garbage params: a reply, never internal',
    async () => {
      const input = fc.constantFrom(...NAMES).chain((name) => fc.tuple(fc.constant(name), SAFE.has(name) ? safeParams(name) : invalidParams(name)));
      await fc.assert(
        fc.asyncProperty(input, async ([name, params]) => {
          const id = `q${++next}`;
          const from = channel.received.length;
          channel.send(JSON.stringify({ kind: 'request', id, name, params }));
          const reply = await channel.reply(id, from);
          if (reply.kind === 'error' && reply.error?.code === 'internal') throw new Error(`${name}: internal: ${String(reply.error.message)}`);
          if (!SAFE.has(name) && reply.kind !== 'error') throw new Error(`${name} accepted params it should refuse`);
        }),
        fuzzParameters(1),
      );
    },
    fuzzTimeoutMs(60, 1),
  );

  it(
    'bad envelopes and frames that are not JSON: an error naming the field, and the connection stays open',
    async () => {
      const id = fc.oneof(hostileString, fc.constant(undefined), hostileValue);
      const name = fc.oneof(hostileString, fc.constantFrom(...EVENT_NAMES, '*', ...SAFE));
      const envelope = fc.oneof(
        fc.record({ kind: fc.oneof(fc.constantFrom('request', 'response', 'error', 'subscribe', 'unsubscribe', 'event'), hostileString), id, name, params: hostileValue, result: hostileValue, error: hostileValue, payload: hostileValue, seq: hostileValue }, { requiredKeys: [] }),
        fc.tuple(fc.constantFrom(...SAFE), fc.string({ maxLength: 70 })).chain(([n, i]) => safeParams(n).map((params) => ({ kind: 'request', id: i, name: n, params }))),
        hostileValue,
      );
      const frame = fc.oneof(
        { weight: 6, arbitrary: envelope.map((e) => JSON.stringify(e) ?? 'undefined') },
        { weight: 2, arbitrary: badJson },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)) },
        { weight: 1, arbitrary: fc.tuple(fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'kind', 'id'), hostileValue), { maxLength: 4 })).map(([entries]) => JSON.stringify(objectOf([['kind', 'request'], ['id', 'p'], ['name', 'lab.state'], ...entries]))) },
      );
      await fc.assert(
        fc.asyncProperty(frame, async (data) => {
          const from = channel.received.length;
          channel.send(data);
          // Whatever it was, a request after it is answered: the host read it, refused it, and went on.
          const sentinel = `sentinel${++next}`;
          channel.send(JSON.stringify({ kind: 'request', id: sentinel, name: 'fault.list' }));
          const reply = await channel.reply(sentinel, from);
          if (reply.kind !== 'response') throw new Error(`the sentinel got ${JSON.stringify(reply).slice(0, 200)}`);
          const internal = internalIn(channel.received.slice(from));
          if (internal) throw new Error(`internal: ${JSON.stringify(internal).slice(0, 300)}`);
          // Subscriptions a garbage envelope happened to make are taken back, so events do not pile up.
          const parsed = typeof data === 'string' ? safeParse(data) : undefined;
          if (parsed?.kind === 'subscribe' && typeof parsed.id === 'string') channel.send(JSON.stringify({ kind: 'unsubscribe', id: parsed.id.slice(0, 64) || 'x' }));
        }),
        fuzzParameters(1),
      );
      expect(channel.closed).toBe(false);
    },
    fuzzTimeoutMs(20, 1),
  );

  it(
    'malformed frames as raw bytes: closed with a protocol code, and the lab goes on',
    async () => {
      const frame = fc.record({
        fin: fc.boolean(),
        rsv: fc.constantFrom(0, 0x10, 0x20, 0x40, 0x70),
        opcode: fc.integer({ min: 0, max: 15 }),
        mask: fc.boolean(),
        payload: fc.oneof(fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), badJson, hostileValue.map((v) => JSON.stringify(v) ?? '')),
      });
      await fc.assert(
        fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 3 }), fc.boolean(), async (frames, truncate) => {
          const ws = await RawWebSocket.connect(f.web.port, '/api/events', f.auth);
          try {
            const bytes = Buffer.concat(frames.map((fr) => encodeFrame(fr)));
            ws.send(truncate ? bytes.subarray(0, Math.max(1, bytes.length - 3)) : bytes);
            // A close frame from us is answered with one; a well-formed data frame is answered (or ignored); a
            // malformed one is closed with a protocol code. Either way the host answers the next connection.
            ws.send({ opcode: 8, payload: Buffer.from([0x03, 0xe8]) });
            const code = await ws.closeCode(2_000).catch(() => null);
            if (code !== null && code !== 1000 && code !== 1005 && !MALFORMED_CLOSE_CODES.includes(code)) throw new Error(`closed with ${code}`);
          } finally {
            ws.destroy();
          }
          if (f.crashes().length > 0) throw new Error(`crashed: ${String(f.crashes()[0])}`);
        }),
        fuzzParameters(0.1),
      );
    },
    fuzzTimeoutMs(400, 0.1),
  );

  it(
    'big messages (1 MB strings, deep nesting, many keys): an error, or a close with 1009 past 1 MiB',
    async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...NAMES), bigJson, async (name, value) => {
          const big = await Channel.open(f);
          try {
            const text = `{"kind":"request","id":"big","name":${JSON.stringify(name)},"params":{"id":${value}}}`;
            big.send(text);
            if (Buffer.byteLength(text) > 1 << 20) {
              const code = await big.closedWith();
              if (code !== 1009) throw new Error(`${name}: a message over 1 MiB closed with ${code}`);
              return;
            }
            const reply = await big.reply('big');
            if (reply.kind !== 'error' || reply.error?.code === 'internal') throw new Error(`${name}: ${JSON.stringify(reply).slice(0, 200)}`);
          } finally {
            big.close();
          }
        }),
        fuzzParameters(0.02),
      );
    },
    fuzzTimeoutMs(300, 0.02),
  );

  it('a handful of the drastic commands, valid, over the WebSocket; then the lab is as it was', async () => {
    const ok = async (name: CommandName, params: unknown): Promise<Message & { result?: { id?: string } }> => {
      const id = `ok${++next}`;
      const from = channel.received.length;
      channel.send(JSON.stringify({ kind: 'request', id, name, params }));
      const reply = await channel.reply(id, from, 60_000);
      expect(reply, name).toMatchObject({ kind: 'response' });
      return reply as Message & { result?: { id?: string } };
    };
    const fault = await ok('fault.inject', { type: 'latency', target: 'p1', attributes: { latency: 5 }, durationMs: 60_000 });
    await ok('fault.revert', { id: fault.result?.id });
    // The standby, so that no failover changes the roles (a paused primary would rightly be failed over).
    await ok('fault.inject', { type: 'pause', target: 's1', durationMs: 60_000 });
    await ok('fault.halt', {});
    await ok('traffic.start', { rate: 50, durationMs: 300 });
    await ok('node.restart', { id: 's1' });
    await restoreSettings(f, baseline);
    expect(await differencesFrom(f, baseline)).toEqual([]);
    expect(channel.closed).toBe(false);
    expect(f.crashes()).toEqual([]);
    expect(f.stackTraces()).toEqual([]);
  }, 120_000);
});

function safeParse(text: string): Message | undefined {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Message) : undefined;
  } catch {
    return undefined;
  }
}
