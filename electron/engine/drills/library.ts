// The drills the lab offers: the built-in library shipped in drills/library, plus the operator's own
// in ~/.firedrill/drills. A file that does not parse is listed as a problem, never a crash.
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DrillSummary } from '../../../shared/drill/run.js';
import type { DrillSpec } from '../../../shared/drill/schema.js';
import { appRoot } from '../app-paths.js';
import { loadDrillFile } from './drill-file.js';

export interface LibraryDrill {
  summary: DrillSummary;
  spec: DrillSpec;
}

export interface DrillLibrary {
  drills: LibraryDrill[];
  /** Files that could not be loaded, each message naming the file, line and field. */
  problems: string[];
}

export function builtinDrillsDir(): string {
  return process.env.FIREDRILL_DRILLS_DIR ?? join(appRoot(), 'drills', 'library');
}

export function userDrillsDir(): string {
  return process.env.FIREDRILL_USER_DRILLS_DIR ?? join(homedir(), '.firedrill', 'drills');
}

/** Loads every `*.yaml`/`*.yml` of the built-in folder, then the operator's; a user drill may not take a built-in's id. */
export function loadLibrary(dirs: { builtin: string; user?: string } = { builtin: builtinDrillsDir(), user: userDrillsDir() }): DrillLibrary {
  const library: DrillLibrary = { drills: [], problems: [] };
  const ids = new Map<string, string>();
  for (const [source, dir] of [['builtin', dirs.builtin], ['file', dirs.user]] as const) {
    if (dir === undefined || !existsSync(dir)) continue;
    const files = readdirSync(dir)
      .filter((name) => /\.ya?ml$/.test(name))
      .sort();
    for (const name of files) {
      const path = join(dir, name);
      try {
        const spec = loadDrillFile(path);
        const clash = ids.get(spec.id);
        if (clash) {
          library.problems.push(`${path}: id "${spec.id}" is already taken by ${clash}`);
          continue;
        }
        ids.set(spec.id, path);
        library.drills.push({ spec, summary: summarizeDrill(spec, source, path) });
      } catch (error) {
        library.problems.push((error as Error).message);
      }
    }
  }
  return library;
}

export function summarizeDrill(spec: DrillSpec, source: DrillSummary['source'], path: string): DrillSummary {
  let estimatedMs = 0;
  let predictions = 0;
  let actions = 0;
  for (const step of spec.steps) {
    if ('wait' in step) estimatedMs += step.wait;
    if ('predict' in step) predictions++;
    if ('action' in step) actions++;
  }
  return { id: spec.id, title: spec.title, concept: spec.concept, summary: spec.summary, source, path, steps: spec.steps.length, estimatedMs, predictions, actions };
}
