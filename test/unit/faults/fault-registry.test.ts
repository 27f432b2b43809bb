// The registry's rules with no processes: validation that changes nothing, ids, expiry, halt,
// failures, the journal lines, disposal.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ContractError } from '../../../shared/contract/errors';
import type { FaultRecord } from '../../../shared/contract/model';
import { FaultRegistry, JOURNAL_FILE } from '../../../electron/engine/faults/index';
import { FakeFleet, RecordingPort, snapshot } from './fake-fleet';
import { sleep } from '../../../shared/sleep';
import { faultSpec } from '../../support/fault-spec';

let runDir: string;
let fleet: FakeFleet;
let network: RecordingPort;
let http: RecordingPort;
let timeline: Array<{ kind: string; nodeId: string; detail: Record<string, unknown>; at: number }>;
let changes: FaultRecord[];
let registry: FaultRegistry;

function make(options: { platform?: NodeJS.Platform; historyLimit?: number } = {}): FaultRegistry {
  return new FaultRegistry({
    runDir,
    fleet,
    network,
    http,
    ...options,
    listener: { onTimeline: (kind, nodeId, detail, at) => timeline.push({ kind, nodeId, detail, at }), onChanged: (r) => changes.push(r) },
  });
}

const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
const journalLines = () => (existsSync(join(runDir, JOURNAL_FILE)) ? readFileSync(join(runDir, JOURNAL_FILE), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : []);

beforeEach(() => {
  runDir = mkdtempSync(join(tmpdir(), 'firedrill-faults-unit-'));
  fleet = new FakeFleet();
  fleet.nodes.set('n1', snapshot('n1', runDir));
  network = new RecordingPort();
  http = new RecordingPort();
  timeline = [];
  changes = [];
  registry = make();
});

afterEach(async () => {
  await registry.dispose();
  rmSync(runDir, { recursive: true, force: true });
});

describe('bad input changes nothing', () => {
  it.each([
    { name: 'an unknown type', input: { type: 'meteor', target: 'n1' }, code: 'invalid-params', field: 'type' },
    { name: 'a bad attribute', input: { type: 'latency', target: 'n1', attributes: { latency: -5 } }, code: 'invalid-params', field: 'attributes.latency' },
    { name: 'an unknown attribute', input: { type: 'pause', target: 'n1', attributes: { forever: true } }, code: 'invalid-params', field: 'attributes' },
    { name: 'a bad toxicity', input: { type: 'latency', target: 'n1', toxicity: 2 }, code: 'invalid-params', field: 'toxicity' },
    { name: 'a missing target', input: { type: 'latency' }, code: 'invalid-params', field: 'target' },
    { name: 'an unknown node', input: { type: 'latency', target: 'n9', durationMs: 1_000 }, code: 'not-found', field: 'target' },
    { name: 'not an object', input: 'kill n1', code: 'invalid-params', field: '(root)' },
  ])('$name → $code naming $field', async ({ input, code, field }) => {
    const timersBefore = timers();
    // Parsed as the contract host parses it (a bad field is refused there), then handed to the registry.
    const error = await (async () => registry.inject(faultSpec(input)))().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractError);
    expect(error).toMatchObject({ code, field });
    expect((error as Error).message).toContain(field === '(root)' ? '' : field);
    expect(registry.list()).toEqual([]);
    expect(journalLines()).toEqual([]);
    expect(timers()).toBe(timersBefore);
    expect([...network.calls, ...http.calls]).toEqual([]);
    expect(timeline).toEqual([]);
    expect(changes).toEqual([]);
  });

  it('a fleet that is not running is refused: conflict on target, nothing changed', async () => {
    fleet.status = 'starting';
    await expect(registry.inject(faultSpec({ type: 'latency', target: 'n1' }))).rejects.toMatchObject({ code: 'conflict', field: 'target', message: 'the fleet is starting' });
    expect(registry.list()).toEqual([]);
    expect(journalLines()).toEqual([]);
    expect([...network.calls, ...http.calls]).toEqual([]);
    expect(timeline).toEqual([]);
  });

  it('pause on Windows is refused in plain words', async () => {
    const windows = make({ platform: 'win32' });
    fleet.nodes.set('n1', snapshot('n1', runDir, { pid: process.pid, status: 'ready' }));
    await expect(windows.inject(faultSpec({ type: 'pause', target: 'n1' }))).rejects.toMatchObject({ code: 'invalid-params', field: 'type', message: 'pause needs SIGSTOP, which Windows does not have' });
    expect(windows.list()).toEqual([]);
    await windows.dispose();
  });
});

describe('network and HTTP faults through the ports', () => {
  it('inject → applied with defaults and journaled before; revert → reverted and journaled', async () => {
    const fault = await registry.inject(faultSpec({ type: 'latency', target: 'n1', attributes: { latency: 150 }, toxicity: 0.5, stream: 'upstream' }));
    expect(fault).toMatchObject({ id: 'f-1', kind: 'network', status: 'active', attributes: { latency: 150, jitter: 0 }, toxicity: 0.5, stream: 'upstream', expiresAt: null });
    expect(network.applied.get('f-1')).toEqual({ nodeId: 'n1', spec: { name: 'f-1', type: 'latency', stream: 'upstream', toxicity: 0.5, attributes: { latency: 150, jitter: 0 }, links: 'all' } });
    expect(journalLines()).toMatchObject([{ op: 'applied', id: 'f-1', type: 'latency', kind: 'network', target: 'n1' }]);
    expect(timeline[0]).toMatchObject({ kind: 'fault.injected', nodeId: 'n1', at: fault.injectedAt, detail: { faultId: 'f-1', type: 'latency' } });

    const http1 = await registry.inject(faultSpec({ type: 'http_error', target: 'n1' }));
    expect(http1).toMatchObject({ id: 'f-2', kind: 'http', attributes: { status: 503, share: 1 } });
    expect(http.applied.has('f-2')).toBe(true);
    expect(registry.list().map((r) => r.id)).toEqual(['f-1', 'f-2']);

    const reverted = await registry.revert('f-1');
    expect(reverted).toMatchObject({ status: 'reverted' });
    expect(reverted.revertedAt).toBeGreaterThanOrEqual(fault.injectedAt);
    expect(network.applied.size).toBe(0);
    expect(journalLines().map((l) => `${l.op} ${l.id}`)).toEqual(['applied f-1', 'applied f-2', 'reverted f-1']);
    expect(timeline.at(-1)).toMatchObject({ kind: 'fault.reverted', detail: { faultId: 'f-1', how: 'revert' } });
    // Active first, then the finished ones.
    expect(registry.list().map((r) => `${r.id} ${r.status}`)).toEqual(['f-2 active', 'f-1 reverted']);
    await expect(registry.revert('f-99')).rejects.toMatchObject({ code: 'not-found', field: 'id' });
  });

  it('durationMs expires the fault by itself', async () => {
    const fault = await registry.inject(faultSpec({ type: 'slow_close', target: 'n1', durationMs: 50 }));
    expect(fault.expiresAt).toBe(fault.injectedAt + 50);
    await sleep(120);
    expect(registry.list()[0]).toMatchObject({ status: 'expired' });
    expect(network.applied.size).toBe(0);
    expect(timeline.at(-1)?.detail).toMatchObject({ how: 'expired' });
  });

  it('a port that refuses: the fault is recorded failed, the error thrown, the journal closed', async () => {
    network.failNext = new ContractError({ code: 'conflict', message: 'no proxy in front of n1', field: 'target' });
    await expect(registry.inject(faultSpec({ type: 'reset_peer', target: 'n1' }))).rejects.toMatchObject({ code: 'conflict', message: 'no proxy in front of n1' });
    expect(registry.list()[0]).toMatchObject({ id: 'f-1', status: 'failed', error: 'no proxy in front of n1' });
    expect(timeline.map((e) => e.kind)).toEqual(['fault.failed']);
    expect(journalLines().map((l) => `${l.op} ${l.id} ${l.how ?? ''}`.trim())).toEqual(['applied f-1', 'reverted f-1 failed']);
  });

  it('halt reverts everything at once; dispose compacts the journal away and refuses new faults', async () => {
    for (let i = 0; i < 10; i++) await registry.inject(faultSpec({ type: i % 2 ? 'http_abort' : 'bandwidth', target: 'n1', durationMs: 60_000 }));
    const { reverted, ms } = await registry.halt();
    expect(reverted).toBe(10);
    expect(ms).toBeLessThan(200);
    expect(network.applied.size + http.applied.size).toBe(0);
    expect(registry.list().every((r) => r.status === 'reverted')).toBe(true);
    await registry.dispose();
    expect(existsSync(join(runDir, JOURNAL_FILE))).toBe(false);
    await expect(registry.inject(faultSpec({ type: 'latency', target: 'n1' }))).rejects.toMatchObject({ code: 'closed' });
  });

  it('keeps a bounded history', async () => {
    const small = make({ historyLimit: 3 });
    for (let i = 0; i < 5; i++) await small.revert((await small.inject(faultSpec({ type: 'timeout', target: 'n1' }))).id);
    expect(small.list().map((r) => r.id)).toEqual(['f-5', 'f-4', 'f-3']);
    await small.dispose();
  });
});
