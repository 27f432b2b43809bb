import { labelKeyProblem, labelValueProblem, type ChaosMeshExportOptions } from './options.js';

/** A selector written wrong: the message quotes it and says how to write it. */
export class SelectorSyntaxError extends Error {
  override readonly name = 'SelectorSyntaxError';
}

/**
 * Selectors as a person writes them (the CLI's --selector, a line of the UI's box): `NODE:KEY=VALUE`
 * is a label NODE's pods carry (in place of the default label; several for one node must all
 * match), `KEY=VALUE` a label every node's pods carry. Label keys and values hold no ':' or '=', so
 * the first ':' before the '=' ends the node id.
 */
export function parseSelectors(entries: readonly string[], quote: (text: string) => string = (text) => text): Pick<ChaosMeshExportOptions, 'selectors' | 'commonLabels'> {
  const selectors: Record<string, Record<string, string>> = {};
  const commonLabels: Record<string, string> = {};
  for (const entry of entries) {
    const shown = quote(entry);
    const match = /^(?:([^:=]*):)?([^=]*)=(.*)$/s.exec(entry);
    if (!match) throw new SelectorSyntaxError(`"${shown}": write NODE:KEY=VALUE (or KEY=VALUE for every node), e.g. p1:statefulset.kubernetes.io/pod-name=kv-0`);
    const [, node, key = '', value = ''] = match;
    if (node !== undefined && !/^[a-z][a-z0-9-]{0,31}$/.test(node)) throw new SelectorSyntaxError(`"${shown}": "${quote(node)}" is not a node id (a-z, 0-9 and -, starting with a letter)`);
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) throw new SelectorSyntaxError(`"${shown}": ${quote(problem)}`);
    const labels = node === undefined ? commonLabels : (selectors[node] ??= {});
    if (labels[key] !== undefined && labels[key] !== value) throw new SelectorSyntaxError(`"${shown}": ${node ?? 'every node'} already has ${key}=${labels[key]}`);
    labels[key] = value;
  }
  return { ...(Object.keys(selectors).length > 0 ? { selectors } : {}), ...(Object.keys(commonLabels).length > 0 ? { commonLabels } : {}) };
}
