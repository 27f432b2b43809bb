// Event routing: what the lab's parts report, sent on to the timeline and to the parts that act on it.
import type { Incident } from '../../../shared/contract/index.js';
import type { BalancerListener } from '../balancer/index.js';
import type { PlaneClient, PlaneRestart } from '../data-plane/index.js';
import type { FailoverListener } from '../failover/index.js';
import type { FaultListener, FaultRegistry } from '../faults/index.js';
import type { FleetListener } from '../fleet/index.js';
import type { IncidentTracker } from '../incidents/index.js';
import type { LabMetrics } from '../metrics/index.js';
import type { FleetLifecycle } from './fleet-lifecycle.js';
import type { LabEvents } from './lab-events.js';
import type { RecordTimeline } from './timeline.js';
import type { TrafficSession } from './traffic-session.js';

/** The parts events are routed to. */
export interface RoutedParts {
  record: RecordTimeline;
  events: LabEvents;
  incidents: IncidentTracker;
  faults: FaultRegistry;
  balancer: PlaneClient;
  prometheus: LabMetrics;
  lifecycle: FleetLifecycle;
  traffic: TrafficSession;
}

/**
 * Where what the fleet, the balancer, the faults, the failover controller and the incident tracker
 * report goes: the timeline first, then the parts that act on it, in an order that matters (each
 * rule says why). The listeners are handed out before the parts exist (the fleet supervisor takes
 * its listener at construction, and the fault registry takes the supervisor): `attach` them once
 * every part is built, before anything starts.
 */
export class EventRouter {
  private routed: RoutedParts | undefined;
  /** Incidents whose ledger check is under way: later changes to them (held requests counted) start no second one. */
  private readonly ledgerChecks = new Set<string>();

  attach(parts: RoutedParts): void {
    this.routed = parts;
  }

  private get parts(): RoutedParts {
    if (!this.routed) throw new Error('an event arrived before the lab was wired');
    return this.routed;
  }

  fleetListener(): FleetListener {
    return {
      onNodeChanged: (node) => {
        const { events, lifecycle } = this.parts;
        events.emit('node.changed', node);
        lifecycle.emitStateIfChanged();
      },
      onTimeline: (event) => {
        const { record, incidents, faults, balancer, lifecycle } = this.parts;
        const { kind, nodeId, at } = event;
        const detail = event.detail ?? {};
        record(kind, detail, nodeId, at);
        if (nodeId && kind === 'node.exited') {
          // A stop the lab asked for is known as planned before the balancer's detection of it arrives.
          if (detail.byLab === true) incidents.nodeExited(nodeId, at, { byLab: true });
          // Synchronously, before the supervisor schedules a restart: the controller may reconfigure it.
          // With a topology the controller decides (it knows the standby); without one (a fleet file) the balancer hears it.
          const controller = lifecycle.controller;
          if (controller) controller.nodeExited(nodeId, at, { byLab: detail.byLab === true });
          else if (lifecycle.routedNodes().some((n) => n.id === nodeId)) balancer.nodeExited(nodeId, at);
        }
        // The fault layer follows the node's process: a fault that signals a PID must know the new one.
        if (nodeId && kind === 'node.starting' && typeof detail.pid === 'number') faults.onNodeStarting(nodeId, detail.pid);
        if (nodeId && kind === 'node.exited' && typeof detail.pid === 'number') faults.onNodeExited(nodeId, detail.pid);
        if (nodeId && kind === 'node.ready') {
          const controller = lifecycle.controller;
          if (controller) controller.nodeReady(nodeId);
          else if (lifecycle.routedNodes().some((n) => n.id === nodeId)) balancer.nodeStarted(nodeId);
        }
        // Then the tracker's own reading of it (observed, restarting, restored): before the rule below,
        // which may close the incident and so needs the restored stage first.
        incidents.timelineEvent({ kind, at, detail, ...(nodeId ? { nodeId } : {}) });
        // A standby is not routed to: it serves by being ready again (not while a failover may be promoting it,
        // and not for an incident that failed over: the node that took over decides when that one is over).
        const open = nodeId && kind === 'node.ready' ? incidents.openIncident(nodeId) : undefined;
        if (nodeId && open && open.stages.failedOver === undefined && !lifecycle.controller?.failingOver && !balancer.routes(nodeId)) {
          incidents.firstServed({ nodeId, at });
        }
        lifecycle.emitStateIfChanged();
      },
      onLogs: (lines, dropped) => {
        const { incidents, lifecycle, events } = this.parts;
        lifecycle.shipper?.onLogs(lines);
        lifecycle.controller?.onLogs(lines);
        incidents.logLines(lines);
        events.emit('log.batch', { lines, dropped });
      },
    };
  }

  balancerListener(): BalancerListener {
    return {
      onDetected: (e) => {
        const { record, incidents, lifecycle } = this.parts;
        record('balancer.detected', { via: e.via, reason: e.reason }, e.nodeId, e.at);
        incidents.detected(e);
        lifecycle.controller?.detected(e);
      },
      onEjected: (e) => {
        const { record, incidents, prometheus } = this.parts;
        record('balancer.ejected', { via: e.via, untilAt: e.untilAt }, e.nodeId, e.at);
        incidents.ejected(e);
        prometheus.ejection(e.nodeId, e.via);
      },
      onReadmitted: (e) => {
        const { record, incidents, traffic } = this.parts;
        record('balancer.readmitted', { via: e.via }, e.nodeId, e.at);
        // With no traffic nothing can be seen serving: back in rotation is the best evidence there is.
        if (!traffic.running) incidents.firstServed({ nodeId: e.nodeId, at: e.at });
      },
      onFirstServed: (e) => {
        const { record, incidents } = this.parts;
        record('balancer.first-served', {}, e.nodeId, e.at);
        incidents.firstServed(e);
      },
    };
  }

  faultListener(): FaultListener {
    return {
      onTimeline: (kind, nodeId, detail, at) => {
        const { record, incidents } = this.parts;
        record(kind, detail, nodeId, at);
        // Damage to files on disk fails nothing until the node restarts from them: the restart's exit opens that incident.
        if (kind === 'fault.injected' && detail.kind !== 'checkpoint') incidents.faultInjected(nodeId, `fault:${String(detail.type)}`, at);
        if (kind === 'fault.reverted') incidents.faultEnded(nodeId, at);
      },
      onChanged: (record) => this.parts.events.emit('fault.changed', record),
    };
  }

  failoverListener(): FailoverListener {
    return {
      onTimeline: (kind, nodeId, detail, at) => {
        const { record, incidents } = this.parts;
        record(kind, detail, nodeId, at);
        incidents.timelineEvent({ kind, at, detail, ...(nodeId ? { nodeId } : {}) });
      },
      onFailedOver: (e) => {
        const { incidents, traffic } = this.parts;
        incidents.failedOver(e);
        // With no traffic nothing can be seen serving: back in rotation is the best evidence there is.
        if (!traffic.running) incidents.firstServed({ nodeId: e.to, at: e.at });
      },
    };
  }

  /** The data plane's thread died and another took over: the timeline says so, and every open incident. */
  readonly planeRestarted = (e: PlaneRestart): void => {
    const { record, incidents } = this.parts;
    record('data-plane.restarted', { reason: e.reason, downMs: e.downMs, restarts: e.restarts }, undefined, e.at);
    incidents.planeRestarted(e);
  };

  /** An incident changed: the contract hears of it; once it is over, the ledger says what it cost. */
  readonly incidentChanged = (incident: Incident): void => {
    const { events, traffic } = this.parts;
    events.emit('incident.changed', incident);
    if (!incident.open && incident.lostWrites === null && !this.ledgerChecks.has(incident.id)) {
      this.ledgerChecks.add(incident.id);
      void traffic.checkLedgerFor(incident.id).finally(() => this.ledgerChecks.delete(incident.id));
    }
  };
}
