// CheckpointStore: generations of the KV map in DATA/checkpoints/ckpt-<generation, 10 digits>.bin,
// each written atomically (temp file, fsync, rename, fsync folder) and verified on load.
import { webcrypto } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import {
  CHECKPOINT_HEADER_BYTES,
  CheckpointInvalid,
  decodeHeader,
  deserializeMap,
  encodeHeader,
  verifyImage,
  type CheckpointHeader,
  type KvMap,
} from './checkpoint-format';
import { writeFileAtomic } from './durable-fs';

export interface CheckpointFile {
  file: string;
  generation: number;
}

export interface WrittenCheckpoint {
  generation: number;
  lsn: number;
  file: string;
  bytes: number;
  at: number;
  durationMs: number;
}

export interface LoadedCheckpoint {
  header: CheckpointHeader;
  map: KvMap;
  bytes: number;
}

const CHECKPOINT_PATTERN = /^ckpt-(\d{10})\.bin$/;

export function checkpointName(generation: number): string {
  return `ckpt-${String(generation).padStart(10, '0')}.bin`;
}

export class CheckpointStore {
  constructor(readonly dir: string) {}

  /** Creates the folder and removes temp files a crash left mid-write. */
  async init(): Promise<void> {
    await fsp.mkdir(this.dir, { recursive: true });
    for (const name of await fsp.readdir(this.dir)) {
      if (name.endsWith('.tmp')) await fsp.rm(`${this.dir}/${name}`, { force: true });
    }
  }

  /** Checkpoint files, newest generation first. */
  async list(): Promise<CheckpointFile[]> {
    const out: CheckpointFile[] = [];
    for (const file of await fsp.readdir(this.dir)) {
      const match = CHECKPOINT_PATTERN.exec(file);
      if (match?.[1]) out.push({ file, generation: Number(match[1]) });
    }
    return out.sort((a, b) => b.generation - a.generation);
  }

  /** Reads and fully verifies one checkpoint; throws CheckpointInvalid saying why not. */
  async load(entry: CheckpointFile): Promise<LoadedCheckpoint> {
    let image: Buffer;
    try {
      image = await fsp.readFile(`${this.dir}/${entry.file}`);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') throw new CheckpointInvalid('missing', 'file disappeared');
      throw new CheckpointInvalid('unreadable', `${code ?? 'error'}: ${(error as Error).message}`);
    }
    const { header, payload } = verifyImage(image);
    if (header.generation !== entry.generation) {
      throw new CheckpointInvalid('generation-mismatch', `header says generation ${header.generation}`, header);
    }
    return { header, map: deserializeMap(payload), bytes: image.length };
  }

  /** The header alone, or null when it cannot be read or trusted. */
  async readHeader(entry: CheckpointFile): Promise<CheckpointHeader | null> {
    let handle: fsp.FileHandle | undefined;
    try {
      handle = await fsp.open(`${this.dir}/${entry.file}`, 'r');
      const buf = Buffer.alloc(CHECKPOINT_HEADER_BYTES);
      const { bytesRead } = await handle.read(buf, 0, buf.length, 0);
      return decodeHeader(buf.subarray(0, bytesRead));
    } catch {
      return null;
    } finally {
      await handle?.close();
    }
  }

  /** Writes a generation atomically; hashing runs off the event loop. */
  async write(generation: number, lsn: number, payload: Buffer): Promise<WrittenCheckpoint> {
    const started = performance.now();
    const digest = Buffer.from(await webcrypto.subtle.digest('SHA-256', payload));
    const at = Date.now();
    const header = encodeHeader({ generation, lsn, createdAt: at, payloadLength: payload.length, sha256: digest });
    const file = checkpointName(generation);
    const bytes = await writeFileAtomic(this.dir, file, [header, payload]);
    return { generation, lsn, file, bytes, at, durationMs: Math.round((performance.now() - started) * 10) / 10 };
  }

  /** Keeps the newest `keep` generations; returns what was deleted and the oldest kept lsn. */
  async prune(keep: number): Promise<{ deleted: string[]; oldestKeptLsn: number | null }> {
    const all = await this.list();
    const deleted: string[] = [];
    for (const entry of all.slice(keep)) {
      await fsp.rm(`${this.dir}/${entry.file}`, { force: true });
      deleted.push(entry.file);
    }
    let oldestKeptLsn: number | null = null;
    for (const entry of all.slice(0, keep)) {
      const header = await this.readHeader(entry);
      if (header) oldestKeptLsn = Math.min(oldestKeptLsn ?? header.lsn, header.lsn);
    }
    return { deleted, oldestKeptLsn };
  }
}
