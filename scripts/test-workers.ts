// The lab tests of the paths users take, again with two balancer workers sharing the port (the
// desktop app's default on a 2-core machine: `workers: auto`). Several workers need SO_REUSEPORT
// (Node ≥ 22.12); on an older Node these run under the official Node build from the npm registry
// (test/support/recent-node.ts). Part of `npm test`; under CI=true a missing Node fails it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { recentNode } from '../test/support/recent-node';

// The lab's own plane only (tests that bring a plane of their own, as data-plane.test.ts does, run one).
// Every drill done by hand (drill-manual-path.test.ts, 2 min) passed here with two workers on
// 2026-12-07; it is left to the one-worker run to keep `npm test` short.
const FILES = [
  'test/integration/lab/failover-hold.test.ts', // a kill -9 of the primary in hot standby under GETs: held, not failed
  'test/integration/lab/failover.test.ts', // hot / cold standby failovers, the ledger, the stages
  'test/integration/lab/active-active.test.ts', // kill and SIGSTOP of one of three under traffic: 0 failed GETs
  'test/integration/lab/faults.test.ts', // toxics on the lead's proxies, pause and health checks, halt
];

const root = fileURLToPath(new URL('..', import.meta.url));
const node = recentNode(root);
if ('missing' in node) {
  const message = `test-workers: no Node with SO_REUSEPORT: ${node.missing}`;
  if (process.env.CI === 'true') {
    console.error(message);
    process.exit(1);
  }
  console.warn(`${message}; skipped`);
  process.exit(0);
}
const run = spawnSync(node.path, ['node_modules/vitest/vitest.mjs', 'run', '--project', 'lab', ...FILES], { cwd: root, stdio: 'inherit', env: { ...process.env, FIREDRILL_TEST_WORKERS: '2' } });
process.exit(run.status ?? 1);
