import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServe, stopProcess, type RunningLab } from '../../support/cli.js';
import { makeTempDir, removeDir } from '../../support/temp.js';
import { sleep } from '../../../shared/sleep.js';

// drill.list on a real lab (serve) with hostile files in the operator's drill folder: a 390 KB
// many-key file held it 22.7 s, and GET /api/state behind it. Now each is one problem line, fast.

describe('drill.list with hostile files in ~/.firedrill/drills', () => {
  let dir = '';
  let lab: RunningLab | undefined;
  beforeAll(async () => {
    dir = await makeTempDir('fd-library-');
    const user = join(dir, 'user-drills');
    mkdirSync(user);
    const drill = ['id: mine', 'title: Mine', 'concept: retries', 'summary: s', 'topology: { kind: active-active }', 'steps:', '  - say: hi'].join('\n');
    writeFileSync(join(user, 'mine.yaml'), `${drill}\n`);
    writeFileSync(join(user, 'many-keys.yaml'), `${drill.replace('mine', 'many')}\n${Array.from({ length: 30_000 }, (_, i) => `k${i}: ${i}`).join('\n')}\n`);
    writeFileSync(join(user, 'under-the-cap.yaml'), `${drill.replace('mine', 'under')}\n${Array.from({ length: 19_000 }, (_, i) => `k${i}: ${i}`).join('\n')}\n`);
    writeFileSync(join(user, 'huge.yaml'), Buffer.alloc(10 * 1024 * 1024, 'k: v\n'));
    lab = await startServe(['--no-start', '--run-dir', join(dir, 'run'), '--reports-dir', join(dir, 'reports')], { FIREDRILL_USER_DRILLS_DIR: user });
  });
  afterAll(async () => {
    if (lab) await stopProcess(lab.child);
    await removeDir(dir);
  });

  const call = async (path: string, body?: unknown): Promise<{ ms: number; status: number; json: unknown }> => {
    const started = performance.now();
    const res = await fetch(`http://127.0.0.1:${lab!.port}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { authorization: `Bearer ${lab!.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await res.json();
    return { ms: performance.now() - started, status: res.status, json };
  };

  it('lists the hostile files as problems; the first list (and a lab.state sent during it) within 3 s, the next ones cached', async () => {
    // lab.state goes out while the list is being read: it waits for whatever the list holds the engine for.
    const listing = call('/api/commands/drill.list', {});
    await sleep(50);
    const [list, state] = await Promise.all([listing, call('/api/state')]);
    expect(list.status).toBe(200);
    expect(state.status).toBe(200);
    const { drills, problems } = list.json as { drills: Array<{ id: string }>; problems: string[] };
    expect(drills.map((d) => d.id)).toContain('mine');
    expect(problems).toEqual([
      expect.stringMatching(/huge\.yaml:1:1: \(file\): 10\.0 MiB is too large for a drill file/),
      expect.stringMatching(/many-keys\.yaml:1:1: \(file\): 3\d\d KiB is too large for a drill file/),
      expect.stringMatching(/under-the-cap\.yaml:8:1: k0: Unrecognized key: "k0" \(and 18,999 more mistakes/),
    ]);
    // Measured 0.4–1.2 s cold (all 16 built-in drills and the 250 KB file parsed) on a busy 2-core machine.
    expect(list.ms).toBeLessThan(3_000);
    expect(state.ms).toBeLessThan(3_000);
    const again = await call('/api/commands/drill.list', {});
    const stateAgain = await call('/api/state');
    // Nothing changed: nothing parsed again.
    expect(again.ms).toBeLessThan(250);
    expect(stateAgain.ms).toBeLessThan(250);
    console.log(`drill.list: first ${Math.round(list.ms)} ms (lab.state beside it ${Math.round(state.ms)} ms), cached ${Math.round(again.ms)} ms`);
  });
});
