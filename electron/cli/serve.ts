import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { ParseArgsConfig } from 'node:util';
import { ContractError, TopologyKind, type FleetSpec } from '../../shared/contract/index.js';
import { rendererDir } from '../engine/app-paths.js';
import { describePrograms, fleetPrograms } from '../engine/fleet-admission.js';
import { loadFleetFile, PlainNodeLauncher } from '../engine/fleet/index.js';
import { issueLines } from '../engine/yaml-file.js';
import { Lab } from '../engine/lab.js';
import { parseFlags, parsePort, UsageError } from './args.js';
import { ClassroomServer, classroomAddress } from './classroom.js';
import { startWebHost, type WebHost } from './web-host.js';

export const serveHelp = `Usage: firedrill serve [--port N] [--json] [--topology KIND | --fleet FILE [--allow-commands]] [--run-dir DIR] [--classroom [--classroom-host ADDR --yes]]

Starts the lab (the engine, its fleet and the balancer in front of it) and the web host on
127.0.0.1, and stays up until SIGINT or SIGTERM, when it stops every node before it exits.

  --port N             port of the web host (default 0: a free port)
  --balancer-port N    port of the balancer (default 0: a free port)
  --json               print one JSON line {"url","port","token","runDir","balancerUrl","toxiproxyUrl"[,"classroom"]} instead of sentences
  --toxiproxy-port N   port of the Toxiproxy-compatible API (default 0: a free port; Toxiproxy's own is 8474)
  --toxiproxy-token    make the Toxiproxy API ask for the lab's token too (Authorization: Bearer TOKEN).
                       Off by default, as in Toxiproxy: any program on this machine may drive it
  --topology KIND      hot-standby (default), warm-standby, cold-standby or active-active
  --fleet FILE         a fleet file (YAML) to run as-is instead of a topology
  --allow-commands     let the fleet file start its own programs (its kind: command nodes). Without
                       it, serve lists the programs and asks for a yes on a terminal; off a
                       terminal it lists them and exits 2 without starting anything
  --run-dir DIR        where node data lives (default $FIREDRILL_RUN_DIR or ~/.firedrill/runs/<time>)
  --reports-dir DIR    the drill report history (default $FIREDRILL_REPORTS_DIR or ~/.firedrill/reports)
  --no-start           start the lab with the fleet stopped
  --classroom          classroom mode: a second, read-only link (its own port and token) for up to 40
                       viewers, who watch the lab and the drill live and may vote on predictions
  --classroom-port N   port of the classroom's link (default 0: a free port)
  --classroom-host ADDR  the interface the classroom listens on (default 127.0.0.1). Another address
                       must be one of this machine's interfaces, and needs --yes: anyone on that network
                       with the link can watch
  --yes                confirm --classroom-host
  -h, --help           this help

A fleet file's programs are listed on stderr, as a shell would read them, before anything starts.
Over the lab's API a fleet holds bundled nodes only: programs start only from here (or the
desktop app's File > Open fleet file..., which asks in a native dialog).
`;

/** Where the yes/no for a fleet's programs is asked: a terminal on both ends, or nowhere. */
export interface ServeTerminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

/**
 * Shows a fleet file's programs and lets them start only with --allow-commands or a yes typed on
 * a terminal; anything else is a UsageError (exit 2) that says what would have run and how to allow it.
 */
export async function admitFleetPrograms(file: string, fleet: FleetSpec, allowed: boolean, terminal: ServeTerminal, command = 'serve'): Promise<void> {
  const programs = fleetPrograms(fleet);
  if (programs.length === 0) return;
  const listing = describePrograms(file, programs).join('\n');
  if (allowed) {
    terminal.output.write(`${listing}\n(allowed by --allow-commands)\n`);
    return;
  }
  if (!terminal.input.isTTY || !terminal.output.isTTY) {
    throw new UsageError(`${listing}\nfiredrill ${command}: not started: a fleet file that starts programs needs --allow-commands (or a yes on a terminal)`);
  }
  terminal.output.write(`${listing}\n`);
  if (!(await askYes(terminal, 'Start these programs? [y/N] '))) throw new UsageError(`firedrill ${command}: not started: its programs were not allowed`);
}

/** One line from the terminal: yes only for y or yes; Ctrl-C or Ctrl-D is a no. */
function askYes(terminal: ServeTerminal, question: string): Promise<boolean> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: terminal.input, output: terminal.output, terminal: true });
    let answered = false;
    const settle = (yes: boolean): void => {
      if (answered) return;
      answered = true;
      lines.close();
      resolve(yes);
    };
    lines.on('SIGINT', () => {
      terminal.output.write('\n');
      settle(false);
    });
    lines.on('close', () => settle(false));
    lines.question(question, (answer) => settle(/^\s*y(es)?\s*$/i.test(answer)));
  });
}

/** A port already taken or not ours to use is a usage mistake, not a crash. */
function portProblem(error: unknown, flag: string, port: number | undefined): UsageError | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== 'EADDRINUSE' && code !== 'EACCES') return undefined;
  return new UsageError(`${flag} ${port ?? 0}: ${code === 'EADDRINUSE' ? 'that port is in use on 127.0.0.1' : 'not allowed to listen on that port'}`);
}

const SERVE_FLAGS = {
  port: { type: 'string' },
  'balancer-port': { type: 'string' },
  'toxiproxy-port': { type: 'string' },
  'toxiproxy-token': { type: 'boolean' },
  topology: { type: 'string' },
  json: { type: 'boolean' },
  fleet: { type: 'string' },
  'allow-commands': { type: 'boolean' },
  'run-dir': { type: 'string' },
  'reports-dir': { type: 'string' },
  'no-start': { type: 'boolean' },
  classroom: { type: 'boolean' },
  'classroom-host': { type: 'string' },
  'classroom-port': { type: 'string' },
  yes: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** `serve`'s flags, checked: the ports, the topology or the fleet file (its programs admitted). */
interface ServeArgs {
  values: ReturnType<typeof parseFlags<typeof SERVE_FLAGS>>['values'];
  port: number | undefined;
  balancerPort: number | undefined;
  toxiproxyPort: number | undefined;
  topology: TopologyKind | undefined;
  fleet: FleetSpec | undefined;
  /** --classroom: where its listener goes (the address checked against this machine's interfaces). */
  classroom: { address: string; port: number | undefined } | undefined;
}

/** The lab and what serves it: the web host and the Toxiproxy API. */
interface Serving {
  lab: Lab;
  web: WebHost;
  toxiproxyUrl: string;
  staticDir: string | undefined;
  classroom: ClassroomServer;
}

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, SERVE_FLAGS, 'serve');
  if (values.help) {
    process.stdout.write(serveHelp);
    return 0;
  }
  const args = await serveArgs(values);
  const serving = await startServing(args);
  printAddresses(args, serving);
  return await untilSignal(serving);
}

async function serveArgs(values: ServeArgs['values']): Promise<ServeArgs> {
  const port = parsePort(values.port, '--port');
  const balancerPort = parsePort(values['balancer-port'], '--balancer-port');
  const toxiproxyPort = parsePort(values['toxiproxy-port'], '--toxiproxy-port');
  let topology: TopologyKind | undefined;
  if (values.topology !== undefined) {
    const kind = TopologyKind.safeParse(values.topology);
    if (!kind.success) throw new UsageError(`--topology: "${values.topology}" is not one of ${TopologyKind.options.join(', ')}`);
    if (values.fleet !== undefined) throw new UsageError('--topology and --fleet: give one or the other');
    topology = kind.data;
  }
  const classroom = classroomArgs(values);
  if (values['allow-commands'] && values.fleet === undefined) throw new UsageError('--allow-commands: only with --fleet FILE (a topology runs the bundled server only)');
  let fleet: FleetSpec | undefined;
  if (values.fleet !== undefined) {
    try {
      fleet = loadFleetFile(values.fleet);
    } catch (error) {
      // Every load error is the user's file: every mistake as FILE:LINE:COL: field: ..., no stack.
      throw new UsageError(issueLines(error).join('\n'));
    }
    await admitFleetPrograms(values.fleet, fleet, values['allow-commands'] === true, { input: process.stdin, output: process.stderr });
  }
  return { values, port, balancerPort, toxiproxyPort, topology, fleet, classroom };
}

/** --classroom and its flags, checked before anything starts: another interface than loopback must be this machine's and confirmed. */
function classroomArgs(values: ServeArgs['values']): ServeArgs['classroom'] {
  const port = parsePort(values['classroom-port'], '--classroom-port');
  if (!values.classroom) {
    if (values['classroom-host'] !== undefined || port !== undefined) throw new UsageError(`${values['classroom-host'] !== undefined ? '--classroom-host' : '--classroom-port'}: only with --classroom`);
    return undefined;
  }
  return { address: classroomAddress(values['classroom-host'], values.yes === true), port };
}

/** Starts the lab, its Toxiproxy API and the web host; a port that cannot be had is a UsageError, with the lab disposed. */
async function startServing({ values, port, balancerPort, toxiproxyPort, topology, fleet, classroom: classroomArgs }: ServeArgs): Promise<Serving> {
  let lab: Lab;
  try {
    lab = await Lab.create({
      runDir: values['run-dir'],
      launcher: new PlainNodeLauncher(),
      ...(values['reports-dir'] !== undefined ? { reportsDir: values['reports-dir'] } : {}),
      fleet,
      autoStart: !values['no-start'],
      ...(topology ? { topology: { kind: topology } } : {}),
      ...(balancerPort !== undefined ? { balancerPort } : {}),
    });
  } catch (error) {
    // What the fleet file's schema cannot see (e.g. a replica that is not a bundled node) surfaces at start.
    if (error instanceof ContractError && error.code === 'invalid-params') throw new UsageError(values.fleet ? `${values.fleet}: ${error.message}` : error.message);
    throw portProblem(error, '--balancer-port', balancerPort) ?? error;
  }
  const token = randomBytes(24).toString('base64url');
  const toxiproxyUrl = await lab.serveToxiproxy({ port: toxiproxyPort ?? 0, ...(values['toxiproxy-token'] ? { token } : {}) }).catch(async (error: unknown) => {
    await lab.dispose();
    throw portProblem(error, '--toxiproxy-port', toxiproxyPort) ?? error;
  });
  const staticDir = existsSync(rendererDir()) ? rendererDir() : undefined;
  const web = await startWebHost({ host: lab.host, port, token, staticDir, metrics: () => lab.metricsExposition() }).catch(async (error: unknown) => {
    await lab.dispose();
    throw portProblem(error, '--port', port) ?? error;
  });
  // The app's switch (classroom.start) reaches this through the lab's capability; --classroom starts it now.
  const classroom = new ClassroomServer({ host: lab.host, staticDir });
  lab.classroom.provide(classroom);
  if (classroomArgs) {
    await classroom.listen(classroomArgs.address, classroomArgs.port ?? 0).catch(async (error: unknown) => {
      await web.close();
      await lab.dispose();
      throw portProblem(error, '--classroom-port', classroomArgs.port) ?? error;
    });
  }
  return { lab, web, toxiproxyUrl, staticDir, classroom };
}

/** Where the lab is: sentences, or one JSON line with --json; faults an earlier run left behind, on stderr. */
function printAddresses({ values }: ServeArgs, { lab, web, toxiproxyUrl, staticDir, classroom }: Serving): void {
  if (lab.journalRecovery.length > 0) {
    process.stderr.write(`Faults an earlier run of this lab left behind, now taken back:\n${lab.journalRecovery.map((l) => `  ${l}`).join('\n')}\n`);
  }
  if (values.json) {
    const link = classroom.link();
    process.stdout.write(`${JSON.stringify({ url: web.url, port: web.port, token: web.token, runDir: lab.runDir, balancerUrl: lab.balancerUrl, toxiproxyUrl, ...(link ? { classroom: link } : {}) })}\n`);
    return;
  }
  process.stdout.write(`Firedrill lab at ${web.url}\n`);
  const link = classroom.link();
  if (link) process.stdout.write(`Classroom (read-only, up to 40 viewers) at ${link.url}\n`);
  const stateless = lab.snapshot().nodes.every((n) => n.role === 'stateless');
  process.stdout.write(`Balancer at ${lab.balancerUrl} (try: curl ${stateless ? '' : '-X PUT -d hello '}${lab.balancerUrl}/kv/greeting)\n`);
  process.stdout.write(`Toxiproxy API at ${toxiproxyUrl}${values['toxiproxy-token'] ? ' (Authorization: Bearer TOKEN, the token in the lab URL)' : ''} (try: curl ${toxiproxyUrl}/proxies)\n`);
  if (!staticDir) process.stdout.write('(the UI is not built: run `npm run build:renderer`; the API works without it)\n');
}

/** Serves until SIGINT or SIGTERM, then closes the web host and disposes of the lab (exit 0); a second signal exits at once (130). */
function untilSignal({ lab, web, classroom }: Serving): Promise<number> {
  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`firedrill: ${signal} again, exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      void (async () => {
        await classroom.stop();
        await web.close();
        await lab.dispose();
        resolve(0);
      })();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
