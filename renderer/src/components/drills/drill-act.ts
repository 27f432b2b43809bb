import { useEffect } from 'react';
import { actWords, type ActWords } from '../../../../shared/drill/act-words.js';
import type { DrillRunStatus } from '../../../../shared/drill/run.js';
import type { DrillSpec } from '../../../../shared/drill/schema.js';
import { chooseDrill } from '../../connection/lab-commands.js';
import { useStore } from '../../store/store.js';

// The running drill's own file, for what its manual steps ask (`do`): the run's status carries the
// instruction's text only. Read with `drill.get` when the view does not have it yet (a reload mid-drill).

/** The spec of the drill `run` plays, once loaded; null meanwhile. */
export function useRunSpec(run: DrillRunStatus): DrillSpec | null {
  const detail = useStore((s) => s.drill.detail);
  const connected = useStore((s) => s.connection.status === 'open');
  const have = detail?.id === run.drillId && detail.state.status !== 'error' && detail.state.status !== 'idle';
  useEffect(() => {
    if (!have && connected) void chooseDrill(run.drillId);
  }, [have, connected, run.drillId]);
  return detail?.id === run.drillId && detail.state.status === 'ok' ? detail.state.data.spec : null;
}

/** The words for step `index`'s act, when it is an action step with a `do`. */
export function actOfStep(spec: DrillSpec | null, index: number): ActWords | null {
  const step = spec?.steps[index];
  if (!step || !('action' in step) || !step.action.do) return null;
  return actWords(step.action.do.command, step.action.do.params);
}

/** The act the run waits for now, if it waits on an action with a `do`. */
export function useWaitingAct(run: DrillRunStatus): ActWords | null {
  const spec = useRunSpec(run);
  const wait = run.waitingFor;
  return wait?.kind === 'action' ? actOfStep(spec, wait.step) : null;
}
