// What a drill's manual step asks, in the words of the controls that do it (issue 14): the prompt
// says where to act ("Start a2 — on its card below"), and a step done by hand says what was seen
// ("seen: you started a2"). Pure: the renderer and the report may both use it.
import type { ActionCommand } from './schema.js';

/** Where in the drill view the act is done. */
export type ActPlace = 'node' | 'balancer' | 'traffic' | 'header' | 'lab';

export interface ActWords {
  /** The act as an instruction: "Start a2", "Set the balancer: health interval 500 ms, health fall 4". */
  act: string;
  /** Where to do it: "on its card below". */
  where: string;
  /** The act seen done, in the past: "you started a2". */
  seen: string;
  place: ActPlace;
  /** The node the act is on, for the node commands. */
  node: string | null;
}

const NODE_VERBS = {
  'node.start': ['Start', 'started'],
  'node.stop': ['Stop', 'stopped'],
  'node.restart': ['Restart', 'restarted'],
  'node.promote': ['Promote', 'promoted'],
} as const;

/** `intervalMs` → "interval", `budgetPercent` → "budget percent". */
function words(name: string): string {
  return name
    .replace(/Ms$/, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase();
}

function value(name: string, v: unknown): string {
  if (v === true) return 'on';
  if (v === false) return 'off';
  if (typeof v === 'number' && /Ms$/.test(name)) return `${v} ms`;
  if (typeof v === 'number' && /Percent$/.test(name)) return `${v} %`;
  if (v !== null && typeof v === 'object') return Object.entries(v).map(([k, inner]) => `${k} ${value(k, inner)}`).join(', ');
  return String(v);
}

/** Settings as a short list: `{ health: { intervalMs: 500, fall: 4 } }` → "health interval 500 ms, health fall 4". */
export function settingsWords(params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [key, v] of Object.entries(params)) {
    if (v !== null && typeof v === 'object' && key !== 'weights') {
      for (const [inner, w] of Object.entries(v)) parts.push(inner === 'enabled' ? `${words(key)} ${value(inner, w)}` : `${words(key)} ${words(inner)} ${value(inner, w)}`);
    } else parts.push(`${words(key)} ${value(key, v)}`);
  }
  return parts.join(', ');
}

/** The words for an action step's `do` command. */
export function actWords(command: ActionCommand, params: Record<string, unknown> = {}): ActWords {
  if (command in NODE_VERBS) {
    const [verb, past] = NODE_VERBS[command as keyof typeof NODE_VERBS];
    const id = typeof params.id === 'string' ? params.id : '?';
    return { act: `${verb} ${id}`, where: 'on its card below', seen: `you ${past} ${id}`, place: 'node', node: id };
  }
  switch (command) {
    case 'balancer.set':
      return { act: `Set the balancer: ${settingsWords(params)}`, where: 'in the balancer settings below', seen: 'you changed the balancer settings', place: 'balancer', node: null };
    case 'traffic.set':
      return { act: `Set the traffic: ${settingsWords(params)}`, where: 'in the traffic settings below', seen: 'you changed the traffic', place: 'traffic', node: null };
    case 'traffic.stop':
      return { act: 'Stop the traffic', where: 'with Traffic in the header', seen: 'you stopped the traffic', place: 'header', node: null };
    case 'fault.halt':
      return { act: 'Halt every fault', where: 'with HALT in the header', seen: 'you halted every fault', place: 'header', node: null };
    default:
      return { act: 'Check the ledger', where: 'on the Incidents view', seen: 'you checked the ledger', place: 'lab', node: null };
  }
}

/** The instruction a prompt shows: "Start a2 — on its card below, or Do it for me". */
export function actPrompt(words: ActWords, canPerform: boolean): string {
  return `${words.act} — ${words.where}${canPerform ? ', or Do it for me' : ''}`;
}
