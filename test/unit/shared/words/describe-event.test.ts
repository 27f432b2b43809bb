import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_WORDS, describeEvent } from '../../../../shared/words/describe-event.js';

const root = join(import.meta.dirname, '../../../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Every timeline kind the engine records (a literal handed to record/emit/timeline/onTimeline, not the contract's `events.emit`), and every server log event a drill report's timeline carries as `log.<event>`. */
function emittedKinds(): Set<string> {
  const kinds = new Set<string>();
  const timelineCall = /(?<!\bevents\.)(?<!listeners\.)\b(?:record|emit|timeline|onTimeline|emitFleet)\(\s*'([a-z]+\.[a-z][a-z.-]*)'/g;
  for (const file of sources(join(root, 'electron/engine'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(timelineCall)) kinds.add(match[1]!);
  }
  // Events handed over as objects: `onTimeline({ kind: 'node.reconfigured', ... })`.
  const asObject = /\bkind: '([a-z]+\.[a-z][a-z.-]*)'/g;
  for (const file of sources(join(root, 'electron/engine'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(asObject)) kinds.add(match[1]!);
  }
  const serverLog = /\blog\.emit\(\s*'([a-z]+\.[a-z][a-z.-]*)'/g;
  for (const file of sources(join(root, 'electron/server'))) {
    for (const match of readFileSync(file, 'utf8').matchAll(serverLog)) kinds.add(`log.${match[1]!}`);
  }
  return kinds;
}

describe('describeEvent: the timeline in words', () => {
  const kinds = emittedKinds();

  it('finds the kinds the engine emits (the scan itself works)', () => {
    for (const kind of ['node.exited', 'failover.held', 'standby.behind', 'standby.in-sync', 'fault.injected', 'fault.reverted', 'incident.closed', 'log.role.changed', 'node.reconfigured']) expect(kinds).toContain(kind);
    expect(kinds.size).toBeGreaterThan(50);
  });

  it('has words of its own for every kind the engine emits', () => {
    const missing = [...kinds].filter((kind) => !(kind in EVENT_WORDS)).sort();
    expect(missing).toEqual([]);
  });

  it('gives every kind a sentence, even with an empty or hostile detail', () => {
    for (const kind of kinds) {
      for (const detail of [{}, { signal: 42, attributes: 'x', lines: 'y', changed: null, from: {} }]) {
        const text = describeEvent({ kind, nodeId: 'p1', detail });
        expect(text.length, kind).toBeGreaterThan(3);
        expect(text, kind).not.toMatch(/undefined|NaN|\[object Object\]/);
      }
    }
  });

  it.each([
    [{ kind: 'fault.injected', nodeId: 'p1', detail: { faultId: 'f1', type: 'kill', attributes: { signal: 'SIGKILL', graceMs: 2000 } } }, 'p1 killed (SIGKILL)'],
    [{ kind: 'fault.injected', nodeId: 'p1', detail: { faultId: 'f2', type: 'pause', attributes: {} } }, 'p1 frozen (SIGSTOP)'],
    [{ kind: 'failover.promoted', nodeId: 's1', detail: { from: 'p1', to: 's1' } }, 's1 promoted to primary in place of p1'],
    [{ kind: 'balancer.ejected', nodeId: 'p1', detail: { via: 'active', untilAt: null } }, 'p1 ejected by the balancer: 3 failed probes'],
    [{ kind: 'failover.held', nodeId: 'p1', detail: { from: 'p1', standby: 's1', reason: 'standby-behind', standbyState: 'never-synced', action: 'restart-in-place' } }, 'no failover: s1 is behind (it never caught up); p1 restarts in place'],
    [{ kind: 'standby.behind', nodeId: 's1', detail: { standby: 's1', reason: 'link-lost', primary: 'p1' } }, 's1 behind p1: its replication link was lost'],
    [{ kind: 'standby.in-sync', nodeId: 's1', detail: { standby: 's1', pid: 12, primary: 'p1' } }, 's1 in sync with p1'],
    [{ kind: 'node.exited', nodeId: 'p1', detail: { code: null, signal: 'SIGKILL', pid: 12, byLab: false, uptimeMs: 12_345 } }, 'p1 exited (SIGKILL) after 12.3 s up'],
    [{ kind: 'incident.opened', nodeId: 'p1', detail: { cause: 'detected:exit', stage: 'detected' } }, 'incident on p1 opened: detected down by its process exit'],
    [{ kind: 'incident.opened', nodeId: 'p1', detail: { cause: 'fault:pause', stage: 'injected' } }, 'incident on p1 opened: the freeze'],
    [{ kind: 'incident.closed', nodeId: 'p1', detail: { mttdMs: 290.4, mttrMs: 1204.2 } }, 'incident on p1 over: detected in 290 ms, recovered in 1.20 s'],
  ])('%j → %s', (event, text) => expect(describeEvent(event, { health: { fall: 3 } })).toBe(text));

  it('names what a reverted fault was from the faults it knows', () => {
    const event = { kind: 'fault.reverted', nodeId: 'p1', detail: { faultId: 'f3', type: 'latency', how: 'reverted' } };
    expect(describeEvent(event, { faults: [{ id: 'f3', type: 'latency', attributes: { latency: 200, jitter: 0 } }] })).toBe('fault latency 200 ms on p1 taken back');
    expect(describeEvent(event)).toBe('fault latency on p1 taken back');
  });

  it('reads a kind it does not know as its name', () => {
    expect(describeEvent({ kind: 'something.new-here', nodeId: 'p1', detail: {} })).toBe('p1: something new here');
  });
});
