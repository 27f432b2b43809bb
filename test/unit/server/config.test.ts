import { describe, expect, it } from 'vitest';
import { ConfigError, isLoopbackHost, nodeSecretFrom, parseArgs } from '../../../electron/server/config';

function flagOf(argv: string[]): string {
  try {
    parseArgs(argv);
  } catch (error) {
    if (error instanceof ConfigError) return error.flag;
    throw error;
  }
  return 'accepted';
}

describe('server command line', () => {
  it('applies the documented defaults', () => {
    expect(parseArgs(['--port', '4100', '--data', '/tmp/x'])).toMatchObject({
      port: 4100,
      dataDir: '/tmp/x',
      nodeId: 'node',
      role: 'primary',
      replicas: [],
      replication: 'sync',
      fsync: 'always',
      checkpointIntervalMs: 5000,
      checkpointEveryWrites: 1000,
      keep: 3,
      serviceTimeMs: 0,
      concurrency: 64,
      queueLimit: 256,
      queueTimeoutMs: 2000,
      watchParent: false,
      syncTimeoutMs: 800,
      nodeSecret: null,
    });
  });

  it('has two honest kinds of synchronous replication, and a bound on the strict one\'s wait', () => {
    for (const mode of ['sync', 'sync-degradable', 'async']) expect(parseArgs(['--port', '1', '--data', 'd', '--replication', mode]).replication).toBe(mode);
    expect(parseArgs(['--port', '1', '--data', 'd', '--sync-timeout-ms', '250']).syncTimeoutMs).toBe(250);
    expect(flagOf(['--port', '1', '--data', 'd', '--replication', 'semi-sync'])).toBe('--replication');
    expect(flagOf(['--port', '1', '--data', 'd', '--sync-timeout-ms', '0'])).toBe('--sync-timeout-ms');
  });

  it('takes replicas on loopback only', () => {
    expect(parseArgs(['--port', '1', '--data', 'd', '--replicas', '127.0.0.1:5,127.1.2.3:6,localhost:7,[::1]:8']).replicas).toEqual([
      { host: '127.0.0.1', port: 5 },
      { host: '127.1.2.3', port: 6 },
      { host: 'localhost', port: 7 },
      { host: '::1', port: 8 },
    ]);
    for (const replica of ['10.0.0.1:5', 'example.com:80', '128.0.0.1:5', '0.0.0.0:5', '127.0.0.256:5', 'localhost.attacker.example:5', '[::2]:5']) {
      expect(flagOf(['--port', '1', '--data', 'd', '--replicas', replica])).toBe('--replicas');
    }
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('127.0.0.1.nip.io')).toBe(false);
  });

  it('reads the node secret from the environment only, and refuses a weak one', () => {
    expect(parseArgs(['--port', '1', '--data', 'd'], { FIREDRILL_NODE_SECRET: 'a-long-enough-secret' }).nodeSecret).toBe('a-long-enough-secret');
    expect(nodeSecretFrom({})).toBeNull();
    expect(nodeSecretFrom({ FIREDRILL_NODE_SECRET: '' })).toBeNull();
    expect(() => nodeSecretFrom({ FIREDRILL_NODE_SECRET: 'short' })).toThrow(ConfigError);
    expect(() => nodeSecretFrom({ FIREDRILL_NODE_SECRET: 'has a space in it, long' })).toThrow(/FIREDRILL_NODE_SECRET/);
    expect(flagOf(['--port', '1', '--data', 'd', '--node-secret', 'x'])).toBe('--node-secret');
  });

  it('parses every flag, in both --flag value and --flag=value forms', () => {
    const config = parseArgs([
      '--port=1', '--data', 'd', '--node-id', 'n-1', '--role', 'standby', '--replicas', '127.0.0.1:5,localhost:6',
      '--replication', 'async', '--fsync', '20', '--checkpoint-interval-ms', '0', '--checkpoint-every-writes', '0',
      '--keep', '5', '--service-time-ms', '2.5', '--concurrency', '2', '--queue-limit', '0', '--queue-timeout-ms', '10', '--watch-parent',
    ]);
    expect(config).toMatchObject({
      port: 1, role: 'standby', nodeId: 'n-1', replication: 'async', fsync: 20, keep: 5, serviceTimeMs: 2.5, queueLimit: 0, watchParent: true,
      replicas: [{ host: '127.0.0.1', port: 5 }, { host: 'localhost', port: 6 }],
    });
    expect(parseArgs(['--port', '9', '--role', 'stateless']).dataDir).toBeNull();
  });

  it('names the offending flag', () => {
    expect(flagOf([])).toBe('--port');
    expect(flagOf(['--port', 'x', '--data', 'd'])).toBe('--port');
    expect(flagOf(['--port', '1'])).toBe('--data');
    expect(flagOf(['--port', '1', '--data'])).toBe('--data');
    expect(flagOf(['--port', '1', '--data', 'd', '--role', 'boss'])).toBe('--role');
    expect(flagOf(['--port', '1', '--data', 'd', '--fsync', 'never'])).toBe('--fsync');
    expect(flagOf(['--port', '1', '--data', 'd', '--replicas', 'nohost'])).toBe('--replicas');
    expect(flagOf(['--port', '1', '--data', 'd', '--concurrency', '0'])).toBe('--concurrency');
    expect(flagOf(['--port', '1', '--data', 'd', '--keep', '-1'])).toBe('--keep');
    expect(flagOf(['--port', '1', '--data', 'd', '--what'])).toBe('--what');
    expect(flagOf(['--port', '1', '--data', 'd', '--watch-parent=yes'])).toBe('--watch-parent');
  });
});
