// --watch-parent: the server exits within milliseconds when its parent process disappears.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, makeDataDir, serverEntry } from '../../support/server-harness';
import { sleep } from '../../../shared/sleep';

const started: number[] = [];
const parents: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const parent of parents.splice(0)) parent.kill('SIGKILL');
  for (const pid of started.splice(0)) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});

/** Alive and not a zombie (a reparented child may wait a moment to be reaped). */
function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

/** A `node -e` parent that starts the server and prints the server's pid once it is ready. */
async function startParent(channel: 'ipc' | 'stdin'): Promise<{ parent: ChildProcess; serverPid: number }> {
  const port = await freePort();
  const dataDir = await makeDataDir();
  dirs.push(dataDir);
  const stdio = channel === 'ipc' ? "['ignore', 'pipe', 'inherit', 'ipc']" : "['pipe', 'pipe', 'inherit']";
  const script = `
    const { spawn } = require('node:child_process');
    const child = spawn(process.execPath, ${JSON.stringify([serverEntry, '--port', String(port), '--data', dataDir, '--watch-parent'])}, { stdio: ${stdio} });
    child.stdout.on('data', (chunk) => { if (String(chunk).includes('"server.ready"')) console.log(child.pid); });
    setInterval(() => {}, 1000);
  `;
  const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  parents.push(parent);
  const line = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not become ready')), 10_000);
    createInterface({ input: parent.stdout! }).once('line', (l) => {
      clearTimeout(timer);
      resolve(l);
    });
  });
  const serverPid = Number(line.trim());
  started.push(serverPid);
  return { parent, serverPid };
}

async function goneWithin(pid: number, limitMs: number): Promise<number> {
  const from = performance.now();
  while (isAlive(pid)) {
    if (performance.now() - from > limitMs) return Infinity;
    await sleep(5);
  }
  return performance.now() - from;
}

describe('--watch-parent', () => {
  it.each(['ipc', 'stdin'] as const)('exits within 2 s when the parent is SIGKILLed (%s channel)', async (channel) => {
    const { parent, serverPid } = await startParent(channel);
    expect(isAlive(serverPid)).toBe(true);
    parent.kill('SIGKILL');
    const ms = await goneWithin(serverPid, 2000);
    console.log(`server gone ${ms.toFixed(0)} ms after its parent (${channel})`);
    expect(ms).toBeLessThan(2000);
  });
});
