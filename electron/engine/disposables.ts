// One type for everything the engine must tear down, and one store that tears a set of them down.
// Node 20 has no `DisposableStack` (TC39 explicit resource management); this is the small part of it
// the engine needs, with the same names (`defer`, `dispose`, `disposed`), and no polyfill.

/** Anything that must be torn down: a server, a process, a timer, a subscription. */
export interface Disposable {
  dispose(): void | Promise<void>;
}

/**
 * Disposables torn down together, last added first (what started last depends on what started
 * before it). `dispose()` runs once: every item runs even when one fails, one at a time, and the
 * failures come out as one error after all ran (the error itself if only one failed, else an
 * `AggregateError`). The store is a `Disposable` itself, so stores nest.
 */
export class DisposableStore implements Disposable {
  private readonly teardowns: Array<() => void | Promise<void>> = [];
  private disposing: Promise<void> | undefined;

  /** True once `dispose()` has been called (it may still be running). */
  get disposed(): boolean {
    return this.disposing !== undefined;
  }

  /** Adds a disposable; returns it, so `const x = store.add(new X())` reads as one step. */
  add<T extends Disposable>(item: T): T {
    this.defer(() => item.dispose());
    return item;
  }

  /** Adds a teardown function: an unsubscribe, or `() => server.close()` for a collaborator that calls it `close`/`stop`. */
  defer(teardown: () => void | Promise<void>): void {
    // Nothing may escape a disposal already under way: a late addition would never be torn down.
    if (this.disposing) throw new Error('this store is already disposed: nothing more can be added to it');
    this.teardowns.push(teardown);
  }

  dispose(): Promise<void> {
    this.disposing ??= this.disposeAll();
    return this.disposing;
  }

  private async disposeAll(): Promise<void> {
    const errors: unknown[] = [];
    for (const teardown of this.teardowns.splice(0).reverse()) {
      try {
        await teardown();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} teardowns failed`);
  }
}
