// `action`: a manual step. The operator does it (or asks the lab to perform its `do` command);
// with `--auto` the lab performs it at once. The anchor moves to when it was done.
//
// The operator may do the act on the lab itself (a node card's Start, the CLI) before saying
// *Done*, or never say it: from the moment the prompt shows, the step watches the lab's commands
// for its `do` command, and the first one seen completes the step, anchored at the instant it was
// asked. *Done* without the act seen anchors at *Done*, but events since the prompt still count.
import type { CommandDone } from '../../../../shared/contract/host.js';
import type { ActionStep } from '../../../../shared/drill/schema.js';
import { now } from '../../clock.js';
import { firstLine, type OperatorAnswer, type StepContext, type StepUnit } from './step-unit.js';

type DoCommand = NonNullable<ActionStep['do']>;

export const actionStep: StepUnit<'action'> = {
  kind: 'action',
  list: ({ text }) => ({ label: `action: ${firstLine(text)}`, text }),
  async perform({ text, do: command }, context) {
    const act = async (): Promise<void> => {
      context.setAnchor('the action');
      if (command) await context.lab.call(command.command, command.params as never);
    };
    if (context.auto) {
      context.record.performedBy = 'auto';
      await act();
      return 'done';
    }
    const promptAt = now();
    const watch = command ? watchFor(command, context) : null;
    let answer: OperatorAnswer;
    try {
      answer = await context.waitForOperator({ kind: 'action', text, options: null, canPerform: command !== undefined }, watch?.seen.then(() => ({})));
    } finally {
      watch?.stop();
    }
    const seenAt = watch?.at ?? null;
    // The act, seen before *Done* was said, ends the operator's time.
    const from = context.record.operatorWaitFromMs;
    if (seenAt !== null && from !== undefined) context.record.operatorWaitMs = Math.max(0, Math.min(context.record.operatorWaitMs ?? Infinity, context.recorder.rel(seenAt) - from));
    if (answer.perform && seenAt === null) {
      context.record.performedBy = 'auto';
      await act();
    } else {
      context.record.performedBy = 'operator';
      if (seenAt !== null) context.setAnchor('the action', { at: seenAt });
      else context.setAnchor('the action', { since: promptAt });
    }
    return 'done';
  },
};

/** The first command like `expected` (same name, its params among the call's) carried out from now on. */
function watchFor(expected: DoCommand, context: StepContext): { seen: Promise<void>; at: number | null; stop: () => void } {
  let stop = (): void => {};
  const watch = {
    at: null as number | null,
    stop: () => stop(),
    seen: new Promise<void>((resolve) => {
      stop = context.lab.onCommand((done: CommandDone) => {
        if (watch.at !== null || done.name !== expected.command || !contains(done.params, expected.params ?? {})) return;
        watch.at = done.at;
        stop();
        resolve();
      });
    }),
  };
  return watch;
}

/** Whether `actual` has every field `wanted` names, with the same value (objects compared field by field). */
export function contains(actual: unknown, wanted: unknown): boolean {
  if (wanted === null || typeof wanted !== 'object') return Object.is(actual, wanted);
  if (actual === null || typeof actual !== 'object') return false;
  if (Array.isArray(wanted)) return Array.isArray(actual) && wanted.length === actual.length && wanted.every((w, i) => contains(actual[i], w));
  return Object.entries(wanted).every(([key, value]) => Object.hasOwn(actual, key) && contains((actual as Record<string, unknown>)[key], value));
}
