// Toxiproxy's API fuzzed against one real lab (hot standby, fleet running): any method on any of
// its paths (and others), with toxic- and proxy-shaped bodies broken in one place, or garbage.
// Never a 5xx, always Toxiproxy's error shape, the API and the lab still up; afterwards POST /reset
// leaves the lab with no fault and every proxy enabled.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type LabUnderTest } from '../support/lab-client.js';
import { hostileString, hostileValue } from './contract-arbitraries.js';
import { fuzzParameters, fuzzTimeoutMs } from './fuzz-settings.js';

const PROXIES = ['p1', 'p1-replication', 's1', 's1-replication', 'mine', 'nope', '%2e%2e', 'a%2Fb', '%'];
const TOXIC_TYPES = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data', 'partition', 'kill', ''];

/** Mostly a valid value, sometimes a hostile one: most bodies are broken in one place or two, not everywhere. */
const mostly = <T>(valid: fc.Arbitrary<T>): fc.Arbitrary<unknown> => fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: hostileValue, weight: 1 });
const name = fc.oneof({ arbitrary: fc.constantFrom('t1', 't2', 'latency_downstream', 'f-1'), weight: 5 }, { arbitrary: hostileString, weight: 1 });
const toxicBody = fc.record(
  {
    name,
    type: mostly(fc.constantFrom(...TOXIC_TYPES)),
    stream: mostly(fc.constantFrom('upstream', 'downstream', 'UPSTREAM', 'sideways')),
    toxicity: mostly(fc.double({ min: -0.5, max: 1.5, noNaN: true })),
    attributes: mostly(
      fc.dictionary(fc.constantFrom('latency', 'jitter', 'rate', 'delay', 'timeout', 'average_size', 'size_variation', 'bytes', 'links', '__proto__'), mostly(fc.integer({ min: -10, max: 100 })), { maxKeys: 3 }),
    ),
  },
  { requiredKeys: [] },
);
const address = mostly(fc.constantFrom('127.0.0.1:0', 'localhost:0', '0.0.0.0:0', '[::1]:0', '10.0.0.1:80', 'example.com:443', '127.0.0.1:99999', ''));
const proxyBody = fc.record({ name: fc.oneof(fc.constantFrom(...PROXIES), hostileString), listen: address, upstream: address, enabled: mostly(fc.boolean()) }, { requiredKeys: [] });
const anyBody = fc.oneof(toxicBody, proxyBody, fc.array(proxyBody, { maxLength: 3 }), hostileValue, fc.constant('{not json'), fc.constant(undefined));
const proxy = fc.constantFrom(...PROXIES);
const toxic = fc.constantFrom('t1', 't2', 'latency_downstream', 'f-1', '%ff');
const method = fc.constantFrom('GET', 'POST', 'PATCH', 'DELETE', 'PUT', 'HEAD', 'OPTIONS');
/** Half the requests add or change toxics (where the bodies matter most), the rest anything anywhere. */
const requestArb = fc.oneof(
  fc.tuple(fc.constant('POST'), proxy.map((p) => `/proxies/${p}/toxics`), toxicBody),
  fc.tuple(fc.constantFrom('POST', 'PATCH'), fc.tuple(proxy, toxic).map(([p, t]) => `/proxies/${p}/toxics/${t}`), toxicBody),
  fc.tuple(fc.constantFrom('POST', 'PATCH'), proxy.map((p) => `/proxies/${p}`), proxyBody),
  fc.tuple(fc.constant('POST'), fc.constantFrom('/proxies', '/populate'), fc.oneof(proxyBody, fc.array(proxyBody, { maxLength: 3 }))),
  fc.tuple(
    method,
    fc.oneof(
      fc.constantFrom('/version', '/proxies', '/reset', '/populate', '/metrics', '/', '/proxies/'),
      proxy.map((p) => `/proxies/${p}`),
      fc.tuple(proxy, toxic).map(([p, t]) => `/proxies/${p}/toxics/${t}`),
      proxy.map((p) => `/proxies/${p}/toxics`),
    ),
    anyBody,
  ),
);

describe('fuzz: the Toxiproxy API', () => {
  let t: LabUnderTest;
  let url: string;
  beforeAll(async () => {
    t = await startLab({ topology: { kind: 'hot-standby', replication: 'sync' }, toxiproxy: {} });
    url = t.lab.toxiproxyUrl as string;
    // One proxy of the client's own, to the balancer, for the fuzz to find.
    const made = await fetch(`${url}/proxies`, { method: 'POST', body: JSON.stringify({ name: 'mine', upstream: t.lab.balancerUrl.replace('http://', '') }) });
    expect(made.status).toBe(201);
  }, 60_000);
  afterAll(() => t?.close(), 30_000);

  it(
    'any method, path and body: never a 5xx, always {error, status} on a refusal',
    async () => {
      await fc.assert(
        fc.asyncProperty(requestArb, async ([m, p, b]) => {
          const res = await fetch(`${url}${p}`, { method: m, ...(b !== undefined && m !== 'GET' && m !== 'HEAD' ? { body: typeof b === 'string' ? b : JSON.stringify(b) } : {}) });
          const text = await res.text();
          if (res.status >= 500) throw new Error(`${m} ${p} ${JSON.stringify(b)?.slice(0, 200)} → ${res.status} ${text.slice(0, 300)}`);
          if (res.status >= 400 && m !== 'HEAD') {
            const parsed = JSON.parse(text) as { error?: unknown; status?: unknown };
            if (typeof parsed.error !== 'string' || parsed.status !== res.status) throw new Error(`${m} ${p}: not Toxiproxy's error shape: ${text.slice(0, 200)}`);
          }
        }),
        fuzzParameters(0.3),
      );
      // Still up, and POST /reset puts every lab link back: enabled, no toxic, no lab fault left.
      expect((await fetch(`${url}/reset`, { method: 'POST' })).status).toBe(204);
      const proxies = (await (await fetch(`${url}/proxies`)).json()) as Record<string, { enabled: boolean; toxics: unknown[] }>;
      for (const proxy of Object.values(proxies)) expect(proxy).toMatchObject({ enabled: true, toxics: [] });
      expect(Object.keys(proxies)).toEqual(expect.arrayContaining(['p1', 'p1-replication', 's1', 's1-replication']));
      expect((await t.client.request('fault.list', {})).faults.filter((f) => f.status === 'active' && f.kind === 'network')).toEqual([]);
      expect((await t.state()).nodes.every((n) => n.status === 'ready')).toBe(true);
    },
    fuzzTimeoutMs(40, 0.3),
  );
});
