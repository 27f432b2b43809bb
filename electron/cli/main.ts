import { appVersion } from '../engine/app-paths.js';
import { UsageError } from './args.js';
import { drills, drillsHelp } from './drills.js';
import { exportCommand, exportHelp } from './export.js';
import { report, reportHelp } from './report.js';
import { run, runHelp } from './run.js';
import { serve, serveHelp } from './serve.js';
import { validate, validateHelp } from './validate.js';

const help = `Usage: firedrill <command> [flags]

Firedrill — a chaos lab for one workstation: a fleet of real server processes to break on purpose.

Commands:
  serve       start the lab and its web UI on 127.0.0.1 (firedrill serve --help)
  drills      list the drills on offer
  run         run a drill and write its report (firedrill run ID|FILE [--auto] ...)
  report      read the report history: list, show, compare, export
  validate    check drill files (firedrill validate FILE...)
  export      write a drill as a Chaos Mesh Workflow for Kubernetes (firedrill export chaos-mesh ID|FILE)
  help [CMD]  this help, or a command's

Flags:
  -h, --help     this help
  -v, --version  the version
`;

type CliCommand = { run: (argv: string[]) => Promise<number>; help: string };

const commands: Record<string, CliCommand> = {
  serve: { run: serve, help: serveHelp },
  validate: { run: validate, help: validateHelp },
  drills: { run: drills, help: drillsHelp },
  run: { run, help: runHelp },
  report: { run: report, help: reportHelp },
  export: { run: exportCommand, help: exportHelp },
};

/** A command by its name: own keys only (`firedrill constructor` is an unknown command, not Object). */
function commandNamed(name: string): CliCommand | undefined {
  return Object.hasOwn(commands, name) ? commands[name] : undefined;
}

async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help') {
    process.stdout.write(help);
    return first === undefined ? 2 : 0;
  }
  if (first === '-v' || first === '--version') {
    process.stdout.write(`${appVersion()}\n`);
    return 0;
  }
  if (first === 'help') {
    const topic = rest[0] === undefined ? undefined : commandNamed(rest[0]);
    if (rest[0] !== undefined && !topic) throw new UsageError(`firedrill help: unknown command "${rest[0]}"`);
    process.stdout.write(topic?.help ?? help);
    return 0;
  }
  const command = commandNamed(first);
  if (!command) throw new UsageError(first.startsWith('-') ? `firedrill: unknown flag "${first}"` : `firedrill: unknown command "${first}" (see firedrill --help)`);
  return await command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`firedrill: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
