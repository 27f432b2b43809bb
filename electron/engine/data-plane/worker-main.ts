// The data plane's thread: an InProcessDataPlane (the balancer and the fault proxies) driven by
// messages from WorkerDataPlane on the engine's thread. Bundled to out/data-plane/index.js.
import { parentPort, workerData } from 'node:worker_threads';
import { ContractError } from '../../../shared/contract/errors';
import { alignClock } from '../clock';
import { InProcessDataPlane } from './in-process';
import type { FromWorker, ToWorker, WorkerCall, WorkerStart } from './worker-messages';

const port = parentPort;
if (!port) throw new Error('the data plane runs in a worker thread (worker-plane.ts starts it)');
const start = workerData as WorkerStart;
alignClock(start.clockBase);

const plane = new InProcessDataPlane({
  settings: start.settings,
  ...(start.role ? { role: start.role } : {}),
  ...(start.flushMs !== undefined ? { flushMs: start.flushMs } : {}),
  ...(start.maxBatch !== undefined ? { maxBatch: start.maxBatch } : {}),
  ...(start.statesMs !== undefined ? { statesMs: start.statesMs } : {}),
});
const post = (message: FromWorker): void => port.postMessage(message);
plane.subscribe((message) => post({ kind: 'out', message }));

async function answer(call: WorkerCall): Promise<number | null | Awaited<ReturnType<InProcessDataPlane['ensureLinks']>>> {
  switch (call.name) {
    case 'listen':
      return plane.listen(call.port, call.reusePort ? { reusePort: true } : {});
    case 'ensureLinks':
      return plane.ensureLinks(call.nodes, call.fixed);
    case 'applyLinkToxic':
      await plane.applyLinkToxic(call.faultId, call.nodeId, call.toxic);
      return null;
    case 'settled':
      await plane.settled();
      return null;
    case 'close':
      await plane.close(call.drainMs);
      return null;
  }
}

port.on('message', (data: ToWorker) => {
  if (data.kind === 'in') {
    plane.send(data.message);
    return;
  }
  const { id, call } = data;
  answer(call).then(
    // Closed or not, the thread ends when the engine terminates it (worker-plane.ts): never by itself
    // while the engine may be terminating it.
    (value) => post({ kind: 'answer', id, value }),
    (error: unknown) =>
      post({
        kind: 'failed',
        id,
        contract: error instanceof ContractError ? error.toBody() : null,
        message: error instanceof Error ? error.message : String(error),
        code: typeof (error as { code?: unknown } | null)?.code === 'string' ? (error as { code: string }).code : null,
      }),
  );
});
post({ kind: 'ready' });
