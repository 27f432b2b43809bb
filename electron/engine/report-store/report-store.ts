// The history of drill reports: one folder per run under the reports folder, holding report.json
// (the whole truth) and whichever rendered formats were asked for.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { ContractError, fieldPath } from '../../../shared/contract/errors.js';
import type { ReportFormat } from '../../../shared/drill/run.js';
import { compareReports, type ReportComparison } from '../../../shared/report/compare.js';
import { renderHtml } from '../../../shared/report/html.js';
import { playerRecording, type EmbeddedRecording } from '../../../shared/report/player.js';
import { renderJunit } from '../../../shared/report/junit.js';
import { renderMarkdown } from '../../../shared/report/markdown.js';
import { DrillReport, summarize, type ReportSummary } from '../../../shared/report/model.js';
import { Recording } from '../../../shared/replay/recording.js';
import { writePdf } from './pdf.js';

export const REPORT_FILES: Record<ReportFormat, string> = {
  json: 'report.json',
  html: 'report.html',
  md: 'report.md',
  junit: 'junit.xml',
  pdf: 'report.pdf',
};

/**
 * A run's recording (shared/replay) sits beside its report.json, gzipped: a sidecar, not a field,
 * so report.json stays small (report.list reads every one) and its schema unchanged, and old
 * reports without one still open.
 */
export const RECORDING_FILE = 'recording.json.gz';

/** Report ids name folders: no separators, no dots in front, nothing a path could escape with. */
const REPORT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Prints HTML to a PDF file; the desktop app passes Electron's printToPDF, elsewhere Chromium through Playwright. */
export type PdfPrinter = (html: string, file: string) => Promise<void>;

export interface WrittenReport {
  id: string;
  dir: string;
  files: Partial<Record<ReportFormat, string>>;
  /** Formats that could not be written, with why (a missing Chromium for PDF, ...). */
  problems: string[];
}

/** How a report is named: by id in the history (the contract), or also by path (the CLI, for files of its own user). */
export interface ReportLookup {
  paths?: boolean;
}

export function defaultReportsDir(): string {
  return process.env.FIREDRILL_REPORTS_DIR ?? join(homedir(), '.firedrill', 'reports');
}

export class ReportStore {
  private lastRecording: { file: string; mtimeMs: number; recording: Recording } | null = null;

  constructor(
    readonly dir: string,
    private readonly printPdf: PdfPrinter = writePdf,
  ) {}

  /** A fresh id for a run: time, then the drill, unique in the folder. */
  newId(drillId: string, at = new Date()): string {
    const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    const base = `${stamp}-${drillId}`.slice(0, 120);
    let id = base;
    for (let n = 2; existsSync(join(this.dir, id)); n++) id = `${base}-${n}`;
    return id;
  }

  /** Writes the report, its formats and its recording; report.json goes last, atomically, listing what was written. */
  async write(report: DrillReport, formats: readonly ReportFormat[], recording?: Recording): Promise<WrittenReport> {
    const dir = this.folder(report.id);
    mkdirSync(dir, { recursive: true });
    const written: WrittenReport = { id: report.id, dir, files: {}, problems: [] };
    if (recording) {
      try {
        writeAtomic(join(dir, RECORDING_FILE), await promisify(gzip)(JSON.stringify(recording)));
      } catch (error) {
        written.problems.push(`recording: ${(error as Error).message}`);
      }
    }
    const wanted = new Set<ReportFormat>(['json', 'html', ...formats]);
    for (const format of wanted) {
      if (format === 'json') continue;
      try {
        written.files[format] = await this.render(report, format, dir, recording ?? null);
      } catch (error) {
        written.problems.push(`${format}: ${(error as Error).message}`);
      }
    }
    const final: DrillReport = { ...report, formats: ['json', ...(Object.keys(written.files) as ReportFormat[])] };
    writeAtomic(join(dir, REPORT_FILES.json), `${JSON.stringify(final, null, 2)}\n`);
    written.files.json = join(dir, REPORT_FILES.json);
    return written;
  }

  /** Every report in the history, newest first; unreadable ones are listed in `problems`, not thrown. */
  list(limit = 500): { reports: ReportSummary[]; problems: string[] } {
    const reports: ReportSummary[] = [];
    const problems: string[] = [];
    if (!existsSync(this.dir)) return { reports, problems };
    for (const name of readdirSync(this.dir)) {
      const file = join(this.dir, name, REPORT_FILES.json);
      if (!REPORT_ID.test(name) || !existsSync(file)) continue;
      try {
        reports.push(summarize(readReport(file)));
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
    reports.sort((a, b) => b.startedAt - a.startedAt);
    return { reports: reports.slice(0, limit), problems };
  }

  /**
   * One report by its id in this history: over the contract a report is an id and nothing else.
   * `paths: true` is for the CLI alone, which may also read a report folder or report.json named on its own command line.
   */
  open(ref: string, { paths = false }: ReportLookup = {}): { report: DrillReport; dir: string; files: Partial<Record<ReportFormat, string>> } {
    const file = paths ? this.locatePath(ref) : this.locate(ref, 'id');
    const report = readReport(file);
    const dir = dirname(file);
    const files: Partial<Record<ReportFormat, string>> = {};
    for (const [format, name] of Object.entries(REPORT_FILES) as Array<[ReportFormat, string]>) {
      if (existsSync(join(dir, name))) files[format] = join(dir, name);
    }
    return { report, dir, files };
  }

  /** A report's recording, or null for one written without it; a damaged one is an error naming the file. */
  async recording(ref: string, lookup: ReportLookup = {}): Promise<Recording | null> {
    const { dir } = this.open(ref, lookup);
    const file = join(dir, RECORDING_FILE);
    if (!existsSync(file)) return null;
    // A player asks for one stretch after another: the last one read is kept while its file is unchanged.
    const mtimeMs = statSync(file).mtimeMs;
    if (this.lastRecording?.file === file && this.lastRecording.mtimeMs === mtimeMs) return this.lastRecording.recording;
    let raw: unknown;
    try {
      raw = JSON.parse((await promisify(gunzip)(readFileSync(file))).toString('utf8'));
    } catch (error) {
      throw new ContractError({ code: 'invalid-params', message: `${file}: not a readable recording: ${(error as Error).message}`, field: 'id' });
    }
    const parsed = Recording.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ContractError({ code: 'invalid-params', message: `${file}: ${fieldPath(issue.path as Array<string | number>)}: ${issue.message}`, field: 'id' });
    }
    this.lastRecording = { file, mtimeMs, recording: parsed.data };
    return parsed.data;
  }

  /** Renders one format of a stored report again (or for the first time) into its folder. */
  async export(ref: string, format: ReportFormat, lookup: ReportLookup = {}): Promise<string> {
    const { report, dir } = this.open(ref, lookup);
    if (format === 'json') return join(dir, REPORT_FILES.json);
    return await this.render(report, format, dir, format === 'html' ? await this.recording(ref, lookup).catch(() => null) : null);
  }

  compare(refs: readonly string[], { paths = false }: ReportLookup = {}): { comparison: ReportComparison; reports: DrillReport[] } {
    const reports = refs.map((ref, i) => readReport(paths ? this.locatePath(ref) : this.locate(ref, `ids.${i}`)));
    return { comparison: compareReports(reports), reports };
  }

  private async render(report: DrillReport, format: Exclude<ReportFormat, 'json'>, dir: string, recording: Recording | null): Promise<string> {
    const file = join(dir, REPORT_FILES[format]);
    switch (format) {
      case 'html':
        writeAtomic(file, renderHtml(report, { recording: await embedRecording(recording) }));
        break;
      case 'md':
        writeAtomic(file, renderMarkdown(report));
        break;
      case 'junit':
        writeAtomic(file, renderJunit(report));
        break;
      case 'pdf':
        await this.printPdf(renderHtml(report), file);
        break;
    }
    return file;
  }

  private folder(id: string): string {
    if (!REPORT_ID.test(id)) throw new ContractError({ code: 'invalid-params', message: `"${id}" is not a report id`, field: 'id' });
    return join(this.dir, id);
  }

  /** The report.json of an id in this history; anything else (a path above all) is not-found. */
  private locate(id: string, field: string): string {
    const file = join(this.dir, id, REPORT_FILES.json);
    if (REPORT_ID.test(id) && existsSync(file)) return file;
    throw new ContractError({ code: 'not-found', message: `no report "${id}" in the history (${this.dir}); report.list names them`, field });
  }

  /** The CLI's lookup: an id in this history, else a report folder or a .json file on the user's own disk. */
  private locatePath(ref: string): string {
    if (REPORT_ID.test(ref) && existsSync(join(this.dir, ref, REPORT_FILES.json))) return join(this.dir, ref, REPORT_FILES.json);
    const path = resolve(ref);
    if (existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, REPORT_FILES.json))) return join(path, REPORT_FILES.json);
    if (existsSync(path) && statSync(path).isFile() && basename(path).endsWith('.json')) return path;
    throw new ContractError({ code: 'not-found', message: `no report "${ref}" (not an id in ${this.dir}, nor a report folder or .json file)`, field: 'id' });
  }
}

/** The run's recording as report.html's player embeds it: the events it reads, gzipped, base64 (a typical drill: tens of KiB). */
export async function embedRecording(recording: Recording | null): Promise<EmbeddedRecording> {
  if (!recording) return { missing: 'this run has no recording (written before recordings existed, or the recording could not be read)' };
  if (recording.keyframes.length === 0) return { missing: 'the recording holds no keyframe to start from' };
  const gz = await promisify(gzip)(JSON.stringify(playerRecording(recording)));
  return { base64: gz.toString('base64') };
}

/** Reads and checks one report.json; errors name the file and the field. */
export function readReport(file: string): DrillReport {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ContractError({ code: 'invalid-params', message: `${file}: not a readable JSON report: ${(error as Error).message}`, field: 'report' });
  }
  const parsed = DrillReport.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = fieldPath(issue.path as Array<string | number>);
    throw new ContractError({ code: 'invalid-params', message: `${file}: ${field || '(root)'}: ${issue.message}`, field: field || 'report' });
  }
  return parsed.data;
}

function writeAtomic(file: string, text: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}
