// EpochHistory: which primary wrote which stretch of the log. A node starts a new epoch each time
// it becomes primary (at start or by promotion), at the lsn it will write next, and persists it in
// DATA/epochs.json. A standby adopts its primary's history with the records it applies. A primary
// compares a standby's last epoch with its own history to spot records written after the fork.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { writeFileAtomic } from './durable-fs';

export interface Epoch {
  epoch: number;
  /** Unique even when two nodes pick the same number: `<node>.<epoch>.<random>`. */
  id: string;
  /** The first lsn written in this epoch. */
  startLsn: number;
}

/** The history before any recorded epoch (a fresh folder). */
export const ROOT_EPOCH = 'root';
const FILE = 'epochs.json';
/** Older entries are dropped past this: a standby that far behind gets a snapshot. */
const MAX_ENTRIES = 200;

export class EpochHistory {
  entries: Epoch[] = [];

  constructor(private readonly dir: string | null) {}

  get current(): Epoch | null {
    return this.entries.at(-1) ?? null;
  }

  get lastId(): string {
    return this.current?.id ?? ROOT_EPOCH;
  }

  /** Loads DATA/epochs.json; a missing or unreadable file is an empty history (the safe side: more snapshots). */
  async load(): Promise<void> {
    if (!this.dir) return;
    try {
      this.entries = parseEpochs(JSON.parse(await fsp.readFile(`${this.dir}/${FILE}`, 'utf8'))) ?? [];
    } catch {
      this.entries = [];
    }
  }

  /** This node becomes primary: a new epoch starting at `startLsn`, durable before anything is written in it. */
  async begin(nodeId: string, startLsn: number): Promise<Epoch> {
    const epoch = Math.max(0, ...this.entries.map((e) => e.epoch)) + 1;
    const entry: Epoch = { epoch, id: `${nodeId}.${epoch}.${randomBytes(4).toString('hex')}`, startLsn };
    await this.save([...this.entries, entry]);
    return entry;
  }

  /** A standby now follows `entries` (its primary's history); persisted only when it changed. */
  async adopt(entries: readonly Epoch[]): Promise<void> {
    if (entries.length === 0 || entries.at(-1)?.id === this.lastId) return;
    await this.save(entries);
  }

  /**
   * True when a node whose history ends in epoch `lastId` and holds records up to `lsn` holds only
   * records of this history: its epoch is ours, or ended (in our history) after its last record.
   */
  contains(lastId: string, lsn: number): boolean {
    if (lastId === this.lastId) return true;
    const i = lastId === ROOT_EPOCH ? -1 : this.entries.findIndex((e) => e.id === lastId);
    if (i < 0 && lastId !== ROOT_EPOCH) return false;
    // A history trimmed to MAX_ENTRIES no longer knows where the root ended.
    if (i < 0 && this.entries.length >= MAX_ENTRIES) return false;
    const next = this.entries[i + 1];
    return next === undefined || lsn < next.startLsn;
  }

  private async save(entries: readonly Epoch[]): Promise<void> {
    const kept = entries.slice(-MAX_ENTRIES);
    if (this.dir) await writeFileAtomic(this.dir, FILE, [Buffer.from(JSON.stringify(kept))]);
    this.entries = kept;
  }
}

/** Entries from JSON (a file or the `x-epochs` header), or null when they are not a history. */
export function parseEpochs(value: unknown): Epoch[] | null {
  if (!Array.isArray(value) || value.length > MAX_ENTRIES) return null;
  const out: Epoch[] = [];
  for (const item of value) {
    const { epoch, id, startLsn } = (item ?? {}) as Record<string, unknown>;
    if (!Number.isSafeInteger(epoch) || typeof id !== 'string' || id.length > 100 || !Number.isSafeInteger(startLsn)) return null;
    out.push({ epoch: epoch as number, id, startLsn: startLsn as number });
  }
  return out;
}
