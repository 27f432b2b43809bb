import { IncidentStage, type Incident } from '../../../../shared/contract/model.js';
import { formatMttrSplit, liveMttrSplit, MTTR_SPLIT_EXPLANATION, systemMttr } from '../../../../shared/report/mttr-split.js';
import { heldWords, planeRestartWords } from '../../../../shared/report/report-facts.js';
import { useStore } from '../../store/store.js';
import { causeWords, formatAfter, formatClock, formatMs, incidentStart } from '../../format.js';
import { Term } from '../concepts/term.js';
import { ReplayIncidentButton } from '../replay/replay-buttons.js';

const STAGE_WORDS: Record<IncidentStage, string> = {
  injected: 'injected',
  observed: 'observed (process exit)',
  detected: 'detected',
  ejected: 'isolated (ejected)',
  failedOver: 'failed over',
  restarted: 'restarted',
  restored: 'restored',
  recovered: 'recovered',
};

/** One incident: its stages to the millisecond, on a bar and in a list, with MTTD, MTTR and the data it cost. */
export function IncidentCard({ incident }: { incident: Incident }) {
  const start = incidentStart(incident);
  const reached = IncidentStage.options.filter((stage) => incident.stages[stage] !== undefined);
  const last = reached.reduce((max, stage) => Math.max(max, incident.stages[stage] ?? 0), start ?? 0);
  const span = Math.max(1, last - (start ?? last));
  // The MTTR in parts: the reading time of a manual step is not the system's recovery.
  const run = useStore((s) => s.drill.run);
  const faults = useStore((s) => s.faults);
  const split = liveMttrSplit(incident, run, faults);

  return (
    <article className={`incident${incident.open ? ' open' : ''}`} data-testid={`incident-${incident.id}`} data-node={incident.nodeId} data-open={incident.open} data-cause={incident.cause}>
      <header className="incident-head">
        <h3>
          <span className="mono">{incident.nodeId}</span> <span className="muted">{incident.cause}</span>
          {incident.detectedVia ? <span className="muted small"> · detected via {incident.detectedVia}</span> : null}
        </h3>
        <span className={`status ${incident.open ? 'status-warn' : 'status-ok'}`}>{incident.open ? 'open' : 'closed'}</span>
        {start !== undefined ? <span className="muted small mono">{formatClock(start)}</span> : null}
        <ReplayIncidentButton incident={incident} />
      </header>
      <dl className="incident-figures">
        <div>
          <dt>
            <Term id="mttd">MTTD</Term>
          </dt>
          <dd data-testid="incident-mttd" data-value={incident.mttdMs ?? ''}>
            {formatMs(incident.mttdMs)}
          </dd>
        </div>
        <div>
          <dt>
            <Term id="mttr">MTTR</Term>
          </dt>
          <dd data-testid="incident-mttr" data-value={incident.mttrMs ?? ''}>
            {formatMs(incident.mttrMs)}
          </dd>
        </div>
        <div>
          <dt>
            <Term id="ledger">lost writes</Term>
          </dt>
          <dd data-testid="incident-lost" className={incident.lostWrites ? 'bad' : ''}>
            {incident.lostWrites ?? '—'}
          </dd>
        </div>
        <div>
          <dt>stale writes</dt>
          <dd data-testid="incident-stale" className={incident.staleWrites ? 'bad' : ''}>
            {incident.staleWrites ?? '—'}
          </dd>
        </div>
      </dl>
      {split && split.drillMs + split.operatorMs > 0 ? (
        <p className="small incident-mttr-split" data-testid="incident-mttr-split" title={MTTR_SPLIT_EXPLANATION}>
          MTTR = {formatMttrSplit(split)}; the system’s own: <strong className="mono">{formatMs(systemMttr(split))}</strong>
        </p>
      ) : null}
      {incident.held ? (
        <p className="small muted" data-testid="incident-held" data-requests={incident.held.requests}>
          {heldWords(incident.held)}
        </p>
      ) : null}
      {incident.planeRestarts?.length ? (
        <p className="small bad" data-testid="incident-plane-restarts">
          {planeRestartWords(incident.planeRestarts, start)}
        </p>
      ) : null}
      <div className="stage-bar" aria-hidden="true">
        {reached.map((stage) => (
          <span key={stage} className={`stage-tick stage-${stage}`} style={{ left: `${(((incident.stages[stage] ?? 0) - (start ?? 0)) / span) * 100}%` }} title={STAGE_WORDS[stage]} />
        ))}
      </div>
      {start !== undefined ? <p className="muted small stages-caption">Each stage after {causeWords(incident.cause)}, and on the clock:</p> : null}
      <ol className="stages">
        {reached.map((stage) => {
          const at = incident.stages[stage] ?? 0;
          return (
            <li key={stage} className={`stage stage-${stage}`} data-testid="incident-stage" data-stage={stage}>
              <span className="stage-name">{STAGE_WORDS[stage]}</span>
              <span className="mono stage-offset" title={start !== undefined ? formatAfter(at - start, causeWords(incident.cause)) : undefined}>
                {start !== undefined ? formatAfter(at - start) : ''}
              </span>
              <span className="mono muted small">{formatClock(at)}</span>
            </li>
          );
        })}
      </ol>
    </article>
  );
}
