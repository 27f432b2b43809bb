import { createHmac, randomBytes } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import type { NodeSpec } from '../../../shared/contract/model';
import type { LaunchTarget } from './process-launcher';

export type BundledNode = Extract<NodeSpec, { kind: 'bundled' }>;
export type CommandNode = Extract<NodeSpec, { kind: 'command' }>;

/** How to start one node: what the fleet's process launcher starts, and how readiness is judged. */
export interface LaunchPlan {
  /** The bundled server is a Node script of ours (the launcher picks plain Node or a utility process); a command node is a program. */
  target: LaunchTarget;
  /** Added to the engine's environment. */
  env: Record<string, string>;
  /** HTTP path polled for 2xx; null = ready once spawned. */
  readyPath: string | null;
  /** Also ready at the first `server.ready` log line. */
  readyLogEvent: boolean;
}

/** The bundled server's command line (see electron/server/config.ts). `portOf` maps node ids to ports. */
export function bundledServerArgs(
  spec: BundledNode,
  port: number,
  dataDir: string,
  portOf: (id: string) => number | undefined,
): string[] {
  const server = spec.server ?? {};
  const args = ['--port', String(port), '--data', dataDir, '--node-id', spec.id, '--role', spec.role];
  const replicas = (server.replicas ?? []).map((id) => {
    const replicaPort = portOf(id);
    if (replicaPort === undefined) throw new Error(`replica ${id} of node ${spec.id} is not in the fleet`);
    return `127.0.0.1:${replicaPort}`;
  });
  if (replicas.length > 0) args.push('--replicas', replicas.join(','));
  const flag = (name: string, value: string | number | undefined): void => {
    if (value !== undefined) args.push(name, String(value));
  };
  flag('--replication', server.replication);
  flag('--sync-timeout-ms', server.syncTimeoutMs);
  flag('--fsync', server.fsync);
  flag('--checkpoint-interval-ms', server.checkpointIntervalMs);
  flag('--checkpoint-every-writes', server.checkpointEveryWrites);
  flag('--keep', server.keep);
  flag('--service-time-ms', server.serviceTimeMs);
  flag('--concurrency', server.concurrency);
  flag('--queue-limit', server.queueLimit);
  flag('--queue-timeout-ms', server.queueTimeoutMs);
  args.push('--watch-parent');
  return args;
}

export function bundledPlan(
  spec: BundledNode,
  port: number,
  dataDir: string,
  serverEntry: string,
  portOf: (id: string) => number | undefined,
): LaunchPlan {
  return {
    target: { kind: 'node-script', script: serverEntry, args: bundledServerArgs(spec, port, dataDir, portOf) },
    // The node secret goes in the environment, never argv (which `ps` shows every user).
    env: { [NODE_SECRET_ENV]: labNodeSecret(dirname(dirname(dataDir))) },
    readyPath: '/readyz',
    readyLogEvent: true,
  };
}

/** Where the bundled server reads the lab's node secret (electron/server/config.ts). */
export const NODE_SECRET_ENV = 'FIREDRILL_NODE_SECRET';

/** Random, made once per engine process and never written anywhere. */
const engineKey = randomBytes(32);

/**
 * The per-lab node secret the lab's bundled nodes require on their admin, replication and dump
 * endpoints: unguessable (keyed by this engine's random key), different for every lab (its run
 * folder; nodes live in RUN/nodes/<id>), the same for every node of one lab (a primary sends it to
 * its standby), and gone with the engine.
 */
export function labNodeSecret(runDir: string): string {
  return createHmac('sha256', engineKey).update(resolve(runDir)).digest('base64url');
}

export function commandPlan(spec: CommandNode, port: number, dataDir: string): LaunchPlan {
  const fill = (text: string): string => text.replaceAll('{port}', String(port)).replaceAll('{dataDir}', dataDir);
  return {
    target: { kind: 'program', file: spec.command, args: spec.args.map(fill) },
    env: Object.fromEntries(Object.entries(spec.env).map(([key, value]) => [key, fill(value)])),
    readyPath: spec.healthPath ?? null,
    readyLogEvent: false,
  };
}
