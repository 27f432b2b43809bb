import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { ParseArgsConfig } from 'node:util';
import type { DrillRunStatus, ReportFormat as ReportFormatName } from '../../shared/drill/run.js';
import { ReportFormat } from '../../shared/drill/run.js';
import { stripControls } from '../../shared/drill/plain-text.js';
import { describeFootprint, drillFootprint, isModestLoad } from '../../shared/drill/footprint.js';
import type { DrillSpec } from '../../shared/drill/schema.js';
import type { FleetSpec } from '../../shared/contract/index.js';
import { loadDrillFile } from '../engine/drills/drill-file.js';
import { missingNodes } from '../engine/drills/node-refs.js';
import { loadFleetFile } from '../engine/fleet/index.js';
import { builtinDrillsDir, loadLibrary } from '../engine/drills/library.js';
import { issueLines } from '../engine/yaml-file.js';
import { Lab } from '../engine/lab.js';
import { defaultReportsDir } from '../engine/report-store/report-store.js';
import { parseFlags, UsageError } from './args.js';
import { ProgressView } from './progress.js';
import { admitFleetPrograms } from './serve.js';

export const runHelp = `Usage: firedrill run ID|FILE [--seed N] [--out DIR] [--format LIST] [--auto] [--profile full|short] [--yes]
                    [--fleet FILE [--allow-commands]]

Runs one drill against a fresh lab on this machine and writes its report. ID is a drill from
\`firedrill drills\`; FILE is a drill file (YAML). Before it starts it says what the drill will do to
this machine (nodes, peak request rate, value size, how long, faults); a drill that is not from the
built-in library and asks for more than a modest load waits for your yes on a terminal. On a
terminal it shows a progress bar and asks you the drill's predictions and manual actions; elsewhere
it prints one line per step.

  --seed N          seed for traffic and faults (default: the drill's own)
  --out DIR         the report history to write into (default $FIREDRILL_REPORTS_DIR or ~/.firedrill/reports)
  --format LIST     report formats, comma-separated: json,html,md,junit,pdf (default json,html,md,junit;
                    json and html are always written; pdf needs Chromium)
  --auto            perform manual actions without asking and leave predictions unanswered
  --profile P       full (default) or short: waits and traffic at half length (for CI)
  --fleet FILE      run the drill on this fleet file's nodes instead of the drill's topology; the
                    drill may name only nodes the fleet has
  --allow-commands  let the fleet file start its own programs (its kind: command nodes). Without
                    it they are listed and a yes is asked on a terminal; off a terminal, exit 2
  --run-dir DIR     where node data lives (default $FIREDRILL_RUN_DIR or ~/.firedrill/runs/<time>)
  --json            print the final status as one JSON line instead of sentences
  -y, --yes         run a heavy drill without asking (off a terminal it never asks)
  -h, --help        this help

Exit status: 0 when the drill passes, 1 when it fails, is aborted, errs or you say no, 2 on bad input.
`;

const RUN_FLAGS = {
  seed: { type: 'string' },
  out: { type: 'string' },
  format: { type: 'string' },
  auto: { type: 'boolean' },
  profile: { type: 'string' },
  'run-dir': { type: 'string' },
  json: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  fleet: { type: 'string' },
  'allow-commands': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** `run`'s command line, checked: the drill, the fleet it may run on, and how it is run and asked about. */
interface RunArgs {
  values: ReturnType<typeof parseFlags<typeof RUN_FLAGS>>['values'];
  spec: DrillSpec;
  path: string | null;
  builtin: boolean;
  fleet: FleetSpec | undefined;
  seed: number | undefined;
  formats: ReportFormatName[];
  profile: 'full' | 'short';
  auto: boolean;
  /** stdin and stdout are a terminal. */
  terminal: boolean;
  /** On a terminal and not --auto: predictions and manual actions are asked. */
  interactive: boolean;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, RUN_FLAGS, 'run');
  if (values.help) {
    process.stdout.write(runHelp);
    return 0;
  }
  const args = runArgs(values, positionals);
  const { spec, fleet } = args;

  // What it will do to this machine, before anything starts; a heavy drill from elsewhere needs a yes.
  const footprint = drillFootprint(spec);
  (values.json ? process.stderr : process.stdout).write(`${spec.id} will run ${describeFootprint(footprint)}\n`);
  if (!args.builtin && !isModestLoad(footprint) && args.terminal && !values.yes && !(await consent())) {
    process.stdout.write('Not run.\n');
    return 1;
  }

  // The fleet's programs are admitted last: nothing else about the command line can refuse them afterwards.
  if (fleet) await admitFleetPrograms(values.fleet as string, fleet, values['allow-commands'] === true, { input: process.stdin, output: process.stderr }, 'run');
  const lab = await Lab.create({ runDir: values['run-dir'], reportsDir: values.out ?? defaultReportsDir(), ...(fleet ? { fleet } : { topology: spec.topology }), autoStart: false });
  return await runOnLab(lab, args);
}

function runArgs(values: RunArgs['values'], positionals: string[]): RunArgs {
  if (positionals.length !== 1) throw new UsageError('firedrill run: give one drill id or file (see firedrill drills)');
  const seed = parseSeed(values.seed);
  const formats = parseFormats(values.format);
  const profile = values.profile ?? 'full';
  if (profile !== 'full' && profile !== 'short') throw new UsageError(`--profile: "${profile}" is not full or short`);
  const { spec, path, builtin } = resolveDrill(positionals[0] as string);
  if (values['allow-commands'] && values.fleet === undefined) throw new UsageError('--allow-commands: only with --fleet FILE (a drill\'s topology runs the bundled server only)');
  const fleet = values.fleet !== undefined ? resolveFleet(values.fleet, spec) : undefined;
  const auto = values.auto === true;
  const terminal = process.stdin.isTTY === true && process.stdout.isTTY === true;
  const interactive = terminal && !auto;
  const actions = spec.steps.flatMap((step, index) => ('action' in step ? [index + 1] : []));
  if (!auto && !interactive && actions.length > 0) {
    throw new UsageError(`firedrill run: drill "${spec.id}" has manual actions (step ${actions.join(', ')}) and this is not a terminal: pass --auto to have them performed`);
  }
  return { values, spec, path, builtin, fleet, seed, formats, profile, auto, terminal, interactive };
}

/** Runs the drill on `lab` to its verdict (a signal aborts it), prints the outcome and disposes of the lab: exit 0 on a pass, else 1. */
async function runOnLab(lab: Lab, { values, spec, path, fleet, seed, formats, profile, auto, interactive }: RunArgs): Promise<number> {
  const view = new ProgressView(process.stdout, spec, { tty: process.stdout.isTTY === true && !values.json, quiet: values.json === true });
  const prompts = interactive ? createInterface({ input: process.stdin, output: process.stdout }) : null;
  const finished = drillFinished(lab, view, prompts);
  const onSignal = (): void => {
    void lab.host.call('drill.abort', {}).catch(() => undefined);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await lab.host.call('drill.run', { spec, ...(path ? { path } : {}), ...(seed !== undefined ? { seed } : {}), auto, profile, formats, ...(fleet ? { onLabFleet: true } : {}) });
    const status = await finished;
    prompts?.close();
    const files = status.reportId ? ((await lab.host.call('report.open', { id: status.reportId })) as { files: Record<string, string> }).files : {};
    if (values.json) process.stdout.write(`${JSON.stringify({ ...status, files })}\n`);
    else view.finish(status, files);
    return status.verdict === 'pass' ? 0 : 1;
  } finally {
    prompts?.close();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await lab.dispose();
  }
}

/** The drill's verdict; meanwhile each step is shown, and a question it waits on is asked once on the terminal (when `prompts`). */
function drillFinished(lab: Lab, view: ProgressView, prompts: ReturnType<typeof createInterface> | null): Promise<DrillRunStatus> {
  let asked = -1;
  return new Promise<DrillRunStatus>((resolve) => {
    lab.onEvent((name, payload) => {
      if (name === 'drill.step') {
        view.update(payload);
        const waiting = payload.waitingFor;
        if (prompts && waiting && waiting.step !== asked) {
          asked = waiting.step;
          void ask(prompts, view, payload).then(
            (answer) => lab.host.call('drill.answer', { runId: payload.runId, step: waiting.step, ...answer }),
            () => undefined,
          );
        }
      }
      if (name === 'drill.verdict') resolve(payload);
    });
  });
}

/** An id from the library, or a path to a drill file; bad input is a UsageError (exit 2) listing every mistake. */
function resolveDrill(ref: string): { spec: DrillSpec; path: string | null; builtin: boolean } {
  const looksLikeFile = /[\\/]/.test(ref) || /\.ya?ml$/i.test(ref) || existsSync(ref);
  if (looksLikeFile) {
    try {
      return { spec: loadDrillFile(ref), path: ref, builtin: dirname(resolve(ref)) === resolve(builtinDrillsDir()) };
    } catch (error) {
      throw new UsageError(issueLines(error).join('\n'));
    }
  }
  const library = loadLibrary();
  const found = library.drills.find((d) => d.spec.id === ref);
  if (!found) {
    const ids = library.drills.map((d) => d.spec.id).join(', ');
    throw new UsageError(`firedrill run: no drill "${ref}" (built-in: ${ids || 'none found'}; or give a file path)`);
  }
  return { spec: found.spec, path: null, builtin: found.summary.source === 'builtin' };
}

/** A fleet file for the drill to run on: every mistake of the file, or every node the drill names that it lacks, is a UsageError (exit 2). */
function resolveFleet(file: string, spec: DrillSpec): FleetSpec {
  let fleet: FleetSpec;
  try {
    fleet = loadFleetFile(file);
  } catch (error) {
    throw new UsageError(issueLines(error).join('\n'));
  }
  const missing = missingNodes(spec, fleet.nodes.map((n) => n.id));
  if (missing.length > 0) throw new UsageError(`firedrill run: drill "${spec.id}" names nodes ${file} does not have:\n${missing.map((m) => `  ${m}`).join('\n')}`);
  return fleet;
}

/** Asks on the terminal whether to run a heavy drill; only "y" or "yes" is a yes. */
async function consent(): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await prompt.question('This drill is not from the built-in library and asks for more than a modest load. Run it? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}

function parseSeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{1,15}$/.test(value)) throw new UsageError(`--seed: "${value}" is not a whole number ≥ 0`);
  return Number(value);
}

function parseFormats(value: string | undefined): ReportFormatName[] {
  if (value === undefined) return ['json', 'html', 'md', 'junit'];
  const formats: ReportFormatName[] = [];
  for (const part of value.split(',').map((p) => p.trim()).filter(Boolean)) {
    const parsed = ReportFormat.safeParse(part);
    if (!parsed.success) throw new UsageError(`--format: "${part}" is not one of ${ReportFormat.options.join(', ')}`);
    formats.push(parsed.data);
  }
  if (formats.length === 0) throw new UsageError('--format: give at least one format');
  return formats;
}

async function ask(prompts: ReturnType<typeof createInterface>, view: ProgressView, status: DrillRunStatus): Promise<{ option?: number; perform?: boolean }> {
  const waiting = status.waitingFor!;
  view.pause();
  try {
    if (waiting.kind === 'predict') {
      const options = waiting.options ?? [];
      process.stdout.write(stripControls(`\nPredict: ${waiting.text}\n${options.map((o, i) => `  ${i + 1}. ${o}`).join('\n')}\n`));
      for (;;) {
        const line = (await prompts.question(`Your answer (1-${options.length}): `)).trim();
        const n = Number(line);
        if (Number.isInteger(n) && n >= 1 && n <= options.length) return { option: n - 1 };
      }
    }
    process.stdout.write(stripControls(`\nYour turn: ${waiting.text}\n`));
    const line = await prompts.question(waiting.canPerform ? 'Press Enter when done, or type "do" and Enter to have the lab do it: ' : 'Press Enter when done: ');
    return line.trim().toLowerCase() === 'do' && waiting.canPerform ? { perform: true } : {};
  } finally {
    view.resume();
  }
}
