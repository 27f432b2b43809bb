// A toxic as the proxy takes it: Toxiproxy's {name, type, stream, toxicity, attributes}, checked
// against the contract's attribute schemas (FaultAttributes), defaults filled in.
import { ContractError, fromZodError } from '../../../../shared/contract/errors';
import { FaultAttributes } from '../../../../shared/contract/model';

export const TOXIC_TYPES = ['latency', 'bandwidth', 'slow_close', 'timeout', 'reset_peer', 'slicer', 'limit_data'] as const;
export type ToxicType = (typeof TOXIC_TYPES)[number];
export type ToxicStream = 'upstream' | 'downstream';

/**
 * Toxiproxy's toxic, the one shape every layer passes: the fault proxy (T = its toxic types, numeric
 * attributes), the fault layer's ports (any network or HTTP fault type) and the Toxiproxy API.
 */
export interface ToxicSpec<T extends string = ToxicType, A = Record<string, number>> {
  name: string;
  type: T;
  /** upstream = client → node, downstream = node → client. */
  stream: ToxicStream;
  /** The probability a connection is affected, rolled once per connection (and toxic). */
  toxicity: number;
  attributes: A;
}

function invalid(field: string, message: string): ContractError {
  return new ContractError({ code: 'invalid-params', message: `${field}: ${message}`, field });
}

export function isToxicType(type: unknown): type is ToxicType {
  return typeof type === 'string' && (TOXIC_TYPES as readonly string[]).includes(type);
}

/** The attributes with defaults filled in; throws a ContractError naming the bad field. */
export function parseAttributes(type: ToxicType, attributes: Record<string, unknown>): Record<string, number> {
  const parsed = FaultAttributes[type].safeParse(attributes);
  if (!parsed.success) throw fromZodError(parsed.error, 'invalid-params', 'attributes');
  return { ...(parsed.data as Record<string, number>) };
}

/** A checked copy of `spec`; throws a ContractError (invalid-params) naming the first bad field. */
export function parseToxicSpec(spec: ToxicSpec): ToxicSpec {
  if (typeof spec !== 'object' || spec === null) throw invalid('(root)', 'a toxic is an object');
  if (typeof spec.name !== 'string' || spec.name.length === 0) throw invalid('name', 'a non-empty string');
  if (!isToxicType(spec.type)) throw invalid('type', `one of ${TOXIC_TYPES.join(', ')}`);
  if (spec.stream !== 'upstream' && spec.stream !== 'downstream') throw invalid('stream', 'upstream or downstream');
  if (typeof spec.toxicity !== 'number' || !(spec.toxicity >= 0 && spec.toxicity <= 1)) throw invalid('toxicity', 'a number in [0, 1]');
  return { name: spec.name, type: spec.type, stream: spec.stream, toxicity: spec.toxicity, attributes: parseAttributes(spec.type, spec.attributes ?? {}) };
}

export function copySpec(spec: ToxicSpec): ToxicSpec {
  return { ...spec, attributes: { ...spec.attributes } };
}
