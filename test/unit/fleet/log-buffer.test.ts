import { describe, expect, it, vi } from 'vitest';
import type { LogLine } from '../../../shared/contract/model';
import { LineSplitter, LogCollector, LogRing } from '../../../electron/engine/fleet/log-buffer';

const line = (text: string): LogLine => ({ nodeId: 'n', stream: 'stdout', at: 0, text });

describe('LogRing', () => {
  it('keeps the newest lines up to its capacity and counts evictions', () => {
    const ring = new LogRing(3);
    for (const t of ['a', 'b', 'c', 'd', 'e']) ring.push(line(t));
    expect(ring.toArray().map((l) => l.text)).toEqual(['c', 'd', 'e']);
    expect(ring.dropped).toBe(2);
    expect(ring.written).toBe(5);
    expect(ring.since(3).map((l) => l.text)).toEqual(['d', 'e']);
    expect(ring.since(0).map((l) => l.text)).toEqual(['c', 'd', 'e']);
    expect(ring.since(5)).toEqual([]);
  });
});

describe('LineSplitter', () => {
  it('joins partial chunks, strips CR, cuts runaway lines and flushes the rest at the end', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((text) => lines.push(text), 10);
    splitter.push('hel');
    splitter.push('lo\r\nwor');
    splitter.push('ld\n\n');
    splitter.push('0123456789AB');
    splitter.push('tail');
    splitter.end();
    expect(lines).toEqual(['hello', 'world', '', '0123456789AB', 'tail']);
  });
});

describe('LogCollector', () => {
  it('delivers one batch per flush interval, only when something arrived, merged by time', () => {
    vi.useFakeTimers();
    try {
      const onFlush = vi.fn();
      const logs = new LogCollector({ capacity: 2, flushMs: 100, onFlush });
      logs.append('a', 'stdout', 'a1', 1);
      logs.append('b', 'stderr', 'b1', 2);
      logs.append('a', 'stdout', 'a2', 3);
      expect(onFlush).not.toHaveBeenCalled();
      vi.advanceTimersByTime(100);
      expect(onFlush).toHaveBeenCalledTimes(1);
      expect(onFlush.mock.calls[0]?.[0].map((l: LogLine) => l.text)).toEqual(['a1', 'b1', 'a2']);
      vi.advanceTimersByTime(1000);
      expect(onFlush).toHaveBeenCalledTimes(1); // quiet: no empty batches

      for (const t of ['a3', 'a4', 'a5']) logs.append('a', 'stdout', t, 10);
      vi.advanceTimersByTime(100);
      // Capacity 2: a3-a5 evicted a1, a2 and a3 (3 dropped); a3 never reached the listener.
      expect(onFlush.mock.calls[1]?.[0].map((l: LogLine) => l.text)).toEqual(['a4', 'a5']);
      expect(onFlush.mock.calls[1]?.[1]).toBe(3);
      expect(logs.lines('a').map((l) => l.text)).toEqual(['a4', 'a5']);
      logs.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});
