// The files a checkpoint fault may touch: only inside the target node's own data folder, itself
// inside the lab's run folder, every path resolved with realpath first (a symlinked `checkpoints/`
// pointing elsewhere is refused, not followed).
import { constants, promises as fsp } from 'node:fs';
import { join, relative, sep, isAbsolute } from 'node:path';
import { ContractError } from '../../../../shared/contract/errors';
import type { FaultContext } from '../fault-unit';

/** The server's on-disk names (electron/server/README.md). */
const CHECKPOINT_PATTERN = /^ckpt-(\d{10})\.bin$/;
const SEGMENT_PATTERN = /^wal-(\d{20})\.log$/;
export const CHECKPOINT_HEADER_BYTES = 76;

export interface DataFile {
  /** The real path (symlinks resolved), inside the node's data folder. */
  path: string;
  /** Relative to the data folder, for messages and effects. */
  name: string;
  /** Generation of a checkpoint, first lsn of a WAL segment. */
  number: number;
  size: number;
}

function within(parent: string, child: string): boolean {
  const rel = relative(parent, child);
  return rel !== '' && !rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel);
}

function outside(what: string, where: string): ContractError {
  return new ContractError({ code: 'invalid-params', field: 'target', message: `refused: ${what} is not inside ${where}` });
}

async function real(path: string): Promise<string | undefined> {
  try {
    return await fsp.realpath(path);
  } catch {
    return undefined;
  }
}

/** The target's data folder (real path), checked to be inside the lab's run folder. */
export async function nodeDataDir(context: FaultContext): Promise<string> {
  const runDir = await real(context.runDir);
  const dataDir = await real(context.node.dataDir);
  if (!runDir || !dataDir) {
    throw new ContractError({ code: 'not-found', field: 'target', message: `node ${context.node.id} has no data folder at ${context.node.dataDir}` });
  }
  if (!within(runDir, dataDir)) throw outside(`the data folder of ${context.node.id} (${dataDir})`, `the lab's run folder ${runDir}`);
  return dataDir;
}

/** The numbered files of `sub/` (checkpoints or wal), newest first, each real path checked. */
async function numberedFiles(dataDir: string, sub: string, pattern: RegExp): Promise<DataFile[]> {
  let names: string[];
  try {
    names = await fsp.readdir(join(dataDir, sub));
  } catch {
    return [];
  }
  const files: DataFile[] = [];
  for (const file of names) {
    const match = pattern.exec(file);
    if (!match?.[1]) continue;
    const path = await real(join(dataDir, sub, file));
    if (path === undefined) continue; // removed meanwhile (pruned by the server)
    if (!within(dataDir, path)) throw outside(`${sub}/${file} (really ${path})`, `the node's data folder ${dataDir}`);
    const stat = await fsp.stat(path);
    if (!stat.isFile()) continue;
    files.push({ path, name: `${sub}/${file}`, number: Number(match[1]), size: stat.size });
  }
  return files.sort((a, b) => b.number - a.number);
}

export function checkpointFiles(dataDir: string): Promise<DataFile[]> {
  return numberedFiles(dataDir, 'checkpoints', CHECKPOINT_PATTERN);
}

export function walSegments(dataDir: string): Promise<DataFile[]> {
  return numberedFiles(dataDir, 'wal', SEGMENT_PATTERN);
}

/** The newest checkpoint, or the one of `generation`; refuses when there is none. */
export async function pickCheckpoint(context: FaultContext, generation: number | undefined): Promise<{ dataDir: string; file: DataFile; all: DataFile[] }> {
  const dataDir = await nodeDataDir(context);
  const all = await checkpointFiles(dataDir);
  const file = generation === undefined ? all[0] : all.find((f) => f.number === generation);
  if (!file) {
    const have = all.map((f) => f.number).join(', ') || 'none';
    throw generation === undefined
      ? new ContractError({ code: 'not-found', field: 'target', message: `node ${context.node.id} has no checkpoint yet (in ${join(dataDir, 'checkpoints')})` })
      : new ContractError({ code: 'not-found', field: 'attributes.generation', message: `node ${context.node.id} has no checkpoint generation ${generation} (have: ${have})` });
  }
  return { dataDir, file, all };
}

/** Opens a checked file for writing without following a symlink swapped in since the check. */
export function openForDamage(path: string, flags = 0): Promise<fsp.FileHandle> {
  return fsp.open(path, constants.O_RDWR | flags | (constants.O_NOFOLLOW ?? 0));
}

/** Makes a rename or unlink durable (best effort: some platforms cannot open a folder). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const handle = await fsp.open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // not supported here
  }
}

/** A fresh error for an attribute that does not fit the file. */
export function badAttribute(name: string, message: string): ContractError {
  return new ContractError({ code: 'invalid-params', field: `attributes.${name}`, message: `attributes.${name}: ${message}` });
}
