// A toxic as a Toxiproxy client writes it, checked in Toxiproxy's order, with the lab's attribute
// schemas (the contract's FaultAttributes): a bad one is a 400 naming the field.
import { FaultAttributes, ToxicName, fromZodError } from '../../../shared/contract/index.js';
import { isToxicType, type ToxicSpec, type ToxicType } from '../faults/network/index.js';
import { printable } from './addresses.js';
import { ToxiproxyError, badBody, invalidStream } from './errors.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A toxic as the API takes it: the lab's one toxic type. */
export type ParsedToxic = ToxicSpec;

export const isToxicity = (value: unknown): value is number => typeof value === 'number' && value >= 0 && value <= 1;

/** Toxiproxy's order of checks: the body, the stream, the name (default `<type>_<stream>`), the type, the attributes. */
export function parseToxicBody(body: unknown): ParsedToxic {
  if (!isObject(body)) throw badBody('a JSON object {name, type, stream, toxicity, attributes}');
  if (body.stream !== undefined && typeof body.stream !== 'string') throw invalidStream();
  const stream = typeof body.stream === 'string' ? body.stream.toLowerCase() : 'downstream';
  if (stream !== 'upstream' && stream !== 'downstream') throw invalidStream();
  if (body.type !== undefined && typeof body.type !== 'string') throw badBody('type: a string');
  const type = body.type ?? '';
  const name = body.name === undefined || body.name === '' ? `${String(type)}_${stream}` : body.name;
  const parsedName = ToxicName.safeParse(name);
  if (!parsedName.success) throw badBody(`name: ${parsedName.error.issues[0]?.message ?? 'not a name'}`);
  // The UI's faults are listed under their ids: a client's toxic may not pose as one.
  if (/^f-\d+$/.test(parsedName.data)) throw badBody(`name: "${parsedName.data}" looks like a lab fault's id (f-N); choose another`);
  if (!isToxicType(type)) {
    throw new ToxiproxyError(400, `invalid toxic type: ${printable(String(type))} (the lab runs latency, bandwidth, slow_close, timeout, reset_peer, slicer and limit_data)`);
  }
  if (body.toxicity !== undefined && !isToxicity(body.toxicity)) throw badBody('toxicity: a number from 0 to 1');
  if (body.attributes !== undefined && body.attributes !== null && !isObject(body.attributes)) throw badBody('attributes: an object');
  const attributes = checkAttributes(type, (body.attributes ?? {}) as Record<string, unknown>);
  return { name: parsedName.data, type, stream, toxicity: (body.toxicity as number | undefined) ?? 1, attributes };
}

/** The attributes with defaults filled in, or a 400 naming the bad one (`attributes.latency: ...`). */
export function checkAttributes(type: ToxicType, attributes: Record<string, unknown>): Record<string, number> {
  const parsed = FaultAttributes[type].safeParse(attributes);
  if (!parsed.success) throw badBody(fromZodError(parsed.error, 'invalid-params', 'attributes').message);
  return parsed.data as Record<string, number>;
}

