// One malformed WebSocket frame used to kill the web host (no 'error' listener on the socket):
// each kind, as raw bytes after a real upgrade, is now closed with its code and the lab goes on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawWebSocket, encodeFrame } from '../../support/raw-websocket.js';
import { startWebLab, watchCrashes, type WebLab } from '../../support/web-lab.js';
import { sleep } from '../../../shared/sleep.js';

describe('web host: malformed WebSocket frames', () => {
  let l: WebLab;
  let before = '';
  beforeAll(async () => {
    l = await startWebLab();
    before = await l.fingerprint();
  });
  afterAll(() => l?.close());

  const upgrade = (): Promise<RawWebSocket> => RawWebSocket.connect(l.web.port, '/api/events', l.auth);
  const MiB = 1 << 20;

  it.each([
    { kind: 'an unmasked frame', frame: encodeFrame({ opcode: 1, payload: '{}', mask: false }), code: 1002 },
    { kind: 'RSV1 set (no extension agreed)', frame: encodeFrame({ opcode: 1, payload: '{}', rsv: 0x40 }), code: 1002 },
    { kind: 'RSV2 and RSV3 set', frame: encodeFrame({ opcode: 1, payload: '{}', rsv: 0x30 }), code: 1002 },
    { kind: 'a reserved data opcode (0x3)', frame: encodeFrame({ opcode: 3, payload: 'x' }), code: 1002 },
    { kind: 'a reserved control opcode (0xB)', frame: encodeFrame({ opcode: 0xb }), code: 1002 },
    { kind: 'invalid UTF-8 in a text frame', frame: encodeFrame({ opcode: 1, payload: Buffer.from([0x7b, 0xc3, 0x28, 0x7d]) }), code: 1007 },
    { kind: 'a close frame with a bad code (999)', frame: encodeFrame({ opcode: 8, payload: Buffer.from([0x03, 0xe7]) }), code: 1002 },
    { kind: 'a close frame with a reserved code (1005)', frame: encodeFrame({ opcode: 8, payload: Buffer.from([0x03, 0xed]) }), code: 1002 },
    { kind: 'a close frame with invalid UTF-8 in its reason', frame: encodeFrame({ opcode: 8, payload: Buffer.from([0x03, 0xe8, 0xff]) }), code: 1007 },
    { kind: 'a ping over 125 bytes', frame: encodeFrame({ opcode: 9, payload: Buffer.alloc(200) }), code: 1002 },
    { kind: 'a fragmented control frame', frame: encodeFrame({ opcode: 9, fin: false, payload: 'x' }), code: 1002 },
    { kind: 'a continuation with nothing to continue', frame: encodeFrame({ opcode: 0, payload: 'x' }), code: 1002 },
    { kind: 'one message over 1 MiB', frame: encodeFrame({ opcode: 1, payload: Buffer.alloc(MiB + 1, 0x20) }), code: 1009 },
    { kind: 'a frame header claiming 2^53 bytes', frame: encodeFrame({ opcode: 2, length: Number.MAX_SAFE_INTEGER }), code: 1009 },
    {
      kind: 'a message over 1 MiB in fragments',
      frame: Buffer.concat([encodeFrame({ opcode: 1, fin: false, payload: Buffer.alloc(MiB / 2, 0x20) }), encodeFrame({ opcode: 0, fin: false, payload: Buffer.alloc(MiB / 2, 0x20) }), encodeFrame({ opcode: 0, payload: Buffer.alloc(16, 0x20) })]),
      code: 1009,
    },
  ])('$kind: closed with $code, and the lab keeps serving', async ({ frame, code }) => {
    const crashes = watchCrashes();
    try {
      const ws = await upgrade();
      ws.send(frame);
      expect(await ws.closeCode()).toBe(code);
      ws.destroy();
      // Another client is served as before, over HTTP and over the WebSocket.
      expect(await l.fingerprint()).toBe(before);
      const next = await upgrade();
      next.sendText(JSON.stringify({ kind: 'request', id: 'r1', name: 'fault.list' }));
      expect(await next.message((m) => m.id === 'r1')).toMatchObject({ kind: 'response', id: 'r1' });
      next.destroy();
    } finally {
      crashes.stop();
    }
    expect(crashes.errors).toEqual([]);
  });

  it('a client that resets its connection mid-frame or mid-handshake leaves the lab as it was', async () => {
    const crashes = watchCrashes();
    try {
      const ws = await upgrade();
      ws.send(encodeFrame({ opcode: 1, payload: Buffer.alloc(1000, 0x20) }).subarray(0, 500));
      ws.socket.resetAndDestroy();
      const refused = await RawWebSocket.connect(l.web.port, '/api/events', { host: l.auth.host! }).catch((error: Error) => error.message);
      expect(refused).toMatch(/^HTTP\/1\.1 401 /);
      await sleep(100);
      expect(await l.fingerprint()).toBe(before);
    } finally {
      crashes.stop();
    }
    expect(crashes.errors).toEqual([]);
  });
});
