// Where a field named by a schema error sits in a YAML file (fleet files, drill files).
import { isMap, isScalar, type Document } from 'yaml';

export type YamlPath = Array<string | number>;

/**
 * Where a field is in the source: an unknown key's own position, else the value at the path, else
 * (a missing field) the key of the nearest ancestor that exists.
 */
export function offsetOf(doc: Document, path: YamlPath, keyName?: string): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (!node || typeof node !== 'object') continue;
    if (depth === path.length && keyName !== undefined && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && item.key.value === keyName);
      if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
    }
    if (depth === path.length) {
      const range = (node as { range?: [number, number, number] | null }).range;
      if (range) return range[0];
    }
    // Missing below here: point at the key that holds this node, if it is a map entry.
    if (depth > 0) {
      const parent: unknown = depth === 1 ? doc.contents : doc.getIn(path.slice(0, depth - 1), true);
      if (isMap(parent)) {
        const pair = parent.items.find((item) => isScalar(item.key) && item.key.value === path[depth - 1]);
        if (pair && isScalar(pair.key) && pair.key.range) return pair.key.range[0];
      }
    }
    const range = (node as { range?: [number, number, number] | null }).range;
    if (range) return range[0];
  }
  return 0;
}
