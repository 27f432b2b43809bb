// `action`: a manual step. The operator does it (or asks the lab to perform its `do` command);
// with `--auto` the lab performs it at once. The anchor moves to when it was done.
import { firstLine, type StepUnit } from './step-unit.js';

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
    const answer = await context.waitForOperator({ kind: 'action', text, options: null, canPerform: command !== undefined });
    context.record.performedBy = answer.perform ? 'auto' : 'operator';
    if (answer.perform) await act();
    else context.setAnchor('the action');
    return 'done';
  },
};
