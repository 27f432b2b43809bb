import { useState } from 'react';
import { TopologyKind, type ReplicationMode, type TopologySpec } from '../../../../shared/contract/model.js';
import { setTopology } from '../../connection/lab-commands.js';
import { useStore } from '../../store/store.js';
import { Term } from '../concepts/term.js';

const KIND_WORDS: Record<TopologySpec['kind'], string> = {
  'active-active': 'All nodes serve; a dead one is ejected, the rest carry on.',
  'hot-standby': 'p1 ships its log to a running s1, promoted at once.',
  'warm-standby': 's1 runs, fed checkpoints; restores the newest at promotion.',
  'cold-standby': 'c1 is not running; started and restored from a checkpoint on failure.',
};

/** Rebuild the fleet as one of the four redundancy topologies. */
export function TopologySettings() {
  const current = useStore((s) => s.lab.topology);
  const open = useStore((s) => s.connection.status === 'open');
  const busy = useStore((s) => s.lab.pending.fleet !== undefined);
  const [kind, setKind] = useState<TopologySpec['kind']>(current?.kind ?? 'hot-standby');
  const [nodes, setNodes] = useState(String(current?.nodes ?? 3));
  const [replication, setReplication] = useState<ReplicationMode>(current?.replication ?? 'sync');
  const count = Number(nodes);
  const valid = kind !== 'active-active' || (Number.isInteger(count) && count >= 1 && count <= 32);

  const apply = () =>
    void setTopology({
      kind,
      nodes: kind === 'active-active' ? count : (current?.nodes ?? 3),
      replication,
      ...(current?.server ? { server: current.server } : {}),
      ...(current?.restart ? { restart: current.restart } : {}),
    });

  return (
    <section className="panel" aria-labelledby="topology-settings-heading" data-testid="settings-topology">
      <h2 id="topology-settings-heading">Topology</h2>
      <div className="kind-choices" role="radiogroup" aria-label="Topology">
        {TopologyKind.options.map((k) => (
          <label key={k} className={`kind-choice${kind === k ? ' chosen' : ''}`}>
            <input type="radio" name="topology-kind" value={k} data-testid={`settings-kind-${k}`} checked={kind === k} onChange={() => setKind(k)} />
            <span className="kind-name">
              <Term id={k}>{k}</Term>
              {current?.kind === k ? <span className="muted small"> (running)</span> : null}
            </span>
            <span className="muted small">{KIND_WORDS[k]}</span>
          </label>
        ))}
      </div>
      <div className="field-grid">
        {kind === 'active-active' ? (
          <label className={`field${valid ? '' : ' field-invalid'}`}>
            <span className="field-label">
              nodes <span className="muted small">(1–32)</span>
            </span>
            <input type="number" min={1} max={32} step={1} data-testid="settings-nodes" value={nodes} onChange={(e) => setNodes(e.currentTarget.value)} />
          </label>
        ) : null}
        {kind === 'hot-standby' ? (
          <label className="field">
            <span className="field-label">replication</span>
            <select data-testid="settings-replication" value={replication} onChange={(e) => setReplication(e.currentTarget.value as ReplicationMode)}>
              <option value="sync">sync: acknowledged writes are on the standby (or fail)</option>
              <option value="sync-degradable">sync-degradable: goes on alone when the standby is lost</option>
              <option value="async">async: faster, may lose the tail</option>
            </select>
          </label>
        ) : null}
      </div>
      <p className="muted small">Applying stops every node, reverts every fault and stops traffic, then starts the new fleet.</p>
      <button type="button" className="primary" data-testid="settings-topology-apply" disabled={!open || busy || !valid} onClick={apply}>
        {busy ? 'Rebuilding…' : 'Rebuild the fleet'}
      </button>
    </section>
  );
}
