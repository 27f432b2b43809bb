import { afterEach, describe, expect, it } from 'vitest';
import type { FleetSpec, FleetSpecInput } from '../../../shared/contract/model';
import { FleetHarness, nodeScript } from './helpers';

let harness: FleetHarness | undefined;
afterEach(async () => {
  if (harness) expect(await harness.cleanup()).toEqual([]);
  harness = undefined;
});

describe('node logs', () => {
  it('arrive in batches every logFlushMs, never one call per line', async () => {
    harness = new FleetHarness({ logFlushMs: 100 });
    const { fleet, recorder } = harness;
    // 120 lines, one every 4 ms (~480 ms), plus one on stderr.
    const script =
      "let i = 0; console.error('to stderr'); const t = setInterval(() => { console.log('line ' + i++); if (i === 120) clearInterval(t); }, 4); setInterval(() => {}, 1000);";
    await fleet.start({ nodes: [{ id: 'chatty', kind: 'command', ...nodeScript(script) }] } as FleetSpecInput as FleetSpec);
    await recorder.waitFor(() => fleet.logs('chatty').some((l) => l.text === 'line 119'), 10_000, 'the last line');
    await recorder.waitFor(() => recorder.logBatches.some((b) => b.lines.some((l) => l.text === 'line 119')), 1000, 'its batch');

    const stdout = recorder.logBatches.flatMap((b) => b.lines).filter((l) => l.stream === 'stdout');
    expect(stdout.map((l) => l.text)).toEqual(Array.from({ length: 120 }, (_, i) => `line ${i}`));
    expect(stdout.every((l) => l.nodeId === 'chatty')).toBe(true);
    const batches = recorder.logBatches.filter((b) => b.lines.some((l) => l.stream === 'stdout'));
    // ~480 ms of output at a 100 ms flush: about 5-7 batches, each with many lines.
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches.length).toBeLessThanOrEqual(12);
    expect(Math.max(...batches.map((b) => b.lines.length))).toBeGreaterThanOrEqual(10);
    const spacing = batches.slice(1).map((b, i) => b.at - (batches[i]?.at ?? 0));
    spacing.forEach((gap) => expect(gap).toBeGreaterThan(80));
    expect(fleet.logs('chatty').find((l) => l.stream === 'stderr')?.text).toBe('to stderr');
  });

  it('keeps a capped buffer per node and counts what it dropped', async () => {
    harness = new FleetHarness({ logFlushMs: 50, logLinesPerNode: 20 });
    const { fleet, recorder } = harness;
    const script = "for (let i = 0; i < 500; i++) console.log('burst ' + i); setInterval(() => {}, 1000);";
    await fleet.start({ nodes: [{ id: 'burst', kind: 'command', ...nodeScript(script) }] } as FleetSpecInput as FleetSpec);
    await recorder.waitFor(() => fleet.logs('burst').some((l) => l.text === 'burst 499'), 10_000, 'the last line');
    await recorder.waitFor(() => recorder.logBatches.some((b) => b.lines.some((l) => l.text === 'burst 499')), 1000, 'its batch');

    const kept = fleet.logs('burst');
    expect(kept).toHaveLength(20);
    expect(kept.map((l) => l.text)).toEqual(Array.from({ length: 20 }, (_, i) => `burst ${480 + i}`));
    const dropped = recorder.logBatches.reduce((sum, b) => sum + b.dropped, 0);
    expect(dropped).toBe(480);
    // Every delivered line is in order; lines evicted before a flush never reach the listener.
    const delivered = recorder.logBatches.flatMap((b) => b.lines).map((l) => Number(l.text.split(' ')[1]));
    expect(delivered).toEqual([...delivered].sort((a, b) => a - b));
    expect(delivered.length).toBeLessThan(500);
  });
});
