import { describe, expect, it } from 'vitest';
import { actPrompt, actWords, settingsWords } from '../../../shared/drill/act-words.js';

describe("a manual step's act in words", () => {
  it('names the node, the control and what was seen for the node commands', () => {
    const start = actWords('node.start', { id: 'a2' });
    expect(start).toEqual({ act: 'Start a2', where: 'on its card below', seen: 'you started a2', place: 'node', node: 'a2' });
    expect(actPrompt(start, true)).toBe('Start a2 — on its card below, or Do it for me');
    expect(actPrompt(start, false)).toBe('Start a2 — on its card below');
    expect(actWords('node.promote', { id: 's1' }).seen).toBe('you promoted s1');
    expect(actWords('node.stop', { id: 'p1', graceMs: 100 }).act).toBe('Stop p1');
    expect(actWords('node.restart', { id: 'a3' }).seen).toBe('you restarted a3');
  });

  it('lists the settings a balancer.set or traffic.set asks for, with their units', () => {
    expect(actWords('balancer.set', { health: { enabled: true, intervalMs: 100, timeoutMs: 150, fall: 2 } }).act).toBe('Set the balancer: health on, health interval 100 ms, health timeout 150 ms, health fall 2');
    expect(actWords('balancer.set', { retry: { enabled: false } }).act).toBe('Set the balancer: retry off');
    expect(actWords('balancer.set', { strategy: 'least-response-time' })).toMatchObject({ act: 'Set the balancer: strategy least-response-time', place: 'balancer', where: 'in the balancer settings below' });
    expect(settingsWords({ retry: { budgetPercent: 1000, budgetMinPerSec: 100000 } })).toBe('retry budget percent 1000 %, retry budget min per sec 100000');
    expect(actWords('traffic.set', { rate: 300, readShare: 0.4 })).toMatchObject({ act: 'Set the traffic: rate 300, read share 0.4', place: 'traffic', seen: 'you changed the traffic' });
  });

  it('sends the lab-wide acts to the header', () => {
    expect(actWords('fault.halt')).toMatchObject({ act: 'Halt every fault', place: 'header' });
    expect(actWords('traffic.stop')).toMatchObject({ act: 'Stop the traffic', place: 'header' });
    expect(actWords('ledger.check').node).toBeNull();
  });
});
