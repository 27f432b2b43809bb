// Drills and reports behind the contract: the library, the one run at a time, and the history.
import { ContractError } from '../../../shared/contract/errors.js';
import type { DrillRunParams, DrillRunStatus, DrillSummary, ReportFormat } from '../../../shared/drill/run.js';
import type { DrillSpec } from '../../../shared/drill/schema.js';
import { buildReport, type ReportSource } from '../report-store/report-builder.js';
import type { ReportStore, WrittenReport } from '../report-store/report-store.js';
import type { RunCapture } from '../recording/lab-recording.js';
import type { DrillLab } from './drill-lab.js';
import { DrillRun } from './drill-run.js';
import { loadLibrary, summarizeDrill, type DrillLibrary } from './library.js';

export interface DrillServiceOptions {
  lab: DrillLab;
  reports: ReportStore;
  /** The library to offer; default the built-in folder plus the operator's (read again on every list). */
  library?: () => DrillLibrary;
  onStep: (status: DrillRunStatus) => void;
  /** Starts keeping the lab's recording for a run (its report holds it); none: reports without one. */
  capture?: () => RunCapture;
  onVerdict: (status: DrillRunStatus, written: WrittenReport | null) => void;
}

export class DrillService {
  private current: { run: DrillRun; done: Promise<DrillRunStatus> } | null = null;
  private last: DrillRunStatus | null = null;

  constructor(private readonly options: DrillServiceOptions) {}

  list(): { drills: DrillSummary[]; problems: string[] } {
    const library = this.library();
    return { drills: library.drills.map((d) => d.summary), problems: library.problems };
  }

  get(id: string): { summary: DrillSummary; spec: DrillSpec } {
    const found = this.library().drills.find((d) => d.spec.id === id);
    if (!found) throw new ContractError({ code: 'not-found', message: `no drill "${id}" (see drill.list)`, field: 'id' });
    return found;
  }

  /** Starts a run and returns at once; progress comes as `drill.step` events, the end as `drill.verdict`. */
  run(params: DrillRunParams): DrillRunStatus {
    if (this.current) throw new ContractError({ code: 'conflict', message: `drill "${this.current.run.status.drillId}" is running; abort it first`, field: 'id' });
    let spec: DrillSpec;
    let source: ReportSource;
    if (params.spec) {
      spec = params.spec;
      source = { kind: params.path ? 'file' : 'inline', path: params.path ?? null };
    } else {
      const found = this.get(params.id as string);
      spec = found.spec;
      source = { kind: found.summary.source, path: found.summary.path };
    }
    const formats: ReportFormat[] = [...new Set<ReportFormat>(['json', 'html', ...params.formats])];
    // The recording ends with what the run measured: putting the lab back afterwards is not the drill.
    let recording: ReturnType<RunCapture['end']> | undefined;
    const capture = this.options.capture?.();
    const endCapture = (): void => {
      recording ??= capture?.end();
    };
    const run = new DrillRun(
      this.options.lab,
      { runId: this.options.reports.newId(spec.id), spec, seed: params.seed ?? spec.seed, auto: params.auto, profile: params.profile, onLabFleet: params.onLabFleet === true, pauseBeforeFaults: params.pauseBeforeFaults, putBack: params.putBack !== false, onMeasured: endCapture },
      (status) => this.options.onStep(status),
    );
    const done = (async (): Promise<DrillRunStatus> => {
      let written: WrittenReport | null = null;
      try {
        const outcome = await run.run();
        endCapture();
        try {
          written = await this.options.reports.write(buildReport(outcome, spec, source, formats), formats, recording);
          outcome.status.reportId = written.id;
          if (written.problems.length > 0) outcome.status.reason = `${outcome.status.reason ?? ''} (not written: ${written.problems.join('; ')})`;
        } catch (error) {
          outcome.status.reason = `${outcome.status.reason ?? ''} (the report could not be written: ${(error as Error).message})`;
        }
      } catch (error) {
        // The runner never throws by design; if it did, the run still ends, as an error.
        Object.assign(run.status, { state: 'finished', verdict: 'error', reason: `error: ${(error as Error).message}`, waitingFor: null });
      } finally {
        capture?.end(); // stops it, whatever happened
        this.last = structuredClone(run.status);
        this.current = null;
      }
      this.options.onVerdict(this.last, written);
      return this.last;
    })();
    this.current = { run, done };
    return structuredClone(run.status);
  }

  abort(runId?: string): DrillRunStatus {
    const run = this.running(runId);
    run.abort('by the operator');
    return structuredClone(run.status);
  }

  answer(params: { runId: string; step: number; option?: number | undefined; perform?: boolean | undefined }): DrillRunStatus {
    const run = this.running(params.runId);
    run.answer(params.step, { ...(params.option !== undefined ? { option: params.option } : {}), ...(params.perform ? { perform: true } : {}) });
    return structuredClone(run.status);
  }

  /** A classroom viewer's vote on the prediction the running drill waits on. */
  vote(voter: string, params: { runId: string; step: number; option: number }): { step: number; option: number } {
    this.running(params.runId).vote(voter, params.step, params.option);
    return { step: params.step, option: params.option };
  }

  status(): DrillRunStatus | null {
    return structuredClone(this.current?.run.status ?? this.last);
  }

  /** Resolves when the current run (if any) has finished and its report is written. */
  async settled(): Promise<DrillRunStatus | null> {
    return this.current ? await this.current.done : this.last;
  }

  /** Aborts a running drill and waits for it to put the lab back. */
  async dispose(): Promise<void> {
    if (!this.current) return;
    this.current.run.leaveLab('the lab is shutting down');
    this.current.run.abort('the lab is shutting down');
    await this.current.done;
  }

  private running(runId?: string): DrillRun {
    const run = this.current?.run;
    if (!run) throw new ContractError({ code: 'conflict', message: 'no drill is running', field: 'runId' });
    if (runId !== undefined && run.status.runId !== runId) throw new ContractError({ code: 'not-found', message: `run "${runId}" is not the one running (${run.status.runId})`, field: 'runId' });
    return run;
  }

  private library(): DrillLibrary {
    return (this.options.library ?? (() => loadLibrary()))();
  }
}

export { summarizeDrill };
