import type { UpstreamState } from '../../../../shared/contract/model.js';
import { useStore } from '../../store/store.js';
import { Term } from '../concepts/term.js';

const words: Record<UpstreamState | 'none', string> = {
  'in-rotation': 'in rotation',
  ejected: 'ejected',
  down: 'down',
  standby: 'standby',
  none: 'not routed',
};

const concept: Record<UpstreamState | 'none', string> = {
  'in-rotation': 'health-check',
  ejected: 'outlier-ejection',
  down: 'health-check',
  standby: 'hot-standby',
  none: 'hot-standby',
};

/** What the balancer thinks of a node right now (from `balancer.changed`). */
export function UpstreamBadge({ id }: { id: string }) {
  const state = useStore((s) => s.balancer.upstreams[id] ?? null) ?? 'none';
  return (
    <span className={`upstream upstream-${state}`} data-testid={`node-upstream-${id}`} data-state={state}>
      <Term id={concept[state]}>{words[state]}</Term>
    </span>
  );
}
