// `fault`: inject a fault (optionally named `as`), revert one by that name, or halt them all.
// Each of them moves the anchor that `expect event` counts from. An injected fault may wait for its
// moment (`after`: the next event, then a delay), so a lesson does not hang on when Continue was clicked.
import { afterWords, durationWords, stepSentence } from '../../../../shared/drill/plain.js';
import type { FaultAfter } from '../../../../shared/drill/schema.js';
import { now } from '../../clock.js';
import { waitForTimeline, type Seen, type StepContext, type StepUnit } from './step-unit.js';

export const faultStep: StepUnit<'fault'> = {
  kind: 'fault',
  list({ inject, as, revert, after }) {
    const label = inject
      ? `inject ${inject.type} on ${inject.target}${as ? ` as ${as}` : ''}${after ? ` ${after.delayMs ? `${after.delayMs} ms after` : 'on'} ${after.event}${after.node ? ` on ${after.node}` : ''}` : ''}`
      : revert !== undefined
        ? `revert ${revert}`
        : 'halt every fault';
    return { label };
  },
  async perform({ inject, as, revert, after }, context) {
    if (inject && context.pauseBeforeFaults) {
      // Learning mode: the learner reads what is about to happen and says when (the anchor is set after).
      await context.waitForOperator({ kind: 'continue', text: `Next: the lab injects **${inject.type}** on **${inject.target}**: ${stepSentence({ fault: { inject } }).replace(/^inject: /, '')}. Look at the lab as it is now, then continue.`, options: null, canPerform: false });
    }
    if (inject && after) await awaitMoment(after, context);
    context.setAnchor('the fault');
    const { lab, record } = context;
    if (inject) {
      const injected = await lab.call('fault.inject', inject);
      record.faultId = injected.id;
      context.recorder.fault(injected);
      if (as !== undefined) context.faults.name(as, injected.id);
      if (injected.status === 'failed') throw new Error(`the ${injected.type} fault on ${injected.target} failed: ${injected.error ?? 'no reason given'}`);
    } else if (revert !== undefined) {
      const id = context.faults.idOf(revert) as string;
      record.faultId = id;
      await lab.call('fault.revert', { id });
    } else {
      await lab.call('fault.halt', {});
    }
    return 'done';
  },
};

/** Waits for the next `after.event` (on `after.node`) from now, then `after.delayMs`; throws when it does not come in time. */
async function awaitMoment(after: FaultAfter, context: StepContext): Promise<void> {
  const from = now();
  const matches = (e: Seen): boolean => e.kind === after.event && e.at >= from && (after.node === undefined || e.nodeId === after.node);
  const seen = await waitForTimeline(context, matches, from + after.within);
  if (!seen) throw new Error(`the fault was to be injected ${afterWords(after)}, and that was not seen within ${durationWords(after.within)} of the step`);
  const delay = (after.delayMs ?? 0) - (now() - seen.at);
  if (delay > 0) await context.sleep(delay);
}
