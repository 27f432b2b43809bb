import type { DrillRunStatus } from '../../../../shared/drill/run.js';
import { formatMttrSplit, liveMttrSplit, MTTR_SPLIT_EXPLANATION, systemMttr } from '../../../../shared/report/mttr-split.js';
import { formatMs } from '../../format.js';
import { useStore } from '../../store/store.js';

/** The run's incidents with their MTTR in parts: how much was the system, how much the learner and the script. */
export function DrillNumbers({ run }: { run: DrillRunStatus }) {
  const all = useStore((s) => s.incidents);
  const faults = useStore((s) => s.faults);
  const end = run.startedAt + run.elapsedMs;
  const rows = all
    .filter((incident) => {
      const start = incident.stages.injected ?? incident.stages.observed ?? incident.stages.detected;
      return start !== undefined && start >= run.startedAt && start <= end && incident.mttrMs !== null;
    })
    .map((incident) => ({ incident, split: liveMttrSplit(incident, run, faults) }));
  if (rows.length === 0) return null;
  return (
    <section className="drill-numbers" data-testid="drill-numbers" aria-label="Recovery times in parts">
      <h4>Recovery, in parts</h4>
      <dl className="drill-facts">
        {rows.map(({ incident, split }) => (
          <div key={incident.id} className="drill-numbers-row" data-testid={`drill-mttr-${incident.nodeId}`}>
            <dt>
              <span className="mono">{incident.nodeId}</span> MTTR {formatMs(incident.mttrMs)}
            </dt>
            <dd>
              {split ? (
                <>
                  {formatMttrSplit(split)} · the system’s own: <strong className="mono">{formatMs(systemMttr(split))}</strong>
                </>
              ) : (
                '—'
              )}
            </dd>
          </div>
        ))}
      </dl>
      <p className="muted small">{MTTR_SPLIT_EXPLANATION}</p>
    </section>
  );
}

/** What the run put back of the lab, and what it left. */
export function LabAfterNote({ run }: { run: DrillRunStatus }) {
  const after = run.labAfter;
  if (!after) return null;
  const nothing = after.restored.length === 0 && after.left.length === 0;
  return (
    <section className="drill-lab-after" data-testid="drill-lab-after" data-put-back={String(after.putBack)} aria-label="The lab after the drill">
      <h4>The lab after the drill</h4>
      {nothing ? <p className="small">As it was before the drill: nothing to put back.</p> : null}
      {after.restored.length > 0 ? (
        <p className="small" data-testid="drill-lab-restored">
          Put back: {after.restored.join('; ')}.
        </p>
      ) : null}
      {after.left.length > 0 ? (
        <p className="small warn-text" data-testid="drill-lab-left">
          Left as the drill had it: {after.left.join('; ')}.
        </p>
      ) : null}
    </section>
  );
}
