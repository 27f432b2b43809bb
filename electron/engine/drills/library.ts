// The drills the lab offers: the built-in library shipped in drills/library, plus the operator's own
// in ~/.firedrill/drills. A file that does not parse is listed as a problem, never a crash. The
// library is read on every drill.list, so each file is parsed once per (path, size, times) and the
// result kept; a hostile file costs one refusal, never a stalled list.
import { readdirSync, statSync, type Stats } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { DrillSummary } from '../../../shared/drill/run.js';
import type { DrillSpec } from '../../../shared/drill/schema.js';
import { appRoot } from '../app-paths.js';
import { issueCount, issueLines } from '../yaml-file.js';
import { loadDrillFile } from './drill-file.js';

/** Files read from one folder; past this, the rest are named as one problem. */
export const MAX_LIBRARY_FILES = 500;

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
    if (dir === undefined) continue;
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort();
    } catch {
      continue; // no such folder (yet): nothing to offer from it
    }
    if (names.length > MAX_LIBRARY_FILES) {
      library.problems.push(`${dir}: ${names.length} drill files; only the first ${MAX_LIBRARY_FILES} are read`);
      names = names.slice(0, MAX_LIBRARY_FILES);
    }
    const cached = readFolder(dir, names);
    for (const name of names) {
      const path = join(dir, name);
      const entry = cached.get(name) as CachedDrill;
      if ('problem' in entry) {
        library.problems.push(entry.problem);
        continue;
      }
      const spec = entry.spec;
      const clash = ids.get(spec.id);
      if (clash) {
        library.problems.push(`${path}: id "${spec.id}" is already taken by ${clash}`);
        continue;
      }
      ids.set(spec.id, path);
      library.drills.push({ spec, summary: summarizeDrill(spec, source, path) });
    }
  }
  return library;
}

type CachedDrill = { spec: DrillSpec } | { problem: string };
interface CacheEntry {
  stamp: string;
  drill: CachedDrill;
}
/** Per folder, per file name: what the file held when it had that stamp. Files no longer listed drop out. */
const cache = new Map<string, Map<string, CacheEntry>>();

function readFolder(dir: string, names: string[]): Map<string, CachedDrill> {
  const before = cache.get(dir);
  const now = new Map<string, CacheEntry>();
  const drills = new Map<string, CachedDrill>();
  for (const name of names) {
    const path = join(dir, name);
    let stat: Stats;
    try {
      stat = statSync(path);
    } catch (error) {
      drills.set(name, { problem: `${path}: cannot read: ${(error as Error).message}` });
      continue;
    }
    // Size, both times and the inode: an edit that keeps the size still moves mtime/ctime.
    const stamp = `${stat.size}:${stat.mtimeMs}:${stat.ctimeMs}:${stat.ino}`;
    const hit = before?.get(name);
    const entry = hit && hit.stamp === stamp ? hit : { stamp, drill: readDrill(path) };
    now.set(name, entry);
    drills.set(name, entry.drill);
  }
  cache.set(dir, now);
  return drills;
}

function readDrill(path: string): CachedDrill {
  try {
    return { spec: loadDrillFile(path) };
  } catch (error) {
    // One line per file in a list; `firedrill validate FILE` shows every mistake.
    const first = issueLines(error)[0] as string;
    const more = issueCount(error) - 1;
    return { problem: more > 0 ? `${first} (and ${more.toLocaleString('en-US')} more mistake${more === 1 ? '' : 's'}: run firedrill validate on it)` : first };
  }
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
