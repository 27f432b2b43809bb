import type { FaultRecord } from '../../../../shared/contract/model.js';

/** A short `latency 100ms`-style label of a fault's type and its main attribute. */
export function faultLabel(fault: FaultRecord): string {
  const main = Object.entries(fault.attributes)[0];
  if (!main) return fault.type;
  const value = main[1];
  return typeof value === 'object' ? fault.type : `${fault.type} ${String(value)}`;
}

export function FaultChip({ fault }: { fault: FaultRecord }) {
  return (
    <span className={`fault-chip fault-${fault.kind}`} data-testid="fault-chip" data-type={fault.type} data-fault={fault.id} title={`${fault.type} ${JSON.stringify(fault.attributes)}`}>
      {faultLabel(fault)}
    </span>
  );
}
