import { PLACE_WORDS, placeText, type BalancerPlace } from '../../../../shared/node-view.js';
import { useStore } from '../../store/store.js';
import { Term } from '../concepts/term.js';
import { useNodeView } from './node-views.js';

const concept: Record<BalancerPlace, string> = {
  'in-rotation': 'health-check',
  ejected: 'outlier-ejection',
  down: 'health-check',
  standby: 'hot-standby',
  'not-routed': 'hot-standby',
};

/** Why the balancer took a node out (ejected or down), in its words; nothing while it is in. */
export function UpstreamReason({ id }: { id: string }) {
  const view = useNodeView(id);
  if (!view || view.reason === null) return null;
  return (
    <p className="upstream-reason small" data-testid={`node-upstream-reason-${id}`} title={placeText(view)}>
      {view.via ? `${view.via} detection: ` : ''}
      {view.reason}
    </p>
  );
}

/**
 * Where the balancer has a node right now (from `balancer.changed`); the reason is `UpstreamReason`.
 * `data-state` is the upstream state, `none` when the balancer does not route the node.
 */
export function UpstreamBadge({ id }: { id: string }) {
  const view = useNodeView(id);
  const state = useStore((s) => s.balancer.upstreams[id] ?? null) ?? 'none';
  if (!view) return null;
  return (
    <span
      className={`upstream upstream-${view.place}${view.unnoticed ? ' unnoticed' : ''}`}
      data-testid={`node-upstream-${id}`}
      data-state={state}
      data-place={view.place}
      title={view.unnoticed ? 'In rotation, but the process cannot answer: the balancer has not noticed yet' : placeText(view)}
    >
      <Term id={concept[view.place]}>{PLACE_WORDS[view.place]}</Term>
    </span>
  );
}
