// `predict`: a question asked before the fault; the report puts the answer beside what happened.
// With `--auto` nobody is asked, and the prediction stays unanswered.
import type { PredictionRecord } from '../../../../shared/drill/run.js';
import { firstLine, type StepUnit } from './step-unit.js';

export const predictStep: StepUnit<'predict'> = {
  kind: 'predict',
  list: ({ question }) => ({ label: `predict: ${firstLine(question)}`, text: question }),
  async perform({ question, options, answer: expected, explain = [] }, context) {
    const prediction: PredictionRecord = { step: context.index, question, options, expected: expected ?? null, answer: null, correct: null, outcome: '', explain, explanation: null };
    context.predicted(prediction);
    if (!context.auto) {
      const answer = await context.waitForOperator({ kind: 'predict', text: question, options, canPerform: false });
      prediction.answer = answer.option ?? null;
      prediction.correct = prediction.answer === null || prediction.expected === null ? null : prediction.answer === prediction.expected;
      prediction.explanation = prediction.answer === null ? null : (explain[prediction.answer] ?? null);
    }
    return 'done';
  },
};
