import { z } from 'zod';

/**
 * What `firedrill export chaos-mesh` and the contract's `drill.exportChaosMesh` take and give. Pure:
 * the engine builds the YAML (electron/engine/export), the CLI and the renderer only pass these.
 */

/** A Kubernetes namespace: a DNS-1123 label. */
export const K8sNamespace = z
  .string()
  .max(63, 'a namespace is at most 63 characters')
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a namespace is a DNS-1123 label: a-z, 0-9 and -, starting and ending with a letter or digit');

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why a label key is not one Kubernetes accepts (`[prefix/]name`), or null. */
export function labelKeyProblem(key: string): string | null {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : null;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== null && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) return `label key "${key}": the prefix before / is a DNS subdomain (a-z, 0-9, - and .)`;
  if (name.length === 0 || name.length > 63 || !LABEL_NAME.test(name)) return `label key "${key}": the name is 1-63 characters of A-Z, a-z, 0-9, -, _ and ., starting and ending with a letter or digit`;
  return null;
}

/** Why a label value is not one Kubernetes accepts, or null. */
export function labelValueProblem(value: string): string | null {
  if (value.length > 63 || (value.length > 0 && !LABEL_NAME.test(value))) return `label value "${value}": at most 63 characters of A-Z, a-z, 0-9, -, _ and ., starting and ending with a letter or digit`;
  return null;
}

/** Label selectors: key → value, every key and value one Kubernetes accepts; never empty. */
export const LabelSelector = z
  .record(z.string().max(317), z.string().max(63))
  .superRefine((labels, ctx) => {
    const keys = Object.keys(labels);
    if (keys.length === 0) ctx.addIssue({ code: 'custom', message: 'a label selector needs at least one key=value (an empty selector matches every pod)' });
    if (keys.length > 16) ctx.addIssue({ code: 'custom', message: 'at most 16 labels per selector' });
    for (const key of keys) {
      const problem = labelKeyProblem(key) ?? labelValueProblem(labels[key] as string);
      if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
    }
  });
export type LabelSelector = z.infer<typeof LabelSelector>;

/** The label every node is selected by unless told otherwise: `app.kubernetes.io/instance: <node id>`. */
export const DEFAULT_SELECTOR_KEY = 'app.kubernetes.io/instance';

/** The pseudo node id naming the load balancer's pods (a partition of a node's balancer link cuts it from them). */
export const BALANCER_SELECTOR_ID = 'balancer';

const SelectorTarget = z.string().regex(/^[a-z][a-z0-9-]{0,31}$/, 'a node id (or "balancer")');

export const ChaosMeshExportOptions = z
  .object({
    /** Where the Workflow and its chaos run (default `default`). */
    namespace: K8sNamespace.optional(),
    /** Per node id (or `balancer`): the labels its pods carry, replacing the default label. */
    selectors: z.record(SelectorTarget, LabelSelector).optional(),
    /** Labels every node's pods carry besides their own (e.g. `app: kv`), added to each selector. */
    commonLabels: z.record(z.string().max(317), z.string().max(63)).optional().superRefine((labels, ctx) => {
      for (const [key, value] of Object.entries(labels ?? {})) {
        const problem = labelKeyProblem(key) ?? labelValueProblem(value);
        if (problem) ctx.addIssue({ code: 'custom', path: [key], message: problem });
      }
    }),
    /** The container a `restart` fault kills (PodChaos container-kill needs its name; default `app`). */
    container: z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a container name is a DNS-1123 label').optional(),
    /** The port HTTPChaos intercepts on a node's pods (default 80). */
    httpPort: z.number().int().min(1).max(65_535).optional(),
    /** Where a node's data volume is mounted in its pods, for IOChaos (default `/data`). */
    volumePath: z
      .string()
      .max(200)
      .regex(/^\/[A-Za-z0-9._/-]*$/, 'a volume path is an absolute path of A-Z, a-z, 0-9, ., _, - and /')
      .optional(),
  })
  .strict();
export type ChaosMeshExportOptions = z.infer<typeof ChaosMeshExportOptions>;

/** Something of the drill Chaos Mesh cannot express, or expresses only in part: shown, never dropped silently. */
export const ChaosMeshGap = z.object({
  /** 1-based step number, or null for the drill as a whole (hypothesis, traffic, stop rule, ...). */
  step: z.number().int().min(1).nullable(),
  /** `unmapped`: left out (a comment in the YAML); `approximate`: exported, but not quite the same. */
  kind: z.enum(['unmapped', 'approximate']),
  text: z.string(),
});
export type ChaosMeshGap = z.infer<typeof ChaosMeshGap>;

export const ChaosMeshExport = z.object({
  /** One YAML stream, comments included, ready for `kubectl apply -f`. */
  yaml: z.string(),
  /** A file name to save it under: `<drill id>.chaos-mesh.yaml`. */
  fileName: z.string(),
  workflowName: z.string(),
  gaps: z.array(ChaosMeshGap),
});
export type ChaosMeshExport = z.infer<typeof ChaosMeshExport>;
