import type { Incident } from '../../../../shared/contract/model.js';
import type { DrillRunStatus } from '../../../../shared/drill/run.js';
import { incidentStart } from '../../format.js';
import { enterReplay } from '../../replay/replay-controller.js';
import { useStore } from '../../store/store.js';
import { setView } from '../../store/ui-actions.js';

/** A replay of an incident opens this long before its fault, at this speed: the fault happens on screen. */
export const INCIDENT_LEAD_MS = 1_000;
export const INCIDENT_SPEED = 0.25;

/** “Replay this incident”: the Lab view, 1 s before the fault, playing at ¼×. */
export function ReplayIncidentButton({ incident }: { incident: Incident }) {
  const connected = useStore((s) => s.connection.status === 'open');
  const start = incidentStart(incident);
  return (
    <button
      type="button"
      className="quiet replay-this"
      data-testid="incident-replay"
      disabled={!connected || start === undefined}
      title="Show the lab from 1 s before the fault, at ¼ speed"
      onClick={() => {
        if (start === undefined) return;
        setView('lab');
        void enterReplay({ source: { kind: 'live' }, start: { at: start }, leadMs: INCIDENT_LEAD_MS, play: true, speed: INCIDENT_SPEED });
      }}
    >
      ◀◀ Replay this incident
    </button>
  );
}

/** The strip's action (Lab and presenter views): replay the incident right where it is watched. */
export const replayIncidentAction = (incident: Incident) => <ReplayIncidentButton incident={incident} />;

/** The same for a finished drill: its report's recording (the whole run) when it has one, else the live lab's. */
export function ReplayDrillButton({ run }: { run: DrillRunStatus }) {
  const connected = useStore((s) => s.connection.status === 'open');
  return (
    <button
      type="button"
      className="replay-this"
      data-testid="drill-replay"
      disabled={!connected}
      title="Show the lab from 1 s before the drill's first fault, at ¼ speed"
      onClick={() => {
        setView('lab');
        void enterReplay({
          source: run.reportId !== null ? { kind: 'report', id: run.reportId } : { kind: 'live' },
          start: { firstFault: { after: run.startedAt } },
          leadMs: INCIDENT_LEAD_MS,
          play: true,
          speed: INCIDENT_SPEED,
        });
      }}
    >
      ◀◀ Replay this incident
    </button>
  );
}
