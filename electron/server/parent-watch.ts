// Exit with the parent: an IPC disconnect or the end of a piped stdin means it is gone.
import { fstatSync } from 'node:fs';

export function watchParent(onGone: (how: string) => void): void {
  if (typeof process.send === 'function') {
    process.on('disconnect', () => onGone('ipc-disconnect'));
    if (!process.connected) onGone('ipc-disconnect');
  }
  let stdinIsPipe = false;
  try {
    const stat = fstatSync(0);
    stdinIsPipe = stat.isFIFO() || stat.isSocket();
  } catch {
    // No stdin at all: nothing to watch there.
  }
  if (stdinIsPipe) {
    process.stdin.on('end', () => onGone('stdin-end'));
    process.stdin.on('close', () => onGone('stdin-closed'));
    process.stdin.on('error', () => onGone('stdin-error'));
    // Reading (and discarding) is what lets us see the end of the pipe.
    process.stdin.on('data', () => undefined);
    process.stdin.resume();
  }
}
