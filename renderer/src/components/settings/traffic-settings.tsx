import { useState } from 'react';
import { TrafficSettings as TrafficSchema, type TrafficSettings as Settings } from '../../../../shared/contract/model.js';
import { setTraffic, startTraffic, stopTraffic } from '../../connection/lab-commands.js';
import { useStore } from '../../store/store.js';
import { changedFrom, fieldsOf, issuesByField, objectFrom, valuesFrom } from '../forms/schema-fields.js';
import { SchemaFieldset } from '../forms/schema-fieldset.js';

const FIELDS = fieldsOf(TrafficSchema);
const HINTS: Record<string, string> = {
  rate: 'requests/s',
  readShare: '0–1: share of reads, the rest writes',
  keys: 'distinct keys',
  valueBytes: 'bytes',
  maxInFlight: 'requests',
};

/** Rate, mix and duration of the lab's open-loop traffic; start, stop, or change the rate live. */
export function TrafficSettings() {
  const settings = useStore((s) => s.traffic.state?.settings);
  if (!settings) return null;
  return <TrafficForm key={JSON.stringify(settings)} settings={settings} />;
}

function TrafficForm({ settings }: { settings: Settings }) {
  const running = useStore((s) => s.traffic.state?.running ?? false);
  const open = useStore((s) => s.connection.status === 'open');
  const busy = useStore((s) => s.lab.pending.traffic !== undefined);
  const [values, setValues] = useState(() => valuesFrom(FIELDS, settings));
  const [errors, setErrors] = useState<Record<string, string>>({});

  /** The edited settings as a patch, or null (errors shown) when they are not valid. */
  const patch = () => {
    const parsed = TrafficSchema.safeParse(objectFrom(FIELDS, values));
    if (!parsed.success) {
      setErrors(issuesByField(parsed.error));
      return null;
    }
    setErrors({});
    return changedFrom(parsed.data, settings);
  };

  return (
    <section className="panel" aria-labelledby="traffic-settings-heading" data-testid="settings-traffic">
      <h2 id="traffic-settings-heading">
        Traffic <span className={`pill ${running ? 'fleet-running' : ''}`} data-testid="traffic-state" data-running={running}>{running ? 'running' : 'stopped'}</span>
      </h2>
      <p className="muted small">Open-loop: requests leave on schedule whatever the latency, so a stall shows in every request scheduled during it. Always to 127.0.0.1, and it stops by itself after the duration.</p>
      <SchemaFieldset fields={FIELDS} values={values} hints={HINTS} errors={errors} testIdPrefix="settings-traffic" onChange={(name, value) => setValues((v) => ({ ...v, [name]: value }))} />
      <div className="button-row">
        <button
          type="button"
          className="primary"
          data-testid="settings-traffic-start"
          disabled={!open || busy || running}
          onClick={() => {
            const p = patch();
            if (p) void startTraffic(p);
          }}
        >
          Start traffic
        </button>
        <button
          type="button"
          data-testid="settings-traffic-apply"
          disabled={!open || busy}
          title="The rate applies at once; the rest from the next start"
          onClick={() => {
            const p = patch();
            if (p && Object.keys(p).length > 0) void setTraffic(p);
          }}
        >
          Apply{running ? ' (rate now, rest next start)' : ''}
        </button>
        <button type="button" data-testid="settings-traffic-stop" disabled={!open || busy || !running} onClick={() => void stopTraffic()}>
          Stop traffic
        </button>
      </div>
    </section>
  );
}
