// What a snapshot says again keeps the object the store already has: a component that selects it
// is then not drawn again. A replay's jump rebuilds the lab from a keyframe (new objects for the
// same 64 nodes, the same incidents, the same events), and live, lab.state read again does the same.

/** Each object's JSON, made once: store objects are never changed in place, only replaced. */
const jsonOf = (() => {
  const cache = new WeakMap<object, string>();
  return (o: object): string => {
    let json = cache.get(o);
    if (json === undefined) cache.set(o, (json = JSON.stringify(o)));
    return json;
  };
})();

/** `next`, or `prev` when it says the same. */
export function keepSame<T extends object>(prev: T | null | undefined, next: T): T {
  if (prev === null || prev === undefined || prev === next) return next;
  return jsonOf(prev) === jsonOf(next) ? prev : next;
}

/**
 * `next` with each item that says the same as `prev`'s item of the same key kept as `prev`'s;
 * `prev` itself when the two hold the same items in the same order.
 */
export function keepSameItems<T extends object>(prev: readonly T[], next: readonly T[], key: (item: T) => string | number): T[] {
  const byKey = new Map<string | number, T>();
  for (const item of prev) byKey.set(key(item), item);
  let identical = prev.length === next.length;
  const out = next.map((item, i) => {
    const kept = keepSame(byKey.get(key(item)), item);
    if (kept !== prev[i]) identical = false;
    return kept;
  });
  return identical ? (prev as T[]) : out;
}
