import type { TopologySpec } from '../../../../shared/contract/model.js';
import type { DrillSpec, DrillStep } from '../../../../shared/drill/schema.js';
import type { StepRecord } from '../../../../shared/drill/run.js';
import { hypothesisBound } from '../../../../shared/report/report-facts.js';
import { formatMs } from '../../format.js';

/** How a drill is described before it runs: one line per step, the topology and the hypothesis in words. */

/** The first line of a narration, without its Markdown marks. */
export function firstLine(markdown: string, max = 90): string {
  const line = markdown
    .split('\n')
    .map((l) => l.trim())
    .find((l) => l !== '') ?? '';
  const plain = line.replace(/^#+\s*/, '').replace(/[*_`]/g, '');
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}

export function stepLine(step: DrillStep): string {
  if ('say' in step) return firstLine(step.say);
  if ('wait' in step) return `wait ${formatMs(step.wait)}`;
  if ('mark' in step) return `mark “${step.mark}”`;
  if ('predict' in step) return step.predict.question;
  if ('action' in step) return firstLine(step.action.text);
  if ('fault' in step) {
    const { inject, revert, as } = step.fault;
    if (inject) return `inject ${inject.type} on ${inject.target}${as ? ` (${as})` : ''}`;
    if (revert) return `revert ${revert}`;
    return 'halt every fault';
  }
  const { event, within, node, metric, min, max } = step.expect;
  if (event) return `expect ${event}${node ? ` on ${node}` : ''} within ${formatMs(within)}`;
  const bounds = [min !== undefined ? `≥ ${min}` : null, max !== undefined ? `≤ ${max}` : null].filter(Boolean).join(' and ');
  return `expect ${metric}${node ? ` (${node})` : ''} ${bounds}`;
}

export const STEP_KIND_WORDS: Record<StepRecord['kind'], string> = {
  say: 'narration',
  wait: 'wait',
  fault: 'fault',
  action: 'your action',
  expect: 'expectation',
  predict: 'prediction',
  mark: 'mark',
};

export function topologyLine(topology: TopologySpec): string {
  switch (topology.kind) {
    case 'active-active':
      return `active-active, ${topology.nodes} nodes`;
    case 'hot-standby':
      return `hot standby, ${topology.replication} replication`;
    default:
      return topology.kind.replace('-', ' ');
  }
}

/** The steady-state hypothesis as bounds in words; empty when the drill states none. */
export function hypothesisLines(spec: DrillSpec): string[] {
  const { hypothesis } = spec;
  const lines: string[] = [];
  if (hypothesis.maxErrorRate !== undefined) lines.push(hypothesisBound({ name: 'maxErrorRate', limit: hypothesis.maxErrorRate }));
  if (hypothesis.maxP99Ms !== undefined) lines.push(hypothesisBound({ name: 'maxP99Ms', limit: hypothesis.maxP99Ms }));
  if (hypothesis.maxLostWrites !== undefined) lines.push(hypothesisBound({ name: 'maxLostWrites', limit: hypothesis.maxLostWrites }));
  return lines;
}

/** A drill's length as a person plans for it: "about 16 s", "about 3 min". */
export function formatAbout(ms: number): string {
  if (ms < 60_000) return `about ${Math.max(1, Math.round(ms / 1000))} s`;
  return `about ${Math.round(ms / 60_000)} min`;
}

/** A step that is over, one way or another. */
export const isStepOver = (step: StepRecord): boolean => step.status === 'done' || step.status === 'passed' || step.status === 'failed' || step.status === 'skipped';
