// A drill as a Chaos Mesh Workflow: the drill's steps become a Serial of templates (Suspend for a
// wait), and each fault forks a Parallel: its chaos template, with a deadline that ends it where the
// drill reverts it, beside the rest of the steps. What Chaos Mesh cannot express becomes a YAML
// comment and a gap in the list the caller shows; nothing is dropped without a word.
import { Document, isSeq, type YAMLMap } from 'yaml';
import type { FaultInject } from '../../../shared/contract/model.js';
import {
  BALANCER_SELECTOR_ID,
  ChaosMeshExportOptions,
  DEFAULT_SELECTOR_KEY,
  type ChaosMeshExport,
  type ChaosMeshGap,
  type LabelSelector,
} from '../../../shared/drill/chaos-mesh/options.js';
import { afterWords } from '../../../shared/drill/plain.js';
import { stripControls } from '../../../shared/drill/plain-text.js';
import { stepKindOf, type DrillSpec, type DrillStep } from '../../../shared/drill/schema.js';
import { fleetForTopology } from '../failover/topology.js';
import { CHAOS_KEYS, workflowWebhookProblems, type ChaosKind } from './chaos-mesh-rules.js';

export const CHAOS_MESH_API = 'chaos-mesh.org/v1alpha1';
/** A fault that acts once (a kill, a restart) still gets a chaos node this long, so Chaos Mesh applies it before the node ends. */
export const ONE_SHOT_DEADLINE_MS = 10_000;
/** The shortest deadline a lasting fault gets when the drill reverts it with no time in between. */
export const MIN_DEADLINE_MS = 1_000;
/** Template names: DNS-1123, short enough for `<template>-<5>-<5>` object names within a 63-character label. */
const TEMPLATE_NAME_MAX = 40;

type Obj = Record<string, unknown>;
interface Template extends Obj {
  name: string;
  templateType: string;
}

/** Why an export cannot be made from what was given (an unknown node in --selector, ...): a usage mistake, not a bug. */
export class ChaosMeshExportError extends Error {
  override readonly name = 'ChaosMeshExportError';
  /** The option at fault, as a dotted path (`selectors.p1`, `namespace`). */
  readonly field: string;
  constructor(message: string, field: string) {
    super(message);
    this.field = field;
  }
}

/** A Go duration for whole milliseconds: `4s`, `1500ms`. */
export function goDuration(ms: number): string {
  const whole = Math.max(0, Math.round(ms));
  return whole % 1000 === 0 ? `${whole / 1000}s` : `${whole}ms`;
}

/** A DNS-1123 piece of a name: lowercase a-z, 0-9 and single dashes. */
const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
const trimName = (name: string, max: number): string => name.slice(0, max).replace(/-+$/, '');

/** The first paragraph of a text on one line, without control characters or Markdown heading marks, at most `max` characters. */
function oneLine(text: string, max = 100): string {
  const paragraph = stripControls(text).trim().split(/\n\s*\n/)[0] ?? '';
  const line = paragraph.replace(/^[#>\s]+/, '').replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A whole text as comment lines (narration is kept whole, not cut to a line). */
const textLines = (text: string): string[] => stripControls(text).trimEnd().split('\n').map((line) => `  ${line}`.trimEnd());

export function chaosMeshFileName(drillId: string): string {
  return `${drillId}.chaos-mesh.yaml`;
}

/**
 * The drill as one YAML stream (a Workflow), and the list of what did not map. Throws
 * ChaosMeshExportError when the options name a node the drill does not have.
 */
export function exportChaosMesh(drill: DrillSpec, input: ChaosMeshExportOptions = {}): ChaosMeshExport {
  const options = parseOptions(input);
  const namespace = options.namespace ?? 'default';
  const nodeIds = fleetForTopology(drill.topology).nodes.map((n) => n.id);
  checkSelectors(drill, options, nodeIds);
  const selectorOf = (id: string): LabelSelector => ({ ...(options.commonLabels ?? {}), ...(options.selectors?.[id] ?? { [DEFAULT_SELECTOR_KEY]: id }) });
  const podSelector = (id: string): Obj => ({ namespaces: [namespace], labelSelectors: selectorOf(id) });

  const draft = new WorkflowDraft();
  const entry = serialFrom({ steps: drill.steps, clock: workflowClock(drill.steps), draft, mapping: { podSelector, nodeIds, options } }, 0, 'drill');
  if (entry.children.length === 0) {
    // A drill with no wait, expectation or lasting fault: the Serial still needs something to run.
    entry.children.push(draft.add({ name: draft.uniqueName('end'), templateType: 'Suspend', deadline: goDuration(MIN_DEADLINE_MS) }).name);
  }
  drillLevelGaps(drill, draft.gap);

  const workflowName = trimName(`firedrill-${drill.id}`, 63);
  const workflow = {
    apiVersion: CHAOS_MESH_API,
    kind: 'Workflow',
    metadata: {
      name: workflowName,
      namespace,
      labels: { 'app.kubernetes.io/managed-by': 'firedrill', 'firedrill.dev/drill': trimName(drill.id, 63) },
    },
    spec: { entry: entry.name, templates: draft.templates },
  };
  const problems = workflowWebhookProblems(workflow);
  if (problems.length > 0) throw new Error(`chaos-mesh export of "${drill.id}" breaks Chaos Mesh's webhook rules (a bug): ${problems.join('; ')}`);
  return { yaml: workflowYaml(workflow, draft, header(drill, namespace, draft.gaps)), fileName: chaosMeshFileName(drill.id), workflowName, gaps: draft.gaps };
}

/** The options, parsed; a ChaosMeshExportError naming the first field at fault when they are not valid. */
function parseOptions(input: ChaosMeshExportOptions): ChaosMeshExportOptions {
  const parsed = ChaosMeshExportOptions.safeParse(input);
  if (parsed.success) return parsed.data;
  const path = (issue: { path: PropertyKey[] }): string => issue.path.map(String).join('.') || 'options';
  throw new ChaosMeshExportError(parsed.error.issues.map((issue) => `${path(issue)}: ${issue.message}`).join('\n'), path(parsed.error.issues[0] as { path: PropertyKey[] }));
}

/** A selector for a node the drill does not have is a usage mistake, said before anything is built. */
function checkSelectors(drill: DrillSpec, options: ChaosMeshExportOptions, nodeIds: string[]): void {
  for (const id of Object.keys(options.selectors ?? {})) {
    if (id !== BALANCER_SELECTOR_ID && !nodeIds.includes(id)) {
      throw new ChaosMeshExportError(`selectors.${id}: drill "${drill.id}" has no node "${id}" (its nodes: ${nodeIds.join(', ')}; or ${BALANCER_SELECTOR_ID} for the load balancer's pods)`, `selectors.${id}`);
    }
  }
}

/** The workflow as YAML: the header, each template's comment above it, and what came after the last one at the end. */
function workflowYaml(workflow: Obj, draft: WorkflowDraft, headerText: string): string {
  const doc = new Document(workflow);
  doc.commentBefore = headerText;
  const seq = doc.getIn(['spec', 'templates'], true);
  if (isSeq(seq)) {
    draft.templates.forEach((template, index) => {
      const lines = draft.comments.get(template);
      const node = seq.items[index] as YAMLMap | undefined;
      if (lines && node) node.commentBefore = commentText(lines);
    });
  }
  if (draft.pending.length > 0) doc.comment = commentText(['After the last template:', ...draft.pending]);
  return `---\n${doc.toString({ lineWidth: 0 })}`;
}

/** The workflow being written: its templates in order, the comment above each, the names taken and the gaps said. */
class WorkflowDraft {
  readonly templates: Template[] = [];
  readonly comments = new Map<Template, string[]>();
  readonly gaps: ChaosMeshGap[] = [];
  /** Comment lines for the next template (narration, what to check by hand); at the end, for after the last one. */
  pending: string[] = [];
  private readonly names = new Set<string>();

  readonly gap = (step: number | null, kind: ChaosMeshGap['kind'], text: string): void => void this.gaps.push({ step, kind, text });

  /** A DNS-1123 template name from `base`, numbered when taken. */
  uniqueName(base: string): string {
    const root = trimName(slug(base) || 'step', TEMPLATE_NAME_MAX);
    let name = root;
    for (let n = 2; this.names.has(name); n++) name = `${trimName(root, TEMPLATE_NAME_MAX - String(n).length - 1)}-${n}`;
    this.names.add(name);
    return name;
  }

  /** Appends a template, with the pending comment lines and `note` above it. */
  add<T extends Template>(template: T, note?: string): T {
    this.templates.push(template);
    const lines = [...this.pending, ...(note ? [note] : [])];
    this.pending = [];
    if (lines.length > 0) this.comments.set(template, lines);
    return template;
  }
}

/** When each step starts in the workflow and when the drill ends: only Suspends take time (a wait; an expected event's time limit). */
interface WorkflowClock {
  startMs: number[];
  endMs: number;
}
const stepMs = (step: DrillStep): number => ('wait' in step ? step.wait : 'expect' in step && step.expect.event !== undefined ? (step.expect.within ?? 0) : 0);

function workflowClock(steps: DrillStep[]): WorkflowClock {
  const startMs: number[] = [];
  let clock = 0;
  for (const step of steps) {
    startMs.push(clock);
    clock += stepMs(step);
  }
  return { startMs, endMs: clock };
}

/** Where the fault injected at step `index` ends: its revert, the next halt, or the end of the drill. */
function endOfFault(steps: DrillStep[], clock: WorkflowClock, index: number): { atMs: number; by: string } {
  const as = 'fault' in (steps[index] as DrillStep) ? (steps[index] as { fault: { as?: string } }).fault.as : undefined;
  for (let j = index + 1; j < steps.length; j++) {
    const step = steps[j] as DrillStep;
    if ('fault' in step && (step.fault.halt === true || (as !== undefined && step.fault.revert === as))) {
      return { atMs: clock.startMs[j] as number, by: step.fault.halt ? `the halt at step ${j + 1}` : `its revert at step ${j + 1}` };
    }
  }
  return { atMs: clock.endMs, by: 'the end of the drill' };
}

/** What writing a Serial needs: the drill's steps and their times, the draft it adds to, and what mapping a fault needs. */
interface SerialContext {
  steps: DrillStep[];
  clock: WorkflowClock;
  draft: WorkflowDraft;
  mapping: Omit<MappingContext, 'gap'>;
}
interface Serial extends Template {
  children: string[];
}

/** A Serial of steps `from`..end; a fault forks the rest into a Parallel beside its chaos. */
function serialFrom(ctx: SerialContext, from: number, name: string): Serial {
  const serial = ctx.draft.add<Serial>({ name: ctx.draft.uniqueName(name), templateType: 'Serial', children: [] });
  for (let i = from; i < ctx.steps.length; i++) {
    const step = ctx.steps[i] as DrillStep;
    const placed = 'fault' in step ? faultStep(ctx, i, step.fault) : otherStep(ctx.draft, step, i + 1);
    if (placed === null) continue;
    serial.children.push(placed.name);
    // A fork holds the rest of the steps.
    if (placed.templateType === 'Parallel') return serial;
  }
  return serial;
}

/** A step other than a fault: a Suspend for a wait or an expected event, otherwise a comment and a gap (null). */
function otherStep(draft: WorkflowDraft, step: DrillStep, n: number): Template | null {
  if ('say' in step) {
    draft.pending.push(`step ${n} (say):`, ...textLines(step.say));
    draft.gap(n, 'unmapped', `narration "${oneLine(step.say, 60)}": kept as a comment`);
  } else if ('predict' in step) {
    const p = step.predict;
    draft.pending.push(`step ${n} (predict): ${oneLine(p.question, 300)}`, ...p.options.map((o, k) => `  ${k + 1}. ${oneLine(o, 200)}${k === p.answer ? '   <- the drill\'s answer' : ''}`));
    draft.gap(n, 'unmapped', `prediction "${oneLine(step.predict.question, 60)}": Chaos Mesh has no place for a person's answer`);
  } else if ('mark' in step) {
    draft.pending.push(`step ${n} (mark): ${step.mark}`);
    draft.gap(n, 'unmapped', `mark "${step.mark}": a moment in Firedrill's report, not a Chaos Mesh concept`);
  } else if ('action' in step) {
    const does = step.action.do ? ` (the lab would do ${step.action.do.command} ${JSON.stringify(step.action.do.params)})` : '';
    draft.pending.push(`step ${n} (action, by hand): ${oneLine(step.action.text)}${does}`);
    draft.gap(n, 'unmapped', `manual action "${oneLine(step.action.text, 60)}"${does}: do it yourself at this point; the workflow does not wait for it`);
  } else if ('expect' in step) {
    return expectStep(draft, step.expect, n);
  } else if ('wait' in step) {
    return draft.add({ name: draft.uniqueName(`step-${n}-wait`), templateType: 'Suspend', deadline: goDuration(step.wait) }, `step ${n} (wait): ${step.wait} ms`);
  } else {
    draft.gap(n, 'unmapped', `a ${stepKindOf(step)} step: not exported`);
  }
  return null;
}

/** An expected event becomes a Suspend of its time limit; an expected measurement, a comment to check by hand (null). */
function expectStep(draft: WorkflowDraft, e: Extract<DrillStep, { expect: unknown }>['expect'], n: number): Template | null {
  if (e.event !== undefined) {
    const what = `${e.event}${e.node ? ` on ${e.node}` : ''} within ${e.within} ms`;
    draft.gap(n, 'approximate', `expects ${what}: Chaos Mesh cannot check it; the workflow waits ${goDuration(e.within ?? 0)} (a Suspend) in its place`);
    return draft.add({ name: draft.uniqueName(`step-${n}-expect-${e.event}`), templateType: 'Suspend', deadline: goDuration(e.within ?? 0) }, `step ${n} (expect): ${what}. Chaos Mesh cannot check an event: the workflow waits the expectation's full time limit instead.`);
  }
  const bounds = [e.min !== undefined ? `≥ ${e.min}` : '', e.max !== undefined ? `≤ ${e.max}` : ''].filter(Boolean).join(' and ');
  const what = `${e.metric}${e.node ? ` (${e.node})` : ''} ${bounds}`;
  draft.pending.push(`step ${n} (expect): ${what}. Check it in your monitoring at this point.`);
  draft.gap(n, 'unmapped', `expects ${what}: a measurement, check it in your monitoring${e.metric?.startsWith('ledger.') ? ' (the ledger of acknowledged writes is Firedrill\'s own)' : ''}`);
  return null;
}

/**
 * A fault step. A revert or a halt is a comment (the deadline of each fault ends it); an injected
 * fault is its chaos template, forked into a Parallel beside a Serial of the rest of the steps when
 * any of them takes time. Null when nothing is placed.
 */
function faultStep(ctx: SerialContext, i: number, f: Extract<DrillStep, { fault: unknown }>['fault']): Template | null {
  const { draft, steps } = ctx;
  const n = i + 1;
  if (f.revert !== undefined) {
    draft.pending.push(`step ${n} (revert ${f.revert}): the fault's deadline ends it here`);
    return null;
  }
  if (f.halt) {
    draft.pending.push(`step ${n} (halt): every fault's deadline ends here`);
    return null;
  }
  const inject = f.inject as FaultInject;
  const mapped = chaosFor(inject, { ...ctx.mapping, gap: (kindOf, text) => draft.gap(n, kindOf, text) });
  if (mapped === null) {
    draft.pending.push(`step ${n} (fault ${inject.type} on ${inject.target}): Chaos Mesh has no equivalent; left out`);
    return null;
  }
  if (f.after) {
    draft.gap(n, 'approximate', `${inject.type} on ${inject.target} is timed ${afterWords(f.after)} in the drill; a workflow cannot wait for an event, so it injects at its place in the sequence`);
  }
  if (mapped.kind === 'IOChaos') {
    const restartAt = steps.findIndex((later, j) => j > i && restartsNode(later, inject.target));
    if (restartAt >= 0) {
      draft.gap(n, 'approximate', `${inject.type} on ${inject.target}: Chaos Mesh's IOChaos stops injecting when the container restarts (chaos-mesh/chaos-mesh#3551, #3867), so the process started after step ${restartAt + 1} reads the files as they are: this part of the drill does not carry over`);
    }
  }
  const life = faultLife(ctx, i, inject, mapped);
  const chaosName = draft.uniqueName(`step-${n}-${mapped.label}-${inject.target}`);
  const rest = steps.slice(i + 1).some((s) => stepMs(s) > 0);
  const fork = rest ? draft.add<Serial>({ name: draft.uniqueName(`step-${n}-fork`), templateType: 'Parallel', children: [] }) : null;
  const chaos = draft.add(
    { name: chaosName, templateType: mapped.kind, deadline: goDuration(life.ms), [CHAOS_KEYS[mapped.kind]]: mapped.spec },
    `step ${n} (fault ${inject.type} on ${inject.target}${f.as ? ` as ${f.as}` : ''}): ${mapped.kind} ${String(mapped.spec.action ?? (mapped.spec.abort ? 'abort' : 'replace'))}, ${goDuration(life.ms)} (${life.why})`,
  );
  if (fork === null) return chaos;
  fork.children.push(chaos.name, serialFrom(ctx, i + 1, `after-step-${n}`).name);
  return fork;
}

/** How long the chaos of the fault at step `i` lasts (its template's deadline), and why. */
function faultLife(ctx: SerialContext, i: number, inject: FaultInject, mapped: MappedChaos): { ms: number; why: string } {
  const end = endOfFault(ctx.steps, ctx.clock, i);
  let ms = end.atMs - (ctx.clock.startMs[i] as number);
  let why = `until ${end.by}`;
  if (inject.durationMs !== undefined && inject.durationMs < ms) {
    ms = inject.durationMs;
    why = `for its durationMs`;
  }
  if (mapped.oneShot) return { ms: ONE_SHOT_DEADLINE_MS, why: 'acts once; the node lasts long enough for Chaos Mesh to apply it' };
  if (ms < MIN_DEADLINE_MS) {
    ctx.draft.gap(i + 1, 'approximate', `${inject.type} on ${inject.target} lasts no workflow time in the drill (nothing but checks and actions before it ends): given ${goDuration(MIN_DEADLINE_MS)}`);
    return { ms: MIN_DEADLINE_MS, why };
  }
  return { ms, why };
}

/** Comment text: one `# ` line per line, nothing that could end the comment. */
const commentText = (lines: string[]): string =>
  lines
    .flatMap((line) => stripControls(line).split('\n'))
    .map((line) => ` ${line.trimEnd()}`)
    .join('\n');

/** Whether a step kills or restarts `node` (a fault, or an action the lab would perform). */
function restartsNode(step: DrillStep, node: string): boolean {
  if ('fault' in step) return step.fault.inject !== undefined && step.fault.inject.target === node && ['kill', 'restart', 'crash-loop'].includes(step.fault.inject.type);
  if ('action' in step && step.action.do) return ['node.restart', 'node.stop'].includes(step.action.do.command) && (step.action.do.params as { id?: string }).id === node;
  return false;
}

function header(drill: DrillSpec, namespace: string, gaps: ChaosMeshGap[]): string {
  const lines = [
    ` Firedrill drill "${drill.id}" as a Chaos Mesh Workflow: ${oneLine(drill.title)}`,
    ` ${oneLine(drill.summary, 300)}`,
    '',
    ` Apply: kubectl apply -n ${namespace} -f ${chaosMeshFileName(drill.id)}`,
    ` Watch: kubectl get workflow,workflownode -n ${namespace}   (docs/chaos-mesh.md)`,
    ' Each node id selects pods by a label (app.kubernetes.io/instance=<node id> unless --selector says otherwise):',
    ' check `kubectl get pods -l ...` selects what you mean before you apply.',
    '',
    ' Not expressed in Chaos Mesh (also printed by the export):',
    ...gaps.map((g) => `   - ${g.step === null ? 'drill' : `step ${g.step}`}${g.kind === 'approximate' ? ' (approximate)' : ''}: ${stripControls(g.text).replace(/\n/g, ' ')}`),
  ];
  return lines.join('\n');
}

/** What the drill as a whole asks that a Workflow has no place for. */
function drillLevelGaps(drill: DrillSpec, gap: (step: null, kind: ChaosMeshGap['kind'], text: string) => void): void {
  gap(null, 'unmapped', `topology ${drill.topology.kind}${drill.topology.kind === 'hot-standby' ? ` (${drill.topology.replication} replication)` : ''}: the fleet is yours on the cluster; the workflow only breaks it`);
  gap(null, 'unmapped', 'traffic and the ledger of acknowledged writes: run your own load and data checks while the workflow runs');
  const h = drill.hypothesis;
  const bounds = [h.maxErrorRate !== undefined ? `error rate ≤ ${h.maxErrorRate}` : '', h.maxP99Ms !== undefined ? `p99 ≤ ${h.maxP99Ms} ms` : '', h.maxLostWrites !== undefined ? `lost writes ≤ ${h.maxLostWrites}` : ''].filter(Boolean);
  if (bounds.length > 0) gap(null, 'unmapped', `hypothesis (${bounds.join(', ')}): watch it in your monitoring`);
  if (drill.stop) gap(null, 'unmapped', `stop rule (error rate above ${drill.stop.errorRateAbove} for ${drill.stop.forMs} ms): abort the workflow yourself (kubectl delete workflow) if it trips`);
  if (drill.balancer) gap(null, 'unmapped', `balancer settings (${Object.keys(drill.balancer).join(', ')}): configure your own load balancer / probes`);
}

interface MappingContext {
  podSelector: (id: string) => Obj;
  nodeIds: string[];
  options: ChaosMeshExportOptions;
  gap: (kind: ChaosMeshGap['kind'], text: string) => void;
}
interface MappedChaos {
  kind: ChaosKind;
  label: string;
  spec: Obj;
  /** Acts once (kill, restart): its template's deadline does not follow the drill's revert. */
  oneShot: boolean;
}

/** A fault as its mappers see it: its attributes read as numbers, the selector of its node, and how a gap names it. */
interface FaultView {
  fault: FaultInject;
  attributes: Record<string, unknown>;
  num: (key: string, fallback?: number) => number;
  base: { mode: string; selector: Obj };
  what: string;
}
type ChaosMapper = (f: FaultView, ctx: MappingContext) => MappedChaos | null;

/** One fault as one chaos spec, or null (with a gap said) when Chaos Mesh has nothing like it. */
export function chaosFor(fault: FaultInject, ctx: MappingContext): MappedChaos | null {
  const attributes = fault.attributes as Record<string, unknown>;
  const num = (key: string, fallback = 0): number => (typeof attributes[key] === 'number' ? (attributes[key] as number) : fallback);
  const view = { fault, attributes, num, base: { mode: 'one', selector: ctx.podSelector(fault.target) }, what: `${fault.type} on ${fault.target}` };
  return CHAOS_MAPPERS[fault.type](view, ctx);
}

/** What NetworkChaos does differently from any of Firedrill's network faults. */
function networkGaps({ fault, what }: FaultView, ctx: MappingContext): void {
  if (fault.toxicity < 1) ctx.gap('approximate', `${what}: toxicity ${fault.toxicity} (a share of connections) has no NetworkChaos equivalent; every packet of the pod is affected`);
  if (fault.stream === 'upstream') ctx.gap('approximate', `${what}: on the requests towards the node in Firedrill; NetworkChaos shapes the pod's outgoing packets`);
}

const kill: ChaosMapper = ({ attributes, num, base, what }, ctx) => {
  const graceful = attributes.signal === 'SIGTERM';
  if (graceful) ctx.gap('approximate', `${what}: SIGTERM then ${num('graceMs', 2000)} ms is a pod-kill with gracePeriod ${Math.ceil(num('graceMs', 2000) / 1000)} s`);
  ctx.gap('approximate', `${what}: pod-kill deletes the pod; its controller (Deployment, StatefulSet) starts a new one, as Firedrill's supervisor restarts the node`);
  return { kind: 'PodChaos', label: 'pod-kill', oneShot: true, spec: { action: 'pod-kill', ...base, gracePeriod: graceful ? Math.ceil(num('graceMs', 2000) / 1000) : 0 } };
};

const restart: ChaosMapper = ({ base, what }, ctx) => {
  ctx.gap('approximate', `${what}: container-kill of container "${ctx.options.container ?? 'app'}" (the kubelet restarts it in the same pod, its volumes kept); graceMs has no equivalent`);
  return { kind: 'PodChaos', label: 'container-kill', oneShot: true, spec: { action: 'container-kill', ...base, containerNames: [ctx.options.container ?? 'app'] } };
};

/** A pause or a crash loop: the pod unavailable for the fault's time. */
const podFailure =
  (difference: string): ChaosMapper =>
  ({ base, what }, ctx) => {
    ctx.gap('approximate', `${what}: ${difference}`);
    return { kind: 'PodChaos', label: 'pod-failure', oneShot: false, spec: { action: 'pod-failure', ...base } };
  };

const latency: ChaosMapper = (f, ctx) => {
  networkGaps(f, ctx);
  return { kind: 'NetworkChaos', label: 'delay', oneShot: false, spec: { action: 'delay', ...f.base, direction: 'to', delay: { latency: goDuration(f.num('latency')), jitter: goDuration(f.num('jitter')), correlation: '0' } } };
};

const bandwidth: ChaosMapper = (f, ctx) => {
  networkGaps(f, ctx);
  const rate = Math.max(1, Math.round(f.num('rate')));
  if (rate !== f.num('rate')) ctx.gap('approximate', `${f.what}: rate ${f.num('rate')} KB/s written as ${rate}kbps (a whole number, at least 1)`);
  return { kind: 'NetworkChaos', label: 'bandwidth', oneShot: false, spec: { action: 'bandwidth', ...f.base, direction: 'to', bandwidth: { rate: `${rate}kbps`, limit: 20_971_520, buffer: 10_000 } } };
};

const timeout: ChaosMapper = (f, ctx) => {
  networkGaps(f, ctx);
  ctx.gap('approximate', `${f.what}: every packet is lost (loss 100 %); Toxiproxy's timeout also closes the connection after ${f.num('timeout')} ms`);
  return { kind: 'NetworkChaos', label: 'loss', oneShot: false, spec: { action: 'loss', ...f.base, direction: 'to', loss: { loss: '100', correlation: '0' } } };
};

const partition: ChaosMapper = ({ fault, attributes, base, what }, ctx) => {
  const links = (attributes.links as string | undefined) ?? 'all';
  if (links === 'all') return { kind: 'NetworkChaos', label: 'partition', oneShot: false, spec: { action: 'partition', ...base, direction: 'both' } };
  const peers = links === 'balancer' ? [BALANCER_SELECTOR_ID] : ctx.nodeIds.filter((id) => id !== fault.target);
  if (peers.length === 0) {
    ctx.gap('unmapped', `${what}: links ${links}, but the drill has no other node to cut it from`);
    return null;
  }
  if (peers.length > 1) ctx.gap('approximate', `${what}: cut from ${peers[0]} only (a NetworkChaos has one target selector; Firedrill cut ${peers.join(', ')})`);
  const target = { mode: 'all', selector: ctx.podSelector(peers[0] as string) };
  return { kind: 'NetworkChaos', label: `partition-${links}`, oneShot: false, spec: { action: 'partition', ...base, direction: 'both', target } };
};

const httpAbort = (base: FaultView['base'], ctx: MappingContext): MappedChaos => ({ kind: 'HTTPChaos', label: 'http-abort', oneShot: false, spec: { ...base, target: 'Request', port: ctx.options.httpPort ?? 80, abort: true } });

const resetPeer: ChaosMapper = ({ base, what }, ctx) => {
  ctx.gap('approximate', `${what}: NetworkChaos has no connection reset; HTTPChaos aborts the node's HTTP requests instead`);
  return httpAbort(base, ctx);
};

const httpError: ChaosMapper = ({ num, base, what }, ctx) => {
  const share = num('share', 1);
  if (share < 1) ctx.gap('approximate', `${what}: share ${share} of responses; HTTPChaos replaces every response`);
  return { kind: 'HTTPChaos', label: `http-${num('status', 503)}`, oneShot: false, spec: { ...base, target: 'Response', port: ctx.options.httpPort ?? 80, replace: { code: num('status', 503) } } };
};

const httpAbortFault: ChaosMapper = ({ num, base, what }, ctx) => {
  const share = num('share', 1);
  if (share < 1) ctx.gap('approximate', `${what}: share ${share} of requests; HTTPChaos aborts every request`);
  if (num('afterBytes') > 0) ctx.gap('approximate', `${what}: afterBytes ${num('afterBytes')} has no HTTPChaos equivalent; aborted at once`);
  return httpAbort(base, ctx);
};

/** A checkpoint or log corrupted on disk: IOChaos corrupts what the node reads instead. */
const ioMistake: ChaosMapper = ({ fault, num, base, what }, ctx) => {
  const volume = ctx.options.volumePath ?? '/data';
  const wal = fault.type === 'wal_corrupt_tail';
  const bytes = fault.type === 'checkpoint_bitflip' ? Math.max(1, Math.ceil(num('bits', 1) / 8)) : fault.type === 'checkpoint_zero' ? num('length', 64) : num('bytes', 16);
  ctx.gap('approximate', `${what}: IOChaos corrupts what the node reads from ${wal ? 'its log' : 'its checkpoints'} while the fault lasts (to the drill's end), where Firedrill changed the bytes on disk once`);
  return {
    kind: 'IOChaos',
    label: 'io-mistake',
    oneShot: false,
    spec: {
      action: 'mistake',
      ...base,
      volumePath: volume,
      path: `${volume.replace(/\/+$/, '')}/${wal ? 'wal' : 'checkpoints'}/*`,
      methods: ['read'],
      percent: 100,
      mistake: { filling: fault.type === 'checkpoint_zero' ? 'zero' : 'random', maxOccurrences: 1, maxLength: bytes },
    },
  };
};

/** A checkpoint truncated or deleted: IOChaos fails reading or opening every checkpoint instead. */
const ioFault: ChaosMapper = ({ fault, base, what }, ctx) => {
  const volume = ctx.options.volumePath ?? '/data';
  const missing = fault.type === 'checkpoint_delete_newest';
  ctx.gap('approximate', `${what}: IOChaos fails ${missing ? 'opening' : 'reading'} every checkpoint (${missing ? 'ENOENT' : 'EIO'}) while the fault lasts, not only the ${missing ? 'newest' : 'truncated'} one`);
  return {
    kind: 'IOChaos',
    label: 'io-fault',
    oneShot: false,
    spec: { action: 'fault', ...base, volumePath: volume, path: `${volume.replace(/\/+$/, '')}/checkpoints/*`, methods: [missing ? 'open' : 'read'], percent: 100, errno: missing ? 2 : 5 },
  };
};

const unmapped: ChaosMapper = ({ fault, what }, ctx) => {
  ctx.gap('unmapped', `${what}: Chaos Mesh has no equivalent (${fault.type === 'checkpoint_stale' ? 'an old checkpoint put back in place' : 'a Toxiproxy toxic with no netem counterpart'}); left out`);
  return null;
};

/** Each of Firedrill's fault types, and how it becomes chaos (a type missing here does not compile). */
const CHAOS_MAPPERS: Record<FaultInject['type'], ChaosMapper> = {
  kill,
  restart,
  pause: podFailure("pod-failure makes the pod unavailable for the fault's time rather than freezing its process (SIGSTOP)"),
  'crash-loop': podFailure("pod-failure keeps the pod down for the fault's time instead of letting it crash at every start"),
  latency,
  bandwidth,
  timeout,
  partition,
  reset_peer: resetPeer,
  http_error: httpError,
  http_abort: httpAbortFault,
  checkpoint_bitflip: ioMistake,
  checkpoint_zero: ioMistake,
  wal_corrupt_tail: ioMistake,
  checkpoint_truncate: ioFault,
  checkpoint_delete_newest: ioFault,
  slow_close: unmapped,
  slicer: unmapped,
  limit_data: unmapped,
  checkpoint_stale: unmapped,
};
