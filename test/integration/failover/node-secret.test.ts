// The per-lab node secret: made by the engine, different for every lab, given to the lab's bundled
// nodes in their environment (never argv, which `ps` shows every user), required by their admin,
// replication and dump endpoints, and sent by the lab's own clients (node admin, peers, the ledger).
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { labNodeSecret } from '../../../electron/engine/fleet/node-launch';
import { httpNodeAdmin } from '../../../electron/engine/failover/node-admin';
import { httpRequest } from '../../../electron/engine/http-request';
import { WriteLedger } from '../../../electron/engine/traffic/write-ledger';
import { FailoverLab } from './harness';

let lab: FailoverLab | undefined;
afterEach(async () => {
  if (lab) expect(await lab.cleanup()).toEqual([]);
  lab = undefined;
});

async function post(port: number, path: string, headers: Record<string, string> = {}): Promise<number> {
  return (await httpRequest(port, { method: 'POST', path, headers, body: '{}', timeoutMs: 10_000 })).status;
}

describe('the per-lab node secret', () => {
  it('is in each bundled node\'s environment, never its command line; the node refuses anyone without it', async () => {
    lab = new FailoverLab({ kind: 'hot-standby', nodes: 3, replication: 'sync', restart: { backoffInitialMs: 50 } });
    const l = lab;
    await l.start();
    const secret = labNodeSecret(l.runDir);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    for (const id of ['p1', 's1']) {
      const { pid, port } = l.node(id);
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      expect(argv).not.toContain(secret);
      expect(env).toContain(`FIREDRILL_NODE_SECRET=${secret}`);
      expect(await post(port, '/admin/checkpoint')).toBe(403);
      expect(await post(port, '/admin/checkpoint', { authorization: `Bearer ${labNodeSecret('/another/lab')}` })).toBe(403);
      expect(await post(port, '/admin/checkpoint', { authorization: `Bearer ${secret}` })).toBe(200);
    }
    // The lab's clients carry it: the primary ships to its standby, the admin client and the ledger are let in.
    await l.waitFor(() => l.events('standby.in-sync', 's1')[0], 10_000, 's1 in sync');
    await l.put(l.node('p1').port, 'k', 'v');
    expect(await httpNodeAdmin(secret).configure(l.node('p1').port, {})).toMatchObject({ role: 'primary' });
    await expect(httpNodeAdmin(null).configure(l.node('p1').port, {})).rejects.toThrow(/403/);
    const ledger = new WriteLedger();
    await expect(ledger.verify(`http://127.0.0.1:${l.node('s1').port}`, { nodeSecret: secret })).resolves.toMatchObject({ lost: 0 });
    await expect(ledger.verify(`http://127.0.0.1:${l.node('s1').port}`)).rejects.toThrow(/403/);
  });

  it('differs between labs (run folders), and is the same for every node of one lab', () => {
    expect(labNodeSecret('/tmp/lab-a')).not.toBe(labNodeSecret('/tmp/lab-b'));
    expect(labNodeSecret('/tmp/lab-a')).toBe(labNodeSecret('/tmp/lab-a/'));
  });
});
