import { useStore } from '../../store/store.js';

/** Where Toxiproxy's clients reach the lab, and what they see there. */
export function ToxiproxySettings() {
  const url = useStore((s) => s.lab.toxiproxyUrl);
  return (
    <section className="panel" aria-labelledby="toxiproxy-settings-heading" data-testid="settings-toxiproxy">
      <h2 id="toxiproxy-settings-heading">Toxiproxy API</h2>
      {url === null ? (
        <p className="muted small" data-testid="settings-toxiproxy-off">
          This lab does not serve the Toxiproxy API.
        </p>
      ) : (
        <>
          <p>
            <code data-testid="settings-toxiproxy-url">{url}</code>
          </p>
          <p className="muted small">
            Any Toxiproxy client drives the lab&apos;s fault proxies here: <code>p1</code> is the balancer&apos;s link to node p1, <code>p1-replication</code> its
            peers&apos;. A toxic added there is a lab fault (on the timeline, taken back by HALT); <code>enabled: false</code> cuts the link. On 127.0.0.1 only;
            any program on this machine may use it unless the lab was started with <code>--toxiproxy-token</code>.
          </p>
          <pre className="small" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>{`const toxiproxy = new Toxiproxy('${url}');
const p1 = await toxiproxy.get('p1');
await p1.addToxic({ name: 'slow', type: 'latency', stream: 'downstream',
  toxicity: 1, attributes: { latency: 200, jitter: 0 } });
await toxiproxy.reset();`}</pre>
        </>
      )}
    </section>
  );
}
