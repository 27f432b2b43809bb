// The node ids a drill names, where it names them: checked against a fleet before a drill runs on it.
import type { DrillSpec } from '../../../shared/drill/schema.js';

export interface NodeRef {
  /** Where in the drill, as a field path: `steps.3.fault.inject.target`. */
  field: string;
  id: string;
}

/** Every node id the drill names: fault targets, actions' `id`, expectations' `node`, balancer weights. */
export function drillNodeRefs(spec: DrillSpec): NodeRef[] {
  const refs: NodeRef[] = [];
  const weights = (field: string, w: Record<string, unknown> | undefined): void => {
    for (const id of Object.keys(w ?? {})) refs.push({ field: `${field}.weights.${id}`, id });
  };
  weights('balancer', spec.balancer?.weights);
  spec.steps.forEach((step, index) => {
    const at = `steps.${index}`;
    if ('fault' in step && step.fault.inject) refs.push({ field: `${at}.fault.inject.target`, id: step.fault.inject.target });
    if ('fault' in step && step.fault.after?.node !== undefined) refs.push({ field: `${at}.fault.after.node`, id: step.fault.after.node });
    if ('expect' in step && step.expect.node !== undefined) refs.push({ field: `${at}.expect.node`, id: step.expect.node });
    if ('action' in step && step.action.do) {
      const params = step.action.do.params as { id?: unknown; weights?: Record<string, unknown> };
      if (typeof params.id === 'string') refs.push({ field: `${at}.action.do.params.id`, id: params.id });
      weights(`${at}.action.do.params`, params.weights);
    }
  });
  return refs;
}

/** One line per node the drill names that the fleet does not have (none: the drill fits the fleet). */
export function missingNodes(spec: DrillSpec, fleetIds: readonly string[]): string[] {
  const have = new Set(fleetIds);
  return drillNodeRefs(spec)
    .filter((ref) => !have.has(ref.id))
    .map((ref) => `${ref.field}: no node "${ref.id}" in the fleet (it has ${fleetIds.join(', ') || 'no nodes'})`);
}
