// Benchmark of the traffic generator and the metrics path (not a test): schedule accuracy at
// 1,000 and 5,000 req/s against a fast in-process upstream, and the cost of one observed outcome.
// 127.0.0.1 only, bounded (~15 s).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { MetricsRecorder, createLabMetrics, type RequestOutcome } from '../electron/engine/metrics';
import { TrafficGenerator } from '../electron/engine/traffic';

interface BenchRow {
  figure: string;
  value: string;
  target?: string;
  note?: string;
}

const RUN_MS = 3_000;

async function fastUpstream(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    req.resume();
    req.on('end', () => {
      const body = req.method === 'PUT' ? '{"lsn":1}' : 'value';
      res.writeHead(200, { 'content-length': String(body.length), 'x-firedrill-node': 'n1' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function schedule(rate: number): Promise<BenchRow[]> {
  const upstream = await fastUpstream();
  try {
    const g = new TrafficGenerator({ baseUrl: upstream.url, settings: { rate, durationMs: RUN_MS, readShare: 0.8, keys: 1000, seed: 1 } });
    g.start();
    await g.done();
    const s = g.schedule();
    const stats = g.stats();
    const expected = (rate * RUN_MS) / 1000;
    return [
      { figure: `${rate} req/s: sent / intended`, value: `${s.sent} / ${expected}`, target: `${expected} ± 1 %`, note: `dropped ${s.dropped}, failed ${stats.failed}` },
      { figure: `${rate} req/s: send lag p50 / p99`, value: `${s.lag.p50.toFixed(2)} / ${s.lag.p99.toFixed(2)} ms`, target: 'p99 < 5 ms', note: `max ${s.lag.max.toFixed(1)} ms` },
      { figure: `${rate} req/s: latency p50 / p99 (from intended time)`, value: `${stats.latency.p50.toFixed(2)} / ${stats.latency.p99.toFixed(2)} ms`, note: 'client and upstream share one Node thread' },
    ];
  } finally {
    await upstream.close();
  }
}

function outcomes(): RequestOutcome[] {
  const list: RequestOutcome[] = [];
  for (let i = 0; i < 1024; i++) {
    list.push({ startedAt: 0, durationMs: 0.2 + ((i * 7919) % 5000) / 100, method: i % 5 === 0 ? 'PUT' : 'GET', nodeId: `n${i % 4}`, status: i % 50 === 0 ? 503 : 200, ok: i % 50 !== 0, tries: i % 20 === 0 ? 2 : 1, retried: i % 20 === 0 });
  }
  return list;
}

function nsPerCall(n: number, call: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 100_000); i++) call(i); // warm-up
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) call(i);
  return Number(process.hrtime.bigint() - started) / n;
}

function observeCost(): BenchRow[] {
  const list = outcomes();
  const recorder = new MetricsRecorder({ upstreams: () => [0, 1, 2, 3].map((i) => ({ id: `n${i}`, state: 'in-rotation' as const, inflight: 0 })) });
  const n = 2_000_000;
  const observe = nsPerCall(n, (i) => recorder.observe(list[i & 1023]!));
  const tickStarted = performance.now();
  for (let i = 0; i < 100; i++) {
    for (let j = 0; j < 1000; j++) recorder.observe(list[j]!);
    recorder.tick();
  }
  const tickMs = (performance.now() - tickStarted) / 100;
  const prom = createLabMetrics({ processMetrics: false });
  const promNs = nsPerCall(500_000, (i) => prom.observe(list[i & 1023]!));
  return [
    { figure: 'MetricsRecorder.observe cost', value: `${observe.toFixed(0)} ns/outcome`, target: '< 500 ns', note: `${n.toLocaleString('en')} outcomes over 4 nodes` },
    { figure: 'MetricsRecorder tick (1,000 outcomes, 4 nodes)', value: `${tickMs.toFixed(3)} ms/tick`, note: 'once per 100 ms' },
    { figure: 'Prometheus observe cost', value: `${promNs.toFixed(0)} ns/outcome`, note: 'counter + histogram, cached label children' },
  ];
}

export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  rows.push(...(await schedule(1_000)));
  rows.push(...(await schedule(5_000)));
  rows.push(...observeCost());
  return rows;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const row of await run()) console.log(`${row.figure}: ${row.value}${row.target ? ` (target ${row.target})` : ''}${row.note ? ` — ${row.note}` : ''}`);
}
