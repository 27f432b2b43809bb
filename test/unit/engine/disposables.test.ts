import { describe, expect, it } from 'vitest';
import { DisposableStore } from '../../../electron/engine/disposables';
import { sleep } from '../../../shared/sleep';

describe('DisposableStore (everything the engine tears down, in one place)', () => {
  it('tears down last added first, awaiting each before the next', async () => {
    const order: string[] = [];
    const store = new DisposableStore();
    store.defer(() => {
      order.push('first');
    });
    store.add({
      dispose: async () => {
        await sleep(20);
        order.push('second');
      },
    });
    store.defer(() => {
      order.push('third');
    });
    await store.dispose();
    expect(order).toEqual(['third', 'second', 'first']);
  });

  it('runs once: a second dispose() is the same disposal, and nothing more may be added', async () => {
    let runs = 0;
    const store = new DisposableStore();
    store.defer(async () => {
      runs += 1;
      await sleep(10);
    });
    expect(store.disposed).toBe(false);
    const first = store.dispose();
    expect(store.disposed).toBe(true);
    const second = store.dispose();
    expect(second).toBe(first);
    await Promise.all([first, second]);
    await store.dispose();
    expect(runs).toBe(1);
    expect(() => store.defer(() => undefined)).toThrow(/already disposed/);
  });

  it('runs every teardown even when some fail, then throws the failures as one', async () => {
    const ran: string[] = [];
    const store = new DisposableStore();
    store.defer(() => {
      ran.push('a');
    });
    store.defer(() => {
      ran.push('b');
      throw new Error('b broke');
    });
    store.defer(async () => {
      ran.push('c');
      await Promise.resolve();
      throw new Error('c broke');
    });
    const error = await store.dispose().then(
      () => null,
      (e: unknown) => e,
    );
    expect(ran).toEqual(['c', 'b', 'a']);
    expect(error).toBeInstanceOf(AggregateError);
    expect((error as AggregateError).errors.map((e: Error) => e.message)).toEqual(['c broke', 'b broke']);
  });

  it('throws a single failure as itself, and nests: a store is a disposable', async () => {
    const ran: string[] = [];
    const inner = new DisposableStore();
    inner.defer(() => {
      ran.push('inner');
      throw new Error('inner broke');
    });
    const outer = new DisposableStore();
    outer.defer(() => {
      ran.push('outer');
    });
    outer.add(inner);
    await expect(outer.dispose()).rejects.toThrow('inner broke');
    expect(ran).toEqual(['inner', 'outer']);
    expect(inner.disposed).toBe(true);
  });
});
