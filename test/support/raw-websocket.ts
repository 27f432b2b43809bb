// A WebSocket client made of raw bytes over a real TCP socket, for sending what no library would:
// unmasked frames, RSV bits, reserved opcodes, bad UTF-8, bad close codes. 127.0.0.1 only.
import { randomBytes } from 'node:crypto';
import net from 'node:net';

export interface RawFrame {
  fin?: boolean;
  /** RSV1..3 as bits 4..6 of the first byte (0x40, 0x20, 0x10). */
  rsv?: number;
  opcode: number;
  /** Client frames must be masked; false sends one unmasked. */
  mask?: boolean;
  payload?: Buffer | string;
  /** Claims this length in the header instead of the payload's own. */
  length?: number;
}

/** Encodes one frame as a client would (masked unless told otherwise). */
export function encodeFrame(frame: RawFrame): Buffer {
  const payload = typeof frame.payload === 'string' ? Buffer.from(frame.payload) : (frame.payload ?? Buffer.alloc(0));
  const length = frame.length ?? payload.length;
  const masked = frame.mask ?? true;
  const head: number[] = [((frame.fin ?? true) ? 0x80 : 0) | (frame.rsv ?? 0) | frame.opcode];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126) head.push(maskBit | length);
  else if (length < 65_536) head.push(maskBit | 126, length >> 8, length & 0xff);
  else {
    head.push(maskBit | 127);
    const big = Buffer.alloc(8);
    big.writeBigUInt64BE(BigInt(length));
    head.push(...big);
  }
  if (!masked) return Buffer.concat([Buffer.from(head), payload]);
  const key = randomBytes(4);
  const body = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) body[i] = payload[i]! ^ key[i & 3]!;
  return Buffer.concat([Buffer.from(head), key, body]);
}

export interface ServerFrame {
  opcode: number;
  payload: Buffer;
}

/** One upgraded connection: write raw bytes, read the server's frames as they come. */
export class RawWebSocket {
  readonly frames: ServerFrame[] = [];
  closed = false;
  private buffer = Buffer.alloc(0);
  private readonly waiters = new Set<() => void>();

  private constructor(readonly socket: net.Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.parse();
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined); // a reset after a close frame is expected here
  }

  /** Upgrades `path` on 127.0.0.1:port; rejects with the status line when the server refuses. */
  static connect(port: number, path: string, headers: Record<string, string> = {}): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      let head = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        socket.off('data', onData);
        socket.off('error', reject);
        const status = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
        if (!/^HTTP\/1\.1 101 /.test(status)) {
          socket.destroy();
          return reject(new Error(status));
        }
        const ws = new RawWebSocket(socket);
        const rest = head.subarray(end + 4);
        if (rest.length > 0) socket.emit('data', rest);
        resolve(ws);
      };
      socket.on('data', onData);
      socket.once('error', reject);
      const lines = [
        `GET ${path} HTTP/1.1`,
        'Connection: Upgrade',
        'Upgrade: websocket',
        'Sec-WebSocket-Version: 13',
        `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}`,
        ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
      ];
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  }

  send(frame: RawFrame | Buffer): void {
    this.socket.write(Buffer.isBuffer(frame) ? frame : encodeFrame(frame));
  }

  sendText(text: string): void {
    this.send({ opcode: 1, payload: text });
  }

  /** The code of the server's close frame, once it comes (null if the socket closed without one). */
  async closeCode(timeoutMs = 5_000): Promise<number | null> {
    const frame = await this.waitFor((f) => f.opcode === 8, timeoutMs, true);
    return frame && frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : null;
  }

  /** The first text frame parsed as JSON that `match` accepts. */
  async message(match: (message: Record<string, unknown>) => boolean, timeoutMs = 5_000): Promise<Record<string, unknown>> {
    const frame = await this.waitFor((f) => f.opcode === 1 && match(JSON.parse(f.payload.toString('utf8')) as Record<string, unknown>), timeoutMs, false);
    return JSON.parse(frame!.payload.toString('utf8')) as Record<string, unknown>;
  }

  destroy(): void {
    this.socket.destroy();
  }

  private waitFor(match: (frame: ServerFrame) => boolean, timeoutMs: number, nullOnClose: boolean): Promise<ServerFrame | null> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const found = this.frames.find(match);
        if (found || (this.closed && nullOnClose)) {
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve(found ?? null);
        } else if (this.closed) {
          clearTimeout(timer);
          this.waiters.delete(check);
          reject(new Error('the server closed the connection'));
        }
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`no such frame in ${timeoutMs} ms (got opcodes ${this.frames.map((f) => f.opcode).join(',')})`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Server frames are never masked; lengths up to 2^53 are enough here. */
  private parse(): void {
    for (;;) {
      const b = this.buffer;
      if (b.length < 2) return;
      let length = b[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      if (b.length < offset + length) return;
      this.frames.push({ opcode: b[0]! & 0x0f, payload: b.subarray(offset, offset + length) });
      this.buffer = b.subarray(offset + length);
    }
  }
}
