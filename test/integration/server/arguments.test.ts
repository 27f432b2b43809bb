// A bad argument prints one line naming the flag and exits 2.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { serverEntry, useServers } from '../../support/server-harness';

const servers = useServers();

const cases: Array<[string[], string]> = [
  [[], '--port'],
  [['--port', 'http', '--data', '/tmp/x'], '--port'],
  [['--port', '70000', '--data', '/tmp/x'], '--port'],
  [['--port', '4100'], '--data'],
  [['--port', '4100', '--data', '/tmp/x', '--role', 'leader'], '--role'],
  [['--port', '4100', '--data', '/tmp/x', '--replication', 'maybe'], '--replication'],
  [['--port', '4100', '--data', '/tmp/x', '--replicas', 'no-port'], '--replicas'],
  [['--port', '4100', '--data', '/tmp/x', '--fsync', 'sometimes'], '--fsync'],
  [['--port', '4100', '--data', '/tmp/x', '--concurrency', '0'], '--concurrency'],
  [['--port', '4100', '--data', '/tmp/x', '--queue-timeout-ms', '-5'], '--queue-timeout-ms'],
  [['--port', '4100', '--data', '/tmp/x', '--keep'], '--keep'],
  [['--port', '4100', '--data', '/tmp/x', '--frobnicate'], '--frobnicate'],
];

describe('bad arguments', () => {
  it.each(cases)('%j → exit 2 naming %s', (args, flag) => {
    const result = spawnSync(process.execPath, [serverEntry, ...args], { encoding: 'utf8', timeout: 10_000 });
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(flag);
    expect(result.stdout).toBe('');
  });

  it('a stateless node needs no --data, answers reads with its id and refuses writes', async () => {
    const server = await servers.started({ dataDir: null, nodeId: 'web-1', args: ['--role', 'stateless'] });
    const read = await server.request('GET', '/kv/anything');
    expect([read.status, read.text]).toEqual([200, 'web-1']);
    const write = await server.request('PUT', '/kv/anything', 'x');
    expect(write.status).toBe(409);
    expect(write.json()).toEqual({ error: 'not-primary', role: 'stateless' });
    expect(await server.status()).toMatchObject({ role: 'stateless', ready: true, generation: null, lsn: 0 });
  });
});
