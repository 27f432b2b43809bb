import { z } from 'zod';
import { ContractError } from './errors.js';

/**
 * Classroom mode: a second, read-only face of the lab (`firedrill serve --classroom`, or Settings >
 * Classroom). Its clients are viewers: they watch the lab and the drill live and may vote on a
 * prediction, and nothing else. The host (ContractHost.call) enforces it, whatever the transport.
 */

/** Who is calling: the operator (the teacher's window, the CLI, a drill) or a classroom viewer. */
export const CallerRole = z.enum(['operator', 'viewer']);
export type CallerRole = z.infer<typeof CallerRole>;

/** A caller as the host sees it: its role, and for a viewer an id that stays the same across its page's reloads (its vote). */
export interface Caller {
  role: CallerRole;
  id: string;
}

export const OPERATOR: Caller = Object.freeze({ role: 'operator', id: 'operator' });

/** What a viewer may call: reads, and its vote. Everything else (every command that changes the lab) is refused. */
export const VIEWER_COMMANDS: ReadonlySet<string> = new Set([
  'lab.state',
  'node.logs',
  'fault.list',
  'drill.list',
  'drill.get',
  'drill.status',
  'drill.vote',
  'report.list',
  'report.open',
  'report.compare',
  'recording.info',
  'recording.get',
  'report.recording',
  'classroom.status',
]);

/** Viewers connected at once to one classroom. */
export const MAX_VIEWERS = 40;

/** Where the viewers come in, as `classroom.status` and `serve --json` tell it. */
export const ClassroomLink = z.object({
  url: z.string(),
  port: z.number().int(),
  token: z.string(),
  /** The interface address the viewer listener is bound to (127.0.0.1 unless the teacher named another). */
  address: z.string(),
});
export type ClassroomLink = z.infer<typeof ClassroomLink>;

export const ClassroomStatus = z.object({
  /** The caller's own role: the renderer shows the viewer's banner and hides its controls from this. */
  role: CallerRole,
  /** Whether this face can start a classroom at all (the web host can; a window without one cannot). */
  available: z.boolean(),
  on: z.boolean(),
  /** The viewers' link, for the operator only (null for a viewer, and when off). */
  link: ClassroomLink.nullable(),
  viewers: z.number().int().min(0),
  maxViewers: z.number().int(),
});
export type ClassroomStatus = z.infer<typeof ClassroomStatus>;

/** What starts and stops the viewers' listener: the web host's layer gives it to the engine (the engine never imports it). */
export interface ClassroomControl {
  /** Starts the listener on loopback (from the app; another interface is a CLI flag only), or returns the one running. */
  start(): Promise<ClassroomLink>;
  stop(): Promise<void>;
  link(): ClassroomLink | null;
  viewers(): number;
}

/** The refusal a viewer gets for anything outside VIEWER_COMMANDS. */
export function viewerRefusal(name: string): ContractError {
  return new ContractError({ code: 'forbidden', message: `classroom viewers are read-only: "${name}" is for the teacher's window only`, field: 'name' });
}
