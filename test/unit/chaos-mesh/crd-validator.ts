// Validates Kubernetes objects against the Chaos Mesh CRDs' openAPIV3Schema (test/fixtures/chaos-mesh-crds),
// as an API server with Chaos Mesh installed would check their structure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'chaos-mesh-crds');
export const CRD_KINDS = ['Workflow', 'PodChaos', 'NetworkChaos', 'HTTPChaos', 'IOChaos'] as const;
export type CrdKind = (typeof CRD_KINDS)[number];

type Schema = Record<string, unknown>;

/**
 * An API server prunes fields its structural schema does not name, silently: a misspelt field would
 * vanish on the cluster. Closing every object that lists its properties (unless the schema keeps
 * unknown fields) turns that silent loss into a validation error here.
 */
function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) out[key] = key === 'enum' || key === 'required' ? value : closeObjects(value);
  if (out.properties !== undefined && out.additionalProperties === undefined && out['x-kubernetes-preserve-unknown-fields'] !== true) out.additionalProperties = false;
  return out;
}

function makeAjv(): Ajv {
  // strict: false — the schemas are OpenAPI v3 (Kubernetes flavour), not pure JSON Schema.
  const ajv = new Ajv({ allErrors: true, strict: false });
  for (const keyword of [
    'x-kubernetes-int-or-string',
    'x-kubernetes-preserve-unknown-fields',
    'x-kubernetes-list-type',
    'x-kubernetes-list-map-keys',
    'x-kubernetes-map-type',
    'x-kubernetes-embedded-resource',
    'x-kubernetes-validations',
  ]) {
    ajv.addKeyword({ keyword, schemaType: ['boolean', 'string', 'array', 'object'] });
  }
  const int = (bits: number) => ({ type: 'number' as const, validate: (n: number) => Number.isInteger(n) && n >= -(2 ** (bits - 1)) && n < 2 ** (bits - 1) });
  ajv.addFormat('int32', int(32));
  ajv.addFormat('int64', int(64));
  ajv.addFormat('byte', { type: 'string', validate: (s: string) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0 });
  ajv.addFormat('int-or-string', true);
  ajv.addFormat('date-time', true);
  return ajv;
}

const ajv = makeAjv();
const validators = new Map<CrdKind, ValidateFunction>();

export function crdValidator(kind: CrdKind): ValidateFunction {
  let validate = validators.get(kind);
  if (!validate) {
    const file = JSON.parse(readFileSync(join(FIXTURES, `${kind}.json`), 'utf8')) as { kind: string; openAPIV3Schema: Schema };
    if (file.kind !== kind) throw new Error(`${kind}.json holds ${file.kind}`);
    validate = ajv.compile(closeObjects(file.openAPIV3Schema) as Schema);
    validators.set(kind, validate);
  }
  return validate;
}

const describeError = (e: ErrorObject): string => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`;

/** The schema's complaints about one object of `kind`; empty when the API server would take it. */
export function crdProblems(kind: CrdKind, object: unknown): string[] {
  const validate = crdValidator(kind);
  return validate(object) ? [] : (validate.errors ?? []).map(describeError);
}

export function isCrdKind(kind: unknown): kind is CrdKind {
  return typeof kind === 'string' && (CRD_KINDS as readonly string[]).includes(kind);
}
