// A real lab's /metrics, scraped through the web host with the bearer token after a drill, a kill -9
// of the primary (a failover) and a fault, so that every family has samples; Prometheus's own
// linter (`promtool check metrics`) must have nothing to say about Firedrill's families. The Grafana
// dashboard must name only families that scrape holds, and the README's scrape config must pass
// `promtool check config`. Without promtool (Debian's prometheus package) this suite is skipped,
// except under CI=true, where a missing promtool fails it.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebHost, type WebHost } from '../../../electron/cli/web-host';
import type { DrillSpecInput } from '../../../shared/drill/schema';
import { dashboardExpressions, metricNamesIn } from './promql';
import { pidOf, startLab, waitFor, type LabUnderTest } from '../../support/lab-client';
import { makeTempDir, removeDir } from '../../support/temp';
import { httpCall } from '../../support/web-lab';
import { sleep } from '../../../shared/sleep';

const promtool = spawnSync('promtool', ['--version']).status === 0;
const ci = process.env.CI === 'true';
if (!promtool && !ci) console.warn('metrics-promtool: SKIPPED: no promtool found (apt-get install prometheus)');

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/** promtool's complaints about a metrics text, one per line (rc 3 means lint problems; they are on stdout). */
function promtoolCheckMetrics(text: string): string[] {
  const run = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8', timeout: 30_000 });
  if (run.error) throw run.error;
  return `${run.stdout}\n${run.stderr}`.split('\n').filter((line) => line.trim() !== '');
}

/** The families of a scrape (`# TYPE`) and every sample name in it. */
function scrapeNames(text: string): { families: Map<string, string>; samples: Map<string, number> } {
  const families = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) families.set(type[1]!, type[2]!);
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{.*\})? (\S+)$/.exec(line);
    if (sample) samples.set(sample[1]!, (samples.get(sample[1]!) ?? 0) + 1);
  }
  return { families, samples };
}

const sampleValue = (text: string, pattern: RegExp): number => {
  const line = text.split('\n').find((l) => pattern.test(l));
  return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(' ') + 1));
};

describe.skipIf(!promtool && !ci)('/metrics of a real lab, checked by promtool', () => {
  let t: LabUnderTest | undefined;
  let web: WebHost | undefined;
  let reportsDir: string | undefined;
  let dir: string | undefined;
  let scrape = '';

  beforeAll(() => {
    if (!promtool) throw new Error('no promtool found, and CI=true: apt-get install prometheus');
  });

  afterAll(async () => {
    await web?.close();
    await t?.close();
    await removeDir(reportsDir);
    await removeDir(dir);
  });

  it('after a drill, a kill -9 of the primary and a fault, every family has samples and promtool reports nothing for them', { timeout: 90_000 }, async () => {
    reportsDir = await makeTempDir('fd-metrics-reports-');
    t = await startLab({ topology: { kind: 'hot-standby' }, reportsDir });
    const lab = t.lab;
    web = await startWebHost({ host: lab.host, port: 0, metrics: () => lab.metricsExposition() });

    // A drill to a verdict (it sets up its own hot-standby fleet).
    const spec: DrillSpecInput = {
      id: 'metrics-drill',
      title: 'metrics drill',
      concept: 'hot-standby',
      summary: 'a drill written for the metrics test',
      topology: { kind: 'hot-standby' },
      steps: [{ say: 'nothing breaks' }, { wait: 200 }],
    };
    let verdict: string | null = null;
    t.client.on('drill.verdict', (status) => (verdict = status.verdict));
    await t.client.request('drill.run', { spec, auto: true, formats: ['json'] });
    await waitFor('the drill verdict', () => verdict ?? undefined, 30_000);

    // Traffic, then kill -9 of the primary: a failover, an incident with its MTTD and MTTR.
    // In sync in the drill's fleet (its topology.set restarted the nodes), not in the one before it.
    const since = t.timeline.findLastIndex((e) => e.kind === 'topology.changed');
    await waitFor('s1 in sync', () => t!.timeline.slice(since + 1).find((e) => e.kind === 'standby.in-sync' && e.nodeId === 's1'), 15_000);
    await t.client.request('traffic.start', { rate: 300, durationMs: 3_000, readShare: 0.5, keys: 100 });
    await sleep(400);
    process.kill(pidOf(await t.state(), 'p1'), 'SIGKILL');
    await waitFor('the incident to close', () => [...t!.incidents.values()].find((i) => i.nodeId === 'p1' && !i.open && i.mttrMs !== null), 20_000);
    await waitFor('p1 back, as the standby', async () => ((await t!.state()).nodes.find((n) => n.id === 'p1')?.status === 'ready' ? true : undefined), 15_000);
    // The balancer's failover hold leaves the kill no failed request to count: HTTP errors on s1 make some.
    // After the traffic: with it still running, its 500s from s1 are 3 failures in a row, a passive
    // detection and a second failover (back to p1, s1 fenced), and this GET is held through it (seen
    // on the data plane's thread, where p1 was back in 1.1 s, inside the 3 s run).
    await waitFor('the traffic to end', async () => ((await t!.state()).traffic.running ? undefined : true), 10_000);
    const errors = await t.client.request('fault.inject', { type: 'http_error', target: 's1', attributes: { status: 500, share: 1 } });
    expect((await fetch(new URL('/kv/k1', t.lab.balancerUrl))).status).toBe(500);
    await t.client.request('fault.revert', { id: errors.id });
    // A fault in effect at the scrape.
    await t.client.request('fault.inject', { type: 'latency', target: 'p1', attributes: { latency: 5 } });

    const reply = await httpCall(web.port, '/metrics', { headers: { authorization: `Bearer ${web.token}`, host: `127.0.0.1:${web.port}` } });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    scrape = reply.body;

    const { families, samples } = scrapeNames(scrape);
    const own = [...families.keys()].filter((name) => name.startsWith('firedrill_'));
    expect(own.sort()).toEqual(
      [
        'firedrill_drill_runs_total',
        'firedrill_ejections_total',
        'firedrill_failover_held_requests_total',
        'firedrill_failover_refused_writes_total',
        'firedrill_failover_requests_total',
        'firedrill_failovers_promoted_behind_total',
        'firedrill_failovers_total',
        'firedrill_faults_active',
        'firedrill_faults_injected_total',
        'firedrill_incident_detection_seconds',
        'firedrill_incident_recovery_seconds',
        'firedrill_ledger_lost_writes',
        'firedrill_ledger_stale_writes',
        'firedrill_node_restarts_total',
        'firedrill_node_state',
        'firedrill_node_up',
        'firedrill_request_duration_seconds',
        'firedrill_request_errors_total',
        'firedrill_requests_total',
        'firedrill_retries_total',
      ].sort(),
    );
    for (const family of own) {
      const names = families.get(family) === 'histogram' ? [`${family}_bucket`, `${family}_sum`, `${family}_count`] : [family];
      for (const name of names) expect(samples.get(name) ?? 0, `${name} has samples`).toBeGreaterThan(0);
    }
    // What happened shows: the standby in its role, the failover, the fault, the incident, the drill.
    expect(sampleValue(scrape, /^firedrill_node_state\{node="p1",role="standby",state="ready"\}/)).toBe(1);
    expect(sampleValue(scrape, /^firedrill_node_state\{node="s1",role="primary",state="ready"\}/)).toBe(1);
    expect(sampleValue(scrape, /^firedrill_failovers_total\{outcome="promoted"\}/)).toBeGreaterThanOrEqual(1);
    expect(sampleValue(scrape, /^firedrill_faults_active\{type="latency",node="p1"\}/)).toBe(1);
    expect(sampleValue(scrape, /^firedrill_faults_injected_total\{type="latency",node="p1"\}/)).toBe(1);
    expect(sampleValue(scrape, /^firedrill_incident_recovery_seconds_count\{cause="exit"\}/)).toBeGreaterThanOrEqual(1);
    expect(sampleValue(scrape, /^firedrill_drill_runs_total\{drill="metrics-drill",verdict="pass"\}/)).toBe(1);
    // Requests during the failover: the family has its three series here; how many fell in the window
    // depends on its length (22–32 ms, sometimes no request at 300 req/s: CI saw 0), so the counting
    // itself is proven in test/unit/metrics/lab-event-metrics.test.ts.
    for (const o of ['served', 'held', 'failed']) expect(scrape).toMatch(new RegExp(`^firedrill_failover_requests_total\\{outcome="${o}"\\} \\d+`, 'm'));

    const complaints = promtoolCheckMetrics(scrape);
    expect(complaints.filter((line) => line.includes('firedrill_'))).toEqual([]);
  });

  it('promtool does report a badly named family (the check above can fail)', () => {
    const bad = ['# HELP firedrill_failovers A counter without _total.', '# TYPE firedrill_failovers counter', 'firedrill_failovers 1', '# HELP firedrill_mttr_milliseconds Not a base unit.', '# TYPE firedrill_mttr_milliseconds gauge', 'firedrill_mttr_milliseconds 3', ''].join('\n');
    const complaints = promtoolCheckMetrics(bad).filter((line) => line.includes('firedrill_'));
    expect(complaints.some((line) => line.includes('firedrill_failovers') && line.includes('_total'))).toBe(true);
    expect(complaints.some((line) => line.includes('firedrill_mttr_milliseconds'))).toBe(true);
  });

  it('the Grafana dashboard names only families a real lab exports, and covers what the issue asks', () => {
    expect(scrape, 'the scrape of the first test').not.toBe('');
    const dashboard = JSON.parse(readFileSync(root('docs/grafana/firedrill-dashboard.json'), 'utf8')) as unknown;
    const expressions = dashboardExpressions(dashboard);
    expect(expressions.length).toBeGreaterThanOrEqual(15);
    const { samples } = scrapeNames(scrape);
    const used = new Set<string>();
    for (const { where, expr } of expressions) {
      const names = metricNamesIn(expr);
      expect(names.length, `${where}: ${expr} names no metric`).toBeGreaterThan(0);
      for (const name of names) {
        expect(samples.has(name), `${where}: ${name} is not in a real scrape`).toBe(true);
        used.add(name);
      }
    }
    for (const name of ['firedrill_requests_total', 'firedrill_request_errors_total', 'firedrill_request_duration_seconds_bucket', 'firedrill_node_state', 'firedrill_faults_active', 'firedrill_failovers_total', 'firedrill_incident_detection_seconds_sum', 'firedrill_incident_recovery_seconds_sum']) {
      expect(used.has(name), `the dashboard charts ${name}`).toBe(true);
    }
    expect(expressions.some((e) => /histogram_quantile\(0\.99, sum by \(node, le\)/.test(e.expr))).toBe(true);
    expect(expressions.filter((e) => e.where.startsWith('annotation')).map((e) => e.expr).join('\n')).toContain('firedrill_faults_active');
  });

  it("the README's scrape config passes promtool check config", async () => {
    dir = await makeTempDir('fd-promconfig-');
    const readme = readFileSync(root('README.md'), 'utf8');
    const block = readme.split(/^### Prometheus and Grafana$/m)[1]?.match(/```yaml\n([\s\S]*?)```/)?.[1];
    if (!block) throw new Error('README.md has no ```yaml block under "### Prometheus and Grafana"');
    expect(block).toMatch(/credentials_file: (\S+)/);
    // promtool checks the token file exists: point it at one of ours.
    const token = join(dir, 'firedrill.token');
    writeFileSync(token, 'a-token\n');
    const config = join(dir, 'prometheus.yml');
    writeFileSync(config, block.replace(/credentials_file: \S+/, `credentials_file: ${token}`));
    const run = spawnSync('promtool', ['check', 'config', config], { encoding: 'utf8', timeout: 30_000 });
    expect(`${run.stdout}${run.stderr}`, 'promtool check config').toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});
