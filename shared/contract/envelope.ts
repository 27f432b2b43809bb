import { z } from 'zod';
import { ContractErrorBody } from './errors.js';

const Id = z.string().min(1).max(64);
/** A command or event name (`domain.verb`): short, so an unknown one is refused without echoing a megabyte back. */
const Name = z.string().min(1).max(100);

/** One message shape for every transport: Electron IPC, WebSocket, or an in-memory pair. */
export const Envelope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('request'), id: Id, name: Name, params: z.unknown().optional() }),
  z.object({ kind: z.literal('response'), id: Id, result: z.unknown() }),
  z.object({ kind: z.literal('error'), id: Id, error: ContractErrorBody }),
  /** Subscribe to one event name, or `*` for all of them. */
  z.object({ kind: z.literal('subscribe'), id: Id, name: Name }),
  z.object({ kind: z.literal('unsubscribe'), id: Id }),
  /** `id` is the subscription's id; `seq` counts events per connection so gaps are visible. */
  z.object({ kind: z.literal('event'), id: Id, name: z.string(), payload: z.unknown(), seq: z.number().int() }),
]);
export type Envelope = z.infer<typeof Envelope>;
export type EnvelopeKind = Envelope['kind'];
export type EnvelopeOf<K extends EnvelopeKind> = Extract<Envelope, { kind: K }>;
