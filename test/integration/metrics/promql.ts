// Reading a Grafana dashboard's PromQL: every expression in it, and the metric names each one uses.

export interface DashboardExpression {
  /** Where in the dashboard: `panel 3 "Title" A`, `annotation "Faults"`, `variable node`. */
  where: string;
  expr: string;
}

/** Every PromQL expression of a dashboard: panel targets (rows' nested panels too), annotations, query variables. */
export function dashboardExpressions(dashboard: unknown): DashboardExpression[] {
  const d = dashboard as {
    panels?: Array<{ id?: number; title?: string; panels?: unknown[]; targets?: Array<{ refId?: string; expr?: unknown }> }>;
    annotations?: { list?: Array<{ name?: string; expr?: unknown }> };
    templating?: { list?: Array<{ name?: string; type?: string; query?: unknown; definition?: unknown }> };
  };
  const out: DashboardExpression[] = [];
  const visit = (panels: unknown[]): void => {
    for (const p of panels as NonNullable<typeof d.panels>) {
      if (Array.isArray(p.panels)) visit(p.panels);
      for (const target of p.targets ?? []) {
        if (typeof target.expr !== 'string') throw new Error(`panel ${p.id ?? '?'} "${p.title ?? ''}" ${target.refId ?? ''}: a target without a PromQL expr`);
        out.push({ where: `panel ${p.id ?? '?'} "${p.title ?? ''}" ${target.refId ?? ''}`, expr: target.expr });
      }
    }
  };
  visit(d.panels ?? []);
  for (const a of d.annotations?.list ?? []) if (typeof a.expr === 'string') out.push({ where: `annotation "${a.name ?? ''}"`, expr: a.expr });
  for (const v of d.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const query = typeof v.query === 'string' ? v.query : (v.query as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string') throw new Error(`variable ${v.name ?? '?'}: a query variable without a query`);
    out.push({ where: `variable ${v.name ?? '?'}`, expr: query });
  }
  return out;
}

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'and', 'or', 'unless', 'offset', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects. Strings, label matchers `{…}`, ranges `[…]`,
 * grouping clauses `by (…)`, Grafana's `$variables` and numbers are removed; a name followed by `(`
 * is a function. `label_values(metric, label)` (a Grafana variable query) names `metric`.
 */
export function metricNamesIn(expr: string): string[] {
  let s = expr.replace(/^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,[^)]*\)$/, '$1');
  s = s.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""');
  s = s.replace(/\{[^}]*\}/g, ' ');
  s = s.replace(/\[[^\]]*\]/g, ' ');
  s = s.replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  s = s.replace(/\$\{?[a-zA-Z_][a-zA-Z0-9_]*\}?/g, ' ');
  s = s.replace(/\b\d+(\.\d+)?(e[+-]?\d+)?((ms|s|m|h|d|w|y)\b)*/gi, ' ');
  const names: string[] = [];
  for (const m of s.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    if (m[2] !== undefined || KEYWORDS.has(m[1]!.toLowerCase())) continue;
    if (!names.includes(m[1]!)) names.push(m[1]!);
  }
  return names;
}
