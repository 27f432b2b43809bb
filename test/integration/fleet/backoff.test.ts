import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSpec, FleetSpecInput } from '../../../shared/contract/model';
import { FleetHarness } from './helpers';
import { sleep } from '../../../shared/sleep';

// /bin/sh starts in a few ms, so gaps are dominated by the supervisor's backoff.
const exitAtOnce = { kind: 'command' as const, command: '/bin/sh', args: ['-c', 'exit 1'] };

let harness: FleetHarness | undefined;
afterEach(async () => {
  if (harness) expect(await harness.cleanup()).toEqual([]);
  harness = undefined;
});

describe('restart backoff and crash-loop', () => {
  it('doubles the delay 100, 200, 400, 800 ms, then gives up; startNode resets the counters', async () => {
    harness = new FleetHarness();
    const { fleet, recorder } = harness;
    const restart = { policy: 'always' as const, backoffInitialMs: 100, backoffMaxMs: 10_000, crashLoopAfter: 5, quickFailureMs: 2000 };
    const spec: FleetSpecInput = { nodes: [{ id: 'flappy', ...exitAtOnce, restart }] };
    const [first] = await fleet.start(spec as FleetSpec);
    // A command node without healthPath is ready once spawned; the exit comes right after.
    expect(['ready', 'backoff']).toContain(first?.status);

    const loop = await recorder.nth('node.crash-loop', 'flappy', 0, 10_000);
    expect(loop.detail).toMatchObject({ failures: 5 });
    expect(fleet.node('flappy')).toMatchObject({ status: 'crash-loop', restarts: 4, pid: null, nextStartAt: null });

    const delays = recorder.events('node.restart-scheduled', 'flappy').map((e) => e.detail?.delayMs);
    expect(delays).toEqual([100, 200, 400, 800]);
    const exits = recorder.events('node.exited', 'flappy');
    const starts = recorder.events('node.starting', 'flappy');
    expect(exits).toHaveLength(5);
    expect(starts).toHaveLength(5);
    // Measured: each restart follows its exit by the delay, plus timer and spawn slack.
    const gaps = starts.slice(1).map((s, i) => s.at - (exits[i]?.at ?? 0));
    gaps.forEach((gap, i) => {
      const delay = 100 * 2 ** i;
      expect(gap, `gap ${i + 1}`).toBeGreaterThanOrEqual(delay - 2);
      expect(gap, `gap ${i + 1}`).toBeLessThan(delay + 80);
    });
    // Start-to-start gaps grow too: ~100, 200, 400, 800 ms.
    const startGaps = starts.slice(1).map((s, i) => s.at - (starts[i]?.at ?? 0));
    startGaps.forEach((gap, i) => expect(gap).toBeGreaterThan(100 * 2 ** i));

    // No more restarts while in crash-loop.
    await sleep(250);
    expect(recorder.events('node.starting', 'flappy')).toHaveLength(5);

    // The lab starts it again: counters reset, so the first delay is back to 100 ms.
    await fleet.startNode('flappy');
    await recorder.nth('node.restart-scheduled', 'flappy', 4);
    expect(recorder.events('node.restart-scheduled', 'flappy')[4]?.detail).toMatchObject({ delayMs: 100, attempt: 2 });
    expect(recorder.events('node.starting', 'flappy')[5]?.detail).toMatchObject({ attempt: 1 });
    await fleet.stopNode('flappy');
    expect(fleet.node('flappy')?.status).toBe('stopped');
  });

  it('caps the delay at backoffMaxMs and goes to crash-loop after a small K', async () => {
    harness = new FleetHarness();
    const { fleet, recorder } = harness;
    const restart = { policy: 'on-failure' as const, backoffInitialMs: 10, backoffMaxMs: 25, crashLoopAfter: 4, quickFailureMs: 1000 };
    await fleet.start({ nodes: [{ id: 'k', ...exitAtOnce, restart }] } as FleetSpecInput as FleetSpec);
    await recorder.nth('node.crash-loop', 'k', 0);
    expect(recorder.events('node.restart-scheduled', 'k').map((e) => e.detail?.delayMs)).toEqual([10, 20, 25]);
    expect(fleet.node('k')?.status).toBe('crash-loop');
  });

  it('a node that stays up longer than quickFailureMs starts over at the initial delay', async () => {
    harness = new FleetHarness();
    const { fleet, recorder } = harness;
    const restart = { policy: 'always' as const, backoffInitialMs: 10, backoffMaxMs: 1000, crashLoopAfter: 3, quickFailureMs: 300 };
    // Quick failures twice (counter file in the data folder), then up for 800 ms, then quick again (quick = under 300 ms: a loaded 2-core machine can take 150 ms to start a shell).
    const script = 'n=$(cat {dataDir}/n 2>/dev/null || echo 0); echo $((n+1)) > {dataDir}/n; [ "$n" = 2 ] && sleep 0.8; exit 1';
    const spec: FleetSpecInput = { nodes: [{ id: 'slow', kind: 'command', command: '/bin/sh', args: ['-c', script], restart }] };
    await fleet.start(spec as FleetSpec);
    await recorder.nth('node.crash-loop', 'slow', 0);
    // Two quick failures (10, 20); the long run resets delay and count (10); then three quick ones in a row (20, 40, crash-loop).
    expect(recorder.events('node.restart-scheduled', 'slow').map((e) => e.detail?.delayMs)).toEqual([10, 20, 10, 20, 40]);
    expect(recorder.events('node.crash-loop', 'slow')[0]?.detail).toMatchObject({ failures: 3 });
  });
});
