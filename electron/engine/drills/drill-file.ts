import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument } from 'yaml';
import type { z } from 'zod';
import { ContractError, fieldPath } from '../../../shared/contract/errors.js';
import { DrillSpec } from '../../../shared/drill/schema.js';
import { offsetOf } from '../yaml-position.js';

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

