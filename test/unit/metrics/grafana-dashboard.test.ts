// The Grafana dashboard in docs/grafana: valid JSON of the shape Grafana imports, every panel with a
// PromQL query on Firedrill's own families. (That those families exist in a real lab's scrape is
// checked in test/integration/metrics/metrics-promtool.test.ts.)
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dashboardExpressions, metricNamesIn } from '../../integration/metrics/promql';

const file = fileURLToPath(new URL('../../../docs/grafana/firedrill-dashboard.json', import.meta.url));

describe('the Grafana dashboard', () => {
  it('parses, asks for a Prometheus data source on import, and every panel queries firedrill_ families', () => {
    const dashboard = JSON.parse(readFileSync(file, 'utf8')) as {
      uid: string;
      title: string;
      schemaVersion: number;
      __inputs: Array<{ name: string; pluginId: string }>;
      panels: Array<{ id: number; type: string; gridPos: { x: number; y: number; w: number; h: number }; datasource?: { uid: string }; targets?: unknown[] }>;
    };
    expect(dashboard.title).toBe('Firedrill lab');
    expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
    expect(dashboard.schemaVersion).toBeGreaterThanOrEqual(36);
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', pluginId: 'prometheus' })]);
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) {
      expect(panel.gridPos.x + panel.gridPos.w, `panel ${panel.id} fits the 24-column grid`).toBeLessThanOrEqual(24);
      if (panel.type === 'row') continue;
      expect(panel.datasource?.uid, `panel ${panel.id}`).toBe('${DS_PROMETHEUS}');
      expect(panel.targets?.length, `panel ${panel.id} has a query`).toBeGreaterThan(0);
    }
    for (const { where, expr } of dashboardExpressions(dashboard)) {
      const names = metricNamesIn(expr);
      expect(names.length, where).toBeGreaterThan(0);
      for (const name of names) expect(name, where).toMatch(/^firedrill_[a-z0-9_]+$/);
    }
  });

  it('reads the metric names out of PromQL, not its functions, labels, ranges or variables', () => {
    expect(metricNamesIn('histogram_quantile(0.99, sum by (node, le) (rate(firedrill_request_duration_seconds_bucket{node=~"$node"}[$__rate_interval])))')).toEqual(['firedrill_request_duration_seconds_bucket']);
    expect(metricNamesIn('sum(rate(a_total[5m])) / clamp_min(sum(rate(b_total[5m])), 1e-9)')).toEqual(['a_total', 'b_total']);
    expect(metricNamesIn('firedrill_node_state{state="ready"} == 1 and on (node) firedrill_node_up > 0')).toEqual(['firedrill_node_state', 'firedrill_node_up']);
    expect(metricNamesIn('label_values(firedrill_node_state, node)')).toEqual(['firedrill_node_state']);
    expect(metricNamesIn('sum without (le) (rate(x{a="sum(y)"}[1m] offset 5m))')).toEqual(['x']);
  });
});
