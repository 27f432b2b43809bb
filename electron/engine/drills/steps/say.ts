// `say`: narration shown to the operator (and kept in the report); nothing happens in the lab.
import { firstLine, type StepUnit } from './step-unit.js';

export const sayStep: StepUnit<'say'> = {
  kind: 'say',
  list: (text) => ({ label: firstLine(text), text }),
  perform: async () => 'done',
};
