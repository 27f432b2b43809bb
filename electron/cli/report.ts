import { writeFileSync } from 'node:fs';
import { ContractError } from '../../shared/contract/errors.js';
import { ReportFormat } from '../../shared/drill/run.js';
import { renderComparisonHtml, renderComparisonMarkdown, renderComparisonText } from '../../shared/report/compare.js';
import { renderMarkdown } from '../../shared/report/markdown.js';
import { defaultReportsDir, ReportStore } from '../engine/report-store/report-store.js';
import { parseFlags, UsageError } from './args.js';

export const reportHelp = `Usage: firedrill report list | show REPORT | compare REPORT REPORT... | export REPORT --format F

Reads the drill report history (default $FIREDRILL_REPORTS_DIR or ~/.firedrill/reports).
REPORT is a report id from \`firedrill report list\`, a report folder, or a report.json file.

  list                  the history, newest first
  show REPORT           one report as Markdown
  compare A B [C...]    two to six runs side by side (a table; --out writes .html or .md)
  export REPORT         render one format again: --format html|md|junit|pdf|json

  --dir DIR     the report history to read
  --out FILE    compare: also write the comparison to FILE (.html or .md)
  --format F    export: the format
  --json        list and compare: JSON instead of a table
  -h, --help    this help

Exit status: 0 on success, 2 on bad input (an unknown or unreadable report names the file and
field), 1 when something else fails (no Chromium for a PDF).
`;

export async function report(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(
    argv,
    { dir: { type: 'string' }, out: { type: 'string' }, format: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    'report',
  );
  if (values.help || positionals.length === 0) {
    process.stdout.write(reportHelp);
    return values.help ? 0 : 2;
  }
  const store = new ReportStore(values.dir ?? defaultReportsDir());
  const [action, ...refs] = positionals;
  try {
    switch (action) {
      case 'list':
        return list(store, values.json === true);
      case 'show': {
        if (refs.length !== 1) throw new UsageError('firedrill report show: give one report');
        process.stdout.write(renderMarkdown(store.open(refs[0] as string, { paths: true }).report));
        return 0;
      }
      case 'compare': {
        if (refs.length < 2 || refs.length > 6) throw new UsageError('firedrill report compare: give two to six reports');
        const { comparison, reports } = store.compare(refs, { paths: true });
        if (values.json) process.stdout.write(`${JSON.stringify(comparison)}\n`);
        else process.stdout.write(renderComparisonText(comparison));
        if (values.out !== undefined) {
          if (/\.html?$/i.test(values.out)) writeFileSync(values.out, renderComparisonHtml(comparison, reports));
          else if (/\.md$/i.test(values.out)) writeFileSync(values.out, renderComparisonMarkdown(comparison));
          else throw new UsageError(`--out: "${values.out}" should end in .html or .md`);
          process.stderr.write(`wrote ${values.out}\n`);
        }
        return 0;
      }
      case 'export': {
        if (refs.length !== 1) throw new UsageError('firedrill report export: give one report');
        const format = ReportFormat.safeParse(values.format);
        if (!format.success) throw new UsageError(`--format: give one of ${ReportFormat.options.join(', ')}`);
        process.stdout.write(`${await store.export(refs[0] as string, format.data, { paths: true })}\n`);
        return 0;
      }
      default:
        throw new UsageError(`firedrill report: unknown action "${action}" (list, show, compare or export)`);
    }
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // An unknown or damaged report is bad input: one line naming the file and the field (exit 2).
    if (error instanceof ContractError) throw new UsageError(error.message);
    // Anything else (no Chromium for a PDF, a full disk) is not the input's fault: one line, exit 1.
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
}

function list(store: ReportStore, json: boolean): number {
  const { reports, problems } = store.list();
  if (json) {
    process.stdout.write(`${JSON.stringify({ dir: store.dir, reports, problems })}\n`);
  } else if (reports.length === 0) {
    process.stdout.write(`no reports in ${store.dir}\n`);
  } else {
    const width = Math.max(...reports.map((r) => r.id.length));
    for (const r of reports) {
      process.stdout.write(`${r.id.padEnd(width)}  ${r.verdict.padEnd(7)}  ${(r.topology ?? 'fleet').padEnd(13)}  ${r.strategy.padEnd(20)}  ${r.title}\n`);
    }
  }
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  return 0;
}
