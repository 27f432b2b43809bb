import { readFileSync } from 'node:fs';
import { isMap, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ContractError, fieldPath } from '../../../shared/contract/errors.js';
import { DrillSpec } from '../../../shared/drill/schema.js';

type Issue = z.core.$ZodIssue;
type Path = Array<string | number>;

/** Reads a drill YAML file; every error message reads `FILE:LINE:COL: field.path: message`. */
export function loadDrillFile(file: string): DrillSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ContractError({ code: 'not-found', message: `${file}: cannot read: ${(error as Error).message}` });
  }
  return parseDrill(text, file);
}

/** Parses drill YAML text; `fileName` only names the source in error messages. */
export function parseDrill(text: string, fileName: string): DrillSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const where = (offset: number): string => {
    const { line, col } = lineCounter.linePos(offset);
    return `${fileName}:${line}:${col}`;
  };

  const syntax = doc.errors[0];
  if (syntax) {
    const message = `${where(syntax.pos[0])}: (yaml): ${syntax.message.split('\n')[0]}`;
    throw new ContractError({ code: 'invalid-params', message, field: '(yaml)' });
  }

  const parsed = DrillSpec.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0] as Issue;
  const path = first.path as Path;
  const keyName = first.code === 'unrecognized_keys' ? first.keys[0] : undefined;
  const field = fieldPath(keyName === undefined ? path : [...path, keyName]);
  const issues = parsed.error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message }));
  throw new ContractError({
    code: 'invalid-params',
    message: `${where(offsetOf(doc, path, keyName))}: ${field}: ${first.message}`,
    field,
    issues,
  });
}

/**
 * Where a field is in the source: an unknown key's own position, else the value at the path, else
 * (a missing field) the key of the nearest ancestor that exists.
 * fleet-file.ts has a similar, private function; it is not exported, so this is the minimal one.
 */
function offsetOf(doc: Document, path: Path, keyName?: string): number {
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
