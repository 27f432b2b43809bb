import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ContractError } from '../../../shared/contract/errors';
import { describeFootprint, DrillLimits, drillFootprint, isModestLoad } from '../../../shared/drill/footprint';
import { loadDrillFile, parseDrill } from '../../../electron/engine/drills/drill-file';

// What a drill file may ask of the machine: enough for every workstation drill, never an hour of
// 20,000 req/s × 1 MiB.

const root = join(import.meta.dirname, '../../..');
const files = ['drills/library', 'drills/examples', 'test/fixtures/drills'].flatMap((dir) =>
  readdirSync(join(root, dir))
    .filter((name) => name.endsWith('.yaml'))
    .map((name) => join(root, dir, name)),
);

const head = ['id: t', 'title: T', 'concept: retries', 'summary: s', 'topology: { kind: active-active }'];
function linesOf(text: string): string[] {
  try {
    parseDrill(text, 'd.yaml');
  } catch (error) {
    expect(error).toBeInstanceOf(ContractError);
    return ((error as ContractError).issues ?? []).map((i) => i.message);
  }
  throw new Error('expected the drill to be refused');
}

describe('drill limits', () => {
  it('every built-in drill, the example and the fixtures are within them', () => {
    expect(files.length).toBeGreaterThanOrEqual(16);
    for (const file of files) expect(() => loadDrillFile(file), file).not.toThrow();
  });

  it('20,000 req/s × 1 MiB for an hour: each ask refused at its field', () => {
    const text = [...head, 'traffic: { rate: 20000, valueBytes: 1048576, durationMs: 3600000 }', 'steps:', '  - wait: 3600000'].join('\n');
    expect(linesOf(text)).toEqual([
      'd.yaml:6:18: traffic.rate: a drill may ask at most 1,000 requests per second',
      'd.yaml:6:37: traffic.valueBytes: a drill may write values of at most 64 KiB',
      'd.yaml:6:58: traffic.durationMs: a drill may send traffic for at most 10 min',
      'd.yaml:8:11: steps.0.wait: a drill may wait at most 10 min in all',
    ]);
  });

  it('what each step may ask: a traffic.set, the waits in all, a fault time, an event limit, text lengths, steps, nodes', () => {
    const text = [
      'id: t',
      'title: T',
      'concept: retries',
      'summary: s',
      'topology: { kind: active-active, nodes: 20 }',
      'steps:',
      '  - action: { text: go, do: { command: traffic.set, params: { rate: 5000 } } }',
      '  - wait: 400000',
      '  - wait: 400000',
      '  - fault: { inject: { type: pause, target: a1, durationMs: 900000 } }',
      '  - expect: { event: node.ready, within: 300000 }',
      `  - say: ${'x'.repeat(4_001)}`,
    ].join('\n');
    expect(linesOf(text)).toEqual([
      'd.yaml:5:41: topology.nodes: a drill may run at most 8 nodes',
      'd.yaml:7:69: steps.0.action.do.params.rate: a drill may ask at most 1,000 requests per second',
      'd.yaml:9:11: steps.2.wait: a drill may wait at most 10 min in all',
      'd.yaml:10:61: steps.3.fault.inject.durationMs: a fault in a drill may last at most 10 min',
      'd.yaml:11:42: steps.4.expect.within: a drill may wait for an event at most 2 min',
      'd.yaml:12:10: steps.5.say: Too big: expected string to have <=4000 characters',
    ]);
    const many = [...head, 'steps:', ...Array.from({ length: 201 }, () => '  - wait: 1')].join('\n');
    expect(linesOf(many)).toEqual([expect.stringMatching(/^d\.yaml:7:3: steps: Too big: expected array to have <=200 items/)]);
  });

  it('bandwidth and total requests: rate × value size, and rate × how long traffic runs', () => {
    const wide = [...head, 'traffic: { rate: 500, valueBytes: 65536 }', 'steps:', '  - wait: 1000'].join('\n');
    expect(linesOf(wide)).toEqual(['d.yaml:6:35: traffic.valueBytes: 500 req/s of 64 KiB values is 31.3 MiB/s; a drill may send at most 8 MiB/s']);
    const long = [...head, 'traffic: { rate: 1000 }', 'steps:', '  - wait: 600000'].join('\n');
    expect(linesOf(long)).toEqual(['d.yaml:6:18: traffic.rate: up to 600,000 requests in all (1,000 req/s for 10 min); a drill may send at most 300,000']);
  });
});

describe('what a drill will do to the machine', () => {
  it('kill-one-of-three, in one or two lines', () => {
    const spec = loadDrillFile(join(root, 'drills/library/kill-one-of-three.yaml'));
    const footprint = drillFootprint(spec);
    expect(footprint).toMatchObject({ nodes: 3, peakRate: 120, valueBytes: 64, writeShare: 0 });
    expect(isModestLoad(footprint)).toBe(true);
    const text = describeFootprint(footprint);
    expect(text.split('\n').length).toBeLessThanOrEqual(2);
    expect(text).toMatch(/^3 nodes \(active-active\) on this machine; traffic up to 120 req\/s, 64 B values, no writes, for up to \d+ s \(at most [\d,]+ requests\)\nFaults: kill on a\d/);
  });

  it('a drill past a modest load is not modest; the limits are past it', () => {
    const spec = parseDrill([...head, 'traffic: { rate: 800, valueBytes: 8192, readShare: 0.5 }', 'steps:', '  - wait: 60000'].join('\n'), 'd.yaml');
    const footprint = drillFootprint(spec);
    expect(footprint).toMatchObject({ peakRate: 800, valueBytes: 8192, writeShare: 0.5 });
    expect(isModestLoad(footprint)).toBe(false);
    expect(describeFootprint(footprint)).toMatch(/up to 800 req\/s, 8 KiB values, 50 % writes, for up to 60 s \(at most 48,000 requests\)\nFaults: none$/);
    expect(DrillLimits.rate).toBeGreaterThan(300);
  });
});
