import { COMMAND_NODE_REFUSAL, commandNodeIndexes } from '../../shared/contract/commands.js';
import { ContractError } from '../../shared/contract/errors.js';
import type { FleetSpec } from '../../shared/contract/model.js';

/**
 * Who may start which fleet. A fleet of bundled nodes runs only Firedrill's own server, so anyone
 * holding the lab's token may start one. A `command` node runs a program of the user's choosing
 * with an environment of its choosing: such a fleet comes only from the person at the machine -
 * `firedrill serve --fleet FILE` (which shows the programs and needs --allow-commands or a yes on
 * a terminal) or the desktop app's File > Open fleet file... (a native dialog, then a native
 * confirmation listing the programs). Never over the contract: a script holding the token, or one
 * running in a compromised renderer, cannot answer either.
 */

/** A program a fleet would start, as the person at the machine must see it before allowing it. */
export interface FleetProgram {
  nodeId: string;
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** The programs a fleet would start (its `command` nodes), in file order. */
export function fleetPrograms(fleet: Pick<FleetSpec, 'nodes'>): FleetProgram[] {
  return fleet.nodes.flatMap((node) => (node.kind === 'command' ? [{ nodeId: node.id, command: node.command, args: [...node.args], env: { ...node.env } }] : []));
}

/**
 * Throws `forbidden` naming the first command node. The contract's schema already refuses them
 * (`fleet.start`); this is for any other path that takes a fleet from the contract, and for the
 * lab's own `fleet.start` handler as a second lock.
 */
export function refuseCommandNodes(fleet: unknown, field = 'fleet'): void {
  const [first] = commandNodeIndexes(fleet);
  if (first === undefined) return;
  const at = `${field}.nodes.${first}.kind`;
  throw new ContractError({ code: 'forbidden', message: `${at}: ${COMMAND_NODE_REFUSAL}`, field: at });
}

/**
 * One line per program, as a shell would read it: `id: command args… [env: K=V …]`. Anything
 * that is not plain is quoted, and every control, format or bidi character is escaped, so a file
 * cannot hide what it runs (a carriage return, an escape sequence, a right-to-left override).
 */
export function describeProgram(program: FleetProgram): string {
  const words = [program.command, ...program.args].map(shellWord).join(' ');
  const env = Object.entries(program.env).map(([key, value]) => `${shellWord(key)}=${shellWord(value)}`);
  return `${printable(program.nodeId)}: ${words}${env.length > 0 ? `   [env: ${env.join(' ')}]` : ''}`;
}

/** The listing shown before a fleet's programs are allowed: one line of intro, one per program. */
export function describePrograms(source: string, programs: readonly FleetProgram[]): string[] {
  const count = programs.length === 1 ? 'one program' : `${programs.length} programs`;
  return [`${printable(source)} starts ${count} of its own on this machine (with your user's rights and environment):`, ...programs.map((p) => `  ${describeProgram(p)}`)];
}

// C0 and C1 controls, DEL, and the invisible format characters that reorder or hide text.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb]/u;
const UNPRINTABLE_ALL = new RegExp(UNPRINTABLE.source, 'gu');
const PLAIN_WORD = /^[A-Za-z0-9_@%+=:,./{}-]+$/;

function escapeChar(char: string): string {
  const code = char.codePointAt(0) as number;
  const named: Record<number, string> = { 0x09: '\\t', 0x0a: '\\n', 0x0d: '\\r', 0x1b: '\\e' };
  return named[code] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
}

/** A word as a POSIX shell would take it: bare when plain, '…' when not, $'…' with escapes when it holds unprintables. */
export function shellWord(word: string): string {
  if (PLAIN_WORD.test(word)) return word;
  if (!UNPRINTABLE.test(word)) return `'${word.replaceAll("'", `'\\''`)}'`;
  return `$'${word.replace(/[\\']/g, (c) => `\\${c}`).replace(UNPRINTABLE_ALL, escapeChar)}'`;
}

/** Text from a file, safe to show on a terminal or in a dialog: unprintables escaped. */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE_ALL, escapeChar);
}
