// How `firedrill run` shows a drill going: on a terminal one progress bar redrawn in place with the
// narration and results printed above it; elsewhere (CI logs, pipes) plain lines, one per event.
// Everything a drill file says passes stripControls first: its text may not drive the terminal.
import type { Writable } from 'node:stream';
import { stripControls } from '../../shared/drill/plain-text.js';
import type { DrillRunStatus } from '../../shared/drill/run.js';
import type { DrillSpec } from '../../shared/drill/schema.js';

const BAR = 24;

export class ProgressView {
  private started = new Set<number>();
  private reported = 0;
  private line = '';
  private paused = false;
  private last: DrillRunStatus | null = null;

  constructor(
    private readonly out: Writable,
    private readonly spec: DrillSpec,
    private readonly options: { tty: boolean; quiet: boolean },
  ) {
    if (!options.quiet) this.print(`${spec.title} (${spec.id}, ${spec.concept})`);
  }

  update(status: DrillRunStatus): void {
    this.last = status;
    if (this.options.quiet) return;
    for (const step of status.steps) {
      if (step.startedAtMs === null || this.started.has(step.index)) continue;
      this.started.add(step.index);
      if (step.kind === 'say' && step.text) this.print(indent(step.text.trim()));
      else if (!this.options.tty) this.print(`[${seconds(step.startedAtMs)}] step ${step.index + 1}/${status.steps.length}: ${step.label}`);
    }
    for (const result of status.expectations.slice(this.reported)) {
      this.print(`  ${result.verdict === 'pass' ? 'pass' : 'FAIL'}: ${result.description}: ${result.detail}`);
    }
    this.reported = status.expectations.length;
    if (this.options.tty && !this.paused) this.draw(status);
  }

  pause(): void {
    this.paused = true;
    this.clear();
  }

  resume(): void {
    this.paused = false;
    if (this.last && this.options.tty) this.draw(this.last);
  }

  finish(status: DrillRunStatus, files: Record<string, string>): void {
    this.clear();
    const verdict = (status.verdict ?? 'error').toUpperCase();
    this.print(`\n${verdict}  ${this.spec.id} (seed ${status.seed}, ${status.profile}) in ${seconds(status.elapsedMs)}`);
    this.print(`  ${status.reason ?? ''}`);
    for (const check of status.hypothesis) this.print(`  hypothesis ${check.name}: ${check.verdict === 'pending' ? 'unchecked' : check.verdict} (${check.detail})`);
    const passed = status.expectations.filter((e) => e.verdict === 'pass').length;
    if (status.expectations.length > 0) this.print(`  expectations: ${passed} of ${status.expectations.length} passed`);
    for (const p of status.predictions) {
      const answer = p.answer === null ? 'not answered' : `you said "${p.options[p.answer]}"`;
      const expected = p.expected === null ? '' : `; expected "${p.options[p.expected]}"`;
      this.print(`  prediction: ${p.question} — ${answer}${expected}. What happened: ${p.outcome}`);
    }
    for (const [format, path] of Object.entries(files)) this.print(`  ${format.padEnd(5)} ${path}`);
  }

  private draw(status: DrillRunStatus): void {
    const total = status.steps.length;
    const done = status.steps.filter((s) => s.endedAtMs !== null).length;
    const filled = Math.round((done / Math.max(total, 1)) * BAR);
    const current = status.current === null ? undefined : status.steps[status.current];
    const failed = status.expectations.filter((e) => e.verdict === 'fail').length;
    const passed = status.expectations.length - failed;
    const label = stripControls(status.state === 'finishing' ? 'reverting faults, writing the report' : (current?.label ?? status.state)).replace(/[\n\t]/g, ' ');
    const width = (this.out as { columns?: number }).columns ?? 100;
    const text = `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${done}/${total} ${seconds(status.elapsedMs)} ok ${passed} fail ${failed}  ${label}`;
    this.line = text.slice(0, Math.max(20, width - 1));
    this.out.write(`\r\x1b[2K${this.line}`);
  }

  private clear(): void {
    if (this.options.tty && this.line) this.out.write('\r\x1b[2K');
    this.line = '';
  }

  private print(text: string): void {
    const redraw = this.options.tty && this.line !== '' && !this.paused;
    this.clear();
    this.out.write(`${stripControls(text)}\n`);
    if (redraw && this.last) this.draw(this.last);
  }
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  │ ${l}`)
    .join('\n');
}
