import { escapeControls } from '../../shared/drill/plain-text.js';
import { loadDrillFile } from '../engine/drills/drill-file.js';
import { issueLines } from '../engine/yaml-file.js';
import { parseFlags, UsageError } from './args.js';

export const validateHelp = `Usage: firedrill validate FILE [FILE...]

Checks drill files (YAML) against the drill schema without running anything. Prints
"FILE: ok (ID, N steps)" for each valid file, and for each invalid one every mistake at once, one
"FILE:LINE:COL: field.path: message" line each, sorted by line (on stderr).

Exit status: 0 when every file is valid, 2 when any is not.

  -h, --help  this help
`;

export async function validate(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, { help: { type: 'boolean', short: 'h' } }, 'validate');
  if (values.help) {
    process.stdout.write(validateHelp);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('firedrill validate: give at least one drill file (see firedrill validate --help)');
  let code = 0;
  for (const file of positionals) {
    try {
      const drill = loadDrillFile(file);
      process.stdout.write(`${escapeControls(file)}: ok (${drill.id}, ${drill.steps.length} step${drill.steps.length === 1 ? '' : 's'})\n`);
    } catch (error) {
      for (const line of issueLines(error)) process.stderr.write(`${escapeControls(line)}\n`);
      code = 2;
    }
  }
  return code;
}
