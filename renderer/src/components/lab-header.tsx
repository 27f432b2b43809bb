import { useStore } from '../store/store.js';
import { LAYOUT, useWidthBelow } from '../store/ui-layout.js';
import { FleetButton } from './shell/fleet-button.js';
import { HaltButton } from './shell/halt-button.js';
import { HeaderTools } from './shell/header-tools.js';
import { TrafficToggle } from './shell/traffic-toggle.js';
import { ViewTabs } from './shell/view-tabs.js';
import { countsText } from '../../../shared/node-view.js';
import { useNodeCounts } from './topology/node-views.js';
import './shell/shell.css';

/**
 * The header: one row from 1024 to 1920 px, the same height at every width and in every mode (a
 * drill, a replay, a lost engine): the name and what the lab is doing, the views, the view's
 * switches, and fleet, traffic and HALT. Narrower, it gets denser (shell.css); it never wraps.
 */
export function LabHeader() {
  const fleet = useStore((s) => s.lab.fleet);
  const version = useStore((s) => s.lab.version);
  const counts = useNodeCounts();
  const connection = useStore((s) => s.connection);
  const fleetInMenu = useWidthBelow(LAYOUT.headerMenuBelow);
  const open = connection.status === 'open';
  const fleetName = fleet.name ?? 'lab';
  const via = connection.via === 'ipc' ? 'app' : 'web';

  return (
    <header className="header" data-testid="header">
      <div className="header-title">
        <h1 data-testid="header-title" title={`${version ? `Firedrill v${version}` : 'Firedrill'} · ${fleetName}`}>
          Firedrill
        </h1>
        <span className="muted fleet-name" data-testid="fleet-name" title={fleetName}>
          {fleetName}
        </span>
        <span
          className={`pill serving-count${counts.serving < counts.total - counts.standby ? ' degraded' : ''}`}
          data-testid="serving-count"
          data-serving={counts.serving}
          data-standby={counts.standby}
          data-total={counts.total}
          title="Serving: the process runs and the balancer routes to it. A standby ready to take over counts apart."
        >
          {open ? countsText(counts) : `—/${counts.total} serving`}
        </span>
        <span className="header-status-line">
          <span className={`status-word fleet-${fleet.status}`} data-testid="fleet-status" data-status={fleet.status} title={`fleet ${fleet.status}`}>
            <span className="status-what">fleet </span>
            {fleet.status}
          </span>
          <span className={`status-word connection-${connection.status}`} data-testid="connection-state" data-status={connection.status} title={`${via} connection ${connection.status}`}>
            <span className="status-what">{via} · </span>
            {connection.status}
          </span>
        </span>
      </div>
      <ViewTabs />
      <HeaderTools />
      <div className="header-actions">
        {fleetInMenu ? null : <FleetButton />}
        <TrafficToggle />
        <HaltButton />
      </div>
    </header>
  );
}
