import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ContractError, fieldPath } from '../../../shared/contract/errors';
import { FleetSpec } from '../../../shared/contract/model';
import { offsetOf } from '../yaml-position';

type Issue = z.core.$ZodIssue;
type Path = Array<string | number>;

/** Reads a fleet YAML file; every error message reads `FILE:LINE:COL: field.path: message`. */
export function loadFleetFile(file: string): FleetSpec {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ContractError({ code: 'not-found', message: `${file}: cannot read: ${(error as Error).message}` });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const where = (offset: number | undefined): string => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return `${file}:${line}:${col}`;
  };

  const syntax = doc.errors[0];
  if (syntax) {
    const message = `${where(syntax.pos[0])}: (yaml): ${syntax.message.split('\n')[0]}`;
    throw new ContractError({ code: 'invalid-params', message, field: '(yaml)' });
  }

  const parsed = FleetSpec.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const { path, message, keyName } = explain(parsed.error.issues[0] as Issue);
  const field = fieldPath(keyName === undefined ? path : [...path, keyName]);
  const issues = parsed.error.issues.map((issue) => ({ field: fieldPath(issue.path), message: issue.message }));
  throw new ContractError({
    code: 'invalid-params',
    message: `${where(offsetOf(doc, path, keyName))}: ${field}: ${message}`,
    field,
    issues,
  });
}

/** The most useful issue: for a union, the branch that got furthest (not the one whose `kind` is wrong). */
function explain(issue: Issue, prefix: Path = []): { path: Path; message: string; keyName?: string } {
  const path = [...prefix, ...(issue.path as Path)];
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    const score = (branch: Issue[]): number =>
      branch.length + (branch.some((i) => i.path.length === 1 && i.path[0] === 'kind') ? 100 : 0);
    const best = [...issue.errors].sort((a, b) => score(a) - score(b))[0];
    if (best?.[0]) return explain(best[0], path);
  }
  if (issue.code === 'unrecognized_keys' && issue.keys.length > 0) {
    return { path, message: issue.message, keyName: issue.keys[0] };
  }
  return { path, message: issue.message };
}

