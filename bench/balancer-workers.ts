// The lab's balancer with several workers, for bench/balancer.bench.ts's all-cores rows: run under a
// Node with SO_REUSEPORT (test/support/recent-node.ts) as `node --import tsx THIS '{"ports":[…],"workers":N}'`.
// It prints one JSON line {"port","workers","node"} once listening, and closes when its stdin ends.
import type { BalancerListener } from '../electron/engine/balancer/index';
import { MultiWorkerDataPlane, PlaneClient } from '../electron/engine/data-plane/index';
import { BalancerSettings } from '../shared/contract/model';

const { ports, workers } = JSON.parse(process.argv[2] ?? '{}') as { ports: number[]; workers: number };
const settings = BalancerSettings.parse({ workers });
const quiet: BalancerListener = { onDetected() {}, onEjected() {}, onReadmitted() {}, onFirstServed() {} };
const client = new PlaneClient({ plane: new MultiWorkerDataPlane({ settings }), listener: quiet, settings });
// As in the lab: every outcome crosses to this thread (the lab's metrics read them here).
let outcomes = 0;
client.onOutcome(() => outcomes++);
const port = await client.listen(0);
client.setUpstreams(ports.map((p, i) => ({ id: `n${i + 1}`, port: p })));
await client.settled();
console.log(JSON.stringify({ port, workers: client.state().workers, node: process.versions.node }));
process.stdin.resume();
process.stdin.on('end', () => {
  void client.close().then(() => {
    console.error(`(balancer-workers: ${outcomes} outcomes)`);
    process.exit(0);
  });
});
