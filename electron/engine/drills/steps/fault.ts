// `fault`: inject a fault (optionally named `as`), revert one by that name, or halt them all.
// Each of them moves the anchor that `expect event` counts from.
import { stepSentence } from '../../../../shared/drill/plain.js';
import type { StepUnit } from './step-unit.js';

export const faultStep: StepUnit<'fault'> = {
  kind: 'fault',
  list({ inject, as, revert }) {
    const label = inject ? `inject ${inject.type} on ${inject.target}${as ? ` as ${as}` : ''}` : revert !== undefined ? `revert ${revert}` : 'halt every fault';
    return { label };
  },
  async perform({ inject, as, revert }, context) {
    if (inject && context.pauseBeforeFaults) {
      // Learning mode: the learner reads what is about to happen and says when (the anchor is set after).
      await context.waitForOperator({ kind: 'continue', text: `Next: the lab injects **${inject.type}** on **${inject.target}**: ${stepSentence({ fault: { inject } }).replace(/^inject: /, '')}. Look at the lab as it is now, then continue.`, options: null, canPerform: false });
    }
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
