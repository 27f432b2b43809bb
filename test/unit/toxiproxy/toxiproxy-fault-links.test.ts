import { describe, expect, it } from 'vitest';
import { FaultInject, faultLinksOf } from '../../../shared/contract/model.js';
import { parseToxicBody } from '../../../electron/engine/toxiproxy/toxic-body.js';

// The links a network fault acts on (the Toxiproxy API puts a toxic on one link), and a toxic as a
// Toxiproxy client writes it.
describe('FaultInject: links and name', () => {
  const issues = (input: unknown) => {
    const parsed = FaultInject.safeParse(input);
    return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  };

  it('network faults act on both links unless they say otherwise; a partition may say it in its attributes', () => {
    expect(faultLinksOf(FaultInject.parse({ type: 'latency', target: 'p1' }))).toBe('all');
    expect(faultLinksOf(FaultInject.parse({ type: 'latency', target: 'p1', links: 'replication' }))).toBe('replication');
    expect(faultLinksOf(FaultInject.parse({ type: 'partition', target: 'p1', attributes: { links: 'balancer' } }))).toBe('balancer');
    expect(faultLinksOf(FaultInject.parse({ type: 'partition', target: 'p1', links: 'balancer', attributes: { links: 'balancer' } }))).toBe('balancer');
  });

  it('refuses links or a name on a fault that is not a network one, and a contradiction, naming the field', () => {
    expect(issues({ type: 'kill', target: 'p1', links: 'balancer' })).toEqual([expect.stringMatching(/^links: only network faults/)]);
    expect(issues({ type: 'http_error', target: 'p1', name: 'x' })).toEqual([expect.stringMatching(/^name: only network faults/)]);
    expect(issues({ type: 'partition', target: 'p1', links: 'replication', attributes: { links: 'balancer' } })).toEqual([expect.stringMatching(/^links: .*contradicts/)]);
    expect(issues({ type: 'latency', target: 'p1', links: 'both' })).toEqual([expect.stringMatching(/^links: /)]);
    expect(issues({ type: 'latency', target: 'p1', name: 'a/b' })).toEqual([expect.stringMatching(/^name: /)]);
  });
});

describe('a toxic as a Toxiproxy client writes it', () => {
  it("fills in Toxiproxy's defaults: downstream, toxicity 1, name <type>_<stream>, attribute defaults", () => {
    expect(parseToxicBody({ type: 'latency', attributes: { latency: 100 } })).toEqual({ name: 'latency_downstream', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 100, jitter: 0 } });
    expect(parseToxicBody({ type: 'bandwidth', stream: 'UPSTREAM', toxicity: 0.25, name: 'narrow' })).toEqual({ name: 'narrow', type: 'bandwidth', stream: 'upstream', toxicity: 0.25, attributes: { rate: 0 } });
  });

  it("refuses in Toxiproxy's order and words, naming the field", () => {
    const refusal = (body: unknown) => {
      try {
        parseToxicBody(body);
        return null;
      } catch (error) {
        return { status: (error as { status: number }).status, message: (error as Error).message };
      }
    };
    expect(refusal([])).toMatchObject({ status: 400, message: expect.stringMatching(/^bad request body/) });
    expect(refusal({ type: 'meteor', stream: 'sideways' })).toEqual({ status: 400, message: 'stream was invalid, can be either upstream or downstream' });
    expect(refusal({ type: 'meteor' })).toMatchObject({ status: 400, message: expect.stringMatching(/^invalid toxic type: meteor/) });
    expect(refusal({ type: 'partition' })).toMatchObject({ status: 400, message: expect.stringMatching(/^invalid toxic type/) });
    expect(refusal({ type: 'latency', attributes: { latency: 'slow' } })).toMatchObject({ status: 400, message: expect.stringMatching(/^bad request body: attributes\.latency: /) });
    expect(refusal({ type: 'slicer', attributes: { average_size: 0 } })).toMatchObject({ status: 400, message: expect.stringMatching(/attributes\.average_size/) });
    expect(refusal({ type: 'latency', toxicity: -1 })).toMatchObject({ status: 400, message: expect.stringMatching(/toxicity/) });
    expect(refusal({ type: 'latency', name: 'f-12' })).toMatchObject({ status: 400, message: expect.stringMatching(/lab fault's id/) });
  });
});
