import { describe, expect, it } from 'vitest';
import { ContractError } from '../../../../shared/contract/errors';
import { parseToxicSpec, type ToxicSpec } from '../../../../electron/engine/faults/network/toxic-spec';
import { Fifo } from '../../../../electron/engine/faults/network/toxic-stage';

const spec = (patch: Partial<ToxicSpec>): ToxicSpec => ({ name: 't', type: 'latency', stream: 'downstream', toxicity: 1, attributes: {}, ...patch });

describe('toxic specs', () => {
  it("fills the contract's defaults, Toxiproxy's attribute names", () => {
    expect(parseToxicSpec(spec({})).attributes).toEqual({ latency: 0, jitter: 0 });
    expect(parseToxicSpec(spec({ type: 'slicer' })).attributes).toEqual({ average_size: 64, size_variation: 0, delay: 0 });
    expect(parseToxicSpec(spec({ type: 'limit_data', attributes: { bytes: 10 } })).attributes).toEqual({ bytes: 10 });
  });

  it('refuses with a ContractError naming the field', () => {
    const field = (patch: Partial<ToxicSpec>): string | undefined => {
      try {
        parseToxicSpec(spec(patch));
      } catch (error) {
        expect(error).toBeInstanceOf(ContractError);
        return (error as ContractError).field;
      }
      return undefined;
    };
    expect(field({ name: '' })).toBe('name');
    expect(field({ type: 'partition' as ToxicSpec['type'] })).toBe('type');
    expect(field({ stream: 'sideways' as ToxicSpec['stream'] })).toBe('stream');
    expect(field({ toxicity: -0.1 })).toBe('toxicity');
    expect(field({ attributes: { latency: -5 } })).toBe('attributes.latency');
    expect(field({ attributes: { rate: 5 } })).toBe('attributes');
  });
});

describe('Fifo', () => {
  it('keeps order across compactions', () => {
    const fifo = new Fifo<number>();
    let next = 0;
    for (let i = 0; i < 5_000; i += 1) {
      fifo.push(i);
      if (i % 3 !== 0) expect(fifo.shift()).toBe(next++);
    }
    while (fifo.length > 0) expect(fifo.shift()).toBe(next++);
    expect(next).toBe(5_000);
    expect(fifo.shift()).toBeUndefined();
  });
});
