// Entry point of the bundled test server (out/server/index.js): flags, HTTP, restore, exit.
import { AdmissionGate } from './admission';
import { ConfigError, parseArgs, type ServerConfig } from './config';
import { createHttpApi } from './http-api';
import { KvNode } from './kv-node';
import { describeError, EventLog } from './log';
import { watchParent } from './parent-watch';

const FORCED_EXIT_MS = 3000;

function parseOrExit(): ServerConfig {
  try {
    return parseArgs(process.argv.slice(2), process.env);
  } catch (error) {
    const message = error instanceof ConfigError ? error.message : describeError(error);
    process.stderr.write(`firedrill-server: ${message}\n`);
    process.exit(2);
  }
}

const config = parseOrExit();
const log = new EventLog(config.nodeId);
// A parent that stopped reading our stdout must not crash us with EPIPE.
process.stdout.on('error', () => undefined);

const gate = new AdmissionGate({
  serviceTimeMs: config.serviceTimeMs,
  concurrency: config.concurrency,
  queueLimit: config.queueLimit,
  queueTimeoutMs: config.queueTimeoutMs,
});
const node = new KvNode(config, log, (error) => {
  // Fail-stop: a log we cannot write means acknowledged writes would not be durable.
  log.emit('wal.failed', { detail: describeError(error) });
  exitNow('wal-failed', 1);
});
const server = createHttpApi(node, gate, config);
let exiting = false;

function exitNow(reason: string, code: number, fields: Record<string, unknown> = {}): void {
  if (exiting && code === 0) return;
  exiting = true;
  node.syncNowBlocking();
  log.emit('server.exit', { reason, code, ...fields });
  process.exit(code);
}

async function shutdown(reason: string): Promise<void> {
  if (exiting) return;
  exiting = true;
  setTimeout(() => {
    log.emit('server.exit', { reason, code: 0, forced: true });
    process.exit(0);
  }, FORCED_EXIT_MS).unref();
  server.close();
  server.closeAllConnections();
  await node.close().catch(() => undefined);
  log.emit('server.exit', { reason, code: 0 });
  process.exit(0);
}

if (config.watchParent) watchParent((how) => exitNow('parent-gone', 0, { how }));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));

server.on('error', (error) => exitNow('listen-failed', 1, { detail: describeError(error) }));
server.listen(config.port, '127.0.0.1', () => {
  log.emit('server.listening', { port: config.port, role: config.role, pid: process.pid });
  node.start().then(
    () => log.emit('server.ready', { role: node.role, lsn: node.state.lsn, keys: node.state.map.size }),
    (error: unknown) => exitNow('restore-failed', 1, { detail: describeError(error) }),
  );
});
