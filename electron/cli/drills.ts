import { escapeControls, stripControls } from '../../shared/drill/plain-text.js';
import { loadLibrary } from '../engine/drills/library.js';
import { parseFlags } from './args.js';

export const drillsHelp = `Usage: firedrill drills [--json]

Lists the drills on offer: the built-in library and your own drill files in ~/.firedrill/drills
(or $FIREDRILL_USER_DRILLS_DIR). Run one with: firedrill run ID

  --json      one JSON object {"drills": [...], "problems": [...]}
  -h, --help  this help
`;

export async function drills(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, 'drills');
  if (values.help) {
    process.stdout.write(drillsHelp);
    return 0;
  }
  const library = loadLibrary();
  const list = library.drills.map((d) => d.summary);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ drills: list, problems: library.problems })}\n`);
  } else {
    const idWidth = Math.max(2, ...list.map((d) => d.id.length));
    const conceptWidth = Math.max(7, ...list.map((d) => d.concept.length));
    process.stdout.write(`${'ID'.padEnd(idWidth)}  ${'CONCEPT'.padEnd(conceptWidth)}  ${'TIME'.padStart(5)}  TITLE\n`);
    for (const d of list) {
      const time = `${Math.round(d.estimatedMs / 1000)} s`;
      const extras = [d.predictions > 0 ? `${d.predictions} prediction${d.predictions === 1 ? '' : 's'}` : '', d.actions > 0 ? `${d.actions} action${d.actions === 1 ? '' : 's'}` : ''].filter(Boolean).join(', ');
      const title = stripControls(d.title).replace(/[\n\t]/g, ' ');
      process.stdout.write(`${d.id.padEnd(idWidth)}  ${d.concept.padEnd(conceptWidth)}  ${time.padStart(5)}  ${title}${extras ? ` (${extras})` : ''}\n`);
    }
  }
  // A problem quotes a file (its name, a key): shown, never sent to the terminal as control characters.
  for (const problem of library.problems) process.stderr.write(`${escapeControls(problem)}\n`);
  return library.problems.length > 0 ? 2 : 0;
}
