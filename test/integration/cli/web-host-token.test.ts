// The token leaves the address bar after the first load: `GET /?token=T` is answered with a redirect
// to `/` that sets an HttpOnly, SameSite=Strict cookie; the cookie then authorises the API and the
// WebSocket (Host/Origin checks stay: they are the CSRF guard); Bearer and ?token= still work for scripts.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawWebSocket } from '../../support/raw-websocket.js';
import { makeTempDir, removeDir } from '../../support/temp.js';
import { rawHttp, startWebLab, type WebLab } from '../../support/web-lab.js';

describe('web host: the token becomes a cookie', () => {
  let l: WebLab;
  let staticDir = '';
  let host = '';
  let origin = '';
  let cookie = '';
  beforeAll(async () => {
    staticDir = await makeTempDir('fd-static-');
    mkdirSync(join(staticDir, 'assets'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>lab</title>');
    l = await startWebLab({ staticDir });
    host = `127.0.0.1:${l.web.port}`;
    origin = `http://${host}`;
    cookie = `firedrill-token-${l.web.port}=${l.web.token}`;
  });
  afterAll(async () => {
    await l?.close();
    await removeDir(staticDir);
  });

  it('the first load trades ?token= for an HttpOnly, SameSite=Strict cookie and a redirect to the same page without it', async () => {
    expect(l.web.url).toBe(`http://127.0.0.1:${l.web.port}/?token=${l.web.token}`);
    const first = await l.call(`/?token=${l.web.token}`, { headers: { host } });
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.headers['referrer-policy']).toBe('no-referrer');
    const [setCookie] = first.headers['set-cookie'] as string[];
    expect(setCookie!.split('; ').sort()).toEqual([cookie, 'HttpOnly', 'Path=/', 'SameSite=Strict'].sort()); // no Secure: http on 127.0.0.1
    const other = await l.call(`/index.html?view=faults&token=${l.web.token}`, { headers: { host: `localhost:${l.web.port}` } });
    expect(other.status).toBe(303);
    expect(other.headers.location).toBe('/index.html?view=faults');
    // The page itself, as the browser loads it after the redirect.
    expect(await l.call('/', { headers: { host, cookie } })).toMatchObject({ status: 200, body: expect.stringContaining('<title>lab</title>') });
  });

  it('a wrong token or a foreign Host gets no cookie', async () => {
    const wrong = await l.call('/?token=nope', { headers: { host } });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const rebound = await l.call(`/?token=${l.web.token}`, { headers: { host: `evil.example:${l.web.port}` } });
    expect(rebound.status).toBe(403);
    expect(rebound.headers['set-cookie']).toBeUndefined();
  });

  it('the redirect never leaves this host', async () => {
    // An absolute-form target whose path starts with two slashes would be a protocol-relative Location.
    const { answer: reply } = await rawHttp(l.web.port, [`GET http://${host}//evil.example/x?token=${l.web.token} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`]);
    expect(reply).toMatch(/^HTTP\/1\.1 303 /);
    expect(reply).toMatch(/\r\nLocation: \/evil\.example\/x\r\n/i);
    // And an origin-form one: a path, however many slashes it starts with.
    const { answer: again } = await rawHttp(l.web.port, [`GET //evil.example/x?token=${l.web.token} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`]);
    expect(again).toMatch(/\r\nLocation: \/evil\.example\/x\r\n/i);
  });

  it('the cookie authorises the API: reads as they are, changes only from this lab page (Origin)', async () => {
    expect((await l.call('/api/state', { headers: { host, cookie } })).status).toBe(200);
    expect((await l.call('/metrics', { headers: { host, cookie } })).status).toBe(200);
    const before = await l.fingerprint();
    const post = (headers: Record<string, string>) => l.call('/api/commands/fault.list', { method: 'POST', headers: { host, ...headers }, body: '{}' });
    expect((await post({ cookie, origin })).status).toBe(200);
    expect(await post({ cookie })).toMatchObject({ status: 403, body: expect.stringContaining('"field":"origin"') });
    expect((await post({ cookie, origin: 'http://127.0.0.1:1' })).status).toBe(403); // same site, another port
    expect((await post({ cookie: `firedrill-token-1=${l.web.token}`, origin })).status).toBe(401); // another lab's cookie name
    expect((await post({ cookie: `firedrill-token-${l.web.port}=nope`, origin })).status).toBe(401);
    // Scripts and curl keep their ways.
    expect((await post({ authorization: `Bearer ${l.web.token}` })).status).toBe(200);
    expect((await l.call(`/api/commands/fault.list?token=${l.web.token}`, { method: 'POST', headers: { host }, body: '{}' })).status).toBe(200);
    expect(await l.fingerprint()).toBe(before);
  });

  it('the cookie authorises the WebSocket from this lab page only', async () => {
    const ws = await RawWebSocket.connect(l.web.port, '/api/events', { host, cookie, origin });
    ws.sendText(JSON.stringify({ kind: 'request', id: 'r1', name: 'fault.list' }));
    expect(await ws.message((m) => m.id === 'r1')).toMatchObject({ kind: 'response' });
    ws.destroy();
    await expect(RawWebSocket.connect(l.web.port, '/api/events', { host, cookie })).rejects.toThrow(/^HTTP\/1\.1 403 /);
    await expect(RawWebSocket.connect(l.web.port, '/api/events', { host, cookie, origin: 'http://evil.example' })).rejects.toThrow(/^HTTP\/1\.1 403 /);
    await expect(RawWebSocket.connect(l.web.port, '/api/events', { host, origin })).rejects.toThrow(/^HTTP\/1\.1 401 /);
  });
});
