// The shipper against real files in a temp run folder (no processes): atomic copies, K kept,
// strict confinement to the run folder, and copies of an old route never landing.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LogLine, NodeSnapshot } from '../../../shared/contract/model';
import { CheckpointShipper } from '../../../electron/engine/failover/checkpoint-shipper';

let root: string;
let runDir: string;
let events: Array<{ kind: string; nodeId: string | undefined; detail: Record<string, unknown> }>;
let dataDirs: Record<string, string>;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fd-shipper-'));
  runDir = join(root, 'run');
  events = [];
  dataDirs = { p1: join(runDir, 'nodes', 'p1'), s1: join(runDir, 'nodes', 's1') };
  for (const dir of Object.values(dataDirs)) mkdirSync(join(dir, 'checkpoints'), { recursive: true });
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function shipper(keep = 3): CheckpointShipper {
  return new CheckpointShipper({
    runDir,
    keep,
    fleet: { node: (id) => (dataDirs[id] ? ({ id, dataDir: dataDirs[id] } as NodeSnapshot) : undefined) },
    listener: { onTimeline: (kind, nodeId, detail) => events.push({ kind, nodeId, detail }) },
  });
}

const name = (generation: number): string => `ckpt-${String(generation).padStart(10, '0')}.bin`;

function writeCheckpoint(node: string, generation: number, bytes = 100 + generation): void {
  writeFileSync(join(dataDirs[node]!, 'checkpoints', name(generation)), Buffer.alloc(bytes, generation));
}

function written(node: string, generation: number, file = name(generation)): LogLine {
  return { nodeId: node, stream: 'stdout', at: 0, text: JSON.stringify({ ts: 1, node, event: 'checkpoint.written', generation, lsn: generation * 10, file }) };
}

const inTarget = (): string[] => readdirSync(join(dataDirs.s1!, 'checkpoints')).sort();

describe('CheckpointShipper', () => {
  it('ships each checkpoint.written of the source, keeps K generations, leaves no temp file', async () => {
    writeCheckpoint('p1', 1);
    const s = shipper(2);
    s.setRoute({ from: 'p1', to: 's1' }); // starts by shipping the newest the source has
    await s.drain();
    expect(inTarget()).toEqual([name(1)]);
    for (const generation of [2, 3, 4]) writeCheckpoint('p1', generation);
    s.onLogs([written('p1', 2), written('s1', 3), { ...written('p1', 3), stream: 'stderr' }, written('p1', 4)]);
    await s.drain();
    expect(inTarget()).toEqual([name(2), name(4)]); // 3 was never announced (stderr, another node); 1 pruned
    expect(readFileSync(join(dataDirs.s1!, 'checkpoints', name(4)))).toEqual(Buffer.alloc(104, 4));
    const shipped = events.filter((e) => e.kind === 'checkpoint.shipped');
    expect(shipped.map((e) => e.detail.generation)).toEqual([1, 2, 4]);
    expect(shipped[2]).toMatchObject({ nodeId: 's1', detail: { from: 'p1', to: 's1', generation: 4, bytes: 104, ms: expect.any(Number) } });
    await s.dispose();
  });

  it('never reads or writes outside the run folder, nor follows a file name out of checkpoints/', async () => {
    const outside = join(root, 'secret.bin');
    writeFileSync(outside, 'secret');
    symlinkSync(outside, join(dataDirs.p1!, 'checkpoints', name(7)));
    const s = shipper();
    s.setRoute({ from: 'p1', to: 's1' });
    await s.drain();
    expect(inTarget()).toEqual([]);
    expect(events.at(-1)).toMatchObject({ kind: 'checkpoint.ship-failed', detail: { generation: 7, error: expect.stringMatching(/not inside the run folder/) } });

    s.onLogs([written('p1', 8, '../../../secret.bin')]); // not a checkpoint name: ignored
    dataDirs.s1 = join(root, 'elsewhere'); // a target outside the run folder
    writeCheckpoint('p1', 9);
    s.onLogs([written('p1', 9)]);
    await s.drain();
    expect(existsSync(join(root, 'elsewhere'))).toBe(false);
    expect(events.filter((e) => e.kind === 'checkpoint.shipped')).toEqual([]);
    await s.dispose();
  });

  it('drops copies queued for a route that changed before they ran', async () => {
    writeCheckpoint('p1', 1);
    const s = shipper();
    s.setRoute({ from: 'p1', to: 's1' });
    s.onLogs([written('p1', 1)]);
    s.setRoute(null); // e.g. s1 was just promoted: nothing may land in a primary's folder now
    await s.drain();
    expect(inTarget()).toEqual([]);
    await s.dispose();
  });
});
