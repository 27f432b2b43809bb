// `mark`: a named moment on the report's timeline.
import { now } from '../../clock.js';
import type { StepUnit } from './step-unit.js';

export const markStep: StepUnit<'mark'> = {
  kind: 'mark',
  list: (name) => ({ label: `mark ${name}` }),
  async perform(name, context) {
    context.recorder.mark(name, now());
    return 'done';
  },
};
