import { existsSync, writeFileSync } from 'node:fs';
import type { ParseArgsConfig } from 'node:util';
import { BALANCER_SELECTOR_ID, DEFAULT_SELECTOR_KEY, type ChaosMeshExport, type ChaosMeshExportOptions } from '../../shared/drill/chaos-mesh/options.js';
import { parseSelectors, SelectorSyntaxError } from '../../shared/drill/chaos-mesh/selectors.js';
import { escapeControls } from '../../shared/drill/plain-text.js';
import type { DrillSpec } from '../../shared/drill/schema.js';
import { loadDrillFile } from '../engine/drills/drill-file.js';
import { loadLibrary } from '../engine/drills/library.js';
import { ChaosMeshExportError, exportChaosMesh } from '../engine/export/chaos-mesh.js';
import { issueLines } from '../engine/yaml-file.js';
import { parseFlags, parsePort, UsageError } from './args.js';

export const exportHelp = `Usage: firedrill export chaos-mesh ID|FILE [--namespace NS] [--selector [NODE:]KEY=VALUE ...] [--out FILE]

Writes a drill as a Chaos Mesh Workflow (one YAML stream) to run on Kubernetes: its steps in order
(Suspend for waits), its faults as PodChaos, NetworkChaos, HTTPChaos and IOChaos templates. What
Chaos Mesh cannot express (narration, predictions, checks, the ledger, traffic) becomes comments in
the YAML and a list on stderr. Apply it with: kubectl apply -f FILE (see docs/chaos-mesh.md).

Each node id of the drill (p1, s1, a1, ...) selects pods by the label ${DEFAULT_SELECTOR_KEY}=<node id>.

  --namespace NS          the namespace of the Workflow and of the pods it selects (default: default)
  --selector NODE:K=V     the labels NODE's pods carry, in place of the default label; repeat for
                          more labels (all must match). NODE "${BALANCER_SELECTOR_ID}" names the load balancer's
                          pods (a partition of a node's balancer link cuts it from them)
  --selector K=V          a label every node's pods carry besides their own (e.g. app=kv)
  --container NAME        the container a restart kills (PodChaos container-kill; default: app)
  --http-port N           the port HTTPChaos intercepts on the nodes' pods (default: 80)
  --volume-path PATH      where the nodes' data volume is mounted, for IOChaos (default: /data)
  --out FILE              write the YAML to FILE instead of stdout
  -h, --help              this help

Exit status: 0 when written (what did not map is listed, not an error), 2 on bad input.
`;

const EXPORT_FLAGS = {
  namespace: { type: 'string' },
  selector: { type: 'string', multiple: true },
  container: { type: 'string' },
  'http-port': { type: 'string' },
  'volume-path': { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;
type ExportFlags = ReturnType<typeof parseFlags<typeof EXPORT_FLAGS>>['values'];

export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags(argv, EXPORT_FLAGS, 'export');
  if (values.help) {
    process.stdout.write(exportHelp);
    return 0;
  }
  const [target, ref, ...extra] = positionals;
  if (target === undefined) throw new UsageError('firedrill export: say what to export to: firedrill export chaos-mesh ID|FILE (see firedrill export --help)');
  if (target !== 'chaos-mesh') throw new UsageError(`firedrill export: unknown target "${escapeControls(target)}" (one target: chaos-mesh)`);
  if (ref === undefined || extra.length > 0) throw new UsageError('firedrill export chaos-mesh: give one drill id or file (see firedrill drills)');

  const options = exportOptions(values);
  const drill = resolveDrill(ref);
  let result;
  try {
    result = exportChaosMesh(drill, options);
  } catch (error) {
    if (error instanceof ChaosMeshExportError) throw new UsageError(error.message.split('\n').map((line) => `firedrill export chaos-mesh: ${flagOf(line)}`).join('\n'));
    throw error;
  }
  printExport(result, drill.id, values.out);
  return 0;
}

/** The export's options from --selector, --namespace, --container, --volume-path and --http-port; a bad one is a UsageError naming its flag. */
function exportOptions(values: ExportFlags): ChaosMeshExportOptions {
  let options: ChaosMeshExportOptions;
  try {
    options = { ...parseSelectors(values.selector ?? [], escapeControls) };
  } catch (error) {
    if (error instanceof SelectorSyntaxError) throw new UsageError(`--selector ${error.message}`);
    throw error;
  }
  if (values.namespace !== undefined) options.namespace = values.namespace;
  if (values.container !== undefined) options.container = values.container;
  if (values['volume-path'] !== undefined) options.volumePath = values['volume-path'];
  const port = parsePort(values['http-port'], '--http-port');
  if (port === 0) throw new UsageError('--http-port: "0" is not a port HTTPChaos can intercept (1-65535)');
  if (port !== undefined) options.httpPort = port;
  return options;
}

/** The YAML to --out (a line saying so) or to stdout, and what did not map to stderr. */
function printExport(result: ChaosMeshExport, drillId: string, out: string | undefined): void {
  if (out !== undefined) {
    try {
      writeFileSync(out, result.yaml);
    } catch (error) {
      throw new UsageError(`--out: cannot write "${escapeControls(out)}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    process.stdout.write(`${escapeControls(out)}: Chaos Mesh Workflow "${result.workflowName}" for drill ${drillId}\n`);
  } else {
    process.stdout.write(result.yaml);
  }
  if (result.gaps.length > 0) {
    process.stderr.write(`Not expressed in Chaos Mesh (${result.gaps.length}; also comments in the YAML):\n`);
    for (const gap of result.gaps) {
      process.stderr.write(`  ${gap.step === null ? 'drill' : `step ${gap.step}`}${gap.kind === 'approximate' ? ' (approximate)' : ''}: ${escapeControls(gap.text)}\n`);
    }
  }
}

/** An options path (`selectors.a1.key`, `namespace`) as the flag that set it. */
function flagOf(line: string): string {
  return line
    .replace(/^selectors\.([^.:]+)(\.[^:]*)?:/, '--selector $1:')
    .replace(/^commonLabels(\.[^:]*)?:/, '--selector:')
    .replace(/^namespace:/, '--namespace:')
    .replace(/^container:/, '--container:')
    .replace(/^volumePath:/, '--volume-path:');
}

function resolveDrill(ref: string): DrillSpec {
  const looksLikeFile = /[\\/]/.test(ref) || /\.ya?ml$/i.test(ref) || existsSync(ref);
  if (looksLikeFile) {
    try {
      return loadDrillFile(ref);
    } catch (error) {
      throw new UsageError(issueLines(error).map(escapeControls).join('\n'));
    }
  }
  const library = loadLibrary();
  const found = library.drills.find((d) => d.spec.id === ref);
  if (!found) {
    const ids = library.drills.map((d) => d.spec.id).join(', ');
    throw new UsageError(`firedrill export chaos-mesh: no drill "${escapeControls(ref)}" (built-in: ${ids || 'none found'}; or give a file path)`);
  }
  return found.spec;
}
