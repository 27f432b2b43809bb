// What Chaos Mesh's admission webhooks refuse beyond the CRD schema (chaos-mesh/chaos-mesh
// api/v1alpha1/*_webhook.go at 608b61e7), checked on our own documents before anyone applies them:
// a Workflow the API server takes but the webhook refuses is a drill that never runs.

/** Go's time.ParseDuration: "0", or a sequence of decimal numbers each with a unit (ns, us, µs, ms, s, m, h). */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;
export const isGoDuration = (value: string): boolean => GO_DURATION.test(value);

/** A DNS-1123 subdomain (Kubernetes object names and, per the webhook, template names). */
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The template types an export writes, and the key under which a chaos template carries its spec. */
export const CHAOS_KEYS = { PodChaos: 'podChaos', NetworkChaos: 'networkChaos', HTTPChaos: 'httpChaos', IOChaos: 'ioChaos' } as const;
export type ChaosKind = keyof typeof CHAOS_KEYS;
const isChaosKind = (type: string): type is ChaosKind => Object.hasOwn(CHAOS_KEYS, type);

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const RATE_UNITS = ['kbit', 'mbit', 'gbit', 'tbit', 'tbps', 'gbps', 'mbps', 'kbps', 'bps', 'bit'];

/** Every webhook rule a Workflow document breaks, as `field.path: message` lines; empty when it would be admitted. */
export function workflowWebhookProblems(doc: unknown): string[] {
  const problems: string[] = [];
  const add = (path: string, message: string): void => void problems.push(`${path}: ${message}`);
  if (!isObj(doc)) return ['document: not an object'];
  const metadata = isObj(doc.metadata) ? doc.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  if (name.length === 0 || name.length > 253 || !DNS_SUBDOMAIN.test(name)) add('metadata.name', `"${name}" is not a DNS-1123 subdomain`);
  if (metadata.namespace !== undefined && (typeof metadata.namespace !== 'string' || metadata.namespace.length > 63 || !DNS_LABEL.test(metadata.namespace))) {
    add('metadata.namespace', `"${String(metadata.namespace)}" is not a DNS-1123 label`);
  }
  const spec = isObj(doc.spec) ? doc.spec : {};
  const templates = Array.isArray(spec.templates) ? spec.templates.filter(isObj) : [];
  const names = templates.map((t) => (typeof t.name === 'string' ? t.name : ''));
  const entry = typeof spec.entry === 'string' ? spec.entry : '';
  if (entry.length === 0) add('spec.entry', 'the entry of workflow is required');
  if (!names.includes(entry)) add('spec.entry', `can not find a template with name ${entry}`);
  if (templates.length === 0) add('spec.templates', 'templates in workflow could not be empty');
  const duplicated = [...new Set(names.filter((n, i) => names.indexOf(n) !== i))].sort();
  if (duplicated.length > 0) add('spec.templates', `template name must be unique, duplicated names: ${duplicated.join(', ')}`);

  templates.forEach((template, index) => {
    const path = `spec.templates[${index}]`;
    const tname = names[index] as string;
    // The webhook asks a DNS-1123 subdomain; workflow nodes and chaos objects are named `<template>-<5 chars>`
    // and the names go into labels (63 characters), so a label's length is the practical limit.
    if (tname.length === 0 || tname.length > 63 || !DNS_SUBDOMAIN.test(tname)) add(`${path}.name`, `"${tname}" must be a DNS-1123 name of at most 63 characters`);
    const type = typeof template.templateType === 'string' ? template.templateType : '';
    const chaosKeys = Object.values(CHAOS_KEYS).filter((key) => template[key] !== undefined);
    const children = Array.isArray(template.children) ? template.children : [];
    const deadline = template.deadline;
    if (deadline !== undefined && (typeof deadline !== 'string' || !isGoDuration(deadline))) add(`${path}.deadline`, `"${String(deadline)}" is not a duration`);
    const noChildren = (): void => void (children.length > 0 && add(path, 'this template should not contain Children'));
    const noChaos = (): void => void (chaosKeys.length > 0 && add(path, 'this template should not contain any Chaos'));
    const noTask = (): void => void (template.task !== undefined && add(path, 'this template should not contain Task'));
    if (type === 'Suspend') {
      if (typeof deadline !== 'string' || deadline.length === 0) add(`${path}.deadline`, 'deadline in template with type Suspend could not be empty');
      noChildren();
      noChaos();
      noTask();
    } else if (type === 'Serial' || type === 'Parallel') {
      children.forEach((child, i) => {
        if (typeof child !== 'string' || !names.includes(child)) add(`${path}.children[${i}]`, `can not find a template with name ${String(child)}`);
      });
      noChaos();
      noTask();
    } else if (isChaosKind(type)) {
      noChildren();
      noTask();
      const key = CHAOS_KEYS[type];
      const chaos = template[key];
      if (!isObj(chaos)) {
        add(`${path}.${key}`, `parse workflow field error: missing chaos spec ${type}`);
      } else {
        if (chaos.duration !== undefined) add(path, 'should not define duration in chaos when using Workflow, use Template#Deadline instead.');
        // Not the webhook's own rule: a chaos template without a deadline lasts as long as the whole workflow.
        if (typeof deadline !== 'string' || deadline.length === 0) add(`${path}.deadline`, 'a chaos template in a drill needs a deadline (when the fault ends)');
        for (const problem of chaosSpecProblems(type, chaos)) add(`${path}.${key}.${problem.path}`, problem.message);
      }
      const others = chaosKeys.filter((k) => k !== key);
      if (others.length > 0) add(path, `a ${type} template carries only ${key}, not ${others.join(', ')}`);
    } else {
      add(`${path}.templateType`, `unrecognized template type: ${type}`);
    }
  });
  return problems;
}

/** The webhook rules of one chaos spec (standalone or embedded in a Workflow template). */
export function chaosSpecProblems(kind: ChaosKind, spec: Obj): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  const add = (path: string, message: string): void => void problems.push({ path, message });
  const duration = (path: string, value: unknown): void => {
    if (value !== undefined && value !== '' && (typeof value !== 'string' || !isGoDuration(value))) add(path, `parse duration field error: "${String(value)}"`);
  };
  duration('duration', spec.duration);
  selectorProblems(spec, '', add);

  if (kind === 'PodChaos' && spec.action === 'container-kill' && !(Array.isArray(spec.containerNames) && spec.containerNames.length > 0)) {
    add('containerNames', 'the name of container is required on container-kill action');
  }
  if (kind === 'NetworkChaos' && spec.action !== 'partition') {
    if ((spec.direction === 'from' || spec.direction === 'both') && spec.target === undefined) add('direction', '`from` and `both` direction cannot be used when targets is empty in netem action');
  }
  if (kind === 'NetworkChaos') {
    if (isObj(spec.target)) selectorProblems(spec.target, 'target.', add);
    if (isObj(spec.bandwidth)) {
      const rate = String(spec.bandwidth.rate ?? '').trim().toLowerCase();
      const unit = RATE_UNITS.find((u) => rate.endsWith(u));
      if (unit === undefined || !/^\d+$/.test(rate.slice(0, -unit.length).trim())) add('bandwidth.rate', `parse rate field error: "${String(spec.bandwidth.rate)}"`);
    }
    if (isObj(spec.delay)) {
      duration('delay.latency', spec.delay.latency);
      duration('delay.jitter', spec.delay.jitter);
    }
  }
  if (kind === 'HTTPChaos') {
    if (typeof spec.port !== 'number' || spec.port <= 0) add('port', `port ${String(spec.port ?? 0)} is not supported`);
    if (spec.target !== 'Request' && spec.target !== 'Response') add('target', `target ${String(spec.target)} is not supported`);
    if (spec.delay !== undefined && (typeof spec.delay !== 'string' || !isGoDuration(spec.delay))) add('delay', `invalid duration ${String(spec.delay)}`);
  }
  if (kind === 'IOChaos') {
    if (spec.action === 'fault' && !(typeof spec.errno === 'number' && spec.errno !== 0)) add('errno', 'action fault: errno 0 is not supported');
    if (spec.percent !== undefined && (typeof spec.percent !== 'number' || spec.percent < 0 || spec.percent > 100)) add('percent', 'percent field should be in 0-100');
    duration('delay', spec.delay);
  }
  return problems;
}

/** Mode and value (common_webhook.go), and our own rule: a selector never matches every pod of a namespace. */
function selectorProblems(spec: Obj, prefix: string, add: (path: string, message: string) => void): void {
  const mode = spec.mode;
  const value = typeof spec.value === 'string' ? spec.value : '';
  if (mode === 'fixed') {
    if (!/^-?\d+$/.test(value)) add(`${prefix}value`, `parse value field error: "${value}"`);
    else if (Number(value) <= 0) add(`${prefix}value`, 'value must be greater than 0 with mode:fixed');
  }
  if (mode === 'fixed-percent' || mode === 'random-max-percent') {
    if (!/^-?\d+$/.test(value)) add(`${prefix}value`, `parse value field error: "${value}"`);
    else if (Number(value) <= 0 || Number(value) > 100) add(`${prefix}value`, `value of ${value} is invalid, Must be (0,100] with mode:${mode}`);
  }
  const selector = isObj(spec.selector) ? spec.selector : {};
  const narrowing = ['labelSelectors', 'expressionSelectors', 'pods', 'fieldSelectors', 'annotationSelectors'].some((key) => {
    const v = selector[key];
    return Array.isArray(v) ? v.length > 0 : isObj(v) && Object.keys(v).length > 0;
  });
  if (!narrowing) add(`${prefix}selector`, 'an empty selector matches every pod in the namespace');
}
