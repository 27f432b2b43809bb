// Records keyed by node id have no prototype: ids are user-given and `constructor` is a valid one,
// which a plain object would answer with Object's own member.

/** A record with no prototype, holding `from`'s entries. */
export function nodeRecord<T>(from?: Readonly<Record<string, T>> | null): Record<string, T> {
  return Object.assign(Object.create(null) as Record<string, T>, from);
}
