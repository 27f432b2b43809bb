// The lab's own reach into node data folders: paths checked to stay inside the run folder, and
// setting aside a log that no longer belongs to the checkpoints a node will be fed.
import { existsSync, lstatSync, realpathSync, renameSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';

/** `path` (resolved through symlinks as far as it exists) inside `runDir`, or an error saying why not. */
export function insideRunDir(runDir: string, path: string): string {
  const root = realpathSync(resolve(runDir));
  const target = resolve(path);
  // Resolve the deepest existing ancestor, so a symlinked folder cannot lead outside.
  let existing = target;
  let rest = '';
  while (!existsSync(existing)) {
    const parent = dirname(existing);
    if (parent === existing) break;
    rest = rest ? join(basename(existing), rest) : basename(existing);
    existing = parent;
  }
  const real = rest ? join(realpathSync(existing), rest) : realpathSync(existing);
  const rel = relative(root, real);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${path} is not inside the run folder ${runDir}`);
  return real;
}

/** A regular file (not a symlink) inside the run folder; throws otherwise. */
export function regularFileInside(runDir: string, path: string): string {
  const real = insideRunDir(runDir, path);
  if (!lstatSync(real).isFile()) throw new Error(`${path} is not a regular file`);
  return real;
}

/**
 * Renames a node's `wal/` to `wal.superseded-<ms>/` (kept for forensics). Only for a node with no
 * process: its next start restores the checkpoints shipped into its folder without replaying a log
 * written in another history (replaying it over them would mix two histories). Returns the new
 * name, or null when there was no log.
 */
export function supersedeLog(runDir: string, dataDir: string, at = Date.now()): string | null {
  const wal = insideRunDir(runDir, join(dataDir, 'wal'));
  if (!existsSync(wal)) return null;
  const name = `wal.superseded-${Math.floor(at)}`;
  renameSync(wal, join(dataDir, name));
  return name;
}
