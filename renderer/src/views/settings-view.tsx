import { ClassroomSettings } from '../components/classroom/classroom-settings.js';
import { BalancerSettings } from '../components/settings/balancer-settings.js';
import { ToxiproxySettings } from '../components/settings/toxiproxy-settings.js';
import { TopologySettings } from '../components/settings/topology-settings.js';
import { TrafficSettings } from '../components/settings/traffic-settings.js';

/** The lab's knobs: its topology, its balancer, its traffic; and where Toxiproxy's clients reach it. */
export function SettingsView() {
  return (
    <div className="view-columns">
      <div className="view-stack">
        <TopologySettings />
        <TrafficSettings />
        <ToxiproxySettings />
        <ClassroomSettings />
      </div>
      <BalancerSettings />
    </div>
  );
}
