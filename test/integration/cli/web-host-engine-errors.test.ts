// What the engine cannot do because of the lab's own state is a 4xx naming what is in the way, never a
// 500 `internal`: the fuzz found ledger.check answering 500 when the primary hung or was fenced mid-read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { startWebHost, type WebHost } from '../../../electron/cli/web-host.js';
import { Lab } from '../../../electron/engine/lab.js';
import { makeTempDir, removeDir } from '../../support/temp.js';
import { httpCall } from '../../support/web-lab.js';

describe('web host: the engine refuses what the lab cannot do with a 4xx', () => {
  let dir = '';
  let lab: Lab;
  let web: WebHost;
  beforeAll(async () => {
    dir = await makeTempDir('fd-engine-errors-');
    lab = await Lab.create({ runDir: join(dir, 'run'), reportsDir: join(dir, 'reports') });
    web = await startWebHost({ host: lab.host, port: 0 });
  }, 30_000);
  afterAll(async () => {
    await web?.close();
    await lab?.dispose();
    await removeDir(dir);
  });

  const command = (name: string, params: unknown) =>
    httpCall(web.port, `/api/commands/${name}`, { method: 'POST', headers: { authorization: `Bearer ${web.token}`, host: `127.0.0.1:${web.port}` }, body: JSON.stringify(params), timeoutMs: 30_000 });

  it('ledger.check while the primary hangs: 409 naming the primary, not 500', async () => {
    // Checks off, so that nothing fails the hung primary over while it is read (the read itself must end it).
    expect((await command('balancer.set', { health: { enabled: false }, passive: { enabled: false } })).status).toBe(200);
    expect((await command('fault.inject', { type: 'pause', target: 'p1', durationMs: 60_000 })).status).toBe(200);
    try {
      const reply = await command('ledger.check', {});
      expect(reply.status, reply.body).toBe(409);
      expect(JSON.parse(reply.body)).toMatchObject({ error: { code: 'conflict', field: 'primary', message: expect.stringContaining('p1') } });
    } finally {
      await command('fault.halt', {});
    }
    // Thawed, the primary first works through what queued while it was frozen: on a busy machine the
    // first check after the halt can still find it unanswering (409; seen in 2 of 6 runs), so it is asked again.
    await expect.poll(async () => (await command('ledger.check', {})).status, { timeout: 10_000, interval: 250 }).toBe(200);
  }, 30_000);
});
