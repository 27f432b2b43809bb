// File-system steps that make a write survive a crash: fsync the file, rename, fsync the folder.
import { promises as fsp } from 'node:fs';

/** Makes a rename or a new file name durable; some platforms cannot open a folder, which is fine. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fsp.FileHandle | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}

/** Writes `parts` to `file` via `file.tmp`: write, fsync, rename, fsync the folder. */
export async function writeFileAtomic(dir: string, file: string, parts: readonly Buffer[]): Promise<number> {
  const target = `${dir}/${file}`;
  const temp = `${target}.tmp`;
  const handle = await fsp.open(temp, 'w');
  let bytes = 0;
  try {
    for (const part of parts) bytes += await writeFully(handle, part);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await fsp.rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  await fsp.rename(temp, target);
  await fsyncDir(dir);
  return bytes;
}

/** A write may be partial; loop until every byte is in the file. */
export async function writeFully(handle: fsp.FileHandle, buf: Buffer): Promise<number> {
  let at = 0;
  while (at < buf.length) {
    const { bytesWritten } = await handle.write(buf, at, buf.length - at);
    at += bytesWritten;
  }
  return buf.length;
}
