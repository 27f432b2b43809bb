import { describe, expect, it } from 'vitest';
import type { FaultRecord, Incident, NodeSnapshot, TrafficState } from '../../../shared/contract/model';
import type { NodeView } from '../../../shared/node-view';

// The renderer is type-checked by its own (web) tsconfig: loaded here by a path tsc does not follow.
const src = '../../../renderer/src/components/';
const { stripIncidents } = (await import(`${src}incidents/incident-strip.tsx`)) as { stripIncidents(incidents: Incident[], isDismissed: (id: string) => boolean): Incident[] };
const { placeSheet } = (await import(`${src}topology/node-actions-sheet.tsx`)) as {
  placeSheet(card: { left: number; right: number } | null, viewportWidth: number): { side: 'left' | 'right'; width: number };
};
const { incidentMarks } = (await import(`${src}charts/fault-shading.ts`)) as {
  incidentMarks(incidents: Incident[], nodeId: string | undefined): Array<{ at: number; stage: string; nodeId: string }>;
};
const { ranMs, formatSeconds } = (await import(`${src}shell/traffic-toggle.tsx`)) as { ranMs(state: TrafficState, endedAt: number | null): number | null; formatSeconds(s: number): string };
const { balancerLinkState, replicationLinkState } = (await import(`${src}topology/link-state.ts`)) as {
  balancerLinkState(view: NodeView, faults: FaultRecord[]): string;
  replicationLinkState(primary: NodeView, standby: NodeView, faults: FaultRecord[]): string;
};
const { factsOf } = (await import(`${src}concepts/concept-facts.ts`)) as { factsOf(s: unknown): { counts: { serving: number; standby: number; total: number } } };
const { CONCEPTS } = (await import(`${src}concepts/concepts.ts`)) as { CONCEPTS: Array<{ id: string; live: (f: unknown) => string | null }> };

const incident = (id: string, open: boolean, stages: Incident['stages'] = { injected: 1_000 }, nodeId = 'p1'): Incident => ({
  id,
  nodeId,
  cause: 'fault:kill',
  stages,
  detectedVia: null,
  mttdMs: null,
  mttrMs: null,
  lostWrites: null,
  staleWrites: null,
  open,
});

const view = (patch: Partial<NodeView>): NodeView => ({ id: 'a1', process: 'running', place: 'in-rotation', reason: null, via: null, serving: true, unnoticed: false, readyStandby: false, ...patch });

describe('renderer: the incident strip holds the open incidents and the last closed one, until dismissed', () => {
  it('every open one, the newest closed one, newest last, at most three', () => {
    const list = [incident('i1', false), incident('i2', false), incident('i3', true)];
    expect(stripIncidents(list, () => false).map((i) => i.id)).toEqual(['i2', 'i3']);
    expect(stripIncidents(list, (id) => id === 'i2').map((i) => i.id), 'dismissing the last closed one does not bring back an older one').toEqual(['i1', 'i3']);
    const many = [incident('a', true), incident('b', true), incident('c', true), incident('d', true), incident('e', false)];
    expect(stripIncidents(many, () => false).map((i) => i.id)).toEqual(['c', 'd', 'e']);
    expect(stripIncidents([], () => false)).toEqual([]);
  });

  it('keeps the newest closed incident a fault caused beside a later one nobody caused', () => {
    const observed = (id: string) => ({ ...incident(id, false), cause: 'detected:active', stages: { detected: 2_000, recovered: 2_020 } });
    const list = [incident('old-kill', false), incident('kill', false), observed('blip')];
    expect(stripIncidents(list, () => false).map((i) => i.id)).toEqual(['kill', 'blip']);
    expect(stripIncidents([...list, observed('blip2')], () => false).map((i) => i.id)).toEqual(['kill', 'blip2']);
    expect(stripIncidents(list, (id) => id === 'kill').map((i) => i.id)).toEqual(['old-kill', 'blip']);
  });
});

describe('renderer: the node actions sheet never lies over the card it acts on', () => {
  it('goes to the side with more room, as wide as that room (18-38 rem)', () => {
    // A card on the right half of a 1440 px page: the sheet goes left, narrower than the card's left edge.
    const right = placeSheet({ left: 760, right: 1100 }, 1440);
    expect(right.side).toBe('left');
    expect(right.width).toBeLessThanOrEqual(760);
    const left = placeSheet({ left: 130, right: 470 }, 1440);
    expect(left.side).toBe('right');
    expect(1440 - left.width).toBeGreaterThanOrEqual(470);
    expect(placeSheet({ left: 100, right: 300 }, 1920).width, 'never wider than 38 rem').toBe(38 * 18);
    expect(placeSheet({ left: 330, right: 710 }, 1024).width, 'never narrower than 18 rem (it may then overlap: no room anywhere)').toBe(18 * 18);
    expect(placeSheet(null, 1440).side).toBe('right');
  });
});

describe('renderer: charts mark detection and failover', () => {
  it('the detected and failedOver instants of the incidents (of one node, or all), oldest first', () => {
    const list = [
      incident('i1', false, { injected: 100, detected: 130, failedOver: 180, recovered: 200 }, 'p1'),
      incident('i2', true, { injected: 50, detected: 90 }, 's1'),
    ];
    expect(incidentMarks(list, undefined).map((m) => `${m.nodeId}:${m.stage}@${m.at}`)).toEqual(['s1:detected@90', 'p1:detected@130', 'p1:failedOver@180']);
    expect(incidentMarks(list, 'p1').map((m) => m.stage)).toEqual(['detected', 'failedOver']);
    expect(incidentMarks([incident('i3', true, { injected: 1 })], undefined)).toEqual([]);
  });
});

describe('renderer: traffic says what it does', () => {
  const state = (patch: Partial<TrafficState>): TrafficState =>
    ({
      running: false,
      settings: { rate: 50, durationMs: 60_000 },
      startedAt: 10_000,
      stats: { sent: 2_990, dropped: 10 },
      ledger: {},
      ...patch,
    }) as unknown as TrafficState;

  it('a run lasted from its start to its seen end, never past its duration; without a seen end, scheduled over rate', () => {
    expect(ranMs(state({}), 40_000)).toBe(30_000);
    expect(ranMs(state({}), 75_000), 'the end is reported once the last requests settle').toBe(60_000);
    expect(ranMs(state({}), null)).toBe(60_000);
    expect(ranMs(state({ stats: null }), null)).toBeNull();
  });

  it('seconds read as a countdown', () => {
    expect(formatSeconds(42.4)).toBe('42 s');
    expect(formatSeconds(65)).toBe('1 min 05 s');
    expect(formatSeconds(-3)).toBe('0 s');
  });
});

describe('renderer: links follow the node views', () => {
  it('a frozen node still in rotation is drawn down (unnoticed); ejected, standby and cut as such', () => {
    expect(balancerLinkState(view({}), [])).toBe('routed');
    expect(balancerLinkState(view({ process: 'frozen', serving: false, unnoticed: true }), [])).toBe('down');
    expect(balancerLinkState(view({ process: 'frozen', place: 'ejected', serving: false }), [])).toBe('ejected');
    expect(balancerLinkState(view({ place: 'standby', serving: false, readyStandby: true }), [])).toBe('standby');
    expect(balancerLinkState(view({ process: 'restarting', place: 'not-routed', serving: false }), [])).toBe('down');
    const cut = { type: 'partition', status: 'active', target: 'a1', attributes: { links: 'balancer' } } as unknown as FaultRecord;
    expect(balancerLinkState(view({}), [cut])).toBe('cut');
    expect(replicationLinkState(view({ id: 'p1', process: 'frozen' }), view({ id: 's1' }), []), 'a frozen primary ships nothing').toBe('down');
  });
});

describe('renderer: the Concepts text counts what the header counts', () => {
  const node = (id: string, pid: number): NodeSnapshot =>
    ({ id, kind: 'bundled', role: 'stateless', pid, port: 1, status: 'ready', restarts: 0, dataDir: '', restartPolicy: 'always', startedAt: 0, readyAt: 0, lastExit: null, nextStartAt: null }) as NodeSnapshot;
  const nodes = [node('a1', 1), node('a2', 2), node('a3', 3)];
  const upstreams = nodes.map((n) => ({ id: n.id, port: 1, state: n.id === 'a2' ? 'ejected' : 'in-rotation', weight: 1, inflight: 0, ewmaMs: null, consecutiveFailures: 0, ejections: 0, ejectedUntil: null, lastDetection: null }));
  const pause = { id: 'f1', type: 'pause', status: 'active', target: 'a2', effect: { pid: 2 }, attributes: {} } as unknown as FaultRecord;
  const sources = {
    lab: { topology: { kind: 'active-active', nodes: 3 }, nodeIds: nodes.map((n) => n.id), nodes: Object.fromEntries(nodes.map((n) => [n.id, n])) },
    balancer: { settings: null, upstreams },
    incidents: [],
    ledger: null,
    faults: [pause],
  };

  it('a frozen, ejected node: 2 of 3 serving, in the facts and in the active-active text', () => {
    const facts = factsOf(sources);
    expect(facts.counts).toMatchObject({ serving: 2, total: 3, standby: 0 });
    const text = CONCEPTS.find((c) => c.id === 'active-active')?.live(facts);
    expect(text).toBe('2 of 3 nodes are serving; losing one more leaves 1 serving.');
  });
});
