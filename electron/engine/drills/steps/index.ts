// Every step kind and the file that plays it: a kind without a unit does not compile.
import type { DrillStep, StepKind } from '../../../../shared/drill/schema.js';
import { stepKindOf } from '../../../../shared/drill/schema.js';
import { actionStep } from './action.js';
import { expectStep } from './expect.js';
import { faultStep } from './fault.js';
import { markStep } from './mark.js';
import { predictStep } from './predict.js';
import { sayStep } from './say.js';
import type { StepBody, StepUnit } from './step-unit.js';
import { waitStep } from './wait.js';

export const stepUnits: { readonly [K in StepKind]: StepUnit<K> } = {
  say: sayStep,
  wait: waitStep,
  mark: markStep,
  fault: faultStep,
  action: actionStep,
  predict: predictStep,
  expect: expectStep,
};

/** The unit that plays `step`, and what is written under its one key. */
export function unitOf(step: DrillStep): { unit: StepUnit; body: StepBody } {
  const kind = stepKindOf(step);
  // The key names the kind, so the body under it is that kind's: TypeScript cannot follow the pairing.
  return { unit: stepUnits[kind] as StepUnit, body: (step as Record<StepKind, StepBody>)[kind] };
}
