import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadDrillFile } from '../../../electron/engine/drills/drill-file.js';
import { loadLibrary } from '../../../electron/engine/drills/library.js';
import { CHAOS_KEYS, chaosSpecProblems, workflowWebhookProblems } from '../../../electron/engine/export/chaos-mesh-rules.js';
import { ChaosMeshExportError, exportChaosMesh } from '../../../electron/engine/export/chaos-mesh.js';
import type { ChaosMeshExportOptions } from '../../../shared/drill/chaos-mesh/options.js';
import type { DrillSpec } from '../../../shared/drill/schema.js';
import { crdProblems, isCrdKind, type CrdKind } from './crd-validator.js';

const root = join(import.meta.dirname, '../../..');
const library = loadLibrary({ builtin: join(root, 'drills/library') });
const builtins: DrillSpec[] = [...library.drills.map((d) => d.spec), loadDrillFile(join(root, 'drills/examples/kill-one-of-three.yaml'))];
const byId = (id: string): DrillSpec => builtins.find((d) => d.id === id) as DrillSpec;

type Obj = Record<string, unknown>;
interface Template extends Obj {
  name: string;
  templateType: string;
  deadline?: string;
  children?: string[];
}

function documents(yaml: string): Obj[] {
  const docs = parseAllDocuments(yaml);
  if (!Array.isArray(docs)) throw new Error('not a YAML stream');
  return docs.map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS() as Obj;
  });
}

/** Every document of an export, and every chaos a Workflow embeds as a standalone object of its kind, against the CRDs and the webhook rules. */
function allProblems(yaml: string): string[] {
  const problems: string[] = [];
  for (const doc of documents(yaml)) {
    const kind = doc.kind;
    if (!isCrdKind(kind)) {
      problems.push(`a document of kind ${String(kind)}`);
      continue;
    }
    problems.push(...crdProblems(kind, doc).map((p) => `${kind}: ${p}`));
    if (kind !== 'Workflow') continue;
    problems.push(...workflowWebhookProblems(doc));
    for (const template of (doc.spec as { templates: Template[] }).templates) {
      const type = template.templateType;
      if (!Object.hasOwn(CHAOS_KEYS, type)) continue;
      const spec = template[CHAOS_KEYS[type as keyof typeof CHAOS_KEYS]] as Obj;
      const standalone = { apiVersion: doc.apiVersion, kind: type, metadata: { name: template.name, namespace: (doc.metadata as Obj).namespace }, spec };
      problems.push(...crdProblems(type as CrdKind, standalone).map((p) => `${template.name} as ${type}: ${p}`));
      problems.push(...chaosSpecProblems(type as keyof typeof CHAOS_KEYS, spec).map((p) => `${template.name}: ${p.path}: ${p.message}`));
    }
  }
  return problems;
}

const workflowOf = (yaml: string): { metadata: Obj; spec: { entry: string; templates: Template[] } } => documents(yaml)[0] as never;
const templatesOf = (drill: DrillSpec, options?: ChaosMeshExportOptions): Template[] => workflowOf(exportChaosMesh(drill, options).yaml).spec.templates;

describe('firedrill export chaos-mesh: every built-in drill against the real CRDs', () => {
  it('finds the library (18 drills and the example)', () => {
    expect(library.problems).toEqual([]);
    expect(builtins.length).toBeGreaterThanOrEqual(19);
  });

  it.each(builtins.map((d) => [d.id, d] as const))('%s: one Workflow, valid against the CRD schemas and the webhook rules', (_id, drill) => {
    const out = exportChaosMesh(drill);
    const docs = documents(out.yaml);
    expect(docs.map((d) => d.kind)).toEqual(['Workflow']);
    expect(allProblems(out.yaml)).toEqual([]);
    expect(out.fileName).toBe(`${drill.id}.chaos-mesh.yaml`);
    // Every step that is no template is said: in the list and as a comment.
    drill.steps.forEach((step, index) => {
      const n = index + 1;
      if ('say' in step || 'predict' in step || 'mark' in step || 'action' in step || ('expect' in step && step.expect.metric !== undefined)) {
        expect(out.gaps.some((g) => g.step === n && g.kind === 'unmapped'), `step ${n}`).toBe(true);
        expect(out.yaml).toContain(`# step ${n} (`);
      }
    });
    for (const g of out.gaps) expect(out.yaml).toContain(g.text.slice(0, 40));
  });

  it('the library as a whole needs all four kinds of chaos, and they all validate', () => {
    const kinds = new Set(builtins.flatMap((d) => templatesOf(d).map((t) => t.templateType)));
    for (const kind of ['Serial', 'Parallel', 'Suspend', 'PodChaos', 'NetworkChaos', 'HTTPChaos', 'IOChaos']) expect(kinds).toContain(kind);
  });

  it('a drill with every fault type Firedrill has: mapped ones validate, the rest are named', () => {
    const faults: [string, Obj][] = [
      ['kill', { signal: 'SIGTERM', graceMs: 2500 }],
      ['pause', {}],
      ['crash-loop', {}],
      ['restart', {}],
      ['latency', { latency: 300, jitter: 50 }],
      ['bandwidth', { rate: 0.5 }],
      ['slow_close', { delay: 10 }],
      ['timeout', { timeout: 100 }],
      ['reset_peer', {}],
      ['slicer', {}],
      ['limit_data', { bytes: 10 }],
      ['partition', { links: 'all' }],
      ['partition', { links: 'balancer' }],
      ['partition', { links: 'replication' }],
      ['http_error', { status: 500, share: 0.5 }],
      ['http_abort', { afterBytes: 10 }],
      ['checkpoint_bitflip', { bits: 9 }],
      ['checkpoint_truncate', {}],
      ['checkpoint_zero', { length: 32 }],
      ['checkpoint_delete_newest', {}],
      ['checkpoint_stale', {}],
      ['wal_corrupt_tail', {}],
    ];
    const drill = {
      ...byId('partition-primary-standby'),
      id: 'every-fault',
      steps: faults.flatMap(([type, attributes], i) => [{ fault: { inject: { type, target: i % 2 ? 'p1' : 's1', attributes, toxicity: 0.5, stream: 'upstream' }, as: `f${i}` } }, { wait: 1000 }]),
    } as unknown as DrillSpec;
    const out = exportChaosMesh(drill);
    expect(allProblems(out.yaml)).toEqual([]);
    const unmapped = out.gaps.filter((g) => g.kind === 'unmapped' && g.step !== null).map((g) => g.step);
    // slow_close, slicer, limit_data and checkpoint_stale: steps 13, 19, 21, 41.
    expect(unmapped).toEqual([13, 19, 21, 41]);
    const chaos = templatesOf(drill).filter((t) => Object.hasOwn(CHAOS_KEYS, t.templateType));
    expect(chaos).toHaveLength(faults.length - 4);
    // links: all cuts the pod off entirely: no target, both directions (Chaos Mesh then drops every packet in and out).
    const cutOff = chaos.find((t) => t.name.startsWith('step-23-partition'))?.networkChaos as Obj;
    expect(cutOff).toMatchObject({ action: 'partition', direction: 'both' });
    expect(cutOff.target).toBeUndefined();
    const bandwidth = chaos.find((t) => t.name.includes('bandwidth'))?.networkChaos as Obj;
    expect(bandwidth.bandwidth).toMatchObject({ rate: '1kbps' });
    expect(out.gaps.some((g) => g.text.includes('rate 0.5 KB/s written as 1kbps'))).toBe(true);
  });

  it('a lasting fault ends where the drill reverts it: the chaos deadline is the workflow time between', () => {
    const templates = templatesOf(byId('partition-primary-standby'));
    const cut = templates.find((t) => t.templateType === 'NetworkChaos') as Template;
    // After the cut: expect 5 s, wait 4 s, expect 5 s, expect 5 s, expect 10 s, then the revert.
    expect(cut.deadline).toBe('29s');
    expect(cut.networkChaos).toMatchObject({
      action: 'partition',
      direction: 'both',
      mode: 'one',
      selector: { namespaces: ['default'], labelSelectors: { 'app.kubernetes.io/instance': 's1' } },
      target: { mode: 'all', selector: { labelSelectors: { 'app.kubernetes.io/instance': 'p1' } } },
    });
    // The fault forks: a Parallel of the chaos and the rest of the steps.
    const fork = templates.find((t) => t.templateType === 'Parallel' && t.children?.includes(cut.name)) as Template;
    expect(fork.children).toHaveLength(2);
    const rest = templates.find((t) => t.name === fork.children?.[1]) as Template;
    expect(rest.templateType).toBe('Serial');
    const kill = templates.find((t) => t.templateType === 'PodChaos') as Template;
    expect(kill.podChaos).toMatchObject({ action: 'pod-kill', gracePeriod: 0, selector: { labelSelectors: { 'app.kubernetes.io/instance': 'p1' } } });
  });

  it('waits become Suspends with their time, in the order of the steps', () => {
    const drill = byId('kill-one-of-three');
    const templates = templatesOf(drill);
    const wf = workflowOf(exportChaosMesh(drill).yaml);
    expect(wf.spec.entry).toBe('drill');
    const suspends = templates.filter((t) => t.templateType === 'Suspend');
    const timed = drill.steps.flatMap((s) => ('wait' in s ? [s.wait] : 'expect' in s && s.expect.event ? [s.expect.within as number] : []));
    expect(suspends.map((t) => t.deadline)).toEqual(timed.map((ms) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`)));
  });

  it('selectors: per node, common labels, the balancer, and the namespace everywhere', () => {
    const drill = byId('partition-primary-standby');
    const out = exportChaosMesh(drill, { namespace: 'shop', selectors: { p1: { 'statefulset.kubernetes.io/pod-name': 'kv-0' } }, commonLabels: { app: 'kv' } });
    expect(allProblems(out.yaml)).toEqual([]);
    const wf = workflowOf(out.yaml);
    expect(wf.metadata).toMatchObject({ name: 'firedrill-partition-primary-standby', namespace: 'shop' });
    const cut = wf.spec.templates.find((t) => t.templateType === 'NetworkChaos') as Template;
    expect(cut.networkChaos).toMatchObject({
      selector: { namespaces: ['shop'], labelSelectors: { app: 'kv', 'app.kubernetes.io/instance': 's1' } },
      target: { selector: { namespaces: ['shop'], labelSelectors: { app: 'kv', 'statefulset.kubernetes.io/pod-name': 'kv-0' } } },
    });
    expect(out.yaml).toContain('kubectl apply -n shop -f partition-primary-standby.chaos-mesh.yaml');
  });

  it('a selector for a node the drill does not have is refused, naming the node and the ones it has', () => {
    expect(() => exportChaosMesh(byId('kill-one-of-three'), { selectors: { p1: { app: 'x' } } })).toThrow(ChaosMeshExportError);
    expect(() => exportChaosMesh(byId('kill-one-of-three'), { selectors: { p1: { app: 'x' } } })).toThrow(/no node "p1" \(its nodes: a1, a2, a3; or balancer/);
    expect(() => exportChaosMesh(byId('kill-one-of-three'), { selectors: { a1: {} } })).toThrow(/empty selector matches every pod/);
    expect(() => exportChaosMesh(byId('kill-one-of-three'), { selectors: { a1: { 'bad key!': 'x' } } })).toThrow(/label key "bad key!"/);
    expect(() => exportChaosMesh(byId('kill-one-of-three'), { namespace: 'Not_A_Namespace' })).toThrow(/DNS-1123 label/);
  });

  it('the container for a restart and the port for HTTP faults can be set', () => {
    const restart = templatesOf(byId('corrupt-newest-checkpoint'), { container: 'kv', volumePath: '/var/lib/kv' });
    expect(restart.find((t) => (t.podChaos as Obj | undefined)?.action === 'container-kill')?.podChaos).toMatchObject({ containerNames: ['kv'] });
    expect(restart.find((t) => t.templateType === 'IOChaos')?.ioChaos).toMatchObject({ volumePath: '/var/lib/kv', path: '/var/lib/kv/checkpoints/*', action: 'mistake', mistake: { filling: 'random', maxLength: 1 } });
    const http = builtins.find((d) => d.steps.some((s) => 'fault' in s && s.fault.inject?.type === 'http_error')) as DrillSpec;
    expect(templatesOf(http, { httpPort: 8080 }).find((t) => t.templateType === 'HTTPChaos')?.httpChaos).toMatchObject({ port: 8080, target: 'Response', replace: { code: expect.any(Number) } });
  });

  it('says that IOChaos does not survive the restart that follows a checkpoint corruption', () => {
    const out = exportChaosMesh(byId('corrupt-newest-checkpoint'));
    const step = byId('corrupt-newest-checkpoint').steps.findIndex((s) => 'fault' in s && s.fault.inject?.type === 'checkpoint_bitflip') + 1;
    expect(out.gaps).toContainEqual({ step, kind: 'approximate', text: expect.stringMatching(/IOChaos stops injecting when the container restarts \(chaos-mesh\/chaos-mesh#3551, #3867\), so the process started after step \d+ reads the files as they are/) });
  });

  it('a drill id of 64 characters still gives DNS names within their limits', () => {
    const id = `a${'-b'.repeat(31)}c`;
    expect(id).toHaveLength(64);
    const out = exportChaosMesh({ ...byId('partition-primary-standby'), id });
    expect(allProblems(out.yaml)).toEqual([]);
    const wf = workflowOf(out.yaml);
    expect((wf.metadata.name as string).length).toBeLessThanOrEqual(63);
    expect(wf.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(out.fileName).toBe(`${id}.chaos-mesh.yaml`);
  });

  it('narration cannot break out of its comment', () => {
    const drill = { ...byId('kill-one-of-three'), steps: [{ say: 'line one\nkind: Secret\n\u001b[2Jcleared' }, { wait: 1000 }] } as DrillSpec;
    const out = exportChaosMesh(drill);
    expect(allProblems(out.yaml)).toEqual([]);
    expect(out.yaml).not.toContain('\u001b');
    expect(out.yaml).not.toMatch(/^kind: Secret/m);
  });
});

describe('the validator can fail: broken documents are rejected', () => {
  const valid = (): { metadata: Obj; spec: { entry: string; templates: Template[] } } & Obj => workflowOf(exportChaosMesh(byId('partition-primary-standby')).yaml) as never;
  const podChaos = (): Obj => ({ apiVersion: 'chaos-mesh.org/v1alpha1', kind: 'PodChaos', metadata: { name: 'x', namespace: 'default' }, spec: { action: 'pod-kill', mode: 'one', selector: { labelSelectors: { app: 'x' } } } });

  it('the schema: a missing required field, a value outside an enum, a misspelt field, a string for a number', () => {
    expect(crdProblems('PodChaos', podChaos())).toEqual([]);
    const noSelector = podChaos();
    delete (noSelector.spec as Obj).selector;
    expect(crdProblems('PodChaos', noSelector).join()).toMatch(/must have required property 'selector'/);
    expect(crdProblems('PodChaos', { ...podChaos(), spec: { ...(podChaos().spec as Obj), action: 'pod-explode' } }).join()).toMatch(/must be equal to one of the allowed values/);
    expect(crdProblems('PodChaos', { ...podChaos(), spec: { ...(podChaos().spec as Obj), gracePeriods: 3 } }).join()).toMatch(/additional properties \(gracePeriods\)/);
    expect(crdProblems('PodChaos', { ...podChaos(), spec: { ...(podChaos().spec as Obj), gracePeriod: '3' } }).join()).toMatch(/must be integer/);
    const wf = valid();
    (wf.spec.templates[0] as Obj).templateType = 42;
    expect(crdProblems('Workflow', wf).join()).toMatch(/templateType must be string/);
    const netem = valid();
    const cut = netem.spec.templates.find((t) => t.templateType === 'NetworkChaos') as Template;
    (cut.networkChaos as Obj).action = 'abort';
    expect(crdProblems('Workflow', netem).join()).toMatch(/networkChaos\/action must be equal to one of the allowed values/);
  });

  const broken = (mutate: (wf: ReturnType<typeof valid>) => void): string[] => {
    const wf = valid();
    mutate(wf);
    return workflowWebhookProblems(wf);
  };
  const find = (wf: ReturnType<typeof valid>, type: string): Template => wf.spec.templates.find((t) => t.templateType === type) as Template;

  it('the webhook rules, each broken once', () => {
    expect(workflowWebhookProblems(valid())).toEqual([]);
    expect(broken((wf) => (wf.spec.entry = 'nowhere'))).toEqual(['spec.entry: can not find a template with name nowhere']);
    expect(broken((wf) => delete find(wf, 'Suspend').deadline)).toEqual([expect.stringMatching(/deadline in template with type Suspend could not be empty/)]);
    expect(broken((wf) => (find(wf, 'Suspend').deadline = '4 seconds'))).toContainEqual(expect.stringMatching(/"4 seconds" is not a duration/));
    expect(broken((wf) => (wf.spec.templates[1]!.name = wf.spec.templates[2]!.name))).toContainEqual(expect.stringMatching(/template name must be unique/));
    expect(broken((wf) => (find(wf, 'Serial').name = 'Drill_Main'))).toContainEqual(expect.stringMatching(/"Drill_Main" must be a DNS-1123 name/));
    expect(broken((wf) => find(wf, 'Parallel').children!.push('ghost'))).toEqual([expect.stringMatching(/children\[2\]: can not find a template with name ghost/)]);
    expect(broken((wf) => ((find(wf, 'NetworkChaos').networkChaos as Obj).duration = '30s'))).toEqual([expect.stringMatching(/should not define duration in chaos when using Workflow/)]);
    expect(broken((wf) => delete find(wf, 'NetworkChaos').deadline)).toEqual([expect.stringMatching(/needs a deadline/)]);
    expect(broken((wf) => ((find(wf, 'PodChaos').podChaos as Obj).selector = { namespaces: ['default'] }))).toEqual([expect.stringMatching(/empty selector matches every pod/)]);
    expect(broken((wf) => ((find(wf, 'PodChaos').podChaos as Obj).action = 'container-kill'))).toEqual([expect.stringMatching(/name of container is required on container-kill/)]);
    expect(broken((wf) => Object.assign(find(wf, 'PodChaos').podChaos as Obj, { mode: 'fixed-percent', value: '0' }))).toEqual([expect.stringMatching(/Must be \(0,100\] with mode:fixed-percent/)]);
    expect(broken((wf) => Object.assign(find(wf, 'PodChaos').podChaos as Obj, { mode: 'fixed', value: 'two' }))).toEqual([expect.stringMatching(/parse value field error/)]);
    expect(broken((wf) => (find(wf, 'Suspend').templateType = 'Sleep'))).toEqual([expect.stringMatching(/unrecognized template type: Sleep/)]);
    expect(broken((wf) => (find(wf, 'Serial').podChaos = { action: 'pod-kill' }))).toEqual([expect.stringMatching(/should not contain any Chaos/)]);
    expect(broken((wf) => delete find(wf, 'PodChaos').podChaos)).toEqual([expect.stringMatching(/missing chaos spec PodChaos/)]);
    expect(broken((wf) => (wf.metadata.name = 'firedrill_partition'))).toEqual([expect.stringMatching(/metadata.name/)]);
  });

  it('the chaos specs rules, each broken once', () => {
    const spec = { mode: 'one', selector: { labelSelectors: { app: 'x' } } };
    expect(chaosSpecProblems('NetworkChaos', { ...spec, action: 'delay', direction: 'both', delay: { latency: '10ms' } })).toEqual([expect.objectContaining({ path: 'direction' })]);
    expect(chaosSpecProblems('NetworkChaos', { ...spec, action: 'bandwidth', bandwidth: { rate: '1 megabit', limit: 1, buffer: 1 } })).toEqual([expect.objectContaining({ path: 'bandwidth.rate' })]);
    expect(chaosSpecProblems('NetworkChaos', { ...spec, action: 'bandwidth', bandwidth: { rate: '10 mbps', limit: 1, buffer: 1 } })).toEqual([]);
    expect(chaosSpecProblems('NetworkChaos', { ...spec, action: 'partition', direction: 'both', target: { mode: 'all', selector: {} } })).toEqual([expect.objectContaining({ path: 'target.selector' })]);
    expect(chaosSpecProblems('HTTPChaos', { ...spec, target: 'Response', abort: true })).toEqual([expect.objectContaining({ path: 'port' })]);
    expect(chaosSpecProblems('HTTPChaos', { ...spec, target: 'Reply', port: 80, delay: '1 s' }).map((p) => p.path)).toEqual(['target', 'delay']);
    expect(chaosSpecProblems('IOChaos', { ...spec, action: 'fault', volumePath: '/d', errno: 0 })).toEqual([expect.objectContaining({ path: 'errno' })]);
    expect(chaosSpecProblems('IOChaos', { ...spec, action: 'mistake', volumePath: '/d', percent: 101 })).toEqual([expect.objectContaining({ path: 'percent' })]);
    expect(chaosSpecProblems('PodChaos', { ...spec, action: 'pod-failure', duration: '5 min' })).toEqual([expect.objectContaining({ path: 'duration' })]);
  });
});
