// A fleet port over snapshots the test controls (no processes), and stub network/HTTP ports.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeSnapshot } from '../../../shared/contract/model';
import type { FleetPort, HttpFaultPort, NetworkFaultPort, FaultToxic } from '../../../electron/engine/faults/index';

export function snapshot(id: string, runDir: string, patch: Partial<NodeSnapshot> = {}): NodeSnapshot {
  const dataDir = join(runDir, 'nodes', id);
  mkdirSync(dataDir, { recursive: true });
  return {
    id,
    kind: 'bundled',
    role: 'primary',
    pid: null,
    port: 1,
    status: 'stopped',
    restarts: 0,
    dataDir,
    restartPolicy: 'always',
    startedAt: null,
    readyAt: null,
    lastExit: null,
    nextStartAt: null,
    ...patch,
  };
}

export class FakeFleet implements FleetPort {
  status: FleetPort['status'] = 'running';
  readonly nodes = new Map<string, NodeSnapshot>();
  node(id: string): NodeSnapshot | undefined {
    return this.nodes.get(id);
  }
  stopNode(): Promise<NodeSnapshot> {
    return Promise.reject(new Error('not in unit tests'));
  }
  restartNode(): Promise<NodeSnapshot> {
    return Promise.reject(new Error('not in unit tests'));
  }
}

export class RecordingPort implements NetworkFaultPort, HttpFaultPort {
  readonly applied = new Map<string, { nodeId: string; spec: FaultToxic }>();
  readonly calls: string[] = [];
  failNext: Error | null = null;
  apply(faultId: string, nodeId: string, spec: FaultToxic): void {
    this.calls.push(`apply ${faultId}`);
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = null;
      throw error;
    }
    this.applied.set(faultId, { nodeId, spec });
  }
  revert(faultId: string): void {
    this.calls.push(`revert ${faultId}`);
    this.applied.delete(faultId);
  }
}
