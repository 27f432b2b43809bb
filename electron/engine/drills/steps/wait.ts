// `wait`: a pause of the written time, scaled by the profile (`short` plays it shorter).
import type { StepUnit } from './step-unit.js';

export const waitStep: StepUnit<'wait'> = {
  kind: 'wait',
  list: (ms) => ({ label: `wait ${ms} ms` }),
  async perform(ms, context) {
    await context.sleep(ms * context.scale);
    return 'done';
  },
};
