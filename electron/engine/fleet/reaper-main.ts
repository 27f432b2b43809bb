// The reaper: a tiny watchdog process. The engine registers the process groups it starts;
// when the engine's IPC channel closes (it exited, crashed or was SIGKILLed), every group
// still registered is SIGKILLed and the reaper exits. Bundled to out/reaper/index.js.

const groups = new Set<number>();

function signal(target: number): void {
  try {
    process.kill(target, 'SIGKILL');
  } catch {
    // already gone
  }
}

function reapAndExit(): void {
  for (const pid of groups) {
    signal(-pid); // children are group leaders (spawned detached)
    signal(pid);
  }
  groups.clear();
  process.exit(0);
}

function isPid(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 1;
}

if (typeof process.send !== 'function') {
  console.error('the reaper must be started with an IPC channel');
  process.exit(2);
}

// Messages that arrive while this ES module loads are emitted before this listener exists, and
// lost: the engine (reaper-client.ts) sends its registrations only after the `ready` below.
process.on('message', (message: unknown) => {
  if (!message || typeof message !== 'object') return;
  const { add, remove } = message as { add?: unknown; remove?: unknown };
  if (isPid(add)) groups.add(add);
  if (isPid(remove)) groups.delete(remove);
});
process.on('disconnect', reapAndExit);
for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) process.on(sig, reapAndExit);
process.send({ ready: process.pid }, undefined, {}, () => {}); // errors: the engine is gone; 'disconnect' follows
