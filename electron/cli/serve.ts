import { existsSync } from 'node:fs';
import { TopologyKind, type FleetSpec } from '../../shared/contract/index.js';
import { rendererDir } from '../engine/app-paths.js';
import { loadFleetFile } from '../engine/fleet/index.js';
import { Lab } from '../engine/lab.js';
import { parseFlags, parsePort, UsageError } from './args.js';
import { startWebHost } from './web-host.js';

export const serveHelp = `Usage: firedrill serve [--port N] [--json] [--topology KIND | --fleet FILE] [--run-dir DIR]

Starts the lab (the engine, its fleet and the balancer in front of it) and the web host on
127.0.0.1, and stays up until SIGINT or SIGTERM, when it stops every node before it exits.

  --port N             port of the web host (default 0: a free port)
  --balancer-port N    port of the balancer (default 0: a free port)
  --json               print one JSON line {"url","port","token","runDir","balancerUrl"} instead of sentences
  --topology KIND      hot-standby (default), warm-standby, cold-standby or active-active
  --fleet FILE         a fleet file (YAML) to run as-is instead of a topology
  --run-dir DIR        where node data lives (default $FIREDRILL_RUN_DIR or ~/.firedrill/runs/<time>)
  --reports-dir DIR    the drill report history (default $FIREDRILL_REPORTS_DIR or ~/.firedrill/reports)
  --no-start           start the lab with the fleet stopped
  -h, --help           this help
`;

export async function serve(argv: string[]): Promise<number> {
  const { values } = parseFlags(
    argv,
    {
      port: { type: 'string' },
      'balancer-port': { type: 'string' },
      topology: { type: 'string' },
      json: { type: 'boolean' },
      fleet: { type: 'string' },
      'run-dir': { type: 'string' },
      'reports-dir': { type: 'string' },
      'no-start': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    'serve',
  );
  if (values.help) {
    process.stdout.write(serveHelp);
    return 0;
  }
  const port = parsePort(values.port, '--port');
  const balancerPort = parsePort(values['balancer-port'], '--balancer-port');
  let topology: TopologyKind | undefined;
  if (values.topology !== undefined) {
    const kind = TopologyKind.safeParse(values.topology);
    if (!kind.success) throw new UsageError(`--topology: "${values.topology}" is not one of ${TopologyKind.options.join(', ')}`);
    if (values.fleet !== undefined) throw new UsageError('--topology and --fleet: give one or the other');
    topology = kind.data;
  }
  let fleet: FleetSpec | undefined;
  if (values.fleet !== undefined) {
    try {
      fleet = loadFleetFile(values.fleet);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }

  const lab = await Lab.create({
    runDir: values['run-dir'],
    ...(values['reports-dir'] !== undefined ? { reportsDir: values['reports-dir'] } : {}),
    fleet,
    autoStart: !values['no-start'],
    ...(topology ? { topology: { kind: topology } } : {}),
    ...(balancerPort !== undefined ? { balancerPort } : {}),
  });
  const staticDir = existsSync(rendererDir()) ? rendererDir() : undefined;
  const web = await startWebHost({ host: lab.host, port, staticDir, metrics: () => lab.metricsExposition() }).catch(async (error: unknown) => {
    await lab.dispose();
    throw error;
  });

  if (lab.journalRecovery.length > 0) {
    process.stderr.write(`Faults an earlier run of this lab left behind, now taken back:\n${lab.journalRecovery.map((l) => `  ${l}`).join('\n')}\n`);
  }
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ url: web.url, port: web.port, token: web.token, runDir: lab.runDir, balancerUrl: lab.balancerUrl })}\n`);
  } else {
    process.stdout.write(`Firedrill lab at ${web.url}\n`);
    const stateless = lab.snapshot().nodes.every((n) => n.role === 'stateless');
    process.stdout.write(`Balancer at ${lab.balancerUrl} (try: curl ${stateless ? '' : '-X PUT -d hello '}${lab.balancerUrl}/kv/greeting)\n`);
    if (!staticDir) process.stdout.write('(the UI is not built: run `npm run build:renderer`; the API works without it)\n');
  }

  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`firedrill: ${signal} again, exiting now\n`);
        process.exit(130);
      }
      stopping = true;
      void (async () => {
        await web.close();
        await lab.dispose();
        resolve(0);
      })();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
